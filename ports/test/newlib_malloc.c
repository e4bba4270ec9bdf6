/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtmem as newlib's malloc (ports/newlib/rtm_malloc.c) on QEMU mps2-an385
 * (Cortex-M3) and mps2-an386 (Cortex-M4F): allocation in a constructor
 * before main(), stdio with floats, strdup, the C rules (malloc(0), free(NULL),
 * ENOMEM, calloc overflow, realloc(p, 0)), the aligned family, the misuse
 * hook on a double and an interior free, the lock hooks' balance, and C++
 * new/delete and std::vector (newlib_cxx.cpp). The heap's own check runs
 * after each part.
 */
#define _DEFAULT_SOURCE 1 /* strdup */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rtm_malloc.h"

unsigned check_passed, check_failed;

void *memalign(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);
size_t malloc_usable_size(void *ptr);
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);
void cxx_tests(void); /* newlib_cxx.cpp */
int main(void);

/* ---- the C library's malloc lock, overridden to count and nest-check ---- */
static volatile unsigned lock_depth, lock_calls, lock_errors;

void __malloc_lock(struct _reent *r)
{
    (void)r;
    if (lock_depth != 0u) {
        lock_errors++; /* the port never nests the lock */
    }
    lock_depth++;
    lock_calls++;
}

void __malloc_unlock(struct _reent *r)
{
    (void)r;
    if (lock_depth == 0u) {
        lock_errors++;
    } else {
        lock_depth--;
    }
}

/* ---- allocation before main(): a constructor ---- */
static char *early_copy;
static void *early_block;

__attribute__((constructor)) static void before_main(void)
{
    early_block = malloc(428); /* the size newlib's start-up allocates, three times */
    early_copy = strdup("made before main");
}

/* ---- the misuse hook ---- */
/* volatile: the compiler takes free() for a function that writes no global. */
static volatile rtm_status_t last_status;
static const char *volatile last_func;
static void *volatile last_ptr;
static volatile unsigned misuse_calls;

static void record_misuse(rtm_status_t status, const char *func, void *ptr, void *ctx)
{
    (void)ctx;
    last_status = status;
    last_func = func;
    last_ptr = ptr;
    misuse_calls++;
}

/* Misuse and absurd sizes on purpose: hidden from the compiler's checks. */
static void *launder(void *p)
{
    void *volatile v = p;
    return v;
}

static size_t opaque(size_t n)
{
    volatile size_t v = n;
    return v;
}

static rtm_alloc_stats_t stats(void)
{
    rtm_alloc_stats_t st;
    rtm_heap_stats(rtm_malloc_heap(), &st);
    return st;
}

static void heap_ok(void)
{
    CHECK(rtm_heap_check(rtm_malloc_heap()) == RTM_OK);
    CHECK(lock_depth == 0u && lock_errors == 0u);
}

static void test_before_main(void)
{
    CHECK(early_block != NULL);
    CHECK(early_copy != NULL && strcmp(early_copy, "made before main") == 0);
    CHECK(malloc_usable_size(early_block) >= 428u);
    free(early_block);
    free(early_copy);
    heap_ok();
}

static void test_stdio(void)
{
    char buf[64];
    CHECK(printf("stdio: pi %.4f, e %e, %g\n", 3.14159265, 2.718281828, 0.5) > 0);
    CHECK(sprintf(buf, "%.3f|%8.2e|%d", 1.0 / 3.0, -12345.678, 42) > 0);
    CHECK(strcmp(buf, "0.333|-1.23e+04|42") == 0);
    CHECK(snprintf(buf, sizeof buf, "%.10f", 1e-5) == 12 && strcmp(buf, "0.0000100000") == 0);
    /* newlib gave stdout a buffer from malloc: it is ours. */
    CHECK(stats().current_allocations >= 1u);
    char *dup = strdup(buf);
    CHECK(dup != NULL && dup != buf && strcmp(dup, buf) == 0);
    free(dup);
    heap_ok();
}

static void test_c_rules(void)
{
    rtm_alloc_stats_t before = stats();
    void *z1 = malloc(0), *z2 = malloc(0);
    CHECK(z1 != NULL && z2 != NULL && z1 != z2);
    free(z1);
    free(z2);
    free(NULL);
    rtm_alloc_stats_t after = stats();
    CHECK(after.current_allocations == before.current_allocations);
    CHECK(after.total_deallocations == before.total_deallocations + 2u);

    errno = 0;
    CHECK(malloc(opaque(SIZE_MAX)) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(malloc(8u << 20) == NULL && errno == ENOMEM); /* more than the board's RAM */
    errno = 0;
    CHECK(calloc(opaque(SIZE_MAX / 2u + 2u), 2u) == NULL && errno == ENOMEM);
    errno = 0;
    CHECK(calloc(opaque(65536u), 65537u) == NULL && errno == ENOMEM); /* wraps to 64 KiB */
    CHECK(stats().current_allocations == before.current_allocations);

    /* calloc zeroes a block that held other data just before. */
    unsigned char *p = malloc(200);
    CHECK(p != NULL);
    memset(p, 0xa5, 200);
    free(p);
    unsigned char *q = calloc(50, 4);
    CHECK(q != NULL);
    int zero = 1;
    for (size_t i = 0; q != NULL && i < 200u; i++) {
        zero &= q[i] == 0u;
    }
    CHECK(zero);

    /* realloc keeps the contents; realloc(p, 0) frees and returns NULL. */
    for (size_t i = 0; q != NULL && i < 200u; i++) {
        q[i] = (unsigned char)i;
    }
    unsigned char *r = realloc(q, 5000);
    CHECK(r != NULL);
    int same = 1;
    for (size_t i = 0; r != NULL && i < 200u; i++) {
        same &= r[i] == (unsigned char)i;
    }
    CHECK(same);
    errno = 0;
    CHECK(realloc(launder(r), opaque(SIZE_MAX / 2u)) == NULL && errno == ENOMEM); /* r still owned */
    CHECK(r != NULL && r[199] == 199u);
    CHECK(realloc(launder(r), 0) == NULL);
    CHECK(stats().current_allocations == before.current_allocations);
    void *n = realloc(NULL, 24);
    CHECK(n != NULL && malloc_usable_size(n) >= 24u);
    free(n);
    heap_ok();
}

static void test_aligned(void)
{
    void *a = memalign(64, 100);
    void *b = aligned_alloc(256, 256);
    void *c = NULL;
    CHECK(a != NULL && ((uintptr_t)a & 63u) == 0u);
    CHECK(b != NULL && ((uintptr_t)b & 255u) == 0u);
    CHECK(posix_memalign(&c, 128, 10) == 0 && c != NULL && ((uintptr_t)c & 127u) == 0u);
    errno = 0;
    CHECK(memalign(48, 16) == NULL && errno == EINVAL);
    errno = 0;
    CHECK(aligned_alloc(0, 16) == NULL && errno == EINVAL);
    void *d = &d;
    CHECK(posix_memalign(&d, 2, 16) == EINVAL && d == (void *)&d); /* below sizeof(void *) */
    CHECK(posix_memalign(&d, 24, 16) == EINVAL);
    errno = 0;
    CHECK(posix_memalign(&d, 8, opaque(SIZE_MAX)) == ENOMEM && errno == 0 && d == (void *)&d);
    void *e = malloc(3);
    CHECK(e != NULL && ((uintptr_t)e & 7u) == 0u); /* 8 at least, always */
    free(a);
    free(b);
    free(c);
    free(e);
    heap_ok();
}

static void test_misuse(void)
{
    rtm_malloc_set_misuse_hook(record_misuse, NULL);
    char *p = malloc(64);
    char *keep = malloc(64);
    CHECK(p != NULL && keep != NULL);
    free(launder(p));
    rtm_alloc_stats_t before = stats();
    misuse_calls = 0;
    free(launder(p)); /* double free */
    CHECK(misuse_calls == 1u && last_status == RTM_ERR_DOUBLE_FREE && last_ptr == p);
    CHECK(last_func != NULL && strcmp(last_func, "free") == 0);
    CHECK(stats().total_deallocations == before.total_deallocations);
    heap_ok();

    free(launder(keep + 8)); /* interior pointer */
    CHECK(misuse_calls == 2u && last_status == RTM_ERR_INVALID_POINTER && last_ptr == keep + 8);
    CHECK(realloc(launder(p), 10) == NULL && misuse_calls == 3u && strcmp(last_func, "realloc") == 0);
    static char foreign[32];
    CHECK(malloc_usable_size(foreign) == 0u && misuse_calls == 4u);
    CHECK(malloc_usable_size(NULL) == 0u && misuse_calls == 4u);
    CHECK(stats().current_allocations == before.current_allocations);
    free(keep);
    heap_ok();
    rtm_malloc_set_misuse_hook(NULL, NULL);
}

static void test_config(void)
{
    static uint64_t extra[512];
    static uint64_t late[512];
    rtm_alloc_stats_t before = stats();
    CHECK(rtm_malloc_set_region(late, sizeof late) == RTM_ERR_UNSUPPORTED); /* heap exists */
    CHECK(rtm_malloc_set_region(NULL, 4096) == RTM_ERR_INVALID_ARG);
    CHECK(rtm_malloc_add_region(extra, sizeof extra) == RTM_OK);
    CHECK(stats().capacity > before.capacity);
    CHECK(rtm_malloc_add_region(extra, sizeof extra) == RTM_ERR_OVERLAP);
    CHECK(lock_calls > 0u);
    heap_ok();
}

int main(void)
{
    printf("rtmem as newlib's malloc: %s\n", rtm_version_string());
    test_before_main();
    test_stdio();
    test_c_rules();
    test_aligned();
    test_misuse();
    test_config();
    cxx_tests();
    heap_ok();
    rtm_alloc_stats_t st = stats();
    printf("heap: %u live blocks, %u bytes in use, peak %u, capacity %u\n", (unsigned)st.current_allocations,
           (unsigned)st.bytes_in_use, (unsigned)st.peak_memory_usage, (unsigned)st.capacity);
    printf("%u passed, %u failed\n", check_passed, check_failed);
    return check_failed == 0u ? 0 : 1;
}
