/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * MPU manager and back ends. Expected register values are built here from
 * the architecture manuals' field layouts (PMSAv7 RBAR/RASR, PMSAv8
 * RBAR/RLAR/MAIR, RISC-V pmpaddr/pmpcfg), not taken from the encoder.
 */
#include <string.h>

#include "rtm_test.h"

/* ---- field layouts, written out independently of the library ---------------- */

/* PMSAv7 RASR */
#define V7_XN (1u << 28)
#define V7_AP(ap) ((uint32_t)(ap) << 24)
#define V7_TEX(t) ((uint32_t)(t) << 19)
#define V7_S (1u << 18)
#define V7_C (1u << 17)
#define V7_B (1u << 16)
#define V7_SRD(m) ((uint32_t)(m) << 8)
#define V7_SIZE(log2) ((uint32_t)((log2) - 1u) << 1)
#define V7_EN 1u
#define V7_NORMAL (V7_TEX(1) | V7_C | V7_B)
#define V7_DEVICE V7_B
/* PMSAv7 RBAR */
#define V7_RBAR(addr, region) ((uint32_t)(addr) | 0x10u | (uint32_t)(region))
/* PMSAv8 */
#define V8_RBAR(base, sh, ap, xn) ((uint32_t)(base) | ((uint32_t)(sh) << 3) | ((uint32_t)(ap) << 1) | (uint32_t)(xn))
#define V8_RLAR(limit, attr) (((uint32_t)(limit) & ~31u) | ((uint32_t)(attr) << 1) | 1u)
/* PMP cfg */
#define PMP_R 1u
#define PMP_W 2u
#define PMP_X 4u
#define PMP_TOR (1u << 3)
#define PMP_NA4 (2u << 3)
#define PMP_NAPOT (3u << 3)
#define PMP_L 0x80u

#define RW (RTM_PERM_READ | RTM_PERM_WRITE)
#define RX (RTM_PERM_READ | RTM_PERM_EXEC)
#define CACHE RTM_PERM_CACHEABLE
#define UNPRIV RTM_PERM_UNPRIV

static rtm_mpu_region_t region(uintptr_t base, size_t size, rtm_perm_t perm, uint32_t flags)
{
    rtm_mpu_region_t r;
    r.base = base;
    r.size = size;
    r.perm = perm;
    r.flags = flags;
    return r;
}

static rtm_status_t v7(uintptr_t base, size_t size, rtm_perm_t perm, uint32_t index, rtm_mpu_armv7m_regs_t *out)
{
    rtm_mpu_region_t r = region(base, size, perm, 0u);
    out->rbar = 0xDEADu;
    out->rasr = 0xBEEFu;
    return rtm_mpu_armv7m_encode(&r, index, out);
}

/* ---- ARMv7-M encodings --------------------------------------------------------- */

RTM_TEST(mpu, armv7m_power_of_two_regions)
{
    rtm_mpu_armv7m_regs_t o;
    /* 1 KiB privileged RW data, normal memory, execute-never, region 3. */
    RTM_CHECK_OK(v7(0x20000000u, 0x400u, RW | CACHE, 3u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x20000000u, 3));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(1) | V7_NORMAL | V7_SIZE(10) | V7_EN);
    RTM_CHECK_EQ(o.rasr, 0x110B0013u);
    /* 32-byte no-access guard (the minimum size), device attributes. */
    RTM_CHECK_OK(v7(0x20001000u, 32u, 0u, 7u, &o));
    RTM_CHECK_EQ(o.rbar, 0x20001017u);
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(0) | V7_DEVICE | V7_SIZE(5) | V7_EN);
    RTM_CHECK_EQ(o.rasr, 0x10010009u);
    /* 256 KiB flash, read+execute for everyone: AP=110, XN clear. */
    RTM_CHECK_OK(v7(0x00000000u, 0x40000u, RX | UNPRIV | CACHE, 0u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0u, 0));
    RTM_CHECK_EQ(o.rasr, V7_AP(6) | V7_NORMAL | V7_SIZE(18) | V7_EN);
    /* The other AP encodings produced: 011 RW all, 101 RO privileged. */
    RTM_CHECK_OK(v7(0x20008000u, 0x8000u, RW | UNPRIV | CACHE, 15u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x20008000u, 15));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(3) | V7_NORMAL | V7_SIZE(15) | V7_EN);
    RTM_CHECK_OK(v7(0x20000040u, 64u, RTM_PERM_READ | CACHE, 1u, &o));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(5) | V7_NORMAL | V7_SIZE(6) | V7_EN);
    /* 2 GiB at the top half: SIZE field 30. */
    RTM_CHECK_OK(v7(0x80000000u, 0x80000000u, RW, 2u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x80000000u, 2));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(1) | V7_DEVICE | V7_SIZE(31) | V7_EN);
    RTM_CHECK_EQ(o.rasr & 0x3Eu, 30u << 1);
}

RTM_TEST(mpu, armv7m_subregions_cover_other_sizes)
{
    rtm_mpu_armv7m_regs_t o;
    /* 96 bytes at +0x20: a 256-byte region, subregions (32 B) 1..3 kept. */
    RTM_CHECK_OK(v7(0x20000020u, 0x60u, RW | UNPRIV | CACHE, 4u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x20000000u, 4));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(3) | V7_NORMAL | V7_SRD(0xF1) | V7_SIZE(8) | V7_EN);
    RTM_CHECK_EQ(o.rasr, 0x130BF10Fu);
    /* 256 bytes at +0x80: not naturally aligned, so a 512-byte region with
     * 64-byte subregions 2..5 kept. */
    RTM_CHECK_OK(v7(0x20000080u, 0x100u, RW | CACHE, 0u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x20000000u, 0));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(1) | V7_NORMAL | V7_SRD(0xC3) | V7_SIZE(9) | V7_EN);
    /* 7 x 256 bytes: 2 KiB region, top subregion off. */
    RTM_CHECK_OK(v7(0x20000000u, 0x700u, RW | CACHE, 0u, &o));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(1) | V7_NORMAL | V7_SRD(0x80) | V7_SIZE(11) | V7_EN);
    /* 192 KiB of flash: 256 KiB region, 32 KiB subregions 0..5. */
    RTM_CHECK_OK(v7(0x08000000u, 0x30000u, RX | CACHE, 5u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x08000000u, 5));
    RTM_CHECK_EQ(o.rasr, V7_AP(5) | V7_NORMAL | V7_SRD(0xC0) | V7_SIZE(18) | V7_EN);
    /* 3.5 GiB from 0: the 4 GiB region (SIZE 31) with its top eighth off. */
    RTM_CHECK_OK(v7(0x00000000u, (size_t)0xE0000000u, RW, 6u, &o));
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0u, 6));
    RTM_CHECK_EQ(o.rasr, V7_XN | V7_AP(1) | V7_DEVICE | V7_SRD(0x80) | V7_SIZE(32) | V7_EN);
    /* A power of two that is naturally aligned never uses subregions. */
    RTM_CHECK_OK(v7(0x20000100u, 0x100u, RW, 0u, &o));
    RTM_CHECK_EQ(o.rasr & V7_SRD(0xFF), 0u);
    RTM_CHECK_EQ(o.rbar, V7_RBAR(0x20000100u, 0));
}

RTM_TEST(mpu, armv7m_refusals)
{
    rtm_mpu_armv7m_regs_t o;
    rtm_mpu_region_t r = region(0x20000000u, 64u, RW, 0u);
    /* Not expressible with any region + subregions. */
    RTM_CHECK_STATUS(v7(0x20000010u, 0x60u, RW, 0u, &o), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(v7(0x20000000u, 48u, RW, 0u, &o), RTM_ERR_ALIGNMENT); /* < 256: no subregions */
    RTM_CHECK_STATUS(v7(0x20000000u, 16u, RW, 0u, &o), RTM_ERR_ALIGNMENT); /* below 32 bytes */
    RTM_CHECK_STATUS(v7(0x20000020u, 32u * 9u, RW, 0u, &o), RTM_ERR_ALIGNMENT);
    /* Bad arguments. */
    RTM_CHECK_STATUS(v7(0x20000000u, 0u, RW, 0u, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(v7(0x20000000u, 64u, RW, 16u, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(v7(0xFFFFFFE0u, 64u, RW, 0u, &o), RTM_ERR_INVALID_ARG); /* wraps past 4 GiB */
    RTM_CHECK_STATUS(v7(0x20000000u, 64u, 0x100u, 0u, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_armv7m_encode(NULL, 0u, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_armv7m_encode(&r, 0u, NULL), RTM_ERR_INVALID_ARG);
    /* Permissions PMSAv7 cannot express. */
    RTM_CHECK_STATUS(v7(0x20000000u, 64u, RTM_PERM_WRITE, 0u, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(v7(0x20000000u, 64u, RTM_PERM_EXEC | CACHE, 0u, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(v7(0x20000000u, 64u, RX, 0u, &o), RTM_ERR_UNSUPPORTED); /* executable device */
    r.flags = RTM_MPU_REGION_LOCK;
    RTM_CHECK_STATUS(rtm_mpu_armv7m_encode(&r, 0u, &o), RTM_ERR_UNSUPPORTED);
    /* Refusals leave the output alone. */
    RTM_CHECK_EQ(o.rbar, 0xDEADu);
}

/* ---- ARMv8-M encodings --------------------------------------------------------- */

static rtm_status_t v8(uintptr_t base, size_t size, rtm_perm_t perm, rtm_mpu_armv8m_regs_t *out)
{
    rtm_mpu_region_t r = region(base, size, perm, 0u);
    return rtm_mpu_armv8m_encode(&r, out);
}

RTM_TEST(mpu, armv8m_encodings)
{
    rtm_mpu_armv8m_regs_t o;
    /* 4 KiB privileged RW normal memory: AP=00, XN, AttrIndx 0. */
    RTM_CHECK_OK(v8(0x20000000u, 0x1000u, RW | CACHE, &o));
    RTM_CHECK_EQ(o.rbar, V8_RBAR(0x20000000u, 0, 0, 1));
    RTM_CHECK_EQ(o.rlar, V8_RLAR(0x20000FFFu, 0));
    RTM_CHECK_EQ(o.rbar, 0x20000001u);
    RTM_CHECK_EQ(o.rlar, 0x20000FE1u);
    /* Code for everyone, read-only: AP=11, XN clear. */
    RTM_CHECK_OK(v8(0x10000000u, 0x40000u, RX | UNPRIV | CACHE, &o));
    RTM_CHECK_EQ(o.rbar, V8_RBAR(0x10000000u, 0, 3, 0));
    RTM_CHECK_EQ(o.rlar, V8_RLAR(0x1003FFFFu, 0));
    /* 32 bytes of device registers, RW for everyone: AP=01, AttrIndx 1. */
    RTM_CHECK_OK(v8(0x40000000u, 32u, RW | UNPRIV, &o));
    RTM_CHECK_EQ(o.rbar, V8_RBAR(0x40000000u, 0, 1, 1));
    RTM_CHECK_EQ(o.rlar, V8_RLAR(0x40000000u, 1));
    RTM_CHECK_EQ(o.rlar, 0x40000003u);
    /* Privileged read-only: AP=10. An odd multiple of 32 is fine on PMSAv8. */
    RTM_CHECK_OK(v8(0x20000060u, 0x60u, RTM_PERM_READ | CACHE, &o));
    RTM_CHECK_EQ(o.rbar, V8_RBAR(0x20000060u, 0, 2, 1));
    RTM_CHECK_EQ(o.rlar, V8_RLAR(0x200000BFu, 0));
    /* MAIR0: Attr0 normal WB RWA (0xFF), Attr1 Device-nGnRE (0x04). */
    RTM_CHECK_EQ(RTM_MPU_ARMV8M_MAIR0, 0xFFu | (0x04u << 8));
    /* Refusals. */
    RTM_CHECK_STATUS(v8(0x20000010u, 0x40u, RW, &o), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(v8(0x20000000u, 0x30u, RW, &o), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(v8(0x20000000u, 0x40u, 0u, &o), RTM_ERR_UNSUPPORTED); /* no no-access AP */
    RTM_CHECK_STATUS(v8(0x20000000u, 0x40u, RTM_PERM_WRITE, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(v8(0x20000000u, 0x40u, RX, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(v8(0x20000000u, 0u, RW, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(v8(0xFFFFFFE0u, 0x40u, RW, &o), RTM_ERR_INVALID_ARG);
    rtm_mpu_region_t r = region(0x20000000u, 64u, RW, RTM_MPU_REGION_LOCK);
    RTM_CHECK_STATUS(rtm_mpu_armv8m_encode(&r, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(rtm_mpu_armv8m_encode(NULL, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_armv8m_encode(&r, NULL), RTM_ERR_INVALID_ARG);
}

/* ---- PMP encodings ------------------------------------------------------------- */

static rtm_status_t pmp(uintptr_t base, size_t size, rtm_perm_t perm, uint32_t flags, rtm_mpu_pmp_regs_t *out)
{
    rtm_mpu_region_t r = region(base, size, perm, flags);
    return rtm_mpu_pmp_encode(&r, out);
}

RTM_TEST(mpu, pmp_encodings)
{
    rtm_mpu_pmp_regs_t o;
    /* Locked read-only NAPOT 4 KiB: pmpaddr = base>>2 | (size/8 - 1). */
    RTM_CHECK_OK(pmp(0x80000000u, 0x1000u, RTM_PERM_READ | UNPRIV, RTM_MPU_REGION_LOCK, &o));
    RTM_CHECK_EQ(o.entries, 1);
    RTM_CHECK_EQ(o.addr[0], (0x80000000u >> 2) | (0x1000u / 8u - 1u));
    RTM_CHECK_EQ(o.addr[0], 0x200001FFu);
    RTM_CHECK_EQ(o.cfg[0], PMP_L | PMP_NAPOT | PMP_R);
    RTM_CHECK_EQ(o.cfg[0], 0x99u);
    /* NAPOT of 8 bytes: no trailing ones. */
    RTM_CHECK_OK(pmp(0x80000008u, 8u, RW | UNPRIV, 0u, &o));
    RTM_CHECK_EQ(o.addr[0], 0x20000002u);
    RTM_CHECK_EQ(o.cfg[0], PMP_NAPOT | PMP_R | PMP_W);
    /* NA4. */
    RTM_CHECK_OK(pmp(0x80001000u, 4u, RW | UNPRIV, 0u, &o));
    RTM_CHECK_EQ(o.entries, 1);
    RTM_CHECK_EQ(o.addr[0], 0x20000400u);
    RTM_CHECK_EQ(o.cfg[0], PMP_NA4 | PMP_R | PMP_W);
    /* TOR for a size that is not a power of two: bottom entry OFF, then TOR. */
    RTM_CHECK_OK(pmp(0x80002000u, 0x300u, RW | RTM_PERM_EXEC | UNPRIV, 0u, &o));
    RTM_CHECK_EQ(o.entries, 2);
    RTM_CHECK_EQ(o.addr[0], 0x80002000u >> 2);
    RTM_CHECK_EQ(o.cfg[0], 0u);
    RTM_CHECK_EQ(o.addr[1], 0x80002300u >> 2);
    RTM_CHECK_EQ(o.cfg[1], PMP_TOR | PMP_R | PMP_W | PMP_X);
    /* A power of two that is not naturally aligned is TOR too. */
    RTM_CHECK_OK(pmp(0x80000010u, 0x20u, RTM_PERM_READ | UNPRIV, 0u, &o));
    RTM_CHECK_EQ(o.entries, 2);
    /* Unlocked privileged-only: U-mode gets nothing, M-mode is not bound. */
    RTM_CHECK_OK(pmp(0x80000000u, 0x100u, RW, 0u, &o));
    RTM_CHECK_EQ(o.cfg[0], PMP_NAPOT);
    /* Locked no-access guard: binds M-mode too. */
    RTM_CHECK_OK(pmp(0x80000100u, 32u, 0u, RTM_MPU_REGION_LOCK, &o));
    RTM_CHECK_EQ(o.cfg[0], PMP_L | PMP_NAPOT);
    RTM_CHECK_EQ(o.addr[0], (0x80000100u >> 2) | 3u);
    /* Refusals. */
    RTM_CHECK_STATUS(pmp(0x80000002u, 8u, RW, 0u, &o), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(pmp(0x80000000u, 6u, RW, 0u, &o), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(pmp(0x80000000u, 8u, RTM_PERM_WRITE | UNPRIV, 0u, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(pmp(0x80000000u, 8u, RW, RTM_MPU_REGION_LOCK, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(pmp(0x80000000u, 8u, RW, 0x2u, &o), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(pmp(0x80000000u, 0u, RW, 0u, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(pmp(0xFFFFFFF0u, 0x20u, RW, 0u, &o), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_pmp_encode(NULL, &o), RTM_ERR_INVALID_ARG);
}

/* ---- the manager over the host model ------------------------------------------- */

static rtm_status_t host_manager(rtm_mpu_t *m, rtm_mpu_host_t *h, uint32_t arch, uint32_t regions)
{
    rtm_status_t s = rtm_mpu_host_init(h, arch, regions);
    if (s != RTM_OK) {
        return s;
    }
    rtm_mpu_backend_t be = rtm_mpu_host_backend(h);
    return rtm_mpu_init(m, &be);
}

/* Software check and register-level model must agree; returns the common answer
 * or a distinct value when they differ. */
#define DISAGREE 12345
static rtm_status_t both(const rtm_mpu_t *m, uintptr_t addr, uint32_t access)
{
    rtm_status_t sw = rtm_mpu_check_access(m, addr, access);
    rtm_status_t hw = rtm_mpu_check_backend(m, addr, access);
    return sw == hw ? sw : DISAGREE;
}

#define R_ RTM_MPU_ACCESS_READ
#define W_ RTM_MPU_ACCESS_WRITE
#define X_ RTM_MPU_ACCESS_EXEC
#define U_ RTM_MPU_ACCESS_UNPRIV

RTM_TEST(mpu, armv7m_host_model_access_rules)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    RTM_CHECK_OK(host_manager(&m, &h, RTM_MPU_ARCH_ARMV7M, 8u));
    RTM_CHECK_EQ(rtm_mpu_region_count(&m), 8);
    RTM_CHECK_EQ(rtm_mpu_arch(&m), RTM_MPU_ARCH_ARMV7M);
    rtm_mpu_region_t flash = region(0x00000000u, 0x40000u, RX | UNPRIV | CACHE, 0u);
    rtm_mpu_region_t ram = region(0x20000000u, 0x10000u, RW | UNPRIV | CACHE, 0u);
    rtm_mpu_region_t kram = region(0x20008000u, 0x2000u, RW | CACHE, 0u);
    rtm_mpu_region_t guard = region(0x20001000u, 32u, 0u, 0u);
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 0u, &flash));
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 1u, &ram));
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 2u, &kram));
    uint32_t gi = 99u;
    RTM_CHECK_OK(rtm_mpu_add_region(&m, &guard, &gi));
    RTM_CHECK_EQ(gi, 7); /* added regions take the highest free slot: they win */
    /* The recorded registers are the encoder's, slot by slot. */
    RTM_CHECK_EQ(h.reg_a[7], V7_RBAR(0x20001000u, 7));
    RTM_CHECK_EQ(h.reg_b[7], V7_XN | V7_DEVICE | V7_SIZE(5) | V7_EN);
    RTM_CHECK_EQ(h.reg_a[1], V7_RBAR(0x20000000u, 1));
    RTM_CHECK_EQ(h.reg_b[1], V7_XN | V7_AP(3) | V7_NORMAL | V7_SIZE(16) | V7_EN);
    RTM_CHECK_EQ(h.reg_b[3], 0u);
    /* Disabled: everything passes. */
    RTM_CHECK_EQ(both(&m, 0x20001000u, W_), RTM_OK);
    RTM_CHECK_OK(rtm_mpu_enable(&m, RTM_MPU_CTRL_PRIVDEFENA));
    RTM_CHECK_EQ(h.ctrl, 0x5u); /* ENABLE | PRIVDEFENA */
    /* The guard wins over the RAM region below it, for privileged code too. */
    RTM_CHECK_EQ(both(&m, 0x20001000u, W_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x2000101Fu, R_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x20000FFFu, W_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x20001020u, W_ | U_), RTM_OK);
    /* Privileged-only RAM refuses unprivileged code. */
    RTM_CHECK_EQ(both(&m, 0x20008010u, W_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x20008010u, R_ | U_), RTM_ERR_ACCESS);
    /* RAM is execute-never; flash is read-only and executable for all. */
    RTM_CHECK_EQ(both(&m, 0x20002000u, X_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x00001000u, X_ | U_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x00001000u, W_), RTM_ERR_ACCESS);
    /* No region: the default map for privileged code only. */
    RTM_CHECK_EQ(both(&m, 0x30000000u, R_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x30000000u, R_ | U_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x40000000u, X_), RTM_ERR_ACCESS); /* peripheral area is XN */
    RTM_CHECK_EQ(both(&m, 0x60000000u, X_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0xE000ED00u, X_), RTM_ERR_ACCESS);
    /* Without PRIVDEFENA privileged code faults outside the regions too. */
    RTM_CHECK_OK(rtm_mpu_enable(&m, 0u));
    RTM_CHECK_EQ(h.ctrl, 0x1u);
    RTM_CHECK_EQ(both(&m, 0x30000000u, R_), RTM_ERR_ACCESS);
    /* Clearing the guard: RAM rules apply again there. */
    RTM_CHECK_OK(rtm_mpu_clear_region(&m, gi));
    RTM_CHECK_EQ(h.reg_b[7], 0u);
    RTM_CHECK_EQ(both(&m, 0x20001000u, W_ | U_), RTM_OK);
    RTM_CHECK_OK(rtm_mpu_disable(&m));
    RTM_CHECK_EQ(h.ctrl, 0u);
    RTM_CHECK_EQ(both(&m, 0x30000000u, R_ | U_), RTM_OK);
    /* Bad access values. */
    RTM_CHECK_STATUS(rtm_mpu_check_access(&m, 0u, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_check_access(&m, 0u, R_ | W_), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_check_access(&m, 0u, 0x8u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_check_access(NULL, 0u, R_), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_host_check_access(&h, 0u, X_ | W_), RTM_ERR_INVALID_ARG);
}

RTM_TEST(mpu, armv7m_subregion_falls_through_to_lower_region)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    RTM_CHECK_OK(host_manager(&m, &h, RTM_MPU_ARCH_ARMV7M, 8u));
    rtm_mpu_region_t ram = region(0x20000000u, 0x400u, RW | UNPRIV | CACHE, 0u);
    rtm_mpu_region_t ro = region(0x20000040u, 0xC0u, RTM_PERM_READ | UNPRIV | CACHE, 0u); /* SRD: 256 B, 32 B subs 2..7 */
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 0u, &ram));
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 5u, &ro));
    RTM_CHECK_EQ(h.reg_b[5] & V7_SRD(0xFF), V7_SRD(0x03));
    RTM_CHECK_OK(rtm_mpu_enable(&m, 0u));
    RTM_CHECK_EQ(both(&m, 0x2000003Fu, W_ | U_), RTM_OK);          /* disabled subregion: RAM decides */
    RTM_CHECK_EQ(both(&m, 0x20000040u, W_ | U_), RTM_ERR_ACCESS);  /* read-only region */
    RTM_CHECK_EQ(both(&m, 0x200000FFu, W_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x200000FFu, R_ | U_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x20000100u, W_ | U_), RTM_OK);
    RTM_CHECK_EQ(rtm_mpu_find_region(&m, 0x20000010u), 0);
    RTM_CHECK_EQ(rtm_mpu_find_region(&m, 0x20000050u), 5);
    RTM_CHECK_EQ(rtm_mpu_find_region(&m, 0x30000000u), RTM_MPU_NO_REGION);
}

RTM_TEST(mpu, armv8m_manager_refuses_overlap)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    RTM_CHECK_OK(host_manager(&m, &h, RTM_MPU_ARCH_ARMV8M, 8u));
    rtm_mpu_region_t a = region(0x20000000u, 0x1000u, RW | UNPRIV | CACHE, 0u);
    rtm_mpu_region_t b = region(0x20000FE0u, 0x40u, RTM_PERM_READ | CACHE, 0u);
    rtm_mpu_region_t c = region(0x20001000u, 0x40u, RTM_PERM_READ | CACHE, 0u);
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 0u, &a));
    RTM_CHECK_EQ(h.mair0, RTM_MPU_ARMV8M_MAIR0);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 1u, &b), RTM_ERR_OVERLAP);
    RTM_CHECK_STATUS(rtm_mpu_add_region(&m, &b, NULL), RTM_ERR_OVERLAP);
    RTM_CHECK_STATUS(rtm_mpu_validate(&m, 1u, &b), RTM_ERR_OVERLAP);
    RTM_CHECK_EQ(h.reg_b[1], 0u);
    RTM_CHECK_EQ(h.reg_b[7], 0u);
    /* Adjacent is fine; replacing a region with an overlapping version of itself too. */
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 1u, &c));
    a.size = 0x800u;
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 0u, &a));
    RTM_CHECK_EQ(h.reg_b[0], V8_RLAR(0x200007FFu, 0));
    RTM_CHECK_OK(rtm_mpu_enable(&m, RTM_MPU_CTRL_PRIVDEFENA));
    RTM_CHECK_EQ(both(&m, 0x20000010u, W_ | U_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x20001010u, W_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x20001010u, R_ | U_), RTM_ERR_ACCESS); /* privileged-only */
    RTM_CHECK_EQ(both(&m, 0x20001010u, R_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x20000900u, R_), RTM_OK); /* background */
    RTM_CHECK_EQ(both(&m, 0x20000900u, R_ | U_), RTM_ERR_ACCESS);
    /* The model still shows that an overlap would fault, had it been written. */
    h.reg_a[2] = 0x20000000u;
    h.reg_b[2] = V8_RLAR(0x2000003Fu, 0);
    RTM_CHECK_STATUS(rtm_mpu_host_check_access(&h, 0x20000010u, R_), RTM_ERR_ACCESS);
}

RTM_TEST(mpu, pmp_manager_slots_locks_and_enable)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    RTM_CHECK_OK(host_manager(&m, &h, RTM_MPU_ARCH_PMP, 16u));
    rtm_mpu_region_t ram = region(0x80000000u, 0x10000u, RW | RTM_PERM_EXEC | UNPRIV, 0u);
    rtm_mpu_region_t odd = region(0x80010000u, 0x300u, RTM_PERM_READ | UNPRIV, 0u);
    rtm_mpu_region_t lock = region(0x80020000u, 0x1000u, RTM_PERM_READ | UNPRIV, RTM_MPU_REGION_LOCK);
    uint32_t i0 = 99u;
    uint32_t i1 = 99u;
    RTM_CHECK_OK(rtm_mpu_add_region(&m, &ram, &i0));
    RTM_CHECK_EQ(i0, 0); /* PMP: lowest entries win, so added regions go low */
    /* Disabled and unlocked: nothing reaches the entries yet. */
    RTM_CHECK_EQ(h.reg_b[0], 0u);
    RTM_CHECK_OK(rtm_mpu_add_region(&m, &odd, &i1));
    RTM_CHECK_EQ(i1, 1);
    rtm_mpu_stats_t st;
    rtm_mpu_get_stats(&m, &st);
    RTM_CHECK_EQ(st.slots_used, 3); /* TOR takes two entries */
    RTM_CHECK_OK(rtm_mpu_enable(&m, 0u));
    RTM_CHECK_EQ(h.reg_a[0], (0x80000000u >> 2) | (0x10000u / 8u - 1u));
    RTM_CHECK_EQ(h.reg_b[0], PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    RTM_CHECK_EQ(h.reg_a[1], 0x80010000u >> 2);
    RTM_CHECK_EQ(h.reg_b[1], 0u);
    RTM_CHECK_EQ(h.reg_a[2], 0x80010300u >> 2);
    RTM_CHECK_EQ(h.reg_b[2], PMP_TOR | PMP_R);
    /* The TOR's second entry is taken. */
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 2u, &odd), RTM_ERR_NO_MEMORY);
    /* M-mode passes unlocked entries; U-mode follows them; no match: U refused. */
    RTM_CHECK_EQ(both(&m, 0x80000100u, W_ | U_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x80010100u, W_ | U_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x80010100u, W_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x800102FFu, R_ | U_), RTM_OK);
    RTM_CHECK_EQ(both(&m, 0x80010300u, R_ | U_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x90000000u, R_), RTM_OK);
    /* A locked entry binds M-mode, and cannot be changed or cleared. */
    uint32_t il = 99u;
    RTM_CHECK_OK(rtm_mpu_add_region(&m, &lock, &il));
    RTM_CHECK_EQ(il, 3);
    RTM_CHECK_EQ(h.reg_b[3], PMP_L | PMP_NAPOT | PMP_R);
    RTM_CHECK_EQ(both(&m, 0x80020010u, W_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x80020010u, R_), RTM_OK);
    RTM_CHECK_STATUS(rtm_mpu_clear_region(&m, il), RTM_ERR_ACCESS);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, il, &ram), RTM_ERR_ACCESS);
    /* Disable: unlocked entries go off, the locked one stays in force. */
    RTM_CHECK_OK(rtm_mpu_disable(&m));
    RTM_CHECK_EQ(h.reg_b[0], 0u);
    RTM_CHECK_EQ(h.reg_b[2], 0u);
    RTM_CHECK_EQ(h.reg_b[3], PMP_L | PMP_NAPOT | PMP_R);
    RTM_CHECK_EQ(both(&m, 0x80020010u, W_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(both(&m, 0x80010100u, W_), RTM_OK);
    /* Clearing the TOR region frees both its entries. */
    RTM_CHECK_OK(rtm_mpu_clear_region(&m, i1));
    rtm_mpu_get_stats(&m, &st);
    RTM_CHECK_EQ(st.slots_used, 2);
    RTM_CHECK_STATUS(rtm_mpu_clear_region(&m, 2u), RTM_ERR_INVALID_ARG);
    /* A locked region lets no later write touch its entries, even by hand on the model. */
    rtm_mpu_region_t over = region(0x80030000u, 0x100u, RW | UNPRIV, 0u);
    rtm_mpu_backend_t be = rtm_mpu_host_backend(&h);
    RTM_CHECK_OK(be.ops->write(be.ctx, 3u, &over));
    RTM_CHECK_EQ(h.reg_b[3], PMP_L | PMP_NAPOT | PMP_R);
}

RTM_TEST(mpu, manager_bad_input_matrix)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    rtm_mpu_region_t ok = region(0x20000000u, 0x100u, RW | CACHE, 0u);
    RTM_CHECK_STATUS(rtm_mpu_host_init(NULL, RTM_MPU_ARCH_ARMV7M, 8u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_host_init(&h, 0u, 8u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_host_init(&h, 4u, 8u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_host_init(&h, RTM_MPU_ARCH_ARMV7M, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_host_init(&h, RTM_MPU_ARCH_ARMV7M, 17u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_mpu_host_init(&h, RTM_MPU_ARCH_ARMV7M, 4u));
    rtm_mpu_backend_t be = rtm_mpu_host_backend(&h);
    RTM_CHECK_STATUS(rtm_mpu_init(NULL, &be), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_init(&m, NULL), RTM_ERR_INVALID_ARG);
    rtm_mpu_backend_t none = {NULL, NULL};
    RTM_CHECK_STATUS(rtm_mpu_init(&m, &none), RTM_ERR_INVALID_ARG);
    /* An uninitialised manager is refused everywhere. */
    memset(&m, 0, sizeof m);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 0u, &ok), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_enable(&m, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(rtm_mpu_region_count(&m), 0);
    RTM_CHECK_OK(rtm_mpu_init(&m, &be));
    /* Every entry point, bad arguments, exact statuses. */
    RTM_CHECK_STATUS(rtm_mpu_set_region(NULL, 0u, &ok), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 4u, &ok), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_add_region(NULL, &ok, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_add_region(&m, NULL, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_clear_region(&m, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_clear_region(&m, 100u), RTM_ERR_INVALID_ARG);
    rtm_mpu_region_t got;
    RTM_CHECK_STATUS(rtm_mpu_get_region(&m, 0u, &got), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_enable(&m, 0x100u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_enable(NULL, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_disable(NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_set_violation_handler(NULL, NULL, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_report_fault(&m, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_validate(NULL, 0u, &ok), RTM_ERR_INVALID_ARG);
    /* Encoder refusals pass through; regions with internal flag bits are refused. */
    rtm_mpu_region_t bad = region(0x20000010u, 0x60u, RW, 0u);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 0u, &bad), RTM_ERR_ALIGNMENT);
    bad = region(0x20000000u, 0x100u, RW, 0x80000000u);
    RTM_CHECK_STATUS(rtm_mpu_set_region(&m, 0u, &bad), RTM_ERR_UNSUPPORTED);
    /* Full: add refuses; the table and registers are unchanged by refusals. */
    for (uint32_t i = 0; i < 4u; i++) {
        RTM_CHECK_OK(rtm_mpu_add_region(&m, &ok, NULL));
    }
    RTM_CHECK_STATUS(rtm_mpu_add_region(&m, &ok, NULL), RTM_ERR_NO_MEMORY);
    rtm_mpu_stats_t st;
    rtm_mpu_get_stats(&m, &st);
    RTM_CHECK_EQ(st.slots_used, 4);
    RTM_CHECK_EQ(st.refusals, 5); /* NULL region, bad index, alignment, flags, full */
    RTM_CHECK_EQ(st.region_writes, 4);
    RTM_CHECK_OK(rtm_mpu_get_region(&m, 2u, &got));
    RTM_CHECK(got.base == ok.base && got.size == ok.size && got.perm == ok.perm && got.flags == 0u);
    rtm_mpu_get_stats(NULL, &st);
    RTM_CHECK_EQ(st.regions, 0);
    rtm_mpu_get_stats(&m, NULL); /* must not crash */
}

/* ---- random cross-check: portable rules vs register-level model ---------------- */

static unsigned cross_check(uint32_t arch, uint32_t seed, unsigned *programmed)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    if (host_manager(&m, &h, arch, arch == RTM_MPU_ARCH_PMP ? 16u : 8u) != RTM_OK) {
        return 1u;
    }
    uint32_t rng = seed;
    const uintptr_t lo = 0x20000000u;
    const uintptr_t window = 0x2000u;
    static const rtm_perm_t perms[] = {
        0u, RTM_PERM_READ, RW, RX | CACHE, RW | UNPRIV, RTM_PERM_READ | UNPRIV, RW | RTM_PERM_EXEC | UNPRIV | CACHE,
        RW | CACHE,
    };
    unsigned bad = 0u;
    for (unsigned k = 0; k < 40u; k++) {
        size_t size = rtm_test_range(&rng, 1u, 64u) * (arch == RTM_MPU_ARCH_PMP ? 4u : 32u);
        uintptr_t base = lo + rtm_test_range(&rng, 0u, window / 32u) * 32u;
        if (arch == RTM_MPU_ARCH_ARMV7M && rtm_test_rand(&rng) % 4u != 0u) {
            /* Mostly shapes PMSAv7 can express: whole or subregion-trimmed blocks. */
            size_t block = (size_t)1u << rtm_test_range(&rng, 5u, 11u);
            size_t first = block >= 256u ? rtm_test_range(&rng, 0u, 7u) : 0u;
            size_t count = block >= 256u ? rtm_test_range(&rng, 1u, 8u - first) : 8u;
            base = lo + rtm_test_range(&rng, 0u, window / block - 1u) * block + first * (block / 8u);
            size = count * (block / 8u);
        }
        uint32_t flags = arch == RTM_MPU_ARCH_PMP && rtm_test_rand(&rng) % 8u == 0u ? RTM_MPU_REGION_LOCK : 0u;
        rtm_mpu_region_t r = region(base, size, perms[rtm_test_rand(&rng) % 8u], flags);
        uint32_t index = rtm_test_rand(&rng) % rtm_mpu_region_count(&m);
        if (rtm_mpu_set_region(&m, index, &r) == RTM_OK) {
            (*programmed)++;
        }
        if (k % 8u == 7u) {
            (void)rtm_mpu_enable(&m, rtm_test_rand(&rng) % 2u == 0u ? RTM_MPU_CTRL_PRIVDEFENA : 0u);
        }
        for (unsigned a = 0; a < 64u; a++) {
            uintptr_t addr = lo - 64u + rtm_test_range(&rng, 0u, window + 256u);
            static const uint32_t acc[] = {R_, W_, X_, R_ | U_, W_ | U_, X_ | U_};
            for (unsigned t = 0; t < 6u; t++) {
                if (both(&m, addr, acc[t]) == DISAGREE) {
                    bad++;
                }
            }
        }
    }
    return bad;
}

RTM_TEST(mpu, software_check_agrees_with_register_model)
{
    static const uint32_t arches[] = {RTM_MPU_ARCH_ARMV7M, RTM_MPU_ARCH_ARMV8M, RTM_MPU_ARCH_PMP};
    for (unsigned a = 0; a < 3u; a++) {
        for (uint32_t seed = 1u; seed <= 4u; seed++) {
            unsigned programmed = 0u;
            RTM_CHECK_EQ(cross_check(arches[a], seed * 7919u, &programmed), 0);
            RTM_CHECK(programmed > 5u); /* the run exercised real regions */
        }
    }
}

/* ---- violation handler and fault reporting ------------------------------------- */

struct seen {
    unsigned calls;
    rtm_mpu_fault_t last;
};

static void on_violation(void *user, const rtm_mpu_fault_t *f)
{
    struct seen *s = (struct seen *)user;
    s->calls++;
    s->last = *f;
}

RTM_TEST(mpu, violation_handler_gets_decoded_fault_and_region)
{
    rtm_mpu_t m;
    rtm_mpu_host_t h;
    struct seen seen;
    memset(&seen, 0, sizeof seen);
    RTM_CHECK_OK(host_manager(&m, &h, RTM_MPU_ARCH_ARMV7M, 8u));
    rtm_mpu_region_t guard = region(0x20001000u, 32u, 0u, 0u);
    uint32_t gi;
    RTM_CHECK_OK(rtm_mpu_add_region(&m, &guard, &gi));
    RTM_CHECK_OK(rtm_mpu_enable(&m, RTM_MPU_CTRL_PRIVDEFENA));
    /* No handler yet: reported and counted all the same. */
    RTM_CHECK_STATUS(rtm_mpu_enforce(&m, 0x20001004u, W_), RTM_ERR_ACCESS);
    RTM_CHECK_OK(rtm_mpu_set_violation_handler(&m, on_violation, &seen));
    RTM_CHECK_STATUS(rtm_mpu_enforce(&m, 0x20001008u, W_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(seen.calls, 1);
    RTM_CHECK_EQ(seen.last.kind, RTM_MPU_FAULT_SOFTWARE);
    RTM_CHECK_EQ(seen.last.address, 0x20001008u);
    RTM_CHECK_EQ(seen.last.region, gi);
    RTM_CHECK_EQ(seen.last.access, W_);
    RTM_CHECK_OK(rtm_mpu_enforce(&m, 0x20002000u, W_)); /* allowed: no call */
    RTM_CHECK_EQ(seen.calls, 1);
    /* A MemManage as QEMU reports it for a store into the guard. */
    rtm_mpu_fault_t f;
    RTM_CHECK_OK(rtm_mpu_fault_decode_arm(0x82u, 0u, 0x2000101Cu, 0u, &f));
    RTM_CHECK_OK(rtm_mpu_report_fault(&m, &f));
    RTM_CHECK_EQ(seen.calls, 2);
    RTM_CHECK_EQ(seen.last.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK_EQ(seen.last.address, 0x2000101Cu);
    RTM_CHECK_EQ(seen.last.region, gi);
    RTM_CHECK_EQ(f.region, gi);
    /* No valid address: no region. */
    RTM_CHECK_OK(rtm_mpu_fault_decode_arm(0x01u, 0u, 0x2000101Cu, 0u, &f));
    RTM_CHECK_OK(rtm_mpu_report_fault(&m, &f));
    RTM_CHECK_EQ(seen.last.region, RTM_MPU_NO_REGION);
    rtm_mpu_stats_t st;
    rtm_mpu_get_stats(&m, &st);
    RTM_CHECK_EQ(st.violations, 4);
    /* Removing the handler stops calls. */
    RTM_CHECK_OK(rtm_mpu_set_violation_handler(&m, NULL, NULL));
    RTM_CHECK_STATUS(rtm_mpu_enforce(&m, 0x20001008u, R_), RTM_ERR_ACCESS);
    RTM_CHECK_EQ(seen.calls, 3);
}

/* ---- fault decoding tables -------------------------------------------------- */

struct arm_case {
    uint32_t cfsr, hfsr, mmfar, bfar;
    uint32_t kind, access, flags;
    uint32_t address;
};

RTM_TEST(mpu, arm_fault_decoding_table)
{
    static const struct arm_case cases[] = {
        /* MemManage: DACCVIOL + MMARVALID (a store into a guard). */
        {0x00000082u, 0u, 0x20001004u, 0u, RTM_MPU_FAULT_DATA_ACCESS, 0u, RTM_MPU_FAULT_ADDR_VALID, 0x20001004u},
        /* Thread stack into its guard: DACCVIOL + MSTKERR + MMARVALID. */
        {0x00000092u, 0u, 0x20000FFCu, 0u, RTM_MPU_FAULT_DATA_ACCESS, 0u,
         RTM_MPU_FAULT_ADDR_VALID | RTM_MPU_FAULT_F_STACKING, 0x20000FFCu},
        /* IACCVIOL: never a valid MMFAR. */
        {0x00000001u, 0u, 0x1234u, 0u, RTM_MPU_FAULT_INSTR_ACCESS, X_, 0u, 0u},
        {0x00000010u, 0u, 0u, 0u, RTM_MPU_FAULT_STACKING, W_, 0u, 0u},
        {0x00000008u, 0u, 0u, 0u, RTM_MPU_FAULT_UNSTACKING, R_, 0u, 0u},
        {0x00000020u, 0u, 0u, 0u, RTM_MPU_FAULT_LAZY_FP, W_, 0u, 0u},
        /* MMARVALID alone is no fault. */
        {0x00000080u, 0u, 0x5u, 0u, RTM_MPU_FAULT_NONE, 0u, 0u, 0u},
        /* BusFault: PRECISERR + BFARVALID, IMPRECISERR, IBUSERR, STKERR, UNSTKERR. */
        {0x00008200u, 0u, 0u, 0x60000000u, RTM_MPU_FAULT_BUS, 0u, RTM_MPU_FAULT_ADDR_VALID, 0x60000000u},
        {0x00000400u, 0u, 0u, 0x60000000u, RTM_MPU_FAULT_BUS, 0u, RTM_MPU_FAULT_F_IMPRECISE, 0u},
        {0x00000100u, 0u, 0u, 0u, RTM_MPU_FAULT_BUS, X_, 0u, 0u},
        {0x00001000u, 0u, 0u, 0u, RTM_MPU_FAULT_STACKING, W_, 0u, 0u},
        {0x00000800u, 0u, 0u, 0u, RTM_MPU_FAULT_UNSTACKING, R_, 0u, 0u},
        {0x00002000u, 0u, 0u, 0u, RTM_MPU_FAULT_LAZY_FP, W_, 0u, 0u},
        /* UsageFault: STKOF (ARMv8-M stack limit), UNALIGNED, DIVBYZERO, UNDEFINSTR. */
        {0x00100000u, 0u, 0u, 0u, RTM_MPU_FAULT_STACK_LIMIT, W_, 0u, 0u},
        {0x01000000u, 0u, 0u, 0u, RTM_MPU_FAULT_MISALIGNED, 0u, 0u, 0u},
        {0x02000000u, 0u, 0u, 0u, RTM_MPU_FAULT_OTHER, 0u, 0u, 0u},
        {0x00010000u, 0u, 0u, 0u, RTM_MPU_FAULT_OTHER, 0u, 0u, 0u},
        /* Escalated MemManage; HardFault from a vector read; nothing at all. */
        {0x00000082u, 0x40000000u, 0x20001000u, 0u, RTM_MPU_FAULT_DATA_ACCESS, 0u,
         RTM_MPU_FAULT_ADDR_VALID | RTM_MPU_FAULT_F_ESCALATED, 0x20001000u},
        {0u, 0x00000002u, 0u, 0u, RTM_MPU_FAULT_HARD, 0u, 0u, 0u},
        {0u, 0x40000000u, 0u, 0u, RTM_MPU_FAULT_HARD, 0u, RTM_MPU_FAULT_F_ESCALATED, 0u},
        {0u, 0u, 0u, 0u, RTM_MPU_FAULT_NONE, 0u, 0u, 0u},
        /* MemManage takes precedence over a simultaneous bus fault. */
        {0x00008282u, 0u, 0x20000000u, 0x1u, RTM_MPU_FAULT_DATA_ACCESS, 0u, RTM_MPU_FAULT_ADDR_VALID, 0x20000000u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct arm_case *c = &cases[i];
        rtm_mpu_fault_t f;
        memset(&f, 0xA5, sizeof f);
        RTM_CHECK_OK(rtm_mpu_fault_decode_arm(c->cfsr, c->hfsr, c->mmfar, c->bfar, &f));
        RTM_CHECK_EQ(f.kind, c->kind);
        RTM_CHECK_EQ(f.access, c->access);
        RTM_CHECK_EQ(f.flags, c->flags);
        RTM_CHECK_EQ(f.address, c->address);
        RTM_CHECK_EQ(f.status, c->cfsr);
        RTM_CHECK_EQ(f.detail, c->hfsr);
        RTM_CHECK_EQ(f.region, RTM_MPU_NO_REGION);
    }
    RTM_CHECK_STATUS(rtm_mpu_fault_decode_arm(0x82u, 0u, 0u, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_fault_capture_arm(false, NULL), RTM_ERR_INVALID_ARG);
}

RTM_TEST(mpu, rv32_fault_decoding_table)
{
    static const struct {
        uint32_t mcause, mtval, kind, access;
        bool addr;
    } cases[] = {
        {7u, 0x80001000u, RTM_MPU_FAULT_DATA_ACCESS, W_, true},
        {5u, 0x80001004u, RTM_MPU_FAULT_DATA_ACCESS, R_, true},
        {1u, 0x80000100u, RTM_MPU_FAULT_INSTR_ACCESS, X_, true},
        {0u, 0x80000102u, RTM_MPU_FAULT_MISALIGNED, X_, true},
        {4u, 0x80000003u, RTM_MPU_FAULT_MISALIGNED, R_, true},
        {6u, 0x80000005u, RTM_MPU_FAULT_MISALIGNED, W_, true},
        {12u, 0x1000u, RTM_MPU_FAULT_INSTR_ACCESS, X_, true},
        {13u, 0x2000u, RTM_MPU_FAULT_DATA_ACCESS, R_, true},
        {15u, 0x3000u, RTM_MPU_FAULT_DATA_ACCESS, W_, true},
        {2u, 0xDEADBEEFu, RTM_MPU_FAULT_OTHER, 0u, false}, /* illegal instruction: mtval is the opcode */
        {11u, 0u, RTM_MPU_FAULT_OTHER, 0u, false},
        {0x80000007u, 0u, RTM_MPU_FAULT_NONE, 0u, false}, /* machine timer interrupt */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rtm_mpu_fault_t f;
        memset(&f, 0x5A, sizeof f);
        RTM_CHECK_OK(rtm_mpu_fault_decode_rv32(cases[i].mcause, cases[i].mtval, &f));
        RTM_CHECK_EQ(f.kind, cases[i].kind);
        RTM_CHECK_EQ(f.access, cases[i].access);
        RTM_CHECK_EQ(f.flags, cases[i].addr ? RTM_MPU_FAULT_ADDR_VALID : 0u);
        RTM_CHECK_EQ(f.address, cases[i].addr ? cases[i].mtval : 0u);
        RTM_CHECK_EQ(f.status, cases[i].mcause);
        RTM_CHECK_EQ(f.detail, cases[i].mtval);
    }
    RTM_CHECK_STATUS(rtm_mpu_fault_decode_rv32(7u, 0u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_mpu_fault_capture_rv32(NULL), RTM_ERR_INVALID_ARG);
}

/* ---- the hardware back ends over a RAM stand-in for the register block ---------- */

RTM_TEST(mpu, armv7m_backend_register_sequence)
{
    uint32_t regs[14];
    memset(regs, 0, sizeof regs);
    regs[0] = 8u << 8; /* MPU_TYPE.DREGION = 8 */
    rtm_mpu_backend_t be = rtm_mpu_armv7m_backend(regs);
    rtm_mpu_t m;
    RTM_CHECK_OK(rtm_mpu_init(&m, &be));
    RTM_CHECK_EQ(rtm_mpu_region_count(&m), 8);
    rtm_mpu_region_t r = region(0x20000020u, 0x60u, RW | UNPRIV | CACHE, 0u);
    RTM_CHECK_OK(rtm_mpu_set_region(&m, 3u, &r));
    RTM_CHECK_EQ(regs[2], 3u);                       /* RNR */
    RTM_CHECK_EQ(regs[3], V7_RBAR(0x20000000u, 3)); /* RBAR */
    RTM_CHECK_EQ(regs[4], 0x130BF10Fu);              /* RASR */
    RTM_CHECK_OK(rtm_mpu_enable(&m, RTM_MPU_CTRL_PRIVDEFENA | RTM_MPU_CTRL_HFNMIENA));
    RTM_CHECK_EQ(regs[1], 0x7u);
    RTM_CHECK_OK(rtm_mpu_clear_region(&m, 3u));
    RTM_CHECK_EQ(regs[4], 0u);
    RTM_CHECK_OK(rtm_mpu_disable(&m));
    RTM_CHECK_EQ(regs[1], 0u);
    /* The hardware back end has no model: check_backend is unsupported. */
    RTM_CHECK_STATUS(rtm_mpu_check_backend(&m, 0u, R_), RTM_ERR_UNSUPPORTED);
    /* A unit without regions (DREGION 0) is refused. */
    regs[0] = 0u;
    RTM_CHECK_STATUS(rtm_mpu_init(&m, &be), RTM_ERR_UNSUPPORTED);
}

RTM_TEST(mpu, armv8m_backend_register_sequence)
{
    uint32_t regs[14];
    memset(regs, 0, sizeof regs);
    regs[0] = 16u << 8;
    rtm_mpu_backend_t be = rtm_mpu_armv8m_backend(regs);
    rtm_mpu_t m;
    RTM_CHECK_OK(rtm_mpu_init(&m, &be));
    RTM_CHECK_EQ(rtm_mpu_region_count(&m), 16);
    RTM_CHECK_EQ(rtm_mpu_arch(&m), RTM_MPU_ARCH_ARMV8M);
    rtm_mpu_region_t r = region(0x38000000u, 0x1000u, RW | CACHE, 0u);
    uint32_t idx = 0u;
    RTM_CHECK_OK(rtm_mpu_add_region(&m, &r, &idx));
    RTM_CHECK_EQ(idx, 15);
    RTM_CHECK_EQ(regs[2], 15u);
    RTM_CHECK_EQ(regs[3], V8_RBAR(0x38000000u, 0, 0, 1));
    RTM_CHECK_EQ(regs[4], V8_RLAR(0x38000FFFu, 0));
    RTM_CHECK_EQ(regs[12], RTM_MPU_ARMV8M_MAIR0);
    RTM_CHECK_OK(rtm_mpu_enable(&m, RTM_MPU_CTRL_PRIVDEFENA));
    RTM_CHECK_EQ(regs[1], 0x5u);
}

RTM_TEST(mpu, hardware_backends_only_where_they_exist)
{
    rtm_mpu_t m;
    rtm_mpu_backend_t pmp_be = rtm_mpu_pmp_backend(0u);
#if defined(__riscv) && (__riscv_xlen == 32)
    RTM_CHECK_OK(rtm_mpu_init(&m, &pmp_be));
    RTM_CHECK_EQ(rtm_mpu_region_count(&m), 16);
#else
    RTM_CHECK_STATUS(rtm_mpu_init(&m, &pmp_be), RTM_ERR_UNSUPPORTED);
#endif
#if !defined(__ARM_ARCH)
    rtm_mpu_backend_t v7_be = rtm_mpu_armv7m_backend(NULL);
    RTM_CHECK_STATUS(rtm_mpu_init(&m, &v7_be), RTM_ERR_UNSUPPORTED);
#endif
    /* Stack-limit registers: alignment is checked everywhere. */
    RTM_CHECK_STATUS(rtm_mpu_set_psplim(0x20000004u), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_mpu_get_psplim(NULL), RTM_ERR_INVALID_ARG);
#if defined(__ARM_ARCH_8M_MAIN__)
    uintptr_t lim = 1u;
    RTM_CHECK_OK(rtm_mpu_get_psplim(&lim));
    RTM_CHECK_OK(rtm_mpu_set_psplim(lim));
#else
    RTM_CHECK_STATUS(rtm_mpu_set_psplim(0x20000000u), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(rtm_mpu_set_msplim(0x20000000u), RTM_ERR_UNSUPPORTED);
#endif
}
