/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The reset test (make reset-test): a fault record must survive a system
 * reset. Boot 1 finds no record, programs a no-access MPU region, stores into
 * it from task 5; the fault hook captures the record into `.noinit` RAM and
 * requests a reset through AIRCR.SYSRESETREQ. Boot 2 takes the record, prints
 * it, checks every field against what boot 1 did, checks that a second take
 * finds nothing, and exits 0. A boot counter in `.noinit` stops a reset loop.
 */
#include "rtm_target.h"
#include "rtmem/rtmem.h"

#define AIRCR (*(volatile uint32_t *)(uintptr_t)0xE000ED0Cu)
#define AIRCR_SYSRESETREQ (0x05FA0000u | (1u << 2))
#define TASK_ID 5u
#define GUARD_REGION 3u
#define BOOTS_MAGIC 0x424f4f54u

struct boots {
    uint32_t magic;
    uint32_t count;
};

static rtm_fault_record_t fault_slot __attribute__((section(".noinit")));
static struct boots boots __attribute__((section(".noinit")));

static rtm_mpu_t mpu;
static uint32_t victim[8] __attribute__((aligned(32)));

static void say_field(const char *name, uint32_t v)
{
    rtm_target_write("  ");
    rtm_target_write(name);
    rtm_target_write(" ");
    rtm_target_write_hex(v);
    rtm_target_write("\n");
}

static uint32_t on_fault(const rtm_target_fault_t *f, void *user)
{
    (void)user;
    /* The board's handler called this from the exception with the stacked
     * frame at f->sp. */
    (void)rtm_fault_record_capture_arm(&fault_slot, &mpu, (const uint32_t *)(uintptr_t)f->sp, 0u, TASK_ID);
    rtm_target_write("boot 1: fault recorded, requesting a system reset\n");
    __asm__ volatile("dsb" ::: "memory");
    AIRCR = AIRCR_SYSRESETREQ;
    __asm__ volatile("dsb" ::: "memory");
    for (;;) {
        __asm__ volatile("" ::: "memory"); /* until the reset takes effect */
    }
    return RTM_TARGET_RESUME_FATAL; /* not reached */
}

static void first_boot(void)
{
    rtm_mpu_backend_t be = rtm_mpu_armv7m_backend((void *)0);
    rtm_mpu_region_t guard = {(uintptr_t)victim, sizeof victim, 0u, 0u};
    if (rtm_mpu_init(&mpu, &be) != RTM_OK || rtm_mpu_set_region(&mpu, GUARD_REGION, &guard) != RTM_OK ||
        rtm_mpu_enable(&mpu, RTM_MPU_CTRL_PRIVDEFENA) != RTM_OK) {
        rtm_target_write("boot 1: MPU set-up failed\n");
        rtm_target_exit(1u);
    }
    rtm_target_set_fault_hook(on_fault, (void *)0);
    rtm_target_write("boot 1: storing into a no-access MPU region\n");
    rtm_target_write32(&victim[2], 0xdeadbeefu); /* the store is its first instruction */
    rtm_target_write("boot 1: the store did not fault\n");
    rtm_target_exit(1u);
}

/* Not inlined: tools/gdb/reset-test.gdb stops here to read the record first. */
__attribute__((noinline)) static bool second_boot(void)
{
    rtm_fault_record_t r;
    rtm_status_t s = rtm_fault_record_take(&fault_slot, &r);
    rtm_target_write("boot 2: fault record ");
    rtm_target_write(rtm_status_str(s));
    rtm_target_write("\n");
    if (s != RTM_OK) {
        return false;
    }
    say_field("count", r.count);
    say_field("CFSR", r.cfsr);
    say_field("HFSR", r.hfsr);
    say_field("MMFAR", r.mmfar);
    say_field("address", r.address);
    say_field("MPU region", r.region);
    say_field("task", r.task);
    say_field("frame at", r.sp);
    say_field("stacked PC", r.frame[6]);
    say_field("stacked LR", r.frame[5]);
    say_field("stacked xPSR", r.frame[7]);
    uint32_t target = (uint32_t)(uintptr_t)&victim[2];
    uint32_t helper = (uint32_t)(uintptr_t)rtm_target_write32 & ~1u;
    bool good = r.count == 1u && r.cfsr == 0x82u /* DACCVIOL | MMARVALID */ && r.mmfar == target &&
                r.address == target && r.kind == RTM_MPU_FAULT_DATA_ACCESS && r.region == GUARD_REGION &&
                r.task == TASK_ID && r.frame_valid == RTM_FAULT_RECORD_FRAME_VALID && r.frame[6] == helper &&
                r.frame[0] == target && r.frame[1] == 0xdeadbeefu && (r.frame[7] & (1u << 24)) != 0u;
    rtm_target_write(good ? "boot 2: record matches the fault of boot 1\n" : "boot 2: record WRONG\n");
    rtm_fault_record_t again;
    s = rtm_fault_record_take(&fault_slot, &again);
    rtm_target_write("boot 2: second take ");
    rtm_target_write(rtm_status_str(s));
    rtm_target_write("\n");
    return good && s == RTM_ERR_INVALID_POINTER;
}

void rtm_target_main(void)
{
    if (boots.magic != BOOTS_MAGIC) {
        boots.magic = BOOTS_MAGIC;
        boots.count = 0u;
    }
    boots.count++;
    rtm_target_write("reset test on ");
    rtm_target_write(rtm_target_name());
    rtm_target_write(", boot ");
    rtm_target_write_dec(boots.count);
    rtm_target_write("\n");
    if (boots.count == 1u) {
        rtm_fault_record_t none;
        rtm_status_t s = rtm_fault_record_take(&fault_slot, &none);
        rtm_target_write("boot 1: fault record ");
        rtm_target_write(rtm_status_str(s));
        rtm_target_write("\n");
        if (s != RTM_ERR_INVALID_POINTER) {
            rtm_target_exit(1u);
        }
        first_boot();
    }
    bool pass = boots.count == 2u && second_boot();
    boots.magic = 0u;
    rtm_target_write(pass ? "reset test: PASS\n" : "reset test: FAIL\n");
    rtm_target_exit(pass ? 0u : 1u);
}
