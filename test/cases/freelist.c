/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Free-list heap (rtmem/freelist.h): model runs, coalescing in every order,
 * realloc in place, the split minimum, aligned gaps, the bad-input matrix and
 * deliberate corruption of a header and of a free-list link. */
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

static rtm_alloc_stats_t stats_of(const rtm_freelist_t *h)
{
    rtm_alloc_stats_t st;
    rtm_freelist_stats(h, &st);
    return st;
}

static size_t gap(const void *lo, const void *hi)
{
    return (size_t)((const unsigned char *)hi - (const unsigned char *)lo);
}

/* A heap with live blocks A, B, C (fill patterns), a free hole X between A
 * and B, and the free rest of the heap after C. `hdr` is the header size,
 * measured from two adjacent blocks. */
typedef struct fx {
    rtm_freelist_t *h;
    unsigned char *mem;
    size_t size;
    void *p[3];
    size_t n[3];
    void *hole;
    size_t hdr;
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
    if (rtm_freelist_init(f->mem, size, &f->h) != RTM_OK) {
        return false;
    }
    static const size_t sizes[3] = {24u, 40u, 16u};
    for (int i = 0; i < 3; i++) {
        f->n[i] = sizes[i];
        if (rtm_freelist_alloc(f->h, sizes[i], 0u, &f->p[i]) != RTM_OK) {
            return false;
        }
        rtm_model_fill(f->p[i], f->n[i], (uint32_t)i + 1u);
        if (i == 0 && rtm_freelist_alloc(f->h, 48u, 0u, &f->hole) != RTM_OK) {
            return false;
        }
    }
    f->hdr = gap(f->p[0], f->hole) - rtm_freelist_usable_size(f->h, f->p[0]);
    return rtm_freelist_free(f->h, f->hole) == RTM_OK;
}

/* The heap passes its check and every live block still holds its pattern. */
static bool fx_intact(const fx_t *f)
{
    if (rtm_freelist_check(f->h) != RTM_OK) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (!rtm_model_verify(f->p[i], f->n[i], (uint32_t)i + 1u)) {
            return false;
        }
    }
    return stats_of(f->h).current_allocations == 3u;
}

static rtm_model_result_t model(unsigned char *mem, size_t arena, uint32_t seed, size_t min_size,
                                size_t max_size, size_t align_log2, unsigned max_live)
{
    rtm_model_result_t fail = {RTM_MODEL_NEVER_ALLOCATED, 0u, RTM_OK, 0u, 0u, 0u};
    rtm_freelist_t *h = NULL;
    if (mem == NULL || rtm_freelist_init(mem, arena, &h) != RTM_OK) {
        return fail;
    }
    rtm_model_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = rtm_freelist_allocator(h);
    cfg.seed = seed;
    cfg.ops = RTM_TEST_OPS(3000);
    cfg.min_size = min_size;
    cfg.max_size = max_size;
    cfg.max_align_log2 = align_log2;
    cfg.default_align = 8u;
    cfg.realloc_pct = 25u;
    cfg.max_live = max_live;
    cfg.arena_lo = (uintptr_t)mem;
    cfg.arena_hi = (uintptr_t)mem + arena;
    cfg.check_free_bytes = true; /* coalescing must give the whole arena back */
    cfg.misuse_pct = 5u;
    return rtm_model_run(&cfg);
}

#define MODEL_SEEDS(arena, skew, min_size, max_size, align_log2, max_live)                \
    do {                                                                                 \
        static const uint32_t seeds_[] = {1u, 0xbadc0deu, 20240611u, 77u};               \
        unsigned char *mem_ = (unsigned char *)rtm_test_scratch((arena) + (skew));       \
        if (mem_ == NULL) {                                                              \
            break; /* this target has no room for the arena: skip the size */           \
        }                                                                                \
        for (size_t s_ = 0; s_ < sizeof seeds_ / sizeof seeds_[0]; s_++) {               \
            rtm_model_result_t r_ = model(mem_ + (skew), (arena), seeds_[s_], (min_size), \
                                          (max_size), (align_log2), (max_live));          \
            RTM_CHECK_EQ(r_.failure, RTM_MODEL_OK);                                      \
            RTM_CHECK(r_.allocations > 0u);                                              \
        }                                                                                \
    } while (0)

/* ---- model runs ---- */

RTM_TEST(freelist, model_512b)
{
    MODEL_SEEDS(512u, 0u, 1u, 48u, 6u, 32u);
}

RTM_TEST(freelist, model_4k)
{
    MODEL_SEEDS(4096u, 0u, 1u, 300u, 8u, 64u);
}

RTM_TEST(freelist, model_64k)
{
    MODEL_SEEDS(65536u, 0u, 1u, 4000u, 9u, 128u);
}

RTM_TEST(freelist, model_1m)
{
    MODEL_SEEDS(1024u * 1024u, 0u, 1u, 40000u, 12u, 256u);
}

RTM_TEST(freelist, model_many_small_blocks)
{
    MODEL_SEEDS(65536u, 0u, 1u, 64u, 5u, 512u);
}

RTM_TEST(freelist, model_misaligned_arena)
{
    MODEL_SEEDS(8192u, 5u, 1u, 500u, 8u, 64u);
}

/* ---- coalescing ---- */

RTM_TEST(freelist, coalesces_both_neighbours_in_every_order)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    static const int orders[6][3] = {{1, 2, 3}, {1, 3, 2}, {2, 1, 3}, {2, 3, 1}, {3, 1, 2}, {3, 2, 1}};
    unsigned char *mem = (unsigned char *)rtm_test_scratch(4096u);
    rtm_freelist_t *h = NULL;
    RTM_CHECK_OK(rtm_freelist_init(mem, 4096u, &h));
    size_t whole = stats_of(h).largest_free_block;
    void *p[5];
    for (int i = 0; i < 4; i++) {
        RTM_CHECK_OK(rtm_freelist_alloc(h, 100u, 0u, &p[i]));
    }
    RTM_CHECK_OK(rtm_freelist_alloc(h, stats_of(h).largest_free_block, 0u, &p[4]));
    RTM_CHECK_EQ(stats_of(h).free_bytes, 0);
    size_t hdr = gap(p[0], p[1]) - rtm_freelist_usable_size(h, p[0]);
    rtm_model_fill(p[0], 100u, 1u);
    rtm_model_fill(p[4], 100u, 5u);
    for (int o = 0; o < 6; o++) {
        for (int k = 0; k < 3; k++) {
            int i = orders[o][k];
            RTM_CHECK_OK(rtm_freelist_free(h, p[i]));
            RTM_CHECK_OK(rtm_freelist_check(h));
            rtm_alloc_stats_t st = stats_of(h);
            /* Largest free run so far: a merged span, or one block alone. */
            size_t expect = 0u;
            bool freed[5] = {false, false, false, false, false};
            for (int j = 0; j <= k; j++) {
                freed[orders[o][j]] = true;
            }
            for (int lo = 1; lo <= 3; lo++) {
                int hi = lo;
                while (hi <= 3 && freed[hi]) {
                    hi++;
                }
                if (hi > lo) {
                    size_t run = gap(p[lo], p[hi]) - hdr;
                    expect = run > expect ? run : expect;
                }
            }
            RTM_CHECK_EQ(st.largest_free_block, expect);
        }
        /* All three merged into one block: exactly its span, and nothing else free. */
        size_t span = gap(p[1], p[4]) - hdr;
        RTM_CHECK_EQ(stats_of(h).free_bytes, span);
        void *q = NULL;
        RTM_CHECK_STATUS(rtm_freelist_alloc(h, span + 1u, 0u, &q), RTM_ERR_NO_MEMORY);
        RTM_CHECK_OK(rtm_freelist_alloc(h, span, 0u, &q));
        RTM_CHECK(q == p[1]);
        RTM_CHECK_OK(rtm_freelist_free(h, q));
        for (int i = 1; i <= 3; i++) {
            RTM_CHECK_OK(rtm_freelist_alloc(h, 100u, 0u, &q));
            RTM_CHECK(q == p[i]); /* first fit, address order */
        }
        RTM_CHECK(rtm_model_verify(p[0], 100u, 1u) && rtm_model_verify(p[4], 100u, 5u));
    }
    for (int i = 0; i < 5; i++) {
        RTM_CHECK_OK(rtm_freelist_free(h, p[i]));
    }
    RTM_CHECK_EQ(stats_of(h).largest_free_block, whole);
    RTM_CHECK_EQ(stats_of(h).free_bytes, whole);
    RTM_CHECK_OK(rtm_freelist_check(h));
}

RTM_TEST(freelist, first_fit_takes_the_lowest_hole)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    void *q = NULL;
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, 8u, 0u, &q));
    RTM_CHECK(q == f.hole);
    RTM_CHECK_OK(rtm_freelist_free(f.h, q));
    /* Too big for the hole: goes after C. */
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, 100u, 0u, &q));
    RTM_CHECK((unsigned char *)q > (unsigned char *)f.p[2]);
    RTM_CHECK_OK(rtm_freelist_free(f.h, q));
    RTM_CHECK(fx_intact(&f));
}

/* ---- realloc ---- */

RTM_TEST(freelist, realloc_grows_in_place_into_a_free_neighbour)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    size_t ua = rtm_freelist_usable_size(f.h, f.p[0]);
    size_t hole = gap(f.hole, f.p[1]); /* the hole's block size */
    size_t free0 = stats_of(f.h).free_bytes;
    void *q = NULL;
    /* By 8: the rest of the hole stays a free block, 8 bytes smaller. */
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, f.p[0], ua + 8u, 0u, &q));
    RTM_CHECK(q == f.p[0]);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, q), ua + 8u);
    RTM_CHECK_EQ(stats_of(f.h).free_bytes, free0 - 8u);
    RTM_CHECK(fx_intact(&f));
    /* All of it, when the rest would be too small to stand alone. */
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, f.p[0], ua + hole - f.hdr, 0u, &q));
    RTM_CHECK(q == f.p[0]);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, q), ua + hole);
    RTM_CHECK_EQ(stats_of(f.h).free_bytes, free0 - (hole - f.hdr));
    RTM_CHECK_EQ(stats_of(f.h).bytes_in_use,
                 ua + hole + rtm_freelist_usable_size(f.h, f.p[1]) + rtm_freelist_usable_size(f.h, f.p[2]));
    RTM_CHECK(fx_intact(&f));
    /* C grows into the free rest of the heap. */
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, f.p[2], 1000u, 0u, &q));
    RTM_CHECK(q == f.p[2]);
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, realloc_shrinks_in_place)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    void *big = NULL;
    void *wall = NULL;
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, 200u, 0u, &big));
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, 100u, 0u, &wall)); /* keeps big's next neighbour used */
    rtm_model_fill(big, 200u, 9u);
    size_t free0 = stats_of(f.h).free_bytes;
    void *q = NULL;
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, big, 50u, 0u, &q));
    RTM_CHECK(q == big);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, q), 56);
    RTM_CHECK(rtm_model_verify(q, 50u, 9u));
    RTM_CHECK_EQ(stats_of(f.h).free_bytes, free0 + (200u - 56u - f.hdr)); /* a new free block */
    /* Next to that free block now: the tail merges into it, no new header. */
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, q, 8u, 0u, &q));
    RTM_CHECK(q == big);
    RTM_CHECK_EQ(stats_of(f.h).free_bytes, free0 + (200u - 8u - f.hdr));
    RTM_CHECK(rtm_model_verify(q, 8u, 9u));
    RTM_CHECK_OK(rtm_freelist_free(f.h, wall));
    RTM_CHECK_OK(rtm_freelist_free(f.h, big));
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, realloc_shrink_splits_only_a_minimum_block)
{
    unsigned char mem[512] __attribute__((aligned(8)));
    size_t min_block = 2u * sizeof(size_t) + 8u; /* header + 8, as documented */
    memset(mem, 0, sizeof mem);
    for (size_t cut = 8u; cut <= 48u; cut += 8u) {
        rtm_freelist_t *h = NULL;
        RTM_CHECK_OK(rtm_freelist_init(mem, sizeof mem, &h));
        void *r = NULL;
        void *wall = NULL;
        RTM_CHECK_OK(rtm_freelist_alloc(h, 64u, 0u, &r));
        RTM_CHECK_OK(rtm_freelist_alloc(h, 8u, 0u, &wall)); /* r's next neighbour is used */
        rtm_model_fill(r, 64u, 3u);
        size_t free0 = stats_of(h).free_bytes;
        void *q = NULL;
        RTM_CHECK_OK(rtm_freelist_realloc(h, r, 64u - cut, 0u, &q));
        RTM_CHECK(q == r);
        RTM_CHECK(rtm_model_verify(q, 64u - cut, 3u));
        if (cut >= min_block) {
            RTM_CHECK_EQ(rtm_freelist_usable_size(h, q), 64u - cut);
            RTM_CHECK_EQ(stats_of(h).free_bytes, free0 + cut - 2u * sizeof(size_t));
        } else {
            RTM_CHECK_EQ(rtm_freelist_usable_size(h, q), 64u);
            RTM_CHECK_EQ(stats_of(h).free_bytes, free0);
        }
        RTM_CHECK_OK(rtm_freelist_check(h));
    }
}

RTM_TEST(freelist, realloc_moves_when_it_must)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    /* B is followed by C (used): growing B moves it, keeping its contents. */
    void *q = NULL;
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, f.p[1], 300u, 0u, &q));
    RTM_CHECK(q != f.p[1]);
    RTM_CHECK(rtm_model_verify(q, f.n[1], 2u));
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, f.p[1]), 0);
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.p[1]), RTM_ERR_DOUBLE_FREE);
    f.p[1] = q;
    RTM_CHECK(fx_intact(&f));
    /* A stricter alignment than the block has moves it too. */
    size_t want = 64u;
    while (aligned(f.p[0], want)) {
        want <<= 1;
    }
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, f.p[0], f.n[0], want, &q));
    RTM_CHECK(q != f.p[0] && aligned(q, want));
    RTM_CHECK(rtm_model_verify(q, f.n[0], 1u));
    f.p[0] = q;
    RTM_CHECK(fx_intact(&f));
    /* NULL is allocate, 0 is free. */
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, NULL, 10u, 0u, &q));
    RTM_CHECK(q != NULL);
    void *z = &z;
    RTM_CHECK_OK(rtm_freelist_realloc(f.h, q, 0u, 0u, &z));
    RTM_CHECK(z == NULL);
    RTM_CHECK(fx_intact(&f));
}

/* ---- split minimum, alignment gaps ---- */

RTM_TEST(freelist, split_keeps_every_byte)
{
    SKIP_WITHOUT_SCRATCH(2048u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(2048u);
    for (size_t skew = 0; skew < 8u; skew++) {
        rtm_freelist_t *h = NULL;
        RTM_CHECK_OK(rtm_freelist_init(mem + skew, 1024u, &h));
        size_t whole = stats_of(h).largest_free_block;
        RTM_CHECK_EQ(stats_of(h).capacity % 8u, 0);
        size_t hdr = stats_of(h).capacity - whole; /* one free block: capacity = header + usable */
        RTM_CHECK(hdr == 2u * sizeof(size_t));
        for (size_t k = 0; k <= 64u; k++) {
            void *p = NULL;
            RTM_CHECK_OK(rtm_freelist_alloc(h, whole - k, 0u, &p));
            size_t u = rtm_freelist_usable_size(h, p);
            size_t rounded = (whole - k + 7u) & ~(size_t)7u;
            size_t rest = whole - rounded;  /* bytes left, header included */
            rtm_alloc_stats_t st = stats_of(h);
            if (rest >= hdr + 8u) {         /* a minimum block: split off */
                RTM_CHECK_EQ(u, rounded);
                RTM_CHECK_EQ(st.free_bytes, rest - hdr);
            } else {                        /* too small: stays with the block */
                RTM_CHECK_EQ(u, whole);
                RTM_CHECK_EQ(st.free_bytes, 0);
            }
            RTM_CHECK_EQ(st.bytes_in_use, u); /* accounted size = usable size */
            RTM_CHECK_OK(rtm_freelist_check(h));
            RTM_CHECK_OK(rtm_freelist_free(h, p));
            RTM_CHECK_EQ(stats_of(h).free_bytes, whole);
        }
    }
}

RTM_TEST(freelist, gap_before_an_aligned_block_is_a_free_block)
{
    SKIP_WITHOUT_SCRATCH(65536u + 64u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(65536u + 64u);
    for (size_t skew = 0; skew < 64u; skew += 4u) {
        for (size_t a = 16u; a <= 4096u; a <<= 1) {
            rtm_freelist_t *h = NULL;
            RTM_CHECK_OK(rtm_freelist_init(mem + skew, 65536u, &h));
            size_t whole = stats_of(h).largest_free_block;
            void *first = NULL;
            RTM_CHECK_OK(rtm_freelist_alloc(h, 1u, 0u, &first));
            RTM_CHECK_OK(rtm_freelist_free(h, first));
            void *p = NULL;
            RTM_CHECK_OK(rtm_freelist_alloc(h, 24u, a, &p));
            RTM_CHECK(aligned(p, a));
            size_t g = gap(first, p);
            RTM_CHECK(g == 0u || g >= 2u * sizeof(size_t) + 8u); /* none, or a whole block */
            RTM_CHECK_OK(rtm_freelist_check(h));
            void *q = NULL;
            RTM_CHECK_OK(rtm_freelist_alloc(h, 1u, 0u, &q));
            RTM_CHECK(g == 0u ? q > p : q == first); /* the gap is handed out */
            RTM_CHECK_OK(rtm_freelist_free(h, p));
            RTM_CHECK_OK(rtm_freelist_free(h, q));
            RTM_CHECK_EQ(stats_of(h).free_bytes, whole);
            RTM_CHECK_EQ(stats_of(h).largest_free_block, whole);
        }
    }
}

RTM_TEST(freelist, minimum_alignment_is_8_everywhere)
{
    SKIP_WITHOUT_SCRATCH(16384u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(16384u);
    rtm_freelist_t *h = NULL;
    RTM_CHECK_OK(rtm_freelist_init(mem + 1, 16000u, &h));
    uint32_t rng = 12345u;
    size_t sum = 0u;
    for (int i = 0; i < 150; i++) {
        size_t n = rtm_test_range(&rng, 1u, 60u);
        void *p = NULL;
        RTM_CHECK_OK(rtm_freelist_alloc(h, n, (size_t)1u << (i % 4), &p));
        RTM_CHECK(aligned(p, 8u));
        size_t u = rtm_freelist_usable_size(h, p);
        RTM_CHECK(u >= n && u % 8u == 0u);
        sum += u;
    }
    RTM_CHECK_EQ(stats_of(h).bytes_in_use, sum);
    RTM_CHECK_OK(rtm_freelist_check(h));
}

RTM_TEST(freelist, largest_free_block_is_exact)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    rtm_alloc_stats_t st = stats_of(f.h);
    RTM_CHECK(st.flags == (RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY));
    RTM_CHECK(st.free_bytes > st.largest_free_block); /* the hole and the rest */
    void *q = NULL;
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, st.largest_free_block + 1u, 0u, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK_EQ(stats_of(f.h).allocation_failures, 1);
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, st.largest_free_block, 0u, &q));
    RTM_CHECK_EQ(stats_of(f.h).free_bytes, st.free_bytes - st.largest_free_block);
    RTM_CHECK_OK(rtm_freelist_free(f.h, q));
    RTM_CHECK(fx_intact(&f));
}

/* ---- the bad-input matrix ---- */

RTM_TEST(freelist, init_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(1024u);
    unsigned char *mem = (unsigned char *)rtm_test_scratch(1024u);
    rtm_freelist_t *h = (rtm_freelist_t *)(void *)mem;
    RTM_CHECK_STATUS(rtm_freelist_init(mem, 1024u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_freelist_init(NULL, 1024u, &h), RTM_ERR_INVALID_ARG);
    RTM_CHECK(h == NULL);
    RTM_CHECK_STATUS(rtm_freelist_init(mem, SIZE_MAX, &h), RTM_ERR_INVALID_ARG); /* wraps */
    RTM_CHECK_STATUS(rtm_freelist_init(mem, 0u, &h), RTM_ERR_INVALID_ARG);
    /* One threshold per start alignment: below it INVALID_ARG, from it on a block fits. */
    for (size_t skew = 0; skew < 8u; skew++) {
        bool seen_ok = false;
        for (size_t n = 1u; n <= 256u; n++) {
            rtm_status_t s = rtm_freelist_init(mem + skew, n, &h);
            if (s == RTM_OK) {
                void *p = NULL;
                RTM_CHECK_OK(rtm_freelist_alloc(h, 1u, 0u, &p));
                RTM_CHECK((unsigned char *)p + 8 <= mem + skew + n && aligned(p, 8u));
                RTM_CHECK_OK(rtm_freelist_check(h));
                seen_ok = true;
            } else {
                RTM_CHECK_EQ(s, RTM_ERR_INVALID_ARG);
                RTM_CHECK(!seen_ok);
                RTM_CHECK(h == NULL);
            }
        }
        RTM_CHECK(seen_ok);
    }
}

RTM_TEST(freelist, alloc_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    uint32_t failures = 0u;
    void *p = &p;
    RTM_CHECK_STATUS(rtm_freelist_alloc(NULL, 8u, 0u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 8u, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    p = &p;
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 0u, 0u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK(fx_intact(&f));
    static const size_t bad_align[] = {3u, 6u, 12u, 24u, 100u, 4097u, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        p = &p;
        RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 8u, bad_align[i], &p), RTM_ERR_ALIGNMENT);
        RTM_CHECK(p == NULL);
        RTM_CHECK(fx_intact(&f));
    }
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7u, SIZE_MAX - 16u, SIZE_MAX / 2u + 1u, 4096u};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        p = &p;
        RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, huge[i], 0u, &p), RTM_ERR_NO_MEMORY);
        RTM_CHECK(p == NULL);
        RTM_CHECK_EQ(stats_of(f.h).allocation_failures, ++failures);
        RTM_CHECK(fx_intact(&f));
    }
    size_t max_align = (size_t)1u << (sizeof(size_t) * 8u - 1u);
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 8u, max_align, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_EQ(stats_of(f.h).allocation_failures, ++failures);
    RTM_CHECK(fx_intact(&f));
    /* Exhausted. */
    void *rest = NULL;
    void *hole = NULL;
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, stats_of(f.h).largest_free_block, 0u, &rest));
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, stats_of(f.h).largest_free_block, 0u, &hole));
    RTM_CHECK_EQ(stats_of(f.h).free_bytes, 0);
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 1u, 0u, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK(p == NULL);
    RTM_CHECK_OK(rtm_freelist_free(f.h, rest));
    RTM_CHECK_OK(rtm_freelist_free(f.h, hole));
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, free_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    unsigned char local[256] __attribute__((aligned(8)));
    unsigned char *a = (unsigned char *)f.p[0];
    memset(local, 0, sizeof local);
    RTM_CHECK_STATUS(rtm_freelist_free(NULL, f.p[0]), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, NULL), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, local + 64), RTM_ERR_INVALID_POINTER); /* foreign */
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.mem), RTM_ERR_INVALID_POINTER); /* control block */
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.mem + f.size), RTM_ERR_INVALID_POINTER); /* past the end */
    RTM_CHECK(fx_intact(&f));
    static const size_t interior[] = {1u, 4u, 8u, 16u};
    for (size_t i = 0; i < sizeof interior / sizeof interior[0]; i++) {
        for (int k = 0; k < 3; k++) {
            RTM_CHECK_STATUS(rtm_freelist_free(f.h, (unsigned char *)f.p[k] + interior[i]),
                             RTM_ERR_INVALID_POINTER);
            RTM_CHECK(fx_intact(&f));
        }
        RTM_CHECK_STATUS(rtm_freelist_free(f.h, (unsigned char *)f.hole + interior[i] + 8u),
                         RTM_ERR_INVALID_POINTER); /* inside a free block */
        RTM_CHECK(fx_intact(&f));
    }
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, a + 1024), RTM_ERR_INVALID_POINTER); /* free space */
    RTM_CHECK(fx_intact(&f));
    /* Double frees: a plain one, and blocks already merged into a neighbour. */
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.hole), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
    void *d = NULL;
    void *e = NULL;
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, 32u, 0u, &d));
    RTM_CHECK_OK(rtm_freelist_alloc(f.h, 32u, 0u, &e));
    RTM_CHECK_OK(rtm_freelist_free(f.h, d));
    RTM_CHECK_OK(rtm_freelist_free(f.h, e)); /* merges into d below and the rest above */
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, e), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, d), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
    /* A block of another heap. */
    rtm_freelist_t *other = NULL;
    void *o = NULL;
    RTM_CHECK_OK(rtm_freelist_init(local, sizeof local, &other));
    RTM_CHECK_OK(rtm_freelist_alloc(other, 4u, 0u, &o));
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, o), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_OK(rtm_freelist_check(other));
}

RTM_TEST(freelist, realloc_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    void *q = &q;
    RTM_CHECK_STATUS(rtm_freelist_realloc(NULL, f.p[0], 8u, 0u, &q), RTM_ERR_INVALID_ARG);
    RTM_CHECK(q == NULL);
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, f.p[0], 8u, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, f.p[0], 8u, 6u, &q), RTM_ERR_ALIGNMENT);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, NULL, 0u, 0u, &q), RTM_ERR_INVALID_ARG);
    RTM_CHECK(fx_intact(&f));
    q = &q;
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, (unsigned char *)f.p[1] + 8, 8u, 0u, &q),
                     RTM_ERR_INVALID_POINTER);
    RTM_CHECK(q == NULL);
    RTM_CHECK(fx_intact(&f));
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, f.hole, 8u, 0u, &q), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - 7u, SIZE_MAX - 16u, 5000u};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        for (int k = 0; k < 3; k++) {
            q = &q;
            RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, f.p[k], huge[i], 0u, &q), RTM_ERR_NO_MEMORY);
            RTM_CHECK(q == NULL);
            RTM_CHECK(fx_intact(&f));
        }
    }
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, f.p[0], 8u, SIZE_MAX / 2u + 1u, &q), RTM_ERR_NO_MEMORY);
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, queries_with_bad_inputs)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    unsigned char local[16] __attribute__((aligned(8)));
    RTM_CHECK(rtm_freelist_usable_size(f.h, f.p[0]) >= f.n[0]);
    RTM_CHECK_EQ(rtm_freelist_usable_size(NULL, f.p[0]), 0);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, NULL), 0);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, local), 0);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, (unsigned char *)f.p[1] + 8), 0);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, (unsigned char *)f.p[1] + 1), 0);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, f.hole), 0);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, f.mem + f.size), 0);
    RTM_CHECK(fx_intact(&f));
    rtm_alloc_stats_t st;
    memset(&st, 0xff, sizeof st);
    rtm_freelist_stats(NULL, &st);
    RTM_CHECK_EQ(st.total_allocations, 0);
    RTM_CHECK_EQ(st.capacity, 0);
    rtm_freelist_stats(f.h, NULL);
    RTM_CHECK_STATUS(rtm_freelist_check(NULL), RTM_ERR_INVALID_ARG);
    rtm_allocator_t a = rtm_freelist_allocator(NULL);
    void *p = &p;
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8u, 0u, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK(a.ops != NULL && a.ops->size == sizeof(rtm_allocator_ops_t));
    RTM_CHECK(a.ops->reallocate != NULL && a.ops->stats != NULL && a.ops->check != NULL);
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, through_the_interface)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    rtm_allocator_t a = rtm_freelist_allocator(f.h);
    void *p = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 33u, 64u, &p));
    RTM_CHECK(aligned(p, 64u));
    rtm_model_fill(p, 33u, 44u);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p, 0u, 90u, 64u, &p)); /* old_size not needed */
    RTM_CHECK(rtm_model_verify(p, 33u, 44u));
    rtm_alloc_stats_t via;
    rtm_allocator_stats(&a, &via);
    RTM_CHECK_EQ(via.bytes_in_use, stats_of(f.h).bytes_in_use);
    RTM_CHECK_EQ(via.free_bytes, stats_of(f.h).free_bytes);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p, 0u));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 90u), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, reinit_refuses_blocks_of_the_earlier_heap)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    rtm_freelist_t *h = NULL;
    RTM_CHECK_OK(rtm_freelist_init(f.mem, f.size, &h));
    RTM_CHECK(h == f.h);
    RTM_CHECK_EQ(stats_of(h).current_allocations, 0);
    RTM_CHECK_STATUS(rtm_freelist_free(h, f.p[1]), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_freelist_free(h, f.p[2]), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_freelist_free(h, f.p[0]), RTM_ERR_DOUBLE_FREE); /* new free block there */
    RTM_CHECK_EQ(rtm_freelist_usable_size(h, f.p[1]), 0);
    RTM_CHECK_OK(rtm_freelist_check(h));
    RTM_CHECK_EQ(stats_of(h).free_bytes, stats_of(h).largest_free_block);
}

/* ---- deliberate corruption ---- */

RTM_TEST(freelist, checker_fires_on_an_overwritten_header)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    /* C's user writes one byte past its usable size: the header of the free rest. */
    unsigned char *c = (unsigned char *)f.p[2];
    size_t uc = rtm_freelist_usable_size(f.h, c);
    c[uc] ^= 0x40u;
    RTM_CHECK_STATUS(rtm_freelist_check(f.h), RTM_ERR_CORRUPTED);
    void *q = &q;
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 200u, 0u, &q), RTM_ERR_CORRUPTED); /* walks into it */
    RTM_CHECK(q == NULL);
    c[uc] ^= 0x40u;
    RTM_CHECK(fx_intact(&f));

    /* A wild write over the whole header of live block B. */
    unsigned char *b = (unsigned char *)f.p[1];
    unsigned char saved[32];
    memcpy(saved, b - f.hdr, f.hdr);
    memset(b - f.hdr, 0x5a, f.hdr);
    RTM_CHECK_STATUS(rtm_freelist_check(f.h), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, b), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, b, 8u, 0u, &q), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, b), 0);
    memcpy(b - f.hdr, saved, f.hdr);
    RTM_CHECK(fx_intact(&f));

    /* One flipped bit in the size word of live block A. */
    unsigned char *a = (unsigned char *)f.p[0];
    (a - f.hdr)[1] ^= 0x01u;
    RTM_CHECK_STATUS(rtm_freelist_check(f.h), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, a), RTM_ERR_CORRUPTED);
    (a - f.hdr)[1] ^= 0x01u;
    RTM_CHECK(fx_intact(&f));

    /* The control block. */
    unsigned char *cb = (unsigned char *)f.h;
    cb[0] ^= 0x01u;
    RTM_CHECK_STATUS(rtm_freelist_check(f.h), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 8u, 0u, &q), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_freelist_free(f.h, a), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, a, 8u, 0u, &q), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(rtm_freelist_usable_size(f.h, a), 0);
    cb[0] ^= 0x01u;
    RTM_CHECK(fx_intact(&f));
}

RTM_TEST(freelist, checker_fires_on_an_overwritten_list_link)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    /* A write through a dangling pointer into the freed hole hits its link. */
    void **link = (void **)f.hole;
    void *saved = *link;
    static const uintptr_t bad[] = {0u, 8u, 1u};
    for (size_t i = 0; i < 4u; i++) {
        /* NULL, a small wild value, a misaligned one, and a plausible block (C). */
        *link = i < 3u ? (void *)bad[i] : (void *)((unsigned char *)f.p[2] - f.hdr);
        RTM_CHECK_STATUS(rtm_freelist_check(f.h), RTM_ERR_CORRUPTED);
        void *q = &q;
        RTM_CHECK_STATUS(rtm_freelist_alloc(f.h, 8u, 0u, &q), RTM_ERR_CORRUPTED);
        RTM_CHECK(q == NULL);
        RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.p[2]), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.p[0]), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_freelist_realloc(f.h, f.p[1], 8u, 0u, &q), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_freelist_free(f.h, f.hole), RTM_ERR_CORRUPTED); /* its own header */
        rtm_alloc_stats_t st = stats_of(f.h); /* stops at the bad block, does not crash */
        RTM_CHECK_EQ(st.free_bytes, 0);
        *link = saved;
        RTM_CHECK(fx_intact(&f));
    }
    RTM_CHECK_OK(rtm_freelist_free(f.h, f.p[1]));
    RTM_CHECK_OK(rtm_freelist_check(f.h));
}

/* What a walk saw. */
typedef struct walk_log {
    unsigned n, used;
    void *ptr[8];
    size_t size[8];
    bool ordered;
} walk_log_t;

static rtm_status_t log_block(void *ctx, const rtm_block_info_t *b)
{
    walk_log_t *w = (walk_log_t *)ctx;
    if ((w->n > 0u && (uintptr_t)b->ptr <= (uintptr_t)w->ptr[(w->n - 1u) % 8u]) || b->reserved != 0u ||
        b->used > 1u) {
        w->ordered = false;
    }
    w->ptr[w->n % 8u] = b->ptr;
    w->size[w->n % 8u] = b->size;
    w->used += b->used;
    w->n++;
    return w->n == 99u ? RTM_ERR_ACCESS : RTM_OK;
}

RTM_TEST(freelist, walk_visits_every_block_in_address_order)
{
    SKIP_WITHOUT_SCRATCH(4096u);
    fx_t f;
    RTM_CHECK(fx_setup(&f, 4096u));
    /* A, the hole, B, C, the free rest. */
    walk_log_t w;
    memset(&w, 0, sizeof w);
    w.ordered = true;
    RTM_CHECK_OK(rtm_freelist_walk(f.h, log_block, &w));
    RTM_CHECK(w.ordered);
    RTM_CHECK_EQ(w.n, 5);
    RTM_CHECK_EQ(w.used, 3);
    RTM_CHECK(w.ptr[0] == f.p[0] && w.ptr[1] == f.hole && w.ptr[2] == f.p[1] && w.ptr[3] == f.p[2]);
    RTM_CHECK_EQ(w.size[0], rtm_freelist_usable_size(f.h, f.p[0]));
    RTM_CHECK_EQ(w.size[2], rtm_freelist_usable_size(f.h, f.p[1]));
    rtm_alloc_stats_t st = stats_of(f.h);
    RTM_CHECK_EQ(w.size[1] + w.size[4], st.free_bytes);
    RTM_CHECK_EQ(w.size[4], st.largest_free_block);
    RTM_CHECK_STATUS(rtm_freelist_walk(f.h, NULL, &w), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_freelist_walk(NULL, log_block, &w), RTM_ERR_INVALID_ARG);

    /* The callback's status stops it. */
    memset(&w, 0, sizeof w);
    w.n = 97u;
    RTM_CHECK_STATUS(rtm_freelist_walk(f.h, log_block, &w), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(w.n, 99);

    /* A damaged header (B's, overwritten): the walk stops there, having seen
     * only A and the hole, and nothing changes. */
    unsigned char *b = (unsigned char *)f.p[1];
    unsigned char saved[32];
    memcpy(saved, b - f.hdr, f.hdr);
    memset(b - f.hdr, 0xa5, f.hdr);
    memset(&w, 0, sizeof w);
    w.ordered = true;
    RTM_CHECK_STATUS(rtm_freelist_walk(f.h, log_block, &w), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(w.n, 2);
    RTM_CHECK(w.ptr[1] == f.hole);
    memcpy(b - f.hdr, saved, f.hdr);
    RTM_CHECK(fx_intact(&f));
    /* A size that points outside the heap (the free rest's header). */
    unsigned char *c = (unsigned char *)f.p[2];
    size_t uc = rtm_freelist_usable_size(f.h, c);
    size_t *rest = (size_t *)(void *)(c + uc);
    size_t keep = *rest;
    *rest = (size_t)0x7ffffff0u;
    memset(&w, 0, sizeof w);
    RTM_CHECK_STATUS(rtm_freelist_walk(f.h, log_block, &w), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(w.n, 4);
    *rest = keep;
    RTM_CHECK(fx_intact(&f));
}
