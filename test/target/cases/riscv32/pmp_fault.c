/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RV32 proof of the fault plumbing with PMP entries programmed directly (the
 * library's rtm_mpu_* PMP back end is tested on its own). Unlocked entries
 * bind only U-mode: a U-mode store into a read-only NAPOT region faults
 * (mcause 7, mtval exact) and a load from a no-access one too (mcause 5),
 * both skipped; a U-mode run context overflowing into a no-access guard
 * entry is ended. The locked (M-mode) case is in zz_pmp_lock.c, last.
 * PMP entries are cleared again before any check.
 */
#include "rtm_target.h"
#include "rtm_test.h"

#define PMP_R 0x01u
#define PMP_W 0x02u
#define PMP_X 0x04u
#define PMP_NAPOT 0x18u

static uint32_t readonly[8] __attribute__((aligned(32)));
static uint32_t secret[8] __attribute__((aligned(32)));
static uint64_t task_stack[128] __attribute__((aligned(32))); /* 1 KiB; guard = first 32 bytes */

static uint32_t addr_of(const volatile void *p)
{
    return (uint32_t)(uintptr_t)p;
}

/* NAPOT address of a naturally aligned power-of-two region of >= 8 bytes. */
static uint32_t napot(uint32_t base, uint32_t size)
{
    return (base >> 2) | ((size >> 3) - 1u);
}

/* Entries 0..2 as given; entry 3: everything else RWX for U-mode (a
 * 4 GiB NAPOT region at 0), which code, stack and data need there. */
static void pmp_set(uint32_t a0, uint32_t c0, uint32_t a1, uint32_t c1, uint32_t a2, uint32_t c2)
{
    uint32_t cfg = c0 | (c1 << 8) | (c2 << 16) | ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 24);
    __asm__ volatile("csrw pmpaddr0, %0" ::"r"(a0));
    __asm__ volatile("csrw pmpaddr1, %0" ::"r"(a1));
    __asm__ volatile("csrw pmpaddr2, %0" ::"r"(a2));
    __asm__ volatile("csrw pmpaddr3, %0" ::"r"(0x1fffffffu));
    __asm__ volatile("csrw pmpcfg0, %0" ::"r"(cfg) : "memory");
}

static void pmp_clear(void)
{
    __asm__ volatile("csrw pmpcfg0, zero" ::: "memory");
}

static uint32_t code_addr(void (*fn)(volatile void *, uint32_t))
{
    return (uint32_t)(uintptr_t)fn;
}

RTM_TEST(target_rv32, pmp_refuses_u_mode_accesses_with_exact_address)
{
    for (unsigned i = 0; i < 8u; i++) {
        readonly[i] = 0x11111111u;
        secret[i] = 0x22222222u;
    }
    pmp_set(napot(addr_of(readonly), 32u), PMP_NAPOT | PMP_R, napot(addr_of(secret), 32u), PMP_NAPOT,
            0u, 0u);
    /* Unlocked entries do not bind M-mode: this store goes through. */
    rtm_target_write32(&secret[1], 0x33333333u);

    rtm_target_fault_t store;
    rtm_target_expect_fault(&store);
    rtm_target_unprivileged();
    bool dropped = !rtm_target_is_privileged();
    uint32_t readable = rtm_target_read32(&readonly[5]);
    rtm_target_write32(&readonly[5], 0xdeadbeefu); /* 32-bit sw: skipped */
    rtm_target_privileged();
    rtm_target_fault_t load;
    rtm_target_expect_fault(&load);
    rtm_target_unprivileged();
    uint32_t hidden = rtm_target_read32(&secret[2]); /* 16-bit c.lw: skipped */
    rtm_target_privileged();
    pmp_clear();

    RTM_CHECK(dropped);
    RTM_CHECK(rtm_target_is_privileged());
    RTM_CHECK_EQ(secret[1], 0x33333333u);
    RTM_CHECK_EQ(readable, 0x11111111u);
    RTM_CHECK_EQ(store.count, 1u);
    RTM_CHECK_EQ(store.kind, RTM_TARGET_FAULT_EXCEPTION);
    RTM_CHECK_EQ(store.cause, RTM_TARGET_MCAUSE_STORE_FAULT);
    RTM_CHECK_EQ(store.addr_valid, 1u);
    RTM_CHECK_EQ(store.addr, addr_of(&readonly[5]));
    RTM_CHECK_EQ(store.pc, code_addr(rtm_target_write32));
    RTM_CHECK_EQ(store.unprivileged, 1u);
    RTM_CHECK_EQ(store.in_run, 0u);
    RTM_CHECK_EQ(readonly[5], 0x11111111u);
    RTM_CHECK_EQ(load.count, 1u);
    RTM_CHECK_EQ(load.cause, RTM_TARGET_MCAUSE_LOAD_FAULT);
    RTM_CHECK_EQ(load.addr, addr_of(&secret[2]));
    RTM_CHECK_EQ(hidden, RTM_TARGET_SKIPPED_LOAD);
}

RTM_TEST(target_rv32, u_mode_stack_overflow_into_pmp_guard_ends_the_run)
{
    uint32_t guard = addr_of(task_stack);
    pmp_set(napot(guard, 32u), PMP_NAPOT, 0u, 0u, 0u, 0u);
    uint32_t depth = 0u;
    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    uint32_t r = rtm_target_run(rtm_target_overflow_small, &depth, &task_stack[128], RTM_TARGET_RUN_UNPRIVILEGED);
    pmp_clear();

    RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
    RTM_CHECK(rtm_target_is_privileged());
    RTM_CHECK(depth > 4u);
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.cause, RTM_TARGET_MCAUSE_STORE_FAULT);
    RTM_CHECK_EQ(rec.in_run, 1u);
    RTM_CHECK_EQ(rec.unprivileged, 1u);
    RTM_CHECK(rec.addr >= guard && rec.addr < guard + 32u);
    /* sp had come down to the guard (a frame may reach below it before
     * its first store lands in the guard). */
    RTM_CHECK(rec.sp >= guard - 128u && rec.sp < guard + 128u);
}

static void returns_in_u_mode(void *arg)
{
    *(uint32_t *)arg = rtm_target_is_privileged() ? 1u : 2u;
}

RTM_TEST(target_rv32, run_contexts_return_in_both_modes)
{
    uint32_t seen = 0u;
    pmp_set(0u, 0u, 0u, 0u, 0u, 0u); /* only the U-mode RWX entry */
    uint32_t r = rtm_target_run(returns_in_u_mode, &seen, &task_stack[128], RTM_TARGET_RUN_UNPRIVILEGED);
    uint32_t seen_u = seen;
    uint32_t r2 = rtm_target_run(returns_in_u_mode, &seen, &task_stack[128], RTM_TARGET_RUN_PRIVILEGED);
    uint32_t refused = rtm_target_run(returns_in_u_mode, &seen, (void *)(uintptr_t)8u,
                                      RTM_TARGET_RUN_PRIVILEGED);
    rtm_target_unprivileged();
    uint32_t refused_u = rtm_target_run(returns_in_u_mode, &seen, &task_stack[128],
                                        RTM_TARGET_RUN_PRIVILEGED);
    rtm_target_privileged();
    pmp_clear();
    RTM_CHECK_EQ(refused_u, RTM_TARGET_RUN_REFUSED);
    RTM_CHECK_EQ(r, RTM_TARGET_RUN_RETURNED);
    RTM_CHECK_EQ(seen_u, 2u);
    RTM_CHECK_EQ(r2, RTM_TARGET_RUN_RETURNED);
    RTM_CHECK_EQ(seen, 1u);
    RTM_CHECK_EQ(refused, RTM_TARGET_RUN_REFUSED);
    RTM_CHECK(rtm_target_is_privileged());
}

RTM_TEST(target_rv32, illegal_instructions_are_recorded_and_skipped)
{
    rtm_target_fault_t wide;
    rtm_target_expect_fault(&wide);
    __asm__ volatile(".option push\n\t.option norvc\n\tunimp\n\t.option pop" ::: "memory");
    rtm_target_fault_t narrow;
    rtm_target_expect_fault(&narrow);
    __asm__ volatile("c.unimp" ::: "memory");
    RTM_CHECK_EQ(wide.count, 1u);
    RTM_CHECK_EQ(wide.cause, RTM_TARGET_MCAUSE_ILLEGAL);
    RTM_CHECK_EQ(wide.addr_valid, 0u);
    RTM_CHECK_EQ(wide.unprivileged, 0u);
    RTM_CHECK_EQ(*(const volatile uint16_t *)(uintptr_t)wide.pc & 3u, 3u);
    RTM_CHECK_EQ(narrow.count, 1u);
    RTM_CHECK_EQ(narrow.cause, RTM_TARGET_MCAUSE_ILLEGAL);
    RTM_CHECK_EQ(*(const volatile uint16_t *)(uintptr_t)narrow.pc, 0u);
}
