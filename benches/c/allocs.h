/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The table of allocators under test (allocs.c). */
#ifndef RTM_BENCH_ALLOCS_H
#define RTM_BENCH_ALLOCS_H

#include "trace.h"

extern const bench_alloc_t bench_allocs[];
extern const size_t bench_nallocs;

#endif
