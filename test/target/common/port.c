/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Architecture-neutral board support of the QEMU test images: the console
 * (semihosting SYS_WRITE0), the image's verdict (SYS_EXIT_EXTENDED) and the
 * fault policy shared by every port. Used by the test images and the demo.
 */
#include "target_internal.h"

void rtm_target_write(const char *s)
{
    (void)rtm_target_semihost(SEMIHOST_SYS_WRITE0, s);
}

void rtm_target_write_hex(uint32_t v)
{
    char buf[11];
    buf[0] = '0';
    buf[1] = 'x';
    for (unsigned i = 0; i < 8u; i++) {
        uint32_t nib = (v >> (28u - 4u * i)) & 0xfu;
        buf[2u + i] = (char)(nib < 10u ? '0' + (int)nib : 'a' + (int)nib - 10);
    }
    buf[10] = '\0';
    rtm_target_write(buf);
}

void rtm_target_write_dec(uint32_t v)
{
    char buf[12];
    unsigned i = sizeof buf;
    buf[--i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    rtm_target_write(&buf[i]);
}

void rtm_target_exit(uint32_t code)
{
    /* SYS_EXIT_EXTENDED: QEMU exits with `code` as its own status. */
    uint32_t block[2] = {SEMIHOST_ADP_STOPPED_APPLICATION_EXIT, code};
    (void)rtm_target_semihost(SEMIHOST_SYS_EXIT_EXTENDED, block);
    for (;;) {
        /* Not reached under QEMU; on a debugger-less board, stop here. */
    }
}

#ifndef RTM_TARGET_NAME
#define RTM_TARGET_NAME "unknown target"
#endif

const char *rtm_target_name(void)
{
    return RTM_TARGET_NAME;
}

/* ------------------------------------------------------------------------ */
/* Fault policy                                                              */
/* ------------------------------------------------------------------------ */

/* Written by tests, read by the fault handler: volatile so neither side
 * keeps a stale copy across the faulting access. */
static rtm_target_fault_t *volatile expect_rec;
static volatile rtm_target_fault_hook_t fault_hook;
static void *volatile fault_hook_user;

void rtm_target_expect_fault(rtm_target_fault_t *rec)
{
    rtm_target_fault_t zero = {0};
    *rec = zero;
    fault_hook = (rtm_target_fault_hook_t)0;
    expect_rec = rec;
}

void rtm_target_set_fault_hook(rtm_target_fault_hook_t hook, void *user)
{
    expect_rec = (rtm_target_fault_t *)0;
    fault_hook_user = user;
    fault_hook = hook;
}

void rtm_target_disarm(void)
{
    expect_rec = (rtm_target_fault_t *)0;
    fault_hook = (rtm_target_fault_hook_t)0;
    fault_hook_user = (void *)0;
}

uint32_t rtm_target_fault_decide(const rtm_target_fault_t *f, bool have_frame)
{
    uint32_t action;
    rtm_target_fault_t *rec = expect_rec;
    rtm_target_fault_hook_t hook = fault_hook;
    if (rec != (rtm_target_fault_t *)0) {
        uint32_t n = rec->count + 1u;
        *rec = *f;
        rec->count = n;
        expect_rec = (rtm_target_fault_t *)0; /* one-shot */
        action = RTM_TARGET_RESUME_DEFAULT;
    } else if (hook != (rtm_target_fault_hook_t)0) {
        action = hook(f, fault_hook_user);
    } else {
        rtm_target_fault_fatal(f, "unexpected fault");
        return RTM_TARGET_RESUME_RETRY; /* not reached */
    }
    if (action == RTM_TARGET_RESUME_DEFAULT) {
        action = f->in_run != 0u ? RTM_TARGET_RESUME_ABORT : RTM_TARGET_RESUME_SKIP;
    }
    if (action == RTM_TARGET_RESUME_SKIP && !have_frame) {
        /* Nothing to skip (stacking failed, or the fetch itself faulted). */
        action = f->in_run != 0u ? RTM_TARGET_RESUME_ABORT : RTM_TARGET_RESUME_FATAL;
    }
    if (action == RTM_TARGET_RESUME_ABORT && f->in_run == 0u) {
        action = RTM_TARGET_RESUME_FATAL;
    }
    if (action != RTM_TARGET_RESUME_SKIP && action != RTM_TARGET_RESUME_RETRY &&
        action != RTM_TARGET_RESUME_ABORT) {
        rtm_target_fault_fatal(f, "fault the test cannot resume from");
    }
    return action;
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case RTM_TARGET_FAULT_HARD:
        return "HardFault";
    case RTM_TARGET_FAULT_MEMMANAGE:
        return "MemManage";
    case RTM_TARGET_FAULT_BUS:
        return "BusFault";
    case RTM_TARGET_FAULT_USAGE:
        return "UsageFault";
    case RTM_TARGET_FAULT_SECURE:
        return "SecureFault";
    case RTM_TARGET_FAULT_EXCEPTION:
        return "exception";
    default:
        return "fault";
    }
}

void rtm_target_fault_fatal(const rtm_target_fault_t *f, const char *why)
{
    rtm_target_write("\n*** ");
    rtm_target_write(why);
    rtm_target_write(": ");
    rtm_target_write(kind_name(f->kind));
    rtm_target_write(" cause=");
    rtm_target_write_hex(f->cause);
    rtm_target_write(" addr=");
    rtm_target_write_hex(f->addr);
    rtm_target_write(f->addr_valid != 0u ? " (valid)" : " (not valid)");
    rtm_target_write(" hfsr=");
    rtm_target_write_hex(f->hfsr);
    rtm_target_write(" pc=");
    rtm_target_write_hex(f->pc);
    rtm_target_write(" lr=");
    rtm_target_write_hex(f->lr);
    rtm_target_write(" sp=");
    rtm_target_write_hex(f->sp);
    rtm_target_write(f->in_run != 0u ? " in run context" : " in main context");
    rtm_target_write(f->unprivileged != 0u ? ", unprivileged\n" : ", privileged\n");
    rtm_target_exit(RTM_TARGET_EXIT_FAULT);
}

void rtm_target_unexpected(uint32_t number, uint32_t pc)
{
    rtm_target_write("\n*** unexpected exception/interrupt ");
    rtm_target_write_dec(number);
    rtm_target_write(" at pc=");
    rtm_target_write_hex(pc);
    rtm_target_write("\n");
    rtm_target_exit(RTM_TARGET_EXIT_FAULT);
}
