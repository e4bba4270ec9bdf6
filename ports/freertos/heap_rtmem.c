/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * FreeRTOS heap over rtmem's O(1) heap: a drop-in replacement for heap_4.c
 * (build this file instead of portable/MemMang/heap_4.c, plus the rtmem
 * sources). Same entry points, same configuration:
 *
 *   pvPortMalloc, vPortFree, pvPortCalloc, xPortGetFreeHeapSize,
 *   xPortGetMinimumEverFreeHeapSize, xPortResetHeapMinimumEverFreeHeapSize,
 *   vPortGetHeapStats, vPortInitialiseBlocks, vPortHeapResetState
 *
 * - The heap is ucHeap[configTOTAL_HEAP_SIZE], defined here or by the
 *   application when configAPPLICATION_ALLOCATED_HEAP is 1, created on the
 *   first call.
 * - The lock is the scheduler's: vTaskSuspendAll() / xTaskResumeAll(), as in
 *   heap_4 (so not callable from ISRs, as heap_4).
 * - pvPortMalloc(0) returns NULL and a failure calls
 *   vApplicationMallocFailedHook() when configUSE_MALLOC_FAILED_HOOK is 1,
 *   as heap_4. Blocks are aligned to portBYTE_ALIGNMENT (8 at least).
 * - vPortFree() of a pointer rtmem refuses (double, interior, foreign,
 *   overrun neighbour) changes nothing and fails configASSERT(), where
 *   heap_4 would corrupt its free list or assert on a header bit.
 *
 * RTM_DEVIATION: vPortGetHeapStats() fills xSizeOfSmallestFreeBlockInBytes
 * and xNumberOfFreeBlocks with 0: heap_4 walks its free list for them, an
 * O(1) heap has no such walk in its API. Every other field is exact;
 * xSizeOfLargestFreeBlockInBytes is the largest request that would succeed.
 */
#include <stdint.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"

#include "rtmem/heap.h"

#ifndef portBYTE_ALIGNMENT
#define portBYTE_ALIGNMENT 8
#endif
#ifndef configAPPLICATION_ALLOCATED_HEAP
#define configAPPLICATION_ALLOCATED_HEAP 0
#endif
#ifndef configUSE_MALLOC_FAILED_HOOK
#define configUSE_MALLOC_FAILED_HOOK 0
#endif
#ifndef configASSERT
#define configASSERT(x) ((void)(x))
#endif
#ifndef traceMALLOC
#define traceMALLOC(pvAddress, uiSize)
#endif
#ifndef traceFREE
#define traceFREE(pvAddress, uiSize)
#endif

#if configAPPLICATION_ALLOCATED_HEAP == 1
extern uint8_t ucHeap[configTOTAL_HEAP_SIZE];
#else
static uint8_t ucHeap[configTOTAL_HEAP_SIZE];
#endif

#if configUSE_MALLOC_FAILED_HOOK == 1
extern void vApplicationMallocFailedHook(void);
#endif

static rtm_heap_t *heap;
static size_t min_ever_free;
static size_t successful_allocations;
static size_t successful_frees;

/* Called with the scheduler suspended. */
static rtm_heap_t *get_heap(void)
{
    if (heap == NULL && rtm_heap_init(ucHeap, sizeof ucHeap, &heap) == RTM_OK) {
        rtm_alloc_stats_t st;
        rtm_heap_stats(heap, &st);
        min_ever_free = st.free_bytes;
    }
    return heap;
}

static size_t free_bytes(void)
{
    rtm_alloc_stats_t st;
    rtm_heap_stats(heap, &st);
    return st.free_bytes;
}

void *pvPortMalloc(size_t xWantedSize)
{
    void *p = NULL;
    vTaskSuspendAll();
    {
        rtm_heap_t *h = get_heap();
        if (h != NULL && xWantedSize > 0u &&
            rtm_heap_alloc(h, xWantedSize, (size_t)portBYTE_ALIGNMENT, &p) == RTM_OK) {
            successful_allocations++;
            size_t now = free_bytes();
            if (now < min_ever_free) {
                min_ever_free = now;
            }
        }
        traceMALLOC(p, xWantedSize);
    }
    (void)xTaskResumeAll();
#if configUSE_MALLOC_FAILED_HOOK == 1
    if (p == NULL) {
        vApplicationMallocFailedHook();
    }
#endif
    return p;
}

void vPortFree(void *pv)
{
    if (pv == NULL) {
        return;
    }
    rtm_status_t s;
    vTaskSuspendAll();
    {
        size_t size = heap == NULL ? 0u : rtm_heap_usable_size(heap, pv);
        s = heap == NULL ? RTM_ERR_INVALID_POINTER : rtm_heap_free(heap, pv);
        if (s == RTM_OK) {
            successful_frees++;
            traceFREE(pv, size);
        }
        (void)size; /* unused when traceFREE is empty */
    }
    (void)xTaskResumeAll();
    configASSERT(s == RTM_OK);
}

void *pvPortCalloc(size_t xNum, size_t xSize)
{
    if (xSize != 0u && xNum > SIZE_MAX / xSize) {
        return NULL;
    }
    void *p = pvPortMalloc(xNum * xSize);
    if (p != NULL) {
        memset(p, 0, xNum * xSize);
    }
    return p;
}

size_t xPortGetFreeHeapSize(void)
{
    size_t n;
    vTaskSuspendAll();
    n = get_heap() == NULL ? 0u : free_bytes();
    (void)xTaskResumeAll();
    return n;
}

size_t xPortGetMinimumEverFreeHeapSize(void)
{
    size_t n;
    vTaskSuspendAll();
    n = get_heap() == NULL ? 0u : min_ever_free;
    (void)xTaskResumeAll();
    return n;
}

void xPortResetHeapMinimumEverFreeHeapSize(void)
{
    vTaskSuspendAll();
    if (get_heap() != NULL) {
        min_ever_free = free_bytes();
    }
    (void)xTaskResumeAll();
}

void vPortInitialiseBlocks(void)
{
    /* Nothing to do, as in heap_4: the heap is created on first use. */
}

void vPortHeapResetState(void)
{
    /* Forget the heap (for tests that restart the kernel): the next call
     * creates a fresh one over ucHeap. */
    heap = NULL;
    min_ever_free = 0u;
    successful_allocations = 0u;
    successful_frees = 0u;
}

void vPortGetHeapStats(HeapStats_t *pxHeapStats)
{
    rtm_alloc_stats_t st;
    memset(&st, 0, sizeof st);
    vTaskSuspendAll();
    if (get_heap() != NULL) {
        rtm_heap_stats(heap, &st);
    }
    pxHeapStats->xAvailableHeapSpaceInBytes = st.free_bytes;
    pxHeapStats->xSizeOfLargestFreeBlockInBytes = st.largest_free_block;
    pxHeapStats->xSizeOfSmallestFreeBlockInBytes = 0u; /* RTM_DEVIATION: see the top of the file */
    pxHeapStats->xNumberOfFreeBlocks = 0u;
    pxHeapStats->xMinimumEverFreeBytesRemaining = min_ever_free;
    pxHeapStats->xNumberOfSuccessfulAllocations = successful_allocations;
    pxHeapStats->xNumberOfSuccessfulFrees = successful_frees;
    (void)xTaskResumeAll();
}
