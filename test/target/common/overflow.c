/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Run functions that overflow their stack on purpose (see rtm_target.h).
 * The recursion goes through a volatile function pointer so the compiler
 * can neither turn it into a loop nor drop the frames, and every level
 * stores into its frame before and after the call.
 */
#include "rtm_target.h"

static void (*volatile small_next)(uint32_t *);
static void (*volatile large_next)(uint32_t *);

static void recurse_small(uint32_t *depth)
{
    volatile uint8_t pad[8];
    pad[0] = (uint8_t)*depth;
    (*depth)++;
    small_next(depth);
    pad[1] = pad[0];
}

static void recurse_large(uint32_t *depth)
{
    volatile uint8_t pad[48];
    pad[0] = (uint8_t)*depth;
    (*depth)++;
    large_next(depth);
    pad[1] = pad[0];
}

void rtm_target_overflow_small(void *depth)
{
    small_next = recurse_small;
    recurse_small((uint32_t *)depth);
}

void rtm_target_overflow_large(void *depth)
{
    large_next = recurse_large;
    recurse_large((uint32_t *)depth);
}
