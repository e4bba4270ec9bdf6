/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ports/freertos/heap_rtmem.c on the host, against FreeRTOS's documented heap
 * prototypes (freertos/FreeRTOS.h, task.h): every call runs with the
 * scheduler suspended exactly once, sizes and alignment, pvPortMalloc(0),
 * exhaustion and the malloc-failed hook, calloc's zeroing and overflow,
 * the free-size and minimum-ever counters, the heap statistics, and a
 * double free refused through configASSERT with the heap left consistent.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "FreeRTOS.h"
#include "check.h"
#include "task.h"

#include "rtmem/heap.h"

unsigned check_passed, check_failed;
unsigned test_assert_failures;
static unsigned suspended, suspend_calls, nested_errors, failed_hook_calls;

void vApplicationMallocFailedHook(void);
int main(void);

void vTaskSuspendAll(void)
{
    if (suspended != 0u) {
        nested_errors++;
    }
    suspended++;
    suspend_calls++;
}

BaseType_t xTaskResumeAll(void)
{
    if (suspended == 0u) {
        nested_errors++;
    } else {
        suspended--;
    }
    return 0;
}

void vApplicationMallocFailedHook(void)
{
    CHECK(suspended == 0u); /* called after the scheduler resumed, as heap_4 */
    failed_hook_calls++;
}

static void *launder(void *p)
{
    void *volatile v = p;
    return v;
}

int main(void)
{
    vPortInitialiseBlocks();
    size_t initial = xPortGetFreeHeapSize();
    CHECK(initial > configTOTAL_HEAP_SIZE - 512u && initial < configTOTAL_HEAP_SIZE);
    CHECK(xPortGetMinimumEverFreeHeapSize() == initial);

    /* Allocation, alignment, and the counters. */
    unsigned calls = suspend_calls;
    uint8_t *a = pvPortMalloc(100);
    CHECK(a != NULL && ((uintptr_t)a % portBYTE_ALIGNMENT) == 0u);
    CHECK(suspend_calls == calls + 1u && suspended == 0u);
    memset(a, 0x5a, 100);
    size_t after_a = xPortGetFreeHeapSize();
    uint8_t *b = pvPortMalloc(1000);
    CHECK(b != NULL && b != a);
    size_t after_two = xPortGetFreeHeapSize();
    CHECK(after_two <= initial - 1100u);
    vPortFree(b);
    CHECK(xPortGetFreeHeapSize() > after_two);
    CHECK(xPortGetMinimumEverFreeHeapSize() == after_two); /* low-water mark kept */

    /* pvPortMalloc(0) is NULL, as heap_4; vPortFree(NULL) does nothing. */
    unsigned hooks = failed_hook_calls;
    CHECK(pvPortMalloc(0) == NULL && failed_hook_calls == hooks + 1u);
    vPortFree(NULL);

    /* Exhaustion: NULL and the hook, the heap still usable. */
    CHECK(pvPortMalloc(configTOTAL_HEAP_SIZE) == NULL && failed_hook_calls == hooks + 2u);
    void *big[64];
    size_t n = 0;
    while (n < 64u && (big[n] = pvPortMalloc(512)) != NULL) {
        n++;
    }
    CHECK(n > 20u && n < 32u && failed_hook_calls == hooks + 3u);
    CHECK(xPortGetMinimumEverFreeHeapSize() < 512u + 64u);
    for (size_t i = 0; i < n; i++) {
        vPortFree(big[i]);
    }
    CHECK(xPortGetFreeHeapSize() == after_a); /* everything merged back */

    /* calloc: zeroed, overflow refused. */
    uint8_t *c = pvPortCalloc(25, 4);
    int zero = c != NULL;
    for (size_t i = 0; c != NULL && i < 100u; i++) {
        zero &= c[i] == 0u;
    }
    CHECK(zero);
    CHECK(pvPortCalloc(SIZE_MAX / 2u + 2u, 2u) == NULL);

    /* Statistics. */
    HeapStats_t st;
    memset(&st, 0xff, sizeof st);
    vPortGetHeapStats(&st);
    CHECK(st.xAvailableHeapSpaceInBytes == xPortGetFreeHeapSize());
    CHECK(st.xSizeOfLargestFreeBlockInBytes > 0u && st.xSizeOfLargestFreeBlockInBytes <= st.xAvailableHeapSpaceInBytes);
    CHECK(st.xSizeOfSmallestFreeBlockInBytes == 0u && st.xNumberOfFreeBlocks == 0u); /* documented deviation */
    CHECK(st.xMinimumEverFreeBytesRemaining == xPortGetMinimumEverFreeHeapSize());
    CHECK(st.xNumberOfSuccessfulAllocations == 3u + n); /* a, b, c and big[] */
    CHECK(st.xNumberOfSuccessfulFrees == 1u + n);
    xPortResetHeapMinimumEverFreeHeapSize();
    CHECK(xPortGetMinimumEverFreeHeapSize() == xPortGetFreeHeapSize());
    void *largest = pvPortMalloc(st.xSizeOfLargestFreeBlockInBytes);
    CHECK(largest != NULL);
    vPortFree(largest);

    /* Misuse: a double free and an interior pointer are refused through configASSERT. */
    vPortFree(c);
    size_t free_now = xPortGetFreeHeapSize();
    unsigned asserts = test_assert_failures;
    vPortFree(launder(c));
    CHECK(test_assert_failures == asserts + 1u && xPortGetFreeHeapSize() == free_now);
    vPortFree(launder(a + 8));
    CHECK(test_assert_failures == asserts + 2u && a[99] == 0x5au);
    vPortFree(a);
    CHECK(test_assert_failures == asserts + 2u);
    CHECK(xPortGetFreeHeapSize() == initial);
    CHECK(suspended == 0u && nested_errors == 0u);

    /* A reset forgets everything; the next call starts a fresh heap. */
    vPortHeapResetState();
    CHECK(xPortGetFreeHeapSize() == initial);
    vPortGetHeapStats(&st);
    CHECK(st.xNumberOfSuccessfulAllocations == 0u && st.xNumberOfSuccessfulFrees == 0u);

    printf("freertos heap_rtmem: %u passed, %u failed\n", check_passed, check_failed);
    return check_failed == 0u ? 0 : 1;
}
