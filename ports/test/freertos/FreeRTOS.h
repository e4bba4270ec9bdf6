/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Stand-in for FreeRTOS.h in the host test of ports/freertos/heap_rtmem.c
 * (FreeRTOS itself is not packaged by Debian): the configuration a
 * FreeRTOSConfig.h gives, and the heap prototypes and HeapStats_t exactly as
 * FreeRTOS's portable.h documents them.
 */
#ifndef FREERTOS_STUB_H
#define FREERTOS_STUB_H

#include <stddef.h>
#include <stdint.h>

typedef long BaseType_t;

#define configTOTAL_HEAP_SIZE (16u * 1024u)
#define configUSE_MALLOC_FAILED_HOOK 1
#define portBYTE_ALIGNMENT 8

/* The test counts failed assertions instead of stopping. */
extern unsigned test_assert_failures;
#define configASSERT(x)                                                                              \
    do {                                                                                              \
        if (!(x)) {                                                                                   \
            test_assert_failures++;                                                                   \
        }                                                                                             \
    } while (0)

/* portable.h */
typedef struct xHeapStats {
    size_t xAvailableHeapSpaceInBytes;
    size_t xSizeOfLargestFreeBlockInBytes;
    size_t xSizeOfSmallestFreeBlockInBytes;
    size_t xNumberOfFreeBlocks;
    size_t xMinimumEverFreeBytesRemaining;
    size_t xNumberOfSuccessfulAllocations;
    size_t xNumberOfSuccessfulFrees;
} HeapStats_t;

void *pvPortMalloc(size_t xWantedSize);
void *pvPortCalloc(size_t xNum, size_t xSize);
void vPortFree(void *pv);
void vPortInitialiseBlocks(void);
size_t xPortGetFreeHeapSize(void);
size_t xPortGetMinimumEverFreeHeapSize(void);
void xPortResetHeapMinimumEverFreeHeapSize(void);
void vPortGetHeapStats(HeapStats_t *pxHeapStats);
void vPortHeapResetState(void);

#endif /* FREERTOS_STUB_H */
