/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Nesting-safe interrupt masks (rtm_irq_lock.h). The mask is taken before the
 * state is touched and released after, so an interrupt can never see a
 * half-updated rtm_irq_lock_t.
 */
#include "rtm_irq_lock.h"

#if defined(__ARM_ARCH) && (__ARM_ARCH_PROFILE == 'M')

static uint32_t get_primask(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, primask" : "=r"(v));
    return v;
}

void rtm_primask_lock(void *user)
{
    rtm_irq_lock_t *l = user;
    uint32_t old = get_primask();
    __asm__ volatile("cpsid i" ::: "memory");
    if (l->depth++ == 0u) {
        l->saved = old;
    }
}

void rtm_primask_unlock(void *user)
{
    rtm_irq_lock_t *l = user;
    if (l->depth == 0u) {
        return; /* unbalanced: nothing to undo */
    }
    if (--l->depth == 0u && (l->saved & 1u) == 0u) {
        __asm__ volatile("cpsie i" ::: "memory");
    }
}

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) ||                 \
    defined(__ARM_ARCH_8_1M_MAIN__)
void rtm_basepri_lock(void *user)
{
    rtm_irq_lock_t *l = user;
    uint32_t old;
    __asm__ volatile("mrs %0, basepri" : "=r"(old));
    /* BASEPRI_MAX only ever raises the mask (a lower value is a higher priority). */
    __asm__ volatile("msr basepri_max, %0\n\tisb" ::"r"(l->basepri) : "memory");
    if (l->depth++ == 0u) {
        l->saved = old;
    }
}

void rtm_basepri_unlock(void *user)
{
    rtm_irq_lock_t *l = user;
    if (l->depth == 0u) {
        return;
    }
    if (--l->depth == 0u) {
        __asm__ volatile("msr basepri, %0\n\tisb" ::"r"(l->saved) : "memory");
    }
}
#endif

#endif /* Cortex-M */

#if defined(__riscv)
#define MSTATUS_MIE 0x8u

void rtm_mie_lock(void *user)
{
    rtm_irq_lock_t *l = user;
    uint32_t old;
    __asm__ volatile("csrrci %0, mstatus, 8" : "=r"(old)::"memory");
    if (l->depth++ == 0u) {
        l->saved = old & MSTATUS_MIE;
    }
}

void rtm_mie_unlock(void *user)
{
    rtm_irq_lock_t *l = user;
    if (l->depth == 0u) {
        return;
    }
    if (--l->depth == 0u && l->saved != 0u) {
        __asm__ volatile("csrsi mstatus, 8" ::: "memory");
    }
}
#endif
