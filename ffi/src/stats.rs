// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`AllocatorStats`]: the seed's allocator statistics over `rtm_alloc_stats_t`.

use crate::sys;

/// Statistics of one allocator, copied out by value (the design's
/// `AllocatorStats`).
///
/// The seed's fields keep their names; `bytes_allocated` and
/// `bytes_deallocated` are `u64` because they only grow and would wrap quickly
/// in a 32-bit `usize`. The fields after `allocation_failures` go beyond the
/// seed: what the allocator can tell about its free space, `None` where it
/// cannot.
///
/// Accounting (the C contract): blocks count by the allocator's *accounted
/// size*, and a successful reallocation counts as one deallocation plus one
/// allocation, so `current_allocations == total_allocations -
/// total_deallocations` and `bytes_in_use == bytes_allocated -
/// bytes_deallocated` always hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocatorStats {
    /// Grows only: successful allocations.
    pub total_allocations: u32,
    /// Grows only: successful deallocations.
    pub total_deallocations: u32,
    /// Live blocks.
    pub current_allocations: u32,
    /// Grows only: accounted bytes of all successful allocations.
    pub bytes_allocated: u64,
    /// Grows only: accounted bytes of all successful deallocations.
    pub bytes_deallocated: u64,
    /// High-water mark of `bytes_in_use`.
    pub peak_memory_usage: usize,
    /// Grows only: requests that failed for lack of memory.
    pub allocation_failures: u32,
    /// Accounted bytes of the live blocks.
    pub bytes_in_use: usize,
    /// Bytes that could still be handed out, summed over free blocks.
    pub free_bytes: Option<usize>,
    /// The largest single request that would succeed at minimum alignment.
    pub largest_free_block: Option<usize>,
    /// Bytes under management, after the allocator's own control data.
    pub capacity: Option<usize>,
}

impl AllocatorStats {
    /// External fragmentation, `1 - largest_free_block / free_bytes`: 0 when
    /// all free memory is one block, towards 1 when it is scattered. `None`
    /// when the allocator does not report both figures or nothing is free.
    pub fn fragmentation(&self) -> Option<f32> {
        match (self.largest_free_block, self.free_bytes) {
            (Some(largest), Some(free)) if free > 0 => Some(1.0 - largest as f32 / free as f32),
            _ => None,
        }
    }
}

fn flagged(raw: &sys::rtm_alloc_stats_t, flag: u32, value: usize) -> Option<usize> {
    (raw.flags & flag != 0).then_some(value)
}

impl From<sys::rtm_alloc_stats_t> for AllocatorStats {
    fn from(raw: sys::rtm_alloc_stats_t) -> Self {
        Self {
            total_allocations: raw.total_allocations,
            total_deallocations: raw.total_deallocations,
            current_allocations: raw.current_allocations,
            bytes_allocated: raw.bytes_allocated,
            bytes_deallocated: raw.bytes_deallocated,
            peak_memory_usage: raw.peak_memory_usage,
            allocation_failures: raw.allocation_failures,
            bytes_in_use: raw.bytes_in_use,
            free_bytes: flagged(&raw, sys::RTM_STATS_HAS_FREE_BYTES, raw.free_bytes),
            largest_free_block: flagged(&raw, sys::RTM_STATS_HAS_LARGEST_FREE, raw.largest_free_block),
            capacity: flagged(&raw, sys::RTM_STATS_HAS_CAPACITY, raw.capacity),
        }
    }
}

impl From<AllocatorStats> for sys::rtm_alloc_stats_t {
    fn from(s: AllocatorStats) -> Self {
        let bit = |o: Option<usize>, flag: u32| if o.is_some() { flag } else { 0 };
        Self {
            bytes_allocated: s.bytes_allocated,
            bytes_deallocated: s.bytes_deallocated,
            bytes_in_use: s.bytes_in_use,
            peak_memory_usage: s.peak_memory_usage,
            free_bytes: s.free_bytes.unwrap_or(0),
            largest_free_block: s.largest_free_block.unwrap_or(0),
            capacity: s.capacity.unwrap_or(0),
            total_allocations: s.total_allocations,
            total_deallocations: s.total_deallocations,
            current_allocations: s.current_allocations,
            allocation_failures: s.allocation_failures,
            flags: bit(s.free_bytes, sys::RTM_STATS_HAS_FREE_BYTES)
                | bit(s.largest_free_block, sys::RTM_STATS_HAS_LARGEST_FREE)
                | bit(s.capacity, sys::RTM_STATS_HAS_CAPACITY),
            reserved: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_follow_the_flags() {
        let raw = sys::rtm_alloc_stats_t {
            free_bytes: 100,
            largest_free_block: 60,
            capacity: 500,
            flags: sys::RTM_STATS_HAS_FREE_BYTES | sys::RTM_STATS_HAS_LARGEST_FREE,
            ..Default::default()
        };
        let s = AllocatorStats::from(raw);
        assert_eq!(s.free_bytes, Some(100));
        assert_eq!(s.largest_free_block, Some(60));
        assert_eq!(s.capacity, None);
        assert!((s.fragmentation().unwrap() - 0.4).abs() < 1e-6);
        let back = sys::rtm_alloc_stats_t::from(s);
        assert_eq!(back.flags, raw.flags);
        assert_eq!(back.capacity, 0);
        assert_eq!(AllocatorStats::from(back), s);
    }

    #[test]
    fn no_fragmentation_without_free_space_figures() {
        let s = AllocatorStats { free_bytes: Some(0), largest_free_block: Some(0), ..Default::default() };
        assert_eq!(s.fragmentation(), None);
        assert_eq!(AllocatorStats::default().fragmentation(), None);
    }
}
