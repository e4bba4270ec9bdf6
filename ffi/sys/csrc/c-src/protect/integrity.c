/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Region integrity: CRC-32 seals over protected regions (layer 5).
 *
 * The CRC runs a nibble at a time over the reflected polynomial 0xEDB88320:
 * with crc' = crc ^ byte, two steps of crc = (crc >> 4) ^ T[crc & 15], where
 * T[i] is i pushed through four bit-steps of the polynomial. A 64-byte table
 * instead of 1 KiB; about a third of the byte-table speed.
 */
#include "rtm_internal.h"
#include "rtmem/integrity.h"

#define INTEGRITY_MAGIC 0x43524333u /* "CRC3" */
#define SLOT_USED 0x1u
#define SLOT_CORRUPT 0x2u /* found changed and counted; cleared by update */

static const uint32_t nibble_table[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t rtm_crc32_update(uint32_t crc, const void *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    uint32_t c = ~crc;
    for (size_t i = 0; i < size; i++) {
        c ^= p[i];
        c = (c >> 4) ^ nibble_table[c & 15u];
        c = (c >> 4) ^ nibble_table[c & 15u];
    }
    return ~c;
}

uint32_t rtm_crc32(const void *data, size_t size)
{
    return rtm_crc32_update(0u, data, size);
}

typedef struct slot {
    const unsigned char *start;
    size_t size;
    uint32_t crc;
    uint32_t flags;
} slot_t;

typedef struct detector {
    rtm_integrity_slot_t *table; /* caller's slots: slot i is table[i], viewed as a slot_t */
    size_t capacity;
    uint32_t magic;
    uint32_t frequency;
    uint32_t counter;
    rtm_integrity_stats_t stats;
} detector_t;

RTM_STORAGE_FITS(detector_t, rtm_integrity_t, integrity_storage);
RTM_STORAGE_FITS(slot_t, rtm_integrity_slot_t, integrity_slot);

static detector_t *det(rtm_integrity_t *d)
{
    detector_t *p = d == NULL ? NULL : (detector_t *)(void *)d->opaque;
    return p != NULL && p->magic == INTEGRITY_MAGIC ? p : NULL;
}

static slot_t *slot_ptr(const detector_t *p, size_t i)
{
    return (slot_t *)(void *)p->table[i].opaque;
}

static slot_t *slot_at(const detector_t *p, uint32_t id)
{
    return id < p->capacity && (slot_ptr(p, id)->flags & SLOT_USED) != 0u ? slot_ptr(p, id) : NULL;
}

rtm_status_t rtm_integrity_init(rtm_integrity_t *d, rtm_integrity_slot_t *slots, size_t capacity,
                                uint32_t check_frequency)
{
    if (d == NULL || (slots == NULL && capacity != 0u) || capacity > 0xFFFFFFFEu) {
        return RTM_ERR_INVALID_ARG;
    }
    fill_bytes(d, 0u, sizeof *d);
    detector_t *p = (detector_t *)(void *)d->opaque;
    p->table = slots;
    p->capacity = capacity;
    p->frequency = check_frequency;
    p->magic = INTEGRITY_MAGIC;
    for (size_t i = 0; i < capacity; i++) {
        fill_bytes(&slots[i], 0u, sizeof slots[i]);
    }
    return RTM_OK;
}

rtm_status_t rtm_integrity_add(rtm_integrity_t *d, const void *start, size_t size, uint32_t *id)
{
    detector_t *p = det(d);
    if (p == NULL || start == NULL || size == 0u || (uintptr_t)start > UINTPTR_MAX - (size - 1u)) {
        return RTM_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < p->capacity; i++) {
        slot_t *s = slot_ptr(p, i);
        if ((s->flags & SLOT_USED) == 0u) {
            s->start = (const unsigned char *)start;
            s->size = size;
            s->crc = rtm_crc32(start, size);
            s->flags = SLOT_USED;
            p->stats.regions_monitored++;
            if (id != NULL) {
                *id = (uint32_t)i;
            }
            return RTM_OK;
        }
    }
    return RTM_ERR_NO_MEMORY;
}

rtm_status_t rtm_integrity_remove(rtm_integrity_t *d, uint32_t id)
{
    detector_t *p = det(d);
    slot_t *s = p == NULL ? NULL : slot_at(p, id);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    fill_bytes(s, 0u, sizeof *s);
    p->stats.regions_monitored--;
    return RTM_OK;
}

rtm_status_t rtm_integrity_update(rtm_integrity_t *d, uint32_t id)
{
    detector_t *p = det(d);
    slot_t *s = p == NULL ? NULL : slot_at(p, id);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    s->crc = rtm_crc32(s->start, s->size);
    s->flags = SLOT_USED;
    return RTM_OK;
}

/* Recompute one seal and keep the once-per-corruption bookkeeping. */
static bool verify(detector_t *p, slot_t *s)
{
    p->stats.total_checks++;
    bool intact = rtm_crc32(s->start, s->size) == s->crc;
    if (!intact && (s->flags & SLOT_CORRUPT) == 0u) {
        s->flags |= SLOT_CORRUPT;
        p->stats.corruptions_detected++;
    } else if (intact && (s->flags & SLOT_CORRUPT) != 0u) {
        s->flags &= ~SLOT_CORRUPT;
        p->stats.false_alarms++;
    }
    return intact;
}

rtm_status_t rtm_integrity_check(rtm_integrity_t *d, uint32_t *bad, size_t bad_cap, size_t *bad_count)
{
    if (bad_count != NULL) {
        *bad_count = 0u;
    }
    detector_t *p = det(d);
    if (p == NULL || (bad == NULL && bad_cap != 0u)) {
        return RTM_ERR_INVALID_ARG;
    }
    /* The design divided by a frequency that may be zero; here 0 and 1 both
     * mean "every call". */
    uint32_t turn = p->counter++;
    if (p->frequency > 1u && turn % p->frequency != 0u) {
        p->stats.skipped_checks++;
        return RTM_OK;
    }
    size_t n = 0u;
    for (size_t i = 0; i < p->capacity; i++) {
        slot_t *s = slot_ptr(p, i);
        if ((s->flags & SLOT_USED) != 0u && !verify(p, s)) {
            if (n < bad_cap) {
                bad[n] = (uint32_t)i;
            }
            n++;
        }
    }
    if (bad_count != NULL) {
        *bad_count = n;
    }
    return n == 0u ? RTM_OK : RTM_ERR_CORRUPTED;
}

rtm_status_t rtm_integrity_check_region(rtm_integrity_t *d, uint32_t id)
{
    detector_t *p = det(d);
    slot_t *s = p == NULL ? NULL : slot_at(p, id);
    if (s == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    return verify(p, s) ? RTM_OK : RTM_ERR_CORRUPTED;
}

void rtm_integrity_get_stats(const rtm_integrity_t *d, rtm_integrity_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    const detector_t *p = d == NULL ? NULL : (const detector_t *)(const void *)d->opaque;
    if (p != NULL && p->magic == INTEGRITY_MAGIC) {
        *out = p->stats;
    }
}
