// SPDX-License-Identifier: MIT OR Apache-2.0
//! Critical sections for the global allocator shim ([`crate::RtmHeap`]).
//!
//! The C heap is unsynchronised; the shim brackets every call with a
//! [`CriticalSection`] chosen by its type parameter, so the choice costs
//! nothing at run time beyond the lock itself:
//!
//! | type | use it when |
//! |---|---|
//! | [`InterruptFree`] (default on bare-metal Arm) | single-core Cortex-M, heap also used from interrupt handlers: masks interrupts (PRIMASK) for the duration of each call, 3 instructions |
//! | [`SpinLock`] (default elsewhere) | threads on a host, or cores that share the heap without allocating in interrupt handlers |
//! | [`FnLock`] | the firmware or RTOS provides the critical section as a pair of callbacks |
//! | [`NoLock`] | exactly one execution context ever touches the heap (checked by you, not the compiler) |
//!
//! Any other scheme implements [`CriticalSection`].

#[cfg(target_has_atomic = "8")]
use core::sync::atomic::{AtomicBool, Ordering};

/// Mutual exclusion around the heap calls of the allocator shim.
///
/// # Safety
/// Between `enter` returning and the matching `exit`, no other `enter` on the
/// same object may return, from any thread, core or interrupt handler that can
/// use the heap. Sections are not nested by the shim.
pub unsafe trait CriticalSection {
    /// What `enter` hands to `exit` (e.g. the saved interrupt mask).
    type State: Copy;

    /// Enter the critical section.
    fn enter(&self) -> Self::State;

    /// Leave the critical section.
    ///
    /// # Safety
    /// `state` is the value of the matching [`enter`](Self::enter) on this
    /// object, which has not been exited yet.
    unsafe fn exit(&self, state: Self::State);
}

/// The shim's default lock for this target: [`InterruptFree`] on bare-metal
/// Arm, [`SpinLock`] elsewhere.
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub type DefaultLock = InterruptFree;
/// The shim's default lock for this target: [`InterruptFree`] on bare-metal
/// Arm, [`SpinLock`] elsewhere.
#[cfg(all(not(all(target_arch = "arm", target_os = "none")), target_has_atomic = "8"))]
pub type DefaultLock = SpinLock;

/// No locking at all.
#[derive(Debug)]
pub struct NoLock(());

impl NoLock {
    /// A lock that does nothing.
    ///
    /// # Safety
    /// Every use of the heap it guards happens from one execution context: one
    /// thread, no interrupt handler that allocates, no second core.
    pub const unsafe fn new() -> Self {
        Self(())
    }
}

// SAFETY: NoLock::new's contract rules out a second context.
unsafe impl CriticalSection for NoLock {
    type State = ();
    #[inline(always)]
    fn enter(&self) {}
    #[inline(always)]
    unsafe fn exit(&self, _state: ()) {}
}

/// A test-and-set spin lock.
///
/// Correct between threads and cores. On a single core it deadlocks if an
/// interrupt handler allocates while the interrupted code holds the lock: use
/// [`InterruptFree`] there. Needs atomic swap (not on ARMv6-M).
#[cfg(target_has_atomic = "8")]
#[derive(Debug)]
pub struct SpinLock {
    locked: AtomicBool,
}

#[cfg(target_has_atomic = "8")]
impl SpinLock {
    /// An unlocked lock.
    pub const fn new() -> Self {
        Self { locked: AtomicBool::new(false) }
    }
}

#[cfg(target_has_atomic = "8")]
impl Default for SpinLock {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: the swap with Acquire admits one holder; Release publishes its writes.
#[cfg(target_has_atomic = "8")]
unsafe impl CriticalSection for SpinLock {
    type State = ();
    #[inline(always)]
    fn enter(&self) {
        while self.locked.swap(true, Ordering::Acquire) {
            while self.locked.load(Ordering::Relaxed) {
                core::hint::spin_loop();
            }
        }
    }
    #[inline(always)]
    unsafe fn exit(&self, _state: ()) {
        self.locked.store(false, Ordering::Release);
    }
}

/// Interrupt masking on a single-core Cortex-M: saves PRIMASK and sets it on
/// `enter`, restores it on `exit` (so sections taken with interrupts already
/// masked stay masked). Not a lock between cores.
///
/// It is a [`CriticalSection`] on bare-metal Arm targets only.
#[derive(Debug, Default)]
pub struct InterruptFree(());

impl InterruptFree {
    /// The interrupt mask of this core.
    pub const fn new() -> Self {
        Self(())
    }
}

// SAFETY: with PRIMASK set no interrupt handler (other than NMI and
// HardFault, which must not allocate) runs on this core, and there is no other
// core (the type's documented scope).
#[cfg(all(target_arch = "arm", target_os = "none"))]
unsafe impl CriticalSection for InterruptFree {
    type State = u32;
    #[inline(always)]
    fn enter(&self) -> u32 {
        let primask: u32;
        // SAFETY: reading PRIMASK and masking interrupts has no memory effect
        // beyond ordering, which the compiler barrier (no `nomem`) provides.
        unsafe { core::arch::asm!("mrs {0}, PRIMASK", "cpsid i", out(reg) primask, options(nostack, preserves_flags)) };
        primask
    }
    #[inline(always)]
    unsafe fn exit(&self, primask: u32) {
        // SAFETY: restores the mask saved by the matching enter.
        unsafe { core::arch::asm!("msr PRIMASK, {0}", in(reg) primask, options(nostack, preserves_flags)) };
    }
}

/// A critical section provided by the firmware as two callbacks, e.g. an
/// RTOS's scheduler lock or the port's interrupt masking: `enter` returns a
/// state word that is handed back to `exit`.
#[derive(Debug, Clone, Copy)]
pub struct FnLock {
    enter: fn() -> usize,
    exit: fn(usize),
}

impl FnLock {
    /// A lock from two callbacks.
    ///
    /// # Safety
    /// The pair provides the mutual exclusion [`CriticalSection`] requires for
    /// every context that uses the heap, and neither callback allocates from
    /// the heap it guards.
    pub const unsafe fn new(enter: fn() -> usize, exit: fn(usize)) -> Self {
        Self { enter, exit }
    }
}

// SAFETY: FnLock::new's contract.
unsafe impl CriticalSection for FnLock {
    type State = usize;
    #[inline(always)]
    fn enter(&self) -> usize {
        (self.enter)()
    }
    #[inline(always)]
    unsafe fn exit(&self, state: usize) {
        (self.exit)(state)
    }
}
