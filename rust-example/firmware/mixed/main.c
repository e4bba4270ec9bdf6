/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The mixed C/Rust firmware: C owns main() and an rtmem O(1) heap, and calls a
 * Rust component (a telemetry log kept in Rust collections) through the header
 * cbindgen generates from it. Rust's global allocator is attached to the same
 * heap, so both languages allocate from one heap and blocks cross the boundary
 * in both directions. Every step is checked; main's result (the number of
 * failed checks) is QEMU's exit status.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "rtmem/rtmem.h"
#include "telemetry.h"

static uint64_t arena[64 * 1024 / 8]; /* 64 KiB, 8-byte aligned */

static unsigned checks_run;
static unsigned checks_failed;

static void check(int ok, const char *what)
{
    checks_run++;
    if (!ok) {
        checks_failed++;
        board_puts("  FAIL: ");
        board_puts(what);
        board_puts("\n");
    }
}

/* Decimal text of v at the end of buf[0..size), NUL-terminated; returns its start. */
static char *format_int(char *buf, size_t size, long long v)
{
    char *p = buf + size - 1;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    *p = '\0';
    do {
        *--p = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0u && p > buf + 1);
    if (v < 0) {
        *--p = '-';
    }
    return p;
}

static void put_int(const char *label, long long v)
{
    char buf[24];
    board_puts(label);
    board_puts(format_int(buf, sizeof buf, v));
}

static size_t append(char *dst, size_t at, const char *src)
{
    while (*src != '\0') {
        dst[at++] = *src++;
    }
    return at;
}

/* gcc's view of the rtmem ABI against the Rust bindings' view. */
static void check_abi(void)
{
    static const struct {
        uint32_t selector;
        size_t c_value;
        const char *what;
    } abi[] = {
        {TELEMETRY_ABI_ALLOC_STATS_SIZE, sizeof(rtm_alloc_stats_t), "sizeof(rtm_alloc_stats_t)"},
        {TELEMETRY_ABI_ALLOC_STATS_TOTAL_ALLOCATIONS, offsetof(rtm_alloc_stats_t, total_allocations),
         "offsetof(rtm_alloc_stats_t, total_allocations)"},
        {TELEMETRY_ABI_ALLOC_STATS_FLAGS, offsetof(rtm_alloc_stats_t, flags), "offsetof(rtm_alloc_stats_t, flags)"},
        {TELEMETRY_ABI_ALLOCATOR_OPS_SIZE, sizeof(rtm_allocator_ops_t), "sizeof(rtm_allocator_ops_t)"},
        {TELEMETRY_ABI_ALLOCATOR_OPS_CHECK, offsetof(rtm_allocator_ops_t, check), "offsetof(rtm_allocator_ops_t, check)"},
        {TELEMETRY_ABI_ALLOCATOR_SIZE, sizeof(rtm_allocator_t), "sizeof(rtm_allocator_t)"},
        {TELEMETRY_ABI_ALLOC_STATS_ALIGN, _Alignof(rtm_alloc_stats_t), "_Alignof(rtm_alloc_stats_t)"},
    };
    for (size_t i = 0; i < sizeof abi / sizeof abi[0]; i++) {
        check(telemetry_abi(abi[i].selector) == abi[i].c_value, abi[i].what);
    }
    check(telemetry_abi(1000u) == SIZE_MAX, "unknown ABI selector");
}

int main(void)
{
    rtm_heap_t *heap = NULL;
    rtm_alloc_stats_t st;

    board_puts("mixed C/Rust firmware: C main, Rust telemetry component, one rtmem heap\n");
    check_abi();
    check(rtm_heap_init(arena, sizeof arena, &heap) == RTM_OK, "rtm_heap_init");
    check(telemetry_attach_heap(heap) == RTM_OK, "attach the heap to Rust's global allocator");
    check(telemetry_attach_heap(heap) == RTM_ERR_INVALID_ARG, "a second attach is refused");

    /* C allocates the input text from the heap... */
    static const char *const names[] = {"temp", "volt", "rpm"};
    char *text = NULL;
    check(rtm_heap_alloc(heap, 2048, 0, (void **)&text) == RTM_OK, "C allocates the input buffer");
    if (text == NULL) {
        return (int)checks_failed;
    }
    size_t len = 0;
    long long expect_sum[3] = {0, 0, 0};
    for (int s = 0; s < 3; s++) {
        char num[24];
        len = append(text, len, names[s]);
        len = append(text, len, "#");
        len = append(text, len, format_int(num, sizeof num, s + 1));
        len = append(text, len, "=");
        for (int i = 0; i < 20; i++) {
            long long v = (long long)((s + 1) * (i * 37 % 101) - 40);
            expect_sum[s] += v;
            len = append(text, len, format_int(num, sizeof num, v));
            len = append(text, len, i < 19 ? "," : "\n");
        }
    }

    /* ...Rust parses it into its collections (allocating from the same heap)... */
    Telemetry *log = telemetry_new();
    check(log != NULL, "telemetry_new");
    rtm_heap_stats(heap, &st);
    uint32_t live_before_parse = st.current_allocations;
    check(telemetry_parse(log, text, len) == 60, "Rust parses 60 samples");
    rtm_heap_stats(heap, &st);
    check(st.current_allocations > live_before_parse, "Rust's collections live in the C heap");
    check(telemetry_parse(log, "temp#1=12,x", 11) == RTM_ERR_INVALID_ARG, "malformed text is refused");
    check(telemetry_parse(NULL, text, len) == RTM_ERR_INVALID_ARG, "NULL log is refused");
    check(rtm_heap_free(heap, text) == RTM_OK, "C frees the input buffer");

    for (int i = 0; i < 5; i++) {
        check(telemetry_record(log, 9u, i * 10) == RTM_OK, "telemetry_record");
    }
    TelemetrySummary sum;
    for (uint32_t s = 0; s < 3u; s++) {
        check(telemetry_summary(log, s + 1u, &sum) == RTM_OK && sum.count == 20u && sum.sum == expect_sum[s],
              "summary agrees with C's arithmetic");
    }
    check(telemetry_summary(log, 9u, &sum) == RTM_OK && sum.count == 5u && sum.min == 0 && sum.max == 40,
          "samples recorded from C");
    check(telemetry_summary(log, 77u, &sum) == RTM_ERR_INVALID_ARG, "unknown sensor");

    /* ...and hands back a report allocated from the heap, which C owns and frees. */
    char *report = telemetry_render(log);
    check(report != NULL && rtm_heap_usable_size(heap, report) > 0u, "Rust's report is a live heap block");
    if (report != NULL) {
        board_puts(report);
        check(rtm_heap_free(heap, report) == RTM_OK, "C frees Rust's report");
        check(rtm_heap_free(heap, report) == RTM_ERR_DOUBLE_FREE, "a second free is refused");
    }

    rtm_heap_stats(heap, &st);
    put_int("heap: ", (long long)st.total_allocations);
    put_int(" allocations (C and Rust), peak ", (long long)st.peak_memory_usage);
    put_int(" B, live now ", (long long)st.current_allocations);
    board_puts("\n");
    telemetry_free(log);
    rtm_heap_stats(heap, &st);
    check(st.current_allocations == 0u && st.bytes_in_use == 0u, "every block of both languages given back");
    check(rtm_heap_check(heap) == RTM_OK, "final heap check");

    put_int("", (long long)checks_run);
    put_int(" checks, ", (long long)checks_failed);
    board_puts(" failed\n");
    return (int)checks_failed;
}
