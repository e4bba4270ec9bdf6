/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Register values for tools/gdb/check_mpu_decode.py: regions encoded by the
 * library's ARMv7-M and ARMv8-M encoders, one line each:
 *   v7|v8 INDEX BASE SIZE PERM REG1 REG2
 * (REG1 REG2 = RBAR RASR on ARMv7-M, RBAR RLAR on ARMv8-M), so that the GDB
 * commands' decoders are checked against the encoders for both architectures.
 */
#include <stdio.h>

#include "rtmem/mpu.h"

int main(void)
{
    static const rtm_mpu_region_t regions[] = {
        {0x00000000u, 0x400000u, RTM_PERM_READ | RTM_PERM_EXEC | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u},
        {0x20000000u, 0x400000u, RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u},
        {0x20010000u, 32u, 0u, 0u},
        {0x20004000u, 1024u, RTM_PERM_READ | RTM_PERM_WRITE, 0u},
        {0x10000000u, 4096u, RTM_PERM_READ | RTM_PERM_UNPRIV | RTM_PERM_CACHEABLE, 0u},
        {0x08000000u, 65536u, RTM_PERM_READ, 0u},
        {0x40000000u, 0x20000000u, RTM_PERM_READ | RTM_PERM_WRITE, 0u},
        {0x20000100u, 0x500u, RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_UNPRIV, 0u}, /* ARMv7-M: subregions */
    };
    int lines = 0;
    for (unsigned i = 0; i < sizeof regions / sizeof regions[0]; i++) {
        const rtm_mpu_region_t *r = &regions[i];
        rtm_mpu_armv7m_regs_t v7;
        rtm_mpu_armv8m_regs_t v8;
        if (rtm_mpu_armv7m_encode(r, i, &v7) == RTM_OK) {
            printf("v7 %u 0x%08lx %lu %u 0x%08x 0x%08x\n", i, (unsigned long)r->base, (unsigned long)r->size,
                   (unsigned)r->perm, (unsigned)v7.rbar, (unsigned)v7.rasr);
            lines++;
        }
        if (rtm_mpu_armv8m_encode(r, &v8) == RTM_OK) {
            printf("v8 %u 0x%08lx %lu %u 0x%08x 0x%08x\n", i, (unsigned long)r->base, (unsigned long)r->size,
                   (unsigned)r->perm, (unsigned)v8.rbar, (unsigned)v8.rlar);
            lines++;
        }
    }
    return lines == 15 ? 0 : 1; /* every region on both, but no-access on ARMv8-M */
}
