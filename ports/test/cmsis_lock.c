/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ports/cmsis-rtos2/rtm_cmsis_lock.c on the host, against the specification's
 * prototypes (cmsis/cmsis_os2.h) with a recording mutex: the mutex is created
 * recursive and priority-inheriting, every decorated call acquires it with
 * osWaitForever and releases it, and a refused acquire (an ISR) is counted.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rtm_cmsis_lock.h"
#include "rtmem/heap.h"
#include "rtmem/lock.h"

unsigned check_passed, check_failed;
int main(void);

static struct {
    uint32_t attr_bits;
    const char *name;
    int depth, max_depth, acquires, releases;
    uint32_t last_timeout;
    int in_isr;
} mutex;

osMutexId_t osMutexNew(const osMutexAttr_t *attr)
{
    mutex.attr_bits = attr != NULL ? attr->attr_bits : 0u;
    mutex.name = attr != NULL ? attr->name : NULL;
    return &mutex;
}

osStatus_t osMutexAcquire(osMutexId_t id, uint32_t timeout)
{
    if (id != &mutex) {
        return osError;
    }
    if (mutex.in_isr) {
        return osErrorISR;
    }
    mutex.last_timeout = timeout;
    mutex.acquires++;
    if (++mutex.depth > mutex.max_depth) {
        mutex.max_depth = mutex.depth;
    }
    return osOK;
}

osStatus_t osMutexRelease(osMutexId_t id)
{
    if (id != &mutex || mutex.depth == 0) {
        return osErrorResource;
    }
    mutex.depth--;
    mutex.releases++;
    return osOK;
}

int main(void)
{
    static uint64_t arena[1024];
    rtm_heap_t *h;
    rtm_lock_t locked;
    osMutexId_t m = rtm_cmsis_mutex_new();
    CHECK(m == &mutex && mutex.name != NULL && strcmp(mutex.name, "rtmem") == 0);
    CHECK(mutex.attr_bits == (osMutexRecursive | osMutexPrioInherit));
    CHECK(rtm_heap_init(arena, sizeof arena, &h) == RTM_OK);
    rtm_allocator_t inner = rtm_heap_allocator(h);
    CHECK(rtm_lock_init(&locked, &inner, rtm_cmsis_lock, rtm_cmsis_unlock, m) == RTM_OK);
    rtm_allocator_t a = rtm_lock_allocator(&locked);
    void *p = NULL;
    CHECK(rtm_allocator_allocate(&a, 64, 0, &p) == RTM_OK && p != NULL);
    CHECK(rtm_allocator_deallocate(&a, p, 64) == RTM_OK);
    CHECK(rtm_allocator_deallocate(&a, p, 64) == RTM_ERR_DOUBLE_FREE);
    CHECK(mutex.acquires == 3 && mutex.releases == 3 && mutex.depth == 0 && mutex.max_depth == 1);
    CHECK(mutex.last_timeout == osWaitForever && rtm_cmsis_lock_errors() == 0u);

    mutex.in_isr = 1; /* osMutexAcquire refuses ISRs: counted, and the release is refused too */
    CHECK(rtm_allocator_allocate(&a, 64, 0, &p) == RTM_OK);
    CHECK(rtm_cmsis_lock_errors() == 2u && mutex.depth == 0);
    mutex.in_isr = 0;
    CHECK(rtm_allocator_deallocate(&a, p, 64) == RTM_OK && rtm_heap_check(h) == RTM_OK);

    printf("cmsis-rtos2 lock: %u passed, %u failed\n", check_passed, check_failed);
    return check_failed == 0u ? 0 : 1;
}
