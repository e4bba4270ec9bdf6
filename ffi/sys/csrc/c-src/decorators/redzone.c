/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The red-zone guard (layer 4): canaries around every block of an inner
 * allocator, a sealed header per block, and an intrusive list of live blocks.
 *
 *   base                   h                      p               p + size
 *   | canary pad ... | rz_hdr_t | hdr pad | 16 canary | user bytes | 16 canary |
 *   |<------------------- front (multiple of A) ----->|
 *
 * The seal covers the header's immutable fields and its own address, so a
 * header copied elsewhere, a stale one, or one hit by an underrun fails it.
 * The list links are not sealed (neighbours change them); they are trusted
 * only after a range check and the back-link test (next->prev == node), so a
 * corrupted link never sends a walk outside the blocks this guard handed out.
 */
#include "rtm_internal.h"
#include "rtmem/redzone.h"

#define RZ_MAGIC 0x525A4F4Eu  /* "RZON" */
#define FREED_MARK 0x0F4EE0D1u /* xor'ed into the seal of a freed header */
#define ZONE ((size_t)RTM_REDZONE_BYTES)

typedef struct rz_hdr {
    struct rz_hdr *prev;
    struct rz_hdr *next;
    unsigned char *base; /* the inner block */
    size_t size;         /* requested bytes */
    uintptr_t site;
    uint32_t front; /* bytes from base to the user block */
    uint32_t seal;
} rz_hdr_t;

/* The header's slot: its size rounded up to 8 so the user block stays aligned. */
#define HDR_SPAN ((sizeof(rz_hdr_t) + 7u) & ~(size_t)7u)

RTM_STATIC_ASSERT(HDR_SPAN % 8u == 0u && ZONE % 8u == 0u, zones_keep_8_alignment);

typedef struct guard {
    rtm_allocator_t inner;
    rz_hdr_t *head; /* newest live block */
    rz_hdr_t *tail; /* oldest live block */
    uintptr_t lo; /* span of every inner block handed out so far */
    uintptr_t hi;
    rtm_redzone_report_fn fn;
    void *user;
    uintptr_t pending_site;
    rtm_redzone_stats_t stats;
    uint32_t key;
    uint32_t magic;
} guard_t;

RTM_STORAGE_FITS(guard_t, rtm_redzone_t, redzone_storage);

static guard_t *grd(rtm_redzone_t *rz)
{
    guard_t *g = rz == NULL ? NULL : (guard_t *)(void *)rz->opaque;
    return g != NULL && g->magic == RZ_MAGIC ? g : NULL;
}

/* ---- seals and canaries ------------------------------------------------------------ */

static uint32_t seal_of(const guard_t *g, const rz_hdr_t *h)
{
    uint32_t x = seal_add(g->key, (uintptr_t)h);
    x = seal_add(x, (uintptr_t)h->base);
    x = seal_add(x, h->size);
    x = seal_add(x, h->site);
    return seal_add(x, h->front);
}

static unsigned char canary(const guard_t *g, uintptr_t addr)
{
    unsigned char c = (unsigned char)((seal_add(g->key, addr) >> 8) & 0xFFu);
    return c != 0u ? c : 0xA5u; /* never 0: zero-filling overruns are common */
}

static void paint(const guard_t *g, unsigned char *from, unsigned char *to)
{
    for (unsigned char *b = from; b < to; b++) {
        *b = canary(g, (uintptr_t)b);
    }
}

/* Lowest damaged address in [from, to), or 0. */
static uintptr_t lowest_bad(const guard_t *g, const unsigned char *from, const unsigned char *to)
{
    for (const unsigned char *b = from; b < to; b++) {
        if (*b != canary(g, (uintptr_t)b)) {
            return (uintptr_t)b;
        }
    }
    return 0u;
}

/* Highest damaged address in [from, to), or 0. */
static uintptr_t highest_bad(const guard_t *g, const unsigned char *from, const unsigned char *to)
{
    for (const unsigned char *b = to; b > from;) {
        b--;
        if (*b != canary(g, (uintptr_t)b)) {
            return (uintptr_t)b;
        }
    }
    return 0u;
}

/* ---- headers and the live list ----------------------------------------------------- */

static unsigned char *user_of(rz_hdr_t *h)
{
    return (unsigned char *)h + HDR_SPAN + ZONE;
}

/* The header a block pointer would have, if the pointer is inside the span of
 * blocks handed out (so reading it is safe), else NULL. */
static rz_hdr_t *header_of(const guard_t *g, const void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    if (ptr == NULL || (p & 7u) != 0u || p < g->lo || p - g->lo < HDR_SPAN + ZONE || p >= g->hi) {
        return NULL;
    }
    return (rz_hdr_t *)(void *)(p - ZONE - HDR_SPAN); /* from the address: no const cast away */
}

/* A link is followed only when it points into the span, aligned. */
static bool plausible(const guard_t *g, const rz_hdr_t *h)
{
    uintptr_t a = (uintptr_t)h;
    return (a & 7u) == 0u && a >= g->lo && a < g->hi && g->hi - a >= HDR_SPAN;
}

/* Are h's links consistent with its neighbours (so h is really on the list)? */
static bool linked(const guard_t *g, const rz_hdr_t *h)
{
    if (h->prev == NULL ? g->head != h : !plausible(g, h->prev) || h->prev->next != h) {
        return false;
    }
    return h->next == NULL || (plausible(g, h->next) && h->next->prev == h);
}

/* Splice h out from between pred and succ (either may be NULL: an end). */
static void splice_out(guard_t *g, rz_hdr_t *pred, rz_hdr_t *succ)
{
    if (pred != NULL) {
        pred->next = succ;
    } else {
        g->head = succ;
    }
    if (succ != NULL) {
        succ->prev = pred;
    } else {
        g->tail = pred;
    }
}

static void unlink_hdr(guard_t *g, rz_hdr_t *h)
{
    splice_out(g, h->prev, h->next);
    h->prev = NULL;
    h->next = NULL;
}

static void report(guard_t *g, rz_hdr_t *h, uint32_t side, uint32_t flags, uintptr_t addr)
{
    g->stats.overruns_detected++;
    if (g->fn != NULL) {
        bool known = (flags & RTM_REDZONE_HEADER) == 0u;
        rtm_redzone_report_t r = {user_of(h), known ? h->size : 0u, known ? h->site : 0u, addr, side, flags};
        g->fn(g->user, &r);
    }
}

/* Count the damaged zones of a block with an intact header; report them
 * through `tell` unless it is NULL (read-only use). */
static unsigned damaged_zones(const guard_t *g, rz_hdr_t *h, guard_t *tell)
{
    unsigned char *p = user_of(h);
    uintptr_t front = highest_bad(g, (unsigned char *)h + sizeof(rz_hdr_t), p);
    if (front == 0u) {
        front = highest_bad(g, h->base, (unsigned char *)h);
    }
    uintptr_t back = lowest_bad(g, p + h->size, p + h->size + ZONE);
    if (tell != NULL && front != 0u) {
        report(tell, h, RTM_REDZONE_FRONT, 0u, front);
    }
    if (tell != NULL && back != 0u) {
        report(tell, h, RTM_REDZONE_BACK, 0u, back);
    }
    return (front != 0u ? 1u : 0u) + (back != 0u ? 1u : 0u);
}

/* Walk the live list from the newest block, checking headers and (with
 * `zones`) canaries; report through `tell` unless it is NULL. */
static rtm_status_t walk(const guard_t *g, guard_t *tell, bool zones, size_t *bad)
{
    size_t n = 0u;
    size_t damaged = 0u;
    rtm_status_t s = RTM_OK;
    const rz_hdr_t *prev = NULL;
    for (rz_hdr_t *h = g->head; h != NULL; prev = h, h = h->next) {
        if (!plausible(g, h) || ++n > g->stats.live_blocks) {
            s = RTM_ERR_CORRUPTED; /* a wild link or a cycle */
            break;
        }
        /* Each node must point back at the one the walk came from. */
        if (h->seal != seal_of(g, h) || h->prev != prev) {
            if (tell != NULL) {
                report(tell, h, RTM_REDZONE_FRONT, RTM_REDZONE_HEADER, (uintptr_t)h);
            }
            damaged++;
            s = RTM_ERR_CORRUPTED; /* its links cannot be trusted: stop here */
            break;
        }
        unsigned z = zones ? damaged_zones(g, h, tell) : 0u;
        if (z != 0u) {
            damaged += z;
            s = RTM_ERR_CORRUPTED;
        }
    }
    if (s == RTM_OK && (n != g->stats.live_blocks || prev != g->tail)) {
        s = RTM_ERR_CORRUPTED; /* blocks fell off the list */
    }
    if (bad != NULL) {
        *bad = damaged;
    }
    return s;
}

/* Is `target` (whose own header cannot be trusted) on the live list? Found by
 * address from both ends over intact headers only, which also yields its
 * neighbours. RTM_OK (found), RTM_ERR_INVALID_POINTER (not a live block), or
 * RTM_ERR_CORRUPTED (another damaged header is in the way: reported). */
static rtm_status_t locate(guard_t *g, const rz_hdr_t *target, rz_hdr_t **pred, rz_hdr_t **succ)
{
    rz_hdr_t *prev = NULL;
    size_t n = 0u;
    rz_hdr_t *h = g->head;
    for (; h != NULL && h != target; prev = h, h = h->next) {
        if (!plausible(g, h) || ++n > g->stats.live_blocks) {
            return RTM_ERR_CORRUPTED;
        }
        if (h->seal != seal_of(g, h) || h->prev != prev) {
            report(g, h, RTM_REDZONE_FRONT, RTM_REDZONE_HEADER, (uintptr_t)h);
            return RTM_ERR_CORRUPTED;
        }
    }
    if (h == NULL) {
        return RTM_ERR_INVALID_POINTER;
    }
    rz_hdr_t *after = NULL;
    n = 0u;
    for (h = g->tail; h != NULL && h != target; after = h, h = h->prev) {
        if (!plausible(g, h) || ++n > g->stats.live_blocks || h->seal != seal_of(g, h) || h->next != after) {
            return RTM_ERR_CORRUPTED;
        }
    }
    if (h == NULL) {
        return RTM_ERR_CORRUPTED;
    }
    *pred = prev;
    *succ = after;
    return RTM_OK;
}

/* ---- allocation -------------------------------------------------------------------- */

static rtm_status_t rz_alloc(guard_t *g, size_t size, size_t align, void **out, uintptr_t site)
{
    rtm_status_t s = check_request(size, &align, RTM_MIN_ALIGN);
    if (s != RTM_OK) {
        return s;
    }
    size_t front;
    size_t total;
    if (!align_up_checked(HDR_SPAN + ZONE, align, &front) || front > 0xFFFFFFFFu ||
        !add_checked(front, size, &total) || !add_checked(total, ZONE, &total)) {
        return RTM_ERR_INVALID_ARG;
    }
    void *mem = NULL;
    s = rtm_allocator_allocate(&g->inner, total, align, &mem);
    if (s != RTM_OK) {
        return s;
    }
    unsigned char *base = (unsigned char *)mem;
    unsigned char *p = base + front;
    rz_hdr_t *h = (rz_hdr_t *)(void *)(p - ZONE - HDR_SPAN);
    paint(g, base, (unsigned char *)h);
    paint(g, (unsigned char *)h + sizeof(rz_hdr_t), p);
    paint(g, p + size, p + size + ZONE);
    h->base = base;
    h->size = size;
    h->site = site;
    h->front = (uint32_t)front;
    h->seal = seal_of(g, h);
    h->prev = NULL;
    h->next = g->head;
    if (g->head != NULL) {
        g->head->prev = h;
    } else {
        g->tail = h;
    }
    g->head = h;
    if (g->hi == 0u || (uintptr_t)base < g->lo) {
        g->lo = (uintptr_t)base;
    }
    if ((uintptr_t)base + total > g->hi) {
        g->hi = (uintptr_t)base + total;
    }
    g->stats.live_blocks++;
    *out = p;
    return RTM_OK;
}

/* Give a block with an intact header back to the inner allocator. */
static rtm_status_t release(guard_t *g, rz_hdr_t *h)
{
    size_t total = h->front + h->size + ZONE;
    unlink_hdr(g, h);
    g->stats.live_blocks--;
    h->seal ^= FREED_MARK;
    return rtm_allocator_deallocate(&g->inner, h->base, total);
}

/* Take a damaged block off the list but keep it from the inner allocator. */
/* Take a damaged block with an intact header off the list but keep it from
 * the inner allocator; a later free of it is a double free. */
static void quarantine(guard_t *g, rz_hdr_t *h)
{
    unlink_hdr(g, h);
    h->seal ^= FREED_MARK;
    g->stats.live_blocks--;
    g->stats.quarantined_blocks++;
}

/* Classify a pointer for free/realloc: RTM_OK with *hp for a healthy live block,
 * or the status to return (damage already reported, block quarantined). */
static rtm_status_t resolve(guard_t *g, void *ptr, rz_hdr_t **hp, bool quarantine_damaged)
{
    rz_hdr_t *h = header_of(g, ptr);
    if (h == NULL) {
        return RTM_ERR_INVALID_POINTER;
    }
    uint32_t expect = seal_of(g, h);
    if (h->seal == expect && h->base + h->front == (unsigned char *)ptr) {
        if (!linked(g, h)) {
            report(g, h, RTM_REDZONE_FRONT, RTM_REDZONE_HEADER, (uintptr_t)h);
            return RTM_ERR_CORRUPTED;
        }
        if (damaged_zones(g, h, g) != 0u) {
            if (quarantine_damaged) {
                quarantine(g, h);
            }
            return RTM_ERR_CORRUPTED;
        }
        *hp = h;
        return RTM_OK;
    }
    if (h->seal == (expect ^ FREED_MARK)) {
        return RTM_ERR_DOUBLE_FREE;
    }
    /* Seal broken: a live block whose header was hit, or not a block at all. */
    rz_hdr_t *pred = NULL;
    rz_hdr_t *succ = NULL;
    rtm_status_t s = locate(g, h, &pred, &succ);
    if (s != RTM_OK) {
        return s;
    }
    report(g, h, RTM_REDZONE_FRONT, RTM_REDZONE_HEADER, (uintptr_t)h);
    if (quarantine_damaged) {
        /* Its own links are not trusted: splice it out between the neighbours
         * found from both ends. */
        splice_out(g, pred, succ);
        g->stats.live_blocks--;
        g->stats.quarantined_blocks++;
    }
    return RTM_ERR_CORRUPTED;
}

/* ---- allocator ops ------------------------------------------------------------------ */

static uintptr_t take_site(guard_t *g)
{
    uintptr_t s = g->pending_site;
    g->pending_site = 0u;
    return s;
}

static rtm_status_t rz_allocate(void *ctx, size_t size, size_t align, void **out)
{
    guard_t *g = (guard_t *)ctx;
    return rz_alloc(g, size, align, out, take_site(g));
}

static rtm_status_t rz_deallocate(void *ctx, void *ptr, size_t size)
{
    guard_t *g = (guard_t *)ctx;
    rz_hdr_t *h = NULL;
    (void)size; /* the header knows */
    rtm_status_t s = resolve(g, ptr, &h, true);
    return s == RTM_OK ? release(g, h) : s;
}

static rtm_status_t rz_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                  void **out)
{
    guard_t *g = (guard_t *)ctx;
    (void)old_size;
    uintptr_t site = take_site(g);
    if (ptr == NULL) {
        return rz_alloc(g, new_size, align, out, site);
    }
    rz_hdr_t *h = NULL;
    rtm_status_t s = resolve(g, ptr, &h, new_size == 0u);
    if (s != RTM_OK) {
        return s;
    }
    if (new_size == 0u) {
        return release(g, h);
    }
    void *fresh = NULL;
    s = rz_alloc(g, new_size, align, &fresh, site != 0u ? site : h->site);
    if (s != RTM_OK) {
        return s;
    }
    copy_bytes(fresh, ptr, h->size < new_size ? h->size : new_size);
    s = release(g, h);
    if (s != RTM_OK) {
        return s;
    }
    *out = fresh;
    return RTM_OK;
}

static void rz_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_allocator_stats(&((const guard_t *)ctx)->inner, out);
}

static rtm_status_t rz_check(const void *ctx)
{
    const guard_t *g = (const guard_t *)ctx;
    rtm_status_t s = walk(g, NULL, true, NULL);
    return s != RTM_OK ? s : rtm_allocator_check(&g->inner);
}

static const rtm_allocator_ops_t rz_ops = {
    sizeof(rtm_allocator_ops_t), 0u, rz_allocate, rz_deallocate, rz_reallocate, rz_stats, rz_check,
};

/* ---- public API ---------------------------------------------------------------------- */

rtm_status_t rtm_redzone_init(rtm_redzone_t *rz, const rtm_allocator_t *inner, rtm_redzone_report_fn fn,
                              void *user)
{
    if (rz == NULL || inner == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    /* The same contract as the lock decorator: an inner allocator must have
     * both slots the guard calls unconditionally. */
    const rtm_allocator_ops_t *ops = inner->ops;
    if (ops == NULL || ops->size < offsetof(rtm_allocator_ops_t, deallocate) + sizeof ops->deallocate ||
        ops->allocate == NULL || ops->deallocate == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    fill_bytes(rz, 0u, sizeof *rz);
    guard_t *g = (guard_t *)(void *)rz->opaque;
    g->inner = *inner;
    g->fn = fn;
    g->user = user;
    g->key = seal_add(0x5A17C0DEu, (uintptr_t)rz);
    g->magic = RZ_MAGIC;
    return RTM_OK;
}

rtm_allocator_t rtm_redzone_allocator(rtm_redzone_t *rz)
{
    guard_t *g = grd(rz);
    rtm_allocator_t a = {g != NULL ? &rz_ops : NULL, g};
    return a;
}

/* Not inlined: the return address must be the application's call site. */
__attribute__((noinline)) rtm_status_t rtm_redzone_alloc(rtm_redzone_t *rz, size_t size, size_t align, void **out)
{
    uintptr_t site = (uintptr_t)__builtin_return_address(0);
    guard_t *g = grd(rz);
    if (out != NULL) {
        *out = NULL;
    }
    if (g == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    g->pending_site = 0u;
    return rz_alloc(g, size, align, out, site);
}

rtm_status_t rtm_redzone_free(rtm_redzone_t *rz, void *ptr)
{
    guard_t *g = grd(rz);
    return g == NULL ? RTM_ERR_INVALID_ARG : rz_deallocate(g, ptr, 0u);
}

void rtm_redzone_set_site(rtm_redzone_t *rz, uintptr_t site)
{
    guard_t *g = grd(rz);
    if (g != NULL) {
        g->pending_site = site;
    }
}

rtm_status_t rtm_redzone_check_all(rtm_redzone_t *rz, size_t *bad)
{
    guard_t *g = grd(rz);
    if (bad != NULL) {
        *bad = 0u;
    }
    if (g == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    g->stats.checks++;
    return walk(g, g, true, bad);
}

void rtm_redzone_get_stats(const rtm_redzone_t *rz, rtm_redzone_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    const guard_t *g = rz == NULL ? NULL : (const guard_t *)(const void *)rz->opaque;
    if (g != NULL && g->magic == RZ_MAGIC) {
        *out = g->stats;
    }
}
