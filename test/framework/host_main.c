/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Host entry point of the plain runner (used for the -m32 builds). */
#include <stdio.h>

#include "rtm_test.h"

void rtm_test_port_write(const char *s)
{
    fputs(s, stdout);
}

int main(void)
{
    unsigned failed = rtm_test_run_all();
    fflush(stdout);
    return failed == 0u ? 0 : 1;
}
