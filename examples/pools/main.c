/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Fixed-size pools (rtmem/pool.h) behind the multi-size pool manager
 * (rtmem/multipool.h), with an O(1) heap as the fallback for what no pool
 * fits. Frees are routed by address. Runs on QEMU mps2-an386.
 */
#include <stdint.h>
#include <stdio.h>

#include "rtmem/heap.h"
#include "rtmem/multipool.h"
#include "rtmem/pool.h"

int main(void);

static uint64_t small_mem[512]; /* 4 KiB of 32-byte blocks */
static uint64_t large_mem[1024]; /* 8 KiB of 256-byte blocks */
static uint64_t manager_mem[64];
static uint64_t heap_mem[4096];

int main(void)
{
    rtm_pool_t *small, *large;
    rtm_mpool_t *classes;
    rtm_heap_t *heap;
    if (rtm_pool_init(small_mem, sizeof small_mem, 32, 8, &small) != RTM_OK ||
        rtm_pool_init(large_mem, sizeof large_mem, 256, 8, &large) != RTM_OK ||
        rtm_mpool_init(manager_mem, sizeof manager_mem, &classes) != RTM_OK ||
        rtm_heap_init(heap_mem, sizeof heap_mem, &heap) != RTM_OK) {
        return 1;
    }
    rtm_allocator_t fallback = rtm_heap_allocator(heap);
    if (rtm_mpool_add_pool(classes, small) != RTM_OK || rtm_mpool_add_pool(classes, large) != RTM_OK ||
        rtm_mpool_set_fallback(classes, &fallback) != RTM_OK) {
        return 1;
    }

    void *a = NULL, *b = NULL, *c = NULL;
    rtm_mpool_alloc(classes, 20, 0, &a);   /* the 32-byte class */
    rtm_mpool_alloc(classes, 200, 0, &b);  /* the 256-byte class */
    rtm_mpool_alloc(classes, 1000, 0, &c); /* no class fits: the heap */
    rtm_alloc_stats_t ps, hs;
    rtm_pool_stats(small, &ps);
    rtm_heap_stats(heap, &hs);
    printf("20 bytes -> 32-byte pool (%u of %u bytes in use), 200 -> 256-byte pool, 1000 -> heap (%u live block)\n",
           (unsigned)ps.bytes_in_use, (unsigned)ps.capacity, (unsigned)hs.current_allocations);

    rtm_status_t freed = rtm_mpool_free(classes, a, 20);
    rtm_status_t again = rtm_mpool_free(classes, a, 20);
    printf("free: %s, free again: %s\n", rtm_status_str(freed), rtm_status_str(again));
    rtm_mpool_free(classes, b, 200);
    rtm_mpool_free(classes, c, 1000);
    rtm_status_t check = rtm_mpool_check(classes);
    printf("manager check: %s\n", rtm_status_str(check));
    return a != NULL && b != NULL && c != NULL && hs.current_allocations == 1u && ps.bytes_in_use == 32u && freed == RTM_OK &&
                   again == RTM_ERR_DOUBLE_FREE && check == RTM_OK
               ? 0
               : 1;
}
