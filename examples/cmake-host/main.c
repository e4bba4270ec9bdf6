/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A CMake consumer of rtmem on the host: a heap, misuse refused, and a version check. */
#include <stdio.h>
#include <string.h>

#include "rtmem/rtmem.h"

int main(void)
{
    static uint64_t arena[2048];
    rtm_heap_t *heap;
    void *p = NULL;
    if (rtm_version() != ((RTM_VERSION_MAJOR << 16) | (RTM_VERSION_MINOR << 8) | RTM_VERSION_PATCH) ||
        rtm_heap_init(arena, sizeof arena, &heap) != RTM_OK || rtm_heap_alloc(heap, 100, 32, &p) != RTM_OK) {
        return 1;
    }
    memset(p, 1, 100);
    rtm_status_t twice = rtm_heap_free(heap, p) == RTM_OK ? rtm_heap_free(heap, p) : RTM_OK;
    printf("rtmem %s from CMake: second free %s, heap check %s\n", rtm_version_string(), rtm_status_str(twice),
           rtm_status_str(rtm_heap_check(heap)));
    return twice == RTM_ERR_DOUBLE_FREE && rtm_heap_check(heap) == RTM_OK ? 0 : 1;
}
