/*
 * rtmem demo firmware for the emulated Cortex-M4F (QEMU mps2-an386): `make demo`.
 *
 * Boots, prints the memory map, runs two tasks on their own stacks, each
 * with an MPU guard region below it, and then lets the second task overflow
 * its stack on purpose: the MemManage fault is caught, reported (address and
 * kind) and the task is ended while the rest of the firmware carries on.
 * The image exits 0 when everything behaved as designed (the overflow was
 * caught in the right guard), non-zero otherwise.
 *
 * Board services (start-up, semihosting console, fault entry, running a
 * function on its own stack) come from test/target/ (rtm_target.h).
 */
#include "rtmem/rtmem.h"
#include "rtm_target.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define MPU_CTRL REG32(0xE000ED94u)
#define MPU_RNR REG32(0xE000ED98u)
#define MPU_RBAR REG32(0xE000ED9Cu)
#define MPU_RASR REG32(0xE000EDA0u)

#define STACK_BYTES 2048u
#define GUARD_BYTES 32u
#define PAINT 0xa5a5a5a5u

extern char __code_start[], __code_end[], __ram_start[], __ram_end[];
extern char __stack_limit[], __stack_top[], __data_start[], __bss_end[], __free_start[];

struct task {
    const char *name;
    uint32_t *stack; /* lowest word; the guard is the first GUARD_BYTES */
    void (*entry)(void *);
    uint32_t result;
};

static uint32_t stacks[2][STACK_BYTES / 4u] __attribute__((aligned(STACK_BYTES)));

static void say(const char *s)
{
    rtm_target_write(s);
}

static void say_region(const char *name, const void *lo, const void *hi)
{
    say("  ");
    say(name);
    say(" ");
    rtm_target_write_hex((uint32_t)(uintptr_t)lo);
    say(" .. ");
    rtm_target_write_hex((uint32_t)(uintptr_t)hi);
    say("  (");
    rtm_target_write_dec((uint32_t)((uintptr_t)hi - (uintptr_t)lo) / 1024u);
    say(" KiB)\n");
}

/* ---- the tasks ---------------------------------------------------------- */

static void sensor_task(void *arg)
{
    struct task *t = (struct task *)arg;
    volatile uint32_t window[64];
    uint32_t sum = 0u;
    for (uint32_t i = 0; i < 64u; i++) {
        window[i] = i * i;
    }
    for (uint32_t i = 0; i < 64u; i++) {
        sum += window[i];
    }
    t->result = sum;
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

/* ---- MPU guards ---------------------------------------------------------- */

static void guard_region(uint32_t n, const void *base)
{
    /* PMSAv7: 32-byte region (SIZE = 4), no access (AP = 0), execute never. */
    MPU_RNR = n;
    MPU_RBAR = (uint32_t)(uintptr_t)base;
    MPU_RASR = (1u << 28) | (4u << 1) | 1u;
}

static void mpu_enable(void)
{
    MPU_CTRL = 4u | 1u; /* PRIVDEFENA | ENABLE */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

/* ---- stack painting ------------------------------------------------------ */

static void paint(struct task *t)
{
    for (uint32_t i = GUARD_BYTES / 4u; i < STACK_BYTES / 4u; i++) {
        t->stack[i] = PAINT;
    }
}

static uint32_t high_water(const struct task *t)
{
    uint32_t i = GUARD_BYTES / 4u;
    while (i < STACK_BYTES / 4u && t->stack[i] == PAINT) {
        i++;
    }
    return STACK_BYTES - i * 4u;
}

/* ---- faults -------------------------------------------------------------- */

struct caught {
    uint32_t count;
    rtm_target_fault_t fault;
};

static uint32_t on_fault(const rtm_target_fault_t *f, void *user)
{
    struct caught *c = (struct caught *)user;
    c->count++;
    c->fault = *f;
    return RTM_TARGET_RESUME_ABORT; /* end the task, keep the firmware */
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case RTM_TARGET_FAULT_MEMMANAGE:
        return "MemManage";
    case RTM_TARGET_FAULT_BUS:
        return "BusFault";
    case RTM_TARGET_FAULT_USAGE:
        return "UsageFault";
    case RTM_TARGET_FAULT_HARD:
        return "HardFault";
    default:
        return "fault";
    }
}

static void say_mmfsr(uint32_t cfsr)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        {RTM_TARGET_CFSR_IACCVIOL, "IACCVIOL"}, {RTM_TARGET_CFSR_DACCVIOL, "DACCVIOL"},
        {RTM_TARGET_CFSR_MUNSTKERR, "MUNSTKERR"}, {RTM_TARGET_CFSR_MSTKERR, "MSTKERR"},
        {RTM_TARGET_CFSR_MLSPERR, "MLSPERR"}, {RTM_TARGET_CFSR_MMARVALID, "MMARVALID"},
    };
    const char *sep = "";
    for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if ((cfsr & bits[i].bit) != 0u) {
            say(sep);
            say(bits[i].name);
            sep = "|";
        }
    }
}

static uint32_t run_task(struct task *t, struct caught *c)
{
    paint(t);
    say("task '");
    say(t->name);
    say("': stack ");
    rtm_target_write_hex((uint32_t)(uintptr_t)t->stack + GUARD_BYTES);
    say(" .. ");
    rtm_target_write_hex((uint32_t)(uintptr_t)t->stack + STACK_BYTES);
    say(", guard ");
    rtm_target_write_hex((uint32_t)(uintptr_t)t->stack);
    say(" (");
    rtm_target_write_dec(GUARD_BYTES);
    say(" bytes, MPU no-access)\n");
    uint32_t r = rtm_target_run(t->entry, t, (uint8_t *)t->stack + STACK_BYTES,
                                RTM_TARGET_RUN_PRIVILEGED);
    say("task '");
    say(t->name);
    say(r == RTM_TARGET_RUN_RETURNED ? "': returned" : "': ended by a fault");
    say(", stack high-water mark ");
    rtm_target_write_dec(high_water(t));
    say(" of ");
    rtm_target_write_dec(STACK_BYTES - GUARD_BYTES);
    say(" bytes\n");
    (void)c;
    return r;
}

void rtm_target_main(void)
{
    say("rtmem ");
    say(rtm_version_string());
    say(" demo on ");
    say(rtm_target_name());
    say("\n\nmemory map\n");
    say_region("code      ", __code_start, __code_end);
    say_region("RAM       ", __ram_start, __ram_end);
    say_region("main stack", __stack_limit, __stack_top);
    say_region(".data+.bss", __data_start, __bss_end);
    say_region("free RAM  ", __free_start, __ram_end);
    say("\n");

    struct task tasks[2] = {
        {"sensor", stacks[0], sensor_task, 0u},
        {"logger", stacks[1], logger_task, 0u},
    };
    guard_region(6u, tasks[0].stack);
    guard_region(7u, tasks[1].stack);
    mpu_enable();

    struct caught caught = {0u, {0}};
    rtm_target_set_fault_hook(on_fault, &caught);
    uint32_t r0 = run_task(&tasks[0], &caught);
    say("\nnow the logger task overflows its stack on purpose...\n");
    uint32_t r1 = run_task(&tasks[1], &caught);
    rtm_target_disarm();

    uint32_t guard = (uint32_t)(uintptr_t)tasks[1].stack;
    const rtm_target_fault_t *f = &caught.fault;
    if (caught.count != 0u) {
        say("caught: ");
        say(kind_name(f->kind));
        say(" (");
        say_mmfsr(f->cause);
        say(") at address ");
        rtm_target_write_hex(f->addr);
        say(f->addr >= guard && f->addr < guard + GUARD_BYTES ? ", inside the guard of task 'logger'\n"
                                                             : ", NOT in the expected guard\n");
    }

    bool ok = r0 == RTM_TARGET_RUN_RETURNED && tasks[0].result == 85344u &&
              r1 == RTM_TARGET_RUN_FAULTED && caught.count == 1u &&
              f->kind == RTM_TARGET_FAULT_MEMMANAGE && f->addr_valid != 0u && f->addr >= guard &&
              f->addr < guard + GUARD_BYTES;
    say(ok ? "\ndemo: PASS (overflow caught by the MPU guard, firmware still running)\n"
           : "\ndemo: FAIL (the overflow was not caught as designed)\n");
    rtm_target_exit(ok ? 0u : 1u);
}
