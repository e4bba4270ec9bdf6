// SPDX-License-Identifier: MIT OR Apache-2.0
//! The [`MemoryAllocator`] trait (the seed's), and [`AllocatorRef`]: any
//! allocator behind the C interface `rtm_allocator_t`, in both directions.

use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::size_of;
use core::ptr;

use crate::{sys, AllocatorStats, MemoryError};

/// The design's allocator interface, with the seed's method names and types.
///
/// Every rtmem allocator implements it, and so does [`AllocatorRef`], the view
/// of any `rtm_allocator_t` (an rtmem allocator, a decorator, or an allocator
/// written in C by the application).
///
/// Pointers are raw, as in the seed. Giving a pointer back
/// ([`deallocate`](Self::deallocate), [`reallocate`](Self::reallocate)) is
/// `unsafe`, as for `GlobalAlloc` and `Allocator`: the C allocators check every
/// pointer (foreign, interior and already freed ones are refused with a
/// [`MemoryError`] and the allocator is left as it was), but the heaps' check
/// is a header next to the block, and data a program wrote into a live block
/// of its own can look like one. Such a forged header can make the heap accept
/// a pointer into the middle of a live block and later hand that memory out a
/// second time. The checks are defence in depth, not a proof; see the crate's
/// `docs/rust.md`. The pool's bitmap is exact, so
/// [`FixedSizePool::deallocate`](crate::FixedSizePool::deallocate) stays safe.
pub trait MemoryAllocator {
    /// Allocate `size` bytes aligned to `alignment` (0 or any power of two;
    /// 0 means the allocator's minimum, 8 bytes for the rtmem heaps).
    ///
    /// Errors: `InvalidArgument` for size 0 or a size that overflows,
    /// `AlignmentError` for an alignment that is not a power of two,
    /// `OutOfMemory` when no block is large enough.
    fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError>;

    /// Give back a block. `size` is the size it was allocated (or last
    /// reallocated) with, or 0 when unknown; allocators that record sizes
    /// ignore it.
    ///
    /// Errors: `InvalidPointer` for NULL, foreign or interior pointers,
    /// `DoubleFree`, `CorruptedMetadata` when the block's header fails its check.
    ///
    /// # Safety
    /// `ptr` is a block this allocator returned (from `allocate` or
    /// `reallocate`) and has not freed since; nothing uses the block after
    /// the call returns `Ok`. A pointer that breaks this is usually refused
    /// with an error and changes nothing, but may be taken for a block when
    /// the memory before it looks like a valid header.
    unsafe fn deallocate(&mut self, ptr: *mut u8, size: usize) -> Result<(), MemoryError>;

    /// Resize a block, moving it when needed and keeping the first
    /// `min(old_size, new_size)` bytes. A NULL `ptr` allocates; `new_size` 0
    /// frees and returns a NULL pointer. On error the old block is untouched and
    /// still owned by the caller.
    ///
    /// # Safety
    /// `ptr` is NULL or a live block of this allocator, as for
    /// [`deallocate`](Self::deallocate); after `Ok` only the returned pointer
    /// is used.
    unsafe fn reallocate(
        &mut self,
        ptr: *mut u8,
        old_size: usize,
        new_size: usize,
        alignment: usize,
    ) -> Result<*mut u8, MemoryError>;

    /// The allocator's statistics.
    fn get_stats(&self) -> AllocatorStats;

    /// Read-only integrity walk of the whole allocator (beyond the seed).
    /// Allocators without one return `Ok(())`.
    fn check(&self) -> Result<(), MemoryError> {
        Ok(())
    }
}

impl<A: MemoryAllocator + ?Sized> MemoryAllocator for &mut A {
    fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
        (**self).allocate(size, alignment)
    }
    unsafe fn deallocate(&mut self, ptr: *mut u8, size: usize) -> Result<(), MemoryError> {
        // SAFETY: forwarded contract.
        unsafe { (**self).deallocate(ptr, size) }
    }
    unsafe fn reallocate(
        &mut self,
        ptr: *mut u8,
        old_size: usize,
        new_size: usize,
        alignment: usize,
    ) -> Result<*mut u8, MemoryError> {
        // SAFETY: forwarded contract.
        unsafe { (**self).reallocate(ptr, old_size, new_size, alignment) }
    }
    fn get_stats(&self) -> AllocatorStats {
        (**self).get_stats()
    }
    fn check(&self) -> Result<(), MemoryError> {
        (**self).check()
    }
}

/// An allocator behind the C interface: an `rtm_allocator_t` (ops table plus
/// context) borrowed for `'a`.
///
/// Obtain one from an rtmem allocator (`Heap::allocator()`, ...), from a Rust
/// [`MemoryAllocator`] with [`AllocatorRef::from_rust`] (to hand it to C code,
/// e.g. as a pool manager's fallback), or from C with
/// [`AllocatorRef::from_raw`]. Calls go through the library's
/// `rtm_allocator_*` wrappers, which check the table and supply the defaults of
/// optional slots. Copies share the one object; it is not `Send`: the objects
/// are unsynchronised (wrap them in the lock decorator to share them).
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub struct AllocatorRef<'a> {
    raw: sys::rtm_allocator_t,
    _object: PhantomData<&'a mut c_void>,
}

impl<'a> AllocatorRef<'a> {
    /// Wrap an `rtm_allocator_t` obtained from C.
    ///
    /// # Safety
    /// `raw.ops` is NULL or points to an ops table that stays valid for `'a`,
    /// whose slots, called with `raw.ctx`, keep the contract of
    /// `rtmem/allocator.h`; the object behind `raw.ctx` stays valid for `'a`
    /// and is not used during `'a` other than through this value and its
    /// copies, from one thread at a time.
    pub const unsafe fn from_raw(raw: sys::rtm_allocator_t) -> Self {
        Self { raw, _object: PhantomData }
    }

    /// Expose a Rust allocator through the C interface, for `'a`.
    ///
    /// The ops table is a static generated for `A`; a panic inside `A`'s
    /// methods aborts (it cannot unwind through C).
    pub fn from_rust<A: MemoryAllocator>(allocator: &'a mut A) -> Self {
        let raw = sys::rtm_allocator_t {
            ops: &RustOps::<A>::TABLE,
            ctx: ptr::from_mut(allocator).cast(),
        };
        // SAFETY: the table is a static whose slots implement the contract by
        // forwarding to A, and ctx is the exclusive borrow held for 'a.
        unsafe { Self::from_raw(raw) }
    }

    /// The C value, e.g. to pass to C code. It refers to the borrowed object:
    /// C must not use it after `'a`.
    pub const fn as_raw(&self) -> sys::rtm_allocator_t {
        self.raw
    }

    /// A pointer to the C value, valid while `self` is.
    pub const fn as_ptr(&self) -> *const sys::rtm_allocator_t {
        &self.raw
    }
}

impl MemoryAllocator for AllocatorRef<'_> {
    fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
        let mut out = ptr::null_mut();
        // SAFETY: the table and object are valid for 'a (from_raw's contract).
        MemoryError::check(unsafe { sys::rtm_allocator_allocate(&self.raw, size, alignment, &mut out) })?;
        Ok(out.cast())
    }

    unsafe fn deallocate(&mut self, ptr: *mut u8, size: usize) -> Result<(), MemoryError> {
        // SAFETY: as above; ptr is a live block of this allocator (caller).
        MemoryError::check(unsafe { sys::rtm_allocator_deallocate(&self.raw, ptr.cast(), size) })
    }

    unsafe fn reallocate(
        &mut self,
        ptr: *mut u8,
        old_size: usize,
        new_size: usize,
        alignment: usize,
    ) -> Result<*mut u8, MemoryError> {
        let mut out = ptr::null_mut();
        // SAFETY: as above; ptr is NULL or a live block (caller).
        let status = unsafe {
            sys::rtm_allocator_reallocate(&self.raw, ptr.cast(), old_size, new_size, alignment, &mut out)
        };
        MemoryError::check(status)?;
        Ok(out.cast())
    }

    fn get_stats(&self) -> AllocatorStats {
        let mut raw = sys::rtm_alloc_stats_t::default();
        // SAFETY: as above; the wrapper zeroes `raw` first.
        unsafe { sys::rtm_allocator_stats(&self.raw, &mut raw) };
        raw.into()
    }

    fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: as above.
        MemoryError::check(unsafe { sys::rtm_allocator_check(&self.raw) })
    }
}

/// The C ops table of a Rust allocator type.
struct RustOps<A>(PhantomData<A>);

impl<A: MemoryAllocator> RustOps<A> {
    const TABLE: sys::rtm_allocator_ops_t = sys::rtm_allocator_ops_t {
        size: size_of::<sys::rtm_allocator_ops_t>() as u32,
        reserved: 0,
        allocate: Some(Self::allocate),
        deallocate: Some(Self::deallocate),
        reallocate: Some(Self::reallocate),
        stats: Some(Self::stats),
        check: Some(Self::check),
    };

    /// Store a result in `*out` (when not NULL) and turn it into a status.
    ///
    /// # Safety
    /// `out` is NULL or valid for a write.
    unsafe fn finish(result: Result<*mut u8, MemoryError>, out: *mut *mut c_void) -> sys::rtm_status_t {
        let (block, status) = match result {
            Ok(p) => (p, 0),
            Err(e) => (ptr::null_mut(), e.status()),
        };
        if !out.is_null() {
            // SAFETY: out is valid for a write (caller).
            unsafe { *out = block.cast() };
        }
        status
    }

    /// # Safety
    /// `ctx` is the `&mut A` given to `from_rust`, still borrowed; `out` is
    /// NULL or valid for a write.
    unsafe extern "C" fn allocate(ctx: *mut c_void, size: usize, align: usize, out: *mut *mut c_void) -> i32 {
        // SAFETY: ctx is the exclusively borrowed A (caller).
        let a = unsafe { &mut *ctx.cast::<A>() };
        // SAFETY: out is NULL or writable (caller).
        unsafe { Self::finish(a.allocate(size, align), out) }
    }

    /// # Safety
    /// As [`Self::allocate`].
    unsafe extern "C" fn deallocate(ctx: *mut c_void, block: *mut c_void, size: usize) -> i32 {
        // SAFETY: ctx is the exclusively borrowed A (caller).
        let a = unsafe { &mut *ctx.cast::<A>() };
        // SAFETY: the C caller keeps rtm_allocator_t's contract: block is a
        // live block of this allocator.
        match unsafe { a.deallocate(block.cast(), size) } {
            Ok(()) => 0,
            Err(e) => e.status(),
        }
    }

    /// # Safety
    /// As [`Self::allocate`].
    unsafe extern "C" fn reallocate(
        ctx: *mut c_void,
        block: *mut c_void,
        old_size: usize,
        new_size: usize,
        align: usize,
        out: *mut *mut c_void,
    ) -> i32 {
        // SAFETY: ctx is the exclusively borrowed A (caller).
        let a = unsafe { &mut *ctx.cast::<A>() };
        // SAFETY: out is NULL or writable; block is NULL or a live block of
        // this allocator (the C caller keeps rtm_allocator_t's contract).
        unsafe { Self::finish(a.reallocate(block.cast(), old_size, new_size, align), out) }
    }

    /// # Safety
    /// `ctx` as [`Self::allocate`]; `out` is NULL or valid for a write.
    unsafe extern "C" fn stats(ctx: *const c_void, out: *mut sys::rtm_alloc_stats_t) {
        if !out.is_null() {
            // SAFETY: ctx is the borrowed A, out writable (caller).
            unsafe { *out = (*ctx.cast::<A>()).get_stats().into() };
        }
    }

    /// # Safety
    /// `ctx` as [`Self::allocate`].
    unsafe extern "C" fn check(ctx: *const c_void) -> i32 {
        // SAFETY: ctx is the borrowed A (caller).
        match unsafe { &*ctx.cast::<A>() }.check() {
            Ok(()) => 0,
            Err(e) => e.status(),
        }
    }
}
