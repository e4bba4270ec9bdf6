/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A CMake-built Cortex-M4F firmware: printf of floats, strdup and malloc all
 * served by rtmem's heap (rtmem::malloc), whose statistics it prints. */
#define _DEFAULT_SOURCE 1 /* strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_malloc.h"

int main(void)
{
    char *name = strdup("cortex-m4f");
    double *samples = malloc(16 * sizeof *samples);
    if (name == NULL || samples == NULL) {
        return 1;
    }
    double sum = 0.0;
    for (int i = 0; i < 16; i++) {
        samples[i] = 0.25 * i;
        sum += samples[i];
    }
    printf("%s: mean of 16 samples %.3f\n", name, sum / 16.0);
    free(samples);
    free(name);
    rtm_alloc_stats_t st;
    rtm_heap_stats(rtm_malloc_heap(), &st);
    printf("malloc is rtmem %s: %u allocations, %u live, capacity %u bytes, check %s\n", rtm_version_string(),
           (unsigned)st.total_allocations, (unsigned)st.current_allocations, (unsigned)st.capacity,
           rtm_status_str(rtm_heap_check(rtm_malloc_heap())));
    return st.total_allocations >= 3u && rtm_heap_check(rtm_malloc_heap()) == RTM_OK ? 0 : 1;
}
