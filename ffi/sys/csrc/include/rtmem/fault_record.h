/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/fault_record.h
 * @brief Layer 5: a fault record that survives a reset.
 *
 * A fault handler writes what it saw -- the fault status registers, the
 * faulting address, the stacked registers of the faulting context, the task
 * that ran and the MPU region -- into a record the application places in RAM
 * that the start-up code neither copies nor clears (a `.noinit` NOLOAD output
 * section), then resets. On the next boot rtm_fault_record_take() hands the
 * record back once and clears it: RAM that held no record, or a record damaged
 * while the power was off, is told apart by a magic word and a CRC-32 over the
 * whole record.
 *
 * Layout: 32-bit words only, the same on every target (the GDB command
 * `rtm fault` of tools/gdb/rtmem.py reads it from target memory or a RAM dump).
 * Nothing here allocates; all functions are O(1) (the CRC covers a fixed
 * 92 bytes) and may run in a fault handler.
 */
#ifndef RTMEM_FAULT_RECORD_H
#define RTMEM_FAULT_RECORD_H

#include "mpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/** `magic` of a written record ("RTFR"). */
#define RTM_FAULT_RECORD_MAGIC 0x52544652u
/** Version of the layout below (`version`). */
#define RTM_FAULT_RECORD_VERSION 1u
/** Words of the stacked exception frame kept: r0-r3, r12, lr, pc, xPSR. */
#define RTM_FAULT_RECORD_FRAME_WORDS 8u
/** `frame_valid`: the stacked registers were read from a complete frame. */
#define RTM_FAULT_RECORD_FRAME_VALID 1u

/** What a fault left for the next boot. Caller storage (in `.noinit` RAM). */
typedef struct rtm_fault_record {
    /** RTM_FAULT_RECORD_MAGIC while the record holds a fault. */
    uint32_t magic;
    /** RTM_FAULT_RECORD_VERSION. */
    uint32_t version;
    /** Faults written since the slot was last cleared (a fault during the report counts too). */
    uint32_t count;
    /** ARM: CFSR. RISC-V: mcause. */
    uint32_t cfsr;
    /** ARM: HFSR. RISC-V: mtval. */
    uint32_t hfsr;
    /** ARM: MMFAR (meaningful with CFSR.MMARVALID). */
    uint32_t mmfar;
    /** ARM: BFAR (meaningful with CFSR.BFARVALID). */
    uint32_t bfar;
    /** Decoded faulting address (rtm_mpu_fault_t::address), 0 when not valid. */
    uint32_t address;
    /** RTM_MPU_FAULT_* kind decoded from the registers. */
    uint32_t kind;
    /** RTM_MPU_FAULT_ADDR_VALID and RTM_MPU_FAULT_F_* bits. */
    uint32_t flags;
    /** MPU manager region holding `address`, else RTM_MPU_NO_REGION. */
    uint32_t region;
    /** Task tag given by the port (e.g. the RTOS's current task), 0 none. */
    uint32_t task;
    /** Address of the stacked frame (the faulting context's stack pointer). */
    uint32_t sp;
    /** ARM: EXC_RETURN of the fault handler; 0 when not known. */
    uint32_t exc_return;
    /** RTM_FAULT_RECORD_FRAME_VALID when `frame` holds the stacked registers. */
    uint32_t frame_valid;
    /** r0, r1, r2, r3, r12, lr, pc, xPSR as stacked (zeros without a valid frame). */
    uint32_t frame[RTM_FAULT_RECORD_FRAME_WORDS];
    /** CRC-32 (rtm_crc32) of every byte before this field. */
    uint32_t crc;
} rtm_fault_record_t;

/**
 * Write a fault into `slot` (pure: no register is read) and seal it with its
 * CRC. `fault` is the decoded fault (rtm_mpu_fault_decode_arm or
 * rtm_mpu_report_fault, whose `region` is kept); `mmfar`/`bfar` the raw
 * address registers; `frame` the stacked exception frame (8 words, may be NULL
 * when the stacking failed); `sp` the frame's address; `task` a port's tag.
 * A slot already holding a sealed record keeps its count + 1 (the first fault is
 * overwritten by the latest).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `slot` or `fault`. O(1), ISR-safe.
 */
rtm_status_t rtm_fault_record_write(rtm_fault_record_t *slot, const rtm_mpu_fault_t *fault, uint32_t mmfar,
                                    uint32_t bfar, const uint32_t *frame, uint32_t sp, uint32_t exc_return,
                                    uint32_t task);

/**
 * From an ARMv7-M / ARMv8-M Mainline fault handler: read CFSR, HFSR, MMFAR and
 * BFAR, decode them, find the MPU region holding the faulting address with
 * rtm_mpu_find_region(`mpu`) (`mpu` may be NULL; the fault is not reported to
 * it, so its statistics and violation handler are untouched), copy the
 * stacked frame at `frame` unless CFSR says stacking failed (MSTKERR, STKERR,
 * STKOF), and write `slot` as rtm_fault_record_write does. The registers are not
 * cleared (a reset follows, or the caller clears them).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `slot`; RTM_ERR_UNSUPPORTED on
 *         other builds (slot untouched). O(1) plus rtm_mpu_find_region.
 * ISR-safe: meant to run in the fault handler itself.
 */
rtm_status_t rtm_fault_record_capture_arm(rtm_fault_record_t *slot, rtm_mpu_t *mpu, const uint32_t *frame,
                                          uint32_t exc_return, uint32_t task);

/**
 * Is `slot` a sealed record (magic, version and CRC right)? Read-only.
 * @return RTM_OK (a record); RTM_ERR_INVALID_POINTER (no record: the magic is
 *         not there, e.g. RAM after power-on); RTM_ERR_CORRUPTED (the magic is
 *         there but the version or CRC is wrong); RTM_ERR_INVALID_ARG for NULL. O(1).
 * ISR-safe.
 */
rtm_status_t rtm_fault_record_check(const rtm_fault_record_t *slot);

/**
 * Take the record once: copy it into `*out` when rtm_fault_record_check says
 * RTM_OK, and clear the slot in every case but NULL arguments (a damaged or
 * absent record leaves a zeroed slot, so the next boot does not report it).
 * @return as rtm_fault_record_check; `*out` is written only on RTM_OK. O(1).
 * ISR-safe (not concurrently with a fault handler writing the same slot).
 */
rtm_status_t rtm_fault_record_take(rtm_fault_record_t *slot, rtm_fault_record_t *out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_FAULT_RECORD_H */
