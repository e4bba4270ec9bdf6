/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Free-list heap (layer 3): the design's LinkedListAllocator, with the seed's
 * defects fixed (it never coalesced, lost the header bytes on split, ignored
 * alignment padding and took its magic on trust).
 *
 * The blocks tile [lo, hi) exactly; every block starts 8-aligned and its size
 * is a multiple of 8, so the three low bits of the size word are free for flags.
 *
 *   used block                          free block
 *   +--------------------+ b            +--------------------+ b
 *   | size | USED (bit 0)|              | size | 0           |
 *   +--------------------+              +--------------------+
 *   | seal               |              | seal               |
 *   +--------------------+ b + HDR      +--------------------+ b + HDR
 *   | payload ...        | (8-aligned)  | next free (higher) |
 *   |                    |              | ...                |
 *   +--------------------+ b + size     +--------------------+ b + size
 *
 *   used: seal = keyed hash(b, size|USED); key = hash(heap address, epoch)
 *   free: seal = size ^ next ^ rotr(b, 13) ^ key (cheap: every list walk checks it)
 *
 * Coalescing uses the address-ordered list rather than boundary tags: a free
 * walks the list to its insertion point anyway (the list stays sorted), and
 * that walk yields the free block below (`prev`) and above (`next`); each is a
 * physical neighbour exactly when its end / start touches the freed block. No
 * footer is needed, so a used block costs only its 2-word header.
 *
 * Invariants (checked by rtm_freelist_check): blocks tile [lo, hi); every
 * header's seal matches; no two free blocks are adjacent; the list holds
 * exactly the free blocks in address order; the live blocks match the stats.
 *
 * RTM_DEVIATION: the seed's deallocate(NULL) succeeded and allocate(0) said
 * InvalidPointer; here they are RTM_ERR_INVALID_POINTER and RTM_ERR_INVALID_ARG,
 * as the common allocator contract (rtmem/allocator.h) says.
 */
#include "rtm_internal.h"
#include "rtmem/freelist.h"

#define FL_MAGIC ((size_t)0x466c7374u) /* "Flst" */
#define USED ((size_t)1u)
#define FLAGS ((size_t)(RTM_MIN_ALIGN - 1u))

typedef struct blk {
    size_t word; /* block size including this header | USED */
    size_t seal;
} blk_t;

typedef struct fblk {
    blk_t h;
    struct fblk *next; /* next free block, at a higher address; NULL ends the list */
} fblk_t;

#define HDR (sizeof(blk_t))
#define MIN_BLOCK ((sizeof(fblk_t) + RTM_MIN_ALIGN - 1u) & ~(RTM_MIN_ALIGN - 1u))

RTM_STATIC_ASSERT(HDR % RTM_MIN_ALIGN == 0u, header_keeps_payload_aligned);
RTM_STATIC_ASSERT(MIN_BLOCK >= HDR + RTM_MIN_ALIGN, min_block_holds_a_payload);
RTM_STATIC_ASSERT(MIN_BLOCK % RTM_MIN_ALIGN == 0u, min_block_aligned);

struct rtm_freelist {
    size_t magic;   /* FL_MAGIC ^ own address */
    uintptr_t lo;   /* first block */
    uintptr_t hi;   /* end of the last block */
    fblk_t *head;   /* lowest free block, or NULL */
    uint32_t key;   /* per-heap seal key: from the address and the epoch */
    uint32_t epoch; /* how many heaps were initialised here before, see init */
    rtm_alloc_stats_t stats;
};

struct align_probe {
    char c;
    rtm_freelist_t h;
};
RTM_STATIC_ASSERT(offsetof(struct align_probe, h) <= RTM_MIN_ALIGN, control_block_align);

enum { BLK_BAD, BLK_LIVE, BLK_FREE };

static blk_t *blk_at(uintptr_t a)
{
    return (blk_t *)(void *)a;
}

static fblk_t *fblk_at(uintptr_t a)
{
    return (fblk_t *)(void *)a;
}

static size_t size_of(const blk_t *b)
{
    return b->word & ~FLAGS;
}

static uintptr_t end_of(const fblk_t *f)
{
    return (uintptr_t)f + size_of(&f->h);
}

static uintptr_t rotr13(uintptr_t x)
{
    return (x >> 13) | (x << (sizeof(uintptr_t) * 8u - 13u));
}

/* A used block's seal is the keyed hash of its address and size word. A free
 * block's is cheaper, as list walks check every free block they pass: the xor
 * of its size word, its link, its address rotated by 13 and the key. A short
 * overrun that changes the size word or the link alone is always caught; a
 * random overwrite of the header passes with probability 2^-W. */
static size_t seal_of(const rtm_freelist_t *h, uintptr_t at, size_t word, const fblk_t *next)
{
    if ((word & USED) == 0u) {
        return (size_t)(word ^ (uintptr_t)next ^ rotr13(at) ^ h->key);
    }
    uint32_t s = seal_add(h->key, at);
    s = seal_add(s, word);
    s = seal_add(s, (uintptr_t)next);
    return (size_t)s;
}

static void put_used(const rtm_freelist_t *h, uintptr_t at, size_t size)
{
    blk_t *b = blk_at(at);
    b->word = size | USED;
    b->seal = seal_of(h, at, size | USED, NULL);
}

static void put_free(const rtm_freelist_t *h, fblk_t *f, size_t size, fblk_t *next)
{
    f->h.word = size;
    f->next = next;
    f->h.seal = seal_of(h, (uintptr_t)f, size, next);
}

/* Make `node` follow `prev` in the list (or head it). */
static void link_after(rtm_freelist_t *h, fblk_t *prev, fblk_t *node)
{
    if (prev == NULL) {
        h->head = node;
    } else {
        put_free(h, prev, size_of(&prev->h), node);
    }
}

static bool cb_ok(const rtm_freelist_t *h)
{
    uintptr_t self = (uintptr_t)h;
    uintptr_t head = (uintptr_t)h->head;
    return h->magic == (FL_MAGIC ^ (size_t)self) &&
           h->lo == align_up_ptr(self + sizeof *h, RTM_MIN_ALIGN) && h->hi > h->lo &&
           h->hi - h->lo >= MIN_BLOCK && (h->hi & FLAGS) == 0u &&
           (h->head == NULL || (head >= h->lo && head < h->hi));
}

/* Classify the header at `a`. Bounds and alignment first, so no caller ever
 * reads outside the heap or misaligned; then the fields; then the seal. */
static int classify(const rtm_freelist_t *h, uintptr_t a)
{
    if (a < h->lo || a >= h->hi || h->hi - a < MIN_BLOCK || (a & FLAGS) != 0u) {
        return BLK_BAD;
    }
    const blk_t *b = blk_at(a);
    size_t w = b->word;
    size_t size = w & ~FLAGS;
    if ((w & FLAGS & ~USED) != 0u || size < MIN_BLOCK || size > h->hi - a) {
        return BLK_BAD;
    }
    const fblk_t *next = (w & USED) != 0u ? NULL : fblk_at(a)->next;
    if (b->seal != seal_of(h, a, w, next)) {
        return BLK_BAD;
    }
    return (w & USED) != 0u ? BLK_LIVE : BLK_FREE;
}

/*
 * Walking the list. Every node a walk passes is checked before its size or
 * link is used: it lies strictly above the end of the node before it (so every
 * walk ends and no two free blocks touch) and its free-block seal holds (one
 * xor chain, a few instructions, where the keyed hash of a used block would
 * cost tens). The first node's address is bounded by the control block check,
 * every later one is the link of a node whose seal held; a damaged list answers
 * RTM_ERR_CORRUPTED before anything is written, and the walk reads outside the
 * heap only if a damaged header passes its seal (probability 2^-W per header).
 */
static bool node_ok(const rtm_freelist_t *h, const fblk_t *f, uintptr_t above)
{
    uintptr_t a = (uintptr_t)f;
    /* The node's address came from the control block (bounded by cb_ok) or
     * from the link of a node whose seal held; `above` keeps the walk going up. */
    return a >= above && f->h.seal == (f->h.word ^ (uintptr_t)f->next ^ rotr13(a) ^ h->key);
}

/* A member of the free list, fully checked (rtm_freelist_stats). */
static bool list_node_ok(const rtm_freelist_t *h, const fblk_t *f)
{
    return classify(h, (uintptr_t)f) == BLK_FREE &&
           (f->next == NULL || (uintptr_t)f->next > end_of(f));
}

/* The header at `target` failed its check: a live block whose header was
 * overwritten (CORRUPTED) or not a block start at all (INVALID_POINTER)?
 * Walk the blocks from the bottom. */
static rtm_status_t diagnose(const rtm_freelist_t *h, uintptr_t target)
{
    uintptr_t a = h->lo;
    while (a < h->hi) {
        if (a == target) {
            return RTM_ERR_CORRUPTED;
        }
        if (a > target || classify(h, a) == BLK_BAD) {
            return a > target ? RTM_ERR_INVALID_POINTER : RTM_ERR_CORRUPTED;
        }
        a += size_of(blk_at(a));
    }
    return RTM_ERR_INVALID_POINTER;
}

/* Resolve `ptr` to the header of a live block: the O(1) check of every free. */
static rtm_status_t locate(const rtm_freelist_t *h, const void *ptr, uintptr_t *at)
{
    uintptr_t a = (uintptr_t)ptr;
    if (a < h->lo + HDR || a >= h->hi || (a & FLAGS) != 0u) { /* NULL too */
        return RTM_ERR_INVALID_POINTER;
    }
    int state = classify(h, a - HDR);
    if (state == BLK_LIVE) {
        *at = a - HDR;
        return RTM_OK;
    }
    return state == BLK_FREE ? RTM_ERR_DOUBLE_FREE : diagnose(h, a - HDR);
}

/* Block size for a request of `size` bytes; false when no block can be that big. */
static bool block_size(const rtm_freelist_t *h, size_t size, size_t *need)
{
    if (size > h->hi - h->lo - HDR) {
        return false;
    }
    size_t n = align_up(size + HDR, RTM_MIN_ALIGN); /* no overflow: bounded by the heap */
    *need = n < MIN_BLOCK ? MIN_BLOCK : n;
    return true;
}

/* Where in free block [f, end) a block of `need` bytes with an `align`-aligned
 * payload goes. A gap in front must be 0 or a whole free block. */
static bool fit(uintptr_t f, uintptr_t end, size_t need, size_t align, uintptr_t *payload)
{
    uintptr_t x = f + HDR;
    if (align - 1u > UINTPTR_MAX - x) {
        return false;
    }
    uintptr_t p = align_up_ptr(x, align);
    if (p != x && p - x < MIN_BLOCK) {
        if (end - x < MIN_BLOCK) {
            return false;
        }
        x += MIN_BLOCK;
        if (align - 1u > UINTPTR_MAX - x) {
            return false;
        }
        p = align_up_ptr(x, align);
    }
    if (p > end || end - p < need - HDR) {
        return false;
    }
    *payload = p;
    return true;
}

/* Cut a used block with payload `p` out of free block `f` (which follows
 * `prev` in the list); the gap in front stays a free block in f's place, a tail
 * of at least MIN_BLOCK becomes a free block after it. Returns the block size. */
static size_t carve(rtm_freelist_t *h, fblk_t *prev, fblk_t *f, uintptr_t p, size_t need)
{
    uintptr_t end = end_of(f);
    uintptr_t b = p - HDR;
    fblk_t *after = f->next;
    size_t tail = (size_t)(end - (b + need));
    if (tail < MIN_BLOCK) {
        need += tail; /* too small to stand alone: it stays with the block */
    } else {
        fblk_t *t = fblk_at(b + need);
        put_free(h, t, tail, after);
        after = t;
    }
    if (b > (uintptr_t)f) {
        put_free(h, f, (size_t)(b - (uintptr_t)f), after);
    } else {
        link_after(h, prev, after);
    }
    put_used(h, b, need);
    return need;
}

static rtm_status_t alloc_block(rtm_freelist_t *h, size_t size, size_t align, void **out)
{
    size_t need = 0u;
    if (block_size(h, size, &need)) {
        fblk_t *prev = NULL;
        uintptr_t above = h->lo;
        for (fblk_t *c = h->head; c != NULL; prev = c, c = c->next) {
            if (!node_ok(h, c, above)) {
                return RTM_ERR_CORRUPTED;
            }
            size_t have = c->h.word; /* sealed free: no flags, inside the heap */
            uintptr_t p = 0u;
            if (have >= need && fit((uintptr_t)c, (uintptr_t)c + have, need, align, &p)) {
                stats_note_alloc(&h->stats, carve(h, prev, c, p, need) - HDR);
                *out = (void *)p;
                return RTM_OK;
            }
            above = (uintptr_t)c + have + 1u; /* the next node lies beyond a live block */
        }
    }
    stats_note_failure(&h->stats);
    return RTM_ERR_NO_MEMORY;
}

/* The list neighbours of live block `b` (size `size`): *prev = last free block
 * below it, *next = first above it (either may be NULL). The walk checks the
 * nodes it passes (node_ok) and that neither neighbour overlaps `b`. */
static rtm_status_t neighbours(const rtm_freelist_t *h, uintptr_t b, size_t size, fblk_t **prev,
                               fblk_t **next)
{
    fblk_t *p = NULL;
    fblk_t *c = h->head;
    uintptr_t above = h->lo;
    while (c != NULL) {
        if (!node_ok(h, c, above)) {
            return RTM_ERR_CORRUPTED;
        }
        if ((uintptr_t)c >= b) {
            break;
        }
        above = (uintptr_t)c + c->h.word + 1u;
        p = c;
        c = c->next;
    }
    if ((p != NULL && end_of(p) > b) || (c != NULL && (uintptr_t)c < b + size)) {
        return RTM_ERR_CORRUPTED;
    }
    *prev = p;
    *next = c;
    return RTM_OK;
}

/* Free live block `b` and coalesce it with both neighbours. */
static rtm_status_t release(rtm_freelist_t *h, uintptr_t b)
{
    size_t size = size_of(blk_at(b));
    fblk_t *prev = NULL;
    fblk_t *next = NULL;
    rtm_status_t s = neighbours(h, b, size, &prev, &next);
    if (s != RTM_OK) {
        return s;
    }
    stats_note_free(&h->stats, size - HDR);
    fblk_t *self = fblk_at(b);
    fblk_t *succ = next;
    size_t merged = size;
    if (next != NULL && (uintptr_t)next == b + size) {
        merged += size_of(&next->h);
        succ = next->next;
    }
    if (prev != NULL && end_of(prev) == b) {
        /* Inside prev now, but still sealed "free": freeing it again stays a
         * double free until the memory is handed out again. */
        put_free(h, self, size, NULL);
        put_free(h, prev, size_of(&prev->h) + merged, succ);
    } else {
        put_free(h, self, merged, succ);
        link_after(h, prev, self);
    }
    return RTM_OK;
}

rtm_status_t rtm_freelist_init(void *mem, size_t size, rtm_freelist_t **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    uintptr_t a = (uintptr_t)mem;
    if (mem == NULL || size > UINTPTR_MAX - a || a > UINTPTR_MAX - FLAGS) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t end = a + size;
    uintptr_t cb = align_up_ptr(a, RTM_MIN_ALIGN);
    /* Room for the control block and for rounding its end up without overflow. */
    if (cb > end || end - cb < sizeof(rtm_freelist_t) + FLAGS) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t lo = align_up_ptr(cb + sizeof(rtm_freelist_t), RTM_MIN_ALIGN);
    uintptr_t hi = end & ~(uintptr_t)FLAGS;
    if (lo > hi || hi - lo < MIN_BLOCK) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_freelist_t *h = (rtm_freelist_t *)(void *)cb;
    /* A heap initialised again over the memory of an earlier one gets another
     * key, so the earlier heap's headers (and pointers) are not blocks here. */
    uint32_t epoch = cb_ok(h) ? h->epoch + 1u : 0u;
    fill_bytes(h, 0u, sizeof *h);
    h->lo = lo;
    h->hi = hi;
    h->epoch = epoch;
    h->key = seal_add(seal_add(0x7ea9f00du, cb), epoch);
    h->magic = FL_MAGIC ^ (size_t)cb;
    h->head = fblk_at(lo);
    put_free(h, h->head, (size_t)(hi - lo), NULL);
    *out = h;
    return RTM_OK;
}

rtm_status_t rtm_freelist_alloc(rtm_freelist_t *h, size_t size, size_t align, void **out)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (h == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_status_t s = check_request(size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    if (!cb_ok(h)) {
        return RTM_ERR_CORRUPTED;
    }
    return alloc_block(h, size, align, out);
}

rtm_status_t rtm_freelist_free(rtm_freelist_t *h, void *ptr)
{
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!cb_ok(h)) {
        return RTM_ERR_CORRUPTED;
    }
    uintptr_t b = 0u;
    rtm_status_t s = locate(h, ptr, &b);
    return s != RTM_OK ? s : release(h, b);
}

/* Resize live block `b` from `old` to `need` bytes where it stands; `next` is
 * its list successor (the free block right after it, or a later one, or NULL)
 * and `prev` its list predecessor. Returns the new block size, or 0 (nothing
 * changed) when `need` does not fit in `old` plus an adjacent free block. */
static size_t resize_in_place(rtm_freelist_t *h, fblk_t *prev, fblk_t *next, uintptr_t b,
                              size_t old, size_t need)
{
    bool adjacent = next != NULL && (uintptr_t)next == b + old;
    size_t avail = adjacent ? old + size_of(&next->h) : old;
    fblk_t *after = adjacent ? next->next : next; /* read before the writes below */
    if (need > avail || need == old) {
        return need == old ? old : 0u;
    }
    size_t rest = avail - need;
    if (rest >= MIN_BLOCK) {
        /* The rest, merged with the adjacent free block if there is one, is a
         * free block (when shrinking beside a free block, rest exceeds it). */
        fblk_t *t = fblk_at(b + need);
        put_free(h, t, rest, after);
        link_after(h, prev, t);
    } else {
        need = avail; /* a rest too small to stand alone stays with the block */
        if (adjacent) {
            link_after(h, prev, after);
        }
    }
    put_used(h, b, need);
    return need;
}

rtm_status_t rtm_freelist_realloc(rtm_freelist_t *h, void *ptr, size_t new_size, size_t align,
                                  void **out)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (h == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (ptr == NULL) {
        return rtm_freelist_alloc(h, new_size, align, out);
    }
    if (new_size == 0u) {
        return rtm_freelist_free(h, ptr);
    }
    rtm_status_t s = check_request(new_size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    if (!cb_ok(h)) {
        return RTM_ERR_CORRUPTED;
    }
    uintptr_t b = 0u;
    s = locate(h, ptr, &b);
    if (s != RTM_OK) {
        return s;
    }
    size_t old = size_of(blk_at(b));
    fblk_t *prev = NULL;
    fblk_t *next = NULL;
    s = neighbours(h, b, old, &prev, &next);
    if (s != RTM_OK) {
        return s;
    }
    size_t need = 0u;
    if (!block_size(h, new_size, &need)) {
        stats_note_failure(&h->stats);
        return RTM_ERR_NO_MEMORY;
    }
    bool aligned = is_aligned((uintptr_t)ptr, align);
    size_t done = aligned ? resize_in_place(h, prev, next, b, old, need) : 0u;
    if (done != 0u) {
        stats_note_free(&h->stats, old - HDR);
        stats_note_alloc(&h->stats, done - HDR);
        *out = ptr;
        return RTM_OK;
    }
    void *fresh = NULL;
    s = alloc_block(h, new_size, align, &fresh);
    if (s != RTM_OK) {
        return s;
    }
    copy_bytes(fresh, ptr, old - HDR < new_size ? old - HDR : new_size);
    s = release(h, b);
    if (s != RTM_OK) {
        /* Cannot happen on a list verified just above; keep the caller's block. */
        (void)rtm_freelist_free(h, fresh);
        return s;
    }
    *out = fresh;
    return RTM_OK;
}

size_t rtm_freelist_usable_size(const rtm_freelist_t *h, const void *ptr)
{
    uintptr_t a = (uintptr_t)ptr; /* classify() bounds and aligns a - HDR */
    bool live = h != NULL && cb_ok(h) && a >= h->lo + HDR && classify(h, a - HDR) == BLK_LIVE;
    return live ? size_of(blk_at(a - HDR)) - HDR : 0u;
}

void rtm_freelist_stats(const rtm_freelist_t *h, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (h == NULL) {
        return;
    }
    *out = h->stats;
    out->free_bytes = 0u;
    out->largest_free_block = 0u;
    out->capacity = (size_t)(h->hi - h->lo);
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
    out->reserved = 0u;
    if (!cb_ok(h)) {
        return;
    }
    for (const fblk_t *c = h->head; c != NULL && list_node_ok(h, c); c = c->next) {
        size_t usable = size_of(&c->h) - HDR;
        out->free_bytes += usable;
        if (usable > out->largest_free_block) {
            out->largest_free_block = usable;
        }
    }
}

rtm_status_t rtm_freelist_check(const rtm_freelist_t *h)
{
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!cb_ok(h)) {
        return RTM_ERR_CORRUPTED;
    }
    const fblk_t *expect = h->head; /* the list must be the free blocks, in order */
    bool below_free = false;
    uint32_t live = 0u;
    size_t bytes = 0u;
    uintptr_t a = h->lo;
    while (a < h->hi) {
        int state = classify(h, a); /* also bounds the block inside the heap */
        if (state == BLK_BAD) {
            return RTM_ERR_CORRUPTED;
        }
        if (state == BLK_FREE) {
            if (below_free || fblk_at(a) != expect) {
                return RTM_ERR_CORRUPTED;
            }
            expect = expect->next;
        } else {
            live++;
            bytes += size_of(blk_at(a)) - HDR;
        }
        below_free = state == BLK_FREE;
        a += size_of(blk_at(a));
    }
    return expect == NULL && stats_agree(&h->stats, live, bytes) ? RTM_OK : RTM_ERR_CORRUPTED;
}

rtm_status_t rtm_freelist_walk(const rtm_freelist_t *h, rtm_walk_fn fn, void *ctx)
{
    if (h == NULL || fn == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!cb_ok(h)) {
        return RTM_ERR_CORRUPTED;
    }
    for (uintptr_t a = h->lo; a < h->hi; a += size_of(blk_at(a))) {
        int state = classify(h, a); /* bounds the block inside the heap */
        if (state == BLK_BAD) {
            return RTM_ERR_CORRUPTED;
        }
        rtm_block_info_t info = {(void *)(a + HDR), size_of(blk_at(a)) - HDR, state == BLK_LIVE ? 1u : 0u, 0u};
        rtm_status_t s = fn(ctx, &info);
        if (s != RTM_OK) {
            return s;
        }
    }
    return RTM_OK;
}

/* ---- the allocator interface ---- */

static rtm_status_t op_allocate(void *ctx, size_t size, size_t align, void **out)
{
    return rtm_freelist_alloc((rtm_freelist_t *)ctx, size, align, out);
}

static rtm_status_t op_deallocate(void *ctx, void *ptr, size_t size)
{
    (void)size;
    return rtm_freelist_free((rtm_freelist_t *)ctx, ptr);
}

static rtm_status_t op_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size,
                                  size_t align, void **out)
{
    (void)old_size;
    return rtm_freelist_realloc((rtm_freelist_t *)ctx, ptr, new_size, align, out);
}

static void op_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_freelist_stats((const rtm_freelist_t *)ctx, out);
}

static rtm_status_t op_check(const void *ctx)
{
    return rtm_freelist_check((const rtm_freelist_t *)ctx);
}

static const rtm_allocator_ops_t freelist_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, op_allocate, op_deallocate, op_reallocate,
    op_stats, op_check,
};

rtm_allocator_t rtm_freelist_allocator(rtm_freelist_t *h)
{
    rtm_allocator_t a = {&freelist_ops, h};
    return a;
}
