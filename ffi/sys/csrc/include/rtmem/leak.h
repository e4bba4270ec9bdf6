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
 *         capacity above 0xFFFFFFFF. O(capacity).
 */
rtm_status_t rtm_leak_init(rtm_leak_t *l, const rtm_leak_config_t *cfg);

/** The tracker as an allocator (ops NULL when `l` is NULL or uninitialised). */
rtm_allocator_t rtm_leak_allocator(rtm_leak_t *l);

/**
 * Allocate through the tracker and record the caller's return address.
 * @return as the inner allocator; RTM_ERR_INVALID_ARG for an uninitialised `l`.
 */
rtm_status_t rtm_leak_alloc(rtm_leak_t *l, size_t size, size_t align, void **out);

/** Free through the tracker. @return as the inner allocator; RTM_ERR_INVALID_ARG for a bad `l`. */
rtm_status_t rtm_leak_free(rtm_leak_t *l, void *ptr);

/** Set the caller address the next allocation records (consumed by it). O(1). */
void rtm_leak_set_caller(rtm_leak_t *l, uintptr_t caller);

/**
 * Turn recording on or off (the design's enable/disable). While off, blocks
 * pass through unrecorded; records already made stay and are still removed on free.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`.
 */
rtm_status_t rtm_leak_enable(rtm_leak_t *l, bool on);

/**
 * Report leaks: every recorded block older than the threshold that was not
 * reported before is marked reported, counted, and passed to `fn` (may be NULL:
 * count only). `*found` (may be NULL) receives the number reported by this call.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`. O(capacity).
 */
rtm_status_t rtm_leak_check(rtm_leak_t *l, rtm_leak_report_fn fn, void *user, size_t *found);

/**
 * As rtm_leak_check, but copies the new leaks into `out[0 .. cap)`; leaks that
 * do not fit stay unreported for the next call. `*found` receives the number copied.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l` or NULL `out` with cap > 0.
 */
rtm_status_t rtm_leak_collect(rtm_leak_t *l, rtm_leak_record_t *out, size_t cap, size_t *found);

/**
 * Copy the record of live block `ptr` into `*out`.
 * @return RTM_OK; RTM_ERR_INVALID_POINTER when `ptr` has no record;
 *         RTM_ERR_INVALID_ARG for a bad `l` or NULL `out`. O(capacity).
 */
rtm_status_t rtm_leak_find(const rtm_leak_t *l, const void *ptr, rtm_leak_record_t *out);

/**
 * Forget every record and zero the statistics (the design's clear). Blocks stay
 * allocated in the inner allocator and can still be freed through the tracker.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `l`.
 */
rtm_status_t rtm_leak_clear(rtm_leak_t *l);

/** Copy the tracker statistics into `*out` (zeros for a bad `l`; nothing for NULL `out`). */
void rtm_leak_get_stats(const rtm_leak_t *l, rtm_leak_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_LEAK_H */
