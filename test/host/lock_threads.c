/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Host-only stress test of the lock decorator (pthreads; built with
 * -fsanitize=thread by mk/threads.mk, target `test-threads`).
 *
 * Four threads hammer ONE pool through ONE lock decorator: allocate, fill with a
 * pattern unique to (thread, block), verify, reallocate, free, and now and then
 * read the statistics and run the integrity check through the decorator. At the
 * end the pool's counters must equal the sum of what the threads did, exactly;
 * lost updates (a race) make them disagree, a block handed to two threads breaks
 * a fill pattern, and ThreadSanitizer reports any unsynchronized access.
 *
 *   lock_threads            must pass: exit 0, no ThreadSanitizer report
 *   lock_threads --no-lock  the same with no-op lock callbacks: must fail
 *                           (the negative control that shows the test can fail)
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/lock.h"
#include "rtmem/pool.h"

#define THREADS 4
#define OPS_PER_THREAD 20000u
#define MAX_LIVE 48u
#define BLOCK 64u
#define BLOCKS_ROOM 40u /* fewer than MAX_LIVE: even one thread alone runs the pool dry */

static union {
    unsigned char bytes[BLOCKS_ROOM * BLOCK + 512];
    unsigned long long align;
} arena;

static pthread_barrier_t start_line; /* all threads start hammering together */

typedef struct worker {
    int id;
    rtm_allocator_t alloc;
    unsigned long allocs, frees, reallocs, no_memory, checks;
    unsigned long errors; /* pattern mismatches and unexpected statuses */
} worker_t;

static void mutex_lock(void *user)
{
    if (pthread_mutex_lock((pthread_mutex_t *)user) != 0) {
        abort();
    }
}

static void mutex_unlock(void *user)
{
    if (pthread_mutex_unlock((pthread_mutex_t *)user) != 0) {
        abort();
    }
}

static void no_lock(void *user)
{
    (void)user;
}

static unsigned char pattern(int thread, unsigned long tag, size_t i)
{
    return (unsigned char)((unsigned long)thread * 67u + tag * 31u + i * 7u);
}

static void fill(unsigned char *p, size_t n, int thread, unsigned long tag)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = pattern(thread, tag, i);
    }
}

static int intact(const unsigned char *p, size_t n, int thread, unsigned long tag)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != pattern(thread, tag, i)) {
            return 0;
        }
    }
    return 1;
}

static uint32_t next_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static void *run(void *arg)
{
    worker_t *w = (worker_t *)arg;
    struct {
        unsigned char *p;
        size_t size;
        unsigned long tag;
    } live[MAX_LIVE];
    unsigned n = 0;
    unsigned long tag = 1;
    uint32_t rng = 0x12345u + (uint32_t)w->id * 0x9e3779b9u;
    pthread_barrier_wait(&start_line);

    for (unsigned long op = 0; op < OPS_PER_THREAD; op++) {
        uint32_t roll = next_rand(&rng) % 100u;
        if (n == 0u || (n < MAX_LIVE && roll < 50u)) {
            size_t size = 1u + next_rand(&rng) % BLOCK;
            void *p = NULL;
            rtm_status_t s = rtm_allocator_allocate(&w->alloc, size, 0, &p);
            if (s == RTM_ERR_NO_MEMORY) {
                w->no_memory++;
            } else if (s != RTM_OK) {
                w->errors++;
            } else {
                live[n].p = (unsigned char *)p;
                live[n].size = size;
                live[n].tag = tag++;
                fill(live[n].p, size, w->id, live[n].tag);
                n++;
                w->allocs++;
            }
        } else {
            unsigned i = next_rand(&rng) % n;
            if (!intact(live[i].p, live[i].size, w->id, live[i].tag)) {
                w->errors++;
            }
            if (roll < 65u) {
                size_t size = 1u + next_rand(&rng) % BLOCK;
                void *q = NULL;
                if (rtm_allocator_reallocate(&w->alloc, live[i].p, live[i].size, size, 0, &q) != RTM_OK) {
                    w->errors++;
                } else {
                    size_t kept = size < live[i].size ? size : live[i].size;
                    if (!intact((unsigned char *)q, kept, w->id, live[i].tag)) {
                        w->errors++;
                    }
                    live[i].p = (unsigned char *)q;
                    live[i].size = size;
                    fill(live[i].p, size, w->id, live[i].tag);
                    w->reallocs++;
                }
            } else {
                if (rtm_allocator_deallocate(&w->alloc, live[i].p, live[i].size) != RTM_OK) {
                    w->errors++;
                }
                live[i] = live[--n];
                w->frees++;
            }
        }
        if (op % 1024u == 0u) {
            rtm_alloc_stats_t st;
            rtm_allocator_stats(&w->alloc, &st);
            if (rtm_allocator_check(&w->alloc) != RTM_OK || st.bytes_in_use > st.capacity) {
                w->errors++;
            }
            w->checks++;
        }
    }
    while (n > 0u) {
        n--;
        if (!intact(live[n].p, live[n].size, w->id, live[n].tag) ||
            rtm_allocator_deallocate(&w->alloc, live[n].p, live[n].size) != RTM_OK) {
            w->errors++;
        }
        w->frees++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int locked = !(argc > 1 && strcmp(argv[1], "--no-lock") == 0);
    pthread_mutex_t mutex;
    if (pthread_mutex_init(&mutex, NULL) != 0 || pthread_barrier_init(&start_line, NULL, THREADS) != 0) {
        return 2;
    }
    rtm_pool_t *pool = NULL;
    if (rtm_pool_init(arena.bytes, sizeof arena.bytes, BLOCK, 8, &pool) != RTM_OK) {
        fprintf(stderr, "lock_threads: pool init failed\n");
        return 2;
    }
    rtm_pool_stats_t ps;
    rtm_pool_get_stats(pool, &ps);
    rtm_allocator_t inner = rtm_pool_allocator(pool);
    rtm_lock_t lock;
    if (rtm_lock_init(&lock, &inner, locked ? mutex_lock : no_lock, locked ? mutex_unlock : no_lock, &mutex) !=
        RTM_OK) {
        return 2;
    }

    worker_t w[THREADS];
    pthread_t t[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++) {
        w[i].id = i;
        w[i].alloc = rtm_lock_allocator(&lock);
        if (pthread_create(&t[i], NULL, run, &w[i]) != 0) {
            return 2;
        }
    }
    unsigned long allocs = 0, frees = 0, reallocs = 0, no_memory = 0, errors = 0, checks = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        allocs += w[i].allocs;
        frees += w[i].frees;
        reallocs += w[i].reallocs;
        no_memory += w[i].no_memory;
        errors += w[i].errors;
        checks += w[i].checks;
    }

    /* Exact bookkeeping: a realloc counts one allocation and one deallocation. */
    rtm_allocator_t a = rtm_lock_allocator(&lock);
    rtm_alloc_stats_t st;
    rtm_allocator_stats(&a, &st);
    int ok = 1;
#define EXPECT(cond)                                                       \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "lock_threads: FAILED: %s\n", #cond);          \
            ok = 0;                                                        \
        }                                                                  \
    } while (0)
    EXPECT(errors == 0u);
    EXPECT(allocs == frees);
    EXPECT(st.total_allocations == (uint32_t)(allocs + reallocs));
    EXPECT(st.total_deallocations == (uint32_t)(frees + reallocs));
    EXPECT(st.current_allocations == 0u);
    EXPECT(st.bytes_in_use == 0u);
    EXPECT(st.allocation_failures == (uint32_t)no_memory);
    EXPECT(st.peak_memory_usage <= ps.total_blocks * ps.block_size);
    EXPECT(rtm_allocator_check(&a) == RTM_OK);
    EXPECT(no_memory > 0u); /* the pool really ran dry under contention */
    printf("lock_threads (%s): %d threads, %lu allocations, %lu reallocations, %lu frees, "
           "%lu exhausted, %lu checks: %s\n",
           locked ? "locked" : "NO LOCK", THREADS, allocs, reallocs, frees, no_memory, checks,
           ok ? "ok" : "FAILED");
    pthread_mutex_destroy(&mutex);
    pthread_barrier_destroy(&start_line);
    return ok ? 0 : 1;
}
