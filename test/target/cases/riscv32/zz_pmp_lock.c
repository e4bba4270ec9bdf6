/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RV32: a locked PMP entry binds M-mode too. A locked read-only NAPOT entry
 * refuses an M-mode store (mcause 7, mtval exact), which is skipped; reads
 * still work; the entry cannot be rewritten.
 *
 * A locked entry stays until reset, so this file's name sorts it after the
 * other riscv32 cases and it uses the last entry (15, the lowest priority),
 * over a buffer nothing else uses. docs/target.md lists the rule.
 */
#include "rtm_target.h"
#include "rtm_test.h"

#define PMP_R 0x01u
#define PMP_NAPOT 0x18u
#define PMP_L 0x80u

static uint32_t sacrificial[8] __attribute__((aligned(32)));

static uint32_t read_pmpcfg3(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, pmpcfg3" : "=r"(v));
    return v;
}

static uint32_t read_pmpaddr15(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, pmpaddr15" : "=r"(v));
    return v;
}

RTM_TEST(target_rv32, locked_pmp_entry_refuses_m_mode_store)
{
    uint32_t base = (uint32_t)(uintptr_t)sacrificial;
    uint32_t addr = (base >> 2) | 3u; /* NAPOT, 32 bytes */
    for (unsigned i = 0; i < 8u; i++) {
        sacrificial[i] = 0x55555555u;
    }
    uint32_t cfg = (read_pmpcfg3() & 0x00ffffffu) | ((PMP_L | PMP_NAPOT | PMP_R) << 24);
    __asm__ volatile("csrw pmpaddr15, %0" ::"r"(addr));
    __asm__ volatile("csrw pmpcfg3, %0" ::"r"(cfg) : "memory");
    RTM_CHECK_EQ(read_pmpcfg3() >> 24, PMP_L | PMP_NAPOT | PMP_R);

    rtm_target_fault_t rec;
    rtm_target_expect_fault(&rec);
    rtm_target_write32(&sacrificial[2], 0xdeadbeefu);
    RTM_CHECK_EQ(rec.count, 1u);
    RTM_CHECK_EQ(rec.kind, RTM_TARGET_FAULT_EXCEPTION);
    RTM_CHECK_EQ(rec.cause, RTM_TARGET_MCAUSE_STORE_FAULT);
    RTM_CHECK_EQ(rec.addr_valid, 1u);
    RTM_CHECK_EQ(rec.addr, base + 8u);
    RTM_CHECK_EQ(rec.pc, (uint32_t)(uintptr_t)rtm_target_write32);
    RTM_CHECK_EQ(rec.unprivileged, 0u);
    RTM_CHECK_EQ(sacrificial[2], 0x55555555u);
    RTM_CHECK_EQ(rtm_target_read32(&sacrificial[7]), 0x55555555u);

    /* Locked: neither the configuration nor the address changes any more. */
    __asm__ volatile("csrw pmpcfg3, %0" ::"r"(cfg & 0x00ffffffu) : "memory");
    __asm__ volatile("csrw pmpaddr15, zero");
    RTM_CHECK_EQ(read_pmpcfg3() >> 24, PMP_L | PMP_NAPOT | PMP_R);
    RTM_CHECK_EQ(read_pmpaddr15(), addr);
}
