/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The overrun sweep of the O(1) heap; see overrun.h. Each case builds a heap
 * with three blocks a, b, c (b used, or freed before the overrun), writes
 * past a's usable end into b's header and beyond, then: frees a; frees or
 * reallocates b (when used); allocates several blocks. Every answer must be
 * RTM_OK (with a heap that passes rtm_heap_check() when nothing changed),
 * RTM_ERR_CORRUPTED, RTM_ERR_NO_MEMORY for allocations, or, for the call on b
 * itself when 3 or more bytes of its header were replaced,
 * RTM_ERR_INVALID_POINTER or RTM_ERR_DOUBLE_FREE (the heap cannot tell such a
 * header from a pointer that never was a block); no block handed out may leave the heap's memory or
 * overlap a live block, unless the overrun went unnoticed by every call
 * (counted as undetected).
 */
#include "overrun.h"

#include <string.h>

#include <stdbool.h>
#include "rtmem/heap.h"

#define ARENA 1024u /* RTM_OVERRUN_MEMORY() counts it */
#define NEW_BLOCKS 6u

static uint32_t next_random(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

struct span {
    uintptr_t lo, hi;
};

static bool overlaps(struct span x, struct span y)
{
    return x.lo < y.hi && y.lo < x.hi;
}

/* One case; returns false when the promise was broken. */
static bool one_case(unsigned char *mem, bool free_neighbour, unsigned len, const unsigned char *bytes,
                     bool *damaged, bool *undetected, bool *corrupted, bool *late, unsigned variant)
{
    rtm_heap_t *h = NULL;
    void *a = NULL;
    void *b = NULL;
    void *c = NULL;
    if (rtm_heap_init(mem, ARENA, &h) != RTM_OK || rtm_heap_alloc(h, 40, 0, &a) != RTM_OK ||
        rtm_heap_alloc(h, 56, 0, &b) != RTM_OK || rtm_heap_alloc(h, 72, 0, &c) != RTM_OK) {
        return false;
    }
    if (free_neighbour && rtm_heap_free(h, b) != RTM_OK) {
        return false;
    }
    unsigned char *end = (unsigned char *)a + rtm_heap_usable_size(h, a);
    *damaged = memcmp(end, bytes, len) != 0;
    memcpy(end, bytes, len);
    bool ok = true;
    bool all_ok = true; /* free(a) and the call on b answered RTM_OK */
    *corrupted = false;
    struct span live[NEW_BLOCKS + 2u];
    unsigned nlive = 0;
    live[nlive++] = (struct span){(uintptr_t)c, (uintptr_t)c + 72u};

    rtm_status_t s = rtm_heap_free(h, a);
    ok = ok && (s == RTM_OK || s == RTM_ERR_CORRUPTED);
    all_ok = all_ok && s == RTM_OK;
    *corrupted = *corrupted || s == RTM_ERR_CORRUPTED;
    rtm_status_t s_b = RTM_ERR_CORRUPTED; /* the call on b: none when b was free */
    if (!free_neighbour) {
        void *nb = NULL;
        s = (variant & 1u) != 0u ? rtm_heap_realloc(h, b, 100, 0, &nb) : rtm_heap_free(h, b);
        s_b = s;
        /* 3 or more bytes of b's header replaced: the heap cannot tell it from a pointer that never was a block */
        ok = ok && (s == RTM_OK || s == RTM_ERR_CORRUPTED ||
                    ((s == RTM_ERR_INVALID_POINTER || s == RTM_ERR_DOUBLE_FREE) && len >= 3u));
        all_ok = all_ok && s == RTM_OK;
        *corrupted = *corrupted || s == RTM_ERR_CORRUPTED;
        if (s != RTM_OK) {
            live[nlive++] = (struct span){(uintptr_t)b, (uintptr_t)b + 56u};
        } else if (nb != NULL) {
            live[nlive++] = (struct span){(uintptr_t)nb, (uintptr_t)nb + 100u};
        }
    }
    for (unsigned i = 0; i < NEW_BLOCKS; i++) {
        size_t size = 8u + 48u * ((i + variant) % 5u);
        void *p = NULL;
        s = rtm_heap_alloc(h, size, 0, &p);
        ok = ok && (s == RTM_OK || s == RTM_ERR_CORRUPTED || s == RTM_ERR_NO_MEMORY);
        *corrupted = *corrupted || s == RTM_ERR_CORRUPTED;
        if (s == RTM_OK) {
            struct span x = {(uintptr_t)p, (uintptr_t)p + size};
            ok = ok && x.lo >= (uintptr_t)mem && x.hi <= (uintptr_t)mem + ARENA;
            for (unsigned j = 0; j < nlive; j++) {
                ok = ok && !overlaps(x, live[j]);
            }
            live[nlive++] = x;
        }
    }
    if (!*damaged) {
        ok = ok && all_ok && !*corrupted && rtm_heap_check(h) == RTM_OK;
    }
    *undetected = *damaged && all_ok;
    /* An overrun that the calls on the blocks it touched (a, and b when used)
     * both let pass leaves a damaged heap behind, which may go on to hand out
     * a block over a live one: that is what "undetected" means, and it is
     * counted there. "late": free(a) named the damage, yet the call on b
     * itself let its damaged header pass (a program that went on after the
     * error), and the heap went wrong afterwards. */
    *late = !ok && !*undetected && *damaged && s_b == RTM_OK;
    return ok || *undetected || *late;
}

void rtm_overrun_sweep(unsigned char *scratch, unsigned max_len, unsigned placements, uint32_t random,
                       struct rtm_overrun_tally *t)
{
    memset(t, 0, sizeof *t);
    if (scratch == NULL) {
        t->broken++;
        return;
    }
    uint32_t seed = random;
    unsigned char bytes[RTM_OVERRUN_MAX_LEN];
    for (unsigned len = 1; len <= max_len && len <= RTM_OVERRUN_MAX_LEN; len++) {
        for (unsigned k = 0; k < placements; k++) {
            /* every start mod 8, and keys that differ in their low and high bits */
            unsigned char *mem = scratch + 8u * k + (k * 5u) % 8u;
            for (unsigned v = 0; v < 256u; v++) {
                for (unsigned i = 0; i < len; i++) {
                    bytes[i] = (unsigned char)(random != 0u ? next_random(&seed) : v);
                }
                for (unsigned scenario = 0; scenario < 2u; scenario++) {
                    bool damaged = false;
                    bool undetected = false;
                    bool corrupted = false;
                    bool late = false;
                    if (!one_case(mem, scenario == 1u, len, bytes, &damaged, &undetected, &corrupted, &late, v)) {
                        t->broken++;
                    }
                    t->cases[len]++;
                    t->damaged[len] += damaged ? 1u : 0u;
                    t->undetected[len] += undetected ? 1u : 0u;
                    t->corrupted[len] += corrupted ? 1u : 0u;
                    t->late[len] += late ? 1u : 0u;
                }
            }
        }
    }
}
