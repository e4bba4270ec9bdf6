/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtmem's test vocabulary. The same case files (test/cases/ one per component) build two ways:
 *
 * - with RTM_TEST_CRITERION defined: each RTM_TEST is a Criterion Test() and
 *   each check a cr_assert (host unit tests, gcc/clang, -m64, sanitizers);
 * - without: each RTM_TEST is a plain void function listed in a generated
 *   table (test_list.h) and run by test/framework/runner.c, which reports
 *   through rtm_test_port_write() (host -m32 builds, QEMU firmware).
 *
 * Rules that keep both builds equal: checks only inside RTM_TEST bodies (in the
 * plain build a failed check returns from the test function); helpers return a
 * value the test checks; no C library beyond memcpy/memset/memcmp in cases.
 */
#ifndef RTM_TEST_H
#define RTM_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtmem/rtmem.h"

/* Operation-count divisor: firmware builds define it > 1 to keep the same
 * scenarios but run shorter sequences on slow emulated cores. */
#ifndef RTM_TEST_SCALE
#define RTM_TEST_SCALE 1u
#endif
#define RTM_TEST_OPS(n) ((unsigned long)(n) / RTM_TEST_SCALE > 0u ? (unsigned long)(n) / RTM_TEST_SCALE : 1u)

#ifdef RTM_TEST_CRITERION
#include <criterion/criterion.h>

#define RTM_TEST(suite, name) Test(suite, name)
#define RTM_CHECK(cond) cr_assert((cond), "check failed: %s", #cond)
#define RTM_CHECK_EQ(a, b)                                                                       \
    do {                                                                                         \
        long long a_ = (long long)(a);                                                           \
        long long b_ = (long long)(b);                                                           \
        cr_assert(a_ == b_, "check failed: %s == %s (%lld != %lld)", #a, #b, a_, b_);            \
    } while (0)
#define RTM_CHECK_STATUS(expr, expected)                                                         \
    do {                                                                                         \
        rtm_status_t got_ = (expr);                                                              \
        rtm_status_t want_ = (expected);                                                         \
        cr_assert(got_ == want_, "%s: got %s, want %s", #expr, rtm_status_str(got_),             \
                  rtm_status_str(want_));                                                        \
    } while (0)

#else /* plain runner */

void rtm_test_fail(const char *file, int line, const char *what);
void rtm_test_fail_eq(const char *file, int line, const char *what, long long got, long long want);
void rtm_test_fail_status(const char *file, int line, const char *what, rtm_status_t got,
                          rtm_status_t want);

#define RTM_TEST(suite, name)                  \
    void rtm_test_##suite##__##name(void);     \
    void rtm_test_##suite##__##name(void)
#define RTM_CHECK(cond)                                   \
    do {                                                  \
        if (!(cond)) {                                    \
            rtm_test_fail(__FILE__, __LINE__, #cond);     \
            return;                                       \
        }                                                 \
    } while (0)
#define RTM_CHECK_EQ(a, b)                                                    \
    do {                                                                      \
        long long a_ = (long long)(a);                                        \
        long long b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                       \
            rtm_test_fail_eq(__FILE__, __LINE__, #a " == " #b, a_, b_);       \
            return;                                                           \
        }                                                                     \
    } while (0)
#define RTM_CHECK_STATUS(expr, expected)                                      \
    do {                                                                      \
        rtm_status_t got_ = (expr);                                           \
        rtm_status_t want_ = (expected);                                      \
        if (got_ != want_) {                                                  \
            rtm_test_fail_status(__FILE__, __LINE__, #expr, got_, want_);     \
            return;                                                           \
        }                                                                     \
    } while (0)

/* Provided by the platform: write a NUL-terminated string to the test log. */
void rtm_test_port_write(const char *s);
/* Run every listed test; returns the number of failures. */
unsigned rtm_test_run_all(void);

#endif /* RTM_TEST_CRITERION */

/*
 * Shared scratch memory for arenas: one static buffer (64-byte aligned) that
 * every test may use whole, since tests run one after another. Case files use
 * it instead of their own big static arrays so firmware RAM stays bounded.
 * RTM_TEST_SCRATCH_SIZE defaults to 1 MiB; firmware builds may lower it. A
 * request for more than there is gets NULL: a test that loops over arena sizes
 * skips the sizes that do not fit, any other test fails on it (a test must not
 * pass without having run).
 */
#ifndef RTM_TEST_SCRATCH_SIZE
#define RTM_TEST_SCRATCH_SIZE (1024u * 1024u)
#endif
void *rtm_test_scratch(size_t size);

#define RTM_CHECK_OK(expr) RTM_CHECK_STATUS((expr), RTM_OK)

/* xorshift32: deterministic, identical on every target. state must not be 0. */
static inline uint32_t rtm_test_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Uniform in [lo, hi]. */
static inline size_t rtm_test_range(uint32_t *state, size_t lo, size_t hi)
{
    return lo + (size_t)(rtm_test_rand(state) % (uint32_t)(hi - lo + 1u));
}

#endif /* RTM_TEST_H */
