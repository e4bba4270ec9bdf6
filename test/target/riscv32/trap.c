/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RV32 port: the C half of the trap handler (startup.S saves the frame).
 * Synchronous exceptions become an rtm_target_fault_t (mcause, mtval, mepc)
 * for the common policy; ecalls implement the run-context end and the way
 * back to M-mode. Interrupts are never enabled, so any is unexpected.
 */
#include <stddef.h>

#include "target_internal.h"

/* Trap frame word indices (startup.S): mepc, x1..x31, mstatus, mcause, mtval. */
#define TF_MEPC 0u
#define TF_RA 1u
#define TF_SP 2u
#define TF_A7 17u
#define TF_MSTATUS 32u
#define TF_MCAUSE 33u
#define TF_MTVAL 34u

#define MSTATUS_MPP_SHIFT 11u
#define MSTATUS_MPP_MASK (3u << MSTATUS_MPP_SHIFT)
#define MSTATUS_MPP_M (3u << MSTATUS_MPP_SHIFT)
#define MCAUSE_INTERRUPT 0x80000000u

#define ECALL_RUN_END 0x52544d01u
#define ECALL_PRIVILEGED 0x52544d02u

/* trap_entry's answers. */
#define TRAP_RESUME 0u
#define TRAP_RUN_RETURNED 1u
#define TRAP_RUN_FAULTED 2u

target_run_ctx_t rtm_target_run_ctx;
/* 1 while the program runs in U-mode (U-mode cannot read mstatus itself). */
volatile uint32_t rtm_target_umode;

/* startup.S addresses the run context by these offsets. */
RTM_STATIC_ASSERT_TARGET(offsetof(target_run_ctx_t, active) == 0u, rc_active);
RTM_STATIC_ASSERT_TARGET(offsetof(target_run_ctx_t, saved) == 4u, rc_saved);
RTM_STATIC_ASSERT_TARGET(sizeof(((target_run_ctx_t *)0)->saved) >= 14u * 4u, rc_room);

uint32_t rtm_target_trap(uint32_t *frame);

void rtm_target_init(void)
{
    rtm_target_umode = 0u;
}

bool rtm_target_is_privileged(void)
{
    return rtm_target_umode == 0u;
}

/* RISC-V: the two low bits of the first halfword are 0b11 for a 32-bit
 * instruction; anything else is a 16-bit compressed one. */
static uint32_t insn_length(uint32_t pc)
{
    uint16_t first = *(const volatile uint16_t *)(uintptr_t)pc;
    return (first & 3u) == 3u ? 4u : 2u;
}

/* Causes whose mtval is the faulting data or instruction address. */
static bool mtval_is_address(uint32_t cause)
{
    switch (cause) {
    case 0u: /* instruction address misaligned */
    case 1u: /* instruction access fault */
    case 4u: /* load address misaligned */
    case 5u: /* load access fault */
    case 6u: /* store/AMO address misaligned */
    case 7u: /* store/AMO access fault */
    case 12u: /* instruction page fault */
    case 13u: /* load page fault */
    case 15u: /* store/AMO page fault */
        return true;
    default:
        return false;
    }
}

uint32_t rtm_target_trap(uint32_t *frame)
{
    uint32_t cause = frame[TF_MCAUSE];
    uint32_t mepc = frame[TF_MEPC];
    if ((cause & MCAUSE_INTERRUPT) != 0u) {
        rtm_target_unexpected(cause, mepc);
    }
    if (cause == RTM_TARGET_MCAUSE_ECALL_U || cause == RTM_TARGET_MCAUSE_ECALL_M) {
        uint32_t request = frame[TF_A7];
        if (request == ECALL_RUN_END && rtm_target_run_ctx.active != 0u) {
            return TRAP_RUN_RETURNED;
        }
        if (request == ECALL_PRIVILEGED) {
            frame[TF_MSTATUS] = (frame[TF_MSTATUS] & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_M;
            frame[TF_MEPC] = mepc + 4u; /* ecall has no compressed form */
            rtm_target_umode = 0u;
            return TRAP_RESUME;
        }
        /* Any other ecall is a fault for the policy below. */
    }

    rtm_target_fault_t f = {0};
    f.kind = RTM_TARGET_FAULT_EXCEPTION;
    f.cause = cause;
    if (mtval_is_address(cause)) {
        f.addr = frame[TF_MTVAL];
        f.addr_valid = 1u;
    }
    f.pc = mepc;
    f.lr = frame[TF_RA];
    f.sp = frame[TF_SP];
    f.in_run = rtm_target_run_ctx.active != 0u ? 1u : 0u;
    f.unprivileged = (frame[TF_MSTATUS] & MSTATUS_MPP_MASK) == 0u ? 1u : 0u;
    /* After a failed fetch there is no instruction to step over. */
    bool have_frame = cause != 0u && cause != 1u && cause != 12u;

    uint32_t action = rtm_target_fault_decide(&f, have_frame);
    if (action == RTM_TARGET_RESUME_ABORT) {
        return TRAP_RUN_FAULTED;
    }
    if (action == RTM_TARGET_RESUME_SKIP) {
        frame[TF_MEPC] = mepc + insn_length(mepc);
    }
    return TRAP_RESUME;
}
