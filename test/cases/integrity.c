/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Region integrity: CRC-32 and the protected-region detector. */
#include <string.h>

#include "rtm_test.h"

/* Bit-at-a-time reference CRC-32 (reflected 0xEDB88320), independent of the
 * library's nibble table. */
static uint32_t crc_ref(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) {
            c = (c & 1u) != 0u ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
    }
    return ~c;
}

RTM_TEST(integrity, crc32_check_value_and_reference)
{
    RTM_CHECK_EQ(rtm_crc32("123456789", 9), 0xCBF43926u);
    RTM_CHECK_EQ(rtm_crc32(NULL, 0), 0u);
    RTM_CHECK_EQ(rtm_crc32("a", 1), 0xE8B7BE43u);
    unsigned char buf[300];
    uint32_t rng = 0x1234567u;
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (unsigned char)rtm_test_rand(&rng);
    }
    for (size_t n = 0; n <= sizeof buf; n += 37u) {
        RTM_CHECK_EQ(rtm_crc32(buf, n), crc_ref(buf, n));
        /* Incremental over any split equals the whole. */
        size_t cut = n / 3u;
        RTM_CHECK_EQ(rtm_crc32_update(rtm_crc32(buf, cut), buf + cut, n - cut), rtm_crc32(buf, n));
    }
}

static unsigned char area[3][64];

static void fill_areas(void)
{
    for (int r = 0; r < 3; r++) {
        for (int i = 0; i < 64; i++) {
            area[r][i] = (unsigned char)(r * 64 + i);
        }
    }
}

RTM_TEST(integrity, detects_corruption_once_and_reseals)
{
    fill_areas();
    rtm_integrity_t d;
    rtm_integrity_slot_t slots[4];
    RTM_CHECK_OK(rtm_integrity_init(&d, slots, 4u, 0u));
    uint32_t id[3];
    for (int r = 0; r < 3; r++) {
        RTM_CHECK_OK(rtm_integrity_add(&d, area[r], sizeof area[r], &id[r]));
        RTM_CHECK_EQ(id[r], r);
    }
    uint32_t bad[4] = {99u, 99u, 99u, 99u};
    size_t n = 99u;
    RTM_CHECK_OK(rtm_integrity_check(&d, bad, 4u, &n));
    RTM_CHECK_EQ(n, 0);
    /* One flipped bit in region 1. */
    area[1][17] ^= 0x04u;
    RTM_CHECK_STATUS(rtm_integrity_check(&d, bad, 4u, &n), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(n, 1);
    RTM_CHECK_EQ(bad[0], id[1]);
    RTM_CHECK_STATUS(rtm_integrity_check_region(&d, id[1]), RTM_ERR_CORRUPTED);
    RTM_CHECK_OK(rtm_integrity_check_region(&d, id[2]));
    /* Still corrupted on the next pass, but counted once. */
    RTM_CHECK_STATUS(rtm_integrity_check(&d, bad, 4u, &n), RTM_ERR_CORRUPTED);
    rtm_integrity_stats_t st;
    rtm_integrity_get_stats(&d, &st);
    RTM_CHECK_EQ(st.corruptions_detected, 1);
    RTM_CHECK_EQ(st.regions_monitored, 3);
    RTM_CHECK_EQ(st.total_checks, 3 * 3 + 2);
    /* A legitimate write, re-sealed: clean again. */
    RTM_CHECK_OK(rtm_integrity_update(&d, id[1]));
    RTM_CHECK_OK(rtm_integrity_check(&d, bad, 4u, &n));
    /* Two corrupted regions, output room for one: both counted, first listed. */
    area[0][0] ^= 1u;
    area[2][63] ^= 0x80u;
    RTM_CHECK_STATUS(rtm_integrity_check(&d, bad, 1u, &n), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(n, 2);
    RTM_CHECK_EQ(bad[0], id[0]);
    RTM_CHECK_STATUS(rtm_integrity_check(&d, NULL, 0u, NULL), RTM_ERR_CORRUPTED);
    /* Region 2 restored by hand (a write in flight during a check): a false alarm. */
    area[2][63] ^= 0x80u;
    RTM_CHECK_STATUS(rtm_integrity_check(&d, bad, 4u, &n), RTM_ERR_CORRUPTED);
    RTM_CHECK_EQ(n, 1);
    rtm_integrity_get_stats(&d, &st);
    RTM_CHECK_EQ(st.corruptions_detected, 3);
    RTM_CHECK_EQ(st.false_alarms, 1);
    /* Removing the corrupted region leaves a clean set; its slot is reused. */
    RTM_CHECK_OK(rtm_integrity_remove(&d, id[0]));
    RTM_CHECK_OK(rtm_integrity_check(&d, bad, 4u, &n));
    uint32_t again = 99u;
    RTM_CHECK_OK(rtm_integrity_add(&d, area[0], 8u, &again));
    RTM_CHECK_EQ(again, id[0]);
    RTM_CHECK_OK(rtm_integrity_check(&d, bad, 4u, &n));
}

RTM_TEST(integrity, check_frequency_zero_means_every_call)
{
    fill_areas();
    rtm_integrity_t d;
    rtm_integrity_slot_t slots[2];
    size_t n = 0u;
    /* Frequency 3: the 1st, 4th, 7th ... calls check. */
    RTM_CHECK_OK(rtm_integrity_init(&d, slots, 2u, 3u));
    RTM_CHECK_OK(rtm_integrity_add(&d, area[0], 64u, NULL));
    area[0][5] ^= 0xFFu;
    RTM_CHECK_STATUS(rtm_integrity_check(&d, NULL, 0u, &n), RTM_ERR_CORRUPTED);
    RTM_CHECK_OK(rtm_integrity_check(&d, NULL, 0u, &n));
    RTM_CHECK_EQ(n, 0);
    RTM_CHECK_OK(rtm_integrity_check(&d, NULL, 0u, &n));
    RTM_CHECK_STATUS(rtm_integrity_check(&d, NULL, 0u, &n), RTM_ERR_CORRUPTED);
    rtm_integrity_stats_t st;
    rtm_integrity_get_stats(&d, &st);
    RTM_CHECK_EQ(st.skipped_checks, 2);
    RTM_CHECK_EQ(st.total_checks, 2);
    /* Frequency 0 (the design divided by it): every call checks. */
    RTM_CHECK_OK(rtm_integrity_init(&d, slots, 2u, 0u));
    RTM_CHECK_OK(rtm_integrity_add(&d, area[0], 64u, NULL));
    area[0][5] ^= 0xFFu;
    for (int i = 0; i < 5; i++) {
        RTM_CHECK_STATUS(rtm_integrity_check(&d, NULL, 0u, &n), RTM_ERR_CORRUPTED);
    }
    rtm_integrity_get_stats(&d, &st);
    RTM_CHECK_EQ(st.total_checks, 5);
    RTM_CHECK_EQ(st.skipped_checks, 0);
}

RTM_TEST(integrity, bad_input_matrix)
{
    fill_areas();
    rtm_integrity_t d;
    rtm_integrity_slot_t slots[2];
    uint32_t id = 0u;
    size_t n = 7u;
    RTM_CHECK_STATUS(rtm_integrity_init(NULL, slots, 2u, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_init(&d, NULL, 2u, 0u), RTM_ERR_INVALID_ARG);
    memset(&d, 0, sizeof d); /* uninitialised */
    RTM_CHECK_STATUS(rtm_integrity_add(&d, area[0], 8u, &id), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_check(&d, NULL, 0u, &n), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(n, 0);
    /* A detector with no slots is valid and always full. */
    RTM_CHECK_OK(rtm_integrity_init(&d, NULL, 0u, 0u));
    RTM_CHECK_STATUS(rtm_integrity_add(&d, area[0], 8u, &id), RTM_ERR_NO_MEMORY);
    RTM_CHECK_OK(rtm_integrity_init(&d, slots, 2u, 0u));
    RTM_CHECK_OK(rtm_integrity_add(&d, area[0], 64u, &id));
    RTM_CHECK_STATUS(rtm_integrity_add(NULL, area[0], 8u, &id), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_add(&d, NULL, 8u, &id), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_add(&d, area[0], 0u, &id), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_add(&d, (const void *)(UINTPTR_MAX - 3u), 8u, &id), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_integrity_add(&d, area[1], 64u, NULL)); /* overlap allowed, fills the table */
    RTM_CHECK_STATUS(rtm_integrity_add(&d, area[2], 64u, NULL), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_integrity_remove(&d, 2u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_remove(NULL, 0u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_update(&d, 0xFFFFFFFFu), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_check_region(&d, 5u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_check(&d, NULL, 1u, &n), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_integrity_check(NULL, NULL, 0u, &n), RTM_ERR_INVALID_ARG);
    /* Double remove. */
    RTM_CHECK_OK(rtm_integrity_remove(&d, 1u));
    RTM_CHECK_STATUS(rtm_integrity_remove(&d, 1u), RTM_ERR_INVALID_ARG);
    /* After all that, the structure is consistent. */
    RTM_CHECK_OK(rtm_integrity_check(&d, NULL, 0u, &n));
    rtm_integrity_stats_t st;
    rtm_integrity_get_stats(&d, &st);
    RTM_CHECK_EQ(st.regions_monitored, 1);
    RTM_CHECK_EQ(st.corruptions_detected, 0);
    rtm_integrity_get_stats(NULL, &st);
    RTM_CHECK_EQ(st.regions_monitored, 0);
    rtm_integrity_get_stats(&d, NULL);
}
