/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The fault record that survives a reset: sealing, taking once, damage. */
#include <string.h>

#include "model.h"
#include "rtmem/fault_record.h"

static rtm_mpu_fault_t mm_fault(void)
{
    rtm_mpu_fault_t f;
    memset(&f, 0, sizeof f);
    (void)rtm_mpu_fault_decode_arm(0x82u, 0u, 0x20001000u, 0u, &f); /* checked by the mpu tests */
    f.region = 3u;
    return f;
}

static const uint32_t frame[8] = {1u, 2u, 3u, 4u, 12u, 0x1235u, 0x1000u, 0x01000000u};

RTM_TEST(fault_record, written_record_is_taken_once)
{
    rtm_fault_record_t slot;
    rtm_fault_record_t got;
    memset(&slot, 0xa5, sizeof slot); /* RAM after power-on: no record */
    RTM_CHECK_STATUS(rtm_fault_record_check(&slot), RTM_ERR_INVALID_POINTER);
    rtm_mpu_fault_t f = mm_fault();
    RTM_CHECK_OK(rtm_fault_record_write(&slot, &f, 0x20001000u, 0x55u, frame, 0x20003fe0u, 0xfffffffdu, 7u));
    RTM_CHECK_OK(rtm_fault_record_check(&slot));
    memset(&got, 0, sizeof got);
    RTM_CHECK_OK(rtm_fault_record_take(&slot, &got));
    RTM_CHECK_EQ(got.count, 1u);
    RTM_CHECK_EQ(got.cfsr, 0x82u);
    RTM_CHECK_EQ(got.mmfar, 0x20001000u);
    RTM_CHECK_EQ(got.bfar, 0x55u);
    RTM_CHECK_EQ(got.address, 0x20001000u);
    RTM_CHECK_EQ(got.kind, RTM_MPU_FAULT_DATA_ACCESS);
    RTM_CHECK((got.flags & RTM_MPU_FAULT_ADDR_VALID) != 0u);
    RTM_CHECK_EQ(got.region, 3u);
    RTM_CHECK_EQ(got.task, 7u);
    RTM_CHECK_EQ(got.sp, 0x20003fe0u);
    RTM_CHECK_EQ(got.exc_return, 0xfffffffdu);
    RTM_CHECK_EQ(got.frame_valid, RTM_FAULT_RECORD_FRAME_VALID);
    RTM_CHECK(memcmp(got.frame, frame, sizeof frame) == 0);
    /* cleared once read: the next boot finds nothing */
    RTM_CHECK_STATUS(rtm_fault_record_check(&slot), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_fault_record_take(&slot, &got), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_EQ(got.count, 1u); /* untouched on failure */
}

RTM_TEST(fault_record, a_second_fault_counts_and_overwrites)
{
    rtm_fault_record_t slot;
    rtm_fault_record_t got;
    memset(&slot, 0, sizeof slot);
    rtm_mpu_fault_t f = mm_fault();
    RTM_CHECK_OK(rtm_fault_record_write(&slot, &f, 0x20001000u, 0u, frame, 0x20003fe0u, 0u, 1u));
    /* the second fault stacked no frame (MSTKERR) */
    RTM_CHECK_OK(rtm_mpu_fault_decode_arm(0x90u, 0u, 0x20002000u, 0u, &f));
    RTM_CHECK_OK(rtm_fault_record_write(&slot, &f, 0x20002000u, 0u, NULL, 0x20002000u, 0u, 2u));
    RTM_CHECK_OK(rtm_fault_record_take(&slot, &got));
    RTM_CHECK_EQ(got.count, 2u);
    RTM_CHECK_EQ(got.task, 2u);
    RTM_CHECK_EQ(got.cfsr, 0x90u);
    RTM_CHECK_EQ(got.frame_valid, 0u);
    RTM_CHECK_EQ(got.frame[6], 0u);
    RTM_CHECK_EQ(got.address, 0x20002000u);
}

RTM_TEST(fault_record, damage_is_detected_and_cleared)
{
    rtm_fault_record_t slot;
    rtm_fault_record_t got;
    memset(&got, 0, sizeof got);
    for (size_t byte = 4u; byte < sizeof slot; byte += 7u) {
        memset(&slot, 0, sizeof slot);
        rtm_mpu_fault_t f = mm_fault();
        RTM_CHECK_OK(rtm_fault_record_write(&slot, &f, 0x20001000u, 0u, frame, 0x20003fe0u, 0u, 1u));
        ((unsigned char *)&slot)[byte] ^= 0x10u; /* one bit flipped while the power was off */
        RTM_CHECK_STATUS(rtm_fault_record_check(&slot), RTM_ERR_CORRUPTED);
        RTM_CHECK_STATUS(rtm_fault_record_take(&slot, &got), RTM_ERR_CORRUPTED);
        RTM_CHECK_EQ(got.magic, 0u); /* nothing copied */
        RTM_CHECK_STATUS(rtm_fault_record_check(&slot), RTM_ERR_INVALID_POINTER);
        /* the slot is usable again: a damaged record does not raise the count */
        RTM_CHECK_OK(rtm_fault_record_write(&slot, &f, 0u, 0u, NULL, 0u, 0u, 0u));
        RTM_CHECK_OK(rtm_fault_record_take(&slot, &got));
        RTM_CHECK_EQ(got.count, 1u);
        memset(&got, 0, sizeof got);
    }
}

RTM_TEST(fault_record, bad_arguments)
{
    rtm_fault_record_t slot;
    rtm_fault_record_t got;
    memset(&slot, 0, sizeof slot);
    rtm_mpu_fault_t f = mm_fault();
    RTM_CHECK_STATUS(rtm_fault_record_write(NULL, &f, 0u, 0u, NULL, 0u, 0u, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_fault_record_write(&slot, NULL, 0u, 0u, NULL, 0u, 0u, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_fault_record_check(&slot), RTM_ERR_INVALID_POINTER); /* nothing written */
    RTM_CHECK_OK(rtm_fault_record_write(&slot, &f, 0u, 0u, NULL, 0u, 0u, 0u));
    RTM_CHECK_STATUS(rtm_fault_record_take(&slot, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_fault_record_take(NULL, &got), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_fault_record_check(&slot)); /* still there after the refused take */
    RTM_CHECK_STATUS(rtm_fault_record_check(NULL), RTM_ERR_INVALID_ARG);
#if !defined(__ARM_ARCH_7M__) && !defined(__ARM_ARCH_7EM__) && !defined(__ARM_ARCH_8M_MAIN__)
    RTM_CHECK_STATUS(rtm_fault_record_capture_arm(&slot, NULL, frame, 0u, 0u), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_OK(rtm_fault_record_check(&slot)); /* untouched */
#endif
    RTM_CHECK_STATUS(rtm_fault_record_capture_arm(NULL, NULL, frame, 0u, 0u), RTM_ERR_INVALID_ARG);
}
