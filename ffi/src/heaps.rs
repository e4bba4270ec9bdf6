// SPDX-License-Identifier: MIT OR Apache-2.0
//! The general-purpose allocators over one arena: [`Heap`] (the O(1) heap, the
//! recommended default), [`FreeListHeap`] (the seed's `LinkedListAllocator`)
//! and [`BumpArena`] (the seed's `SimpleHeapAllocator`).
//!
//! All three are initialised in place over memory borrowed for `'a` (the
//! control block lives at its start), are unsynchronised (`&mut self`), and
//! implement [`MemoryAllocator`] with the C library's checks: foreign,
//! interior and already-freed pointers come back as [`MemoryError`]s.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::{sys, AllocatorRef, AllocatorStats, MemoryAllocator, MemoryError};

/// A wrapper type over one C allocator whose functions are named
/// `rtm_<module>_{init,alloc,free,realloc,stats,check,allocator}`.
macro_rules! arena_allocator {
    (
        $(#[$doc:meta])*
        $name:ident, $raw:ty,
        init: $init:path, alloc: $alloc:path, free: $free:path, realloc: $realloc:path,
        stats: $stats:path, check: $check:path, allocator: $allocator:path
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name<'a> {
            raw: NonNull<$raw>,
            _arena: PhantomData<&'a mut [MaybeUninit<u8>]>,
        }

        impl<'a> $name<'a> {
            /// Initialise over `arena`, borrowed for as long as the allocator lives.
            ///
            /// Errors: what the C initialiser reports, e.g. `InvalidArgument` or
            /// `OutOfMemory` for an arena too small for the control block and one
            /// block.
            pub fn new(arena: &'a mut [MaybeUninit<u8>]) -> Result<Self, MemoryError> {
                // SAFETY: the exclusive borrow covers the arena for 'a.
                unsafe { Self::from_raw_parts(arena.as_mut_ptr().cast(), arena.len()) }
            }

            /// Initialise over `size` bytes at `start` (e.g. a linker-provided
            /// region), as the seed's constructors take memory.
            ///
            /// # Safety
            /// `[start, start + size)` is valid for reads and writes for `'a` and
            /// used by nothing else during `'a`.
            pub unsafe fn from_raw_parts(start: *mut u8, size: usize) -> Result<Self, MemoryError> {
                let mut raw = ptr::null_mut();
                // SAFETY: the memory is ours for 'a (caller); the library checks the rest.
                MemoryError::check(unsafe { $init(start.cast(), size, &mut raw) })?;
                NonNull::new(raw).map(|raw| Self { raw, _arena: PhantomData }).ok_or(MemoryError::InvalidArgument)
            }

            /// The allocator behind the C interface (e.g. as a pool manager's
            /// fallback, or to hand to C code), borrowed from `self`.
            pub fn allocator(&mut self) -> AllocatorRef<'_> {
                // SAFETY: the C function returns the allocator's static table and
                // the object itself as context, borrowed for the result's life.
                unsafe { AllocatorRef::from_raw($allocator(self.raw.as_ptr())) }
            }

            /// The C handle, for C code that shares the allocator while `self`
            /// lives (serialised with every other use).
            pub fn as_ptr(&self) -> *mut $raw {
                self.raw.as_ptr()
            }
        }

        impl MemoryAllocator for $name<'_> {
            fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
                let mut out = ptr::null_mut();
                // SAFETY: the object is valid and exclusively ours.
                MemoryError::check(unsafe { $alloc(self.raw.as_ptr(), size, alignment, &mut out) })?;
                Ok(out.cast())
            }

            /// `size` is not needed: the allocator records each block's size.
            unsafe fn deallocate(&mut self, ptr: *mut u8, _size: usize) -> Result<(), MemoryError> {
                // SAFETY: as above; ptr is a live block (caller), which the
                // allocator checks again.
                MemoryError::check(unsafe { $free(self.raw.as_ptr(), ptr.cast()) })
            }

            unsafe fn reallocate(
                &mut self,
                ptr: *mut u8,
                _old_size: usize,
                new_size: usize,
                alignment: usize,
            ) -> Result<*mut u8, MemoryError> {
                let mut out = ptr::null_mut();
                // SAFETY: as above; ptr is NULL or a live block (caller).
                MemoryError::check(unsafe { $realloc(self.raw.as_ptr(), ptr.cast(), new_size, alignment, &mut out) })?;
                Ok(out.cast())
            }

            fn get_stats(&self) -> AllocatorStats {
                let mut raw = sys::rtm_alloc_stats_t::default();
                // SAFETY: the object is valid.
                unsafe { $stats(self.raw.as_ptr(), &mut raw) };
                raw.into()
            }

            fn check(&self) -> Result<(), MemoryError> {
                // SAFETY: the object is valid; the check only reads.
                MemoryError::check(unsafe { $check(self.raw.as_ptr()) })
            }
        }
    };
}

arena_allocator! {
    /// The O(1) real-time heap (`rtm_heap_t`): bounded worst-case time for every
    /// operation, any power-of-two alignment, checked frees. The recommended
    /// default; [`crate::RtmHeap`] makes it a `#[global_allocator]`.
    Heap, sys::rtm_heap_t,
    init: sys::rtm_heap_init, alloc: sys::rtm_heap_alloc, free: sys::rtm_heap_free,
    realloc: sys::rtm_heap_realloc, stats: sys::rtm_heap_stats, check: sys::rtm_heap_check,
    allocator: sys::rtm_heap_allocator
}

impl<'a> Heap<'a> {
    /// Give the heap another region of memory (e.g. a second RAM bank).
    ///
    /// Errors: what `rtm_heap_add_region` reports, e.g. `AddressOverlap` for a
    /// region overlapping one the heap has.
    pub fn add_region(&mut self, region: &'a mut [MaybeUninit<u8>]) -> Result<(), MemoryError> {
        // SAFETY: the heap is valid; the region is borrowed exclusively for 'a.
        MemoryError::check(unsafe {
            sys::rtm_heap_add_region(self.raw.as_ptr(), region.as_mut_ptr().cast(), region.len())
        })
    }

    /// The usable size of a live block (at least what was asked for), or `None`
    /// when `block` is not a live block of this heap.
    pub fn usable_size(&self, block: *const u8) -> Option<usize> {
        // SAFETY: the heap is valid; the library validates the pointer.
        let n = unsafe { sys::rtm_heap_usable_size(self.raw.as_ptr(), block.cast()) };
        (n != 0).then_some(n)
    }
}

arena_allocator! {
    /// The free-list heap (`rtm_freelist_t`, the seed's `LinkedListAllocator`):
    /// address-ordered first fit that splits blocks and coalesces both
    /// neighbours, any power-of-two alignment, realloc in place when it can.
    FreeListHeap, sys::rtm_freelist_t,
    init: sys::rtm_freelist_init, alloc: sys::rtm_freelist_alloc, free: sys::rtm_freelist_free,
    realloc: sys::rtm_freelist_realloc, stats: sys::rtm_freelist_stats, check: sys::rtm_freelist_check,
    allocator: sys::rtm_freelist_allocator
}

/// The seed's name for the free-list heap.
pub type LinkedListAllocator<'a> = FreeListHeap<'a>;

impl FreeListHeap<'_> {
    /// The usable size of a live block, or `None` when `block` is not a live
    /// block of this heap.
    pub fn usable_size(&self, block: *const u8) -> Option<usize> {
        // SAFETY: the heap is valid; the library validates the pointer.
        let n = unsafe { sys::rtm_freelist_usable_size(self.raw.as_ptr(), block.cast()) };
        (n != 0).then_some(n)
    }
}

arena_allocator! {
    /// The bump arena (`rtm_bump_t`, the seed's `SimpleHeapAllocator`): O(1)
    /// stack-ordered allocation; freeing the newest block gives its bytes back
    /// (older blocks come back once every block above them is freed); marks,
    /// rollback and reset free many blocks at once.
    BumpArena, sys::rtm_bump_t,
    init: sys::rtm_bump_init, alloc: sys::rtm_bump_alloc, free: sys::rtm_bump_free,
    realloc: sys::rtm_bump_realloc, stats: sys::rtm_bump_stats, check: sys::rtm_bump_check,
    allocator: sys::rtm_bump_allocator
}

/// The seed's name for the bump arena.
pub type SimpleHeapAllocator<'a> = BumpArena<'a>;

/// A position in a [`BumpArena`], to roll back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BumpMark(sys::rtm_bump_mark_t);

impl BumpArena<'_> {
    /// Free every block at once; every pointer and mark handed out before
    /// becomes invalid (the arena refuses them).
    pub fn reset(&mut self) {
        // SAFETY: the arena is valid.
        unsafe { sys::rtm_bump_reset(self.raw.as_ptr()) }
    }

    /// The current position, for [`rollback`](Self::rollback).
    pub fn mark(&self) -> BumpMark {
        // SAFETY: the arena is valid; read-only.
        BumpMark(unsafe { sys::rtm_bump_mark(self.raw.as_ptr()) })
    }

    /// Free every block allocated since `mark` was taken.
    ///
    /// Errors: `InvalidArgument` for a mark from before a reset, above the
    /// current top, or inside a block; `CorruptedMetadata`. Nothing changes on
    /// error.
    pub fn rollback(&mut self, mark: BumpMark) -> Result<(), MemoryError> {
        // SAFETY: the arena is valid; the library validates the mark.
        MemoryError::check(unsafe { sys::rtm_bump_rollback(self.raw.as_ptr(), mark.0) })
    }
}
