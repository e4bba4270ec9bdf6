/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Layer 1 and 2: version, status names, the allocator interface's wrappers. */
#include <string.h>

#include "rtm_test.h"

RTM_TEST(core, version_matches_macros)
{
    uint32_t v = rtm_version();
    RTM_CHECK_EQ(v >> 16, RTM_VERSION_MAJOR);
    RTM_CHECK_EQ((v >> 8) & 0xffu, RTM_VERSION_MINOR);
    RTM_CHECK_EQ(v & 0xffu, RTM_VERSION_PATCH);
    char expect[16];
    char *p = expect;
    unsigned parts[3] = {RTM_VERSION_MAJOR, RTM_VERSION_MINOR, RTM_VERSION_PATCH};
    for (int i = 0; i < 3; i++) {
        RTM_CHECK(parts[i] < 10u); /* single digits keep this check libc-free */
        *p++ = (char)('0' + (int)parts[i]);
        *p++ = i < 2 ? '.' : '\0';
    }
    RTM_CHECK(strcmp(rtm_version_string(), expect) == 0);
}

RTM_TEST(core, every_status_has_a_distinct_name)
{
    static const rtm_status_t codes[] = {
        RTM_OK,         RTM_ERR_NO_MEMORY,   RTM_ERR_INVALID_POINTER, RTM_ERR_OVERLAP,
        RTM_ERR_ALIGNMENT, RTM_ERR_ACCESS,   RTM_ERR_DOUBLE_FREE,     RTM_ERR_CORRUPTED,
        RTM_ERR_INVALID_ARG, RTM_ERR_UNSUPPORTED,
    };
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        const char *name = rtm_status_str(codes[i]);
        RTM_CHECK(strncmp(name, "RTM_", 4) == 0);
        RTM_CHECK(strcmp(name, "RTM_ERR_UNKNOWN") != 0);
        RTM_CHECK(i == 0 ? codes[i] == 0 : codes[i] < 0);
        for (size_t j = 0; j < i; j++) {
            RTM_CHECK(strcmp(name, rtm_status_str(codes[j])) != 0);
        }
    }
    RTM_CHECK(strcmp(rtm_status_str(1), "RTM_ERR_UNKNOWN") == 0);
    RTM_CHECK(strcmp(rtm_status_str(-1000), "RTM_ERR_UNKNOWN") == 0);
    RTM_CHECK(strcmp(rtm_status_str(RTM_ERR_DOUBLE_FREE), "RTM_ERR_DOUBLE_FREE") == 0);
}

/* A minimal allocator for exercising the wrappers: one 64-byte slot, no
 * reallocate/stats/check slots, so the wrappers' defaults are what runs. */
struct one_slot {
    unsigned char slot[2][64];
    bool used[2];
    unsigned frees;
};

static rtm_status_t slot_alloc(void *ctx, size_t size, size_t align, void **out)
{
    struct one_slot *o = (struct one_slot *)ctx;
    (void)align;
    if (size == 0u) {
        return RTM_ERR_INVALID_ARG;
    }
    for (int i = 0; i < 2; i++) {
        if (!o->used[i] && size <= 64u) {
            o->used[i] = true;
            *out = o->slot[i];
            return RTM_OK;
        }
    }
    return RTM_ERR_NO_MEMORY;
}

static rtm_status_t slot_free(void *ctx, void *ptr, size_t size)
{
    struct one_slot *o = (struct one_slot *)ctx;
    (void)size;
    for (int i = 0; i < 2; i++) {
        if (ptr == o->slot[i]) {
            if (!o->used[i]) {
                return RTM_ERR_DOUBLE_FREE;
            }
            o->used[i] = false;
            o->frees++;
            return RTM_OK;
        }
    }
    return RTM_ERR_INVALID_POINTER;
}

/* Deliberately short: declares only the two required slots. */
static const rtm_allocator_ops_t slot_ops = {
    (uint32_t)offsetof(rtm_allocator_ops_t, reallocate), 0u, slot_alloc, slot_free, NULL, NULL, NULL,
};

RTM_TEST(core, wrappers_refuse_bad_allocators)
{
    void *p = &p;
    rtm_allocator_t none = {NULL, NULL};
    RTM_CHECK_STATUS(rtm_allocator_allocate(NULL, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK(p == NULL);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&none, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&none, p, 8), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&none, NULL, 0, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_check(NULL), RTM_ERR_INVALID_ARG);
    rtm_alloc_stats_t st;
    memset(&st, 0xff, sizeof st);
    rtm_allocator_stats(&none, &st);
    RTM_CHECK_EQ(st.total_allocations, 0);
    rtm_allocator_stats(NULL, NULL); /* must not crash */

    /* A table whose size does not even cover the required slots is refused. */
    static const rtm_allocator_ops_t tiny = {4u, 0u, slot_alloc, slot_free, NULL, NULL, NULL};
    struct one_slot o;
    memset(&o, 0, sizeof o);
    rtm_allocator_t t = {&tiny, &o};
    RTM_CHECK_STATUS(rtm_allocator_allocate(&t, 8, 0, &p), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_allocator_allocate(&t, 8, 0, NULL), RTM_ERR_INVALID_ARG);
}

RTM_TEST(core, wrappers_supply_defaults_for_short_tables)
{
    struct one_slot o;
    memset(&o, 0, sizeof o);
    rtm_allocator_t a = {&slot_ops, &o};
    void *p = NULL;
    RTM_CHECK_OK(rtm_allocator_allocate(&a, 16, 0, &p));
    RTM_CHECK(p == o.slot[0]);
    memset(p, 0x5a, 16);

    /* Default reallocate: allocate + copy + free. */
    void *q = NULL;
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, p, 16, 32, 0, &q));
    RTM_CHECK(q == o.slot[1]);
    RTM_CHECK(!o.used[0]);
    for (int i = 0; i < 16; i++) {
        RTM_CHECK_EQ(((unsigned char *)q)[i], 0x5a);
    }
    /* Growth that cannot be met leaves the old block alone. */
    void *r = &r;
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, q, 32, 100, 0, &r), RTM_ERR_NO_MEMORY);
    RTM_CHECK(r == NULL);
    RTM_CHECK(o.used[1]);
    /* Realloc of a foreign block is refused and the new block is given back. */
    unsigned char foreign[8];
    RTM_CHECK_STATUS(rtm_allocator_reallocate(&a, foreign, 8, 8, 0, &r), RTM_ERR_INVALID_POINTER);
    RTM_CHECK(!o.used[0] && o.used[1]);
    /* NULL ptr is allocate; size 0 is free. */
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, NULL, 0, 8, 0, &r));
    RTM_CHECK(r == o.slot[0]);
    RTM_CHECK_OK(rtm_allocator_reallocate(&a, r, 8, 0, 0, &r));
    RTM_CHECK(r == NULL && !o.used[0]);
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, NULL, 0), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_allocator_deallocate(&a, q, 32));
    RTM_CHECK_STATUS(rtm_allocator_deallocate(&a, q, 32), RTM_ERR_DOUBLE_FREE);
    /* Default stats are zero, default check passes. */
    rtm_alloc_stats_t st;
    memset(&st, 0xff, sizeof st);
    rtm_allocator_stats(&a, &st);
    RTM_CHECK_EQ(st.total_allocations, 0);
    RTM_CHECK_EQ(st.flags, 0);
    RTM_CHECK_OK(rtm_allocator_check(&a));
}
