// SPDX-License-Identifier: MIT OR Apache-2.0
//! The C allocator interface from Rust, in both directions: a Rust allocator
//! behind `rtm_allocator_t` called through the library's wrappers, and
//! incomplete C tables refused with MemoryError values.

use std::ptr;

use rtmem::{sys, AllocatorRef, AllocatorStats, MemoryAllocator, MemoryError};

/// A small Rust allocator to expose through the C interface: a bump arena
/// that gives back its last block, with its own bookkeeping.
struct Bump {
    mem: Vec<u8>,
    top: usize,
    last: Option<(usize, usize)>,
    stats: AllocatorStats,
}

impl Bump {
    fn new(size: usize) -> Self {
        Self { mem: vec![0; size], top: 0, last: None, stats: AllocatorStats::default() }
    }
}

impl MemoryAllocator for Bump {
    fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
        if size == 0 {
            return Err(MemoryError::InvalidArgument);
        }
        let align = alignment.max(1);
        if !align.is_power_of_two() {
            return Err(MemoryError::AlignmentError);
        }
        let base = self.mem.as_mut_ptr() as usize;
        let start = (base + self.top + align - 1) & !(align - 1);
        if start - base + size > self.mem.len() {
            self.stats.allocation_failures += 1;
            return Err(MemoryError::OutOfMemory);
        }
        self.last = Some((start - base, self.top));
        self.top = start - base + size;
        self.stats.total_allocations += 1;
        self.stats.current_allocations += 1;
        Ok(start as *mut u8)
    }
    unsafe fn deallocate(&mut self, ptr: *mut u8, _size: usize) -> Result<(), MemoryError> {
        let base = self.mem.as_mut_ptr() as usize;
        match self.last {
            Some((offset, old_top)) if ptr as usize == base + offset => {
                self.top = old_top;
                self.last = None;
                self.stats.total_deallocations += 1;
                self.stats.current_allocations -= 1;
                Ok(())
            }
            _ => Err(MemoryError::InvalidPointer),
        }
    }
    unsafe fn reallocate(&mut self, _: *mut u8, _: usize, _: usize, _: usize) -> Result<*mut u8, MemoryError> {
        Err(MemoryError::Unsupported)
    }
    fn get_stats(&self) -> AllocatorStats {
        AllocatorStats { free_bytes: Some(self.mem.len() - self.top), ..self.stats }
    }
    fn check(&self) -> Result<(), MemoryError> {
        if self.top <= self.mem.len() {
            Ok(())
        } else {
            Err(MemoryError::CorruptedMetadata)
        }
    }
}

#[test]
fn rust_allocator_through_the_c_interface() {
    let mut bump = Bump::new(1024);
    let mut c = AllocatorRef::from_rust(&mut bump);
    let raw = c.as_raw();
    assert!(!raw.ops.is_null());
    // Through the library's rtm_allocator_* wrappers and back into Rust.
    let p = c.allocate(100, 64).expect("alloc");
    assert_eq!(p as usize % 64, 0);
    assert_eq!(c.allocate(100, 3), Err(MemoryError::AlignmentError));
    assert_eq!(c.allocate(4096, 8), Err(MemoryError::OutOfMemory));
    assert_eq!(unsafe { c.reallocate(p, 100, 200, 8) }, Err(MemoryError::Unsupported));
    assert_eq!(unsafe { c.deallocate(ptr::null_mut(), 0) }, Err(MemoryError::InvalidPointer));
    let s = c.get_stats();
    assert_eq!((s.total_allocations, s.current_allocations, s.allocation_failures), (1, 1, 1));
    assert!(s.free_bytes.is_some() && s.capacity.is_none());
    assert_eq!(c.check(), Ok(()));
    assert_eq!(unsafe { c.deallocate(p, 100) }, Ok(()));
    assert_eq!(c.get_stats().current_allocations, 0);
    // Errors the C side makes up itself: NULL out, via the raw functions.
    let status = unsafe { sys::rtm_allocator_allocate(c.as_ptr(), 8, 8, ptr::null_mut()) };
    assert_eq!(MemoryError::check(status), Err(MemoryError::InvalidArgument));
}

#[test]
fn incomplete_c_allocators_are_refused() {
    let empty_ops = sys::rtm_allocator_ops_t::default();
    let mut raws = [
        sys::rtm_allocator_t { ops: ptr::null(), ctx: ptr::null_mut() },
        sys::rtm_allocator_t { ops: &empty_ops, ctx: ptr::null_mut() },
    ];
    for raw in &mut raws {
        // SAFETY: NULL or slot-less tables never call anything.
        let mut a = unsafe { AllocatorRef::from_raw(*raw) };
        assert_eq!(a.allocate(8, 8), Err(MemoryError::InvalidArgument));
        assert_eq!(unsafe { a.deallocate(8 as *mut u8, 8) }, Err(MemoryError::InvalidArgument));
        assert_eq!(a.get_stats(), AllocatorStats::default());
    }
}
