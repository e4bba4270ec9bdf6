/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cortex-M port: system set-up and the C half of the fault handlers
 * (startup.S has the entry stubs). Decodes the System Control Block fault
 * registers into an rtm_target_fault_t, lets the common policy decide, then
 * skips the faulting instruction, retries it, or ends the run context.
 */
#include <stddef.h>

#include "target_internal.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_SHCSR REG32(0xE000ED24u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_HFSR REG32(0xE000ED2Cu)
#define SCB_MMFAR REG32(0xE000ED34u)
#define SCB_BFAR REG32(0xE000ED38u)
#if defined(__ARM_ARCH_8M_MAIN__)
#define SCB_SFSR REG32(0xE000EDE4u)
#define SCB_SFAR REG32(0xE000EDE8u)
#define SFSR_SFARVALID (1u << 6)
#endif

#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)
#define SHCSR_SECUREFAULTENA (1u << 19)

#define EXC_RETURN_SPSEL (1u << 2)  /* the frame is on PSP */
#define EXC_RETURN_THREAD (1u << 3) /* the exception came from thread mode */

/* Indexes in the exception frame (r0-r3, r12, lr, pc, xPSR). */
#define FRAME_LR 5u
#define FRAME_PC 6u

/* Faults after which the frame was not (or only partly) stacked. */
#define NO_FRAME_BITS \
    (RTM_TARGET_CFSR_MSTKERR | RTM_TARGET_CFSR_STKERR | RTM_TARGET_CFSR_STKOF)

target_run_ctx_t rtm_target_run_ctx;

/* startup.S addresses the run context by these offsets. */
RTM_STATIC_ASSERT_TARGET(offsetof(target_run_ctx_t, active) == 0u, rc_active);
RTM_STATIC_ASSERT_TARGET(offsetof(target_run_ctx_t, saved) == 4u, rc_saved);
#if defined(__ARM_FP)
RTM_STATIC_ASSERT_TARGET(offsetof(target_run_ctx_t, fp) == 64u, rc_fp);
#endif

extern const uint32_t rtm_vectors[];

uint32_t rtm_target_fault_entry(uint32_t *frame, uint32_t exc_return, uint32_t kind);

void rtm_target_init(void)
{
    SCB_VTOR = (uint32_t)(uintptr_t)rtm_vectors;
    /* Route MPU, bus and usage faults to their own handlers (they would
     * escalate to HardFault otherwise); they keep the reset priority 0. */
    uint32_t ena = SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA | SHCSR_USGFAULTENA;
#if defined(__ARM_ARCH_8M_MAIN__)
    ena |= SHCSR_SECUREFAULTENA;
#endif
    SCB_SHCSR |= ena;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

static uint32_t read_control(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, control" : "=r"(v));
    return v;
}

static uint32_t read_ipsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}

bool rtm_target_is_privileged(void)
{
    return read_ipsr() != 0u || (read_control() & 1u) == 0u;
}

/* Thumb: a halfword whose top five bits are 0b11101, 0b11110 or 0b11111
 * starts a 32-bit instruction; anything else is a 16-bit one. */
static uint32_t thumb_length(uint32_t pc)
{
    uint16_t first = *(const volatile uint16_t *)(uintptr_t)pc;
    return (first >> 11) >= 0x1du ? 4u : 2u;
}

uint32_t rtm_target_fault_entry(uint32_t *frame, uint32_t exc_return, uint32_t kind)
{
    rtm_target_fault_t f = {0};
    uint32_t cfsr = SCB_CFSR;
    uint32_t hfsr = SCB_HFSR;
    uint32_t mmfar = SCB_MMFAR;
    uint32_t bfar = SCB_BFAR;

    f.kind = kind;
    f.cause = cfsr;
    f.hfsr = hfsr;
    if ((cfsr & RTM_TARGET_CFSR_MMARVALID) != 0u &&
        (kind == RTM_TARGET_FAULT_MEMMANAGE || kind == RTM_TARGET_FAULT_HARD)) {
        f.addr = mmfar;
        f.addr_valid = 1u;
    } else if ((cfsr & RTM_TARGET_CFSR_BFARVALID) != 0u &&
               (kind == RTM_TARGET_FAULT_BUS || kind == RTM_TARGET_FAULT_HARD)) {
        f.addr = bfar;
        f.addr_valid = 1u;
    }
#if defined(__ARM_ARCH_8M_MAIN__)
    uint32_t sfsr = 0u;
    if (kind == RTM_TARGET_FAULT_SECURE) {
        sfsr = SCB_SFSR;
        f.cause = sfsr;
        f.addr = (sfsr & SFSR_SFARVALID) != 0u ? SCB_SFAR : 0u;
        f.addr_valid = (sfsr & SFSR_SFARVALID) != 0u ? 1u : 0u;
    }
#endif
    f.sp = (uint32_t)(uintptr_t)frame;
    f.in_run = (rtm_target_run_ctx.active != 0u && (exc_return & EXC_RETURN_SPSEL) != 0u) ? 1u : 0u;
    f.unprivileged =
        ((exc_return & EXC_RETURN_THREAD) != 0u && (read_control() & 1u) != 0u) ? 1u : 0u;
    bool have_frame = (cfsr & NO_FRAME_BITS) == 0u;
    if (have_frame) {
        f.pc = frame[FRAME_PC];
        f.lr = frame[FRAME_LR];
    }

    /* A hook may read the fault registers itself (e.g. through the
     * library's fault capture); only then clear what was recorded
     * (write-one-to-clear), so the next fault's registers start clean. */
    uint32_t action = rtm_target_fault_decide(&f, have_frame);
    SCB_CFSR = cfsr;
    SCB_HFSR = hfsr;
#if defined(__ARM_ARCH_8M_MAIN__)
    if (sfsr != 0u) {
        SCB_SFSR = sfsr;
    }
#endif
    if (action == RTM_TARGET_RESUME_ABORT) {
        return 1u;
    }
    /* An imprecise bus error is reported after the instruction retired: the
     * stacked PC is not the culprit, so there is nothing to skip. */
    if (action == RTM_TARGET_RESUME_SKIP && (cfsr & RTM_TARGET_CFSR_IMPRECISERR) == 0u) {
        frame[FRAME_PC] = f.pc + thumb_length(f.pc);
    }
    return 0u;
}
