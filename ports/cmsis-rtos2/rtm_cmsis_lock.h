/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtm_cmsis_lock.h
 * @brief CMSIS-RTOS2 lock hooks for the lock decorator (rtmem/lock.h): an
 *        RTOS mutex, priority-inheriting and recursive.
 *
 *   osMutexId_t m = rtm_cmsis_mutex_new();
 *   rtm_lock_init(&locked, &inner, rtm_cmsis_lock, rtm_cmsis_unlock, m);
 *
 * Threads only: osMutexAcquire() refuses ISRs (osErrorISR), and then the
 * call would run unprotected; from ISRs use an interrupt mask instead
 * (ports/baremetal/rtm_irq_lock.h). A lock that fails (not from a thread,
 * or a deleted mutex) is counted in rtm_cmsis_lock_errors().
 */
#ifndef RTM_CMSIS_LOCK_H
#define RTM_CMSIS_LOCK_H

#include <stdint.h>

#include "cmsis_os2.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A recursive, priority-inheriting mutex named "rtmem", or NULL (see osMutexNew). */
osMutexId_t rtm_cmsis_mutex_new(void);
/** Lock callback: osMutexAcquire(user, osWaitForever). */
void rtm_cmsis_lock(void *user);
/** Unlock callback: osMutexRelease(user). */
void rtm_cmsis_unlock(void *user);
/** Lock and unlock calls the RTOS refused, since start-up. */
uint32_t rtm_cmsis_lock_errors(void);

#ifdef __cplusplus
}
#endif

#endif /* RTM_CMSIS_LOCK_H */
