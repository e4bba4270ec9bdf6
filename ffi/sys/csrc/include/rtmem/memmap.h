/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/memmap.h
 * @brief Layer 5: memory map (the design's `MemoryLayout` / `MemoryRegion`).
 *
 * A table of named address ranges, each with a type, permissions and a byte
 * count in use that its owner keeps up to date. Regions never overlap; the table
 * is kept sorted by start address, so lookups are binary searches.
 *
 * Storage: the map object (rtm_memmap_t) and its region table (an array of
 * rtm_region_t) are both the caller's; the map uses the table from
 * rtm_memmap_init() until the caller stops using the map. Nothing is allocated.
 *
 * Address arithmetic is overflow-checked: a region may end exactly at the top of
 * the address space (e.g. Cortex-M's 0xE0000000..0xFFFFFFFF system region) but
 * never wrap around it.
 *
 * Free space and fragmentation (the seed's "fragmentation" was a usage ratio;
 * this is not):
 * - only RTM_REGION_HEAP regions hold free memory; a heap region's free bytes are
 *   `size - used`; code, data, stacks, devices... are never free memory (their
 *   `used` still counts in the map's `used`);
 * - the map does not know how a region's free bytes are laid out inside it, so it
 *   counts each heap region's free bytes as one piece: `largest_free` is the
 *   largest `size - used` of any one heap region (an upper bound on the largest
 *   block any one of them could hand out; the region's allocator knows better);
 * - fragmentation_permille = floor(1000 * (free - largest_free) / free), i.e.
 *   1 - largest_free / free in permille, and 0 when free is 0. Free memory in one
 *   region: 0; spread evenly over k heap regions: 1000 * (k - 1) / k.
 *
 * Not synchronized. All functions are ISR-safe (no blocking, bounded loops).
 */
#ifndef RTMEM_MEMMAP_H
#define RTMEM_MEMMAP_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Region type (rtm_region_t::type): code. */
#define RTM_REGION_CODE 0u
/** Region type: initialised data. */
#define RTM_REGION_DATA 1u
/** Region type: zero-initialised data. */
#define RTM_REGION_BSS 2u
/** Region type: a stack. */
#define RTM_REGION_STACK 3u
/** Region type: a heap. */
#define RTM_REGION_HEAP 4u
/** Region type: device (peripheral) memory. */
#define RTM_REGION_DEVICE 5u
/** Region type: reserved; the highest valid type. */
#define RTM_REGION_RESERVED 6u

/** Bytes of rtm_region_t::name, including the terminating NUL. */
#define RTM_REGION_NAME_SIZE 16u

/** A region, as the map stores and reports it. */
typedef struct rtm_region {
    /** First address. */
    uintptr_t start;
    /** Bytes, >= 1; start + size - 1 does not wrap. */
    size_t size;
    /** Bytes in use, as last set with rtm_memmap_set_used() (0 when added); <= size. */
    size_t used;
    /** One of RTM_REGION_*. */
    uint32_t type;
    /** RTM_PERM_* bits. */
    rtm_perm_t perms;
    /** NUL-terminated name, truncated to RTM_REGION_NAME_SIZE - 1 bytes. */
    char name[16];
} rtm_region_t;

/** A map: public storage for an opaque object, sized in pointer words. */
typedef struct rtm_memmap {
    /** Private. */
    void *opaque[4];
} rtm_memmap_t;

/** Map statistics (the design's `MemoryStats`, fixed; see the file comment). */
typedef struct rtm_memmap_stats {
    /** Sum of all region sizes (saturates at SIZE_MAX). */
    size_t total;
    /** Sum of all regions' `used` (saturates at SIZE_MAX). */
    size_t used;
    /** Sum of the heap regions' sizes (saturates at SIZE_MAX). */
    size_t heap_total;
    /** Sum of the heap regions' `size - used` (saturates at SIZE_MAX). */
    size_t free;
    /** Largest `size - used` of any one heap region. */
    size_t largest_free;
    /** Regions in the map. */
    uint32_t region_count;
    /** floor(1000 * (free - largest_free) / free); 0 when free is 0. */
    uint32_t fragmentation_permille;
} rtm_memmap_stats_t;

/**
 * Initialise an empty map over the caller's table of `capacity` regions.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL `m` or `table`, or capacity 0.
 * O(1).
 * ISR-safe.
 */
rtm_status_t rtm_memmap_init(rtm_memmap_t *m, rtm_region_t *table, size_t capacity);

/**
 * Add the region [start, start + size) with `used` 0.
 * @param m     the map.
 * @param start first address of the region.
 * @param size  bytes in the region.
 * @param type  an RTM_REGION_* type.
 * @param perms RTM_PERM_* bits.
 * @param name NUL-terminated; copied, truncated to RTM_REGION_NAME_SIZE - 1
 *             bytes; NULL means "".
 * @return RTM_OK;
 *         RTM_ERR_INVALID_ARG for an uninitialised/NULL map, size 0, a region that
 *         wraps around the address space, a type above RTM_REGION_RESERVED, or
 *         perms with bits other than RTM_PERM_*;
 *         RTM_ERR_OVERLAP when it shares any byte with a region in the map;
 *         RTM_ERR_NO_MEMORY when the table is full.
 * O(log n) search plus O(n) to shift the sorted table.
 * ISR-safe.
 */
rtm_status_t rtm_memmap_add_region(rtm_memmap_t *m, uintptr_t start, size_t size, uint32_t type,
                                   rtm_perm_t perms, const char *name);

/**
 * Remove the region that starts exactly at `start`.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for an uninitialised/NULL map;
 *         RTM_ERR_INVALID_POINTER when no region starts at `start`.
 * O(log n) plus O(n) to shift the table.
 * ISR-safe.
 */
rtm_status_t rtm_memmap_remove_region(rtm_memmap_t *m, uintptr_t start);

/**
 * Copy the region containing `addr` into `*out`.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for an uninitialised/NULL map or NULL `out`;
 *         RTM_ERR_INVALID_POINTER when no region contains `addr`.
 * O(log n).
 * ISR-safe.
 */
rtm_status_t rtm_memmap_find(const rtm_memmap_t *m, uintptr_t addr, rtm_region_t *out);

/**
 * Set the bytes in use of the region containing `addr` (its owner, e.g. a heap
 * or a stack monitor, calls this when usage changes).
 * @return RTM_OK; RTM_ERR_INVALID_ARG for an uninitialised/NULL map or
 *         used > the region's size; RTM_ERR_INVALID_POINTER when no region
 *         contains `addr`.
 * O(log n).
 * ISR-safe.
 */
rtm_status_t rtm_memmap_set_used(rtm_memmap_t *m, uintptr_t addr, size_t used);

/** Regions in the map; 0 for NULL or uninitialised. O(1). ISR-safe. */
size_t rtm_memmap_count(const rtm_memmap_t *m);

/**
 * Copy the `index`-th region in address order (0 = lowest) into `*out`.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for an uninitialised/NULL map, NULL `out`
 *         or index >= count.
 * O(1).
 * ISR-safe.
 */
rtm_status_t rtm_memmap_get(const rtm_memmap_t *m, size_t index, rtm_region_t *out);

/**
 * Compute the statistics (see the file comment for free and fragmentation).
 * Zeroes `*out` for an uninitialised/NULL map; nothing for NULL `out`. O(n).
 * ISR-safe.
 */
void rtm_memmap_stats(const rtm_memmap_t *m, rtm_memmap_stats_t *out);

/**
 * Read-only check of the whole map: count within capacity, table sorted with no
 * overlap, every region non-empty, not wrapping, used <= size, a valid type and
 * permissions, a NUL-terminated name.
 * @return RTM_OK; RTM_ERR_INVALID_ARG for NULL; RTM_ERR_CORRUPTED. O(n).
 * ISR-safe.
 */
rtm_status_t rtm_memmap_check(const rtm_memmap_t *m);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MEMMAP_H */
