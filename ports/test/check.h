/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A minimal check vocabulary for the port tests: each CHECK counts, a failed
 * one prints its file, line and expression; check_summary() prints the
 * "N passed, N failed" line the QEMU runner (scripts/qemu-run.sh) reads. */
#ifndef RTM_PORT_CHECK_H
#define RTM_PORT_CHECK_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

extern unsigned check_passed, check_failed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) {                                                                      \
            check_passed++;                                                              \
        } else {                                                                         \
            check_failed++;                                                              \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                       \
        }                                                                                \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif /* RTM_PORT_CHECK_H */
