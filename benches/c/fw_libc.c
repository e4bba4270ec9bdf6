/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What a freestanding firmware provides and the compiler may call for struct
 * copies and loops: the bench firmware and the linked-code firmware share
 * them. Outside the counted range (fw.ld) and not rtmem's bytes (linksize.py).
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    while (n-- > 0u) {
        *a++ = *b++;
    }
    return d;
}
void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    if ((uintptr_t)a < (uintptr_t)b) {
        return memcpy(d, s, n);
    }
    while (n-- > 0u) {
        a[n] = b[n];
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
