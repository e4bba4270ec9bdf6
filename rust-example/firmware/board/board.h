/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Minimal board support for the rtmem Rust firmware on QEMU's MPS2 boards
 * (mps2-an385: Cortex-M3, mps2-an386: Cortex-M4F). Output and the exit status
 * go through Arm semihosting; the exit status is the test verdict.
 */
#ifndef RTMEM_FW_BOARD_H
#define RTMEM_FW_BOARD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Write `len` bytes to the semihosting console. */
void board_write(const char *text, size_t len);

/** Write a NUL-terminated string to the semihosting console. */
void board_puts(const char *text);

/** End the emulation; QEMU exits with `code` (SYS_EXIT_EXTENDED). Never returns. */
void board_exit(int code) __attribute__((noreturn));

/** The application entry, called by the reset handler; its result is the exit status. */
int main(void);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_FW_BOARD_H */
