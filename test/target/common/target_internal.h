/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Between the architecture-neutral part of the board support
 * (test/target/common/) and each port (cortex-m/, riscv32/). Not for tests.
 */
#ifndef RTM_TARGET_INTERNAL_H
#define RTM_TARGET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rtm_target.h"

/* A compile-time check that also works in C99. */
#define RTM_STATIC_ASSERT_TARGET(cond, name) \
    typedef char rtm_target_static_assert_##name[(cond) ? 1 : -1]

/* Semihosting operations (the same numbers on Arm and RISC-V). */
#define SEMIHOST_SYS_WRITE0 0x04u
#define SEMIHOST_SYS_EXIT 0x18u
#define SEMIHOST_SYS_EXIT_EXTENDED 0x20u
#define SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026u

/*
 * The saved main context while an rtm_target_run() context is active. The
 * assembly of each port knows these offsets (checked by static asserts in the
 * port's C file).
 */
typedef struct target_run_ctx {
    uint32_t active;   /* 1 while a run context exists */
    uint32_t saved[15];/* port-specific: registers, stack pointer, return */
#if defined(__ARM_FP)
    uint32_t fp[16];   /* s16..s31 of the main context */
#endif
} target_run_ctx_t;

extern target_run_ctx_t rtm_target_run_ctx;

/* Called once by the reset code after .data/.bss are set up. */
void rtm_target_init(void);


/*
 * The common fault policy. f has been filled by the port; have_frame says
 * whether the faulting instruction can be found (and skipped). Delivers f to
 * the armed expectation or hook and returns the resolved action: SKIP, RETRY
 * or ABORT (never DEFAULT). FATAL does not return: it reports and exits.
 */
uint32_t rtm_target_fault_decide(const rtm_target_fault_t *f, bool have_frame);

/* Report an unexpected fault and end the image with RTM_TARGET_EXIT_FAULT. */
void rtm_target_fault_fatal(const rtm_target_fault_t *f, const char *why);

/* Report an unexpected exception or interrupt number and end the image. */
void rtm_target_unexpected(uint32_t number, uint32_t pc);

#endif /* RTM_TARGET_INTERNAL_H */
