/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The MPU manager (layer 5): a portable region table over one back end, the
 * software access check and the violation handler (fault decoding: mpu_fault.c).
 *
 * The manager owns the slot table; the back end only encodes and writes. A
 * region occupies `span` consecutive slots (2 for a PMP TOR range: the OFF
 * entry holding its bottom, then the TOR entry). Slot state lives in high bits
 * of the stored region's flags, which no back end accepts from callers:
 *
 *   slot[i].flags  31   30   29 ..  1  0
 *                +----+----+---------+----+
 *                |HEAD|TAIL|    0    |LOCK|   HEAD: a region starts here
 *                +----+----+---------+----+   TAIL: second slot of slot[i-1]'s region
 */
#include "mpu_internal.h"

#define SLOT_HEAD 0x80000000u
#define SLOT_TAIL 0x40000000u
#define SLOT_STATE (SLOT_HEAD | SLOT_TAIL)
#define MPU_MAGIC 0x4D505530u /* "MPU0" */
#define CTRL_ALL (RTM_MPU_CTRL_ENABLE | RTM_MPU_CTRL_HFNMIENA | RTM_MPU_CTRL_PRIVDEFENA)

typedef struct mpu_impl {
    rtm_mpu_backend_t be;
    rtm_mpu_violation_fn handler;
    void *user;
    uint32_t magic;
    uint32_t arch;
    uint32_t regions;
    uint32_t caps;
    uint32_t ctrl;
    uint32_t violations;
    uint32_t region_writes;
    uint32_t refusals;
    rtm_mpu_region_t slot[RTM_MPU_MAX_REGIONS];
} mpu_impl_t;

RTM_STORAGE_FITS(mpu_impl_t, rtm_mpu_t, mpu_storage);

static mpu_impl_t *impl(rtm_mpu_t *m)
{
    mpu_impl_t *p = m == NULL ? NULL : (mpu_impl_t *)(void *)m->opaque;
    return p != NULL && p->magic == MPU_MAGIC ? p : NULL;
}

static const mpu_impl_t *cimpl(const rtm_mpu_t *m)
{
    const mpu_impl_t *p = m == NULL ? NULL : (const mpu_impl_t *)(const void *)m->opaque;
    return p != NULL && p->magic == MPU_MAGIC ? p : NULL;
}

static bool is_head(const mpu_impl_t *p, uint32_t i)
{
    return (p->slot[i].flags & SLOT_HEAD) != 0u;
}

static bool is_locked(const mpu_impl_t *p, uint32_t i)
{
    return (p->slot[i].flags & RTM_MPU_REGION_LOCK) != 0u;
}

static uint32_t span_of(const mpu_impl_t *p, uint32_t head)
{
    return head + 1u < p->regions && (p->slot[head + 1u].flags & SLOT_TAIL) != 0u ? 2u : 1u;
}

/* The head index of the region owning slot i, or RTM_MPU_NO_REGION. */
static uint32_t owner(const mpu_impl_t *p, uint32_t i)
{
    if (is_head(p, i)) {
        return i;
    }
    if ((p->slot[i].flags & SLOT_TAIL) != 0u && i > 0u) {
        return i - 1u;
    }
    return RTM_MPU_NO_REGION;
}

static bool contains(const rtm_mpu_region_t *r, uintptr_t addr)
{
    return addr >= r->base && (uint64_t)(addr - r->base) < (uint64_t)r->size;
}

static bool overlaps(const rtm_mpu_region_t *a, const rtm_mpu_region_t *b)
{
    uint64_t a0 = a->base;
    uint64_t b0 = b->base;
    return a0 < b0 + b->size && b0 < a0 + a->size;
}

/* Is the region at head i in force now (programmed and the unit enabled)? */
static bool in_force(const mpu_impl_t *p, uint32_t i)
{
    if ((p->ctrl & RTM_MPU_CTRL_ENABLE) != 0u) {
        return true;
    }
    return p->arch == RTM_MPU_ARCH_PMP && is_locked(p, i);
}

/* The region deciding accesses to addr under the architecture's rule. */
static uint32_t deciding(const mpu_impl_t *p, uintptr_t addr, bool only_in_force)
{
    bool lowest_wins = p->arch == RTM_MPU_ARCH_PMP;
    for (uint32_t n = 0; n < p->regions; n++) {
        uint32_t i = lowest_wins ? n : p->regions - 1u - n;
        if (is_head(p, i) && contains(&p->slot[i], addr) && (!only_in_force || in_force(p, i))) {
            return i;
        }
    }
    return RTM_MPU_NO_REGION;
}

/* Should set/clear reach the hardware now? Units with a global switch always
 * take region writes; PMP entries take effect as written, so only while on. */
static bool write_now(const mpu_impl_t *p, const rtm_mpu_region_t *r)
{
    return (p->caps & RTM_MPU_CAP_GLOBAL_ENABLE) != 0u || (p->ctrl & RTM_MPU_CTRL_ENABLE) != 0u ||
           (r != NULL && (r->flags & RTM_MPU_REGION_LOCK) != 0u);
}

/* Validate r at index; on success *span is the slot count. Pure.
 * RTM_DEVIATION: an index beyond the unit is RTM_ERR_INVALID_ARG, not the
 * design's InvalidPointer (it is not a pointer); and a region the unit cannot
 * express is refused by the back end's own rules (subregions, 32-byte
 * granules, NAPOT/TOR) instead of the design's "power of two, aligned" test. */
static rtm_status_t plan(const mpu_impl_t *p, uint32_t index, const rtm_mpu_region_t *r, uint32_t *span)
{
    if (r == NULL || index >= p->regions) {
        return RTM_ERR_INVALID_ARG;
    }
    if ((r->flags & SLOT_STATE) != 0u) {
        return RTM_ERR_UNSUPPORTED; /* unknown flags */
    }
    uint32_t n = 1u;
    rtm_status_t s = p->be.ops->validate(p->be.ctx, r, &n);
    if (s != RTM_OK) {
        return s;
    }
    if (n == 0u || n > p->regions - index) {
        return RTM_ERR_INVALID_ARG;
    }
    for (uint32_t j = index; j < index + n; j++) {
        uint32_t o = owner(p, j);
        if (o != RTM_MPU_NO_REGION && o != index) {
            return is_locked(p, o) ? RTM_ERR_ACCESS : RTM_ERR_NO_MEMORY;
        }
    }
    if (is_head(p, index) && is_locked(p, index)) {
        return RTM_ERR_ACCESS;
    }
    if (p->arch == RTM_MPU_ARCH_ARMV8M) {
        for (uint32_t j = 0; j < p->regions; j++) {
            if (j != index && is_head(p, j) && overlaps(&p->slot[j], r)) {
                return RTM_ERR_OVERLAP;
            }
        }
    }
    *span = n;
    return RTM_OK;
}

rtm_status_t rtm_mpu_init(rtm_mpu_t *m, const rtm_mpu_backend_t *be)
{
    if (m == NULL || be == NULL || be->ops == NULL ||
        be->ops->size < offsetof(rtm_mpu_ops_t, check_access) || be->ops->probe == NULL ||
        be->ops->validate == NULL || be->ops->write == NULL || be->ops->control == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_mpu_info_t info = {0u, 0u, 0u, 0u};
    rtm_status_t s = be->ops->probe(be->ctx, &info);
    if (s != RTM_OK) {
        return s;
    }
    if (info.regions == 0u || info.arch < RTM_MPU_ARCH_ARMV7M || info.arch > RTM_MPU_ARCH_PMP) {
        return RTM_ERR_UNSUPPORTED;
    }
    fill_bytes(m, 0u, sizeof *m);
    mpu_impl_t *p = (mpu_impl_t *)(void *)m->opaque;
    p->be = *be;
    p->arch = info.arch;
    p->regions = info.regions > RTM_MPU_MAX_REGIONS ? RTM_MPU_MAX_REGIONS : info.regions;
    p->caps = info.caps;
    p->magic = MPU_MAGIC;
    return RTM_OK;
}

uint32_t rtm_mpu_region_count(const rtm_mpu_t *m)
{
    const mpu_impl_t *p = cimpl(m);
    return p == NULL ? 0u : p->regions;
}

uint32_t rtm_mpu_arch(const rtm_mpu_t *m)
{
    const mpu_impl_t *p = cimpl(m);
    return p == NULL ? 0u : p->arch;
}

rtm_status_t rtm_mpu_validate(const rtm_mpu_t *m, uint32_t index, const rtm_mpu_region_t *r)
{
    const mpu_impl_t *p = cimpl(m);
    uint32_t span;
    return p == NULL ? RTM_ERR_INVALID_ARG : plan(p, index, r, &span);
}

rtm_status_t rtm_mpu_set_region(rtm_mpu_t *m, uint32_t index, const rtm_mpu_region_t *r)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t span = 0u;
    rtm_status_t s = plan(p, index, r, &span);
    if (s == RTM_OK && write_now(p, r)) {
        s = p->be.ops->write(p->be.ctx, index, r);
        if (s == RTM_OK) {
            p->region_writes++;
        }
    }
    if (s != RTM_OK) {
        p->refusals++;
        return s;
    }
    /* A two-slot region replaced by a one-slot one leaves its second slot. */
    if (is_head(p, index) && span_of(p, index) > span) {
        if (write_now(p, NULL)) {
            (void)p->be.ops->write(p->be.ctx, index + 1u, NULL);
        }
        fill_bytes(&p->slot[index + 1u], 0u, sizeof p->slot[0]);
    }
    p->slot[index] = *r;
    p->slot[index].flags |= SLOT_HEAD;
    if (span == 2u) {
        p->slot[index + 1u] = *r;
        p->slot[index + 1u].flags |= SLOT_TAIL;
    }
    return RTM_OK;
}

rtm_status_t rtm_mpu_add_region(rtm_mpu_t *m, const rtm_mpu_region_t *r, uint32_t *index)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL || r == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t span = 1u;
    rtm_status_t s = p->be.ops->validate(p->be.ctx, r, &span);
    if (s == RTM_OK && (span == 0u || span > p->regions)) {
        s = RTM_ERR_INVALID_ARG;
    }
    if (s != RTM_OK) {
        p->refusals++;
        return s;
    }
    bool lowest_first = p->arch == RTM_MPU_ARCH_PMP;
    uint32_t starts = p->regions - span + 1u;
    for (uint32_t n = 0; n < starts; n++) {
        uint32_t i = lowest_first ? n : starts - 1u - n;
        bool free_run = true;
        for (uint32_t j = i; j < i + span; j++) {
            free_run = free_run && (p->slot[j].flags & SLOT_STATE) == 0u;
        }
        if (free_run) {
            s = rtm_mpu_set_region(m, i, r);
            if (s == RTM_OK && index != NULL) {
                *index = i;
            }
            return s;
        }
    }
    p->refusals++;
    return RTM_ERR_NO_MEMORY;
}

rtm_status_t rtm_mpu_clear_region(rtm_mpu_t *m, uint32_t index)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL || index >= p->regions || !is_head(p, index)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (is_locked(p, index)) {
        return RTM_ERR_ACCESS;
    }
    uint32_t span = span_of(p, index);
    for (uint32_t j = index; j < index + span; j++) {
        if (write_now(p, NULL)) {
            rtm_status_t s = p->be.ops->write(p->be.ctx, j, NULL);
            if (s != RTM_OK) {
                return s;
            }
        }
        fill_bytes(&p->slot[j], 0u, sizeof p->slot[0]);
    }
    return RTM_OK;
}

rtm_status_t rtm_mpu_get_region(const rtm_mpu_t *m, uint32_t index, rtm_mpu_region_t *out)
{
    const mpu_impl_t *p = cimpl(m);
    if (p == NULL || out == NULL || index >= p->regions || !is_head(p, index)) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = p->slot[index];
    out->flags &= ~SLOT_STATE;
    return RTM_OK;
}

rtm_status_t rtm_mpu_enable(rtm_mpu_t *m, uint32_t ctrl)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL || (ctrl & ~CTRL_ALL) != 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    ctrl |= RTM_MPU_CTRL_ENABLE;
    if ((p->caps & RTM_MPU_CAP_GLOBAL_ENABLE) == 0u && (p->ctrl & RTM_MPU_CTRL_ENABLE) == 0u) {
        /* No global switch: the entries themselves are the switch. */
        for (uint32_t i = 0; i < p->regions; i++) {
            if (is_head(p, i) && !is_locked(p, i)) {
                rtm_mpu_region_t r = p->slot[i];
                r.flags &= ~SLOT_STATE;
                rtm_status_t s = p->be.ops->write(p->be.ctx, i, &r);
                if (s != RTM_OK) {
                    return s;
                }
                p->region_writes++;
            }
        }
    }
    rtm_status_t s = p->be.ops->control(p->be.ctx, ctrl);
    if (s == RTM_OK) {
        p->ctrl = ctrl;
    }
    return s;
}

rtm_status_t rtm_mpu_disable(rtm_mpu_t *m)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_status_t s = p->be.ops->control(p->be.ctx, 0u);
    if (s != RTM_OK) {
        return s;
    }
    if ((p->caps & RTM_MPU_CAP_GLOBAL_ENABLE) == 0u && (p->ctrl & RTM_MPU_CTRL_ENABLE) != 0u) {
        for (uint32_t i = 0; i < p->regions; i++) {
            uint32_t o = owner(p, i);
            if (o != RTM_MPU_NO_REGION && !is_locked(p, o)) {
                (void)p->be.ops->write(p->be.ctx, i, NULL);
            }
        }
    }
    p->ctrl = 0u;
    return RTM_OK;
}

rtm_status_t rtm_mpu_check_access(const rtm_mpu_t *m, uintptr_t addr, uint32_t access)
{
    const mpu_impl_t *p = cimpl(m);
    if (p == NULL || !access_valid(access)) {
        return RTM_ERR_INVALID_ARG;
    }
    bool priv = (access & RTM_MPU_ACCESS_UNPRIV) == 0u;
    uint32_t type = access & ~RTM_MPU_ACCESS_UNPRIV;
    bool pmp = p->arch == RTM_MPU_ARCH_PMP;
    if (!pmp && (p->ctrl & RTM_MPU_CTRL_ENABLE) == 0u) {
        return RTM_OK;
    }
    uint32_t i = deciding(p, addr, true);
    if (i == RTM_MPU_NO_REGION) {
        if (pmp) {
            return priv ? RTM_OK : RTM_ERR_ACCESS;
        }
        bool bg = priv && (p->ctrl & RTM_MPU_CTRL_PRIVDEFENA) != 0u && arm_default_map_allows(addr, type);
        return bg ? RTM_OK : RTM_ERR_ACCESS;
    }
    const rtm_mpu_region_t *r = &p->slot[i];
    if (pmp && priv && !is_locked(p, i)) {
        return RTM_OK;
    }
    bool allowed = (r->perm & type) != 0u && (priv || (r->perm & RTM_PERM_UNPRIV) != 0u);
    return allowed ? RTM_OK : RTM_ERR_ACCESS;
}

rtm_status_t rtm_mpu_check_backend(const rtm_mpu_t *m, uintptr_t addr, uint32_t access)
{
    const mpu_impl_t *p = cimpl(m);
    if (p == NULL || !access_valid(access)) {
        return RTM_ERR_INVALID_ARG;
    }
    const rtm_mpu_ops_t *ops = p->be.ops;
    if (ops->size < offsetof(rtm_mpu_ops_t, check_access) + sizeof ops->check_access ||
        ops->check_access == NULL) {
        return RTM_ERR_UNSUPPORTED;
    }
    return ops->check_access(p->be.ctx, addr, access);
}

uint32_t rtm_mpu_find_region(const rtm_mpu_t *m, uintptr_t addr)
{
    const mpu_impl_t *p = cimpl(m);
    return p == NULL ? RTM_MPU_NO_REGION : deciding(p, addr, false);
}

rtm_status_t rtm_mpu_set_violation_handler(rtm_mpu_t *m, rtm_mpu_violation_fn fn, void *user)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    p->handler = fn;
    p->user = user;
    return RTM_OK;
}

rtm_status_t rtm_mpu_report_fault(rtm_mpu_t *m, rtm_mpu_fault_t *fault)
{
    mpu_impl_t *p = impl(m);
    if (p == NULL || fault == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    fault->region = (fault->flags & RTM_MPU_FAULT_ADDR_VALID) != 0u ? deciding(p, fault->address, false)
                                                                     : RTM_MPU_NO_REGION;
    p->violations++;
    if (p->handler != NULL) {
        p->handler(p->user, fault);
    }
    return RTM_OK;
}

rtm_status_t rtm_mpu_enforce(rtm_mpu_t *m, uintptr_t addr, uint32_t access)
{
    rtm_status_t s = rtm_mpu_check_access(m, addr, access);
    if (s == RTM_ERR_ACCESS) {
        rtm_mpu_fault_t f = {addr, RTM_MPU_FAULT_SOFTWARE, access, RTM_MPU_FAULT_ADDR_VALID,
                             RTM_MPU_NO_REGION, 0u, 0u};
        (void)rtm_mpu_report_fault(m, &f);
    }
    return s;
}

void rtm_mpu_get_stats(const rtm_mpu_t *m, rtm_mpu_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    const mpu_impl_t *p = cimpl(m);
    if (p == NULL) {
        return;
    }
    out->regions = p->regions;
    for (uint32_t i = 0; i < p->regions; i++) {
        out->slots_used += (p->slot[i].flags & SLOT_STATE) != 0u ? 1u : 0u;
    }
    out->ctrl = p->ctrl;
    out->violations = p->violations;
    out->region_writes = p->region_writes;
    out->refusals = p->refusals;
}
