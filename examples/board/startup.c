/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Start-up of the example firmware for QEMU's MPS2 Cortex-M boards: the
 * vector table, the reset handler (FPU on, .data copied, .bss zeroed, C and
 * C++ constructors run through newlib's __libc_init_array, then main and
 * exit) and one fault handler that names the fault and ends the run;
 * MemManage, SVC, PendSV and SysTick handlers are weak and may be replaced.
 * Link with -nostartfiles and mps2.ld.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

extern uint32_t __StackTop[], __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern int main(void);
extern void __libc_init_array(void);

void Reset_Handler(void);
void Fault_Handler(void);
/* Handlers a firmware may define; each defaults to Fault_Handler. */
void MemManage_Handler(void) __attribute__((weak, alias("Fault_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Fault_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Fault_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Fault_Handler")));
void _init(void);
void _fini(void);

/* What crtbegin.o and crti.o/crtn.o would give, which -nostartfiles leaves
 * out: the handle C++ registers its static destructors with, and the empty
 * _init/_fini that __libc_init_array and exit() call. */
void *__dso_handle = 0;

void _init(void)
{
}

void _fini(void)
{
}

void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /* CPACR: full access to CP10/CP11 before any floating-point instruction. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    /* Linker symbols: distinct objects to C, so their distance is taken as integers. */
    memcpy(__data_start, __data_load, (size_t)((uintptr_t)__data_end - (uintptr_t)__data_start));
    memset(__bss_start, 0, (size_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start));
    __libc_init_array(); /* constructors: they may already call malloc */
    exit(main());
}

void Fault_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    board_puts("fault: exception ");
    board_put_hex(ipsr & 0x1ffu);
    board_puts(", CFSR ");
    board_put_hex(*(volatile uint32_t *)0xE000ED28u);
    board_puts("\n");
    board_exit(BOARD_EXIT_FAULT);
}

typedef void (*vector_t)(void);

/* 16 system vectors; no interrupt line is used by the examples. */
__attribute__((section(".isr_vector"), used)) static const vector_t vectors[16] = {
    (vector_t)(uintptr_t)__StackTop, /* initial MSP */
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    MemManage_Handler,
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    SVC_Handler,
    Fault_Handler, /* DebugMonitor */
    0,
    PendSV_Handler,
    SysTick_Handler,
};
