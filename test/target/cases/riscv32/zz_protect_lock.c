/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RV32: a locked PMP region set through the library binds M-mode. The
 * manager programs entry 14 as a locked read-only NAPOT region; an M-mode
 * store into it raises a store access fault (mcause 7) decoded by
 * rtm_mpu_fault_capture_rv32() with mtval exact; reads pass; the manager then
 * refuses to change or clear it, and the entry really is frozen.
 *
 * A locked entry stays until reset: the file name sorts it last among the
 * riscv32 cases, after zz_pmp_lock.c (entry 15), over a buffer nothing else uses.
 */
#include <string.h>

#include "rtm_target.h"
#include "rtm_test.h"

struct catcher {
    rtm_mpu_t *mpu;
    uint32_t calls;
    rtm_mpu_fault_t last;
};

static void on_violation(void *user, const rtm_mpu_fault_t *f)
{
    struct catcher *c = (struct catcher *)user;
    c->calls++;
    c->last = *f;
}

static uint32_t library_hook(const rtm_target_fault_t *tf, void *user)
{
    struct catcher *c = (struct catcher *)user;
    rtm_mpu_fault_t f;
    (void)tf;
    if (rtm_mpu_fault_capture_rv32(&f) == RTM_OK) {
        (void)rtm_mpu_report_fault(c->mpu, &f);
    }
    return RTM_TARGET_RESUME_DEFAULT;
}

static rtm_mpu_t mpu;
static uint32_t locked_buf[16] __attribute__((aligned(64)));

static uint32_t read_pmpcfg3(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, pmpcfg3" : "=r"(v));
    return v;
}

static uint32_t read_pmpaddr14(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, pmpaddr14" : "=r"(v));
    return v;
}

RTM_TEST(protect_rv32, locked_region_refuses_an_m_mode_store)
{
    struct catcher c;
    memset(&c, 0, sizeof c);
    c.mpu = &mpu;
    for (unsigned i = 0; i < 16u; i++) {
        locked_buf[i] = 0x66666666u;
    }
    rtm_mpu_backend_t be = rtm_mpu_pmp_backend(16u);
    RTM_CHECK_OK(rtm_mpu_init(&mpu, &be));
    RTM_CHECK_OK(rtm_mpu_set_violation_handler(&mpu, on_violation, &c));
    uintptr_t base = (uintptr_t)locked_buf;
    rtm_mpu_region_t r = {base, sizeof locked_buf, RTM_PERM_READ | RTM_PERM_UNPRIV, RTM_MPU_REGION_LOCK};
    /* Locked regions are written at once, enabled or not. */
    RTM_CHECK_OK(rtm_mpu_set_region(&mpu, 14u, &r));
    RTM_CHECK_EQ((read_pmpcfg3() >> 16) & 0xFFu, 0x80u | 0x18u | 0x01u); /* L | NAPOT | R */
    RTM_CHECK_EQ(read_pmpaddr14(), (uint32_t)(base >> 2) | (64u / 8u - 1u));
    RTM_CHECK_STATUS(rtm_mpu_check_access(&mpu, base + 40u, RTM_MPU_ACCESS_WRITE), RTM_ERR_ACCESS);

    rtm_target_set_fault_hook(library_hook, &c);
    rtm_target_write32(&locked_buf[10], 0xdeadbeefu);
    rtm_target_disarm();
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(c.last.access, RTM_MPU_ACCESS_WRITE);
    RTM_CHECK_EQ(c.last.address, base + 40u);
    RTM_CHECK_EQ(c.last.region, 14u);
    RTM_CHECK_EQ(locked_buf[10], 0x66666666u);
    RTM_CHECK_EQ(rtm_target_read32(&locked_buf[3]), 0x66666666u);

    /* The manager knows it is locked; the hardware agrees. */
    rtm_mpu_region_t other = {base, 32u, RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_UNPRIV, 0u};
    RTM_CHECK_STATUS(rtm_mpu_clear_region(&mpu, 14u), RTM_ERR_ACCESS);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&mpu, 14u, &other), RTM_ERR_ACCESS);
    rtm_mpu_backend_t raw = rtm_mpu_pmp_backend(16u);
    RTM_CHECK_OK(raw.ops->write(raw.ctx, 14u, &other)); /* straight to the CSRs: ignored */
    RTM_CHECK_EQ((read_pmpcfg3() >> 16) & 0xFFu, 0x99u);
    RTM_CHECK_EQ(read_pmpaddr14(), (uint32_t)(base >> 2) | 7u);
}
