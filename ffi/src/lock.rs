// SPDX-License-Identifier: MIT OR Apache-2.0
//! Critical sections for the global allocator shim ([`crate::RtmHeap`]).
//!
//! The C heap is unsynchronised; the shim brackets every call with a
//! [`CriticalSection`] chosen by its type parameter, so the choice costs
//! nothing at run time beyond the lock itself:
//!
//! | type | use it when |
//! |---|---|
//! | [`InterruptFree`] (default on Cortex-M3/M4/M7) | one core, heap also used from interrupt handlers: masks interrupts for the duration of each call (Cortex-M: PRIMASK, 3 instructions; RISC-V: `mstatus.MIE`, 2 to 3) |
//! | [`SpinLock`] (default on hosts) | threads on a host, or cores that share the heap without allocating in interrupt handlers |
//! | [`FnLock`] | the firmware or RTOS provides the critical section as a pair of callbacks |
//! | [`NoLock`] | exactly one execution context ever touches the heap (checked by you, not the compiler) |
//!
//! Any other scheme implements [`CriticalSection`]. [`DefaultLock`] says which
//! lock `RtmHeap::empty()` takes on each target; on targets that may run one
//! image on several cores there is none, and the shim needs an explicit choice.

#[cfg(target_has_atomic = "8")]
use core::sync::atomic::{AtomicBool, Ordering};

/// Mutual exclusion around the heap calls of the allocator shim.
///
/// The target may have no default lock (see [`DefaultLock`]); then
/// `RtmHeap::empty()` fails to compile with this trait's message.
///
/// # Safety
/// Between `enter` returning and the matching `exit`, no other `enter` on the
/// same object may return, from any thread, core or interrupt handler that can
/// use the heap. Sections are not nested by the shim.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a lock: this target has no default lock for the rtmem heap",
    note = "it may run one image on several cores: choose the lock, e.g. `RtmHeap::with_lock(InterruptFree::new())` \
            when only one core uses the heap, or an `FnLock` over the part's hardware spinlock"
)]
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

/// The shim's default lock for this target (the type `RtmHeap::empty()` uses).
///
/// | target | default |
/// |---|---|
/// | `thumbv7m-none-eabi`, `thumbv7em-none-eabi(hf)` (Cortex-M3/M4/M7) | [`InterruptFree`] |
/// | hosted targets with atomics (Linux, macOS, Windows, ...) | [`SpinLock`] |
/// | `thumbv6m-*`, `thumbv8m.*`, `riscv32*-none-*`, any other target | none: choose one |
///
/// Parts built on Cortex-M0+ and Cortex-M33 (RP2040, RP2350) and on RV32
/// cores (RP2350's Hazard3) run one image on two cores that share RAM, where
/// interrupt masking is no lock. There `DefaultLock` is [`NoDefaultLock`],
/// which is not a [`CriticalSection`], so `RtmHeap::empty()` does not compile
/// and the firmware says what it needs:
/// `RtmHeap::with_lock(InterruptFree::new())` on one core,
/// [`FnLock`] over the part's hardware spinlock (or a `critical-section`
/// implementation) across cores. Dual-core Cortex-M7/M4 parts run one image
/// per core with a heap each, so the default is interrupt masking there.
#[cfg(rtmem_default_lock = "interrupt_free")]
pub type DefaultLock = InterruptFree;
/// The shim's default lock for this target: see the table above.
#[cfg(rtmem_default_lock = "spin")]
pub type DefaultLock = SpinLock;
/// The shim's default lock for this target: see the table above.
#[cfg(not(any(rtmem_default_lock = "interrupt_free", rtmem_default_lock = "spin")))]
pub type DefaultLock = NoDefaultLock;

/// Stands for the default lock on targets that have none ([`DefaultLock`]):
/// it is not a [`CriticalSection`], so a shim using it does not compile.
#[derive(Debug, Default)]
pub struct NoDefaultLock(());

impl NoDefaultLock {
    /// Only there so that `RtmHeap::empty()` names a type on every target.
    pub const fn new() -> Self {
        Self(())
    }
}

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

/// Interrupt masking on one core.
///
/// * Cortex-M: saves PRIMASK and sets it on `enter` (`mrs`, `cpsid i`),
///   restores it on `exit` (`msr`).
/// * RISC-V (machine mode): clears `mstatus.MIE` on `enter`
///   (`csrrci`, which returns the old value), sets it again on `exit` only if
///   it was set (`csrsi`).
///
/// Sections taken with interrupts already masked stay masked. Not a lock
/// between cores. It is a [`CriticalSection`] on bare-metal Arm and RISC-V
/// targets only.
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

// SAFETY: with mstatus.MIE clear no machine-mode interrupt is taken on this
// hart (NMIs must not allocate), and there is no other hart (the type's
// documented scope). Code that runs in a lower privilege mode cannot use it.
#[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_os = "none"))]
unsafe impl CriticalSection for InterruptFree {
    type State = usize;
    #[inline(always)]
    fn enter(&self) -> usize {
        let mstatus: usize;
        // SAFETY: clears MIE (bit 3) and returns the old mstatus; no memory
        // effect beyond ordering, which the compiler barrier (no `nomem`) gives.
        unsafe { core::arch::asm!("csrrci {0}, mstatus, 8", out(reg) mstatus, options(nostack)) };
        mstatus
    }
    #[inline(always)]
    unsafe fn exit(&self, mstatus: usize) {
        if mstatus & 8 != 0 {
            // SAFETY: sets MIE again, as the matching enter found it.
            unsafe { core::arch::asm!("csrsi mstatus, 8", options(nostack)) };
        }
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
