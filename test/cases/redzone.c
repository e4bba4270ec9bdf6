/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The red-zone guard: canaries around every block of an inner allocator. */
#include <string.h>

#include "model.h"
#include "tiny_alloc.h"

static tiny_t tiny;
static unsigned char rz_arena[16384] __attribute__((aligned(64)));

struct seen {
    unsigned n;
    rtm_redzone_report_t r[8];
};

static void on_report(void *user, const rtm_redzone_report_t *r)
{
    struct seen *s = (struct seen *)user;
    if (s->n < 8u) {
        s->r[s->n] = *r;
    }
    s->n++;
}

static rtm_status_t make_guard(rtm_redzone_t *rz, struct seen *seen)
{
    memset(seen, 0, sizeof *seen);
    tiny_init(&tiny, rz_arena, sizeof rz_arena);
    rtm_allocator_t inner = tiny_allocator(&tiny);
    return rtm_redzone_init(rz, &inner, on_report, seen);
}

RTM_TEST(redzone, overrun_after_the_block_is_caught_on_free)
{
    rtm_redzone_t rz;
    struct seen seen;
    RTM_CHECK_OK(make_guard(&rz, &seen));
    rtm_allocator_t a = rtm_redzone_allocator(&rz);
    void *keep = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 40, 0, &keep));
    rtm_model_fill(keep, 40, 5u);
    unsigned char *p = NULL;
    rtm_redzone_set_site(&rz, 0x5150u);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 20, 0, (void **)&p));
    memset(p, 0x11, 20);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    p[20] = 0; /* one byte past the end */
    RTM_CHECK_STATUS(rtm_allocator_check(&a), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 0); /* the check slot is read-only: no report */
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 20), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 1);
    RTM_CHECK(seen.r[0].block == p);
    RTM_CHECK_EQ(seen.r[0].size, 20);
    RTM_CHECK_EQ(seen.r[0].site, 0x5150u);
    RTM_CHECK_EQ(seen.r[0].side, RTM_REDZONE_BACK);
    RTM_CHECK_EQ(seen.r[0].address, (uintptr_t)(p + 20));
    RTM_CHECK_EQ(seen.r[0].flags, 0u);
    /* Quarantined: off the live list, not given back to the inner allocator. */
    rtm_redzone_stats_t st;
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.quarantined_blocks, 1);
    RTM_CHECK_EQ(st.overruns_detected, 1);
    RTM_CHECK_EQ(st.live_blocks, 1);
    RTM_CHECK_EQ(tiny.n, 2);
    /* The rest is consistent and intact. */
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_redzone_check_all(&rz, NULL));
    RTM_CHECK(rtm_model_verify(keep, 40, 5u));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 20), RTM_ERR_DOUBLE_FREE); /* already given up */
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, keep, 40));
}

RTM_TEST(redzone, underrun_before_the_block_is_caught_with_its_address)
{
    rtm_redzone_t rz;
    struct seen seen;
    RTM_CHECK_OK(make_guard(&rz, &seen));
    unsigned char *p = NULL;
    RTM_CHECK_OK(rtm_redzone_alloc(&rz, 33, 0, (void **)&p));
    p[-5] ^= 0x5Au; /* within the 16 canary bytes, not the nearest one */
    RTM_CHECK_STATUS(rtm_redzone_free(&rz, p), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 1);
    RTM_CHECK_EQ(seen.r[0].side, RTM_REDZONE_FRONT);
    RTM_CHECK_EQ(seen.r[0].address, (uintptr_t)(p - 5));
    RTM_CHECK(seen.r[0].site != 0u); /* the direct entry recorded its call site */
    RTM_CHECK_EQ(seen.r[0].size, 33);
    /* Alignment padding in front of the header is a red zone too. */
    RTM_CHECK_OK(rtm_redzone_alloc(&rz, 8, 256, (void **)&p));
    RTM_CHECK_EQ((uintptr_t)p % 256u, 0);
    p[-200] ^= 1u;
    RTM_CHECK_STATUS(rtm_redzone_free(&rz, p), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 2);
    RTM_CHECK_EQ(seen.r[1].side, RTM_REDZONE_FRONT);
    RTM_CHECK_EQ(seen.r[1].address, (uintptr_t)(p - 200));
    /* Both sides at once: two reports. */
    RTM_CHECK_OK(rtm_redzone_alloc(&rz, 16, 0, (void **)&p));
    p[-1] = 0;
    p[16 + 15] = 0;
    RTM_CHECK_STATUS(rtm_redzone_free(&rz, p), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 4);
    RTM_CHECK(seen.r[2].side == RTM_REDZONE_FRONT && seen.r[2].address == (uintptr_t)(p - 1));
    RTM_CHECK(seen.r[3].side == RTM_REDZONE_BACK && seen.r[3].address == (uintptr_t)(p + 31));
    RTM_CHECK(seen.r[2].site == seen.r[3].site && seen.r[2].site != 0u);
}

RTM_TEST(redzone, check_all_walks_every_live_block)
{
    rtm_redzone_t rz;
    struct seen seen;
    RTM_CHECK_OK(make_guard(&rz, &seen));
    rtm_allocator_t a = rtm_redzone_allocator(&rz);
    unsigned char *p[4];
    for (int i = 0; i < 4; i++) {
        rtm_redzone_set_site(&rz, (uintptr_t)(0xA000 + i));
        RTM_CHECK_OK(rtm_allocator_allocate(&a, (size_t)(10 + i * 7), (size_t)8 << i, (void **)&p[i]));
        RTM_CHECK_EQ((uintptr_t)p[i] % ((uintptr_t)8 << i), 0);
        memset(p[i], 0xEE, (size_t)(10 + i * 7));
    }
    size_t bad = 99u;
    RTM_CHECK_OK(rtm_redzone_check_all(&rz, &bad));
    RTM_CHECK_EQ(bad, 0);
    unsigned char save_back = p[1][17];
    unsigned char save_front = p[3][-16];
    p[1][17] ^= 0xFFu; /* first byte after block 1 (size 17) */
    p[3][-16] ^= 0x01u; /* farthest byte of block 3's front canary */
    RTM_CHECK_STATUS(rtm_redzone_check_all(&rz, &bad), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(bad, 2);
    RTM_CHECK_EQ(seen.n, 2);
    /* The walk goes newest first. */
    RTM_CHECK(seen.r[0].block == p[3] && seen.r[0].side == RTM_REDZONE_FRONT);
    RTM_CHECK_EQ(seen.r[0].address, (uintptr_t)(p[3] - 16));
    RTM_CHECK_EQ(seen.r[0].site, 0xA003u);
    RTM_CHECK(seen.r[1].block == p[1] && seen.r[1].side == RTM_REDZONE_BACK);
    RTM_CHECK_EQ(seen.r[1].address, (uintptr_t)(p[1] + 17));
    RTM_CHECK_EQ(seen.r[1].site, 0xA001u);
    RTM_CHECK_EQ(seen.r[1].size, 17);
    /* On demand does not free anything; repaired, everything passes and frees. */
    p[1][17] = save_back;
    p[3][-16] = save_front;
    RTM_CHECK_OK(rtm_redzone_check_all(&rz, &bad));
    for (int i = 0; i < 4; i++) {
        RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[i], 0));
    }
    rtm_redzone_stats_t st;
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.live_blocks, 0);
    RTM_CHECK_EQ(st.checks, 3);
    RTM_CHECK_EQ(st.overruns_detected, 2);
    RTM_CHECK_EQ(tiny.n, 0);
}

RTM_TEST(redzone, damaged_header_is_reported_not_trusted)
{
    rtm_redzone_t rz;
    struct seen seen;
    RTM_CHECK_OK(make_guard(&rz, &seen));
    rtm_allocator_t a = rtm_redzone_allocator(&rz);
    unsigned char *old = NULL;
    unsigned char *p = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 24, 64, (void **)&old));
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 24, 64, (void **)&p));
    /* A deep underrun wipes the header (with 64-byte alignment, the 64 bytes
     * before the block are all this block's front). */
    memset(p - 64, 0, 48);
    RTM_CHECK_STATUS(rtm_allocator_check(&a), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_redzone_check_all(&rz, NULL), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 1);
    RTM_CHECK_EQ(seen.r[0].flags, RTM_REDZONE_HEADER);
    RTM_CHECK(seen.r[0].block == p);
    RTM_CHECK_EQ(seen.r[0].size, 0);
    RTM_CHECK_EQ(seen.r[0].site, 0u);
    RTM_CHECK(seen.r[0].address >= (uintptr_t)(p - 64) && seen.r[0].address < (uintptr_t)(p - 16));
    /* Freeing it: reported, spliced off the list between neighbours found
     * from both ends, kept from the inner allocator. */
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 24), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(seen.n, 2);
    RTM_CHECK_EQ(seen.r[1].flags, RTM_REDZONE_HEADER);
    rtm_redzone_stats_t st;
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.quarantined_blocks, 1);
    RTM_CHECK_EQ(st.live_blocks, 1);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, old, 24));

    /* A damaged header in the middle of the list: the walk stops there, the
     * free splices it out, and the blocks on either side stay usable. */
    unsigned char *b[3];
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_allocator_allocate(&a, 40, 64, (void **)&b[i]));
        rtm_model_fill(b[i], 40, (uint32_t)i + 20u);
    }
    memset(b[1] - 64, 0xFF, 48);
    size_t bad = 0u;
    RTM_CHECK_STATUS(rtm_redzone_check_all(&rz, &bad), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(bad, 1);
    RTM_CHECK(seen.r[2].block == b[1] && seen.r[2].flags == RTM_REDZONE_HEADER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, b[1], 40), RTM_ERR_CORRUPTED);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_redzone_check_all(&rz, &bad));
    RTM_CHECK(rtm_model_verify(b[0], 40, 20u) && rtm_model_verify(b[2], 40, 22u));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, b[0], 40));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, b[2], 40));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, b[1], 40), RTM_ERR_INVALID_POINTER);
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.quarantined_blocks, 2);
    RTM_CHECK_EQ(st.live_blocks, 0);
    RTM_CHECK_EQ(tiny.n, 2); /* the two quarantined blocks */
}

RTM_TEST(redzone, realloc_keeps_contents_site_and_refuses_damaged_blocks)
{
    rtm_redzone_t rz;
    struct seen seen;
    RTM_CHECK_OK(make_guard(&rz, &seen));
    rtm_allocator_t a = rtm_redzone_allocator(&rz);
    unsigned char *p = NULL;
    rtm_redzone_set_site(&rz, 0x77u);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 30, 0, (void **)&p));
    rtm_model_fill(p, 30, 9u);
    unsigned char *q = NULL;
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p, 30, 100, 0, (void **)&q));
    RTM_CHECK(rtm_model_verify(q, 30, 9u));
    memset(q + 30, 0, 70);
    q[100] = 0; /* overrun of the new size */
    unsigned char *r = (unsigned char *)&r;
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, q, 100, 10, 0, (void **)&r), RTM_ERR_CORRUPTED);
    RTM_CHECK(r == NULL);
    RTM_CHECK_EQ(seen.n, 1);
    RTM_CHECK_EQ(seen.r[0].site, 0x77u); /* the site moved with the block */
    RTM_CHECK_EQ(seen.r[0].address, (uintptr_t)(q + 100));
    /* The failed realloc left the block where it was, still live. */
    rtm_redzone_stats_t st;
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.live_blocks, 1);
    RTM_CHECK_EQ(st.quarantined_blocks, 0);
    RTM_CHECK(rtm_model_verify(q, 30, 9u));
    /* Realloc to 0 is a free -- of a damaged block, so quarantine. */
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, q, 100, 0, 0, (void **)&r), RTM_ERR_CORRUPTED);
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.quarantined_blocks, 1);
    RTM_CHECK_EQ(st.live_blocks, 0);
    /* NULL pointer realloc allocates. */
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, NULL, 0, 12, 0, (void **)&r));
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, r, 12, 0, 0, (void **)&r));
    RTM_CHECK(r == NULL);
    RTM_CHECK_OK(rtm_allocator_check(&a));
}

RTM_TEST(redzone, bad_input_matrix)
{
    rtm_redzone_t rz;
    struct seen seen;
    RTM_CHECK_STATUS(rtm_redzone_init(NULL, NULL, NULL, NULL), RTM_ERR_INVALID_ARG);
    rtm_allocator_t none = {NULL, NULL};
    RTM_CHECK_STATUS(rtm_redzone_init(&rz, &none, NULL, NULL), RTM_ERR_INVALID_ARG);
    memset(&rz, 0, sizeof rz);
    RTM_CHECK(rtm_redzone_allocator(&rz).ops == NULL);
    void *x = &x;
    RTM_CHECK_STATUS(rtm_redzone_alloc(&rz, 8, 0, &x), RTM_ERR_INVALID_ARG);
    RTM_CHECK(x == NULL);
    RTM_CHECK_STATUS(rtm_redzone_free(&rz, x), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_redzone_check_all(NULL, NULL), RTM_ERR_INVALID_ARG);
    rtm_redzone_set_site(NULL, 1u);

    RTM_CHECK_OK(make_guard(&rz, &seen));
    rtm_allocator_t a = rtm_redzone_allocator(&rz);
    unsigned char *live = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 64, 32, (void **)&live));
    rtm_model_fill(live, 64, 3u);
    void *p = &p;
    /* Requests. */
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 0, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 24, &p), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX - 40u, 0, &p), RTM_ERR_INVALID_ARG); /* + zones overflows */
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX - 200u, 0, &p), RTM_ERR_NO_MEMORY);  /* fits size_t, not the arena */
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, (SIZE_MAX >> 1) + 1u, (SIZE_MAX >> 1) + 1u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, sizeof rz_arena, 0, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_redzone_alloc(&rz, 8, 0, NULL), RTM_ERR_INVALID_ARG);
    /* Frees: NULL, foreign, interior, misaligned, double. */
    unsigned char foreign[64];
    memset(foreign, 0, sizeof foreign);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, NULL, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, foreign + 32, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, live + 8, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, live + 1, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, live + 64, 8), RTM_ERR_INVALID_POINTER);
    unsigned char *gone = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, (void **)&gone));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, gone, 16));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, gone, 16), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_redzone_free(&rz, gone), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, gone, 16, 32, 0, &p), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, foreign + 32, 16, 32, 0, &p), RTM_ERR_INVALID_POINTER);
    /* None of it was a red-zone report, and everything is consistent. */
    RTM_CHECK_EQ(seen.n, 0);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_redzone_check_all(&rz, NULL));
    RTM_CHECK(rtm_model_verify(live, 64, 3u));
    rtm_redzone_stats_t st;
    rtm_redzone_get_stats(&rz, &st);
    RTM_CHECK_EQ(st.live_blocks, 1);
    RTM_CHECK_EQ(tiny.n, 1);
    rtm_redzone_get_stats(NULL, &st);
    RTM_CHECK_EQ(st.live_blocks, 0);
}

RTM_TEST(redzone, model_over_an_inner_allocator)
{
    static const size_t arenas[] = {8192u, 131072u};
    for (size_t k = 0; k < 2u; k++) {
        void *mem = rtm_test_scratch(arenas[k]);
        if (mem == NULL) {
            continue;
        }
        for (uint32_t seed = 1u; seed <= 3u; seed++) {
            tiny_init(&tiny, mem, arenas[k]);
            rtm_allocator_t inner = tiny_allocator(&tiny);
            struct seen seen;
            memset(&seen, 0, sizeof seen);
            rtm_redzone_t rz;
            RTM_CHECK_OK(rtm_redzone_init(&rz, &inner, on_report, &seen));
            rtm_model_cfg_t m;
            memset(&m, 0, sizeof m);
            m.alloc = rtm_redzone_allocator(&rz);
            m.seed = seed * 0x9E3779B9u;
            m.ops = RTM_TEST_OPS(3000);
            m.min_size = 1u;
            m.max_size = arenas[k] / 40u;
            m.max_align_log2 = 7u;
            m.realloc_pct = 20u;
            m.max_live = 64u;
            m.arena_lo = (uintptr_t)mem;
            m.arena_hi = (uintptr_t)mem + arenas[k];
            m.check_free_bytes = true;
            m.misuse_pct = 5u;
            rtm_model_result_t r = rtm_model_run(&m);
            RTM_CHECK_EQ(r.failure, RTM_MODEL_OK);
            RTM_CHECK(r.allocations > 0u && r.misuses > 0u);
            RTM_CHECK_EQ(seen.n, 0);
            rtm_redzone_stats_t st;
            rtm_redzone_get_stats(&rz, &st);
            RTM_CHECK_EQ(st.live_blocks, 0);
            RTM_CHECK_EQ(tiny.n, 0);
        }
    }
}

RTM_TEST(redzone, model_over_the_freelist_heap)
{
    void *mem = rtm_test_scratch(131072u);
    RTM_CHECK(mem != NULL);
    for (uint32_t seed = 21u; seed <= 22u; seed++) {
        rtm_freelist_t *h = NULL;
        RTM_CHECK_OK(rtm_freelist_init(mem, 131072u, &h));
        rtm_allocator_t inner = rtm_freelist_allocator(h);
        struct seen seen;
        memset(&seen, 0, sizeof seen);
        rtm_redzone_t rz;
        RTM_CHECK_OK(rtm_redzone_init(&rz, &inner, on_report, &seen));
        rtm_model_cfg_t m;
        memset(&m, 0, sizeof m);
        m.alloc = rtm_redzone_allocator(&rz);
        m.seed = seed;
        m.ops = RTM_TEST_OPS(3000);
        m.min_size = 1u;
        m.max_size = 2000u;
        m.max_align_log2 = 7u;
        m.realloc_pct = 25u;
        m.max_live = 100u;
        m.arena_lo = (uintptr_t)mem;
        m.arena_hi = (uintptr_t)mem + 131072u;
        m.check_free_bytes = true;
        m.misuse_pct = 5u;
        RTM_CHECK_MODEL(&m);
        RTM_CHECK_EQ(seen.n, 0);
        RTM_CHECK_OK(rtm_freelist_check(h));
    }
}

/* Inner allocators without a slot the guard calls: refused at init, as the lock
 * decorator refuses them (one contract for every decorator). */
static rtm_status_t never_alloc(void *ctx, size_t size, size_t align, void **out)
{
    (void)ctx;
    (void)size;
    (void)align;
    *out = NULL;
    return RTM_ERR_NO_MEMORY;
}

static rtm_status_t never_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)ptr;
    (void)size;
    return RTM_ERR_INVALID_POINTER;
}

RTM_TEST(redzone, init_refuses_an_inner_allocator_without_a_slot)
{
    static const rtm_allocator_ops_t no_alloc = {(uint32_t)sizeof(rtm_allocator_ops_t), 0u, NULL, never_free,
                                                 NULL, NULL, NULL};
    static const rtm_allocator_ops_t no_free = {(uint32_t)sizeof(rtm_allocator_ops_t), 0u, never_alloc, NULL,
                                                NULL, NULL, NULL};
    static const rtm_allocator_ops_t short_table = {4u, 0u, never_alloc, never_free, NULL, NULL, NULL};
    static const rtm_allocator_ops_t both = {(uint32_t)sizeof(rtm_allocator_ops_t), 0u, never_alloc, never_free,
                                             NULL, NULL, NULL};
    const rtm_allocator_ops_t *bad[] = {&no_alloc, &no_free, &short_table};
    rtm_redzone_t rz;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rtm_allocator_t inner = {bad[i], NULL};
        memset(&rz, 0, sizeof rz);
        RTM_CHECK_STATUS(rtm_redzone_init(&rz, &inner, NULL, NULL), RTM_ERR_INVALID_ARG);
        RTM_CHECK(rtm_redzone_allocator(&rz).ops == NULL); /* stays unusable */
    }
    /* Both slots present (the optional ones NULL): accepted, and a request reaches the inner one. */
    rtm_allocator_t inner = {&both, NULL};
    RTM_CHECK_OK(rtm_redzone_init(&rz, &inner, NULL, NULL));
    void *p = &p;
    RTM_CHECK_STATUS(rtm_redzone_alloc(&rz, 8, 0, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK(p == NULL);
}
