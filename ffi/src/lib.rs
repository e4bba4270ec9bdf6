// SPDX-License-Identifier: MIT OR Apache-2.0
//! Safe Rust API of **rtmem**, the real-time memory management library for
//! microcontroller firmware and hosts, written in C.
//!
//! The crate mirrors the Rust API of the design note (the "seed") so code
//! written against it compiles with few changes, but every object is the C
//! library's: no allocator logic is duplicated here.
//!
//! | seed | here | C |
//! |---|---|---|
//! | `MemoryError` | [`MemoryError`] | `rtm_status_t` |
//! | `MemoryAllocator` | [`MemoryAllocator`], [`AllocatorRef`] | `rtm_allocator_t` |
//! | `AllocatorStats` | [`AllocatorStats`] | `rtm_alloc_stats_t` |
//! | `SimpleHeapAllocator` | [`BumpArena`] | `rtm_bump_t` |
//! | `LinkedListAllocator` | [`FreeListHeap`] | `rtm_freelist_t` |
//! | (beyond the seed) | [`Heap`], the O(1) heap | `rtm_heap_t` |
//! | `FixedSizePool`, `PoolStats` | [`FixedSizePool`], [`PoolStats`] | `rtm_pool_t` |
//! | `MultiSizePoolManager`, `MultiPoolStats` | [`MultiSizePoolManager`], [`MultiPoolStats`] | `rtm_mpool_t` |
//! | `MemoryLayout`, `MemoryRegion`, `MemoryStats` | [`MemoryLayout`], [`MemoryRegion`], [`MemoryStats`] | `rtm_memmap_t` |
//! | `StackManager`, `StackInfo`, `StackStats` | [`StackManager`], [`StackInfo`], [`StackStats`] | `rtm_stack_t` |
//! | `MPUManager`, `ProtectionRegion`, `MemoryAccessType` | [`MPUManager`], [`ProtectionRegion`], [`MemoryAccessType`] | `rtm_mpu_t` |
//! | `MemoryLeakDetector`, `LeakDetectorStats`, `AllocationRecord` | [`MemoryLeakDetector`], [`LeakDetectorStats`], [`AllocationRecord`] | `rtm_leak_t` |
//! | `MemoryCorruptionDetector`, `CorruptionStats` (regions) | [`MemoryCorruptionDetector`], [`CorruptionStats`] | `rtm_integrity_t` |
//! | (the design's red zones) | [`RedZoneGuard`], [`RedZoneStats`], [`RedZoneReport`] | `rtm_redzone_t` |
//! | (the design's lock decorator) | [`LockedAllocator`] | `rtm_lock_t` |
//!
//! For `#[global_allocator]` use [`RtmHeap`], the `GlobalAlloc` shim over the
//! O(1) heap. The raw bindings are in [`sys`].
//!
//! `#![no_std]`, no `alloc` needed; every `unsafe` item states its contract
//! under `# Safety`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

#[cfg(test)]
extern crate std;

pub use rtmem_sys as sys;

mod allocator;
mod detect;
mod error;
mod global;
mod heaps;
pub mod lock;
mod locked;
mod memmap;
mod mpu;
mod pool;
mod stack;
mod stats;

pub use allocator::{AllocatorRef, MemoryAllocator};
pub use detect::{
    crc32, AllocationRecord, CorruptedRegions, CorruptionDetectorStorage, CorruptionStats, LeakDetectorStats,
    LeakDetectorStorage, MemoryCorruptionDetector, MemoryLeakDetector, RedZoneGuard, RedZoneReport, RedZoneSide,
    RedZoneStats, RedZoneStorage, RegionId,
};
pub use error::MemoryError;
pub use global::{MisuseHook, RtmHeap, RtmHeapStats};
pub use locked::{LockedAllocator, LockedAllocatorStorage};
pub use heaps::{BumpArena, BumpMark, FreeListHeap, Heap, LinkedListAllocator, SimpleHeapAllocator};
pub use memmap::{
    MemoryLayout, MemoryLayoutStorage, MemoryPermissions, MemoryRegion, MemoryRegionType, MemoryStats, RegionName,
};
pub use mpu::{
    FaultKind, HostMpu, MPUManager, MemoryAccessType, MpuArch, MpuBackend, MpuFault, MpuStats, MpuStorage,
    ProtectionRegion, ViolationHandler,
};
pub use pool::{FixedSizePool, MultiPoolStats, MultiSizePoolManager, PoolClass, PoolStats};
pub use stack::{StackArea, StackConfig, StackInfo, StackManager, StackManagerStorage, StackStats};
pub use stats::AllocatorStats;

/// The version of the linked C library as `(major, minor, patch)`.
pub fn version() -> (u8, u8, u8) {
    // SAFETY: no arguments, never fails.
    let v = unsafe { sys::rtm_version() };
    ((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

#[cfg(test)]
mod tests {
    #[test]
    fn linked_library_matches_the_bindings() {
        let (major, minor, patch) = super::version();
        assert_eq!(
            (u32::from(major), u32::from(minor), u32::from(patch)),
            (crate::sys::RTM_VERSION_MAJOR, crate::sys::RTM_VERSION_MINOR, crate::sys::RTM_VERSION_PATCH)
        );
    }
}
