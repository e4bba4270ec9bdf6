/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtmem's O(1) heap as the C library's malloc: the contract is in
 * rtm_malloc.h, the guide in docs/malloc.md. A thin port: every call is
 * the C semantics mapped onto rtm_heap_* inside the C library's malloc
 * lock; the heap itself is untouched.
 *
 * newlib reaches its allocator through the reentrant _malloc_r family
 * (stdio's buffers, strdup, the locale code...), and the plain functions
 * are one-line wrappers of those, so both are defined here: then none of
 * newlib's malloc objects is pulled into the link (a duplicate definition
 * would be a link error, never a silent second heap). picolibc has no
 * struct _reent and calls the plain functions only.
 */
#define _DEFAULT_SOURCE 1 /* write(), posix_memalign() and memalign() prototypes */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtm_malloc.h"

#if defined(__PICOLIBC__)
#define RTM_MALLOC_LOCK(r) ((void)(r), __malloc_lock())
#define RTM_MALLOC_UNLOCK(r) ((void)(r), __malloc_unlock())
#define RTM_SET_ERRNO(r, e) ((void)(r), errno = (e))
typedef void reent_t;
#define RTM_REENT NULL
#else
#include <reent.h>
#define RTM_MALLOC_LOCK(r) __malloc_lock(r)
#define RTM_MALLOC_UNLOCK(r) __malloc_unlock(r)
#define RTM_SET_ERRNO(r, e) ((r)->_errno = (e))
typedef struct _reent reent_t;
#define RTM_REENT _REENT
#endif

#if defined(__PICOLIBC__)
/* picolibc defines its malloc lock inside its own malloc objects, which this
 * file replaces: weak no-ops here, which a threaded firmware overrides. */
__attribute__((weak)) void __malloc_lock(void)
{
}

__attribute__((weak)) void __malloc_unlock(void)
{
}
#endif

/* Prototypes the C library's headers may hide under strict -std=c11. */
void *memalign(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);
size_t malloc_usable_size(void *ptr);

/* Heap placement from the linker script, when it names one (weak: absent = NULL). */
extern char __rtm_heap_start[] __attribute__((weak));
extern char __rtm_heap_end[] __attribute__((weak));
extern char __heap_start[] __attribute__((weak));
extern char __heap_end[] __attribute__((weak));
extern char end[] __attribute__((weak));
extern char __HeapLimit[] __attribute__((weak));
extern char __StackLimit[] __attribute__((weak));

static rtm_heap_t *heap;
static void *named_mem;
static size_t named_size;
static rtm_malloc_misuse_fn misuse_hook;
static void *misuse_ctx;

/* ------------------------------------------------------------------------ */
/* The default misuse hook: one line on fd 2, then a trap. No allocation,   */
/* no stdio (it may be what is broken), no formatting library.              */

static size_t put_str(char *buf, size_t at, size_t cap, const char *s)
{
    while (*s != '\0' && at + 1u < cap) {
        buf[at++] = *s++;
    }
    return at;
}

static void default_misuse(rtm_status_t status, const char *func, void *ptr, void *ctx)
{
    char line[128];
    char hex[2u + 2u * sizeof(uintptr_t) + 1u];
    uintptr_t v = (uintptr_t)ptr;
    size_t n = 0;
    (void)ctx;
    hex[0] = '0';
    hex[1] = 'x';
    for (size_t i = 0; i < 2u * sizeof(uintptr_t); i++) {
        unsigned d = (unsigned)(v >> (4u * (2u * sizeof(uintptr_t) - 1u - i))) & 0xfu;
        hex[2u + i] = (char)(d < 10u ? '0' + (int)d : 'a' + (int)d - 10);
    }
    hex[sizeof hex - 1u] = '\0';
    n = put_str(line, n, sizeof line, "rtmem malloc: ");
    n = put_str(line, n, sizeof line, func);
    n = put_str(line, n, sizeof line, "(");
    n = put_str(line, n, sizeof line, hex);
    n = put_str(line, n, sizeof line, "): ");
    n = put_str(line, n, sizeof line, rtm_status_str(status));
    n = put_str(line, n, sizeof line, "\n");
    (void)write(2, line, n);
    __builtin_trap();
}

static void report(rtm_status_t status, const char *func, void *ptr)
{
    if (misuse_hook != NULL) {
        misuse_hook(status, func, ptr, misuse_ctx);
    } else {
        default_misuse(status, func, ptr, NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* The heap, created on first use (called with the lock held).              */

static rtm_heap_t *get_heap(void)
{
    if (heap != NULL) {
        return heap;
    }
    void *mem = named_mem;
    size_t size = named_size;
    if (mem == NULL) {
        char *lo = NULL, *hi = NULL;
        if (__rtm_heap_start != NULL && __rtm_heap_end != NULL) {
            lo = __rtm_heap_start;
            hi = __rtm_heap_end;
        } else if (__heap_start != NULL && __heap_end != NULL) {
            lo = __heap_start; /* picolibc's linker script */
            hi = __heap_end;
        } else if (end != NULL && __HeapLimit != NULL) {
            lo = end;
            hi = __HeapLimit;
        } else if (end != NULL && __StackLimit != NULL) {
            lo = end;
            hi = __StackLimit;
        }
        if (lo != NULL && (uintptr_t)hi > (uintptr_t)lo) {
            mem = lo;
            size = (size_t)((uintptr_t)hi - (uintptr_t)lo);
        }
    }
    if (mem == NULL || rtm_heap_init(mem, size, &heap) != RTM_OK) {
        heap = NULL;
        /* The usual cause: a linker script without the symbols above.
         * Loud, because the C library's start-up allocates before main(). */
        report(RTM_ERR_NO_MEMORY, "heap set-up", mem);
    }
    return heap;
}

/* One allocation at `align` (0 = 8), with the C rules for size 0 and errno. */
static void *alloc_locked(reent_t *r, size_t size, size_t align)
{
    void *p = NULL;
    rtm_heap_t *h = get_heap();
    if (h == NULL || rtm_heap_alloc(h, size == 0u ? 1u : size, align, &p) != RTM_OK) {
        RTM_SET_ERRNO(r, ENOMEM);
        return NULL;
    }
    return p;
}

static void *alloc_r(reent_t *r, size_t size, size_t align)
{
    RTM_MALLOC_LOCK(r);
    void *p = alloc_locked(r, size, align);
    RTM_MALLOC_UNLOCK(r);
    return p;
}

static void free_r(reent_t *r, void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    RTM_MALLOC_LOCK(r);
    rtm_status_t s = heap == NULL ? RTM_ERR_INVALID_POINTER : rtm_heap_free(heap, ptr);
    if (s != RTM_OK) {
        report(s, "free", ptr);
    }
    RTM_MALLOC_UNLOCK(r);
}

static void *calloc_r(reent_t *r, size_t n, size_t size)
{
    if (size != 0u && n > SIZE_MAX / size) {
        RTM_SET_ERRNO(r, ENOMEM);
        return NULL;
    }
    void *p = alloc_r(r, n * size, 0u);
    if (p != NULL) {
        memset(p, 0, n * size);
    }
    return p;
}

static void *realloc_r(reent_t *r, void *ptr, size_t size)
{
    if (ptr == NULL) {
        return alloc_r(r, size, 0u);
    }
    void *out = NULL;
    RTM_MALLOC_LOCK(r);
    rtm_status_t s = heap == NULL ? RTM_ERR_INVALID_POINTER : rtm_heap_realloc(heap, ptr, size, 0u, &out);
    if (s == RTM_ERR_NO_MEMORY) {
        RTM_SET_ERRNO(r, ENOMEM);
    } else if (s != RTM_OK) {
        report(s, "realloc", ptr);
    }
    RTM_MALLOC_UNLOCK(r);
    return out;
}

static void *memalign_r(reent_t *r, size_t align, size_t size)
{
    if (align == 0u || (align & (align - 1u)) != 0u) {
        RTM_SET_ERRNO(r, EINVAL);
        return NULL;
    }
    return alloc_r(r, size, align);
}

static size_t usable_size_r(reent_t *r, void *ptr)
{
    if (ptr == NULL) {
        return 0u;
    }
    RTM_MALLOC_LOCK(r);
    size_t n = heap == NULL ? 0u : rtm_heap_usable_size(heap, ptr);
    if (n == 0u) {
        report(RTM_ERR_INVALID_POINTER, "malloc_usable_size", ptr);
    }
    RTM_MALLOC_UNLOCK(r);
    return n;
}

/* ------------------------------------------------------------------------ */
/* The C library's entry points.                                            */

#if !defined(__PICOLIBC__)
void *_malloc_r(struct _reent *r, size_t size)
{
    return alloc_r(r, size, 0u);
}

void _free_r(struct _reent *r, void *ptr)
{
    free_r(r, ptr);
}

void *_calloc_r(struct _reent *r, size_t n, size_t size)
{
    return calloc_r(r, n, size);
}

void *_realloc_r(struct _reent *r, void *ptr, size_t size)
{
    return realloc_r(r, ptr, size);
}

void *_memalign_r(struct _reent *r, size_t align, size_t size)
{
    return memalign_r(r, align, size);
}

size_t _malloc_usable_size_r(struct _reent *r, void *ptr)
{
    return usable_size_r(r, ptr);
}
#endif

void *malloc(size_t size)
{
    return alloc_r(RTM_REENT, size, 0u);
}

void free(void *ptr)
{
    free_r(RTM_REENT, ptr);
}

void *calloc(size_t n, size_t size)
{
    return calloc_r(RTM_REENT, n, size);
}

void *realloc(void *ptr, size_t size)
{
    return realloc_r(RTM_REENT, ptr, size);
}

void *memalign(size_t align, size_t size)
{
    return memalign_r(RTM_REENT, align, size);
}

/* C11: any size is accepted (C17 dropped the multiple-of-align rule). */
void *aligned_alloc(size_t align, size_t size)
{
    return memalign_r(RTM_REENT, align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1u)) != 0u) {
        return EINVAL;
    }
    int saved = errno;
    void *p = alloc_r(RTM_REENT, size, align);
    errno = saved; /* posix_memalign reports through its result only */
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

size_t malloc_usable_size(void *ptr)
{
    return usable_size_r(RTM_REENT, ptr);
}

/* ------------------------------------------------------------------------ */
/* Configuration.                                                           */

rtm_status_t rtm_malloc_set_region(void *mem, size_t size)
{
    if (mem == NULL || size < RTM_HEAP_MIN_ARENA) {
        return RTM_ERR_INVALID_ARG;
    }
    rtm_status_t s = RTM_OK;
    RTM_MALLOC_LOCK(RTM_REENT);
    if (heap != NULL) {
        s = RTM_ERR_UNSUPPORTED;
    } else {
        named_mem = mem;
        named_size = size;
    }
    RTM_MALLOC_UNLOCK(RTM_REENT);
    return s;
}

rtm_status_t rtm_malloc_add_region(void *mem, size_t size)
{
    RTM_MALLOC_LOCK(RTM_REENT);
    rtm_heap_t *h = get_heap();
    rtm_status_t s = h == NULL ? RTM_ERR_NO_MEMORY : rtm_heap_add_region(h, mem, size);
    RTM_MALLOC_UNLOCK(RTM_REENT);
    return s;
}

void rtm_malloc_set_misuse_hook(rtm_malloc_misuse_fn hook, void *ctx)
{
    RTM_MALLOC_LOCK(RTM_REENT);
    misuse_hook = hook;
    misuse_ctx = ctx;
    RTM_MALLOC_UNLOCK(RTM_REENT);
}

rtm_heap_t *rtm_malloc_heap(void)
{
    RTM_MALLOC_LOCK(RTM_REENT);
    rtm_heap_t *h = get_heap();
    RTM_MALLOC_UNLOCK(RTM_REENT);
    return h;
}
