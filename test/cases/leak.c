/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The leak tracker: an allocator decorator over any inner allocator. */
#include <string.h>

#include "model.h"
#include "tiny_alloc.h"

static tiny_t tiny; /* big table: static, not on the (firmware) stack */
static unsigned char small_arena[4096] __attribute__((aligned(16)));

struct test_clock {
    uint64_t now;
    unsigned reads;
};

static uint64_t read_clock(void *user)
{
    struct test_clock *c = (struct test_clock *)user;
    c->reads++;
    return c->now;
}

static rtm_status_t make_tracker(rtm_leak_t *l, rtm_leak_record_t *recs, size_t cap, struct test_clock *clk,
                                 uint64_t threshold)
{
    tiny_init(&tiny, small_arena, sizeof small_arena);
    rtm_leak_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.inner = tiny_allocator(&tiny);
    cfg.records = recs;
    cfg.capacity = cap;
    cfg.clock = read_clock;
    cfg.clock_user = clk;
    cfg.threshold = threshold;
    return rtm_leak_init(l, &cfg);
}

struct reports {
    unsigned n;
    rtm_leak_record_t rec[8];
};

static void on_leak(void *user, const rtm_leak_record_t *rec)
{
    struct reports *r = (struct reports *)user;
    if (r->n < 8u) {
        r->rec[r->n] = *rec;
    }
    r->n++;
}

RTM_TEST(leak, old_blocks_are_reported_once)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[8];
    struct test_clock clk = {0u, 0u};
    RTM_CHECK_OK(make_tracker(&l, recs, 8u, &clk, 100u));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *p[3];
    rtm_leak_set_caller(&l, 0x1111u);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 24, 0, &p[0]));
    clk.now = 10u;
    rtm_leak_set_caller(&l, 0x2222u);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 40, 0, &p[1]));
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 8, 0, &p[2])); /* caller was consumed: 0 */
    struct reports rep;
    memset(&rep, 0, sizeof rep);
    size_t found = 99u;
    clk.now = 100u; /* ages 100, 90, 90: not above the threshold */
    RTM_CHECK_OK(rtm_leak_check(&l, on_leak, &rep, &found));
    RTM_CHECK_EQ(found, 0);
    RTM_CHECK_EQ(rep.n, 0);
    clk.now = 101u; /* only the first block is older than 100 */
    RTM_CHECK_OK(rtm_leak_check(&l, on_leak, &rep, &found));
    RTM_CHECK_EQ(found, 1);
    RTM_CHECK(rep.rec[0].ptr == p[0]);
    RTM_CHECK_EQ(rep.rec[0].size, 24);
    RTM_CHECK_EQ(rep.rec[0].caller, 0x1111u);
    RTM_CHECK_EQ(rep.rec[0].timestamp, 0u);
    RTM_CHECK_EQ(rep.rec[0].flags, RTM_LEAK_REPORTED);
    clk.now = 500u; /* the other two now, and never the first again */
    RTM_CHECK_OK(rtm_leak_check(&l, on_leak, &rep, &found));
    RTM_CHECK_EQ(found, 2);
    RTM_CHECK_EQ(rep.n, 3);
    RTM_CHECK(rep.rec[1].ptr == p[1] && rep.rec[1].caller == 0x2222u && rep.rec[1].timestamp == 10u);
    RTM_CHECK(rep.rec[2].ptr == p[2] && rep.rec[2].caller == 0u);
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_leak_check(&l, on_leak, &rep, &found));
        RTM_CHECK_EQ(found, 0);
    }
    RTM_CHECK_EQ(rep.n, 3);
    rtm_leak_stats_t st;
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.detected_leaks, 3);
    RTM_CHECK_EQ(st.total_leaked_bytes, 24 + 40 + 8);
    RTM_CHECK_EQ(st.tracked_allocations, 3);
    RTM_CHECK_EQ(st.live_records, 3);
    /* A reported block freed after all: a false positive. */
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[1], 40));
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.false_positives, 1);
    RTM_CHECK_EQ(st.live_records, 2);
    /* A new block gets its own clock. */
    void *q;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &q));
    clk.now = 600u;
    RTM_CHECK_OK(rtm_leak_check(&l, NULL, NULL, &found));
    RTM_CHECK_EQ(found, 0);
    clk.now = 601u;
    RTM_CHECK_OK(rtm_leak_check(&l, NULL, NULL, &found));
    RTM_CHECK_EQ(found, 1);
    /* A clock that goes backwards reports nothing (age 0, not 2^64 - x). */
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &q));
    clk.now = 5u;
    RTM_CHECK_OK(rtm_leak_check(&l, NULL, NULL, &found));
    RTM_CHECK_EQ(found, 0);
    RTM_CHECK_OK(rtm_allocator_check(&a));
}

RTM_TEST(leak, direct_entry_records_the_call_site)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[4];
    struct test_clock clk = {7u, 0u};
    RTM_CHECK_OK(make_tracker(&l, recs, 4u, &clk, 0u));
    void *p = NULL;
    void *q = NULL;
    RTM_CHECK_OK(rtm_leak_alloc(&l, 32, 0, &p));
    RTM_CHECK_OK(rtm_leak_alloc(&l, 32, 0, &q));
    rtm_leak_record_t rp;
    rtm_leak_record_t rq;
    RTM_CHECK_OK(rtm_leak_find(&l, p, &rp));
    RTM_CHECK_OK(rtm_leak_find(&l, q, &rq));
    /* Two call sites: two distinct, non-zero return addresses. */
    RTM_CHECK(rp.caller != 0u && rq.caller != 0u);
    RTM_CHECK(rp.caller != rq.caller);
    RTM_CHECK_EQ(rp.timestamp, 7u);
    /* A caller set before the direct entry does not leak into a later interface allocation. */
    rtm_leak_set_caller(&l, 0xABCDu);
    RTM_CHECK_OK(rtm_leak_alloc(&l, 8, 0, &q));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *r;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 8, 0, &r));
    rtm_leak_record_t rr;
    RTM_CHECK_OK(rtm_leak_find(&l, r, &rr));
    RTM_CHECK_EQ(rr.caller, 0u);
    RTM_CHECK_OK(rtm_leak_free(&l, p));
    RTM_CHECK_STATUS(rtm_leak_find(&l, p, &rp), RTM_ERR_INVALID_POINTER);
}

RTM_TEST(leak, full_table_still_allocates_and_says_so)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[2];
    struct test_clock clk = {0u, 0u};
    RTM_CHECK_OK(make_tracker(&l, recs, 2u, &clk, 10u));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *p[5];
    for (int i = 0; i < 5; i++) {
        RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &p[i]));
        memset(p[i], i, 16);
    }
    rtm_leak_stats_t st;
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.tracked_allocations, 2);
    RTM_CHECK_EQ(st.untracked_allocations, 3);
    RTM_CHECK_EQ(st.live_records, 2);
    RTM_CHECK_EQ(st.capacity, 2);
    /* Untracked blocks free normally; a freed record makes room again. */
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[4], 16));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[0], 16));
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &p[0]));
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.tracked_allocations, 3);
    RTM_CHECK_EQ(st.untracked_allocations, 3);
    clk.now = 100u;
    size_t found = 0u;
    RTM_CHECK_OK(rtm_leak_check(&l, NULL, NULL, &found));
    RTM_CHECK_EQ(found, 2); /* only what the table holds */
    for (int i = 1; i < 4; i++) {
        for (int k = 0; k < 16; k++) {
            RTM_CHECK_EQ(((unsigned char *)p[i])[k], i);
        }
    }
    RTM_CHECK_OK(rtm_allocator_check(&a));
    /* A tracker with no table at all: everything untracked, nothing lost. */
    RTM_CHECK_OK(make_tracker(&l, NULL, 0u, &clk, 10u));
    a = rtm_leak_allocator(&l);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &p[0]));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[0], 16));
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.untracked_allocations, 1);
}

RTM_TEST(leak, collect_realloc_enable_clear)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[8];
    struct test_clock clk = {0u, 0u};
    RTM_CHECK_OK(make_tracker(&l, recs, 8u, &clk, 5u));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *p[3];
    for (int i = 0; i < 3; i++) {
        rtm_leak_set_caller(&l, (uintptr_t)(0x100 + i));
        RTM_CHECK_OK(rtm_allocator_allocate(&a, (size_t)(8 * (i + 1)), 0, &p[i]));
    }
    clk.now = 10u;
    /* Output room for one: the rest wait for the next call. */
    rtm_leak_record_t out[1];
    size_t found = 0u;
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_leak_collect(&l, out, 1u, &found));
        RTM_CHECK_EQ(found, 1);
        RTM_CHECK(out[0].ptr == p[i]);
        RTM_CHECK_EQ(out[0].caller, 0x100 + i);
        RTM_CHECK_EQ(out[0].flags, RTM_LEAK_REPORTED);
    }
    RTM_CHECK_OK(rtm_leak_collect(&l, out, 1u, &found));
    RTM_CHECK_EQ(found, 0);
    /* Realloc moves the record with the block: new time, caller kept; it was
     * reported, so that report was a false positive. */
    memset(p[0], 0x3C, 8);
    void *grown = NULL;
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p[0], 8, 200, 0, &grown));
    rtm_leak_record_t r;
    RTM_CHECK_STATUS(rtm_leak_find(&l, p[0], &r), grown == p[0] ? RTM_OK : RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_leak_find(&l, grown, &r));
    RTM_CHECK_EQ(r.size, 200);
    RTM_CHECK_EQ(r.timestamp, 10u);
    RTM_CHECK_EQ(r.caller, 0x100);
    RTM_CHECK_EQ(r.flags, 0u);
    RTM_CHECK_EQ(((unsigned char *)grown)[7], 0x3C);
    rtm_leak_stats_t st;
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.false_positives, 1);
    RTM_CHECK_EQ(st.live_records, 3);
    /* Realloc to 0 frees and drops the record. */
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, grown, 200, 0, 0, &grown));
    RTM_CHECK(grown == NULL);
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.live_records, 2);
    /* Disabled: blocks pass unrecorded, old records still go away on free. */
    RTM_CHECK_OK(rtm_leak_enable(&l, false));
    void *u;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 8, 0, &u));
    RTM_CHECK_STATUS(rtm_leak_find(&l, u, &r), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[1], 16));
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.live_records, 1);
    RTM_CHECK_EQ(st.untracked_allocations, 0);
    RTM_CHECK_OK(rtm_leak_enable(&l, true));
    /* Clear: records and stats gone, blocks still freeable through the tracker. */
    RTM_CHECK_OK(rtm_leak_clear(&l));
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.live_records, 0);
    RTM_CHECK_EQ(st.detected_leaks, 0);
    RTM_CHECK_EQ(st.capacity, 8);
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, p[2], 24));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, u, 8));
    RTM_CHECK_OK(rtm_allocator_check(&a));
}

RTM_TEST(leak, bad_input_matrix)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[4];
    struct test_clock clk = {0u, 0u};
    rtm_leak_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    tiny_init(&tiny, small_arena, sizeof small_arena);
    cfg.inner = tiny_allocator(&tiny);
    cfg.records = recs;
    cfg.capacity = 4u;
    cfg.clock = read_clock;
    cfg.clock_user = &clk;
    RTM_CHECK_STATUS(rtm_leak_init(NULL, &cfg), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_init(&l, NULL), RTM_ERR_INVALID_ARG);
    cfg.clock = NULL;
    RTM_CHECK_STATUS(rtm_leak_init(&l, &cfg), RTM_ERR_INVALID_ARG);
    cfg.clock = read_clock;
    cfg.records = NULL;
    RTM_CHECK_STATUS(rtm_leak_init(&l, &cfg), RTM_ERR_INVALID_ARG);
    cfg.records = recs;
    cfg.inner.ops = NULL;
    RTM_CHECK_STATUS(rtm_leak_init(&l, &cfg), RTM_ERR_INVALID_ARG);
    /* Uninitialised tracker: no allocator, every entry refuses. */
    memset(&l, 0, sizeof l);
    rtm_allocator_t bad = rtm_leak_allocator(&l);
    RTM_CHECK(bad.ops == NULL);
    void *p = &p;
    RTM_CHECK_STATUS(rtm_allocator_allocate(&bad, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_alloc(&l, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_leak_free(&l, p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_check(&l, NULL, NULL, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_enable(NULL, true), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_clear(NULL), RTM_ERR_INVALID_ARG);
    rtm_leak_set_caller(NULL, 1u); /* must not crash */

    cfg.inner = tiny_allocator(&tiny);
    RTM_CHECK_OK(rtm_leak_init(&l, &cfg));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *live = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 48, 16, &live));
    rtm_model_fill(live, 48, 77u);
    /* Requests: the inner allocator's statuses pass through unchanged, nothing recorded. */
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 0, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, 8, 3, &p), RTM_ERR_ALIGNMENT);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX, 0, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, SIZE_MAX - 7u, 8, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&a, sizeof small_arena, 0, &p), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_leak_alloc(&l, 8, 0, NULL), RTM_ERR_INVALID_ARG);
    /* Frees: NULL, foreign, interior, double. */
    unsigned char foreign[16];
    memset(foreign, 0, sizeof foreign);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, NULL, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, foreign, 16), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, (unsigned char *)live + 8, 40), RTM_ERR_INVALID_POINTER);
    void *gone = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 8, 0, &gone));
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, gone, 8));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, gone, 8), RTM_ERR_INVALID_POINTER); /* tiny's verdict */
    RTM_CHECK_STATUS(rtm_leak_free(&l, foreign), RTM_ERR_INVALID_POINTER);
    /* Realloc of a foreign block fails and leaves the records alone. */
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, foreign, 16, 32, 0, &p), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_leak_collect(&l, NULL, 1u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_find(&l, live, NULL), RTM_ERR_INVALID_ARG);
    /* Consistent afterwards: check passes, one record, the live block intact. */
    RTM_CHECK_OK(rtm_allocator_check(&a));
    rtm_leak_stats_t st;
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(st.live_records, 1);
    RTM_CHECK_EQ(st.tracked_allocations, 2);
    RTM_CHECK(rtm_model_verify(live, 48, 77u));
    rtm_alloc_stats_t ast;
    rtm_allocator_stats(&a, &ast);
    RTM_CHECK_EQ(ast.current_allocations, 1);
    RTM_CHECK_EQ(ast.allocation_failures, 3);
}

RTM_TEST(leak, check_catches_a_corrupted_table)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[4];
    struct test_clock clk = {0u, 0u};
    RTM_CHECK_OK(make_tracker(&l, recs, 4u, &clk, 1u));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *p;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 8, 0, &p));
    RTM_CHECK_OK(rtm_allocator_check(&a));
    recs[3] = recs[0]; /* the same block recorded twice */
    RTM_CHECK_STATUS(rtm_allocator_check(&a), RTM_ERR_CORRUPTED);
    memset(&recs[3], 0, sizeof recs[3]);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    recs[0].ptr = NULL; /* a lost record: the live count disagrees */
    RTM_CHECK_STATUS(rtm_allocator_check(&a), RTM_ERR_CORRUPTED);
}

static uint64_t ticking_clock(void *user)
{
    return ++*(uint64_t *)user;
}

RTM_TEST(leak, model_over_an_inner_allocator)
{
    static const size_t arenas[] = {4096u, 65536u};
    static rtm_leak_record_t recs[64];
    for (size_t k = 0; k < 2u; k++) {
        void *mem = rtm_test_scratch(arenas[k]);
        if (mem == NULL) {
            continue;
        }
        for (uint32_t seed = 1u; seed <= 3u; seed++) {
            uint64_t ticks = 0u;
            tiny_init(&tiny, mem, arenas[k]);
            rtm_leak_config_t cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.inner = tiny_allocator(&tiny);
            cfg.records = recs;
            cfg.capacity = 64u; /* fewer than the live blocks: untracked ones too */
            cfg.clock = ticking_clock;
            cfg.clock_user = &ticks;
            cfg.threshold = 50u;
            rtm_leak_t l;
            RTM_CHECK_OK(rtm_leak_init(&l, &cfg));
            rtm_model_cfg_t m;
            memset(&m, 0, sizeof m);
            m.alloc = rtm_leak_allocator(&l);
            m.seed = seed * 2654435761u;
            m.ops = RTM_TEST_OPS(3000);
            m.min_size = 1u;
            m.max_size = arenas[k] / 32u;
            m.max_align_log2 = 6u;
            m.realloc_pct = 20u;
            m.max_live = 100u;
            m.arena_lo = (uintptr_t)mem;
            m.arena_hi = (uintptr_t)mem + arenas[k];
            m.check_free_bytes = true;
            m.misuse_pct = 5u;
            rtm_model_result_t r = rtm_model_run(&m);
            RTM_CHECK_EQ(r.failure, RTM_MODEL_OK);
            RTM_CHECK(r.allocations > 0u && r.misuses > 0u);
            rtm_leak_stats_t st;
            rtm_leak_get_stats(&l, &st);
            RTM_CHECK_EQ(st.live_records, 0);
            RTM_CHECK_EQ(st.tracked_allocations + st.untracked_allocations, r.allocations);
            RTM_CHECK(st.untracked_allocations > 0u);
        }
    }
}

RTM_TEST(leak, model_over_the_freelist_heap)
{
    static rtm_leak_record_t recs[128];
    void *mem = rtm_test_scratch(65536u);
    RTM_CHECK(mem != NULL);
    for (uint32_t seed = 11u; seed <= 12u; seed++) {
        rtm_freelist_t *h = NULL;
        RTM_CHECK_OK(rtm_freelist_init(mem, 65536u, &h));
        uint64_t ticks = 0u;
        rtm_leak_config_t cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.inner = rtm_freelist_allocator(h);
        cfg.records = recs;
        cfg.capacity = 128u;
        cfg.clock = ticking_clock;
        cfg.clock_user = &ticks;
        cfg.threshold = 1000u;
        rtm_leak_t l;
        RTM_CHECK_OK(rtm_leak_init(&l, &cfg));
        rtm_model_cfg_t m;
        memset(&m, 0, sizeof m);
        m.alloc = rtm_leak_allocator(&l);
        m.seed = seed;
        m.ops = RTM_TEST_OPS(3000);
        m.min_size = 1u;
        m.max_size = 1500u;
        m.max_align_log2 = 6u;
        m.realloc_pct = 25u;
        m.max_live = 100u;
        m.arena_lo = (uintptr_t)mem;
        m.arena_hi = (uintptr_t)mem + 65536u;
        m.check_free_bytes = true;
        m.misuse_pct = 5u;
        RTM_CHECK_MODEL(&m);
        rtm_leak_stats_t st;
        rtm_leak_get_stats(&l, &st);
        RTM_CHECK_EQ(st.live_records, 0);
        RTM_CHECK_EQ(st.untracked_allocations, 0);
    }
}

/* ---- owner tags ------------------------------------------------------------------- */

static uint32_t current_task(void *user)
{
    return *(const uint32_t *)user;
}

static size_t live_owner_sum(const rtm_leak_owner_usage_t *u, size_t n, uint32_t *blocks)
{
    size_t bytes = 0u;
    *blocks = 0u;
    for (size_t i = 0; i < n; i++) {
        bytes += (size_t)u[i].bytes;
        *blocks += u[i].blocks;
    }
    return bytes;
}

RTM_TEST(leak, owner_tags_follow_the_current_task)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[8];
    uint32_t owners[8];
    struct test_clock clk = {0u, 0u};
    uint32_t task = 1u;
    RTM_CHECK_OK(make_tracker(&l, recs, 8u, &clk, 100u));
    memset(owners, 0xee, sizeof owners); /* attaching clears them */
    RTM_CHECK_OK(rtm_leak_set_owner_hook(&l, owners, 8u, current_task, &task));
    RTM_CHECK_EQ(owners[5], 0u);
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *p[4];
    rtm_leak_set_caller(&l, 0x1001u);
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 40, 0, &p[0]));
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 24, 0, &p[1]));
    task = 2u;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 100, 0, &p[2]));
    RTM_CHECK_OK(rtm_leak_alloc(&l, 8, 0, &p[3]));
    rtm_leak_record_t rec;
    uint32_t owner = 99u;
    RTM_CHECK_OK(rtm_leak_lookup(&l, p[0], &rec, &owner));
    RTM_CHECK_EQ(owner, 1u);
    RTM_CHECK_EQ(rec.caller, 0x1001u);
    RTM_CHECK_EQ(rec.size, 40u);
    RTM_CHECK_OK(rtm_leak_lookup(&l, p[3], NULL, &owner));
    RTM_CHECK_EQ(owner, 2u);
    rtm_leak_owner_usage_t u[4];
    size_t n = 0u;
    RTM_CHECK_OK(rtm_leak_owner_report(&l, u, 4u, &n));
    RTM_CHECK_EQ(n, 2u);
    RTM_CHECK_EQ(u[0].owner, 1u);
    RTM_CHECK_EQ(u[0].blocks, 2u);
    RTM_CHECK_EQ(u[0].bytes, 64u);
    RTM_CHECK_EQ(u[1].owner, 2u);
    RTM_CHECK_EQ(u[1].blocks, 2u);
    RTM_CHECK_EQ(u[1].bytes, 108u);
    /* task 3 reallocates task 1's block: it owns the result; a free drops the tag */
    task = 3u;
    void *q = NULL;
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p[1], 24, 48, 0, &q));
    RTM_CHECK_OK(rtm_leak_lookup(&l, q, NULL, &owner));
    RTM_CHECK_EQ(owner, 3u);
    RTM_CHECK_OK(rtm_leak_free(&l, p[2]));
    RTM_CHECK_STATUS(rtm_leak_lookup(&l, p[2], &rec, &owner), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_EQ(owner, 3u); /* untouched */
    RTM_CHECK_OK(rtm_leak_owner_report(&l, u, 4u, &n));
    RTM_CHECK_EQ(n, 3u);
    uint32_t blocks = 0u;
    RTM_CHECK_EQ(live_owner_sum(u, n, &blocks), 40u + 8u + 48u);
    RTM_CHECK_EQ(blocks, 3u);
    rtm_leak_stats_t st;
    rtm_leak_get_stats(&l, &st);
    RTM_CHECK_EQ(blocks, st.live_records);
    RTM_CHECK_OK(rtm_allocator_check(&a));
    /* freed records keep no owner */
    for (size_t i = 0; i < 8u; i++) {
        RTM_CHECK(recs[i].ptr != NULL || owners[i] == 0u);
    }
    RTM_CHECK_OK(rtm_leak_free(&l, p[0]));
    RTM_CHECK_OK(rtm_leak_free(&l, p[3]));
    RTM_CHECK_OK(rtm_leak_free(&l, q));
    RTM_CHECK_OK(rtm_leak_owner_report(&l, u, 4u, &n));
    RTM_CHECK_EQ(n, 0u);
}

RTM_TEST(leak, owner_report_says_when_owners_do_not_fit)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[8];
    uint32_t owners[8];
    struct test_clock clk = {0u, 0u};
    uint32_t task = 10u;
    RTM_CHECK_OK(make_tracker(&l, recs, 8u, &clk, 100u));
    RTM_CHECK_OK(rtm_leak_set_owner_hook(&l, owners, 8u, current_task, &task));
    void *p[3];
    for (unsigned i = 0; i < 3u; i++) {
        task = 10u + i % 2u;
        RTM_CHECK_OK(rtm_leak_alloc(&l, 16u * (i + 1u), 0, &p[i]));
    }
    rtm_leak_owner_usage_t u[1];
    size_t n = 9u;
    RTM_CHECK_STATUS(rtm_leak_owner_report(&l, u, 1u, &n), RTM_ERR_NO_MEMORY);
    RTM_CHECK_EQ(n, 1u);
    RTM_CHECK_EQ(u[0].owner, 10u); /* complete: both of its blocks */
    RTM_CHECK_EQ(u[0].blocks, 2u);
    RTM_CHECK_EQ(u[0].bytes, 16u + 48u);
    RTM_CHECK_STATUS(rtm_leak_owner_report(&l, NULL, 0u, &n), RTM_ERR_NO_MEMORY);
    RTM_CHECK_EQ(n, 0u);
    RTM_CHECK_STATUS(rtm_leak_owner_report(&l, NULL, 1u, &n), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_owner_report(NULL, u, 1u, &n), RTM_ERR_INVALID_ARG);
    for (unsigned i = 0; i < 3u; i++) {
        RTM_CHECK_OK(rtm_leak_free(&l, p[i]));
    }
    RTM_CHECK_OK(rtm_leak_owner_report(&l, u, 1u, &n));
    RTM_CHECK_EQ(n, 0u);
}

RTM_TEST(leak, owner_hook_misuse_changes_nothing)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[4];
    uint32_t owners[4] = {5u, 5u, 5u, 5u};
    struct test_clock clk = {0u, 0u};
    uint32_t task = 4u;
    RTM_CHECK_OK(make_tracker(&l, recs, 4u, &clk, 100u));
    RTM_CHECK_STATUS(rtm_leak_set_owner_hook(&l, owners, 3u, current_task, &task), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_set_owner_hook(&l, owners, 4u, NULL, &task), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_set_owner_hook(NULL, owners, 4u, current_task, &task), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(owners[0], 5u); /* not attached, not written */
    void *p = NULL;
    RTM_CHECK_OK(rtm_leak_alloc(&l, 32, 0, &p));
    uint32_t owner = 77u;
    RTM_CHECK_OK(rtm_leak_lookup(&l, p, NULL, &owner));
    RTM_CHECK_EQ(owner, 0u); /* no tags attached */
    RTM_CHECK_STATUS(rtm_leak_lookup(NULL, p, NULL, &owner), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_leak_lookup(&l, NULL, NULL, &owner), RTM_ERR_INVALID_POINTER);
    /* attached later: the block from before has owner 0, new ones the task */
    RTM_CHECK_OK(rtm_leak_set_owner_hook(&l, owners, 4u, current_task, &task));
    void *p2 = NULL;
    RTM_CHECK_OK(rtm_leak_alloc(&l, 8, 0, &p2));
    RTM_CHECK_OK(rtm_leak_lookup(&l, p, NULL, &owner));
    RTM_CHECK_EQ(owner, 0u);
    RTM_CHECK_OK(rtm_leak_lookup(&l, p2, NULL, &owner));
    RTM_CHECK_EQ(owner, 4u);
    /* detached: tags are neither kept nor written any more */
    RTM_CHECK_OK(rtm_leak_set_owner_hook(&l, NULL, 0u, NULL, NULL));
    RTM_CHECK_OK(rtm_leak_lookup(&l, p2, NULL, &owner));
    RTM_CHECK_EQ(owner, 0u);
    RTM_CHECK_OK(rtm_leak_free(&l, p));
    RTM_CHECK_OK(rtm_leak_free(&l, p2));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    RTM_CHECK_OK(rtm_allocator_check(&a));
}

RTM_TEST(leak, check_catches_an_owner_on_a_free_record)
{
    rtm_leak_t l;
    rtm_leak_record_t recs[4];
    uint32_t owners[4];
    struct test_clock clk = {0u, 0u};
    uint32_t task = 1u;
    RTM_CHECK_OK(make_tracker(&l, recs, 4u, &clk, 100u));
    RTM_CHECK_OK(rtm_leak_set_owner_hook(&l, owners, 4u, current_task, &task));
    rtm_allocator_t a = rtm_leak_allocator(&l);
    void *p = NULL;
    RTM_CHECK_OK(rtm_leak_alloc(&l, 8, 0, &p));
    RTM_CHECK_OK(rtm_allocator_check(&a));
    owners[3] = 9u; /* record 3 is free */
    RTM_CHECK_STATUS(rtm_allocator_check(&a), RTM_ERR_CORRUPTED);
    owners[3] = 0u;
    RTM_CHECK_OK(rtm_allocator_check(&a));
    RTM_CHECK_OK(rtm_leak_free(&l, p));
}
