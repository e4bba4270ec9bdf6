/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Board support of the example firmware (QEMU MPS2 Cortex-M boards):
 * console output and the run's exit status over Arm semihosting.
 */
#ifndef RTM_EXAMPLE_BOARD_H
#define RTM_EXAMPLE_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Exit status of a run ended by a fault (Fault_Handler). */
#define BOARD_EXIT_FAULT 3

/** Write a NUL-terminated string to the console (semihosting SYS_WRITE0). */
void board_puts(const char *s);
/** Write `v` as 0x followed by 8 hex digits. */
void board_put_hex(uint32_t v);
/** End the run: QEMU exits with `code` (semihosting SYS_EXIT_EXTENDED). */
void board_exit(int code) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* RTM_EXAMPLE_BOARD_H */
