/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The default misuse hook of ports/newlib/rtm_malloc.c: a double free with no
 * hook set prints one line naming the call, the pointer and rtmem's status,
 * then traps. The run must end in the board's fault handler (exit status 3)
 * with that line in its log; `make ports-test` checks both.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void);

static void *launder(void *p)
{
    void *volatile v = p;
    return v;
}

int main(void)
{
    char *p = malloc(40);
    char *q = malloc(40); /* keeps p from merging with the free space after it */
    printf("freeing %p twice\n", (void *)p);
    fflush(stdout);
    free(launder(p));
    free(launder(p));
    printf("not reached: the default hook returned\n");
    free(q);
    return 0;
}
