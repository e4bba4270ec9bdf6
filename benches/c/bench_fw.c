/*
 * Cortex-M4 firmware (QEMU mps2-an386) that replays the benchmark traces
 * against every allocator, so icount.c can count the instructions each call
 * executes from QEMU's per-instruction exec log (-singlestep -d exec,nochain,
 * filtered to the allocators' code). bench_mark() separates the runs; its
 * argument and the run's name are printed through semihosting.
 */
#include <stddef.h>
#include <stdint.h>

#include "allocs.h"

#ifndef BENCH_OPS
#define BENCH_OPS 1000000ul
#endif
#ifndef BENCH_OPS_HOLES
#define BENCH_OPS_HOLES 2000ul
#endif
#ifndef BENCH_SLOW_HOLES_KIB
#define BENCH_SLOW_HOLES_KIB 64u
#endif
#define LIVE_CAP 16384u
#define ARENA_MAX (1024u * 1024u)

/* ---- start-up and semihosting (no C library) ---- */

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
int main(void);
void reset_handler(void);
void fault_handler(void);

__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top, reset_handler, fault_handler, fault_handler,
    fault_handler, fault_handler, fault_handler,
};

static int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void sh_exit(uint32_t code)
{
    uint32_t blk[2] = {0x20026u, code};
    (void)semihost(0x20, blk);
    for (;;) {
    }
}

static void say(const char *s)
{
    (void)semihost(0x04, (void *)(uintptr_t)s);
}

static void say_num(unsigned long v)
{
    char buf[24];
    size_t i = sizeof buf;
    buf[--i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    say(&buf[i]);
}

void fault_handler(void)
{
    say("bench_fw: fault\n");
    sh_exit(3u);
}

void reset_handler(void)
{
    uint32_t *s = &__data_load;
    for (uint32_t *d = &__data_start; d < &__data_end;) {
        *d++ = *s++;
    }
    for (uint32_t *d = &__bss_start; d < &__bss_end;) {
        *d++ = 0u;
    }
    sh_exit((uint32_t)main());
}

/* The compiler may emit calls to these for struct copies and loops. */
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    while (n-- > 0u) {
        *a++ = *b++;
    }
    return d;
}
void *memset(void *d, int c, size_t n)
{
    unsigned char *a = d;
    while (n-- > 0u) {
        *a++ = (unsigned char)c;
    }
    return d;
}

/* ---- runs ---- */

/* The counting's own check: five instructions, an IT block among them, on
 * either path. report.py refuses the results unless icount counts 5 per call. */
__asm__(".section .text.counted.calib,\"ax\",%progbits\n"
        ".global bench_calib\n"
        ".thumb_func\n"
        ".type bench_calib, %function\n"
        "bench_calib:\n"
        "    cmp r0, r1\n"
        "    ite gt\n"
        "    subgt r0, r0, r1\n"
        "    addle r0, r1, r1\n"
        "    bx lr\n"
        ".size bench_calib, .-bench_calib\n"
        ".text\n");
int bench_calib(int a, int b);

/* The stack analysis' own check, never called: 8 bytes pushed, 8 reserved, and
 * a call of bench_calib, which uses none. report.py refuses the results unless
 * wcet.py gives 16 bytes. */
__asm__(".section .text.counted.calib,\"ax\",%progbits\n"
        ".global bench_calib_stack\n"
        ".thumb_func\n"
        ".type bench_calib_stack, %function\n"
        "bench_calib_stack:\n"
        "    push {r4, lr}\n"
        "    sub sp, #8\n"
        "    bl bench_calib\n"
        "    add sp, #8\n"
        "    pop {r4, pc}\n"
        ".size bench_calib_stack, .-bench_calib_stack\n"
        ".text\n");

/* Placed with the counted code: its entry tells icount a new run starts. */
__attribute__((noinline, section(".text.counted.mark"))) void bench_mark(unsigned id);
__attribute__((noinline, section(".text.counted.mark"))) void bench_mark(unsigned id)
{
    __asm__ volatile("" : : "r"(id) : "memory");
}

static union {
    unsigned char b[ARENA_MAX];
    uint64_t align;
} arena;
static bench_live_t live[LIVE_CAP];

struct scenario {
    const char *name;
    size_t arena;
    size_t lo, hi;
    unsigned long ops;
    int holes;
};

/* Traces for BENCH_GENERAL allocators. */
static const struct scenario scenarios[] = {
    {"random 8..256 B, 64 KiB", 64u * 1024u, 8u, 256u, BENCH_OPS, 0},
    {"random 8..256 B, 1 MiB", 1024u * 1024u, 8u, 256u, BENCH_OPS, 0},
    {"random 8..4096 B, 1 MiB", 1024u * 1024u, 8u, 4096u, BENCH_OPS, 0},
    {"holes: 1 MiB of 32/96 B, 96s freed, then random 8..256 B", 1024u * 1024u, 8u, 256u,
     BENCH_OPS_HOLES, 1},
};

static unsigned run_id;

static void mark(const char *alloc, const char *what, unsigned long ops)
{
    say("run ");
    say_num(run_id);
    say(" ");
    say(alloc);
    say(" | ");
    say(what);
    if (ops != 0u) {
        say(" | ");
        say_num(ops);
        say(" ops");
    }
    say("\n");
    bench_mark(run_id++);
}

static void result(const bench_result_t *r)
{
    say("result allocs ");
    say_num(r->allocs);
    say(" frees ");
    say_num(r->frees);
    say(" failures ");
    say_num(r->failures);
    say(" peak_live ");
    say_num(r->peak_live);
    say("\n");
}

static int run(const bench_alloc_t *al, const struct scenario *sc, size_t lo, size_t hi)
{
    size_t n = 0u;
    unsigned long ops = sc->ops / al->ops_div;
    /* Perforating 1 MiB costs a slow allocator minutes of logged setup: it
     * gets 64 KiB (about 450 holes), which shows its growth just as well. */
    size_t size = sc->holes && al->ops_div > 1u ? BENCH_SLOW_HOLES_KIB * 1024u : sc->arena;
    char name[80];
    if (size != sc->arena) {
        /* "holes: N KiB of ..." */
        const char *rest = " KiB of 32/96 B, 96s freed, then random 8..256 B";
        size_t i = 0u;
        for (const char *c = "holes: "; *c != '\0'; c++) {
            name[i++] = *c;
        }
        if (BENCH_SLOW_HOLES_KIB >= 10u) {
            name[i++] = (char)('0' + (int)(BENCH_SLOW_HOLES_KIB / 10u % 10u));
        }
        name[i++] = (char)('0' + (int)(BENCH_SLOW_HOLES_KIB % 10u));
        for (const char *c = rest; *c != '\0' && i + 1u < sizeof name; c++) {
            name[i++] = *c;
        }
        name[i] = '\0';
    }
    mark(al->name, "setup", 0u);
    void *ctx = al->init(arena.b, size);
    if (ctx == NULL) {
        say("bench_fw: init failed\n");
        return 1;
    }
    if (sc->holes) {
        size_t holes = bench_perforate(al, ctx, live, LIVE_CAP, &n);
        say("holes ");
        say_num(holes);
        say("\n");
    }
    mark(al->name, size != sc->arena ? name : sc->name, ops);
    bench_trace_t t = {1u, ops, lo, hi, size / 2u};
    bench_result_t r = bench_run(al, ctx, &t, live, LIVE_CAP, &n);
    mark(al->name, "teardown", 0u);
    bench_drain(al, ctx, live, &n);
    result(&r);
    return 0;
}

int main(void)
{
    /* Which functions' calls icount counts, per allocator. */
    say("entries calibration bench_calib bench_calib\n");
    for (size_t a = 0; a < bench_nallocs; a++) {
        say("entries ");
        say(bench_allocs[a].name);
        say(" ");
        say(bench_allocs[a].fn_alloc);
        say(" ");
        say(bench_allocs[a].fn_free);
        say("\n");
    }
    mark("calibration", "5 instructions, both paths", 0u);
    volatile int sink = bench_calib(3, 2) + bench_calib(1, 2);
    (void)sink;
    for (size_t a = 0; a < bench_nallocs; a++) {
        const bench_alloc_t *al = &bench_allocs[a];
        if (al->kind == BENCH_GENERAL) {
            for (size_t s = 0; s < sizeof scenarios / sizeof scenarios[0]; s++) {
                if (run(al, &scenarios[s], scenarios[s].lo, scenarios[s].hi) != 0) {
                    return 1;
                }
            }
        } else if (al->kind == BENCH_FIXED) {
            static const struct scenario fixed = {"random fixed-size blocks, 64 KiB", 64u * 1024u, 0u, 0u,
                                                  BENCH_OPS, 0};
            if (run(al, &fixed, al->block, al->block) != 0) {
                return 1;
            }
        } else {
            size_t n = 0u;
            mark(al->name, "setup", 0u);
            void *ctx = al->init(arena.b, 64u * 1024u);
            mark(al->name, "fill 64 KiB with 8..256 B", 0u);
            size_t bytes = ctx != NULL ? bench_fill(al, ctx, 1u, 8u, 256u, live, LIVE_CAP, &n) : 0u;
            mark(al->name, "teardown", 0u);
            say("filled ");
            say_num(bytes);
            say("\n");
        }
    }
    mark("-", "end", 0u);
    return 0;
}
