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
 *   | payload ...                  | p    | next: link of next in class  | p
 *   |                              |      | pprev: link of the word that | p+4
 *   |                              |      |   points here (head or next) |
 *   |                              |      | ...                          |
 *   |                              |      | boundary tag: size (plain)   | p+size-8
 *   +------------------------------+      +------------------------------+
 *
 *   header, decoded:   31 ...................... 3   2    1    0
 *                     | block size in bytes       | 0 | PU | U  |
 *   U: this block is used. PU: the block before it is used. Bit 2 is 0.
 *   Stored XOR-ed with key(p) = p rotated right by 13 (low 32 bits of p).
 *
 * A link is a 32-bit number: the address itself on 32-bit targets, the offset
 * from the control block on wider ones, so the layout is the same everywhere.
 * Free blocks of size class z = clz32(size) (2..27) form a list from slot[z];
 * slot[0] is the bitmap of non-empty classes, slot[1] the free block count.
 * pprev points at the word that points to the block (a slot or the previous
 * block's next), so unlinking needs no class lookup.
 */
#include "rtm_internal.h"
#include "rtmem/heap.h"

#define F_USED 1u
#define F_PREV 2u
#define F_MARK 4u
#define MIN_BLOCK 16u
#define MAX_AREA 0x40000000u /* block bytes per region; larger regions are cut */
#define NSLOT 28u            /* slots 2..27 are the class heads */
#define S_MAP 0u
#define S_NFREE 1u

typedef unsigned char byte;

#if SIZE_MAX > 0xffffffffu
#define TOO_BIG(size) ((size) > 0x7fffffffu)
/* p is more than 4 GiB from h: the 32-bit offset test alone cannot tell. */
#define FAR(h, p) ((((uintptr_t)(p) - (uintptr_t)(h)) >> 32) != 0u)
#else
#define TOO_BIG(size) false /* covered by the sign test on size + 3 */
#define FAR(h, p) false
#endif

struct region {
    uint32_t lo;    /* link of the first payload */
    uint32_t spanr; /* (span - 16) / 8: largest payload offset from lo, in granules */
    uint32_t span;  /* bytes from the first header to the end marker */
};

struct rtm_heap {
    uint32_t slot[NSLOT]; /* bitmap, free count, class heads */
    uint32_t spanr0;      /* region 0: its first payload is at h + LOP */
    uint32_t span0;
    uint32_t allocs;      /* successful allocations (wraps) */
    uint32_t in_use;      /* usable bytes of live blocks */
    uint32_t frees;       /* successful deallocations (wraps) */
    uint32_t peak;
    uint64_t bytes_freed;
    uint32_t failures;
    uint32_t total; /* bytes of all blocks of all regions */
    uint32_t nregions;
    struct region extra[RTM_HEAP_MAX_REGIONS - 1u];
};

/* Region 0's first header follows the control block at 4 mod 8. */
#define LO0 ((uint32_t)(((sizeof(struct rtm_heap) + 4u + 7u) & ~(size_t)7u) - 4u))
#define LOP (LO0 + 4u)

RTM_STATIC_ASSERT(sizeof(struct rtm_heap) == 192u, heap_control_size);
RTM_STATIC_ASSERT(LO0 == RTM_HEAP_CONTROL_SIZE, heap_control_size_public);
RTM_STATIC_ASSERT(RTM_HEAP_MIN_ARENA == RTM_HEAP_CONTROL_SIZE + MIN_BLOCK + 4u, heap_min_arena);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, slot) == 0u, heap_slots_first);
RTM_STATIC_ASSERT(offsetof(struct rtm_heap, bytes_freed) % 8u == 0u, heap_u64_aligned);

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
    return ror32((uint32_t)(uintptr_t)p, 13u);
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

#if UINTPTR_MAX > 0xffffffffu
#define BASE(h) ((uintptr_t)(h))
#else
#define BASE(h) ((uintptr_t)0u)
#endif

static inline byte *ptr_of(const rtm_heap_t *h, uint32_t l)
{
    (void)h;
    return (byte *)(BASE(h) + (uintptr_t)(intptr_t)(int32_t)l);
}

static inline uint32_t link_of(const rtm_heap_t *h, const void *p)
{
    (void)h;
    return (uint32_t)((uintptr_t)p - BASE(h));
}

static inline uint32_t clz32(uint32_t x)
{
    return (uint32_t)__builtin_clz(x);
}

static inline void unlink_block(rtm_heap_t *h, byte *p, uint32_t *map)
{
    uint32_t nx = rdw(p);
    uint32_t pv = rdw(p + 4);
    *word(ptr_of(h, pv)) = nx;
    if (nx != 0u) {
        *word(ptr_of(h, nx) + 4) = pv;
    } else {
        uint32_t j = (pv - link_of(h, h)) >> 2; /* a slot when < NSLOT */
        if (j < NSLOT) {
            *map &= ~(1u << j);
        }
    }
}

static inline void link_block(rtm_heap_t *h, byte *p, uint32_t size, uint32_t *map)
{
    uint32_t z = clz32(size);
    uint32_t old = h->slot[z];
    uint32_t pl = link_of(h, p);
    h->slot[z] = pl;
    *word(p) = old;
    *word(p + 4) = link_of(h, &h->slot[z]);
    if (old != 0u) {
        *word(ptr_of(h, old) + 4) = pl;
    } else {
        *map |= 1u << z;
    }
}

/* The boundary tag of the free block that ends where payload p's header
 * starts: its size. */
static inline uint32_t tag_before(const byte *p)
{
    return rdw(p - 8);
}

/* Make the block at payload p of size bytes free (its predecessor is used). */
static inline void make_free(rtm_heap_t *h, byte *p, uint32_t size, uint32_t *map)
{
    set_hdr(p, size | F_PREV);
    *word(p + size - 8u) = size;
    link_block(h, p, size, map);
}

/* ------------------------------------------------------------------------ */
/* Regions                                                                   */

/*
 * Locate payload pointer p: on success *t is its offset from the region's
 * first payload in 8-byte granules and *span the region's span. A pointer is
 * accepted when t = ror(offset, 3) <= spanr: misaligned offsets rotate into
 * the high bits and fail the same compare.
 */
static bool find_region(const rtm_heap_t *h, const byte *p, uint32_t *t, uint32_t *span)
{
    for (uint32_t i = 0; i < h->nregions; i++) {
        uintptr_t lo = i == 0u ? (uintptr_t)h + LOP : (uintptr_t)ptr_of(h, h->extra[i - 1u].lo);
        uint32_t spanr = i == 0u ? h->spanr0 : h->extra[i - 1u].spanr;
        uintptr_t d = (uintptr_t)p - lo;
        uint32_t r = ror32((uint32_t)d, 3u);
        if (r <= spanr && (d >> 31 >> 1) == 0u) {
            *t = r;
            *span = i == 0u ? h->span0 : h->extra[i - 1u].span;
            return true;
        }
    }
    return false;
}

/* Lay out a region: one free block of area bytes at payload p, then the end
 * marker (a used block header of size 0). */
static void format_region(rtm_heap_t *h, byte *p, uint32_t area)
{
    uint32_t map = h->slot[S_MAP];
    set_hdr(p + area, F_USED);
    make_free(h, p, area, &map);
    h->slot[S_MAP] = map;
    h->slot[S_NFREE]++;
    h->total += area;
}

/* Payload of the first block of [mem, mem + size) and its usable span (bytes
 * of blocks, a multiple of 8, room left for the end marker); 0 if < 16. */
static uint32_t carve(uintptr_t mem, size_t size, byte **first)
{
    uintptr_t p = (mem + 11u) & ~(uintptr_t)7u; /* first 8-aligned payload with its header inside */
    size_t skip = (size_t)(p - mem);            /* alignment + first header */
    if (size < skip + MIN_BLOCK) {
        return 0u;
    }
    size_t area = (size - skip) & ~(size_t)7u; /* minus first header, plus end marker: same 4 bytes */
    *first = (byte *)p;
    return area > MAX_AREA ? MAX_AREA : (uint32_t)area;
}

/* True when [a, a + n) is within the reach of 32-bit signed links from h. */
static bool reachable(const rtm_heap_t *h, uintptr_t a, size_t n)
{
#if UINTPTR_MAX > 0xffffffffu
    uintptr_t base = (uintptr_t)h;
    uintptr_t lo = a < base ? base - a : a - base;
    uintptr_t hi = a + n < base ? base - (a + n) : (a + n) - base;
    return lo < 0x7fff0000u && hi < 0x7fff0000u;
#else
    (void)h;
    (void)a;
    (void)n;
    return true;
#endif
}

static void set_region(uint32_t *spanr, uint32_t *span, uint32_t area)
{
    *span = area;
    *spanr = (area - MIN_BLOCK) >> 3;
}

rtm_status_t rtm_heap_init(void *mem, size_t size, rtm_heap_t **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    uintptr_t a = ((uintptr_t)mem + 7u) & ~(uintptr_t)7u;
    size_t skip = (size_t)(a - (uintptr_t)mem);
    if (mem == NULL || size < skip + RTM_HEAP_MIN_ARENA) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_heap_t *h = (rtm_heap_t *)a;
    byte *p = NULL;
    uint32_t area = carve(a + LO0, size - skip - LO0, &p);
    if (!reachable(h, a, size)) {
        return RTM_ERR_UNSUPPORTED;
    }
    fill_bytes(h, 0u, sizeof *h);
    set_region(&h->spanr0, &h->span0, area);
    h->nregions = 1u;
    format_region(h, p, area);
    *out = h;
    return RTM_OK;
}

rtm_status_t rtm_heap_add_region(rtm_heap_t *h, void *mem, size_t size)
{
    byte *p = NULL;
    uint32_t area = carve((uintptr_t)mem, size, &p);
    if (h == NULL || mem == NULL || area == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t a = (uintptr_t)mem;
    uintptr_t e = (uintptr_t)p + area; /* end of the end marker */
    for (uint32_t i = 0; i < h->nregions; i++) {
        /* Region i with its control block (region 0) and end marker. */
        uintptr_t lo = i == 0u ? (uintptr_t)h : (uintptr_t)ptr_of(h, h->extra[i - 1u].lo) - 4u;
        uintptr_t hi = i == 0u ? (uintptr_t)h + LO0 + h->span0 + 4u
                               : lo + h->extra[i - 1u].span + 4u;
        if (a < hi && lo < e) {
            return RTM_ERR_OVERLAP;
        }
    }
    if (h->nregions >= RTM_HEAP_MAX_REGIONS) {
        return RTM_ERR_NO_MEMORY;
    }
    if (!reachable(h, a, size)) {
        return RTM_ERR_UNSUPPORTED;
    }
    struct region *r = &h->extra[h->nregions - 1u];
    r->lo = link_of(h, p);
    set_region(&r->spanr, &r->span, area);
    h->nregions++;
    format_region(h, p, area);
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

/* Both counters read before either is written: one paired load and store. */
static inline void note_alloc(rtm_heap_t *h, uint32_t usable)
{
    uint32_t n = h->allocs;
    uint32_t u = h->in_use + usable;
    h->allocs = n + 1u;
    h->in_use = u;
    if (u > h->peak) {
        h->peak = u;
    }
}

static inline void note_free(rtm_heap_t *h, uint32_t usable)
{
    uint32_t u = h->in_use;
    uint32_t n = h->frees;
    uint64_t b = h->bytes_freed;
    h->in_use = u - usable;
    h->frees = n + 1u;
    h->bytes_freed = b + usable;
}

/* Bytes between the 8-aligned payload after p and the first payload aligned
 * to align whose leading gap is 0 or a whole free block (>= 16). */
static uint32_t gap_for(const byte *p, uint32_t align)
{
    uint32_t g = (uint32_t)(0u - (uintptr_t)p) & (align - 1u);
    return g == 8u ? g + align : g;
}

/*
 * The general allocation: need block bytes, payload aligned to align (a power
 * of two >= 8). Good fit over the classes whose every block holds need plus
 * the worst alignment gap; failing that, the first block of need's own class.
 */
static byte *take(rtm_heap_t *h, uint32_t need, uint32_t align)
{
    uint32_t want = align > 8u ? need + align + 8u : need;
    uint32_t map = h->slot[S_MAP];
    uint32_t c = clz32(want - 1u);
    uint32_t m = c == 0u ? 0u : map << (32u - c);
    uint32_t z = m != 0u ? c - 1u - clz32(m) : 0u;
    if (m == 0u) {
        z = clz32(need);
        if ((map & (1u << z)) == 0u) {
            return NULL;
        }
    }
    byte *p = ptr_of(h, h->slot[z]);
    uint32_t bsize = hdr(p) & ~7u;
    uint32_t g = align > 8u ? gap_for(p, align) : 0u;
    if (bsize < g + need) {
        return NULL;
    }
    unlink_block(h, p, &map);
    uint32_t nfree = h->slot[S_NFREE] - 1u;
    uint32_t prev = F_PREV;
    if (g != 0u) {
        make_free(h, p, g, &map);
        nfree++;
        p += g;
        bsize -= g;
        prev = 0u;
    }
    uint32_t rest = bsize - need;
    if (rest >= MIN_BLOCK) {
        make_free(h, p + need, rest, &map);
        nfree++;
    } else {
        need = bsize;
        *word(p + bsize - 4u) ^= F_PREV;
    }
    h->slot[S_MAP] = map;
    h->slot[S_NFREE] = nfree;
    set_hdr(p, need | F_USED | prev);
    note_alloc(h, need - 4u);
    return p;
}

static rtm_status_t alloc_slow(rtm_heap_t *h, size_t size, size_t align, void **out)
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

rtm_status_t rtm_heap_alloc(rtm_heap_t *h, size_t size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (h == NULL) {
        *out = NULL;
        return RTM_ERR_INVALID_ARG;
    }
    /* Fast path: 5 <= size < 2 GiB - 3 and align 0 or 8; the rest in take(). */
    uint32_t x = (uint32_t)size + 3u;
    if ((int32_t)x <= 7 || TOO_BIG(size) || (align & ~(size_t)8u) != 0u) {
        return alloc_slow(h, size, align, out);
    }
    uint32_t need = ((uint32_t)size + 11u) & ~7u;
    /* Good fit: class z holds blocks of 2^(31 - z) bytes or more, so every
     * block of the classes z < clz(need - 1) fits; need - 1 and size + 3 have
     * the same clz because class bounds are multiples of 8. */
    uint32_t c = clz32(x); /* >= 1 here */
    uint32_t map = h->slot[S_MAP];
    uint32_t m = map << (32u - c);
    if (m == 0u) {
        return alloc_slow(h, size, align, out);
    }
    uint32_t z = c - 1u - clz32(m);
    byte *p = ptr_of(h, h->slot[z]);
    uint32_t bsize = hdr(p) & ~7u;
    uint32_t nx = rdw(p);
    h->slot[z] = nx;
    if (nx != 0u) {
        *word(ptr_of(h, nx) + 4) = link_of(h, &h->slot[z]);
    } else {
        map &= ~(1u << z);
    }
    uint32_t rest = bsize - need;
    if (rest < MIN_BLOCK) {
        need = bsize; /* too little left for a block: take it whole */
    }
    note_alloc(h, need - 4u);
    set_hdr(p, need | F_USED | F_PREV);
    *out = p;
    if (rest >= MIN_BLOCK) {
        make_free(h, p + need, rest, &map);
    } else {
        *word(p + need - 4u) ^= F_PREV;
        h->slot[S_NFREE]--;
    }
    h->slot[S_MAP] = map;
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* Validation of a pointer handed back by the caller                         */

/*
 * Where payload pointer p lies, for regions other than region 0 (whose check
 * is inlined): (span << 32) | t, t = offset from the region's first payload
 * in granules; 0 when p is in no region or misaligned (span is never 0).
 */
static uint64_t locate_far(const rtm_heap_t *h, const byte *p)
{
    uint32_t t;
    uint32_t span;
    return find_region(h, p, &t, &span) ? (uint64_t)span << 32 | t : 0u;
}

/* Why p is not a live block: foreign, interior, or already free. */
static rtm_status_t classify(const rtm_heap_t *h, const byte *p)
{
    uint32_t t;
    uint32_t span;
    if (!find_region(h, p, &t, &span)) {
        return RTM_ERR_INVALID_POINTER;
    }
    uint32_t pl = hdr(p);
    uint32_t size = pl & ~7u;
    if (size < MIN_BLOCK || size > span - (t << 3) || (pl & F_MARK) != 0u) {
        return RTM_ERR_INVALID_POINTER;
    }
    return (pl & F_USED) == 0u ? RTM_ERR_DOUBLE_FREE : RTM_ERR_CORRUPTED;
}

struct live {
    uint32_t raw;  /* stored header */
    uint32_t hdr;  /* decoded header */
    uint32_t nraw; /* stored header of the next block */
    uint32_t nhdr; /* ... decoded */
    uint32_t t;    /* offset of p from its region's first payload, in granules */
};

/*
 * Is p a live block? It must lie in a region at a granule boundary, its header
 * must say used with a size that stays inside the region, and the next header
 * must say its predecessor is used, with a size that stays inside the region
 * too. Bit 2 (always 0) is only checked by classify() and rtm_heap_check().
 */
static inline rtm_status_t validate(const rtm_heap_t *h, const byte *p, struct live *v)
{
    uint32_t t = ror32((uint32_t)((uintptr_t)p - (uintptr_t)h) - LOP, 3u);
    uint32_t spanr = h->spanr0;
    uint32_t span = h->span0;
    if (t > spanr || FAR(h, p)) {
        uint64_t w = locate_far(h, p);
        if (w == 0u) {
            return RTM_ERR_INVALID_POINTER;
        }
        t = (uint32_t)w;
        span = (uint32_t)(w >> 32);
    }
    uint32_t raw = rdw(p - 4);
    uint32_t pl = raw ^ key(p);
    uint32_t size = pl & ~7u;
    uint32_t room = span - (t << 3); /* bytes from p's header to the end marker */
    if ((pl & F_USED) == 0u || size - MIN_BLOCK > room - MIN_BLOCK) {
        return classify(h, p);
    }
    const byte *np = p + size;
    uint32_t nraw = rdw(np - 4);
    uint32_t npl = nraw ^ key(np);
    if ((npl & F_PREV) == 0u || (npl & ~7u) > room - size) {
        return RTM_ERR_CORRUPTED;
    }
    v->raw = raw;
    v->hdr = pl;
    v->nraw = nraw;
    v->nhdr = npl;
    v->t = t;
    return RTM_OK;
}

rtm_status_t rtm_heap_free(rtm_heap_t *h, void *ptr)
{
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    byte *p = (byte *)ptr;
    /* Region 0 inline, others out of line; t = offset in granules. */
    uint32_t t = ror32((uint32_t)((uintptr_t)p - (uintptr_t)h) - LOP, 3u);
    uint32_t span = h->span0;
    if (t > h->spanr0 || FAR(h, p)) {
        uint64_t w = locate_far(h, p);
        if (w == 0u) {
            return RTM_ERR_INVALID_POINTER;
        }
        t = (uint32_t)w;
        span = (uint32_t)(w >> 32);
    }
    uint32_t k = key(p);
    uint32_t raw = rdw(p - 4);
    uint32_t pl = raw ^ k;
    uint32_t size = pl & ~7u;
    uint32_t room = span - (t << 3); /* bytes from p's header to the end marker */
    if ((pl & F_USED) == 0u || size - MIN_BLOCK > room - MIN_BLOCK) {
        return classify(h, p);
    }
    byte *np = p + size;
    uint32_t nraw = rdw(np - 4);
    uint32_t npl = nraw ^ key(np);
    uint32_t nsize = npl & ~7u;
    if ((npl & F_PREV) == 0u || nsize > room - size) {
        return RTM_ERR_CORRUPTED; /* an overrun reached the next header */
    }
    uint32_t psize = 0u;
    if ((pl & F_PREV) == 0u) {
        /* The block before is free: its tag must stay in the region and lead
         * to a free header of exactly that size. */
        psize = tag_before(p) & ~7u;
        if (psize < MIN_BLOCK || psize > (t << 3) || hdr(p - psize) != (psize | F_PREV)) {
            return RTM_ERR_CORRUPTED;
        }
    }
    /* Checked: now merge. */
    uint32_t map = h->slot[S_MAP];
    uint32_t nfree = h->slot[S_NFREE] + 1u;
    uint32_t usable = size - 4u;
    if ((npl & F_USED) == 0u) {
        unlink_block(h, np, &map);
        size += nsize;
        nfree--;
    } else {
        *word(np - 4) = nraw ^ F_PREV;
    }
    if (psize != 0u) {
        *word(p - 4) = raw ^ F_USED; /* the stale header reads "free": a second free is caught */
        p -= psize;
        unlink_block(h, p, &map);
        size += psize;
        nfree--;
    }
    make_free(h, p, size, &map);
    h->slot[S_MAP] = map;
    h->slot[S_NFREE] = nfree;
    note_free(h, usable);
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
    rtm_status_t st = check_request(new_size, &align, RTM_MIN_ALIGN);
    byte *p = (byte *)ptr;
    struct live v = {0u, 0u, 0u, 0u, 0u};
    if (st == RTM_OK) {
        st = validate(h, p, &v);
    }
    if (st != RTM_OK) {
        return st;
    }
    uint32_t size = v.hdr & ~7u;
    uint32_t nsize = (v.nhdr & F_USED) == 0u ? v.nhdr & ~7u : 0u; /* a free block after it */
    if (new_size <= RTM_HEAP_MAX_REQUEST && ((uintptr_t)p & (align - 1u)) == 0u) {
        uint32_t need = ((uint32_t)new_size + 11u) & ~7u;
        need = need < MIN_BLOCK ? MIN_BLOCK : need;
        uint32_t avail = size + nsize;
        if (need <= avail) {
            uint32_t map = h->slot[S_MAP];
            uint32_t nfree = h->slot[S_NFREE];
            byte *np = p + size;
            uint32_t rest = avail - need;
            if (nsize != 0u) {
                unlink_block(h, np, &map);
                nfree--;
            }
            if (rest >= MIN_BLOCK) {
                if (nsize == 0u) {
                    *word(np - 4) = v.nraw ^ F_PREV; /* the tail split off is free */
                }
                make_free(h, p + need, rest, &map);
                nfree++;
            } else {
                if (nsize != 0u) {
                    *word(p + avail - 4u) ^= F_PREV;
                }
                need = avail;
            }
            h->slot[S_MAP] = map;
            h->slot[S_NFREE] = nfree;
            set_hdr(p, need | (v.hdr & F_PREV) | F_USED);
            note_free(h, size - 4u);
            note_alloc(h, need - 4u);
            *out = p;
            return RTM_OK;
        }
    }
    void *fresh = NULL;
    st = rtm_heap_alloc(h, new_size, align, &fresh);
    if (st == RTM_OK) {
        copy_bytes(fresh, p, new_size < size - 4u ? new_size : size - 4u);
        (void)rtm_heap_free(h, p); /* validated above: cannot fail */
        *out = fresh;
    }
    return st;
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

size_t rtm_heap_usable_size(const rtm_heap_t *h, const void *ptr)
{
    struct live v = {0u, 0u, 0u, 0u, 0u};
    if (h == NULL || validate(h, (const byte *)ptr, &v) != RTM_OK) {
        return 0u;
    }
    return (size_t)(v.hdr & ~7u) - 4u;
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
    uint32_t live = h->allocs - h->frees;
    uint32_t map = h->slot[S_MAP];
    out->bytes_allocated = h->bytes_freed + h->in_use;
    out->bytes_deallocated = h->bytes_freed;
    out->bytes_in_use = h->in_use;
    out->peak_memory_usage = h->peak;
    out->free_bytes = h->total - h->in_use - 4u * (live + h->slot[S_NFREE]);
    if (map != 0u) {
        /* The largest class holding a block: requests up to its smallest size
         * find it by good fit, bigger ones only by its first block. */
        out->largest_free_block = (hdr(ptr_of(h, h->slot[__builtin_ctz(map)])) & ~7u) - 4u;
    }
    out->capacity = h->total - 4u * h->nregions;
    out->total_allocations = h->allocs;
    out->total_deallocations = h->frees;
    out->current_allocations = live;
    out->allocation_failures = h->failures;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
}

/* ------------------------------------------------------------------------ */
/* Integrity check                                                           */

/* Payload at link l if it is a plausible block start inside a region. */
static const byte *block_at(const rtm_heap_t *h, uint32_t l)
{
    uint32_t t;
    uint32_t span;
    const byte *p = ptr_of(h, l);
    return find_region(h, p, &t, &span) ? p : NULL;
}

/* Walk one region block by block; tally used bytes, live and free blocks. */
static bool check_region(const rtm_heap_t *h, byte *p, uint32_t span, uint32_t *tally)
{
    const byte *end = p + span;
    bool prev_used = true;
    while (p < end) {
        uint32_t pl = hdr(p);
        uint32_t size = pl & ~7u;
        if ((pl & F_MARK) != 0u || size < MIN_BLOCK || size > (uint32_t)(end - p) ||
            ((pl & F_PREV) != 0u) != prev_used) {
            return false;
        }
        prev_used = (pl & F_USED) != 0u;
        if (prev_used) {
            tally[0] += size - 4u;
            tally[1]++;
        } else {
            /* Free: coalesced, tagged, linked both ways where it belongs. */
            uint32_t pv = rdw(p + 4);
            uint32_t nx = rdw(p);
            uint32_t j = (pv - link_of(h, h)) >> 2;
            const byte *before = j < NSLOT ? (const byte *)&h->slot[j] : block_at(h, pv);
            const byte *after = nx != 0u ? block_at(h, nx) : (const byte *)h;
            if ((pl & F_PREV) == 0u || tag_before(p + size) != size || before == NULL || after == NULL ||
                (j < NSLOT && j != clz32(size)) || rdw(before) != link_of(h, p) ||
                (nx != 0u && rdw(after + 4) != link_of(h, p))) {
                return false;
            }
            tally[2]++;
        }
        p += size;
    }
    uint32_t marker = hdr(end);
    return p == end && (marker & ~(uint32_t)F_PREV) == F_USED && ((marker & F_PREV) != 0u) == prev_used;
}

rtm_status_t rtm_heap_check(const rtm_heap_t *h)
{
    if (h == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t tally[3] = {0u, 0u, 0u}; /* usable bytes in use, live blocks, free blocks */
    bool ok = h->nregions != 0u && h->nregions <= RTM_HEAP_MAX_REGIONS;
    for (uint32_t i = 0; ok && i < h->nregions; i++) {
        byte *p = i == 0u ? (byte *)(uintptr_t)h + LOP : ptr_of(h, h->extra[i - 1u].lo);
        ok = check_region(h, p, i == 0u ? h->span0 : h->extra[i - 1u].span, tally);
    }
    ok = ok && tally[0] == h->in_use && tally[1] == h->allocs - h->frees &&
         tally[2] == h->slot[S_NFREE] && h->peak >= h->in_use && (h->slot[S_MAP] & 0xf0000003u) == 0u;
    /* Each list holds free blocks of its class only; the walks are bounded by
     * the number of free blocks found above, so a cycle cannot hang them. */
    uint32_t seen = 0u;
    for (uint32_t z = 2u; ok && z < NSLOT; z++) {
        ok = ((h->slot[S_MAP] >> z) & 1u) == (h->slot[z] != 0u);
        for (uint32_t l = h->slot[z]; ok && l != 0u; l = rdw(ptr_of(h, l))) {
            const byte *p = block_at(h, l);
            ok = p != NULL && ++seen <= tally[2] && (hdr(p) & (F_USED | F_MARK)) == 0u &&
                 clz32(hdr(p) & ~7u) == z;
        }
    }
    return ok && seen == tally[2] ? RTM_OK : RTM_ERR_CORRUPTED;
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
