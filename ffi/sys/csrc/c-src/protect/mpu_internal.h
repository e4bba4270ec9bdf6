/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Private helpers shared by the MPU manager (mpu.c) and its back ends
 * (mpu_armv7m.c, mpu_armv8m.c, mpu_pmp.c, mpu_host.c). Not installed.
 */
#ifndef RTM_MPU_INTERNAL_H
#define RTM_MPU_INTERNAL_H

#include "rtm_internal.h"
#include "rtmem/mpu.h"

#define PERM_RWX (RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_EXEC)
#define PERM_ALL (PERM_RWX | RTM_PERM_CACHEABLE | RTM_PERM_UNPRIV)

/* 2^32: the end of the 32-bit address space every back end encodes. */
#define ADDR_SPACE_END ((uint64_t)1u << 32)

/* Offsets (in 32-bit words) of the ARM MPU registers from MPU_TYPE. */
#define ARM_MPU_TYPE 0u
#define ARM_MPU_CTRL 1u
#define ARM_MPU_RNR 2u
#define ARM_MPU_RBAR 3u
#define ARM_MPU_RASR 4u /* RLAR on ARMv8-M */
#define ARM_MPU_MAIR0 12u

/* An access value is one of READ/WRITE/EXEC, optionally | UNPRIV. */
static inline bool access_valid(uint32_t access)
{
    uint32_t type = access & ~RTM_MPU_ACCESS_UNPRIV;
    return type == RTM_MPU_ACCESS_READ || type == RTM_MPU_ACCESS_WRITE || type == RTM_MPU_ACCESS_EXEC;
}

/* [base, base + size) lies in the 32-bit address space and is not empty. */
static inline bool region_in_32bit(const rtm_mpu_region_t *r)
{
    return r->size != 0u && (uint64_t)r->base + (uint64_t)r->size <= ADDR_SPACE_END;
}

/* The ARM default memory map used as background for privileged accesses
 * (PRIVDEFENA): data accesses pass everywhere; instruction fetches fault in the
 * Peripheral (0x4000_0000-0x5FFF_FFFF), Device (0xA000_0000-0xDFFF_FFFF) and
 * System (0xE000_0000-) areas, which are execute-never. */
static inline bool arm_default_map_allows(uintptr_t addr, uint32_t access)
{
    if ((access & RTM_MPU_ACCESS_EXEC) == 0u) {
        return true;
    }
    uint64_t a = (uint64_t)addr;
    if (a >= ADDR_SPACE_END) {
        return true; /* not an ARM address (host model fed host pointers) */
    }
    return a < 0x40000000u || (a >= 0x60000000u && a < 0xA0000000u);
}

/* Register access through a base pointer: the hardware block or a RAM stand-in. */
static inline void reg_write(void *base, uint32_t word, uint32_t value)
{
    ((volatile uint32_t *)base)[word] = value;
}

static inline uint32_t reg_read(void *base, uint32_t word)
{
    return ((volatile uint32_t *)base)[word];
}

/* DSB + ISB after (re)programming an ARM MPU: the new map applies to the
 * next instruction. A compiler barrier elsewhere. */
static inline void arm_mpu_sync(void)
{
#if defined(__ARM_ARCH) && !defined(__aarch64__)
    __asm__ volatile("dsb 0xf\n\tisb 0xf" ::: "memory");
#else
    __asm__ volatile("" ::: "memory");
#endif
}

/* Resolve the register block of an ARM back end: NULL means the architectural
 * address, which exists only on an ARM build. */
static inline void *arm_mpu_regs(void *ctx)
{
    if (ctx != NULL) {
        return ctx;
    }
#if defined(__ARM_ARCH) && !defined(__aarch64__)
    return (void *)(uintptr_t)RTM_MPU_ARM_BASE;
#else
    return NULL;
#endif
}

#endif /* RTM_MPU_INTERNAL_H */
