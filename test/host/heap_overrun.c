/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The overrun sweep's figures (docs/heap.md): lengths 1..32 past a used
 * block's end, 64 heap placements, into a used and a free neighbour; first
 * every byte value written over the whole length, then random bytes. Prints
 * the undetected share per length; exits 1 when the heap broke its promise
 * (a wrong status, a block over a live one or outside the heap after a
 * noticed overrun), when an overrun writing one value went unnoticed, or when
 * any length let more than 1/256 of its damaging random overruns pass.
 */
#define _GNU_SOURCE /* mmap's MAP_ANONYMOUS and MAP_FIXED_NOREPLACE */
#include <stdio.h>
#include <sys/mman.h>

#include "overrun.h"

/* The keys depend on the address: the sweep runs at a fixed one, low 32 bits
 * 0x2000_0000 as a Cortex-M's SRAM, so that every run gives the same figures. */
#define MAP_AT ((uintptr_t)0x500020000000u)

static int report(const char *what, uint32_t random)
{
    static struct rtm_overrun_tally t;
    static unsigned char *mem;
    if (mem == NULL) {
        void *p = mmap((void *)MAP_AT, RTM_OVERRUN_MEMORY(64u), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p != (void *)MAP_AT) {
            printf("heap_overrun: cannot map memory at its fixed address\n");
            return 1;
        }
        mem = p;
    }
    rtm_overrun_sweep(mem, RTM_OVERRUN_MAX_LEN, 64u, random, &t);
    int bad = t.broken != 0u;
    printf("%s: %lu broken promises\n", what, t.broken);
    printf("  bytes  cases  damaging  undetected  share    late  share\n");
    for (unsigned len = 1; len <= RTM_OVERRUN_MAX_LEN; len++) {
        double share = t.damaged[len] != 0u ? (double)t.undetected[len] / (double)t.damaged[len] : 0.0;
        double late = t.damaged[len] != 0u ? (double)t.late[len] / (double)t.damaged[len] : 0.0;
        printf("  %5u  %5lu  %8lu  %10lu  %.5f  %6lu  %.5f\n", len, t.cases[len], t.damaged[len], t.undetected[len],
               share, t.late[len], late);
        bad |= (random == 0u && t.undetected[len] + t.late[len] != 0u) ||
               (t.undetected[len] + t.late[len]) * 256u > t.damaged[len];
    }
    return bad;
}

int main(void)
{
    int bad = report("overruns writing one value over their whole length", 0u);
    bad |= report("overruns writing random bytes (seed 1)", 1u);
    if (bad) {
        printf("heap_overrun: FAILED\n");
    }
    return bad;
}
