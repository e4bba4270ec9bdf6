/*
 * The O(1) real-time heap: segregated fit over power-of-two size classes with
 * one bitmap word, immediate coalescing through boundary tags, keyed headers.
 * docs/heap.md has the design, the bounds and what misuse is detected.
 *
 * Block layout. Payloads are 8-aligned, so headers sit at 4 mod 8 and block
 * sizes (header included) are multiples of 8, at least 16:
 *
 *   used block, payload p                 free block, payload p
 *   +------------------------------+      +------------------------------+
 *   | header (keyed)               | p-4  | header (keyed)               | p-4
 *   +------------------------------+      +------------------------------+
 *   | payload ...                  | p    | next: link                   | p
 *   |                              |      | prev: link                   | p+4
 *   |                              |      | size (plain)                 | p+8
 *   |                              |      | ...                          |
 *   |                              |      | tag: size                    | p+size-8
 *   +------------------------------+      +------------------------------+
 *
 *   header, decoded:   31 ...................... 3   2    1    0
 *                     | block size in bytes       | 0 | PU | U  |
 *   U: this block is used. PU: the block before it is used. Bit 2 is 0.
 *   Stored XOR key(p) = p rotated right by 3 (the low 32 bits of p), which
 *   is p / 8 for a payload: a word of small value (a zero, a count, a size)
 *   decodes to about p / 8, a size beyond the region unless p itself is below
 *   8 times the region's size, which no RAM of an MCU is. On wider targets,
 *   whose heaps may lie anywhere in the low 32 bits (and whose links are
 *   small offsets), the key's top bit is set as well: never below 2 GiB.
 *   A header that a merge leaves inside a bigger block is stored once more
 *   XOR STALE, the top byte of its size flipped: it can never pass for a
 *   header again, not even when the memory's next owner overwrites its first
 *   bytes (the top byte is the last one a forward write reaches on the
 *   little-endian targets rtmem runs on), yet classify() still knows its
 *   pointer was freed before.
 *
 * A link is a 32-bit number: the address itself on 32-bit targets, the offset
 * from the control block on wider ones (whose regions must therefore lie in
 * the 4 GiB above it), so the layout is the same everywhere.
 * The free blocks of class z = clz32(size) (2..27) form a circular doubly
 * linked list through a sentinel node in the control block at h + 8z; bit z of
 * the bitmap says the list is not empty. A list holds only its sentinel when
 * a node's next and prev are equal, which is how unlinking notices it emptied
 * a class.
 */
#include "rtm_internal.h"
#include "rtmem/heap.h"

#define F_USED 1u
#define F_PREV 2u
#define F_MARK 4u
#define STALE 0xff000000u /* flips a size (< 2^30) beyond every region */
#define MIN_BLOCK 16u
#define MAX_AREA 0x3ffffff8u /* block bytes per region (< 2^30); larger regions are cut */
#define ZLO 2u               /* class of the largest blocks (< 2^30) */
#define ZHI 27u              /* class of 16..31-byte blocks */

typedef unsigned char byte;

#if SIZE_MAX > 0xffffffffu
#define TOO_BIG(size) ((size) > 0x7fffffffu)
#define KEY_TOP 0x80000000u
/* p is 4 GiB or more from h: the 32-bit offset test alone cannot tell. */
#define FAR(h, p) ((((uintptr_t)(p) - (uintptr_t)(h)) >> 32) != 0u)
#define BASE(h) ((uintptr_t)(h))
#else
#define TOO_BIG(size) false /* covered by the sign test on size + 3 */
#define KEY_TOP 0u
#define FAR(h, p) false
#define BASE(h) ((uintptr_t)0u)
#endif

struct sentinel {
    uint32_t next; /* first block of the class, or the sentinel itself */
    uint32_t prev; /* last block of the class (written, never needed) */
};

struct region {
    uint32_t lo;   /* link of the first payload */
    uint32_t span; /* bytes from the first header to the end marker */
};

struct rtm_heap {
    uint32_t map;    /* bit z set <=> class z holds a block */
    uint32_t nfree;  /* free blocks */
    uint32_t spanr0; /* region 0 (first payload at h + LOP): (span - 16) / 8 */
    uint32_t span0;
    struct sentinel cls[ZHI + 1u - ZLO]; /* class z at offset 8z */
    /* Usable bytes of live blocks (low half, never above the heap's size, so
     * never carries) and successful allocations (high half, wraps): one
     * 64-bit addition counts an allocation; a free subtracts from half[LOW]
     * alone. */
    union {
        uint64_t both;
        uint32_t half[2];
    } use_allocs;
    uint32_t frees; /* successful deallocations (wraps) */
    uint32_t peak;
    uint64_t bytes_freed;
    uint32_t failures; /* allocations refused for lack of memory (wraps) */
    uint32_t reserved; /* zero; the size is the same on every target */
    struct region extra[RTM_HEAP_MAX_REGIONS - 1u]; /* span 0: unused */
};

/* Region 0's first header follows the control block at 4 mod 8. */
#define LO0 ((uint32_t)(((sizeof(struct rtm_heap) + 4u + 7u) & ~(size_t)7u) - 4u))
#define LOP (LO0 + 4u)

RTM_STATIC_ASSERT(offsetof(struct rtm_heap, cls) == (size_t)8u * ZLO, heap_sentinels_at_8z);
RTM_STATIC_ASSERT(sizeof(struct rtm_heap) == 280u, heap_control_size);
RTM_STATIC_ASSERT(LO0 == RTM_HEAP_CONTROL_SIZE, heap_control_size_public);
RTM_STATIC_ASSERT(RTM_HEAP_MIN_ARENA == RTM_HEAP_CONTROL_SIZE + MIN_BLOCK + 4u, heap_min_arena);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, bytes_freed) % 8u == 0u, heap_u64_aligned);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, use_allocs) % 8u == 0u, heap_u64_aligned_2);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LOW 1
#else
#define LOW 0
#endif

/* ------------------------------------------------------------------------ */
/* Words, keys, links                                                        */

static inline uint32_t *word(byte *p)
{
    return (uint32_t *)(void *)p;
}

static inline uint32_t rdw(const byte *p)
{
    return *(const uint32_t *)(const void *)p;
}

static inline uint32_t ror32(uint32_t a, unsigned n)
{
    return (a >> n) | (a << (32u - n));
}

static inline uint32_t key(const byte *p)
{
    return ror32((uint32_t)(uintptr_t)p, 3u) | KEY_TOP;
}

/* Decoded header of the block whose payload is p. */
static inline uint32_t hdr(const byte *p)
{
    return rdw(p - 4) ^ key(p);
}

static inline void set_hdr(byte *p, uint32_t plain)
{
    *word(p - 4) = plain ^ key(p);
}

static inline byte *ptr_of(const rtm_heap_t *h, uint32_t l)
{
    (void)h;
    return (byte *)(BASE(h) + (uintptr_t)l);
}

static inline uint32_t link_of(const rtm_heap_t *h, const void *p)
{
    (void)h;
    return (uint32_t)((uintptr_t)p - BASE(h));
}

static inline byte *sentinel(rtm_heap_t *h, uint32_t z)
{
    return (byte *)h + (size_t)8u * z;
}

static inline uint32_t clz32(uint32_t x)
{
    return (uint32_t)__builtin_clz(x);
}

/* Helpers of the hot paths: inlined when optimizing for speed, shared when
 * optimizing for size (one source, two trade-offs). */
#ifdef __OPTIMIZE_SIZE__
#define HOT static
#else
#define HOT static inline __attribute__((always_inline))
#endif

/* Take free block p (class z) out of its list; clear bit z if it was alone. */
HOT void unlink_block(rtm_heap_t *h, byte *p, uint32_t z, uint32_t *map)
{
    uint32_t nx = rdw(p);
    uint32_t pv = rdw(p + 4);
    *word(ptr_of(h, pv)) = nx;
    *word(ptr_of(h, nx) + 4) = pv;
    if (nx == pv) {
        *map &= ~(1u << z);
    }
}

/* Make [p - 4, p - 4 + size) a free block (its predecessor is used): header,
 * size, tag, and first place in its class. */
HOT void make_free(rtm_heap_t *h, byte *p, uint32_t size, uint32_t *map)
{
    uint32_t z = clz32(size);
    byte *s = sentinel(h, z);
    uint32_t first = rdw(s);
    uint32_t pl = link_of(h, p);
    set_hdr(p, size | F_PREV);
    *word(p + 8) = size; /* the tag itself in a 16-byte block */
    *word(p + size - 8u) = size;
    *word(s) = pl;
    *word(p) = first;
    *word(p + 4) = link_of(h, s);
    *word(ptr_of(h, first) + 4) = pl;
    *map |= 1u << z;
}

/* ------------------------------------------------------------------------ */
/* Statistics                                                                */

HOT void note_alloc(rtm_heap_t *h, uint32_t usable)
{
    uint64_t ua = h->use_allocs.both + ((uint64_t)1u << 32) + usable;
    h->use_allocs.both = ua;
    if ((uint32_t)ua > h->peak) {
        h->peak = (uint32_t)ua;
    }
}

HOT void note_free(rtm_heap_t *h, uint32_t usable)
{
    h->use_allocs.half[LOW] -= usable;
    h->frees++;
    h->bytes_freed += usable;
}

/*
 * Block p has `have` bytes and is in no list: make it a used block of need
 * bytes (need <= have) and free the rest when that can hold a block. prev:
 * the PU bit of its header; succ: whether the header after it says its
 * predecessor is used; dfree: change of the free block count so far.
 */
HOT void settle(rtm_heap_t *h, byte *p, uint32_t have, uint32_t need, uint32_t prev, bool succ,
                uint32_t dfree, uint32_t map)
{
    uint32_t rest = have - need;
    bool split = rest >= MIN_BLOCK;
    if (!split) {
        need = have; /* too little left for a block: take it whole */
    }
    note_alloc(h, need - 4u);
    set_hdr(p, need | F_USED | prev);
    if (split == succ) {
        *word(p + have - 4u) ^= F_PREV;
    }
    if (split) {
        make_free(h, p + need, rest, &map);
        dfree++;
    }
    if (dfree != 0u) {
        h->nfree += dfree;
    }
    h->map = map;
}

/* ------------------------------------------------------------------------ */
/* Regions                                                                   */

/* Region i (< RTM_HEAP_MAX_REGIONS): its first payload and its span, the
 * bytes from its first header to its end marker (0: no such region). */
static uint32_t region(const rtm_heap_t *h, uint32_t i, byte **first)
{
    if (i == 0u) {
        *first = (byte *)(uintptr_t)h + LOP;
        return h->span0;
    }
    *first = ptr_of(h, h->extra[i - 1u].lo);
    return h->extra[i - 1u].span;
}

/* p's offset from region 0's first payload. */
static inline uint32_t offset0(const rtm_heap_t *h, const byte *p)
{
    return (uint32_t)((uintptr_t)p - (uintptr_t)h) - LOP;
}

/* Is p, at offset0() off, not a granule boundary of region 0? (ror moves a
 * misaligned offset into the high bits, where it fails the compare.) */
static inline bool outside0(const rtm_heap_t *h, const byte *p, uint32_t off)
{
    (void)p; /* only read on targets with pointers wider than 32 bits */
    return ror32(off, 3u) > h->spanr0 || FAR(h, p);
}

/* Where p lies if it is a granule boundary of the extra region r: see find_region(). */
HOT uint64_t in_region(const rtm_heap_t *h, const byte *p, const struct region *r)
{
    uintptr_t d = (uintptr_t)p - (uintptr_t)ptr_of(h, r->lo);
    if (r->span != 0u && ror32((uint32_t)d, 3u) <= (r->span - MIN_BLOCK) >> 3 && (d >> 31 >> 1) == 0u) {
        return (uint64_t)r->span << 32 | (uint32_t)d;
    }
    return 0u;
}

/*
 * Where payload pointer p lies in the regions other than region 0:
 * (span << 32) | offset from its region's first payload; 0 when p is in none
 * of them or misaligned (span is never 0). The same test as outside0(),
 * written out for each region so that no path of the heap holds a loop.
 */
__attribute__((noinline)) static uint64_t find_region(const rtm_heap_t *h, const byte *p)
{
    uint64_t w = in_region(h, p, &h->extra[0]);
    if (w == 0u) {
        w = in_region(h, p, &h->extra[1]);
    }
    return w != 0u ? w : in_region(h, p, &h->extra[2]);
}
RTM_STATIC_ASSERT(RTM_HEAP_MAX_REGIONS == 4u, find_region_tries_three_regions);

/* True when [a, a + n) is within the reach of 32-bit links from h: on wider
 * targets the 4 GiB above h (so a link converts with one addition). */
static bool reachable(const rtm_heap_t *h, uintptr_t a, size_t n)
{
#if UINTPTR_MAX > 0xffffffffu
    uintptr_t d = a - (uintptr_t)h;
    return d < 0xffff0000u && n < 0xffff0000u - d;
#else
    (void)h;
    (void)a;
    (void)n;
    return true;
#endif
}

/*
 * Add [mem, mem + size) as region slot i (0: right after the control block):
 * one free block, then the end marker (a used header of size 0). The first
 * payload is the first 8-aligned address with room for its header; the
 * blocks take a multiple of 8 bytes, the end marker the 4 after them.
 */
static rtm_status_t add(rtm_heap_t *h, uint32_t i, void *mem, size_t size)
{
    uintptr_t a = (uintptr_t)mem;
    byte *p = (byte *)((a + 11u) & ~(uintptr_t)7u);
    size_t skip = (size_t)((uintptr_t)p - a);
    if (mem == NULL || size < skip + MIN_BLOCK) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!reachable(h, a, size)) {
        return RTM_ERR_UNSUPPORTED;
    }
    size_t area = (size - skip) & ~(size_t)7u;
    uint32_t span = area > MAX_AREA ? MAX_AREA : (uint32_t)area;
    if (i == 0u) {
        h->span0 = span;
        h->spanr0 = (span - MIN_BLOCK) >> 3;
    } else {
        h->extra[i - 1u].lo = link_of(h, p);
        h->extra[i - 1u].span = span;
    }
    uint32_t map = h->map;
    set_hdr(p + span, F_USED);
    make_free(h, p, span, &map);
    h->map = map;
    h->nfree++;
    return RTM_OK;
}

rtm_status_t rtm_heap_init(void *mem, size_t size, rtm_heap_t **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    rtm_heap_t *h = (rtm_heap_t *)(((uintptr_t)mem + 7u) & ~(uintptr_t)7u);
    size_t skip = (size_t)((uintptr_t)h - (uintptr_t)mem) + LO0;
    if (mem == NULL || size < skip + MIN_BLOCK + 4u) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!reachable(h, (uintptr_t)h, size - skip + LO0)) {
        return RTM_ERR_UNSUPPORTED;
    }
    fill_bytes(h, 0u, sizeof *h);
    for (uint32_t z = ZLO; z <= ZHI; z++) {
        uint32_t l = link_of(h, sentinel(h, z));
        h->cls[z - ZLO].next = l;
        h->cls[z - ZLO].prev = l;
    }
    (void)add(h, 0u, (byte *)h + LO0, size - skip); /* cannot fail: checked above */
    *out = h;
    return RTM_OK;
}

rtm_status_t rtm_heap_add_region(rtm_heap_t *h, void *mem, size_t size)
{
    if (h == NULL || mem == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t a = (uintptr_t)mem;
    uint32_t slot = 0u;
    for (uint32_t i = 0; i < RTM_HEAP_MAX_REGIONS; i++) {
        /* Region i from its first header (region 0: its control block) to
         * the end of its end marker. */
        byte *first;
        uint32_t span = region(h, i, &first);
        uintptr_t lo = i == 0u ? (uintptr_t)h : (uintptr_t)first - 4u;
        uintptr_t hi = (uintptr_t)first + span;
        if (span == 0u) {
            slot = slot != 0u ? slot : i;
        } else if (a < hi && (lo <= a || lo - a < size)) {
            return RTM_ERR_OVERLAP;
        }
    }
    return slot != 0u ? add(h, slot, mem, size) : RTM_ERR_NO_MEMORY;
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

/*
 * Hand out block p, the first of class z, with `have` bytes: skip g bytes
 * (0, or a free block that gives the payload its alignment), keep need bytes,
 * free the rest if it can hold a block. Returns the payload.
 */
HOT byte *grab(rtm_heap_t *h, uint32_t z, byte *p, uint32_t have, uint32_t g, uint32_t need)
{
    uint32_t map = h->map;
    byte *s = sentinel(h, z);
    uint32_t nx = rdw(p);
    *word(s) = nx;
    *word(ptr_of(h, nx) + 4) = link_of(h, s);
    if (nx == link_of(h, s)) {
        map &= ~(1u << z);
    }
    uint32_t prev = F_PREV;
    uint32_t dfree = 0u - 1u;
    if (g != 0u) {
        make_free(h, p, g, &map);
        p += g;
        have -= g;
        prev = 0u;
        dfree = 0u;
    }
    settle(h, p, have, need, prev, false, dfree, map);
    return p;
}

/*
 * The general allocation: need block bytes, payload aligned to align (a power
 * of two >= 8). Good fit over the classes whose every block holds need plus
 * the worst alignment gap; failing that, the first block of need's own class.
 */
static byte *take(rtm_heap_t *h, uint32_t need, uint32_t align)
{
    uint32_t want = align > 8u ? need + align + 8u : need;
    uint32_t c = clz32(want - 1u);
    uint32_t m = c == 0u ? 0u : h->map << (32u - c);
    uint32_t z = m != 0u ? c - 1u - clz32(m) : clz32(need);
    if ((h->map & (1u << z)) == 0u) {
        return NULL;
    }
    byte *p = ptr_of(h, rdw(sentinel(h, z)));
    uint32_t have = rdw(p + 8);
    uint32_t g = (uint32_t)(0u - (uintptr_t)p) & (align - 1u);
    g = g == 8u ? g + align : g;
    return have < g + need ? NULL : grab(h, z, p, have, g, need);
}

__attribute__((noinline)) static rtm_status_t alloc_slow(rtm_heap_t *h, size_t size, size_t align, void **out)
{
    *out = NULL;
    rtm_status_t s = check_request(size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    byte *p = NULL;
    if (size <= RTM_HEAP_MAX_REQUEST && align <= MAX_AREA) {
        uint32_t need = ((uint32_t)size + 11u) & ~7u;
        p = take(h, need < MIN_BLOCK ? MIN_BLOCK : need, (uint32_t)align);
    }
    if (p == NULL) {
        h->failures++;
        return RTM_ERR_NO_MEMORY;
    }
    *out = p;
    return RTM_OK;
}

#ifndef __OPTIMIZE_SIZE__ /* the fast path of rtm_heap_alloc() */
/* No class is sure to fit need bytes: only the first block of need's own
 * class may (if the class has a block at all; else p is its sentinel). */
HOT rtm_status_t alloc_last(rtm_heap_t *h, uint32_t need, void **out)
{
    uint32_t z = clz32(need);
    byte *p = ptr_of(h, rdw(sentinel(h, z)));
    if (((h->map >> z) & 1u) == 0u || rdw(p + 8) < need) {
        h->failures++;
        *out = NULL;
        return RTM_ERR_NO_MEMORY;
    }
    *out = p;
    (void)grab(h, z, p, rdw(p + 8), 0u, need);
    return RTM_OK;
}
#endif

rtm_status_t rtm_heap_alloc(rtm_heap_t *h, size_t size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (h == NULL) {
        *out = NULL;
        return RTM_ERR_INVALID_ARG;
    }
#ifdef __OPTIMIZE_SIZE__
    /* Optimizing for size: take() serves every request; what follows is a
     * faster copy of its search for the usual ones, with the same result. */
    return alloc_slow(h, size, align, out);
#else
    /* Fast path: 5 <= size < 2 GiB - 3 and align 0 or 8; the rest in take(). */
    uint32_t x = (uint32_t)size + 3u;
    if ((int32_t)x <= 7 || TOO_BIG(size) || (align & ~(size_t)8u) != 0u) {
        return alloc_slow(h, size, align, out);
    }
    /* Good fit: class z holds blocks of 2^(31 - z) bytes or more, so every
     * block of the classes z < clz(need - 1) fits; need - 1 and size + 3 have
     * the same clz because class bounds are multiples of 8. */
    uint32_t c = clz32(x); /* >= 1 here */
    uint32_t need = ((uint32_t)size + 11u) & ~7u;
    uint32_t m = h->map << (32u - c);
    if (m == 0u) {
        return alloc_last(h, need, out);
    }
    uint32_t z = c - 1u - clz32(m);
    byte *p = ptr_of(h, rdw(sentinel(h, z)));
    *out = p;
    (void)grab(h, z, p, rdw(p + 8), 0u, need);
    return RTM_OK;
#endif
}

/* ------------------------------------------------------------------------ */
/* Validation of a pointer handed back by the caller                         */

/* Could pl be the decoded header of a block at offset off of a region of
 * `span` bytes? */
static bool plausible(uint32_t pl, uint32_t off, uint32_t span)
{
    uint32_t size = pl & ~7u;
    return size >= MIN_BLOCK && size <= span - off && (pl & F_MARK) == 0u;
}

/* Why p, at offset off in a region of `span` bytes, is not a live block:
 * freed before (its header says free, or was merged away: STALE), interior,
 * or damaged. Never RTM_OK. */
__attribute__((noinline)) static rtm_status_t classify(const byte *p, uint32_t off, uint32_t span)
{
    uint32_t pl = hdr(p);
    if (plausible(pl ^ STALE, off, span)) {
        return RTM_ERR_DOUBLE_FREE;
    }
    if (!plausible(pl, off, span)) {
        return RTM_ERR_INVALID_POINTER;
    }
    return (pl & F_USED) == 0u ? RTM_ERR_DOUBLE_FREE : RTM_ERR_CORRUPTED;
}

struct live {
    rtm_status_t st; /* RTM_OK, or why p is not a live block (other fields unset) */
    uint32_t raw;    /* stored header */
    uint32_t size;   /* block size */
    uint32_t nraw;   /* stored header of the next block */
    uint32_t nhdr;   /* ... decoded */
    uint32_t psize;  /* size of the free block before, 0 when it is used */
};

/*
 * Is p a live block? It must lie in a region at a granule boundary; its
 * header must say used with a size that stays inside the region; the next
 * header's size must stay inside the region too (an overrun rarely leaves
 * that true); and when the block before is free, its tag must give a size
 * up to p's offset in the region that leads to a free header of exactly that
 * size. Bit 2 (always 0) is only checked by classify() and rtm_heap_check().
 */
HOT struct live validate(const rtm_heap_t *h, const byte *p)
{
    struct live v = {RTM_ERR_INVALID_POINTER, 0u, 0u, 0u, 0u, 0u};
    uint32_t off = offset0(h, p);
    uint32_t span = h->span0;
    if (outside0(h, p, off)) {
        uint64_t w = find_region(h, p);
        if (w == 0u) {
            return v;
        }
        off = (uint32_t)w;
        span = (uint32_t)(w >> 32);
    }
    v.raw = rdw(p - 4);
    uint32_t pl = v.raw ^ key(p);
    v.size = pl & ~7u;
    uint32_t room = span - off; /* bytes from p's header to the end marker */
    if ((pl & F_USED) == 0u || v.size - MIN_BLOCK > room - MIN_BLOCK) {
        v.st = classify(p, off, span);
        if (v.st == RTM_OK) {
            __builtin_unreachable(); /* tells the callers' error test it always holds */
        }
        return v;
    }
    const byte *np = p + v.size;
    v.nraw = rdw(np - 4);
    v.nhdr = v.nraw ^ key(np);
    v.psize = 0u;
    v.st = RTM_ERR_CORRUPTED;
    if ((v.nhdr & ~7u) > room - v.size) {
        return v; /* an overrun reached the next header */
    }
    if ((pl & F_PREV) == 0u) {
        v.psize = rdw(p - 8) & ~7u;
        if (v.psize > off || hdr(p - v.psize) != (v.psize | F_PREV)) { /* 0 and 8 fail the header */
            return v;
        }
    }
    v.st = RTM_OK;
    return v;
}

rtm_status_t rtm_heap_free(rtm_heap_t *h, void *ptr)
{
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    byte *p = (byte *)ptr;
    struct live v = validate(h, p);
    if (v.st != RTM_OK) {
        return v.st;
    }
    /* Nothing can fail from here; counting first keeps the counters' loads
     * and stores together, ahead of the list stores that might alias them. */
    note_free(h, v.size - 4u);
    uint32_t size = v.size;
    uint32_t map = h->map;
    uint32_t nfree = h->nfree + 1u;
    byte *np = p + size;
    if ((v.nhdr & F_USED) == 0u) {
        uint32_t nsize = v.nhdr & ~7u;
        unlink_block(h, np, clz32(nsize), &map);
        *word(np - 4) = v.nraw ^ STALE;
        size += nsize;
        nfree--;
    } else {
        *word(np - 4) = v.nraw ^ F_PREV;
    }
    if (v.psize != 0u) {
        *word(p - 4) = v.raw ^ STALE; /* a second free is still caught */
        p -= v.psize;
        unlink_block(h, p, clz32(v.psize), &map);
        size += v.psize;
        nfree--;
    }
    make_free(h, p, size, &map);
    h->map = map;
    h->nfree = nfree;
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* Reallocation                                                              */

rtm_status_t rtm_heap_realloc(rtm_heap_t *h, void *ptr, size_t new_size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (ptr == NULL) {
        return rtm_heap_alloc(h, new_size, align, out);
    }
    if (new_size == 0u) {
        return rtm_heap_free(h, ptr);
    }
    byte *p = (byte *)ptr;
    rtm_status_t st = check_request(new_size, &align, RTM_MIN_ALIGN);
    if (st != RTM_OK) {
        return st;
    }
    struct live v = validate(h, p);
    if (v.st != RTM_OK) {
        return v.st;
    }
    /* In place: shrink, or grow into a free block right after it. */
    bool next_free = (v.nhdr & F_USED) == 0u;
    uint32_t have = v.size + (next_free ? v.nhdr & ~7u : 0u);
    uint32_t need = ((uint32_t)new_size + 11u) & ~7u;
    if (new_size <= RTM_HEAP_MAX_REQUEST && need <= have && is_aligned((uintptr_t)p, align)) {
        uint32_t map = h->map;
        if (next_free) {
            unlink_block(h, p + v.size, clz32(have - v.size), &map);
            *word(p + v.size - 4u) = v.nraw ^ STALE;
        }
        note_free(h, v.size - 4u);
        settle(h, p, have, need < MIN_BLOCK ? MIN_BLOCK : need, (v.raw ^ key(p)) & F_PREV, !next_free,
               next_free ? 0u - 1u : 0u, map);
        *out = p;
        return RTM_OK;
    }
    void *fresh = NULL;
    st = rtm_heap_alloc(h, new_size, align, &fresh);
    if (st == RTM_OK) {
        copy_bytes(fresh, p, new_size < v.size - 4u ? new_size : v.size - 4u);
        (void)rtm_heap_free(h, p); /* validated above: cannot fail */
        *out = fresh;
    }
    return st;
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

size_t rtm_heap_usable_size(const rtm_heap_t *h, const void *ptr)
{
    if (h == NULL) {
        return 0u;
    }
    struct live v = validate(h, (const byte *)ptr);
    return v.st == RTM_OK ? (size_t)v.size - 4u : 0u;
}

void rtm_heap_stats(const rtm_heap_t *h, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (h == NULL) {
        return;
    }
    /* capacity: usable bytes when every region is one free block */
    for (uint32_t i = 0; i < RTM_HEAP_MAX_REGIONS; i++) {
        byte *first;
        uint32_t span = region(h, i, &first);
        out->capacity += span != 0u ? span - 4u : 0u;
        out->free_bytes += span != 0u ? 4u : 0u; /* the header of one free block per region */
    }
    uint32_t in_use = (uint32_t)h->use_allocs.both;
    uint32_t allocs = (uint32_t)(h->use_allocs.both >> 32);
    uint32_t live = allocs - h->frees;
    out->bytes_allocated = h->bytes_freed + in_use;
    out->bytes_deallocated = h->bytes_freed;
    out->bytes_in_use = in_use;
    out->peak_memory_usage = h->peak;
    out->free_bytes += out->capacity - in_use - (size_t)4u * (live + h->nfree);
    if (h->map != 0u) {
        /* The largest class holding a block: requests up to its smallest size
         * find it by good fit, bigger ones only by its first block. */
        uint32_t z = (uint32_t)__builtin_ctz(h->map);
        out->largest_free_block = rdw(ptr_of(h, h->cls[z - ZLO].next) + 8) - 4u;
    }
    out->total_allocations = allocs;
    out->total_deallocations = h->frees;
    out->current_allocations = live;
    out->allocation_failures = h->failures;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
}

/* ------------------------------------------------------------------------ */
/* Integrity check                                                           */

/* Is link l the payload of a free block of class z (size copy and tag in
 * agreement)? Reads only inside a region. */
static bool node_ok(const rtm_heap_t *h, uint32_t l, uint32_t z)
{
    const byte *p = ptr_of(h, l);
    uint32_t pl = !outside0(h, p, offset0(h, p)) || find_region(h, p) != 0u ? hdr(p) : F_USED;
    uint32_t size = pl & ~7u;
    return (pl & (F_USED | F_MARK)) == 0u && clz32(size) == z && rdw(p + 8) == size && rdw(p + size - 8u) == size;
}

rtm_status_t rtm_heap_check(const rtm_heap_t *h)
{
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    /* Every block of every region, in address order: sizes inside the
     * region, PU right, no two free blocks adjacent, the end marker. */
    uint32_t used = 0u;
    uint32_t live = 0u;
    uint32_t nfree = 0u;
    for (uint32_t i = 0; i < RTM_HEAP_MAX_REGIONS; i++) {
        byte *p;
        uint32_t span = region(h, i, &p);
        const byte *end = p + span;
        uint32_t prev_used = F_PREV; /* what the next header's PU and bit 2 must read */
        while (span != 0u && p < end) {
            uint32_t pl = hdr(p);
            uint32_t size = pl & ~7u;
            if ((pl & (F_MARK | F_PREV)) != prev_used || size < MIN_BLOCK || size > (uint32_t)(end - p) ||
                (pl & F_USED) + prev_used == 0u) {
                return RTM_ERR_CORRUPTED;
            }
            used += (pl & F_USED) != 0u ? size - 4u : 0u;
            live += pl & F_USED;
            nfree += ~pl & F_USED;
            prev_used = (pl & F_USED) << 1;
            p += size;
        }
        if (span != 0u && (p != end || hdr(end) != (F_USED | prev_used))) {
            return RTM_ERR_CORRUPTED;
        }
    }
    if (used != (uint32_t)h->use_allocs.both || live != (uint32_t)(h->use_allocs.both >> 32) - h->frees ||
        nfree != h->nfree || h->peak < used ||
        (h->map & ~0x0ffffffcu) != 0u) {
        return RTM_ERR_CORRUPTED;
    }
    /* Every list, from its sentinel round to it: each node a free block of
     * the list's class whose prev names the node before, the bitmap in
     * agreement; the walks visit exactly the free blocks, so none is missing,
     * listed twice or caught in a cycle (and no walk runs past nfree). */
    for (uint32_t z = ZLO; z <= ZHI; z++) {
        uint32_t s = link_of(h, (const byte *)h + (size_t)8u * z);
        uint32_t before = s;
        uint32_t l = h->cls[z - ZLO].next;
        if (((h->map >> z) & 1u) != (l != s ? 1u : 0u)) {
            return RTM_ERR_CORRUPTED;
        }
        for (; l != s; before = l, l = rdw(ptr_of(h, l))) {
            if (nfree-- == 0u || !node_ok(h, l, z) || rdw(ptr_of(h, l) + 4) != before) {
                return RTM_ERR_CORRUPTED;
            }
        }
    }
    return nfree == 0u ? RTM_OK : RTM_ERR_CORRUPTED;
}

/* ------------------------------------------------------------------------ */
/* The allocator interface                                                   */

static rtm_status_t ops_allocate(void *ctx, size_t size, size_t align, void **out)
{
    return rtm_heap_alloc((rtm_heap_t *)ctx, size, align, out);
}

static rtm_status_t ops_deallocate(void *ctx, void *ptr, size_t size)
{
    (void)size;
    return rtm_heap_free((rtm_heap_t *)ctx, ptr);
}

static rtm_status_t ops_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                   void **out)
{
    (void)old_size;
    return rtm_heap_realloc((rtm_heap_t *)ctx, ptr, new_size, align, out);
}

static void ops_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_heap_stats((const rtm_heap_t *)ctx, out);
}

static rtm_status_t ops_check(const void *ctx)
{
    return rtm_heap_check((const rtm_heap_t *)ctx);
}

static const rtm_allocator_ops_t heap_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, ops_allocate, ops_deallocate, ops_reallocate, ops_stats,
    ops_check,
};

rtm_allocator_t rtm_heap_allocator(rtm_heap_t *h)
{
    rtm_allocator_t a = {&heap_ops, h};
    return a;
}
