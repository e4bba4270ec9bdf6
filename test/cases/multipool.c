/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Multi-size pool manager: classes, spill, fallback, routing by address, model. */
#include <string.h>

#include "model.h"

/* A test rig: a manager with up to 6 classes and an optional fallback pool of
 * big blocks, all carved from one scratch buffer. */
typedef struct rig {
    unsigned char *mem;
    size_t mem_size;
    size_t used;
    rtm_mpool_t *m;
    rtm_pool_t *cls[6];
    unsigned n_cls;
    rtm_pool_t *big;          /* the fallback's pool */
    rtm_allocator_t fallback; /* its allocator */
} rig_t;

static void *carve(rig_t *r, size_t size)
{
    size = (size + 63u) & ~(size_t)63u;
    if (r->used + size > r->mem_size) {
        return NULL;
    }
    void *p = r->mem + r->used;
    r->used += size;
    return p;
}

/* Build a rig: classes given as (block size, align, arena bytes); big_arena 0 =
 * no fallback. Returns RTM_OK or the first failing status. */
static rtm_status_t rig_build(rig_t *r, const size_t (*cls)[3], unsigned n, size_t big_arena)
{
    memset(r, 0, sizeof *r);
    r->mem_size = 64u * 1024u;
    r->mem = (unsigned char *)rtm_test_scratch(r->mem_size);
    if (r->mem == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    rtm_status_t s = rtm_mpool_init(carve(r, rtm_mpool_storage_size(6)), rtm_mpool_storage_size(6), &r->m);
    for (unsigned i = 0; i < n && s == RTM_OK; i++) {
        s = rtm_pool_init(carve(r, cls[i][2]), cls[i][2], cls[i][0], cls[i][1], &r->cls[i]);
        if (s == RTM_OK) {
            s = rtm_mpool_add_pool(r->m, r->cls[i]);
        }
        r->n_cls = i + 1u;
    }
    if (s == RTM_OK && big_arena != 0u) {
        s = rtm_pool_init(carve(r, big_arena), big_arena, 512, 64, &r->big);
        r->fallback = rtm_pool_allocator(r->big);
        if (s == RTM_OK) {
            s = rtm_mpool_set_fallback(r->m, &r->fallback);
        }
    }
    return s;
}

static size_t used_blocks(const rtm_pool_t *p)
{
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(p, &ps);
    return ps.allocated_blocks;
}

/* Build the rig, or skip the test on a target whose scratch arena is too small. */
#define RIG_OR_SKIP(r, cls, n, big)                              \
    do {                                                         \
        rtm_status_t rs_ = rig_build((r), (cls), (n), (big));    \
        if (rs_ == RTM_ERR_UNSUPPORTED) {                        \
            return;                                              \
        }                                                        \
        RTM_CHECK_OK(rs_);                                       \
    } while (0)

static const size_t std_classes[4][3] = {{64, 8, 1024}, {16, 8, 512}, {128, 16, 2048}, {32, 8, 512}};

RTM_TEST(mpool, storage_size_gives_the_capacity)
{
    RTM_CHECK_EQ(rtm_mpool_storage_size(0), 0);
    size_t one = rtm_mpool_storage_size(1);
    size_t step = rtm_mpool_storage_size(2) - one;
    RTM_CHECK(one > step && step >= 3u * sizeof(void *));
    RTM_CHECK_EQ(rtm_mpool_storage_size(3), one + 2u * step);
    if (sizeof(size_t) == 4u) {
        RTM_CHECK_EQ(rtm_mpool_storage_size(UINT32_MAX), 0);
    }
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 0, 0);
    unsigned char *mem = r.mem + 32768;
    rtm_mpool_t *m = NULL;
    rtm_pool_t *pools[4];
    for (unsigned i = 0; i < 4; i++) {
        RTM_CHECK_OK(rtm_pool_init(r.mem + 1024u + 1024u * i, 1024, 16u << i, 8, &pools[i]));
    }
    /* storage_size(3) holds exactly three; one byte less holds two. */
    RTM_CHECK_OK(rtm_mpool_init(mem, rtm_mpool_storage_size(3), &m));
    for (unsigned i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_mpool_add_pool(m, pools[i]));
    }
    RTM_CHECK_STATUS(rtm_mpool_add_pool(m, pools[3]), RTM_ERR_NO_MEMORY);
    RTM_CHECK_EQ(rtm_mpool_class_count(m), 3);
    RTM_CHECK_OK(rtm_mpool_init(mem, rtm_mpool_storage_size(3) - 1u, &m));
    RTM_CHECK_OK(rtm_mpool_add_pool(m, pools[0]));
    RTM_CHECK_OK(rtm_mpool_add_pool(m, pools[1]));
    RTM_CHECK_STATUS(rtm_mpool_add_pool(m, pools[2]), RTM_ERR_NO_MEMORY);
    RTM_CHECK_OK(rtm_mpool_check(m));
    /* Too small, misaligned, NULL, wrapping. */
    RTM_CHECK_STATUS(rtm_mpool_init(mem, one - 1u, &m), RTM_ERR_INVALID_ARG); /* too small: as every allocator */
    RTM_CHECK(m == NULL);
    RTM_CHECK_STATUS(rtm_mpool_init(mem + 4, one, &m), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_mpool_init(NULL, one, &m), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_init(mem, one, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_init(mem, SIZE_MAX, &m), RTM_ERR_INVALID_ARG);
}

RTM_TEST(mpool, classes_are_sorted_and_the_smallest_fit_serves)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 0);
    RTM_CHECK_EQ(rtm_mpool_class_count(r.m), 4);
    const size_t want[4] = {16, 32, 64, 128};
    for (uint32_t i = 0; i < 4; i++) {
        rtm_mpool_class_info_t ci;
        RTM_CHECK_OK(rtm_mpool_class_info(r.m, i, &ci));
        RTM_CHECK_EQ(ci.block_size, want[i]);
    }
    rtm_pool_t *p16 = r.cls[1], *p32 = r.cls[3], *p64 = r.cls[0], *p128 = r.cls[2];
    void *b = NULL;
    const struct {
        size_t size, align;
        rtm_pool_t **pool;
    } cases[] = {
        {1, 0, &p16},   {16, 0, &p16},   {17, 0, &p32},  {32, 8, &p32},   {33, 0, &p64},
        {64, 0, &p64},  {65, 0, &p128},  {128, 0, &p128}, {8, 16, &p128}, {1, 1, &p16},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(r.m, cases[i].size, cases[i].align, &b));
        RTM_CHECK(rtm_pool_contains(*cases[i].pool, b));
        RTM_CHECK_EQ(rtm_pool_validate(*cases[i].pool, b), RTM_OK);
        RTM_CHECK(((uintptr_t)b & ((cases[i].align == 0u ? 8u : cases[i].align) - 1u)) == 0u);
    }
    /* Nothing fits and no fallback: refused, counted. */
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 129, 0, &b), RTM_ERR_NO_MEMORY);
    RTM_CHECK(b == NULL);
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 8, 32, &b), RTM_ERR_NO_MEMORY);
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(r.m, &ms);
    RTM_CHECK_EQ(ms.total_pools, 4);
    RTM_CHECK_EQ(ms.total_allocations, 12);
    RTM_CHECK_EQ(ms.pool_hits, 10);
    RTM_CHECK_EQ(ms.pool_misses, 2);
    RTM_CHECK_EQ(ms.failures, 2);
    RTM_CHECK_EQ(ms.spills, 0);
    RTM_CHECK_EQ(ms.fallback_allocations, 0);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
}

RTM_TEST(mpool, exhausted_class_spills_to_the_next_then_to_the_fallback)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 4096);
    rtm_pool_t *p16 = r.cls[1], *p32 = r.cls[3], *p64 = r.cls[0], *p128 = r.cls[2];
    rtm_pool_stats_t ps;
    size_t total = 0;
    rtm_pool_t *order[4] = {p16, p32, p64, p128};
    void *b = NULL;
    /* 8-byte requests fill the classes in order, each only after the previous is full. */
    for (unsigned c = 0; c < 4; c++) {
        rtm_pool_get_stats(order[c], &ps);
        for (size_t i = 0; i < ps.total_blocks; i++) {
            RTM_CHECK_OK(rtm_mpool_alloc(r.m, 8, 0, &b));
            RTM_CHECK(rtm_pool_contains(order[c], b));
            memset(b, (int)c, 8);
        }
        total += ps.total_blocks;
        RTM_CHECK_EQ(used_blocks(order[c]), ps.total_blocks);
    }
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(r.m, &ms);
    rtm_pool_get_stats(p16, &ps);
    RTM_CHECK_EQ(ms.pool_hits, total);
    RTM_CHECK_EQ(ms.spills, total - ps.total_blocks);
    /* Every class full: the fallback serves. */
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 8, 0, &b));
    RTM_CHECK(rtm_pool_contains(r.big, b));
    rtm_mpool_get_stats(r.m, &ms);
    RTM_CHECK_EQ(ms.fallback_allocations, 1);
    RTM_CHECK_EQ(ms.pool_misses, 1);
    /* Fallback full too: NO_MEMORY, counted once. */
    rtm_pool_get_stats(r.big, &ps);
    for (size_t i = 1; i < ps.total_blocks; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(r.m, 300, 0, &b));
    }
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 8, 0, &b), RTM_ERR_NO_MEMORY);
    RTM_CHECK(b == NULL);
    rtm_mpool_get_stats(r.m, &ms);
    RTM_CHECK_EQ(ms.failures, 1);
    RTM_CHECK_EQ(ms.total_allocations, ms.pool_hits + ms.pool_misses);
    rtm_alloc_stats_t as;
    rtm_mpool_stats(r.m, &as);
    RTM_CHECK_EQ(as.allocation_failures, 1);
    RTM_CHECK_EQ(as.current_allocations, total + ps.total_blocks);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
}

/* The seed's bug: a request that spilled to a larger class, freed with its small
 * size, must go back to the larger class (the size-routed seed freed it to the
 * small pool, which then held a foreign block). */
RTM_TEST(mpool, frees_are_routed_by_address_not_by_size)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 4096);
    rtm_pool_t *p16 = r.cls[1], *p32 = r.cls[3];
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(p16, &ps);
    void *small[64];
    RTM_CHECK(ps.total_blocks <= 64u);
    for (size_t i = 0; i < ps.total_blocks; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(r.m, 12, 0, &small[i]));
    }
    void *spilled = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 12, 0, &spilled));
    RTM_CHECK(rtm_pool_contains(p32, spilled));
    /* Free one small block so the small class has room; then free the spilled block
     * with its small size. */
    RTM_CHECK_OK(rtm_mpool_free(r.m, small[3], 12));
    RTM_CHECK_EQ(used_blocks(p16), ps.total_blocks - 1u);
    RTM_CHECK_EQ(used_blocks(p32), 1);
    RTM_CHECK_OK(rtm_mpool_free(r.m, spilled, 12));
    RTM_CHECK_EQ(used_blocks(p32), 0);
    RTM_CHECK_EQ(used_blocks(p16), ps.total_blocks - 1u);
    RTM_CHECK_OK(rtm_pool_check(p16));
    RTM_CHECK_OK(rtm_pool_check(p32));
    /* And a small block freed with a wrong, huge size still goes home. */
    RTM_CHECK_OK(rtm_mpool_free(r.m, small[4], 100000));
    RTM_CHECK_EQ(used_blocks(p16), ps.total_blocks - 2u);
    /* A fallback block freed with a size a class would take goes to the fallback. */
    void *big = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 400, 0, &big));
    RTM_CHECK(rtm_pool_contains(r.big, big));
    RTM_CHECK_OK(rtm_mpool_free(r.m, big, 8));
    RTM_CHECK_EQ(used_blocks(r.big), 0);
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(r.m, &ms);
    RTM_CHECK_EQ(ms.total_deallocations, 4);
    RTM_CHECK_EQ(ms.fallback_deallocations, 1);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
}

RTM_TEST(mpool, foreign_interior_and_double_frees_are_refused)
{
    static unsigned char foreign[32];
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 0);
    void *live[4];
    for (unsigned i = 0; i < 4; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(r.m, 16u << i, 0, &live[i]));
        rtm_model_fill(live[i], 16u << i, i + 7u);
    }
    void *gone = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 20, 0, &gone));
    RTM_CHECK_OK(rtm_mpool_free(r.m, gone, 20));
    /* No fallback: a pointer in no class is invalid. */
    RTM_CHECK_STATUS(rtm_mpool_free(r.m, foreign, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_mpool_free(r.m, NULL, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_mpool_free(r.m, (unsigned char *)live[2] + 8, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_mpool_free(r.m, gone, 20), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_mpool_free(NULL, live[0], 8), RTM_ERR_INVALID_ARG);
    /* With a fallback, a foreign pointer is the fallback's business (here: invalid),
     * an interior class pointer is still the class's (not forwarded). */
    unsigned char *bigmem = r.mem + 40960;
    rtm_pool_t *big = NULL;
    RTM_CHECK_OK(rtm_pool_init(bigmem, 4096, 512, 64, &big));
    rtm_allocator_t fb = rtm_pool_allocator(big);
    RTM_CHECK_OK(rtm_mpool_set_fallback(r.m, &fb));
    RTM_CHECK_STATUS(rtm_mpool_free(r.m, foreign, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_mpool_free(r.m, (unsigned char *)live[1] + 4, 8), RTM_ERR_INVALID_POINTER);
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(r.m, &ms);
    RTM_CHECK_EQ(ms.fallback_deallocations, 0);
    RTM_CHECK_EQ(ms.total_deallocations, 1);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
    for (unsigned i = 0; i < 4; i++) {
        RTM_CHECK(rtm_model_verify(live[i], 16u << i, i + 7u));
    }
}

RTM_TEST(mpool, add_pool_refuses_duplicates_overlaps_and_bad_pools)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 2, 0);
    rtm_pool_t *p64 = r.cls[0];
    unsigned char *spare = r.mem + 32768; /* the rig uses well under 32 KiB */
    RTM_CHECK_STATUS(rtm_mpool_add_pool(r.m, p64), RTM_ERR_OVERLAP);
    RTM_CHECK_STATUS(rtm_mpool_add_pool(r.m, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_add_pool(NULL, p64), RTM_ERR_INVALID_ARG);
    /* A pool built inside the tail of p64's (still untouched) block area. */
    size_t fp = rtm_pool_footprint(p64);
    unsigned char *inside = (unsigned char *)p64 + ((fp / 2u) & ~(size_t)63u);
    rtm_pool_t *nested = NULL;
    RTM_CHECK_OK(rtm_pool_init(inside, 256, 16, 8, &nested));
    RTM_CHECK_STATUS(rtm_mpool_add_pool(r.m, nested), RTM_ERR_OVERLAP);
    RTM_CHECK_OK(rtm_pool_check(p64));
    /* Not a pool at all. */
    memset(spare, 0, 256);
    RTM_CHECK_STATUS(rtm_mpool_add_pool(r.m, (rtm_pool_t *)(void *)spare), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(rtm_mpool_class_count(r.m), 2);
    /* Ties in block size are ordered by alignment, then keep insertion order. */
    rtm_pool_t *p48 = NULL, *p16b = NULL, *p16c = NULL, *p16d = NULL;
    RTM_CHECK_OK(rtm_pool_init(spare, 1024, 48, 16, &p48));
    RTM_CHECK_OK(rtm_pool_init(spare + 1024, 512, 16, 16, &p16b));
    RTM_CHECK_OK(rtm_pool_init(spare + 1536, 512, 16, 8, &p16c));
    RTM_CHECK_OK(rtm_pool_init(spare + 2048, 512, 16, 8, &p16d));
    RTM_CHECK_OK(rtm_mpool_add_pool(r.m, p48));
    RTM_CHECK_OK(rtm_mpool_add_pool(r.m, p16b));
    RTM_CHECK_OK(rtm_mpool_add_pool(r.m, p16c));
    RTM_CHECK_OK(rtm_mpool_add_pool(r.m, p16d));
    rtm_mpool_class_info_t ci;
    const rtm_pool_t *want[6] = {r.cls[1], p16c, p16d, p16b, p48, p64};
    for (uint32_t i = 0; i < 6; i++) {
        RTM_CHECK_OK(rtm_mpool_class_info(r.m, i, &ci));
        RTM_CHECK(ci.pool == want[i]);
    }
    RTM_CHECK_STATUS(rtm_mpool_class_info(r.m, 6, &ci), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_class_info(r.m, 0, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_class_info(NULL, 0, &ci), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
    /* A manager placed inside a pool's (untouched) block area cannot take that pool;
     * a pool right after the manager's memory can be taken. */
    rtm_pool_t *host = NULL;
    rtm_mpool_t *m2 = NULL;
    RTM_CHECK_OK(rtm_pool_init(spare + 4096, 2048, 16, 8, &host));
    RTM_CHECK_OK(rtm_mpool_init(spare + 4096 + 1024, rtm_mpool_storage_size(2), &m2));
    RTM_CHECK_STATUS(rtm_mpool_add_pool(m2, host), RTM_ERR_OVERLAP);
    size_t m2_end = (rtm_mpool_storage_size(2) + 63u) & ~(size_t)63u;
    rtm_pool_t *next_door = NULL;
    RTM_CHECK_OK(rtm_pool_init(spare + 4096 + 1024 + m2_end, 512, 16, 8, &next_door));
    RTM_CHECK_OK(rtm_mpool_add_pool(m2, next_door)); /* adjacent to the manager: fine */
    rtm_pool_t *clear = NULL;
    RTM_CHECK_OK(rtm_pool_init(spare + 8192, 512, 16, 8, &clear));
    RTM_CHECK_OK(rtm_mpool_add_pool(m2, clear));
    RTM_CHECK_OK(rtm_mpool_check(m2));
}

RTM_TEST(mpool, set_fallback_validates_the_allocator)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 1, 0);
    rtm_allocator_t none = {NULL, NULL};
    RTM_CHECK_STATUS(rtm_mpool_set_fallback(r.m, &none), RTM_ERR_INVALID_ARG);
    rtm_allocator_t pa = rtm_pool_allocator(r.cls[0]);
    rtm_allocator_ops_t half = *pa.ops;
    half.deallocate = NULL;
    rtm_allocator_t no_free = {&half, pa.ctx};
    RTM_CHECK_STATUS(rtm_mpool_set_fallback(r.m, &no_free), RTM_ERR_INVALID_ARG);
    half = *pa.ops;
    half.allocate = NULL;
    RTM_CHECK_STATUS(rtm_mpool_set_fallback(r.m, &no_free), RTM_ERR_INVALID_ARG);
    half = *pa.ops;
    half.size = (uint32_t)offsetof(rtm_allocator_ops_t, deallocate);
    RTM_CHECK_STATUS(rtm_mpool_set_fallback(r.m, &no_free), RTM_ERR_INVALID_ARG);
    rtm_allocator_t self = rtm_mpool_allocator(r.m);
    RTM_CHECK_STATUS(rtm_mpool_set_fallback(r.m, &self), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_set_fallback(NULL, &self), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_mpool_set_fallback(r.m, NULL));
    void *b = NULL;
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 100, 0, &b), RTM_ERR_NO_MEMORY);
}

RTM_TEST(mpool, bad_input_matrix_keeps_live_blocks)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 4096);
    rtm_allocator_t a = rtm_mpool_allocator(r.m);
    void *live[6];
    const size_t sz[6] = {3, 16, 30, 64, 100, 500};
    for (unsigned i = 0; i < 6; i++) {
        RTM_CHECK_OK(rtm_allocator_allocate(&a, sz[i], 0, &live[i]));
        rtm_model_fill(live[i], sz[i], 50u + i);
    }
    void *out = &out;
    RTM_CHECK_STATUS(rtm_mpool_alloc(NULL, 8, 0, &out), RTM_ERR_INVALID_ARG);
    RTM_CHECK(out == NULL);
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 8, 0, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 0, 0, &out), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 3, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 12, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX - 7u, 8, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 4096, &out), RTM_ERR_ALIGNMENT); /* fallback's answer */
    RTM_CHECK(out == NULL);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, NULL, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, (unsigned char *)live[5] + 1, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, live[1], 16, SIZE_MAX, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, live[1], 16, SIZE_MAX, 3, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, (unsigned char *)live[2] + 8, 30, 8, 0, &out),
                     RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, live[5], 500, SIZE_MAX, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK(out == NULL);
    rtm_mpool_stats_t ms;
    memset(&ms, 0xff, sizeof ms);
    rtm_mpool_get_stats(NULL, &ms);
    RTM_CHECK_EQ(ms.total_allocations, 0);
    rtm_mpool_get_stats(r.m, NULL);
    rtm_alloc_stats_t as;
    memset(&as, 0xff, sizeof as);
    rtm_mpool_stats(NULL, &as);
    RTM_CHECK_EQ(as.flags, 0);
    RTM_CHECK_EQ(rtm_mpool_class_count(NULL), 0);
    RTM_CHECK_STATUS(rtm_mpool_check(NULL), RTM_ERR_INVALID_ARG);
    rtm_allocator_t null_alloc = rtm_mpool_allocator(NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&null_alloc, 8, 0, &out), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
    for (unsigned i = 0; i < 6; i++) {
        RTM_CHECK(rtm_model_verify(live[i], sz[i], 50u + i));
    }
}

RTM_TEST(mpool, reallocate_stays_moves_and_keeps_contents)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 4096);
    rtm_allocator_t a = rtm_mpool_allocator(r.m);
    rtm_pool_t *p16 = r.cls[1], *p64 = r.cls[0];
    void *b = NULL, *n = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 10, 0, &b));
    rtm_model_fill(b, 10, 1);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, b, 10, 16, 0, &n)); /* fits its class: stays */
    RTM_CHECK(n == b);
    RTM_CHECK(rtm_model_verify(n, 10, 1));
    rtm_model_fill(n, 16, 2);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, n, 16, 50, 0, &b)); /* moves to the 64 class */
    RTM_CHECK(rtm_pool_contains(p64, b));
    RTM_CHECK(rtm_model_verify(b, 16, 2));
    RTM_CHECK_EQ(used_blocks(p16), 0);
    rtm_model_fill(b, 50, 3);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, b, 50, 300, 0, &n)); /* to the fallback */
    RTM_CHECK(rtm_pool_contains(r.big, n));
    RTM_CHECK(rtm_model_verify(n, 50, 3));
    RTM_CHECK_EQ(used_blocks(p64), 0);
    rtm_model_fill(n, 300, 4);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, n, 300, 200, 0, &b)); /* fallback keeps it */
    RTM_CHECK(b == n);
    RTM_CHECK(rtm_model_verify(b, 200, 4));
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, b, 200, 0, 0, &n));
    RTM_CHECK(n == NULL);
    RTM_CHECK_EQ(used_blocks(r.big), 0);
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(r.m, &ms);
    /* 1 allocate + 4 reallocations (each one request and one free) + the final free. */
    RTM_CHECK_EQ(ms.total_allocations, 5);
    RTM_CHECK_EQ(ms.total_deallocations, 5);
    rtm_alloc_stats_t as;
    rtm_mpool_stats(r.m, &as);
    RTM_CHECK_EQ(as.current_allocations, 0);
    RTM_CHECK_EQ(as.bytes_in_use, 0);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
}

RTM_TEST(mpool, stats_sum_the_members_and_report_per_class_utilization)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 4096);
    void *b = NULL;
    for (int i = 0; i < 5; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(r.m, 12, 0, &b));
    }
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(r.m, 100, 0, &b));
    }
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 1000, 0, &b), RTM_ERR_NO_MEMORY); /* > 512: nobody */
    RTM_CHECK(b == NULL);
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 400, 0, &b));
    rtm_alloc_stats_t as, sum;
    memset(&sum, 0, sizeof sum);
    rtm_pool_t *all[5] = {r.cls[0], r.cls[1], r.cls[2], r.cls[3], r.big};
    for (int i = 0; i < 5; i++) {
        rtm_pool_stats(all[i], &as);
        sum.bytes_in_use += as.bytes_in_use;
        sum.capacity += as.capacity;
        sum.free_bytes += as.free_bytes;
        sum.current_allocations += as.current_allocations;
    }
    rtm_mpool_stats(r.m, &as);
    RTM_CHECK_EQ(as.current_allocations, 9);
    RTM_CHECK_EQ(as.current_allocations, sum.current_allocations);
    RTM_CHECK_EQ(as.bytes_in_use, 5u * 16u + 3u * 128u + 512u);
    RTM_CHECK_EQ(as.bytes_in_use, sum.bytes_in_use);
    RTM_CHECK_EQ(as.capacity, sum.capacity);
    RTM_CHECK_EQ(as.free_bytes, sum.free_bytes);
    RTM_CHECK_EQ(as.largest_free_block, 512);
    RTM_CHECK_EQ(as.allocation_failures, 1);
    RTM_CHECK_EQ(as.flags, RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY);
    rtm_mpool_class_info_t ci;
    RTM_CHECK_OK(rtm_mpool_class_info(r.m, 0, &ci));
    RTM_CHECK_EQ(ci.block_size, 16);
    RTM_CHECK_EQ(ci.total_blocks - ci.free_blocks, 5);
    RTM_CHECK_EQ(ci.utilization_permille, (uint32_t)(5u * 1000u / ci.total_blocks));
    RTM_CHECK_OK(rtm_mpool_class_info(r.m, 3, &ci));
    RTM_CHECK_EQ(ci.block_size, 128);
    RTM_CHECK_EQ(ci.utilization_permille, (uint32_t)(3u * 1000u / ci.total_blocks));
    RTM_CHECK_OK(rtm_mpool_class_info(r.m, 1, &ci));
    RTM_CHECK_EQ(ci.utilization_permille, 0);
}

RTM_TEST(mpool, model_random_sequences_with_fallback)
{
    const uint32_t seeds[] = {7u, 0xc0ffeeu, 99991u};
    const size_t maxes[] = {128, 512};
    const size_t big_arenas[] = {4096, 16384};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        for (size_t k = 0; k < 2; k++) {
            rig_t r;
            RIG_OR_SKIP(&r, std_classes, 4, big_arenas[k]);
            rtm_model_cfg_t cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.alloc = rtm_mpool_allocator(r.m);
            cfg.seed = seeds[s];
            cfg.ops = RTM_TEST_OPS(1500);
            cfg.min_size = 1;
            cfg.max_size = maxes[k];
            cfg.max_align_log2 = 4;
            cfg.realloc_pct = 25;
            cfg.max_live = 120;
            cfg.arena_lo = (uintptr_t)r.mem;
            cfg.arena_hi = (uintptr_t)r.mem + r.used;
            cfg.check_free_bytes = true;
            cfg.misuse_pct = 5u;
            RTM_CHECK_MODEL(&cfg);
            rtm_mpool_stats_t ms;
            rtm_mpool_get_stats(r.m, &ms);
            RTM_CHECK(ms.pool_hits > 0u);
            RTM_CHECK(ms.fallback_allocations > 0u);
            RTM_CHECK_EQ(ms.total_allocations, ms.pool_hits + ms.pool_misses);
        }
    }
}

RTM_TEST(mpool, checker_fires_on_a_corrupted_class)
{
    rig_t r;
    RIG_OR_SKIP(&r, std_classes, 4, 4096);
    void *a = NULL, *b = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 40, 0, &a));
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 40, 0, &b));
    RTM_CHECK_OK(rtm_mpool_free(r.m, a, 40));
    RTM_CHECK_OK(rtm_mpool_free(r.m, b, 40)); /* list: b -> a */
    RTM_CHECK_OK(rtm_mpool_check(r.m));
    size_t saved;
    memcpy(&saved, b, sizeof saved);
    memset(b, 0xee, sizeof saved); /* write after free */
    RTM_CHECK_STATUS(rtm_mpool_check(r.m), RTM_ERR_CORRUPTED);
    void *c = &c;
    RTM_CHECK_STATUS(rtm_mpool_alloc(r.m, 40, 0, &c), RTM_ERR_CORRUPTED); /* no spill past it */
    RTM_CHECK(c == NULL);
    memcpy(b, &saved, sizeof saved);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
    /* A corrupted fallback is reported too. */
    void *f = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(r.m, 300, 0, &f));
    RTM_CHECK_OK(rtm_mpool_free(r.m, f, 300));
    memcpy(&saved, f, sizeof saved);
    memset(f, 0xee, sizeof saved);
    RTM_CHECK_STATUS(rtm_mpool_check(r.m), RTM_ERR_CORRUPTED);
    memcpy(f, &saved, sizeof saved);
    RTM_CHECK_OK(rtm_mpool_check(r.m));
}

/* ---- growing classes (slabs carved from a heap fallback) ---- */

typedef struct grig {
    rtm_mpool_t *m;
    rtm_heap_t *h;
    rtm_allocator_t fallback;
    unsigned char *mem;
    size_t heap_size;
} grig_t;

/* A manager with growing classes 16/32/64/128 (chunk 1 KiB) over a heap of
 * heap_size bytes. */
static rtm_status_t grig_build(grig_t *g, size_t heap_size)
{
    memset(g, 0, sizeof *g);
    size_t ctl = (rtm_mpool_storage_size(6) + 63u) & ~(size_t)63u;
    g->mem = (unsigned char *)rtm_test_scratch(ctl + heap_size);
    if (g->mem == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    g->heap_size = heap_size;
    rtm_status_t s = rtm_mpool_init(g->mem, ctl, &g->m);
    for (size_t bs = 16; bs <= 128 && s == RTM_OK; bs *= 2) {
        s = rtm_mpool_add_class(g->m, bs, 1024);
    }
    if (s == RTM_OK) {
        s = rtm_heap_init(g->mem + ctl, heap_size, &g->h);
    }
    if (s == RTM_OK) {
        g->fallback = rtm_heap_allocator(g->h);
        s = rtm_mpool_set_fallback(g->m, &g->fallback);
    }
    return s;
}

/* Leave the shared scratch buffer zeroed for whatever test runs next in this
 * process (chunk headers would otherwise stay in it). */
static void grig_clear(grig_t *g)
{
    memset(g->mem, 0, (rtm_mpool_storage_size(6) + 63u) / 64u * 64u + g->heap_size);
}

#define GRIG_OR_SKIP(g, size)                          \
    do {                                               \
        rtm_status_t gs_ = grig_build((g), (size));    \
        if (gs_ == RTM_ERR_UNSUPPORTED) {              \
            return;                                    \
        }                                              \
        RTM_CHECK_OK(gs_);                             \
    } while (0)

RTM_TEST(mpool, growing_class_arguments)
{
    grig_t g;
    GRIG_OR_SKIP(&g, 16384);
    RTM_CHECK_EQ(rtm_mpool_class_count(g.m), 4);
    RTM_CHECK_STATUS(rtm_mpool_add_class(NULL, 16, 1024), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 0, 1024), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 24, 1000), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 24, 2048), RTM_ERR_INVALID_ARG); /* unlike the others */
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 1024, 1024), RTM_ERR_INVALID_ARG); /* no block fits */
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 16, 128), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(rtm_mpool_class_count(g.m), 4);
    void *p = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(g.m, 20, 0, &p));
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 24, 1024), RTM_ERR_UNSUPPORTED); /* a chunk is live */
    RTM_CHECK_OK(rtm_mpool_free(g.m, p, 20));
    RTM_CHECK_STATUS(rtm_mpool_add_class(g.m, 24, 1024), RTM_ERR_UNSUPPORTED); /* kept, empty */
    RTM_CHECK_OK(rtm_mpool_trim(g.m));
    RTM_CHECK_STATUS(rtm_mpool_trim(NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_mpool_add_class(g.m, 24, 1024));
    RTM_CHECK_EQ(rtm_mpool_class_count(g.m), 5);
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    grig_clear(&g);
}

RTM_TEST(mpool, growing_chunks_are_carved_and_given_back)
{
    grig_t g;
    GRIG_OR_SKIP(&g, 32768);
    rtm_alloc_stats_t h0, h1;
    rtm_heap_stats(g.h, &h0);
    void *p[200];
    for (unsigned i = 0; i < 200; i++) {
        RTM_CHECK_OK(rtm_mpool_alloc(g.m, 17 + (i % 16), 0, &p[i])); /* the 32-byte class */
        RTM_CHECK(((uintptr_t)p[i] & 7u) == 0u);
        memset(p[i], (int)i, 17);
    }
    rtm_mpool_class_info_t ci;
    RTM_CHECK_OK(rtm_mpool_class_info(g.m, 1, &ci));
    RTM_CHECK_EQ(ci.block_size, 32);
    RTM_CHECK(ci.pool == NULL);
    RTM_CHECK(ci.chunk_blocks > 0u);
    RTM_CHECK_EQ(ci.chunks, (200u + ci.chunk_blocks - 1u) / ci.chunk_blocks);
    RTM_CHECK(ci.chunks >= 2u);
    RTM_CHECK_EQ(ci.total_blocks - ci.free_blocks, 200);
    rtm_heap_stats(g.h, &h1);
    RTM_CHECK_EQ(h1.current_allocations, h0.current_allocations + ci.chunks);
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    for (unsigned i = 0; i < 200; i++) {
        const unsigned char *b = p[i];
        RTM_CHECK(b[0] == (unsigned char)i && b[16] == (unsigned char)i);
    }
    /* Free in an interleaved order: chunks empty only at the end. */
    for (unsigned k = 0; k < 2; k++) {
        for (unsigned i = k; i < 200; i += 2) {
            RTM_CHECK_OK(rtm_mpool_free(g.m, p[i], 0));
        }
        RTM_CHECK_OK(rtm_mpool_check(g.m));
    }
    RTM_CHECK_OK(rtm_mpool_class_info(g.m, 1, &ci));
    RTM_CHECK_EQ(ci.chunks, 1); /* the last one is kept, empty */
    RTM_CHECK_EQ(ci.free_blocks, ci.chunk_blocks);
    RTM_CHECK_OK(rtm_mpool_trim(g.m));
    RTM_CHECK_OK(rtm_mpool_class_info(g.m, 1, &ci));
    RTM_CHECK_EQ(ci.chunks, 0);
    rtm_heap_stats(g.h, &h1);
    RTM_CHECK_EQ(h1.current_allocations, h0.current_allocations);
    RTM_CHECK_EQ(h1.bytes_in_use, h0.bytes_in_use);
    RTM_CHECK_EQ(h1.free_bytes, h0.free_bytes);
    RTM_CHECK_EQ(h1.largest_free_block, h0.largest_free_block);
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(g.m, &ms);
    RTM_CHECK_EQ(ms.pool_hits, 200);
    RTM_CHECK_EQ(ms.fallback_allocations, 0);
    RTM_CHECK_EQ(ms.total_deallocations, 200);
    grig_clear(&g);
}

RTM_TEST(mpool, growing_misuse_is_refused_and_structure_stays_intact)
{
    grig_t g;
    GRIG_OR_SKIP(&g, 16384);
    void *a = NULL, *b = NULL, *big = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(g.m, 60, 0, &a));
    RTM_CHECK_OK(rtm_mpool_alloc(g.m, 60, 0, &b));
    RTM_CHECK_OK(rtm_mpool_alloc(g.m, 600, 0, &big)); /* no class: the heap */
    rtm_alloc_stats_t h0, h1;
    rtm_heap_stats(g.h, &h0);
    rtm_mpool_stats_t m0, m1;
    rtm_mpool_get_stats(g.m, &m0);
    RTM_CHECK_OK(rtm_mpool_free(g.m, a, 60));
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, a, 60), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    /* Into the chunk's header: the chunk is aligned to 1 KiB. */
    unsigned char *hdr = (unsigned char *)((uintptr_t)b & ~(uintptr_t)1023u);
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, hdr, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, hdr + 8, 0), RTM_ERR_INVALID_POINTER);
    /* Interior of a block, and a block never handed out. */
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, (unsigned char *)b + 8, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, (unsigned char *)b + 5 * 64, 0), RTM_ERR_INVALID_POINTER);
    /* A foreign pointer goes to the heap, which refuses it. */
    int local = 0;
    RTM_CHECK(rtm_mpool_free(g.m, &local, sizeof local) != RTM_OK);
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    rtm_mpool_get_stats(g.m, &m1);
    RTM_CHECK_EQ(m1.total_deallocations, m0.total_deallocations + 1u);
    rtm_heap_stats(g.h, &h1);
    RTM_CHECK_EQ(h1.current_allocations, h0.current_allocations);
    /* Still usable: a is handed out again, b still frees. */
    void *c = NULL;
    RTM_CHECK_OK(rtm_mpool_alloc(g.m, 60, 0, &c));
    RTM_CHECK(c == a);
    RTM_CHECK_OK(rtm_mpool_free(g.m, b, 60));
    RTM_CHECK_OK(rtm_mpool_free(g.m, c, 60));
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, c, 60), RTM_ERR_DOUBLE_FREE); /* the empty last chunk is kept */
    RTM_CHECK_OK(rtm_mpool_trim(g.m));
    RTM_CHECK_STATUS(rtm_mpool_free(g.m, c, 60), RTM_ERR_INVALID_POINTER); /* given back */
    RTM_CHECK_OK(rtm_mpool_free(g.m, big, 600));
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    grig_clear(&g);
}

RTM_TEST(mpool, growing_fallback_exhaustion_leaks_nothing)
{
    grig_t g;
    GRIG_OR_SKIP(&g, 8192);
    rtm_alloc_stats_t h0, h1;
    rtm_heap_stats(g.h, &h0);
    static void *p[1024];
    unsigned n = 0;
    rtm_status_t s = RTM_OK;
    while (n < 1024u && s == RTM_OK) {
        s = rtm_mpool_alloc(g.m, 8u << (n % 5u), 0, &p[n]); /* 8..128: every class */
        n += s == RTM_OK ? 1u : 0u;
    }
    RTM_CHECK_STATUS(s, RTM_ERR_NO_MEMORY);
    RTM_CHECK(n > 10u && n < 1024u);
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    rtm_mpool_stats_t ms;
    rtm_mpool_get_stats(g.m, &ms);
    RTM_CHECK(ms.failures >= 1u);
    void *q = &q;
    RTM_CHECK_STATUS(rtm_mpool_alloc(g.m, 900, 0, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK(q == NULL);
    for (unsigned i = 0; i < n; i++) {
        RTM_CHECK_OK(rtm_mpool_free(g.m, p[i], 0));
    }
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    RTM_CHECK_OK(rtm_mpool_trim(g.m));
    RTM_CHECK_OK(rtm_mpool_check(g.m));
    rtm_heap_stats(g.h, &h1);
    RTM_CHECK_EQ(h1.current_allocations, h0.current_allocations);
    RTM_CHECK_EQ(h1.free_bytes, h0.free_bytes);
    for (uint32_t i = 0; i < rtm_mpool_class_count(g.m); i++) {
        rtm_mpool_class_info_t ci;
        RTM_CHECK_OK(rtm_mpool_class_info(g.m, i, &ci));
        RTM_CHECK_EQ(ci.chunks, 0);
    }
    grig_clear(&g);
}

RTM_TEST(mpool, model_random_sequences_with_growing_classes)
{
    const uint32_t seeds[] = {7u, 0xc0ffeeu, 99991u};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        grig_t g;
        GRIG_OR_SKIP(&g, 32768);
        rtm_model_cfg_t cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.alloc = rtm_mpool_allocator(g.m);
        cfg.seed = seeds[s];
        cfg.ops = RTM_TEST_OPS(2000);
        cfg.min_size = 1;
        cfg.max_size = 300;
        cfg.max_align_log2 = 4;
        cfg.realloc_pct = 25;
        cfg.max_live = 150;
        cfg.arena_lo = (uintptr_t)g.mem;
        cfg.arena_hi = (uintptr_t)g.mem + (rtm_mpool_storage_size(6) + 63u) / 64u * 64u + g.heap_size;
        cfg.misuse_pct = 5u;
        RTM_CHECK_MODEL(&cfg);
        rtm_mpool_stats_t ms;
        rtm_mpool_get_stats(g.m, &ms);
        RTM_CHECK(ms.pool_hits > 0u);
        RTM_CHECK(ms.fallback_allocations > 0u);
        RTM_CHECK_OK(rtm_mpool_check(g.m));
        grig_clear(&g);
    }
}
