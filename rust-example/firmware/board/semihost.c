/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Arm semihosting: console output and the exit status (QEMU -semihosting). */
#include <stdint.h>

#include "board.h"

#define SYS_WRITE0 0x04u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uintptr_t semihost(uintptr_t op, const void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void board_write(const char *text, size_t len)
{
    /* SYS_WRITE0 takes a NUL-terminated string: send the text in chunks. */
    char chunk[65];
    while (len > 0u) {
        size_t n = len < sizeof chunk - 1u ? len : sizeof chunk - 1u;
        for (size_t i = 0; i < n; i++) {
            chunk[i] = text[i];
        }
        chunk[n] = '\0';
        (void)semihost(SYS_WRITE0, chunk);
        text += n;
        len -= n;
    }
}

void board_puts(const char *text)
{
    (void)semihost(SYS_WRITE0, text);
}

void board_exit(int code)
{
    const uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)(intptr_t)code};
    for (;;) {
        (void)semihost(SYS_EXIT_EXTENDED, block);
    }
}
