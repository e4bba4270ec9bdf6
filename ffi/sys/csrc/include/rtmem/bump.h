/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/bump.h
 * @brief Layer 3: bump arena (the design's `SimpleHeapAllocator`), a stack-ordered
 * region allocator: O(1) allocation, marks and rollback, reset, and freeing the
 * newest block gives its bytes back.
 *
 * The arena is initialised in place over memory the caller gives; the control
 * block sits at its start and the handle points at it. Blocks are carved upwards
 * from a single `top`, each preceded by a 3-word header (link to the block below,
 * requested size, a seal over both that also encodes live/dead):
 *
 *     mem  pad  rtm_bump_t                                       top          end
 *      |<->|<--------------->|hdr|block 0|pad|hdr|block 1|..|hdr|newest|  free   |
 *                                 ^ 8-aligned    ^ aligned as asked
 *
 * Guarantees (exactly):
 * - `top` is always the end of the newest live block (or the arena start).
 * - Freeing the newest live block gives its bytes back (and the alignment padding
 *   and header in front of it), and with them every block directly beneath it
 *   that was already freed: the arena is a stack, so a block's bytes come back
 *   as soon as it and every block allocated after it have been freed, in any
 *   order. Freeing any other block is accepted, counted (stats) and marks it
 *   dead, but gives no bytes back yet.
 * - A block's bytes also come back at `rtm_bump_rollback` to a mark at or below
 *   it, and at `rtm_bump_reset`.
 * - Freeing a block twice is RTM_ERR_DOUBLE_FREE while its header is intact
 *   (always while the block is below `top`; above `top` until a later block
 *   reuses that memory, after which it is RTM_ERR_INVALID_POINTER). Pointers
 *   from before a reset, or into an earlier arena initialised over the same
 *   memory, are RTM_ERR_INVALID_POINTER.
 *
 * Accounted size (stats, see rtmem/types.h): the requested size.
 * free_bytes is `end - top` (raw bytes above the top, which the next block's
 * header and padding come out of); bytes of dead blocks below the top are not
 * free. largest_free_block is the largest request that succeeds now at the
 * minimum alignment. capacity is the bytes after the control block.
 *
 * Memory cost: the control block (88 to 96 bytes on 32-bit targets, 128 on
 * 64-bit), plus per block 3 * sizeof(size_t) header bytes and the padding up to
 * its alignment.
 *
 * Alignment: every block is aligned to max(align, 8) (RTM_MIN_ALIGN); any power
 * of two is accepted.
 *
 * Not synchronized and not ISR-safe: wrap it in the lock decorator (rtmem/lock.h)
 * to share it between threads or with interrupt handlers. No function blocks.
 */
#ifndef RTMEM_BUMP_H
#define RTMEM_BUMP_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A bump arena; opaque, it lives at the start of the memory given to rtm_bump_init(). */
typedef struct rtm_bump rtm_bump_t;

/**
 * A position in the arena, from rtm_bump_mark(). It encodes the top and the
 * reset generation (in the high bits not needed for the arena's capacity).
 */
typedef size_t rtm_bump_mark_t;

/**
 * Initialise a bump arena over `size` bytes at `mem` and store its handle in
 * `*out`. `mem` may have any alignment: the control block is placed at the
 * first 8-aligned address. The arena owns the memory until the caller stops
 * using it; there is nothing to tear down.
 * @return RTM_OK; RTM_ERR_INVALID_ARG when `out` or `mem` is NULL, when
 *         `mem + size` wraps around, or when the memory cannot hold the control
 *         block plus one header and 8 bytes (so a 1-byte allocation at default
 *         alignment always succeeds in a fresh arena). `*out` is NULL on failure.
 * O(1). Not ISR-safe.
 */
rtm_status_t rtm_bump_init(void *mem, size_t size, rtm_bump_t **out);

/**
 * Allocate `size` bytes aligned to `align` (0 = 8; any power of two; values
 * below 8 mean 8) above the top.
 * @return RTM_OK and the block in `*out`;
 *         RTM_ERR_INVALID_ARG for NULL `b` or `out`, or `size` 0;
 *         RTM_ERR_ALIGNMENT when `align` is not 0 and not a power of two;
 *         RTM_ERR_CORRUPTED when the control block fails its O(1) check;
 *         RTM_ERR_NO_MEMORY when header, padding and block do not fit above the
 *         top (any size larger than the arena, up to SIZE_MAX, lands here; the
 *         failure counter grows).
 *         `*out` is NULL on any failure and nothing else changes.
 * O(1). Not ISR-safe.
 */
rtm_status_t rtm_bump_alloc(rtm_bump_t *b, size_t size, size_t align, void **out);

/**
 * Free a block. The newest live block is given back at once together with the
 * dead blocks directly beneath it; any other block is marked dead (counted as a
 * deallocation) and its bytes come back later, see the file comment.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `b`;
 *         RTM_ERR_INVALID_POINTER for NULL, a pointer outside the arena, not
 *         8-aligned, or not the start of a block (interior, padding, foreign);
 *         RTM_ERR_DOUBLE_FREE for a block already freed (see the file comment);
 *         RTM_ERR_CORRUPTED when the control block or a header on the way fails
 *         its check. Nothing changes on failure.
 * O(1) to detect misuse and to free; giving back d dead blocks beneath the
 * newest costs O(d) more (each block is given back once, so amortized O(1)).
 * Telling an interior pointer from a damaged header walks the blocks once: O(n),
 * on that error path only. Not ISR-safe.
 */
rtm_status_t rtm_bump_free(rtm_bump_t *b, void *ptr);

/**
 * Resize a block. `ptr` NULL behaves as rtm_bump_alloc(); `new_size` 0 behaves
 * as rtm_bump_free() and stores NULL. The newest live block grows or shrinks in
 * place (pointer unchanged) when it is aligned to `align`; any other block
 * shrinks in place (its bytes stay reserved until it is given back) and grows by
 * allocating a new block above the top, copying min(old, new) bytes and freeing
 * the old one (which then becomes dead). A block not aligned to `align` moves.
 * @return RTM_OK and the block in `*out`; the errors of rtm_bump_alloc() and
 *         rtm_bump_free(); RTM_ERR_NO_MEMORY when the block can neither stay nor
 *         move. On failure `*out` is NULL and the old block is untouched and
 *         still owned by the caller.
 * O(1) plus the copy. Not ISR-safe.
 */
rtm_status_t rtm_bump_realloc(rtm_bump_t *b, void *ptr, size_t new_size, size_t align, void **out);

/**
 * Free every block at once: the top returns to the arena start and every mark
 * and pointer handed out before becomes invalid. Counted as one deallocation
 * per live block. Does nothing when `b` is NULL or its control block is damaged
 * beyond repair (magic or bounds wrong; a damaged top is repaired).
 * O(1). Not ISR-safe.
 */
void rtm_bump_reset(rtm_bump_t *b);

/**
 * The current position, to pass to rtm_bump_rollback() later. Returns 0 when
 * `b` is NULL. The mark is valid until a reset or until the top falls below it
 * (by a free or a rollback). After that, rollback refuses it while it lies above
 * the top or inside a block; otherwise it releases the blocks at or above it,
 * all of which were allocated after the mark was taken.
 * O(1), read-only.
 * ISR-safe.
 */
rtm_bump_mark_t rtm_bump_mark(const rtm_bump_t *b);

/**
 * Free every block that lies at or above `mark` (everything allocated since the
 * mark was taken), then give back dead blocks directly beneath as rtm_bump_free()
 * does. Live blocks released count as deallocations.
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for NULL `b`, a mark from before a reset, a mark
 *         above the current top, or a mark that falls inside a block (a mark the
 *         top already fell below and grew past again);
 *         RTM_ERR_CORRUPTED when the control block or a header fails its check.
 *         Nothing changes on failure.
 * A reset is detected unless a multiple of 2^g resets happened in between, where
 * g is the number of bits of size_t not needed for the capacity (g >= 11 for
 * arenas up to 1 MiB on 32-bit targets); a rollback is harmless even then.
 * O(k) for the k blocks released. Not ISR-safe.
 */
rtm_status_t rtm_bump_rollback(rtm_bump_t *b, rtm_bump_mark_t mark);

/**
 * Copy the statistics into `*out` (accounting as in the file comment; flags
 * RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY).
 * All zero when `b` is NULL; does nothing when `out` is NULL.
 * O(1), read-only.
 * ISR-safe.
 */
void rtm_bump_stats(const rtm_bump_t *b, rtm_alloc_stats_t *out);

/**
 * Read-only integrity check: the control block (magic, bounds, top within the
 * arena), then every block from the newest down (each header's seal, blocks
 * below each other and inside the arena, the newest live and ending at the top)
 * and the statistics against the blocks found (live count and bytes).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `b`; RTM_ERR_CORRUPTED.
 * O(n) in the blocks below the top. Not ISR-safe.
 */
rtm_status_t rtm_bump_check(const rtm_bump_t *b);

/**
 * The arena as an rtm_allocator_t (static const ops table). The interface's
 * `size` and `old_size` arguments are ignored: the arena records sizes.
 * Valid as long as the arena is.
 * O(1), ISR-safe; each operation as the rtm_bump_* function it calls.
 */
rtm_allocator_t rtm_bump_allocator(rtm_bump_t *b);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_BUMP_H */
