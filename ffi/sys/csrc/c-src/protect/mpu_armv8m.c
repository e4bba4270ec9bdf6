/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ARMv8-M PMSAv8 back end: region encoding (pure), register programming, and
 * the PSPLIM/MSPLIM stack-limit registers.
 *
 *   MPU_RBAR  31               5 4  3 2  1 0
 *            +------------------+----+----+--+
 *            |      BASE        | SH | AP |XN|     region = [BASE:00000,
 *            +------------------+----+----+--+              LIMIT:11111]
 *   MPU_RLAR  31               5 4 3      1 0
 *            +------------------+-+--------+--+
 *            |      LIMIT       |-|AttrIndx|EN|
 *            +------------------+-+--------+--+
 *
 * Attributes come from MAIR0/MAIR1 (one byte per index); this back end uses
 * index 0 = 0xFF (normal, write-back, read/write-allocate) and index 1 = 0x04
 * (Device-nGnRE). Regions are 32-byte granular; an address in two enabled
 * regions faults, so the manager refuses overlaps.
 */
#include "mpu_internal.h"

#define RBAR_AP_SHIFT 1u
#define RBAR_XN 0x1u
#define RLAR_EN 0x1u
#define RLAR_ATTR_SHIFT 1u
#define GRANULE 32u

/* Does this build have PSPLIM/MSPLIM? Mainline always; Baseline only in the
 * Secure state (CMSE, compiled with -mcmse). */
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__) || \
    (defined(__ARM_ARCH_8M_BASE__) && defined(__ARM_FEATURE_CMSE) && (__ARM_FEATURE_CMSE & 2))
#define HAVE_SPLIM 1
#else
#define HAVE_SPLIM 0
#endif

rtm_status_t rtm_mpu_armv8m_encode(const rtm_mpu_region_t *r, rtm_mpu_armv8m_regs_t *out)
{
    if (r == NULL || out == NULL || (r->perm & ~PERM_ALL) != 0u || !region_in_32bit(r)) {
        return RTM_ERR_INVALID_ARG;
    }
    if ((r->base % GRANULE) != 0u || (r->size % GRANULE) != 0u) {
        return RTM_ERR_ALIGNMENT;
    }
    if (r->flags != 0u || (r->perm & RTM_PERM_READ) == 0u ||
        ((r->perm & RTM_PERM_EXEC) != 0u && (r->perm & RTM_PERM_CACHEABLE) == 0u)) {
        return RTM_ERR_UNSUPPORTED;
    }
    uint32_t ap = ((r->perm & RTM_PERM_WRITE) != 0u ? 0u : 2u) | ((r->perm & RTM_PERM_UNPRIV) != 0u ? 1u : 0u);
    uint32_t attr = (r->perm & RTM_PERM_CACHEABLE) != 0u ? RTM_MPU_ARMV8M_ATTR_NORMAL : RTM_MPU_ARMV8M_ATTR_DEVICE;
    uint32_t last = (uint32_t)((uint64_t)r->base + (uint64_t)r->size - 1u);
    out->rbar = (uint32_t)r->base | (ap << RBAR_AP_SHIFT) | ((r->perm & RTM_PERM_EXEC) != 0u ? 0u : RBAR_XN);
    out->rlar = (last & ~(GRANULE - 1u)) | (attr << RLAR_ATTR_SHIFT) | RLAR_EN;
    return RTM_OK;
}

/* ---- the back end ---------------------------------------------------------- */

static rtm_status_t v8_probe(void *ctx, rtm_mpu_info_t *out)
{
    void *regs = arm_mpu_regs(ctx);
    if (regs == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    out->arch = RTM_MPU_ARCH_ARMV8M;
    out->regions = (reg_read(regs, ARM_MPU_TYPE) >> 8) & 0xFFu;
    out->caps = RTM_MPU_CAP_GLOBAL_ENABLE;
    out->reserved = 0u;
    return RTM_OK;
}

static rtm_status_t v8_validate(void *ctx, const rtm_mpu_region_t *r, uint32_t *span)
{
    (void)ctx;
    rtm_mpu_armv8m_regs_t regs;
    rtm_status_t s = rtm_mpu_armv8m_encode(r, &regs);
    if (s == RTM_OK && span != NULL) {
        *span = 1u;
    }
    return s;
}

static rtm_status_t v8_write(void *ctx, uint32_t index, const rtm_mpu_region_t *r)
{
    void *regs = arm_mpu_regs(ctx);
    if (regs == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    if (index > 255u) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_mpu_armv8m_regs_t v = {0u, 0u};
    if (r != NULL) {
        rtm_status_t s = rtm_mpu_armv8m_encode(r, &v);
        if (s != RTM_OK) {
            return s;
        }
        reg_write(regs, ARM_MPU_MAIR0, RTM_MPU_ARMV8M_MAIR0);
    }
    reg_write(regs, ARM_MPU_RNR, index);
    reg_write(regs, ARM_MPU_RASR, 0u); /* RLAR: disable the slot first */
    if (r != NULL) {
        reg_write(regs, ARM_MPU_RBAR, v.rbar);
        reg_write(regs, ARM_MPU_RASR, v.rlar);
    }
    arm_mpu_sync();
    return RTM_OK;
}

static rtm_status_t v8_control(void *ctx, uint32_t ctrl)
{
    void *regs = arm_mpu_regs(ctx);
    if (regs == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    arm_mpu_sync();
    if ((ctrl & RTM_MPU_CTRL_ENABLE) != 0u) {
        reg_write(regs, ARM_MPU_MAIR0, RTM_MPU_ARMV8M_MAIR0);
    }
    reg_write(regs, ARM_MPU_CTRL, ctrl & (RTM_MPU_CTRL_ENABLE | RTM_MPU_CTRL_HFNMIENA | RTM_MPU_CTRL_PRIVDEFENA));
    arm_mpu_sync();
    return RTM_OK;
}

static const rtm_mpu_ops_t armv8m_ops = {
    sizeof(rtm_mpu_ops_t), 0u, v8_probe, v8_validate, v8_write, v8_control, NULL,
};

rtm_mpu_backend_t rtm_mpu_armv8m_backend(void *regs)
{
    rtm_mpu_backend_t be = {&armv8m_ops, regs};
    return be;
}

/* ---- stack limits ---------------------------------------------------------- */

static rtm_status_t check_limit(uintptr_t limit)
{
    uint64_t wide = limit;
    if (wide >= ADDR_SPACE_END) {
        return RTM_ERR_INVALID_ARG;
    }
    if ((limit & 7u) != 0u) {
        return RTM_ERR_ALIGNMENT;
    }
    return HAVE_SPLIM ? RTM_OK : RTM_ERR_UNSUPPORTED;
}

rtm_status_t rtm_mpu_set_psplim(uintptr_t limit)
{
    rtm_status_t s = check_limit(limit);
    if (s != RTM_OK) {
        return s;
    }
#if HAVE_SPLIM
    __asm__ volatile("msr psplim, %0\n\tisb 0xf" : : "r"(limit) : "memory");
#endif
    return RTM_OK;
}

rtm_status_t rtm_mpu_set_msplim(uintptr_t limit)
{
    rtm_status_t s = check_limit(limit);
    if (s != RTM_OK) {
        return s;
    }
#if HAVE_SPLIM
    __asm__ volatile("msr msplim, %0\n\tisb 0xf" : : "r"(limit) : "memory");
#endif
    return RTM_OK;
}

rtm_status_t rtm_mpu_get_psplim(uintptr_t *out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
#if HAVE_SPLIM
    uintptr_t v;
    __asm__ volatile("mrs %0, psplim" : "=r"(v));
    *out = v;
    return RTM_OK;
#else
    *out = 0u;
    return RTM_ERR_UNSUPPORTED;
#endif
}
