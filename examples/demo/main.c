/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtmem demo firmware for the emulated Cortex-M4F (QEMU mps2-an386): `make demo`.
 *
 * What a firmware does with rtmem at boot, printed as it goes:
 *   1. describe the memory in a memory map (rtm_memmap),
 *   2. put the O(1) heap over a RAM arena (rtm_heap),
 *   3. carve two fixed-size pools and a size-class manager with the heap as
 *      fallback (rtm_pool, rtm_mpool),
 *   4. program the MPU through the ARMv7-M back end (rtm_mpu): code and RAM
 *      open to unprivileged tasks, and give two tasks stacks from the heap with
 *      a no-access MPU guard below each (rtm_stack),
 *   5. run both tasks unprivileged on their stacks; the second overflows its
 *      stack on purpose: the MemManage fault is captured and decoded by the
 *      library, named (which task, guard or stack) and only that task ends.
 * The heap's users are tagged (leak tracker owner tags: 1 sensor, 2 logger,
 * 3 message fallback, 4 sensor frames: those record their call site too), the fault is also written to
 * a fault record in `.noinit` RAM, and two debugger checkpoints (empty
 * functions) mark where tools/gdb's test stops to compare its view with what
 * the firmware prints (docs/debugging.md).
 * Exits 0 when everything behaved as designed (the overflow caught in the
 * logger's guard, the other task and every structure intact), 1 otherwise.
 *
 * Board services (start-up, semihosting console, fault entry, running a
 * function on its own stack and privilege) come from test/target/
 * (rtm_target.h); the console helpers are in console.c.
 */
#include "demo.h"

#define HEAP_BYTES (256u * 1024u)
#define POOL_BYTES (16u * 1024u)
#define TASK_STACK_BYTES 1024u
#define GUARD_BYTES 128u

#define TASK_SENSOR 1u
#define TASK_LOGGER 2u
#define OWNER_MESSAGES 3u
#define OWNER_FRAMES 4u
#define LEAK_RECORDS 32u

extern char __code_start[], __code_end[], __ram_start[], __ram_end[];
extern char __stack_limit[], __stack_top[], __data_start[], __bss_end[], __free_start[];

/* Everything the fault hook needs to name a fault. */
struct demo {
    rtm_memmap_t map;
    rtm_region_t map_table[12];
    rtm_heap_t *heap;
    rtm_allocator_t heap_alloc;
    rtm_pool_t *small;
    rtm_pool_t *large;
    rtm_mpool_t *classes;
    rtm_mpu_t mpu;
    rtm_stack_t stacks;
    rtm_stack_slot_t stack_table[4];
    /* the heap's users, tagged: the leak tracker over the heap */
    rtm_leak_t leak;
    rtm_leak_record_t leak_records[LEAK_RECORDS];
    uint32_t leak_owners[LEAK_RECORDS];
    rtm_allocator_t tracked;
    uint32_t owner; /* the owner tag of what is allocated now */
    uint64_t ticks;
    /* the fault, as the hook saw it */
    uint32_t faults;
    rtm_mpu_fault_t fault;
    uint32_t fault_task;
    uint32_t fault_where;
    bool fault_in_task;
};

static struct demo demo;
/* Survives a reset: the start-up code neither copies nor clears .noinit. */
rtm_fault_record_t demo_fault_record __attribute__((section(".noinit")));
static unsigned char mpool_storage[512] __attribute__((aligned(8)));

static bool ok(const char *what, rtm_status_t s)
{
    if (s != RTM_OK) {
        say("  ");
        say(what);
        say(" failed: ");
        say(rtm_status_str(s));
        say("\n");
    }
    return s == RTM_OK;
}

/* ---- 1. memory map ------------------------------------------------------- */

static bool build_map(struct demo *d, uintptr_t heap, uintptr_t pools)
{
    uintptr_t data = (uintptr_t)__data_start;
    uintptr_t free_end = (uintptr_t)__ram_end;
    uintptr_t rest = pools + POOL_BYTES;
    bool good = ok("memmap_init", rtm_memmap_init(&d->map, d->map_table, 12u));
    good = good && ok("code", rtm_memmap_add_region(&d->map, (uintptr_t)__code_start,
                                                    (size_t)(__code_end - __code_start), RTM_REGION_CODE,
                                                    RTM_PERM_READ | RTM_PERM_EXEC, "code"));
    good = good && ok("stack", rtm_memmap_add_region(&d->map, (uintptr_t)__stack_limit,
                                                     (size_t)(__stack_top - __stack_limit),
                                                     RTM_REGION_STACK, RTM_PERM_READ | RTM_PERM_WRITE,
                                                     "main stack"));
    good = good && ok("data", rtm_memmap_add_region(&d->map, data, heap - data, RTM_REGION_DATA,
                                                    RTM_PERM_READ | RTM_PERM_WRITE, ".data+.bss"));
    good = good && ok("heap", rtm_memmap_add_region(&d->map, heap, HEAP_BYTES, RTM_REGION_HEAP,
                                                    RTM_PERM_READ | RTM_PERM_WRITE, "heap"));
    good = good && ok("pools", rtm_memmap_add_region(&d->map, pools, POOL_BYTES, RTM_REGION_HEAP,
                                                     RTM_PERM_READ | RTM_PERM_WRITE, "pools"));
    good = good && ok("spare", rtm_memmap_add_region(&d->map, rest, free_end - rest, RTM_REGION_RESERVED,
                                                     RTM_PERM_READ | RTM_PERM_WRITE, "spare RAM"));
    good = good && ok("devices", rtm_memmap_add_region(&d->map, 0x40000000u, 0x20000000u, RTM_REGION_DEVICE,
                                                       RTM_PERM_READ | RTM_PERM_WRITE, "peripherals"));
    good = good && ok("system", rtm_memmap_add_region(&d->map, 0xE0000000u, 0x20000000u, RTM_REGION_DEVICE,
                                                      RTM_PERM_READ | RTM_PERM_WRITE, "system (PPB)"));
    /* Overlaps are refused: the map stays consistent. */
    good = good && rtm_memmap_add_region(&d->map, heap + 64u, 64u, RTM_REGION_HEAP, RTM_PERM_READ,
                                         "overlap") == RTM_ERR_OVERLAP;
    return good;
}

/* ---- 2./3. heap and pools ------------------------------------------------ */

static uint64_t tick(void *user)
{
    return ++((struct demo *)user)->ticks;
}

static uint32_t current_owner(void *user)
{
    return ((const struct demo *)user)->owner;
}

static bool build_heap_and_pools(struct demo *d, void *heap, void *pools)
{
    bool good = ok("heap_init", rtm_heap_init(heap, HEAP_BYTES, &d->heap));
    if (!good) {
        return false;
    }
    d->heap_alloc = rtm_heap_allocator(d->heap);
    rtm_leak_config_t lc = {d->heap_alloc, d->leak_records, LEAK_RECORDS, tick, d, 1000000u};
    good = ok("leak_init", rtm_leak_init(&d->leak, &lc));
    good = good && ok("owner hook", rtm_leak_set_owner_hook(&d->leak, d->leak_owners, LEAK_RECORDS, current_owner, d));
    d->tracked = rtm_leak_allocator(&d->leak);
    good = good && ok("pool 32", rtm_pool_init(pools, POOL_BYTES / 2u, 32u, 8u, &d->small));
    good = good && ok("pool 128", rtm_pool_init((unsigned char *)pools + POOL_BYTES / 2u, POOL_BYTES / 2u,
                                                128u, 8u, &d->large));
    good = good && ok("mpool_init", rtm_mpool_init(mpool_storage, sizeof mpool_storage, &d->classes));
    good = good && ok("add 32", rtm_mpool_add_pool(d->classes, d->small));
    good = good && ok("add 128", rtm_mpool_add_pool(d->classes, d->large));
    good = good && ok("fallback", rtm_mpool_set_fallback(d->classes, &d->tracked));
    return good;
}

/* Some traffic: sensor frames from the heap, messages through the classes. */
static bool exercise_allocators(struct demo *d)
{
    void *frames[6];
    void *msgs[40];
    bool good = true;
    d->owner = OWNER_FRAMES;
    for (unsigned i = 0; i < 6u && good; i++) {
        good = ok("heap_alloc", rtm_leak_alloc(&d->leak, 512u + 700u * i, 16u, &frames[i]));
    }
    for (unsigned i = 0; i < 6u && good; i += 2u) {
        good = ok("heap_free", rtm_leak_free(&d->leak, frames[i]));
    }
    d->owner = OWNER_MESSAGES;
    for (unsigned i = 0; i < 40u && good; i++) {
        size_t size = i % 4u == 3u ? 400u : (i % 2u == 0u ? 24u : 100u); /* 400: past the pools */
        good = ok("mpool_alloc", rtm_mpool_alloc(d->classes, size, 8u, &msgs[i]));
    }
    for (unsigned i = 0; i < 40u && good; i += 3u) {
        size_t size = i % 4u == 3u ? 400u : (i % 2u == 0u ? 24u : 100u);
        good = ok("mpool_free", rtm_mpool_free(d->classes, msgs[i], size));
    }
    return good;
}

/* ---- 4. MPU and task stacks ---------------------------------------------- */

static void on_violation(void *user, const rtm_mpu_fault_t *fault)
{
    (void)user;
    say("  MPU violation reported: ");
    say(fault_kind_name(fault->kind));
    say(" at ");
    say_hex(fault->address);
    say(", MPU region ");
    say_dec(fault->region);
    say("\n");
}

static bool build_mpu_and_stacks(struct demo *d)
{
    rtm_mpu_backend_t be = rtm_mpu_armv7m_backend((void *)0);
    bool good = ok("mpu_init", rtm_mpu_init(&d->mpu, &be));
    /* Background regions at the lowest indexes: guards added later win. */
    rtm_mpu_region_t code = {(uintptr_t)__code_start, (size_t)(__code_end - __code_start),
                             RTM_PERM_READ | RTM_PERM_EXEC | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u};
    rtm_mpu_region_t ram = {(uintptr_t)__ram_start, (size_t)(__ram_end - __ram_start),
                            RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u};
    good = good && ok("code region", rtm_mpu_set_region(&d->mpu, 0u, &code));
    good = good && ok("ram region", rtm_mpu_set_region(&d->mpu, 1u, &ram));
    good = good && ok("violation handler", rtm_mpu_set_violation_handler(&d->mpu, on_violation, d));

    /* The guard must be at least as large as the largest stack frame a task
     * pushes at once (dive() below: 72 bytes), or an overflow can step over
     * it into whatever lies below: 128 bytes, a power of two as PMSAv7 needs. */
    rtm_stack_config_t cfg = {0u, GUARD_BYTES, RTM_STACK_PAINT | RTM_STACK_REQUIRE_GUARD, 0u, 0u, 0u};
    good = good && ok("stack_init", rtm_stack_init(&d->stacks, &cfg, &d->tracked, &d->mpu, d->stack_table, 4u));
    d->owner = TASK_SENSOR;
    good = good && ok("sensor stack", rtm_stack_allocate(&d->stacks, TASK_SENSOR, TASK_STACK_BYTES, (rtm_stack_info_t *)0));
    d->owner = TASK_LOGGER;
    good = good && ok("logger stack", rtm_stack_allocate(&d->stacks, TASK_LOGGER, TASK_STACK_BYTES, (rtm_stack_info_t *)0));
    good = good && ok("mpu_enable", rtm_mpu_enable(&d->mpu, RTM_MPU_CTRL_PRIVDEFENA));
    return good;
}

/* ---- 5. the tasks -------------------------------------------------------- */

struct sensor_args {
    struct demo *d;
    uint32_t sum;
    rtm_status_t status;
};

static void sensor_task(void *arg)
{
    struct sensor_args *a = (struct sensor_args *)arg;
    void *msg = (void *)0;
    volatile uint32_t window[64];
    uint32_t sum = 0u;
    for (uint32_t i = 0; i < 64u; i++) {
        window[i] = i * i;
    }
    for (uint32_t i = 0; i < 64u; i++) {
        sum += window[i];
    }
    /* Unprivileged code uses the pools like any other code. */
    a->status = rtm_mpool_alloc(a->d->classes, 20u, 4u, &msg);
    if (a->status == RTM_OK) {
        *(uint32_t *)msg = sum;
        a->sum = *(uint32_t *)msg;
        a->status = rtm_mpool_free(a->d->classes, msg, 20u);
    }
}

static void (*volatile descend)(uint32_t);

/* Unbounded recursion, each level keeping a frame: a stack overflow. */
static void dive(uint32_t depth)
{
    volatile uint32_t frame[16];
    frame[0] = depth;
    descend(depth + 1u);
    frame[1] = frame[0];
}

static void logger_task(void *arg)
{
    (void)arg;
    descend = dive;
    dive(0u);
}

/* The board's fault hook: the library captures and decodes the fault and
 * names the task; the hook ends the task (the firmware goes on). */
static uint32_t on_fault(const rtm_target_fault_t *f, void *user)
{
    struct demo *d = (struct demo *)user;
    rtm_mpu_fault_t fault;
    /* Kept for the next boot too (no stacked frame when the stacking faulted). */
    (void)rtm_fault_record_capture_arm(&demo_fault_record, &d->mpu, (const uint32_t *)(uintptr_t)f->sp, 0u,
                                       d->owner);
    (void)rtm_mpu_fault_capture_arm(false, &fault); /* the board clears CFSR afterwards */
    (void)rtm_mpu_report_fault(&d->mpu, &fault);
    d->faults++;
    d->fault = fault;
    d->fault_in_task = f->in_run != 0u;
    d->fault_task = 0u;
    d->fault_where = 0u;
    if ((fault.flags & RTM_MPU_FAULT_ADDR_VALID) != 0u &&
        rtm_stack_find(&d->stacks, fault.address, &d->fault_task, &d->fault_where) == RTM_OK) {
        (void)rtm_stack_note_overflow(&d->stacks, d->fault_task);
    }
    return f->in_run != 0u ? RTM_TARGET_RESUME_ABORT : RTM_TARGET_RESUME_FATAL;
}

static uint32_t run_task(struct demo *d, uint32_t id, const char *name, void (*entry)(void *), void *arg)
{
    rtm_stack_info_t info;
    if (!ok("stack_get_info", rtm_stack_get_info(&d->stacks, id, &info))) {
        return RTM_TARGET_RUN_REFUSED;
    }
    say("task '");
    say(name);
    say("': unprivileged, stack ");
    say_hex(info.limit);
    say(" .. ");
    say_hex(info.top);
    say(", guard ");
    say_hex(info.base);
    say(" (");
    say_dec(info.guard_size);
    say(" bytes, MPU region ");
    say_dec(info.mpu_region);
    say(")\n");
    (void)rtm_stack_activate(&d->stacks, id);
    d->owner = id;
    uint32_t r = rtm_target_run(entry, arg, (void *)info.top, RTM_TARGET_RUN_UNPRIVILEGED);
    size_t used = 0u;
    (void)rtm_stack_high_water(&d->stacks, id, &used);
    say("task '");
    say(name);
    say(r == RTM_TARGET_RUN_RETURNED ? "': returned" : "': ended by a fault");
    say(", high-water mark ");
    say_dec(used);
    say(" of ");
    say_dec(info.size);
    say(" bytes\n");
    return r;
}

/* Where the debugger test stops (tools/gdb/demo-test.gdb): empty, not inlined. */
__attribute__((noinline)) void demo_checkpoint(uint32_t n)
{
    __asm__ volatile("" ::"r"(n) : "memory");
}

void rtm_target_main(void)
{
    struct demo *d = &demo;
    uintptr_t heap = align_up_addr((uintptr_t)__free_start, 64u);
    uintptr_t pools = heap + HEAP_BYTES;

    say("rtmem ");
    say(rtm_version_string());
    say(" demo on ");
    say(rtm_target_name());
    say("\n");
    rtm_fault_record_t last;
    rtm_status_t rs = rtm_fault_record_take(&demo_fault_record, &last);
    say("fault record of the previous boot: ");
    say(rs == RTM_OK ? "found (see below)" : rtm_status_str(rs));
    say("\n\n");
    if (rs == RTM_OK) {
        print_fault_record(&last);
    }

    bool good = build_map(d, heap, pools);
    good = good && build_heap_and_pools(d, (void *)heap, (void *)pools);
    good = good && exercise_allocators(d);
    good = good && build_mpu_and_stacks(d);
    if (!good) {
        say("\ndemo: FAIL (set-up)\n");
        rtm_target_exit(1u);
    }
    update_map_usage(d->heap, d->small, d->large, &d->map, heap, pools, POOL_BYTES / 2u);
    print_map(&d->map);
    print_heap(d->heap);
    print_pools(d->small, d->large, d->classes);
    print_mpu(&d->mpu);
    print_owners(&d->leak);
    print_checkpoint(1u, d->heap);
    demo_checkpoint(1u);

    say("\ntasks\n");
    struct sensor_args sensor = {d, 0u, RTM_ERR_UNSUPPORTED};
    rtm_target_set_fault_hook(on_fault, d);
    uint32_t r_sensor = run_task(d, TASK_SENSOR, "sensor", sensor_task, &sensor);
    say("\nthe logger task now overflows its stack on purpose...\n");
    uint32_t r_logger = run_task(d, TASK_LOGGER, "logger", logger_task, (void *)0);
    rtm_target_disarm();

    if (d->faults != 0u) {
        say("caught: ");
        say(fault_kind_name(d->fault.kind));
        say((d->fault.flags & RTM_MPU_FAULT_F_STACKING) != 0u ? " (+ exception stacking)" : "");
        say(", CFSR ");
        say_hex(d->fault.status);
        say(", address ");
        say_hex(d->fault.address);
        if (d->fault_task != 0u) {
            say(d->fault_where == RTM_STACK_IN_GUARD ? ": in the guard of task " : ": in the stack of task ");
            say_dec(d->fault_task);
            say(d->fault_task == TASK_LOGGER ? " (logger)" : "");
        }
        say("\n");
    }
    /* The software canary below the stack may or may not have been written
     * (a frame can step over 16 bytes); the MPU guard is what caught it. */
    rtm_status_t canary = rtm_stack_check_canary(&d->stacks, TASK_LOGGER);
    say("logger's canary: ");
    say(canary == RTM_OK ? "intact (the frames stepped over it; the MPU guard did not miss)\n"
                         : "damaged, as the stack ran over it\n");
    rtm_status_t freed = rtm_stack_free(&d->stacks, TASK_LOGGER);
    say("logger's stack released: ");
    say(rtm_status_str(freed));
    say("\n");
    print_stacks(&d->stacks);
    print_checkpoint(2u, d->heap);
    demo_checkpoint(2u);
    if (rtm_fault_record_check(&demo_fault_record) == RTM_OK) {
        print_fault_record(&demo_fault_record); /* what the next boot would find */
    }

    bool sensor_ok = r_sensor == RTM_TARGET_RUN_RETURNED && sensor.status == RTM_OK && sensor.sum == 85344u;
    bool caught = r_logger == RTM_TARGET_RUN_FAULTED && d->faults == 1u && d->fault_in_task &&
                  d->fault.kind == RTM_MPU_FAULT_DATA_ACCESS &&
                  (d->fault.flags & RTM_MPU_FAULT_ADDR_VALID) != 0u && d->fault_task == TASK_LOGGER &&
                  d->fault_where == RTM_STACK_IN_GUARD;
    rtm_mpu_stats_t mpu_stats;
    rtm_mpu_get_stats(&d->mpu, &mpu_stats);
    rtm_stack_stats_t stack_stats;
    rtm_stack_get_stats(&d->stacks, &stack_stats);
    bool intact = rtm_heap_check(d->heap) == RTM_OK && rtm_pool_check(d->small) == RTM_OK &&
                  rtm_pool_check(d->large) == RTM_OK && rtm_mpool_check(d->classes) == RTM_OK &&
                  rtm_stack_check(&d->stacks) == RTM_OK && rtm_memmap_check(&d->map) == RTM_OK &&
                  mpu_stats.violations == 1u && stack_stats.stack_overflows == 1u &&
                  stack_stats.active_stacks == 1u && stack_stats.pooled_stacks == 1u &&
                  (canary == RTM_OK || canary == RTM_ERR_CORRUPTED) &&
                  (freed == RTM_OK || freed == RTM_ERR_CORRUPTED);
    (void)rtm_mpu_disable(&d->mpu);

    say("\nsensor task ");
    say(sensor_ok ? "ok" : "WRONG");
    say(", overflow ");
    say(caught ? "caught in the logger's guard" : "NOT caught as designed");
    say(", heap/pools/stacks/map checks ");
    say(intact ? "ok" : "FAILED");
    bool pass = sensor_ok && caught && intact;
    say(pass ? "\ndemo: PASS\n" : "\ndemo: FAIL\n");
    rtm_target_exit(pass ? 0u : 1u);
}
