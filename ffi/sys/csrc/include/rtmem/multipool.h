/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/multipool.h
 * @brief Layer 3: multi-size pool manager (the design's `MultiSizePoolManager`).
 *
 * A manager holds size classes, each one fixed-size pool (rtmem/pool.h) that the
 * caller initialised, kept sorted by block size (then block alignment, then the
 * order they were added). An allocation goes to the smallest class whose blocks
 * fit the size and the alignment; when that class is exhausted it spills to the
 * next fitting class, and when no class can serve it, to the optional fallback
 * allocator (any rtm_allocator_t, e.g. a heap), reached through the interface.
 *
 * A class may instead grow on demand (rtm_mpool_add_class): it carves chunks
 * from the fallback and gives empty chunks back, so no memory is reserved for
 * sizes the program does not use.
 *
 * Frees are routed by ADDRESS: the class whose block area contains the pointer
 * gets it, whatever size the caller passes (the seed routed by size, so a block
 * that had spilled to a larger class was freed to the wrong pool). A pointer in
 * no class goes to the fallback; without a fallback it is RTM_ERR_INVALID_POINTER.
 *
 * Memory: the manager and its class table live in the caller's memory; size it
 * with rtm_mpool_storage_size(). The pools and the fallback object are owned by
 * the caller and must outlive the manager's use; the manager keeps pointers to
 * the pools and a copy of the fallback's rtm_allocator_t value.
 *
 * Cost: allocation and free are O(classes) (a short linear scan; each pool
 * operation is O(1)), plus the fallback's own cost when it is used.
 * Not synchronized: wrap rtm_mpool_allocator() in the lock decorator to share it.
 * ISR-safe when the fallback (if used) is.
 */
#ifndef RTMEM_MULTIPOOL_H
#define RTMEM_MULTIPOOL_H

#include "allocator.h"
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A manager: opaque, lives at the start of the memory given to rtm_mpool_init(). */
typedef struct rtm_mpool rtm_mpool_t;

/** Required alignment of the memory given to rtm_mpool_init(), on every target. */
#define RTM_MPOOL_MEM_ALIGN 8u

/**
 * The manager's own counters (the design's `MultiPoolStats`, plus the three last
 * fields). All grow only and wrap at 2^32, except total_pools. A reallocation
 * counts as one deallocation and one allocation request.
 */
typedef struct rtm_mpool_stats {
    /** Classes (pools) added. */
    uint32_t total_pools;
    /** Allocation requests with valid arguments (== pool_hits + pool_misses). */
    uint32_t total_allocations;
    /** Successful deallocations, pools and fallback. */
    uint32_t total_deallocations;
    /** Requests the fallback allocator served. */
    uint32_t fallback_allocations;
    /** Requests a class served. */
    uint32_t pool_hits;
    /** Requests no class served (sent to the fallback, or refused). */
    uint32_t pool_misses;
    /** Pool hits served by a larger class because a smaller fitting one was exhausted. */
    uint32_t spills;
    /** Successful deallocations routed to the fallback. */
    uint32_t fallback_deallocations;
    /** Requests refused with RTM_ERR_NO_MEMORY. */
    uint32_t failures;
    /** Zero. */
    uint32_t reserved;
} rtm_mpool_stats_t;

/** One class, as rtm_mpool_class_info() reports it. */
typedef struct rtm_mpool_class_info {
    /** The class's pool. */
    rtm_pool_t *pool;
    /** Its usable block size (rtm_pool_block_size). */
    size_t block_size;
    /** Its block alignment (rtm_pool_block_align). */
    size_t block_align;
    /** Blocks in the pool. */
    size_t total_blocks;
    /** Blocks free. */
    size_t free_blocks;
    /** Blocks in use per thousand, rounded down (rtm_pool_utilization_permille). */
    uint32_t utilization_permille;
    /** Growing class: chunks it holds now; 0 for a fixed pool (then `pool` is not NULL). */
    uint32_t chunks;
    /** Growing class: blocks per chunk; 0 for a fixed pool. */
    uint32_t chunk_blocks;
    /** Zero. */
    uint32_t reserved;
} rtm_mpool_class_info_t;

/** Smallest chunk size of a growing class (rtm_mpool_add_class). */
#define RTM_MPOOL_MIN_CHUNK 256u
/** Largest chunk size of a growing class. */
#define RTM_MPOOL_MAX_CHUNK 65536u
/** Largest block size of a growing class. */
#define RTM_MPOOL_MAX_CLASS_BLOCK 16384u

/**
 * Bytes of memory rtm_mpool_init() needs for a manager of up to `max_classes`
 * classes; 0 when that overflows size_t or `max_classes` is 0. O(1), ISR-safe.
 */
size_t rtm_mpool_storage_size(uint32_t max_classes);

/**
 * Initialise a manager over `mem`; its class capacity is the most classes that
 * fit in `size` (see rtm_mpool_storage_size). No fallback is set.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `mem` or `out`, `mem + size` wrapping, or a
 *         `size` below rtm_mpool_storage_size(1) (a too-small arena is
 *         RTM_ERR_INVALID_ARG for every allocator);
 *         RTM_ERR_ALIGNMENT for `mem` not aligned to RTM_MPOOL_MEM_ALIGN.
 * `*out` is NULL on failure. O(1), ISR-safe. `mem` belongs to the manager while used.
 */
rtm_status_t rtm_mpool_init(void *mem, size_t size, rtm_mpool_t **out);

/**
 * Add an initialised pool as a class, keeping the classes sorted.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `m` or `pool`;
 *         RTM_ERR_CORRUPTED when `m` or `pool` fails its check;
 *         RTM_ERR_OVERLAP when the pool was already added, or its memory (from the
 *         handle to the end of its last block) overlaps another class's pool or the
 *         manager's own memory;
 *         RTM_ERR_NO_MEMORY when the class table is full;
 *         RTM_ERR_UNSUPPORTED while a growing class holds a chunk.
 * O(classes + blocks of the new pool) (the pool is checked once). Setup-time.
 * ISR-safe.
 */
rtm_status_t rtm_mpool_add_pool(rtm_mpool_t *m, rtm_pool_t *pool);

/**
 * Add a growing class (slab style): blocks of `block_size` bytes (rounded up to
 * a multiple of 8; block alignment 8) served from chunks of `chunk_size` bytes
 * that the manager carves from the fallback allocator when the class has no free
 * block (one rtm_allocator_allocate(fallback, chunk_size, chunk_size)), and gives
 * back (rtm_allocator_deallocate) as soon as a free leaves a chunk empty, except
 * the class's last chunk, which stays until rtm_mpool_trim() (so a class that
 * empties and refills does not carve and give back on every call).
 *
 * A chunk is aligned to its size and starts with its header (a keyed word, the
 * class, list links, the free list, and one state byte per block), so a free
 * finds the header by masking the address: O(1) whatever the number of chunks,
 * and no per-block header. The manager reads such a header only for addresses
 * between the lowest and the highest chunk it has carved, so the fallback must
 * own that whole range (one arena, as rtm_heap; not an allocator whose memory is
 * split across unmapped regions). Double frees (RTM_ERR_DOUBLE_FREE), pointers
 * into a chunk's header or between blocks (RTM_ERR_INVALID_POINTER) are refused.
 * Every growing class of a manager uses the same `chunk_size`.
 *
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for an invalid `m`, `block_size` 0 or above
 *         RTM_MPOOL_MAX_CLASS_BLOCK, `chunk_size` not a power of two in
 *         [RTM_MPOOL_MIN_CHUNK, RTM_MPOOL_MAX_CHUNK] or unlike the chunk size of an
 *         earlier growing class, or a chunk too small for one block;
 *         RTM_ERR_NO_MEMORY when the class table is full;
 *         RTM_ERR_UNSUPPORTED while any growing class holds a chunk (add every
 *         class before the first allocation; rtm_mpool_add_pool answers the same).
 * O(classes). Setup-time. Allocating from a growing class is O(1) (plus the
 * fallback's cost when a chunk is carved), and so is freeing (plus the fallback's
 * cost when a chunk is given back); ISR-safe when the fallback is.
 */
rtm_status_t rtm_mpool_add_class(rtm_mpool_t *m, size_t block_size, size_t chunk_size);

/**
 * Give every growing class's empty last chunk back to the fallback; afterwards a
 * manager with no block in use holds no chunk.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for an invalid `m`; otherwise the first
 *         failing status of the fallback's deallocate (the chunk is dropped anyway).
 * O(classes) plus the fallback's cost per chunk. ISR-safe when the fallback is.
 */
rtm_status_t rtm_mpool_trim(rtm_mpool_t *m);

/**
 * Set (or with NULL, clear) the fallback allocator. The rtm_allocator_t value is
 * copied; the object it points to must outlive its use. Blocks the old fallback
 * handed out must be freed before it is replaced (they would be routed to the new one).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `m`, a fallback without the
 *         required allocate/deallocate slots (see rtmem/allocator.h), or one whose
 *         context is this manager (a miss would recurse without end).
 * O(1).
 * ISR-safe.
 */
rtm_status_t rtm_mpool_set_fallback(rtm_mpool_t *m, const rtm_allocator_t *fallback);

/**
 * Allocate `size` bytes aligned to `align` (0: the chosen class's block
 * alignment, at least sizeof(void *), or the fallback's minimum).
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `m` or `out`, or `size` 0;
 *         RTM_ERR_ALIGNMENT for a non-power-of-two `align` (or the fallback's answer);
 *         RTM_ERR_NO_MEMORY when no class and no fallback can serve it;
 *         RTM_ERR_CORRUPTED when a fitting class's free list is broken (no spill then);
 *         otherwise the fallback's status.
 * `*out` is NULL on failure. O(classes) plus the fallback.
 * ISR-safe when the fallback (if used) is.
 */
rtm_status_t rtm_mpool_alloc(rtm_mpool_t *m, size_t size, size_t align, void **out);

/**
 * Free a block, routed by its address; `size` is only passed on to the fallback
 * (0 if unknown), never used to choose a class.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `m`;
 *         RTM_ERR_INVALID_POINTER for NULL, an interior pointer of a class, or a
 *         pointer in no class without a fallback;
 *         RTM_ERR_DOUBLE_FREE for a class block not in use;
 *         otherwise the fallback's status.
 * O(classes) plus the fallback.
 * ISR-safe when the fallback (if used) is.
 */
rtm_status_t rtm_mpool_free(rtm_mpool_t *m, void *ptr, size_t size);

/**
 * Copy the manager's own counters out; zeroes `*out` for NULL `m`; nothing for NULL `out`. O(1).
 * ISR-safe.
 */
void rtm_mpool_get_stats(const rtm_mpool_t *m, rtm_mpool_stats_t *out);

/** Number of classes; 0 for NULL. O(1). ISR-safe. */
uint32_t rtm_mpool_class_count(const rtm_mpool_t *m);

/**
 * Describe class `index` (0 = smallest block size).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `m` or `out`, or `index` >= class count.
 * O(1).
 * ISR-safe.
 */
rtm_status_t rtm_mpool_class_info(const rtm_mpool_t *m, uint32_t index, rtm_mpool_class_info_t *out);

/**
 * The generic statistics: the field-wise sum of every class pool's
 * rtm_pool_stats() and the fallback's statistics (so they include any use of
 * those objects outside the manager), except allocation_failures, which counts the
 * manager's own RTM_ERR_NO_MEMORY answers. peak_memory_usage is the sum of the
 * members' peaks (an upper bound of the joint peak); largest_free_block is the
 * largest of the members'; a RTM_STATS_HAS_* flag is set only when every member
 * sets it. Zeroes `*out` for NULL `m`. O(classes).
 * ISR-safe when the fallback (if used) is.
 */
void rtm_mpool_stats(const rtm_mpool_t *m, rtm_alloc_stats_t *out);

/**
 * Read-only check: the class table (sorted, no overlaps, within capacity), every
 * class pool's rtm_pool_check(), and the fallback's check.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL; RTM_ERR_CORRUPTED.
 * O(total blocks) plus the fallback's check.
 * ISR-safe when the fallback (if used) is.
 */
rtm_status_t rtm_mpool_check(const rtm_mpool_t *m);

/**
 * The manager as an allocator. allocate and deallocate as rtm_mpool_alloc /
 * rtm_mpool_free. reallocate: a class block whose class still fits the new size
 * and alignment stays in place; otherwise a new block is allocated (any class or
 * the fallback), min(old block size, new_size) bytes are copied and the old block
 * is freed. A fallback block is reallocated by the fallback (it stays there).
 * On failure the old block is untouched. A NULL `m` gives an allocator whose every
 * call is RTM_ERR_INVALID_ARG.
 * O(1) itself, ISR-safe; each operation as the rtm_mpool_* function it calls.
 */
rtm_allocator_t rtm_mpool_allocator(rtm_mpool_t *m);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MULTIPOOL_H */
