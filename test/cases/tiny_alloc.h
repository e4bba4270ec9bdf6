/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A tiny reference allocator for the decorator tests (leak, red zone): blocks
 * are kept in an address-sorted table, allocation is first fit over the gaps.
 * Slow (O(n)) and obviously correct; it detects foreign and interior pointers
 * (RTM_ERR_INVALID_POINTER, which is also what a double free gets) and keeps
 * stats by requested size. Header-only so each case file has its own copy.
 */
#ifndef RTM_TEST_TINY_ALLOC_H
#define RTM_TEST_TINY_ALLOC_H

#include "rtm_test.h"

#define TINY_MAX_BLOCKS 600u

typedef struct tiny_block {
    uintptr_t p;
    size_t size;
} tiny_block_t;

typedef struct tiny {
    uintptr_t lo;
    uintptr_t hi;
    size_t n;
    tiny_block_t blk[TINY_MAX_BLOCKS];
    rtm_alloc_stats_t st;
} tiny_t;

static void tiny_init(tiny_t *t, void *mem, size_t size)
{
    memset(t, 0, sizeof *t);
    t->lo = (uintptr_t)mem;
    t->hi = (uintptr_t)mem + size;
}

static rtm_status_t tiny_allocate(void *ctx, size_t size, size_t align, void **out)
{
    tiny_t *t = (tiny_t *)ctx;
    *out = NULL;
    if (size == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    if (align == 0u) {
        align = 8u;
    } else if ((align & (align - 1u)) != 0u) {
        return RTM_ERR_ALIGNMENT;
    }
    if (t->n < TINY_MAX_BLOCKS && size <= t->hi - t->lo) {
        uintptr_t cursor = t->lo;
        for (size_t i = 0; i <= t->n; i++) {
            uintptr_t end = i < t->n ? t->blk[i].p : t->hi;
            uintptr_t start = (cursor + (align - 1u)) & ~(uintptr_t)(align - 1u);
            if (start >= cursor && start <= end && size <= end - start) {
                memmove(&t->blk[i + 1u], &t->blk[i], (t->n - i) * sizeof t->blk[0]);
                t->blk[i].p = start;
                t->blk[i].size = size;
                t->n++;
                t->st.total_allocations++;
                t->st.current_allocations++;
                t->st.bytes_allocated += size;
                t->st.bytes_in_use += size;
                if (t->st.bytes_in_use > t->st.peak_memory_usage) {
                    t->st.peak_memory_usage = t->st.bytes_in_use;
                }
                *out = (void *)start;
                return RTM_OK;
            }
            if (i < t->n) {
                cursor = t->blk[i].p + t->blk[i].size;
            }
        }
    }
    t->st.allocation_failures++;
    return RTM_ERR_NO_MEMORY;
}

static rtm_status_t tiny_deallocate(void *ctx, void *ptr, size_t size)
{
    tiny_t *t = (tiny_t *)ctx;
    (void)size;
    for (size_t i = 0; i < t->n; i++) {
        if (t->blk[i].p == (uintptr_t)ptr) {
            t->st.total_deallocations++;
            t->st.current_allocations--;
            t->st.bytes_deallocated += t->blk[i].size;
            t->st.bytes_in_use -= t->blk[i].size;
            memmove(&t->blk[i], &t->blk[i + 1u], (t->n - i - 1u) * sizeof t->blk[0]);
            t->n--;
            return RTM_OK;
        }
    }
    return RTM_ERR_INVALID_POINTER;
}

/* Moves every time: checks ptr first, so a refused call changes nothing. */
static rtm_status_t tiny_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                    void **out)
{
    tiny_t *t = (tiny_t *)ctx;
    *out = NULL;
    if (ptr == NULL) {
        return tiny_allocate(ctx, new_size, align, out);
    }
    size_t i = 0;
    while (i < t->n && t->blk[i].p != (uintptr_t)ptr) {
        i++;
    }
    if (i == t->n) {
        return RTM_ERR_INVALID_POINTER;
    }
    if (new_size == 0u) {
        return tiny_deallocate(ctx, ptr, old_size);
    }
    size_t keep = t->blk[i].size < new_size ? t->blk[i].size : new_size;
    rtm_status_t s = tiny_allocate(ctx, new_size, align, out);
    if (s == RTM_OK) {
        memcpy(*out, ptr, keep);
        (void)tiny_deallocate(ctx, ptr, old_size);
    }
    return s;
}

static void tiny_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    *out = ((const tiny_t *)ctx)->st;
}

static rtm_status_t tiny_check(const void *ctx)
{
    const tiny_t *t = (const tiny_t *)ctx;
    uintptr_t cursor = t->lo;
    for (size_t i = 0; i < t->n; i++) {
        if (t->blk[i].p < cursor || t->blk[i].size > t->hi - t->blk[i].p) {
            return RTM_ERR_CORRUPTED;
        }
        cursor = t->blk[i].p + t->blk[i].size;
    }
    return t->n == t->st.current_allocations ? RTM_OK : RTM_ERR_CORRUPTED;
}

static const rtm_allocator_ops_t tiny_ops = {
    sizeof(rtm_allocator_ops_t), 0u, tiny_allocate, tiny_deallocate, tiny_reallocate, tiny_stats, tiny_check,
};

static rtm_allocator_t tiny_allocator(tiny_t *t)
{
    rtm_allocator_t a = {&tiny_ops, t};
    return a;
}

#endif /* RTM_TEST_TINY_ALLOC_H */
