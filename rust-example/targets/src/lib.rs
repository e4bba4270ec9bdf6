// SPDX-License-Identifier: MIT OR Apache-2.0
//! A library that links rtmem's C into every symbol it uses, for any target.

#![no_std]

use core::mem::MaybeUninit;

use rtmem::lock::InterruptFree;
use rtmem::{FixedSizePool, RtmHeap};

/// The shim with an explicitly chosen lock: builds on every target.
pub static EXPLICIT: RtmHeap<InterruptFree> = RtmHeap::with_lock(InterruptFree::new());

/// The shim with the target's default lock: only where the target has one.
#[cfg(feature = "default-lock")]
pub static DEFAULT: RtmHeap = RtmHeap::empty();

/// Give the shim memory and check it (pulls in the heap's C code).
///
/// # Safety
/// `[start, start + size)` is the heap's for the rest of the program.
#[no_mangle]
pub unsafe extern "C" fn targets_init(start: *mut u8, size: usize) -> bool {
    #[cfg(feature = "default-lock")]
    // SAFETY: forwarded contract (both shims would share the memory: only one is used).
    let _ = unsafe { DEFAULT.init(start, size) };
    // SAFETY: forwarded contract.
    unsafe { EXPLICIT.init(start, size) }.is_ok() && EXPLICIT.check().is_ok()
}

/// A pool over caller memory (pulls in the pool's C code).
#[no_mangle]
pub extern "C" fn targets_pool(arena: &'static mut [MaybeUninit<u8>; 1024]) -> usize {
    FixedSizePool::new(arena, 32).map(|p| p.get_stats().total_blocks).unwrap_or(0)
}
