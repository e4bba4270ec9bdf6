/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* CMSIS-RTOS2 lock hooks (rtm_cmsis_lock.h). */
#include "rtm_cmsis_lock.h"

#include <stddef.h>

static volatile uint32_t lock_errors;

osMutexId_t rtm_cmsis_mutex_new(void)
{
    static const osMutexAttr_t attr = {
        "rtmem", osMutexRecursive | osMutexPrioInherit, NULL, 0u,
    };
    return osMutexNew(&attr);
}

void rtm_cmsis_lock(void *user)
{
    if (osMutexAcquire((osMutexId_t)user, osWaitForever) != osOK) {
        lock_errors++;
    }
}

void rtm_cmsis_unlock(void *user)
{
    if (osMutexRelease((osMutexId_t)user) != osOK) {
        lock_errors++;
    }
}

uint32_t rtm_cmsis_lock_errors(void)
{
    return lock_errors;
}
