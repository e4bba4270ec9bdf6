/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Task stacks (rtmem/stack.h) from an O(1) heap, painted and guarded by a
 * canary (the demo, `make demo`, adds MPU guards and real unprivileged
 * tasks): the layout of a stack, the high-water mark after some use, the
 * stack-pointer check a context switch makes, an overflow found by its
 * damaged canary, and reuse of a released stack. Runs on QEMU mps2-an386.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtmem/heap.h"
#include "rtmem/stack.h"

int main(void);

#define TASK_SENSOR 1u
#define TASK_LOGGER 2u

int main(void)
{
    static uint64_t heap_mem[4096];
    static rtm_stack_slot_t table[4];
    rtm_heap_t *heap;
    rtm_stack_t stacks;
    if (rtm_heap_init(heap_mem, sizeof heap_mem, &heap) != RTM_OK) {
        return 1;
    }
    rtm_allocator_t alloc = rtm_heap_allocator(heap);
    rtm_stack_config_t cfg = {1024u, 0u, RTM_STACK_PAINT, 0u, 0u, 0u};
    rtm_stack_info_t sensor, logger;
    if (rtm_stack_init(&stacks, &cfg, &alloc, NULL, table, 4) != RTM_OK ||
        rtm_stack_allocate(&stacks, TASK_SENSOR, 0, &sensor) != RTM_OK ||
        rtm_stack_allocate(&stacks, TASK_LOGGER, 512, &logger) != RTM_OK) {
        return 1;
    }
    printf("sensor stack: limit 0x%08x, top 0x%08x, %u bytes, guard %u bytes\n", (unsigned)sensor.limit,
           (unsigned)sensor.top, (unsigned)sensor.size, (unsigned)sensor.guard_size);

    /* The task used the top 300 bytes of its stack. */
    memset((void *)(sensor.top - 300u), 0x11, 300u);
    size_t used = 0;
    rtm_status_t hw = rtm_stack_high_water(&stacks, TASK_SENSOR, &used);
    rtm_status_t sp_ok = rtm_stack_check_sp(&stacks, TASK_SENSOR, sensor.top - 300u);
    rtm_status_t sp_bad = rtm_stack_check_sp(&stacks, TASK_SENSOR, sensor.limit - 8u);
    printf("sensor: high-water %u bytes (%s); sp check in range %s, below the limit %s\n", (unsigned)used,
           rtm_status_str(hw), rtm_status_str(sp_ok), rtm_status_str(sp_bad));

    /* The logger runs past its limit: its canary is damaged. */
    memset((void *)(logger.limit - 8u), 0, 8u);
    rtm_status_t canary = rtm_stack_check_canary(&stacks, TASK_LOGGER);
    rtm_status_t freed = rtm_stack_free(&stacks, TASK_LOGGER);
    printf("logger: canary %s, released %s\n", rtm_status_str(canary), rtm_status_str(freed));

    rtm_stack_info_t again;
    rtm_status_t reuse = rtm_stack_allocate(&stacks, TASK_LOGGER, 512, &again);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&stacks, &st);
    printf("logger again: %s at the same place: %s; check %s\n", rtm_status_str(reuse),
           again.base == logger.base ? "yes" : "no", rtm_status_str(rtm_stack_check(&stacks)));
    return hw == RTM_OK && used == 300u && sp_ok == RTM_OK && sp_bad == RTM_ERR_CORRUPTED &&
                   canary == RTM_ERR_CORRUPTED && freed == RTM_ERR_CORRUPTED && reuse == RTM_OK &&
                   again.base == logger.base && rtm_stack_check(&stacks) == RTM_OK
               ? 0
               : 1;
}
