/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ARMv7-M (PMSAv7) proof of the fault plumbing, with the MPU registers
 * programmed directly (the library's rtm_mpu_* back end is tested on its
 * own): a no-access 32-byte region refuses a store with MemManage
 * DACCVIOL|MMARVALID and MMFAR exact; an unprivileged load from a
 * privileged-only region is refused; a run context overflowing its stack
 * into a guard region is ended. The MPU is off again before any check.
 */
#include "rtm_target.h"
#include "rtm_test.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define MPU_TYPE REG32(0xE000ED90u)
#define MPU_CTRL REG32(0xE000ED94u)
#define MPU_RNR REG32(0xE000ED98u)
#define MPU_RBAR REG32(0xE000ED9Cu)
#define MPU_RASR REG32(0xE000EDA0u)

#define CTRL_ENABLE 1u
#define CTRL_PRIVDEFENA 4u
#define RASR_ENABLE 1u
#define RASR_SIZE(log2) (((uint32_t)(log2) - 1u) << 1) /* region = 2^log2 bytes */
#define RASR_AP(ap) ((uint32_t)(ap) << 24)             /* 0 none, 1 priv RW, 3 all RW */
#define RASR_XN (1u << 28)

#define MMFSR_DATA_FAULT (RTM_TARGET_CFSR_DACCVIOL | RTM_TARGET_CFSR_MMARVALID)

static uint32_t victim[8] __attribute__((aligned(32)));
static uint64_t task_stack[128] __attribute__((aligned(32))); /* 1 KiB; guard = first 32 bytes */

static void barrier(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

static void region(uint32_t n, uint32_t base, uint32_t rasr)
{
    MPU_RNR = n;
    MPU_RBAR = base;
    MPU_RASR = rasr;
}

static void mpu_on(void)
{
    MPU_CTRL = CTRL_PRIVDEFENA | CTRL_ENABLE;
    barrier();
}

static void mpu_off(void)
{
    MPU_CTRL = 0u;
    uint32_t regions = (MPU_TYPE >> 8) & 0xffu;
    for (uint32_t n = 0; n < regions; n++) {
        region(n, 0u, 0u);
    }
    barrier();
}

static uint32_t addr_of(const volatile void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static uint32_t code_addr(void (*fn)(volatile void *, uint32_t))
{
    return (uint32_t)(uintptr_t)fn & ~1u;
}

RTM_TEST(target_v7m, no_access_region_refuses_stores_with_exact_address)
{
    RTM_CHECK_EQ((MPU_TYPE >> 8) & 0xffu, 8u); /* DREGION on M3/M4 */
    for (unsigned i = 0; i < 8u; i++) {
        victim[i] = 0x11111111u;
    }
    region(7u, addr_of(victim), RASR_XN | RASR_AP(0) | RASR_SIZE(5) | RASR_ENABLE);
    mpu_on();
    rtm_target_fault_t wide;
    rtm_target_expect_fault(&wide);
    rtm_target_write32(&victim[3], 0xdeadbeefu); /* STR.W: 32-bit skip */
    rtm_target_fault_t narrow;
    rtm_target_expect_fault(&narrow);
    rtm_target_write8((volatile uint8_t *)victim + 29, 0xabu); /* STRB: 16-bit skip */
    mpu_off();

    RTM_CHECK_EQ(wide.count, 1u);
    RTM_CHECK_EQ(wide.kind, RTM_TARGET_FAULT_MEMMANAGE);
    RTM_CHECK_EQ(wide.cause, MMFSR_DATA_FAULT);
    RTM_CHECK_EQ(wide.addr_valid, 1u);
    RTM_CHECK_EQ(wide.addr, addr_of(&victim[3]));
    RTM_CHECK_EQ(wide.pc, code_addr(rtm_target_write32));
    RTM_CHECK_EQ(wide.in_run, 0u);
    RTM_CHECK_EQ(wide.unprivileged, 0u);
    RTM_CHECK_EQ(narrow.count, 1u);
    RTM_CHECK_EQ(narrow.cause, MMFSR_DATA_FAULT);
    RTM_CHECK_EQ(narrow.addr, addr_of((volatile uint8_t *)victim + 29));
    RTM_CHECK_EQ(narrow.pc, code_addr(rtm_target_write8));
    for (unsigned i = 0; i < 8u; i++) {
        RTM_CHECK_EQ(victim[i], 0x11111111u); /* both stores were suppressed */
    }
    /* With the MPU off the same store goes through (and does not fault). */
    rtm_target_write32(&victim[3], 0x22222222u);
    RTM_CHECK_EQ(victim[3], 0x22222222u);
}

RTM_TEST(target_v7m, unprivileged_load_from_privileged_region_is_refused)
{
    victim[0] = 0x33333333u;
    /* Region 0: the whole address space, full access (unprivileged code
     * needs its code and stack); region 1 (higher priority): victim,
     * privileged read/write only. */
    region(0u, 0u, RASR_AP(3) | RASR_SIZE(32) | RASR_ENABLE);
    region(1u, addr_of(victim), RASR_XN | RASR_AP(1) | RASR_SIZE(5) | RASR_ENABLE);
    mpu_on();
    uint32_t priv_read = rtm_target_read32(&victim[0]); /* allowed: no fault armed */
    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    rtm_target_unprivileged();
    bool dropped = !rtm_target_is_privileged();
    uint32_t unpriv_read = rtm_target_read32(&victim[0]);
    rtm_target_privileged();
    mpu_off();

    RTM_CHECK(dropped);
    RTM_CHECK(rtm_target_is_privileged());
    RTM_CHECK_EQ(priv_read, 0x33333333u);
    RTM_CHECK_EQ(unpriv_read, RTM_TARGET_SKIPPED_LOAD);
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_MEMMANAGE);
    RTM_CHECK_EQ(rec.cause, MMFSR_DATA_FAULT);
    RTM_CHECK_EQ(rec.addr, addr_of(&victim[0]));
    RTM_CHECK_EQ(rec.unprivileged, 1u);
    RTM_CHECK_EQ(rec.in_run, 0u);
}

RTM_TEST(target_v7m, stack_overflow_into_guard_region_ends_the_run)
{
    uint32_t guard = addr_of(task_stack);
    region(7u, guard, RASR_XN | RASR_AP(0) | RASR_SIZE(5) | RASR_ENABLE);
    mpu_on();
    uint32_t depth = 0u;
    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    uint32_t r = rtm_target_run(rtm_target_overflow_small, &depth, &task_stack[128], RTM_TARGET_RUN_PRIVILEGED);
    mpu_off();

    RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
    RTM_CHECK(depth > 4u);
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_MEMMANAGE);
    RTM_CHECK_EQ(rec.in_run, 1u);
    RTM_CHECK((rec.cause & (RTM_TARGET_CFSR_DACCVIOL | RTM_TARGET_CFSR_MSTKERR)) != 0u);
    if (rec.addr_valid != 0u) {
        RTM_CHECK(rec.addr >= guard && rec.addr < guard + 32u);
    }
    /* The stack pointer had reached the guard (PSP keeps the decrement of
     * the exception frame that could not be stacked: up to 32 bytes below). */
    RTM_CHECK(rec.sp >= guard - 32u && rec.sp < guard + 32u);
    RTM_CHECK_EQ(rec.pc, 0u); /* no frame: nothing to skip, the run was ended */
    RTM_CHECK(rtm_target_is_privileged());
}
