/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The host model back end: a register file in RAM written through the same
 * encoders as the hardware back ends, and an access checker that reads those
 * registers back with the architecture's rules. The checker is written against
 * the register fields (not the portable region model), so comparing it with
 * rtm_mpu_check_access tests the encoders end to end.
 */
#include "mpu_internal.h"

/* ---- access decisions from register fields ----------------------------------- */

/* PMSAv7 AP field: may this privilege level read / write? */
static bool v7_ap_read(uint32_t ap, bool priv)
{
    switch (ap) {
    case 1u:
    case 5u:
        return priv;
    case 2u:
    case 3u:
    case 6u:
    case 7u:
        return true;
    default:
        return false; /* 000 no access, 100 reserved */
    }
}

static bool v7_ap_write(uint32_t ap, bool priv)
{
    return ap == 3u || (priv && (ap == 1u || ap == 2u));
}

static bool arm_decide(bool can_read, bool can_write, bool xn, uint32_t type)
{
    if (type == RTM_MPU_ACCESS_READ) {
        return can_read;
    }
    if (type == RTM_MPU_ACCESS_WRITE) {
        return can_write;
    }
    return can_read && !xn;
}

static rtm_status_t check_v7(const rtm_mpu_host_t *h, uint64_t a, bool priv, uint32_t type, uintptr_t addr)
{
    for (uint32_t i = h->regions; i-- > 0u;) {
        uint32_t rasr = h->reg_b[i];
        uint32_t k = ((rasr >> 1) & 31u) + 1u;
        if ((rasr & 1u) == 0u || k < 5u) {
            continue;
        }
        uint64_t rsize = (uint64_t)1u << k;
        uint64_t rbase = (uint64_t)(h->reg_a[i] & 0xFFFFFFE0u) & ~(rsize - 1u);
        if (a < rbase || a >= rbase + rsize) {
            continue;
        }
        if (k >= 8u) {
            uint32_t sub = (uint32_t)((a - rbase) / (rsize / 8u));
            if (((rasr >> (8u + sub)) & 1u) != 0u) {
                continue; /* disabled subregion: not part of this region */
            }
        }
        uint32_t ap = (rasr >> 24) & 7u;
        bool ok = arm_decide(v7_ap_read(ap, priv), v7_ap_write(ap, priv), (rasr & (1u << 28)) != 0u, type);
        return ok ? RTM_OK : RTM_ERR_ACCESS;
    }
    bool bg = priv && (h->ctrl & RTM_MPU_CTRL_PRIVDEFENA) != 0u && arm_default_map_allows(addr, type);
    return bg ? RTM_OK : RTM_ERR_ACCESS;
}

static rtm_status_t check_v8(const rtm_mpu_host_t *h, uint64_t a, bool priv, uint32_t type, uintptr_t addr)
{
    uint32_t matches = 0u;
    uint32_t hit = 0u;
    for (uint32_t i = 0; i < h->regions; i++) {
        uint32_t rlar = h->reg_b[i];
        if ((rlar & 1u) == 0u) {
            continue;
        }
        uint64_t lo = h->reg_a[i] & 0xFFFFFFE0u;
        uint64_t hi = (uint64_t)(rlar & 0xFFFFFFE0u) + 32u; /* LIMIT is inclusive of its granule */
        if (a >= lo && a < hi) {
            matches++;
            hit = i;
        }
    }
    if (matches > 1u) {
        return RTM_ERR_ACCESS; /* PMSAv8: an address in two regions always faults */
    }
    if (matches == 0u) {
        bool bg = priv && (h->ctrl & RTM_MPU_CTRL_PRIVDEFENA) != 0u && arm_default_map_allows(addr, type);
        return bg ? RTM_OK : RTM_ERR_ACCESS;
    }
    uint32_t rbar = h->reg_a[hit];
    uint32_t ap = (rbar >> 1) & 3u;
    bool ro = (ap & 2u) != 0u;
    bool any = (ap & 1u) != 0u;
    bool can_read = priv || any;
    bool can_write = can_read && !ro;
    /* Fetches from Device memory (AttrIndx naming a device attribute) fault. */
    uint32_t attr_index = (h->reg_b[hit] >> 1) & 7u;
    uint32_t attr = attr_index < 4u ? (h->mair0 >> (attr_index * 8u)) & 0xFFu : 0u;
    bool device = (attr & 0xF0u) == 0u;
    bool ok = arm_decide(can_read, can_write, (rbar & 1u) != 0u || device, type);
    return ok ? RTM_OK : RTM_ERR_ACCESS;
}

/* Number of trailing one bits of v (32 for all ones). */
static uint32_t trailing_ones(uint32_t v)
{
    uint32_t n = 0u;
    while (n < 32u && (v & 1u) != 0u) {
        v >>= 1;
        n++;
    }
    return n;
}

static rtm_status_t check_pmp(const rtm_mpu_host_t *h, uint64_t a, bool priv, uint32_t type)
{
    for (uint32_t i = 0; i < h->regions; i++) {
        uint32_t cfg = h->reg_b[i];
        uint32_t mode = cfg & RTM_MPU_PMP_A_NAPOT;
        uint64_t lo;
        uint64_t hi;
        if (mode == RTM_MPU_PMP_A_OFF) {
            continue;
        } else if (mode == RTM_MPU_PMP_A_TOR) {
            lo = i == 0u ? 0u : (uint64_t)h->reg_a[i - 1u] << 2;
            hi = (uint64_t)h->reg_a[i] << 2;
        } else if (mode == RTM_MPU_PMP_A_NA4) {
            lo = (uint64_t)h->reg_a[i] << 2;
            hi = lo + 4u;
        } else {
            uint32_t t = trailing_ones(h->reg_a[i]);
            uint64_t keep = t >= 32u ? 0u : ~(((uint64_t)1u << t) - 1u) & 0xFFFFFFFFu;
            lo = ((uint64_t)h->reg_a[i] & keep) << 2;
            hi = lo + ((uint64_t)8u << t);
        }
        if (a < lo || a >= hi) {
            continue;
        }
        if (priv && (cfg & RTM_MPU_PMP_L) == 0u) {
            return RTM_OK; /* unlocked entries do not bind machine mode */
        }
        return (cfg & type) != 0u ? RTM_OK : RTM_ERR_ACCESS;
    }
    return priv ? RTM_OK : RTM_ERR_ACCESS;
}

rtm_status_t rtm_mpu_host_check_access(const rtm_mpu_host_t *h, uintptr_t addr, uint32_t access)
{
    if (h == NULL || !access_valid(access)) {
        return RTM_ERR_INVALID_ARG;
    }
    bool priv = (access & RTM_MPU_ACCESS_UNPRIV) == 0u;
    uint32_t type = access & ~RTM_MPU_ACCESS_UNPRIV;
    uint64_t a = (uint64_t)addr;
    if (h->arch == RTM_MPU_ARCH_PMP) {
        return check_pmp(h, a, priv, type);
    }
    if ((h->ctrl & RTM_MPU_CTRL_ENABLE) == 0u) {
        return RTM_OK;
    }
    return h->arch == RTM_MPU_ARCH_ARMV7M ? check_v7(h, a, priv, type, addr) : check_v8(h, a, priv, type, addr);
}

/* ---- the back end ------------------------------------------------------------ */

rtm_status_t rtm_mpu_host_init(rtm_mpu_host_t *h, uint32_t arch, uint32_t regions)
{
    if (h == NULL || arch < RTM_MPU_ARCH_ARMV7M || arch > RTM_MPU_ARCH_PMP || regions == 0u ||
        regions > RTM_MPU_MAX_REGIONS) {
        return RTM_ERR_INVALID_ARG;
    }
    fill_bytes(h, 0u, sizeof *h);
    h->arch = arch;
    h->regions = regions;
    return RTM_OK;
}

static rtm_status_t host_probe(void *ctx, rtm_mpu_info_t *out)
{
    const rtm_mpu_host_t *h = (const rtm_mpu_host_t *)ctx;
    out->arch = h->arch;
    out->regions = h->regions;
    out->caps = h->arch == RTM_MPU_ARCH_PMP ? 0u : RTM_MPU_CAP_GLOBAL_ENABLE;
    out->reserved = 0u;
    return RTM_OK;
}

static rtm_status_t host_validate(void *ctx, const rtm_mpu_region_t *r, uint32_t *span)
{
    const rtm_mpu_host_t *h = (const rtm_mpu_host_t *)ctx;
    rtm_status_t s;
    uint32_t n = 1u;
    if (h->arch == RTM_MPU_ARCH_ARMV7M) {
        rtm_mpu_armv7m_regs_t v;
        s = rtm_mpu_armv7m_encode(r, 0u, &v);
    } else if (h->arch == RTM_MPU_ARCH_ARMV8M) {
        rtm_mpu_armv8m_regs_t v;
        s = rtm_mpu_armv8m_encode(r, &v);
    } else {
        rtm_mpu_pmp_regs_t v;
        s = rtm_mpu_pmp_encode(r, &v);
        n = v.entries;
    }
    if (s == RTM_OK && span != NULL) {
        *span = n;
    }
    return s;
}

/* Would the hardware ignore a write to PMP entry i's cfg or address? */
static bool pmp_cfg_locked(const rtm_mpu_host_t *h, uint32_t i)
{
    return (h->reg_b[i] & RTM_MPU_PMP_L) != 0u;
}

static bool pmp_addr_locked(const rtm_mpu_host_t *h, uint32_t i)
{
    return pmp_cfg_locked(h, i) || (i + 1u < h->regions && pmp_cfg_locked(h, i + 1u) &&
                                    (h->reg_b[i + 1u] & RTM_MPU_PMP_A_NAPOT) == RTM_MPU_PMP_A_TOR);
}

static rtm_status_t host_write_pmp(rtm_mpu_host_t *h, uint32_t index, const rtm_mpu_region_t *r)
{
    rtm_mpu_pmp_regs_t v = {{0u, 0u}, {0u, 0u}, 1u, 0u};
    if (r != NULL) {
        rtm_status_t s = rtm_mpu_pmp_encode(r, &v);
        if (s != RTM_OK) {
            return s;
        }
    }
    if (index >= h->regions || v.entries > h->regions - index) {
        return RTM_ERR_INVALID_ARG;
    }
    /* Same sequence as the CSR back end: off, address, then arm; locked
     * registers ignore the writes as the hardware's do. */
    for (uint32_t e = 0; e < v.entries; e++) {
        uint32_t i = index + e;
        if (!pmp_cfg_locked(h, i)) {
            h->reg_b[i] = RTM_MPU_PMP_A_OFF;
        }
        if (!pmp_addr_locked(h, i)) {
            h->reg_a[i] = v.addr[e];
        }
        h->writes += 2u;
    }
    for (uint32_t e = 0; e < v.entries; e++) {
        uint32_t i = index + e;
        if (!pmp_cfg_locked(h, i)) {
            h->reg_b[i] = v.cfg[e] & 0xFFu;
        }
        h->writes++;
    }
    return RTM_OK;
}

static rtm_status_t host_write(void *ctx, uint32_t index, const rtm_mpu_region_t *r)
{
    rtm_mpu_host_t *h = (rtm_mpu_host_t *)ctx;
    if (h->arch == RTM_MPU_ARCH_PMP) {
        return host_write_pmp(h, index, r);
    }
    if (index >= h->regions) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t a = 0u;
    uint32_t b = 0u;
    if (r != NULL && h->arch == RTM_MPU_ARCH_ARMV7M) {
        rtm_mpu_armv7m_regs_t v;
        rtm_status_t s = rtm_mpu_armv7m_encode(r, index, &v);
        if (s != RTM_OK) {
            return s;
        }
        a = v.rbar;
        b = v.rasr;
    } else if (r != NULL) {
        rtm_mpu_armv8m_regs_t v;
        rtm_status_t s = rtm_mpu_armv8m_encode(r, &v);
        if (s != RTM_OK) {
            return s;
        }
        a = v.rbar;
        b = v.rlar;
        h->mair0 = RTM_MPU_ARMV8M_MAIR0;
        h->writes++;
    }
    /* RNR, RASR/RLAR = 0, then RBAR and RASR/RLAR; clearing leaves RBAR as it was. */
    h->reg_b[index] = 0u;
    h->writes += 2u;
    if (r != NULL) {
        h->reg_a[index] = a;
        h->reg_b[index] = b;
        h->writes += 2u;
    }
    return RTM_OK;
}

static rtm_status_t host_control(void *ctx, uint32_t ctrl)
{
    rtm_mpu_host_t *h = (rtm_mpu_host_t *)ctx;
    if (h->arch == RTM_MPU_ARCH_ARMV8M && (ctrl & RTM_MPU_CTRL_ENABLE) != 0u) {
        h->mair0 = RTM_MPU_ARMV8M_MAIR0;
        h->writes++;
    }
    h->ctrl = ctrl & (RTM_MPU_CTRL_ENABLE | RTM_MPU_CTRL_HFNMIENA | RTM_MPU_CTRL_PRIVDEFENA);
    h->writes++;
    return RTM_OK;
}

static rtm_status_t host_check(const void *ctx, uintptr_t addr, uint32_t access)
{
    return rtm_mpu_host_check_access((const rtm_mpu_host_t *)ctx, addr, access);
}

static const rtm_mpu_ops_t host_ops = {
    sizeof(rtm_mpu_ops_t), 0u, host_probe, host_validate, host_write, host_control, host_check,
};

rtm_mpu_backend_t rtm_mpu_host_backend(rtm_mpu_host_t *h)
{
    rtm_mpu_backend_t be = {&host_ops, h};
    return be;
}
