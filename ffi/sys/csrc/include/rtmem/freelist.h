/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/freelist.h
 * @brief Layer 3: free-list heap (the design's `LinkedListAllocator`, done right):
 * address-ordered first fit, splitting with a minimum block size, coalescing
 * with both neighbours on every free, any power-of-two alignment, in-place
 * realloc, and O(1) detection of double, interior and foreign frees and of
 * overwritten headers.
 *
 * The heap is initialised in place over memory the caller gives; the control
 * block sits at its start and the handle points at it. The rest is a sequence
 * of blocks that tile it exactly, each with a 2-word header:
 *
 *     mem pad rtm_freelist_t pad lo                                         hi
 *      |<>|<-------------->|<>|hdr| used |hdr| free   |hdr| used |...|hdr| free |
 *
 *     used:  | size|USED | seal |  payload (usable size = size - header) ...   |
 *     free:  | size      | seal | next free block (address order) | ...      |
 *
 * Free blocks are kept in one list sorted by address; no two free blocks are
 * ever adjacent. See docs/allocators-basic.md for the design.
 *
 * Guarantees:
 * - After every block is freed the heap is again one free block: coalescing
 *   recovers the whole arena (free_bytes and largest_free_block return to their
 *   initial values).
 * - No byte is ever lost: split remainders smaller than the minimum block stay
 *   with the allocated block (and count in its usable size), and the gap in
 *   front of an over-aligned block becomes a free block of its own.
 * - Misuse caught in O(1) on every free, realloc and usable_size: a pointer
 *   outside the heap or not 8-aligned (RTM_ERR_INVALID_POINTER), a block already
 *   free (RTM_ERR_DOUBLE_FREE), a header whose seal does not match: an interior
 *   pointer (RTM_ERR_INVALID_POINTER) or an overwritten header, e.g. by an
 *   overrun of the block below (RTM_ERR_CORRUPTED). The seal is a keyed 32-bit
 *   hash over the header's address, size, flags and (free blocks) link, so a
 *   random word passes with probability 2^-32.
 *
 * Accounted size (stats, see rtmem/types.h): the block's usable size, which is
 * the request rounded up to 8 plus any remainder too small to split off
 * (rtm_freelist_usable_size() tells it).
 *
 * Memory cost: the control block (84 to 88 bytes on 32-bit targets, 120 on
 * 64-bit), per block a header of 2 * sizeof(size_t) bytes and rounding to 8; the
 * minimum block (header + 8) is 16 bytes on 32-bit targets, 24 on 64-bit.
 *
 * Initialising a heap again over the memory of an earlier one changes the seal
 * key, so pointers into the earlier heap are refused, never taken for live
 * blocks of the new one (RTM_ERR_INVALID_POINTER; RTM_ERR_DOUBLE_FREE where a
 * free block of the new heap starts at the same address).
 *
 * Complexity: n is the number of blocks, f the number of free blocks. Allocation
 * is first fit: O(f). Free walks the address-ordered list to its place (which
 * also finds both neighbours to coalesce with): O(f). Every free block visited
 * is verified on the way, so a damaged list is RTM_ERR_CORRUPTED, never a wild
 * write. For a bounded worst case use the O(1) heap (rtmem/heap.h).
 *
 * Alignment: every block is aligned to max(align, 8) (RTM_MIN_ALIGN) on every
 * target; any power of two is accepted.
 *
 * Not synchronized and not ISR-safe: wrap it in the lock decorator (rtmem/lock.h)
 * to share it between threads or with interrupt handlers. No function blocks.
 */
#ifndef RTMEM_FREELIST_H
#define RTMEM_FREELIST_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A free-list heap; opaque, it lives at the start of the memory given to rtm_freelist_init(). */
typedef struct rtm_freelist rtm_freelist_t;

/**
 * Initialise a heap over `size` bytes at `mem` and store its handle in `*out`.
 * `mem` may have any alignment: the control block and the blocks are placed at
 * 8-aligned addresses inside it, and the end is rounded down to 8. The heap
 * owns the memory until the caller stops using it; there is nothing to tear down.
 * @return RTM_OK; RTM_ERR_INVALID_ARG when `out` or `mem` is NULL, `mem + size`
 *         wraps around, or what is left after the control block and alignment
 *         cannot hold one minimum block. `*out` is NULL on failure.
 * O(1). Not ISR-safe.
 */
rtm_status_t rtm_freelist_init(void *mem, size_t size, rtm_freelist_t **out);

/**
 * Allocate `size` bytes aligned to `align` (0 = 8; any power of two; values
 * below 8 mean 8): the first free block in address order that can hold it.
 * @return RTM_OK and the block in `*out`;
 *         RTM_ERR_INVALID_ARG for NULL `h` or `out`, or `size` 0;
 *         RTM_ERR_ALIGNMENT when `align` is not 0 and not a power of two;
 *         RTM_ERR_NO_MEMORY when no free block can hold it (any size larger than
 *         the heap, up to SIZE_MAX, lands here; the failure counter grows);
 *         RTM_ERR_CORRUPTED when the control block or a free block visited fails
 *         its check. `*out` is NULL on any failure and nothing else changes.
 * O(f). Not ISR-safe.
 */
rtm_status_t rtm_freelist_alloc(rtm_freelist_t *h, size_t size, size_t align, void **out);

/**
 * Free a block and coalesce it with a free neighbour on either side.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `h`;
 *         RTM_ERR_INVALID_POINTER for NULL, a pointer outside the heap or not
 *         8-aligned, or not the start of a block (interior, foreign);
 *         RTM_ERR_DOUBLE_FREE for a block already free (while its header has not
 *         been reused by a later allocation);
 *         RTM_ERR_CORRUPTED when the block's header was overwritten, or the
 *         control block or a free block on the way fails its check.
 *         Nothing changes on failure.
 * O(1) to detect misuse, O(f) to link and coalesce. Telling an interior pointer
 * from an overwritten header walks the blocks once: O(n), on that error path only.
 * Not ISR-safe.
 */
rtm_status_t rtm_freelist_free(rtm_freelist_t *h, void *ptr);

/**
 * Resize a block. `ptr` NULL behaves as rtm_freelist_alloc(); `new_size` 0
 * behaves as rtm_freelist_free() and stores NULL. When the block is aligned to
 * `align` it shrinks in place (a tail of at least a minimum block is split off
 * and coalesced with a free block after it) and grows in place when the block
 * after it is free and large enough; otherwise a new block is allocated, min(old
 * usable size, new_size) bytes are copied and the old block is freed.
 * @return RTM_OK and the block in `*out`; the errors of rtm_freelist_alloc() and
 *         rtm_freelist_free(). On failure `*out` is NULL and the old block is
 *         untouched and still owned by the caller.
 * O(f) plus the copy. Not ISR-safe.
 */
rtm_status_t rtm_freelist_realloc(rtm_freelist_t *h, void *ptr, size_t new_size, size_t align,
                                  void **out);

/**
 * The usable size of a live block (at least what was asked for), or 0 when `h`
 * is NULL or `ptr` is not a live block of this heap (NULL, foreign, interior,
 * free, or its header fails its check).
 * O(1), read-only. Not ISR-safe.
 */
size_t rtm_freelist_usable_size(const rtm_freelist_t *h, const void *ptr);

/**
 * Copy the statistics into `*out` (flags RTM_STATS_HAS_FREE_BYTES |
 * RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY). free_bytes sums the
 * usable size of every free block, largest_free_block is the largest usable
 * size of one (the largest request that succeeds at alignment 8), capacity is
 * the bytes from the first block to the end of the heap. All zero when `h` is
 * NULL; does nothing when `out` is NULL. The free-list walk stops at the first
 * free block that fails its check.
 * O(f), read-only. Not ISR-safe.
 */
void rtm_freelist_stats(const rtm_freelist_t *h, rtm_alloc_stats_t *out);

/**
 * Read-only integrity check: the control block, then every block in address
 * order (header seal and flags, size a multiple of 8 and at least the minimum,
 * sizes summing exactly to the heap, no two adjacent free blocks), the free list
 * (sorted, and exactly the free blocks found), and the statistics against the
 * blocks found (live count and usable bytes).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `h`; RTM_ERR_CORRUPTED.
 * O(n). Not ISR-safe.
 */
rtm_status_t rtm_freelist_check(const rtm_freelist_t *h);

/**
 * Visit every block in address order, read-only: `fn(ctx, &info)` with the
 * payload address, the usable bytes (used) or the bytes a request could get from
 * the block (free), and `used` 1 or 0. A non-OK status from `fn` stops the walk
 * and is returned. Every header is checked (bounds, size, seal) before it is
 * visited or followed: the first damaged block stops the walk with
 * RTM_ERR_CORRUPTED, the blocks below it having been visited.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `h` or `fn`; RTM_ERR_CORRUPTED (a
 *         damaged control block or block); or `fn`'s status. O(blocks) plus the
 *         callbacks. Read-only; ISR-safe, but not against a concurrent call on
 *         the same heap (hold its lock around the walk).
 */
rtm_status_t rtm_freelist_walk(const rtm_freelist_t *h, rtm_walk_fn fn, void *ctx);

/**
 * The heap as an rtm_allocator_t (static const ops table). The interface's
 * `size` and `old_size` arguments are ignored: the heap records sizes.
 * Valid as long as the heap is.
 * O(1), ISR-safe; each operation as the rtm_freelist_* function it calls.
 */
rtm_allocator_t rtm_freelist_allocator(rtm_freelist_t *h);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_FREELIST_H */
