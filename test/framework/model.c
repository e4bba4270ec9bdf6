/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Randomized model test of any allocator; see model.h. */
#include "model.h"

#include <string.h>

#ifdef RTM_TEST_CRITERION
#include <stdio.h>
static void say(const char *s)
{
    fputs(s, stderr);
}
#else
static void say(const char *s)
{
    rtm_test_port_write(s);
}
#endif

typedef struct live_block {
    unsigned char *p;
    size_t size;
    size_t align; /* as requested; 0 = default */
    uint32_t tag;
} live_block_t;

/* One model run at a time: the live table is static so firmware needs no big stack. */
static live_block_t live[RTM_MODEL_MAX_LIVE];

/* The blocks freed last, for misuse: a ring of (pointer, size). */
#define FREED_RING 16u
static live_block_t freed[FREED_RING];
static unsigned n_freed;

void *rtm_test_scratch(size_t size)
{
    static union {
        unsigned char bytes[RTM_TEST_SCRATCH_SIZE];
        uint64_t align[8];
    } scratch __attribute__((aligned(64)));
    return size <= sizeof scratch.bytes ? scratch.bytes : NULL;
}

const char *rtm_model_failure_str(int failure)
{
    static const char *const names[] = {
        "ok",        "unexpected status", "misaligned block",     "block outside arena",
        "overlap",   "contents changed",  "integrity check failed", "stats disagree",
        "free space not recovered", "never allocated", "misuse accepted or left a trace",
    };
    if (failure < 0 || (size_t)failure >= sizeof names / sizeof names[0]) {
        return "?";
    }
    return names[failure];
}

static unsigned char pattern_byte(uint32_t tag, size_t i)
{
    return (unsigned char)((tag * 2654435761u) >> 24 ^ (uint32_t)i * 131u);
}

void rtm_model_fill(void *p, size_t n, uint32_t tag)
{
    unsigned char *b = (unsigned char *)p;
    for (size_t i = 0; i < n; i++) {
        b[i] = pattern_byte(tag, i);
    }
}

bool rtm_model_verify(const void *p, size_t n, uint32_t tag)
{
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != pattern_byte(tag, i)) {
            return false;
        }
    }
    return true;
}

static int check_new_block(const rtm_model_cfg_t *cfg, unsigned n_live, const unsigned char *p,
                           size_t size, size_t align, unsigned skip)
{
    uintptr_t a = (uintptr_t)p;
    size_t need = align != 0u ? align : cfg->default_align != 0u ? cfg->default_align : 1u;
    if (p == NULL || (a & (need - 1u)) != 0u) {
        return RTM_MODEL_MISALIGNED;
    }
    if (cfg->arena_hi != 0u && (a < cfg->arena_lo || a + size > cfg->arena_hi || a + size < a)) {
        return RTM_MODEL_OUT_OF_ARENA;
    }
    for (unsigned i = 0; i < n_live; i++) {
        if (i == skip) {
            continue;
        }
        uintptr_t b = (uintptr_t)live[i].p;
        if (a < b + live[i].size && b < a + size) {
            return RTM_MODEL_OVERLAP;
        }
    }
    return RTM_MODEL_OK;
}

static int check_all(const rtm_model_cfg_t *cfg, unsigned n_live, unsigned long failures)
{
    if (rtm_allocator_check(&cfg->alloc) != RTM_OK) {
        return RTM_MODEL_CHECK;
    }
    rtm_alloc_stats_t st;
    rtm_allocator_stats(&cfg->alloc, &st);
    size_t requested = 0;
    for (unsigned i = 0; i < n_live; i++) {
        requested += live[i].size;
    }
    if (st.current_allocations != n_live ||
        st.total_allocations - st.total_deallocations != st.current_allocations ||
        st.bytes_allocated - st.bytes_deallocated != (uint64_t)st.bytes_in_use ||
        st.bytes_in_use < requested || st.peak_memory_usage < st.bytes_in_use ||
        st.allocation_failures < failures) {
        return RTM_MODEL_STATS;
    }
    return RTM_MODEL_OK;
}

/* Free or reallocate a pointer the allocator must refuse: one freed earlier
 * and not live again, or one inside a live block. Refused means an error
 * status (and no block from reallocate) and the same statistics as before;
 * the integrity check follows in check_all. */
static int misuse(const rtm_model_cfg_t *cfg, unsigned n_live, uint32_t *rng, rtm_status_t *status,
                  unsigned long *refused)
{
    live_block_t bad = {NULL, 0u, 0u, 0u};
    if (rtm_test_rand(rng) % 2u == 0u) {
        bad = freed[rtm_test_range(rng, 0u, FREED_RING - 1u)];
        for (unsigned i = 0; i < n_live && bad.p != NULL; i++) {
            bad.p = live[i].p == bad.p ? NULL : bad.p; /* handed out again: freeing it is legitimate */
        }
    } else if (n_live > 0u) {
        bad = live[rtm_test_range(rng, 0u, n_live - 1u)];
        bad.p = bad.size >= 2u ? bad.p + rtm_test_range(rng, 1u, bad.size - 1u) : NULL;
    }
    if (bad.p == NULL) {
        return RTM_MODEL_OK;
    }
    rtm_alloc_stats_t before;
    rtm_alloc_stats_t after;
    rtm_allocator_stats(&cfg->alloc, &before);
    void *q = NULL;
    /* Without a reallocate slot the interface's copy would show (allocator.h). */
    if (rtm_test_rand(rng) % 2u == 0u || cfg->alloc.ops->reallocate == NULL) {
        *status = rtm_allocator_deallocate(&cfg->alloc, bad.p, bad.size);
    } else {
        q = &q;
        *status = rtm_allocator_reallocate(&cfg->alloc, bad.p, bad.size, rtm_test_range(rng, 1u, 64u), 0u, &q);
    }
    rtm_allocator_stats(&cfg->alloc, &after);
    if (*status == RTM_OK || q != NULL || memcmp(&before, &after, sizeof before) != 0) {
        return RTM_MODEL_MISUSE;
    }
    (*refused)++;
    return RTM_MODEL_OK;
}

static size_t pick_align(const rtm_model_cfg_t *cfg, uint32_t *rng)
{
    if (cfg->max_align_log2 == 0u) {
        return 0u;
    }
    /* Mostly the default, sometimes an explicit power of two. */
    if (rtm_test_rand(rng) % 4u != 0u) {
        return 0u;
    }
    return (size_t)1u << rtm_test_range(rng, 0u, cfg->max_align_log2);
}

static void say_hex(unsigned long v)
{
    static const char hex[] = "0123456789abcdef";
    char num[24];
    size_t i = sizeof num;
    num[--i] = '\0';
    do {
        num[--i] = hex[v & 15u];
        v >>= 4;
    } while (v != 0u);
    say("0x");
    say(&num[i]);
}

static void report(const rtm_model_cfg_t *cfg, const rtm_model_result_t *r)
{
    say("  model: ");
    say(rtm_model_failure_str(r->failure));
    say(" at op ");
    say_hex(r->op);
    say(", status ");
    say(rtm_status_str(r->status));
    say(", seed ");
    say_hex(cfg->seed);
    say("\n");
}

static rtm_model_result_t finish(const rtm_model_cfg_t *cfg, rtm_model_result_t r, int failure,
                                 unsigned long op, rtm_status_t status)
{
    r.failure = failure;
    r.op = op;
    r.status = status;
    if (failure != RTM_MODEL_OK) {
        report(cfg, &r);
    }
    return r;
}

rtm_model_result_t rtm_model_run(const rtm_model_cfg_t *cfg)
{
    rtm_model_result_t r = {RTM_MODEL_OK, 0u, RTM_OK, 0u, 0u, 0u};
    uint32_t rng = cfg->seed != 0u ? cfg->seed : 1u;
    unsigned max_live = cfg->max_live == 0u || cfg->max_live > RTM_MODEL_MAX_LIVE ? RTM_MODEL_MAX_LIVE
                                                                                   : cfg->max_live;
    unsigned n_live = 0;
    uint32_t next_tag = 1u;
    rtm_alloc_stats_t st0;
    rtm_allocator_stats(&cfg->alloc, &st0);
    unsigned long failures = 0;
    n_freed = 0u;
    for (unsigned i = 0; i < FREED_RING; i++) {
        freed[i].p = NULL;
    }

    for (unsigned long op = 0; op < cfg->ops; op++) {
        if (cfg->misuse_pct != 0u && rtm_test_rand(&rng) % 100u < cfg->misuse_pct) {
            rtm_status_t s = RTM_OK;
            int f = misuse(cfg, n_live, &rng, &s, &r.misuses);
            f = f != RTM_MODEL_OK ? f : check_all(cfg, n_live, failures);
            if (f != RTM_MODEL_OK) {
                return finish(cfg, r, f, op, s);
            }
            continue;
        }
        uint32_t roll = rtm_test_rand(&rng) % 100u;
        bool do_alloc = n_live == 0u || (n_live < max_live && roll < 50u);
        bool do_realloc = !do_alloc && roll >= 100u - cfg->realloc_pct;
        rtm_status_t s;
        int f;

        if (do_alloc) {
            size_t size = rtm_test_range(&rng, cfg->min_size, cfg->max_size);
            size_t align = pick_align(cfg, &rng);
            void *p = NULL;
            s = rtm_allocator_allocate(&cfg->alloc, size, align, &p);
            if (s == RTM_ERR_NO_MEMORY) {
                failures++;
                if (p != NULL) {
                    return finish(cfg, r, RTM_MODEL_BAD_STATUS, op, s);
                }
            } else if (s != RTM_OK) {
                return finish(cfg, r, RTM_MODEL_BAD_STATUS, op, s);
            } else {
                f = check_new_block(cfg, n_live, (unsigned char *)p, size, align, max_live);
                if (f != RTM_MODEL_OK) {
                    return finish(cfg, r, f, op, s);
                }
                live[n_live] = (live_block_t){(unsigned char *)p, size, align, next_tag};
                rtm_model_fill(p, size, next_tag++);
                n_live++;
                r.allocations++;
            }
        } else {
            unsigned i = cfg->lifo_only ? n_live - 1u : (unsigned)rtm_test_range(&rng, 0u, n_live - 1u);
            live_block_t *b = &live[i];
            if (!rtm_model_verify(b->p, b->size, b->tag)) {
                return finish(cfg, r, RTM_MODEL_CONTENTS, op, RTM_OK);
            }
            if (do_realloc) {
                size_t size = rtm_test_range(&rng, cfg->min_size, cfg->max_size);
                void *p = NULL;
                s = rtm_allocator_reallocate(&cfg->alloc, b->p, b->size, size, b->align, &p);
                if (s == RTM_ERR_NO_MEMORY) {
                    failures++;
                    /* The old block must be untouched. */
                    if (!rtm_model_verify(b->p, b->size, b->tag)) {
                        return finish(cfg, r, RTM_MODEL_CONTENTS, op, s);
                    }
                } else if (s != RTM_OK) {
                    return finish(cfg, r, RTM_MODEL_BAD_STATUS, op, s);
                } else {
                    f = check_new_block(cfg, n_live, (unsigned char *)p, size, b->align, i);
                    if (f != RTM_MODEL_OK) {
                        return finish(cfg, r, f, op, s);
                    }
                    size_t kept = b->size < size ? b->size : size;
                    if (!rtm_model_verify(p, kept, b->tag)) {
                        return finish(cfg, r, RTM_MODEL_CONTENTS, op, s);
                    }
                    if ((unsigned char *)p != b->p) {
                        freed[n_freed++ % FREED_RING] = *b;
                    }
                    b->p = (unsigned char *)p;
                    b->size = size;
                    rtm_model_fill(p, size, b->tag);
                    r.allocations++;
                }
            } else {
                s = rtm_allocator_deallocate(&cfg->alloc, b->p, b->size);
                if (s != RTM_OK) {
                    return finish(cfg, r, RTM_MODEL_BAD_STATUS, op, s);
                }
                freed[n_freed++ % FREED_RING] = *b;
                live[i] = live[n_live - 1u];
                n_live--;
            }
        }
        f = check_all(cfg, n_live, failures);
        if (f != RTM_MODEL_OK) {
            return finish(cfg, r, f, op, RTM_OK);
        }
    }

    /* Drain: every block still intact, then freed (newest first, which suits every allocator). */
    while (n_live > 0u) {
        live_block_t *b = &live[n_live - 1u];
        if (!rtm_model_verify(b->p, b->size, b->tag)) {
            return finish(cfg, r, RTM_MODEL_CONTENTS, cfg->ops, RTM_OK);
        }
        rtm_status_t s = rtm_allocator_deallocate(&cfg->alloc, b->p, b->size);
        if (s != RTM_OK) {
            return finish(cfg, r, RTM_MODEL_BAD_STATUS, cfg->ops, s);
        }
        n_live--;
        int f = check_all(cfg, n_live, failures);
        if (f != RTM_MODEL_OK) {
            return finish(cfg, r, f, cfg->ops, RTM_OK);
        }
    }
    r.failures = failures;
    if (cfg->check_free_bytes) {
        rtm_alloc_stats_t st1;
        rtm_allocator_stats(&cfg->alloc, &st1);
        if (st1.free_bytes != st0.free_bytes || st1.largest_free_block != st0.largest_free_block ||
            st1.bytes_in_use != 0u) {
            return finish(cfg, r, RTM_MODEL_NOT_RECOVERED, cfg->ops, RTM_OK);
        }
    }
    if (r.allocations == 0u) {
        return finish(cfg, r, RTM_MODEL_NEVER_ALLOCATED, cfg->ops, RTM_OK);
    }
    return r;
}
