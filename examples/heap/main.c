/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The O(1) heap (rtmem/heap.h): a heap over a static arena and a second RAM
 * region, aligned blocks, realloc in place, misuse answered with a status,
 * and the statistics. Runs on QEMU mps2-an386 (make examples-test).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtmem/heap.h"

int main(void);

/* 64 KiB for the heap's first region and 8 KiB as a second one (another RAM
 * bank, say). One struct keeps the second above the first, which a 64-bit
 * host build needs (regions lie within 4 GiB above the heap's control block). */
static struct {
    uint64_t arena[8192];
    uint64_t second_bank[1024];
} ram;

int main(void)
{
    rtm_heap_t *heap;
    if (rtm_heap_init(ram.arena, sizeof ram.arena, &heap) != RTM_OK ||
        rtm_heap_add_region(heap, ram.second_bank, sizeof ram.second_bank) != RTM_OK) {
        return 1;
    }

    void *dma = NULL, *msg = NULL;
    rtm_heap_alloc(heap, 512, 64, &dma); /* any power-of-two alignment */
    rtm_heap_alloc(heap, 40, 0, &msg);   /* 0: the minimum, 8 */
    if (dma == NULL || msg == NULL || ((uintptr_t)dma & 63u) != 0u) {
        return 1;
    }
    strcpy(msg, "grown in place when the next block is free");
    void *grown = NULL;
    rtm_heap_realloc(heap, msg, 200, 0, &grown);
    printf("realloc: %s (%s)\n", grown == msg ? "same address" : "moved", (char *)grown);

    /* Misuse is a status, and the heap stays consistent. */
    rtm_heap_free(heap, dma);
    rtm_status_t twice = rtm_heap_free(heap, dma);
    rtm_status_t inside = rtm_heap_free(heap, (char *)grown + 8);
    printf("double free: %s, interior pointer: %s, check: %s\n", rtm_status_str(twice), rtm_status_str(inside),
           rtm_status_str(rtm_heap_check(heap)));

    rtm_alloc_stats_t st;
    rtm_heap_stats(heap, &st);
    printf("capacity %u, in use %u in %u block(s), largest free %u\n", (unsigned)st.capacity,
           (unsigned)st.bytes_in_use, (unsigned)st.current_allocations, (unsigned)st.largest_free_block);
    rtm_heap_free(heap, grown);
    return twice == RTM_ERR_DOUBLE_FREE && inside == RTM_ERR_INVALID_POINTER && rtm_heap_check(heap) == RTM_OK ? 0
                                                                                                              : 1;
}
