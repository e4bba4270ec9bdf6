/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ARMv7-M (PMSAv7) faults provoked through the library: regions programmed
 * by rtm_mpu_* with the ARMv7-M back end on the real registers, task stacks
 * guarded by rtm_stack_*, and faults decoded by rtm_mpu_fault_capture_arm()
 * from a fault hook and delivered to the manager's violation handler. Every
 * test leaves the MPU off with no region enabled before it checks anything.
 */
#include <string.h>

#include "rtm_target.h"
#include "rtm_test.h"

#define RW (RTM_PERM_READ | RTM_PERM_WRITE)

struct catcher {
    rtm_mpu_t *mpu;
    uint32_t calls;
    rtm_mpu_fault_t last;
    rtm_target_fault_t plumbing; /* what the board's handler recorded itself */
};

static void on_violation(void *user, const rtm_mpu_fault_t *f)
{
    struct catcher *c = (struct catcher *)user;
    c->calls++;
    c->last = *f;
}

/* Runs in the MemManage handler: decode the live fault registers through the
 * library and report to the manager, then let the plumbing resume (skip the
 * store in the main context, end a run context). */
static uint32_t library_hook(const rtm_target_fault_t *tf, void *user)
{
    struct catcher *c = (struct catcher *)user;
    rtm_mpu_fault_t f;
    c->plumbing = *tf;
    if (rtm_mpu_fault_capture_arm(false, &f) == RTM_OK) {
        (void)rtm_mpu_report_fault(c->mpu, &f);
    }
    return RTM_TARGET_RESUME_DEFAULT;
}

static rtm_mpu_t mpu;
static rtm_stack_t stacks;
static rtm_stack_slot_t slots[4];

static rtm_status_t setup(struct catcher *c, rtm_allocator_t *heap)
{
    void *mem = rtm_test_scratch(16384u);
    rtm_freelist_t *h = NULL;
    rtm_mpu_backend_t be = rtm_mpu_armv7m_backend(NULL);
    rtm_status_t s = mem == NULL ? RTM_ERR_NO_MEMORY : rtm_freelist_init(mem, 16384u, &h);
    if (s == RTM_OK) {
        *heap = rtm_freelist_allocator(h);
        s = rtm_mpu_init(&mpu, &be);
    }
    memset(c, 0, sizeof *c);
    c->mpu = &mpu;
    return s == RTM_OK ? rtm_mpu_set_violation_handler(&mpu, on_violation, c) : s;
}

/* The guard must be at least as large as the largest frame: a frame that
 * moves sp past the whole guard between two stores jumps over it (recurse()
 * below takes 64 bytes and pushes only at the top). */
#define GUARD 128u

static rtm_status_t stacks_over(const rtm_allocator_t *heap)
{
    rtm_stack_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.guard_size = GUARD;
    return rtm_stack_init(&stacks, &cfg, heap, &mpu, slots, 4u);
}

RTM_TEST(protect_v7m, store_into_a_stack_guard_is_reported_at_its_exact_address)
{
    struct catcher c;
    rtm_allocator_t heap;
    rtm_stack_info_t in;
    RTM_CHECK_OK(setup(&c, &heap));
    RTM_CHECK_EQ(rtm_mpu_region_count(&mpu), 8u);
    RTM_CHECK_OK(stacks_over(&heap));
    RTM_CHECK_OK(rtm_stack_allocate(&stacks, 7u, 512u, &in));
    uint32_t before = *(volatile uint32_t *)(in.base + 12u);
    uintptr_t target = in.base + 12u;

    (void)rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA);
    rtm_target_set_fault_hook(library_hook, &c);
    rtm_target_write32((volatile void *)target, ~before);
    rtm_target_disarm();
    uint32_t task = 0u;
    uint32_t where = 0u;
    rtm_status_t found = rtm_stack_find(&stacks, c.last.address, &task, &where);
    rtm_status_t freed = rtm_stack_free(&stacks, 7u); /* takes the guard region away */
    (void)rtm_mpu_disable(&mpu);

    RTM_CHECK(in.flags & RTM_STACK_INFO_MPU_GUARD);
    RTM_CHECK_EQ(in.mpu_region, 7u);
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(c.last.flags & RTM_MPU_FAULT_ADDR_VALID, RTM_MPU_FAULT_ADDR_VALID);
    RTM_CHECK_EQ(c.last.address, target);
    RTM_CHECK_EQ(c.last.region, in.mpu_region);
    RTM_CHECK_EQ(c.last.status & 0xFFu, 0x82u); /* MMFSR: DACCVIOL | MMARVALID */
    RTM_CHECK_OK(found);
    RTM_CHECK_EQ(task, 7u);
    RTM_CHECK_EQ(where, RTM_STACK_IN_GUARD);
    RTM_CHECK_OK(freed);
    RTM_CHECK_EQ(*(volatile uint32_t *)target, before); /* the store never landed */
}

RTM_TEST(protect_v7m, overflowing_task_stack_faults_in_its_guard)
{
    struct catcher c;
    rtm_allocator_t heap;
    rtm_stack_info_t in;
    RTM_CHECK_OK(setup(&c, &heap));
    RTM_CHECK_OK(stacks_over(&heap));
    RTM_CHECK_OK(rtm_stack_allocate(&stacks, 3u, 1024u, &in));

    uint32_t depth = 0u;
    (void)rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA);
    rtm_target_set_fault_hook(library_hook, &c);
    uint32_t r = rtm_target_run(rtm_target_overflow_large, &depth, (void *)in.top, RTM_TARGET_RUN_PRIVILEGED);
    rtm_target_disarm();
    uint32_t task = 0u;
    uint32_t where = 0u;
    rtm_status_t found = rtm_stack_find(&stacks, c.last.address, &task, &where);
    rtm_status_t noted = rtm_stack_note_overflow(&stacks, task);
    (void)rtm_stack_free(&stacks, 3u);
    (void)rtm_mpu_disable(&mpu);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&stacks, &st);

    RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
    RTM_CHECK(depth > 4u);
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(c.last.flags & RTM_MPU_FAULT_ADDR_VALID, RTM_MPU_FAULT_ADDR_VALID);
    RTM_CHECK(c.last.address >= in.base && c.last.address < in.base + GUARD);
    RTM_CHECK_EQ(c.last.address, c.plumbing.addr); /* the library decoded the same MMFAR */
    RTM_CHECK_EQ(c.last.region, in.mpu_region);
    RTM_CHECK_EQ(c.plumbing.in_run, 1u);
    RTM_CHECK_OK(found);
    RTM_CHECK_EQ(task, 3u);
    RTM_CHECK_EQ(where, RTM_STACK_IN_GUARD);
    RTM_CHECK_OK(noted);
    RTM_CHECK_EQ(st.stack_overflows, 1u);
    /* The frames stepped over the 16 canary bytes or through them: only the
     * MPU guard is certain to catch a large frame, which is why it is there. */
}

/* Buffers the probes below read and write; nothing else uses them. */
static uint32_t privileged_only[8] __attribute__((aligned(32)));
static uint8_t subregions[256] __attribute__((aligned(256)));

struct probe {
    uintptr_t addr;
    uint32_t access;
};

static uint32_t count_hook(const rtm_target_fault_t *tf, void *user)
{
    (void)tf;
    (*(uint32_t *)user)++;
    return RTM_TARGET_RESUME_DEFAULT;
}

/* Perform one access; true when the hardware faulted. */
static bool faulted(const struct probe *p)
{
    static uint32_t faults;
    faults = 0u;
    rtm_target_set_fault_hook(count_hook, &faults);
    bool unpriv = (p->access & RTM_MPU_ACCESS_UNPRIV) != 0u;
    if (unpriv) {
        rtm_target_unprivileged();
    }
    if ((p->access & RTM_MPU_ACCESS_WRITE) != 0u) {
        rtm_target_write8((volatile void *)p->addr, 0x5Au);
    } else {
        (void)rtm_target_read32((const volatile void *)(p->addr & ~(uintptr_t)3u));
    }
    if (unpriv) {
        rtm_target_privileged();
    }
    rtm_target_disarm();
    /* QEMU keeps a page's decision after a disabled-subregion hit until an MPU
     * register is written: rewrite CTRL so each probe sees the real map. */
    (void)rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA);
    return faults != 0u;
}

RTM_TEST(protect_v7m, hardware_agrees_with_the_software_check)
{
    struct catcher c;
    rtm_allocator_t heap;
    RTM_CHECK_OK(setup(&c, &heap));
    /* Region 0: the low 2 GiB (code, RAM) for everyone, so unprivileged code
     * can run; region 5: read-only for all over [64, 192) of `subregions`
     * (a 256-byte region with subregions 2..5); an added region (7, wins):
     * `privileged_only`, privileged RW. */
    rtm_mpu_region_t all = {0u, 0x80000000u, RW | RTM_PERM_EXEC | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u};
    rtm_mpu_region_t ro = {(uintptr_t)subregions + 64u, 128u,
                           RTM_PERM_READ | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u};
    rtm_mpu_region_t priv = {(uintptr_t)privileged_only, sizeof privileged_only, RW | RTM_PERM_CACHEABLE, 0u};
    uint32_t pi = 0u;
    RTM_CHECK_OK(rtm_mpu_set_region(&mpu, 0u, &all));
    RTM_CHECK_OK(rtm_mpu_set_region(&mpu, 5u, &ro));
    RTM_CHECK_OK(rtm_mpu_add_region(&mpu, &priv, &pi));

    static const uint32_t kinds[] = {
        RTM_MPU_ACCESS_READ, RTM_MPU_ACCESS_WRITE, RTM_MPU_ACCESS_READ | RTM_MPU_ACCESS_UNPRIV,
        RTM_MPU_ACCESS_WRITE | RTM_MPU_ACCESS_UNPRIV,
    };
    const uintptr_t addrs[] = {
        (uintptr_t)&privileged_only[0], (uintptr_t)&privileged_only[7], (uintptr_t)subregions,
        (uintptr_t)subregions + 63u,     (uintptr_t)subregions + 64u,    (uintptr_t)subregions + 130u,
        (uintptr_t)subregions + 191u,    (uintptr_t)subregions + 192u,   (uintptr_t)subregions + 255u,
    };
    uint32_t probes = 0u;
    uint32_t mismatches = 0u;
    uint32_t refused = 0u;
    (void)rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA);
    for (size_t a = 0; a < sizeof addrs / sizeof addrs[0]; a++) {
        for (size_t k = 0; k < 4u; k++) {
            struct probe p = {addrs[a], kinds[k]};
            bool predicted = rtm_mpu_check_access(&mpu, p.addr, p.access) == RTM_ERR_ACCESS;
            bool actual = faulted(&p);
            probes++;
            refused += actual ? 1u : 0u;
            mismatches += predicted != actual ? 1u : 0u;
        }
    }
    /* And the unprivileged read of the privileged buffer, through the library. */
    rtm_target_set_fault_hook(library_hook, &c);
    rtm_target_unprivileged();
    uint32_t got = rtm_target_read32(&privileged_only[2]);
    rtm_target_privileged();
    rtm_target_disarm();
    (void)rtm_mpu_disable(&mpu);
    (void)rtm_mpu_clear_region(&mpu, pi);
    (void)rtm_mpu_clear_region(&mpu, 5u);
    (void)rtm_mpu_clear_region(&mpu, 0u);

    RTM_CHECK_EQ(probes, 36u);
    RTM_CHECK_EQ(mismatches, 0u);
    /* Privileged-only: 4 unprivileged probes; read-only subregions: 3 writes x 2 modes. */
    RTM_CHECK_EQ(refused, 4u + 6u);
    RTM_CHECK_EQ(got, RTM_TARGET_SKIPPED_LOAD);
    RTM_CHECK_EQ(c.calls, 1u);
    RTM_CHECK_EQ(c.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(c.last.address, (uintptr_t)&privileged_only[2]);
    RTM_CHECK_EQ(c.last.region, pi);
}
