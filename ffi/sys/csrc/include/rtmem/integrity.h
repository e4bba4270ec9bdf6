/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/integrity.h
 * @brief Layer 5: region integrity (the design's `MemoryCorruptionDetector`):
 *        CRC-32 seals over protected memory regions, checked on demand.
 *
 * A region is sealed with the CRC-32 of its bytes when added; a check recomputes
 * it and reports the regions whose contents changed. After a legitimate write,
 * re-seal with rtm_integrity_update. The region table is caller storage.
 *
 * CRC-32 is the IEEE 802.3 one (polynomial 0x04C11DB7, reflected: 0xEDB88320,
 * initial value and final XOR 0xFFFFFFFF), computed a nibble at a time with a
 * 16-entry table: CRC-32("123456789") = 0xCBF43926.
 *
 * RTM_DEVIATION: the design's rotate-and-add checksum XORed with a canary is
 * replaced by CRC-32, which detects every burst error up to 32 bits; there is
 * no canary parameter.
 *
 * Objects are not synchronized; a check reads the regions while others may
 * write them -- take the lock that guards the regions' writers.
 */
#ifndef RTMEM_INTEGRITY_H
#define RTMEM_INTEGRITY_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Continue a CRC-32 over `size` more bytes: `crc` is the value returned for the
 * bytes before (0 to start). rtm_crc32_update(rtm_crc32_update(0, a, n), b, m)
 * equals the CRC of a followed by b. `data` may be NULL only when size is 0.
 * O(size), ISR-safe, no state.
 */
uint32_t rtm_crc32_update(uint32_t crc, const void *data, size_t size);

/** CRC-32 of `size` bytes at `data` (= rtm_crc32_update(0, data, size)). O(size), ISR-safe. */
uint32_t rtm_crc32(const void *data, size_t size);

/** Storage of one table slot, in pointer words (layout private). */
#define RTM_INTEGRITY_SLOT_WORDS 4u
/** One slot of the caller's region table. */
typedef struct rtm_integrity_slot {
    /** Private. */
    uintptr_t opaque[RTM_INTEGRITY_SLOT_WORDS];
} rtm_integrity_slot_t;

/** Storage of a detector, in pointer words (layout private). */
#define RTM_INTEGRITY_STORAGE_WORDS 12u
/** An integrity detector. Caller-owned storage; initialise with rtm_integrity_init. */
typedef struct rtm_integrity {
    /** Private. */
    uintptr_t opaque[RTM_INTEGRITY_STORAGE_WORDS];
} rtm_integrity_t;

/** Statistics (the design's `CorruptionStats`), copied out. */
typedef struct rtm_integrity_stats {
    /** Grows only: region checks performed (one per region per checking pass). */
    uint32_t total_checks;
    /** Grows only: regions found corrupted, each counted once until re-sealed or removed. */
    uint32_t corruptions_detected;
    /** Grows only: regions found corrupted that later matched their seal again
     *  without a re-seal (a transient: e.g. a write in flight during a check). */
    uint32_t false_alarms;
    /** Regions monitored now. */
    uint32_t regions_monitored;
    /** Grows only: rtm_integrity_check calls skipped by the check frequency. */
    uint32_t skipped_checks;
    /** Zero. */
    uint32_t reserved;
} rtm_integrity_stats_t;

/**
 * Initialise `d` over `slots[capacity]` (caller storage, owned by `d` until it
 * is no longer used). `check_frequency` N makes rtm_integrity_check do its work
 * on every N-th call (the 1st, N+1-th, ...); 0 and 1 both mean every call.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `d`, NULL `slots` with a non-zero
 *         capacity, or a capacity above 0xFFFFFFFE. O(capacity).
 * ISR-safe.
 */
rtm_status_t rtm_integrity_init(rtm_integrity_t *d, rtm_integrity_slot_t *slots, size_t capacity,
                                uint32_t check_frequency);

/**
 * Protect [start, start + size): seal it with its CRC now. Regions may overlap.
 * The memory must stay readable while protected. `*id` (may be NULL) receives
 * the region's id (its slot index, stable until removed).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `d`/`start`, size 0 or a range
 *         that wraps the address space; RTM_ERR_NO_MEMORY when the table is full.
 *         O(capacity + size).
 * ISR-safe.
 */
rtm_status_t rtm_integrity_add(rtm_integrity_t *d, const void *start, size_t size, uint32_t *id);

/**
 * Stop protecting region `id`.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL or an id that names no region. O(1).
 * ISR-safe.
 */
rtm_status_t rtm_integrity_remove(rtm_integrity_t *d, uint32_t id);

/**
 * Re-seal region `id` after a legitimate write (clears its corrupted state).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL or an unknown id. O(size).
 * ISR-safe.
 */
rtm_status_t rtm_integrity_update(rtm_integrity_t *d, uint32_t id);

/**
 * Check every region (the design's check_integrity) -- or, per the check
 * frequency, skip this call. Writes the ids of corrupted regions into
 * `bad[0 .. bad_cap)` (in id order; `bad` may be NULL when bad_cap is 0) and
 * their total number into `*bad_count` (may be NULL), also beyond bad_cap.
 * @return RTM_OK (checked and clean, or skipped: *bad_count 0);
 *         RTM_ERR_CORRUPTED when at least one region changed;
 *         RTM_ERR_INVALID_ARG for NULL `d` or NULL `bad` with bad_cap > 0.
 *         O(capacity + protected bytes).
 * ISR-safe.
 */
rtm_status_t rtm_integrity_check(rtm_integrity_t *d, uint32_t *bad, size_t bad_cap, size_t *bad_count);

/**
 * Check one region now, whatever the frequency.
 * @return RTM_OK; RTM_ERR_CORRUPTED; RTM_ERR_INVALID_ARG for NULL or an unknown id. O(size).
 * ISR-safe.
 */
rtm_status_t rtm_integrity_check_region(rtm_integrity_t *d, uint32_t id);

/** Copy the statistics into `*out` (zeros for NULL `d`; nothing for NULL `out`). O(1). ISR-safe. */
void rtm_integrity_get_stats(const rtm_integrity_t *d, rtm_integrity_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_INTEGRITY_H */
