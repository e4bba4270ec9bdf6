/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The demo firmware's console: numbers, names and the reports it prints. */
#include "demo.h"

void say(const char *s)
{
    rtm_target_write(s);
}

void say_dec(size_t v)
{
    rtm_target_write_dec((uint32_t)v);
}

void say_hex(uintptr_t v)
{
    rtm_target_write_hex((uint32_t)v);
}

uintptr_t align_up_addr(uintptr_t x, uintptr_t align)
{
    return (x + align - 1u) & ~(align - 1u);
}

/* Right-align a decimal in `width` columns. */
static void say_dec_w(size_t v, unsigned width)
{
    unsigned digits = 1u;
    for (size_t t = v; t >= 10u; t /= 10u) {
        digits++;
    }
    for (; digits < width; digits++) {
        say(" ");
    }
    say_dec(v);
}

const char *fault_kind_name(uint32_t kind)
{
    switch (kind) {
    case RTM_MPU_FAULT_DATA_ACCESS:
        return "MemManage: data access violation";
    case RTM_MPU_FAULT_INSTR_ACCESS:
        return "MemManage: instruction access violation";
    case RTM_MPU_FAULT_STACKING:
        return "MemManage: exception stacking";
    case RTM_MPU_FAULT_UNSTACKING:
        return "MemManage: exception unstacking";
    case RTM_MPU_FAULT_LAZY_FP:
        return "MemManage: lazy FP state preservation";
    case RTM_MPU_FAULT_BUS:
        return "BusFault";
    case RTM_MPU_FAULT_STACK_LIMIT:
        return "UsageFault: stack limit";
    case RTM_MPU_FAULT_MISALIGNED:
        return "UsageFault: misaligned";
    case RTM_MPU_FAULT_HARD:
        return "HardFault";
    case RTM_MPU_FAULT_SOFTWARE:
        return "software check";
    default:
        return "fault";
    }
}

/* Spaces after `s` up to `width` columns (at least one). */
static void say_pad(const char *s, size_t width)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    do {
        say(" ");
        n++;
    } while (n < width);
}

static const char *region_type_name(uint32_t type)
{
    static const char *const names[] = {"code", "data", "bss", "stack", "heap", "device", "reserved"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

static void say_perm(rtm_perm_t p)
{
    say((p & RTM_PERM_READ) != 0u ? "r" : "-");
    say((p & RTM_PERM_WRITE) != 0u ? "w" : "-");
    say((p & RTM_PERM_EXEC) != 0u ? "x" : "-");
    say((p & RTM_PERM_UNPRIV) != 0u ? "u" : "-");
}

void update_map_usage(const rtm_heap_t *heap, const rtm_pool_t *small, const rtm_pool_t *large,
                      rtm_memmap_t *map, uintptr_t heap_start, uintptr_t pools, size_t pool_bytes)
{
    rtm_alloc_stats_t hs;
    rtm_heap_stats(heap, &hs);
    size_t heap_used = hs.capacity > hs.free_bytes ? hs.capacity - hs.free_bytes : 0u;
    (void)rtm_memmap_set_used(map, heap_start, heap_used);
    rtm_pool_stats_t a;
    rtm_pool_stats_t b;
    rtm_pool_get_stats(small, &a);
    rtm_pool_get_stats(large, &b);
    size_t pools_used = a.allocated_blocks * a.block_size + b.allocated_blocks * b.block_size;
    (void)rtm_memmap_set_used(map, pools, pools_used <= 2u * pool_bytes ? pools_used : 2u * pool_bytes);
}

void print_map(const rtm_memmap_t *map)
{
    say("memory map (rtm_memmap)\n");
    for (size_t i = 0; i < rtm_memmap_count(map); i++) {
        rtm_region_t r;
        if (rtm_memmap_get(map, i, &r) != RTM_OK) {
            continue;
        }
        say("  ");
        say_hex(r.start);
        say_dec_w(r.size / 1024u, 8u);
        say(" KiB  ");
        const char *type = region_type_name(r.type);
        say(type);
        say_pad(type, 10u);
        say_perm(r.perms);
        say("  ");
        say(r.name);
        if (r.used != 0u) {
            say(", ");
            say_dec(r.used);
            say(" bytes used");
        }
        say("\n");
    }
    rtm_memmap_stats_t s;
    rtm_memmap_stats(map, &s);
    say("  heap regions: ");
    say_dec(s.heap_total / 1024u);
    say(" KiB, free ");
    say_dec(s.free);
    say(" bytes, largest free ");
    say_dec(s.largest_free);
    say(", fragmentation ");
    say_dec(s.fragmentation_permille);
    say(" permille\n");
}

void print_heap(const rtm_heap_t *heap)
{
    rtm_alloc_stats_t s;
    rtm_heap_stats(heap, &s);
    say("\nheap (rtm_heap, O(1)): capacity ");
    say_dec(s.capacity);
    say(" bytes, in use ");
    say_dec(s.bytes_in_use);
    say(" in ");
    say_dec(s.current_allocations);
    say(" blocks, peak ");
    say_dec(s.peak_memory_usage);
    say(", free ");
    say_dec(s.free_bytes);
    say(", largest free block ");
    say_dec(s.largest_free_block);
    say(", ");
    say_dec(s.total_allocations);
    say(" allocations / ");
    say_dec(s.total_deallocations);
    say(" frees\n");
}

static void print_pool(const char *name, const rtm_pool_t *p)
{
    rtm_pool_stats_t s;
    rtm_pool_get_stats(p, &s);
    say("  ");
    say(name);
    say(": ");
    say_dec(s.block_size);
    say("-byte blocks, ");
    say_dec(s.allocated_blocks);
    say(" of ");
    say_dec(s.total_blocks);
    say(" in use (");
    say_dec(rtm_pool_utilization_permille(p));
    say(" permille), peak ");
    say_dec(s.peak_usage);
    say("\n");
}

void print_pools(const rtm_pool_t *small, const rtm_pool_t *large, const rtm_mpool_t *classes)
{
    rtm_mpool_stats_t s;
    rtm_mpool_get_stats(classes, &s);
    say("\npools (rtm_pool, rtm_mpool with the heap as fallback)\n");
    print_pool("small", small);
    print_pool("large", large);
    say("  classes: ");
    say_dec(s.total_allocations);
    say(" allocations, ");
    say_dec(s.pool_hits);
    say(" from pools, ");
    say_dec(s.fallback_allocations);
    say(" from the heap fallback, ");
    say_dec(s.total_deallocations);
    say(" frees routed by address\n");
}

void print_mpu(const rtm_mpu_t *mpu)
{
    say("\nMPU (rtm_mpu, ARMv7-M back end, ");
    say_dec(rtm_mpu_region_count(mpu));
    say(" regions, PRIVDEFENA)\n");
    for (uint32_t i = 0; i < rtm_mpu_region_count(mpu); i++) {
        rtm_mpu_region_t r;
        if (rtm_mpu_get_region(mpu, i, &r) != RTM_OK) {
            continue;
        }
        say("  region ");
        say_dec(i);
        say(": ");
        say_hex(r.base);
        say(" + ");
        say_dec(r.size);
        say("  ");
        say_perm(r.perm);
        say(r.perm == 0u ? "  (stack guard: no access)\n" : "\n");
    }
}

void print_stacks(const rtm_stack_t *stacks)
{
    rtm_stack_stats_t s;
    rtm_stack_get_stats(stacks, &s);
    say("stacks (rtm_stack): ");
    say_dec(s.active_stacks);
    say(" active, ");
    say_dec(s.pooled_stacks);
    say(" pooled for reuse, ");
    say_dec(s.mpu_guards);
    say(" MPU guards, overflows ");
    say_dec(s.stack_overflows);
    say(", max usage ");
    say_dec(s.max_stack_usage);
    say(" bytes\n");
}

void print_owners(const rtm_leak_t *leak)
{
    rtm_leak_owner_usage_t u[8];
    size_t n = 0u;
    rtm_status_t s = rtm_leak_owner_report(leak, u, 8u, &n);
    say("\nheap owners (rtm_leak owner tags");
    say(s == RTM_OK ? ")\n" : ", more than 8)\n");
    for (size_t i = 0; i < n; i++) {
        say("  owner ");
        say_dec(u[i].owner);
        say(": ");
        say_dec(u[i].blocks);
        say(" blocks, ");
        say_dec((size_t)u[i].bytes);
        say(" bytes\n");
    }
}

void print_checkpoint(uint32_t n, const rtm_heap_t *heap)
{
    rtm_alloc_stats_t s;
    rtm_heap_stats(heap, &s);
    size_t frag = s.free_bytes != 0u ? 1000u - s.largest_free_block * 1000u / s.free_bytes : 0u;
    say("\ndebugger checkpoint ");
    say_dec(n);
    say(": heap ");
    say_hex((uintptr_t)heap);
    say(", capacity ");
    say_dec(s.capacity);
    say(", in use ");
    say_dec(s.bytes_in_use);
    say(" in ");
    say_dec(s.current_allocations);
    say(" blocks, free ");
    say_dec(s.free_bytes);
    say(", largest free block ");
    say_dec(s.largest_free_block);
    say(", fragmentation ");
    say_dec(frag);
    say(" permille, peak ");
    say_dec(s.peak_memory_usage);
    say(", ");
    say_dec(s.total_allocations);
    say(" allocations / ");
    say_dec(s.total_deallocations);
    say(" frees, MPU_RNR ");
    say_dec(*(const volatile uint32_t *)(uintptr_t)0xE000ED98u);
    say("\n");
}

void print_fault_record(const rtm_fault_record_t *r)
{
    say("fault record (rtm_fault_record, .noinit): ");
    say_dec(r->count);
    say(" fault(s), CFSR ");
    say_hex(r->cfsr);
    say(", HFSR ");
    say_hex(r->hfsr);
    say(", MMFAR ");
    say_hex(r->mmfar);
    say(", address ");
    say_hex(r->address);
    say(", MPU region ");
    say_dec(r->region);
    say(", task ");
    say_dec(r->task);
    if ((r->frame_valid & RTM_FAULT_RECORD_FRAME_VALID) != 0u) {
        say(", stacked PC ");
        say_hex(r->frame[6]);
        say(", LR ");
        say_hex(r->frame[5]);
        say(", xPSR ");
        say_hex(r->frame[7]);
        say("\n");
    } else {
        say(", no stacked frame, SP ");
        say_hex(r->sp);
        say("\n");
    }
}
