/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * On-target test plumbing: what a firmware test (test/target/cases/ARCH/ files)
 * may use beyond the RTM_TEST macros. Only the QEMU images see this header;
 * host builds never compile target-only cases. See docs/target.md.
 *
 * Three services:
 *
 * 1. Expected faults. A test arms the fault handler, provokes the fault and
 *    checks what the handler recorded (kind, CFSR / mcause, exact address).
 *    The handler then resumes the program safely: in the main context it
 *    skips the faulting instruction (16/32-bit Thumb or 16/32-bit RISC-V
 *    length decoding); inside an rtm_target_run() context it ends that
 *    context and rtm_target_run() returns RTM_TARGET_RUN_FAULTED.
 *    An unarmed fault is reported over semihosting and ends the image with
 *    exit status RTM_TARGET_EXIT_FAULT.
 *
 * 2. Run contexts. rtm_target_run() runs a function on a stack the test
 *    provides (Cortex-M: thread mode on PSP; RISC-V: its own sp), privileged
 *    or not, and comes back when the function returns or faults. This is
 *    what stack-guard / stack-limit tests need: the overflowing context is
 *    abandoned, the test's own stack is untouched.
 *
 * 3. Privilege. rtm_target_unprivileged() drops the current code to
 *    unprivileged thread mode (Cortex-M CONTROL.nPRIV) or U-mode (RISC-V);
 *    rtm_target_privileged() comes back (SVC / ECALL). A test-only backdoor:
 *    any code may call it.
 *
 * Faulting on purpose from an interrupt handler is not supported.
 */
#ifndef RTM_TARGET_H
#define RTM_TARGET_H

#include <stdbool.h>
#include <stdint.h>

/* Fault kinds (rtm_target_fault_t::kind). */
#define RTM_TARGET_FAULT_NONE 0u
#define RTM_TARGET_FAULT_HARD 1u        /* Cortex-M HardFault (HFSR says why) */
#define RTM_TARGET_FAULT_MEMMANAGE 2u   /* Cortex-M MemManage (MPU, XN) */
#define RTM_TARGET_FAULT_BUS 3u         /* Cortex-M BusFault */
#define RTM_TARGET_FAULT_USAGE 4u       /* Cortex-M UsageFault (UDF, STKOF, ...) */
#define RTM_TARGET_FAULT_SECURE 5u      /* ARMv8-M SecureFault */
#define RTM_TARGET_FAULT_EXCEPTION 8u   /* RISC-V synchronous exception (cause = mcause) */

/* Cortex-M CFSR bits (cause). MMFSR = bits 0..7, BFSR = 8..15, UFSR = 16..31. */
#define RTM_TARGET_CFSR_IACCVIOL (1u << 0)
#define RTM_TARGET_CFSR_DACCVIOL (1u << 1)
#define RTM_TARGET_CFSR_MUNSTKERR (1u << 3)
#define RTM_TARGET_CFSR_MSTKERR (1u << 4)
#define RTM_TARGET_CFSR_MLSPERR (1u << 5)
#define RTM_TARGET_CFSR_MMARVALID (1u << 7)
#define RTM_TARGET_CFSR_PRECISERR (1u << 9)
#define RTM_TARGET_CFSR_IMPRECISERR (1u << 10)
#define RTM_TARGET_CFSR_STKERR (1u << 12)
#define RTM_TARGET_CFSR_BFARVALID (1u << 15)
#define RTM_TARGET_CFSR_UNDEFINSTR (1u << 16)
#define RTM_TARGET_CFSR_STKOF (1u << 20) /* ARMv8-M stack limit (PSPLIM/MSPLIM) */
#define RTM_TARGET_CFSR_DIVBYZERO (1u << 25)

/* RISC-V mcause values (cause). */
#define RTM_TARGET_MCAUSE_INSN_FAULT 1u
#define RTM_TARGET_MCAUSE_ILLEGAL 2u
#define RTM_TARGET_MCAUSE_LOAD_FAULT 5u
#define RTM_TARGET_MCAUSE_STORE_FAULT 7u
#define RTM_TARGET_MCAUSE_ECALL_U 8u
#define RTM_TARGET_MCAUSE_ECALL_M 11u

/** What the fault handler saw. All fields are raw register values. */
typedef struct rtm_target_fault {
    uint32_t count;        /* faults recorded into this struct since it was armed */
    uint32_t kind;         /* RTM_TARGET_FAULT_* */
    uint32_t cause;        /* Cortex-M: CFSR; RISC-V: mcause */
    uint32_t addr;         /* MMFAR / BFAR when valid, RISC-V mtval; else 0 */
    uint32_t addr_valid;   /* 1 when addr is the faulting data address */
    uint32_t hfsr;         /* Cortex-M HFSR (0 on RISC-V) */
    uint32_t pc;           /* faulting instruction; 0 when no frame could be stacked */
    uint32_t lr;           /* its context's return address (stacked LR / ra); 0 without a frame */
    uint32_t sp;           /* the faulting context's stack pointer */
    uint32_t in_run;       /* 1 when it came from an rtm_target_run() context */
    uint32_t unprivileged; /* 1 when the faulting code ran unprivileged */
} rtm_target_fault_t;

/* What the handler does once a hook has seen the fault. */
#define RTM_TARGET_RESUME_DEFAULT 0u /* skip in the main context, end a run context */
#define RTM_TARGET_RESUME_SKIP 1u    /* skip the faulting instruction (needs a stacked frame) */
#define RTM_TARGET_RESUME_RETRY 2u   /* re-execute it (the hook removed the cause) */
#define RTM_TARGET_RESUME_ABORT 3u   /* end the current rtm_target_run() context */
#define RTM_TARGET_RESUME_FATAL 4u   /* report and end the image (unexpected fault) */

/**
 * A fault hook runs in the fault handler (handler mode / M-mode), privileged.
 * It may reprogram the MPU/PMP; it must not fault itself. Returns a
 * RTM_TARGET_RESUME_* action.
 */
typedef uint32_t (*rtm_target_fault_hook_t)(const rtm_target_fault_t *fault, void *user);

/**
 * Arm a one-shot expectation: the next fault is copied into *rec (count
 * incremented), then the handler resumes with RTM_TARGET_RESUME_DEFAULT and
 * disarms itself, so a second, unexpected fault is fatal. rec is zeroed here.
 */
void rtm_target_expect_fault(rtm_target_fault_t *rec);

/** Install a hook that sees every fault until rtm_target_disarm(). */
void rtm_target_set_fault_hook(rtm_target_fault_hook_t hook, void *user);

/** Remove any expectation or hook: faults are fatal again. */
void rtm_target_disarm(void);

/* rtm_target_run() flags and results. */
#define RTM_TARGET_RUN_PRIVILEGED 0u
#define RTM_TARGET_RUN_UNPRIVILEGED 1u

#define RTM_TARGET_RUN_RETURNED 0u /* fn returned */
#define RTM_TARGET_RUN_FAULTED 1u  /* a fault ended it (see the armed record) */
#define RTM_TARGET_RUN_REFUSED 2u  /* nested call, unprivileged caller, or bad stack */

/**
 * Run fn(arg) with its stack pointer at stack_top (rounded down to 8 bytes on
 * Cortex-M, 16 on RISC-V), privileged or unprivileged (flags). Returns when
 * fn returns or when a fault ends the context (an armed expectation or a hook
 * answering RTM_TARGET_RESUME_ABORT). Must be called privileged from the main
 * context; not reentrant. On Cortex-M the context runs in thread mode on PSP
 * (PSPLIM, if the test set one, applies). Unprivileged code needs an MPU/PMP
 * map that lets it reach its code, data and stack.
 */
uint32_t rtm_target_run(void (*fn)(void *), void *arg, void *stack_top, uint32_t flags);

/*
 * Run functions for rtm_target_run() that recurse until a fault ends the run.
 * `depth` points to a uint32_t that counts the levels entered. The small one
 * keeps frames under 32 bytes (it cannot step over a 32-byte guard); the large
 * one keeps frames of about 64 bytes (for guards of 128 bytes).
 */
void rtm_target_overflow_small(void *depth);
void rtm_target_overflow_large(void *depth);

/** Continue the current code unprivileged (same stack). */
void rtm_target_unprivileged(void);

/** Back to privileged (SVC on Cortex-M, ECALL on RISC-V). */
void rtm_target_privileged(void);

/** True when the calling code runs privileged. */
bool rtm_target_is_privileged(void);

/**
 * The firmware's entry, called by the reset code once .data and .bss are set
 * up and faults are routed: the test images' one (test/target/common/
 * test_main.c) runs the suite; the demo defines its own. Must not return
 * (it ends with rtm_target_exit()).
 */
void rtm_target_main(void);

/** A short name of the image's target, e.g. "cortex-m3 (mps2-an385)". */
const char *rtm_target_name(void);

/*
 * Console and exit (semihosting). Tests report through the RTM_CHECK macros;
 * these are for the board code and the demo firmware.
 */
void rtm_target_write(const char *s);
void rtm_target_write_dec(uint32_t v);
void rtm_target_write_hex(uint32_t v); /* "0x" and 8 digits */
/** End the image: QEMU exits with `code` (SYS_EXIT_EXTENDED). Never returns. */
void rtm_target_exit(uint32_t code);
/** One semihosting call: op in r0/a0, arg in r1/a1; returns r0/a0. */
uint32_t rtm_target_semihost(uint32_t op, const void *arg);

/*
 * Access helpers for provoking faults: out-of-line, so each call is a
 * compiler barrier around the faulting instruction (a record read after the
 * call is never hoisted above it). The store is the first instruction of
 * write32 and write8, so rtm_target_fault_t::pc can be checked against the
 * helper's address (without the Thumb bit). A load that is skipped returns RTM_TARGET_SKIPPED_LOAD.
 * Both instruction lengths of the skip decoder are reachable: on Thumb
 * write32 is a 32-bit STR.W, write8 and read32 are 16-bit; on RISC-V read32
 * is a compressed C.LW, write32 and write8 are 32-bit.
 */
#define RTM_TARGET_SKIPPED_LOAD 0xfa17fa17u
uint32_t rtm_target_read32(const volatile void *addr);
void rtm_target_write32(volatile void *addr, uint32_t value);
void rtm_target_write8(volatile void *addr, uint32_t value);

/* Image exit statuses (semihosting SYS_EXIT_EXTENDED). */
#define RTM_TARGET_EXIT_PASS 0u
#define RTM_TARGET_EXIT_FAILED 1u    /* some tests failed */
#define RTM_TARGET_EXIT_FAULT 2u     /* an unexpected fault or exception */

#endif /* RTM_TARGET_H */
