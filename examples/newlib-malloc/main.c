/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtmem as the C library's malloc (ports/newlib/rtm_malloc.c, docs/malloc.md):
 * nothing to set up -- the heap is created from the linker's free RAM on the
 * first allocation, here by a constructor before main(). printf, strdup and
 * C++ all allocate from it; a double free reaches the misuse hook. Runs on
 * QEMU mps2-an386.
 */
#define _DEFAULT_SOURCE 1 /* strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_malloc.h"

int main(void);

static char *greeting;

__attribute__((constructor)) static void early(void)
{
    greeting = strdup("allocated by a constructor, before main()");
}

static unsigned misuse;

static void on_misuse(rtm_status_t status, const char *func, void *ptr, void *ctx)
{
    (void)ctx;
    (void)ptr;
    misuse++;
    printf("misuse hook: %s() -> %s\n", func, rtm_status_str(status)); /* the example's stdout buffer exists */
}

static void *launder(void *p)
{
    void *volatile v = p;
    return v;
}

int main(void)
{
    printf("%s\n", greeting);
    printf("floats through the C library's printf: %.5f %e\n", 3.14159265, 6.02214076e23);
    double *v = calloc(100, sizeof *v);
    if (v == NULL) {
        return 1;
    }
    free(launder(v));
    rtm_malloc_set_misuse_hook(on_misuse, NULL);
    free(launder(v)); /* a double free: reported, the heap untouched */

    rtm_alloc_stats_t st;
    rtm_heap_stats(rtm_malloc_heap(), &st);
    printf("heap behind malloc: %u allocations, %u live, peak %u bytes of %u; check %s\n",
           (unsigned)st.total_allocations, (unsigned)st.current_allocations, (unsigned)st.peak_memory_usage,
           (unsigned)st.capacity, rtm_status_str(rtm_heap_check(rtm_malloc_heap())));
    free(greeting);
    return misuse == 1u && rtm_heap_check(rtm_malloc_heap()) == RTM_OK ? 0 : 1;
}
