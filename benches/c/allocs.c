/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The allocators under test, one table entry each. Entries call each
 * allocator's direct API (as a benchmark of malloc calls malloc), so the
 * firmware can attribute instructions to the allocator's own functions.
 * An allocator whose source is not in the tree is left out at build time
 * (mk/bench.mk defines RTM_BENCH_HAVE_<NAME> for each c-src/alloc/<name>.c).
 *
 * To add an allocator: an init/alloc/free adapter and one table line (and,
 * where it has them, aligned-allocation and reallocation adapters).
 */
#include <stddef.h>
#include <stdint.h>

#include "allocs.h"
#include "rtmem/rtmem.h"

/* ---- O(1) heap ---- */

static void *heap_init(void *mem, size_t size)
{
    rtm_heap_t *h = NULL;
    return rtm_heap_init(mem, size, &h) == RTM_OK ? (void *)h : NULL;
}

static void *heap_alloc(void *ctx, size_t size)
{
    void *p = NULL;
    return rtm_heap_alloc((rtm_heap_t *)ctx, size, 0u, &p) == RTM_OK ? p : NULL;
}

static void heap_free(void *ctx, void *p, size_t size)
{
    (void)size;
    (void)rtm_heap_free((rtm_heap_t *)ctx, p);
}

static void *heap_alloc_aligned(void *ctx, size_t size, size_t align)
{
    void *p = NULL;
    return rtm_heap_alloc((rtm_heap_t *)ctx, size, align, &p) == RTM_OK ? p : NULL;
}

static void *heap_realloc(void *ctx, void *p, size_t old, size_t size)
{
    void *q = NULL;
    (void)old;
    return rtm_heap_realloc((rtm_heap_t *)ctx, p, size, 0u, &q) == RTM_OK ? q : NULL;
}

/* ---- first-fit free list ---- */

#ifdef RTM_BENCH_HAVE_FREELIST
static void *fl_init(void *mem, size_t size)
{
    rtm_freelist_t *h = NULL;
    return rtm_freelist_init(mem, size, &h) == RTM_OK ? (void *)h : NULL;
}

static void *fl_alloc(void *ctx, size_t size)
{
    void *p = NULL;
    return rtm_freelist_alloc((rtm_freelist_t *)ctx, size, 0u, &p) == RTM_OK ? p : NULL;
}

static void fl_free(void *ctx, void *p, size_t size)
{
    (void)size;
    (void)rtm_freelist_free((rtm_freelist_t *)ctx, p);
}

static void *fl_alloc_aligned(void *ctx, size_t size, size_t align)
{
    void *p = NULL;
    return rtm_freelist_alloc((rtm_freelist_t *)ctx, size, align, &p) == RTM_OK ? p : NULL;
}

static void *fl_realloc(void *ctx, void *p, size_t old, size_t size)
{
    void *q = NULL;
    (void)old;
    return rtm_freelist_realloc((rtm_freelist_t *)ctx, p, size, 0u, &q) == RTM_OK ? q : NULL;
}
#endif

/* ---- bump arena (allocation only) ---- */

#ifdef RTM_BENCH_HAVE_BUMP
static void *bump_init(void *mem, size_t size)
{
    rtm_bump_t *b = NULL;
    return rtm_bump_init(mem, size, &b) == RTM_OK ? (void *)b : NULL;
}

static void *bump_alloc(void *ctx, size_t size)
{
    void *p = NULL;
    return rtm_bump_alloc((rtm_bump_t *)ctx, size, 0u, &p) == RTM_OK ? p : NULL;
}

static void bump_free(void *ctx, void *p, size_t size)
{
    (void)size;
    (void)rtm_bump_free((rtm_bump_t *)ctx, p);
}
#endif

/* ---- fixed-size pool: 32-byte blocks ---- */

#ifdef RTM_BENCH_HAVE_POOL
static void *pool_init(void *mem, size_t size)
{
    rtm_pool_t *p = NULL;
    return rtm_pool_init(mem, size, 32u, 8u, &p) == RTM_OK ? (void *)p : NULL;
}

static void *pool_alloc(void *ctx, size_t size)
{
    void *p = NULL;
    (void)size;
    return rtm_pool_alloc((rtm_pool_t *)ctx, &p) == RTM_OK ? p : NULL;
}

static void pool_free(void *ctx, void *p, size_t size)
{
    (void)size;
    (void)rtm_pool_free((rtm_pool_t *)ctx, p);
}
#endif

/* ---- multi-size pools: growing classes 16/32/48 B (512 B chunks
 *      carved from an O(1) heap over the rest of the arena, the fallback) ---- */

#if defined(RTM_BENCH_HAVE_MULTIPOOL) && defined(RTM_BENCH_HAVE_POOL)
static rtm_allocator_t mp_fallback;
#define MP_CLASSES 3u
#define MP_CHUNK 512u
static const size_t mp_class_sizes[MP_CLASSES] = {16u, 32u, 48u};

static void *mp_init(void *mem, size_t size)
{
    unsigned char *m = mem;
    size_t ctl = (rtm_mpool_storage_size(MP_CLASSES) + 7u) & ~(size_t)7u;
    rtm_mpool_t *mp = NULL;
    rtm_heap_t *h = NULL;
    if (rtm_mpool_init(m, ctl, &mp) != RTM_OK) {
        return NULL;
    }
    for (size_t i = 0; i < MP_CLASSES; i++) {
        if (rtm_mpool_add_class(mp, mp_class_sizes[i], MP_CHUNK) != RTM_OK) {
            return NULL;
        }
    }
    if (rtm_heap_init(m + ctl, size - ctl, &h) != RTM_OK) {
        return NULL;
    }
    mp_fallback = rtm_heap_allocator(h);
    return rtm_mpool_set_fallback(mp, &mp_fallback) == RTM_OK ? (void *)mp : NULL;
}

static void *mp_alloc(void *ctx, size_t size)
{
    void *p = NULL;
    return rtm_mpool_alloc((rtm_mpool_t *)ctx, size, 0u, &p) == RTM_OK ? p : NULL;
}

static void mp_free(void *ctx, void *p, size_t size)
{
    (void)rtm_mpool_free((rtm_mpool_t *)ctx, p, size);
}

static void *mp_alloc_aligned(void *ctx, size_t size, size_t align)
{
    void *p = NULL;
    return rtm_mpool_alloc((rtm_mpool_t *)ctx, size, align, &p) == RTM_OK ? p : NULL;
}
#endif

const bench_alloc_t bench_allocs[] = {
    {"rtm_heap", BENCH_GENERAL, 0u, "rtm_heap_alloc", "rtm_heap_free", 1u, heap_init, heap_alloc, heap_free,
     heap_alloc_aligned, heap_realloc, "rtm_heap_realloc"},
#ifdef RTM_BENCH_HAVE_FREELIST
    {"rtm_freelist", BENCH_GENERAL, 0u, "rtm_freelist_alloc", "rtm_freelist_free", 10u, fl_init, fl_alloc, fl_free,
     fl_alloc_aligned, fl_realloc, "rtm_freelist_realloc"},
#endif
#if defined(RTM_BENCH_HAVE_MULTIPOOL) && defined(RTM_BENCH_HAVE_POOL)
    {"rtm_mpool", BENCH_GENERAL, 0u, "rtm_mpool_alloc", "rtm_mpool_free", 1u, mp_init, mp_alloc, mp_free,
     mp_alloc_aligned, NULL, NULL},
#endif
#ifdef RTM_BENCH_HAVE_POOL
    {"rtm_pool", BENCH_FIXED, 32u, "rtm_pool_alloc", "rtm_pool_free", 1u, pool_init, pool_alloc, pool_free,
     NULL, NULL, NULL},
#endif
#ifdef RTM_BENCH_HAVE_BUMP
    {"rtm_bump", BENCH_FILL, 0u, "rtm_bump_alloc", "rtm_bump_free", 1u, bump_init, bump_alloc, bump_free,
     NULL, NULL, NULL},
#endif
};

const size_t bench_nallocs = sizeof bench_allocs / sizeof bench_allocs[0];
