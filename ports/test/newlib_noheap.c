/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * A firmware whose linker script gives the malloc port no usable heap: here
 * __rtm_heap_start/__rtm_heap_end name 16 bytes, too few for a heap. The
 * first allocation -- newlib's stdout buffer, inside printf -- must not hand
 * NULL back to the C library (which would write through it and lock up): the
 * default misuse hook prints "heap set-up" and traps. `make ports-test`
 * expects that line and the fault handler's exit status 3.
 */
#include <stdio.h>

int main(void);

char __rtm_heap_start[16];
char __rtm_heap_end[1];

int main(void)
{
    printf("not reached: printf got a buffer without a heap\n");
    return 0;
}
