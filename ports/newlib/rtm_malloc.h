/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtm_malloc.h
 * @brief rtmem's O(1) heap as the C library's malloc (newlib and picolibc).
 *
 * Link ports/newlib/rtm_malloc.c into the firmware and every malloc, free,
 * calloc, realloc, memalign, aligned_alloc, posix_memalign and
 * malloc_usable_size -- the application's, and the C library's own
 * (printf's buffers, strdup, C++ new, std::vector) -- is served by one
 * rtm_heap. Guide: docs/malloc.md.
 *
 * The heap is created on the first allocation, so allocations before main()
 * (C library start-up, constructors) work. Its memory, in this order:
 *   1. the region given to rtm_malloc_set_region() before that first call;
 *   2. the linker symbols __rtm_heap_start .. __rtm_heap_end, if defined;
 *   3. __heap_start .. __heap_end (picolibc's picolibc.ld);
 *   4. end .. __HeapLimit, else end .. __StackLimit (the CMSIS names).
 * More regions can be added later with rtm_malloc_add_region().
 *
 * C semantics: malloc(0) returns a unique, freeable pointer (a 1-byte
 * block); free(NULL) does nothing; a failed allocation returns NULL with
 * errno ENOMEM; calloc refuses an n * size that overflows (ENOMEM);
 * realloc(p, 0) frees p and returns NULL (as newlib's); memalign and
 * aligned_alloc refuse an alignment that is not a power of two (EINVAL).
 * Every block is aligned to 8 bytes at least.
 *
 * Misuse -- freeing a pointer twice, an interior or foreign pointer, a
 * block whose neighbour was overrun -- is reported to the misuse hook with
 * rtmem's status; the heap is left unchanged. The default hook writes one
 * line to file descriptor 2 and traps (__builtin_trap(): `udf` on Arm).
 *
 * Locking: every call runs between __malloc_lock() and __malloc_unlock(),
 * the C library's own hooks; override them (or newlib's retargetable locks)
 * for an RTOS or interrupts that allocate, e.g. with ports/baremetal. Under
 * picolibc, whose lock lives in the malloc this file replaces, the file
 * defines them as weak no-ops.
 */
#ifndef RTM_MALLOC_H
#define RTM_MALLOC_H

#include <stddef.h>

#include "rtmem/heap.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Misuse hook: `status` is rtmem's verdict (RTM_ERR_DOUBLE_FREE,
 * RTM_ERR_INVALID_POINTER, RTM_ERR_CORRUPTED, or RTM_ERR_NO_MEMORY when no
 * heap memory could be found at all), `func` the C function that was called
 * ("free", "realloc", "malloc_usable_size", "heap set-up"), `ptr` the
 * pointer it was given, `ctx` the hook's context. Called with the malloc
 * lock held: it must not allocate. When it returns, the call returns as a
 * failure (free does nothing, realloc returns NULL).
 */
typedef void (*rtm_malloc_misuse_fn)(rtm_status_t status, const char *func, void *ptr, void *ctx);

/**
 * Name the heap's first region. Only before the heap exists (before the
 * first allocation; a constructor with priority 101 or the reset handler
 * is early enough for newlib).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `mem` or a `size` below
 *         RTM_HEAP_MIN_ARENA; RTM_ERR_UNSUPPORTED once the heap exists.
 * O(1).
 */
rtm_status_t rtm_malloc_set_region(void *mem, size_t size);

/**
 * Add a region (a second RAM bank...) to the heap, creating it first if
 * needed. @return as rtm_heap_add_region(), or RTM_ERR_NO_MEMORY when the
 * heap cannot be created. O(RTM_HEAP_MAX_REGIONS), takes the malloc lock.
 */
rtm_status_t rtm_malloc_add_region(void *mem, size_t size);

/**
 * Set the misuse hook and its context; NULL restores the default (message
 * on file descriptor 2, then a trap). O(1).
 */
void rtm_malloc_set_misuse_hook(rtm_malloc_misuse_fn hook, void *ctx);

/**
 * The heap behind malloc, created if needed (NULL when no memory could be
 * found), for rtm_heap_stats() and rtm_heap_check(). Calls on it directly
 * bypass the malloc lock. O(1).
 */
rtm_heap_t *rtm_malloc_heap(void);

#ifdef __cplusplus
}
#endif

#endif /* RTM_MALLOC_H */
