/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ARMv8-M (PMSAv8, Cortex-M33 running Secure) proof of the fault plumbing,
 * with the registers programmed directly (the library's rtm_mpu_* back end
 * is tested on its own): a read-only 32-byte region refuses a privileged
 * store with MemManage DACCVIOL|MMARVALID and MMFAR exact; PSPLIM ends a run
 * context whose stack overflows, with UsageFault STKOF and nothing written
 * below the limit. Everything is switched off again before any check.
 */
#include "rtm_target.h"
#include "rtm_test.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define MPU_TYPE REG32(0xE000ED90u)
#define MPU_CTRL REG32(0xE000ED94u)
#define MPU_RNR REG32(0xE000ED98u)
#define MPU_RBAR REG32(0xE000ED9Cu)
#define MPU_RLAR REG32(0xE000EDA0u)
#define MPU_MAIR0 REG32(0xE000EDC0u)

#define CTRL_ENABLE 1u
#define CTRL_PRIVDEFENA 4u
#define RBAR_XN 1u
#define RBAR_AP_RO_PRIV (2u << 1) /* AP[2:1] = 0b10: read-only, privileged only */
#define RLAR_EN 1u                /* AttrIndx 0 */

#define MMFSR_DATA_FAULT (RTM_TARGET_CFSR_DACCVIOL | RTM_TARGET_CFSR_MMARVALID)

static uint32_t victim[8] __attribute__((aligned(32)));
static uint64_t task_stack[128] __attribute__((aligned(32))); /* 1 KiB */

static void barrier(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

static uint32_t addr_of(const volatile void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static void mpu_off(void)
{
    MPU_CTRL = 0u;
    uint32_t regions = (MPU_TYPE >> 8) & 0xffu;
    for (uint32_t n = 0; n < regions; n++) {
        MPU_RNR = n;
        MPU_RLAR = 0u;
        MPU_RBAR = 0u;
    }
    barrier();
}

RTM_TEST(target_v8m, read_only_region_refuses_a_privileged_store)
{
    RTM_CHECK((MPU_TYPE >> 8) & 0xffu); /* an MPU with regions */
    for (unsigned i = 0; i < 8u; i++) {
        victim[i] = 0x44444444u;
    }
    MPU_MAIR0 = 0x44u; /* attribute 0: normal memory, non-cacheable */
    MPU_RNR = 3u;
    MPU_RBAR = addr_of(victim) | RBAR_AP_RO_PRIV | RBAR_XN;
    MPU_RLAR = addr_of(victim) | RLAR_EN; /* limit: the last 32-byte granule, inclusive */
    MPU_CTRL = CTRL_PRIVDEFENA | CTRL_ENABLE;
    barrier();
    uint32_t readable = rtm_target_read32(&victim[6]);
    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    rtm_target_write32(&victim[6], 0xdeadbeefu);
    mpu_off();

    RTM_CHECK_EQ(readable, 0x44444444u);
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_MEMMANAGE);
    RTM_CHECK_EQ(rec.cause, MMFSR_DATA_FAULT);
    RTM_CHECK_EQ(rec.addr_valid, 1u);
    RTM_CHECK_EQ(rec.addr, addr_of(&victim[6]));
    RTM_CHECK_EQ(rec.pc, (uint32_t)(uintptr_t)rtm_target_write32 & ~1u);
    RTM_CHECK_EQ(victim[6], 0x44444444u);
}

static void set_psplim(uint32_t limit)
{
    __asm__ volatile("msr psplim, %0\n\tisb" ::"r"(limit) : "memory");
}

#define BELOW_LIMIT_BYTES 256u

RTM_TEST(target_v8m, psplim_ends_an_overflowing_run)
{
    uint32_t limit = addr_of(task_stack) + BELOW_LIMIT_BYTES;
    volatile uint8_t *below = (volatile uint8_t *)task_stack;
    for (uint32_t i = 0; i < BELOW_LIMIT_BYTES; i++) {
        below[i] = 0xa5u;
    }
    uint32_t depth = 0u;
    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    set_psplim(limit);
    uint32_t r = rtm_target_run(rtm_target_overflow_large, &depth, &task_stack[128], RTM_TARGET_RUN_PRIVILEGED);
    set_psplim(0u);

    RTM_CHECK_EQ(r, RTM_TARGET_RUN_FAULTED);
    RTM_CHECK(depth > 4u);
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_USAGE);
    RTM_CHECK((rec.cause & RTM_TARGET_CFSR_STKOF) != 0u);
    RTM_CHECK_EQ(rec.in_run, 1u);
    RTM_CHECK(rec.sp >= limit && rec.sp < limit + 128u);
    for (uint32_t i = 0; i < BELOW_LIMIT_BYTES; i++) {
        RTM_CHECK_EQ(below[i], 0xa5u); /* nothing written below the limit */
    }
}
