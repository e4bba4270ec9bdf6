/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Count the instructions each allocator call executes, exactly, from QEMU's
 * exec log: run the firmware with `-singlestep -d exec,nochain -dfilter
 * START+LEN` (LEN covering only the allocators' code) so every executed
 * instruction of that code is one "Trace" line. The harness code between
 * calls is outside the filter and never logged, so a call lasts from the entry
 * address of one counted function to the next. Entering bench_mark() starts
 * the next run; the firmware's log (FWLOG) names the run's allocator, and its
 * "entries" lines name that allocator's counted functions, so calls the
 * allocator makes to other allocators (a pool manager to its pools) count
 * as part of its own call.
 *
 * usage: icount SYMS HIST FWLOG < qemu.log > summary.csv
 *   SYMS: lines "hexaddr name" (the global functions of the counted code)
 *   HIST: output, lines "run,function,instructions,calls" for the plots
 *   FWLOG: the firmware's semihosting output, written while QEMU runs
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
static int active[MAX_SYMS]; /* entries of the current run's allocator */

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
static void start_run(FILE *f, int run, char (*entries)[3][64], int nentries)
{
    char line[512], alloc[64];
    int n;
    memset(active, 0, sizeof active);
    while (next_line(f, line, sizeof line)) {
        if (sscanf(line, "entries %63s", alloc) == 1 && nentries < MAX_SYMS) {
            sscanf(line, "entries %63s %63s %63s", entries[nentries][0], entries[nentries][1],
                   entries[nentries][2]);
            nentries++;
            continue;
        }
        if (sscanf(line, "run %d %63s", &n, alloc) == 2 && n == run) {
            for (int e = 0; e < nentries; e++) {
                if (strcmp(entries[e][0], alloc) == 0) {
                    for (int i = 0; i < nsyms; i++) {
                        active[i] |= strcmp(syms[i].name, entries[e][1]) == 0 ||
                                     strcmp(syms[i].name, entries[e][2]) == 0;
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
    int lo = 0, hi = nsyms - 1;
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

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: icount SYMS HIST FWLOG < log > summary.csv\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    char line[512];
    while (nsyms < MAX_SYMS && fgets(line, sizeof line, f) != NULL) {
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
    int mark = -1;
    for (int i = 0; i < nsyms; i++) {
        if (strcmp(syms[i].name, "bench_mark") == 0) {
            mark = i;
        }
    }

    FILE *fw = NULL;
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
    static char entries[MAX_SYMS][3][64];
    int nentries = 0;

    int run = -1, cur = -1;
    uint32_t count = 0;
    uint64_t lines = 0;
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
        lines++;
        int e = find_sym(pc);
        if (e >= 0 && (e == mark || active[e])) {
            if (cur >= 0) {
                record(run, cur, count);
            }
            if (e == mark) {
                run++;
                cur = -1;
                start_run(fw, run, entries, nentries);
                for (nentries = 0; nentries < MAX_SYMS && entries[nentries][0][0] != '\0'; nentries++) {
                }
            } else {
                cur = e;
                count = 1;
            }
        } else if (cur >= 0) {
            count++;
        }
    }
    if (cur >= 0) {
        record(run, cur, count);
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
    fprintf(stderr, "icount: %llu instructions logged\n", (unsigned long long)lines);
    return 0;
}
