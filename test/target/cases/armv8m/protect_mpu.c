/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ARMv8-M (Cortex-M33, mps2-an505) faults provoked through the library: a
 * task stack given PSPLIM by rtm_stack_activate() overflows and UsageFault
 * STKOF stops it before anything below the limit is written; a stack guard
 * set by rtm_stack_* with the ARMv8-M back end (PMSAv8 has no no-access
 * encoding, so a privileged read-only region) refuses a store with
 * MemManage at the exact address. Faults are decoded by
 * rtm_mpu_fault_capture_arm() in a fault hook. Everything is off again
 * (PSPLIM 0, MPU disabled, regions cleared) before any check.
 */
#include <string.h>

#include "rtm_target.h"
#include "rtm_test.h"

struct catcher {
    rtm_mpu_t *mpu; /* NULL: keep the decoded fault without a manager */
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
    if (rtm_mpu_fault_capture_arm(false, &f) == RTM_OK) {
        if (c->mpu != NULL) {
            (void)rtm_mpu_report_fault(c->mpu, &f);
        } else {
            on_violation(c, &f);
        }
    }
    return RTM_TARGET_RESUME_DEFAULT;
}

static rtm_mpu_t mpu;
static rtm_stack_t stacks;
static rtm_stack_slot_t slots[4];

static rtm_status_t heap_on_scratch(rtm_allocator_t *heap)
{
    void *mem = rtm_test_scratch(16384u);
    rtm_freelist_t *h = NULL;
    rtm_status_t s = mem == NULL ? RTM_ERR_NO_MEMORY : rtm_freelist_init(mem, 16384u, &h);
    if (s == RTM_OK) {
        *heap = rtm_freelist_allocator(h);
    }
    return s;
}

RTM_TEST(protect_v8m, psplim_from_the_stack_manager_stops_an_overflow)
{
    rtm_allocator_t heap;
    rtm_stack_info_t in;
    struct catcher c;
    memset(&c, 0, sizeof c);
    RTM_CHECK_OK(heap_on_scratch(&heap));
    rtm_stack_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.guard_size = 64u;
    cfg.flags = RTM_STACK_USE_PSPLIM | RTM_STACK_PAINT;
    RTM_CHECK_OK(rtm_stack_init(&stacks, &cfg, &heap, NULL, slots, 4u));
    RTM_CHECK_OK(rtm_stack_allocate(&stacks, 5u, 1024u, &in));

    uint32_t depth = 0u;
    rtm_status_t activated = rtm_stack_activate(&stacks, 5u);
    uintptr_t programmed = 0u;
    (void)rtm_mpu_get_psplim(&programmed);
    rtm_target_set_fault_hook(library_hook, &c);
    uint32_t r = rtm_target_run(rtm_target_overflow_large, &depth, (void *)in.top, RTM_TARGET_RUN_PRIVILEGED);
    rtm_target_disarm();
    (void)rtm_mpu_set_psplim(0u);

    RTM_CHECK_OK(activated);
    RTM_CHECK_EQ(programmed, in.limit);
    RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
    RTM_CHECK(depth > 4u);
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_STACK_LIMIT);
    RTM_CHECK_EQ(c.last.flags & RTM_MPU_FAULT_ADDR_VALID, 0u); /* STKOF has no address */
    RTM_CHECK_EQ(c.plumbing.kind, RTM_TARGET_FAULT_USAGE);
    RTM_CHECK(c.plumbing.sp >= in.limit);
    /* The scheduler knows the task that ran: note it. Nothing below the
     * limit was written, so the canary is intact, and the high-water mark
     * says the whole stack was used. */
    RTM_CHECK_OK(rtm_stack_note_overflow(&stacks, 5u));
    RTM_CHECK_OK(rtm_stack_check_canary(&stacks, 5u));
    size_t used = 0u;
    RTM_CHECK_OK(rtm_stack_high_water(&stacks, 5u, &used));
    RTM_CHECK(used + 64u >= in.size);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&stacks, &st);
    RTM_CHECK_EQ(st.stack_overflows, 1u);
    RTM_CHECK_OK(rtm_stack_free(&stacks, 5u));
}

RTM_TEST(protect_v8m, write_protected_guard_refuses_a_store_at_its_exact_address)
{
    rtm_allocator_t heap;
    rtm_stack_info_t in;
    struct catcher c;
    memset(&c, 0, sizeof c);
    c.mpu = &mpu;
    RTM_CHECK_OK(heap_on_scratch(&heap));
    rtm_mpu_backend_t be = rtm_mpu_armv8m_backend(NULL);
    RTM_CHECK_OK(rtm_mpu_init(&mpu, &be));
    RTM_CHECK(rtm_mpu_region_count(&mpu) >= 8u);
    RTM_CHECK_OK(rtm_mpu_set_violation_handler(&mpu, on_violation, &c));
    rtm_stack_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.guard_size = 32u;
    RTM_CHECK_OK(rtm_stack_init(&stacks, &cfg, &heap, &mpu, slots, 4u));
    RTM_CHECK_OK(rtm_stack_allocate(&stacks, 6u, 256u, &in));
    uintptr_t target = in.base + 20u;
    uint32_t before = *(volatile uint32_t *)target;

    (void)rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA);
    uint32_t readable = rtm_target_read32((const volatile void *)target); /* read-only: reads pass */
    rtm_target_set_fault_hook(library_hook, &c);
    rtm_target_write32((volatile void *)target, ~before);
    rtm_target_disarm();
    uint32_t task = 0u;
    rtm_status_t found = rtm_stack_find(&stacks, c.last.address, &task, NULL);
    rtm_status_t freed = rtm_stack_free(&stacks, 6u);
    (void)rtm_mpu_disable(&mpu);

    RTM_CHECK_EQ(in.flags & (RTM_STACK_INFO_MPU_GUARD | RTM_STACK_INFO_GUARD_RO),
                 RTM_STACK_INFO_MPU_GUARD | RTM_STACK_INFO_GUARD_RO);
    RTM_CHECK_EQ(readable, before);
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(c.last.address, target);
    RTM_CHECK_EQ(c.last.region, in.mpu_region);
    RTM_CHECK_EQ(c.plumbing.addr, target);
    RTM_CHECK_OK(found);
    RTM_CHECK_EQ(task, 6u);
    RTM_CHECK_OK(freed);
    RTM_CHECK_EQ(*(volatile uint32_t *)target, before);
}
