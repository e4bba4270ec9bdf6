/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Multi-size pool manager (layer 3): size classes over fixed-size pools, spill
 * to larger classes, a fallback allocator through the interface, frees routed
 * by address. See rtmem/multipool.h.
 *
 * RTM_DEVIATION from the seed's MultiSizePoolManager: fallback_allocations counts
 * requests the fallback served (the seed counted attempts, failed ones too), and
 * alignment takes part in choosing a class (the seed ignored it).
 *
 *     mem
 *     | struct rtm_mpool | class[0] | class[1] | ... | class[capacity-1] |
 *                          ^ sorted by (block_size, block_align, order added)
 */
#include "rtmem/multipool.h"

#include "rtm_internal.h"

#define MPOOL_MAGIC 0x4d504f4cu /* "MPOL" */

#define CHUNK_KEY ((uintptr_t)0x43484e4bu) /* "CHNK" */

struct mpool_class;

/* A chunk (slab) of a growing class: carved from the fallback, aligned to its
 * size, so the header of any of its blocks is found by masking the address. */
typedef struct mpool_chunk {
    uintptr_t key;               /* CHUNK_KEY ^ address ^ manager: wiped when given back */
    struct mpool_class *cls;
    struct mpool_chunk *next;    /* the class's list of chunks with a free block */
    struct mpool_chunk *prev;
    void *free_head;             /* freed blocks; never-used ones come from bump */
    uint32_t used;               /* blocks in use */
    uint32_t bump;               /* blocks [0, bump) have been handed out at least once */
    uint8_t state[];             /* per block below bump: 1 in use, 0 free */
} mpool_chunk_t;

typedef struct mpool_class {
    rtm_pool_t *pool;   /* NULL for a growing class */
    size_t block_size;  /* cached: the pool's block size and alignment never change */
    size_t block_align;
    mpool_chunk_t *partial; /* growing: chunks with a free block */
    uint32_t nblocks;       /* growing: blocks per chunk */
    uint32_t first;         /* growing: offset of block 0 from the chunk */
    uint32_t chunks;        /* growing: chunks carved and not given back */
    uint32_t used;          /* growing: blocks in use */
} mpool_class_t;

struct rtm_mpool {
    uint32_t magic;
    uint32_t capacity;     /* entries in classes[] */
    uint32_t has_fallback; /* 0 or 1 */
    uint32_t live_chunks;  /* chunks of every growing class */
    size_t chunk_size;     /* 0 until a growing class is added */
    uintptr_t chunk_lo;    /* every chunk ever carved lies in [chunk_lo, chunk_hi) */
    uintptr_t chunk_hi;
    size_t max_block;      /* largest class block size: larger requests skip the scan */
    uint32_t fixed_pools;  /* classes that are fixed pools (0: a free skips their scan) */
    uint32_t reserved;
    uintptr_t epoch;       /* differs between managers initialised at one address */
    uint32_t g_allocs;     /* growing-class blocks handed out, freed; chunks carved, given back */
    uint32_t g_frees;
    uint32_t carves;
    uint32_t releases;
    size_t footprint;      /* bytes of the caller's memory in use: header + table */
    rtm_allocator_t fallback;
    rtm_mpool_stats_t st;  /* st.total_pools is the number of classes */
    mpool_class_t classes[];
};

RTM_STATIC_ASSERT(sizeof(struct rtm_mpool) % sizeof(void *) == 0u, class_table_aligned);

size_t rtm_mpool_storage_size(uint32_t max_classes)
{
    size_t n = max_classes; /* a variable: on 64-bit targets the check below cannot fail */
    if (n == 0u || n > (SIZE_MAX - sizeof(struct rtm_mpool)) / sizeof(mpool_class_t)) {
        return 0u;
    }
    return sizeof(struct rtm_mpool) + n * sizeof(mpool_class_t);
}

rtm_status_t rtm_mpool_init(void *mem, size_t size, rtm_mpool_t **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (mem == NULL || size > UINTPTR_MAX - (uintptr_t)mem) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!is_aligned((uintptr_t)mem, RTM_MPOOL_MEM_ALIGN)) {
        return RTM_ERR_ALIGNMENT;
    }
    if (size < rtm_mpool_storage_size(1u)) {
        return RTM_ERR_INVALID_ARG; /* too small: the one status of every allocator's init */
    }
    size_t cap = (size - sizeof(struct rtm_mpool)) / sizeof(mpool_class_t);
    if (cap > UINT32_MAX) {
        cap = UINT32_MAX;
    }
    rtm_mpool_t *m = (rtm_mpool_t *)mem;
    /* Chunk headers left in memory by an earlier manager at this address (never
     * given back) must not match this one's key: the epoch moves on from what
     * the memory held (whatever it was on first use), so no state outside the
     * caller's memory is needed. */
    uintptr_t epoch;
    copy_bytes(&epoch, (const unsigned char *)mem + offsetof(struct rtm_mpool, epoch), sizeof epoch);
    fill_bytes(m, 0u, sizeof *m);
    m->epoch = epoch + (uintptr_t)0x9e3779b1u;
    m->capacity = (uint32_t)cap;
    m->footprint = rtm_mpool_storage_size(m->capacity);
    m->magic = MPOOL_MAGIC;
    *out = m;
    return RTM_OK;
}

static bool valid(const rtm_mpool_t *m)
{
    return m != NULL && m->magic == MPOOL_MAGIC;
}

static bool spans_overlap(uintptr_t a, size_t a_len, uintptr_t b, size_t b_len)
{
    return a - b < b_len || b - a < a_len;
}

/* Sort key order: block size, then alignment; equal keys keep insertion order. */
static bool class_before(const mpool_class_t *a, const mpool_class_t *b)
{
    return a->block_size < b->block_size || (a->block_size == b->block_size && a->block_align < b->block_align);
}

static rtm_status_t insert_class(rtm_mpool_t *m, const mpool_class_t *cp);

rtm_status_t rtm_mpool_add_pool(rtm_mpool_t *m, rtm_pool_t *pool)
{
    if (m == NULL || pool == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (!valid(m) || rtm_pool_check(pool) != RTM_OK) {
        return RTM_ERR_CORRUPTED;
    }
    uintptr_t lo = (uintptr_t)rtm_pool_memory(pool);
    size_t len = rtm_pool_footprint(pool);
    if (spans_overlap(lo, len, (uintptr_t)m, m->footprint)) {
        return RTM_ERR_OVERLAP;
    }
    uint32_t n = m->st.total_pools;
    for (uint32_t i = 0; i < n; i++) {
        rtm_pool_t *other = m->classes[i].pool;
        if (other != NULL && spans_overlap(lo, len, (uintptr_t)rtm_pool_memory(other), rtm_pool_footprint(other))) {
            return RTM_ERR_OVERLAP;
        }
    }
    if (n >= m->capacity) {
        return RTM_ERR_NO_MEMORY;
    }
    if (m->live_chunks != 0u) {
        return RTM_ERR_UNSUPPORTED; /* chunks point to their class entry, which would move */
    }
    mpool_class_t c = {pool, rtm_pool_block_size(pool), rtm_pool_block_align(pool), NULL, 0u, 0u, 0u, 0u};
    return insert_class(m, &c);
}

static rtm_status_t insert_class(rtm_mpool_t *m, const mpool_class_t *cp)
{
    mpool_class_t c = *cp;
    uint32_t n = m->st.total_pools;
    uint32_t at = n;
    while (at > 0u && class_before(&c, &m->classes[at - 1u])) {
        m->classes[at] = m->classes[at - 1u];
        at--;
    }
    m->classes[at] = c;
    m->st.total_pools = n + 1u;
    m->max_block = c.block_size > m->max_block ? c.block_size : m->max_block;
    m->fixed_pools += c.pool != NULL ? 1u : 0u;
    return RTM_OK;
}

rtm_status_t rtm_mpool_add_class(rtm_mpool_t *m, size_t block_size, size_t chunk_size)
{
    if (!valid(m) || block_size == 0u || block_size > RTM_MPOOL_MAX_CLASS_BLOCK || !is_pow2(chunk_size) ||
        chunk_size < RTM_MPOOL_MIN_CHUNK || chunk_size > RTM_MPOOL_MAX_CHUNK ||
        (m->chunk_size != 0u && m->chunk_size != chunk_size)) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t bs = (block_size + 7u) & ~(size_t)7u;
    /* nblocks * bs + header + nblocks state bytes + 7 (rounding) <= chunk_size */
    size_t room = chunk_size - sizeof(mpool_chunk_t) - 7u;
    size_t nb = room / (bs + 1u);
    if (nb == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    if (m->st.total_pools >= m->capacity) {
        return RTM_ERR_NO_MEMORY;
    }
    if (m->live_chunks != 0u) {
        return RTM_ERR_UNSUPPORTED;
    }
    size_t first = (sizeof(mpool_chunk_t) + nb + 7u) & ~(size_t)7u;
    mpool_class_t c = {NULL, bs, 8u, NULL, (uint32_t)nb, (uint32_t)first, 0u, 0u};
    m->chunk_size = chunk_size;
    return insert_class(m, &c);
}

rtm_status_t rtm_mpool_set_fallback(rtm_mpool_t *m, const rtm_allocator_t *fallback)
{
    if (!valid(m)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (fallback == NULL) {
        m->has_fallback = 0u;
        m->fallback.ops = NULL;
        m->fallback.ctx = NULL;
        return RTM_OK;
    }
    /* The slots the interface requires (see allocator.c); and never the manager
     * itself, which would recurse without end on a miss. */
    const rtm_allocator_ops_t *ops = fallback->ops;
    if (ops == NULL || ops->size < offsetof(rtm_allocator_ops_t, deallocate) + sizeof ops->deallocate ||
        ops->allocate == NULL || ops->deallocate == NULL || fallback->ctx == (void *)m) {
        return RTM_ERR_INVALID_ARG;
    }
    m->fallback = *fallback;
    m->has_fallback = 1u;
    return RTM_OK;
}

/* The class whose block area holds ptr, or NULL. */
static mpool_class_t *owner_of(rtm_mpool_t *m, const void *ptr)
{
    for (uint32_t i = 0; i < m->st.total_pools; i++) {
        if (m->classes[i].pool != NULL && rtm_pool_contains(m->classes[i].pool, ptr)) {
            return &m->classes[i];
        }
    }
    return NULL;
}

static bool class_fits(const mpool_class_t *c, size_t size, size_t align)
{
    return c->block_size >= size && c->block_align >= align;
}

static uintptr_t chunk_key(const rtm_mpool_t *m, const mpool_chunk_t *ch)
{
    return CHUNK_KEY ^ (uintptr_t)ch ^ (uintptr_t)m ^ m->epoch;
}

/* The live chunk holding ptr, or NULL: O(1), one mask and one compare. Only
 * addresses inside [chunk_lo, chunk_hi) are read, memory the fallback owns. */
static mpool_chunk_t *chunk_of(const rtm_mpool_t *m, const void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    if (a - m->chunk_lo >= m->chunk_hi - m->chunk_lo) {
        return NULL;
    }
    mpool_chunk_t *ch = (mpool_chunk_t *)(a & ~(uintptr_t)(m->chunk_size - 1u));
    return ch->key == chunk_key(m, ch) ? ch : NULL;
}

static void unlink_chunk(mpool_class_t *c, mpool_chunk_t *ch)
{
    if (ch->prev != NULL) {
        ch->prev->next = ch->next;
    } else {
        c->partial = ch->next;
    }
    if (ch->next != NULL) {
        ch->next->prev = ch->prev;
    }
    ch->next = NULL;
    ch->prev = NULL;
}

static void push_chunk(mpool_class_t *c, mpool_chunk_t *ch)
{
    ch->prev = NULL;
    ch->next = c->partial;
    if (c->partial != NULL) {
        c->partial->prev = ch;
    }
    c->partial = ch;
}

/* Carve a chunk for a growing class from the fallback. */
static rtm_status_t carve(rtm_mpool_t *m, mpool_class_t *c)
{
    if (m->has_fallback == 0u) {
        return RTM_ERR_NO_MEMORY;
    }
    void *mem = NULL;
    rtm_status_t s = rtm_allocator_allocate(&m->fallback, m->chunk_size, m->chunk_size, &mem);
    if (s != RTM_OK) {
        return s;
    }
    mpool_chunk_t *ch = (mpool_chunk_t *)mem;
    ch->key = chunk_key(m, ch);
    ch->cls = c;
    ch->free_head = NULL;
    ch->used = 0u;
    ch->bump = 0u;
    push_chunk(c, ch);
    m->carves++;
    c->chunks++;
    m->live_chunks++;
    uintptr_t lo = (uintptr_t)ch;
    if (m->chunk_hi == 0u) {
        m->chunk_lo = lo;
        m->chunk_hi = lo + m->chunk_size;
    } else {
        m->chunk_lo = lo < m->chunk_lo ? lo : m->chunk_lo;
        m->chunk_hi = lo + m->chunk_size > m->chunk_hi ? lo + m->chunk_size : m->chunk_hi;
    }
    return RTM_OK;
}

/* A block of a growing class: O(1) apart from carving a chunk. */
static rtm_status_t grow_alloc(rtm_mpool_t *m, mpool_class_t *c, void **out)
{
    if (c->partial == NULL) {
        rtm_status_t s = carve(m, c);
        if (s != RTM_OK) {
            return s == RTM_ERR_CORRUPTED ? s : RTM_ERR_NO_MEMORY;
        }
    }
    mpool_chunk_t *ch = c->partial;
    unsigned char *base = (unsigned char *)ch + c->first;
    unsigned char *b;
    uint32_t i;
    if (ch->free_head != NULL) {
        void *f = ch->free_head;
        b = (unsigned char *)f;
        i = (uint32_t)((size_t)(b - base) / c->block_size);
        ch->free_head = *(void **)f;
    } else {
        i = ch->bump++;
        b = base + (size_t)i * c->block_size;
    }
    ch->state[i] = 1u;
    c->used++;
    m->g_allocs++;
    if (++ch->used == c->nblocks) {
        unlink_chunk(c, ch);
    }
    *out = b;
    return RTM_OK;
}

/* Check a pointer into chunk ch; its block index in *idx. */
static rtm_status_t chunk_block(const mpool_chunk_t *ch, const void *ptr, uint32_t *idx)
{
    const mpool_class_t *c = ch->cls;
    size_t off = (size_t)((const unsigned char *)ptr - (const unsigned char *)ch);
    if (off < c->first) {
        return RTM_ERR_INVALID_POINTER; /* the chunk's header */
    }
    off -= c->first;
    size_t i = off / c->block_size;
    if (off - i * c->block_size != 0u || i >= ch->bump) {
        return RTM_ERR_INVALID_POINTER;
    }
    *idx = (uint32_t)i;
    return ch->state[i] != 0u ? RTM_OK : RTM_ERR_DOUBLE_FREE;
}

/* Give an empty chunk back to the fallback. */
static rtm_status_t release(rtm_mpool_t *m, mpool_chunk_t *ch)
{
    mpool_class_t *c = ch->cls;
    unlink_chunk(c, ch);
    ch->key = 0u;
    c->chunks--;
    m->live_chunks--;
    m->releases++;
    return rtm_allocator_deallocate(&m->fallback, ch, m->chunk_size);
}

static rtm_status_t grow_free(rtm_mpool_t *m, mpool_chunk_t *ch, void *ptr)
{
    uint32_t i = 0u;
    rtm_status_t s = chunk_block(ch, ptr, &i);
    if (s != RTM_OK) {
        return s;
    }
    mpool_class_t *c = ch->cls;
    ch->state[i] = 0u;
    c->used--;
    m->g_frees++;
    if (ch->used-- == c->nblocks) {
        push_chunk(c, ch);
    }
    *(void **)ptr = ch->free_head;
    ch->free_head = ptr;
    if (ch->used == 0u && c->chunks > 1u) {
        return release(m, ch); /* empty: back to the fallback (a class keeps its last chunk) */
    }
    return RTM_OK;
}

/* The allocation itself, arguments already validated; counts one request. */
static rtm_status_t alloc_any(rtm_mpool_t *m, size_t size, size_t align, void **out)
{
    bool spilled = false;
    m->st.total_allocations++;
    uint32_t n = size <= m->max_block ? m->st.total_pools : 0u;
    for (uint32_t i = 0; i < n; i++) {
        mpool_class_t *c = &m->classes[i];
        if (!class_fits(c, size, align)) {
            continue;
        }
        rtm_status_t s = c->pool != NULL ? rtm_pool_alloc(c->pool, out) : grow_alloc(m, c, out);
        if (s == RTM_OK) {
            m->st.pool_hits++;
            m->st.spills += spilled ? 1u : 0u;
            return RTM_OK;
        }
        if (s != RTM_ERR_NO_MEMORY) {
            m->st.pool_misses++;
            return s;
        }
        spilled = true;
    }
    m->st.pool_misses++;
    if (m->has_fallback == 0u) {
        m->st.failures++;
        return RTM_ERR_NO_MEMORY;
    }
    rtm_status_t s = rtm_allocator_allocate(&m->fallback, size, align, out);
    if (s == RTM_OK) {
        m->st.fallback_allocations++;
    } else if (s == RTM_ERR_NO_MEMORY) {
        m->st.failures++;
    }
    return s;
}

static rtm_status_t check_args(const rtm_mpool_t *m, size_t size, size_t align, void **out)
{
    if (out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (!valid(m) || size == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    return align != 0u && !is_pow2(align) ? RTM_ERR_ALIGNMENT : RTM_OK;
}

rtm_status_t rtm_mpool_alloc(rtm_mpool_t *m, size_t size, size_t align, void **out)
{
    rtm_status_t s = check_args(m, size, align, out);
    return s != RTM_OK ? s : alloc_any(m, size, align, out);
}

rtm_status_t rtm_mpool_free(rtm_mpool_t *m, void *ptr, size_t size)
{
    if (!valid(m)) {
        return RTM_ERR_INVALID_ARG;
    }
    if (ptr == NULL) {
        return RTM_ERR_INVALID_POINTER;
    }
    mpool_chunk_t *ch = chunk_of(m, ptr);
    const mpool_class_t *c = ch == NULL && m->fixed_pools != 0u ? owner_of(m, ptr) : NULL;
    rtm_status_t s;
    if (ch != NULL) {
        s = grow_free(m, ch, ptr);
    } else if (c != NULL) {
        s = rtm_pool_free(c->pool, ptr);
    } else if (m->has_fallback != 0u) {
        s = rtm_allocator_deallocate(&m->fallback, ptr, size);
        m->st.fallback_deallocations += s == RTM_OK ? 1u : 0u;
    } else {
        s = RTM_ERR_INVALID_POINTER;
    }
    m->st.total_deallocations += s == RTM_OK ? 1u : 0u;
    return s;
}

rtm_status_t rtm_mpool_trim(rtm_mpool_t *m)
{
    if (!valid(m)) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_status_t s = RTM_OK;
    for (uint32_t i = 0; i < m->st.total_pools; i++) {
        mpool_chunk_t *ch = m->classes[i].partial;
        if (m->classes[i].pool == NULL && ch != NULL && ch->used == 0u) { /* only a class's last chunk is kept empty */
            rtm_status_t r = release(m, ch);
            s = s == RTM_OK ? r : s;
        }
    }
    return s;
}

void rtm_mpool_get_stats(const rtm_mpool_t *m, rtm_mpool_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    if (!valid(m)) {
        fill_bytes(out, 0u, sizeof *out);
        return;
    }
    *out = m->st;
}

uint32_t rtm_mpool_class_count(const rtm_mpool_t *m)
{
    return valid(m) ? m->st.total_pools : 0u;
}

rtm_status_t rtm_mpool_class_info(const rtm_mpool_t *m, uint32_t index, rtm_mpool_class_info_t *out)
{
    if (!valid(m) || out == NULL || index >= m->st.total_pools) {
        return RTM_ERR_INVALID_ARG;
    }
    const mpool_class_t *c = &m->classes[index];
    fill_bytes(out, 0u, sizeof *out);
    out->block_size = c->block_size;
    out->block_align = c->block_align;
    if (c->pool == NULL) {
        size_t total = (size_t)c->chunks * c->nblocks;
        out->total_blocks = total;
        out->free_blocks = total - c->used;
        out->utilization_permille = total == 0u ? 0u : (uint32_t)(((uint64_t)c->used * 1000u) / total);
        out->chunks = c->chunks;
        out->chunk_blocks = c->nblocks;
        return RTM_OK;
    }
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(c->pool, &ps);
    out->pool = c->pool;
    out->total_blocks = ps.total_blocks;
    out->free_blocks = ps.free_blocks;
    out->utilization_permille = rtm_pool_utilization_permille(c->pool);
    return RTM_OK;
}

static void add_stats(rtm_alloc_stats_t *sum, const rtm_alloc_stats_t *s)
{
    sum->bytes_allocated += s->bytes_allocated;
    sum->bytes_deallocated += s->bytes_deallocated;
    sum->bytes_in_use += s->bytes_in_use;
    sum->peak_memory_usage += s->peak_memory_usage;
    sum->free_bytes += s->free_bytes;
    if (s->largest_free_block > sum->largest_free_block) {
        sum->largest_free_block = s->largest_free_block;
    }
    sum->capacity += s->capacity;
    sum->total_allocations += s->total_allocations;
    sum->total_deallocations += s->total_deallocations;
    sum->current_allocations += s->current_allocations;
    sum->flags &= s->flags;
}

void rtm_mpool_stats(const rtm_mpool_t *m, rtm_alloc_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    if (!valid(m)) {
        return;
    }
    rtm_alloc_stats_t s;
    out->flags = RTM_STATS_HAS_FREE_BYTES | RTM_STATS_HAS_LARGEST_FREE | RTM_STATS_HAS_CAPACITY;
    for (uint32_t i = 0; i < m->st.total_pools; i++) {
        if (m->classes[i].pool != NULL) { /* a growing class's chunks are in the fallback's figures */
            rtm_pool_stats(m->classes[i].pool, &s);
            add_stats(out, &s);
        }
    }
    if (m->has_fallback != 0u) {
        rtm_allocator_stats(&m->fallback, &s);
        add_stats(out, &s);
    }
    /* A chunk is one of the fallback's allocations; count its blocks instead. */
    out->total_allocations += m->g_allocs - m->carves;
    out->total_deallocations += m->g_frees - m->releases;
    out->current_allocations += (m->g_allocs - m->g_frees) - (m->carves - m->releases);
    out->allocation_failures = m->st.failures;
}

/* A growing class: its counters, and every chunk with a free block (key, owner,
 * links, in-use count against the state bytes, free list length). */
static rtm_status_t check_growing(const rtm_mpool_t *m, const mpool_class_t *c)
{
    if (c->block_size == 0u || c->nblocks == 0u || c->used > (size_t)c->chunks * c->nblocks ||
        (size_t)c->first + (size_t)c->nblocks * c->block_size > m->chunk_size) {
        return RTM_ERR_CORRUPTED;
    }
    uint32_t seen = 0u;
    const mpool_chunk_t *prev = NULL;
    for (const mpool_chunk_t *ch = c->partial; ch != NULL; ch = ch->next) {
        if (++seen > c->chunks || ch->key != chunk_key(m, ch) || ch->cls != c || ch->prev != prev ||
            (ch->used == 0u && c->chunks != 1u) || ch->used >= c->nblocks || ch->bump > c->nblocks || ch->used > ch->bump) {
            return RTM_ERR_CORRUPTED;
        }
        uint32_t inuse = 0u;
        for (uint32_t i = 0; i < ch->bump; i++) {
            inuse += ch->state[i] != 0u ? 1u : 0u;
        }
        uint32_t nfree = 0u;
        const unsigned char *base = (const unsigned char *)ch + c->first;
        for (const void *f = ch->free_head; f != NULL; f = *(const void *const *)f) {
            const unsigned char *b = (const unsigned char *)f;
            size_t off = (size_t)(b - base);
            if (b < base || off % c->block_size != 0u || off / c->block_size >= ch->bump ||
                ch->state[off / c->block_size] != 0u || ++nfree > ch->bump) {
                return RTM_ERR_CORRUPTED;
            }
        }
        if (inuse != ch->used || nfree != ch->bump - ch->used) {
            return RTM_ERR_CORRUPTED;
        }
        prev = ch;
    }
    return RTM_OK;
}

rtm_status_t rtm_mpool_check(const rtm_mpool_t *m)
{
    if (m == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    if (m->magic != MPOOL_MAGIC || m->st.total_pools > m->capacity || m->has_fallback > 1u ||
        m->footprint != rtm_mpool_storage_size(m->capacity)) {
        return RTM_ERR_CORRUPTED;
    }
    uint32_t chunks = 0u;
    for (uint32_t i = 0; i < m->st.total_pools; i++) {
        const mpool_class_t *c = &m->classes[i];
        if (i > 0u && class_before(c, c - 1)) {
            return RTM_ERR_CORRUPTED;
        }
        if (c->pool == NULL) {
            if (check_growing(m, c) != RTM_OK) {
                return RTM_ERR_CORRUPTED;
            }
            chunks += c->chunks;
            continue;
        }
        if (rtm_pool_check(c->pool) != RTM_OK || c->block_size != rtm_pool_block_size(c->pool) ||
            c->block_align != rtm_pool_block_align(c->pool) || (i > 0u && class_before(c, c - 1))) {
            return RTM_ERR_CORRUPTED;
        }
        uintptr_t lo = (uintptr_t)rtm_pool_memory(c->pool);
        size_t len = rtm_pool_footprint(c->pool);
        if (spans_overlap(lo, len, (uintptr_t)m, m->footprint)) {
            return RTM_ERR_CORRUPTED;
        }
        for (uint32_t j = 0; j < i; j++) {
            const rtm_pool_t *other = m->classes[j].pool;
            if (other != NULL && spans_overlap(lo, len, (uintptr_t)rtm_pool_memory(other), rtm_pool_footprint(other))) {
                return RTM_ERR_CORRUPTED;
            }
        }
    }
    if (chunks != m->live_chunks || (m->has_fallback != 0u && rtm_allocator_check(&m->fallback) != RTM_OK)) {
        return RTM_ERR_CORRUPTED;
    }
    return RTM_OK;
}

/* ------------------------------------------------------------------------ */
/* The allocator view                                                        */
/* ------------------------------------------------------------------------ */

static rtm_status_t op_allocate(void *ctx, size_t size, size_t align, void **out)
{
    return rtm_mpool_alloc((rtm_mpool_t *)ctx, size, align, out);
}

static rtm_status_t op_deallocate(void *ctx, void *ptr, size_t size)
{
    return rtm_mpool_free((rtm_mpool_t *)ctx, ptr, size);
}

/* A class block: in place when its class still fits, else move it. */
static rtm_status_t realloc_class_block(rtm_mpool_t *m, const mpool_class_t *c, void *ptr, size_t new_size,
                                        size_t align, void **out)
{
    rtm_status_t s = rtm_pool_validate(c->pool, ptr);
    if (s != RTM_OK) {
        return s;
    }
    if (class_fits(c, new_size, align)) {
        rtm_allocator_t pa = rtm_pool_allocator(c->pool);
        s = rtm_allocator_reallocate(&pa, ptr, c->block_size, new_size, align, out);
        if (s == RTM_OK) {
            m->st.total_allocations++;
            m->st.pool_hits++;
            m->st.total_deallocations++;
        }
        return s;
    }
    void *fresh = NULL;
    s = alloc_any(m, new_size, align, &fresh);
    if (s != RTM_OK) {
        return s;
    }
    copy_bytes(fresh, ptr, c->block_size < new_size ? c->block_size : new_size);
    s = rtm_pool_free(c->pool, ptr); /* validated above: cannot fail */
    RTM_ASSERT(s == RTM_OK);
    m->st.total_deallocations++;
    *out = fresh;
    return s;
}

/* A growing class's block: in place when its class still fits, else move it. */
static rtm_status_t realloc_chunk_block(rtm_mpool_t *m, mpool_chunk_t *ch, void *ptr, size_t new_size,
                                        size_t align, void **out)
{
    uint32_t i = 0u;
    rtm_status_t s = chunk_block(ch, ptr, &i);
    if (s != RTM_OK) {
        return s;
    }
    size_t bs = ch->cls->block_size;
    if (class_fits(ch->cls, new_size, align)) {
        m->g_allocs++;
        m->g_frees++;
        m->st.total_allocations++;
        m->st.pool_hits++;
        m->st.total_deallocations++;
        *out = ptr;
        return RTM_OK;
    }
    void *fresh = NULL;
    s = alloc_any(m, new_size, align, &fresh);
    if (s != RTM_OK) {
        return s;
    }
    copy_bytes(fresh, ptr, bs < new_size ? bs : new_size);
    s = grow_free(m, ch, ptr);
    m->st.total_deallocations += s == RTM_OK ? 1u : 0u;
    *out = fresh;
    return s;
}

static rtm_status_t op_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                  void **out)
{
    rtm_mpool_t *m = (rtm_mpool_t *)ctx;
    if (ptr == NULL) {
        return rtm_mpool_alloc(m, new_size, align, out);
    }
    if (new_size == 0u) {
        if (out != NULL) {
            *out = NULL;
        }
        return rtm_mpool_free(m, ptr, old_size);
    }
    rtm_status_t s = check_args(m, new_size, align, out);
    if (s != RTM_OK) {
        return s;
    }
    mpool_chunk_t *ch = chunk_of(m, ptr);
    if (ch != NULL) {
        return realloc_chunk_block(m, ch, ptr, new_size, align, out);
    }
    const mpool_class_t *c = owner_of(m, ptr);
    if (c != NULL) {
        return realloc_class_block(m, c, ptr, new_size, align, out);
    }
    if (m->has_fallback == 0u) {
        return RTM_ERR_INVALID_POINTER;
    }
    m->st.total_allocations++;
    m->st.pool_misses++;
    s = rtm_allocator_reallocate(&m->fallback, ptr, old_size, new_size, align, out);
    if (s == RTM_OK) {
        m->st.fallback_allocations++;
        m->st.fallback_deallocations++;
        m->st.total_deallocations++;
    } else if (s == RTM_ERR_NO_MEMORY) {
        m->st.failures++;
    }
    return s;
}

static void op_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_mpool_stats((const rtm_mpool_t *)ctx, out);
}

static rtm_status_t op_check(const void *ctx)
{
    return rtm_mpool_check((const rtm_mpool_t *)ctx);
}

static const rtm_allocator_ops_t mpool_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, op_allocate, op_deallocate, op_reallocate, op_stats, op_check,
};

rtm_allocator_t rtm_mpool_allocator(rtm_mpool_t *m)
{
    rtm_allocator_t a = {m != NULL ? &mpool_ops : NULL, m};
    return a;
}
