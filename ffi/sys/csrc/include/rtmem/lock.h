/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/lock.h
 * @brief Layer 4: lock decorator: makes any allocator safe to share.
 *
 * rtmem objects are not synchronized (thread safety by layering, not by a build
 * flag). The lock decorator wraps any rtm_allocator_t (a heap, a pool, a
 * multi-pool, another decorator) and is itself an rtm_allocator_t: every call
 * (allocate, deallocate, reallocate, stats, check) takes the port's lock, calls
 * the inner allocator, and releases the lock. A reallocation is one critical
 * section, also when the inner allocator has no reallocate slot (allocate, copy
 * and free then run under the one lock).
 *
 * The port supplies the lock as two callbacks and a user pointer:
 * - an RTOS mutex (e.g. a FreeRTOS or Zephyr mutex, a pthread mutex): safe
 *   between threads, NOT from interrupt handlers (a mutex cannot be taken there);
 * - interrupt masking (save PRIMASK/BASEPRI or mstatus.MIE into the user object
 *   in lock(), restore it in unlock()): safe between threads AND interrupt
 *   handlers on a single core, at the cost of interrupt latency bounded by the
 *   inner allocator's worst case (O(1) for the pool and the O(1) heap);
 * - on multi-core parts, a spinlock taken with interrupts masked.
 * The callbacks must not call back into the same decorator (no recursion), must
 * not fail, and are called in strict lock/unlock pairs on the calling context.
 *
 * Storage: rtm_lock_t is caller-owned, fixed size; the decorator keeps a copy of
 * the inner rtm_allocator_t value, and the callbacks and user pointer. The inner
 * object and the user object must outlive the decorator's use.
 */
#ifndef RTMEM_LOCK_H
#define RTMEM_LOCK_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A lock decorator: public storage for an opaque object, sized in pointer words. */
typedef struct rtm_lock {
    /** Private. */
    void *opaque[8];
} rtm_lock_t;

/**
 * Initialise a lock decorator around `inner`.
 * @param l      storage, owned by the caller.
 * @param inner  the allocator to protect; its value is copied.
 * @param lock   takes the lock; called with `user`. Required.
 * @param unlock releases it; called with `user`. Required.
 * @param user   passed to both callbacks (e.g. the mutex); may be NULL.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `l`, NULL `lock` or `unlock`, or
 *         an `inner` that is NULL or lacks the required allocate/deallocate slots.
 * O(1), ISR-safe (does not call the callbacks).
 */
rtm_status_t rtm_lock_init(rtm_lock_t *l, const rtm_allocator_t *inner, void (*lock)(void *user),
                           void (*unlock)(void *user), void *user);

/**
 * The decorator as an allocator: every operation is the inner allocator's,
 * with the same statuses, run between lock(user) and unlock(user). An
 * uninitialised or NULL `l` gives an allocator whose every call is
 * RTM_ERR_INVALID_ARG. Cost: the inner allocator's plus the two callbacks.
 * O(1) itself. ISR-safe when the callbacks are: an interrupt mask is, a mutex is not.
 */
rtm_allocator_t rtm_lock_allocator(rtm_lock_t *l);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_LOCK_H */
