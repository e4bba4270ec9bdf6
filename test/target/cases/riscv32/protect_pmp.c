/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RV32 PMP faults provoked through the library: a task stack guarded by
 * rtm_stack_* with the PMP back end (an unlocked no-access NAPOT entry, which
 * binds U-mode) ends a U-mode run that overflows into it, and the trap hook's
 * rtm_mpu_fault_capture_rv32() reports the store at an address inside the
 * guard. Entries are cleared again before any check; the locked case is in
 * zz_protect_lock.c.
 */
#include <string.h>

#include "rtm_target.h"
#include "rtm_test.h"

struct catcher {
    rtm_mpu_t *mpu;
    uint32_t calls;
    rtm_mpu_fault_t last;
    rtm_target_fault_t plumbing;
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
    c->plumbing = *tf;
    if (rtm_mpu_fault_capture_rv32(&f) == RTM_OK) {
        (void)rtm_mpu_report_fault(c->mpu, &f);
    }
    return RTM_TARGET_RESUME_DEFAULT;
}

/* The guard must be at least as large as the largest frame: recurse() moves
 * sp by 64 bytes and stores only at both ends of its frame, so a 32-byte
 * guard can fall between two stores and be jumped over. */
#define GUARD 128u

static rtm_mpu_t mpu;
static rtm_stack_t stacks;
static rtm_stack_slot_t slots[4];

RTM_TEST(protect_rv32, u_mode_overflow_into_a_pmp_stack_guard)
{
    struct catcher c;
    memset(&c, 0, sizeof c);
    c.mpu = &mpu;
    void *mem = rtm_test_scratch(16384u);
    RTM_CHECK(mem != NULL);
    rtm_freelist_t *h = NULL;
    RTM_CHECK_OK(rtm_freelist_init(mem, 16384u, &h));
    rtm_allocator_t heap = rtm_freelist_allocator(h);
    rtm_mpu_backend_t be = rtm_mpu_pmp_backend(16u);
    RTM_CHECK_OK(rtm_mpu_init(&mpu, &be));
    RTM_CHECK_OK(rtm_mpu_set_violation_handler(&mpu, on_violation, &c));
    /* Background for U-mode: [0, 4 GiB - 4) RWX, a TOR range in entries 12-13
     * (low priority); the guard, added later, takes the lowest free entry. */
    rtm_mpu_region_t all = {0u, 0xFFFFFFFCu, RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_EXEC | RTM_PERM_UNPRIV, 0u};
    RTM_CHECK_OK(rtm_mpu_set_region(&mpu, 12u, &all));
    rtm_stack_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.guard_size = GUARD;
    RTM_CHECK_OK(rtm_stack_init(&stacks, &cfg, &heap, &mpu, slots, 4u));
    rtm_stack_info_t in;
    RTM_CHECK_OK(rtm_stack_allocate(&stacks, 2u, 512u, &in));

    uint32_t depth = 0u;
    (void)rtm_mpu_enable(&mpu, 0u);
    uint32_t cfg0;
    __asm__ volatile("csrr %0, pmpcfg0" : "=r"(cfg0));
    rtm_target_set_fault_hook(library_hook, &c);
    uint32_t r = rtm_target_run(rtm_target_overflow_large, &depth, (void *)in.top, RTM_TARGET_RUN_UNPRIVILEGED);
    rtm_target_disarm();
    uint32_t task = 0u;
    uint32_t where = 0u;
    rtm_status_t found = rtm_stack_find(&stacks, c.last.address, &task, &where);
    rtm_status_t freed = rtm_stack_free(&stacks, 2u);
    (void)rtm_mpu_clear_region(&mpu, 12u);
    (void)rtm_mpu_disable(&mpu);
    uint32_t cfg3;
    __asm__ volatile("csrr %0, pmpcfg3" : "=r"(cfg3));

    RTM_CHECK_EQ(in.mpu_region, 0u);
    RTM_CHECK_EQ(cfg0 & 0xFFu, 0x18u); /* entry 0: NAPOT, no rights, unlocked */
    RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
    RTM_CHECK(depth > 4u);
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(c.last.access, RTM_MPU_ACCESS_WRITE);
    RTM_CHECK_EQ(c.last.status, 7u);
    RTM_CHECK(c.last.address >= in.base && c.last.address < in.base + GUARD);
    RTM_CHECK_EQ(c.last.address, c.plumbing.addr);
    RTM_CHECK_EQ(c.last.region, in.mpu_region);
    RTM_CHECK_EQ(c.plumbing.unprivileged, 1u);
    RTM_CHECK_OK(found);
    RTM_CHECK_EQ(task, 2u);
    RTM_CHECK_EQ(where, RTM_STACK_IN_GUARD);
    RTM_CHECK(freed == RTM_OK || freed == RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(cfg3 & 0x0000FFFFu, 0u); /* entries 12-13 off again */
}
