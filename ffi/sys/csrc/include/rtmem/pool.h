/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/pool.h
 * @brief Layer 3: fixed-size block pool (the design's `FixedSizePool`).
 *
 * A pool cuts the memory the caller gives into equal blocks and hands them out
 * one at a time. Allocation and deallocation are O(1) with no loop; a double
 * free, an interior pointer and a foreign pointer are all detected in O(1).
 *
 * Memory layout, all carved from the caller's memory (`mem`, `size`):
 *
 *     mem                                                          mem + size
 *     | control fields | map: 1 byte per block | pad | block 1 | block 2 | ... |  (tail) |
 *                      ^ the handle: map byte 0  ^ aligned to block_align
 *     (a map byte is 1 while its block is in use)
 *
 * The block count is the largest that fits; there is no other cap (the seed
 * capped at 64). A free block's first word links it into an intrusive free
 * list, so blocks cost no per-block header. Blocks are handed out from the free
 * list (most recently freed first) or, when the list is empty, from the never
 * used blocks in address order, so initialisation touches only the map.
 *
 * Geometry decided by the caller:
 * - `block_align`: 0 means 8 (the library's minimum alignment); otherwise a power
 *   of two; values below sizeof(void *) are raised to sizeof(void *) so that a
 *   free block can hold its link. Every block is aligned to the result.
 * - `block_size`: the usable size of a block is `block_size` rounded up to a
 *   multiple of the block alignment (and at least sizeof(void *));
 *   rtm_pool_block_size() reports that rounded size. It is also the size every
 *   block is accounted at in the statistics.
 *
 * Not synchronized: wrap the pool's allocator in the lock decorator
 * (rtmem/lock.h) to share it between threads or with interrupt handlers. With
 * that caveat every function is ISR-safe: none blocks, none loops over blocks
 * except rtm_pool_init (map clearing, O(blocks)), rtm_pool_check, rtm_pool_walk
 * and the statistics, which count the blocks in use from the map (O(blocks ever
 * handed out)).
 */
#ifndef RTMEM_POOL_H
#define RTMEM_POOL_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A pool: opaque, lives at the start of the memory given to rtm_pool_init(). */
typedef struct rtm_pool rtm_pool_t;

/** Required alignment of the memory given to rtm_pool_init(), on every target. */
#define RTM_POOL_MEM_ALIGN 8u

/**
 * Pool statistics (the design's `PoolStats`, plus failures and the block size),
 * copied out by value.
 */
typedef struct rtm_pool_stats {
    /** Blocks in the pool (fixed at initialisation). */
    size_t total_blocks;
    /** Blocks that can still be allocated. */
    size_t free_blocks;
    /** Blocks in use (total_blocks - free_blocks). */
    size_t allocated_blocks;
    /** High-water mark of allocated_blocks. */
    size_t peak_usage;
    /** Usable (and accounted) size of every block, as rtm_pool_block_size(). */
    size_t block_size;
    /** Grows only, wraps at 2^32: successful allocations (a reallocation counts one). */
    uint32_t allocation_count;
    /** Grows only, wraps at 2^32: successful deallocations (a reallocation counts one). */
    uint32_t deallocation_count;
    /** Grows only, wraps at 2^32: allocations refused with RTM_ERR_NO_MEMORY. */
    uint32_t failures;
    /** Zero. */
    uint32_t reserved;
} rtm_pool_stats_t;

/**
 * Initialise a pool over `mem` and store its handle (== `mem`) in `*out`.
 *
 * @param mem         the memory; aligned to RTM_POOL_MEM_ALIGN; owned by the pool
 *                    until the caller stops using the handle (there is no deinit:
 *                    just stop using it). Must not be accessed by the caller meanwhile.
 * @param size        bytes at `mem`; `mem + size` must not wrap the address space.
 * @param block_size  requested usable bytes per block, >= 1 (see the file comment).
 * @param block_align 0 (= 8) or a power of two (see the file comment).
 * @param out         receives the handle; set to NULL on failure.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `mem` or `out`, `block_size` 0, a block size
 *         whose rounding overflows, `mem + size` wrapping around, or a `size`
 *         that cannot hold the control fields, the map and at least one block
 *         (a too-small arena is RTM_ERR_INVALID_ARG for every allocator);
 *         RTM_ERR_ALIGNMENT for a non-power-of-two `block_align` or a `mem` not
 *         aligned to RTM_POOL_MEM_ALIGN.
 * O(blocks) (clears the map), plus O(log blocks) to size it. ISR-safe.
 */
rtm_status_t rtm_pool_init(void *mem, size_t size, size_t block_size, size_t block_align,
                           rtm_pool_t **out);

/**
 * Take one block; store it in `*out`. The block is aligned to the pool's block
 * alignment and has rtm_pool_block_size() usable bytes; its contents are undefined.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `p` or `out`;
 *         RTM_ERR_NO_MEMORY when every block is in use (counted in `failures`);
 *         RTM_ERR_CORRUPTED when the free list is broken (a free block was
 *         written after it was freed): nothing is handed out, nothing changes;
 *         also for a non-NULL `p` that is not a pool's handle (see below).
 * On failure `*out` is NULL. O(1), no loop. ISR-safe (see the file comment).
 *
 * Handle check (every function taking a handle): the control block's first word
 * holds the handle's own address rotated by 13 bits. A non-NULL pointer to
 * readable memory that is not a pool (or a pool whose control block was
 * overwritten) answers RTM_ERR_CORRUPTED (the queries: 0, false or zeroed
 * statistics) and nothing is read beyond that word. A pointer to unreadable
 * memory still faults on that one load.
 */
rtm_status_t rtm_pool_alloc(rtm_pool_t *p, void **out);

/**
 * Give back a block obtained from rtm_pool_alloc() (or the pool's allocator).
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `p`;
 *         RTM_ERR_INVALID_POINTER for NULL, a pointer outside the block area, or
 *         one that is not the start of a block (interior pointer);
 *         RTM_ERR_DOUBLE_FREE for a block that is not in use.
 * On failure nothing changes. O(1), no loop: one multiply, one rotate and one
 * compare validate the pointer, one map byte tells whether it is in use.
 * ISR-safe (see the file comment).
 */
rtm_status_t rtm_pool_free(rtm_pool_t *p, void *ptr);

/**
 * Whether `ptr` is a block of this pool that is in use, without changing anything.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `p`; RTM_ERR_INVALID_POINTER and
 *         RTM_ERR_DOUBLE_FREE exactly as rtm_pool_free() would answer.
 * O(1), ISR-safe, read-only.
 */
rtm_status_t rtm_pool_validate(const rtm_pool_t *p, const void *ptr);

/**
 * Whether `ptr` points anywhere inside the pool's block area (used or free,
 * block start or not). False for a NULL `p`. O(1), ISR-safe, read-only.
 */
bool rtm_pool_contains(const rtm_pool_t *p, const void *ptr);

/** The usable (and accounted) size of every block; 0 for NULL. O(1), ISR-safe. */
size_t rtm_pool_block_size(const rtm_pool_t *p);

/** The alignment of every block; 0 for NULL. O(1), ISR-safe. */
size_t rtm_pool_block_align(const rtm_pool_t *p);

/**
 * The start of the memory given to rtm_pool_init (the handle itself lies a few
 * words above it); NULL for NULL or a garbage handle. O(1), ISR-safe.
 */
void *rtm_pool_memory(const rtm_pool_t *p);

/**
 * Bytes from rtm_pool_memory() to the end of the last block: the span the pool
 * owns, less any unusable tail. 0 for NULL. O(1), ISR-safe. (The multi-pool
 * manager uses the two to refuse overlapping pools.)
 */
size_t rtm_pool_footprint(const rtm_pool_t *p);

/** Copy the pool's statistics out; zeroes `*out` for a NULL `p`; nothing for NULL `out`.
 * O(blocks ever handed out): the blocks in use are counted from the map. ISR-safe. */
void rtm_pool_get_stats(const rtm_pool_t *p, rtm_pool_stats_t *out);

/**
 * Blocks in use per thousand blocks, rounded down (0..1000, integers only);
 * 0 for NULL. O(blocks ever handed out), ISR-safe.
 */
uint32_t rtm_pool_utilization_permille(const rtm_pool_t *p);

/**
 * The generic statistics (rtm_alloc_stats_t): every block is accounted at
 * rtm_pool_block_size(); free_bytes, largest_free_block (one block, or 0 when
 * exhausted) and capacity (blocks * block size) are valid. Zeroes `*out` for a
 * NULL `p`; nothing for NULL `out`. O(blocks ever handed out). ISR-safe.
 */
void rtm_pool_stats(const rtm_pool_t *p, rtm_alloc_stats_t *out);

/**
 * Read-only integrity walk: the control block's geometry, the map's
 * population against the counters, and the free list (every node a valid block
 * whose bit is clear, exactly the expected number of nodes, hence no cycle).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL; RTM_ERR_CORRUPTED.
 * O(blocks). Not for the hot path.
 * ISR-safe.
 */
rtm_status_t rtm_pool_check(const rtm_pool_t *p);

/**
 * Visit every block in address order, read-only: `fn(ctx, &info)` with the
 * block's address, rtm_pool_block_size() as its size and `used` 1 or 0 (blocks
 * never handed out yet count as free). A non-OK status from `fn` stops the walk
 * and is returned. Before the first block the control block is checked; a block
 * marked in use that was never carved, or a free block whose link leaves the
 * pool or leads to a block in use, stops the walk there with RTM_ERR_CORRUPTED.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `p` or `fn`; RTM_ERR_CORRUPTED; or
 *         `fn`'s status. O(blocks) plus the callbacks. Not ISR-safe in practice.
 */
rtm_status_t rtm_pool_walk(const rtm_pool_t *p, rtm_walk_fn fn, void *ctx);

/**
 * The pool as an allocator. allocate: size 0 or NULL `out` is
 * RTM_ERR_INVALID_ARG; a non-power-of-two `align` or one above the block
 * alignment is RTM_ERR_ALIGNMENT; a size above rtm_pool_block_size() is
 * RTM_ERR_NO_MEMORY (it can never fit; counted in failures); align 0 means the
 * block alignment. deallocate ignores `size`. reallocate keeps the block in place
 * when the new size and alignment fit a block (and counts one deallocation and one
 * allocation), otherwise answers RTM_ERR_NO_MEMORY / RTM_ERR_ALIGNMENT and leaves
 * the block alone. A NULL `p` gives an allocator whose every call is
 * RTM_ERR_INVALID_ARG.
 * O(1), ISR-safe; each operation as the rtm_pool_* function it calls.
 */
rtm_allocator_t rtm_pool_allocator(rtm_pool_t *p);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_POOL_H */
