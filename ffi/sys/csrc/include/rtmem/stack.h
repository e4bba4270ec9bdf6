/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/stack.h
 * @brief Layer 5: task stacks (the design's `StackManager`, `StackInfo`,
 *        `StackStats`) with guards that really protect.
 *
 * Every stack is one block, from any rtm_allocator_t or from a static area the
 * caller gives, laid out (stacks grow down) as:
 *
 *     base              base + guard       limit                          top
 *     | guard            | canary (16 bytes) | usable stack (size bytes) ... |
 *       MPU region: no access               ^ PSPLIM                        ^ initial SP
 *       (or canary words when no MPU region could be had)
 *
 * - Guard: with an MPU manager the guard is a no-access region added with
 *   rtm_mpu_add_region (so it overrides background regions); the block is then
 *   aligned to the guard size, a power of two >= 32, so every back end can
 *   express it. Where the unit has no no-access encoding (ARMv8-M) the guard is
 *   a privileged read-only, execute-never region: writes -- pushes -- still
 *   fault. With RTM_STACK_USE_PSPLIM, rtm_stack_activate() programs PSPLIM
 *   (ARMv8-M) with the stack's limit. Without an MPU region (no manager, no free
 *   slot, or an address the unit cannot map) the guard bytes hold canary words.
 *   Size the guard at least as large as the largest stack frame any task
 *   function makes (on Cortex-M plus the 32-byte exception frame): a frame that
 *   moves the stack pointer past the whole guard before its first store jumps
 *   over it (seen on QEMU with 64-byte frames and a 32-byte guard). PSPLIM has
 *   no such gap: it checks the stack pointer itself.
 * - Canary: 16 bytes just below the limit always hold canary words (the canary
 *   value XOR each word's address), checked in software by
 *   rtm_stack_check_canary() and on free.
 * - Painting (RTM_STACK_PAINT): the usable stack is filled with
 *   RTM_STACK_PAINT_WORD; rtm_stack_high_water() scans up from the limit for
 *   the first overwritten word.
 * - Reuse: a freed stack stays in the table, on a list sorted by size, and the
 *   smallest one big enough (same guard size) serves the next request before
 *   the allocator is asked. rtm_stack_trim() gives them back.
 *
 * The task table is caller storage (`rtm_stack_slot_t` array): one slot per
 * active or pooled stack; nothing is allocated for bookkeeping. Not
 * synchronized: call from the scheduler with interrupts masked as needed.
 */
#ifndef RTMEM_STACK_H
#define RTMEM_STACK_H

#include "allocator.h"
#include "mpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Guard size used when the configuration says 0. */
#define RTM_STACK_DEFAULT_GUARD 32u
/** Canary bytes between the guard and the usable stack. */
#define RTM_STACK_CANARY_BYTES 16u
/** Canary value used when the configuration says 0. */
#define RTM_STACK_DEFAULT_CANARY 0xC0DEC0DEu
/** The word painted over the usable stack. */
#define RTM_STACK_PAINT_WORD 0xA5A5A5A5u

/** Config flag: paint new stacks (enables rtm_stack_high_water). */
#define RTM_STACK_PAINT 0x1u
/** Config flag: rtm_stack_activate writes PSPLIM (refused at init where the core has none). */
#define RTM_STACK_USE_PSPLIM 0x2u
/** Config flag: fail an allocation (RTM_ERR_NO_MEMORY or the MPU's status)
 *  rather than fall back to a canary guard when no MPU region can be had. */
#define RTM_STACK_REQUIRE_GUARD 0x4u

/** Info flag: the guard is an MPU region (index in rtm_stack_info_t::mpu_region). */
#define RTM_STACK_INFO_MPU_GUARD 0x1u
/** Info flag: the MPU guard refuses writes only (the unit has no no-access encoding). */
#define RTM_STACK_INFO_GUARD_RO 0x2u
/** Info flag: the stack lives in a static area the caller gave. */
#define RTM_STACK_INFO_STATIC 0x4u
/** Info flag: the stack was painted. */
#define RTM_STACK_INFO_PAINTED 0x8u
/** Info flag: an overflow was detected (counted once in the statistics). */
#define RTM_STACK_INFO_OVERFLOWED 0x10u

/** rtm_stack_find: the address is in the guard or canary below a stack. */
#define RTM_STACK_IN_GUARD 1u
/** rtm_stack_find: the address is in a usable stack. */
#define RTM_STACK_IN_STACK 2u

/** Configuration of a stack manager. */
typedef struct rtm_stack_config {
    /** Usable bytes of a stack allocated with size 0 (0: such requests are refused). */
    size_t default_size;
    /** Guard bytes below each stack: 0 = RTM_STACK_DEFAULT_GUARD; with an MPU, a
     *  power of two >= 32; without, a multiple of 8. */
    size_t guard_size;
    /** RTM_STACK_* flags. */
    uint32_t flags;
    /** Canary value (0 = RTM_STACK_DEFAULT_CANARY). */
    uint32_t canary;
    /** OR'ed into each guard region's flags, e.g. RTM_MPU_REGION_LOCK so a PMP
     *  guard binds machine mode (it then stays until reset, also when freed). */
    uint32_t guard_region_flags;
    /** Zero. */
    uint32_t reserved;
} rtm_stack_config_t;

/** One stack (the design's `StackInfo`), copied out. */
typedef struct rtm_stack_info {
    /** Start of the block: the guard's first byte (the design's stack_base). */
    uintptr_t base;
    /** Lowest address the stack may use: base + guard + canary (the PSPLIM value). */
    uintptr_t limit;
    /** One past the highest byte: the initial stack pointer, 8-byte aligned (the design's stack_pointer). */
    uintptr_t top;
    /** Usable bytes, top - limit (at least the size asked for). */
    size_t size;
    /** Guard bytes. */
    size_t guard_size;
    /** Highest usage seen by rtm_stack_check_sp / rtm_stack_high_water. */
    size_t peak_usage;
    /** The task. */
    uint32_t task_id;
    /** RTM_STACK_INFO_* flags. */
    uint32_t flags;
    /** The guard's MPU region, or RTM_MPU_NO_REGION. */
    uint32_t mpu_region;
    /** Zero. */
    uint32_t reserved;
} rtm_stack_info_t;

/** Statistics (the design's `StackStats` + reuse and guard counters), copied out. */
typedef struct rtm_stack_stats {
    /** Highest usage seen on any stack (the design's max_stack_usage). */
    size_t max_stack_usage;
    /** Bytes of all stack blocks held, active and pooled, guards included. */
    size_t total_stack_memory;
    /** Grows only: stacks handed out (new or reused). */
    uint32_t total_stacks;
    /** Stacks in use. */
    uint32_t active_stacks;
    /** Grows only: stacks found overflowed, each counted once. */
    uint32_t stack_overflows;
    /** Freed stacks kept for reuse. */
    uint32_t pooled_stacks;
    /** Grows only: requests served from the pooled stacks. */
    uint32_t reused_stacks;
    /** Active stacks whose guard is an MPU region. */
    uint32_t mpu_guards;
    /** Grows only: requests refused (no memory, no slot, no guard). */
    uint32_t failures;
    /** Zero. */
    uint32_t reserved;
} rtm_stack_stats_t;

/** Storage of one task-table slot, in pointer words (layout private). */
#define RTM_STACK_SLOT_WORDS 16u
/** One slot of the caller's task table. */
typedef struct rtm_stack_slot {
    /** Private. */
    uintptr_t opaque[RTM_STACK_SLOT_WORDS];
} rtm_stack_slot_t;

/** Storage of a stack manager, in pointer words (layout private). */
#define RTM_STACK_STORAGE_WORDS 32u
/** A stack manager. Caller-owned storage; initialise with rtm_stack_init. */
typedef struct rtm_stack {
    /** Private. */
    uintptr_t opaque[RTM_STACK_STORAGE_WORDS];
} rtm_stack_t;

/**
 * Initialise `sm`. `cfg` NULL means all defaults. `alloc` (copied; may be NULL:
 * static stacks only) provides stack blocks; `mpu` (may be NULL; must outlive
 * `sm`) provides guard regions; `table[capacity]` is the task table (caller
 * storage, used until `sm` is no longer used).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `sm`, NULL `table` with a non-zero
 *         capacity, a capacity above 0xFFFFFFFE, unknown flags, or a default size
 *         whose rounding overflows; RTM_ERR_ALIGNMENT for a guard size that is
 *         not a multiple of 8 (or, with `mpu`, not a power of two >= 32);
 *         RTM_ERR_UNSUPPORTED for RTM_STACK_USE_PSPLIM on a core without PSPLIM.
 *         O(capacity).
 * ISR-safe.
 */
rtm_status_t rtm_stack_init(rtm_stack_t *sm, const rtm_stack_config_t *cfg, const rtm_allocator_t *alloc,
                            rtm_mpu_t *mpu, rtm_stack_slot_t *table, size_t capacity);

/**
 * Give task `task_id` a stack of at least `size` usable bytes (0: the default
 * size), rounded up to 8; a pooled stack is reused when one fits. `out` (may be
 * NULL) receives its info.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `sm`, size 0 without a default,
 *         a size whose layout overflows, or a task that already has a stack;
 *         RTM_ERR_NO_MEMORY when the table is full, there is no allocator, or the
 *         allocator is exhausted; with RTM_STACK_REQUIRE_GUARD, the MPU's status
 *         when no guard region can be set. On failure nothing changes except the
 *         failure counter. O(capacity) + the allocator + the MPU manager.
 * ISR-safe when the allocator is.
 */
rtm_status_t rtm_stack_allocate(rtm_stack_t *sm, uint32_t task_id, size_t size, rtm_stack_info_t *out);

/**
 * Give task `task_id` a stack in the caller's area [mem, mem + mem_size): the
 * base is aligned up as the guard needs and the usable size is what remains,
 * rounded down to 8. The area belongs to the manager until trimmed.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `sm`, NULL `mem`, an area that
 *         wraps the address space, or a task that already has a stack;
 *         RTM_ERR_NO_MEMORY when the area cannot hold guard, canary and 8 bytes,
 *         or the table is full; the guard statuses as rtm_stack_allocate.
 * O(capacity), plus the stack size when painting; ISR-safe.
 */
rtm_status_t rtm_stack_add_static(rtm_stack_t *sm, uint32_t task_id, void *mem, size_t mem_size,
                                  rtm_stack_info_t *out);

/**
 * Release task `task_id`'s stack (the design's deallocate_stack): its canary is
 * checked, its MPU guard removed (a locked one stays), and it goes to the
 * pooled stacks for reuse.
 * @return RTM_OK; RTM_ERR_CORRUPTED when the canary was damaged (the stack is
 *         released all the same, and the overflow counted); RTM_ERR_DOUBLE_FREE
 *         when the task's stack was already released and not reused since;
 *         RTM_ERR_INVALID_ARG for a bad `sm` or a task without a stack. O(capacity).
 * ISR-safe when the allocator is.
 */
rtm_status_t rtm_stack_free(rtm_stack_t *sm, uint32_t task_id);

/**
 * Copy task `task_id`'s stack info (the design's get_stack_info).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `sm`, NULL `out` or a task without a stack.
 * O(capacity), ISR-safe.
 */
rtm_status_t rtm_stack_get_info(const rtm_stack_t *sm, uint32_t task_id, rtm_stack_info_t *out);

/**
 * Overflow check by stack pointer (the design's check_stack_overflow, fixed:
 * sp == limit is a full stack, not an overflow, and an sp above the top is not
 * turned into a huge usage). Records the usage top - sp.
 * @return RTM_OK; RTM_ERR_CORRUPTED when sp < limit (an overflow: counted once
 *         per stack); RTM_ERR_INVALID_POINTER when sp > top (not this stack);
 *         RTM_ERR_INVALID_ARG for a bad `sm` or a task without a stack. O(capacity).
 * ISR-safe: made for context switches and fault handlers.
 */
rtm_status_t rtm_stack_check_sp(rtm_stack_t *sm, uint32_t task_id, uintptr_t sp);

/**
 * Overflow check by canary: the 16 canary bytes, and the guard bytes when the
 * guard is not an MPU region.
 * @return RTM_OK; RTM_ERR_CORRUPTED (counted once per stack); RTM_ERR_INVALID_ARG
 *         for a bad `sm` or a task without a stack. O(capacity + guard).
 * ISR-safe.
 */
rtm_status_t rtm_stack_check_canary(rtm_stack_t *sm, uint32_t task_id);

/**
 * High-water mark of a painted stack: `*used` receives top minus the lowest
 * overwritten word found scanning up from the limit (0 for an untouched stack).
 * @return RTM_OK; RTM_ERR_UNSUPPORTED for a stack that was not painted;
 *         RTM_ERR_INVALID_ARG for a bad `sm`, NULL `used` or a task without a
 *         stack. O(capacity + stack size).
 * ISR-safe.
 */
rtm_status_t rtm_stack_high_water(rtm_stack_t *sm, uint32_t task_id, size_t *used);

/**
 * Call when switching to task `task_id`: with RTM_STACK_USE_PSPLIM, writes its
 * limit to PSPLIM; otherwise does nothing.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `sm` or a task without a stack;
 *         the status of rtm_mpu_set_psplim. O(capacity).
 * ISR-safe: made for context switches.
 */
rtm_status_t rtm_stack_activate(rtm_stack_t *sm, uint32_t task_id);

/**
 * Which active stack holds `addr`? `*task_id` and `*where` (RTM_STACK_IN_GUARD,
 * RTM_STACK_IN_STACK; either may be NULL) receive the answer. For fault handlers:
 * an MMFAR in a guard names the overflowing task.
 * @return RTM_OK; RTM_ERR_INVALID_POINTER when no active stack holds it;
 *         RTM_ERR_INVALID_ARG for a bad `sm`. O(capacity), ISR-safe, read-only.
 */
rtm_status_t rtm_stack_find(const rtm_stack_t *sm, uintptr_t addr, uint32_t *task_id, uint32_t *where);

/**
 * Record that task `task_id` overflowed (e.g. from a STKOF UsageFault, which
 * has no address, or after rtm_stack_find named the task): counted once per stack.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `sm` or a task without a stack.
 * O(capacity), ISR-safe: made for fault handlers.
 */
rtm_status_t rtm_stack_note_overflow(rtm_stack_t *sm, uint32_t task_id);

/**
 * Forget the pooled stacks: allocator blocks go back to the allocator, static
 * areas back to the caller. Stacks whose guard is locked stay. `*released`
 * (may be NULL) receives how many were let go.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for a bad `sm`; the allocator's status if
 *         it refuses a block (that stack stays pooled). O(capacity).
 * ISR-safe when the allocator is.
 */
rtm_status_t rtm_stack_trim(rtm_stack_t *sm, size_t *released);

/**
 * Read-only whole-structure check: the table's states and pooled list, each
 * stack's layout, and the canaries of the active stacks.
 * @return RTM_OK; RTM_ERR_CORRUPTED; RTM_ERR_INVALID_ARG for a bad `sm`. O(capacity + canaries).
 * ISR-safe.
 */
rtm_status_t rtm_stack_check(const rtm_stack_t *sm);

/**
 * Copy the statistics (the design's get_stats) into `*out` (zeros for a bad `sm`; nothing for NULL `out`).
 * O(1), ISR-safe.
 */
void rtm_stack_get_stats(const rtm_stack_t *sm, rtm_stack_stats_t *out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_STACK_H */
