/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Host benchmark (x86-64 Linux): time per operation against glibc malloc in
 * the same process, fill ratio at the first failure, overhead per block, and
 * the fixed overhead of a fresh arena, for every allocator of allocs.c.
 *
 * Timing replays a trace generated once (trace.h) from an array, so each
 * allocator runs the same requests with the same loop around them; the
 * allocators take turns, ROUNDS times, and the median round counts.
 *
 * usage: bench_host [ops] [rounds] [seeds]   (defaults 1000000 7 100)
 * Prints a JSON object on stdout; docs/bench is written by report.py.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocs.h"

#define ARENA_MAX (1024u * 1024u)
#define LIVE_CAP 65536u

static union {
    unsigned char b[ARENA_MAX];
    uint64_t align;
} arena;

/* glibc, as one more table entry (it ignores the arena). */
static void *libc_init(void *mem, size_t size)
{
    (void)size;
    return mem;
}

static void *libc_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void libc_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

static const bench_alloc_t glibc = {"glibc malloc", BENCH_GENERAL, 0u, "malloc", "free", 1u,
                                    libc_init, libc_alloc, libc_free, NULL, NULL, NULL};

/* ---- recorded traces ---- */

struct op {
    uint32_t size; /* 0: free */
    uint32_t slot;
};

struct recorded {
    struct op *ops;
    size_t n;
    size_t slots;
};

/* Record the random trace as a sequence of (size, slot) operations: what
 * bench_run() would do if every allocation succeeded. */
static struct recorded record(const bench_trace_t *t)
{
    struct recorded r = {malloc(t->ops * sizeof(struct op)), 0u, 0u};
    uint32_t *live = malloc(LIVE_CAP * sizeof(uint32_t));
    uint32_t *sizes = malloc(LIVE_CAP * sizeof(uint32_t));
    uint32_t *free_slots = malloc(LIVE_CAP * sizeof(uint32_t));
    if (r.ops == NULL || live == NULL || sizes == NULL || free_slots == NULL) {
        fprintf(stderr, "bench_host: out of memory\n");
        exit(1);
    }
    size_t nlive = 0u, nfree_slots = 0u, bytes = 0u;
    bench_rng_t rng = {t->seed};
    for (unsigned long i = 0; i < t->ops; i++) {
        uint32_t roll = bench_rand(&rng) & 3u;
        int do_alloc = nlive == 0u || (bytes < t->target ? roll != 0u : roll == 0u);
        if (do_alloc && nlive < LIVE_CAP) {
            uint32_t size = (uint32_t)bench_range(&rng, t->lo, t->hi);
            uint32_t slot = nfree_slots > 0u ? free_slots[--nfree_slots] : (uint32_t)r.slots++;
            live[nlive] = slot;
            sizes[nlive++] = size;
            bytes += size;
            r.ops[r.n++] = (struct op){size, slot};
        } else {
            size_t k = (size_t)(bench_rand(&rng) % (uint32_t)nlive);
            r.ops[r.n++] = (struct op){0u, live[k]};
            free_slots[nfree_slots++] = live[k];
            bytes -= sizes[k];
            live[k] = live[nlive - 1u];
            sizes[k] = sizes[--nlive];
        }
    }
    free(live);
    free(sizes);
    free(free_slots);
    return r;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Replay once from a fresh allocator; returns ns per operation (failed
 * allocations counted in *failures). Everything still live is freed after
 * the clock stops. */
static double replay(const bench_alloc_t *a, size_t arena_size, const struct recorded *r, void **slot,
                     unsigned long *failures)
{
    void *ctx = a->init(arena.b, arena_size);
    if (ctx == NULL) {
        fprintf(stderr, "bench_host: %s: init failed\n", a->name);
        exit(1);
    }
    memset(slot, 0, r->slots * sizeof *slot);
    unsigned long fails = 0u;
    double t0 = now_ns();
    for (size_t i = 0; i < r->n; i++) {
        const struct op *o = &r->ops[i];
        if (o->size != 0u) {
            void *p = a->alloc(ctx, o->size);
            fails += p == NULL;
            slot[o->slot] = p;
        } else if (slot[o->slot] != NULL) {
            a->free(ctx, slot[o->slot], 0u);
            slot[o->slot] = NULL;
        }
    }
    double t1 = now_ns();
    for (size_t i = 0; i < r->slots; i++) {
        if (slot[i] != NULL) {
            a->free(ctx, slot[i], 0u);
            slot[i] = NULL;
        }
    }
    *failures = fails;
    return (t1 - t0) / (double)r->n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- fill ratio, overhead ---- */

static bench_live_t fill_live[LIVE_CAP];

/* Requested bytes live at the first failure / arena size, for seeds 1..n. */
static void fill_ratio(const bench_alloc_t *a, size_t arena_size, size_t lo, size_t hi, unsigned seeds,
                       unsigned long churn, double *mean, double *min, double *max)
{
    double sum = 0.0;
    *min = 2.0;
    *max = 0.0;
    for (unsigned s = 1; s <= seeds; s++) {
        void *ctx = a->init(arena.b, arena_size);
        size_t n = 0u;
        if (churn != 0u) {
            bench_trace_t t = {s, churn, lo, hi, arena_size / 2u, 0};
            (void)bench_run(a, ctx, &t, fill_live, LIVE_CAP, &n);
        }
        size_t bytes = 0u;
        for (size_t i = 0; i < n; i++) {
            bytes += fill_live[i].size;
        }
        bytes += bench_fill(a, ctx, s * 2654435761u + 1u, lo, hi, fill_live, LIVE_CAP, &n);
        double f = (double)bytes / (double)arena_size;
        sum += f;
        *min = f < *min ? f : *min;
        *max = f > *max ? f : *max;
    }
    *mean = sum / seeds;
}

/* Bytes per block beyond the request: the distance between two blocks
 * allocated one after the other from a fresh arena, minus the request
 * (100 bytes, so an 8-byte granule with a 4-byte header fits exactly). */
static long overhead(const bench_alloc_t *a)
{
    size_t n = a->kind == BENCH_FIXED ? a->block : 100u;
    void *ctx = a->init(arena.b, 65536u);
    unsigned char *p = a->alloc(ctx, n);
    unsigned char *q = a->alloc(ctx, n);
    long d = p != NULL && q != NULL ? (long)(q > p ? q - p : p - q) - (long)n : -1;
    if (a->kind != BENCH_FILL) {
        a->free(ctx, q, n);
        a->free(ctx, p, n);
    }
    return d;
}

/* The alignment every block had: the lowest address bit set in any of 256
 * blocks of 1..64 bytes (the pool: its block size) from a fresh arena. */
static unsigned long min_align(const bench_alloc_t *a)
{
    void *ctx = a->init(arena.b, 65536u);
    uintptr_t acc = 0u;
    for (size_t i = 0; i < 256u; i++) {
        void *p = a->alloc(ctx, a->kind == BENCH_FIXED ? a->block : 1u + i % 64u);
        if (p == NULL) {
            break;
        }
        acc |= (uintptr_t)p;
    }
    return (unsigned long)(acc & (~acc + 1u));
}

/* Bytes a fresh 64 KiB arena keeps for itself: arena - the largest request
 * that succeeds (binary search over requests). */
static long fixed_overhead(const bench_alloc_t *a)
{
    size_t lo = 0u, hi = 65536u;
    while (lo + 1u < hi) {
        size_t mid = (lo + hi) / 2u;
        void *ctx = a->init(arena.b, 65536u);
        void *p = a->alloc(ctx, mid);
        if (p != NULL) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return 65536 - (long)lo;
}

int main(int argc, char **argv)
{
    unsigned long ops = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000ul;
    unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 7u;
    unsigned seeds = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 100u;

    /* Timed traces; each runs the allocators of its kind and glibc. */
    struct scenario {
        const char *name;
        unsigned kind;
        size_t arena, lo, hi;
    } scen[] = {
        {"random 8..256 B, 64 KiB", BENCH_GENERAL, 65536u, 8u, 256u},
        {"random 8..4096 B, 1 MiB", BENCH_GENERAL, 1024u * 1024u, 8u, 4096u},
        {"random 32 B blocks, 64 KiB", BENCH_FIXED, 65536u, 32u, 32u},
    };
    const size_t nscen = sizeof scen / sizeof scen[0];
    const bench_alloc_t *who[16];
    int first = 1;

    printf("{\n  \"ops\": %lu, \"rounds\": %u, \"seeds\": %u,\n  \"timing\": [\n", ops, rounds, seeds);
    for (size_t s = 0; s < nscen; s++) {
        size_t nall = 0u;
        for (size_t a = 0; a < bench_nallocs && nall < 15u; a++) {
            if (bench_allocs[a].kind == scen[s].kind &&
                (scen[s].kind != BENCH_FIXED || bench_allocs[a].block == scen[s].lo)) {
                who[nall++] = &bench_allocs[a];
            }
        }
        if (nall == 0u) {
            continue;
        }
        who[nall++] = &glibc;
        bench_trace_t t = {1u, ops, scen[s].lo, scen[s].hi, scen[s].arena / 2u, 0};
        struct recorded r = record(&t);
        void **slot = calloc(r.slots + 1u, sizeof(void *));
        double *ns = calloc(nall * rounds, sizeof(double));
        unsigned long *fails = calloc(nall, sizeof(unsigned long));
        if (slot == NULL || ns == NULL || fails == NULL) {
            return 1;
        }
        for (size_t a = 0; a < nall; a++) { /* warm up: page in arena and glibc's heap */
            (void)replay(who[a], scen[s].arena, &r, slot, &fails[a]);
        }
        for (unsigned k = 0; k < rounds; k++) {
            for (size_t a = 0; a < nall; a++) {
                ns[a * rounds + k] = replay(who[a], scen[s].arena, &r, slot, &fails[a]);
            }
        }
        for (size_t a = 0; a < nall; a++) {
            qsort(&ns[a * rounds], rounds, sizeof(double), cmp_double);
        }
        double libc = ns[(nall - 1u) * rounds + rounds / 2u];
        for (size_t a = 0; a < nall; a++) {
            double med = ns[a * rounds + rounds / 2u];
            printf("%s    {\"scenario\": \"%s\", \"allocator\": \"%s\", \"ns_per_op\": %.3f, \"min_ns\": %.3f, "
                   "\"max_ns\": %.3f, \"ratio_to_glibc\": %.3f, \"failures\": %lu}",
                   first ? "" : ",\n", scen[s].name, who[a]->name, med, ns[a * rounds],
                   ns[a * rounds + rounds - 1u], med / libc, fails[a]);
            first = 0;
        }
        free(slot);
        free(ns);
        free(fails);
        free(r.ops);
    }
    printf("\n  ],\n  \"allocators\": [\n");
    for (size_t a = 0; a < bench_nallocs; a++) {
        const bench_alloc_t *al = &bench_allocs[a];
        /* A pool fills with its block size; the others with the traces' sizes. */
        size_t lo1 = al->kind == BENCH_FIXED ? al->block : 8u, hi1 = al->kind == BENCH_FIXED ? al->block : 256u;
        size_t lo2 = al->kind == BENCH_FIXED ? al->block : 8u, hi2 = al->kind == BENCH_FIXED ? al->block : 4096u;
        unsigned s2 = seeds < 20u ? seeds : 20u;
        double m1, n1, x1, m2, n2, x2, m3 = 0.0, n3 = 0.0, x3 = 0.0;
        fill_ratio(al, 65536u, lo1, hi1, seeds, 0u, &m1, &n1, &x1);
        fill_ratio(al, 1024u * 1024u, lo2, hi2, s2, 0u, &m2, &n2, &x2);
        if (al->kind != BENCH_FILL) {
            fill_ratio(al, 65536u, lo1, hi1, s2, 20000u, &m3, &n3, &x3);
        }
        printf("    {\"allocator\": \"%s\", \"kind\": %u, \"fill_64k\": [%.4f, %.4f, %.4f], "
               "\"fill_1m\": [%.4f, %.4f, %.4f], \"fill_after_churn_64k\": [%.4f, %.4f, %.4f], "
               "\"overhead_per_block\": %ld, \"fixed_overhead_64k\": %ld, \"min_align\": %lu}%s\n",
               al->name, al->kind, m1, n1, x1, m2, n2, x2, m3, n3, x3, overhead(al), fixed_overhead(al), min_align(al),
               a + 1u == bench_nallocs ? "" : ",");
    }
    printf("  ]\n}\n");
    return 0;
}
