/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Cortex-M4 firmware (QEMU mps2-an386) that replays the benchmark traces
 * against every allocator, so icount.c can count the instructions each call
 * executes (icount_plugin.c under QEMU, or QEMU's per-instruction exec log
 * filtered to the allocators' code). bench_mark() separates the runs; its
 * argument and the run's name are printed through semihosting.
 */
#include <stddef.h>
#include <stdint.h>

#include "allocs.h"
#include "rtmem/heap.h"

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

/* Placed with the counted code: the harness calls one of them right after
 * every reallocation, which ends its call (a reallocation may call its
 * allocator's own allocation and free), bench_moved() when the block moved
 * or the call failed, so icount files that call apart. */
__attribute__((noinline, section(".text.counted.mark"))) void bench_moved(void);
__attribute__((noinline, section(".text.counted.mark"))) void bench_moved(void)
{
    __asm__ volatile("" : : : "memory");
}
__attribute__((noinline, section(".text.counted.mark"))) void bench_kept(void);
__attribute__((noinline, section(".text.counted.mark"))) void bench_kept(void)
{
    __asm__ volatile("" : : : "memory");
}

static void realloc_done(int moved)
{
    if (moved) {
        bench_moved();
    } else {
        bench_kept();
    }
}

/*
 * Stack probe: calls fn(args[0], args[1], args[2], args[3]) and returns how
 * many bytes below the stack pointer at the call it wrote, found by painting
 * 1 KiB below SP first and looking for the lowest word that changed. Space a
 * callee reserves but never writes is not seen, so this measures from below
 * what wcet.py bounds from above; report.py checks that it stays below.
 */
__asm__(".text\n"
        ".global bench_stack_probe\n"
        ".thumb_func\n"
        ".type bench_stack_probe, %function\n"
        "bench_stack_probe:\n"
        "    push {r4, r5, r6, r7, r8, lr}\n"
        "    mov r4, r0\n"
        "    mov r5, sp\n"
        "    movw r6, #0xbeef\n"
        "    movt r6, #0xdead\n"
        "    sub r7, r5, #1024\n"
        "1:  str r6, [r7], #4\n"
        "    cmp r7, r5\n"
        "    blo 1b\n"
        "    ldm r1, {r0, r1, r2, r3}\n"
        "    blx r4\n"
        "    sub r7, r5, #1024\n"
        "2:  ldr r0, [r7]\n"
        "    cmp r0, r6\n"
        "    bne 3f\n"
        "    adds r7, #4\n"
        "    cmp r7, r5\n"
        "    blo 2b\n"
        "3:  sub r0, r5, r7\n"
        "    pop {r4, r5, r6, r7, r8, pc}\n"
        ".size bench_stack_probe, .-bench_stack_probe\n");
uint32_t bench_stack_probe(const void *fn, const uintptr_t args[4]);

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
    int kind;      /* TRACE_* */
    size_t target; /* requested bytes live to hover around; 0: half the arena */
};

#define TRACE_RANDOM 0
#define TRACE_ALIGNED 1
#define TRACE_REALLOC 2

/* Traces for BENCH_GENERAL allocators. */
static const struct scenario scenarios[] = {
    {"random 8..256 B, 64 KiB", 64u * 1024u, 8u, 256u, BENCH_OPS, 0, TRACE_RANDOM, 0u},
    {"random 8..256 B, 1 MiB", 1024u * 1024u, 8u, 256u, BENCH_OPS, 0, TRACE_RANDOM, 0u},
    {"random 8..4096 B, 1 MiB", 1024u * 1024u, 8u, 4096u, BENCH_OPS, 0, TRACE_RANDOM, 0u},
    {"holes: 1 MiB of 32/96 B, 96s freed, then random 8..256 B", 1024u * 1024u, 8u, 256u,
     BENCH_OPS_HOLES, 1, TRACE_RANDOM, 0u},
    {"aligned: random 8..256 B, 64 KiB, alignment 8..256 B cycled", 64u * 1024u, 8u, 256u, BENCH_OPS, 0,
     TRACE_ALIGNED, 0u},
    {"realloc: random 8..256 B, 64 KiB, half the operations resize a live block by -64..+64 B", 64u * 1024u, 8u,
     256u, BENCH_OPS, 0, TRACE_REALLOC, 0u},
    /* Few live blocks: a pool manager serves every request from a class. */
    {"small: random 8..256 B, 64 KiB, 4 KiB live", 64u * 1024u, 8u, 256u, BENCH_OPS, 0, TRACE_RANDOM, 4096u},
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
    say(" reallocs ");
    say_num(r->reallocs);
    say(" moved ");
    say_num(r->moved);
    say(" realloc_failures ");
    say_num(r->realloc_failures);
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
    bench_trace_t t = {1u, ops, lo, hi, sc->target != 0u ? sc->target : size / 2u, sc->kind == TRACE_ALIGNED};
    bench_result_t r = sc->kind == TRACE_REALLOC ? bench_realloc_run(al, ctx, &t, live, LIVE_CAP, &n, realloc_done)
                                                 : bench_run(al, ctx, &t, live, LIVE_CAP, &n);
    mark(al->name, "teardown", 0u);
    bench_drain(al, ctx, live, &n);
    result(&r);
    return 0;
}

/* Probe one call and print "stack FUNCTION BYTES" for report.py. */
static void probe(const char *name, const void *fn, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    const uintptr_t args[4] = {a, b, c, d};
    uint32_t used = bench_stack_probe(fn, args);
    say("stack ");
    say(name);
    say(" ");
    say_num(used);
    say("\n");
}

/* The heap's calls on the paths that reach deepest in wcet.py's analysis: the
 * fast and the aligned allocation, a refused one, a free that merges, one into
 * a region found by search, and misuse answers. */
static void probe_heap(void)
{
    rtm_heap_t *h = NULL;
    unsigned char *m = arena.b;
    if (rtm_heap_init(m, 16384u, &h) != RTM_OK || rtm_heap_add_region(h, m + 20480u, 4096u) != RTM_OK ||
        rtm_heap_add_region(h, m + 28672u, 4096u) != RTM_OK || rtm_heap_add_region(h, m + 36864u, 4096u) != RTM_OK) {
        say("bench_fw: heap for the stack probes failed\n");
        return;
    }
    const void *alloc = (const void *)(uintptr_t)rtm_heap_alloc;
    const void *release = (const void *)(uintptr_t)rtm_heap_free;
    void *p[4] = {0};
    probe("rtm_heap_alloc", alloc, (uintptr_t)h, 100u, 0u, (uintptr_t)&p[0]);
    probe("rtm_heap_alloc", alloc, (uintptr_t)h, 100u, 256u, (uintptr_t)&p[1]);
    probe("rtm_heap_alloc", alloc, (uintptr_t)h, 100u, 0u, (uintptr_t)&p[2]);
    probe("rtm_heap_alloc", alloc, (uintptr_t)h, 1u << 30, 0u, (uintptr_t)&p[3]);
    probe("rtm_heap_free", release, (uintptr_t)h, (uintptr_t)p[0], 0u, 0u);
    probe("rtm_heap_free", release, (uintptr_t)h, (uintptr_t)p[2], 0u, 0u); /* merges with p[0]'s */
    probe("rtm_heap_free", release, (uintptr_t)h, (uintptr_t)p[2], 0u, 0u); /* double free */
    probe("rtm_heap_free", release, (uintptr_t)h, (uintptr_t)(m + 36864u + 64u), 0u, 0u); /* fourth region */
    probe("rtm_heap_free", release, (uintptr_t)h, (uintptr_t)p[1], 0u, 0u);
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
        if (bench_allocs[a].fn_realloc != NULL) {
            say(" ");
            say(bench_allocs[a].fn_realloc);
        }
        say("\n");
    }
    mark("calibration", "5 instructions, both paths", 0u);
    volatile int sink = bench_calib(3, 2) + bench_calib(1, 2);
    (void)sink;
    for (size_t a = 0; a < bench_nallocs; a++) {
        const bench_alloc_t *al = &bench_allocs[a];
        if (al->kind == BENCH_GENERAL) {
            for (size_t s = 0; s < sizeof scenarios / sizeof scenarios[0]; s++) {
                if ((scenarios[s].kind == TRACE_ALIGNED && al->alloc_aligned == NULL) ||
                    (scenarios[s].kind == TRACE_REALLOC && al->realloc == NULL)) {
                    continue;
                }
                if (run(al, &scenarios[s], scenarios[s].lo, scenarios[s].hi) != 0) {
                    return 1;
                }
            }
        } else if (al->kind == BENCH_FIXED) {
            static const struct scenario fixed = {"random fixed-size blocks, 64 KiB", 64u * 1024u, 0u, 0u,
                                                  BENCH_OPS, 0, TRACE_RANDOM, 0u};
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
    mark("-", "stack probes", 0u);
    probe_heap();
    mark("-", "end", 0u);
    return 0;
}
