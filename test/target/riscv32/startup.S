/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RV32 (QEMU virt, -bios none, M-mode) start-up and trap entry of the test
 * image: reset, trap vector, run contexts and privilege switches (mret /
 * ecall), semihosting and the fault-provoking access helpers. Written from
 * the RISC-V privileged specification's facts (mstatus.MPP at bits 12:11,
 * mepc/mcause/mtval, mret) and the RISC-V semihosting binding (the
 * slli/ebreak/srai sequence, uncompressed, not crossing a page).
 * See docs/target.md.
 */
    .option norelax

/* Offsets in target_run_ctx_t (checked by static asserts in trap.c). */
#define RC_ACTIVE 0
#define RC_RA 4
#define RC_SP 8
#define RC_S0 12

/* The trap frame: mepc, x1..x31 (x2 = the interrupted sp), mstatus, mcause,
 * mtval; 36 words, a multiple of 16 bytes. trap.c reads it by index. */
#define TF_SIZE 144
#define TF_MSTATUS 128
#define TF_MCAUSE 132
#define TF_MTVAL 136

#define MSTATUS_MPP 0x1800
#define MSTATUS_MPIE 0x80

/* ecall requests, in a7 (see trap.c). */
#define ECALL_RUN_END 0x52544d01
#define ECALL_PRIVILEGED 0x52544d02

    .section .text.init, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* Only hart 0 runs the image; any other parks. */
    csrr t0, mhartid
    bnez t0, park
    la sp, __stack_top
    csrw mie, zero
    csrci mstatus, 8              /* MIE = 0: no interrupts */
    la t0, trap_entry
    csrw mtvec, t0                /* direct mode (trap_entry is 4-aligned) */
    la t0, __trap_stack_top
    csrw mscratch, t0
    /* .data: copy its load image to RAM. */
    la t0, __data_load
    la t1, __data_start
    la t2, __data_end
1:  bgeu t1, t2, 2f
    lw t3, 0(t0)
    sw t3, 0(t1)
    addi t0, t0, 4
    addi t1, t1, 4
    j 1b
    /* .bss: zero it. */
2:  la t1, __bss_start
    la t2, __bss_end
3:  bgeu t1, t2, 4f
    sw zero, 0(t1)
    addi t1, t1, 4
    j 3b
4:  call rtm_target_init
    call rtm_target_main
    li a0, 2
    call rtm_target_exit
park:
    wfi
    j park
    .size _start, . - _start

/* ------------------------------------------------------------------------ */
/* Trap entry. Every trap runs on the trap stack (mscratch holds its top     */
/* while no trap is being handled). trap.c answers: 0 resume at the frame's  */
/* mepc, 1 end the run context (fn returned), 2 end it (faulted).            */
/* ------------------------------------------------------------------------ */
    .section .text.trap_entry, "ax", @progbits
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw sp, mscratch, sp
    addi sp, sp, -TF_SIZE
    sw x1, 4(sp)
    sw x3, 12(sp)
    sw x4, 16(sp)
    sw x5, 20(sp)
    sw x6, 24(sp)
    sw x7, 28(sp)
    sw x8, 32(sp)
    sw x9, 36(sp)
    sw x10, 40(sp)
    sw x11, 44(sp)
    sw x12, 48(sp)
    sw x13, 52(sp)
    sw x14, 56(sp)
    sw x15, 60(sp)
    sw x16, 64(sp)
    sw x17, 68(sp)
    sw x18, 72(sp)
    sw x19, 76(sp)
    sw x20, 80(sp)
    sw x21, 84(sp)
    sw x22, 88(sp)
    sw x23, 92(sp)
    sw x24, 96(sp)
    sw x25, 100(sp)
    sw x26, 104(sp)
    sw x27, 108(sp)
    sw x28, 112(sp)
    sw x29, 116(sp)
    sw x30, 120(sp)
    sw x31, 124(sp)
    csrr t0, mscratch
    sw t0, 8(sp)                  /* the interrupted sp */
    csrr t0, mepc
    sw t0, 0(sp)
    csrr t0, mstatus
    sw t0, TF_MSTATUS(sp)
    csrr t0, mcause
    sw t0, TF_MCAUSE(sp)
    csrr t0, mtval
    sw t0, TF_MTVAL(sp)
    mv a0, sp
    call rtm_target_trap
    addi t0, sp, TF_SIZE
    csrw mscratch, t0             /* the trap stack is free again */
    bnez a0, trap_end_run
    lw t0, 0(sp)
    csrw mepc, t0
    lw t0, TF_MSTATUS(sp)
    csrw mstatus, t0
    lw x1, 4(sp)
    lw x3, 12(sp)
    lw x4, 16(sp)
    lw x5, 20(sp)
    lw x6, 24(sp)
    lw x7, 28(sp)
    lw x8, 32(sp)
    lw x9, 36(sp)
    lw x10, 40(sp)
    lw x11, 44(sp)
    lw x12, 48(sp)
    lw x13, 52(sp)
    lw x14, 56(sp)
    lw x15, 60(sp)
    lw x16, 64(sp)
    lw x17, 68(sp)
    lw x18, 72(sp)
    lw x19, 76(sp)
    lw x20, 80(sp)
    lw x21, 84(sp)
    lw x22, 88(sp)
    lw x23, 92(sp)
    lw x24, 96(sp)
    lw x25, 100(sp)
    lw x26, 104(sp)
    lw x27, 108(sp)
    lw x28, 112(sp)
    lw x29, 116(sp)
    lw x30, 120(sp)
    lw x31, 124(sp)
    lw sp, 8(sp)
    mret

/* End the run context: result = a0 - 1 (0 returned, 1 faulted). We stay in
 * M-mode and return from rtm_target_run() with the saved registers. */
trap_end_run:
    addi a0, a0, -1
run_end:
    la t0, rtm_target_run_ctx
    sw zero, RC_ACTIVE(t0)
    la t1, rtm_target_umode
    sw zero, 0(t1)
    lw ra, RC_RA(t0)
    lw sp, RC_SP(t0)
    lw s0, RC_S0+0(t0)
    lw s1, RC_S0+4(t0)
    lw s2, RC_S0+8(t0)
    lw s3, RC_S0+12(t0)
    lw s4, RC_S0+16(t0)
    lw s5, RC_S0+20(t0)
    lw s6, RC_S0+24(t0)
    lw s7, RC_S0+28(t0)
    lw s8, RC_S0+32(t0)
    lw s9, RC_S0+36(t0)
    lw s10, RC_S0+40(t0)
    lw s11, RC_S0+44(t0)
    ret
    .size trap_entry, . - trap_entry

/* uint32_t rtm_target_run(void (*fn)(void *), void *arg, void *stack_top, uint32_t flags) */
    .section .text.rtm_target_run, "ax", @progbits
    .globl rtm_target_run
    .type rtm_target_run, @function
rtm_target_run:
    la t0, rtm_target_run_ctx
    lw t1, RC_ACTIVE(t0)
    bnez t1, 9f                   /* nested */
    la t1, rtm_target_umode
    lw t1, 0(t1)
    bnez t1, 9f                   /* caller in U-mode: no CSR access */
    andi a2, a2, -16              /* psABI: 16-byte aligned stack */
    li t1, 64
    bltu a2, t1, 9f
    sw ra, RC_RA(t0)
    sw sp, RC_SP(t0)
    sw s0, RC_S0+0(t0)
    sw s1, RC_S0+4(t0)
    sw s2, RC_S0+8(t0)
    sw s3, RC_S0+12(t0)
    sw s4, RC_S0+16(t0)
    sw s5, RC_S0+20(t0)
    sw s6, RC_S0+24(t0)
    sw s7, RC_S0+28(t0)
    sw s8, RC_S0+32(t0)
    sw s9, RC_S0+36(t0)
    sw s10, RC_S0+40(t0)
    sw s11, RC_S0+44(t0)
    li t1, 1
    sw t1, RC_ACTIVE(t0)
    csrw mepc, a0
    li t1, MSTATUS_MPP
    csrc mstatus, t1              /* MPP = U ... */
    andi t2, a3, 1
    la t3, rtm_target_umode
    sw t2, 0(t3)
    bnez t2, 1f
    csrs mstatus, t1              /* ... or M for a privileged run */
1:  li t1, MSTATUS_MPIE
    csrc mstatus, t1
    mv sp, a2
    mv a0, a1
    la ra, run_trampoline
    mret
9:  li a0, 2                      /* RTM_TARGET_RUN_REFUSED */
    ret
    .size rtm_target_run, . - rtm_target_run

    .section .text.run_trampoline, "ax", @progbits
    .type run_trampoline, @function
run_trampoline:
    li a7, ECALL_RUN_END
    ecall
1:  j 1b
    .size run_trampoline, . - run_trampoline

/* void rtm_target_unprivileged(void): continue at the caller in U-mode. */
    .section .text.rtm_target_unprivileged, "ax", @progbits
    .globl rtm_target_unprivileged
    .type rtm_target_unprivileged, @function
rtm_target_unprivileged:
    csrw mepc, ra
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    la t0, rtm_target_umode
    li t1, 1
    sw t1, 0(t0)
    mret
    .size rtm_target_unprivileged, . - rtm_target_unprivileged

/* void rtm_target_privileged(void): ecall; the trap handler returns in M-mode. */
    .section .text.rtm_target_privileged, "ax", @progbits
    .globl rtm_target_privileged
    .type rtm_target_privileged, @function
rtm_target_privileged:
    li a7, ECALL_PRIVILEGED
    ecall
    ret
    .size rtm_target_privileged, . - rtm_target_privileged

/* uint32_t rtm_target_semihost(uint32_t op, const void *arg): the three
 * instructions must be uncompressed and in one page; .balign 16 keeps them
 * inside one 16-byte block. */
    .section .text.rtm_target_semihost, "ax", @progbits
    .globl rtm_target_semihost
    .type rtm_target_semihost, @function
    .balign 16
    .option push
    .option norvc
rtm_target_semihost:
    slli zero, zero, 0x1f
    ebreak
    srai zero, zero, 7
    ret
    .option pop
    .size rtm_target_semihost, . - rtm_target_semihost

/* Fault-provoking accesses (rtm_target.h): the store comes first. */
    .section .text.rtm_target_write32, "ax", @progbits
    .globl rtm_target_write32
    .type rtm_target_write32, @function
    .option push
    .option norvc
rtm_target_write32:
    sw a1, 0(a0)                  /* 32-bit encoding */
    ret
    .option pop
    .size rtm_target_write32, . - rtm_target_write32

    .section .text.rtm_target_write8, "ax", @progbits
    .globl rtm_target_write8
    .type rtm_target_write8, @function
    .option push
    .option norvc
rtm_target_write8:
    sb a1, 0(a0)                  /* 32-bit encoding */
    ret
    .option pop
    .size rtm_target_write8, . - rtm_target_write8

    .section .text.rtm_target_read32, "ax", @progbits
    .globl rtm_target_read32
    .type rtm_target_read32, @function
rtm_target_read32:
    mv a1, a0
    li a0, 0xfa17fa17             /* RTM_TARGET_SKIPPED_LOAD */
    c.lw a0, 0(a1)                /* 16-bit encoding */
    ret
    .size rtm_target_read32, . - rtm_target_read32
