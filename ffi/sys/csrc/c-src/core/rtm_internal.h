/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Internal helpers shared by every rtmem component: alignment arithmetic,
 * overflow-checked sizes, request validation, statistics bookkeeping and the
 * internal assertion. Not installed; never included by public headers.
 */
#ifndef RTM_INTERNAL_H
#define RTM_INTERNAL_H

#include "rtmem/allocator.h"
#include "rtmem/types.h"

/*
 * RTM_ASSERT guards internal invariants only (never argument checks, which
 * return a status). Define RTM_ASSERT before building to route it to the
 * port's handler; by default it compiles to nothing.
 */
#ifndef RTM_ASSERT
#define RTM_ASSERT(cond) ((void)0)
#endif

/* A compile-time check that also works in C99 (where _Static_assert is not). */
#define RTM_STATIC_ASSERT(cond, name) typedef char rtm_static_assert_##name[(cond) ? 1 : -1]

/*
 * The private struct `type` fits the public storage struct `storage` that
 * callers allocate for it: no larger, and aligned no more strictly.
 */
#define RTM_STORAGE_FITS(type, storage, name)                                           \
    struct name##_type_probe {                                                          \
        char c;                                                                         \
        type x;                                                                         \
    };                                                                                  \
    struct name##_storage_probe {                                                       \
        char c;                                                                         \
        storage x;                                                                      \
    };                                                                                  \
    RTM_STATIC_ASSERT(sizeof(type) <= sizeof(storage), name##_fits);                    \
    RTM_STATIC_ASSERT(offsetof(struct name##_type_probe, x) <= offsetof(struct name##_storage_probe, x), \
                      name##_aligned)

/* Deliberate deviations from the design are tagged with this marker in comments. */
#define RTM_DEVIATION

/* Minimum alignment every general-purpose allocator honours: 8 on every target. */
#define RTM_MIN_ALIGN ((size_t)8u)

static inline bool is_pow2(size_t x)
{
    return x != 0u && (x & (x - 1u)) == 0u;
}

/* Round x up to a multiple of the power of two a. Caller guarantees no overflow
 * (use align_up_checked where x comes from the user). */
static inline size_t align_up(size_t x, size_t a)
{
    return (x + (a - 1u)) & ~(a - 1u);
}

/* x is a multiple of the power of two a. */
static inline bool is_aligned(uintptr_t x, uintptr_t a)
{
    return (x & (a - 1u)) == 0u;
}

static inline uintptr_t align_up_ptr(uintptr_t x, uintptr_t a)
{
    return (x + (a - 1u)) & ~(a - 1u);
}

/* Round x up to a multiple of the power of two a; false when that overflows. */
static inline bool align_up_checked(size_t x, size_t a, size_t *out)
{
    if (x > SIZE_MAX - (a - 1u)) {
        return false;
    }
    *out = align_up(x, a);
    return true;
}

/* a + b; false when that overflows. */
static inline bool add_checked(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b) {
        return false;
    }
    *out = a + b;
    return true;
}

/*
 * Validate the (size, align) of an allocation request and normalise align:
 * 0 and powers of two below min_align become min_align; any other value that
 * is not a power of two (3, 6, 12, ...) is RTM_ERR_ALIGNMENT.
 */
static inline rtm_status_t check_request(size_t size, size_t *align, size_t min_align)
{
    if (size == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    if (*align != 0u && !is_pow2(*align)) {
        return RTM_ERR_ALIGNMENT;
    }
    if (*align < min_align) {
        *align = min_align;
    }
    return RTM_OK;
}

static inline void set_out(void **out, void *value)
{
    if (out != NULL) {
        *out = value;
    }
}

/* Statistics bookkeeping: one place for the invariants documented in types.h. */
static inline void stats_note_alloc(rtm_alloc_stats_t *s, size_t bytes)
{
    s->total_allocations++;
    s->current_allocations++;
    s->bytes_allocated += bytes;
    s->bytes_in_use += bytes;
    if (s->bytes_in_use > s->peak_memory_usage) {
        s->peak_memory_usage = s->bytes_in_use;
    }
}

static inline void stats_note_free(rtm_alloc_stats_t *s, size_t bytes)
{
    RTM_ASSERT(s->current_allocations > 0u && s->bytes_in_use >= bytes);
    s->total_deallocations++;
    s->current_allocations--;
    s->bytes_deallocated += bytes;
    s->bytes_in_use -= bytes;
}

static inline void stats_note_failure(rtm_alloc_stats_t *s)
{
    s->allocation_failures++;
}

/*
 * floor(num * 1000 / den) for num <= den (1000 when num >= den, 0 when den is 0),
 * exact for every size_t without a wider type: three decimal digits of long
 * division, each digit by ten modular additions (stats only, never a hot path).
 */
static inline uint32_t permille_of(size_t num, size_t den)
{
    if (den == 0u) {
        return 0u;
    }
    if (num >= den) {
        return 1000u;
    }
    uint32_t result = 0u;
    size_t rem = num; /* always < den */
    for (int digit = 0; digit < 3; digit++) {
        uint32_t d = 0u;
        size_t acc = 0u; /* rem * k mod den, k = 1..10 */
        for (int k = 0; k < 10; k++) {
            if (acc >= den - rem) {
                acc -= den - rem;
                d++;
            } else {
                acc += rem;
            }
        }
        result = result * 10u + d;
        rem = acc;
    }
    return result;
}

/* For check functions: the statistics keep the invariants of types.h and agree
 * with the `live` blocks of `bytes` accounted bytes that a walk found. */
static inline bool stats_agree(const rtm_alloc_stats_t *s, uint32_t live, size_t bytes)
{
    return s->current_allocations == live && s->bytes_in_use == bytes &&
           s->total_allocations - s->total_deallocations == s->current_allocations &&
           s->bytes_allocated - s->bytes_deallocated == (uint64_t)s->bytes_in_use &&
           s->peak_memory_usage >= s->bytes_in_use;
}

/* memcpy/memset via the builtins: the only C library symbols rtmem needs, and
 * which every C runtime (and GCC itself, even freestanding) requires anyway. */
static inline void copy_bytes(void *dst, const void *src, size_t n)
{
    __builtin_memcpy(dst, src, n);
}

static inline void fill_bytes(void *dst, unsigned char value, size_t n)
{
    __builtin_memset(dst, value, n);
}

/*
 * Header seals: a keyed 32-bit hash over the words of a block header, stored
 * beside them, so an overwritten header or a pointer that is not a block start
 * fails an O(1) check (a random word matches with probability 2^-32). The
 * finaliser is a published two-round multiply-xorshift integer hash; it is a
 * detector of accidents, not a defence against an attacker.
 */
static inline uint32_t seal_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* Fold one word into a seal; every bit of the word reaches the result. */
static inline uint32_t seal_add(uint32_t seal, uintptr_t word)
{
    uint64_t w = (uint64_t)word;
    seal = seal_mix32(seal ^ (uint32_t)w);
    if (sizeof(uintptr_t) > sizeof(uint32_t)) {
        seal = seal_mix32(seal ^ (uint32_t)(w >> 32));
    }
    return seal;
}

#endif /* RTM_INTERNAL_H */
