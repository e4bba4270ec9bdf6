/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The O(1) real-time heap: segregated fit over power-of-two size classes with
 * one bitmap word, immediate coalescing through boundary tags, headers that
 * check themselves. docs/heap.md has the design, the bounds and the measured
 * misuse detection.
 *
 * Block layout. Payloads are 8-aligned, so headers sit at 4 mod 8 and block
 * sizes (header included) are multiples of 8, at least 16:
 *
 *   used block, payload p                 free block, payload p
 *   +------------------------------+      +------------------------------+
 *   | header (used form)           | p-4  | header (free form)           | p-4
 *   +------------------------------+      +------------------------------+
 *   | payload ...                  | p    | next: link                   | p
 *   |                              |      | prev: link                   | p+4
 *   |                              |      | size (plain)                 | p+8
 *   |                              |      | ...                          |
 *   |                              |      | tag: size (plain)            | p+size-8
 *   +------------------------------+      +------------------------------+
 *
 *   header word, decoded (stored XOR key(p)):
 *       31 ........................ 10   9    8    7 ...... 0
 *      | block size / 8              | PU | U  | check byte  |
 *   U: this block is used. PU: the block before it is used.
 *
 * The header's low byte is the first one an overrun of the block before it
 * reaches (little-endian), and it holds no information: in a used header it
 * is a check, stored byte 0 == stored byte 1 ^ CHECK. So a one-byte overrun is
 * always caught, and so is any overrun that writes the same value into bytes
 * 0 and 1 (CHECK is not 0); other values pass with odds 1/256. A free header
 * needs no check byte, nor flags (U is clear, and the block before a free
 * one is always used): before anything follows a free block's links, its
 * header must equal exactly what make_free() writes for the plain size copy
 * at p+8, which a forward overrun can only reach through the header.
 * key(p) = p rotated right by 3, which is p / 8 for a payload: a data word
 * of small value decodes to about p / 1024 as a size, beyond the region for
 * every heap that lies above 1024 times its region size (SRAM at 0x2000_0000:
 * 512 KiB), on top of the check byte it must also pass.
 * A header that a merge leaves inside a bigger block is stored once more
 * XOR STALE, the top byte flipped: it decodes to 16 MiB or more and can never
 * pass for a header again, not even when the memory's next owner overwrites
 * its first bytes, yet classify() still knows its pointer was freed before.
 *
 * A link is a 32-bit number: the address itself on 32-bit targets, the offset
 * from the control block on wider ones (whose regions must therefore lie in
 * the 4 GiB above it), so the layout is the same everywhere. A link is checked
 * to name an 8-aligned node inside the heap before anything is written through
 * it. The free blocks of class z = clz32(size) (8..27) form a circular doubly
 * linked list through a sentinel node in the control block; bit z of the
 * bitmap says the list is not empty. A list holds only its sentinel when a
 * node's next and prev are equal, which is how unlinking notices it emptied a
 * class.
 */
#include "rtm_internal.h"
#include "rtmem/heap.h"

#define U_BIT 0x100u
#define PU_BIT 0x200u
#define FLIP_PU 0x202u   /* PU and its image in the check byte: a used header stays valid */
#define CHECK 0xa5u      /* stored byte 0 ^ stored byte 1 of a used header */
#define STALE 0xff000000u /* flips a size (< 16 MiB) to 16 MiB or more */
#define MIN_BLOCK 16u
#define MAX_AREA 0x00fffff8u /* block bytes per region (< 16 MiB); larger regions are cut */
#define ZLO 8u               /* class of the largest blocks (< 16 MiB) */
#define ZHI 27u              /* class of 16..31-byte blocks */

typedef unsigned char byte;

#if SIZE_MAX > 0xffffffffu
#define TOO_BIG(size) ((size) > 0x7fffffffu)
/* p is 4 GiB or more from h: the 32-bit offset test alone cannot tell. */
#define FAR(h, p) ((((uintptr_t)(p) - (uintptr_t)(h)) >> 32) != 0u)
#define BASE(h) ((uintptr_t)(h))
#else
#define TOO_BIG(size) false /* covered by the sign test on size + 3 */
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
    /* Usable bytes of live blocks (low half, never above the heap's size, so
     * never carries) and successful allocations (high half, wraps): one
     * 64-bit addition counts an allocation; a free subtracts from half[0]
     * alone. */
    union {
        uint64_t both;
        uint32_t half[2];
    } use_allocs;
    uint64_t bytes_freed;
    uint32_t frees; /* successful deallocations (wraps) */
    uint32_t peak;
    uint32_t failures; /* allocations refused for lack of memory (wraps) */
    uint32_t seal;     /* seal_of(the handle) */
    uint32_t lim0;     /* nodes a link may name: (offset from h) / 8 <= lim0 */
    uint32_t reserved[3]; /* zero: puts class z's sentinel at h + 8z */
    struct sentinel cls[ZHI + 1u - ZLO];
    struct region extra[RTM_HEAP_MAX_REGIONS - 1u]; /* span 0: unused */
};

/* Region 0's first header follows the control block at 4 mod 8. */
#define LO0 ((uint32_t)(((sizeof(struct rtm_heap) + 4u + 7u) & ~(size_t)7u) - 4u))
#define LOP (LO0 + 4u)

RTM_STATIC_ASSERT(sizeof(struct rtm_heap) == 248u, heap_control_size);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, cls) == (size_t)8u * ZLO, heap_sentinels_at_8z);
RTM_STATIC_ASSERT(LO0 == RTM_HEAP_CONTROL_SIZE, heap_control_size_public);
RTM_STATIC_ASSERT(RTM_HEAP_MIN_ARENA == RTM_HEAP_CONTROL_SIZE + MIN_BLOCK + 4u, heap_min_arena);
RTM_STATIC_ASSERT(RTM_HEAP_MAX_REQUEST == MAX_AREA - 4u, heap_max_request);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, bytes_freed) % 8u == 0u, heap_u64_aligned);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, use_allocs) % 8u == 0u, heap_u64_aligned_2);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, cls) % 8u == 0u, heap_sentinels_aligned);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "the header's check byte must be the first byte an overrun reaches: little-endian targets only"
#endif

/* ------------------------------------------------------------------------ */
/* Words, keys, headers, links                                               */

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
    return ror32((uint32_t)(uintptr_t)p, 3u);
}

static inline uint32_t keyed(const byte *p, uint32_t size, uint32_t flags)
{
    return ((size << 7) | flags) ^ key(p);
}

/* Block size of a decoded header word. */
static inline uint32_t size_of(uint32_t plain)
{
    return (plain >> 7) & ~7u;
}

/* Does a stored header carry a valid check byte (used form)? */
static inline bool checked(uint32_t stored)
{
    return ((stored ^ (stored >> 8)) & 0xffu) == CHECK;
}

/* Stored header of a used block: U, PU as given in flags, check byte. */
static inline uint32_t used_hdr(const byte *p, uint32_t size, uint32_t flags)
{
    uint32_t t = keyed(p, size, flags);
    return (t & ~0xffu) | (((t >> 8) ^ CHECK) & 0xffu);
}

/* Stored header of a free block of `size` bytes: no flags (U clear; the
 * block before a free block is always used, so its PU would say nothing),
 * which keeps the check of a free header to one XOR and one compare with
 * the shifted size. */
static inline uint32_t free_hdr(const byte *p, uint32_t size)
{
    return (size << 7) ^ key(p);
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

/* Leading zeros of x. Every caller passes x > 0; a 0 from damaged data
 * gives 31 or 32, never undefined behaviour. */
static inline uint32_t clz32(uint32_t x)
{
#if defined(__ARM_FEATURE_CLZ)
    uint32_t r;
    __asm__("clz %0, %1" : "=r"(r) : "r"(x));
    return r;
#else
    return (uint32_t)__builtin_clz(x | 1u);
#endif
}

/* The handle's seal: NOT its own address, a word memory that is not a heap
 * holds only by rare chance. */
static inline uint32_t seal_of(const rtm_heap_t *h)
{
    return ~(uint32_t)(uintptr_t)h;
}

/* Is h a heap (not NULL, its seal in place)? */
static inline bool is_heap(const rtm_heap_t *h)
{
    return h != NULL && h->seal == seal_of(h);
}

/* Helpers of the hot paths: inlined when optimizing for speed, shared when
 * optimizing for size (one source, two trade-offs). */
#ifdef __OPTIMIZE_SIZE__
#define HOT static
#else
#define HOT static inline __attribute__((always_inline))
#endif

static bool far_node(const rtm_heap_t *h, const byte *p);

/* A status of the fast paths only: "not decided here, ask the general path". */
#define SLOW 1

/* May link l be written through: an 8-aligned node (sentinel or free
 * payload with its three words) inside region 0 or its control block, or
 * (when far) a payload of another region? The fast paths pass far = false
 * and leave everything else to the general path. */
HOT bool node_ok(const rtm_heap_t *h, uint32_t l, bool far)
{
    return ror32(l - link_of(h, h), 3u) <= h->lim0 || (far && far_node(h, ptr_of(h, l)));
}

/* Take free block p (class z) out of its list; clear bit z if it was alone.
 * Its links were checked with node_ok(). */
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
    *word(p - 4) = free_hdr(p, size);
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
    h->use_allocs.half[0] -= usable; /* the low half: little-endian only (see above) */
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
    *word(p - 4) = used_hdr(p, need, U_BIT | prev);
    if (split == succ) {
        *word(p + have - 4u) ^= FLIP_PU;
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

/* A link that is not in region 0 may name a payload of another region. */
__attribute__((noinline)) static bool far_node(const rtm_heap_t *h, const byte *p)
{
    return find_region(h, p) != 0u;
}

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

/* Does [a, a + n) wrap around the end of the address space? */
static bool wraps(uintptr_t a, size_t n)
{
    return n > UINTPTR_MAX - a;
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
    if (mem == NULL || wraps(a, size) || size < MIN_BLOCK + 4u) {
        return RTM_ERR_INVALID_ARG;
    }
    byte *p = (byte *)((a + 11u) & ~(uintptr_t)7u);
    size_t skip = (size_t)((uintptr_t)p - a);
    if (size < skip + MIN_BLOCK) {
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
        h->lim0 = (LOP + span - MIN_BLOCK) >> 3;
    } else {
        h->extra[i - 1u].lo = link_of(h, p);
        h->extra[i - 1u].span = span;
    }
    uint32_t map = h->map;
    *word(p + span - 4u) = used_hdr(p + span, 0u, U_BIT);
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
    uintptr_t a = (uintptr_t)mem;
    if (mem == NULL || wraps(a, size) || size < LO0 + MIN_BLOCK + 4u) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_heap_t *h = (rtm_heap_t *)((a + 7u) & ~(uintptr_t)7u);
    size_t skip = (size_t)((uintptr_t)h - a) + LO0;
    if (size < skip + MIN_BLOCK + 4u) {
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
    h->seal = seal_of(h);
    *out = h;
    return RTM_OK;
}

rtm_status_t rtm_heap_add_region(rtm_heap_t *h, void *mem, size_t size)
{
    if (!is_heap(h) || mem == NULL || wraps((uintptr_t)mem, size)) {
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

/* Is p, the first block of its class, an intact free block of `have` bytes
 * (its size copy) that holds need bytes, and may its next link be followed? */
HOT bool free_ok(const rtm_heap_t *h, const byte *p, uint32_t have, uint32_t need, bool far)
{
    uint32_t off = offset0(h, p);
    uint32_t span = h->span0;
    if (off > span - MIN_BLOCK) { /* not in region 0 (p is 8-aligned: see node_ok()) */
        uint64_t w = far ? find_region(h, p) : 0u;
        if (w == 0u) {
            return false;
        }
        off = (uint32_t)w;
        span = (uint32_t)(w >> 32);
    }
    /* it holds need bytes and ends inside its region, whatever a damaged
     * heap may have put in its lists */
    return have >= need && have <= span - off && rdw(p - 4) == free_hdr(p, have) && node_ok(h, rdw(p), far);
}

/* Free block p of `have` bytes, just taken out of its list (map: the bitmap
 * after that): skip g bytes as a free block of their own (0, or at least
 * 16), keep need bytes, free the rest if it can hold a block. */
HOT byte *carve(rtm_heap_t *h, byte *p, uint32_t have, uint32_t g, uint32_t need, uint32_t map)
{
    uint32_t prev = PU_BIT;
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
 * Hand out block p, the first of class z, with `have` bytes (checked with
 * free_ok()): skip g bytes (0, or a free block that gives the payload its
 * alignment), keep need bytes, free the rest if it can hold a block.
 * Returns the payload.
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
    return carve(h, p, have, g, need, map);
}

/* Bytes to skip at the start of free block p for a payload aligned to align:
 * 0, or enough for a free block in front (never 8). */
static inline uint32_t gap(const byte *p, uint32_t align)
{
    uint32_t g = (uint32_t)(0u - (uintptr_t)p) & (align - 1u);
    return g == 8u ? g + align : g;
}

/* y if class y has a first block whose size copy holds need bytes after
 * its gap for align (take() then checks the block); else 32. The first
 * block is a node the heap checked before linking it, so reading its size
 * copy stays inside the heap. */
static uint32_t may_fit(rtm_heap_t *h, uint32_t y, uint32_t need, uint32_t align)
{
    if (y > ZHI || ((h->map >> y) & 1u) == 0u) {
        return 32u;
    }
    byte *q = ptr_of(h, rdw(sentinel(h, y)));
    return rdw(q + 8) >= gap(q, align) + need ? y : 32u;
}

/* The block after node *at in the list of class y, if there is one whose
 * links may be written through: returned when it is intact and holds need
 * bytes after its gap for align; else NULL, with *at moved to it (or to 0
 * when the list ends or a link is not a node of the heap). */
static byte *next_fit(const rtm_heap_t *h, uint32_t y, uint32_t *at, uint32_t need, uint32_t align)
{
    uint32_t l = *at != 0u ? rdw(ptr_of(h, *at)) : 0u;
    *at = 0u;
    if (l == 0u || l == link_of(h, (const byte *)h + (size_t)8u * y) || !node_ok(h, l, false)) {
        return NULL;
    }
    *at = l;
    byte *q = ptr_of(h, l);
    uint32_t have = rdw(q + 8);
    uint32_t g = gap(q, align);
    return have >= g + need && free_ok(h, q, have, g + need, false) && node_ok(h, rdw(q + 4), false) ? q : NULL;
}

/*
 * The general allocation: need block bytes, payload aligned to align (a power
 * of two >= 8). Good fit over the classes whose every block holds need plus
 * the worst alignment gap; failing that, the first block of the largest
 * class, then of need's own class, if it holds need plus its own gap.
 * *st: RTM_ERR_CORRUPTED when the block to take is damaged.
 */
static byte *take(rtm_heap_t *h, uint32_t need, uint32_t align, rtm_status_t *st)
{
    uint32_t map = h->map;
    uint32_t want = align > 8u ? need + align + 8u : need;
    uint32_t c = clz32(want - 1u);
    uint32_t m = c == 0u ? 0u : map << (32u - c);
    uint32_t z = m != 0u ? c - 1u - clz32(m) : 32u;
    if (z == 32u) { /* no class is sure to fit: the largest class, then need's own */
        z = may_fit(h, (uint32_t)__builtin_ctz(map | 0x80000000u), need, align);
    }
    if (z == 32u) {
        z = may_fit(h, clz32(need), need, align);
    }
    if (z == 32u) { /* last tries: the next three blocks of the largest class */
        uint32_t y = (uint32_t)__builtin_ctz(map | 0x80000000u);
        uint32_t at = y <= ZHI ? rdw((const byte *)h + (size_t)8u * y) : 0u; /* its first block */
        byte *q = next_fit(h, y, &at, need, align);
        q = q != NULL ? q : next_fit(h, y, &at, need, align);
        q = q != NULL ? q : next_fit(h, y, &at, need, align);
        if (q != NULL) {
            unlink_block(h, q, y, &map);
            return carve(h, q, rdw(q + 8), gap(q, align), need, map);
        }
        return NULL;
    }
    byte *p = ptr_of(h, rdw(sentinel(h, z)));
    uint32_t have = rdw(p + 8);
    uint32_t g = gap(p, align);
    if (!free_ok(h, p, have, g + need, true)) {
        *st = RTM_ERR_CORRUPTED;
        return NULL;
    }
    return grab(h, z, p, have, g, need);
}

__attribute__((noinline)) static rtm_status_t alloc_slow(rtm_heap_t *h, size_t size, size_t align, void **out)
{
    *out = NULL;
    rtm_status_t s = check_request(size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    s = RTM_ERR_NO_MEMORY;
    byte *p = NULL;
    if (size <= RTM_HEAP_MAX_REQUEST && align <= MAX_AREA) {
        uint32_t need = ((uint32_t)size + 11u) & ~7u;
        p = take(h, need < MIN_BLOCK ? MIN_BLOCK : need, (uint32_t)align, &s);
    }
    if (p == NULL) {
        h->failures += s == RTM_ERR_NO_MEMORY ? 1u : 0u;
        return s;
    }
    *out = p;
    return RTM_OK;
}

#ifndef __OPTIMIZE_SIZE__ /* the fast path of rtm_heap_alloc() */
/* No class is sure to fit need bytes: only the first block of need's own
 * class may (if the class has a block at all; else p is its sentinel). */
HOT rtm_status_t alloc_last(rtm_heap_t *h, size_t size, uint32_t need, void **out)
{
    uint32_t z = clz32(need); /* below ZLO for needs beyond every region: no bit there */
    *out = NULL;
    if (((h->map >> z) & 1u) != 0u) {
        byte *p = ptr_of(h, rdw(sentinel(h, z)));
        uint32_t have = rdw(p + 8);
        if (have >= need) {
            if (!free_ok(h, p, have, need, false)) {
                return alloc_slow(h, size, 8u, out); /* another region, or damage */
            }
            *out = grab(h, z, p, have, 0u, need);
            return RTM_OK;
        }
    }
    h->failures++;
    return RTM_ERR_NO_MEMORY;
}
#endif

rtm_status_t rtm_heap_alloc(rtm_heap_t *h, size_t size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!is_heap(h)) {
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
        return alloc_last(h, size, need, out);
    }
    uint32_t z = c - 1u - clz32(m);
    byte *p = ptr_of(h, rdw(sentinel(h, z)));
    uint32_t have = rdw(p + 8);
    if (!free_ok(h, p, have, need, false)) {
        return alloc_slow(h, size, align, out); /* another region, or damage */
    }
    *out = grab(h, z, p, have, 0u, need);
    return RTM_OK;
#endif
}

/* ------------------------------------------------------------------------ */
/* Validation of a pointer handed back by the caller                         */

/* Could plain header pl, at offset off of a region of `span` bytes, give a
 * block size that stays inside the region? */
static bool plausible(uint32_t pl, uint32_t off, uint32_t span)
{
    uint32_t size = size_of(pl);
    return size >= MIN_BLOCK && size <= span - off;
}

/* Why p, at offset off in a region of `span` bytes, is not a live block:
 * freed before (its header is a free one, or was merged away: STALE), a
 * damaged header (its top two bytes still name a size that fits: an overrun
 * of the block before reached its first two bytes), or no block at all.
 * Never RTM_OK. */
__attribute__((noinline)) static rtm_status_t classify(const byte *p, uint32_t off, uint32_t span)
{
    uint32_t stored = rdw(p - 4);
    uint32_t pl = stored ^ key(p);
    if (plausible(pl ^ STALE, off, span) || (stored == free_hdr(p, rdw(p + 8)) && plausible(pl, off, span))) {
        return RTM_ERR_DOUBLE_FREE;
    }
    return size_of(pl & 0xffff0000u) <= span - off ? RTM_ERR_CORRUPTED : RTM_ERR_INVALID_POINTER;
}

struct live {
    rtm_status_t st; /* RTM_OK, or why p is not a live block (other fields unset) */
    uint32_t raw;    /* stored header */
    uint32_t size;   /* block size */
    uint32_t nraw;   /* stored header of the next block */
    uint32_t nsize;  /* size of the free block after, 0 when it is used */
    uint32_t psize;  /* size of the free block before, 0 when it is used */
};

/* Is the free block whose payload is q, claimed to have `size` bytes by a
 * size copy or tag, intact where it will be touched: its header exactly the
 * free form of that size, its size a multiple of 8 from 16 to `room`, its
 * links naming nodes of the heap? */
HOT bool free_intact(const rtm_heap_t *h, const byte *q, uint32_t size, uint32_t room, bool far)
{
    return ror32(size - MIN_BLOCK, 3u) <= (room - MIN_BLOCK) >> 3 && rdw(q - 4) == free_hdr(q, size) &&
           node_ok(h, rdw(q), far) && node_ok(h, rdw(q + 4), far);
}

/*
 * Is p a live block? It must lie in a region at a granule boundary; its
 * header must be a used one with a valid check byte and a size that stays
 * inside the region; the header after it must be intact: a used one with a
 * valid check byte that says its predecessor is used, or a free one that
 * free_intact() accepts; and when the block before is free, its tag must lead
 * to a free block that free_intact() accepts. Everything is checked before
 * the caller changes anything.
 */
HOT struct live validate(const rtm_heap_t *h, const byte *p, bool far)
{
    struct live v = {far ? RTM_ERR_INVALID_POINTER : SLOW, 0u, 0u, 0u, 0u, 0u};
    uint32_t off = offset0(h, p);
    uint32_t span = h->span0;
    if (outside0(h, p, off)) {
        uint64_t w = far ? find_region(h, p) : 0u;
        if (w == 0u) {
            return v;
        }
        off = (uint32_t)w;
        span = (uint32_t)(w >> 32);
    }
    v.raw = rdw(p - 4);
    uint32_t pl = v.raw ^ key(p);
    v.size = size_of(pl);
    uint32_t room = span - off; /* bytes from p's header to the end marker */
    if ((pl & U_BIT) == 0u || !checked(v.raw) || v.size - MIN_BLOCK > room - MIN_BLOCK) {
        v.st = far ? classify(p, off, span) : SLOW;
        if (v.st == RTM_OK) {
            __builtin_unreachable(); /* tells the callers' error test it always holds */
        }
        return v;
    }
    const byte *np = p + v.size;
    v.nraw = rdw(np - 4);
    v.st = far ? RTM_ERR_CORRUPTED : SLOW;
    uint32_t npl = v.nraw ^ key(np);
    if ((npl & U_BIT) != 0u) {
        /* a used header (or the end marker) that says its predecessor is
         * used and ends inside the region; not a stale one (16 MiB and up) */
        if (!checked(v.nraw) || (npl & PU_BIT) == 0u || size_of(npl) > room - v.size) {
            return v; /* an overrun reached the next header */
        }
    } else {
        v.nsize = room - v.size >= MIN_BLOCK ? rdw(np + 8) : 0u;
        if (!free_intact(h, np, v.nsize, room - v.size, far)) {
            return v;
        }
    }
    if ((pl & PU_BIT) == 0u) {
        if (off < MIN_BLOCK) {
            return v; /* the first block of a region has no block before it */
        }
        v.psize = rdw(p - 8);
        if (!free_intact(h, p - v.psize, v.psize, off, far)) {
            return v;
        }
    }
    v.st = RTM_OK;
    return v;
}

/* Free live block p (validate() said so and gave v): merge, list. */
HOT void release(rtm_heap_t *h, byte *p, const struct live *v)
{
    /* Nothing can fail from here; counting first keeps the counters' loads
     * and stores together, ahead of the list stores that might alias them. */
    note_free(h, v->size - 4u);
    uint32_t size = v->size;
    uint32_t map = h->map;
    uint32_t nfree = h->nfree + 1u;
    byte *np = p + size;
    if (v->nsize != 0u) {
        unlink_block(h, np, clz32(v->nsize), &map);
        *word(np - 4) = v->nraw ^ STALE;
        size += v->nsize;
        nfree--;
    } else {
        *word(np - 4) = v->nraw ^ FLIP_PU;
    }
    if (v->psize != 0u) {
        *word(p - 4) = v->raw ^ STALE; /* a second free is still caught */
        p -= v->psize;
        unlink_block(h, p, clz32(v->psize), &map);
        size += v->psize;
        nfree--;
    }
    make_free(h, p, size, &map);
    h->map = map;
    h->nfree = nfree;
}

/* rtm_heap_free() for every case: other regions, and every error answer. */
__attribute__((noinline)) static rtm_status_t free_slow(rtm_heap_t *h, byte *p)
{
    struct live v = validate(h, p, true); /* inline: one frame less on the stack */
    if (v.st == RTM_OK) {
        release(h, p, &v);
    }
    return v.st;
}

rtm_status_t rtm_heap_free(rtm_heap_t *h, void *ptr)
{
    if (!is_heap(h)) {
        return RTM_ERR_INVALID_ARG;
    }
#ifndef __OPTIMIZE_SIZE__
    /* Fast path: a block of region 0 whose neighbours pass every check
     * there; anything else (and every error) in free_slow(). */
    struct live v = validate(h, (byte *)ptr, false);
    if (v.st == RTM_OK) {
        release(h, (byte *)ptr, &v);
        return RTM_OK;
    }
#endif
    return free_slow(h, (byte *)ptr);
}

/* ------------------------------------------------------------------------ */
/* Reallocation                                                              */

/* Resize live block p (validate() said so and gave v) to new_size bytes at
 * align: in place (shrink, or grow into a free block right after it), or by
 * a new block, a copy and a free. */
HOT rtm_status_t resize(rtm_heap_t *h, byte *p, const struct live *v, size_t new_size, size_t align, void **out)
{
    uint32_t have = v->size + v->nsize;
    uint32_t need = ((uint32_t)new_size + 11u) & ~7u;
    if (new_size <= RTM_HEAP_MAX_REQUEST && need <= have && is_aligned((uintptr_t)p, align)) {
        uint32_t map = h->map;
        if (v->nsize != 0u) {
            unlink_block(h, p + v->size, clz32(v->nsize), &map);
            *word(p + v->size - 4u) = v->nraw ^ STALE;
        }
        note_free(h, v->size - 4u);
        settle(h, p, have, need < MIN_BLOCK ? MIN_BLOCK : need, (v->raw ^ key(p)) & PU_BIT, v->nsize == 0u,
               v->nsize != 0u ? 0u - 1u : 0u, map);
        *out = p;
        return RTM_OK;
    }
    void *fresh = NULL;
    rtm_status_t st = rtm_heap_alloc(h, new_size, align, &fresh);
    if (st == RTM_OK && fresh != NULL) {
        copy_bytes(fresh, p, new_size < v->size - 4u ? new_size : v->size - 4u);
        (void)rtm_heap_free(h, p); /* validated: cannot fail */
        *out = fresh;
    }
    return st;
}

/* rtm_heap_realloc() for every case: other regions, and every error answer. */
__attribute__((noinline)) static rtm_status_t realloc_slow(rtm_heap_t *h, byte *p, size_t new_size, size_t align,
                                                           void **out)
{
    struct live v = validate(h, p, true);
    return v.st != RTM_OK ? v.st : resize(h, p, &v, new_size, align, out);
}

rtm_status_t rtm_heap_realloc(rtm_heap_t *h, void *ptr, size_t new_size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (!is_heap(h)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (ptr == NULL) {
        return rtm_heap_alloc(h, new_size, align, out);
    }
    if (new_size == 0u) {
        return rtm_heap_free(h, ptr);
    }
    rtm_status_t st = check_request(new_size, &align, RTM_MIN_ALIGN);
    if (st != RTM_OK) {
        return st;
    }
#ifndef __OPTIMIZE_SIZE__
    /* Fast path: a block of region 0 whose neighbours pass every check there. */
    struct live v = validate(h, (byte *)ptr, false);
    if (v.st == RTM_OK) {
        return resize(h, (byte *)ptr, &v, new_size, align, out);
    }
#endif
    return realloc_slow(h, (byte *)ptr, new_size, align, out);
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

size_t rtm_heap_usable_size(const rtm_heap_t *h, const void *ptr)
{
    if (!is_heap(h)) {
        return 0u;
    }
    struct live v = validate(h, (const byte *)ptr, true);
    return v.st == RTM_OK ? (size_t)v.size - 4u : 0u;
}

void rtm_heap_stats(const rtm_heap_t *h, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (!is_heap(h)) {
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
    uint32_t z = (uint32_t)__builtin_ctz(h->map | 0x80000000u);
    if (z <= ZHI) {
        /* The largest class holding a block: requests up to its smallest size
         * find it by good fit, bigger ones only by its first block. */
        out->largest_free_block = rdw(ptr_of(h, h->cls[z - ZLO].next) + 8) - 4u;
    }
    out->total_allocations = allocs;
    out->total_deallocations = h->frees;
    out->current_allocations = live;
    out->allocation_failures = h->failures;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
}

/* ------------------------------------------------------------------------ */
/* Walk and integrity check                                                  */

/*
 * Visit every block of every region in address order (fn may be NULL) and
 * check what a walk can see: headers in their used or free form, sizes inside
 * the region, PU right, no two free blocks adjacent, size copies and tags of
 * free blocks, the end marker. Counts what it saw.
 */
static rtm_status_t walk(const rtm_heap_t *h, rtm_walk_fn fn, void *ctx, uint32_t *used, uint32_t *live,
                         uint32_t *nfree)
{
    for (uint32_t i = 0; i < RTM_HEAP_MAX_REGIONS; i++) {
        byte *p;
        uint32_t span = region(h, i, &p);
        const byte *end = p + span;
        uint32_t prev_used = PU_BIT; /* what the next header's PU must read */
        while (span != 0u && p < end) {
            uint32_t raw = rdw(p - 4);
            uint32_t pl = raw ^ key(p);
            uint32_t size = size_of(pl);
            uint32_t room = (uint32_t)(end - p);
            bool is_used = (pl & U_BIT) != 0u;
            if (size < MIN_BLOCK || size > room ||
                (is_used ? (pl & PU_BIT) != prev_used || !checked(raw)
                         : prev_used == 0u || raw != free_hdr(p, size) || rdw(p + 8) != size ||
                               rdw(p + size - 8u) != size)) {
                return RTM_ERR_CORRUPTED;
            }
            *used += is_used ? size - 4u : 0u;
            *live += is_used ? 1u : 0u;
            *nfree += is_used ? 0u : 1u;
            if (fn != NULL) {
                rtm_block_info_t b = {p, size - 4u, is_used ? 1u : 0u, 0u};
                rtm_status_t s = fn(ctx, &b);
                if (s != RTM_OK) {
                    return s;
                }
            }
            prev_used = is_used ? PU_BIT : 0u;
            p += size;
        }
        if (span != 0u && (p != end || rdw(end - 4) != used_hdr(end, 0u, U_BIT | prev_used))) {
            return RTM_ERR_CORRUPTED;
        }
    }
    return RTM_OK;
}

rtm_status_t rtm_heap_walk(const rtm_heap_t *h, rtm_walk_fn fn, void *ctx)
{
    if (!is_heap(h) || fn == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t used = 0u;
    uint32_t live = 0u;
    uint32_t nfree = 0u;
    return walk(h, fn, ctx, &used, &live, &nfree);
}

/* Is link l the payload of an intact free block of class z (header, size
 * copy and tag in agreement)? Reads only inside a region. */
static bool list_node_ok(const rtm_heap_t *h, uint32_t l, uint32_t z)
{
    const byte *p = ptr_of(h, l);
    bool inside = !outside0(h, p, offset0(h, p)) || find_region(h, p) != 0u;
    uint32_t size = inside ? rdw(p + 8) : 0u;
    return inside && clz32(size) == z && rdw(p - 4) == free_hdr(p, size) && rdw(p + size - 8u) == size;
}

rtm_status_t rtm_heap_check(const rtm_heap_t *h)
{
    if (!is_heap(h)) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t used = 0u;
    uint32_t live = 0u;
    uint32_t nfree = 0u;
    if (walk(h, NULL, NULL, &used, &live, &nfree) != RTM_OK || used != (uint32_t)h->use_allocs.both ||
        live != (uint32_t)(h->use_allocs.both >> 32) - h->frees || nfree != h->nfree || h->peak < used ||
        (h->map & ~0x0fffff00u) != 0u) {
        return RTM_ERR_CORRUPTED;
    }
    /* Every list, from its sentinel round to it: each node a free block of
     * the list's class whose prev names the node before, the bitmap in
     * agreement; the walks visit exactly the free blocks, so none is missing,
     * listed twice or caught in a cycle (and no walk runs past nfree). */
    for (uint32_t z = ZLO; z <= ZHI; z++) {
        uint32_t s = link_of(h, &h->cls[z - ZLO]);
        uint32_t before = s;
        uint32_t l = h->cls[z - ZLO].next;
        if (((h->map >> z) & 1u) != (l != s ? 1u : 0u)) {
            return RTM_ERR_CORRUPTED;
        }
        for (; l != s; before = l, l = rdw(ptr_of(h, l))) {
            if (nfree-- == 0u || !list_node_ok(h, l, z) || rdw(ptr_of(h, l) + 4) != before) {
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
