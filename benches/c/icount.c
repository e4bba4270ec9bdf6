/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Count the instructions each allocator call executes, exactly, from either
 * of two sources that report the same thing:
 *
 * - QEMU's exec log (-e log): the firmware runs with `-singlestep -d
 *   exec,nochain -dfilter START+LEN` (LEN covering only the allocators' code),
 *   so every executed instruction of that code is one "Trace" line;
 * - the TCG plugin benches/c/icount_plugin.c (-e plugin): binary events
 *   (entry address, instructions of the counted code since the previous
 *   event, previous entry included) at the entry of every function of SYMS.
 *
 * Either way the harness code between calls is outside the counted range and
 * never counted, so a call lasts from the entry address of one counted
 * function to the next. Entering bench_mark() starts the next run; the
 * firmware's log (FWLOG) names the run's allocator, and its "entries" lines
 * name that allocator's counted functions, so calls the allocator makes to
 * other allocators (a pool manager to its pools) count as part of its own
 * call. A reallocation may call its allocator's own allocation and free: the
 * harness ends every reallocation call by entering bench_kept() (the block
 * stayed in place) or bench_moved() (it moved, or the call failed; the call
 * is filed under "<function>@moved"), and until then no entry ends it.
 *
 * usage: icount -e log|plugin SYMS HIST FWLOG [CALLS] < input > summary.csv
 *   SYMS: lines "hexaddr name" (the global functions of the counted code)
 *   HIST: output, lines "run,function,instructions,calls" for the plots
 *   FWLOG: the firmware's semihosting output, written while QEMU runs
 *   CALLS: optional output, one line "run function instructions" per call in
 *          call order, for comparing the
 *          two sources call by call
 * summary.csv: run,function,calls,mean,p50,p99,max
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SYMS 256
#define MAX_RUNS 256
#define MAX_COUNT 65536u /* counts above land in the last bucket; max stays exact */

struct sym {
    uint32_t addr;
    char name[64];
};

static struct sym syms[MAX_SYMS];
static int nsyms;
static int nreal;            /* syms[0..nreal) are functions, sorted by address */
static int active[MAX_SYMS]; /* entries of the current run's allocator */
static int is_realloc[MAX_SYMS]; /* ... and which of them reallocate */

static void nap(void)
{
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

/* Next line of the firmware log, waiting for QEMU to write it. */
static int next_line(FILE *f, char *buf, int len)
{
    for (int tries = 0; tries < 2000; tries++) {
        if (fgets(buf, len, f) != NULL) {
            return 1;
        }
        clearerr(f);
        nap();
    }
    return 0;
}

/* Run `run` starts: find its line "run N ALLOC | ..." and make ALLOC's
 * counted functions (its "entries" line) the call entries. */
static void start_run(FILE *f, int run, char (*entries)[4][64], int nentries)
{
    char line[512], alloc[64];
    int n;
    memset(active, 0, sizeof active);
    memset(is_realloc, 0, sizeof is_realloc);
    while (next_line(f, line, sizeof line)) {
        if (sscanf(line, "entries %63s", alloc) == 1 && nentries < MAX_SYMS) {
            (void)sscanf(line, "entries %63s %63s %63s %63s", entries[nentries][0], entries[nentries][1],
                         entries[nentries][2], entries[nentries][3]);
            nentries++;
            continue;
        }
        if (sscanf(line, "run %d %63s", &n, alloc) == 2 && n == run) {
            for (int e = 0; e < nentries; e++) {
                if (strcmp(entries[e][0], alloc) == 0) {
                    for (int i = 0; i < nsyms; i++) {
                        is_realloc[i] |= entries[e][3][0] != '\0' && strcmp(syms[i].name, entries[e][3]) == 0;
                        active[i] |= strcmp(syms[i].name, entries[e][1]) == 0 ||
                                     strcmp(syms[i].name, entries[e][2]) == 0 || is_realloc[i];
                    }
                }
            }
            return;
        }
    }
    fprintf(stderr, "icount: no line for run %d in the firmware log\n", run);
}
static uint32_t *hist[MAX_RUNS][MAX_SYMS];
static uint64_t sums[MAX_RUNS][MAX_SYMS];
static uint64_t calls[MAX_RUNS][MAX_SYMS];
static uint32_t maxes[MAX_RUNS][MAX_SYMS];

static int cmp_sym(const void *a, const void *b)
{
    uint32_t x = ((const struct sym *)a)->addr, y = ((const struct sym *)b)->addr;
    return x < y ? -1 : x > y;
}

static int find_sym(uint32_t pc)
{
    int lo = 0, hi = nreal - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (syms[mid].addr == pc) {
            return mid;
        }
        if (syms[mid].addr < pc) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}

static void record(int run, int fn, uint32_t n)
{
    if (run < 0 || run >= MAX_RUNS || fn < 0) {
        return;
    }
    if (hist[run][fn] == NULL) {
        hist[run][fn] = calloc(MAX_COUNT, sizeof(uint32_t));
        if (hist[run][fn] == NULL) {
            perror("icount");
            exit(2);
        }
    }
    hist[run][fn][n < MAX_COUNT ? n : MAX_COUNT - 1u]++;
    sums[run][fn] += n;
    calls[run][fn]++;
    if (n > maxes[run][fn]) {
        maxes[run][fn] = n;
    }
}

static uint32_t percentile(const uint32_t *h, uint64_t total, double q)
{
    uint64_t want = (uint64_t)((double)total * q + 0.999999);
    uint64_t acc = 0;
    for (uint32_t i = 0; i < MAX_COUNT; i++) {
        acc += h[i];
        if (acc >= want) {
            return i;
        }
    }
    return MAX_COUNT - 1u;
}

/* "<function>@moved" for syms[fn]: a pseudo-function after the real ones. */
static int moved_of[MAX_SYMS];

static int moved_sym(int fn)
{
    if (moved_of[fn] == 0) {
        if (nsyms == MAX_SYMS) {
            fprintf(stderr, "icount: too many functions\n");
            exit(2);
        }
        char name[64];
        (void)snprintf(name, sizeof name, "%.50s@moved", syms[fn].name);
        memcpy(syms[nsyms].name, name, sizeof name);
        syms[nsyms].addr = 0u;
        moved_of[fn] = nsyms++;
    }
    return moved_of[fn];
}

/* The counting state, driven one counted instruction at a time (exec log)
 * or one function entry at a time (plugin). */
static int mark = -1, moved = -1, kept = -1;
static int run = -1, cur = -1;
static uint32_t count;
static FILE *fw, *calls_out;
static char entries[MAX_SYMS][4][64];
static int nentries;

static void end_call(int fn)
{
    record(run, fn, count);
    if (calls_out != NULL) {
        fprintf(calls_out, "%d %s %u\n", run, syms[fn].name, count);
    }
}

/* A counted instruction at pc that is the entry of syms[e] (e >= 0) or not. */
static void step(int e)
{
    int marker = e >= 0 && (e == mark || e == moved || e == kept);
    if (marker || (e >= 0 && active[e] && !(cur >= 0 && is_realloc[cur]))) {
        if (cur >= 0) {
            end_call(e == moved ? moved_sym(cur) : cur);
        }
        cur = -1;
        if (e == mark) {
            run++;
            start_run(fw, run, entries, nentries);
            for (nentries = 0; nentries < MAX_SYMS && entries[nentries][0][0] != '\0'; nentries++) {
            }
        } else if (!marker) {
            cur = e;
            count = 1;
        }
    } else if (cur >= 0) {
        count++;
    }
}

static uint32_t get32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int main(int argc, char **argv)
{
    if ((argc != 6 && argc != 7) || strcmp(argv[1], "-e") != 0 ||
        (strcmp(argv[2], "log") != 0 && strcmp(argv[2], "plugin") != 0)) {
        fprintf(stderr, "usage: icount -e log|plugin SYMS HIST FWLOG [CALLS] < input > summary.csv\n");
        return 2;
    }
    int plugin = strcmp(argv[2], "plugin") == 0;
    argv += 2;
    argc -= 2;
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    char line[512];
    while (nsyms < MAX_SYMS / 2 && fgets(line, sizeof line, f) != NULL) {
        unsigned long a;
        char name[64];
        if (sscanf(line, "%lx %63s", &a, name) == 2) {
            syms[nsyms].addr = (uint32_t)a & ~1u;
            strcpy(syms[nsyms].name, name);
            nsyms++;
        }
    }
    fclose(f);
    qsort(syms, (size_t)nsyms, sizeof syms[0], cmp_sym);
    nreal = nsyms;
    for (int i = 0; i < nsyms; i++) {
        if (strcmp(syms[i].name, "bench_mark") == 0) {
            mark = i;
        }
        if (strcmp(syms[i].name, "bench_moved") == 0) {
            moved = i;
        }
        if (strcmp(syms[i].name, "bench_kept") == 0) {
            kept = i;
        }
    }

    for (int tries = 0; fw == NULL && tries < 5000; tries++) {
        fw = fopen(argv[3], "r");
        if (fw == NULL) {
            nap();
        }
    }
    if (fw == NULL) {
        perror(argv[3]);
        return 2;
    }
    if (argc == 5) {
        calls_out = fopen(argv[4], "w");
        if (calls_out == NULL) {
            perror(argv[4]);
            return 2;
        }
    }

    uint64_t counted = 0;
    if (plugin) {
        unsigned char rec[8];
        int first = 1;
        while (fread(rec, sizeof rec, 1, stdin) == 1) {
            uint32_t pc = get32(rec), n = get32(rec + 4);
            /* n covers the previous entry's instruction (already stepped)
             * and the instructions after it, none of them an entry. */
            uint32_t between = first ? n : n - 1u;
            if (!first && n == 0u) {
                fprintf(stderr, "icount: malformed event stream\n");
                return 2;
            }
            first = 0;
            if (cur >= 0) {
                count += between;
            }
            counted += (uint64_t)between + 1u;
            int e = find_sym(pc);
            if (e < 0) {
                fprintf(stderr, "icount: event at 0x%08x, not a function entry\n", (unsigned)pc);
                return 2;
            }
            step(e);
        }
    } else {
        while (fgets(line, sizeof line, stdin) != NULL) {
            if (strncmp(line, "Trace ", 6) != 0) {
                continue;
            }
            char *b = strchr(line, '[');
            char *s = b != NULL ? strchr(b, '/') : NULL;
            if (s == NULL) {
                continue;
            }
            uint32_t pc = (uint32_t)strtoul(s + 1, NULL, 16);
            counted++;
            step(find_sym(pc));
        }
    }
    if (cur >= 0) {
        end_call(cur);
    }
    if (calls_out != NULL && fclose(calls_out) != 0) {
        perror(argv[4]);
        return 2;
    }

    FILE *hf = fopen(argv[2], "w");
    if (hf == NULL) {
        perror(argv[2]);
        return 2;
    }
    printf("run,function,calls,mean,p50,p99,max\n");
    for (int r = 0; r < MAX_RUNS; r++) {
        for (int i = 0; i < nsyms; i++) {
            if (calls[r][i] == 0) {
                continue;
            }
            printf("%d,%s,%llu,%.2f,%u,%u,%u\n", r, syms[i].name, (unsigned long long)calls[r][i],
                   (double)sums[r][i] / (double)calls[r][i], percentile(hist[r][i], calls[r][i], 0.5),
                   percentile(hist[r][i], calls[r][i], 0.99), maxes[r][i]);
            for (uint32_t c = 0; c < MAX_COUNT; c++) {
                if (hist[r][i][c] != 0) {
                    fprintf(hf, "%d,%s,%u,%u\n", r, syms[i].name, c, hist[r][i][c]);
                }
            }
        }
    }
    fclose(hf);
    fprintf(stderr, "icount: %llu instructions counted (%s)\n", (unsigned long long)counted,
            plugin ? "plugin" : "exec log");
    return 0;
}
