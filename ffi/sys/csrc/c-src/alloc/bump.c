/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Bump arena (layer 3): the design's SimpleHeapAllocator, with the defects of
 * the seed fixed (its deallocate did nothing, its stats went wrong on free).
 *
 * Blocks form a chain from the newest down; the control block knows the newest
 * live block (`last`) and the `top` (its end). Each block has a header right in
 * front of it:
 *
 *      start - H                          start                start + size
 *      +-----------+-----------+-----------+------------------------+
 *      | link      | size      | seal      | block (8..align)       |
 *      +-----------+-----------+-----------+------------------------+
 *        link: start offset of the block below (NONE for the lowest)
 *        size: requested size (the accounted size)
 *        seal: keyed hash of (start, link, size, reset generation), inverted
 *              when the block is dead (freed but not yet given back)
 *
 * Offsets are relative to `base`, the first byte after the control block.
 * Invariants (checked by rtm_bump_check):
 *   - top == last == NONE ? 0 : last + size(last), and top <= cap;
 *   - the newest block of the chain is live; links strictly decrease and no
 *     block reaches into the header of the block above;
 *   - live blocks of the chain == stats.current_allocations, their sizes sum
 *     to stats.bytes_in_use.
 * Freeing `last` pops it and every dead block directly beneath, so a block's
 * bytes come back once everything above it has been freed. A popped header is
 * rewritten dead, so freeing it again is still recognised as a double free.
 * A reset changes the generation, which invalidates every older seal in O(1).
 *
 * RTM_DEVIATION: the seed's arena had no per-block header. The 3 words are the
 * price of exact statistics on out-of-order frees, of detecting double, foreign
 * and interior frees, of giving blocks back in any order and of rollbacks that
 * can tell a stale mark.
 */
#include "rtm_internal.h"
#include "rtmem/bump.h"

#define NONE SIZE_MAX
#define BUMP_MAGIC ((size_t)0x42756d70u) /* "Bump" */
#define DEAD_FLIP 0xffffffffu
#define SIZE_BITS (sizeof(size_t) * 8u)

typedef struct hdr {
    size_t link;
    size_t size;
    size_t seal;
} hdr_t;

#define H (sizeof(hdr_t))

struct rtm_bump {
    size_t magic;  /* BUMP_MAGIC ^ own address: catches stale or foreign handles */
    size_t cap;    /* bytes from base to the end of the arena */
    size_t top;    /* offset of the first byte above the newest live block */
    size_t last;   /* start offset of the newest live block, or NONE */
    size_t gen;    /* reset generation: part of every seal and every mark */
    uint32_t key;  /* per-arena seal key, from its address */
    uint32_t shift; /* bits of a mark that hold the offset */
    rtm_alloc_stats_t stats;
};

/* The control block is placed at an 8-aligned address; headers need the
 * alignment of size_t, which every block start (8-aligned) minus H has. */
struct align_probe {
    char c;
    rtm_bump_t b;
};
RTM_STATIC_ASSERT(offsetof(struct align_probe, b) <= RTM_MIN_ALIGN, control_block_align);
RTM_STATIC_ASSERT(RTM_MIN_ALIGN % sizeof(size_t) == 0u || sizeof(size_t) % RTM_MIN_ALIGN == 0u,
                  header_word_align);
RTM_STATIC_ASSERT(H % sizeof(size_t) == 0u, header_words);

enum { BLK_BAD, BLK_LIVE, BLK_DEAD };

static uintptr_t base_addr(const rtm_bump_t *b)
{
    return (uintptr_t)b + sizeof *b;
}

static hdr_t *hdr_at(const rtm_bump_t *b, size_t start)
{
    return (hdr_t *)(void *)(base_addr(b) + start - H);
}

static size_t expected_magic(const rtm_bump_t *b)
{
    return BUMP_MAGIC ^ (size_t)(uintptr_t)b;
}

static size_t seal_of(const rtm_bump_t *b, size_t start, size_t link, size_t size, bool dead)
{
    uint32_t s = seal_add(b->key, start);
    s = seal_add(s, link);
    s = seal_add(s, size);
    s = seal_add(s, b->gen);
    return (size_t)(dead ? s ^ DEAD_FLIP : s);
}

static void write_hdr(rtm_bump_t *b, size_t start, size_t link, size_t size, bool dead)
{
    hdr_t *h = hdr_at(b, start);
    h->link = link;
    h->size = size;
    h->seal = seal_of(b, start, link, size, dead);
}

static void set_dead(rtm_bump_t *b, size_t start)
{
    hdr_t *h = hdr_at(b, start);
    h->seal = seal_of(b, start, h->link, h->size, true);
}

/* The magic and the bounds: enough to trust base, cap and the generation. */
static bool frame_ok(const rtm_bump_t *b)
{
    return b->magic == expected_magic(b) && b->cap >= H + RTM_MIN_ALIGN &&
           b->cap <= UINTPTR_MAX - base_addr(b) && b->shift <= SIZE_BITS;
}

/* O(1) check run by every entry point. */
static bool cb_ok(const rtm_bump_t *b)
{
    return frame_ok(b) && b->top <= b->cap &&
           (b->last == NONE ? b->top == 0u : (b->last >= H && b->last < b->top));
}

/* Classify the header in front of `start`. Bounds and alignment first (so no
 * walk, however damaged the chain, reads outside the arena or misaligned),
 * then the fields, so the seal is only trusted over sane ones. */
static int blk_state(const rtm_bump_t *b, size_t start)
{
    if (start < H || start >= b->cap || !is_aligned(base_addr(b) + start, RTM_MIN_ALIGN)) {
        return BLK_BAD;
    }
    const hdr_t *h = hdr_at(b, start);
    if (h->size == 0u || h->size > b->cap - start) {
        return BLK_BAD;
    }
    if (h->link != NONE && (h->link >= start - H || h->link < H)) {
        return BLK_BAD;
    }
    if (h->seal == seal_of(b, start, h->link, h->size, false)) {
        return BLK_LIVE;
    }
    if (h->seal == seal_of(b, start, h->link, h->size, true)) {
        return BLK_DEAD;
    }
    return BLK_BAD;
}

static size_t end_of(const rtm_bump_t *b, size_t start)
{
    return start == NONE ? 0u : start + hdr_at(b, start)->size;
}

/* Pointer to start offset; false when it cannot be a block start at all. */
static bool to_start(const rtm_bump_t *b, const void *ptr, size_t *start)
{
    uintptr_t a = (uintptr_t)ptr;
    uintptr_t lo = base_addr(b);
    if (a < lo + H || a - lo >= b->cap || !is_aligned(a, RTM_MIN_ALIGN)) {
        return false;
    }
    *start = (size_t)(a - lo);
    return true;
}

/* A header in front of `start` below the top failed its check: is `start` a
 * block whose header was overwritten (CORRUPTED), or not a block start at all
 * (INVALID_POINTER)? Walk the chain down from the newest block. */
static rtm_status_t diagnose(const rtm_bump_t *b, size_t start)
{
    size_t cur = b->last;
    while (cur != NONE) {
        if (cur == start) {
            return RTM_ERR_CORRUPTED;
        }
        if (cur < start) {
            return RTM_ERR_INVALID_POINTER;
        }
        if (blk_state(b, cur) == BLK_BAD) {
            return RTM_ERR_CORRUPTED;
        }
        cur = hdr_at(b, cur)->link;
    }
    return RTM_ERR_INVALID_POINTER;
}

/* Resolve `ptr` to a live block; every misuse becomes its status code. */
static rtm_status_t locate(const rtm_bump_t *b, const void *ptr, size_t *start)
{
    if (ptr == NULL || !to_start(b, ptr, start)) {
        return RTM_ERR_INVALID_POINTER;
    }
    int state = blk_state(b, *start);
    if (*start >= b->top) {
        /* Given back already: a dead header still there is a double free. */
        return state == BLK_DEAD ? RTM_ERR_DOUBLE_FREE : RTM_ERR_INVALID_POINTER;
    }
    if (state == BLK_LIVE) {
        return RTM_OK;
    }
    return state == BLK_DEAD ? RTM_ERR_DOUBLE_FREE : diagnose(b, *start);
}

/* Walk down from `from` over dead blocks; the first live one (or NONE) is the
 * new newest block. Read-only; CORRUPTED on a bad header. */
static rtm_status_t below_dead(const rtm_bump_t *b, size_t from, size_t *out)
{
    size_t cur = from;
    while (cur != NONE) {
        int state = blk_state(b, cur);
        if (state == BLK_BAD) {
            return RTM_ERR_CORRUPTED;
        }
        if (state == BLK_LIVE) {
            break;
        }
        cur = hdr_at(b, cur)->link;
    }
    *out = cur;
    return RTM_OK;
}

static void set_last(rtm_bump_t *b, size_t last)
{
    b->last = last;
    b->top = end_of(b, last);
}

/* Free the live block at `start` (already located). */
static rtm_status_t release(rtm_bump_t *b, size_t start)
{
    hdr_t *h = hdr_at(b, start);
    if (start == b->last) {
        size_t below;
        rtm_status_t s = below_dead(b, h->link, &below);
        if (s != RTM_OK) {
            return s;
        }
        set_last(b, below);
    }
    stats_note_free(&b->stats, h->size);
    set_dead(b, start);
    return RTM_OK;
}

static rtm_status_t carve(rtm_bump_t *b, size_t size, size_t align, void **out)
{
    uintptr_t lo = base_addr(b);
    uintptr_t end = lo + b->cap;
    if (b->cap - b->top < H) {
        stats_note_failure(&b->stats);
        return RTM_ERR_NO_MEMORY;
    }
    uintptr_t x = lo + b->top + H;
    if (align - 1u > UINTPTR_MAX - x) {
        stats_note_failure(&b->stats);
        return RTM_ERR_NO_MEMORY;
    }
    uintptr_t p = align_up_ptr(x, align);
    if (p > end || end - p < size) {
        stats_note_failure(&b->stats);
        return RTM_ERR_NO_MEMORY;
    }
    size_t start = (size_t)(p - lo);
    write_hdr(b, start, b->last, size, false);
    b->last = start;
    b->top = start + size;
    stats_note_alloc(&b->stats, size);
    *out = (void *)p;
    return RTM_OK;
}

rtm_status_t rtm_bump_init(void *mem, size_t size, rtm_bump_t **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    uintptr_t a = (uintptr_t)mem;
    if (mem == NULL || size > UINTPTR_MAX - a || a > UINTPTR_MAX - (RTM_MIN_ALIGN - 1u)) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t cba = align_up_ptr(a, RTM_MIN_ALIGN);
    size_t lost = (size_t)(cba - a);
    if (size < lost || size - lost < sizeof(rtm_bump_t) + H + RTM_MIN_ALIGN) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_bump_t *b = (rtm_bump_t *)(void *)cba;
    /* An arena initialised again over the memory of an earlier one continues
     * its generation, so the earlier arena's headers (and pointers) and marks
     * are not valid here. */
    size_t gen = frame_ok(b) ? b->gen + 1u : 0u;
    fill_bytes(b, 0u, sizeof *b);
    b->cap = size - lost - sizeof *b;
    b->top = 0u;
    b->last = NONE;
    b->gen = gen;
    b->key = seal_add(0x5eed0b0bu, (uintptr_t)b);
    uint32_t shift = 0u;
    while (shift < SIZE_BITS && (b->cap >> shift) != 0u) {
        shift++;
    }
    b->shift = shift;
    b->magic = expected_magic(b);
    *out = b;
    return RTM_OK;
}

rtm_status_t rtm_bump_alloc(rtm_bump_t *b, size_t size, size_t align, void **out)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (b == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_status_t s = check_request(size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    if (!cb_ok(b)) {
        return RTM_ERR_CORRUPTED;
    }
    return carve(b, size, align, out);
}

rtm_status_t rtm_bump_free(rtm_bump_t *b, void *ptr)
{
    if (b == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!cb_ok(b)) {
        return RTM_ERR_CORRUPTED;
    }
    size_t start = 0u;
    rtm_status_t s = locate(b, ptr, &start);
    return s != RTM_OK ? s : release(b, start);
}

rtm_status_t rtm_bump_realloc(rtm_bump_t *b, void *ptr, size_t new_size, size_t align, void **out)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (b == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (ptr == NULL) {
        return rtm_bump_alloc(b, new_size, align, out);
    }
    if (new_size == 0u) {
        return rtm_bump_free(b, ptr);
    }
    rtm_status_t s = check_request(new_size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    if (!cb_ok(b)) {
        return RTM_ERR_CORRUPTED;
    }
    size_t start = 0u;
    s = locate(b, ptr, &start);
    if (s != RTM_OK) {
        return s;
    }
    hdr_t *h = hdr_at(b, start);
    size_t old_size = h->size;
    if (is_aligned((uintptr_t)ptr, align)) {
        bool newest = start == b->last;
        if (newest && new_size > b->cap - start) {
            /* Moving cannot help: a new block would start above this one. */
            stats_note_failure(&b->stats);
            return RTM_ERR_NO_MEMORY;
        }
        if (newest || new_size <= old_size) {
            stats_note_free(&b->stats, old_size);
            write_hdr(b, start, h->link, new_size, false);
            if (newest) {
                b->top = start + new_size;
            }
            stats_note_alloc(&b->stats, new_size);
            *out = ptr;
            return RTM_OK;
        }
    }
    void *fresh = NULL;
    s = carve(b, new_size, align, &fresh);
    if (s != RTM_OK) {
        return s;
    }
    copy_bytes(fresh, ptr, old_size < new_size ? old_size : new_size);
    /* The old block is no longer the newest: this only marks it dead. */
    (void)release(b, start);
    *out = fresh;
    return RTM_OK;
}

void rtm_bump_reset(rtm_bump_t *b)
{
    if (b == NULL || !frame_ok(b)) {
        return;
    }
    /* Every live block is freed: one deallocation each. */
    b->stats.total_deallocations += b->stats.current_allocations;
    b->stats.bytes_deallocated += b->stats.bytes_in_use;
    b->stats.current_allocations = 0u;
    b->stats.bytes_in_use = 0u;
    b->top = 0u;
    b->last = NONE;
    b->gen++;
}

static size_t offset_mask(const rtm_bump_t *b)
{
    return b->shift >= SIZE_BITS ? SIZE_MAX : ((size_t)1u << b->shift) - 1u;
}

static size_t gen_bits(const rtm_bump_t *b)
{
    return b->shift >= SIZE_BITS ? 0u : (b->gen << b->shift);
}

rtm_bump_mark_t rtm_bump_mark(const rtm_bump_t *b)
{
    if (b == NULL) {
        return 0u;
    }
    return gen_bits(b) | (b->top & offset_mask(b));
}

rtm_status_t rtm_bump_rollback(rtm_bump_t *b, rtm_bump_mark_t mark)
{
    if (b == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!cb_ok(b)) {
        return RTM_ERR_CORRUPTED;
    }
    size_t off = mark & offset_mask(b);
    if ((mark & ~offset_mask(b)) != gen_bits(b) || off > b->top) {
        return RTM_ERR_INVALID_ARG;
    }
    /* Pass 1, read-only: the blocks at or above the mark, then the block the
     * mark must not fall inside, then the dead blocks beneath. */
    size_t cur = b->last;
    while (cur != NONE && cur >= off) {
        if (blk_state(b, cur) == BLK_BAD) {
            return RTM_ERR_CORRUPTED;
        }
        cur = hdr_at(b, cur)->link;
    }
    if (cur != NONE) {
        if (blk_state(b, cur) == BLK_BAD) {
            return RTM_ERR_CORRUPTED;
        }
        if (end_of(b, cur) > off) {
            return RTM_ERR_INVALID_ARG;
        }
    }
    size_t below;
    rtm_status_t s = below_dead(b, cur, &below);
    if (s != RTM_OK) {
        return s;
    }
    /* Pass 2: account the live blocks released and seal them dead. */
    for (size_t it = b->last; it != below; it = hdr_at(b, it)->link) {
        if (blk_state(b, it) == BLK_LIVE) {
            stats_note_free(&b->stats, hdr_at(b, it)->size);
            set_dead(b, it);
        }
    }
    set_last(b, below);
    return RTM_OK;
}

void rtm_bump_stats(const rtm_bump_t *b, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (b == NULL) {
        return;
    }
    *out = b->stats;
    out->capacity = b->cap;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
    out->reserved = 0u;
    if (!cb_ok(b)) {
        out->free_bytes = 0u;
        out->largest_free_block = 0u;
        return;
    }
    out->free_bytes = b->cap - b->top;
    /* The next block starts at the first 8-aligned address after a header. */
    uintptr_t lo = base_addr(b);
    uintptr_t p = align_up_ptr(lo + b->top + H, RTM_MIN_ALIGN);
    uintptr_t end = lo + b->cap;
    out->largest_free_block = b->cap - b->top >= H && p < end ? (size_t)(end - p) : 0u;
}

rtm_status_t rtm_bump_check(const rtm_bump_t *b)
{
    if (b == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!cb_ok(b)) {
        return RTM_ERR_CORRUPTED;
    }
    size_t limit = b->top; /* blocks must end at or below this */
    uint32_t live = 0u;
    size_t bytes = 0u;
    for (size_t cur = b->last; cur != NONE; cur = hdr_at(b, cur)->link) {
        int state = blk_state(b, cur);
        if (state == BLK_BAD || end_of(b, cur) > limit) {
            return RTM_ERR_CORRUPTED;
        }
        if (cur == b->last && (state != BLK_LIVE || end_of(b, cur) != b->top)) {
            return RTM_ERR_CORRUPTED;
        }
        if (state == BLK_LIVE) {
            live++;
            bytes += hdr_at(b, cur)->size;
        }
        limit = cur - H;
    }
    return stats_agree(&b->stats, live, bytes) ? RTM_OK : RTM_ERR_CORRUPTED;
}

/* ---- the allocator interface ---- */

static rtm_status_t op_allocate(void *ctx, size_t size, size_t align, void **out)
{
    return rtm_bump_alloc((rtm_bump_t *)ctx, size, align, out);
}

static rtm_status_t op_deallocate(void *ctx, void *ptr, size_t size)
{
    (void)size;
    return rtm_bump_free((rtm_bump_t *)ctx, ptr);
}

static rtm_status_t op_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size,
                                  size_t align, void **out)
{
    (void)old_size;
    return rtm_bump_realloc((rtm_bump_t *)ctx, ptr, new_size, align, out);
}

static void op_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_bump_stats((const rtm_bump_t *)ctx, out);
}

static rtm_status_t op_check(const void *ctx)
{
    return rtm_bump_check((const rtm_bump_t *)ctx);
}

static const rtm_allocator_ops_t bump_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, op_allocate, op_deallocate, op_reallocate,
    op_stats, op_check,
};

rtm_allocator_t rtm_bump_allocator(rtm_bump_t *b)
{
    rtm_allocator_t a = {&bump_ops, b};
    return a;
}
