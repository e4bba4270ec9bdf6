/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The leak tracker (layer 4): an allocator decorator that records every live
 * block in a caller-provided table and reports old blocks once.
 */
#include "rtm_internal.h"
#include "rtmem/leak.h"

#define LEAK_MAGIC 0x4C45414Bu /* "LEAK" */

typedef struct tracker {
    rtm_leak_stats_t stats;
    uint64_t threshold;
    rtm_allocator_t inner;
    rtm_leak_record_t *records;
    size_t capacity;
    rtm_leak_clock_fn clock;
    void *clock_user;
    uintptr_t pending_caller;
    uint32_t magic;
    uint32_t enabled;
    uint32_t *owners; /* owner tag of records[i], or NULL: no tags */
    rtm_leak_owner_fn owner_fn;
    void *owner_user;
} tracker_t;

RTM_STORAGE_FITS(tracker_t, rtm_leak_t, leak_storage);

static tracker_t *trk(rtm_leak_t *l)
{
    tracker_t *t = l == NULL ? NULL : (tracker_t *)(void *)l->opaque;
    return t != NULL && t->magic == LEAK_MAGIC ? t : NULL;
}

static const tracker_t *ctrk(const rtm_leak_t *l)
{
    const tracker_t *t = l == NULL ? NULL : (const tracker_t *)(const void *)l->opaque;
    return t != NULL && t->magic == LEAK_MAGIC ? t : NULL;
}

static rtm_leak_record_t *find(const tracker_t *t, const void *ptr)
{
    if (ptr == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < t->capacity; i++) {
        if (t->records[i].ptr == ptr) {
            return &t->records[i];
        }
    }
    return NULL;
}

/* Record a new live block, or count it as untracked when the table is full. */
static void record(tracker_t *t, void *ptr, size_t size, uintptr_t caller)
{
    if (t->enabled == 0u) {
        return;
    }
    rtm_leak_record_t *r = NULL;
    for (size_t i = 0; r == NULL && i < t->capacity; i++) {
        if (t->records[i].ptr == NULL) {
            r = &t->records[i];
        }
    }
    if (r == NULL) {
        t->stats.untracked_allocations++;
        return;
    }
    r->timestamp = t->clock(t->clock_user);
    r->ptr = ptr;
    r->size = size;
    r->caller = caller;
    r->flags = 0u;
    r->reserved = 0u;
    if (t->owners != NULL) {
        t->owners[r - t->records] = t->owner_fn(t->owner_user);
    }
    t->stats.tracked_allocations++;
    t->stats.live_records++;
}

static void forget(tracker_t *t, rtm_leak_record_t *r)
{
    if ((r->flags & RTM_LEAK_REPORTED) != 0u) {
        t->stats.false_positives++; /* it was still in use after all */
    }
    fill_bytes(r, 0u, sizeof *r);
    if (t->owners != NULL) {
        t->owners[r - t->records] = 0u;
    }
    t->stats.live_records--;
}

static uintptr_t take_caller(tracker_t *t)
{
    uintptr_t c = t->pending_caller;
    t->pending_caller = 0u;
    return c;
}

static rtm_status_t alloc_with(tracker_t *t, size_t size, size_t align, void **out, uintptr_t caller)
{
    rtm_status_t s = rtm_allocator_allocate(&t->inner, size, align, out);
    if (s == RTM_OK) {
        record(t, *out, size, caller);
    }
    return s;
}

/* ---- allocator ops ---------------------------------------------------------------- */

static rtm_status_t leak_allocate(void *ctx, size_t size, size_t align, void **out)
{
    tracker_t *t = (tracker_t *)ctx;
    return alloc_with(t, size, align, out, take_caller(t));
}

static rtm_status_t leak_deallocate(void *ctx, void *ptr, size_t size)
{
    tracker_t *t = (tracker_t *)ctx;
    rtm_leak_record_t *r = find(t, ptr);
    rtm_status_t s = rtm_allocator_deallocate(&t->inner, ptr, size);
    if (s == RTM_OK && r != NULL) {
        forget(t, r);
    }
    return s;
}

static rtm_status_t leak_reallocate(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align,
                                    void **out)
{
    tracker_t *t = (tracker_t *)ctx;
    uintptr_t caller = take_caller(t);
    rtm_leak_record_t *r = find(t, ptr);
    rtm_status_t s = rtm_allocator_reallocate(&t->inner, ptr, old_size, new_size, align, out);
    if (s != RTM_OK) {
        return s;
    }
    if (r != NULL) {
        caller = caller != 0u ? caller : r->caller;
        forget(t, r);
    }
    if (*out != NULL) {
        record(t, *out, new_size, caller);
    }
    return RTM_OK;
}

static void leak_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    rtm_allocator_stats(&((const tracker_t *)ctx)->inner, out);
}

/* Read-only: the inner allocator's check, then the table -- no block recorded
 * twice, and the live count right. */
static rtm_status_t leak_check_ops(const void *ctx)
{
    const tracker_t *t = (const tracker_t *)ctx;
    rtm_status_t s = rtm_allocator_check(&t->inner);
    if (s != RTM_OK) {
        return s;
    }
    uint32_t live = 0u;
    for (size_t i = 0; i < t->capacity; i++) {
        const void *p = t->records[i].ptr;
        if (p == NULL) {
            if (t->owners != NULL && t->owners[i] != 0u) {
                return RTM_ERR_CORRUPTED; /* a free record keeps no owner */
            }
            continue;
        }
        live++;
        for (size_t j = i + 1u; j < t->capacity; j++) {
            if (t->records[j].ptr == p) {
                return RTM_ERR_CORRUPTED;
            }
        }
    }
    return live == t->stats.live_records ? RTM_OK : RTM_ERR_CORRUPTED;
}

static const rtm_allocator_ops_t leak_ops = {
    sizeof(rtm_allocator_ops_t), 0u, leak_allocate, leak_deallocate, leak_reallocate, leak_stats, leak_check_ops,
};

/* ---- public API ------------------------------------------------------------------- */

rtm_status_t rtm_leak_init(rtm_leak_t *l, const rtm_leak_config_t *cfg)
{
    if (l == NULL || cfg == NULL || cfg->inner.ops == NULL || cfg->clock == NULL ||
        (cfg->records == NULL && cfg->capacity != 0u) || cfg->capacity > 0xFFFFFFFFu) {
        return RTM_ERR_INVALID_ARG;
    }
    fill_bytes(l, 0u, sizeof *l);
    tracker_t *t = (tracker_t *)(void *)l->opaque;
    t->inner = cfg->inner;
    t->records = cfg->records;
    t->capacity = cfg->capacity;
    t->clock = cfg->clock;
    t->clock_user = cfg->clock_user;
    t->threshold = cfg->threshold;
    t->stats.capacity = (uint32_t)cfg->capacity;
    /* RTM_DEVIATION: the design's detector starts disabled until enable();
     * a decorator is wrapped around an allocator to track it, so it starts on. */
    t->enabled = 1u;
    t->magic = LEAK_MAGIC;
    for (size_t i = 0; i < cfg->capacity; i++) {
        fill_bytes(&cfg->records[i], 0u, sizeof cfg->records[i]);
    }
    return RTM_OK;
}

rtm_allocator_t rtm_leak_allocator(rtm_leak_t *l)
{
    tracker_t *t = trk(l);
    rtm_allocator_t a = {t != NULL ? &leak_ops : NULL, t};
    return a;
}

/* Not inlined: the return address must be the application's call site. */
__attribute__((noinline)) rtm_status_t rtm_leak_alloc(rtm_leak_t *l, size_t size, size_t align, void **out)
{
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    tracker_t *t = trk(l);
    if (out != NULL) {
        *out = NULL;
    }
    if (t == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    t->pending_caller = 0u;
    return alloc_with(t, size, align, out, caller);
}

rtm_status_t rtm_leak_free(rtm_leak_t *l, void *ptr)
{
    tracker_t *t = trk(l);
    if (t == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    const rtm_leak_record_t *r = find(t, ptr);
    return leak_deallocate(t, ptr, r != NULL ? r->size : 0u);
}

void rtm_leak_set_caller(rtm_leak_t *l, uintptr_t caller)
{
    tracker_t *t = trk(l);
    if (t != NULL) {
        t->pending_caller = caller;
    }
}

rtm_status_t rtm_leak_enable(rtm_leak_t *l, bool on)
{
    tracker_t *t = trk(l);
    if (t == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    t->enabled = on ? 1u : 0u;
    return RTM_OK;
}

/* Mark and count the leaks not reported yet; hand each to fn or to out[]. */
static size_t scan(tracker_t *t, rtm_leak_report_fn fn, void *user, rtm_leak_record_t *out, size_t cap)
{
    uint64_t now = t->clock(t->clock_user);
    size_t n = 0u;
    for (size_t i = 0; i < t->capacity; i++) {
        rtm_leak_record_t *r = &t->records[i];
        if (r->ptr == NULL || (r->flags & RTM_LEAK_REPORTED) != 0u) {
            continue;
        }
        /* A clock that went backwards gives age 0, not a huge unsigned age. */
        uint64_t age = now >= r->timestamp ? now - r->timestamp : 0u;
        if (age <= t->threshold) {
            continue;
        }
        if (out != NULL) {
            if (n == cap) {
                break; /* the rest stay unreported for the next call */
            }
            out[n] = *r;
            out[n].flags |= RTM_LEAK_REPORTED;
        }
        r->flags |= RTM_LEAK_REPORTED;
        t->stats.detected_leaks++;
        t->stats.total_leaked_bytes += r->size;
        n++;
        if (fn != NULL) {
            fn(user, r);
        }
    }
    return n;
}

rtm_status_t rtm_leak_check(rtm_leak_t *l, rtm_leak_report_fn fn, void *user, size_t *found)
{
    tracker_t *t = trk(l);
    if (found != NULL) {
        *found = 0u;
    }
    if (t == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t n = scan(t, fn, user, NULL, 0u);
    if (found != NULL) {
        *found = n;
    }
    return RTM_OK;
}

rtm_status_t rtm_leak_collect(rtm_leak_t *l, rtm_leak_record_t *out, size_t cap, size_t *found)
{
    tracker_t *t = trk(l);
    if (found != NULL) {
        *found = 0u;
    }
    if (t == NULL || (out == NULL && cap != 0u)) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_leak_record_t none;
    size_t n = scan(t, NULL, NULL, out != NULL ? out : &none, cap);
    if (found != NULL) {
        *found = n;
    }
    return RTM_OK;
}

rtm_status_t rtm_leak_find(const rtm_leak_t *l, const void *ptr, rtm_leak_record_t *out)
{
    const tracker_t *t = ctrk(l);
    if (t == NULL || out == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    const rtm_leak_record_t *r = find(t, ptr);
    if (r == NULL) {
        return RTM_ERR_INVALID_POINTER;
    }
    *out = *r;
    return RTM_OK;
}

rtm_status_t rtm_leak_clear(rtm_leak_t *l)
{
    tracker_t *t = trk(l);
    if (t == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < t->capacity; i++) {
        fill_bytes(&t->records[i], 0u, sizeof t->records[i]);
        if (t->owners != NULL) {
            t->owners[i] = 0u;
        }
    }
    uint32_t capacity = t->stats.capacity;
    fill_bytes(&t->stats, 0u, sizeof t->stats);
    t->stats.capacity = capacity;
    return RTM_OK;
}

void rtm_leak_get_stats(const rtm_leak_t *l, rtm_leak_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    fill_bytes(out, 0u, sizeof *out);
    const tracker_t *t = ctrk(l);
    if (t != NULL) {
        *out = t->stats;
    }
}

/* ---- owner tags ------------------------------------------------------------------- */

rtm_status_t rtm_leak_set_owner_hook(rtm_leak_t *l, uint32_t *owners, size_t count, rtm_leak_owner_fn fn,
                                     void *user)
{
    tracker_t *t = trk(l);
    if (t == NULL || (owners != NULL && (fn == NULL || count < t->capacity))) {
        return RTM_ERR_INVALID_ARG;
    }
    t->owners = owners;
    t->owner_fn = owners != NULL ? fn : NULL;
    t->owner_user = owners != NULL ? user : NULL;
    for (size_t i = 0; owners != NULL && i < t->capacity; i++) {
        owners[i] = 0u;
    }
    return RTM_OK;
}

rtm_status_t rtm_leak_lookup(const rtm_leak_t *l, const void *ptr, rtm_leak_record_t *rec, uint32_t *owner)
{
    const tracker_t *t = ctrk(l);
    if (t == NULL) {
        return RTM_ERR_INVALID_ARG;
    }
    const rtm_leak_record_t *r = find(t, ptr);
    if (r == NULL) {
        return RTM_ERR_INVALID_POINTER;
    }
    if (rec != NULL) {
        *rec = *r;
    }
    if (owner != NULL) {
        *owner = t->owners != NULL ? t->owners[r - t->records] : 0u;
    }
    return RTM_OK;
}

rtm_status_t rtm_leak_owner_report(const rtm_leak_t *l, rtm_leak_owner_usage_t *out, size_t cap, size_t *count)
{
    const tracker_t *t = ctrk(l);
    if (count != NULL) {
        *count = 0u;
    }
    if (t == NULL || (out == NULL && cap != 0u)) {
        return RTM_ERR_INVALID_ARG;
    }
    size_t n = 0u;
    rtm_status_t s = RTM_OK;
    for (size_t i = 0; i < t->capacity; i++) {
        const rtm_leak_record_t *r = &t->records[i];
        if (r->ptr == NULL) {
            continue;
        }
        uint32_t owner = t->owners != NULL ? t->owners[i] : 0u;
        size_t k = 0u;
        while (k < n && out[k].owner != owner) {
            k++;
        }
        if (k == n) {
            if (n == cap) {
                s = RTM_ERR_NO_MEMORY; /* this owner's blocks are not counted anywhere */
                continue;
            }
            out[n].owner = owner;
            out[n].blocks = 0u;
            out[n].bytes = 0u;
            n++;
        }
        out[k].blocks++;
        out[k].bytes += r->size;
    }
    if (count != NULL) {
        *count = n;
    }
    return s;
}
