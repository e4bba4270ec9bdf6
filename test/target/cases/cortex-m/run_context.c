/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cortex-M plumbing of the on-target suite (ARMv7-M and ARMv8-M images):
 * run contexts on their own stack, privileged and not; the way down to
 * unprivileged thread mode and back; faults in the main context skipped
 * (16- and 32-bit instructions) and faults in a run context ending it with
 * the main context's registers intact. No MPU here: see armv7m/, armv8m/.
 */
#include "rtm_target.h"
#include "rtm_test.h"

#define RUN_STACK_WORDS 256u
static uint64_t run_stack[RUN_STACK_WORDS]; /* 2 KiB, 8-byte aligned */

#define MAGIC 0x5a5a1234u

struct probe {
    uint32_t seen;
    uint32_t sp;
    uint32_t privileged;
    uint32_t nested;
    uint32_t after_fault;
};

static uint32_t current_sp(void)
{
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

static void nothing(void *arg)
{
    (void)arg;
}

static void probe_fn(void *arg)
{
    struct probe *p = (struct probe *)arg;
    p->seen = MAGIC;
    p->sp = current_sp();
    p->privileged = rtm_target_is_privileged() ? 1u : 0u;
    p->nested = rtm_target_run(nothing, (void *)0, &run_stack[RUN_STACK_WORDS / 2u],
                               RTM_TARGET_RUN_PRIVILEGED);
}

static bool on_run_stack(uint32_t sp)
{
    uintptr_t lo = (uintptr_t)run_stack;
    return sp >= lo && sp < lo + sizeof run_stack;
}

RTM_TEST(target_cm, run_context_returns_on_its_own_stack)
{
    struct probe p = {0};
    uint32_t r = rtm_target_run(probe_fn, &p, &run_stack[RUN_STACK_WORDS], RTM_TARGET_RUN_PRIVILEGED);
    RTM_CHECK_EQ(r, RTM_TARGET_RUN_RETURNED);
    RTM_CHECK_EQ(p.seen, MAGIC);
    RTM_CHECK(on_run_stack(p.sp));
    RTM_CHECK(!on_run_stack(current_sp()));
    RTM_CHECK_EQ(p.privileged, 1u);
    RTM_CHECK_EQ(p.nested, RTM_TARGET_RUN_REFUSED);
    RTM_CHECK(rtm_target_is_privileged());

    struct probe q = {0};
    r = rtm_target_run(probe_fn, &q, &run_stack[RUN_STACK_WORDS], RTM_TARGET_RUN_UNPRIVILEGED);
    RTM_CHECK_EQ(r, RTM_TARGET_RUN_RETURNED);
    RTM_CHECK_EQ(q.seen, MAGIC);
    RTM_CHECK(on_run_stack(q.sp));
    RTM_CHECK_EQ(q.privileged, 0u);
    RTM_CHECK_EQ(q.nested, RTM_TARGET_RUN_REFUSED);
    RTM_CHECK(rtm_target_is_privileged());
}

RTM_TEST(target_cm, run_refuses_bad_stacks_and_unprivileged_callers)
{
    RTM_CHECK_EQ(rtm_target_run(nothing, (void *)0, (void *)(uintptr_t)16u, RTM_TARGET_RUN_PRIVILEGED),
                 RTM_TARGET_RUN_REFUSED);
    rtm_target_unprivileged();
    uint32_t r = rtm_target_run(nothing, (void *)0, &run_stack[RUN_STACK_WORDS], RTM_TARGET_RUN_PRIVILEGED);
    rtm_target_privileged();
    RTM_CHECK_EQ(r, RTM_TARGET_RUN_REFUSED);
    RTM_CHECK(rtm_target_is_privileged());
}

RTM_TEST(target_cm, unprivileged_and_back)
{
    RTM_CHECK(rtm_target_is_privileged());
    rtm_target_unprivileged();
    bool dropped = !rtm_target_is_privileged();
    rtm_target_privileged();
    RTM_CHECK(dropped);
    RTM_CHECK(rtm_target_is_privileged());
}

RTM_TEST(target_cm, undefined_instruction_is_recorded_and_skipped)
{
    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    __asm__ volatile("udf #7" ::: "memory"); /* 16-bit encoding */
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_USAGE);
    RTM_CHECK_EQ(rec.cause, RTM_TARGET_CFSR_UNDEFINSTR);
    RTM_CHECK_EQ(rec.in_run, 0u);
    RTM_CHECK_EQ(rec.unprivileged, 0u);
    RTM_CHECK((*(const volatile uint16_t *)(uintptr_t)rec.pc & 0xff00u) == 0xde00u);

    rtm_target_fault_t wide;
    rtm_target_expect_fault(&wide);
    __asm__ volatile("udf.w #7" ::: "memory"); /* 32-bit encoding */
    RTM_CHECK_EQ(wide.count, 1u);
    RTM_CHECK_EQ(wide.cause, RTM_TARGET_CFSR_UNDEFINSTR);
    RTM_CHECK((*(const volatile uint16_t *)(uintptr_t)wide.pc & 0xfff0u) == 0xf7f0u);
    RTM_CHECK(wide.pc != rec.pc);
    /* The expectation was one-shot: the record is not touched again. */
    RTM_CHECK_EQ(rec.count, 1u);
}

static void fault_in_run(void *arg)
{
    struct probe *p = (struct probe *)arg;
    p->seen = MAGIC;
    p->privileged = rtm_target_is_privileged() ? 1u : 0u;
#if defined(__ARM_FP)
    /* Dirty callee-saved FP registers: the main context must get its own back. */
    __asm__ volatile("vmov.f32 s16, #1.0\n\tvmov.f32 s31, #-2.0" ::: "s16", "s31");
#endif
    __asm__ volatile("udf #1" ::: "memory");
    p->after_fault = 1u; /* never: the fault ends the context */
}

static uint32_t fault_run(uint32_t flags, struct probe *p, rtm_target_fault_t *rec)
{
    rtm_target_expect_fault(rec);
    return rtm_target_run(fault_in_run, p, &run_stack[RUN_STACK_WORDS], flags);
}

RTM_TEST(target_cm, fault_ends_the_run_context_and_main_resumes)
{
    for (uint32_t flags = 0u; flags < 2u; flags++) {
        struct probe p = {0};
        rtm_target_fault_t rec;
#if defined(__ARM_FP)
        uint32_t s16_after;
        __asm__ volatile("vmov s16, %0" ::"r"(0x40490fdbu) : "s16");
#endif
        uint32_t r = fault_run(flags, &p, &rec);
#if defined(__ARM_FP)
        __asm__ volatile("vmov %0, s16" : "=r"(s16_after));
        RTM_CHECK_EQ(s16_after, 0x40490fdbu);
#endif
        RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
        RTM_CHECK_EQ(p.seen, MAGIC);
        RTM_CHECK_EQ(p.after_fault, 0u);
        RTM_CHECK_EQ(p.privileged, flags == RTM_TARGET_RUN_UNPRIVILEGED ? 0u : 1u);
        RTM_CHECK_EQ(rec.count, 1u);
        RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_USAGE);
        RTM_CHECK_EQ(rec.cause, RTM_TARGET_CFSR_UNDEFINSTR);
        RTM_CHECK_EQ(rec.in_run, 1u);
        RTM_CHECK_EQ(rec.unprivileged, flags);
        RTM_CHECK(on_run_stack(rec.sp));
        RTM_CHECK(rtm_target_is_privileged());
    }
}

/* A hook sees every fault until disarmed, and picks the resumption. */
struct hook_log {
    uint32_t calls;
    uint32_t last_cause;
    uint32_t live_cfsr; /* the register itself, read inside the hook */
};

static uint32_t skip_hook(const rtm_target_fault_t *f, void *user)
{
    struct hook_log *log = (struct hook_log *)user;
    log->calls++;
    log->last_cause = f->cause;
    log->live_cfsr = *(volatile uint32_t *)(uintptr_t)0xE000ED28u;
    return RTM_TARGET_RESUME_SKIP;
}

RTM_TEST(target_cm, fault_hook_sees_every_fault_until_disarmed)
{
    struct hook_log log = {0, 0, 0};
    rtm_target_set_fault_hook(skip_hook, &log);
    __asm__ volatile("udf #2" ::: "memory");
    __asm__ volatile("udf.w #3" ::: "memory");
    rtm_target_disarm();
    RTM_CHECK_EQ(log.calls, 2u);
    RTM_CHECK_EQ(log.last_cause, RTM_TARGET_CFSR_UNDEFINSTR);
    /* The hook still sees the live register; it is cleared afterwards. */
    RTM_CHECK_EQ(log.live_cfsr, RTM_TARGET_CFSR_UNDEFINSTR);
    RTM_CHECK_EQ(*(volatile uint32_t *)(uintptr_t)0xE000ED28u, 0u);
}
