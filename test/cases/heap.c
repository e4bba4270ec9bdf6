/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The O(1) heap: model runs, regions, realloc in place, alignment, misuse. */
#include <string.h>

#include "model.h"
#include "rtm_test.h"

/* A heap over the first `size` bytes of the shared scratch memory, or NULL if
 * this target has too little of it. */
static rtm_heap_t *scratch_heap(size_t size)
{
    void *mem = rtm_test_scratch(size);
    rtm_heap_t *h = NULL;
    if (mem == NULL || rtm_heap_init(mem, size, &h) != RTM_OK) {
        return NULL;
    }
    return h;
}

static rtm_alloc_stats_t stats_of(const rtm_heap_t *h)
{
    rtm_alloc_stats_t st;
    rtm_heap_stats(h, &st);
    return st;
}

/* Fill n bytes at p with a pattern derived from tag / check it. */
static void paint(void *p, size_t n, uint32_t tag)
{
    rtm_model_fill(p, n, tag);
}

static bool intact(const void *p, size_t n, uint32_t tag)
{
    return rtm_model_verify(p, n, tag);
}

static rtm_model_cfg_t model_cfg(rtm_heap_t *h, uint32_t seed, size_t arena, size_t max_size)
{
    rtm_model_cfg_t c;
    memset(&c, 0, sizeof c);
    c.alloc = rtm_heap_allocator(h);
    c.seed = seed;
    c.ops = RTM_TEST_OPS(4000);
    c.min_size = 1;
    c.max_size = max_size;
    c.max_align_log2 = 12; /* up to 4096 */
    c.realloc_pct = 20;
    c.max_live = 200;
    c.arena_lo = (uintptr_t)h;
    c.arena_hi = (uintptr_t)h + arena;
    c.check_free_bytes = true; /* everything coalesces back */
    c.misuse_pct = 5u;
    return c;
}

/* ---- model runs ---- */

RTM_TEST(heap, model_random_sizes_many_arenas)
{
    static const size_t arenas[] = {1024, 4096, 65536, 1024 * 1024};
    static const size_t max_sizes[] = {64, 300, 2000, 20000};
    for (size_t a = 0; a < sizeof arenas / sizeof arenas[0]; a++) {
        for (uint32_t seed = 1; seed <= 3; seed++) {
            rtm_heap_t *h = scratch_heap(arenas[a]);
            if (h == NULL) {
                continue; /* not enough scratch memory on this target */
            }
            rtm_model_cfg_t c = model_cfg(h, seed * 7919u + (uint32_t)a, arenas[a], max_sizes[a]);
            RTM_CHECK_MODEL(&c);
            RTM_CHECK_OK(rtm_heap_check(h));
        }
    }
}

RTM_TEST(heap, model_tiny_blocks_no_realloc_no_align)
{
    rtm_heap_t *h = scratch_heap(8192);
    RTM_CHECK(h != NULL);
    rtm_model_cfg_t c = model_cfg(h, 42u, 8192, 24);
    c.max_align_log2 = 0;
    c.realloc_pct = 0;
    c.max_live = 400;
    RTM_CHECK_MODEL(&c);
}

RTM_TEST(heap, model_over_four_regions)
{
    unsigned char *mem = rtm_test_scratch(64 * 1024);
    RTM_CHECK(mem != NULL);
    rtm_heap_t *h = NULL;
    /* Regions with gaps between them, odd alignments and sizes. */
    RTM_CHECK_OK(rtm_heap_init(mem, 9000, &h));
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 10003, 7001));
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 20001, 12345));
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 40000, 20000));
    RTM_CHECK_OK(rtm_heap_check(h));
    rtm_model_cfg_t c = model_cfg(h, 99u, 60000, 3000);
    RTM_CHECK_MODEL(&c);
    RTM_CHECK_OK(rtm_heap_check(h));
}

/* ---- init and regions ---- */

RTM_TEST(heap, init_bad_input)
{
    unsigned char *mem = rtm_test_scratch(4096);
    RTM_CHECK(mem != NULL);
    rtm_heap_t *h = (rtm_heap_t *)mem;
    RTM_CHECK_STATUS(rtm_heap_init(mem, 4096, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_init(NULL, 4096, &h), RTM_ERR_INVALID_ARG);
    RTM_CHECK(h == NULL);
    RTM_CHECK_STATUS(rtm_heap_init(mem, 0, &h), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_init(mem, RTM_HEAP_MIN_ARENA - 1u, &h), RTM_ERR_INVALID_ARG);
    /* Misaligned memory loses the bytes up to the next 8-byte boundary. */
    RTM_CHECK_STATUS(rtm_heap_init(mem + 3, RTM_HEAP_MIN_ARENA + 4u, &h), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_heap_init(mem + 3, RTM_HEAP_MIN_ARENA + 5u, &h));
    RTM_CHECK(((uintptr_t)h & 7u) == 0u);
    RTM_CHECK_OK(rtm_heap_check(h));
    void *p = NULL;
    RTM_CHECK_OK(rtm_heap_alloc(h, 12, 0, &p)); /* exactly one 16-byte block */
    RTM_CHECK(((uintptr_t)p & 7u) == 0u);
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 1, 0, &p), RTM_ERR_NO_MEMORY);
    /* The smallest arena holds one 16-byte block. */
    RTM_CHECK_OK(rtm_heap_init(mem, RTM_HEAP_MIN_ARENA, &h));
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.capacity, 12);
    RTM_CHECK_EQ(st.largest_free_block, 12);
    RTM_CHECK_EQ(st.flags, RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY);
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, regions_bad_input_and_limits)
{
    unsigned char *mem = rtm_test_scratch(16384);
    RTM_CHECK(mem != NULL);
    rtm_heap_t *h = NULL;
    RTM_CHECK_OK(rtm_heap_init(mem, 4096, &h));
    RTM_CHECK_STATUS(rtm_heap_add_region(NULL, mem + 8192, 1024), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_add_region(h, NULL, 1024), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_add_region(h, mem + 8192, RTM_HEAP_MIN_REGION - 1u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_add_region(h, mem + 4000, 1024), RTM_ERR_OVERLAP);   /* tail of region 0 */
    RTM_CHECK_STATUS(rtm_heap_add_region(h, mem + 100, 64), RTM_ERR_OVERLAP);      /* control block */
    RTM_CHECK_STATUS(rtm_heap_add_region(h, mem - 512, 1024), RTM_ERR_OVERLAP);    /* covers its start */
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 8192, RTM_HEAP_MIN_REGION));
    RTM_CHECK_STATUS(rtm_heap_add_region(h, mem + 8200, 1024), RTM_ERR_OVERLAP);
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 9000, 1000));
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 12000, 1000));
    RTM_CHECK_STATUS(rtm_heap_add_region(h, mem + 14000, 1000), RTM_ERR_NO_MEMORY); /* table full */
    RTM_CHECK_OK(rtm_heap_check(h));
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.capacity, st.free_bytes);
    /* The 16-byte region serves a 12-byte request once everything else is taken. */
    void *big = NULL;
    RTM_CHECK_OK(rtm_heap_alloc(h, st.largest_free_block, 0, &big));
    RTM_CHECK(big != NULL);
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, region_below_the_control_block)
{
    unsigned char *mem = rtm_test_scratch(16384);
    RTM_CHECK(mem != NULL);
    rtm_heap_t *h = NULL;
    RTM_CHECK_OK(rtm_heap_init(mem + 8192, 4096, &h));
    rtm_status_t st = rtm_heap_add_region(h, mem, 4096);
    if (sizeof(void *) > 4u) {
        /* 32-bit links are offsets upwards from the control block. */
        RTM_CHECK_STATUS(st, RTM_ERR_UNSUPPORTED);
        RTM_CHECK_EQ(stats_of(h).capacity, stats_of(h).free_bytes);
    } else {
        RTM_CHECK_OK(st);
        void *a = NULL;
        void *b = NULL;
        RTM_CHECK_OK(rtm_heap_alloc(h, 3000, 0, &a));
        RTM_CHECK_OK(rtm_heap_alloc(h, 3000, 0, &b));
        RTM_CHECK(((unsigned char *)a < mem + 4096) != ((unsigned char *)b < mem + 4096));
        RTM_CHECK_OK(rtm_heap_free(h, a));
        RTM_CHECK_OK(rtm_heap_free(h, b));
    }
    RTM_CHECK_OK(rtm_heap_check(h));
}

/* ---- allocation ---- */

RTM_TEST(heap, alloc_bad_input)
{
    rtm_heap_t *h = scratch_heap(4096);
    RTM_CHECK(h != NULL);
    void *p = &p;
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 8, 0, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_alloc(NULL, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    p = &p;
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 0, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    static const size_t bad_align[] = {3, 5, 6, 7, 12, 24, 100, 4097};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        p = &p;
        RTM_CHECK_STATUS(rtm_heap_alloc(h, 8, bad_align[i], &p), RTM_ERR_ALIGNMENT);
        RTM_CHECK(p == NULL);
    }
    /* Sizes no heap could hold, near-overflow sizes, and this heap's limit. */
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 3u, SIZE_MAX - 11u, SIZE_MAX / 2u, 0x80000000u, 0x7ffffffdu,
                                  0x7ffffffcu, RTM_HEAP_MAX_REQUEST + 1u, 4096u};
    const size_t nhuge = sizeof huge / sizeof huge[0];
    for (size_t i = 0; i < nhuge; i++) {
        p = &p;
        RTM_CHECK_STATUS(rtm_heap_alloc(h, huge[i], 0, &p), RTM_ERR_NO_MEMORY);
        RTM_CHECK(p == NULL);
        RTM_CHECK_STATUS(rtm_heap_alloc(h, huge[i], 16, &p), RTM_ERR_NO_MEMORY);
    }
    /* Alignments no block of this heap can meet. */
    /* 4096 is met only where a multiple of 4096 falls inside the heap's block. */
    rtm_status_t st4k = rtm_heap_alloc(h, 8, 4096, &p);
    RTM_CHECK(st4k == RTM_ERR_NO_MEMORY || (st4k == RTM_OK && ((uintptr_t)p & 4095u) == 0u));
    if (st4k == RTM_OK) {
        RTM_CHECK_OK(rtm_heap_free(h, p));
    }
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 8, (size_t)1 << 30, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 8, ~(SIZE_MAX >> 1), &p), RTM_ERR_NO_MEMORY);
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.allocation_failures, 2u * nhuge + 2u + (st4k == RTM_OK ? 0u : 1u));
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK_OK(rtm_heap_check(h));
    /* Sizes 1..4 and alignments 1, 2, 4 take the general path and still work. */
    void *q[8];
    for (size_t i = 0; i < 8; i++) {
        RTM_CHECK_OK(rtm_heap_alloc(h, 1 + i % 4, (size_t)1 << (i % 4), &q[i]));
        RTM_CHECK(((uintptr_t)q[i] & 7u) == 0u);
        RTM_CHECK_EQ(rtm_heap_usable_size(h, q[i]), 12);
    }
    for (size_t i = 0; i < 8; i++) {
        RTM_CHECK_OK(rtm_heap_free(h, q[i]));
    }
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, blocks_are_8_aligned_and_cost_4_bytes)
{
    rtm_heap_t *h = scratch_heap(65536);
    RTM_CHECK(h != NULL);
    unsigned char *prev = NULL;
    for (size_t size = 1; size <= 300; size++) {
        void *p = NULL;
        RTM_CHECK_OK(rtm_heap_alloc(h, size, 0, &p));
        RTM_CHECK(((uintptr_t)p & 7u) == 0u);
        size_t usable = rtm_heap_usable_size(h, p);
        size_t want = (size + RTM_HEAP_BLOCK_OVERHEAD + 7u) & ~(size_t)7u;
        RTM_CHECK_EQ(usable + RTM_HEAP_BLOCK_OVERHEAD, want < 16u ? 16u : want);
        /* Consecutive blocks: exactly the usable size plus the 4-byte header apart. */
        if (prev != NULL) {
            RTM_CHECK_EQ((unsigned char *)p - prev, rtm_heap_usable_size(h, prev) + 4u);
        }
        prev = (unsigned char *)p;
    }
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, aligned_allocation_every_power_of_two)
{
    rtm_heap_t *h = scratch_heap(65536);
    RTM_CHECK(h != NULL);
    void *keep[13];
    for (size_t i = 0; i < 13; i++) {
        size_t align = (size_t)1 << i;
        RTM_CHECK_OK(rtm_heap_alloc(h, 24 + i * 40, align, &keep[i]));
        RTM_CHECK(((uintptr_t)keep[i] & (align - 1u)) == 0u);
        RTM_CHECK(((uintptr_t)keep[i] & 7u) == 0u);
        paint(keep[i], 24 + i * 40, (uint32_t)i);
        RTM_CHECK_OK(rtm_heap_check(h));
    }
    for (size_t i = 0; i < 13; i++) {
        RTM_CHECK(intact(keep[i], 24 + i * 40, (uint32_t)i));
    }
    for (size_t i = 0; i < 13; i += 2) {
        RTM_CHECK_OK(rtm_heap_free(h, keep[i]));
    }
    for (size_t i = 1; i < 13; i += 2) {
        RTM_CHECK_OK(rtm_heap_free(h, keep[i]));
    }
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK_EQ(st.largest_free_block, st.capacity);
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, exhaustion_then_recovery_and_exact_largest)
{
    rtm_heap_t *h = scratch_heap(4096);
    RTM_CHECK(h != NULL);
    rtm_alloc_stats_t st = stats_of(h);
    size_t largest = st.largest_free_block;
    void *p = NULL;
    RTM_CHECK_STATUS(rtm_heap_alloc(h, largest + 1u, 0, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_OK(rtm_heap_alloc(h, largest, 0, &p));
    RTM_CHECK_EQ(stats_of(h).largest_free_block, 0);
    void *q = NULL;
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 1, 0, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK_OK(rtm_heap_free(h, p));
    /* Fill with small blocks, free every other one: the largest request that
     * succeeds is what stats promised, one byte more fails. */
    void *blk[256];
    size_t n = 0;
    while (n < 256 && rtm_heap_alloc(h, 40, 0, &blk[n]) == RTM_OK) {
        n++;
    }
    RTM_CHECK(n > 20);
    size_t left = stats_of(h).free_bytes; /* the tail too small for one more */
    RTM_CHECK(left < 44u);
    for (size_t i = 0; i + 2 < n; i += 2) {
        RTM_CHECK_OK(rtm_heap_free(h, blk[i]));
    }
    st = stats_of(h);
    RTM_CHECK_EQ(st.largest_free_block, 44);
    RTM_CHECK_EQ(st.free_bytes, left + (n - 1u) / 2u * 44u);
    RTM_CHECK_STATUS(rtm_heap_alloc(h, 45, 0, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_OK(rtm_heap_alloc(h, 44, 0, &p));
    RTM_CHECK_OK(rtm_heap_free(h, p));
    for (size_t i = 0; i < n; i++) {
        if (i % 2u == 1u || i + 2 >= n) {
            RTM_CHECK_OK(rtm_heap_free(h, blk[i]));
        }
    }
    st = stats_of(h);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK_EQ(st.largest_free_block, st.capacity);
    RTM_CHECK(st.allocation_failures >= 3u);
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, stats_follow_the_contract)
{
    rtm_heap_t *h = scratch_heap(8192);
    RTM_CHECK(h != NULL);
    rtm_alloc_stats_t st0 = stats_of(h);
    RTM_CHECK_EQ(st0.capacity, st0.free_bytes);
    void *a = NULL;
    void *b = NULL;
    RTM_CHECK_OK(rtm_heap_alloc(h, 100, 0, &a)); /* usable 100 */
    RTM_CHECK_OK(rtm_heap_alloc(h, 10, 0, &b));  /* usable 12 */
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.bytes_in_use, 112);
    RTM_CHECK_EQ(st.bytes_allocated, 112);
    RTM_CHECK_EQ(st.current_allocations, 2);
    RTM_CHECK_EQ(st.free_bytes, st0.free_bytes - 112 - 8);
    RTM_CHECK_OK(rtm_heap_free(h, a));
    st = stats_of(h);
    RTM_CHECK_EQ(st.bytes_in_use, 12);
    RTM_CHECK_EQ(st.bytes_deallocated, 100);
    RTM_CHECK_EQ(st.peak_memory_usage, 112);
    RTM_CHECK_EQ(st.free_bytes, st0.free_bytes - 12 - 4 - 4); /* two free blocks now */
    RTM_CHECK_EQ(st.total_allocations - st.total_deallocations, st.current_allocations);
    rtm_heap_stats(h, NULL); /* must not crash */
    rtm_heap_stats(NULL, &st);
    RTM_CHECK_EQ(st.total_allocations, 0);
    RTM_CHECK_EQ(st.flags, 0);
}

/* ---- realloc ---- */

RTM_TEST(heap, realloc_in_place_shrink_and_grow)
{
    rtm_heap_t *h = scratch_heap(8192);
    RTM_CHECK(h != NULL);
    void *a = NULL;
    void *b = NULL;
    void *c = NULL;
    RTM_CHECK_OK(rtm_heap_alloc(h, 400, 0, &a));
    RTM_CHECK_OK(rtm_heap_alloc(h, 64, 0, &b));
    paint(a, 400, 1);
    paint(b, 64, 2);
    /* Shrink: same address, the tail becomes a free block. */
    RTM_CHECK_OK(rtm_heap_realloc(h, a, 100, 0, &c));
    RTM_CHECK(c == a);
    RTM_CHECK(intact(a, 100, 1));
    RTM_CHECK_EQ(rtm_heap_usable_size(h, a), 100);
    RTM_CHECK_OK(rtm_heap_check(h));
    /* Grow back into that free tail: same address. */
    RTM_CHECK_OK(rtm_heap_realloc(h, a, 396, 0, &c));
    RTM_CHECK(c == a);
    RTM_CHECK(intact(a, 100, 1));
    RTM_CHECK_OK(rtm_heap_check(h));
    /* b is followed by the big free block: grows in place too. */
    RTM_CHECK_OK(rtm_heap_realloc(h, b, 3000, 0, &c));
    RTM_CHECK(c == b);
    RTM_CHECK(intact(b, 64, 2));
    /* a is now boxed in by b: growing moves it, contents kept. */
    paint(a, 396, 3);
    RTM_CHECK_OK(rtm_heap_realloc(h, a, 1000, 0, &c));
    RTM_CHECK(c != a);
    RTM_CHECK(intact(c, 396, 3));
    RTM_CHECK_EQ(rtm_heap_usable_size(h, a), 0);
    RTM_CHECK_OK(rtm_heap_check(h));
    /* A shrink by less than a block keeps the block as it is. */
    size_t u = rtm_heap_usable_size(h, c);
    RTM_CHECK_OK(rtm_heap_realloc(h, c, u - 7u, 0, &a));
    RTM_CHECK(a == c);
    RTM_CHECK_EQ(rtm_heap_usable_size(h, c), u);
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.current_allocations, 2);
    RTM_CHECK_EQ(st.bytes_in_use, u + rtm_heap_usable_size(h, b));
    RTM_CHECK_OK(rtm_heap_check(h));
}

RTM_TEST(heap, realloc_edge_cases)
{
    rtm_heap_t *h = scratch_heap(4096);
    RTM_CHECK(h != NULL);
    void *p = &p;
    void *q = NULL;
    RTM_CHECK_STATUS(rtm_heap_realloc(h, NULL, 16, 0, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_realloc(NULL, NULL, 16, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_OK(rtm_heap_realloc(h, NULL, 40, 0, &p)); /* NULL: allocate */
    RTM_CHECK(p != NULL);
    paint(p, 40, 9);
    RTM_CHECK_STATUS(rtm_heap_realloc(h, p, 40, 3, &q), RTM_ERR_ALIGNMENT);
    RTM_CHECK(q == NULL);
    RTM_CHECK_STATUS(rtm_heap_realloc(h, p, SIZE_MAX, 0, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_heap_realloc(h, p, 5000, 0, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK(q == NULL);
    RTM_CHECK(intact(p, 40, 9)); /* untouched after every failure */
    RTM_CHECK_STATUS(rtm_heap_realloc(h, (unsigned char *)p + 8, 80, 0, &q), RTM_ERR_INVALID_POINTER);
    /* A stricter alignment than the block has moves it. */
    size_t strict = ((uintptr_t)p & (0u - (uintptr_t)p)) * 2u; /* twice p's own alignment */
    RTM_CHECK_OK(rtm_heap_realloc(h, p, 40, strict, &q));
    RTM_CHECK(q != p && ((uintptr_t)q & (strict - 1u)) == 0u);
    RTM_CHECK(intact(q, 40, 9));
    RTM_CHECK_STATUS(rtm_heap_realloc(h, p, 80, 0, &p), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_heap_realloc(h, q, 0, 0, &p)); /* size 0: free */
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_heap_free(h, q), RTM_ERR_DOUBLE_FREE);
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK_OK(rtm_heap_check(h));
}

/* ---- misuse ---- */

/* Three live blocks a, b, c with painted contents; all misuse tests start here. */
struct trio {
    rtm_heap_t *h;
    unsigned char *a, *b, *c;
};

static bool trio_make(struct trio *t, size_t arena)
{
    t->h = scratch_heap(arena);
    if (t->h == NULL) {
        return false;
    }
    void *p[3];
    for (int i = 0; i < 3; i++) {
        if (rtm_heap_alloc(t->h, 40u + 16u * (size_t)i, 0, &p[i]) != RTM_OK) {
            return false;
        }
        paint(p[i], 40u + 16u * (size_t)i, 100u + (uint32_t)i);
    }
    t->a = p[0];
    t->b = p[1];
    t->c = p[2];
    return true;
}

static bool trio_intact(const struct trio *t)
{
    return intact(t->a, 40, 100) && intact(t->b, 56, 101) && intact(t->c, 72, 102);
}

/* The heap still serves and frees after a refused operation. */
static bool still_works(rtm_heap_t *h)
{
    void *p = NULL;
    if (rtm_heap_alloc(h, 100, 0, &p) != RTM_OK || rtm_heap_check(h) != RTM_OK) {
        return false;
    }
    return rtm_heap_free(h, p) == RTM_OK && rtm_heap_check(h) == RTM_OK;
}

RTM_TEST(heap, free_bad_pointers)
{
    struct trio t;
    RTM_CHECK(trio_make(&t, 8192));
    unsigned char local[64];
    static unsigned char global[64];
    RTM_CHECK_STATUS(rtm_heap_free(NULL, t.a), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, NULL), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, local + 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, global + 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, (unsigned char *)t.h + 8192 + 64), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, (unsigned char *)t.h), RTM_ERR_INVALID_POINTER); /* control */
    RTM_CHECK_STATUS(rtm_heap_free(t.h, (unsigned char *)t.h + 64), RTM_ERR_INVALID_POINTER);
    /* Interior pointers: misaligned, and aligned ones inside a live block. */
    static const size_t inside[] = {1, 4, 7, 8, 16, 24, 32, 48};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        void *q = &q;
        RTM_CHECK_STATUS(rtm_heap_free(t.h, t.b + inside[i]), RTM_ERR_INVALID_POINTER);
        RTM_CHECK_STATUS(rtm_heap_realloc(t.h, t.b + inside[i], 8, 0, &q), RTM_ERR_INVALID_POINTER);
        RTM_CHECK(q == NULL);
        RTM_CHECK_EQ(rtm_heap_usable_size(t.h, t.b + inside[i]), 0);
    }
    RTM_CHECK_EQ(rtm_heap_usable_size(NULL, t.b), 0);
    RTM_CHECK_OK(rtm_heap_check(t.h));
    RTM_CHECK(trio_intact(&t));
    RTM_CHECK(still_works(t.h));
    rtm_alloc_stats_t st = stats_of(t.h);
    RTM_CHECK_EQ(st.current_allocations, 3);
}

RTM_TEST(heap, double_free_every_way)
{
    struct trio t;
    RTM_CHECK(trio_make(&t, 8192));
    /* Plain: b freed twice (b is between two live blocks). */
    RTM_CHECK_OK(rtm_heap_free(t.h, t.b));
    RTM_CHECK_STATUS(rtm_heap_free(t.h, t.b), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_heap_check(t.h));
    /* c merges backwards into b's free block: c's stale header must still say free. */
    RTM_CHECK_OK(rtm_heap_free(t.h, t.c));
    RTM_CHECK_STATUS(rtm_heap_free(t.h, t.c), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, t.b), RTM_ERR_DOUBLE_FREE);
    /* a merges forwards with the free block after it. */
    RTM_CHECK_OK(rtm_heap_free(t.h, t.a));
    RTM_CHECK_STATUS(rtm_heap_free(t.h, t.a), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_heap_realloc(t.h, t.a, 10, 0, (void **)&t.b), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_EQ(rtm_heap_usable_size(t.h, t.c), 0);
    RTM_CHECK_OK(rtm_heap_check(t.h));
    rtm_alloc_stats_t st = stats_of(t.h);
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK(still_works(t.h));
}

RTM_TEST(heap, pointer_into_the_gap_between_regions)
{
    unsigned char *mem = rtm_test_scratch(16384);
    RTM_CHECK(mem != NULL);
    rtm_heap_t *h = NULL;
    RTM_CHECK_OK(rtm_heap_init(mem, 4096, &h));
    RTM_CHECK_OK(rtm_heap_add_region(h, mem + 8192, 4096));
    void *p = NULL;
    void *q = NULL;
    RTM_CHECK_OK(rtm_heap_alloc(h, 3000, 0, &p));
    RTM_CHECK_OK(rtm_heap_alloc(h, 3000, 0, &q)); /* one in each region */
    RTM_CHECK(((unsigned char *)p >= mem + 8192) != ((unsigned char *)q >= mem + 8192));
    RTM_CHECK_STATUS(rtm_heap_free(h, mem + 6000), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(h, mem + 4096 + 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(h, mem + 8192 + 4096 + 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_heap_free(h, mem + 8192), RTM_ERR_INVALID_POINTER); /* before its first block */
    RTM_CHECK_OK(rtm_heap_check(h));
    RTM_CHECK_OK(rtm_heap_free(h, p));
    RTM_CHECK_STATUS(rtm_heap_free(h, p), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_OK(rtm_heap_free(h, q));
    RTM_CHECK_STATUS(rtm_heap_free(h, q), RTM_ERR_DOUBLE_FREE);
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK(still_works(h));
}

/* Every region answers misuse the same way: the fourth as the first. */
RTM_TEST(heap, misuse_in_every_region)
{
    unsigned char *mem = rtm_test_scratch(16384);
    RTM_CHECK(mem != NULL);
    /* Nothing left by earlier tests: the interior pointers below must land
     * on words this test knows (zeros), not on another test's headers. */
    memset(mem, 0, 16384);
    rtm_heap_t *h = NULL;
    RTM_CHECK_OK(rtm_heap_init(mem, 2048, &h));
    for (size_t r = 1; r < RTM_HEAP_MAX_REGIONS; r++) {
        RTM_CHECK_OK(rtm_heap_add_region(h, mem + 4096 * r, 2048));
    }
    /* 1600 bytes fit once in each region, never twice. */
    unsigned char *blk[RTM_HEAP_MAX_REGIONS];
    bool seen[RTM_HEAP_MAX_REGIONS] = {false};
    for (size_t i = 0; i < RTM_HEAP_MAX_REGIONS; i++) {
        void *p = NULL;
        RTM_CHECK_OK(rtm_heap_alloc(h, 1600, 0, &p));
        size_t r = (size_t)((unsigned char *)p - mem) / 4096u;
        RTM_CHECK(r < RTM_HEAP_MAX_REGIONS && !seen[r]);
        seen[r] = true;
        blk[r] = p;
    }
    for (size_t r = 0; r < RTM_HEAP_MAX_REGIONS; r++) {
        unsigned char *gap = mem + 4096 * r + 3072; /* after the region, before the next */
        void *q = &q;
        RTM_CHECK_STATUS(rtm_heap_free(h, gap), RTM_ERR_INVALID_POINTER);
        RTM_CHECK_STATUS(rtm_heap_free(h, blk[r] + 8), RTM_ERR_INVALID_POINTER);
        RTM_CHECK_STATUS(rtm_heap_free(h, blk[r] + 3), RTM_ERR_INVALID_POINTER);
        RTM_CHECK_STATUS(rtm_heap_realloc(h, blk[r] + 16, 8, 0, &q), RTM_ERR_INVALID_POINTER);
        RTM_CHECK(q == NULL);
        RTM_CHECK_EQ(rtm_heap_usable_size(h, blk[r]), 1604);
        RTM_CHECK_OK(rtm_heap_check(h));
        RTM_CHECK_OK(rtm_heap_free(h, blk[r]));
        RTM_CHECK_STATUS(rtm_heap_free(h, blk[r]), RTM_ERR_DOUBLE_FREE);
        RTM_CHECK_EQ(rtm_heap_usable_size(h, blk[r]), 0);
        RTM_CHECK_OK(rtm_heap_check(h));
    }
    rtm_alloc_stats_t st = stats_of(h);
    RTM_CHECK_EQ(st.current_allocations, 0);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
    RTM_CHECK(still_works(h));
}

/*
 * A second free after the memory was handed out again, when its new owner has
 * written only the first byte of the old header: every value of that byte is
 * refused, whether the block had merged into the free block before it or the
 * block before had merged with it.
 */
RTM_TEST(heap, double_free_after_reuse_of_a_partly_overwritten_header)
{
    for (int order = 0; order < 2; order++) {
        struct trio t;
        RTM_CHECK(trio_make(&t, 8192));
        RTM_CHECK_OK(rtm_heap_free(t.h, order == 0 ? t.a : t.b));
        RTM_CHECK_OK(rtm_heap_free(t.h, order == 0 ? t.b : t.a));
        unsigned char *x = NULL;
        RTM_CHECK_OK(rtm_heap_alloc(t.h, 48, 0, (void **)&x));
        RTM_CHECK(x == t.a && t.b <= x + rtm_heap_usable_size(t.h, x)); /* b's old header is x's now */
        rtm_alloc_stats_t before = stats_of(t.h);
        for (unsigned v = 0; v < 256u; v++) {
            t.b[-4] = (unsigned char)v;
            rtm_status_t st = rtm_heap_free(t.h, t.b);
            RTM_CHECK(st == RTM_ERR_DOUBLE_FREE || st == RTM_ERR_INVALID_POINTER);
            rtm_alloc_stats_t after = stats_of(t.h);
            RTM_CHECK(memcmp(&before, &after, sizeof before) == 0);
        }
        RTM_CHECK_OK(rtm_heap_check(t.h));
        RTM_CHECK(intact(t.c, 72, 102));
        RTM_CHECK_OK(rtm_heap_free(t.h, x));
        RTM_CHECK(still_works(t.h));
    }
}

RTM_TEST(heap, overrun_into_next_header_is_caught)
{
    struct trio t;
    RTM_CHECK(trio_make(&t, 8192));
    /* a's payload is 44 usable bytes; write 4 bytes past it: b's header. */
    size_t ua = rtm_heap_usable_size(t.h, t.a);
    uint32_t saved;
    memcpy(&saved, t.a + ua, 4);
    static const uint32_t junk[] = {0u, 0xffffffffu, 0x41414141u, 0x00000031u, 0x12u};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        memcpy(t.a + ua, &junk[i], 4);
        RTM_CHECK_STATUS(rtm_heap_free(t.h, t.a), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_heap_check(t.h), RTM_ERR_CORRUPTED);
        RTM_CHECK(rtm_heap_free(t.h, t.b) != RTM_OK); /* b's own header no longer decodes */
        RTM_CHECK_EQ(rtm_heap_usable_size(t.h, t.b), 0);
        /* Everything else still works: c, and new blocks. */
        void *p = NULL;
        RTM_CHECK_OK(rtm_heap_alloc(t.h, 200, 0, &p));
        RTM_CHECK_OK(rtm_heap_free(t.h, p));
    }
    memcpy(t.a + ua, &saved, 4); /* undo the overrun: consistent again */
    RTM_CHECK_OK(rtm_heap_check(t.h));
    RTM_CHECK(trio_intact(&t));
    RTM_CHECK(still_works(t.h));
    RTM_CHECK_OK(rtm_heap_free(t.h, t.a));
    RTM_CHECK_OK(rtm_heap_free(t.h, t.b));
    RTM_CHECK_OK(rtm_heap_free(t.h, t.c));
    rtm_alloc_stats_t st = stats_of(t.h);
    RTM_CHECK_EQ(st.free_bytes, st.capacity);
}

RTM_TEST(heap, check_catches_deliberate_corruption)
{
    struct trio t;
    RTM_CHECK(trio_make(&t, 8192));
    RTM_CHECK_OK(rtm_heap_free(t.h, t.b)); /* a free block between a and c */
    RTM_CHECK_OK(rtm_heap_check(t.h));
    uint32_t w;
    /* 1: its list link. */
    memcpy(&w, t.b, 4);
    uint32_t bad = w ^ 0x40u;
    memcpy(t.b, &bad, 4);
    RTM_CHECK_STATUS(rtm_heap_check(t.h), RTM_ERR_CORRUPTED);
    memcpy(t.b, &w, 4);
    RTM_CHECK_OK(rtm_heap_check(t.h));
    /* 2: its boundary tag (the last word of the free block). */
    unsigned char *tag = t.c - 8;
    memcpy(&w, tag, 4);
    bad = w + 8u;
    memcpy(tag, &bad, 4);
    RTM_CHECK_STATUS(rtm_heap_check(t.h), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_heap_free(t.h, t.c), RTM_ERR_CORRUPTED); /* c would merge backwards */
    memcpy(tag, &w, 4);
    RTM_CHECK_OK(rtm_heap_check(t.h));
    /* 3: a used header's size bits. */
    rtm_alloc_stats_t st = stats_of(t.h);
    unsigned char *p = NULL;
    RTM_CHECK_OK(rtm_heap_alloc(t.h, 1, 0, (void **)&p));
    memcpy(&w, p - 4, 4);
    bad = w ^ 0x100u;
    memcpy(p - 4, &bad, 4);
    RTM_CHECK_STATUS(rtm_heap_check(t.h), RTM_ERR_CORRUPTED);
    memcpy(p - 4, &w, 4);
    RTM_CHECK_OK(rtm_heap_free(t.h, p));
    RTM_CHECK_EQ(stats_of(t.h).current_allocations, st.current_allocations);
    RTM_CHECK(intact(t.a, 40, 100) && intact(t.c, 72, 102));
    RTM_CHECK_OK(rtm_heap_check(t.h));
}

/* ---- the generic interface ---- */

RTM_TEST(heap, through_the_allocator_interface)
{
    rtm_heap_t *h = scratch_heap(4096);
    RTM_CHECK(h != NULL);
    rtm_allocator_t a = rtm_heap_allocator(h);
    RTM_CHECK(a.ops != NULL && a.ctx == h);
    RTM_CHECK_EQ(a.ops->size, sizeof(rtm_allocator_ops_t));
    RTM_CHECK(a.ops->reallocate != NULL && a.ops->stats != NULL && a.ops->check != NULL);
    void *p = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 100, 64, &p));
    RTM_CHECK(((uintptr_t)p & 63u) == 0u);
    paint(p, 100, 5);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p, 100, 200, 64, &p));
    RTM_CHECK(intact(p, 100, 5));
    rtm_alloc_stats_t st;
    rtm_allocator_stats(&a, &st);
    RTM_CHECK_EQ(st.current_allocations, 1);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p, 0));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 0), RTM_ERR_DOUBLE_FREE);
    rtm_allocator_t none = rtm_heap_allocator(NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&none, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_check(&none), RTM_ERR_INVALID_ARG);
}
