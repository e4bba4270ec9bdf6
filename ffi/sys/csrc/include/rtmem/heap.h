/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/heap.h
 * @brief Layer 3: the O(1) real-time heap, rtmem's default general-purpose allocator.
 *
 * A segregated-fit heap (32 size classes, two per power of two, one bitmap
 * word) with immediate coalescing, in the TLSF family. Every operation runs in
 * a time bounded by a constant that depends neither on the heap size nor on
 * how fragmented it is: no loop walks blocks or lists (docs/heap.md gives the
 * bounds and the block layout).
 *
 * Memory: the control block (RTM_HEAP_CONTROL_SIZE bytes, the same on 32- and
 * 64-bit targets) lives at the start of the first region; the rest of every
 * region is blocks. Each block carries a 4-byte header; block sizes are
 * multiples of 8, so a request of n bytes takes align_up(n + 4, 8) bytes (at
 * least 16). Returned memory is aligned to 8 bytes, or more on request.
 *
 * Accounting (rtm_alloc_stats_t): a block is accounted with its usable size,
 * rtm_heap_usable_size(), which is >= the requested size.
 *
 * Misuse is detected in every build, not only with assertions, and answered
 * with a status while the heap stays usable: double free
 * (RTM_ERR_DOUBLE_FREE), interior and foreign pointers (RTM_ERR_INVALID_POINTER),
 * an overrun into the header of the next block (RTM_ERR_CORRUPTED). Headers are
 * stored XOR-ed with a key derived from their address, so stray data is very
 * unlikely to pass for a header; docs/heap.md lists exactly what is and what
 * is not detected.
 *
 * Not synchronized: wrap the heap in the lock decorator to share it between
 * threads or with ISRs. All functions are reentrant for distinct heaps and
 * may run in an ISR (none blocks, none takes longer than its bound).
 */
#ifndef RTMEM_HEAP_H
#define RTMEM_HEAP_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An O(1) heap: opaque, lives inside the caller's first region. */
typedef struct rtm_heap rtm_heap_t;

/** Bytes the control block takes at the start of the first region (after aligning it to 8). */
#define RTM_HEAP_CONTROL_SIZE 252u
/** Smallest `size` rtm_heap_init() accepts for 8-aligned memory: control, one 16-byte block, end marker. */
#define RTM_HEAP_MIN_ARENA 272u
/** Smallest region rtm_heap_add_region() accepts for 8-aligned memory. */
#define RTM_HEAP_MIN_REGION 24u
/** Regions per heap, the first one included. */
#define RTM_HEAP_MAX_REGIONS 4u
/** Minimum alignment of every returned block. */
#define RTM_HEAP_MIN_ALIGN 8u
/** Bytes of metadata per allocated block. */
#define RTM_HEAP_BLOCK_OVERHEAD 4u
/** Largest request (bytes) the heap can ever satisfy (16 MiB - 12); larger ones fail with RTM_ERR_NO_MEMORY. */
#define RTM_HEAP_MAX_REQUEST 0x00fffff4u

/**
 * Create a heap in `mem`: the control block at its start, the rest one free block.
 * `mem` may have any alignment (up to 7 bytes are skipped); at most
 * RTM_HEAP_MAX_REQUEST + 4 bytes of the region are used. The heap owns the
 * memory until the caller stops using the heap; nothing needs tearing down.
 * @param mem  memory for the heap; must stay valid while the heap is used.
 * @param size bytes at `mem`.
 * @param out  receives the handle (NULL on failure).
 * Regions hold at most 16 MiB - 8 bytes of blocks; the rest of a larger
 * `size` is left unused (add it as another region).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `mem` or `out`, a range that
 *         wraps around the end of the address space, or a `size` too
 *         small for the control block and one block (RTM_HEAP_MIN_ARENA plus
 *         the bytes skipped for alignment); RTM_ERR_UNSUPPORTED on a target
 *         with pointers wider than 32 bits when the memory spans 4 GiB or more.
 * O(1), ISR-safe.
 */
rtm_status_t rtm_heap_init(void *mem, size_t size, rtm_heap_t **out);

/**
 * Add a disjoint region of memory to the heap (external RAM, a second bank...).
 * Blocks never span two regions. Any alignment is accepted (up to 11 bytes of
 * the region are lost to alignment and the end marker).
 * On targets with pointers wider than 32 bits every region must lie within
 * the 4 GiB above the heap's control block (blocks are linked by 32-bit
 * offsets from it).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a NULL heap, a handle that is not
 *         a heap, NULL memory, a range that wraps around the end of the
 *         address space, or a region too small to hold a 16-byte block
 *         (at most 16 MiB - 8 bytes of it are used); RTM_ERR_OVERLAP when it overlaps a
 *         region of the heap (or its control block); RTM_ERR_NO_MEMORY when the
 *         heap already has RTM_HEAP_MAX_REGIONS regions; RTM_ERR_UNSUPPORTED when
 *         it lies too far from the control block (see above).
 * O(RTM_HEAP_MAX_REGIONS), ISR-safe.
 */
rtm_status_t rtm_heap_add_region(rtm_heap_t *h, void *mem, size_t size);

/**
 * Allocate `size` bytes aligned to `align` (0 = 8; any power of two).
 * @param h     the heap.
 * @param size  bytes wanted (the usable size may be larger).
 * @param align 0 or a power of two.
 * @param out receives the block, or NULL on failure.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a NULL heap or `out`, a handle that
 *         is not a heap (its seal is missing), or `size` 0;
 *         RTM_ERR_ALIGNMENT for an `align` that is not 0 or a power of two;
 *         RTM_ERR_NO_MEMORY when no free block is large enough (counted in
 *         allocation_failures; also for sizes above RTM_HEAP_MAX_REQUEST);
 *         RTM_ERR_CORRUPTED when the free block the search chose is damaged
 *         (its header does not match its size copy, a link leads outside the
 *         heap, or its size does not fit its region): nothing is written.
 * O(1): a constant bound independent of heap size and fragmentation.
 * Good fit: a request is served from the smallest size class whose every
 * block fits; only when no such class has a block is the first block of the
 * request's own class tried (for alignments above 8: the first block of the
 * largest class and the three after it, then of the request's own class).
 * ISR-safe.
 */
rtm_status_t rtm_heap_alloc(rtm_heap_t *h, size_t size, size_t align, void **out);

/**
 * Free a block, merging it with free neighbours at once.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a NULL heap or a handle that is
 *         not a heap; RTM_ERR_INVALID_POINTER for NULL, a pointer outside every region
 *         (foreign, or in a gap between regions), a misaligned or interior
 *         pointer, or any pointer whose header does not decode;
 *         RTM_ERR_DOUBLE_FREE when the block is already free;
 *         RTM_ERR_CORRUPTED when the block's header is valid but a neighbour's
 *         header or boundary tag disagrees with it (typically an overrun past
 *         the end of this block). On any error nothing is changed.
 * O(1), ISR-safe. Detection is probabilistic for forged data: see docs/heap.md.
 */
rtm_status_t rtm_heap_free(rtm_heap_t *h, void *ptr);

/**
 * Resize a block, in place when possible: shrinking splits the tail off,
 * growing takes from a free block right after it; otherwise a new block is
 * allocated, min(old usable, new_size) bytes copied, and the old block freed.
 * `ptr` NULL behaves as rtm_heap_alloc(); `new_size` 0 frees `ptr` and stores
 * NULL. The result is aligned to `align` (0 = 8), moving the block if needed.
 * @return as rtm_heap_alloc() and rtm_heap_free(); on any failure the old block
 *         is untouched and still owned by the caller, and `*out` is NULL.
 * O(1) plus the copy when the block moves. ISR-safe.
 */
rtm_status_t rtm_heap_realloc(rtm_heap_t *h, void *ptr, size_t new_size, size_t align, void **out);

/**
 * The usable size of a live block (its accounted size, >= the size requested),
 * or 0 when `h` is NULL or `ptr` is not a live block of this heap.
 * O(1), read-only, ISR-safe.
 */
size_t rtm_heap_usable_size(const rtm_heap_t *h, const void *ptr);

/**
 * Copy the statistics out; all optional fields are valid (RTM_STATS_HAS_*):
 * free_bytes is the usable bytes of all free blocks, largest_free_block is
 * exactly the largest request that would succeed now at alignment 8, capacity
 * the usable bytes of the heap when everything is free. Does nothing when
 * `out` is NULL; zeroes `*out` when `h` is NULL. O(1), read-only, ISR-safe.
 */
void rtm_heap_stats(const rtm_heap_t *h, rtm_alloc_stats_t *out);

/**
 * Read-only integrity walk: every block of every region (header keys, sizes,
 * neighbour flags, boundary tags, no two free neighbours), every free list
 * (links, class, bitmap), and the counters.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL; RTM_ERR_CORRUPTED on the first
 *         inconsistency. O(blocks); never writes, never reads outside the regions.
 * ISR-safe.
 */
rtm_status_t rtm_heap_check(const rtm_heap_t *h);

/**
 * Read-only walk: call `fn` for every block of every region in address order,
 * with its payload address, its usable bytes (size minus the 4-byte header)
 * and whether it is used, checking each block as rtm_heap_check() does.
 * @return RTM_OK after the last block; RTM_ERR_INVALID_ARG for a NULL heap or
 *         `fn`; RTM_ERR_CORRUPTED at the first damaged block (the blocks before
 *         it were visited); any other status `fn` returns, which stops the walk.
 * O(blocks); never writes, never reads outside the regions. Not ISR-safe
 * against a concurrent allocator call: hold the heap's lock around it.
 */
rtm_status_t rtm_heap_walk(const rtm_heap_t *h, rtm_walk_fn fn, void *ctx);

/**
 * The heap as a generic allocator (deallocate ignores its size argument).
 * O(1), ISR-safe; each operation as the rtm_heap_* function it calls.
 */
rtm_allocator_t rtm_heap_allocator(rtm_heap_t *h);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_HEAP_H */
