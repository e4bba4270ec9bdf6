/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The plain test runner: runs every test in the generated table, prints one
 * line per failure and a summary "N passed, N failed" through the platform's
 * rtm_test_port_write(). Used by host -m32 builds and by the QEMU firmware;
 * needs no C library.
 */
#include "rtm_test.h"

#define RTM_TEST_ENTRY(suite, name) void rtm_test_##suite##__##name(void);
#include "test_list.h"
#undef RTM_TEST_ENTRY

struct test_entry {
    const char *suite;
    const char *name;
    void (*fn)(void);
};

#define RTM_TEST_ENTRY(suite, name) {#suite, #name, rtm_test_##suite##__##name},
static const struct test_entry tests[] = {
#include "test_list.h"
};
#undef RTM_TEST_ENTRY

static bool current_failed;

static void write_ull(unsigned long long v)
{
    char buf[24];
    size_t i = sizeof buf;
    buf[--i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    rtm_test_port_write(&buf[i]);
}

static void write_ll(long long v)
{
    if (v < 0) {
        rtm_test_port_write("-");
        write_ull(0u - (unsigned long long)v);
    } else {
        write_ull((unsigned long long)v);
    }
}

static void fail_prefix(const char *file, int line)
{
    current_failed = true;
    rtm_test_port_write("  FAIL ");
    rtm_test_port_write(file);
    rtm_test_port_write(":");
    write_ll(line);
    rtm_test_port_write(": ");
}

void rtm_test_fail(const char *file, int line, const char *what)
{
    fail_prefix(file, line);
    rtm_test_port_write(what);
    rtm_test_port_write("\n");
}

void rtm_test_fail_eq(const char *file, int line, const char *what, long long got, long long want)
{
    fail_prefix(file, line);
    rtm_test_port_write(what);
    rtm_test_port_write(" (");
    write_ll(got);
    rtm_test_port_write(" != ");
    write_ll(want);
    rtm_test_port_write(")\n");
}

void rtm_test_fail_status(const char *file, int line, const char *what, rtm_status_t got,
                          rtm_status_t want)
{
    fail_prefix(file, line);
    rtm_test_port_write(what);
    rtm_test_port_write(": got ");
    rtm_test_port_write(rtm_status_str(got));
    rtm_test_port_write(", want ");
    rtm_test_port_write(rtm_status_str(want));
    rtm_test_port_write("\n");
}

unsigned rtm_test_run_all(void)
{
    unsigned passed = 0u;
    unsigned failed = 0u;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        current_failed = false;
        tests[i].fn();
        if (current_failed) {
            failed++;
            rtm_test_port_write("[FAIL] ");
        } else {
            passed++;
            rtm_test_port_write("[ OK ] ");
        }
        rtm_test_port_write(tests[i].suite);
        rtm_test_port_write("::");
        rtm_test_port_write(tests[i].name);
        rtm_test_port_write("\n");
    }
    write_ull(passed);
    rtm_test_port_write(" passed, ");
    write_ull(failed);
    rtm_test_port_write(" failed\n");
    return failed;
}
