/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Red zones (rtmem/redzone.h) around every block of an O(1) heap: a write
 * one byte past the end is found when the block is freed (and by a check of
 * all live blocks), with its side, address and allocation site; the damaged
 * block is kept out of the heap. Runs on QEMU mps2-an386.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtmem/heap.h"
#include "rtmem/redzone.h"

int main(void);

static unsigned reports;
static rtm_redzone_report_t last;

static void on_damage(void *user, const rtm_redzone_report_t *r)
{
    (void)user;
    reports++;
    last = *r;
}

int main(void)
{
    static uint64_t heap_mem[2048];
    rtm_heap_t *heap;
    rtm_redzone_t guard;
    if (rtm_heap_init(heap_mem, sizeof heap_mem, &heap) != RTM_OK) {
        return 1;
    }
    rtm_allocator_t inner = rtm_heap_allocator(heap);
    if (rtm_redzone_init(&guard, &inner, on_damage, NULL) != RTM_OK) {
        return 1;
    }

    char *name = NULL, *ok_block = NULL;
    rtm_redzone_alloc(&guard, 10, 0, (void **)&name);
    rtm_redzone_alloc(&guard, 10, 0, (void **)&ok_block);
    if (name == NULL || ok_block == NULL) {
        return 1;
    }
    memcpy(name, "0123456789", 10);
    name[10] = '\0'; /* one byte too far: the classic missing + 1 */

    size_t bad = 0;
    rtm_status_t all = rtm_redzone_check_all(&guard, &bad);
    rtm_status_t freed = rtm_redzone_free(&guard, name);
    printf("check_all: %s (%u damaged zone); free: %s\n", rtm_status_str(all), (unsigned)bad, rtm_status_str(freed));
    printf("damage: %s zone of the %u-byte block at 0x%08x, byte 0x%08x, allocated from 0x%08x\n",
           last.side == RTM_REDZONE_BACK ? "back" : "front", (unsigned)last.size, (unsigned)(uintptr_t)last.block,
           (unsigned)last.address, (unsigned)last.site);
    rtm_status_t clean = rtm_redzone_free(&guard, ok_block);
    printf("intact block freed: %s\n", rtm_status_str(clean));
    return all == RTM_ERR_CORRUPTED && bad == 1u && freed == RTM_ERR_CORRUPTED && last.side == RTM_REDZONE_BACK &&
                   last.address == (uintptr_t)name + 10u && clean == RTM_OK && rtm_heap_check(heap) == RTM_OK
               ? 0
               : 1;
}
