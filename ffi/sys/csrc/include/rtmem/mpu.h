/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/mpu.h
 * @brief Layer 5: the MPU manager (the design's `MPUManager`, `ProtectionRegion`,
 *        `MemoryAccessType`), its architecture back ends, and fault decoding.
 *
 * A portable region model -- base, size, RTM_PERM_* bits -- is programmed into
 * a memory protection unit through a back end: a const ops table plus a context
 * pointer, the same shape as rtm_allocator_t. Four back ends ship:
 *
 * | back end | hardware                      | matching rule               |
 * |----------|-------------------------------|-----------------------------|
 * | armv7m   | PMSAv7: RBAR/RASR, SRD        | highest-numbered region wins|
 * | armv8m   | PMSAv8: RBAR/RLAR/MAIR        | overlaps refused            |
 * | pmp      | RISC-V PMP: pmpaddr/pmpcfg    | lowest-numbered entry wins  |
 * | host     | a register file in RAM        | that of the chosen arch     |
 *
 * Register encoding and region validation are pure functions
 * (rtm_mpu_armv7m_encode, rtm_mpu_armv8m_encode, rtm_mpu_pmp_encode) usable and
 * tested anywhere; only the `write`/`control` slots of the hardware back ends
 * touch registers, and on a build for another architecture they return
 * RTM_ERR_UNSUPPORTED instead.
 *
 * Permission semantics of a region (all back ends):
 * - RTM_PERM_READ / WRITE / EXEC: what privileged code may do in the region;
 * - RTM_PERM_UNPRIV: unprivileged code may do the same; without it,
 *   unprivileged code may do nothing there;
 * - RTM_PERM_CACHEABLE: normal write-back memory; without it, device memory
 *   (ARM: unaligned accesses and execution from device memory fault -- use
 *   RTM_PERM_CACHEABLE for RAM and flash).
 * A back end that cannot express a combination exactly refuses it with
 * RTM_ERR_UNSUPPORTED (e.g. write-only anywhere, no-access on ARMv8-M, which has
 * no such AP encoding, executable device memory on ARM). On PMP, entries without RTM_MPU_REGION_LOCK constrain
 * only unprivileged (U-mode) code: machine mode passes them, as the hardware does.
 *
 * Nothing here is synchronized: program the MPU from one context (boot, or the
 * scheduler with interrupts masked).
 */
#ifndef RTMEM_MPU_H
#define RTMEM_MPU_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Regions and accesses                                                      */
/* ------------------------------------------------------------------------ */

/** Most regions a manager tracks (PMP has 16 entries, PMSAv7/v8 up to 16). */
#define RTM_MPU_MAX_REGIONS 16u
/** "No region": returned in region indexes when an address is in none. */
#define RTM_MPU_NO_REGION 0xFFFFFFFFu

/** Region flag (PMP only): set the L bit -- the entry binds machine mode too and
 *  cannot be changed again until reset. Other back ends refuse it (RTM_ERR_UNSUPPORTED). */
#define RTM_MPU_REGION_LOCK 0x1u

/** A protection region (the design's `ProtectionRegion`). Plain data. */
typedef struct rtm_mpu_region {
    /** First byte of the region. */
    uintptr_t base;
    /** Bytes; the region is [base, base + size). */
    size_t size;
    /** RTM_PERM_* bits, see the file comment for their meaning. */
    rtm_perm_t perm;
    /** RTM_MPU_REGION_* flags. */
    uint32_t flags;
} rtm_mpu_region_t;

/** Access types (the design's `MemoryAccessType`): exactly one of READ, WRITE,
 *  EXEC, optionally OR'd with RTM_MPU_ACCESS_UNPRIV. Same values as RTM_PERM_*. */
#define RTM_MPU_ACCESS_READ 0x1u
/** A data write. */
#define RTM_MPU_ACCESS_WRITE 0x2u
/** An instruction fetch. */
#define RTM_MPU_ACCESS_EXEC 0x4u
/** The access is made by unprivileged (thread-unprivileged / U-mode) code. */
#define RTM_MPU_ACCESS_UNPRIV 0x10u

/* ------------------------------------------------------------------------ */
/* Back ends                                                                 */
/* ------------------------------------------------------------------------ */

/** ARMv7-M PMSAv7 semantics: the highest-numbered matching region decides. */
#define RTM_MPU_ARCH_ARMV7M 1u
/** ARMv8-M PMSAv8 semantics: regions must not overlap (the hardware faults). */
#define RTM_MPU_ARCH_ARMV8M 2u
/** RISC-V PMP semantics: the lowest-numbered matching entry decides. */
#define RTM_MPU_ARCH_PMP 3u

/** Capability: the unit has a global enable (ARM's MPU_CTRL.ENABLE). Without it
 *  (PMP), the manager writes its regions on enable and clears them on disable. */
#define RTM_MPU_CAP_GLOBAL_ENABLE 0x1u

/** Control flag: enable the unit. */
#define RTM_MPU_CTRL_ENABLE 0x1u
/** Control flag (ARM, MPU_CTRL.HFNMIENA): keep the MPU on in HardFault/NMI handlers. */
#define RTM_MPU_CTRL_HFNMIENA 0x2u
/** Control flag (ARM, MPU_CTRL.PRIVDEFENA): privileged accesses that match no
 *  region use the default memory map instead of faulting. PMP always behaves so. */
#define RTM_MPU_CTRL_PRIVDEFENA 0x4u

/** What a back end reports about its unit. */
typedef struct rtm_mpu_info {
    /** RTM_MPU_ARCH_*: the matching rule the manager applies. */
    uint32_t arch;
    /** Hardware regions (ARM) or PMP entries. */
    uint32_t regions;
    /** RTM_MPU_CAP_* bits. */
    uint32_t caps;
    /** Zero. */
    uint32_t reserved;
} rtm_mpu_info_t;

/**
 * The operations of an MPU back end. Tables are const and usually static;
 * `size` is sizeof(rtm_mpu_ops_t) as compiled by the implementer (slots past it
 * are treated as NULL).
 */
typedef struct rtm_mpu_ops {
    /** sizeof(rtm_mpu_ops_t) of the implementation. */
    uint32_t size;
    /** Zero. */
    uint32_t reserved;
    /** Required. Describe the unit (reads MPU_TYPE on ARM). */
    rtm_status_t (*probe)(void *ctx, rtm_mpu_info_t *out);
    /**
     * Required, pure. RTM_OK when the unit can express `r` exactly, with the
     * number of consecutive hardware slots it takes in `*span` (1; 2 for a PMP
     * TOR range). Otherwise the status the encoder gives.
     */
    rtm_status_t (*validate)(void *ctx, const rtm_mpu_region_t *r, uint32_t *span);
    /** Required. Program `r` into slots [index, index + span); `r` NULL turns slot `index` off. */
    rtm_status_t (*write)(void *ctx, uint32_t index, const rtm_mpu_region_t *r);
    /** Required. Write the control state: RTM_MPU_CTRL_* bits, 0 disables. */
    rtm_status_t (*control)(void *ctx, uint32_t ctrl);
    /** Optional. Answer an access check from what was programmed, with the
     *  hardware's rules (the host model has it). */
    rtm_status_t (*check_access)(const void *ctx, uintptr_t addr, uint32_t access);
} rtm_mpu_ops_t;

/** A back end: its operations and the unit they act on. Copy it freely. */
typedef struct rtm_mpu_backend {
    /** The operations. */
    const rtm_mpu_ops_t *ops;
    /** The unit, passed to every operation as `ctx`. */
    void *ctx;
} rtm_mpu_backend_t;

/* ---- ARMv7-M (PMSAv7) ---------------------------------------------------- */

/** Address of MPU_TYPE, the first register of the ARMv7-M/ARMv8-M MPU block. */
#define RTM_MPU_ARM_BASE 0xE000ED90u

/** The two registers that describe one PMSAv7 region. */
typedef struct rtm_mpu_armv7m_regs {
    /** MPU_RBAR: region base | VALID (bit 4) | REGION number (bits 3:0). */
    uint32_t rbar;
    /** MPU_RASR: XN, AP, TEX/S/C/B, SRD, SIZE, ENABLE. */
    uint32_t rasr;
} rtm_mpu_armv7m_regs_t;

/**
 * Encode `r` as PMSAv7 region number `index` (pure).
 *
 * The region is the smallest naturally aligned power-of-two block >= 32 bytes
 * enclosing [base, base + size) whose eight subregions (blocks >= 256 bytes) can
 * be disabled (SRD) so that exactly [base, base + size) remains. Attributes:
 * RTM_PERM_CACHEABLE gives TEX=001 C=1 B=1 (normal, write-back write-allocate),
 * otherwise TEX=000 C=0 B=1 (shared device); S=0. XN is set without RTM_PERM_EXEC.
 * AP: 000 none, 001 privileged RW, 011 RW for all, 101 privileged RO, 110 RO for all.
 *
 * @return RTM_OK and `*out`; RTM_ERR_INVALID_ARG for NULL pointers, index > 15,
 *         size 0, unknown perm bits, or a region past the 32-bit address space;
 *         RTM_ERR_UNSUPPORTED for region flags, write without read, or execute
 *         without read or without RTM_PERM_CACHEABLE; RTM_ERR_ALIGNMENT when no region with subregions covers
 *         the range exactly. O(1) (at most 28 candidate sizes), ISR-safe.
 */
rtm_status_t rtm_mpu_armv7m_encode(const rtm_mpu_region_t *r, uint32_t index, rtm_mpu_armv7m_regs_t *out);

/**
 * The ARMv7-M back end over the MPU register block at `regs` (NULL: the
 * architectural RTM_MPU_ARM_BASE; any other address -- e.g. RAM standing in for
 * the block in a host test -- is written the same way: 32-bit accesses at
 * offsets 0x0 TYPE, 0x4 CTRL, 0x8 RNR, 0xC RBAR, 0x10 RASR). Programming a
 * region writes RNR, RASR = 0, RBAR, RASR; control writes CTRL; on ARM targets
 * both end with DSB and ISB. With `regs` NULL on a non-ARM build the register
 * slots return RTM_ERR_UNSUPPORTED. Built for ARMv6-M (Cortex-M0+, a PMSAv7
 * subset) the back end refuses regions smaller than 256 bytes
 * (RTM_ERR_ALIGNMENT) and writes TEX as 0. Never fails.
 * O(1), ISR-safe.
 */
rtm_mpu_backend_t rtm_mpu_armv7m_backend(void *regs);

/* ---- ARMv8-M (PMSAv8) ---------------------------------------------------- */

/** Attribute index used for RTM_PERM_CACHEABLE regions (MAIR Attr0 = 0xFF:
 *  normal, write-back non-transient, read/write-allocate, inner and outer). */
#define RTM_MPU_ARMV8M_ATTR_NORMAL 0u
/** Attribute index used for other regions (MAIR Attr1 = 0x04: Device-nGnRE). */
#define RTM_MPU_ARMV8M_ATTR_DEVICE 1u
/** The MPU_MAIR0 value the ARMv8-M back end programs. */
#define RTM_MPU_ARMV8M_MAIR0 0x000004FFu

/** The two registers that describe one PMSAv8 region. */
typedef struct rtm_mpu_armv8m_regs {
    /** MPU_RBAR: BASE (31:5) | SH (4:3) | AP (2:1) | XN (0). */
    uint32_t rbar;
    /** MPU_RLAR: LIMIT (31:5) | AttrIndx (3:1) | EN (0). */
    uint32_t rlar;
} rtm_mpu_armv8m_regs_t;

/**
 * Encode `r` as a PMSAv8 region (pure). Base and size must be multiples of 32.
 * AP: 00 privileged RW, 01 RW for all, 10 privileged RO, 11 RO for all; SH = 00
 * (non-shareable); XN without RTM_PERM_EXEC; AttrIndx per RTM_PERM_CACHEABLE.
 *
 * @return RTM_OK and `*out`; RTM_ERR_INVALID_ARG for NULL pointers, size 0,
 *         unknown perm bits or a region past the 32-bit address space;
 *         RTM_ERR_ALIGNMENT for a base or size that is not a multiple of 32;
 *         RTM_ERR_UNSUPPORTED for region flags, no read permission (PMSAv8 has
 *         no no-access encoding), write without read, or execute without
 *         RTM_PERM_CACHEABLE (fetches from device memory fault). O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_armv8m_encode(const rtm_mpu_region_t *r, rtm_mpu_armv8m_regs_t *out);

/**
 * The ARMv8-M back end over the MPU register block at `regs` (NULL: the
 * architectural RTM_MPU_ARM_BASE; offsets as for ARMv7-M, RLAR at 0x10, MAIR0 at
 * 0x30). Programming writes MAIR0, RNR, RLAR = 0, RBAR, RLAR. The validate slot
 * refuses overlaps only through the manager, which sees all regions. Never fails.
 * O(1), ISR-safe.
 */
rtm_mpu_backend_t rtm_mpu_armv8m_backend(void *regs);

/**
 * Write PSPLIM (ARMv8-M Mainline, or Baseline in the Secure state): a push that
 * would take the process stack pointer below `limit` raises a UsageFault (STKOF)
 * and writes nothing.
 * @return RTM_OK; RTM_ERR_ALIGNMENT when `limit` is not a multiple of 8 (the
 *         register's low three bits are RES0); RTM_ERR_INVALID_ARG for a limit
 *         past 32 bits; RTM_ERR_UNSUPPORTED on a core without the register
 *         (decided at compile time). O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_set_psplim(uintptr_t limit);
/** Write MSPLIM, the main stack's limit; as rtm_mpu_set_psplim. O(1), ISR-safe. */
rtm_status_t rtm_mpu_set_msplim(uintptr_t limit);
/** Read PSPLIM into `*out`. RTM_ERR_INVALID_ARG for NULL; RTM_ERR_UNSUPPORTED as above. O(1), ISR-safe. */
rtm_status_t rtm_mpu_get_psplim(uintptr_t *out);

/* ---- RISC-V PMP ---------------------------------------------------------- */

/** pmpcfg bits: read, write, execute, address mode (A, bits 4:3) and lock. */
#define RTM_MPU_PMP_R 0x01u
/** pmpcfg W bit. */
#define RTM_MPU_PMP_W 0x02u
/** pmpcfg X bit. */
#define RTM_MPU_PMP_X 0x04u
/** A = OFF. */
#define RTM_MPU_PMP_A_OFF 0x00u
/** A = TOR: top of range, the previous entry's pmpaddr is the bottom. */
#define RTM_MPU_PMP_A_TOR 0x08u
/** A = NA4: naturally aligned 4 bytes. */
#define RTM_MPU_PMP_A_NA4 0x10u
/** A = NAPOT: naturally aligned power of two >= 8 bytes. */
#define RTM_MPU_PMP_A_NAPOT 0x18u
/** pmpcfg L bit. */
#define RTM_MPU_PMP_L 0x80u

/** The PMP entries that describe one region (RV32: pmpaddr holds address >> 2). */
typedef struct rtm_mpu_pmp_regs {
    /** pmpaddr values for the consecutive entries used. */
    uint32_t addr[2];
    /** pmpcfg bytes (in the low 8 bits) for the same entries. */
    uint32_t cfg[2];
    /** Entries used: 1 (NA4, NAPOT) or 2 (TOR: an OFF entry holding the bottom, then the TOR entry). */
    uint32_t entries;
    /** Zero. */
    uint32_t reserved;
} rtm_mpu_pmp_regs_t;

/**
 * Encode `r` as PMP entries (pure): NA4 for 4 aligned bytes, NAPOT for a
 * naturally aligned power of two >= 8, otherwise TOR over two entries. Base and
 * size must be multiples of 4 (granularity G = 0). R/W/X come from perm when
 * the region is locked (RTM_MPU_REGION_LOCK: binds M-mode and U-mode alike) and
 * from perm when RTM_PERM_UNPRIV is set (unlocked: binds U-mode only); an
 * unlocked privileged-only region gets no U-mode rights.
 *
 * @return RTM_OK and `*out`; RTM_ERR_INVALID_ARG for NULL pointers, size 0,
 *         unknown perm bits or a region past the 32-bit address space;
 *         RTM_ERR_ALIGNMENT for a base or size that is not a multiple of 4;
 *         RTM_ERR_UNSUPPORTED for unknown flags, write without read (a reserved
 *         PMP encoding), or a locked region granting rights without
 *         RTM_PERM_UNPRIV (PMP cannot tell the modes apart there). O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_pmp_encode(const rtm_mpu_region_t *r, rtm_mpu_pmp_regs_t *out);

/**
 * The PMP back end for a hart with `entries` PMP entries (0: 16). Writes go to
 * pmpaddrN / pmpcfgN CSRs (RV32 layout: four cfg bytes per pmpcfg register,
 * read-modify-write); a slot is turned off (A = OFF) before its address changes.
 * Off RISC-V the register slots return RTM_ERR_UNSUPPORTED. Never fails.
 * O(1), ISR-safe.
 */
rtm_mpu_backend_t rtm_mpu_pmp_backend(uint32_t entries);

/* ---- Host model ---------------------------------------------------------- */

/**
 * The host model: a register file that records what the chosen architecture's
 * back end would write (using the same encoders), and answers access checks from
 * those registers with the hardware's rules (rtm_mpu_host_check_access).
 * Fields are public for tests to read; treat them as read-only.
 */
typedef struct rtm_mpu_host {
    /** RTM_MPU_ARCH_* being modelled. */
    uint32_t arch;
    /** Regions / entries modelled (1..16). */
    uint32_t regions;
    /** MPU_CTRL (ARM); on PMP, RTM_MPU_CTRL_ENABLE mirrors the manager's state. */
    uint32_t ctrl;
    /** MPU_MAIR0 (ARMv8-M); 0 otherwise. */
    uint32_t mair0;
    /** Register writes performed (grows only). */
    uint32_t writes;
    /** Zero. */
    uint32_t reserved;
    /** Per region: MPU_RBAR (ARM) or pmpaddr (PMP). */
    uint32_t reg_a[16];
    /** Per region: MPU_RASR (ARMv7-M), MPU_RLAR (ARMv8-M) or the pmpcfg byte (PMP). */
    uint32_t reg_b[16];
} rtm_mpu_host_t;

/**
 * Reset `h` to a unit of architecture `arch` with `regions` regions, all off.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL, an unknown arch, or regions
 *         not in 1..16. O(1).
 * ISR-safe.
 */
rtm_status_t rtm_mpu_host_init(rtm_mpu_host_t *h, uint32_t arch, uint32_t regions);

/** The back end that programs `h` (its check_access slot is rtm_mpu_host_check_access). O(1), ISR-safe. */
rtm_mpu_backend_t rtm_mpu_host_backend(rtm_mpu_host_t *h);

/**
 * Decide an access from the recorded registers as the hardware would:
 * ARMv7-M -- the highest-numbered enabled region whose enabled subregion holds
 * `addr` decides by AP and XN, otherwise the default map for privileged code
 * with PRIVDEFENA, otherwise a fault; ARMv8-M -- as ARMv7-M, and two matching
 * regions fault; PMP -- the lowest-numbered matching entry decides (M-mode only
 * if locked), no match lets M-mode pass and faults U-mode. A disabled ARM MPU
 * allows everything. Execution from the default map's XN areas
 * (0x40000000-0x5FFFFFFF, 0xA0000000-0xFFFFFFFF) is refused on ARM.
 * @return RTM_OK (allowed); RTM_ERR_ACCESS (the hardware would fault);
 *         RTM_ERR_INVALID_ARG for NULL or an access value that is not one type
 *         (+ RTM_MPU_ACCESS_UNPRIV). O(regions), ISR-safe.
 */
rtm_status_t rtm_mpu_host_check_access(const rtm_mpu_host_t *h, uintptr_t addr, uint32_t access);

/* ------------------------------------------------------------------------ */
/* Fault decoding                                                            */
/* ------------------------------------------------------------------------ */

/** Not a memory fault (or nothing recorded). */
#define RTM_MPU_FAULT_NONE 0u
/** Data access refused by the MPU/PMP (ARM DACCVIOL, RISC-V load/store access fault). */
#define RTM_MPU_FAULT_DATA_ACCESS 1u
/** Instruction fetch refused (ARM IACCVIOL, RISC-V instruction access fault). */
#define RTM_MPU_FAULT_INSTR_ACCESS 2u
/** Exception entry could not push the frame (ARM MSTKERR / STKERR). */
#define RTM_MPU_FAULT_STACKING 3u
/** Exception return could not pop the frame (ARM MUNSTKERR / UNSTKERR). */
#define RTM_MPU_FAULT_UNSTACKING 4u
/** Lazy floating-point state preservation faulted (ARM MLSPERR / LSPERR). */
#define RTM_MPU_FAULT_LAZY_FP 5u
/** Bus error on a data access or fetch (ARM BusFault other than stacking). */
#define RTM_MPU_FAULT_BUS 6u
/** Stack-limit violation (ARMv8-M UsageFault STKOF: PSPLIM/MSPLIM). */
#define RTM_MPU_FAULT_STACK_LIMIT 7u
/** Misaligned access (ARM UNALIGNED; RISC-V address-misaligned causes). */
#define RTM_MPU_FAULT_MISALIGNED 8u
/** Another UsageFault or exception (undefined instruction, divide by zero, ...). */
#define RTM_MPU_FAULT_OTHER 9u
/** HardFault with no configurable-fault cause (vector table read error). */
#define RTM_MPU_FAULT_HARD 10u
/** Refused by the software check (rtm_mpu_enforce). */
#define RTM_MPU_FAULT_SOFTWARE 11u

/** fault.address is the faulting address (ARM MMARVALID/BFARVALID; RISC-V mtval). */
#define RTM_MPU_FAULT_ADDR_VALID 0x1u
/** Stacking on exception entry failed too (MSTKERR/STKERR beside another cause). */
#define RTM_MPU_FAULT_F_STACKING 0x2u
/** The fault escalated to HardFault (HFSR.FORCED). */
#define RTM_MPU_FAULT_F_ESCALATED 0x4u
/** The bus error was imprecise: the address and instruction are unknown. */
#define RTM_MPU_FAULT_F_IMPRECISE 0x8u

/** A decoded fault: what a firmware fault handler reports. */
typedef struct rtm_mpu_fault {
    /** Faulting address, when flags has RTM_MPU_FAULT_ADDR_VALID; 0 otherwise. */
    uintptr_t address;
    /** RTM_MPU_FAULT_* kind. */
    uint32_t kind;
    /** RTM_MPU_ACCESS_* of the access when known (0 unknown: ARM DACCVIOL does not say). */
    uint32_t access;
    /** RTM_MPU_FAULT_ADDR_VALID and RTM_MPU_FAULT_F_* bits. */
    uint32_t flags;
    /** The manager region holding `address` (set by rtm_mpu_report_fault), else RTM_MPU_NO_REGION. */
    uint32_t region;
    /** Raw cause: CFSR on ARM, mcause on RISC-V. */
    uint32_t status;
    /** Raw extra: HFSR on ARM, mtval on RISC-V. */
    uint32_t detail;
} rtm_mpu_fault_t;

/**
 * Decode ARMv7-M/ARMv8-M fault status (pure). Precedence: MemManage (IACCVIOL,
 * DACCVIOL, then MSTKERR, MUNSTKERR, MLSPERR), BusFault, UsageFault (STKOF,
 * UNALIGNED, others), then HFSR.VECTTBL. The address is MMFAR when MMARVALID
 * (bit 7), BFAR when BFARVALID (bit 15). HFSR.FORCED sets RTM_MPU_FAULT_F_ESCALATED.
 * @param cfsr  SCB->CFSR (0xE000ED28): MMFSR bits 7:0, BFSR 15:8, UFSR 31:16.
 * @param hfsr  SCB->HFSR (0xE000ED2C).
 * @param mmfar SCB->MMFAR (0xE000ED34).
 * @param bfar  SCB->BFAR (0xE000ED38).
 * @param out   receives the decoded fault.
 * @return RTM_OK (kind RTM_MPU_FAULT_NONE when no bit is set); RTM_ERR_INVALID_ARG for NULL out.
 *         O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_fault_decode_arm(uint32_t cfsr, uint32_t hfsr, uint32_t mmfar, uint32_t bfar,
                                      rtm_mpu_fault_t *out);

/**
 * Decode RV32 mcause/mtval (pure): causes 1, 5, 7 are access faults (fetch, load,
 * store/AMO); 0, 4, 6 misaligned; 12, 13, 15 page faults (kind DATA_ACCESS or
 * INSTR_ACCESS); for these mtval is the address (an implementation may write 0,
 * which is then reported as is). An interrupt cause (bit 31) or another
 * exception gives RTM_MPU_FAULT_NONE / RTM_MPU_FAULT_OTHER without an address.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL out. O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_fault_decode_rv32(uint32_t mcause, uint32_t mtval, rtm_mpu_fault_t *out);

/**
 * On an ARM target: read CFSR, HFSR, MMFAR, BFAR and decode them; with `clear`
 * write the CFSR and HFSR bits back (write-one-to-clear) so the next fault
 * decodes fresh. Call it from the MemManage/BusFault/UsageFault/HardFault handler.
 * @return as rtm_mpu_fault_decode_arm; RTM_ERR_UNSUPPORTED on other builds,
 *         including ARMv6-M and ARMv8-M Baseline, which have no CFSR.
 * O(1), ISR-safe: made for fault handlers.
 */
rtm_status_t rtm_mpu_fault_capture_arm(bool clear, rtm_mpu_fault_t *out);

/**
 * On an RV32 target: read mcause and mtval and decode them (call from the trap handler).
 * @return as rtm_mpu_fault_decode_rv32; RTM_ERR_UNSUPPORTED on other builds.
 * O(1), ISR-safe: made for trap handlers.
 */
rtm_status_t rtm_mpu_fault_capture_rv32(rtm_mpu_fault_t *out);

/* ------------------------------------------------------------------------ */
/* The manager                                                               */
/* ------------------------------------------------------------------------ */

/** Storage of a manager, in pointer words (the layout is private). */
#define RTM_MPU_STORAGE_WORDS 80u

/** An MPU manager. Caller-owned storage; initialise with rtm_mpu_init. */
typedef struct rtm_mpu {
    /** Private. */
    uintptr_t opaque[RTM_MPU_STORAGE_WORDS];
} rtm_mpu_t;

/**
 * Violation handler: called by rtm_mpu_report_fault / rtm_mpu_enforce with the
 * decoded fault (region filled in). Runs in the caller's context -- typically a
 * fault handler: keep it short, do not allocate.
 */
typedef void (*rtm_mpu_violation_fn)(void *user, const rtm_mpu_fault_t *fault);

/** Manager statistics, copied out. */
typedef struct rtm_mpu_stats {
    /** Regions the unit has (as probed, at most RTM_MPU_MAX_REGIONS). */
    uint32_t regions;
    /** Hardware slots in use now. */
    uint32_t slots_used;
    /** RTM_MPU_CTRL_* last written; 0 when disabled. */
    uint32_t ctrl;
    /** Grows only: faults and software violations reported. */
    uint32_t violations;
    /** Grows only: region writes issued to the back end. */
    uint32_t region_writes;
    /** Grows only: requests refused (validation, overlap, no slot). */
    uint32_t refusals;
} rtm_mpu_stats_t;

/**
 * Initialise `m` over back end `be` (copied): probes the unit, starts with no
 * regions, disabled. Does not touch the hardware beyond the probe.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `m`/`be` or a back end missing a
 *         required slot; RTM_ERR_UNSUPPORTED when the unit reports no regions or
 *         the probe fails with it. O(1).
 * ISR-safe.
 */
rtm_status_t rtm_mpu_init(rtm_mpu_t *m, const rtm_mpu_backend_t *be);

/** Regions the unit has (0 for NULL). O(1). ISR-safe. */
uint32_t rtm_mpu_region_count(const rtm_mpu_t *m);

/** The RTM_MPU_ARCH_* of the back end (0 for NULL). O(1). ISR-safe. */
uint32_t rtm_mpu_arch(const rtm_mpu_t *m);

/**
 * Would rtm_mpu_set_region accept `r` at `index`? Pure: nothing is written.
 * @return RTM_OK; the statuses of rtm_mpu_set_region.
 * O(regions), read-only, ISR-safe.
 */
rtm_status_t rtm_mpu_validate(const rtm_mpu_t *m, uint32_t index, const rtm_mpu_region_t *r);

/**
 * Program region `index` (the design's configure_region), replacing what was
 * there. The region takes `span` slots (see rtm_mpu_ops_t::validate); they must
 * be free or belong to the region being replaced. On ARMv8-M the region must not
 * overlap another (RTM_ERR_OVERLAP). On PMP without a global enable the hardware
 * is written now if the manager is enabled or the region is locked, else on enable.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL, index or index + span beyond the
 *         unit; RTM_ERR_OVERLAP; RTM_ERR_ACCESS when a slot it needs is locked;
 *         RTM_ERR_NO_MEMORY when a needed slot holds another region; the
 *         encoder's statuses. On failure nothing changes. O(regions).
 * ISR-safe.
 */
rtm_status_t rtm_mpu_set_region(rtm_mpu_t *m, uint32_t index, const rtm_mpu_region_t *r);

/**
 * Program `r` into the free slot(s) that take precedence over all others --
 * the highest-numbered on ARM, the lowest-numbered on PMP -- so a guard added
 * later overrides background regions set at explicit indexes. `*index` (may be
 * NULL) receives the region's index.
 * @return as rtm_mpu_set_region; RTM_ERR_NO_MEMORY when no free slot (run) fits.
 * O(regions), ISR-safe.
 */
rtm_status_t rtm_mpu_add_region(rtm_mpu_t *m, const rtm_mpu_region_t *r, uint32_t *index);

/**
 * Turn region `index` off and free its slots.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL or an index that holds no region;
 *         RTM_ERR_ACCESS for a locked region (it stays). O(1).
 * ISR-safe.
 */
rtm_status_t rtm_mpu_clear_region(rtm_mpu_t *m, uint32_t index);

/**
 * Copy region `index` into `*out`.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL or an index that holds no region. O(1).
 * ISR-safe.
 */
rtm_status_t rtm_mpu_get_region(const rtm_mpu_t *m, uint32_t index, rtm_mpu_region_t *out);

/**
 * Enable the unit with RTM_MPU_CTRL_* flags (RTM_MPU_CTRL_ENABLE is implied).
 * On ARM this writes MPU_CTRL (the firmware enables MemManage in SHCSR itself,
 * or faults arrive as HardFault with CFSR still telling the cause).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL or unknown flags; the back end's status.
 * O(regions) (PMP writes pending regions), ISR-safe.
 */
rtm_status_t rtm_mpu_enable(rtm_mpu_t *m, uint32_t ctrl);

/**
 * Disable the unit (locked PMP entries stay in force).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL; the back end's status.
 * O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_disable(rtm_mpu_t *m);

/**
 * Software access check (the design's check_access) against the manager's
 * regions with the back end's matching rule: ARM -- the highest-numbered region
 * holding `addr`, else the default map for privileged code with PRIVDEFENA,
 * else refused; PMP -- the lowest-numbered, M-mode bound only by locked regions,
 * no match: M-mode allowed, U-mode refused. A disabled manager allows everything
 * (but on PMP locked regions still apply). Single-byte granularity: an access of
 * n bytes is allowed when each of its bytes is.
 * @return RTM_OK (allowed); RTM_ERR_ACCESS (refused); RTM_ERR_INVALID_ARG for
 *         NULL or an access value that is not one type (+ RTM_MPU_ACCESS_UNPRIV).
 *         O(regions), ISR-safe, read-only.
 */
rtm_status_t rtm_mpu_check_access(const rtm_mpu_t *m, uintptr_t addr, uint32_t access);

/**
 * Ask the back end itself (its optional check_access slot: the host model
 * decodes its registers) whether the hardware would allow the access.
 * @return RTM_OK; RTM_ERR_ACCESS; RTM_ERR_INVALID_ARG for NULL or a bad access
 *         value; RTM_ERR_UNSUPPORTED when the back end has no such slot.
 * O(regions), ISR-safe.
 */
rtm_status_t rtm_mpu_check_backend(const rtm_mpu_t *m, uintptr_t addr, uint32_t access);

/**
 * The index of the region that decides accesses to `addr` (by the matching rule
 * above), RTM_MPU_NO_REGION if none. O(regions), ISR-safe.
 */
uint32_t rtm_mpu_find_region(const rtm_mpu_t *m, uintptr_t addr);

/**
 * Register the violation handler (NULL removes it). No link-time hooks: the
 * handler and `user` are stored in `m`.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `m`.
 * O(1), ISR-safe.
 */
rtm_status_t rtm_mpu_set_violation_handler(rtm_mpu_t *m, rtm_mpu_violation_fn fn, void *user);

/**
 * Report a fault: fill `fault->region` from `fault->address` (when valid), count
 * it, and call the violation handler if one is registered.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL. O(regions).
 * ISR-safe: made for fault handlers; the violation handler runs in the caller's context.
 */
rtm_status_t rtm_mpu_report_fault(rtm_mpu_t *m, rtm_mpu_fault_t *fault);

/**
 * rtm_mpu_check_access, and on refusal report a RTM_MPU_FAULT_SOFTWARE fault at
 * `addr` (the design's handle_violation).
 * @return as rtm_mpu_check_access.
 * O(regions), ISR-safe; the violation handler runs in the caller's context.
 */
rtm_status_t rtm_mpu_enforce(rtm_mpu_t *m, uintptr_t addr, uint32_t access);

/** Copy the statistics into `*out` (zeros for NULL `m`; nothing for NULL `out`). O(1). ISR-safe. */
void rtm_mpu_get_stats(const rtm_mpu_t *m, rtm_mpu_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MPU_H */
