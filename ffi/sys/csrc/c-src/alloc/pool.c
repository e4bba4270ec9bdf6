/* SPDX-License-Identifier: MIT OR Apache-2.0 */
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
 * Cheap checks on alloc too. The block popped from the free list must be
 * marked free and have a link <= count: a write into a freed block can
 * otherwise make the pool hand one block out twice, or follow a wild link and
 * write a mark far outside the map. Corruption is answered with
 * RTM_ERR_CORRUPTED and nothing is changed.
 *
 * The handle is the in-use map. One byte per block (0 free, 1 in use), not one
 * bit: testing and setting a byte is one load and one store, a bit costs a
 * shift, a mask and a read-modify-write (about five more instructions per
 * call). The control fields lie just below the map, and the handle points at
 * map byte 0, so the mark of block n is handle[n] (one `ldrb r, [p, n]`) and
 * the fields are at small negative offsets:
 *
 *     mem                                                      mem + size
 *     | control fields | map: 1 byte per block | pad | block 1 | block 2 | ...
 *                      ^ handle (map byte 0: the imaginary block 0, always 0)
 *
 * Counters. Only free counts (32 bits, wrapping like the public fields); the
 * blocks in use are counted from the map by the statistics functions
 * (O(carved blocks)), and the allocations are frees + in use.
 *
 * RTM_DEVIATION from the seed's FixedSizePool: the reported block size is the
 * usable size (rounded up to the block alignment), blocks are at least a pointer
 * wide, the counters wrap at 2^32 as the seed's u32 fields (and so do the byte
 * totals derived from them), and the statistics are O(carved blocks).
 */
#include "rtmem/pool.h"

#include "rtm_internal.h"

#define POOL_MAGIC 0x504f4f4cu /* "POOL" */
#define PTR_BITS ((uint32_t)(sizeof(uintptr_t) * 8u))
/* The handle check: the word just below the map holds the handle's own address
 * rotated by KEY_ROT. One load and one compare with a rotated register operand
 * (Arm: `cmp rK, rP, ror #13`); memory that is not a pool holds its own address
 * rotated by 13 bits in that word only by accident. */
#define KEY_ROT 13u
#define USED_MARK 1u

/*
 * Field order is for the hot paths on 32-bit targets: pairs a call reads
 * together are adjacent so that gcc loads each pair with one ldrd: both paths
 * {key, head}; alloc {origin, stride} and count; free {origin, stride},
 * {inv, shift}, {count, frees}.
 */
typedef struct pool_ctl {
    size_t align;     /* guaranteed alignment of every block */
    size_t touched;   /* blocks 1..touched were carved; also the peak in use */
    uint32_t failures;
    uint32_t magic;
    uintptr_t origin; /* address of block number 0 = first block - stride */
    size_t stride;    /* distance between blocks = usable size of a block */
    uintptr_t inv;    /* inverse of (stride >> shift) modulo 2^W */
    uint32_t shift;   /* trailing zero bits of stride */
    size_t count;     /* blocks in the pool */
    uint32_t frees;   /* successful deallocations (wraps at 2^32) */
    uintptr_t key;    /* rotr(handle, KEY_ROT) */
    size_t head;      /* number of the first free block on the list; 0: list empty */
} ctl_t;

/* The free-list link is a size_t in the first word of a free block. */
RTM_STATIC_ASSERT(sizeof(size_t) == sizeof(uintptr_t), size_t_is_pointer_sized);
RTM_STATIC_ASSERT(sizeof(size_t) == sizeof(void *), link_fits_min_block);
RTM_STATIC_ASSERT(sizeof(ctl_t) % RTM_POOL_MEM_ALIGN == 0u, handle_keeps_mem_alignment);
RTM_STATIC_ASSERT(RTM_POOL_MEM_ALIGN % sizeof(size_t) == 0u, mem_align_covers_fields);

static inline ctl_t *ctl_of(rtm_pool_t *p)
{
    return (ctl_t *)(void *)((unsigned char *)p - sizeof(ctl_t));
}

static inline const ctl_t *cctl_of(const rtm_pool_t *p)
{
    return (const ctl_t *)(const void *)((const unsigned char *)p - sizeof(ctl_t));
}

static inline const unsigned char *cmap_of(const rtm_pool_t *p)
{
    return (const unsigned char *)p;
}

static inline uintptr_t rotr(uintptr_t x, uint32_t s)
{
    return (x >> s) | (x << ((PTR_BITS - s) & (PTR_BITS - 1u)));
}

/* Block number of ptr; in 1..count iff ptr is the start of a block (file comment). */
static inline size_t number_of(const ctl_t *c, const void *ptr)
{
    return (size_t)rotr(((uintptr_t)ptr - c->origin) * c->inv, c->shift);
}

static inline bool handle_ok(const rtm_pool_t *p)
{
    return cctl_of(p)->key == rotr((uintptr_t)p, KEY_ROT);
}

static inline size_t *link_of(const ctl_t *c, size_t n)
{
    return (size_t *)(c->origin + (uintptr_t)n * c->stride);
}

/* Blocks in use: the marks of the carved blocks. O(carved blocks). */
static size_t in_use(const rtm_pool_t *p)
{
    const ctl_t *c = cctl_of(p);
    const unsigned char *map = cmap_of(p);
    size_t used = 0u;
    for (size_t n = 1u; n <= c->touched; n++) {
        used += map[n] != 0u ? 1u : 0u;
    }
    return used;
}

/* ------------------------------------------------------------------------ */
/* Initialisation                                                            */
/* ------------------------------------------------------------------------ */

/* Address of block 1 when the pool holds n blocks, or 0 when n blocks do not fit
 * in [base, end): control fields, map bytes 0..n, padding to the alignment. */
static uintptr_t first_block_if_fits(uintptr_t base, uintptr_t end, size_t n, size_t stride, size_t align)
{
    size_t meta = sizeof(ctl_t) + n + 1u;
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
    if (size <= sizeof(ctl_t) + 1u) {
        return RTM_ERR_INVALID_ARG; /* too small: the one status of every allocator's init */
    }

    /* The most blocks that fit: the map grows with the count, so search between
     * 0 (always "fits") and the count ignoring the map. O(log n). */
    size_t lo = 0u;
    size_t hi = (size - sizeof(ctl_t) - 1u) / stride;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1u) / 2u;
        if (first_block_if_fits(base, end, mid, stride, block_align) != 0u) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    if (lo == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    uintptr_t first = first_block_if_fits(base, end, lo, stride, block_align);

    ctl_t *c = (ctl_t *)mem;
    rtm_pool_t *p = (rtm_pool_t *)(void *)((unsigned char *)mem + sizeof(ctl_t));
    fill_bytes(c, 0u, sizeof *c);
    c->count = lo;
    c->stride = stride;
    c->align = block_align;
    c->origin = first - stride;
    c->shift = 0u;
    while (((stride >> c->shift) & 1u) == 0u) {
        c->shift++;
    }
    /* Newton's iteration for the inverse modulo 2^W: an odd d is its own
     * inverse modulo 8 (3 bits); each step doubles the correct bits (3, 6, 12,
     * 24, 48, 96 >= 64). */
    uintptr_t odd = (uintptr_t)(stride >> c->shift);
    uintptr_t inv = odd;
    for (int i = 0; i < 5; i++) {
        inv *= (uintptr_t)2u - odd * inv;
    }
    c->inv = inv;
    fill_bytes(p, 0u, lo + 1u);
    c->magic = POOL_MAGIC;
    c->key = rotr((uintptr_t)p, KEY_ROT);
    *out = p;
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* The hot path                                                              */
/* ------------------------------------------------------------------------ */

/* Carve a never-used block, or fail: reached only when the free list is empty. */
static rtm_status_t alloc_carve(rtm_pool_t *p, void **out)
{
    ctl_t *c = ctl_of(p);
    unsigned char *map = (unsigned char *)p;
    size_t n = c->touched;
    *out = NULL;
    if (n >= c->count) {
        c->failures++;
        return RTM_ERR_NO_MEMORY;
    }
    n++;
    if (map[n] != 0u) { /* untouched blocks are never marked in use */
        return RTM_ERR_CORRUPTED;
    }
    map[n] = USED_MARK;
    c->touched = n;
    *out = link_of(c, n);
    return RTM_OK;
}

/*
 * The two hot paths read every field they need into locals before the first
 * store: a store through the block or the map could alias the control fields
 * as far as the compiler knows, and would force the later loads after it (and
 * break the ldrd pairs, see ctl_t).
 */
rtm_status_t rtm_pool_alloc(rtm_pool_t *p, void **out)
{
    if (p == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    ctl_t *c = ctl_of(p);
    unsigned char *map = (unsigned char *)p;
    uintptr_t key = c->key;
    size_t n = c->head;
    if (key != rotr((uintptr_t)p, KEY_ROT)) {
        *out = NULL;
        return RTM_ERR_CORRUPTED;
    }
    if (n == 0u) {
        return alloc_carve(p, out);
    }
    size_t *block = (size_t *)(c->origin + (uintptr_t)n * c->stride);
    size_t count = c->count;
    size_t next = *block;
    unsigned mark = map[n];
    /* A free block written after its free: refuse rather than hand out a block
     * twice or follow a wild link (which would also write a mark wildly). */
    if (next > count || mark != 0u) {
        *out = NULL;
        return RTM_ERR_CORRUPTED;
    }
    map[n] = USED_MARK;
    c->head = next;
    *out = block;
    return RTM_OK;
}

rtm_status_t rtm_pool_free(rtm_pool_t *p, void *ptr)
{
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    ctl_t *c = ctl_of(p);
    unsigned char *map = (unsigned char *)p;
    uintptr_t key = c->key;
    size_t head = c->head;
    if (key != rotr((uintptr_t)p, KEY_ROT)) {
        return RTM_ERR_CORRUPTED;
    }
    uint32_t frees = c->frees;
    /* NULL is never a block start (blocks lie above the map), so the range check
     * below refuses it too. Number 0 (the imaginary block below the first)
     * passes the one compare but its mark is never set: it is told apart from a
     * double free on that error path only. */
    size_t n = number_of(c, ptr);
    if (n > c->count) {
        return RTM_ERR_INVALID_POINTER;
    }
    if (map[n] == 0u) {
        return n == 0u ? RTM_ERR_INVALID_POINTER : RTM_ERR_DOUBLE_FREE;
    }
    map[n] = 0u;
    *(size_t *)ptr = head;
    c->head = n;
    c->frees = frees + 1u;
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
    if (!handle_ok(p)) {
        return RTM_ERR_CORRUPTED;
    }
    const ctl_t *c = cctl_of(p);
    size_t n = number_of(c, ptr);
    if (n - 1u >= c->count) {
        return RTM_ERR_INVALID_POINTER;
    }
    return cmap_of(p)[n] != 0u ? RTM_OK : RTM_ERR_DOUBLE_FREE;
}

bool rtm_pool_contains(const rtm_pool_t *p, const void *ptr)
{
    if (p == NULL || !handle_ok(p)) {
        return false;
    }
    const ctl_t *c = cctl_of(p);
    uintptr_t off = (uintptr_t)ptr - (c->origin + c->stride);
    return off < (uintptr_t)c->count * c->stride;
}

size_t rtm_pool_block_size(const rtm_pool_t *p)
{
    return p == NULL || !handle_ok(p) ? 0u : cctl_of(p)->stride;
}

size_t rtm_pool_block_align(const rtm_pool_t *p)
{
    return p == NULL || !handle_ok(p) ? 0u : cctl_of(p)->align;
}

void *rtm_pool_memory(const rtm_pool_t *p)
{
    if (p == NULL || !handle_ok(p)) {
        return NULL;
    }
    return (void *)(uintptr_t)cctl_of(p); /* the caller's own memory, handed back */
}

size_t rtm_pool_footprint(const rtm_pool_t *p)
{
    if (p == NULL || !handle_ok(p)) {
        return 0u;
    }
    const ctl_t *c = cctl_of(p);
    return (size_t)(c->origin + (uintptr_t)(c->count + 1u) * c->stride - (uintptr_t)c);
}

void rtm_pool_get_stats(const rtm_pool_t *p, rtm_pool_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (p == NULL || !handle_ok(p)) {
        return;
    }
    const ctl_t *c = cctl_of(p);
    size_t used = in_use(p);
    out->total_blocks = c->count;
    out->free_blocks = c->count - used;
    out->allocated_blocks = used;
    out->peak_usage = c->touched;
    out->block_size = c->stride;
    out->allocation_count = c->frees + (uint32_t)used;
    out->deallocation_count = c->frees;
    out->failures = c->failures;
}

uint32_t rtm_pool_utilization_permille(const rtm_pool_t *p)
{
    return p == NULL || !handle_ok(p) ? 0u : permille_of(in_use(p), cctl_of(p)->count);
}

void rtm_pool_stats(const rtm_pool_t *p, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (p == NULL || !handle_ok(p)) {
        return;
    }
    const ctl_t *c = cctl_of(p);
    size_t used = in_use(p);
    out->bytes_allocated = ((uint64_t)c->frees + used) * (uint64_t)c->stride;
    out->bytes_deallocated = (uint64_t)c->frees * (uint64_t)c->stride;
    out->bytes_in_use = used * c->stride;
    out->peak_memory_usage = c->touched * c->stride;
    out->free_bytes = (c->count - used) * c->stride;
    out->largest_free_block = used < c->count ? c->stride : 0u;
    out->capacity = c->count * c->stride;
    out->total_allocations = c->frees + (uint32_t)used;
    out->total_deallocations = c->frees;
    out->current_allocations = (uint32_t)used;
    out->allocation_failures = c->failures;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
}

/* ------------------------------------------------------------------------ */
/* Integrity check and walk                                                  */
/* ------------------------------------------------------------------------ */

static bool geometry_ok(const rtm_pool_t *p)
{
    const ctl_t *c = cctl_of(p);
    if (!handle_ok(p) || c->magic != POOL_MAGIC || c->stride < sizeof(size_t) || !is_pow2(c->align) ||
        c->align < sizeof(size_t) || c->stride % c->align != 0u || c->shift >= PTR_BITS ||
        ((c->stride >> c->shift) & 1u) == 0u || (uintptr_t)(c->stride >> c->shift) * c->inv != 1u ||
        c->count == 0u || c->touched > c->count || c->head > c->touched) {
        return false;
    }
    uintptr_t map = (uintptr_t)p;
    uintptr_t first = c->origin + c->stride;
    if (!is_aligned(first, c->align) || first < map || first - map < c->count + 1u) {
        return false;
    }
    return c->count <= (UINTPTR_MAX - first) / c->stride;
}

rtm_status_t rtm_pool_check(const rtm_pool_t *p)
{
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!geometry_ok(p)) {
        return RTM_ERR_CORRUPTED;
    }
    const ctl_t *c = cctl_of(p);
    const unsigned char *map = cmap_of(p);
    /* Map: marks are 0 or 1, and only blocks 1..touched may be in use. */
    size_t used = 0u;
    for (size_t n = 0u; n <= c->count; n++) {
        if (map[n] > USED_MARK || (map[n] != 0u && (n == 0u || n > c->touched))) {
            return RTM_ERR_CORRUPTED;
        }
        used += map[n];
    }
    /* Free list: exactly touched - used nodes, each a carved block marked free,
     * then the end. A cycle never reaches the end within that many steps; a
     * repeated node would be a cycle; so the list is exactly the free marks. */
    size_t n = c->head;
    for (size_t i = c->touched - used; i > 0u; i--) {
        if (n == 0u || n > c->touched || map[n] != 0u) {
            return RTM_ERR_CORRUPTED;
        }
        n = *link_of(c, n);
    }
    return n == 0u ? RTM_OK : RTM_ERR_CORRUPTED;
}

rtm_status_t rtm_pool_walk(const rtm_pool_t *p, rtm_walk_fn fn, void *ctx)
{
    if (p == NULL || fn == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!geometry_ok(p)) {
        return RTM_ERR_CORRUPTED;
    }
    const ctl_t *c = cctl_of(p);
    const unsigned char *map = cmap_of(p);
    for (size_t n = 1u; n <= c->count; n++) {
        size_t link = n <= c->touched && map[n] == 0u ? *link_of(c, n) : 0u;
        /* Damaged: a mark that is neither 0 nor 1, a block marked in use that
         * was never carved, or a carved free block whose link leaves the carved
         * blocks or leads to a block in use. */
        if (map[n] > USED_MARK || (map[n] != 0u && n > c->touched) || link > c->touched ||
            (link != 0u && map[link] != 0u)) {
            return RTM_ERR_CORRUPTED;
        }
        rtm_block_info_t info = {link_of(c, n), c->stride, map[n], 0u};
        rtm_status_t s = fn(ctx, &info);
        if (s != RTM_OK) {
            return s;
        }
    }
    return RTM_OK;
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
    if (align != 0u && (!is_pow2(align) || align > ctl_of(p)->align)) {
        return RTM_ERR_ALIGNMENT;
    }
    if (size > ctl_of(p)->stride) {
        ctl_of(p)->failures++;
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
    if (p == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!handle_ok(p)) {
        return RTM_ERR_CORRUPTED;
    }
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
    /* In place: one deallocation and one allocation, as the stats contract says
     * (the allocations are frees + in use). */
    ctl_of(p)->frees++;
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
