/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * RISC-V PMP back end (RV32): entry encoding (pure) and CSR programming.
 *
 *   pmpcfg byte   7   6 5  4 3  2 1 0       pmpaddrN = address >> 2 (RV32: bits 33:2)
 *               +---+----+----+-+-+-+
 *               | L | -- |  A |X|W|R|       A: 0 OFF, 1 TOR, 2 NA4, 3 NAPOT
 *               +---+----+----+-+-+-+
 *
 * NAPOT encodes a naturally aligned 2^n-byte range (n >= 3) as
 * (base >> 2) | (2^(n-3) - 1): the number of trailing one bits gives the size.
 * TOR entry i covers [pmpaddr(i-1) << 2, pmpaddr(i) << 2) (entry 0 starts at 0).
 * pmpcfg0..3 each hold four entries' bytes, entry i in byte i % 4 of pmpcfg(i/4).
 *
 * The lowest-numbered entry that matches decides. An entry with L = 0 binds
 * only S/U-mode; machine mode passes it. With L = 1 it binds machine mode too
 * and ignores writes (as do pmpaddr(i-1) of a locked TOR entry) until reset.
 */
#include "mpu_internal.h"

#define GRANULE 4u

rtm_status_t rtm_mpu_pmp_encode(const rtm_mpu_region_t *r, rtm_mpu_pmp_regs_t *out)
{
    if (r == NULL || out == NULL || (r->perm & ~PERM_ALL) != 0u || !region_in_32bit(r)) {
        return RTM_ERR_INVALID_ARG;
    }
    if ((r->base % GRANULE) != 0u || (r->size % GRANULE) != 0u) {
        return RTM_ERR_ALIGNMENT;
    }
    if ((r->flags & ~RTM_MPU_REGION_LOCK) != 0u) {
        return RTM_ERR_UNSUPPORTED;
    }
    bool locked = (r->flags & RTM_MPU_REGION_LOCK) != 0u;
    bool unpriv = (r->perm & RTM_PERM_UNPRIV) != 0u;
    uint32_t rwx = r->perm & PERM_RWX;
    if ((rwx & RTM_PERM_WRITE) != 0u && (rwx & RTM_PERM_READ) == 0u) {
        return RTM_ERR_UNSUPPORTED; /* R=0 W=1 is reserved */
    }
    if (locked && !unpriv && rwx != 0u) {
        return RTM_ERR_UNSUPPORTED; /* a locked entry grants U-mode what it grants M-mode */
    }
    /* RTM_PERM_* and pmpcfg share the R/W/X bit positions. */
    uint32_t cfg = (locked || unpriv) ? rwx : 0u;
    if (locked) {
        cfg |= RTM_MPU_PMP_L;
    }
    uint64_t base = (uint64_t)r->base;
    uint64_t size = (uint64_t)r->size;
    out->reserved = 0u;
    if (size == GRANULE) {
        out->entries = 1u;
        out->addr[0] = (uint32_t)(base >> 2);
        out->cfg[0] = cfg | RTM_MPU_PMP_A_NA4;
        out->addr[1] = 0u;
        out->cfg[1] = 0u;
    } else if ((size & (size - 1u)) == 0u && (base & (size - 1u)) == 0u) {
        out->entries = 1u;
        out->addr[0] = (uint32_t)((base >> 2) | ((size >> 3) - 1u));
        out->cfg[0] = cfg | RTM_MPU_PMP_A_NAPOT;
        out->addr[1] = 0u;
        out->cfg[1] = 0u;
    } else {
        /* The bottom entry stays OFF (and unlocked: locking the TOR entry
         * freezes its pmpaddr anyway). */
        out->entries = 2u;
        out->addr[0] = (uint32_t)(base >> 2);
        out->cfg[0] = RTM_MPU_PMP_A_OFF;
        out->addr[1] = (uint32_t)((base + size) >> 2);
        out->cfg[1] = cfg | RTM_MPU_PMP_A_TOR;
    }
    return RTM_OK;
}

/* ---- CSR access ------------------------------------------------------------ */

#if defined(__riscv) && (__riscv_xlen == 32)
#define HAVE_PMP_CSRS 1

/* CSR numbers must be immediates: one case per register. */
#define ADDR_CASE(n)                                                        \
    case n:                                                                 \
        __asm__ volatile("csrw pmpaddr" #n ", %0" : : "r"(value) : "memory"); \
        break;

static void write_pmpaddr(uint32_t i, uint32_t value)
{
    switch (i) {
        ADDR_CASE(0) ADDR_CASE(1) ADDR_CASE(2) ADDR_CASE(3) ADDR_CASE(4) ADDR_CASE(5) ADDR_CASE(6)
        ADDR_CASE(7) ADDR_CASE(8) ADDR_CASE(9) ADDR_CASE(10) ADDR_CASE(11) ADDR_CASE(12)
        ADDR_CASE(13) ADDR_CASE(14) ADDR_CASE(15)
    default:
        break;
    }
}

static uint32_t read_pmpcfg(uint32_t reg)
{
    uint32_t v = 0u;
    switch (reg) {
    case 0:
        __asm__ volatile("csrr %0, pmpcfg0" : "=r"(v));
        break;
    case 1:
        __asm__ volatile("csrr %0, pmpcfg1" : "=r"(v));
        break;
    case 2:
        __asm__ volatile("csrr %0, pmpcfg2" : "=r"(v));
        break;
    default:
        __asm__ volatile("csrr %0, pmpcfg3" : "=r"(v));
        break;
    }
    return v;
}

static void write_pmpcfg(uint32_t reg, uint32_t v)
{
    switch (reg) {
    case 0:
        __asm__ volatile("csrw pmpcfg0, %0" : : "r"(v) : "memory");
        break;
    case 1:
        __asm__ volatile("csrw pmpcfg1, %0" : : "r"(v) : "memory");
        break;
    case 2:
        __asm__ volatile("csrw pmpcfg2, %0" : : "r"(v) : "memory");
        break;
    default:
        __asm__ volatile("csrw pmpcfg3, %0" : : "r"(v) : "memory");
        break;
    }
}

static void set_cfg_byte(uint32_t i, uint32_t byte)
{
    uint32_t shift = (i % 4u) * 8u;
    uint32_t v = read_pmpcfg(i / 4u);
    v = (v & ~(0xFFu << shift)) | ((byte & 0xFFu) << shift);
    write_pmpcfg(i / 4u, v);
}

#else
#define HAVE_PMP_CSRS 0
#endif

/* ---- the back end ---------------------------------------------------------- */

static uint32_t entry_count(const void *ctx)
{
    uint32_t n = (uint32_t)(uintptr_t)ctx;
    return n == 0u || n > 16u ? 16u : n;
}

static rtm_status_t pmp_probe(void *ctx, rtm_mpu_info_t *out)
{
    if (!HAVE_PMP_CSRS) {
        return RTM_ERR_UNSUPPORTED;
    }
    out->arch = RTM_MPU_ARCH_PMP;
    out->regions = entry_count(ctx);
    out->caps = 0u;
    out->reserved = 0u;
    return RTM_OK;
}

static rtm_status_t pmp_validate(void *ctx, const rtm_mpu_region_t *r, uint32_t *span)
{
    (void)ctx;
    rtm_mpu_pmp_regs_t regs;
    rtm_status_t s = rtm_mpu_pmp_encode(r, &regs);
    if (s == RTM_OK && span != NULL) {
        *span = regs.entries;
    }
    return s;
}

static rtm_status_t pmp_write(void *ctx, uint32_t index, const rtm_mpu_region_t *r)
{
    rtm_mpu_pmp_regs_t v = {{0u, 0u}, {0u, 0u}, 1u, 0u};
    if (r != NULL) {
        rtm_status_t s = rtm_mpu_pmp_encode(r, &v);
        if (s != RTM_OK) {
            return s;
        }
    }
    if (index + v.entries > entry_count(ctx)) {
        return RTM_ERR_INVALID_ARG;
    }
#if HAVE_PMP_CSRS
    /* Each entry is switched off before its address changes, then armed. */
    for (uint32_t e = 0; e < v.entries; e++) {
        set_cfg_byte(index + e, RTM_MPU_PMP_A_OFF);
        write_pmpaddr(index + e, v.addr[e]);
    }
    for (uint32_t e = 0; e < v.entries; e++) {
        set_cfg_byte(index + e, v.cfg[e]);
    }
    /* No address translation in M-mode firmware: no sfence.vma needed. */
    __asm__ volatile("" ::: "memory");
    return RTM_OK;
#else
    return RTM_ERR_UNSUPPORTED;
#endif
}

static rtm_status_t pmp_control(void *ctx, uint32_t ctrl)
{
    (void)ctx;
    (void)ctrl; /* PMP has no global switch: the manager rewrites entries instead. */
    return HAVE_PMP_CSRS ? RTM_OK : RTM_ERR_UNSUPPORTED;
}

static const rtm_mpu_ops_t pmp_ops = {
    sizeof(rtm_mpu_ops_t), 0u, pmp_probe, pmp_validate, pmp_write, pmp_control, NULL,
};

rtm_mpu_backend_t rtm_mpu_pmp_backend(uint32_t entries)
{
    /* The context carries the entry count itself: there is no other state. */
    rtm_mpu_backend_t be = {&pmp_ops, (void *)(uintptr_t)entries};
    return be;
}
