/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Bump arena (rtmem/bump.h): model runs, stack semantics, marks, realloc in
 * place, the bad-input matrix and a deliberate corruption. */
#include <string.h>

#include "model.h"

/* Arenas come from the shared scratch; a target without room skips the test. */
#define SKIP_WITHOUT_SCRATCH(size)             \
    do {                                       \
        if (rtm_test_scratch(size) == NULL) {  \
            return;                            \
        }                                      \
    } while (0)

/* ---- helpers (return values; the checks stay in the test bodies) ---- */

static bool aligned(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1u)) == 0u;
}

static rtm_alloc_stats_t stats_of(const rtm_bump_t *b)
{
    rtm_alloc_stats_t st;
    rtm_bump_stats(b, &st);
    return st;
}

/* A fixture of live blocks with fill patterns: A and B below, C the newest,
 * and a dead block D between B and C (freed out of order). */
typedef struct fx {
    rtm_bump_t *b;
    unsigned char *mem;
    size_t size;
    void *p[3];
    size_t n[3];
    void *dead;
} fx_t;

static bool fx_setup(fx_t *f, size_t size)
{
    memset(f, 0, sizeof *f);
    f->mem = (unsigned char *)rtm_test_scratch(size);
    f->size = size;
    if (f->mem == NULL) {
        return false;
    }
    memset(f->mem, 0xee, size); /* no leftovers of earlier tests */
    if (rtm_bump_init(f->mem, size, &f->b) != RTM_OK) {
        return false;
    }
    static const size_t sizes[3] = {24u, 40u, 16u};
    for (int i = 0; i < 3; i++) {
        if (i == 2 && (rtm_bump_alloc(f->b, 32u, 0u, &f->dead) != RTM_OK)) {
            return false;
        }
        f->n[i] = sizes[i];
        if (rtm_bump_alloc(f->b, sizes[i], 0u, &f->p[i]) != RTM_OK) {
            return false;
        }
        rtm_model_fill(f->p[i], f->n[i], (uint32_t)i + 1u);
    }
    return rtm_bump_free(f->b, f->dead) == RTM_OK;
}

/* The arena passes its check and every live block still holds its pattern. */
static bool fx_intact(const fx_t *f)
{
    if (rtm_bump_check(f->b) != RTM_OK) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (f->p[i] != NULL && !rtm_model_verify(f->p[i], f->n[i], (uint32_t)i + 1u)) {
            return false;
        }
    }
    return stats_of(f->b).current_allocations == 3u;
}

static rtm_model_result_t model(size_t arena, uint32_t seed, size_t max_size, size_t align_log2)
{
    rtm_model_result_t fail = {RTM_MODEL_NEVER_ALLOCATED, 0u, RTM_OK, 0u, 0u, 0u};
    unsigned char *mem = (unsigned char *)rtm_test_scratch(arena);
    rtm_bump_t *b = NULL;
    if (mem == NULL || rtm_bump_init(mem, arena, &b) != RTM_OK) {
        return fail;
    }
    rtm_model_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = rtm_bump_allocator(b);
    cfg.seed = seed;
    cfg.ops = RTM_TEST_OPS(3000);
    cfg.min_size = 1u;
    cfg.max_size = max_size;
    cfg.max_align_log2 = align_log2;
    cfg.default_align = 8u;
    cfg.realloc_pct = 25u;
    cfg.max_live = 64u;
    cfg.arena_lo = (uintptr_t)mem;
    cfg.arena_hi = (uintptr_t)mem + arena;
    cfg.check_free_bytes = true;
    cfg.lifo_only = true;
    cfg.misuse_pct = 5u;
    return rtm_model_run(&cfg);
}

#define MODEL_SEEDS(arena, max_size, align_log2)                                 \
    do {                                                                         \
        static const uint32_t seeds_[] = {1u, 0xbadc0deu, 20240611u, 77u};       \
        if (rtm_test_scratch(arena) == NULL) {                                   \
            break; /* this target has no room for the arena: skip the size */   \
        }                                                                        \
        for (size_t s_ = 0; s_ < sizeof seeds_ / sizeof seeds_[0]; s_++) {       \
            rtm_model_result_t r_ = model((arena), seeds_[s_], (max_size), (align_log2)); \
            RTM_CHECK_EQ(r_.failure, RTM_MODEL_OK);                              \
            RTM_CHECK(r_.allocations > 0u);                                      \
        }                                                                        \
    } while (0)

/* ---- model runs ---- */

RTM_TEST(bump, model_512b)
{
    MODEL_SEEDS(512u, 40u, 6u);
}

RTM_TEST(bump, model_4k)
{
    MODEL_SEEDS(4096u, 200u, 8u);
}

RTM_TEST(bump, model_64k)
{
    MODEL_SEEDS(65536u, 3000u, 10u);
}

RTM_TEST(bump, model_1m)
{
    MODEL_SEEDS(1024u * 1024u, 40000u, 12u);
}

/* ---- stack semantics ---- */

RTM_TEST(bump, newest_block_gives_its_bytes_back)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    size_t before = stats_of(f.b).free_bytes;
    void *p = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, 100u, 0u, &p));
    RTM_CHECK(stats_of(f.b).free_bytes < before);
    RTM_CHECK_OK(rtm_bump_free(f.b, p));
    RTM_CHECK_EQ(stats_of(f.b).free_bytes, before);
    void *q = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, 100u, 0u, &q));
    RTM_CHECK(q == p);
    RTM_CHECK_OK(rtm_bump_free(f.b, q));
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(bump, lifo_frees_recover_the_whole_arena)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem, 4096u, &b));
    rtm_alloc_stats_t st0 = stats_of(b);
    RTM_CHECK_EQ(st0.free_bytes, st0.capacity);
    void *p[20];
    for (int i = 0; i < 20; i++) {
        RTM_CHECK_OK(rtm_bump_alloc(b, (size_t)i * 7u + 1u, (size_t)1u << (i % 7), &p[i]));
    }
    for (int i = 19; i >= 0; i--) {
        RTM_CHECK_OK(rtm_bump_free(b, p[i]));
        RTM_CHECK_OK(rtm_bump_check(b));
    }
    rtm_alloc_stats_t st = stats_of(b);
    RTM_CHECK_EQ(st.free_bytes, st0.free_bytes);
    RTM_CHECK_EQ(st.largest_free_block, st0.largest_free_block);
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_EQ(st.total_deallocations, 20);
}

RTM_TEST(bump, older_free_is_counted_and_given_back_with_the_newest)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem, 4096u, &b));
    void *a = NULL;
    void *x = NULL;
    void *c = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(b, 50u, 0u, &a));
    RTM_CHECK_OK(rtm_bump_alloc(b, 60u, 0u, &x));
    RTM_CHECK_OK(rtm_bump_alloc(b, 70u, 0u, &c));
    rtm_alloc_stats_t st = stats_of(b);
    size_t free_now = st.free_bytes;
    RTM_CHECK_EQ(st.bytes_in_use, 180);

    /* Older blocks: accepted and counted, no bytes back yet. */
    RTM_CHECK_OK(rtm_bump_free(b, x));
    st = stats_of(b);
    RTM_CHECK_EQ(st.free_bytes, free_now);
    RTM_CHECK_EQ(st.current_allocations, 2);
    RTM_CHECK_EQ(st.bytes_in_use, 120);
    RTM_CHECK_STATUS(rtm_bump_free(b, x), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_bump_free(b, a));
    RTM_CHECK_EQ(stats_of(b).free_bytes, free_now);
    RTM_CHECK_STATUS(rtm_bump_free(b, a), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_bump_check(b));

    /* The newest goes, and the dead blocks beneath go with it. */
    RTM_CHECK_OK(rtm_bump_free(b, c));
    st = stats_of(b);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_EQ(st.bytes_in_use, 0);
    RTM_CHECK_EQ(st.bytes_deallocated, 180);
    RTM_CHECK_STATUS(rtm_bump_free(b, c), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_bump_free(b, x), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_bump_check(b));
}

RTM_TEST(bump, cascade_stops_at_a_live_block)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem, 4096u, &b));
    void *p[4];
    size_t after0 = 0u;
    for (int i = 0; i < 4; i++) {
        RTM_CHECK_OK(rtm_bump_alloc(b, 32u, 0u, &p[i]));
        rtm_model_fill(p[i], 32u, (uint32_t)i + 10u);
        if (i == 0) {
            after0 = stats_of(b).free_bytes;
        }
    }
    RTM_CHECK_OK(rtm_bump_free(b, p[2])); /* dead */
    RTM_CHECK_OK(rtm_bump_free(b, p[1])); /* dead */
    RTM_CHECK_OK(rtm_bump_free(b, p[3])); /* newest: takes 2 and 1 with it, stops at 0 */
    RTM_CHECK_EQ(stats_of(b).free_bytes, after0);
    RTM_CHECK_EQ(stats_of(b).current_allocations, 1);
    RTM_CHECK(rtm_model_verify(p[0], 32u, 10u));
    void *q = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(b, 32u, 0u, &q));
    RTM_CHECK(q == p[1]);
    RTM_CHECK_OK(rtm_bump_check(b));
}

RTM_TEST(bump, every_alignment_is_honoured)
{
    SKIP_WITHOUT_SCRATCH(65536u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(65536u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem + 3, 65536u - 3u, &b)); /* misaligned start */
    for (size_t a = 1u; a <= 8192u; a <<= 1) {
        void *p = NULL;
        RTM_CHECK_OK(rtm_bump_alloc(b, 3u, a, &p));
        RTM_CHECK(aligned(p, a < 8u ? 8u : a));
        RTM_CHECK(aligned(p, 8u));
        RTM_CHECK((unsigned char *)p >= mem && (unsigned char *)p + 3 <= mem + 65536u);
    }
    void *p = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(b, 1u, 0u, &p));
    RTM_CHECK(aligned(p, 8u));
    RTM_CHECK_OK(rtm_bump_check(b));
}

RTM_TEST(bump, largest_free_block_is_exact)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    for (size_t skew = 0; skew < 8u; skew++) {
        rtm_bump_t *b = NULL;
        RTM_CHECK_OK(rtm_bump_init(mem + skew, 1000u, &b));
        void *p = NULL;
        RTM_CHECK_OK(rtm_bump_alloc(b, 1u + skew * 5u, 0u, &p));
        rtm_alloc_stats_t st = stats_of(b);
        RTM_CHECK(st.flags == (RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY));
        RTM_CHECK(st.capacity < 1000u && st.largest_free_block < st.free_bytes);
        void *q = NULL;
        RTM_CHECK_STATUS(rtm_bump_alloc(b, st.largest_free_block + 1u, 0u, &q), RTM_ERR_NO_MEMORY);
        RTM_CHECK(q == NULL);
        RTM_CHECK_OK(rtm_bump_alloc(b, st.largest_free_block, 0u, &q));
        RTM_CHECK_EQ(stats_of(b).largest_free_block, 0);
        RTM_CHECK_EQ(stats_of(b).allocation_failures, 1);
        RTM_CHECK_OK(rtm_bump_check(b));
    }
}

/* ---- realloc ---- */

RTM_TEST(bump, realloc_of_the_newest_is_in_place)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    size_t free0 = stats_of(f.b).free_bytes;
    void *q = NULL;
    RTM_CHECK_OK(rtm_bump_realloc(f.b, f.p[2], 400u, 0u, &q));
    RTM_CHECK(q == f.p[2]);
    RTM_CHECK(rtm_model_verify(q, f.n[2], 3u));
    RTM_CHECK_EQ(stats_of(f.b).free_bytes, free0 - (400u - f.n[2]));
    RTM_CHECK_EQ(stats_of(f.b).bytes_in_use, f.n[0] + f.n[1] + 400u);
    RTM_CHECK_OK(rtm_bump_realloc(f.b, q, 8u, 0u, &q));
    RTM_CHECK(q == f.p[2]);
    RTM_CHECK_EQ(stats_of(f.b).free_bytes, free0 + f.n[2] - 8u);
    f.n[2] = 8u;
    RTM_CHECK(fx_intact(&f));
    /* Growing past the end fails and leaves the block alone. */
    rtm_alloc_stats_t st = stats_of(f.b);
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, q, st.free_bytes + 9u, 0u, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK(q == NULL);
    RTM_CHECK_EQ(stats_of(f.b).allocation_failures, st.allocation_failures + 1u);
    RTM_CHECK(fx_intact(&f));
    /* Realloc counts as one deallocation plus one allocation. */
    RTM_CHECK_EQ(st.total_allocations, 4u + 2u);
    RTM_CHECK_EQ(st.total_deallocations, 1u + 2u);
}

RTM_TEST(bump, realloc_of_an_older_block)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    void *q = NULL;
    /* Shrinks in place. */
    RTM_CHECK_OK(rtm_bump_realloc(f.b, f.p[1], 10u, 0u, &q));
    RTM_CHECK(q == f.p[1]);
    f.n[1] = 10u;
    RTM_CHECK(fx_intact(&f));
    /* Grows by moving above the top; the old block becomes dead. */
    size_t free0 = stats_of(f.b).free_bytes;
    RTM_CHECK_OK(rtm_bump_realloc(f.b, f.p[0], 100u, 0u, &q));
    RTM_CHECK(q != f.p[0] && (unsigned char *)q > (unsigned char *)f.p[2]);
    RTM_CHECK(rtm_model_verify(q, f.n[0], 1u));
    RTM_CHECK(stats_of(f.b).free_bytes < free0);
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.p[0]), RTM_ERR_DOUBLE_FREE);
    f.p[0] = q;
    f.n[0] = 100u;
    rtm_model_fill(q, 100u, 1u);
    RTM_CHECK(fx_intact(&f));
    /* A stricter alignment than the block has also moves it. B and C lie less
     * than 512 bytes apart, so at most one of them is 512-aligned: take the
     * other, and the alignment it lacks stays small enough for the arena. */
    void *r = NULL;
    int k = aligned(f.p[2], 512u) ? 1 : 2;
    size_t want = 64u;
    while (aligned(f.p[k], want)) {
        want <<= 1;
    }
    RTM_CHECK(want <= 512u);
    RTM_CHECK_OK(rtm_bump_realloc(f.b, f.p[k], f.n[k], want, &r));
    RTM_CHECK(r != f.p[k] && aligned(r, want));
    RTM_CHECK(rtm_model_verify(r, f.n[k], (uint32_t)k + 1u));
    f.p[k] = r;
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(bump, realloc_null_and_zero)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    void *q = &q;
    RTM_CHECK_OK(rtm_bump_realloc(f.b, NULL, 12u, 16u, &q));
    RTM_CHECK(q != NULL && aligned(q, 16u));
    RTM_CHECK_EQ(stats_of(f.b).current_allocations, 4);
    void *z = &z;
    RTM_CHECK_OK(rtm_bump_realloc(f.b, q, 0u, 0u, &z));
    RTM_CHECK(z == NULL);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, q, 0u, 0u, &z), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
}

/* ---- marks ---- */

RTM_TEST(bump, rollback_releases_everything_since_the_mark)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem, 4096u, &b));
    rtm_bump_mark_t m0 = rtm_bump_mark(b);
    void *a = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(b, 40u, 0u, &a));
    rtm_model_fill(a, 40u, 7u);
    rtm_bump_mark_t m1 = rtm_bump_mark(b);
    size_t free1 = stats_of(b).free_bytes;
    void *x[5];
    for (int i = 0; i < 5; i++) {
        RTM_CHECK_OK(rtm_bump_alloc(b, 30u + (size_t)i, (size_t)8u << i, &x[i]));
    }
    RTM_CHECK_OK(rtm_bump_free(b, x[1])); /* one already freed out of order */
    RTM_CHECK_OK(rtm_bump_rollback(b, rtm_bump_mark(b))); /* no-op */
    RTM_CHECK_EQ(stats_of(b).current_allocations, 5);
    RTM_CHECK_OK(rtm_bump_rollback(b, m1));
    rtm_alloc_stats_t st = stats_of(b);
    RTM_CHECK_EQ(st.free_bytes, free1);
    RTM_CHECK_EQ(st.current_allocations, 1);
    RTM_CHECK_EQ(st.bytes_in_use, 40);
    RTM_CHECK_EQ(st.total_deallocations, 5);
    RTM_CHECK(rtm_model_verify(a, 40u, 7u));
    for (int i = 0; i < 5; i++) {
        RTM_CHECK_STATUS(rtm_bump_free(b, x[i]), RTM_ERR_DOUBLE_FREE);
    }
    RTM_CHECK_OK(rtm_bump_check(b));
    RTM_CHECK_OK(rtm_bump_rollback(b, m0));
    RTM_CHECK_EQ(stats_of(b).free_bytes, stats_of(b).capacity);
    RTM_CHECK_EQ(stats_of(b).current_allocations, 0);
    RTM_CHECK_OK(rtm_bump_check(b));
}

RTM_TEST(bump, rollback_takes_dead_blocks_beneath)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem, 4096u, &b));
    void *a = NULL;
    void *c = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(b, 40u, 0u, &a));
    rtm_bump_mark_t m = rtm_bump_mark(b);
    RTM_CHECK_OK(rtm_bump_alloc(b, 40u, 0u, &c));
    RTM_CHECK_OK(rtm_bump_free(b, a));
    RTM_CHECK_OK(rtm_bump_rollback(b, m));
    RTM_CHECK_EQ(stats_of(b).free_bytes, stats_of(b).capacity);
    RTM_CHECK_EQ(stats_of(b).current_allocations, 0);
    RTM_CHECK_OK(rtm_bump_check(b));
}

RTM_TEST(bump, stale_marks_are_refused)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    /* Above the current top. */
    void *t = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, 100u, 0u, &t));
    rtm_bump_mark_t above = rtm_bump_mark(f.b);
    RTM_CHECK_OK(rtm_bump_free(f.b, t));
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, above), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    /* Falling inside a block allocated after the top dropped below it. */
    void *big = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, 300u, 0u, &big));
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, above), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(stats_of(f.b).current_allocations, 4);
    RTM_CHECK_OK(rtm_bump_free(f.b, big));
    RTM_CHECK(fx_intact(&f));
    /* From before a reset, even where its offset is below the top. */
    rtm_bump_mark_t before = rtm_bump_mark(f.b);
    rtm_bump_reset(f.b);
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, before), RTM_ERR_INVALID_ARG);
    void *p = NULL;
    for (int i = 0; i < 8; i++) {
        RTM_CHECK_OK(rtm_bump_alloc(f.b, 64u, 0u, &p));
    }
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, before), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(stats_of(f.b).current_allocations, 8);
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, 0u), RTM_ERR_INVALID_ARG); /* generation 0 */
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, SIZE_MAX), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_bump_rollback(NULL, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(rtm_bump_mark(NULL), 0);
    RTM_CHECK_OK(rtm_bump_check(f.b));
}

RTM_TEST(bump, reset_frees_everything_and_keeps_stats_consistent)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    rtm_alloc_stats_t st = stats_of(f.b);
    rtm_bump_reset(f.b);
    rtm_alloc_stats_t st2 = stats_of(f.b);
    RTM_CHECK_EQ(st2.current_allocations, 0);
    RTM_CHECK_EQ(st2.bytes_in_use, 0);
    RTM_CHECK_EQ(st2.total_deallocations, st2.total_allocations);
    RTM_CHECK(st2.bytes_deallocated == st2.bytes_allocated);
    RTM_CHECK_EQ(st2.peak_memory_usage, st.peak_memory_usage);
    RTM_CHECK_EQ(st2.free_bytes, st2.capacity);
    /* Pointers from before the reset are not blocks any more. */
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.p[0]), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.p[2]), RTM_ERR_INVALID_POINTER);
    void *p = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, 500u, 0u, &p)); /* covers the old blocks */
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.p[1]), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_EQ(stats_of(f.b).current_allocations, 1);
    RTM_CHECK_OK(rtm_bump_check(f.b));
    rtm_bump_reset(NULL); /* must not crash */
}

/* ---- the bad-input matrix ---- */

RTM_TEST(bump, init_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(1024u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(1024u);
    rtm_bump_t *b = (rtm_bump_t *)(void *)mem;
    RTM_CHECK_STATUS(rtm_bump_init(mem, 1024u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_bump_init(NULL, 1024u, &b), RTM_ERR_INVALID_ARG);
    RTM_CHECK(b == NULL);
    RTM_CHECK_STATUS(rtm_bump_init(mem, SIZE_MAX, &b), RTM_ERR_INVALID_ARG); /* wraps */
    RTM_CHECK_STATUS(rtm_bump_init(mem, 0u, &b), RTM_ERR_INVALID_ARG);
    /* There is one threshold: below it INVALID_ARG, from it on a 1-byte block fits. */
    for (size_t skew = 0; skew < 8u; skew++) {
        bool seen_ok = false;
        for (size_t n = 1u; n <= 256u; n++) {
            rtm_status_t s = rtm_bump_init(mem + skew, n, &b);
            if (s == RTM_OK) {
                void *p = NULL;
                RTM_CHECK_OK(rtm_bump_alloc(b, 1u, 0u, &p));
                RTM_CHECK((unsigned char *)p + 1 <= mem + skew + n);
                RTM_CHECK_OK(rtm_bump_check(b));
                seen_ok = true;
            } else {
                RTM_CHECK_EQ(s, RTM_ERR_INVALID_ARG);
                RTM_CHECK(!seen_ok);
                RTM_CHECK(b == NULL);
            }
        }
        RTM_CHECK(seen_ok);
    }
}

RTM_TEST(bump, alloc_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    uint32_t failures = 0u;
    void *p = &p;
    RTM_CHECK_STATUS(rtm_bump_alloc(NULL, 8u, 0u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_bump_alloc(f.b, 8u, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    p = &p;
    RTM_CHECK_STATUS(rtm_bump_alloc(f.b, 0u, 0u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK(fx_intact(&f));
    static const size_t bad_align[] = {3u, 12u, 24u, 100u, 4097u, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        RTM_CHECK_STATUS(rtm_bump_alloc(f.b, 8u, bad_align[i], &p), RTM_ERR_ALIGNMENT);
        RTM_CHECK(p == NULL);
        RTM_CHECK(fx_intact(&f));
    }
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7u, SIZE_MAX / 2u + 1u, 4096u};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        RTM_CHECK_STATUS(rtm_bump_alloc(f.b, huge[i], 0u, &p), RTM_ERR_NO_MEMORY);
        RTM_CHECK(p == NULL);
        RTM_CHECK_EQ(stats_of(f.b).allocation_failures, ++failures);
        RTM_CHECK(fx_intact(&f));
    }
    size_t max_align = (size_t)1u << (sizeof(size_t) * 8u - 1u);
    RTM_CHECK_STATUS(rtm_bump_alloc(f.b, 8u, max_align, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_EQ(stats_of(f.b).allocation_failures, ++failures);
    RTM_CHECK(fx_intact(&f));
    /* Exhausted: fill up, then even one byte fails. */
    void *rest = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, stats_of(f.b).largest_free_block, 0u, &rest));
    RTM_CHECK_STATUS(rtm_bump_alloc(f.b, 1u, 0u, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK(p == NULL);
    RTM_CHECK_OK(rtm_bump_free(f.b, rest));
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(bump, free_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    unsigned char local[256] __attribute__((aligned(8)));
    unsigned char *a = (unsigned char *)f.p[0];
    memset(local, 0, sizeof local);
    RTM_CHECK_STATUS(rtm_bump_free(NULL, f.p[0]), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_free(f.b, NULL), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_free(f.b, local + 32), RTM_ERR_INVALID_POINTER); /* foreign */
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.mem), RTM_ERR_INVALID_POINTER);      /* control block */
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.mem + f.size), RTM_ERR_INVALID_POINTER); /* past the end */
    RTM_CHECK(fx_intact(&f));
    static const size_t interior[] = {1u, 4u, 8u, 16u};
    for (size_t i = 0; i < sizeof interior / sizeof interior[0]; i++) {
        RTM_CHECK_STATUS(rtm_bump_free(f.b, a + interior[i]), RTM_ERR_INVALID_POINTER);
        RTM_CHECK(fx_intact(&f));
        RTM_CHECK_STATUS(rtm_bump_free(f.b, (unsigned char *)f.p[2] + interior[i]),
                         RTM_ERR_INVALID_POINTER);
        RTM_CHECK(fx_intact(&f));
    }
    /* In the free area above the top, never handed out. */
    RTM_CHECK_STATUS(rtm_bump_free(f.b, (unsigned char *)f.p[2] + 512), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(fx_intact(&f));
    /* The dead block of the fixture, and the newest freed twice. */
    RTM_CHECK_STATUS(rtm_bump_free(f.b, f.dead), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
    void *n = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(f.b, 20u, 0u, &n));
    RTM_CHECK_OK(rtm_bump_free(f.b, n));
    RTM_CHECK_STATUS(rtm_bump_free(f.b, n), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
    /* A block of another arena. */
    rtm_bump_t *other = NULL;
    void *o = NULL;
    RTM_CHECK_OK(rtm_bump_init(local, sizeof local, &other));
    RTM_CHECK_OK(rtm_bump_alloc(other, 4u, 0u, &o));
    RTM_CHECK_STATUS(rtm_bump_free(f.b, o), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_OK(rtm_bump_check(other));
}

RTM_TEST(bump, realloc_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    void *q = &q;
    RTM_CHECK_STATUS(rtm_bump_realloc(NULL, f.p[2], 8u, 0u, &q), RTM_ERR_INVALID_ARG);
    RTM_CHECK(q == NULL);
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, f.p[2], 8u, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, f.p[2], 8u, 6u, &q), RTM_ERR_ALIGNMENT);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, NULL, 0u, 0u, &q), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, (unsigned char *)f.p[1] + 8, 8u, 0u, &q), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(q == NULL);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, f.dead, 8u, 0u, &q), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7u, 5000u};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        for (int k = 0; k < 3; k++) {
            RTM_CHECK_STATUS(rtm_bump_realloc(f.b, f.p[k], huge[i], 0u, &q), RTM_ERR_NO_MEMORY);
            RTM_CHECK(q == NULL);
            RTM_CHECK(fx_intact(&f));
        }
    }
}

RTM_TEST(bump, null_handles_elsewhere)
{
    rtm_alloc_stats_t st;
    memset(&st, 0xff, sizeof st);
    rtm_bump_stats(NULL, &st);
    RTM_CHECK_EQ(st.total_allocations, 0);
    RTM_CHECK_EQ(st.capacity, 0);
    rtm_bump_stats(NULL, NULL);
    RTM_CHECK_STATUS(rtm_bump_check(NULL), RTM_ERR_INVALID_ARG);
    rtm_allocator_t a = rtm_bump_allocator(NULL);
    void *p = &p;
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8u, 0u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK(a.ops != NULL && a.ops->size == sizeof(rtm_allocator_ops_t));
    RTM_CHECK(a.ops->reallocate != NULL && a.ops->stats != NULL && a.ops->check != NULL);
}

RTM_TEST(bump, through_the_interface)
{
    SKIP_WITHOUT_SCRATCH(2048u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048u);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(mem, 2048u, &b));
    rtm_allocator_t a = rtm_bump_allocator(b);
    void *p = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 33u, 64u, &p));
    RTM_CHECK(aligned(p, 64u));
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p, 33u, 90u, 64u, &p));
    rtm_alloc_stats_t via;
    rtm_allocator_stats(&a, &via);
    RTM_CHECK_EQ(via.bytes_in_use, 90);
    RTM_CHECK_EQ(via.free_bytes, stats_of(b).free_bytes);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p, 0u)); /* size is not needed */
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 90u), RTM_ERR_DOUBLE_FREE);
    rtm_allocator_stats(&a, &via);
    RTM_CHECK_EQ(via.free_bytes, via.capacity);
}

RTM_TEST(bump, reinit_refuses_blocks_and_marks_of_the_earlier_arena)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    rtm_bump_mark_t m = rtm_bump_mark(f.b);
    rtm_bump_t *b = NULL;
    RTM_CHECK_OK(rtm_bump_init(f.mem, f.size, &b));
    RTM_CHECK(b == f.b);
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_STATUS(rtm_bump_free(b, f.p[i]), RTM_ERR_INVALID_POINTER);
    }
    void *p = NULL;
    RTM_CHECK_OK(rtm_bump_alloc(b, 200u, 0u, &p)); /* covers the old blocks */
    RTM_CHECK_STATUS(rtm_bump_free(b, f.p[1]), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_bump_rollback(b, m), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(stats_of(b).current_allocations, 1);
    RTM_CHECK_OK(rtm_bump_check(b));
}

/* ---- deliberate corruption ---- */

RTM_TEST(bump, checker_fires_on_corruption)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    unsigned char *a = (unsigned char *)f.p[0];
    unsigned char *b1 = (unsigned char *)f.p[1];
    unsigned char saved[64];

    /* An overrun of block 0 into block 1's header. */
    size_t span = (size_t)(b1 - (a + f.n[0]));
    RTM_CHECK(span <= sizeof saved);
    memcpy(saved, a + f.n[0], span);
    memset(a + f.n[0], 0xa5, span);
    RTM_CHECK_STATUS(rtm_bump_check(f.b), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_bump_free(f.b, b1), RTM_ERR_CORRUPTED);
    void *q = &q;
    RTM_CHECK_STATUS(rtm_bump_realloc(f.b, b1, 8u, 0u, &q), RTM_ERR_CORRUPTED);
    RTM_CHECK(q == NULL);
    RTM_CHECK_STATUS(rtm_bump_free(f.b, b1 + 8), RTM_ERR_INVALID_POINTER); /* interior all the same */
    /* The newest cannot be given back past a damaged header either. */
    RTM_CHECK_OK(rtm_bump_free(f.b, a)); /* below the damage: just marked dead */
    RTM_CHECK_STATUS(rtm_bump_check(f.b), RTM_ERR_CORRUPTED);
    memcpy(a + f.n[0], saved, span);
    RTM_CHECK_OK(rtm_bump_check(f.b));
    RTM_CHECK_EQ(stats_of(f.b).current_allocations, 2);

    /* One flipped bit of the newest block's header. */
    unsigned char *c = (unsigned char *)f.p[2];
    c[-1] ^= 0x10u;
    RTM_CHECK_STATUS(rtm_bump_check(f.b), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_bump_free(f.b, c), RTM_ERR_CORRUPTED);
    c[-1] ^= 0x10u;
    RTM_CHECK_OK(rtm_bump_check(f.b));

    /* The control block. */
    unsigned char *cb = (unsigned char *)f.b;
    cb[0] ^= 0x01u;
    void *p = NULL;
    RTM_CHECK_STATUS(rtm_bump_check(f.b), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_bump_alloc(f.b, 8u, 0u, &p), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_bump_free(f.b, c), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_bump_rollback(f.b, rtm_bump_mark(f.b)), RTM_ERR_CORRUPTED);
    rtm_bump_reset(f.b); /* refuses to act on a damaged control block */
    cb[0] ^= 0x01u;
    RTM_CHECK_OK(rtm_bump_check(f.b));
    RTM_CHECK_EQ(stats_of(f.b).current_allocations, 2);
    RTM_CHECK_OK(rtm_bump_free(f.b, c));
    RTM_CHECK_OK(rtm_bump_free(f.b, b1));
    RTM_CHECK_EQ(stats_of(f.b).free_bytes, stats_of(f.b).capacity);
}
