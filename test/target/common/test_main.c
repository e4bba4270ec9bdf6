/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Entry of the test images: the plain runner (test/framework/runner.c) over
 * every compiled-in case, reporting through semihosting; the image's exit
 * status is its verdict (docs/target.md).
 */
#include "target_internal.h"

#include "rtm_test.h"

void rtm_test_port_write(const char *s)
{
    rtm_target_write(s);
}

void rtm_target_main(void)
{
    rtm_target_write("rtmem on-target tests: ");
    rtm_target_write(rtm_target_name());
    rtm_target_write(", RTM_TEST_SCALE ");
    rtm_target_write_dec((uint32_t)RTM_TEST_SCALE);
    rtm_target_write(", scratch ");
    rtm_target_write_dec((uint32_t)(RTM_TEST_SCRATCH_SIZE / 1024u));
    rtm_target_write(" KiB\n");
    unsigned failed = rtm_test_run_all();
    rtm_target_exit(failed == 0u ? RTM_TARGET_EXIT_PASS : RTM_TARGET_EXIT_FAILED);
}
