/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/leak.h
 * @brief Layer 4: the leak tracker (the design's `MemoryLeakDetector`), an
 *        allocator decorator.
 *
 * rtm_leak_allocator() is itself an allocator: it forwards every request to the
 * inner allocator and records each live block -- pointer, size, caller address,
 * timestamp from a clock callback -- in a record table the caller provides. A
 * check reports blocks older than a threshold, each block ONCE (the design
 * counted the same leak again on every check); a reported block that is freed
 * later counts as a false positive. When the table is full, allocations still
 * succeed and are counted in `untracked_allocations` instead of being lost
 * silently.
 *
 * Caller address: an allocation made through the allocator interface records
 * the address set beforehand with rtm_leak_set_caller() (consumed by the next
 * allocation; 0 when none was set), because inside the interface the return
 * address would name the interface wrapper, not the application. The direct
 * entry rtm_leak_alloc() records its own return address
 * (__builtin_return_address(0)): the instruction after the application's call,
 * with the Thumb bit set on Cortex-M.
 *
 * Blocks, alignment, sizes, statistics (the `stats` slot) and all statuses of
 * allocate/deallocate/reallocate are the inner allocator's. Record lookup is a
 * linear scan of the table: O(capacity) per free -- a debugging tool.
 * Not synchronized: wrap the leak allocator in the lock decorator and call
 * rtm_leak_check under the same lock.
 *
 * ISR safety: no function blocks or keeps hidden state; the ones that call
 * the inner allocator or the clock are ISR-safe when those are (the O(1)
 * heap and the pools are). The O(capacity) scans bound the interrupt latency
 * when the tracker sits behind an interrupt-masking lock.
 */
#ifndef RTMEM_LEAK_H
#define RTMEM_LEAK_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Record flag: the block has been reported as a leak. */
#define RTM_LEAK_REPORTED 0x1u

/** One live block (the design's `AllocationRecord`). Caller storage, written by the tracker. */
typedef struct rtm_leak_record {
    /** Clock value when the block was allocated (or last reallocated). */
    uint64_t timestamp;
    /** The block; NULL marks a free record. */
    void *ptr;
    /** Requested size. */
    size_t size;
    /** Caller address (see the file comment); 0 unknown. */
    uintptr_t caller;
    /** RTM_LEAK_* flags. */
    uint32_t flags;
    /** Zero. */
    uint32_t reserved;
} rtm_leak_record_t;

/** Clock callback: the current time in any monotonic unit (the threshold's unit). */
typedef uint64_t (*rtm_leak_clock_fn)(void *user);

/** Leak report callback: one call per newly found leak; `rec` is valid during the call only. */
typedef void (*rtm_leak_report_fn)(void *user, const rtm_leak_record_t *rec);

/** Configuration of a tracker. */
typedef struct rtm_leak_config {
    /** The allocator that does the work (copied). */
    rtm_allocator_t inner;
    /** Record table: caller storage, used by the tracker until it is no longer used. */
    rtm_leak_record_t *records;
    /** Records in the table (0 is allowed: everything is untracked). */
    size_t capacity;
    /** Required clock. */
    rtm_leak_clock_fn clock;
    /** Passed to `clock`. */
    void *clock_user;
    /** A live block whose age (now - timestamp) exceeds this is a leak. */
    uint64_t threshold;
} rtm_leak_config_t;

/** Tracker statistics (the design's `LeakDetectorStats` + the table's state). */
typedef struct rtm_leak_stats {
    /** Grows only: bytes of the blocks reported as leaks. */
    uint64_t total_leaked_bytes;
    /** Grows only: allocations recorded in the table. */
    uint32_t tracked_allocations;
    /** Grows only: blocks reported as leaks (each once). */
    uint32_t detected_leaks;
    /** Grows only: reported blocks that were freed or reallocated afterwards. */
    uint32_t false_positives;
    /** Grows only: allocations that succeeded while the table was full. */
    uint32_t untracked_allocations;
    /** Records in use now. */
    uint32_t live_records;
    /** Records in the table. */
    uint32_t capacity;
} rtm_leak_stats_t;

/** Storage of a tracker, in 64-bit words (it keeps 64-bit times; layout private). */
#define RTM_LEAK_STORAGE_WORDS 16u
/** A leak tracker. Caller-owned storage; initialise with rtm_leak_init. */
typedef struct rtm_leak {
    /** Private. */
    uint64_t opaque[RTM_LEAK_STORAGE_WORDS];
} rtm_leak_t;

/**
 * Initialise `l` (enabled) and clear the record table.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `l`/`cfg`, an inner allocator
 *         without ops, NULL `clock`, NULL `records` with a non-zero capacity, or a
 *         capacity above 0xFFFFFFFF. O(capacity), ISR-safe.
 */
rtm_status_t rtm_leak_init(rtm_leak_t *l, const rtm_leak_config_t *cfg);

/**
 * The tracker as an allocator (ops NULL when `l` is NULL or uninitialised).
 * Its allocate records the block: the inner allocator's cost plus
 * O(capacity) to find a free record; deallocate and reallocate O(capacity)
 * to find the block's record. ISR-safe when the inner allocator and the
 * clock are. O(1) itself, ISR-safe.
 */
rtm_allocator_t rtm_leak_allocator(rtm_leak_t *l);

/**
 * Allocate through the tracker and record the caller's return address.
 * @return as the inner allocator; RTM_ERR_INVALID_ARG for an uninitialised `l`.
 * Blocks are aligned as the inner allocator aligns them. The inner
 * allocator's cost plus O(capacity); ISR-safe when the inner allocator and
 * the clock are.
 */
rtm_status_t rtm_leak_alloc(rtm_leak_t *l, size_t size, size_t align, void **out);

/**
 * Free through the tracker. @return as the inner allocator; RTM_ERR_INVALID_ARG
 * for a bad `l`. The inner allocator's cost plus O(capacity); ISR-safe when
 * the inner allocator is.
 */
rtm_status_t rtm_leak_free(rtm_leak_t *l, void *ptr);

/** Set the caller address the next allocation records (consumed by it). O(1), ISR-safe. */
void rtm_leak_set_caller(rtm_leak_t *l, uintptr_t caller);

/**
 * Turn recording on or off (the design's enable/disable). While off, blocks
 * pass through unrecorded; records already made stay and are still removed on free.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`. O(1), ISR-safe.
 */
rtm_status_t rtm_leak_enable(rtm_leak_t *l, bool on);

/**
 * Report leaks: every recorded block older than the threshold that was not
 * reported before is marked reported, counted, and passed to `fn` (may be NULL:
 * count only). `*found` (may be NULL) receives the number reported by this call.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`. O(capacity) plus the
 *         callbacks; ISR-safe when the clock and `fn` are.
 */
rtm_status_t rtm_leak_check(rtm_leak_t *l, rtm_leak_report_fn fn, void *user, size_t *found);

/**
 * As rtm_leak_check, but copies the new leaks into out[0] to out[cap - 1];
 * leaks that do not fit stay unreported for the next call. `*found` receives
 * the number copied.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l` or NULL `out` with cap > 0.
 * O(capacity); ISR-safe when the clock is.
 */
rtm_status_t rtm_leak_collect(rtm_leak_t *l, rtm_leak_record_t *out, size_t cap, size_t *found);

/**
 * Copy the record of live block `ptr` into `*out`.
 * @return RTM_OK; RTM_ERR_INVALID_POINTER when `ptr` has no record;
 *         RTM_ERR_INVALID_ARG for a bad `l` or NULL `out`. O(capacity), read-only,
 *         ISR-safe.
 */
rtm_status_t rtm_leak_find(const rtm_leak_t *l, const void *ptr, rtm_leak_record_t *out);

/**
 * Forget every record and zero the statistics (the design's clear). Blocks stay
 * allocated in the inner allocator and can still be freed through the tracker.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`. O(capacity), ISR-safe.
 */
rtm_status_t rtm_leak_clear(rtm_leak_t *l);

/** Copy the tracker statistics into `*out` (zeros for a bad `l`; nothing for NULL `out`). O(1), ISR-safe. */
void rtm_leak_get_stats(const rtm_leak_t *l, rtm_leak_stats_t *out);

/* ---- Owner tags ---------------------------------------------------------- */

/**
 * Owner hook: the tag of whoever allocates now -- typically the RTOS's current
 * task (a task number or the low 32 bits of its control block's address); 0
 * means no owner. Called once per recorded allocation or reallocation, in the
 * allocating context: it must not allocate through the tracker.
 */
typedef uint32_t (*rtm_leak_owner_fn)(void *user);

/** Bytes and blocks one owner holds (rtm_leak_owner_report). */
typedef struct rtm_leak_owner_usage {
    /** Requested bytes of the owner's live recorded blocks. */
    uint64_t bytes;
    /** The owner tag (0: blocks recorded without an owner). */
    uint32_t owner;
    /** Live recorded blocks. */
    uint32_t blocks;
} rtm_leak_owner_usage_t;

/**
 * Tag every allocation recorded from now on with `fn(user)`, kept in
 * `owners[i]` beside `records[i]` of the configuration (caller storage, at least
 * `capacity` words, used until the tracker is no longer used or the tags are
 * detached). Blocks recorded before have owner 0. `owners` NULL detaches the
 * tags (`count` and `fn` are then ignored). O(capacity).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`, `owners` with NULL `fn`, or
 *         `count` below the table's capacity (nothing changes).
 * ISR-safe (not concurrently with an allocation through the tracker); `fn`
 * runs inside every allocation, so it must be as ISR-safe as they are.
 */
rtm_status_t rtm_leak_set_owner_hook(rtm_leak_t *l, uint32_t *owners, size_t count, rtm_leak_owner_fn fn,
                                     void *user);

/**
 * Look up live block `ptr`: its record into `*rec` and its owner tag into
 * `*owner` (0 when tags are not attached); either may be NULL.
 * @return RTM_OK; RTM_ERR_INVALID_POINTER when `ptr` has no record (nothing
 *         written); RTM_ERR_INVALID_ARG for a bad `l`. O(capacity). Read-only,
 *         ISR-safe.
 */
rtm_status_t rtm_leak_lookup(const rtm_leak_t *l, const void *ptr, rtm_leak_record_t *rec, uint32_t *owner);

/**
 * Bytes and blocks per owner over the live records, one entry per distinct
 * tag in the order of the table, into the first `cap` entries of `out`; `*count` (may be NULL)
 * receives the entries written. Blocks without a record (untracked) are not
 * counted: see rtm_leak_stats_t::untracked_allocations.
 * @return RTM_OK; RTM_ERR_NO_MEMORY when more owners than `cap` hold blocks
 *         (the first `cap` are written, complete); RTM_ERR_INVALID_ARG for a bad
 *         `l` or NULL `out` with cap > 0. O(capacity * cap). Read-only;
 *         ISR-safe, though its time grows with both tables.
 */
rtm_status_t rtm_leak_owner_report(const rtm_leak_t *l, rtm_leak_owner_usage_t *out, size_t cap, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_LEAK_H */
