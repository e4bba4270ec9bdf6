/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Fixed-size pool: geometry, O(1) pointer validation, double free, stats, model, corruption. */
#include <string.h>

#include "model.h"

/* A few block geometries: power-of-two and odd strides, small and large alignments. */
static const struct geom {
    size_t size;
    size_t align;
} geoms[] = {
    {1, 0}, {8, 8}, {12, 4}, {24, 8}, {40, 8}, {48, 16}, {100, 4}, {64, 64}, {200, 32}, {16, 256},
};
#define N_GEOMS (sizeof geoms / sizeof geoms[0])

static size_t round_up(size_t x, size_t a)
{
    return (x + a - 1u) / a * a;
}

/* The block size and alignment the header promises for a requested geometry. */
static size_t expect_align(size_t align)
{
    size_t a = align == 0u ? 8u : align;
    return a < sizeof(void *) ? sizeof(void *) : a;
}

static size_t expect_stride(size_t size, size_t align)
{
    return round_up(size < sizeof(void *) ? sizeof(void *) : size, expect_align(align));
}

static size_t log2_of(size_t x)
{
    size_t l = 0;
    while (x > 1u) {
        x >>= 1;
        l++;
    }
    return l;
}

/* Live blocks of a test, each with a fill pattern. */
#define MAX_LIVE 64u
typedef struct live_set {
    void *p[MAX_LIVE];
    unsigned n;
    size_t size;
} live_set_t;

static bool live_intact(const live_set_t *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (!rtm_model_verify(l->p[i], l->size, 0x1000u + i)) {
            return false;
        }
    }
    return true;
}

/* Allocate k blocks into l and fill them; false on any failure. */
static bool take(rtm_pool_t *p, live_set_t *l, unsigned k)
{
    l->size = rtm_pool_block_size(p);
    for (unsigned i = 0; i < k; i++) {
        if (l->n >= MAX_LIVE || rtm_pool_alloc(p, &l->p[l->n]) != RTM_OK) {
            return false;
        }
        rtm_model_fill(l->p[l->n], l->size, 0x1000u + l->n);
        l->n++;
    }
    return true;
}

RTM_TEST(pool, geometry_follows_the_contract_and_count_is_maximal)
{
    const size_t sizes[] = {256, 1000, 4096, 65536 + 12};
    unsigned char *mem = (unsigned char *)rtm_test_scratch(65536 + 64);
    RTM_CHECK(mem != NULL);
    for (size_t g = 0; g < N_GEOMS; g++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            rtm_pool_t *p = NULL;
            size_t stride = expect_stride(geoms[g].size, geoms[g].align);
            size_t align = expect_align(geoms[g].align);
            rtm_status_t st = rtm_pool_init(mem, sizes[s], geoms[g].size, geoms[g].align, &p);
            if (st == RTM_ERR_INVALID_ARG) {
                RTM_CHECK(sizes[s] < 2u * stride + 256u); /* only tiny arenas may be refused */
                RTM_CHECK(p == NULL);
                continue;
            }
            RTM_CHECK_OK(st);
            /* The handle lies inside the caller's memory, below the first block. */
            RTM_CHECK((uintptr_t)p > (uintptr_t)mem && (uintptr_t)p < (uintptr_t)mem + 256u);
            RTM_CHECK(rtm_pool_memory(p) == (void *)mem);
            RTM_CHECK_EQ(rtm_pool_block_size(p), stride);
            RTM_CHECK_EQ(rtm_pool_block_align(p), align);
            rtm_pool_stats_t ps;
            rtm_pool_get_stats(p, &ps);
            size_t fp = rtm_pool_footprint(p);
            RTM_CHECK(fp <= sizes[s]);
            RTM_CHECK(ps.total_blocks * stride <= fp);
            /* Maximal: one more block (and its map byte, and padding) cannot fit. */
            RTM_CHECK(sizes[s] - fp < stride + 1u + align);
            /* Overhead is the control fields plus a byte per block plus padding. */
            RTM_CHECK(fp - ps.total_blocks * stride <= 160u + ps.total_blocks + align);
            RTM_CHECK_EQ(ps.free_blocks, ps.total_blocks);
            RTM_CHECK_OK(rtm_pool_check(p));
        }
    }
}

RTM_TEST(pool, has_no_block_cap_and_hands_out_every_block_once)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(32768);
    RTM_CHECK(mem != NULL);
    for (size_t g = 0; g < N_GEOMS; g++) {
        rtm_pool_t *p = NULL;
        RTM_CHECK_OK(rtm_pool_init(mem, 32768, geoms[g].size, geoms[g].align, &p));
        size_t stride = rtm_pool_block_size(p);
        size_t align = rtm_pool_block_align(p);
        rtm_pool_stats_t ps;
        rtm_pool_get_stats(p, &ps);
        size_t n = ps.total_blocks;
        if (stride <= 100u) {
            RTM_CHECK(n > 64u); /* the seed's cap */
        }
        static uint32_t seen[32768 / 8 / 32 + 1];
        memset(seen, 0, sizeof seen);
        uintptr_t lo = UINTPTR_MAX;
        uintptr_t hi = 0;
        for (size_t i = 0; i < n; i++) {
            void *b = NULL;
            RTM_CHECK_OK(rtm_pool_alloc(p, &b));
            uintptr_t a = (uintptr_t)b;
            RTM_CHECK((a & (align - 1u)) == 0u);
            RTM_CHECK(a >= (uintptr_t)mem && a + stride <= (uintptr_t)mem + rtm_pool_footprint(p));
            RTM_CHECK(rtm_pool_contains(p, b));
            RTM_CHECK(rtm_pool_contains(p, (unsigned char *)b + stride - 1u));
            /* Never the same block twice. */
            size_t k = (size_t)(a - (uintptr_t)mem) / stride;
            RTM_CHECK((seen[k / 32u] >> (k % 32u) & 1u) == 0u);
            seen[k / 32u] |= 1u << (k % 32u);
            memset(b, 0xA5, stride);
            lo = a < lo ? a : lo;
            hi = a > hi ? a : hi;
        }
        /* n distinct aligned blocks of `stride` bytes in a span of n strides. */
        RTM_CHECK_EQ(hi - lo, (n - 1u) * stride);
        void *none = &none;
        RTM_CHECK_STATUS(rtm_pool_alloc(p, &none), RTM_ERR_NO_MEMORY);
        RTM_CHECK(none == NULL);
        RTM_CHECK(!rtm_pool_contains(p, (void *)(lo - 1u)));
        RTM_CHECK(!rtm_pool_contains(p, (void *)(hi + stride)));
        RTM_CHECK_EQ(rtm_pool_utilization_permille(p), 1000);
        RTM_CHECK_OK(rtm_pool_check(p));
        /* Free all (every other one first), take all again. */
        for (size_t pass = 0; pass < 2; pass++) {
            for (size_t i = pass; i < n; i += 2) {
                RTM_CHECK_OK(rtm_pool_free(p, (void *)(lo + i * stride)));
            }
        }
        RTM_CHECK_OK(rtm_pool_check(p));
        RTM_CHECK_EQ(rtm_pool_utilization_permille(p), 0);
        for (size_t i = 0; i < n; i++) {
            void *b = NULL;
            RTM_CHECK_OK(rtm_pool_alloc(p, &b));
        }
        RTM_CHECK_STATUS(rtm_pool_alloc(p, &none), RTM_ERR_NO_MEMORY);
        RTM_CHECK_OK(rtm_pool_check(p));
    }
}

/* Every address around the pool: only block starts are accepted, and freeing any
 * other address changes nothing. Exercises the multiply-rotate validation. */
RTM_TEST(pool, only_block_starts_are_accepted_at_every_address)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048);
    RTM_CHECK(mem != NULL);
    for (size_t g = 0; g < N_GEOMS; g++) {
        rtm_pool_t *p = NULL;
        RTM_CHECK_OK(rtm_pool_init(mem, 2048, geoms[g].size, geoms[g].align, &p));
        size_t stride = rtm_pool_block_size(p);
        rtm_pool_stats_t ps;
        rtm_pool_get_stats(p, &ps);
        uintptr_t first = 0;
        for (size_t i = 0; i < ps.total_blocks; i++) {
            void *b = NULL;
            RTM_CHECK_OK(rtm_pool_alloc(p, &b));
            first = i == 0u ? (uintptr_t)b : first;
        }
        uintptr_t end = first + ps.total_blocks * stride;
        size_t accepted = 0;
        for (uintptr_t a = (uintptr_t)mem; a < end + 3u * stride; a++) {
            rtm_status_t want =
                a >= first && a < end && (a - first) % stride == 0u ? RTM_OK : RTM_ERR_INVALID_POINTER;
            RTM_CHECK_STATUS(rtm_pool_validate(p, (void *)a), want);
            if (want != RTM_OK) {
                RTM_CHECK_STATUS(rtm_pool_free(p, (void *)a), RTM_ERR_INVALID_POINTER);
            } else {
                accepted++;
            }
            RTM_CHECK(rtm_pool_contains(p, (void *)a) == (a >= first && a < end));
        }
        RTM_CHECK_EQ(accepted, ps.total_blocks);
        /* Points of the block lattice far away, below and above, and the extremes. */
        uint32_t rng = 0x9e3779b9u;
        for (int i = 0; i < 2000; i++) {
            uintptr_t k = (uintptr_t)rtm_test_rand(&rng) * (uintptr_t)rtm_test_rand(&rng);
            uintptr_t a = first + k * stride; /* wraps: any lattice point */
            bool inside = k < ps.total_blocks;
            RTM_CHECK_STATUS(rtm_pool_validate(p, (void *)a), inside ? RTM_OK : RTM_ERR_INVALID_POINTER);
        }
        for (uintptr_t k = 1; k <= 4u; k++) {
            RTM_CHECK_STATUS(rtm_pool_free(p, (void *)(first - k * stride)), RTM_ERR_INVALID_POINTER);
        }
        RTM_CHECK_STATUS(rtm_pool_free(p, NULL), RTM_ERR_INVALID_POINTER);
        RTM_CHECK_STATUS(rtm_pool_free(p, (void *)UINTPTR_MAX), RTM_ERR_INVALID_POINTER);
        RTM_CHECK_STATUS(rtm_pool_free(p, (void *)(UINTPTR_MAX - stride + 1u)), RTM_ERR_INVALID_POINTER);
        rtm_pool_get_stats(p, &ps);
        RTM_CHECK_EQ(ps.free_blocks, 0);
        RTM_CHECK_EQ(ps.deallocation_count, 0);
        RTM_CHECK_OK(rtm_pool_check(p));
    }
}

RTM_TEST(pool, double_free_is_detected_in_o1_and_changes_nothing)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096);
    RTM_CHECK(mem != NULL);
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 4096, 40, 8, &p));
    live_set_t l = {{NULL}, 0, 0};
    RTM_CHECK(take(p, &l, 8));
    void *victim = NULL;
    RTM_CHECK_OK(rtm_pool_alloc(p, &victim));
    RTM_CHECK_OK(rtm_pool_free(p, victim));
    rtm_pool_stats_t before, after;
    rtm_pool_get_stats(p, &before);
    RTM_CHECK_STATUS(rtm_pool_free(p, victim), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_pool_validate(p, victim), RTM_ERR_DOUBLE_FREE);
    /* A block start that was never handed out is not in use either. */
    uintptr_t last = (uintptr_t)l.p[0] + (before.total_blocks - 1u) * rtm_pool_block_size(p);
    RTM_CHECK_STATUS(rtm_pool_free(p, (void *)last), RTM_ERR_DOUBLE_FREE);
    rtm_pool_get_stats(p, &after);
    RTM_CHECK(memcmp(&before, &after, sizeof before) == 0);
    RTM_CHECK_OK(rtm_pool_check(p));
    RTM_CHECK(live_intact(&l));
    /* The list was not damaged: the victim comes back exactly once. */
    void *again = NULL;
    RTM_CHECK_OK(rtm_pool_alloc(p, &again));
    RTM_CHECK(again == victim);
    void *next = NULL;
    RTM_CHECK_OK(rtm_pool_alloc(p, &next));
    RTM_CHECK(next != victim);
    RTM_CHECK_OK(rtm_pool_check(p));
}

RTM_TEST(pool, init_refuses_bad_arguments_with_exact_statuses)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096);
    RTM_CHECK(mem != NULL);
    rtm_pool_t *p = (rtm_pool_t *)(void *)&p;
    RTM_CHECK_STATUS(rtm_pool_init(NULL, 4096, 16, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, 16, 0, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, 0, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, SIZE_MAX, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, SIZE_MAX - 6u, 8, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, SIZE_MAX / 2u, 8, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, 16, 3, &p), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, 16, 24, &p), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_pool_init(mem + 4, 4000, 16, 0, &p), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_pool_init(mem + 1, 4000, 16, 0, &p), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_pool_init(mem, SIZE_MAX, 16, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 0, 16, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 16, 16, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    /* The smallest arena that holds one block, found by growing the size: one
     * byte less is INVALID_ARG (too small), and a block larger than the arena never fits. */
    size_t min = 0;
    for (size_t s = 1; s < 512u && min == 0u; s++) {
        rtm_status_t st = rtm_pool_init(mem, s, 64, 64, &p);
        RTM_CHECK(st == RTM_OK || st == RTM_ERR_INVALID_ARG);
        min = st == RTM_OK ? s : 0u;
    }
    RTM_CHECK(min > 64u);
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(p, &ps);
    RTM_CHECK_EQ(ps.total_blocks, 1);
    RTM_CHECK_EQ(rtm_pool_footprint(p), min);
    RTM_CHECK_STATUS(rtm_pool_init(mem, min - 1u, 64, 64, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_init(mem, 4096, 8192, 8, &p), RTM_ERR_INVALID_ARG);
}

RTM_TEST(pool, entry_points_refuse_bad_input_and_keep_live_blocks)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(1024);
    RTM_CHECK(mem != NULL);
    static unsigned char foreign[64];
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 1024, 24, 8, &p));
    size_t stride = rtm_pool_block_size(p);
    RTM_CHECK_EQ(stride, 24);
    live_set_t l = {{NULL}, 0, 0};
    RTM_CHECK(take(p, &l, 6));
    void *out = &out;

    /* Direct API. */
    RTM_CHECK_STATUS(rtm_pool_alloc(NULL, &out), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_alloc(p, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_free(NULL, l.p[0]), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_free(p, NULL), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_pool_free(p, (unsigned char *)l.p[2] + 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_pool_free(p, (unsigned char *)l.p[2] + 1), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_pool_free(p, foreign), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_pool_free(p, mem), RTM_ERR_INVALID_POINTER); /* the control block */
    RTM_CHECK_STATUS(rtm_pool_validate(NULL, l.p[0]), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_check(NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK(!rtm_pool_contains(NULL, l.p[0]));
    RTM_CHECK(!rtm_pool_contains(p, foreign));
    RTM_CHECK_EQ(rtm_pool_block_size(NULL), 0);
    RTM_CHECK_EQ(rtm_pool_block_align(NULL), 0);
    RTM_CHECK_EQ(rtm_pool_footprint(NULL), 0);
    RTM_CHECK_EQ(rtm_pool_utilization_permille(NULL), 0);
    rtm_pool_stats_t ps;
    memset(&ps, 0xff, sizeof ps);
    rtm_pool_get_stats(NULL, &ps);
    RTM_CHECK_EQ(ps.total_blocks, 0);
    rtm_pool_get_stats(p, NULL);
    rtm_alloc_stats_t as;
    memset(&as, 0xff, sizeof as);
    rtm_pool_stats(NULL, &as);
    RTM_CHECK_EQ(as.flags, 0);
    rtm_pool_stats(p, NULL);
    RTM_CHECK_OK(rtm_pool_check(p));
    RTM_CHECK(live_intact(&l));

    /* The allocator view. */
    rtm_allocator_t a = rtm_pool_allocator(p);
    rtm_pool_get_stats(p, &ps);
    uint32_t failures = ps.failures;
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 0, 0, &out), RTM_ERR_INVALID_ARG);
    RTM_CHECK(out == NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 3, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 16, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, stride + 1u, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK(out == NULL);
    rtm_pool_get_stats(p, &ps);
    RTM_CHECK_EQ(ps.failures, failures + 2u);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, foreign, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, NULL, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, l.p[1], 24, 25, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, l.p[1], 24, SIZE_MAX, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, l.p[1], 24, 8, 64, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, l.p[1], 24, 8, 5, &out), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, (unsigned char *)l.p[1] + 4, 24, 8, 0, &out),
                     RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, foreign, 24, 8, 0, &out), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(out == NULL);
    RTM_CHECK_OK(rtm_pool_check(p));
    RTM_CHECK(live_intact(&l));

    /* Realloc in place: same block, counted as one free and one allocation. */
    rtm_pool_get_stats(p, &ps);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, l.p[3], 24, 1, 8, &out));
    RTM_CHECK(out == l.p[3]);
    rtm_pool_stats_t ps2;
    rtm_pool_get_stats(p, &ps2);
    RTM_CHECK_EQ(ps2.allocation_count, ps.allocation_count + 1u);
    RTM_CHECK_EQ(ps2.deallocation_count, ps.deallocation_count + 1u);
    RTM_CHECK_EQ(ps2.allocated_blocks, ps.allocated_blocks);
    RTM_CHECK(live_intact(&l));

    /* Realloc to 0 frees; realloc of the freed block is a double free. */
    void *extra = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 24, 8, &extra));
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, extra, 24, 0, 0, &out));
    RTM_CHECK(out == NULL);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, extra, 24, 8, 0, &out), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, extra, 24), RTM_ERR_DOUBLE_FREE);

    /* Exhausted. */
    rtm_pool_get_stats(p, &ps);
    for (size_t i = 0; i < ps.free_blocks; i++) {
        RTM_CHECK_OK(rtm_allocator_allocate(&a, 1, 0, &out));
    }
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 1, 0, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_pool_alloc(p, &out), RTM_ERR_NO_MEMORY);
    RTM_CHECK(out == NULL);
    rtm_pool_get_stats(p, &ps2);
    RTM_CHECK_EQ(ps2.failures, ps.failures + 2u);
    RTM_CHECK_OK(rtm_pool_check(p));
    RTM_CHECK(live_intact(&l));

    /* A NULL pool's allocator refuses everything. */
    rtm_allocator_t none = rtm_pool_allocator(NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&none, 8, 0, &out), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&none, l.p[0], 8), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_check(&none), RTM_ERR_INVALID_ARG);
}

RTM_TEST(pool, stats_follow_the_seed_fields_and_the_generic_contract)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048);
    RTM_CHECK(mem != NULL);
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 2048, 48, 16, &p));
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(p, &ps);
    size_t n = ps.total_blocks;
    size_t bs = rtm_pool_block_size(p);
    RTM_CHECK_EQ(ps.block_size, bs);
    RTM_CHECK(n >= 7u);
    live_set_t l = {{NULL}, 0, 0};
    RTM_CHECK(take(p, &l, 5));
    RTM_CHECK_OK(rtm_pool_free(p, l.p[4]));
    RTM_CHECK_OK(rtm_pool_free(p, l.p[3]));
    RTM_CHECK_OK(rtm_pool_free(p, l.p[2]));
    l.n = 2;
    /* 5 taken, 3 back: peak stays at 5. */
    rtm_pool_get_stats(p, &ps);
    RTM_CHECK_EQ(ps.allocated_blocks, 2);
    RTM_CHECK_EQ(ps.free_blocks, n - 2u);
    RTM_CHECK_EQ(ps.peak_usage, 5);
    RTM_CHECK_EQ(ps.allocation_count, 5);
    RTM_CHECK_EQ(ps.deallocation_count, 3);
    RTM_CHECK_EQ(ps.failures, 0);
    RTM_CHECK_EQ(rtm_pool_utilization_permille(p), (uint32_t)(2u * 1000u / n));
    /* Reused blocks do not raise the peak; new ones do. */
    RTM_CHECK(take(p, &l, 4));
    rtm_pool_get_stats(p, &ps);
    RTM_CHECK_EQ(ps.allocated_blocks, 6);
    RTM_CHECK_EQ(ps.peak_usage, 6);
    RTM_CHECK_EQ(rtm_pool_utilization_permille(p), (uint32_t)(6u * 1000u / n));

    rtm_alloc_stats_t as;
    rtm_pool_stats(p, &as);
    RTM_CHECK_EQ(as.total_allocations, 9);
    RTM_CHECK_EQ(as.total_deallocations, 3);
    RTM_CHECK_EQ(as.current_allocations, 6);
    RTM_CHECK_EQ(as.bytes_allocated, 9u * bs);
    RTM_CHECK_EQ(as.bytes_deallocated, 3u * bs);
    RTM_CHECK_EQ(as.bytes_in_use, 6u * bs);
    RTM_CHECK_EQ(as.peak_memory_usage, 6u * bs);
    RTM_CHECK_EQ(as.free_bytes, (n - 6u) * bs);
    RTM_CHECK_EQ(as.largest_free_block, bs);
    RTM_CHECK_EQ(as.capacity, n * bs);
    RTM_CHECK_EQ(as.flags, RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY);
    RTM_CHECK(take(p, &l, (unsigned)(n - 6u)));
    rtm_pool_stats(p, &as);
    RTM_CHECK_EQ(as.largest_free_block, 0);
    RTM_CHECK_EQ(as.free_bytes, 0);
    RTM_CHECK(live_intact(&l));
}

RTM_TEST(pool, model_random_sequences)
{
    const size_t arenas[] = {512, 4096, 65536};
    const uint32_t seeds[] = {1u, 0xdeadbeefu, 12345u};
    for (size_t g = 0; g < N_GEOMS; g++) {
        for (size_t a = 0; a < sizeof arenas / sizeof arenas[0]; a++) {
            unsigned char *mem = (unsigned char *)rtm_test_scratch(arenas[a]);
            if (mem == NULL) {
                continue;
            }
            rtm_pool_t *p = NULL;
            rtm_status_t st = rtm_pool_init(mem, arenas[a], geoms[g].size, geoms[g].align, &p);
            if (st == RTM_ERR_INVALID_ARG) {
                continue;
            }
            RTM_CHECK_OK(st);
            size_t bs = rtm_pool_block_size(p);
            for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
                rtm_model_cfg_t cfg;
                memset(&cfg, 0, sizeof cfg);
                cfg.alloc = rtm_pool_allocator(p);
                cfg.seed = seeds[s] + (uint32_t)(g * 31u + a);
                cfg.ops = RTM_TEST_OPS(1500);
                cfg.min_size = 1;
                cfg.max_size = bs;
                cfg.max_align_log2 = log2_of(rtm_pool_block_align(p));
                cfg.default_align = rtm_pool_block_align(p);
                cfg.realloc_pct = 20;
                cfg.max_live = 200;
                cfg.arena_lo = (uintptr_t)mem;
                cfg.arena_hi = (uintptr_t)mem + arenas[a];
                cfg.check_free_bytes = true;
                cfg.misuse_pct = 5u;
                RTM_CHECK_MODEL(&cfg);
            }
        }
    }
}

/* Find the bitmap byte and bit of a block by watching the control area change
 * when the block is taken (the test does not know the private layout). */
static bool find_bit(unsigned char *mem, size_t meta, rtm_pool_t *p, void **blk, size_t *byte, unsigned char *mask)
{
    static unsigned char before[512];
    if (meta > sizeof before) {
        return false;
    }
    memcpy(before, mem, meta);
    if (rtm_pool_alloc(p, blk) != RTM_OK) {
        return false;
    }
    /* Counters change too; the bitmap byte is the one where exactly one bit was set. */
    for (size_t i = meta; i-- > 0;) {
        unsigned char diff = (unsigned char)(before[i] ^ mem[i]);
        if (diff != 0u && (diff & (diff - 1u)) == 0u && (mem[i] & diff) != 0u) {
            *byte = i;
            *mask = diff;
            return true;
        }
    }
    return false;
}

RTM_TEST(pool, checker_fires_on_deliberate_corruption)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048);
    RTM_CHECK(mem != NULL);
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 2048, 32, 8, &p));
    live_set_t l = {{NULL}, 0, 0};
    RTM_CHECK(take(p, &l, 40));
    void *a = l.p[10], *b = l.p[20], *c = l.p[30];
    RTM_CHECK_OK(rtm_pool_free(p, a));
    RTM_CHECK_OK(rtm_pool_free(p, b));
    RTM_CHECK_OK(rtm_pool_free(p, c)); /* list: c -> b -> a */
    RTM_CHECK_OK(rtm_pool_check(p));
    size_t saved;
    memcpy(&saved, c, sizeof saved);

    /* 1. A wild link in a free block (a write after free). */
    size_t wild = (size_t)0x7fff1234u;
    memcpy(c, &wild, sizeof wild);
    RTM_CHECK_STATUS(rtm_pool_check(p), RTM_ERR_CORRUPTED);
    void *out = &out;
    RTM_CHECK_STATUS(rtm_pool_alloc(p, &out), RTM_ERR_CORRUPTED); /* refused, not followed */
    RTM_CHECK(out == NULL);
    memcpy(c, &saved, sizeof saved);
    RTM_CHECK_OK(rtm_pool_check(p));

    /* 2. A cycle: a's link (the list end) pointed at c. b's link holds a's
     * number, c's link b's; so a := c's number is unknown, but a := a's own number
     * (read from b) closes a loop. */
    size_t a_num, a_saved;
    memcpy(&a_num, b, sizeof a_num);
    memcpy(&a_saved, a, sizeof a_saved);
    memcpy(a, &a_num, sizeof a_num);
    RTM_CHECK_STATUS(rtm_pool_check(p), RTM_ERR_CORRUPTED);
    memcpy(a, &a_saved, sizeof a_saved);
    RTM_CHECK_OK(rtm_pool_check(p));

    /* 3. A link to a block in use. Blocks are carved in address order, so block
     * numbers follow from addresses (checked on a first). */
    size_t stride = rtm_pool_block_size(p);
    RTM_CHECK_EQ(a_num, ((uintptr_t)a - (uintptr_t)l.p[0]) / stride + 1u);
    size_t live_num = ((uintptr_t)l.p[5] - (uintptr_t)l.p[0]) / stride + 1u;
    memcpy(b, &live_num, sizeof live_num);
    RTM_CHECK_STATUS(rtm_pool_check(p), RTM_ERR_CORRUPTED);
    memcpy(b, &a_num, sizeof a_num);
    RTM_CHECK_OK(rtm_pool_check(p));

    /* 4. A flipped bitmap bit: a block in use marked free. */
    size_t meta = (size_t)((unsigned char *)l.p[0] - mem);
    void *blk = NULL;
    size_t byte = 0;
    unsigned char mask = 0;
    RTM_CHECK(find_bit(mem, meta, p, &blk, &byte, &mask));
    RTM_CHECK(blk == c);
    RTM_CHECK_OK(rtm_pool_check(p));
    mem[byte] ^= mask;
    RTM_CHECK_STATUS(rtm_pool_check(p), RTM_ERR_CORRUPTED);
    mem[byte] ^= mask;
    RTM_CHECK_OK(rtm_pool_check(p));
    /* ...and a free block marked in use: b is on the list, its bit set. */
    RTM_CHECK_OK(rtm_pool_free(p, c));
    mem[byte] ^= mask; /* c's bit set again while c is free */
    RTM_CHECK_STATUS(rtm_pool_check(p), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_pool_alloc(p, &out), RTM_ERR_CORRUPTED); /* c would be handed out twice */
    mem[byte] ^= mask;
    RTM_CHECK_OK(rtm_pool_check(p));

    /* 5. A smashed control block. */
    unsigned char ctl[sizeof(size_t)];
    memcpy(ctl, mem + sizeof(size_t), sizeof ctl);
    memset(mem + sizeof(size_t), 0x5a, sizeof ctl);
    RTM_CHECK_STATUS(rtm_pool_check(p), RTM_ERR_CORRUPTED);
    memcpy(mem + sizeof(size_t), ctl, sizeof ctl);
    RTM_CHECK_OK(rtm_pool_check(p));
    RTM_CHECK(rtm_model_verify(l.p[0], 32, 0x1000u));
}

/* Offset of the one aligned 32-bit word of the control area that a call raised
 * by exactly one (a counter), or SIZE_MAX when not exactly one did. The test
 * does not know the private layout. */
static size_t find_counter(const unsigned char *mem, size_t meta, const unsigned char *before)
{
    size_t found = SIZE_MAX;
    for (size_t i = 0; i + 4u <= meta; i += 4u) {
        uint32_t a, b;
        memcpy(&a, before + i, 4u);
        memcpy(&b, mem + i, 4u);
        if (b == a + 1u) {
            if (found != SIZE_MAX) {
                return SIZE_MAX;
            }
            found = i;
        }
    }
    return found;
}

/* The counters wrap at 2^32 like the public fields, and the statistics derived
 * from them stay consistent across the wrap. */
RTM_TEST(pool, counters_wrap_at_32_bits_and_stay_consistent)
{
    static unsigned char before[512];
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048);
    RTM_CHECK(mem != NULL);
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 2048, 32, 8, &p));
    size_t bs = rtm_pool_block_size(p);
    live_set_t l = {{NULL}, 0, 0};
    RTM_CHECK(take(p, &l, 3));
    size_t meta = (size_t)((unsigned char *)l.p[0] - mem);
    RTM_CHECK(meta <= sizeof before);
    /* The deallocation counter: freeing block 3 moves the head 0 -> 3. */
    memcpy(before, mem, meta);
    RTM_CHECK_OK(rtm_pool_free(p, l.p[2]));
    size_t frees_at = find_counter(mem, meta, before);
    RTM_CHECK(frees_at != SIZE_MAX);
    RTM_CHECK_OK(rtm_pool_alloc(p, &l.p[2]));
    rtm_model_fill(l.p[2], l.size, 0x1000u + 2u);
    /* Move it to 4 below the wrap. */
    uint32_t v;
    memcpy(&v, mem + frees_at, 4u);
    v = UINT32_MAX - 3u;
    memcpy(mem + frees_at, &v, 4u);
    RTM_CHECK_OK(rtm_pool_check(p));
    for (unsigned i = 0; i < 3u; i++) {
        RTM_CHECK_OK(rtm_pool_free(p, l.p[i]));
    }
    rtm_alloc_stats_t as;
    rtm_pool_stats(p, &as);
    RTM_CHECK_EQ(as.total_deallocations, UINT32_MAX);
    RTM_CHECK_EQ(as.current_allocations, 0);
    RTM_CHECK_EQ(as.total_allocations, as.total_deallocations);
    RTM_CHECK(take(p, &l, 1));
    void *b = l.p[3];
    RTM_CHECK_OK(rtm_pool_free(p, b)); /* the 2^32nd deallocation */
    RTM_CHECK(take(p, &l, 2));
    rtm_pool_stats(p, &as);
    RTM_CHECK_EQ(as.total_deallocations, 0);
    RTM_CHECK_EQ(as.total_allocations, 2);
    RTM_CHECK_EQ(as.current_allocations, 2);
    RTM_CHECK_EQ(as.bytes_in_use, 2u * bs);
    RTM_CHECK_EQ(as.bytes_allocated - as.bytes_deallocated, (uint64_t)as.bytes_in_use);
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(p, &ps);
    RTM_CHECK_EQ(ps.allocated_blocks, 2);
    RTM_CHECK_EQ(ps.free_blocks, ps.total_blocks - 2u);
    RTM_CHECK_EQ(ps.deallocation_count, 0);
    RTM_CHECK_OK(rtm_pool_check(p));
}

/* A non-NULL handle that is not a pool: memory of every byte value, a pool's
 * handle moved by a word, a copied control block. Every entry point answers a
 * status (or 0 / zeroed statistics) and touches nothing. */
RTM_TEST(pool, garbage_handles_answer_a_status)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096);
    RTM_CHECK(mem != NULL);
    static const unsigned char fills[] = {0x00, 0x01, 0x5a, 0x80, 0xa5, 0xff};
    for (unsigned f = 0; f < sizeof fills; f++) {
        memset(mem, fills[f], 4096);
        rtm_pool_t *g = (rtm_pool_t *)(void *)(mem + 64);
        void *out = &out;
        RTM_CHECK_STATUS(rtm_pool_alloc(g, &out), RTM_ERR_CORRUPTED);
        RTM_CHECK(out == NULL);
        RTM_CHECK_STATUS(rtm_pool_free(g, mem + 1024), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_pool_validate(g, mem + 1024), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_pool_check(g), RTM_ERR_CORRUPTED);
        RTM_CHECK(!rtm_pool_contains(g, mem + 1024));
        RTM_CHECK_EQ(rtm_pool_block_size(g), 0);
        RTM_CHECK_EQ(rtm_pool_footprint(g), 0);
        RTM_CHECK(rtm_pool_memory(g) == NULL);
        RTM_CHECK_EQ(rtm_pool_utilization_permille(g), 0);
        rtm_alloc_stats_t as;
        memset(&as, 0x77, sizeof as);
        rtm_pool_stats(g, &as);
        RTM_CHECK_EQ(as.capacity, 0);
        RTM_CHECK_EQ(as.current_allocations, 0);
        rtm_pool_stats_t ps;
        memset(&ps, 0x77, sizeof ps);
        rtm_pool_get_stats(g, &ps);
        RTM_CHECK_EQ(ps.total_blocks, 0);
        rtm_allocator_t a = rtm_pool_allocator(g);
        RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 0, &out), RTM_ERR_CORRUPTED);
        for (size_t i = 0; i < 4096; i++) {
            RTM_CHECK(mem[i] == fills[f]); /* nothing written */
        }
    }
    /* A real pool, reached through a shifted or a copied handle. */
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 2048, 32, 8, &p));
    void *b = NULL;
    RTM_CHECK_OK(rtm_pool_alloc(p, &b));
    rtm_pool_t *shifted = (rtm_pool_t *)(void *)((unsigned char *)p + sizeof(void *));
    void *out = NULL;
    RTM_CHECK_STATUS(rtm_pool_alloc(shifted, &out), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_pool_free(shifted, b), RTM_ERR_CORRUPTED);
    memcpy(mem + 2048, mem, 512);
    rtm_pool_t *copy = (rtm_pool_t *)(void *)((unsigned char *)p + 2048); /* its control fields copied along */
    RTM_CHECK_STATUS(rtm_pool_alloc(copy, &out), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_pool_free(copy, b), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_pool_check(copy), RTM_ERR_CORRUPTED);
    /* The pool itself is untouched by all that. */
    RTM_CHECK_OK(rtm_pool_check(p));
    RTM_CHECK_OK(rtm_pool_free(p, b));
    RTM_CHECK_OK(rtm_pool_check(p));
}

/* What a walk saw. */
typedef struct walk_log {
    unsigned n, used;
    uintptr_t last;
    size_t size;
    bool ordered;
    unsigned stop_at; /* return RTM_ERR_ACCESS at this visit (0: never) */
} walk_log_t;

static rtm_status_t log_block(void *ctx, const rtm_block_info_t *b)
{
    walk_log_t *w = (walk_log_t *)ctx;
    if (w->n > 0u && (uintptr_t)b->ptr <= w->last) {
        w->ordered = false;
    }
    w->last = (uintptr_t)b->ptr;
    w->size = b->size;
    w->n++;
    w->used += b->used;
    if (b->reserved != 0u || b->used > 1u) {
        w->ordered = false;
    }
    return w->n == w->stop_at ? RTM_ERR_ACCESS : RTM_OK;
}

RTM_TEST(pool, walk_visits_every_block_in_address_order)
{
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048);
    RTM_CHECK(mem != NULL);
    rtm_pool_t *p = NULL;
    RTM_CHECK_OK(rtm_pool_init(mem, 2048, 24, 8, &p));
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(p, &ps);
    live_set_t l = {{NULL}, 0, 0};
    RTM_CHECK(take(p, &l, 20));
    for (unsigned i = 0; i < 20; i += 3) {
        RTM_CHECK_OK(rtm_pool_free(p, l.p[i]));
    }
    walk_log_t w = {0, 0, 0, 0, true, 0};
    RTM_CHECK_OK(rtm_pool_walk(p, log_block, &w));
    RTM_CHECK(w.ordered);
    RTM_CHECK_EQ(w.n, ps.total_blocks);
    RTM_CHECK_EQ(w.used, 20u - 7u);
    RTM_CHECK_EQ(w.size, rtm_pool_block_size(p));
    /* The callback's status stops the walk and comes back. */
    walk_log_t s = {0, 0, 0, 0, true, 5};
    RTM_CHECK_STATUS(rtm_pool_walk(p, log_block, &s), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(s.n, 5);
    RTM_CHECK_STATUS(rtm_pool_walk(p, NULL, &s), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_pool_walk(NULL, log_block, &s), RTM_ERR_INVALID_ARG);
    /* A damaged free block (a wild link written after its free): the walk
     * stops there with CORRUPTED, having visited only the blocks below it. */
    size_t saved, wild = (size_t)0x7fff1234u;
    memcpy(&saved, l.p[9], sizeof saved);
    memcpy(l.p[9], &wild, sizeof wild);
    walk_log_t d = {0, 0, 0, 0, true, 0};
    RTM_CHECK_STATUS(rtm_pool_walk(p, log_block, &d), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(d.n, 9);
    RTM_CHECK(d.last < (uintptr_t)l.p[9]);
    memcpy(l.p[9], &saved, sizeof saved);
    RTM_CHECK_OK(rtm_pool_walk(p, log_block, &w));
    RTM_CHECK_OK(rtm_pool_check(p));
    for (unsigned i = 0; i < 20; i++) {
        RTM_CHECK(i % 3u == 0u || rtm_model_verify(l.p[i], l.size, 0x1000u + i)); /* read-only */
    }
}
