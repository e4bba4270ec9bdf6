/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cortex-M (ARMv7-M and ARMv8-M Mainline) start-up and exception entry of the
 * QEMU test images and the demo: vector table, reset, fault entry, SVC
 * services (run contexts, privilege), semihosting and the fault-provoking
 * access helpers. Written from the ARMv7-M / ARMv8-M architecture manuals'
 * facts: the exception frame is r0-r3, r12, lr, pc, xPSR from the stacking
 * stack pointer; EXC_RETURN bit 2 selects PSP, bit 3 thread mode, bit 4 a
 * frame without FP state. See docs/target.md.
 */
    .syntax unified
    .thumb

/* Offsets in target_run_ctx_t (checked by static asserts in fault.c). */
#define RC_ACTIVE 0
#define RC_MSP 4
#define RC_EXCRET 8
#define RC_REGS 12
#define RC_FP 64

#define RUN_RETURNED 0
#define RUN_FAULTED 1
#define RUN_REFUSED 2

/* ------------------------------------------------------------------------ */
/* Vector table: first in the image (the linker script keeps it at the       */
/* reset VTOR). 16 system vectors, then 64 interrupt lines (none is used).   */
/* ------------------------------------------------------------------------ */
    .section .isr_vector, "a", %progbits
    .p2align 9
    .globl rtm_vectors
rtm_vectors:
    .word __stack_top
    .word Reset_Handler
    .word NMI_Handler
    .word HardFault_Handler
    .word MemManage_Handler
    .word BusFault_Handler
    .word UsageFault_Handler
    .word SecureFault_Handler   /* ARMv8-M; reserved on ARMv7-M */
    .word 0
    .word 0
    .word 0
    .word SVC_Handler
    .word Default_Handler       /* DebugMonitor */
    .word 0
    .word Default_Handler       /* PendSV */
    .word Default_Handler       /* SysTick */
    .rept 64
    .word Default_Handler
    .endr
    .size rtm_vectors, . - rtm_vectors

/* ------------------------------------------------------------------------ */
/* Reset: stack, FPU access, .data copy, .bss clear, then C.                 */
/* ------------------------------------------------------------------------ */
    .section .text.Reset_Handler, "ax", %progbits
    .p2align 2
    .globl Reset_Handler
    .type Reset_Handler, %function
    .thumb_func
Reset_Handler:
    ldr r0, =__stack_top
    msr msp, r0
#if defined(__ARM_ARCH_8M_MAIN__)
    /* A main-stack overflow becomes a UsageFault (STKOF) instead of
     * silently overwriting whatever lies below the stack. */
    ldr r0, =__stack_limit
    msr msplim, r0
#endif
#if defined(__ARM_FP)
    /* CPACR: full access to CP10/CP11 before any FP instruction. */
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)
    str r1, [r0]
    dsb
    isb
#endif
    /* .data: copy its load image (in the code memory) to RAM. */
    ldr r0, =__data_load
    ldr r1, =__data_start
    ldr r2, =__data_end
1:  cmp r1, r2
    bhs 2f
    ldr r3, [r0], #4
    str r3, [r1], #4
    b 1b
    /* .bss: zero it. */
2:  ldr r1, =__bss_start
    ldr r2, =__bss_end
    movs r3, #0
3:  cmp r1, r2
    bhs 4f
    str r3, [r1], #4
    b 3b
4:  bl rtm_target_init
    bl rtm_target_main
    movs r0, #2
    bl rtm_target_exit
5:  b 5b
    .pool
    .size Reset_Handler, . - Reset_Handler

/* ------------------------------------------------------------------------ */
/* Faults: r0 = stacked frame, r1 = EXC_RETURN, r2 = kind. The C part        */
/* records and decides; it answers 0 (return from the exception, the frame    */
/* possibly edited) or 1 (end the active run context as faulted).            */
/* ------------------------------------------------------------------------ */
    .macro fault_stub name, kind
    .section .text.\name, "ax", %progbits
    .p2align 2
    .globl \name
    .type \name, %function
    .thumb_func
\name:
    movs r2, #\kind
    b fault_common
    .size \name, . - \name
    .endm

    fault_stub HardFault_Handler, 1
    fault_stub MemManage_Handler, 2
    fault_stub BusFault_Handler, 3
    fault_stub UsageFault_Handler, 4
    fault_stub SecureFault_Handler, 5

    .section .text.fault_common, "ax", %progbits
    .p2align 2
    .type fault_common, %function
    .thumb_func
fault_common:
    tst lr, #4
    ite eq
    mrseq r0, msp
    mrsne r0, psp
    mov r1, lr
    push {r4, lr}
    bl rtm_target_fault_entry
    pop {r4, lr}
    cmp r0, #0
    bne 1f
    bx lr
1:  movs r0, #RUN_FAULTED
    b run_end
    .size fault_common, . - fault_common

/* NMI, DebugMonitor, PendSV, SysTick and interrupts: none is expected. */
    .section .text.Default_Handler, "ax", %progbits
    .p2align 2
    .globl Default_Handler
    .globl NMI_Handler
    .type Default_Handler, %function
    .thumb_func
Default_Handler:
    .thumb_func
NMI_Handler:
    mrs r0, ipsr
    tst lr, #4
    ite eq
    mrseq r1, msp
    mrsne r1, psp
    ldr r1, [r1, #24]
    b rtm_target_unexpected
    .size Default_Handler, . - Default_Handler

/* ------------------------------------------------------------------------ */
/* SVC services, by the immediate of the SVC instruction:                    */
/*   #1  start a run context (rtm_target_run)                                */
/*   #2  the run context's function returned                                 */
/*   #3  back to privileged (rtm_target_privileged)                          */
/* ------------------------------------------------------------------------ */
    .section .text.SVC_Handler, "ax", %progbits
    .p2align 2
    .globl SVC_Handler
    .type SVC_Handler, %function
    .thumb_func
SVC_Handler:
    tst lr, #4
    ite eq
    mrseq r0, msp
    mrsne r0, psp
    ldr r1, [r0, #24]          /* return address: just after the SVC */
    ldrb r1, [r1, #-2]         /* its 8-bit immediate */
    cmp r1, #1
    beq svc_run_start
    cmp r1, #2
    beq svc_run_exit
    cmp r1, #3
    beq svc_privileged
svc_bad:
    ldr r1, [r0, #24]
    movs r0, #11
    b rtm_target_unexpected

svc_privileged:
    mrs r1, control
    bic r1, r1, #1             /* nPRIV = 0 */
    msr control, r1
    isb
    bx lr

svc_run_exit:
    ldr r3, =rtm_target_run_ctx
    ldr r1, [r3, #RC_ACTIVE]
    cmp r1, #0
    beq svc_bad
    tst lr, #4                 /* must come from the run context (PSP) */
    beq svc_bad
    movs r0, #RUN_RETURNED
    b run_end

svc_run_start:
    /* r0 = caller's frame on MSP: fn, arg, stack_top, flags in r0..r3. */
    ldr r3, =rtm_target_run_ctx
    ldr r1, [r3, #RC_ACTIVE]
    cmp r1, #0
    bne 9f                     /* nested */
    tst lr, #4
    bne 9f                     /* caller not on MSP */
    tst lr, #8
    beq 9f                     /* caller in handler mode */
    mrs r1, control
    tst r1, #1
    bne 9f                     /* caller unprivileged */
    ldr r2, [r0, #8]
    bic r2, r2, #7             /* AAPCS: 8-byte aligned stack */
    cmp r2, #64
    blo 9f
    /* Save the main context: its frame (= MSP now), EXC_RETURN, r4-r11. */
    str r0, [r3, #RC_MSP]
    str lr, [r3, #RC_EXCRET]
    add r1, r3, #RC_REGS
    stmia r1, {r4-r11}
#if defined(__ARM_FP)
    /* s16-s31 are callee-saved; storing them also completes a pending lazy
     * save of the caller's s0-s15 into its frame (LSPACT), so the frame is
     * whole before the run context can use the FPU. */
    add r1, r3, #RC_FP
    vstmia r1, {s16-s31}
#endif
    /* The run context's first frame: r0 = arg, lr = trampoline, pc = fn. */
    sub r2, r2, #32
    ldr r1, [r0, #4]
    str r1, [r2, #0]
    movs r1, #0
    str r1, [r2, #4]
    str r1, [r2, #8]
    str r1, [r2, #12]
    str r1, [r2, #16]
    ldr r1, =run_trampoline
    str r1, [r2, #20]
    ldr r1, [r0, #0]
    bic r1, r1, #1
    str r1, [r2, #24]
    mov r1, #0x01000000        /* xPSR: Thumb state */
    str r1, [r2, #28]
    msr psp, r2
    movs r1, #1
    str r1, [r3, #RC_ACTIVE]
    ldr r1, [r0, #12]          /* flags */
    mrs r2, control
    bic r2, r2, #1
    tst r1, #1
    it ne
    orrne r2, r2, #1           /* RTM_TARGET_RUN_UNPRIVILEGED */
    msr control, r2
    isb
    /* Same EXC_RETURN (security state bits kept on ARMv8-M) but: thread
     * mode, PSP, a frame without FP state. */
    orr lr, lr, #0x1c
    bx lr
9:  movs r1, #RUN_REFUSED
    str r1, [r0, #0]
    bx lr
    .pool
    .size SVC_Handler, . - SVC_Handler

/*
 * End the run context with result r0: drop its stack, restore the main
 * context saved by svc_run_start and return from the current exception
 * into it, as if `svc #1` in rtm_target_run() had returned r0.
 */
    .section .text.run_end, "ax", %progbits
    .p2align 2
    .type run_end, %function
    .thumb_func
run_end:
    ldr r3, =rtm_target_run_ctx
    ldr r1, [r3, #RC_MSP]
    msr msp, r1
    str r0, [r1, #0]           /* the caller's r0 = result */
    movs r0, #0
    str r0, [r3, #RC_ACTIVE]
    mrs r0, control
    bic r0, r0, #1
    msr control, r0
    isb
#if defined(__ARM_FP)
    /* A lazy FP save still pending for the run context would target its
     * (abandoned, maybe guarded) stack: cancel it (FPCCR.LSPACT) before
     * touching the FPU, then restore the main context's s16-s31. */
    ldr r0, =0xE000EF34
    ldr r1, [r0]
    bic r1, r1, #1
    str r1, [r0]
    dsb
    add r1, r3, #RC_FP
    vldmia r1, {s16-s31}
#endif
    add r1, r3, #RC_REGS
    ldmia r1, {r4-r11}
    ldr lr, [r3, #RC_EXCRET]
    bx lr
    .pool
    .size run_end, . - run_end

    .section .text.run_trampoline, "ax", %progbits
    .p2align 2
    .type run_trampoline, %function
    .thumb_func
run_trampoline:
    svc #2
1:  b 1b
    .size run_trampoline, . - run_trampoline

/* uint32_t rtm_target_run(void (*fn)(void *), void *arg, void *stack_top, uint32_t flags) */
    .section .text.rtm_target_run, "ax", %progbits
    .p2align 2
    .globl rtm_target_run
    .type rtm_target_run, %function
    .thumb_func
rtm_target_run:
    svc #1
    bx lr
    .size rtm_target_run, . - rtm_target_run

/* void rtm_target_privileged(void) */
    .section .text.rtm_target_privileged, "ax", %progbits
    .p2align 2
    .globl rtm_target_privileged
    .type rtm_target_privileged, %function
    .thumb_func
rtm_target_privileged:
    svc #3
    bx lr
    .size rtm_target_privileged, . - rtm_target_privileged

/* void rtm_target_unprivileged(void): thread mode only. */
    .section .text.rtm_target_unprivileged, "ax", %progbits
    .p2align 2
    .globl rtm_target_unprivileged
    .type rtm_target_unprivileged, %function
    .thumb_func
rtm_target_unprivileged:
    mrs r0, control
    orr r0, r0, #1
    msr control, r0
    isb
    bx lr
    .size rtm_target_unprivileged, . - rtm_target_unprivileged

/* uint32_t rtm_target_semihost(uint32_t op, const void *arg) */
    .section .text.rtm_target_semihost, "ax", %progbits
    .p2align 2
    .globl rtm_target_semihost
    .type rtm_target_semihost, %function
    .thumb_func
rtm_target_semihost:
    bkpt 0xab
    bx lr
    .size rtm_target_semihost, . - rtm_target_semihost

/* Fault-provoking accesses (rtm_target.h): the store comes first. */
    .section .text.rtm_target_write32, "ax", %progbits
    .p2align 2
    .globl rtm_target_write32
    .type rtm_target_write32, %function
    .thumb_func
rtm_target_write32:
    str.w r1, [r0]             /* 32-bit encoding on purpose */
    bx lr
    .size rtm_target_write32, . - rtm_target_write32

    .section .text.rtm_target_write8, "ax", %progbits
    .p2align 2
    .globl rtm_target_write8
    .type rtm_target_write8, %function
    .thumb_func
rtm_target_write8:
    strb r1, [r0]              /* 16-bit encoding */
    bx lr
    .size rtm_target_write8, . - rtm_target_write8

    .section .text.rtm_target_read32, "ax", %progbits
    .p2align 2
    .globl rtm_target_read32
    .type rtm_target_read32, %function
    .thumb_func
rtm_target_read32:
    mov r1, r0
    ldr r0, =0xfa17fa17        /* RTM_TARGET_SKIPPED_LOAD */
    ldr r0, [r1]               /* 16-bit encoding */
    bx lr
    .pool
    .size rtm_target_read32, . - rtm_target_read32
