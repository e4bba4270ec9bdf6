/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The leak tracker (rtmem/leak.h) over an O(1) heap: every live block is
 * recorded with its caller and time; a check reports blocks older than a
 * threshold, each once, and names where they were allocated. Runs on QEMU
 * mps2-an386; the "clock" is a tick counter the program advances.
 */
#include <stdint.h>
#include <stdio.h>

#include "rtmem/heap.h"
#include "rtmem/leak.h"

int main(void);

static uint64_t ticks;
static unsigned reports;

static uint64_t clock_now(void *user)
{
    (void)user;
    return ticks;
}

static void on_leak(void *user, const rtm_leak_record_t *rec)
{
    (void)user;
    reports++;
    printf("  leak: %u bytes at 0x%08x, allocated at tick %u from 0x%08x\n", (unsigned)rec->size,
           (unsigned)(uintptr_t)rec->ptr, (unsigned)rec->timestamp, (unsigned)rec->caller);
}

int main(void)
{
    static uint64_t heap_mem[2048];
    static rtm_leak_record_t records[16];
    rtm_heap_t *heap;
    rtm_leak_t tracker;
    if (rtm_heap_init(heap_mem, sizeof heap_mem, &heap) != RTM_OK) {
        return 1;
    }
    rtm_leak_config_t cfg = {rtm_heap_allocator(heap), records, 16, clock_now, NULL, 100};
    if (rtm_leak_init(&tracker, &cfg) != RTM_OK) {
        return 1;
    }

    void *kept = NULL, *temp = NULL, *forgotten = NULL;
    rtm_leak_alloc(&tracker, 64, 0, &kept);      /* freed in time */
    rtm_leak_alloc(&tracker, 128, 0, &forgotten); /* never freed */
    ticks = 50;
    rtm_leak_alloc(&tracker, 32, 0, &temp);
    rtm_leak_free(&tracker, kept);
    ticks = 160; /* the first two blocks are now 160 ticks old, temp 110 */
    rtm_leak_free(&tracker, temp);

    size_t found = 0, found_again = 0;
    printf("check at tick 160 (threshold 100):\n");
    rtm_leak_check(&tracker, on_leak, NULL, &found);
    rtm_leak_check(&tracker, on_leak, NULL, &found_again); /* each leak is reported once */
    rtm_leak_stats_t st;
    rtm_leak_get_stats(&tracker, &st);
    printf("found %u, then %u; %u leak(s), %u bytes, %u live record(s)\n", (unsigned)found, (unsigned)found_again,
           (unsigned)st.detected_leaks, (unsigned)st.total_leaked_bytes, (unsigned)st.live_records);
    return forgotten != NULL && found == 1u && found_again == 0u && reports == 1u && st.total_leaked_bytes == 128u
               ? 0
               : 1;
}
