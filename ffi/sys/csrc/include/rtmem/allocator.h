/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/allocator.h
 * @brief Layer 2: the allocator interface (the design's `MemoryAllocator` trait).
 *
 * An allocator is a const ops table plus a context pointer. Every rtmem
 * allocator and every decorator exposes itself as an `rtm_allocator_t`; generic
 * code (the pool manager's fallback, decorators, the Rust shim, benchmarks)
 * only ever sees this interface.
 *
 * Common contract of every allocator reached through this interface:
 * - `size` 0 is refused with RTM_ERR_INVALID_ARG; a size whose rounding would
 *   overflow size_t is refused with RTM_ERR_INVALID_ARG, or with
 *   RTM_ERR_NO_MEMORY where no arena could hold it anyway.
 * - `align` is 0 (the allocator's minimum alignment) or a power of two;
 *   anything else is refused with RTM_ERR_ALIGNMENT.
 * - On failure `*out` is set to NULL (when `out` is not NULL) and the
 *   allocator and every live block are unchanged, except that failure counters
 *   grow.
 * - Objects are not synchronized: wrap them in the lock decorator (rtmem/lock.h)
 *   to share one between threads or with ISRs.
 */
#ifndef RTMEM_ALLOCATOR_H
#define RTMEM_ALLOCATOR_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The operations of an allocator. Tables are const and usually static.
 * `size` is sizeof(rtm_allocator_ops_t) as the implementer compiled it, so the
 * table can grow: slots past `size` are treated as NULL.
 */
typedef struct rtm_allocator_ops {
    /** sizeof(rtm_allocator_ops_t) of the implementation. */
    uint32_t size;
    /** Zero. */
    uint32_t reserved;
    /**
     * Required. Allocate `size` bytes aligned to `align` (0 = minimum) and store
     * the block in `*out`.
     */
    rtm_status_t (*allocate)(void *ctx, size_t size, size_t align, void **out);
    /**
     * Required. Give back a block. `size` is the size it was allocated (or last
     * reallocated) with, or 0 if the caller does not know; allocators that
     * record sizes do not need it. NULL `ptr` is RTM_ERR_INVALID_POINTER.
     */
    rtm_status_t (*deallocate)(void *ctx, void *ptr, size_t size);
    /**
     * Optional (NULL: allocate, copy min(old_size, new_size), deallocate).
     * `ptr` NULL behaves as allocate; `new_size` 0 deallocates and stores NULL.
     * On failure the old block is untouched and still owned by the caller.
     */
    rtm_status_t (*reallocate)(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                               void **out);
    /** Optional (NULL: all zero). Copy the statistics out. */
    void (*stats)(const void *ctx, rtm_alloc_stats_t *out);
    /** Optional (NULL: RTM_OK). Read-only integrity walk of the whole structure. */
    rtm_status_t (*check)(const void *ctx);
} rtm_allocator_ops_t;

/** An allocator: its operations and the object they act on. Copy it freely. */
typedef struct rtm_allocator {
    /** The operations; NULL makes every call return RTM_ERR_INVALID_ARG. */
    const rtm_allocator_ops_t *ops;
    /** The object, passed to every operation as `ctx`. */
    void *ctx;
} rtm_allocator_t;

/**
 * Allocate through the interface.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a NULL or incomplete allocator, NULL
 *         `out`, size 0 or an overflowing size; RTM_ERR_ALIGNMENT; RTM_ERR_NO_MEMORY.
 * Complexity and ISR-safety are those of the allocator.
 * The wrapper adds O(1).
 */
rtm_status_t rtm_allocator_allocate(const rtm_allocator_t *a, size_t size, size_t align, void **out);

/**
 * Deallocate through the interface.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a NULL allocator; RTM_ERR_INVALID_POINTER
 *         for NULL, foreign or interior pointers; RTM_ERR_DOUBLE_FREE;
 *         RTM_ERR_CORRUPTED when the block's metadata fails its check.
 * The wrapper adds O(1); complexity and ISR-safety are those of the allocator.
 */
rtm_status_t rtm_allocator_deallocate(const rtm_allocator_t *a, void *ptr, size_t size);

/**
 * Reallocate through the interface; when the allocator has no reallocate slot,
 * allocates the new block, copies min(old_size, new_size) bytes and frees the old
 * one. `ptr` NULL behaves as allocate; `new_size` 0 deallocates and stores NULL.
 * Without the slot the allocator sees `ptr` only when it is freed, after the
 * copy: a pointer it then refuses has been read, and the refused call shows in
 * its statistics as one allocation and one deallocation (every rtmem allocator
 * has the slot).
 * @return as allocate and deallocate; on failure the old block is untouched.
 * The wrapper adds O(1), plus the copy without the slot; ISR-safety is that of the allocator.
 */
rtm_status_t rtm_allocator_reallocate(const rtm_allocator_t *a, void *ptr, size_t old_size,
                                      size_t new_size, size_t align, void **out);

/**
 * Copy the allocator's statistics into `*out` (all zero when it keeps none).
 * Does nothing when `a` or `out` is NULL.
 * The wrapper adds O(1); complexity and ISR-safety are those of the allocator.
 */
void rtm_allocator_stats(const rtm_allocator_t *a, rtm_alloc_stats_t *out);

/**
 * Run the allocator's read-only integrity check.
 * @return RTM_OK when consistent or when the allocator has no check;
 *         RTM_ERR_INVALID_ARG for a NULL allocator; RTM_ERR_CORRUPTED.
 * The wrapper adds O(1); complexity and ISR-safety are those of the allocator.
 */
rtm_status_t rtm_allocator_check(const rtm_allocator_t *a);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_ALLOCATOR_H */
