/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtm_irq_lock.h
 * @brief Bare-metal lock hooks: interrupt masking for the lock decorator
 *        (rtmem/lock.h) and for the C library's __malloc_lock.
 *
 * Each pair has the lock decorator's callback shape, `void f(void *user)`,
 * with `user` a caller-owned rtm_irq_lock_t. All are nesting-safe: only the
 * outermost unlock restores the interrupt state the outermost lock found,
 * so a lock taken where interrupts are already masked (an ISR, a critical
 * section) leaves them masked. O(1), callable from any context, including
 * ISRs. One rtm_irq_lock_t per core; on a single core, one per lock.
 *
 *   rtm_irq_lock_t irq = {0};
 *   rtm_lock_init(&locked, &inner, rtm_primask_lock, rtm_primask_unlock, &irq);
 *
 * - PRIMASK (every Cortex-M): masks every interrupt of configurable priority.
 * - BASEPRI (ARMv7-M, ARMv8-M Mainline): masks only interrupts whose
 *   priority value is >= `basepri` (set it before use, e.g. 0x40 leaves the
 *   0x00-0x3f priorities running). Interrupts that stay unmasked must not
 *   use the locked allocator.
 * - mstatus.MIE (RISC-V, machine mode): masks machine interrupts.
 */
#ifndef RTM_IRQ_LOCK_H
#define RTM_IRQ_LOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** State of one nesting-safe interrupt lock; zero-initialise it. */
typedef struct rtm_irq_lock {
    /** Mask state the outermost lock found (PRIMASK, BASEPRI or MIE bit). */
    uint32_t saved;
    /** Current nesting depth. */
    uint32_t depth;
    /** BASEPRI value the BASEPRI pair raises to (upper bits; e.g. 0x40). */
    uint32_t basepri;
} rtm_irq_lock_t;

#if defined(__ARM_ARCH) && (__ARM_ARCH_PROFILE == 'M')
/** Mask interrupts with PRIMASK; `user` is an rtm_irq_lock_t. */
void rtm_primask_lock(void *user);
/** Undo rtm_primask_lock(); the outermost call restores PRIMASK. */
void rtm_primask_unlock(void *user);
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__) ||                 \
    defined(__ARM_ARCH_8_1M_MAIN__)
/** Raise BASEPRI to `basepri` of the rtm_irq_lock_t (never lowers it). */
void rtm_basepri_lock(void *user);
/** Undo rtm_basepri_lock(); the outermost call restores BASEPRI. */
void rtm_basepri_unlock(void *user);
#endif
#endif

#if defined(__riscv)
/** Clear mstatus.MIE; `user` is an rtm_irq_lock_t. Machine mode only. */
void rtm_mie_lock(void *user);
/** Undo rtm_mie_lock(); the outermost call restores mstatus.MIE. */
void rtm_mie_unlock(void *user);
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTM_IRQ_LOCK_H */
