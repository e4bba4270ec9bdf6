/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/redzone.h
 * @brief Layer 4: the red-zone guard, an allocator decorator that puts canary
 *        bytes around every block of any inner allocator and reports overruns
 *        on free and on demand, with the block's address and allocation site.
 *
 * Each request of `size` bytes at alignment A (at least 8) becomes one inner
 * block laid out as:
 *
 *     base (inner block, aligned A)                      p (returned, aligned A)
 *     |                                                  |
 *     | canary pad | header | front canary (16 bytes)   | size bytes | rear canary (16 bytes) |
 *     |<------------- front: a multiple of A ----------->|
 *
 * The header records the inner block, the size, the allocation site and the
 * links of an intrusive list of live blocks, sealed with a checksum that also
 * covers its own address. Canary bytes depend on their address, so a copy of
 * another block's bytes does not pass. Cost per block: 16 rear bytes plus a
 * front of max(A, header + 16) rounded up to A (header: 28 bytes on 32-bit
 * targets, 48 on 64-bit).
 *
 * - Free checks both zones; a damaged block is reported (callback), taken off
 *   the live list and NOT given back to the inner allocator -- its neighbours
 *   may be damaged too -- and the free returns RTM_ERR_CORRUPTED.
 * - rtm_redzone_check_all() walks every live block and reports each damaged one.
 * - Double free is RTM_ERR_DOUBLE_FREE while the inner allocator has not reused
 *   the header's bytes; a pointer that no live block starts at is
 *   RTM_ERR_INVALID_POINTER. Only bytes inside the span of blocks this guard
 *   handed out are ever read to decide that.
 *
 * Allocation site: as in the leak tracker, rtm_redzone_set_site() names the site
 * of the next allocation through the interface; rtm_redzone_alloc() records its
 * own return address. Statistics (`stats` slot) are the inner allocator's,
 * whose accounted sizes include the zones. Free is O(1); check_all O(live).
 * Not synchronized: wrap in the lock decorator.
 *
 * ISR safety: no function blocks or keeps hidden state; allocate, free and
 * check_all are ISR-safe when the inner allocator and the report callback
 * are. Returned blocks are aligned to the request's alignment (at least 8).
 */
#ifndef RTMEM_REDZONE_H
#define RTMEM_REDZONE_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of canary directly before and directly after each block. */
#define RTM_REDZONE_BYTES 16u

/** Report side: the zone before the block (an underrun). */
#define RTM_REDZONE_FRONT 1u
/** Report side: the zone after the block (an overrun). */
#define RTM_REDZONE_BACK 2u

/** Report flag: the block's header itself is damaged; size and site are unknown (0). */
#define RTM_REDZONE_HEADER 0x1u

/** One damaged red zone. */
typedef struct rtm_redzone_report {
    /** The block as returned to the application. */
    void *block;
    /** Its requested size. */
    size_t size;
    /** Its allocation site (0 unknown). */
    uintptr_t site;
    /** The damaged byte nearest to the block (for a damaged header: the header's address). */
    uintptr_t address;
    /** RTM_REDZONE_FRONT or RTM_REDZONE_BACK. */
    uint32_t side;
    /** RTM_REDZONE_HEADER or 0. */
    uint32_t flags;
} rtm_redzone_report_t;

/** Report callback: one call per damaged zone; `r` is valid during the call only. */
typedef void (*rtm_redzone_report_fn)(void *user, const rtm_redzone_report_t *r);

/** Red-zone statistics, copied out. */
typedef struct rtm_redzone_stats {
    /** Blocks live now. */
    uint32_t live_blocks;
    /** Grows only: damaged zones reported (free and check_all). */
    uint32_t overruns_detected;
    /** Grows only: damaged blocks kept from the inner allocator on free. */
    uint32_t quarantined_blocks;
    /** Grows only: rtm_redzone_check_all calls. */
    uint32_t checks;
} rtm_redzone_stats_t;

/** Storage of a red-zone guard, in pointer words (layout private). */
#define RTM_REDZONE_STORAGE_WORDS 20u
/** A red-zone guard. Caller-owned storage; initialise with rtm_redzone_init. */
typedef struct rtm_redzone {
    /** Private. */
    uintptr_t opaque[RTM_REDZONE_STORAGE_WORDS];
} rtm_redzone_t;

/**
 * Initialise `rz` over `inner` (copied). `fn` (may be NULL) receives reports.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `rz`/`inner` or an inner allocator without ops
 *         or without an allocate or deallocate slot (as rtm_lock_init).
 * O(1), ISR-safe.
 */
rtm_status_t rtm_redzone_init(rtm_redzone_t *rz, const rtm_allocator_t *inner, rtm_redzone_report_fn fn,
                              void *user);

/**
 * The guard as an allocator (ops NULL when `rz` is NULL or uninitialised):
 * allocate and free cost the inner allocator's plus O(zone bytes) to write
 * or check the canaries; ISR-safe when the inner allocator and the report
 * callback are. O(1) itself, ISR-safe.
 */
rtm_allocator_t rtm_redzone_allocator(rtm_redzone_t *rz);

/**
 * Allocate through the guard and record the caller's return address as the site.
 * @return as the interface's allocate: RTM_ERR_INVALID_ARG (bad rz, NULL out,
 *         size 0, size + zones overflowing), RTM_ERR_ALIGNMENT, RTM_ERR_NO_MEMORY.
 * The block is aligned to `align` (0 = 8). The inner allocator's cost plus
 * O(zone bytes); ISR-safe when the inner allocator is.
 */
rtm_status_t rtm_redzone_alloc(rtm_redzone_t *rz, size_t size, size_t align, void **out);

/**
 * Free through the guard.
 * @return RTM_OK; RTM_ERR_INVALID_POINTER (NULL, foreign, interior);
 *         RTM_ERR_DOUBLE_FREE; RTM_ERR_CORRUPTED (zones or header damaged: reported,
 *         block quarantined); RTM_ERR_INVALID_ARG for a bad `rz`.
 * The inner allocator's cost plus O(zone bytes); ISR-safe when the inner
 * allocator and the report callback are.
 */
rtm_status_t rtm_redzone_free(rtm_redzone_t *rz, void *ptr);

/** Name the allocation site of the next allocation through the interface (consumed by it). O(1), ISR-safe. */
void rtm_redzone_set_site(rtm_redzone_t *rz, uintptr_t site);

/**
 * Check every live block's zones and header; report each damage through the callback.
 * `*bad` (may be NULL) receives the number of damaged zones found.
 * @return RTM_OK; RTM_ERR_CORRUPTED when anything is damaged (the walk stops at a
 *         block whose header is damaged, as its links cannot be trusted);
 *         RTM_ERR_INVALID_ARG for a bad `rz`. O(live blocks + zone bytes); ISR-safe
 *         when the report callback is.
 */
rtm_status_t rtm_redzone_check_all(rtm_redzone_t *rz, size_t *bad);

/** Copy the statistics into `*out` (zeros for a bad `rz`; nothing for NULL `out`). O(1), ISR-safe. */
void rtm_redzone_get_stats(const rtm_redzone_t *rz, rtm_redzone_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_REDZONE_H */
