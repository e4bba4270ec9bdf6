/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtm_mie_lock / rtm_mie_unlock (ports/baremetal/rtm_irq_lock.c) on QEMU virt
 * RV32 in machine mode: a machine software interrupt (CLINT msip) raised
 * inside the lock must not be taken before the outermost unlock and must be
 * taken right after it; a lock taken with MIE already clear leaves it clear.
 * No C library: output and exit through semihosting (start.S).
 */
#include <stdint.h>

#include "rtm_irq_lock.h"

#define MSIP (*(volatile uint32_t *)0x02000000u) /* CLINT, hart 0 */
#define SYS_WRITE0 0x04u
#define SYS_EXIT_EXTENDED 0x20u

uint32_t port_semihost(uint32_t op, const void *arg);
void port_exit(int code);
void trap_handler(void) __attribute__((interrupt("machine"), aligned(4)));
int main(void);

static volatile unsigned taken;
static unsigned passed, failed;

void trap_handler(void)
{
    MSIP = 0u; /* the only interrupt enabled: clear it */
    taken++;
}

static void put(const char *s)
{
    (void)port_semihost(SYS_WRITE0, s);
}

static void put_uint(unsigned v)
{
    char buf[12];
    int i = 11;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u && i > 0);
    put(&buf[i]);
}

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        put("FAIL ");
        put(what);
        put("\n");
    }
}

static uint32_t mie_bit(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, mstatus" : "=r"(v));
    return (v >> 3) & 1u;
}

static void raise_msi(void)
{
    MSIP = 1u;
    __asm__ volatile("fence" ::: "memory");
}

void port_exit(int code)
{
    uint32_t block[2] = {0x20026u, (uint32_t)code};
    for (;;) {
        (void)port_semihost(SYS_EXIT_EXTENDED, block);
    }
}

int main(void)
{
    rtm_irq_lock_t l = {0, 0, 0};
    __asm__ volatile("csrw mtvec, %0" ::"r"((uintptr_t)trap_handler));
    __asm__ volatile("csrs mie, %0" ::"r"(1u << 3)); /* MSIE */
    __asm__ volatile("csrsi mstatus, 8" ::: "memory");

    rtm_mie_lock(&l);
    check(mie_bit() == 0u && l.depth == 1u, "lock clears MIE");
    raise_msi();
    check(taken == 0u, "masked inside the lock");
    rtm_mie_lock(&l);
    rtm_mie_unlock(&l);
    check(mie_bit() == 0u && taken == 0u, "inner unlock keeps the mask");
    rtm_mie_unlock(&l);
    check(mie_bit() == 1u && taken == 1u && l.depth == 0u, "outer unlock restores MIE; the interrupt is taken");

    __asm__ volatile("csrci mstatus, 8" ::: "memory");
    rtm_mie_lock(&l);
    raise_msi();
    rtm_mie_unlock(&l);
    check(mie_bit() == 0u && taken == 1u, "already masked: stays masked");
    __asm__ volatile("csrsi mstatus, 8" ::: "memory");
    check(taken == 2u, "taken once MIE is set again");
    rtm_mie_unlock(&l);
    check(mie_bit() == 1u && l.depth == 0u, "unbalanced unlock is a no-op");

    put("rv32 mstatus.MIE lock\n");
    put_uint(passed);
    put(" passed, ");
    put_uint(failed);
    put(" failed\n");
    return failed == 0u ? 0 : 1;
}
