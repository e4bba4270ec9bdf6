/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The overrun sweep of the O(1) heap (test/framework/overrun.c): overruns of
 * 1..RTM_OVERRUN_MAX_LEN bytes past a used block's end, into a used and into
 * a free neighbour, at many heap placements, with every byte value (or
 * random bytes), and what the heap answered afterwards.
 */
#ifndef RTM_TEST_OVERRUN_H
#define RTM_TEST_OVERRUN_H

#include <stdint.h>

#define RTM_OVERRUN_MAX_LEN 32u

struct rtm_overrun_tally {
    /* per length (index = bytes written past the block's end) */
    unsigned long cases[RTM_OVERRUN_MAX_LEN + 1u];
    unsigned long damaged[RTM_OVERRUN_MAX_LEN + 1u];    /* the write changed a byte */
    unsigned long undetected[RTM_OVERRUN_MAX_LEN + 1u]; /* changed, yet the calls on a and b answered RTM_OK */
    unsigned long corrupted[RTM_OVERRUN_MAX_LEN + 1u];  /* some call answered RTM_ERR_CORRUPTED */
    unsigned long late[RTM_OVERRUN_MAX_LEN + 1u];       /* named by free(a), yet b's own call let it pass */
    /* Violations of the promise, over all cases: a status outside the allowed
     * set, a block handed out outside the heap or over a live block after an
     * overrun that some call noticed, a heap left inconsistent after an
     * overrun that changed nothing. */
    unsigned long broken;
};

/* Bytes of memory a sweep over `placements` placements needs. */
#define RTM_OVERRUN_MEMORY(placements) (1024u + 8u * (placements))

/*
 * Run the sweep in `mem` (RTM_OVERRUN_MEMORY(placements) bytes): lengths
 * 1..max_len, `placements` heap placements, and for each either the 256
 * values written over the whole length (random = 0) or 256 random byte
 * strings from `random`'s seed.
 */
void rtm_overrun_sweep(unsigned char *mem, unsigned max_len, unsigned placements, uint32_t random,
                       struct rtm_overrun_tally *t);

#endif
