/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The fault record that survives a reset (layer 5): written by a fault
 * handler into RAM the start-up code leaves alone, sealed with a CRC-32,
 * taken once on the next boot. The record is all 32-bit words so that its
 * layout is the same on every target and a debugger can read it from memory
 * or a RAM dump without the firmware's help.
 */
#include "rtm_internal.h"
#include "rtmem/fault_record.h"
#include "rtmem/integrity.h"

#define CFSR_NO_FRAME ((1u << 4) | (1u << 12) | (1u << 20)) /* MSTKERR, STKERR, STKOF */

RTM_STATIC_ASSERT(sizeof(rtm_fault_record_t) == 96u, fault_record_size);
RTM_STATIC_ASSERT(offsetof(rtm_fault_record_t, crc) == 92u, fault_record_crc_last);

static uint32_t seal_of(const rtm_fault_record_t *r)
{
    return rtm_crc32(r, offsetof(rtm_fault_record_t, crc));
}

rtm_status_t rtm_fault_record_check(const rtm_fault_record_t *slot)
{
    if (slot == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (slot->magic != RTM_FAULT_RECORD_MAGIC) {
        return RTM_ERR_INVALID_POINTER;
    }
    return slot->version == RTM_FAULT_RECORD_VERSION && slot->crc == seal_of(slot) ? RTM_OK : RTM_ERR_CORRUPTED;
}

rtm_status_t rtm_fault_record_write(rtm_fault_record_t *slot, const rtm_mpu_fault_t *fault, uint32_t mmfar,
                                    uint32_t bfar, const uint32_t *frame, uint32_t sp, uint32_t exc_return,
                                    uint32_t task)
{
    if (slot == NULL || fault == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t count = rtm_fault_record_check(slot) == RTM_OK ? slot->count : 0u;
    rtm_fault_record_t r;
    fill_bytes(&r, 0u, sizeof r);
    r.magic = RTM_FAULT_RECORD_MAGIC;
    r.version = RTM_FAULT_RECORD_VERSION;
    r.count = count + 1u;
    r.cfsr = fault->status;
    r.hfsr = fault->detail;
    r.mmfar = mmfar;
    r.bfar = bfar;
    r.address = (fault->flags & RTM_MPU_FAULT_ADDR_VALID) != 0u ? (uint32_t)fault->address : 0u;
    r.kind = fault->kind;
    r.flags = fault->flags;
    r.region = fault->region;
    r.task = task;
    r.sp = sp;
    r.exc_return = exc_return;
    if (frame != NULL) {
        r.frame_valid = RTM_FAULT_RECORD_FRAME_VALID;
        for (uint32_t i = 0; i < RTM_FAULT_RECORD_FRAME_WORDS; i++) {
            r.frame[i] = frame[i];
        }
    }
    r.crc = seal_of(&r);
    *slot = r;
    return RTM_OK;
}

rtm_status_t rtm_fault_record_capture_arm(rtm_fault_record_t *slot, rtm_mpu_t *mpu, const uint32_t *frame,
                                          uint32_t exc_return, uint32_t task)
{
    if (slot == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) || \
    defined(__ARM_ARCH_8_1M_MAIN__)
    const volatile uint32_t *scb = (const volatile uint32_t *)(uintptr_t)0xE000ED28u; /* CFSR */
    uint32_t mmfar = scb[3];                                                          /* 0xE000ED34 */
    uint32_t bfar = scb[4];                                                           /* 0xE000ED38 */
    rtm_mpu_fault_t f;
    rtm_status_t s = rtm_mpu_fault_decode_arm(scb[0], scb[1], mmfar, bfar, &f);
    if (s != RTM_OK) {
        return s;
    }
    if (mpu != NULL && (f.flags & RTM_MPU_FAULT_ADDR_VALID) != 0u) {
        f.region = rtm_mpu_find_region(mpu, f.address); /* not reported: the caller may do that */
    }
    bool stacked = frame != NULL && (f.status & CFSR_NO_FRAME) == 0u;
    return rtm_fault_record_write(slot, &f, mmfar, bfar, stacked ? frame : NULL,
                                  (uint32_t)(uintptr_t)frame, exc_return, task);
#else
    (void)mpu;
    (void)frame;
    (void)exc_return;
    (void)task;
    return RTM_ERR_UNSUPPORTED;
#endif
}

rtm_status_t rtm_fault_record_take(rtm_fault_record_t *slot, rtm_fault_record_t *out)
{
    if (slot == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_status_t s = rtm_fault_record_check(slot);
    if (s == RTM_OK) {
        *out = *slot;
    }
    fill_bytes(slot, 0u, sizeof *slot);
    return s;
}
