// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`FixedSizePool`] (the seed's) over `rtm_pool_t`, and
//! [`MultiSizePoolManager`] (the seed's) over `rtm_mpool_t`.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::{sys, AllocatorRef, AllocatorStats, MemoryError};

/// The part of `arena` that starts at an `align` boundary (empty if none).
pub(crate) fn align_slice(arena: &mut [MaybeUninit<u8>], align: usize) -> &mut [MaybeUninit<u8>] {
    let skip = arena.as_ptr().align_offset(align).min(arena.len());
    &mut arena[skip..]
}

/// Pool statistics (the seed's `PoolStats`, plus `failures` and `block_size`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Blocks in the pool.
    pub total_blocks: usize,
    /// Blocks that can still be allocated.
    pub free_blocks: usize,
    /// Blocks in use.
    pub allocated_blocks: usize,
    /// High-water mark of `allocated_blocks`.
    pub peak_usage: usize,
    /// Grows only: successful allocations.
    pub allocation_count: u32,
    /// Grows only: successful deallocations.
    pub deallocation_count: u32,
    /// Grows only: allocations refused because every block was in use.
    pub failures: u32,
    /// Usable bytes of every block.
    pub block_size: usize,
}

impl From<sys::rtm_pool_stats_t> for PoolStats {
    fn from(s: sys::rtm_pool_stats_t) -> Self {
        Self {
            total_blocks: s.total_blocks,
            free_blocks: s.free_blocks,
            allocated_blocks: s.allocated_blocks,
            peak_usage: s.peak_usage,
            allocation_count: s.allocation_count,
            deallocation_count: s.deallocation_count,
            failures: s.failures,
            block_size: s.block_size,
        }
    }
}

/// A pool of equal blocks over memory borrowed for `'a`: O(1) allocation and
/// free, no cap on the block count, double and foreign frees detected in O(1).
#[derive(Debug)]
pub struct FixedSizePool<'a> {
    raw: NonNull<sys::rtm_pool_t>,
    _arena: PhantomData<&'a mut [MaybeUninit<u8>]>,
}

impl<'a> FixedSizePool<'a> {
    /// A pool of blocks of `block_size` usable bytes (rounded up to the block
    /// alignment, 8) over `arena`; the arena's start is aligned up to
    /// `RTM_POOL_MEM_ALIGN` first.
    ///
    /// Errors: `InvalidArgument` for `block_size` 0, or when the arena cannot
    /// hold the control block, the bitmap and one block (a too-small arena is
    /// `InvalidArgument` for every allocator).
    pub fn new(arena: &'a mut [MaybeUninit<u8>], block_size: usize) -> Result<Self, MemoryError> {
        Self::with_alignment(arena, block_size, 0)
    }

    /// As [`new`](Self::new), with blocks aligned to `block_align` (0 = 8, or
    /// a power of two; `AlignmentError` otherwise).
    pub fn with_alignment(
        arena: &'a mut [MaybeUninit<u8>],
        block_size: usize,
        block_align: usize,
    ) -> Result<Self, MemoryError> {
        let arena = align_slice(arena, sys::RTM_POOL_MEM_ALIGN as usize);
        // SAFETY: the exclusive borrow covers the memory for 'a.
        unsafe { Self::from_raw_parts(arena.as_mut_ptr().cast(), arena.len(), block_size, block_align) }
    }

    /// The seed's constructor, over raw memory.
    ///
    /// Errors: as [`with_alignment`](Self::with_alignment), and
    /// `AlignmentError` when `pool_start` is not aligned to
    /// `RTM_POOL_MEM_ALIGN`.
    ///
    /// # Safety
    /// `[pool_start, pool_start + pool_size)` is valid for reads and writes
    /// for `'a` and used by nothing else during `'a`.
    pub unsafe fn from_raw_parts(
        pool_start: *mut u8,
        pool_size: usize,
        block_size: usize,
        block_align: usize,
    ) -> Result<Self, MemoryError> {
        let mut raw = ptr::null_mut();
        // SAFETY: the memory is ours for 'a (caller); the library checks the rest.
        MemoryError::check(unsafe { sys::rtm_pool_init(pool_start.cast(), pool_size, block_size, block_align, &mut raw) })?;
        NonNull::new(raw).map(|raw| Self { raw, _arena: PhantomData }).ok_or(MemoryError::InvalidArgument)
    }

    /// Take one block (its contents are undefined).
    ///
    /// Errors: `OutOfMemory` when every block is in use; `CorruptedMetadata`
    /// when the free list was damaged (a freed block written to).
    pub fn allocate(&mut self) -> Result<*mut u8, MemoryError> {
        let mut out = ptr::null_mut();
        // SAFETY: the pool is valid and exclusively ours.
        MemoryError::check(unsafe { sys::rtm_pool_alloc(self.raw.as_ptr(), &mut out) })?;
        Ok(out.cast())
    }

    /// Give a block back. Safe: the pool knows which of its blocks are in use
    /// from a bitmap outside the blocks, so any wrong pointer is refused.
    ///
    /// Errors: `InvalidPointer` for NULL, foreign or interior pointers;
    /// `DoubleFree` for a block that is not in use. Nothing changes on error.
    pub fn deallocate(&mut self, ptr: *mut u8) -> Result<(), MemoryError> {
        // SAFETY: the pool is valid; it validates the pointer.
        MemoryError::check(unsafe { sys::rtm_pool_free(self.raw.as_ptr(), ptr.cast()) })
    }

    /// What [`deallocate`](Self::deallocate) would answer for `ptr`, without
    /// changing anything: `Ok(())` for a block in use.
    pub fn validate(&self, ptr: *const u8) -> Result<(), MemoryError> {
        // SAFETY: the pool is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_pool_validate(self.raw.as_ptr(), ptr.cast()) })
    }

    /// Whether `ptr` points anywhere into the pool's block area.
    pub fn contains(&self, ptr: *const u8) -> bool {
        // SAFETY: the pool is valid; read-only.
        unsafe { sys::rtm_pool_contains(self.raw.as_ptr(), ptr.cast()) }
    }

    /// Usable bytes of every block.
    pub fn block_size(&self) -> usize {
        // SAFETY: the pool is valid.
        unsafe { sys::rtm_pool_block_size(self.raw.as_ptr()) }
    }

    /// Alignment of every block.
    pub fn block_align(&self) -> usize {
        // SAFETY: the pool is valid.
        unsafe { sys::rtm_pool_block_align(self.raw.as_ptr()) }
    }

    /// The pool's statistics.
    pub fn get_stats(&self) -> PoolStats {
        let mut raw = sys::rtm_pool_stats_t::default();
        // SAFETY: the pool is valid.
        unsafe { sys::rtm_pool_get_stats(self.raw.as_ptr(), &mut raw) };
        raw.into()
    }

    /// Blocks in use as a percentage (0.0 ..= 100.0), as the seed reports it;
    /// computed from the library's integer per-mille figure.
    pub fn get_utilization(&self) -> f32 {
        self.utilization_permille() as f32 / 10.0
    }

    /// Blocks in use per thousand, rounded down.
    pub fn utilization_permille(&self) -> u32 {
        // SAFETY: the pool is valid.
        unsafe { sys::rtm_pool_utilization_permille(self.raw.as_ptr()) }
    }

    /// The generic allocator statistics of the pool.
    pub fn allocator_stats(&self) -> AllocatorStats {
        let mut raw = sys::rtm_alloc_stats_t::default();
        // SAFETY: the pool is valid.
        unsafe { sys::rtm_pool_stats(self.raw.as_ptr(), &mut raw) };
        raw.into()
    }

    /// Read-only integrity walk (`CorruptedMetadata` when it fails).
    pub fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: the pool is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_pool_check(self.raw.as_ptr()) })
    }

    /// The pool behind the C allocator interface: sizes up to
    /// [`block_size`](Self::block_size) and alignments up to
    /// [`block_align`](Self::block_align).
    pub fn allocator(&mut self) -> AllocatorRef<'_> {
        // SAFETY: the static table of the pool and the pool as context,
        // borrowed for the result's life.
        unsafe { AllocatorRef::from_raw(sys::rtm_pool_allocator(self.raw.as_ptr())) }
    }

    /// The C handle.
    pub fn as_ptr(&self) -> *mut sys::rtm_pool_t {
        self.raw.as_ptr()
    }
}

/// The manager's own counters (the seed's `MultiPoolStats`, plus `spills`,
/// `fallback_deallocations` and `failures`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MultiPoolStats {
    /// Classes (pools) added.
    pub total_pools: usize,
    /// Allocation requests with valid arguments.
    pub total_allocations: u32,
    /// Successful deallocations, pools and fallback.
    pub total_deallocations: u32,
    /// Requests the fallback allocator served.
    pub fallback_allocations: u32,
    /// Requests a class served.
    pub pool_hits: u32,
    /// Requests no class served.
    pub pool_misses: u32,
    /// Hits served by a larger class because a smaller one was exhausted.
    pub spills: u32,
    /// Deallocations routed to the fallback.
    pub fallback_deallocations: u32,
    /// Requests refused with `OutOfMemory`.
    pub failures: u32,
}

/// One size class of a [`MultiSizePoolManager`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolClass {
    /// Usable bytes of the class's blocks.
    pub block_size: usize,
    /// Alignment of its blocks.
    pub block_align: usize,
    /// Blocks in its pool.
    pub total_blocks: usize,
    /// Blocks free.
    pub free_blocks: usize,
    /// Blocks in use per thousand.
    pub utilization_permille: u32,
}

/// Size classes of fixed-size pools with an optional fallback allocator (the
/// seed's `MultiSizePoolManager`). Frees are routed by address, not by size.
#[derive(Debug)]
pub struct MultiSizePoolManager<'a> {
    raw: NonNull<sys::rtm_mpool_t>,
    _parts: PhantomData<&'a mut [MaybeUninit<u8>]>,
}

impl<'a> MultiSizePoolManager<'a> {
    /// Bytes of storage a manager of up to `max_classes` classes needs
    /// (0 when `max_classes` is 0); add `RTM_MPOOL_MEM_ALIGN` if the storage
    /// may be misaligned.
    pub fn storage_size(max_classes: u32) -> usize {
        // SAFETY: a pure function.
        unsafe { sys::rtm_mpool_storage_size(max_classes) }
    }

    /// A manager without classes or fallback, in `storage` (its start aligned
    /// up to `RTM_MPOOL_MEM_ALIGN` first); its class capacity is what fits.
    ///
    /// Errors: `InvalidArgument` when `storage` holds no class (too small).
    pub fn new(storage: &'a mut [MaybeUninit<u8>]) -> Result<Self, MemoryError> {
        let storage = align_slice(storage, sys::RTM_MPOOL_MEM_ALIGN as usize);
        let mut raw = ptr::null_mut();
        // SAFETY: the storage is borrowed exclusively for 'a.
        MemoryError::check(unsafe { sys::rtm_mpool_init(storage.as_mut_ptr().cast(), storage.len(), &mut raw) })?;
        NonNull::new(raw).map(|raw| Self { raw, _parts: PhantomData }).ok_or(MemoryError::InvalidArgument)
    }

    /// Add a pool as a size class (classes stay sorted by block size). The
    /// manager takes the pool over. The seed also passed the block size; the
    /// pool knows it.
    ///
    /// Errors: `AddressOverlap` when the pool overlaps a class or the manager's
    /// storage; `OutOfMemory` when the class table is full;
    /// `CorruptedMetadata` when the pool fails its check.
    pub fn add_pool(&mut self, pool: FixedSizePool<'a>) -> Result<(), MemoryError> {
        // SAFETY: both objects are valid; the pool's memory stays borrowed for 'a
        // and nobody else holds the pool any more.
        MemoryError::check(unsafe { sys::rtm_mpool_add_pool(self.raw.as_ptr(), pool.as_ptr()) })
    }

    /// Send the requests no class can serve to `fallback` (e.g. a heap's
    /// [`allocator`](crate::Heap::allocator)). Blocks of an earlier fallback
    /// must have been freed.
    ///
    /// Errors: `InvalidArgument` for an incomplete allocator or the manager
    /// itself.
    pub fn set_fallback_allocator(&mut self, fallback: AllocatorRef<'a>) -> Result<(), MemoryError> {
        // SAFETY: the manager copies the value; the object lives for 'a.
        MemoryError::check(unsafe { sys::rtm_mpool_set_fallback(self.raw.as_ptr(), fallback.as_ptr()) })
    }

    /// Remove the fallback allocator.
    pub fn clear_fallback_allocator(&mut self) -> Result<(), MemoryError> {
        // SAFETY: NULL clears.
        MemoryError::check(unsafe { sys::rtm_mpool_set_fallback(self.raw.as_ptr(), ptr::null()) })
    }

    /// Allocate `size` bytes from the smallest class that fits (spilling to
    /// larger classes, then the fallback).
    ///
    /// Errors: `InvalidArgument` for size 0; `OutOfMemory` when no class and
    /// no fallback can serve it; the fallback's errors.
    pub fn allocate(&mut self, size: usize) -> Result<*mut u8, MemoryError> {
        self.allocate_aligned(size, 0)
    }

    /// As [`allocate`](Self::allocate), aligned to `align` (0 = the class's).
    pub fn allocate_aligned(&mut self, size: usize, align: usize) -> Result<*mut u8, MemoryError> {
        let mut out = ptr::null_mut();
        // SAFETY: the manager is valid and exclusively ours.
        MemoryError::check(unsafe { sys::rtm_mpool_alloc(self.raw.as_ptr(), size, align, &mut out) })?;
        Ok(out.cast())
    }

    /// Free a block: the class whose pool holds the address gets it, whatever
    /// `size` says (`size` only goes to the fallback).
    ///
    /// Errors: `InvalidPointer` for NULL, interior pointers, or pointers in no
    /// class without a fallback; `DoubleFree`; the fallback's errors.
    ///
    /// # Safety
    /// `ptr` is a live block of this manager. Pointers into a class's pool are
    /// checked exactly (its bitmap); anything else goes to the fallback, whose
    /// check may be a header (see [`MemoryAllocator::deallocate`](crate::MemoryAllocator::deallocate)).
    pub unsafe fn deallocate(&mut self, ptr: *mut u8, size: usize) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid; ptr is a live block (caller).
        MemoryError::check(unsafe { sys::rtm_mpool_free(self.raw.as_ptr(), ptr.cast(), size) })
    }

    /// The manager's own counters.
    pub fn get_stats(&self) -> MultiPoolStats {
        let mut s = sys::rtm_mpool_stats_t::default();
        // SAFETY: the manager is valid.
        unsafe { sys::rtm_mpool_get_stats(self.raw.as_ptr(), &mut s) };
        MultiPoolStats {
            total_pools: s.total_pools as usize,
            total_allocations: s.total_allocations,
            total_deallocations: s.total_deallocations,
            fallback_allocations: s.fallback_allocations,
            pool_hits: s.pool_hits,
            pool_misses: s.pool_misses,
            spills: s.spills,
            fallback_deallocations: s.fallback_deallocations,
            failures: s.failures,
        }
    }

    /// The size classes, smallest first.
    pub fn classes(&self) -> impl Iterator<Item = PoolClass> + '_ {
        // SAFETY: the manager is valid.
        let n = unsafe { sys::rtm_mpool_class_count(self.raw.as_ptr()) };
        (0..n).filter_map(move |i| {
            let mut c = sys::rtm_mpool_class_info_t::default();
            // SAFETY: the manager is valid; i is below the class count.
            MemoryError::check(unsafe { sys::rtm_mpool_class_info(self.raw.as_ptr(), i, &mut c) }).ok()?;
            Some(PoolClass {
                block_size: c.block_size,
                block_align: c.block_align,
                total_blocks: c.total_blocks,
                free_blocks: c.free_blocks,
                utilization_permille: c.utilization_permille,
            })
        })
    }

    /// `(block size, percent of blocks in use)` per class, as the seed's
    /// `get_pool_utilization` (an iterator instead of a bounded vector).
    pub fn get_pool_utilization(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.classes().map(|c| (c.block_size, c.utilization_permille as f32 / 10.0))
    }

    /// The generic statistics: the classes' and the fallback's, summed.
    pub fn allocator_stats(&self) -> AllocatorStats {
        let mut raw = sys::rtm_alloc_stats_t::default();
        // SAFETY: the manager is valid.
        unsafe { sys::rtm_mpool_stats(self.raw.as_ptr(), &mut raw) };
        raw.into()
    }

    /// Check the class table, every pool and the fallback.
    pub fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_mpool_check(self.raw.as_ptr()) })
    }

    /// The manager behind the C allocator interface.
    pub fn allocator(&mut self) -> AllocatorRef<'_> {
        // SAFETY: the manager's static table and the manager as context.
        unsafe { AllocatorRef::from_raw(sys::rtm_mpool_allocator(self.raw.as_ptr())) }
    }
}
