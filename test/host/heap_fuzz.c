/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * libFuzzer target for the O(1) heap (make fuzz; a short fixed-seed run is
 * part of make test). The input is a program: a first region and up to three
 * more, then operations on 64 slots -- allocate (any size and alignment),
 * free, reallocate, and misuse: a stale pointer (freed, not live again) or
 * an interior one handed to free or realloc, and overruns: 1..32 bytes of
 * the input's choosing written past a block's end, into whatever follows it
 * (a used or free block, the end marker). Until the first overrun, after
 * every operation the integrity check must pass; a refused misuse must leave
 * the statistics as they were; every block keeps its fill pattern until it is
 * freed; at the end, with everything freed, all the space is free again.
 * After an overrun the heap may be damaged, and the promise is the one that
 * holds for a damaged heap: every call answers a status, every block handed
 * out lies inside a region, and the heap never reads or writes outside its
 * regions (the 256 bytes on either side of each are poisoned for ASan), never
 * crashes and never runs into undefined behaviour. Any violation aborts,
 * which libFuzzer reports with the input.
 *
 * The heap's headers are keyed by address, so where the heap lies is part of
 * the input too: the memory is mapped at a fixed address and the input picks
 * the heap's place in its first 16 MiB, and the byte its regions are filled
 * with before use (nothing is left from earlier inputs), which makes every
 * input reproducible.
 */
#define _GNU_SOURCE /* mmap's MAP_ANONYMOUS and MAP_FIXED_NOREPLACE */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sanitizer/asan_interface.h>

#include "rtmem/heap.h"

#define SLOTS 64u
#define RING 16u
#define REGION_STRIDE 49152u
#define PLACES (16u << 20)            /* the heap starts in the first 16 MiB */
/* Low 32 bits 0x2000_0000, where a Cortex-M's SRAM starts (the keys use the
 * low 32 bits: docs/heap.md); clear of ASan's shadow and allocator. */
#define MAP_AT ((uintptr_t)0x500020000000u)
#define MAP_SIZE (PLACES + 4u * REGION_STRIDE)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *data;
    size_t size;
    size_t at;
};

static unsigned next(struct input *in)
{
    return in->at < in->size ? in->data[in->at++] : 0u;
}

static void fail(const char *why)
{
    fprintf(stderr, "heap_fuzz: %s\n", why);
    abort();
}

static unsigned char pattern(uint32_t tag, size_t i)
{
    return (unsigned char)(tag * 167u + i * 31u + (i >> 7));
}

struct slot {
    unsigned char *p;
    size_t len;
    uint32_t tag;
};

static void fill(const struct slot *s)
{
    for (size_t i = 0; i < s->len; i++) {
        s->p[i] = pattern(s->tag, i);
    }
}

static void verify(const unsigned char *p, size_t len, uint32_t tag)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != pattern(tag, i)) {
            fail("a block lost its contents");
        }
    }
}

static size_t request(struct input *in)
{
    return 1u + (((size_t)next(in) << 4) | (next(in) & 15u)) % 3000u;
}

static unsigned char *memory(void)
{
    static unsigned char *m;
    if (m == NULL) {
        void *p = mmap((void *)MAP_AT, MAP_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p != (void *)MAP_AT) {
            fail("cannot map the heap's memory at its fixed address");
        }
        m = p;
    }
    return m;
}

#define GUARD 256u
struct span {
    unsigned char *lo, *hi;
};
static struct span regions[4];
static unsigned n_regions;

/* Poison (or unpoison) the guard bands around every region. */
static void guards(bool poison)
{
    for (unsigned r = 0; r < n_regions; r++) {
        if (poison) {
            ASAN_POISON_MEMORY_REGION(regions[r].lo - GUARD, GUARD);
            ASAN_POISON_MEMORY_REGION(regions[r].hi, GUARD);
        } else {
            ASAN_UNPOISON_MEMORY_REGION(regions[r].lo - GUARD, GUARD);
            ASAN_UNPOISON_MEMORY_REGION(regions[r].hi, GUARD);
        }
    }
}

/* The region holding [p, p + n), or NULL. */
static const struct span *region_of(const unsigned char *p, size_t n)
{
    for (unsigned r = 0; r < n_regions; r++) {
        if (p >= regions[r].lo && p <= regions[r].hi && n <= (size_t)(regions[r].hi - p)) {
            return &regions[r];
        }
    }
    return NULL;
}

static rtm_heap_t *make_heap(struct input *in)
{
    rtm_heap_t *h = NULL;
    unsigned char *arena = memory() + (((size_t)next(in) << 16 | (size_t)next(in) << 8 | next(in)) % PLACES);
    int fill = (int)next(in);
    size_t first = 512u + (size_t)next(in) * 96u + next(in);
    memset(arena, fill, first);
    if (rtm_heap_init(arena, first, &h) != RTM_OK) {
        fail("init refused a valid arena");
    }
    n_regions = 0u;
    regions[n_regions++] = (struct span){arena, arena + first};
    unsigned extra = next(in) % 4u;
    for (unsigned r = 1; r <= extra; r++) {
        size_t len = 40u + (size_t)next(in) * 64u + next(in);
        unsigned char *region = arena + r * REGION_STRIDE + (next(in) & 127u);
        memset(region, fill, len);
        if (rtm_heap_add_region(h, region, len) != RTM_OK) {
            fail("add_region refused a valid region");
        }
        regions[n_regions++] = (struct span){region, region + len};
    }
    return h;
}

/* A pointer the heap must refuse: a stale one, or one inside block b; NULL
 * when this input names none. */
static unsigned char *misuse_target(struct input *in, unsigned op, const struct slot *all, const struct slot *b,
                                    unsigned char *const *stale)
{
    if ((op & 0x40u) != 0u) {
        unsigned char *p = stale[next(in) % RING];
        for (unsigned j = 0; j < SLOTS && p != NULL; j++) {
            p = all[j].p == p ? NULL : p; /* handed out again: freeing it is legitimate */
        }
        return p;
    }
    return b->p != NULL && b->len >= 2u ? b->p + 1u + next(in) % (b->len - 1u) : NULL;
}

/* Write 1..32 bytes of the input past b's end (staying inside its region,
 * whose bands are poisoned). True when something was written. */
static bool overrun(rtm_heap_t *h, struct input *in, const struct slot *b)
{
    if (b->p == NULL) {
        return false;
    }
    unsigned char *end = b->p + rtm_heap_usable_size(h, b->p);
    size_t len = 1u + next(in) % 32u;
    const struct span *r = region_of(end, 0u);
    if (r == NULL) {
        fail("a live block lies outside every region");
    }
    if (len > (size_t)(r->hi - end)) {
        len = (size_t)(r->hi - end);
    }
    for (size_t i = 0; i < len; i++) {
        end[i] = (unsigned char)next(in);
    }
    return len != 0u;
}

/* Free on a damaged heap: any status will do; the block leaves the slot. */
static void damaged_free(rtm_heap_t *h, void *p)
{
    rtm_status_t st = rtm_heap_free(h, p);
    if (st != RTM_OK && st != RTM_ERR_CORRUPTED && st != RTM_ERR_INVALID_POINTER && st != RTM_ERR_DOUBLE_FREE) {
        fail("free on a damaged heap answered a status outside its contract");
    }
}

/* A block handed out by a damaged heap must still lie inside a region. */
static void check_block(const void *p, size_t n)
{
    if (region_of(p, n) == NULL) {
        fail("a damaged heap handed out a block outside its regions");
    }
}

/* One operation on a damaged heap (after an overrun): allocate, free,
 * reallocate, overrun again, or check; only the statuses and the places of
 * the blocks are checked. */
static void damaged_op(rtm_heap_t *h, struct input *in, unsigned op, struct slot *b)
{
    void *p = NULL;
    rtm_status_t st;
    switch (op % 5u) {
    case 0:
    case 1:
        if (b->p == NULL) {
            size_t n = request(in);
            size_t align = (op & 0x80u) != 0u ? (size_t)1u << (next(in) % 12u) : 0u;
            st = rtm_heap_alloc(h, n, align, &p);
            if (st == RTM_OK) {
                check_block(p, n);
                *b = (struct slot){p, n, 0u};
            } else if (p != NULL || (st != RTM_ERR_NO_MEMORY && st != RTM_ERR_CORRUPTED)) {
                fail("allocation on a damaged heap answered wrong");
            }
        }
        break;
    case 2:
        if (b->p != NULL) {
            damaged_free(h, b->p);
            b->p = NULL;
        }
        break;
    case 3:
        if (b->p != NULL) {
            size_t n = request(in);
            st = rtm_heap_realloc(h, b->p, n, 0u, &p);
            if (st == RTM_OK) {
                check_block(p, n);
                *b = (struct slot){p, n, 0u};
            } else if (p != NULL) {
                fail("a refused reallocation stored a block");
            }
        }
        break;
    default:
        (void)overrun(h, in, b);
        (void)rtm_heap_check(h);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size, 0u};
    rtm_heap_t *h = make_heap(&in);
    struct slot s[SLOTS];
    unsigned char *stale[RING] = {NULL};
    unsigned n_stale = 0u;
    uint32_t tag = 1u;
    bool damaged = false; /* an overrun happened: the heap may be damaged */
    memset(s, 0, sizeof s);
    guards(true);
    while (in.at < in.size) {
        unsigned op = next(&in);
        struct slot *b = &s[next(&in) % SLOTS];
        if (damaged) {
            damaged_op(h, &in, op, b);
            continue;
        }
        switch (op % 7u) {
        case 0:
        case 1: {
            if (b->p != NULL) {
                break;
            }
            size_t n = request(&in);
            size_t align = (op & 0x80u) != 0u ? (size_t)1u << (next(&in) % 12u) : 0u;
            void *p = NULL;
            rtm_status_t st = rtm_heap_alloc(h, n, align, &p);
            if (st == RTM_ERR_NO_MEMORY && p == NULL) {
                break;
            }
            if (st != RTM_OK || ((uintptr_t)p & ((align > 8u ? align : 8u) - 1u)) != 0u ||
                rtm_heap_usable_size(h, p) < n) {
                fail("allocation answered wrong");
            }
            *b = (struct slot){p, n, tag++};
            fill(b);
            break;
        }
        case 2:
            if (b->p != NULL) {
                verify(b->p, b->len, b->tag);
                if (rtm_heap_free(h, b->p) != RTM_OK) {
                    fail("free refused a live block");
                }
                stale[n_stale++ % RING] = b->p;
                b->p = NULL;
            }
            break;
        case 3: {
            if (b->p == NULL) {
                break;
            }
            size_t n = request(&in);
            void *p = NULL;
            rtm_status_t st = rtm_heap_realloc(h, b->p, n, 0u, &p);
            if (st == RTM_ERR_NO_MEMORY && p == NULL) {
                verify(b->p, b->len, b->tag);
                break;
            }
            if (st != RTM_OK) {
                fail("realloc refused a live block");
            }
            verify(p, n < b->len ? n : b->len, b->tag);
            if (p != b->p) {
                stale[n_stale++ % RING] = b->p;
            }
            b->p = p;
            b->len = n;
            fill(b);
            break;
        }
        case 6:
            damaged = overrun(h, &in, b);
            break;
        default: {
            unsigned char *bad = misuse_target(&in, op, s, b, stale);
            if (bad == NULL) {
                break;
            }
            rtm_alloc_stats_t before;
            rtm_alloc_stats_t after;
            rtm_heap_stats(h, &before);
            void *q = NULL;
            rtm_status_t st;
            if ((op & 0x20u) != 0u) {
                st = rtm_heap_free(h, bad);
            } else {
                q = &q;
                st = rtm_heap_realloc(h, bad, 16u, 0u, &q);
            }
            rtm_heap_stats(h, &after);
            if (st == RTM_OK || q != NULL || memcmp(&before, &after, sizeof before) != 0) {
                fail("a stale or interior pointer was accepted, or left a trace");
            }
            break;
        }
        }
        if (!damaged && rtm_heap_check(h) != RTM_OK) {
            fail("integrity check failed");
        }
    }
    if (damaged) {
        for (unsigned k = 0; k < SLOTS; k++) {
            if (s[k].p != NULL) {
                damaged_free(h, s[k].p);
            }
        }
        (void)rtm_heap_check(h);
        guards(false);
        return 0;
    }
    guards(false);
    for (unsigned k = 0; k < SLOTS; k++) {
        if (s[k].p != NULL) {
            verify(s[k].p, s[k].len, s[k].tag);
            if (rtm_heap_free(h, s[k].p) != RTM_OK) {
                fail("free refused a live block");
            }
        }
    }
    rtm_alloc_stats_t st;
    rtm_heap_stats(h, &st);
    if (st.current_allocations != 0u || st.free_bytes != st.capacity || rtm_heap_check(h) != RTM_OK) {
        fail("the space did not come back");
    }
    return 0;
}
