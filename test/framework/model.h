/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Randomized model test for any allocator reached through rtm_allocator_t.
 *
 * A seeded sequence of allocate / deallocate / reallocate runs against a shadow
 * model of the live blocks. After every operation it checks: returned blocks
 * are aligned, inside the arena, and overlap no live block; every live block
 * still holds its fill pattern (so realloc preserved contents and nothing was
 * overwritten); the allocator's integrity check passes; the statistics agree
 * with the model (live count, the invariants documented in rtmem/types.h,
 * accounted bytes >= requested bytes, failure counter). With misuse_pct, some
 * operations instead hand back a pointer freed earlier (and not live again)
 * or one inside a live block: it must be refused and leave no trace.
 */
#ifndef RTM_TEST_MODEL_H
#define RTM_TEST_MODEL_H

#include "rtm_test.h"

#define RTM_MODEL_MAX_LIVE 512u

/* Model failure kinds (rtm_model_result_t::failure). */
#define RTM_MODEL_OK 0
#define RTM_MODEL_BAD_STATUS 1      /* an operation returned an unexpected status */
#define RTM_MODEL_MISALIGNED 2      /* block not aligned as requested */
#define RTM_MODEL_OUT_OF_ARENA 3    /* block outside [arena_lo, arena_hi) */
#define RTM_MODEL_OVERLAP 4         /* block overlaps a live block */
#define RTM_MODEL_CONTENTS 5        /* a live block's fill pattern changed */
#define RTM_MODEL_CHECK 6           /* the allocator's integrity check failed */
#define RTM_MODEL_STATS 7           /* statistics disagree with the model */
#define RTM_MODEL_NOT_RECOVERED 8   /* after freeing everything, free space did not return */
#define RTM_MODEL_NEVER_ALLOCATED 9 /* the run never managed to allocate */
#define RTM_MODEL_MISUSE 10         /* a stale or interior pointer was accepted, or changed the stats */

typedef struct rtm_model_cfg {
    rtm_allocator_t alloc;
    uint32_t seed;
    unsigned long ops;
    size_t min_size;       /* request sizes, uniform in [min_size, max_size] */
    size_t max_size;
    size_t max_align_log2; /* alignments 2^0 .. 2^max_align_log2; 0 = always 0 (default) */
    size_t default_align;  /* alignment promised for align 0 (0 = not checked) */
    unsigned realloc_pct;  /* share of operations that reallocate (0 = none) */
    unsigned max_live;     /* <= RTM_MODEL_MAX_LIVE; occupancy target */
    uintptr_t arena_lo;    /* bounds every block must lie in (0, 0 = unchecked) */
    uintptr_t arena_hi;
    bool check_free_bytes; /* after freeing all: free_bytes back to its start value */
    bool lifo_only;        /* free only the most recent block (bump arenas) */
    unsigned misuse_pct;   /* share of operations that free a stale or interior pointer */
} rtm_model_cfg_t;

typedef struct rtm_model_result {
    int failure;           /* RTM_MODEL_* */
    unsigned long op;      /* operation index where it failed */
    rtm_status_t status;   /* the status involved, if any */
    unsigned long allocations; /* successful allocations in the run */
    unsigned long failures;    /* RTM_ERR_NO_MEMORY answers in the run */
    unsigned long misuses;     /* stale or interior pointers refused */
} rtm_model_result_t;

rtm_model_result_t rtm_model_run(const rtm_model_cfg_t *cfg);

/* Name of a RTM_MODEL_* failure kind, for messages. */
const char *rtm_model_failure_str(int failure);

/* Write / verify the fill pattern of a block (byte i of block tag t). */
void rtm_model_fill(void *p, size_t n, uint32_t tag);
bool rtm_model_verify(const void *p, size_t n, uint32_t tag);

/* Assert a model run passed, naming the failure and the operation otherwise. */
#define RTM_CHECK_MODEL(cfg_ptr)                                                   \
    do {                                                                           \
        rtm_model_result_t r_ = rtm_model_run(cfg_ptr);                            \
        RTM_CHECK_EQ(r_.failure, RTM_MODEL_OK);                                    \
        RTM_CHECK(r_.allocations > 0u);                                            \
        RTM_CHECK((cfg_ptr)->misuse_pct == 0u || r_.misuses > 0u);                 \
    } while (0)

#endif /* RTM_TEST_MODEL_H */
