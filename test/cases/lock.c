/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Lock decorator: every inner call runs between lock and unlock (single-threaded
 * checks; the multi-threaded test is test/host/lock_threads.c). */
#include <string.h>

#include "model.h"

/* A fake port lock: counts calls and the nesting depth. */
typedef struct spy_lock {
    int depth;
    int max_depth;
    unsigned locks;
    unsigned unlocks;
    bool misuse; /* unlock without lock */
} spy_lock_t;

static void spy_lock(void *user)
{
    spy_lock_t *s = (spy_lock_t *)user;
    s->depth++;
    s->locks++;
    if (s->depth > s->max_depth) {
        s->max_depth = s->depth;
    }
}

static void spy_unlock(void *user)
{
    spy_lock_t *s = (spy_lock_t *)user;
    if (s->depth <= 0) {
        s->misuse = true;
    }
    s->depth--;
    s->unlocks++;
}

/* An inner allocator that records whether the lock was held on every call, and
 * forwards to a pool. Its table can be shortened to drop the optional slots. */
typedef struct spy_calls {
    unsigned calls;
    unsigned unlocked_calls;
} spy_calls_t;

typedef struct spy_inner {
    rtm_allocator_t pool;
    const spy_lock_t *lock;
    spy_calls_t *seen; /* through a pointer: the stats and check slots get a const ctx */
} spy_inner_t;

static void note(const spy_inner_t *s)
{
    s->seen->calls++;
    if (s->lock->depth != 1) {
        s->seen->unlocked_calls++;
    }
}

static rtm_status_t in_alloc(void *ctx, size_t size, size_t align, void **out)
{
    spy_inner_t *s = (spy_inner_t *)ctx;
    note(s);
    return rtm_allocator_allocate(&s->pool, size, align, out);
}

static rtm_status_t in_free(void *ctx, void *ptr, size_t size)
{
    spy_inner_t *s = (spy_inner_t *)ctx;
    note(s);
    return rtm_allocator_deallocate(&s->pool, ptr, size);
}

static rtm_status_t in_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align, void **out)
{
    spy_inner_t *s = (spy_inner_t *)ctx;
    note(s);
    return rtm_allocator_reallocate(&s->pool, ptr, old_size, new_size, align, out);
}

static void in_stats(const void *ctx, rtm_alloc_stats_t *out)
{
    const spy_inner_t *s = (const spy_inner_t *)ctx;
    note(s);
    rtm_allocator_stats(&s->pool, out);
}

static rtm_status_t in_check(const void *ctx)
{
    const spy_inner_t *s = (const spy_inner_t *)ctx;
    note(s);
    return rtm_allocator_check(&s->pool);
}

static const rtm_allocator_ops_t full_ops = {
    (uint32_t)sizeof(rtm_allocator_ops_t), 0u, in_alloc, in_free, in_realloc, in_stats, in_check,
};
static const rtm_allocator_ops_t short_ops = {
    (uint32_t)offsetof(rtm_allocator_ops_t, reallocate), 0u, in_alloc, in_free, in_realloc, in_stats, in_check,
};

static rtm_pool_t *make_pool(size_t arena, size_t block)
{
    void *mem = rtm_test_scratch(arena);
    rtm_pool_t *p = NULL;
    if (mem == NULL || rtm_pool_init(mem, arena, block, 8, &p) != RTM_OK) {
        return NULL;
    }
    return p;
}

RTM_TEST(lock, every_operation_runs_inside_exactly_one_lock)
{
    rtm_pool_t *p = make_pool(4096, 32);
    if (p == NULL) {
        return; /* scratch arena too small on this target */
    }
    spy_lock_t sl;
    memset(&sl, 0, sizeof sl);
    spy_calls_t seen = {0, 0};
    spy_inner_t in = {rtm_pool_allocator(p), &sl, &seen};
    rtm_allocator_t inner = {&full_ops, &in};
    rtm_lock_t l;
    RTM_CHECK_OK(rtm_lock_init(&l, &inner, spy_lock, spy_unlock, &sl));
    rtm_allocator_t a = rtm_lock_allocator(&l);
    RTM_CHECK(a.ops != NULL);
    RTM_CHECK_EQ(sl.locks, 0); /* init takes no lock */

    void *b = NULL, *c = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 20, 0, &b));
    RTM_CHECK_EQ(sl.locks, 1);
    rtm_model_fill(b, 20, 5);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, b, 20, 30, 0, &c));
    RTM_CHECK(c == b && rtm_model_verify(c, 20, 5));
    rtm_alloc_stats_t st;
    rtm_allocator_stats(&a, &st);
    RTM_CHECK_EQ(st.current_allocations, 1);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, c, 30));
    /* Failures pass through unchanged, still locked and unlocked. */
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, c, 30), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 33, 0, &b), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 3, &b), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 0, 0, &b), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(seen.calls, 9);
    RTM_CHECK_EQ(seen.unlocked_calls, 0);
    RTM_CHECK_EQ(sl.locks, 9);
    RTM_CHECK_EQ(sl.unlocks, 9);
    RTM_CHECK_EQ(sl.max_depth, 1);
    RTM_CHECK_EQ(sl.depth, 0);
    RTM_CHECK(!sl.misuse);
}

RTM_TEST(lock, reallocate_without_an_inner_slot_is_one_critical_section)
{
    rtm_pool_t *p = make_pool(4096, 64);
    if (p == NULL) {
        return; /* scratch arena too small on this target */
    }
    spy_lock_t sl;
    memset(&sl, 0, sizeof sl);
    spy_calls_t seen = {0, 0};
    spy_inner_t in = {rtm_pool_allocator(p), &sl, &seen};
    rtm_allocator_t inner = {&short_ops, &in}; /* allocate + deallocate only */
    rtm_lock_t l;
    RTM_CHECK_OK(rtm_lock_init(&l, &inner, spy_lock, spy_unlock, &sl));
    rtm_allocator_t a = rtm_lock_allocator(&l);
    void *b = NULL, *c = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &b));
    rtm_model_fill(b, 16, 9);
    unsigned locks = sl.locks;
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, b, 16, 48, 0, &c));
    RTM_CHECK(c != b); /* the default: allocate, copy, free */
    RTM_CHECK(rtm_model_verify(c, 16, 9));
    RTM_CHECK_EQ(sl.locks, locks + 1u);  /* one lock around all of it */
    RTM_CHECK_EQ(seen.calls, 3);           /* alloc, alloc, free */
    RTM_CHECK_EQ(seen.unlocked_calls, 0);
    /* Missing stats/check slots: zero stats and OK, still through the lock. */
    rtm_alloc_stats_t st;
    rtm_allocator_stats(&a, &st);
    RTM_CHECK_EQ(st.total_allocations, 0);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_EQ(sl.locks, locks + 3u);
    RTM_CHECK_EQ(sl.unlocks, sl.locks);
}

RTM_TEST(lock, decorators_stack_and_pass_the_model)
{
    const uint32_t seeds[] = {3u, 0x5eed5u};
    rtm_pool_t *p = make_pool(16384, 48);
    if (p == NULL) {
        return; /* scratch arena too small on this target */
    }
    spy_lock_t outer_sl, inner_sl;
    memset(&outer_sl, 0, sizeof outer_sl);
    memset(&inner_sl, 0, sizeof inner_sl);
    rtm_allocator_t pa = rtm_pool_allocator(p);
    rtm_lock_t inner_l, outer_l;
    RTM_CHECK_OK(rtm_lock_init(&inner_l, &pa, spy_lock, spy_unlock, &inner_sl));
    rtm_allocator_t ia = rtm_lock_allocator(&inner_l);
    RTM_CHECK_OK(rtm_lock_init(&outer_l, &ia, spy_lock, spy_unlock, &outer_sl));
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        rtm_model_cfg_t cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.alloc = rtm_lock_allocator(&outer_l);
        cfg.seed = seeds[s];
        cfg.ops = RTM_TEST_OPS(1000);
        cfg.min_size = 1;
        cfg.max_size = 48;
        cfg.max_align_log2 = 3;
        cfg.realloc_pct = 20;
        cfg.max_live = 100;
        cfg.check_free_bytes = true;
        cfg.misuse_pct = 5u;
        RTM_CHECK_MODEL(&cfg);
    }
    RTM_CHECK(outer_sl.locks > 1000u);
    RTM_CHECK_EQ(outer_sl.locks, inner_sl.locks);
    RTM_CHECK_EQ(outer_sl.unlocks, outer_sl.locks);
    RTM_CHECK_EQ(inner_sl.unlocks, inner_sl.locks);
    RTM_CHECK_EQ(outer_sl.max_depth, 1);
    RTM_CHECK(!outer_sl.misuse && !inner_sl.misuse);
}

RTM_TEST(lock, bad_input_is_refused)
{
    rtm_pool_t *p = make_pool(1024, 16);
    if (p == NULL) {
        return; /* scratch arena too small on this target */
    }
    spy_lock_t sl;
    memset(&sl, 0, sizeof sl);
    rtm_allocator_t pa = rtm_pool_allocator(p);
    rtm_allocator_t none = {NULL, NULL};
    static const rtm_allocator_ops_t tiny = {4u, 0u, in_alloc, in_free, NULL, NULL, NULL};
    rtm_allocator_t short_table = {&tiny, NULL};
    static const rtm_allocator_ops_t no_free = {(uint32_t)sizeof(rtm_allocator_ops_t), 0u, in_alloc, NULL,
                                                NULL, NULL, NULL};
    static const rtm_allocator_ops_t no_alloc = {(uint32_t)sizeof(rtm_allocator_ops_t), 0u, NULL, in_free,
                                                 NULL, NULL, NULL};
    rtm_allocator_t half1 = {&no_free, NULL}, half2 = {&no_alloc, NULL};
    rtm_lock_t l;
    memset(&l, 0, sizeof l);
    RTM_CHECK_STATUS(rtm_lock_init(NULL, &pa, spy_lock, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, NULL, spy_lock, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, &none, spy_lock, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, &short_table, spy_lock, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, &half1, spy_lock, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, &half2, spy_lock, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, &pa, NULL, spy_unlock, &sl), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_lock_init(&l, &pa, spy_lock, NULL, &sl), RTM_ERR_INVALID_ARG);
    /* Never initialised (or refused): an allocator that refuses everything. */
    rtm_allocator_t a = rtm_lock_allocator(&l);
    void *b = &b;
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 0, &b), RTM_ERR_INVALID_ARG);
    RTM_CHECK(b == NULL);
    RTM_CHECK_STATUS(rtm_allocator_check(&a), RTM_ERR_INVALID_ARG);
    a = rtm_lock_allocator(NULL);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, p, 8), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(sl.locks, 0);
    /* The inner value is copied: the caller's variable may go away. */
    {
        rtm_allocator_t temp = rtm_pool_allocator(p);
        RTM_CHECK_OK(rtm_lock_init(&l, &temp, spy_lock, spy_unlock, &sl));
        memset(&temp, 0, sizeof temp);
    }
    a = rtm_lock_allocator(&l);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 8, 0, &b));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, (unsigned char *)b + 1, 8), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, b, 8));
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_EQ(sl.locks, 4);
    RTM_CHECK_EQ(sl.unlocks, 4);
}
