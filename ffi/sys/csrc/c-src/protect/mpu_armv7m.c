/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * ARMv7-M PMSAv7 back end: region encoding (pure) and register programming.
 *
 *   MPU_RBAR  31            5  4     3    0
 *            +---------------+-----+------+
 *            |     ADDR      |VALID|REGION|     ADDR: region base, aligned to its size
 *            +---------------+-----+------+
 *
 *   MPU_RASR  31 29 28 27 26 24 23 22 21 19 18 17 16 15   8 7 6 5    1  0
 *            +-----+--+--+-----+-----+-----+--+--+--+------+---+------+--+
 *            |  -  |XN| -| AP  |  -  | TEX |S |C |B | SRD  | - | SIZE |EN|
 *            +-----+--+--+-----+-----+-----+--+--+--+------+---+------+--+
 *
 * Region size 2^(SIZE+1), 32 bytes .. 4 GiB, base naturally aligned. A region
 * of 256 bytes or more has eight equal subregions; SRD bit i set removes
 * subregion i (lowest address first) from the region, so accesses there are
 * decided by lower-numbered regions or the background map.
 */
#include "mpu_internal.h"

#define RBAR_VALID 0x10u
#define RASR_ENABLE 0x1u
#define RASR_SIZE_SHIFT 1u
#define RASR_SRD_SHIFT 8u
#define RASR_B (1u << 16)
#define RASR_C (1u << 17)
#define RASR_TEX_SHIFT 19u
#define RASR_AP_SHIFT 24u
#define RASR_XN (1u << 28)
#define MPU_TYPE_DREGION_SHIFT 8u

/* AP encodings used (the others -- 010 privileged RW + unprivileged RO, 100 and
 * 111 -- are not produced; the host model decodes all of them). */
#define AP_NONE 0u
#define AP_PRIV_RW 1u
#define AP_ALL_RW 3u
#define AP_PRIV_RO 5u
#define AP_ALL_RO 6u

static rtm_status_t encode_ap(rtm_perm_t perm, uint32_t *ap)
{
    bool r = (perm & RTM_PERM_READ) != 0u;
    bool w = (perm & RTM_PERM_WRITE) != 0u;
    bool x = (perm & RTM_PERM_EXEC) != 0u;
    bool unpriv = (perm & RTM_PERM_UNPRIV) != 0u;
    if ((w || x) && !r) {
        return RTM_ERR_UNSUPPORTED; /* no write-only AP; fetches need read permission */
    }
    if (x && (perm & RTM_PERM_CACHEABLE) == 0u) {
        return RTM_ERR_UNSUPPORTED; /* code runs from normal memory only */
    }
    if (!r) {
        *ap = AP_NONE;
    } else if (w) {
        *ap = unpriv ? AP_ALL_RW : AP_PRIV_RW;
    } else {
        *ap = unpriv ? AP_ALL_RO : AP_PRIV_RO;
    }
    return RTM_OK;
}

/* Find the smallest PMSAv7 region (log2 size k, base, SRD) that covers
 * [lo, hi) exactly. Returns false when none does. */
static bool find_region(uint64_t lo, uint64_t hi, uint32_t *k_out, uint64_t *base_out, uint32_t *srd_out)
{
    uint64_t size = hi - lo;
    uint32_t k = 5u;
    while (((uint64_t)1u << k) < size) {
        k++;
    }
    for (; k <= 32u; k++) {
        uint64_t rsize = (uint64_t)1u << k;
        uint64_t rbase = lo & ~(rsize - 1u);
        if (rbase + rsize < hi) {
            continue;
        }
        if (k < 8u) {
            /* No subregions below 256 bytes: only an exact match will do. */
            if (rbase == lo && rsize == size) {
                *k_out = k;
                *base_out = rbase;
                *srd_out = 0u;
                return true;
            }
            continue;
        }
        uint64_t sub = rsize / 8u;
        if (((lo - rbase) % sub) != 0u || ((hi - rbase) % sub) != 0u) {
            continue;
        }
        uint32_t first = (uint32_t)((lo - rbase) / sub);
        uint32_t last = (uint32_t)((hi - rbase) / sub); /* exclusive */
        uint32_t keep = ((1u << last) - 1u) & ~((1u << first) - 1u);
        *k_out = k;
        *base_out = rbase;
        *srd_out = ~keep & 0xFFu;
        return true;
    }
    return false;
}

rtm_status_t rtm_mpu_armv7m_encode(const rtm_mpu_region_t *r, uint32_t index, rtm_mpu_armv7m_regs_t *out)
{
    if (r == NULL || out == NULL || index > 15u || (r->perm & ~PERM_ALL) != 0u || !region_in_32bit(r)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (r->flags != 0u) {
        return RTM_ERR_UNSUPPORTED;
    }
    uint32_t ap;
    rtm_status_t s = encode_ap(r->perm, &ap);
    if (s != RTM_OK) {
        return s;
    }
    uint32_t k;
    uint64_t rbase;
    uint32_t srd;
    if (!find_region((uint64_t)r->base, (uint64_t)r->base + (uint64_t)r->size, &k, &rbase, &srd)) {
        return RTM_ERR_ALIGNMENT;
    }
    uint32_t attr = (r->perm & RTM_PERM_CACHEABLE) != 0u ? ((1u << RASR_TEX_SHIFT) | RASR_C | RASR_B) : RASR_B;
    out->rbar = (uint32_t)rbase | RBAR_VALID | index;
    out->rasr = RASR_ENABLE | ((k - 1u) << RASR_SIZE_SHIFT) | (srd << RASR_SRD_SHIFT) | attr |
                (ap << RASR_AP_SHIFT) | ((r->perm & RTM_PERM_EXEC) != 0u ? 0u : RASR_XN);
    return RTM_OK;
}

/* ---- the back end ---------------------------------------------------------- */

/* ARMv6-M (Cortex-M0+) implements a subset of PMSAv7: regions of 256 bytes and
 * more, and no TEX field (RES0). Built for it, the back end refuses smaller
 * regions and leaves TEX 0 (normal memory is then C=1 B=1: write-back). The
 * pure encoder above stays the ARMv7-M one on every build. */
#if defined(__ARM_ARCH_6M__)
#define ARMV6M 1
#else
#define ARMV6M 0
#endif

static rtm_status_t encode_for_this_core(const rtm_mpu_region_t *r, uint32_t index, rtm_mpu_armv7m_regs_t *v)
{
    rtm_status_t s = rtm_mpu_armv7m_encode(r, index, v);
    if (s == RTM_OK && ARMV6M) {
        if (((v->rasr >> RASR_SIZE_SHIFT) & 31u) + 1u < 8u) {
            return RTM_ERR_ALIGNMENT;
        }
        v->rasr &= ~(7u << RASR_TEX_SHIFT);
    }
    return s;
}

static rtm_status_t v7_probe(void *ctx, rtm_mpu_info_t *out)
{
    void *regs = arm_mpu_regs(ctx);
    if (regs == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    out->arch = RTM_MPU_ARCH_ARMV7M;
    out->regions = (reg_read(regs, ARM_MPU_TYPE) >> MPU_TYPE_DREGION_SHIFT) & 0xFFu;
    out->caps = RTM_MPU_CAP_GLOBAL_ENABLE;
    out->reserved = 0u;
    return RTM_OK;
}

static rtm_status_t v7_validate(void *ctx, const rtm_mpu_region_t *r, uint32_t *span)
{
    (void)ctx;
    rtm_mpu_armv7m_regs_t regs;
    rtm_status_t s = encode_for_this_core(r, 0u, &regs);
    if (s == RTM_OK && span != NULL) {
        *span = 1u;
    }
    return s;
}

static rtm_status_t v7_write(void *ctx, uint32_t index, const rtm_mpu_region_t *r)
{
    void *regs = arm_mpu_regs(ctx);
    if (regs == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    rtm_mpu_armv7m_regs_t v = {0u, 0u};
    if (r != NULL) {
        rtm_status_t s = encode_for_this_core(r, index, &v);
        if (s != RTM_OK) {
            return s;
        }
    } else if (index > 15u) {
        return RTM_ERR_INVALID_ARG;
    }
    /* Disable the slot first so no half-written region is ever live. */
    reg_write(regs, ARM_MPU_RNR, index);
    reg_write(regs, ARM_MPU_RASR, 0u);
    if (r != NULL) {
        reg_write(regs, ARM_MPU_RBAR, v.rbar);
        reg_write(regs, ARM_MPU_RASR, v.rasr);
    }
    arm_mpu_sync();
    return RTM_OK;
}

static rtm_status_t v7_control(void *ctx, uint32_t ctrl)
{
    void *regs = arm_mpu_regs(ctx);
    if (regs == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    arm_mpu_sync(); /* finish outstanding accesses under the old map */
    reg_write(regs, ARM_MPU_CTRL, ctrl & (RTM_MPU_CTRL_ENABLE | RTM_MPU_CTRL_HFNMIENA | RTM_MPU_CTRL_PRIVDEFENA));
    arm_mpu_sync();
    return RTM_OK;
}

static const rtm_mpu_ops_t armv7m_ops = {
    sizeof(rtm_mpu_ops_t), 0u, v7_probe, v7_validate, v7_write, v7_control, NULL,
};

rtm_mpu_backend_t rtm_mpu_armv7m_backend(void *regs)
{
    rtm_mpu_backend_t be = {&armv7m_ops, regs};
    return be;
}
