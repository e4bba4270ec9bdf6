/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Overruns past a used block's end (test/framework/overrun.c): every length
 * 1..8, every byte value, 32 heap placements, into a used and into a free
 * neighbour. The heap must answer RTM_OK with a consistent heap or
 * RTM_ERR_CORRUPTED, never hand out a block over a live one or outside its
 * memory, and never let a damaging overrun of this kind pass unnoticed.
 */
#include "overrun.h"
#include "rtm_test.h"

RTM_TEST(heap, overrun_of_any_length_and_value_is_caught)
{
    static struct rtm_overrun_tally t;
    rtm_overrun_sweep(rtm_test_scratch(RTM_OVERRUN_MEMORY(32u)), 8u, 32u, 0u, &t);
    RTM_CHECK_EQ(t.broken, 0);
    for (unsigned len = 1; len <= 8u; len++) {
        RTM_CHECK_EQ(t.cases[len], 32u * 256u * 2u);
        RTM_CHECK(t.damaged[len] > t.cases[len] / 2u); /* the sweep does damage */
        RTM_CHECK_EQ(t.undetected[len], 0);
        RTM_CHECK_EQ(t.late[len], 0);
        RTM_CHECK(t.corrupted[len] == t.damaged[len]); /* and it is named as such */
    }
}
