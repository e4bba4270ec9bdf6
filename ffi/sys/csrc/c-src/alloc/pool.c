/*
 * Fixed-size block pool (layer 3): O(1) alloc and free, O(1) double-free and
 * foreign/interior-pointer detection, no block-count cap. See rtmem/pool.h.
 *
 * Block numbers. Blocks are numbered 1..count (not 0..count-1) so that 0 can
 * mean "none" in the free list and the empty-list test is a compare with zero.
 * `origin` is the address of the imaginary block 0 (first block - stride), so
 *     address(n) = origin + n * stride            (one multiply-add)
 * and bit n of the bitmap belongs to block n (bit 0 is never used).
 *
 * Pointer -> block number in O(1) without a division. Write the stride as
 * stride = 2^shift * odd. With inv the inverse of `odd` modulo 2^W (W = bits in
 * a pointer) and x = ptr - origin (mod 2^W):
 *     n = rotate_right(x * inv, shift)              (mod 2^W)
 * If x is a multiple of stride, x * inv = 2^shift * (x / stride) and the rotate
 * yields exactly x / stride. If x is not a multiple of 2^shift, x * inv keeps its
 * nonzero low bits (inv is odd) and the rotate moves them to the top, so
 * n >= 2^(W - shift) > count. If x is a multiple of 2^shift but not of odd, then
 * n > (2^(W - shift) - 1) / odd >= count (multiplication by the inverse maps the
 * multiples of odd, and only them, onto 0 .. (2^(W-shift) - 1) / odd; see
 * Granlund & Montgomery 1994, or Hacker's Delight 10-17). Pointers below the
 * area wrap to huge x and are caught the same way. Hence
 *     ptr is the start of a block  <=>  1 <= n <= count
 * One multiply, one rotate, one subtract and one compare: the stride needs not
 * be a power of two (it is then just a multiply by 1).
 *
 * Lazy carving. Blocks 1..touched have been handed out at least once; blocks
 * above `touched` are carved in address order when the free list is empty, so
 * init only clears the bitmap. Whenever `touched` grows the free list is empty,
 * i.e. every touched block is in use: so `touched` is exactly the peak number of
 * blocks in use, for free.
 *
 * Cheap checks on alloc too. The block popped from the free list must have its
 * bit clear and a link <= count: a write into a freed block can otherwise make
 * the pool hand one block out twice, or follow a wild link and set a bit far
 * outside the bitmap. Five instructions on Cortex-M4; corruption is answered
 * with RTM_ERR_CORRUPTED and nothing is changed.
 *
 * RTM_DEVIATION from the seed's FixedSizePool: the reported block size is the
 * usable size (rounded up to the block alignment), blocks are at least a pointer
 * wide, and the allocation counters are 64-bit inside (so "in use" is their
 * exact difference) while the public stats show them wrapped to 32 bits as the
 * seed's u32 fields.
 */
#include "rtmem/pool.h"

#include "rtm_internal.h"

#define POOL_MAGIC 0x504f4f4cu /* "POOL" */
#define WORD_BITS 32u
#define PTR_BITS ((uint32_t)(sizeof(uintptr_t) * 8u))

/*
 * Field order is for the hot path on 32-bit targets: pairs a call reads together
 * sit in adjacent words so that gcc loads each pair with one ldrd (alloc reads
 * {allocs_lo, head} and {stride, origin}; free reads {origin, inv}, {shift,
 * count} and {head, frees_lo}).
 *
 * Counters. A successful call adds one to a 32-bit low word and, only when that
 * wraps to zero, one to its high word (allocs_hi, frees_hi) out of the way: a
 * 64-bit count for one add and a branch that is never taken, where a 64-bit
 * add would load, add and store both halves on every call.
 */
struct rtm_pool {
    uint32_t allocs_lo; /* successful allocations, low word (high word: allocs_hi) */
    size_t head;        /* number of the first free block on the list; 0: list empty */
    uint32_t frees_lo;  /* successful deallocations, low word (high word: frees_hi) */
    size_t stride;      /* distance between blocks = usable size of a block */
    uintptr_t origin;   /* address of block number 0 = first block - stride */
    uintptr_t inv;      /* inverse of (stride >> shift) modulo 2^W */
    uint32_t shift;     /* trailing zero bits of stride */
    size_t count;       /* blocks in the pool */
    size_t touched;     /* blocks 1..touched were carved; also the peak in use */
    uint32_t allocs_hi;
    uint32_t frees_hi;
    uint32_t failures;
    uint32_t magic;
    size_t align;       /* guaranteed alignment of every block */
    size_t words;       /* bitmap words: count / 32 + 1 (bits 0..count) */
    uint32_t bitmap[];  /* bit n set: block n in use */
};

/* The free-list link is a size_t in the first word of a free block. */
RTM_STATIC_ASSERT(sizeof(size_t) == sizeof(uintptr_t), size_t_is_pointer_sized);
RTM_STATIC_ASSERT(sizeof(size_t) == sizeof(void *), link_fits_min_block);
RTM_STATIC_ASSERT(sizeof(struct rtm_pool) % sizeof(uint32_t) == 0u, bitmap_aligned);
RTM_STATIC_ASSERT(RTM_POOL_MEM_ALIGN % sizeof(size_t) == 0u, mem_align_covers_fields);

static inline uintptr_t rotr(uintptr_t x, uint32_t s)
{
    return (x >> s) | (x << ((PTR_BITS - s) & (PTR_BITS - 1u)));
}

/* Block number of ptr; in 1..count iff ptr is the start of a block (file comment). */
static inline size_t number_of(const rtm_pool_t *p, const void *ptr)
{
    return (size_t)rotr(((uintptr_t)ptr - p->origin) * p->inv, p->shift);
}

static inline size_t *link_of(const rtm_pool_t *p, size_t n)
{
    return (size_t *)(p->origin + (uintptr_t)n * p->stride);
}

static inline uint64_t allocs_of(const rtm_pool_t *p)
{
    return (uint64_t)p->allocs_hi << 32 | p->allocs_lo;
}

static inline uint64_t frees_of(const rtm_pool_t *p)
{
    return (uint64_t)p->frees_hi << 32 | p->frees_lo;
}

static inline size_t in_use(const rtm_pool_t *p)
{
    return (size_t)(allocs_of(p) - frees_of(p));
}

/* Store `old` + 1 into a counter's low word, carrying into its high word (the
 * file comment on the counters). The hot paths load `old` before their first
 * store; the others pass the current low word. */
static inline void count_one(uint32_t *lo, uint32_t *hi, uint32_t old)
{
    uint32_t v = old + 1u;
    *lo = v;
    if (v == 0u) {
        (*hi)++;
    }
}

/* ------------------------------------------------------------------------ */
/* Initialisation                                                            */
/* ------------------------------------------------------------------------ */

static size_t bitmap_words(size_t n)
{
    return n / WORD_BITS + 1u;
}

/* Address of block 1 when the pool holds n blocks, or 0 when n blocks do not fit
 * in [base, end). */
static uintptr_t first_block_if_fits(uintptr_t base, uintptr_t end, size_t n, size_t stride, size_t align)
{
    size_t meta = sizeof(struct rtm_pool) + bitmap_words(n) * sizeof(uint32_t);
    if (meta > end - base) {
        return 0u;
    }
    uintptr_t first = align_up_ptr(base + meta, align);
    if (first < base + meta || first > end || n > (end - first) / stride) {
        return 0u;
    }
    return first;
}

rtm_status_t rtm_pool_init(void *mem, size_t size, size_t block_size, size_t block_align, rtm_pool_t **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (mem == NULL || block_size == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    if (block_align == 0u) {
        block_align = RTM_MIN_ALIGN;
    } else if (!is_pow2(block_align)) {
        return RTM_ERR_ALIGNMENT;
    }
    if (block_align < sizeof(size_t)) {
        block_align = sizeof(size_t);
    }
    uintptr_t base = (uintptr_t)mem;
    if (!is_aligned(base, RTM_POOL_MEM_ALIGN)) {
        return RTM_ERR_ALIGNMENT;
    }
    if (size > UINTPTR_MAX - base) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t stride;
    if (!align_up_checked(block_size < sizeof(size_t) ? sizeof(size_t) : block_size, block_align, &stride)) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t end = base + size;
    if (size <= sizeof(struct rtm_pool)) {
        return RTM_ERR_NO_MEMORY;
    }

    /* The most blocks that fit: the bitmap grows with the count, so search
     * between 0 (always "fits") and the count ignoring the bitmap. O(log n). */
    size_t lo = 0u;
    size_t hi = (size - sizeof(struct rtm_pool)) / stride;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1u) / 2u;
        if (first_block_if_fits(base, end, mid, stride, block_align) != 0u) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    if (lo == 0u) {
        return RTM_ERR_NO_MEMORY;
    }
    uintptr_t first = first_block_if_fits(base, end, lo, stride, block_align);

    rtm_pool_t *p = (rtm_pool_t *)mem;
    fill_bytes(p, 0u, sizeof *p);
    p->count = lo;
    p->stride = stride;
    p->align = block_align;
    p->origin = first - stride;
    p->shift = 0u;
    while (((stride >> p->shift) & 1u) == 0u) {
        p->shift++;
    }
    /* Newton's iteration for the inverse modulo 2^W: an odd d is its own
     * inverse modulo 8 (3 bits); each step doubles the correct bits (3, 6, 12,
     * 24, 48, 96 >= 64). */
    uintptr_t odd = (uintptr_t)(stride >> p->shift);
    uintptr_t inv = odd;
    for (int i = 0; i < 5; i++) {
        inv *= (uintptr_t)2u - odd * inv;
    }
    p->inv = inv;
    p->words = bitmap_words(lo);
    fill_bytes(p->bitmap, 0u, p->words * sizeof(uint32_t));
    p->magic = POOL_MAGIC;
    *out = p;
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* The hot path                                                              */
/* ------------------------------------------------------------------------ */

/* Carve a never-used block, or fail: reached only when the free list is empty. */
static rtm_status_t alloc_carve(rtm_pool_t *p, void **out)
{
    size_t n = p->touched;
    if (n >= p->count) {
        p->failures++;
        *out = NULL;
        return RTM_ERR_NO_MEMORY;
    }
    n++;
    uint32_t *word = &p->bitmap[n / WORD_BITS];
    uint32_t bit = 1u << (n % WORD_BITS);
    uint32_t w = *word;
    if ((w & bit) != 0u) { /* untouched blocks are never marked in use */
        *out = NULL;
        return RTM_ERR_CORRUPTED;
    }
    *word = w | bit;
    p->touched = n;
    count_one(&p->allocs_lo, &p->allocs_hi, p->allocs_lo);
    *out = link_of(p, n);
    return RTM_OK;
}

/*
 * The two hot paths read every field they need into locals before the first
 * store: a store through the block or the bitmap could alias the control block
 * as far as the compiler knows, and would force the later loads after it (and
 * break the ldrd pairs, see struct rtm_pool).
 */
rtm_status_t rtm_pool_alloc(rtm_pool_t *p, void **out)
{
    if (p == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    uint32_t allocs = p->allocs_lo;
    size_t n = p->head;
    if (n == 0u) {
        return alloc_carve(p, out);
    }
    size_t *block = (size_t *)(p->origin + (uintptr_t)n * p->stride);
    size_t count = p->count;
    uint32_t *word = &p->bitmap[n / WORD_BITS];
    size_t next = *block;
    uint32_t bit = 1u << (n % WORD_BITS);
    uint32_t w = *word;
    /* A free block written after its free: refuse rather than hand out a block
     * twice or follow a wild link (which would also write the bitmap wildly). */
    if (next > count || (w & bit) != 0u) {
        *out = NULL;
        return RTM_ERR_CORRUPTED;
    }
    *word = w | bit;
    p->head = next;
    count_one(&p->allocs_lo, &p->allocs_hi, allocs);
    *out = block;
    return RTM_OK;
}

rtm_status_t rtm_pool_free(rtm_pool_t *p, void *ptr)
{
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t head = p->head;
    uint32_t frees = p->frees_lo;
    /* NULL is never a block start (blocks lie above the control block), so the
     * range check below refuses it too. Number 0 (the imaginary block below the
     * first) passes the one compare but its bit is never set: it is told apart
     * from a double free on that error path only. */
    size_t n = number_of(p, ptr);
    if (n > p->count) {
        return RTM_ERR_INVALID_POINTER;
    }
    uint32_t *word = &p->bitmap[n / WORD_BITS];
    uint32_t bit = 1u << (n % WORD_BITS);
    uint32_t w = *word;
    if ((w & bit) == 0u) {
        return n == 0u ? RTM_ERR_INVALID_POINTER : RTM_ERR_DOUBLE_FREE;
    }
    *word = w & ~bit;
    *(size_t *)ptr = head;
    p->head = n;
    count_one(&p->frees_lo, &p->frees_hi, frees);
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */
/* ------------------------------------------------------------------------ */

rtm_status_t rtm_pool_validate(const rtm_pool_t *p, const void *ptr)
{
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t n = number_of(p, ptr);
    if (n - 1u >= p->count) {
        return RTM_ERR_INVALID_POINTER;
    }
    return (p->bitmap[n / WORD_BITS] >> (n % WORD_BITS) & 1u) != 0u ? RTM_OK : RTM_ERR_DOUBLE_FREE;
}

bool rtm_pool_contains(const rtm_pool_t *p, const void *ptr)
{
    if (p == NULL) {
        return false;
    }
    uintptr_t off = (uintptr_t)ptr - (p->origin + p->stride);
    return off < (uintptr_t)p->count * p->stride;
}

size_t rtm_pool_block_size(const rtm_pool_t *p)
{
    return p == NULL ? 0u : p->stride;
}

size_t rtm_pool_block_align(const rtm_pool_t *p)
{
    return p == NULL ? 0u : p->align;
}

size_t rtm_pool_footprint(const rtm_pool_t *p)
{
    if (p == NULL) {
        return 0u;
    }
    return (size_t)(p->origin + (uintptr_t)(p->count + 1u) * p->stride - (uintptr_t)p);
}

void rtm_pool_get_stats(const rtm_pool_t *p, rtm_pool_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (p == NULL) {
        return;
    }
    size_t used = in_use(p);
    out->total_blocks = p->count;
    out->free_blocks = p->count - used;
    out->allocated_blocks = used;
    out->peak_usage = p->touched;
    out->block_size = p->stride;
    out->allocation_count = p->allocs_lo;
    out->deallocation_count = p->frees_lo;
    out->failures = p->failures;
}

uint32_t rtm_pool_utilization_permille(const rtm_pool_t *p)
{
    return p == NULL ? 0u : permille_of(in_use(p), p->count);
}

void rtm_pool_stats(const rtm_pool_t *p, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (p == NULL) {
        return;
    }
    size_t used = in_use(p);
    out->bytes_allocated = allocs_of(p) * (uint64_t)p->stride;
    out->bytes_deallocated = frees_of(p) * (uint64_t)p->stride;
    out->bytes_in_use = used * p->stride;
    out->peak_memory_usage = p->touched * p->stride;
    out->free_bytes = (p->count - used) * p->stride;
    out->largest_free_block = used < p->count ? p->stride : 0u;
    out->capacity = p->count * p->stride;
    out->total_allocations = p->allocs_lo;
    out->total_deallocations = p->frees_lo;
    out->current_allocations = (uint32_t)used;
    out->allocation_failures = p->failures;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
}

/* ------------------------------------------------------------------------ */
/* Integrity check                                                           */
/* ------------------------------------------------------------------------ */

static bool geometry_ok(const rtm_pool_t *p)
{
    if (p->stride < sizeof(size_t) || !is_pow2(p->align) || p->align < sizeof(size_t) ||
        p->stride % p->align != 0u || p->shift >= PTR_BITS || ((p->stride >> p->shift) & 1u) == 0u ||
        (uintptr_t)(p->stride >> p->shift) * p->inv != 1u || p->count == 0u || p->touched > p->count ||
        p->head > p->touched || p->words != bitmap_words(p->count)) {
        return false;
    }
    uintptr_t base = (uintptr_t)p;
    uintptr_t first = p->origin + p->stride;
    if (!is_aligned(first, p->align) || first < base ||
        first - base < sizeof(struct rtm_pool) + p->words * sizeof(uint32_t)) {
        return false;
    }
    return p->count <= (UINTPTR_MAX - first) / p->stride;
}

static uint32_t popcount32(uint32_t x)
{
    uint32_t c = 0u;
    while (x != 0u) {
        x &= x - 1u;
        c++;
    }
    return c;
}

rtm_status_t rtm_pool_check(const rtm_pool_t *p)
{
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (p->magic != POOL_MAGIC || !geometry_ok(p)) {
        return RTM_ERR_CORRUPTED;
    }
    size_t used = in_use(p);
    if (allocs_of(p) < frees_of(p) || used > p->touched) {
        return RTM_ERR_CORRUPTED;
    }
    /* Bitmap: only bits 1..touched may be set, and exactly `used` of them. */
    size_t set = 0u;
    for (size_t w = 0; w < p->words; w++) {
        uint32_t bits = p->bitmap[w];
        size_t lo = w * WORD_BITS; /* number of bit 0 of this word */
        for (uint32_t b = 0; b < WORD_BITS; b++) {
            if ((bits >> b & 1u) != 0u && (lo + b == 0u || lo + b > p->touched)) {
                return RTM_ERR_CORRUPTED;
            }
        }
        set += popcount32(bits);
    }
    if (set != used) {
        return RTM_ERR_CORRUPTED;
    }
    /* Free list: exactly touched - used nodes, each a carved block whose bit is
     * clear, then the end. A cycle never reaches the end within that many steps;
     * a repeated node would be a cycle; so the list is exactly the clear bits. */
    size_t n = p->head;
    for (size_t i = p->touched - used; i > 0u; i--) {
        if (n == 0u || n > p->touched || (p->bitmap[n / WORD_BITS] >> (n % WORD_BITS) & 1u) != 0u) {
            return RTM_ERR_CORRUPTED;
        }
        n = *link_of(p, n);
    }
    return n == 0u ? RTM_OK : RTM_ERR_CORRUPTED;
}

/* ------------------------------------------------------------------------ */
/* The allocator view                                                        */
/* ------------------------------------------------------------------------ */

/* Whether a block of this pool satisfies (size, align). */
static rtm_status_t fits(rtm_pool_t *p, size_t size, size_t align)
{
    if (size == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    if (align != 0u && (!is_pow2(align) || align > p->align)) {
        return RTM_ERR_ALIGNMENT;
    }
    if (size > p->stride) {
        p->failures++;
        return RTM_ERR_NO_MEMORY;
    }
    return RTM_OK;
}

static rtm_status_t op_allocate(void *ctx, size_t size, size_t align, void **out)
{
    rtm_pool_t *p = (rtm_pool_t *)ctx;
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    rtm_status_t s = fits(p, size, align);
    return s != RTM_OK ? s : rtm_pool_alloc(p, out);
}

static rtm_status_t op_deallocate(void *ctx, void *ptr, size_t size)
{
    (void)size;
    return rtm_pool_free((rtm_pool_t *)ctx, ptr);
}

static rtm_status_t op_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                  void **out)
{
    rtm_pool_t *p = (rtm_pool_t *)ctx;
    (void)old_size;
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (ptr == NULL) {
        return op_allocate(ctx, new_size, align, out);
    }
    if (new_size == 0u) {
        return rtm_pool_free(p, ptr);
    }
    rtm_status_t s = rtm_pool_validate(p, ptr);
    if (s != RTM_OK) {
        return s;
    }
    s = fits(p, new_size, align);
    if (s != RTM_OK) {
        return s;
    }
    /* In place: one deallocation and one allocation, as the stats contract says. */
    count_one(&p->frees_lo, &p->frees_hi, p->frees_lo);
    count_one(&p->allocs_lo, &p->allocs_hi, p->allocs_lo);
    *out = ptr;
    return RTM_OK;
}

static void op_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_pool_stats((const rtm_pool_t *)ctx, out);
}

static rtm_status_t op_check(const void *ctx)
{
    return rtm_pool_check((const rtm_pool_t *)ctx);
}

static const rtm_allocator_ops_t pool_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, op_allocate, op_deallocate, op_reallocate, op_stats, op_check,
};

rtm_allocator_t rtm_pool_allocator(rtm_pool_t *p)
{
    rtm_allocator_t a = {p != NULL ? &pool_ops : NULL, p};
    return a;
}
