/*
 * The allocators under test, one table entry each. Entries call each
 * allocator's direct API (as a benchmark of malloc calls malloc), so the
 * firmware can attribute instructions to the allocator's own functions.
 * An allocator whose source is not in the tree yet is left out at build time
 * (mk/bench.mk defines RTM_BENCH_HAVE_<NAME> for each one present).
 */
#include <stddef.h>

#include "allocs.h"
#include "rtmem/rtmem.h"

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
#endif

const bench_alloc_t bench_allocs[] = {
    {"rtm_heap", heap_init, heap_alloc, heap_free},
#ifdef RTM_BENCH_HAVE_FREELIST
    {"rtm_freelist", fl_init, fl_alloc, fl_free},
#endif
};

const size_t bench_nallocs = sizeof bench_allocs / sizeof bench_allocs[0];
