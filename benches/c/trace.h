/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Deterministic allocation traces shared by the host harness (bench_host.c)
 * and the Cortex-M firmware (bench_fw.c): the same seed gives the same
 * sequence of requests on every target.
 *
 * Random trace: sizes uniform in [lo, hi]; while the requested bytes live are
 * under the target occupancy an operation allocates with probability 3/4,
 * above it frees a uniformly chosen live block with probability 3/4, so the
 * heap hovers around the target. A failed allocation is counted and skipped.
 *
 * Aligned trace: the random trace with every allocation asking for an
 * alignment cycled through 8, 16, 32, ..., 256 bytes.
 *
 * Reallocation trace: the random trace where, with a live block, half of the
 * operations resize a uniformly chosen live block by -64..+64 bytes (kept in
 * [lo, hi]) instead.
 *
 * Adversarial trace: fill the arena with alternating 32 and 96 byte blocks
 * until the first failure, free every 96-byte block (thousands of holes), then
 * run a random trace on top of the perforated heap.
 */
#ifndef RTM_BENCH_TRACE_H
#define RTM_BENCH_TRACE_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_rng {
    uint32_t s;
} bench_rng_t;

static inline uint32_t bench_rand(bench_rng_t *r)
{
    uint32_t x = r->s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    r->s = x;
    return x;
}

static inline size_t bench_range(bench_rng_t *r, size_t lo, size_t hi)
{
    return lo + (size_t)(bench_rand(r) % (uint32_t)(hi - lo + 1u));
}

/* What traces an allocator can run (bench_alloc_t::kind). */
#define BENCH_GENERAL 0u /* any sizes, frees in any order */
#define BENCH_FIXED 1u   /* one block size (bench_alloc_t::block), frees in any order */
#define BENCH_FILL 2u    /* allocation only (frees last-in first-out at best) */

/* One allocator under test, reached through plain function pointers so the
 * firmware can count instructions per call by entry address. */
typedef struct bench_alloc {
    const char *name;
    unsigned kind;         /* BENCH_* */
    size_t block;          /* BENCH_FIXED: the block size */
    const char *fn_alloc;  /* the library functions whose calls are counted */
    const char *fn_free;
    unsigned ops_div;      /* firmware runs 1/ops_div of the operations (first fit is slow to log) */
    /* Create the allocator over [mem, mem + size); returns its context or NULL. */
    void *(*init)(void *mem, size_t size);
    /* Allocate size bytes (alignment 8); NULL when exhausted. */
    void *(*alloc)(void *ctx, size_t size);
    /* Free a block from alloc. */
    void (*free)(void *ctx, void *p, size_t size);
    /* Optional (NULL: the allocator has none): allocate with an alignment
     * (a power of two); resize p from old to size bytes, returning the block
     * (p itself when it stayed in place) or NULL, p then still allocated. */
    void *(*alloc_aligned)(void *ctx, size_t size, size_t align);
    void *(*realloc)(void *ctx, void *p, size_t old, size_t size);
    const char *fn_realloc; /* the counted function behind realloc */
} bench_alloc_t;

typedef struct bench_live {
    void *p;
    uint32_t size;
} bench_live_t;

typedef struct bench_trace {
    uint32_t seed;
    unsigned long ops; /* allocator calls: allocations + frees */
    size_t lo, hi;     /* request sizes */
    size_t target;     /* requested bytes live to hover around */
    int aligned;       /* nonzero: alignments 8..256 cycled (alloc_aligned) */
} bench_trace_t;

typedef struct bench_result {
    unsigned long allocs, frees, failures;
    unsigned long reallocs, moved, realloc_failures; /* bench_realloc_run */
    size_t peak_live; /* largest number of live blocks */
} bench_result_t;

/* Free every live block (newest first). */
static inline void bench_drain(const bench_alloc_t *a, void *ctx, bench_live_t *live, size_t *n)
{
    while (*n > 0u) {
        (*n)--;
        a->free(ctx, live[*n].p, live[*n].size);
    }
}

/* One step of the random trace: allocate (with probability 3/4 below the
 * trace's target bytes, 1/4 above) or free a uniformly chosen live block.
 * shift: the alignment cycle of the aligned trace, NULL for plain requests. */
static inline void bench_step(const bench_alloc_t *a, void *ctx, const bench_trace_t *t, bench_rng_t *r,
                              bench_live_t *live, size_t cap, size_t *n, size_t *bytes, bench_result_t *res,
                              unsigned *shift)
{
    uint32_t roll = bench_rand(r) & 3u;
    int do_alloc = *n == 0u || (*bytes < t->target ? roll != 0u : roll == 0u);
    if (do_alloc && *n < cap) {
        size_t size = bench_range(r, t->lo, t->hi);
        void *p;
        if (shift != NULL && t->aligned && a->alloc_aligned != NULL) {
            p = a->alloc_aligned(ctx, size, (size_t)8u << *shift);
            *shift = *shift == 5u ? 0u : *shift + 1u;
        } else {
            p = a->alloc(ctx, size);
        }
        if (p == NULL) {
            res->failures++;
            return;
        }
        live[*n].p = p;
        live[*n].size = (uint32_t)size;
        (*n)++;
        *bytes += size;
        res->allocs++;
        if (*n > res->peak_live) {
            res->peak_live = *n;
        }
    } else {
        size_t i = (size_t)(bench_rand(r) % (uint32_t)*n);
        a->free(ctx, live[i].p, live[i].size);
        *bytes -= live[i].size;
        live[i] = live[--(*n)];
        res->frees++;
    }
}

/* Replay a random trace starting from the live set live[0..*n). */
static inline bench_result_t bench_run(const bench_alloc_t *a, void *ctx, const bench_trace_t *t,
                                       bench_live_t *live, size_t cap, size_t *n)
{
    bench_result_t res = {0u, 0u, 0u, 0u, 0u, 0u, 0u};
    bench_rng_t r = {t->seed != 0u ? t->seed : 1u};
    size_t bytes = 0u;
    unsigned shift = 0u;
    for (size_t i = 0; i < *n; i++) {
        bytes += live[i].size;
    }
    for (unsigned long op = 0; op < t->ops; op++) {
        bench_step(a, ctx, t, &r, live, cap, n, &bytes, &res, &shift);
    }
    return res;
}

/* The reallocation trace (see the top of this file); done(), if not NULL, is
 * called after every reallocation, with nonzero when the block moved or the
 * call failed. */
static inline bench_result_t bench_realloc_run(const bench_alloc_t *a, void *ctx, const bench_trace_t *t,
                                               bench_live_t *live, size_t cap, size_t *n, void (*done)(int moved))
{
    bench_result_t res = {0u, 0u, 0u, 0u, 0u, 0u, 0u};
    bench_rng_t r = {t->seed != 0u ? t->seed : 1u};
    size_t bytes = 0u;
    for (size_t i = 0; i < *n; i++) {
        bytes += live[i].size;
    }
    for (unsigned long op = 0; op < t->ops; op++) {
        if (*n > 0u && (bench_rand(&r) & 1u) != 0u) {
            size_t i = (size_t)(bench_rand(&r) % (uint32_t)*n);
            size_t old = live[i].size;
            size_t size = old + bench_range(&r, 0u, 128u);
            size = size < 64u + t->lo ? t->lo : size - 64u;
            size = size > t->hi ? t->hi : size;
            void *p = a->realloc(ctx, live[i].p, old, size);
            res.reallocs++;
            if (done != NULL) {
                done(p != live[i].p);
            }
            if (p == NULL) {
                res.realloc_failures++;
                continue;
            }
            res.moved += p != live[i].p;
            live[i].p = p;
            live[i].size = (uint32_t)size;
            bytes = bytes - old + size;
            continue;
        }
        bench_step(a, ctx, t, &r, live, cap, n, &bytes, &res, NULL);
    }
    return res;
}

/* The adversarial set-up: alternating 32/96 byte blocks until the first
 * failure, then every 96-byte block freed. Returns the number of holes. */
static inline size_t bench_perforate(const bench_alloc_t *a, void *ctx, bench_live_t *live, size_t cap,
                                     size_t *n)
{
    size_t holes = 0u;
    size_t first = *n;
    for (;;) {
        size_t size = ((*n - first) & 1u) != 0u ? 96u : 32u;
        if (*n >= cap) {
            break;
        }
        void *p = a->alloc(ctx, size);
        if (p == NULL) {
            break;
        }
        live[*n].p = p;
        live[*n].size = (uint32_t)size;
        (*n)++;
    }
    size_t keep = first;
    for (size_t i = first; i < *n; i++) {
        if (live[i].size == 96u) {
            a->free(ctx, live[i].p, live[i].size);
            holes++;
        } else {
            live[keep++] = live[i];
        }
    }
    *n = keep;
    return holes;
}

/* Allocate random sizes from a fresh allocator until the first failure:
 * returns the requested bytes handed out (the fill ratio's numerator). */
static inline size_t bench_fill(const bench_alloc_t *a, void *ctx, uint32_t seed, size_t lo, size_t hi,
                                bench_live_t *live, size_t cap, size_t *n)
{
    bench_rng_t r = {seed != 0u ? seed : 1u};
    size_t bytes = 0u;
    while (*n < cap) {
        size_t size = bench_range(&r, lo, hi);
        void *p = a->alloc(ctx, size);
        if (p == NULL) {
            break;
        }
        live[*n].p = p;
        live[*n].size = (uint32_t)size;
        (*n)++;
        bytes += size;
    }
    return bytes;
}

#endif /* RTM_BENCH_TRACE_H */
