/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file rtmem/types.h
 * @brief Layer 1: version, status codes, permission bits and statistics.
 *
 * Everything here is plain data: fixed-width integers and structs whose layout
 * never depends on build flags, so the header feeds bindgen unchanged.
 */
#ifndef RTMEM_TYPES_H
#define RTMEM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

/** Major version: bumped on an incompatible change of the C ABI. */
#define RTM_VERSION_MAJOR 0u
/** Minor version: bumped when the API grows compatibly. */
#define RTM_VERSION_MINOR 2u
/** Patch version. */
#define RTM_VERSION_PATCH 0u

/**
 * The version of the linked library, as (major << 16) | (minor << 8) | patch.
 * Compare with the RTM_VERSION_* macros to detect a header/library mismatch.
 * O(1), ISR-safe, never fails.
 */
uint32_t rtm_version(void);

/** The version of the linked library as a static string, e.g. "0.2.0". O(1), ISR-safe. */
const char *rtm_version_string(void);

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

/**
 * The one status type of the library: zero is success, every error is negative.
 * The first seven errors are the variants of the design's `MemoryError`, in order.
 */
typedef int32_t rtm_status_t;

/** Success. */
#define RTM_OK 0
/** No block large enough (MemoryError::OutOfMemory); the structure is unchanged. */
#define RTM_ERR_NO_MEMORY (-1)
/** A pointer that this object never handed out: foreign, interior or NULL where one is required (MemoryError::InvalidPointer). */
#define RTM_ERR_INVALID_POINTER (-2)
/** A new region overlaps an existing one (MemoryError::AddressOverlap). */
#define RTM_ERR_OVERLAP (-3)
/** An alignment that is not a power of two, or memory not aligned as required (MemoryError::AlignmentError). */
#define RTM_ERR_ALIGNMENT (-4)
/** An access the protection settings forbid (MemoryError::AccessViolation). */
#define RTM_ERR_ACCESS (-5)
/** A block that is already free was freed again (MemoryError::DoubleFree). */
#define RTM_ERR_DOUBLE_FREE (-6)
/** Metadata failed its check: an overrun, a wild write, a broken list (MemoryError::CorruptedMetadata). */
#define RTM_ERR_CORRUPTED (-7)
/** An argument is out of range: NULL handle, size 0 where not allowed, a size that overflows. */
#define RTM_ERR_INVALID_ARG (-8)
/** The operation is not supported by this object or on this target. */
#define RTM_ERR_UNSUPPORTED (-9)

/**
 * The name of a status code, e.g. "RTM_ERR_DOUBLE_FREE"; "RTM_ERR_UNKNOWN" for
 * a value that is not a status code. Never NULL; the string is static.
 * O(1), ISR-safe.
 */
const char *rtm_status_str(rtm_status_t status);

/* ------------------------------------------------------------------------ */
/* Permissions (memory map, MPU)                                             */
/* ------------------------------------------------------------------------ */

/** A set of RTM_PERM_* bits (the design's `MemoryPermissions`). */
typedef uint32_t rtm_perm_t;

/** Readable. */
#define RTM_PERM_READ 0x1u
/** Writable. */
#define RTM_PERM_WRITE 0x2u
/** Executable. */
#define RTM_PERM_EXEC 0x4u
/** Cacheable memory (normal memory); without it the region is device/strongly ordered. */
#define RTM_PERM_CACHEABLE 0x8u
/** Accessible from unprivileged code too; without it only privileged code may access. */
#define RTM_PERM_UNPRIV 0x10u

/* ------------------------------------------------------------------------ */
/* Allocator statistics                                                      */
/* ------------------------------------------------------------------------ */

/** rtm_alloc_stats_t::free_bytes is valid. */
#define RTM_STATS_HAS_FREE_BYTES 0x1u
/** rtm_alloc_stats_t::largest_free_block is valid. */
#define RTM_STATS_HAS_LARGEST_FREE 0x2u
/** rtm_alloc_stats_t::capacity is valid. */
#define RTM_STATS_HAS_CAPACITY 0x4u

/**
 * Statistics of one allocator (the design's `AllocatorStats`, plus what the
 * allocator can tell about its free space), copied out by value.
 *
 * Accounting: every allocator counts a block by its *accounted size*, which each
 * allocator documents (the requested size, or the usable size it rounded up to).
 * A successful reallocation counts as one deallocation of the old block and one
 * allocation of the new one, even when done in place. Hence always:
 *   current_allocations == total_allocations - total_deallocations (mod 2^32)
 *   bytes_in_use        == bytes_allocated - bytes_deallocated
 * Monotonic counters ("grows only") wrap around at their width.
 */
typedef struct rtm_alloc_stats {
    /** Grows only: sum of accounted sizes of all successful allocations. */
    uint64_t bytes_allocated;
    /** Grows only: sum of accounted sizes of all successful deallocations. */
    uint64_t bytes_deallocated;
    /** Accounted bytes of the live blocks. */
    size_t bytes_in_use;
    /** High-water mark of bytes_in_use (the design's peak_memory_usage). */
    size_t peak_memory_usage;
    /** Bytes that could still be handed out, summed over free blocks (RTM_STATS_HAS_FREE_BYTES). */
    size_t free_bytes;
    /** The largest single request that would succeed at minimum alignment (RTM_STATS_HAS_LARGEST_FREE). */
    size_t largest_free_block;
    /** Bytes under management, after the allocator's own control data (RTM_STATS_HAS_CAPACITY). */
    size_t capacity;
    /** Grows only: successful allocations. */
    uint32_t total_allocations;
    /** Grows only: successful deallocations. */
    uint32_t total_deallocations;
    /** Live blocks. */
    uint32_t current_allocations;
    /** Grows only: allocation requests that failed for lack of memory. */
    uint32_t allocation_failures;
    /** Which optional fields are valid: RTM_STATS_HAS_* bits. */
    uint32_t flags;
    /** Zero; keeps the size a multiple of 8 on every target. */
    uint32_t reserved;
} rtm_alloc_stats_t;

/** One block seen by a walk. */
typedef struct rtm_block_info {
    void *ptr;         /**< payload address */
    size_t size;       /**< usable bytes (used) or block bytes available (free) */
    uint32_t used;     /**< 1: allocated, 0: free */
    uint32_t reserved; /**< 0 */
} rtm_block_info_t;

/**
 * Walk callback, called once per block by the rtm_*_walk functions, in their
 * context (an ISR only if the walk runs in one): return RTM_OK to go on; any
 * other status stops the walk and is returned. The walk's bound, O(blocks),
 * holds only while the callback itself is O(1).
 */
typedef rtm_status_t (*rtm_walk_fn)(void *ctx, const rtm_block_info_t *block);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_TYPES_H */
