/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Memory map and MPU (rtmem/memmap.h, rtmem/mpu.h) on the emulated
 * Cortex-M4F: the board's memory described as named regions, the ARMv7-M
 * MPU programmed with a background region and a no-access guard, and a
 * write into the guard caught by MemManage, decoded, reported, and then let
 * through once the handler has turned the MPU off. Runs on QEMU mps2-an386.
 */
#include <stdint.h>
#include <stdio.h>

#include "rtmem/memmap.h"
#include "rtmem/mpu.h"

int main(void);
void MemManage_Handler(void);

#define SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SHCSR_MEMFAULTENA (1u << 16)

extern char __data_start[], end[], __StackLimit[], __StackTop[];

static rtm_mpu_t mpu;
static volatile unsigned faults;
static __attribute__((aligned(32))) volatile uint32_t guarded[8]; /* 32 bytes, one MPU region */

static rtm_mpu_fault_t reported; /* written in the handler, printed by main */

static void on_violation(void *user, const rtm_mpu_fault_t *f)
{
    (void)user;
    reported = *f;
}

void MemManage_Handler(void)
{
    rtm_mpu_fault_t f;
    if (rtm_mpu_fault_capture_arm(true, &f) == RTM_OK) {
        (void)rtm_mpu_report_fault(&mpu, &f);
    }
    faults++;
    (void)rtm_mpu_disable(&mpu); /* the faulting write runs again, unprotected */
}

int main(void)
{
    static rtm_region_t table[8];
    rtm_memmap_t map;
    uintptr_t ram = (uintptr_t)__data_start;
    int ok = rtm_memmap_init(&map, table, 8) == RTM_OK &&
             rtm_memmap_add_region(&map, 0x00000000u, 0x400000u, RTM_REGION_CODE, RTM_PERM_READ | RTM_PERM_EXEC,
                                   "code") == RTM_OK &&
             rtm_memmap_add_region(&map, ram, (uintptr_t)end - ram, RTM_REGION_DATA,
                                   RTM_PERM_READ | RTM_PERM_WRITE, "data+bss") == RTM_OK &&
             rtm_memmap_add_region(&map, (uintptr_t)__StackLimit, (size_t)((uintptr_t)__StackTop - (uintptr_t)__StackLimit),
                                   RTM_REGION_STACK, RTM_PERM_READ | RTM_PERM_WRITE, "main stack") == RTM_OK;
    rtm_status_t overlap = rtm_memmap_add_region(&map, ram + 16u, 64u, RTM_REGION_HEAP, RTM_PERM_READ, "bad");
    rtm_region_t r;
    ok = ok && overlap == RTM_ERR_OVERLAP && rtm_memmap_find(&map, (uintptr_t)&guarded[0], &r) == RTM_OK;
    printf("memory map: %u regions; guarded[] lies in '%s'; an overlapping region: %s\n",
           (unsigned)rtm_memmap_count(&map), r.name, rtm_status_str(overlap));

    rtm_mpu_backend_t be = rtm_mpu_armv7m_backend(NULL);
    rtm_mpu_region_t all_ram = {0x20000000u, 0x400000u, RTM_PERM_READ | RTM_PERM_WRITE | RTM_PERM_CACHEABLE, 0u};
    rtm_mpu_region_t guard = {(uintptr_t)guarded, sizeof guarded, 0u, 0u};
    uint32_t guard_index = 0;
    ok = ok && rtm_mpu_init(&mpu, &be) == RTM_OK && rtm_mpu_set_region(&mpu, 0u, &all_ram) == RTM_OK &&
         rtm_mpu_add_region(&mpu, &guard, &guard_index) == RTM_OK &&
         rtm_mpu_set_violation_handler(&mpu, on_violation, NULL) == RTM_OK;
    SHCSR |= SHCSR_MEMFAULTENA;
    rtm_status_t en = rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA);
    rtm_status_t sw = rtm_mpu_check_access(&mpu, (uintptr_t)&guarded[2], RTM_MPU_ACCESS_WRITE);
    printf("MPU: %u regions, guard at region %u, enable: %s; software check of a write: %s\n",
           (unsigned)rtm_mpu_region_count(&mpu), (unsigned)guard_index, rtm_status_str(en), rtm_status_str(sw));
    ok = ok && en == RTM_OK && sw == RTM_ERR_ACCESS;
    printf("writing into the guard...\n");
    guarded[2] = 42u;
    rtm_mpu_stats_t st;
    rtm_mpu_get_stats(&mpu, &st);
    printf("MemManage faults: %u (reported: address 0x%08x, MPU region %u; %u in the statistics), "
           "value written after the handler: %u\n",
           faults, (unsigned)reported.address, (unsigned)reported.region, (unsigned)st.violations,
           (unsigned)guarded[2]);
    return ok && faults == 1u && reported.address == (uintptr_t)&guarded[2] && reported.region == guard_index &&
                   guarded[2] == 42u
               ? 0
               : 1;
}
