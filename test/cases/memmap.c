/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Memory map: sorted regions, overlap and wrap detection, lookup, used bytes, fragmentation. */
#include <string.h>

#include "rtm_test.h"

#define RW (RTM_PERM_READ | RTM_PERM_WRITE)
#define RX (RTM_PERM_READ | RTM_PERM_EXEC)

/* The map after the test's regions, in address order, for comparisons. */
static bool same_starts(const rtm_memmap_t *m, const uintptr_t *starts, size_t n)
{
    if (rtm_memmap_count(m) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        rtm_region_t r;
        if (rtm_memmap_get(m, i, &r) != RTM_OK || r.start != starts[i]) {
            return false;
        }
    }
    return true;
}

/* floor(1000 * (free - largest) / free), the documented formula, from region data. */
static uint32_t expect_frag(const size_t *free_per_heap, size_t n)
{
    unsigned long long total = 0, largest = 0;
    for (size_t i = 0; i < n; i++) {
        total += free_per_heap[i];
        largest = free_per_heap[i] > largest ? free_per_heap[i] : largest;
    }
    return total == 0u ? 0u : (uint32_t)((total - largest) * 1000u / total);
}

RTM_TEST(memmap, regions_are_kept_sorted_and_found_by_address)
{
    rtm_region_t table[8];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 8));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x20000000u, 0x10000u, RTM_REGION_DATA, RW, "sram"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x08000000u, 0x80000u, RTM_REGION_CODE, RX, "flash"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x40000000u, 0x1000u, RTM_REGION_DEVICE, RW, "uart"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x20010000u, 0x8000u, RTM_REGION_HEAP, RW, "heap"));
    const uintptr_t order[4] = {0x08000000u, 0x20000000u, 0x20010000u, 0x40000000u};
    RTM_CHECK(same_starts(&m, order, 4));
    rtm_region_t r;
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x20000000u, &r));
    RTM_CHECK(strcmp(r.name, "sram") == 0);
    RTM_CHECK_EQ(r.type, RTM_REGION_DATA);
    RTM_CHECK_EQ(r.perms, RW);
    RTM_CHECK_EQ(r.used, 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x2000FFFFu, &r)); /* last byte */
    RTM_CHECK(strcmp(r.name, "sram") == 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x20010000u, &r)); /* the next region's first */
    RTM_CHECK(strcmp(r.name, "heap") == 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x08012345u, &r));
    RTM_CHECK(strcmp(r.name, "flash") == 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x40000FFFu, &r));
    RTM_CHECK(strcmp(r.name, "uart") == 0);
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0x20018000u, &r), RTM_ERR_INVALID_POINTER); /* one past */
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0x07FFFFFFu, &r), RTM_ERR_INVALID_POINTER); /* one before */
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0x30000000u, &r), RTM_ERR_INVALID_POINTER); /* a gap */
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0, &r), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_STATUS(rtm_memmap_find(&m, UINTPTR_MAX, &r), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_memmap_check(&m));

    /* Many regions added in a scrambled order come out sorted; every byte boundary found. */
    rtm_region_t big[40];
    RTM_CHECK_OK(rtm_memmap_init(&m, big, 40));
    for (uintptr_t i = 0; i < 40u; i++) {
        uintptr_t k = (i * 17u) % 40u; /* a permutation of 0..39 */
        RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x1000u + k * 0x100u, 0x80u + k, RTM_REGION_RESERVED, 0, NULL));
    }
    for (uintptr_t k = 0; k < 40u; k++) {
        RTM_CHECK_OK(rtm_memmap_get(&m, k, &r));
        RTM_CHECK_EQ(r.start, 0x1000u + k * 0x100u);
        RTM_CHECK_OK(rtm_memmap_find(&m, r.start + r.size - 1u, &r));
        RTM_CHECK_EQ(r.start, 0x1000u + k * 0x100u);
        RTM_CHECK_STATUS(rtm_memmap_find(&m, r.start + r.size, &r), RTM_ERR_INVALID_POINTER);
    }
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, overlaps_are_refused_and_adjacent_regions_accepted)
{
    rtm_region_t table[8];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 8));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x1000u, 0x1000u, RTM_REGION_DATA, RW, "a"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x4000u, 0x1000u, RTM_REGION_DATA, RW, "b"));
    const struct {
        uintptr_t start;
        size_t size;
    } bad[] = {
        {0x1000u, 0x1000u}, /* identical */
        {0x0800u, 0x4000u}, /* contains a */
        {0x1800u, 0x10u},   /* inside a */
        {0x0F00u, 0x101u},  /* one byte into a's start */
        {0x1FFFu, 0x10u},   /* a's last byte */
        {0x3000u, 0x1001u}, /* one byte into b */
        {0x1FFFu, 0x2002u}, /* spans both */
        {0x4FFFu, 1u},      /* b's last byte only */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        RTM_CHECK_STATUS(rtm_memmap_add_region(&m, bad[i].start, bad[i].size, RTM_REGION_HEAP, RW, "x"),
                         RTM_ERR_OVERLAP);
        RTM_CHECK_EQ(rtm_memmap_count(&m), 2);
    }
    /* Touching on either side is not overlapping. */
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x0F00u, 0x100u, RTM_REGION_STACK, RW, "below"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x2000u, 0x2000u, RTM_REGION_BSS, RW, "between"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x5000u, 0x10u, RTM_REGION_HEAP, RW, "above"));
    const uintptr_t order[5] = {0x0F00u, 0x1000u, 0x2000u, 0x4000u, 0x5000u};
    RTM_CHECK(same_starts(&m, order, 5));
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, address_space_ends_are_handled_without_wrapping)
{
    rtm_region_t table[4];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 4));
    /* A region ending exactly at the top of the address space is fine... */
    RTM_CHECK_OK(rtm_memmap_add_region(&m, UINTPTR_MAX - 0xFFu, 0x100u, RTM_REGION_DEVICE, RW, "top"));
    rtm_region_t r;
    RTM_CHECK_OK(rtm_memmap_find(&m, UINTPTR_MAX, &r));
    RTM_CHECK(strcmp(r.name, "top") == 0);
    /* ...one that wraps around is not, nor anything overlapping the top one. */
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, UINTPTR_MAX - 0x1FFu, 0x201u, RTM_REGION_DATA, RW, "wrap"),
                     RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, 2, SIZE_MAX, RTM_REGION_DATA, RW, "all"), RTM_ERR_INVALID_ARG);
    /* [1, top] does not wrap: it is refused only because it overlaps "top". */
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, 1, SIZE_MAX, RTM_REGION_DATA, RW, "all"), RTM_ERR_OVERLAP);
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, UINTPTR_MAX, 2, RTM_REGION_DATA, RW, "x"), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, UINTPTR_MAX - 0x1FFu, 0x101u, RTM_REGION_DATA, RW, "x"),
                     RTM_ERR_OVERLAP);
    /* Address 0 and the whole space below the top region. */
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0, 1, RTM_REGION_RESERVED, 0, "null"));
    RTM_CHECK_OK(rtm_memmap_find(&m, 0, &r));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 1, SIZE_MAX - 0x100u, RTM_REGION_DATA, RW, "rest"));
    RTM_CHECK_OK(rtm_memmap_find(&m, UINTPTR_MAX / 2u, &r));
    RTM_CHECK(strcmp(r.name, "rest") == 0);
    rtm_memmap_stats_t st;
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.total, SIZE_MAX); /* saturated: the map covers the whole space */
    RTM_CHECK_EQ(st.region_count, 3);
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, names_are_copied_and_truncated_safely)
{
    rtm_region_t table[4];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 4));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x100u, 16, RTM_REGION_DATA, RW, "a-very-long-region-name"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x200u, 16, RTM_REGION_DATA, RW, "exactly15chars."));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x300u, 16, RTM_REGION_DATA, RW, NULL));
    char name[8] = "tmp";
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x400u, 16, RTM_REGION_DATA, RW, name));
    name[0] = 'X'; /* the map keeps its own copy */
    rtm_region_t r;
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x100u, &r));
    RTM_CHECK_EQ(strlen(r.name), RTM_REGION_NAME_SIZE - 1u);
    RTM_CHECK(memcmp(r.name, "a-very-long-reg", 15) == 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x200u, &r));
    RTM_CHECK(strcmp(r.name, "exactly15chars.") == 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x300u, &r));
    RTM_CHECK(strcmp(r.name, "") == 0);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x400u, &r));
    RTM_CHECK(strcmp(r.name, "tmp") == 0);
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, remove_and_capacity)
{
    rtm_region_t table[3];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 3));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x3000u, 0x100u, RTM_REGION_DATA, RW, "c"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x1000u, 0x100u, RTM_REGION_DATA, RW, "a"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x2000u, 0x100u, RTM_REGION_DATA, RW, "b"));
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, 0x4000u, 0x100u, RTM_REGION_DATA, RW, "d"), RTM_ERR_NO_MEMORY);
    RTM_CHECK_STATUS(rtm_memmap_remove_region(&m, 0x2001u), RTM_ERR_INVALID_POINTER); /* not a start */
    RTM_CHECK_STATUS(rtm_memmap_remove_region(&m, 0x5000u), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_memmap_remove_region(&m, 0x2000u));
    rtm_region_t r;
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0x2000u, &r), RTM_ERR_INVALID_POINTER);
    const uintptr_t order[2] = {0x1000u, 0x3000u};
    RTM_CHECK(same_starts(&m, order, 2));
    RTM_CHECK_STATUS(rtm_memmap_remove_region(&m, 0x2000u), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x4000u, 0x100u, RTM_REGION_DATA, RW, "d"));
    RTM_CHECK_OK(rtm_memmap_remove_region(&m, 0x1000u));
    RTM_CHECK_OK(rtm_memmap_remove_region(&m, 0x4000u));
    RTM_CHECK_OK(rtm_memmap_remove_region(&m, 0x3000u));
    RTM_CHECK_EQ(rtm_memmap_count(&m), 0);
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0x3000u, &r), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, used_bytes_and_fragmentation_follow_the_definition)
{
    rtm_region_t table[8];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 8));
    const uintptr_t heap_at[3] = {0x20000000u, 0x20100000u, 0x30000000u};
    const size_t heap_size[3] = {0x8000u, 0x3000u, 0x10000u};
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x08000000u, 0x40000u, RTM_REGION_CODE, RX, "flash"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x20008000u, 0x1000u, RTM_REGION_STACK, RW, "stack"));
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_memmap_add_region(&m, heap_at[i], heap_size[i], RTM_REGION_HEAP, RW, "heap"));
    }
    rtm_memmap_stats_t st;
    /* Nothing used: free memory is all heap, split over three regions. */
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.total, 0x40000u + 0x1000u + 0x8000u + 0x3000u + 0x10000u);
    RTM_CHECK_EQ(st.used, 0);
    RTM_CHECK_EQ(st.heap_total, 0x8000u + 0x3000u + 0x10000u);
    RTM_CHECK_EQ(st.free, st.heap_total);
    RTM_CHECK_EQ(st.largest_free, 0x10000u);
    RTM_CHECK_EQ(st.region_count, 5);
    RTM_CHECK_EQ(st.fragmentation_permille, expect_frag(heap_size, 3));
    RTM_CHECK_EQ(st.fragmentation_permille, 407); /* 1 - 65536/110592, rounded down */

    /* Owners report usage; non-heap usage counts in `used` but never in `free`. */
    const size_t heap_used[3] = {0x7000u, 0x100u, 0xF800u};
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_OK(rtm_memmap_set_used(&m, heap_at[i] + 4u, heap_used[i])); /* any address inside */
    }
    RTM_CHECK_OK(rtm_memmap_set_used(&m, 0x08000000u, 0x12345u));
    RTM_CHECK_OK(rtm_memmap_set_used(&m, 0x20008FFFu, 0x200u));
    rtm_memmap_stats(&m, &st);
    size_t free_per[3];
    size_t free_sum = 0;
    for (int i = 0; i < 3; i++) {
        free_per[i] = heap_size[i] - heap_used[i];
        free_sum += free_per[i];
    }
    RTM_CHECK_EQ(st.used, 0x7000u + 0x100u + 0xF800u + 0x12345u + 0x200u);
    RTM_CHECK_EQ(st.free, free_sum);
    RTM_CHECK_EQ(st.largest_free, 0x2F00u); /* the 0x3000 region is now the emptiest */
    RTM_CHECK_EQ(st.fragmentation_permille, expect_frag(free_per, 3));
    RTM_CHECK_EQ(st.fragmentation_permille, 338); /* 1 - 0x2F00/0x4700, rounded down */
    rtm_region_t r;
    RTM_CHECK_OK(rtm_memmap_find(&m, heap_at[2], &r));
    RTM_CHECK_EQ(r.used, 0xF800u);

    /* Evenly spread over two regions: 500; all in one: 0; nothing free: 0. */
    RTM_CHECK_OK(rtm_memmap_set_used(&m, heap_at[0], 0x8000u - 0x800u));
    RTM_CHECK_OK(rtm_memmap_set_used(&m, heap_at[1], 0x3000u));
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.fragmentation_permille, 500);
    RTM_CHECK_OK(rtm_memmap_set_used(&m, heap_at[0], 0x8000u));
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.fragmentation_permille, 0);
    RTM_CHECK_EQ(st.free, 0x800u);
    RTM_CHECK_OK(rtm_memmap_set_used(&m, heap_at[2], 0x10000u));
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.free, 0);
    RTM_CHECK_EQ(st.largest_free, 0);
    RTM_CHECK_EQ(st.fragmentation_permille, 0);
    /* The seed's "fragmentation" (a usage ratio) would now be 100%; this is not it. */
    RTM_CHECK(st.used != 0u);

    /* used beyond the size, or an address in no region, is refused and changes nothing. */
    RTM_CHECK_STATUS(rtm_memmap_set_used(&m, heap_at[1], 0x3001u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_set_used(&m, 0x50000000u, 1), RTM_ERR_INVALID_POINTER);
    RTM_CHECK_OK(rtm_memmap_find(&m, heap_at[1], &r));
    RTM_CHECK_EQ(r.used, 0x3000u);
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, bad_input_matrix)
{
    rtm_region_t table[4];
    rtm_memmap_t m;
    RTM_CHECK_STATUS(rtm_memmap_init(NULL, table, 4), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_init(&m, NULL, 4), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_init(&m, table, 0), RTM_ERR_INVALID_ARG);
    /* An uninitialised map is refused everywhere. */
    rtm_memmap_t blank;
    memset(&blank, 0, sizeof blank);
    rtm_region_t r;
    RTM_CHECK_STATUS(rtm_memmap_add_region(&blank, 0x100u, 16, RTM_REGION_DATA, RW, "x"), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_add_region(NULL, 0x100u, 16, RTM_REGION_DATA, RW, "x"), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_remove_region(&blank, 0x100u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_find(&blank, 0x100u, &r), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_set_used(&blank, 0x100u, 0), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_get(&blank, 0, &r), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_check(&blank), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_memmap_check(NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_EQ(rtm_memmap_count(&blank), 0);
    RTM_CHECK_EQ(rtm_memmap_count(NULL), 0);
    rtm_memmap_stats_t st;
    memset(&st, 0xff, sizeof st);
    rtm_memmap_stats(NULL, &st);
    RTM_CHECK_EQ(st.total, 0);

    RTM_CHECK_OK(rtm_memmap_init(&m, table, 4));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x1000u, 0x100u, RTM_REGION_HEAP, RW, "keep"));
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, 0x2000u, 0, RTM_REGION_DATA, RW, "x"), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, 0x2000u, 16, RTM_REGION_RESERVED + 1u, RW, "x"),
                     RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_add_region(&m, 0x2000u, 16, RTM_REGION_DATA, 0x20u, "x"), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_find(&m, 0x1000u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_get(&m, 1, &r), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_memmap_get(&m, 0, NULL), RTM_ERR_INVALID_ARG);
    rtm_memmap_stats(&m, NULL);
    RTM_CHECK_EQ(rtm_memmap_count(&m), 1);
    RTM_CHECK_OK(rtm_memmap_find(&m, 0x10FFu, &r));
    RTM_CHECK(strcmp(r.name, "keep") == 0);
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, checker_fires_on_a_damaged_table)
{
    rtm_region_t table[4];
    rtm_memmap_t m;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 4));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x1000u, 0x100u, RTM_REGION_DATA, RW, "a"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x2000u, 0x100u, RTM_REGION_HEAP, RW, "b"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0x3000u, 0x100u, RTM_REGION_DATA, RW, "c"));
    RTM_CHECK_OK(rtm_memmap_check(&m));
    rtm_region_t saved = table[1];

    table[1].size = 0x1001u; /* runs into c */
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[1] = saved;
    table[1].start = 0x0800u; /* out of order */
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[1] = saved;
    table[1].used = 0x101u;
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[1] = saved;
    memset(table[1].name, 'z', sizeof table[1].name); /* no NUL */
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[1] = saved;
    table[1].type = 99u;
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[1] = saved;
    table[1].size = 0;
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[1] = saved;
    table[2].start = UINTPTR_MAX - 0x10u; /* wraps */
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    table[2].start = 0x3000u;
    RTM_CHECK_OK(rtm_memmap_check(&m));
    /* The map object itself. */
    rtm_memmap_t copy = m;
    memset(&m, 0x5a, sizeof m);
    RTM_CHECK_STATUS(rtm_memmap_check(&m), RTM_ERR_CORRUPTED);
    m = copy;
    RTM_CHECK_OK(rtm_memmap_check(&m));
}

RTM_TEST(memmap, fragmentation_is_exact_for_address_space_sized_regions)
{
    /* Heaps of a quarter and a half of the address space: free = 3/4 of it and
     * largest = 1/2, so 1 - (1/2)/(3/4) = 1/3 -> 333 on every word size, with no
     * wider arithmetic than size_t inside the library. */
    rtm_region_t table[4];
    rtm_memmap_t m;
    const size_t quarter = (SIZE_MAX >> 2) + 1u;
    RTM_CHECK_OK(rtm_memmap_init(&m, table, 4));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, 0, quarter, RTM_REGION_HEAP, RW, "q"));
    RTM_CHECK_OK(rtm_memmap_add_region(&m, (uintptr_t)2u * quarter, 2u * quarter, RTM_REGION_HEAP, RW, "h"));
    rtm_memmap_stats_t st;
    rtm_memmap_stats(&m, &st);
    RTM_CHECK(st.free == 3u * quarter);
    RTM_CHECK(st.largest_free == 2u * quarter);
    RTM_CHECK_EQ(st.fragmentation_permille, 333);
    /* One byte in use in the half: largest shrinks by one; still 333 (rounded down). */
    RTM_CHECK_OK(rtm_memmap_set_used(&m, (uintptr_t)3u * quarter, 1));
    rtm_memmap_stats(&m, &st);
    RTM_CHECK(st.largest_free == 2u * quarter - 1u);
    RTM_CHECK_EQ(st.fragmentation_permille, 333);
    /* The half nearly full: free = quarter + 1, largest = quarter -> 1/(quarter+1) -> 0. */
    RTM_CHECK_OK(rtm_memmap_set_used(&m, (uintptr_t)3u * quarter, 2u * quarter - 1u));
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.fragmentation_permille, 0);
    /* Both equal: 500. */
    RTM_CHECK_OK(rtm_memmap_set_used(&m, (uintptr_t)3u * quarter, quarter));
    rtm_memmap_stats(&m, &st);
    RTM_CHECK_EQ(st.fragmentation_permille, 500);
    RTM_CHECK_OK(rtm_memmap_check(&m));
}
