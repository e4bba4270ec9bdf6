/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The smallest firmware that uses the heap: rtm_heap_init, rtm_heap_alloc and
 * rtm_heap_free, nothing else. Linked with --gc-sections (mk/bench.mk) and
 * never run: benches/c/linksize.py reads its map file for the bytes that come
 * from rtmem's objects, what a firmware pays for the heap.
 */
#include <stddef.h>
#include <stdint.h>

#include "rtmem/heap.h"

extern uint32_t __stack_top;
int main(void);
void reset_handler(void);

__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top,
    reset_handler,
};


static union {
    unsigned char b[4096];
    uint64_t align;
} mem;

int main(void)
{
    rtm_heap_t *h = NULL;
    void *p = NULL;
    if (rtm_heap_init(mem.b, sizeof mem.b, &h) != RTM_OK || rtm_heap_alloc(h, 100u, 0u, &p) != RTM_OK) {
        return 1;
    }
    return rtm_heap_free(h, p) == RTM_OK ? 0 : 2;
}

void reset_handler(void)
{
    (void)main();
    for (;;) {
    }
}
