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

static const struct scenario scenarios[] = {
    {"random 8..256 B, 64 KiB", 64u * 1024u, 8u, 256u, BENCH_OPS, 0},
    {"random 8..256 B, 1 MiB", 1024u * 1024u, 8u, 256u, BENCH_OPS, 0},
    {"random 8..4096 B, 1 MiB", 1024u * 1024u, 8u, 4096u, BENCH_OPS, 0},
    {"holes: 1 MiB of 32/96 B, 96s freed, then random 8..256 B", 1024u * 1024u, 8u, 256u,
     BENCH_OPS_HOLES, 1},
};

static unsigned run_id;

static void mark(const char *alloc, const char *what)
{
    say("run ");
    say_num(run_id);
    say(" ");
    say(alloc);
    say(" | ");
    say(what);
    say("\n");
    bench_mark(run_id++);
}

int main(void)
{
    for (size_t a = 0; a < bench_nallocs; a++) {
        const bench_alloc_t *al = &bench_allocs[a];
        for (size_t s = 0; s < sizeof scenarios / sizeof scenarios[0]; s++) {
            const struct scenario *sc = &scenarios[s];
            size_t n = 0u;
            mark(al->name, "setup");
            void *ctx = al->init(arena.b, sc->arena);
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
            mark(al->name, sc->name);
            bench_trace_t t = {1u, sc->ops, sc->lo, sc->hi, sc->arena / 2u};
            bench_result_t r = bench_run(al, ctx, &t, live, LIVE_CAP, &n);
            mark(al->name, "teardown");
            bench_drain(al, ctx, live, &n);
            say("result allocs ");
            say_num(r.allocs);
            say(" frees ");
            say_num(r.frees);
            say(" failures ");
            say_num(r.failures);
            say(" peak_live ");
            say_num(r.peak_live);
            say("\n");
        }
    }
    mark("-", "end");
    return 0;
}
