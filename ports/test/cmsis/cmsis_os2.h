/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Stand-in for cmsis_os2.h in the host test of ports/cmsis-rtos2 (no
 * CMSIS-RTOS2 kernel is packaged by Debian): the mutex part of the API with
 * the types, values and prototypes of the CMSIS-RTOS2 specification.
 */
#ifndef CMSIS_OS2_STUB_H
#define CMSIS_OS2_STUB_H

#include <stdint.h>

typedef void *osMutexId_t;
typedef int32_t osStatus_t;
#define osOK 0
#define osError (-1)
#define osErrorResource (-3)
#define osErrorISR (-6)
#define osWaitForever 0xFFFFFFFFU
#define osMutexRecursive 0x00000001U
#define osMutexPrioInherit 0x00000002U
#define osMutexRobust 0x00000008U

typedef struct {
    const char *name;
    uint32_t attr_bits;
    void *cb_mem;
    uint32_t cb_size;
} osMutexAttr_t;

osMutexId_t osMutexNew(const osMutexAttr_t *attr);
osStatus_t osMutexAcquire(osMutexId_t mutex_id, uint32_t timeout);
osStatus_t osMutexRelease(osMutexId_t mutex_id);

#endif /* CMSIS_OS2_STUB_H */
