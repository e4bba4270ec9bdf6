/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/rtmem.h
 * @brief Umbrella header: every public rtmem component, layer by layer.
 */
#ifndef RTMEM_RTMEM_H
#define RTMEM_RTMEM_H

/* Layer 1: types and status */
#include "types.h"
/* Layer 2: the allocator interface */
#include "allocator.h"
/* Layer 3: allocators */
#include "bump.h"
#include "freelist.h"
#include "heap.h"
#include "pool.h"
#include "multipool.h"
/* Layer 4: decorators */
#include "lock.h"
#include "leak.h"
#include "redzone.h"
/* Layer 5: protection */
#include "memmap.h"
#include "mpu.h"
#include "stack.h"
#include "integrity.h"
#include "fault_record.h"

#endif /* RTMEM_RTMEM_H */
