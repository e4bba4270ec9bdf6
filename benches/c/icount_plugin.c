/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * TCG plugin for QEMU (plugin API version 1, as in QEMU 7.2) that counts the
 * instructions the benchmark firmware executes in its counted code range and
 * reports, at the entry of every function listed in SYMS, how many counted
 * instructions ran since the previous entry. benches/c/icount.c turns these
 * events into per-call counts exactly as it does from the exec log.
 *
 *   qemu-system-arm ... -plugin icount_plugin.so,syms=SYMS,out=EVENTS,start=HEX,end=HEX
 *
 * SYMS: lines "hexaddr name" (count_fw.sh writes them); START..END: the
 * counted range (__counted_start..__counted_end). Every instruction in the
 * range gets an inline counter increment, emitted by TCG at the start of the
 * instruction, so an instruction of an IT block counts whether its condition
 * held or not (the calibration run checks this). An instruction at a listed
 * entry gets a callback instead: it writes one event and restarts the counter
 * at 1 (the entry instruction itself), so the result does not depend on the
 * order in which QEMU runs inline operations and callbacks.
 *
 * EVENTS (usually a FIFO): binary records of two little-endian 32-bit words,
 * the entry address (Thumb bit clear) and the instructions counted since the
 * previous record, previous entry included.
 *
 * No QEMU header is needed: the few entry points used are declared here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU plugin API v1 (the subset used) ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

#define EXPORT __attribute__((visibility("default")))
EXPORT extern int qemu_plugin_version;
EXPORT int qemu_plugin_version = 1;
EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv);

/* ---- state ---- */
#define MAX_ENTRIES 1024

static uint32_t entries[MAX_ENTRIES]; /* sorted entry addresses */
static size_t nentries;
static uint64_t range_start, range_end;
static uint64_t counter; /* counted instructions since the last event */
static FILE *out;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int is_entry(uint32_t pc)
{
    return bsearch(&pc, entries, nentries, sizeof entries[0], cmp_u32) != NULL;
}

static void put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

static void on_entry(unsigned int vcpu, void *udata)
{
    unsigned char rec[8];
    (void)vcpu;
    put32(rec, (uint32_t)(uintptr_t)udata);
    put32(rec + 4, counter > UINT32_MAX ? UINT32_MAX : (uint32_t)counter);
    counter = 1u;
    if (out != NULL && fwrite(rec, sizeof rec, 1, out) != 1) {
        fprintf(stderr, "icount_plugin: write failed\n");
        exit(1);
    }
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (pc < range_start || pc >= range_end) {
            continue;
        }
        if (is_entry((uint32_t)pc)) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_entry, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)pc);
        } else {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counter, 1u);
        }
    }
}

static void finish(void)
{
    if (out != NULL) {
        if (fclose(out) != 0) {
            fprintf(stderr, "icount_plugin: closing the event output failed\n");
        }
        out = NULL;
    }
}

static void on_exit_cb(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    finish();
}

static int load_syms(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long a;
        if (sscanf(line, "%lx", &a) == 1) {
            if (nentries == MAX_ENTRIES) {
                fprintf(stderr, "icount_plugin: more than %d entries\n", MAX_ENTRIES);
                fclose(f);
                return -1;
            }
            entries[nentries++] = (uint32_t)a & ~1u;
        }
    }
    fclose(f);
    qsort(entries, nentries, sizeof entries[0], cmp_u32);
    return 0;
}

int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
    const char *syms = NULL, *path = NULL;
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "syms=", 5) == 0) {
            syms = argv[i] + 5;
        } else if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else if (strncmp(argv[i], "start=", 6) == 0) {
            range_start = strtoull(argv[i] + 6, NULL, 16);
        } else if (strncmp(argv[i], "end=", 4) == 0) {
            range_end = strtoull(argv[i] + 4, NULL, 16);
        } else {
            fprintf(stderr, "icount_plugin: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    if (syms == NULL || path == NULL || range_end <= range_start) {
        fprintf(stderr, "icount_plugin: needs syms=FILE,out=FILE,start=HEX,end=HEX\n");
        return -1;
    }
    if (load_syms(syms) != 0) {
        return -1;
    }
    out = fopen(path, "wb");
    if (out == NULL) {
        perror(path);
        return -1;
    }
    static char buf[1 << 16];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    /* QEMU calls the plugin's atexit callback; the C library's atexit covers
     * an exit() that bypasses it (semihosting exit). */
    atexit(finish);
    qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    return 0;
}
