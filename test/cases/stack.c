/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Task stacks: layout, MPU guards (through a recording test back end, and
 * through the ARMv7-M host model where addresses fit in 32 bits), canaries,
 * painting and high water, overflow by stack pointer, reuse, static areas.
 */
#include <string.h>

#include "rtm_test.h"

/* ---- a recording MPU back end: any address, PMSAv7-like shapes ---------------- */

struct fake_mpu {
    uint32_t arch;
    bool no_noaccess; /* refuse perm 0 as PMSAv8 does */
    unsigned writes;
    bool on[8];
    rtm_mpu_region_t reg[8];
};

static rtm_status_t fake_probe(void *ctx, rtm_mpu_info_t *out)
{
    const struct fake_mpu *f = (const struct fake_mpu *)ctx;
    out->arch = f->arch;
    out->regions = 8u;
    out->caps = f->arch == RTM_MPU_ARCH_PMP ? 0u : RTM_MPU_CAP_GLOBAL_ENABLE;
    out->reserved = 0u;
    return RTM_OK;
}

static rtm_status_t fake_validate(void *ctx, const rtm_mpu_region_t *r, uint32_t *span)
{
    const struct fake_mpu *f = (const struct fake_mpu *)ctx;
    if (r->size < 32u || (r->size & (r->size - 1u)) != 0u || r->base % r->size != 0u) {
        return RTM_ERR_ALIGNMENT;
    }
    if ((r->flags & ~RTM_MPU_REGION_LOCK) != 0u || (f->no_noaccess && (r->perm & RTM_PERM_READ) == 0u)) {
        return RTM_ERR_UNSUPPORTED;
    }
    *span = 1u;
    return RTM_OK;
}

static rtm_status_t fake_write(void *ctx, uint32_t index, const rtm_mpu_region_t *r)
{
    struct fake_mpu *f = (struct fake_mpu *)ctx;
    f->writes++;
    f->on[index] = r != NULL;
    if (r != NULL) {
        f->reg[index] = *r;
    }
    return RTM_OK;
}

static rtm_status_t fake_control(void *ctx, uint32_t ctrl)
{
    (void)ctx;
    (void)ctrl;
    return RTM_OK;
}

static const rtm_mpu_ops_t fake_ops = {
    sizeof(rtm_mpu_ops_t), 0u, fake_probe, fake_validate, fake_write, fake_control, NULL,
};

static rtm_status_t fake_manager(rtm_mpu_t *m, struct fake_mpu *f, uint32_t arch, bool no_noaccess)
{
    memset(f, 0, sizeof *f);
    f->arch = arch;
    f->no_noaccess = no_noaccess;
    rtm_mpu_backend_t be = {&fake_ops, f};
    return rtm_mpu_init(m, &be);
}

/* ---- fixtures ------------------------------------------------------------------ */

#define ARENA 65536u
#define SLOTS 12u

static rtm_stack_slot_t table[SLOTS];

static rtm_status_t make_heap(rtm_allocator_t *a, size_t size)
{
    void *mem = rtm_test_scratch(size);
    rtm_freelist_t *h = NULL;
    if (mem == NULL) {
        return RTM_ERR_NO_MEMORY;
    }
    rtm_status_t s = rtm_freelist_init(mem, size, &h);
    *a = rtm_freelist_allocator(h);
    return s;
}

static rtm_stack_config_t config(size_t guard, uint32_t flags)
{
    rtm_stack_config_t c;
    memset(&c, 0, sizeof c);
    c.default_size = 512u;
    c.guard_size = guard;
    c.flags = flags;
    c.canary = 0x1234ABCDu;
    return c;
}

static bool words_are(uintptr_t from, uintptr_t to, uint32_t value, bool xor_address)
{
    for (uintptr_t a = from; a < to; a += 4u) {
        uint32_t want = xor_address ? value ^ (uint32_t)a : value;
        if (*(const uint32_t *)a != want) {
            return false;
        }
    }
    return true;
}

/* Above the 32-bit address space (a 64-bit host's pointers)? */
static bool above_4g(uint64_t addr)
{
    return addr > 0xFFFFFFFFu;
}

/* ---- tests ------------------------------------------------------------------------ */

RTM_TEST(stack, layout_guard_region_canary_and_paint)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    rtm_stack_config_t c = config(64u, RTM_STACK_PAINT);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    rtm_stack_info_t in;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 1000u, &in));
    RTM_CHECK_EQ(in.task_id, 1);
    RTM_CHECK_EQ(in.base % 64u, 0);
    RTM_CHECK_EQ(in.guard_size, 64);
    RTM_CHECK_EQ(in.limit, in.base + 64u + RTM_STACK_CANARY_BYTES);
    RTM_CHECK_EQ(in.size, 1000);
    RTM_CHECK_EQ(in.top, in.limit + 1000u);
    RTM_CHECK_EQ(in.top % 8u, 0);
    RTM_CHECK_EQ(in.flags, RTM_STACK_INFO_MPU_GUARD | RTM_STACK_INFO_PAINTED);
    /* The guard is a no-access region in the slot that wins (the highest). */
    RTM_CHECK_EQ(in.mpu_region, 7);
    RTM_CHECK(f.on[7]);
    RTM_CHECK_EQ(f.reg[7].base, in.base);
    RTM_CHECK_EQ(f.reg[7].size, 64);
    RTM_CHECK_EQ(f.reg[7].perm, 0u);
    RTM_CHECK_OK(rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA));
    RTM_CHECK_STATUS(rtm_mpu_check_access(&mpu, in.base + 63u, RTM_MPU_ACCESS_WRITE), RTM_ERR_ACCESS);
    RTM_CHECK_OK(rtm_mpu_check_access(&mpu, in.limit - 1u, RTM_MPU_ACCESS_WRITE));
    /* Canary words below the limit, paint above it. */
    RTM_CHECK(words_are(in.limit - 16u, in.limit, 0x1234ABCDu, true));
    RTM_CHECK(words_are(in.limit, in.top, RTM_STACK_PAINT_WORD, false));
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.active_stacks, 1);
    RTM_CHECK_EQ(st.total_stacks, 1);
    RTM_CHECK_EQ(st.mpu_guards, 1);
    RTM_CHECK_EQ(st.total_stack_memory, 64 + 16 + 1000);
    RTM_CHECK_OK(rtm_stack_check(&sm));
    /* Default size; size rounded up to 8. */
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 2u, 0u, &in));
    RTM_CHECK_EQ(in.size, 512);
    RTM_CHECK_EQ(in.mpu_region, 6);
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 3u, 13u, &in));
    RTM_CHECK_EQ(in.size, 16);
    rtm_stack_info_t again;
    RTM_CHECK_OK(rtm_stack_get_info(&sm, 3u, &again));
    RTM_CHECK(again.base == in.base && again.top == in.top);
    RTM_CHECK_OK(rtm_stack_check(&sm));
}

RTM_TEST(stack, canary_guard_without_mpu_detects_overflow_once)
{
    rtm_allocator_t heap;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    rtm_stack_config_t c = config(24u, 0u); /* no MPU: any multiple of 8 */
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS));
    rtm_stack_info_t in;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 9u, 256u, &in));
    RTM_CHECK_EQ(in.flags, 0u);
    RTM_CHECK_EQ(in.mpu_region, RTM_MPU_NO_REGION);
    /* The whole guard holds canary words too. */
    RTM_CHECK(words_are(in.base, in.limit, 0x1234ABCDu, true));
    RTM_CHECK_OK(rtm_stack_check_canary(&sm, 9u));
    /* An overflow past the limit, into the canary and guard. */
    memset((void *)(in.limit - 20u), 0, 20);
    RTM_CHECK_STATUS(rtm_stack_check_canary(&sm, 9u), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_stack_check_canary(&sm, 9u), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_stack_check(&sm), RTM_ERR_CORRUPTED);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.stack_overflows, 1); /* once per stack */
    RTM_CHECK_OK(rtm_stack_get_info(&sm, 9u, &in));
    RTM_CHECK(in.flags & RTM_STACK_INFO_OVERFLOWED);
    /* Freeing says so, but the stack is released all the same. */
    RTM_CHECK_STATUS(rtm_stack_free(&sm, 9u), RTM_ERR_CORRUPTED);
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.active_stacks, 0);
    RTM_CHECK_EQ(st.pooled_stacks, 1);
    RTM_CHECK_EQ(st.stack_overflows, 1);
    /* Reuse re-arms the canary and forgets the old overflow. */
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 10u, 256u, &in));
    RTM_CHECK_EQ(in.flags, 0u);
    RTM_CHECK_OK(rtm_stack_check_canary(&sm, 10u));
    RTM_CHECK_OK(rtm_stack_check(&sm));
}

RTM_TEST(stack, overflow_by_stack_pointer)
{
    rtm_allocator_t heap;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    rtm_stack_config_t c = config(0u, 0u);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS));
    rtm_stack_info_t in;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 4u, 400u, &in));
    RTM_CHECK_EQ(in.guard_size, RTM_STACK_DEFAULT_GUARD);
    RTM_CHECK_OK(rtm_stack_check_sp(&sm, 4u, in.top));         /* empty */
    RTM_CHECK_OK(rtm_stack_check_sp(&sm, 4u, in.top - 100u));
    RTM_CHECK_OK(rtm_stack_check_sp(&sm, 4u, in.limit));       /* exactly full: not an overflow */
    RTM_CHECK_OK(rtm_stack_get_info(&sm, 4u, &in));
    RTM_CHECK_EQ(in.peak_usage, 400);
    RTM_CHECK_STATUS(rtm_stack_check_sp(&sm, 4u, in.top + 8u), RTM_ERR_INVALID_POINTER); /* not this stack */
    RTM_CHECK_OK(rtm_stack_get_info(&sm, 4u, &in));
    RTM_CHECK_EQ(in.peak_usage, 400); /* no wrapped, huge usage */
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.stack_overflows, 0);
    RTM_CHECK_EQ(st.max_stack_usage, 400);
    RTM_CHECK_STATUS(rtm_stack_check_sp(&sm, 4u, in.limit - 4u), RTM_ERR_CORRUPTED);
    RTM_CHECK_STATUS(rtm_stack_check_sp(&sm, 4u, in.limit - 8u), RTM_ERR_CORRUPTED);
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.stack_overflows, 1);
    RTM_CHECK_STATUS(rtm_stack_check_sp(&sm, 99u, in.top), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_stack_note_overflow(&sm, 4u)); /* already counted */
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.stack_overflows, 1);
}

RTM_TEST(stack, painting_gives_the_high_water_mark)
{
    rtm_allocator_t heap;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    rtm_stack_config_t c = config(32u, RTM_STACK_PAINT);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS));
    rtm_stack_info_t in;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 5u, 1024u, &in));
    size_t used = 99u;
    RTM_CHECK_OK(rtm_stack_high_water(&sm, 5u, &used));
    RTM_CHECK_EQ(used, 0);
    /* A task used 100 bytes at the top, then returned: the mark stays. */
    memset((void *)(in.top - 100u), 0x42, 100);
    RTM_CHECK_OK(rtm_stack_high_water(&sm, 5u, &used));
    RTM_CHECK_EQ(used, 100);
    /* A deeper excursion, one word only. */
    *(volatile uint32_t *)(in.top - 600u) = 0u;
    RTM_CHECK_OK(rtm_stack_high_water(&sm, 5u, &used));
    RTM_CHECK_EQ(used, 600);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.max_stack_usage, 600);
    RTM_CHECK_OK(rtm_stack_get_info(&sm, 5u, &in));
    RTM_CHECK_EQ(in.peak_usage, 600);
    /* Unpainted stacks have no mark. */
    c.flags = 0u;
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 6u, 64u, &in));
    RTM_CHECK_STATUS(rtm_stack_high_water(&sm, 6u, &used), RTM_ERR_UNSUPPORTED);
    RTM_CHECK_STATUS(rtm_stack_high_water(&sm, 6u, NULL), RTM_ERR_INVALID_ARG);
}

RTM_TEST(stack, freed_stacks_are_reused_smallest_fit_first)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    rtm_stack_config_t c = config(32u, RTM_STACK_PAINT);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    rtm_stack_info_t a;
    rtm_stack_info_t b;
    rtm_stack_info_t d;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 512u, &a));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 2u, 2048u, &b));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 3u, 1024u, &d));
    rtm_alloc_stats_t hs;
    rtm_allocator_stats(&heap, &hs);
    RTM_CHECK_EQ(hs.current_allocations, 3);
    RTM_CHECK_OK(rtm_stack_free(&sm, 2u));
    RTM_CHECK_OK(rtm_stack_free(&sm, 3u));
    RTM_CHECK(!f.on[b.mpu_region] && !f.on[d.mpu_region]); /* guards removed with the stacks */
    RTM_CHECK_STATUS(rtm_stack_free(&sm, 3u), RTM_ERR_DOUBLE_FREE);
    RTM_CHECK_STATUS(rtm_stack_free(&sm, 77u), RTM_ERR_INVALID_ARG);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.pooled_stacks, 2);
    RTM_CHECK_EQ(st.mpu_guards, 1);
    RTM_CHECK_OK(rtm_stack_check(&sm));
    /* 600 bytes: the 1024 one serves (smallest that fits), not the 2048 one. */
    rtm_stack_info_t r;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 4u, 600u, &r));
    RTM_CHECK_EQ(r.base, d.base);
    RTM_CHECK_EQ(r.size, 1024);
    RTM_CHECK_EQ(r.task_id, 4);
    RTM_CHECK(r.flags & RTM_STACK_INFO_MPU_GUARD);
    RTM_CHECK(f.on[r.mpu_region] && f.reg[r.mpu_region].base == r.base);
    RTM_CHECK(words_are(r.limit, r.top, RTM_STACK_PAINT_WORD, false)); /* repainted */
    /* 3000 bytes: nothing pooled fits, the allocator is asked. */
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 5u, 3000u, &r));
    rtm_allocator_stats(&heap, &hs);
    RTM_CHECK_EQ(hs.current_allocations, 4);
    /* The task that freed 3 allocating again is fine; a task with a stack is not. */
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 5u, 64u, &r), RTM_ERR_INVALID_ARG);
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.reused_stacks, 1);
    RTM_CHECK_EQ(st.total_stacks, 5);
    RTM_CHECK_EQ(st.active_stacks, 3);
    RTM_CHECK_EQ(st.pooled_stacks, 1);
    RTM_CHECK_EQ(st.total_stack_memory, (32 + 16) * 4 + 512 + 2048 + 1024 + 3000);
    /* Trim gives the pooled 2048 back to the heap. */
    size_t released = 0u;
    RTM_CHECK_OK(rtm_stack_trim(&sm, &released));
    RTM_CHECK_EQ(released, 1);
    rtm_allocator_stats(&heap, &hs);
    RTM_CHECK_EQ(hs.current_allocations, 3);
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.pooled_stacks, 0);
    RTM_CHECK_EQ(st.total_stack_memory, (32 + 16) * 3 + 512 + 1024 + 3000);
    RTM_CHECK_OK(rtm_stack_check(&sm));
    RTM_CHECK_OK(rtm_allocator_check(&heap));
}

RTM_TEST(stack, static_areas)
{
    static uint64_t area[64] __attribute__((aligned(64))); /* 512 bytes */
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    rtm_stack_config_t c = config(64u, 0u);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, NULL, &mpu, table, SLOTS)); /* no allocator at all */
    unsigned char *mem = (unsigned char *)area + 4; /* misaligned on purpose */
    rtm_stack_info_t in;
    RTM_CHECK_OK(rtm_stack_add_static(&sm, 1u, mem, 500u, &in));
    RTM_CHECK_EQ(in.base % 64u, 0);
    RTM_CHECK(in.base >= (uintptr_t)mem);
    RTM_CHECK(in.top <= (uintptr_t)mem + 500u);
    RTM_CHECK_EQ(in.size, ((uintptr_t)mem + 500u - in.base - 80u) & ~(uintptr_t)7u);
    RTM_CHECK_EQ(in.flags, RTM_STACK_INFO_STATIC | RTM_STACK_INFO_MPU_GUARD);
    /* No allocator: only pooled/static stacks can be had. */
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 2u, 64u, NULL), RTM_ERR_NO_MEMORY);
    RTM_CHECK_OK(rtm_stack_free(&sm, 1u));
    RTM_CHECK(!f.on[in.mpu_region]);
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 2u, 64u, &in)); /* the static one, reused */
    RTM_CHECK(in.flags & RTM_STACK_INFO_STATIC);
    RTM_CHECK_OK(rtm_stack_free(&sm, 2u));
    size_t released = 0u;
    RTM_CHECK_OK(rtm_stack_trim(&sm, &released)); /* back to the caller */
    RTM_CHECK_EQ(released, 1);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.total_stack_memory, 0);
    /* Bad areas. */
    RTM_CHECK_STATUS(rtm_stack_add_static(&sm, 3u, NULL, 500u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_add_static(&sm, 3u, (void *)(UINTPTR_MAX - 16u), 64u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_add_static(&sm, 3u, area, 64u + 16u, NULL), RTM_ERR_NO_MEMORY); /* no room for a word */
    RTM_CHECK_STATUS(rtm_stack_add_static(&sm, 3u, mem, 64u + 16u + 8u, NULL), RTM_ERR_NO_MEMORY); /* alignment eats it */
    RTM_CHECK_OK(rtm_stack_add_static(&sm, 3u, area, 64u + 16u + 8u, &in));
    RTM_CHECK_EQ(in.size, 8);
    RTM_CHECK_STATUS(rtm_stack_add_static(&sm, 3u, area, 512u, NULL), RTM_ERR_INVALID_ARG); /* task 3 has one */
    RTM_CHECK_OK(rtm_stack_check(&sm));
}

RTM_TEST(stack, guard_fallbacks_and_required_guards)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    rtm_stack_info_t in;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    /* PMSAv8-like: no no-access encoding, so a write-protected guard. */
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV8M, true));
    rtm_stack_config_t c = config(32u, 0u);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 128u, &in));
    RTM_CHECK_EQ(in.flags, RTM_STACK_INFO_MPU_GUARD | RTM_STACK_INFO_GUARD_RO);
    RTM_CHECK_EQ(f.reg[in.mpu_region].perm, RTM_PERM_READ);
    RTM_CHECK_OK(rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA));
    RTM_CHECK_STATUS(rtm_mpu_check_access(&mpu, in.base, RTM_MPU_ACCESS_WRITE), RTM_ERR_ACCESS);
    /* Eight regions: the ninth stack falls back to a canary guard... */
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    for (uint32_t t = 0; t < 8u; t++) {
        RTM_CHECK_OK(rtm_stack_allocate(&sm, t, 64u, &in));
        RTM_CHECK(in.flags & RTM_STACK_INFO_MPU_GUARD);
    }
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 8u, 64u, &in));
    RTM_CHECK_EQ(in.flags, 0u);
    RTM_CHECK(words_are(in.base, in.limit, 0x1234ABCDu, true));
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.mpu_guards, 8);
    /* ...unless guards are required: then the request fails and nothing changes. */
    c.flags = RTM_STACK_REQUIRE_GUARD;
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    rtm_alloc_stats_t before;
    rtm_alloc_stats_t after;
    for (uint32_t t = 0; t < 8u; t++) {
        RTM_CHECK_OK(rtm_stack_allocate(&sm, 100u + t, 64u, NULL));
    }
    rtm_allocator_stats(&heap, &before);
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 108u, 64u, &in), RTM_ERR_NO_MEMORY);
    rtm_allocator_stats(&heap, &after);
    RTM_CHECK_EQ(after.current_allocations, before.current_allocations);
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.failures, 1);
    RTM_CHECK_EQ(st.active_stacks, 8);
    RTM_CHECK_OK(rtm_stack_check(&sm));
    /* Free one: its region comes back and the request succeeds. */
    RTM_CHECK_OK(rtm_stack_free(&sm, 103u));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 108u, 64u, &in));
    RTM_CHECK(in.flags & RTM_STACK_INFO_MPU_GUARD);
}

RTM_TEST(stack, locked_pmp_guards_stay_with_the_block)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    rtm_stack_info_t in;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_PMP, false));
    RTM_CHECK_OK(rtm_mpu_enable(&mpu, 0u));
    rtm_stack_config_t c = config(32u, 0u);
    c.guard_region_flags = RTM_MPU_REGION_LOCK;
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 256u, &in));
    RTM_CHECK_EQ(in.mpu_region, 0); /* PMP: the lowest entry wins */
    RTM_CHECK_EQ(f.reg[0].flags, RTM_MPU_REGION_LOCK);
    unsigned writes = f.writes;
    RTM_CHECK_OK(rtm_stack_free(&sm, 1u));
    RTM_CHECK(f.on[0]); /* a locked entry cannot be cleared */
    RTM_CHECK_EQ(f.writes, writes);
    rtm_stack_info_t r;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 2u, 128u, &r));
    RTM_CHECK_EQ(r.base, in.base);
    RTM_CHECK_EQ(r.mpu_region, 0);
    RTM_CHECK_EQ(f.writes, writes); /* still guarded: no new region */
    RTM_CHECK_OK(rtm_stack_free(&sm, 2u));
    size_t released = 99u;
    RTM_CHECK_OK(rtm_stack_trim(&sm, &released));
    RTM_CHECK_EQ(released, 0); /* guarded memory is not handed back */
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.pooled_stacks, 1);
    RTM_CHECK_EQ(st.mpu_guards, 0);
    RTM_CHECK_OK(rtm_stack_check(&sm));
}

RTM_TEST(stack, fault_address_names_the_task)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    rtm_stack_info_t s1;
    rtm_stack_info_t s2;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    rtm_stack_config_t c = config(32u, 0u);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 11u, 256u, &s1));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 22u, 256u, &s2));
    /* The MemManage a push into task 22's guard raises (DACCVIOL + MSTKERR + MMARVALID). */
    rtm_mpu_fault_t fault;
    RTM_CHECK_OK(rtm_mpu_fault_decode_arm(0x92u, 0u, (uint32_t)(s2.base + 28u), 0u, &fault));
    RTM_CHECK_EQ(fault.flags & RTM_MPU_FAULT_ADDR_VALID, RTM_MPU_FAULT_ADDR_VALID);
    if (above_4g(s2.base)) {
        fault.address = s2.base + 28u; /* a 64-bit host: MMFAR holds only 32 bits */
    }
    RTM_CHECK_OK(rtm_mpu_report_fault(&mpu, &fault));
    RTM_CHECK_EQ(fault.region, s2.mpu_region);
    uint32_t task = 0u;
    uint32_t where = 0u;
    RTM_CHECK_OK(rtm_stack_find(&sm, fault.address, &task, &where));
    RTM_CHECK_EQ(task, 22);
    RTM_CHECK_EQ(where, RTM_STACK_IN_GUARD);
    RTM_CHECK_OK(rtm_stack_note_overflow(&sm, task));
    RTM_CHECK_OK(rtm_stack_find(&sm, s1.top - 4u, &task, &where));
    RTM_CHECK_EQ(task, 11);
    RTM_CHECK_EQ(where, RTM_STACK_IN_STACK);
    RTM_CHECK_STATUS(rtm_stack_find(&sm, s1.top, &task, NULL), RTM_ERR_INVALID_POINTER);
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.stack_overflows, 1);
}

RTM_TEST(stack, armv7m_host_model_guard_registers)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    rtm_mpu_host_t h;
    rtm_stack_t sm;
    rtm_stack_info_t in;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    RTM_CHECK_OK(rtm_mpu_host_init(&h, RTM_MPU_ARCH_ARMV7M, 8u));
    rtm_mpu_backend_t be = rtm_mpu_host_backend(&h);
    RTM_CHECK_OK(rtm_mpu_init(&mpu, &be));
    rtm_stack_config_t c = config(128u, 0u);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 256u, &in));
    if (above_4g(in.top)) {
        /* A 64-bit host's addresses: the model, like the hardware, cannot map
         * them, so the stack fell back to a canary guard. */
        RTM_CHECK_EQ(in.flags, 0u);
        RTM_CHECK_OK(rtm_stack_check_canary(&sm, 1u));
        return;
    }
    RTM_CHECK_EQ(in.mpu_region, 7);
    /* RBAR = base | VALID | 7; RASR = XN | AP 000 | B | SIZE(log2 128 - 1 = 6) | ENABLE. */
    RTM_CHECK_EQ(h.reg_a[7], (uint32_t)in.base | 0x10u | 7u);
    RTM_CHECK_EQ(h.reg_b[7], (1u << 28) | (1u << 16) | (6u << 1) | 1u);
    RTM_CHECK_OK(rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA));
    RTM_CHECK_STATUS(rtm_mpu_host_check_access(&h, in.base + 127u, RTM_MPU_ACCESS_WRITE), RTM_ERR_ACCESS);
    RTM_CHECK_OK(rtm_mpu_host_check_access(&h, in.base + 128u, RTM_MPU_ACCESS_WRITE));
    RTM_CHECK_OK(rtm_stack_free(&sm, 1u));
    RTM_CHECK_EQ(h.reg_b[7], 0u);
}

RTM_TEST(stack, bad_input_matrix)
{
    rtm_allocator_t heap;
    rtm_mpu_t mpu;
    struct fake_mpu f;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, 8192u));
    RTM_CHECK_OK(fake_manager(&mpu, &f, RTM_MPU_ARCH_ARMV7M, false));
    rtm_stack_config_t c = config(32u, 0u);
    /* init */
    RTM_CHECK_STATUS(rtm_stack_init(NULL, &c, &heap, NULL, table, SLOTS), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, NULL, NULL, SLOTS), RTM_ERR_INVALID_ARG);
    c.flags = 0x80u;
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS), RTM_ERR_INVALID_ARG);
    c.flags = RTM_STACK_REQUIRE_GUARD;
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS), RTM_ERR_INVALID_ARG);
    c.flags = 0u;
    c.default_size = SIZE_MAX;
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS), RTM_ERR_INVALID_ARG);
    c.default_size = 0u;
    c.guard_size = 48u;
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS), RTM_ERR_ALIGNMENT);
    c.guard_size = 16u;
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, &mpu, table, SLOTS), RTM_ERR_ALIGNMENT);
    c.guard_size = 12u;
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS), RTM_ERR_ALIGNMENT);
    c.guard_size = 32u;
    c.flags = RTM_STACK_USE_PSPLIM;
#if defined(__ARM_ARCH_8M_MAIN__)
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS));
#else
    RTM_CHECK_STATUS(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS), RTM_ERR_UNSUPPORTED);
#endif
    c.flags = 0u;
    /* An uninitialised manager. */
    memset(&sm, 0, sizeof sm);
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 1u, 64u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_check(&sm), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_free(NULL, 1u), RTM_ERR_INVALID_ARG);
    /* A working manager with two slots and one live stack. */
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, &mpu, table, 2u));
    rtm_stack_info_t live;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 128u, &live));
    memset((void *)(live.top - 64u), 0x77, 64);
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 2u, 0u, NULL), RTM_ERR_INVALID_ARG); /* no default size */
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 2u, SIZE_MAX, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 2u, SIZE_MAX - 40u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 2u, 1u << 20, NULL), RTM_ERR_NO_MEMORY); /* heap exhausted */
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 1u, 64u, NULL), RTM_ERR_INVALID_ARG);    /* task has one */
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 2u, 64u, NULL));
    RTM_CHECK_STATUS(rtm_stack_allocate(&sm, 3u, 64u, NULL), RTM_ERR_NO_MEMORY); /* table full */
    RTM_CHECK_STATUS(rtm_stack_get_info(&sm, 3u, &live), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_get_info(&sm, 1u, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_check_canary(&sm, 3u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_activate(&sm, 3u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_OK(rtm_stack_activate(&sm, 1u)); /* no PSPLIM configured: nothing to do */
    RTM_CHECK_STATUS(rtm_stack_note_overflow(&sm, 3u), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_find(NULL, 0u, NULL, NULL), RTM_ERR_INVALID_ARG);
    RTM_CHECK_STATUS(rtm_stack_trim(NULL, NULL), RTM_ERR_INVALID_ARG);
    /* Consistent afterwards; the live stack and its canary intact. */
    RTM_CHECK_OK(rtm_stack_check(&sm));
    RTM_CHECK_OK(rtm_stack_check_canary(&sm, 1u));
    RTM_CHECK_OK(rtm_stack_get_info(&sm, 1u, &live));
    RTM_CHECK(words_are(live.top - 64u, live.top, 0x77777777u, false));
    rtm_stack_stats_t st;
    rtm_stack_get_stats(&sm, &st);
    RTM_CHECK_EQ(st.active_stacks, 2);
    RTM_CHECK_EQ(st.failures, 2);
    RTM_CHECK_OK(rtm_allocator_check(&heap));
    rtm_stack_get_stats(NULL, &st);
    RTM_CHECK_EQ(st.active_stacks, 0);
}

RTM_TEST(stack, check_catches_a_damaged_table)
{
    rtm_allocator_t heap;
    rtm_stack_t sm;
    RTM_CHECK_OK(make_heap(&heap, ARENA));
    rtm_stack_config_t c = config(32u, 0u);
    RTM_CHECK_OK(rtm_stack_init(&sm, &c, &heap, NULL, table, SLOTS));
    rtm_stack_info_t a;
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 1u, 64u, &a));
    RTM_CHECK_OK(rtm_stack_allocate(&sm, 2u, 64u, NULL));
    RTM_CHECK_OK(rtm_stack_free(&sm, 2u));
    RTM_CHECK_OK(rtm_stack_check(&sm));
    /* A stray write into the table slot of task 1 (its top moves). */
    rtm_stack_slot_t saved = table[0];
    table[0].opaque[2] += 8u;
    RTM_CHECK_STATUS(rtm_stack_check(&sm), RTM_ERR_CORRUPTED);
    table[0] = saved;
    RTM_CHECK_OK(rtm_stack_check(&sm));
    /* A stray write into the canary of task 1. */
    *(volatile uint32_t *)(a.limit - 8u) ^= 1u;
    RTM_CHECK_STATUS(rtm_stack_check(&sm), RTM_ERR_CORRUPTED);
}
