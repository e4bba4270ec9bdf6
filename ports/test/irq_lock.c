/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The bare-metal lock hooks (ports/baremetal/rtm_irq_lock.c) on QEMU
 * mps2-an385 (Cortex-M3) and mps2-an386 (Cortex-M4F): a PendSV pended inside
 * a lock must not run before the outermost unlock and must run right after
 * it; a lock taken with interrupts already masked leaves them masked;
 * BASEPRI is only ever raised and is restored; and the lock decorator over
 * an O(1) heap runs every call inside the mask.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "rtm_irq_lock.h"
#include "rtmem/heap.h"
#include "rtmem/lock.h"

unsigned check_passed, check_failed;

#define ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSVSET (1u << 28)
#define SHPR3 (*(volatile uint32_t *)0xE000ED20u)

void PendSV_Handler(void);
int main(void);

static volatile unsigned pendsv_runs;

void PendSV_Handler(void)
{
    pendsv_runs++;
}

static void pend(void)
{
    ICSR = ICSR_PENDSVSET;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

static uint32_t primask(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, primask" : "=r"(v));
    return v & 1u;
}

static uint32_t basepri(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, basepri" : "=r"(v));
    return v;
}

static void test_primask(void)
{
    rtm_irq_lock_t l = {0, 0, 0};
    unsigned runs = pendsv_runs;
    rtm_primask_lock(&l);
    CHECK(primask() == 1u && l.depth == 1u);
    pend();
    CHECK(pendsv_runs == runs); /* masked */
    rtm_primask_lock(&l);
    rtm_primask_unlock(&l); /* inner unlock: still masked */
    CHECK(primask() == 1u && pendsv_runs == runs);
    rtm_primask_unlock(&l);
    __asm__ volatile("isb" ::: "memory");
    CHECK(primask() == 0u && pendsv_runs == runs + 1u && l.depth == 0u);

    /* Already masked (an ISR, a critical section): the unlock keeps it so. */
    __asm__ volatile("cpsid i" ::: "memory");
    rtm_primask_lock(&l);
    pend();
    rtm_primask_unlock(&l);
    CHECK(primask() == 1u && pendsv_runs == runs + 1u);
    __asm__ volatile("cpsie i\n\tisb" ::: "memory");
    CHECK(pendsv_runs == runs + 2u);

    rtm_primask_unlock(&l); /* unbalanced: a no-op */
    CHECK(primask() == 0u && l.depth == 0u);
}

static void test_basepri(void)
{
    /* PendSV at priority 0x80; the lock masks 0x40 and below (numerically above). */
    SHPR3 = (SHPR3 & ~(0xffu << 16)) | (0x80u << 16);
    rtm_irq_lock_t l = {0, 0, 0x40u};
    unsigned runs = pendsv_runs;
    rtm_basepri_lock(&l);
    CHECK(basepri() == 0x40u && primask() == 0u);
    pend();
    CHECK(pendsv_runs == runs);
    rtm_basepri_unlock(&l);
    __asm__ volatile("isb" ::: "memory");
    CHECK(basepri() == 0u && pendsv_runs == runs + 1u);

    /* A stronger mask already in place is kept, and restored on unlock. */
    __asm__ volatile("msr basepri, %0\n\tisb" ::"r"(0x20u) : "memory");
    rtm_basepri_lock(&l);
    CHECK(basepri() == 0x20u);
    rtm_basepri_lock(&l);
    rtm_basepri_unlock(&l);
    rtm_basepri_unlock(&l);
    CHECK(basepri() == 0x20u && l.depth == 0u);
    __asm__ volatile("msr basepri, %0\n\tisb" ::"r"(0u) : "memory");
}

/* The lock decorator with counting wrappers around the PRIMASK pair. */
static rtm_irq_lock_t heap_irq;
static unsigned in_lock_calls;

static void counted_lock(void *user)
{
    rtm_primask_lock(user);
    in_lock_calls++;
}

static void counted_unlock(void *user)
{
    CHECK(primask() == 1u); /* the inner call ran masked */
    rtm_primask_unlock(user);
}

static void test_decorator(void)
{
    static uint64_t arena[1024];
    rtm_heap_t *h;
    rtm_lock_t locked;
    CHECK(rtm_heap_init(arena, sizeof arena, &h) == RTM_OK);
    rtm_allocator_t inner = rtm_heap_allocator(h);
    CHECK(rtm_lock_init(&locked, &inner, counted_lock, counted_unlock, &heap_irq) == RTM_OK);
    rtm_allocator_t a = rtm_lock_allocator(&locked);
    void *p = NULL;
    CHECK(rtm_allocator_allocate(&a, 100, 16, &p) == RTM_OK && p != NULL);
    CHECK(primask() == 0u && heap_irq.depth == 0u);
    CHECK(rtm_allocator_deallocate(&a, p, 100) == RTM_OK);
    CHECK(rtm_allocator_deallocate(&a, p, 100) == RTM_ERR_DOUBLE_FREE);
    CHECK(primask() == 0u && heap_irq.depth == 0u && in_lock_calls == 3u);
    CHECK(rtm_heap_check(h) == RTM_OK);
}

int main(void)
{
    printf("bare-metal lock hooks: PRIMASK, BASEPRI, lock decorator\n");
    test_primask();
    test_basepri();
    test_decorator();
    printf("%u passed, %u failed\n", check_passed, check_failed);
    return check_failed == 0u ? 0 : 1;
}
