// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`RtmHeap`]: the `GlobalAlloc` shim over the O(1) heap.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ops::Deref;
use core::ptr;

use crate::lock::{CriticalSection, DefaultLock};
use crate::{sys, AllocatorStats, MemoryError};

/// A `#[global_allocator]` over an rtmem O(1) heap (`rtm_heap_*`).
///
/// On a host, whose runtime allocates before `main`, give the shim its arena
/// up front:
///
/// ```
/// use core::mem::MaybeUninit;
/// use rtmem::RtmHeap;
///
/// const ARENA_SIZE: usize = 1 << 20;
/// static mut ARENA: [MaybeUninit<u8>; ARENA_SIZE] = [MaybeUninit::uninit(); ARENA_SIZE];
///
/// #[global_allocator]
/// // SAFETY: ARENA is used by nothing else, for the whole program.
/// static HEAP: RtmHeap = unsafe { RtmHeap::with_lazy_arena(core::ptr::addr_of_mut!(ARENA).cast(), ARENA_SIZE) };
///
/// fn main() {
///     let words: Vec<String> = "in the rtmem heap".split(' ').map(String::from).collect();
///     assert_eq!(words.len(), 4);
///     assert!(HEAP.stats().current_allocations >= 5);
///     assert_eq!(HEAP.check(), Ok(()));
/// }
/// ```
///
/// Firmware, where nothing allocates before `main`, can also start empty and
/// call [`init`](Self::init) (or [`init_from_slice`](Self::init_from_slice))
/// first thing: `static HEAP: RtmHeap = RtmHeap::empty();`.
///
/// * Every call is bracketed by the critical section `L` (see [`crate::lock`];
///   the default, [`DefaultLock`](crate::lock::DefaultLock), is interrupt
///   masking on Cortex-M3/M4/M7 and a spin lock on hosts; targets whose parts
///   may run one image on several cores have none and need
///   [`with_lock`](RtmHeap::with_lock)). Nothing else is added to the C call: the shim passes the
///   layout's size and alignment straight to `rtm_heap_alloc`, which honours
///   any power-of-two alignment.
/// * `realloc` is forwarded to `rtm_heap_realloc` (in place when it can); on
///   failure the old block is untouched and NULL is returned, as `GlobalAlloc`
///   requires.
/// * Allocation failure, and any use before [`init`](Self::init), returns NULL
///   (Rust then calls the allocation error handler).
/// * `dealloc` of a pointer the heap never handed out, or of one already
///   freed, is undefined behaviour for `GlobalAlloc` callers; the C heap
///   refuses it and stays intact anyway, and the shim makes it visible (the
///   misuse hook): a hook set with [`set_misuse_hook`](RtmHeap::set_misuse_hook)
///   is called with the status and pointer; without one, debug builds panic
///   (`debug_assertions`; the panic cannot unwind out of the allocator, it
///   aborts) and release builds only count it ([`RtmHeapStats::misuse_count`]).
/// * Host programs are allocated from before `main` runs: give them the arena
///   up front with [`with_lazy_arena`](RtmHeap::with_lazy_arena).
pub struct RtmHeap<L = DefaultLock> {
    heap: UnsafeCell<*mut sys::rtm_heap_t>,
    lazy: UnsafeCell<(*mut u8, usize)>,
    misuse: UnsafeCell<Misuse>,
    lock: L,
}

/// Called when the heap refuses a `dealloc` or `realloc` pointer: the
/// heap's answer (`InvalidPointer`, `DoubleFree`, `CorruptedMetadata`, or
/// `InvalidArgument` before init) and the pointer. It runs outside the
/// shim's critical section and must not free the pointer again.
pub type MisuseHook = fn(MemoryError, *mut u8);

/// The shim's record of refused pointers (kept inside the critical section).
struct Misuse {
    count: u32,
    last: sys::rtm_status_t,
    hook: Option<MisuseHook>,
}

/// [`RtmHeap::stats`]: the heap's statistics (also through `Deref`) and the
/// shim's misuse counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtmHeapStats {
    /// The heap's statistics.
    pub heap: AllocatorStats,
    /// Grows only: `dealloc`/`realloc` calls whose pointer the heap refused.
    pub misuse_count: u32,
    /// The heap's answer to the latest of them.
    pub last_misuse: Option<MemoryError>,
}

impl Deref for RtmHeapStats {
    type Target = AllocatorStats;
    fn deref(&self) -> &AllocatorStats {
        &self.heap
    }
}

/// The misuse hook's default in debug builds: a panic that cannot unwind out
/// of the allocator (unwinding out of `extern "C"` aborts).
#[cold]
#[inline(never)]
extern "C" fn misuse_panic(status: sys::rtm_status_t, block: *mut u8) {
    let error = MemoryError::check(status).err();
    panic!("rtmem: the heap refused pointer {block:p} given back through the global allocator: {error:?} (status {status})");
}

// SAFETY: every access to the cells happens inside the critical section, which
// the lock type guarantees exclusive across contexts.
unsafe impl<L: CriticalSection + Sync> Sync for RtmHeap<L> {}

impl RtmHeap<DefaultLock> {
    /// A shim with no memory yet and the target's default lock; allocations
    /// return NULL until [`init`](Self::init).
    pub const fn empty() -> Self {
        Self::with_lock(DefaultLock::new())
    }

    /// A shim with the target's default lock that initialises itself over
    /// `[start, start + size)` on its first allocation, unless
    /// [`init`](RtmHeap::init) ran before. For hosted programs, whose runtime
    /// allocates before `main`.
    ///
    /// # Safety
    /// As [`init`](RtmHeap::init), for the memory given here.
    pub const unsafe fn with_lazy_arena(start: *mut u8, size: usize) -> Self {
        // SAFETY: forwarded contract.
        unsafe { Self::with_lock_and_lazy_arena(DefaultLock::new(), start, size) }
    }
}

impl<L> RtmHeap<L> {
    /// A shim with no memory yet, locking with `lock`.
    pub const fn with_lock(lock: L) -> Self {
        Self {
            heap: UnsafeCell::new(ptr::null_mut()),
            lazy: UnsafeCell::new((ptr::null_mut(), 0)),
            misuse: UnsafeCell::new(Misuse { count: 0, last: sys::RTM_OK, hook: None }),
            lock,
        }
    }

    /// As [`with_lazy_arena`](RtmHeap::with_lazy_arena), locking with `lock`.
    ///
    /// # Safety
    /// As [`init`](RtmHeap::init), for the memory given here.
    pub const unsafe fn with_lock_and_lazy_arena(lock: L, start: *mut u8, size: usize) -> Self {
        let mut shim = Self::with_lock(lock);
        shim.lazy = UnsafeCell::new((start, size));
        shim
    }
}

impl<L: CriticalSection> RtmHeap<L> {
    /// Run `f` on the heap handle inside the critical section.
    #[inline(always)]
    fn locked<R>(&self, f: impl FnOnce(&mut *mut sys::rtm_heap_t) -> R) -> R {
        let state = self.lock.enter();
        // SAFETY: inside the critical section nobody else touches the cell.
        let r = f(unsafe { &mut *self.heap.get() });
        // SAFETY: the state of the enter above, exited once.
        unsafe { self.lock.exit(state) };
        r
    }

    /// Give the heap its memory: `size` bytes at `start`.
    ///
    /// Errors: `InvalidArgument` when the shim already has a heap (a second
    /// `init` is refused and changes nothing) or `size` is 0 or too small for
    /// the heap's control block; what `rtm_heap_init` reports otherwise.
    ///
    /// # Safety
    /// `[start, start + size)` is valid for reads and writes for the rest of
    /// the program and used by nothing else.
    pub unsafe fn init(&self, start: *mut u8, size: usize) -> Result<(), MemoryError> {
        self.locked(|heap| {
            if !heap.is_null() || size == 0 {
                return Err(MemoryError::InvalidArgument);
            }
            let mut raw = ptr::null_mut();
            // SAFETY: the memory is the program's to give (caller).
            MemoryError::check(unsafe { sys::rtm_heap_init(start.cast(), size, &mut raw) })?;
            *heap = raw;
            Ok(())
        })
    }

    /// [`init`](Self::init) over a `'static` buffer, safely.
    pub fn init_from_slice(&self, arena: &'static mut [MaybeUninit<u8>]) -> Result<(), MemoryError> {
        // SAFETY: a 'static exclusive borrow is memory nobody else uses, forever.
        unsafe { self.init(arena.as_mut_ptr().cast(), arena.len()) }
    }

    /// Allocate from a heap that C code created (rtm_heap_init) and also uses,
    /// as the mixed C/Rust firmware does.
    ///
    /// Errors: `InvalidArgument` for NULL or when the shim already has a heap.
    ///
    /// # Safety
    /// `heap` is a live rtmem heap for the rest of the program, and every C
    /// use of it is serialised with this shim's critical section (e.g. it runs
    /// in the same single context).
    pub unsafe fn init_from_heap(&self, heap: *mut sys::rtm_heap_t) -> Result<(), MemoryError> {
        self.locked(|current| {
            if !current.is_null() || heap.is_null() {
                return Err(MemoryError::InvalidArgument);
            }
            *current = heap;
            Ok(())
        })
    }

    /// Add another memory region to the heap (e.g. a second RAM bank).
    ///
    /// Errors: `InvalidArgument` before [`init`](Self::init); what
    /// `rtm_heap_add_region` reports.
    ///
    /// # Safety
    /// As [`init`](Self::init), for this region.
    pub unsafe fn add_region(&self, start: *mut u8, size: usize) -> Result<(), MemoryError> {
        // SAFETY: the heap is live (or NULL, which the library refuses); the
        // region is the program's to give (caller).
        self.locked(|heap| MemoryError::check(unsafe { sys::rtm_heap_add_region(*heap, start.cast(), size) }))
    }

    /// Whether the shim has a heap.
    pub fn is_initialized(&self) -> bool {
        self.locked(|heap| !heap.is_null())
    }

    /// The heap's statistics (all zero before [`init`](Self::init)) and the
    /// shim's misuse counter.
    pub fn stats(&self) -> RtmHeapStats {
        let mut raw = sys::rtm_alloc_stats_t::default();
        let (count, last) = self.locked(|heap| {
            // SAFETY: the heap is live or NULL (then the call only zeroes `raw`).
            unsafe { sys::rtm_heap_stats(*heap, &mut raw) };
            // SAFETY: inside the critical section.
            let m = unsafe { &*self.misuse.get() };
            (m.count, m.last)
        });
        RtmHeapStats { heap: raw.into(), misuse_count: count, last_misuse: MemoryError::check(last).err() }
    }

    /// Set (or, with `None`, remove) the hook called when the heap refuses a
    /// pointer given back through `dealloc` or `realloc`. Without a hook,
    /// debug builds panic and release builds only count.
    pub fn set_misuse_hook(&self, hook: Option<MisuseHook>) {
        // SAFETY: inside the critical section.
        self.locked(|_| unsafe { (*self.misuse.get()).hook = hook });
    }

    /// A refused pointer: count it, then call the hook (or the debug default).
    #[cold]
    #[inline(never)]
    fn misused(&self, status: sys::rtm_status_t, block: *mut u8) {
        let hook = self.locked(|_| {
            // SAFETY: inside the critical section.
            let m = unsafe { &mut *self.misuse.get() };
            m.count = m.count.wrapping_add(1);
            m.last = status;
            m.hook
        });
        match hook {
            Some(hook) => hook(MemoryError::check(status).err().unwrap_or(MemoryError::InvalidPointer), block),
            None if cfg!(debug_assertions) => misuse_panic(status, block),
            None => {}
        }
    }

    /// The heap's integrity check (`InvalidArgument` before init).
    pub fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: the heap is live or NULL (refused by the library).
        self.locked(|heap| MemoryError::check(unsafe { sys::rtm_heap_check(*heap) }))
    }

    /// The C handle (NULL before init), e.g. for C code sharing the heap under
    /// the contract of [`init_from_heap`](Self::init_from_heap).
    pub fn raw_heap(&self) -> *mut sys::rtm_heap_t {
        self.locked(|heap| *heap)
    }

    /// The first allocation of a shim set up with a lazy arena.
    #[cold]
    #[inline(never)]
    fn alloc_first(&self, layout: Layout) -> *mut u8 {
        self.locked(|heap| {
            // SAFETY: inside the critical section.
            let (start, size) = unsafe { *self.lazy.get() };
            if !heap.is_null() || start.is_null() {
                return ptr::null_mut(); // a plain failure, or no lazy arena
            }
            // SAFETY: with_lazy_arena's contract; consumed once.
            unsafe { *self.lazy.get() = (ptr::null_mut(), 0) };
            let mut raw = ptr::null_mut();
            let mut out = ptr::null_mut();
            // SAFETY: the arena is the program's (with_lazy_arena's contract).
            if unsafe { sys::rtm_heap_init(start.cast(), size, &mut raw) } == sys::RTM_OK {
                *heap = raw;
                // SAFETY: the heap was just made.
                unsafe { sys::rtm_heap_alloc(raw, layout.size(), layout.align(), &mut out) };
            }
            out.cast()
        })
    }
}

// SAFETY: blocks come from the heap, which hands out distinct, live blocks of
// at least the requested size at the requested alignment; failures are NULL;
// realloc keeps the old block intact on failure (rtm_heap_realloc's contract).
unsafe impl<L: CriticalSection> GlobalAlloc for RtmHeap<L> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut out = ptr::null_mut();
        // SAFETY: the handle is live or NULL (refused, out stays NULL).
        self.locked(|heap| unsafe { sys::rtm_heap_alloc(*heap, layout.size(), layout.align(), &mut out) });
        if out.is_null() {
            return self.alloc_first(layout);
        }
        out.cast()
    }

    #[inline]
    unsafe fn dealloc(&self, block: *mut u8, _layout: Layout) {
        // SAFETY: as above. The heap refuses a bad pointer without changing
        // anything; the misuse hook makes the refusal visible.
        let status = self.locked(|heap| unsafe { sys::rtm_heap_free(*heap, block.cast()) });
        if status != sys::RTM_OK {
            self.misused(status, block);
        }
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let mut out = ptr::null_mut();
        // SAFETY: as above; new_size > 0 is the caller's contract, so this is
        // never the C realloc's free-on-zero case.
        let status = self.locked(|heap| unsafe {
            sys::rtm_heap_realloc(*heap, block.cast(), new_size, layout.align(), &mut out)
        });
        // Lack of memory is a plain failure (NULL); anything else is misuse.
        if status != sys::RTM_OK && status != sys::RTM_ERR_NO_MEMORY {
            self.misused(status, block);
        }
        out.cast()
    }
}
