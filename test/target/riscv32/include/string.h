/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The part of <string.h> the RV32 test image provides (libc.c): the image is
 * built without a C library (riscv64-unknown-elf-gcc ships none), and test
 * cases may use only these functions.
 */
#ifndef RTM_TARGET_STRING_H
#define RTM_TARGET_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);

#endif /* RTM_TARGET_STRING_H */
