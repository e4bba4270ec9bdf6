/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The demo firmware's shared declarations: console and report helpers (console.c). */
#ifndef RTM_DEMO_H
#define RTM_DEMO_H

#include "rtm_target.h"
#include "rtmem/rtmem.h"

void say(const char *s);
void say_dec(size_t v);
void say_hex(uintptr_t v);
const char *fault_kind_name(uint32_t kind);
uintptr_t align_up_addr(uintptr_t x, uintptr_t align);

/* Record in the map what the heap and the two pools (each `pool_bytes` at
 * pools and pools + pool_bytes) have in use. */
void update_map_usage(const rtm_heap_t *heap, const rtm_pool_t *small, const rtm_pool_t *large,
                      rtm_memmap_t *map, uintptr_t heap_start, uintptr_t pools, size_t pool_bytes);

void print_map(const rtm_memmap_t *map);
void print_heap(const rtm_heap_t *heap);
void print_pools(const rtm_pool_t *small, const rtm_pool_t *large, const rtm_mpool_t *classes);
void print_mpu(const rtm_mpu_t *mpu);
void print_stacks(const rtm_stack_t *stacks);
void print_owners(const rtm_leak_t *leak);
/* The figures tools/gdb's test compares with `rtm heap` (and MPU_RNR for `rtm mpu`). */
void print_checkpoint(uint32_t n, const rtm_heap_t *heap);
void print_fault_record(const rtm_fault_record_t *r);
void demo_checkpoint(uint32_t n);

#endif /* RTM_DEMO_H */
