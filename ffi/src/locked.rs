// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`LockedAllocator`]: the lock decorator (`rtm_lock_*`) over any allocator,
//! with a [`CriticalSection`] as its lock, shareable between contexts.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr;

use crate::lock::CriticalSection;
use crate::{sys, AllocatorRef, AllocatorStats, MemoryAllocator, MemoryError};

/// Storage of a [`LockedAllocator`]: the C decorator, the lock, and the state
/// its `enter` returned (kept for the matching `exit`).
pub struct LockedAllocatorStorage<L: CriticalSection> {
    raw: sys::rtm_lock_t,
    lock: L,
    state: UnsafeCell<MaybeUninit<L::State>>,
}

impl<L: CriticalSection> LockedAllocatorStorage<L> {
    /// Storage with `lock` (usable in a `static`).
    pub const fn new(lock: L) -> Self {
        Self {
            raw: sys::rtm_lock_t { opaque: [ptr::null_mut(); 8] },
            lock,
            state: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }
}

/// `lock(user)` of the C decorator: `user` is the storage.
unsafe extern "C" fn enter<L: CriticalSection>(user: *mut c_void) {
    // SAFETY: user is the storage, alive while the decorator is used.
    let s = unsafe { &*user.cast::<LockedAllocatorStorage<L>>() };
    let state = s.lock.enter();
    // SAFETY: inside the critical section nobody else touches the cell.
    unsafe { (*s.state.get()).write(state) };
}

/// `unlock(user)` of the C decorator.
unsafe extern "C" fn exit<L: CriticalSection>(user: *mut c_void) {
    // SAFETY: as above.
    let s = unsafe { &*user.cast::<LockedAllocatorStorage<L>>() };
    // SAFETY: written by the matching enter, still inside the section.
    let state = unsafe { (*s.state.get()).assume_init_read() };
    // SAFETY: the state of the matching enter, exited once.
    unsafe { s.lock.exit(state) };
}

/// The lock decorator: every call of the inner allocator (allocate, free,
/// reallocate, statistics, check) runs inside the critical section `L`, so the
/// decorator can be shared (`&self`, `Sync` when `L` is) between threads,
/// cores or interrupt handlers as far as `L` excludes them.
pub struct LockedAllocator<'a, L: CriticalSection> {
    raw: sys::rtm_allocator_t,
    _storage: PhantomData<&'a LockedAllocatorStorage<L>>,
}

// SAFETY: every access to the inner allocator happens inside L's critical
// section (the C decorator brackets each call), and the inner allocator is
// used by nothing else during 'a (the constructors' contracts).
unsafe impl<L: CriticalSection + Sync> Sync for LockedAllocator<'_, L> {}
// SAFETY: as above; the value holds only pointers to 'a storage.
unsafe impl<L: CriticalSection + Sync> Send for LockedAllocator<'_, L> {}

impl<'a, L: CriticalSection> LockedAllocator<'a, L> {
    /// A decorator over `inner`.
    ///
    /// Errors: `InvalidArgument` for an inner allocator without the required
    /// slots.
    ///
    /// # Safety
    /// During `'a`, `inner`'s object is used only through this decorator
    /// (no copy of `inner` is used elsewhere), and if the decorator is shared
    /// with other threads or cores, the inner object may be used from them.
    pub unsafe fn new(storage: &'a mut LockedAllocatorStorage<L>, inner: AllocatorRef<'a>) -> Result<Self, MemoryError> {
        let raw_inner = inner.as_raw();
        let user = ptr::from_mut(storage).cast::<c_void>();
        // SAFETY: the storage is borrowed for 'a and outlives every use; the
        // callbacks match its lock type.
        MemoryError::check(unsafe {
            sys::rtm_lock_init(&mut (*user.cast::<LockedAllocatorStorage<L>>()).raw, &raw_inner, Some(enter::<L>), Some(exit::<L>), user)
        })?;
        // SAFETY: initialised above.
        let raw = unsafe { sys::rtm_lock_allocator(&mut (*user.cast::<LockedAllocatorStorage<L>>()).raw) };
        Ok(Self { raw, _storage: PhantomData })
    }

    /// A decorator over a Rust allocator, borrowed exclusively for `'a`.
    pub fn from_rust<A: MemoryAllocator + Send>(
        storage: &'a mut LockedAllocatorStorage<L>,
        inner: &'a mut A,
    ) -> Result<Self, MemoryError> {
        // SAFETY: the exclusive borrow keeps every other use of `inner` out
        // for 'a, and A may be used from other threads (Send).
        unsafe { Self::new(storage, AllocatorRef::from_rust(inner)) }
    }

    /// Allocate, as [`MemoryAllocator::allocate`].
    pub fn allocate(&self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
        let mut out = ptr::null_mut();
        // SAFETY: the decorator is initialised and serialises the call.
        MemoryError::check(unsafe { sys::rtm_allocator_allocate(&self.raw, size, alignment, &mut out) })?;
        Ok(out.cast())
    }

    /// Free, as [`MemoryAllocator::deallocate`].
    ///
    /// # Safety
    /// As [`MemoryAllocator::deallocate`].
    pub unsafe fn deallocate(&self, ptr: *mut u8, size: usize) -> Result<(), MemoryError> {
        // SAFETY: as above; ptr is a live block (caller).
        MemoryError::check(unsafe { sys::rtm_allocator_deallocate(&self.raw, ptr.cast(), size) })
    }

    /// Resize, as [`MemoryAllocator::reallocate`].
    ///
    /// # Safety
    /// As [`MemoryAllocator::reallocate`].
    pub unsafe fn reallocate(
        &self,
        ptr: *mut u8,
        old_size: usize,
        new_size: usize,
        alignment: usize,
    ) -> Result<*mut u8, MemoryError> {
        let mut out = ptr::null_mut();
        // SAFETY: as above.
        MemoryError::check(unsafe {
            sys::rtm_allocator_reallocate(&self.raw, ptr.cast(), old_size, new_size, alignment, &mut out)
        })?;
        Ok(out.cast())
    }

    /// The inner allocator's statistics, read under the lock.
    pub fn get_stats(&self) -> AllocatorStats {
        let mut raw = sys::rtm_alloc_stats_t::default();
        // SAFETY: as above.
        unsafe { sys::rtm_allocator_stats(&self.raw, &mut raw) };
        raw.into()
    }

    /// The inner allocator's check, under the lock.
    pub fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: as above.
        MemoryError::check(unsafe { sys::rtm_allocator_check(&self.raw) })
    }

    /// The decorator as a C `rtm_allocator_t` (e.g. to hand to C code, which
    /// may then use it from any context `L` covers).
    pub fn as_raw(&self) -> sys::rtm_allocator_t {
        self.raw
    }
}

impl<L: CriticalSection> MemoryAllocator for LockedAllocator<'_, L> {
    fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
        LockedAllocator::allocate(self, size, alignment)
    }
    unsafe fn deallocate(&mut self, ptr: *mut u8, size: usize) -> Result<(), MemoryError> {
        // SAFETY: forwarded contract.
        unsafe { LockedAllocator::deallocate(self, ptr, size) }
    }
    unsafe fn reallocate(
        &mut self,
        ptr: *mut u8,
        old_size: usize,
        new_size: usize,
        alignment: usize,
    ) -> Result<*mut u8, MemoryError> {
        // SAFETY: forwarded contract.
        unsafe { LockedAllocator::reallocate(self, ptr, old_size, new_size, alignment) }
    }
    fn get_stats(&self) -> AllocatorStats {
        LockedAllocator::get_stats(self)
    }
    fn check(&self) -> Result<(), MemoryError> {
        LockedAllocator::check(self)
    }
}
