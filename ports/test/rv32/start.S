/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Minimal RV32 start-up for the port tests on QEMU virt (-bios none, M-mode):
 * stack, .bss cleared, main(), then its status through semihosting; and the
 * semihosting call itself. .data needs no copy: the image runs from RAM. */
    .section .text.start, "ax"
    .globl _start
_start:
    la sp, __stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call main
    call port_exit
3:  j 3b

/* uint32_t port_semihost(uint32_t op, const void *arg) */
    .section .text.port_semihost, "ax"
    .globl port_semihost
    .balign 16
    .option push
    .option norvc
port_semihost:
    slli zero, zero, 0x1f
    ebreak
    srai zero, zero, 7
    ret
    .option pop
