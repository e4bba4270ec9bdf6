/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Vector table and reset handler: copy .data, zero .bss, enable the FPU when
 * the firmware is built for one, run main() and exit with its result. Faults
 * print their status registers and exit with status 3.
 */
#include <stdint.h>

#include "board.h"

extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top;

void reset_handler(void) __attribute__((noreturn));
void fault_handler(void) __attribute__((noreturn));

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t *)0xE000ED38u)

void reset_handler(void)
{
    const uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) {
        *dst++ = 0u;
    }
#if defined(__ARM_FP)
    SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    board_exit(main());
}

static void put_hex(const char *label, uint32_t value)
{
    char text[20];
    static const char digits[] = "0123456789abcdef";
    int n = 0;
    while (*label != '\0') {
        text[n++] = *label++;
    }
    for (int shift = 28; shift >= 0; shift -= 4) {
        text[n++] = digits[(value >> shift) & 0xFu];
    }
    text[n++] = ' ';
    board_write(text, (size_t)n);
}

void fault_handler(void)
{
    board_puts("\nFAULT ");
    put_hex("CFSR=", SCB_CFSR);
    put_hex("HFSR=", SCB_HFSR);
    put_hex("MMFAR=", SCB_MMFAR);
    put_hex("BFAR=", SCB_BFAR);
    board_puts("\n");
    board_exit(3);
}

typedef void (*handler_t)(void);

/* The first 16 words: initial stack pointer, then the system exceptions. */
__attribute__((section(".isr_vector"), used)) const struct vector_table {
    const void *stack_top;
    handler_t handlers[15];
} board_vectors = {
    &__stack_top,
    {
        reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
        fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler,
        fault_handler,
    },
};
