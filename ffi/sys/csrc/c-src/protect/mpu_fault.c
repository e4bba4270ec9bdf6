/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Fault decoding for the MPU manager (layer 5): pure functions that turn the
 * ARMv7-M/ARMv8-M fault status registers (CFSR, HFSR, MMFAR, BFAR) or RV32
 * mcause/mtval into an address + kind record, and the target-only helpers that
 * read the live registers from a fault handler.
 *
 *   CFSR  31            16 15       8 7        0
 *        +----------------+----------+----------+
 *        |      UFSR      |   BFSR   |  MMFSR   |
 *        +----------------+----------+----------+
 */
#include "mpu_internal.h"

#define MM_IACCVIOL 0x01u
#define MM_DACCVIOL 0x02u
#define MM_MUNSTKERR 0x08u
#define MM_MSTKERR 0x10u
#define MM_MLSPERR 0x20u
#define MM_MMARVALID 0x80u
#define MM_FAULTS (MM_IACCVIOL | MM_DACCVIOL | MM_MUNSTKERR | MM_MSTKERR | MM_MLSPERR)
#define BF_IBUSERR 0x0100u
#define BF_PRECISERR 0x0200u
#define BF_IMPRECISERR 0x0400u
#define BF_UNSTKERR 0x0800u
#define BF_STKERR 0x1000u
#define BF_LSPERR 0x2000u
#define BF_BFARVALID 0x8000u
#define BF_FAULTS (BF_IBUSERR | BF_PRECISERR | BF_IMPRECISERR | BF_UNSTKERR | BF_STKERR | BF_LSPERR)
#define UF_STKOF (1u << 20)
#define UF_UNALIGNED (1u << 24)
#define UF_FAULTS 0xFFFF0000u
#define HFSR_VECTTBL (1u << 1)
#define HFSR_FORCED (1u << 30)

static void set_kind(rtm_mpu_fault_t *f, uint32_t kind, uint32_t access)
{
    f->kind = kind;
    f->access = access;
}

static void decode_mm(uint32_t cfsr, uint32_t mmfar, rtm_mpu_fault_t *out)
{
    if ((cfsr & MM_IACCVIOL) != 0u) {
        set_kind(out, RTM_MPU_FAULT_INSTR_ACCESS, RTM_MPU_ACCESS_EXEC);
    } else if ((cfsr & MM_DACCVIOL) != 0u) {
        set_kind(out, RTM_MPU_FAULT_DATA_ACCESS, 0u); /* MMFSR does not tell read from write */
    } else if ((cfsr & MM_MSTKERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_STACKING, RTM_MPU_ACCESS_WRITE);
    } else if ((cfsr & MM_MUNSTKERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_UNSTACKING, RTM_MPU_ACCESS_READ);
    } else {
        set_kind(out, RTM_MPU_FAULT_LAZY_FP, RTM_MPU_ACCESS_WRITE);
    }
    if ((cfsr & MM_MSTKERR) != 0u && out->kind != RTM_MPU_FAULT_STACKING) {
        out->flags |= RTM_MPU_FAULT_F_STACKING;
    }
    if ((cfsr & MM_MMARVALID) != 0u) {
        out->address = mmfar;
        out->flags |= RTM_MPU_FAULT_ADDR_VALID;
    }
}

static void decode_bf(uint32_t cfsr, uint32_t bfar, rtm_mpu_fault_t *out)
{
    if ((cfsr & BF_IBUSERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_BUS, RTM_MPU_ACCESS_EXEC);
    } else if ((cfsr & BF_PRECISERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_BUS, 0u);
    } else if ((cfsr & BF_IMPRECISERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_BUS, 0u);
        out->flags |= RTM_MPU_FAULT_F_IMPRECISE;
    } else if ((cfsr & BF_STKERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_STACKING, RTM_MPU_ACCESS_WRITE);
    } else if ((cfsr & BF_UNSTKERR) != 0u) {
        set_kind(out, RTM_MPU_FAULT_UNSTACKING, RTM_MPU_ACCESS_READ);
    } else {
        set_kind(out, RTM_MPU_FAULT_LAZY_FP, RTM_MPU_ACCESS_WRITE);
    }
    if ((cfsr & BF_STKERR) != 0u && out->kind != RTM_MPU_FAULT_STACKING) {
        out->flags |= RTM_MPU_FAULT_F_STACKING;
    }
    if ((cfsr & BF_BFARVALID) != 0u) {
        out->address = bfar;
        out->flags |= RTM_MPU_FAULT_ADDR_VALID;
    }
}

rtm_status_t rtm_mpu_fault_decode_arm(uint32_t cfsr, uint32_t hfsr, uint32_t mmfar, uint32_t bfar,
                                      rtm_mpu_fault_t *out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_mpu_fault_t f = {0u, RTM_MPU_FAULT_NONE, 0u, 0u, RTM_MPU_NO_REGION, cfsr, hfsr};
    if ((hfsr & HFSR_FORCED) != 0u) {
        f.flags |= RTM_MPU_FAULT_F_ESCALATED;
    }
    if ((cfsr & MM_FAULTS) != 0u) {
        decode_mm(cfsr, mmfar, &f);
    } else if ((cfsr & BF_FAULTS) != 0u) {
        decode_bf(cfsr, bfar, &f);
    } else if ((cfsr & UF_STKOF) != 0u) {
        set_kind(&f, RTM_MPU_FAULT_STACK_LIMIT, RTM_MPU_ACCESS_WRITE);
    } else if ((cfsr & UF_UNALIGNED) != 0u) {
        set_kind(&f, RTM_MPU_FAULT_MISALIGNED, 0u);
    } else if ((cfsr & UF_FAULTS) != 0u) {
        set_kind(&f, RTM_MPU_FAULT_OTHER, 0u);
    } else if ((hfsr & (HFSR_VECTTBL | HFSR_FORCED)) != 0u) {
        set_kind(&f, RTM_MPU_FAULT_HARD, 0u);
    }
    *out = f;
    return RTM_OK;
}

rtm_status_t rtm_mpu_fault_decode_rv32(uint32_t mcause, uint32_t mtval, rtm_mpu_fault_t *out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_mpu_fault_t f = {0u, RTM_MPU_FAULT_NONE, 0u, 0u, RTM_MPU_NO_REGION, mcause, mtval};
    if ((mcause & 0x80000000u) == 0u) {
        switch (mcause) {
        case 0u: /* instruction address misaligned */
            set_kind(&f, RTM_MPU_FAULT_MISALIGNED, RTM_MPU_ACCESS_EXEC);
            break;
        case 1u:  /* instruction access fault */
        case 12u: /* instruction page fault */
            set_kind(&f, RTM_MPU_FAULT_INSTR_ACCESS, RTM_MPU_ACCESS_EXEC);
            break;
        case 4u: /* load address misaligned */
            set_kind(&f, RTM_MPU_FAULT_MISALIGNED, RTM_MPU_ACCESS_READ);
            break;
        case 5u:  /* load access fault */
        case 13u: /* load page fault */
            set_kind(&f, RTM_MPU_FAULT_DATA_ACCESS, RTM_MPU_ACCESS_READ);
            break;
        case 6u: /* store/AMO address misaligned */
            set_kind(&f, RTM_MPU_FAULT_MISALIGNED, RTM_MPU_ACCESS_WRITE);
            break;
        case 7u:  /* store/AMO access fault */
        case 15u: /* store/AMO page fault */
            set_kind(&f, RTM_MPU_FAULT_DATA_ACCESS, RTM_MPU_ACCESS_WRITE);
            break;
        default:
            set_kind(&f, RTM_MPU_FAULT_OTHER, 0u);
            break;
        }
        if (f.kind != RTM_MPU_FAULT_OTHER) {
            f.address = mtval;
            f.flags |= RTM_MPU_FAULT_ADDR_VALID;
        }
    }
    *out = f;
    return RTM_OK;
}

rtm_status_t rtm_mpu_fault_capture_arm(bool clear, rtm_mpu_fault_t *out)
{
/* CFSR/HFSR/MMFAR/BFAR exist on ARMv7-M and ARMv8-M Mainline only (not on
 * ARMv6-M or ARMv8-M Baseline, where every fault is a HardFault). */
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) || \
    defined(__ARM_ARCH_8_1M_MAIN__)
    volatile uint32_t *scb = (volatile uint32_t *)(uintptr_t)0xE000ED28u; /* CFSR */
    uint32_t cfsr = scb[0];
    uint32_t hfsr = scb[1];  /* 0xE000ED2C */
    uint32_t mmfar = scb[3]; /* 0xE000ED34 */
    uint32_t bfar = scb[4];  /* 0xE000ED38 */
    rtm_status_t s = rtm_mpu_fault_decode_arm(cfsr, hfsr, mmfar, bfar, out);
    if (s == RTM_OK && clear) {
        scb[0] = cfsr; /* write-one-to-clear */
        scb[1] = hfsr;
    }
    return s;
#else
    (void)clear;
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    return RTM_ERR_UNSUPPORTED;
#endif
}

rtm_status_t rtm_mpu_fault_capture_rv32(rtm_mpu_fault_t *out)
{
#if defined(__riscv) && (__riscv_xlen == 32)
    uint32_t mcause;
    uint32_t mtval;
    __asm__ volatile("csrr %0, mcause" : "=r"(mcause));
    __asm__ volatile("csrr %0, mtval" : "=r"(mtval));
    return rtm_mpu_fault_decode_rv32(mcause, mtval, out);
#else
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    return RTM_ERR_UNSUPPORTED;
#endif
}
