// SPDX-License-Identifier: MIT OR Apache-2.0
//! The safe API over the general-purpose allocators (O(1) heap, free-list
//! heap, bump arena): misuse comes back as MemoryError values and never
//! damages the allocator or its live blocks. The misuse cases break the
//! `# Safety` contract of `deallocate`/`reallocate` on purpose, to show the
//! checks that stand behind it (defence in depth).

mod common;

use std::mem::MaybeUninit;
use std::ptr;

use common::{fill, holds};
use rtmem::{BumpArena, FreeListHeap, Heap, MemoryAllocator, MemoryError};

fn arena(size: usize) -> Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); size]
}

/// Run the bad-input matrix on any allocator that records block sizes: each
/// case gives its exact error, and afterwards the check passes and the live
/// block is intact.
fn misuse_matrix(a: &mut dyn MemoryAllocator) {
    let live = a.allocate(64, 8).expect("live block");
    unsafe { fill(live, 64, 1) };
    let freed = a.allocate(64, 8).expect("second block");
    unsafe { a.deallocate(freed, 64) }.expect("free");
    let mut foreign = [0u64; 16];
    let foreign = foreign.as_mut_ptr().cast::<u8>();
    let before = a.get_stats();

    let cases: [(&str, Result<(), MemoryError>, MemoryError); 10] = [
        ("size 0", a.allocate(0, 8).map(drop), MemoryError::InvalidArgument),
        ("alignment 3", a.allocate(16, 3).map(drop), MemoryError::AlignmentError),
        ("alignment 24", a.allocate(16, 24).map(drop), MemoryError::AlignmentError),
        ("alignment 48", a.allocate(16, 48).map(drop), MemoryError::AlignmentError),
        ("NULL free", unsafe { a.deallocate(ptr::null_mut(), 8) }, MemoryError::InvalidPointer),
        ("double free", unsafe { a.deallocate(freed, 64) }, MemoryError::DoubleFree),
        ("interior pointer", unsafe { a.deallocate(live.add(16), 8) }, MemoryError::InvalidPointer),
        ("foreign pointer", unsafe { a.deallocate(foreign, 8) }, MemoryError::InvalidPointer),
        ("realloc of a freed block", unsafe { a.reallocate(freed, 64, 128, 8) }.map(drop), MemoryError::DoubleFree),
        ("realloc, foreign", unsafe { a.reallocate(foreign, 8, 128, 8) }.map(drop), MemoryError::InvalidPointer),
    ];
    for (what, got, want) in cases {
        assert_eq!(got, Err(want), "{what}");
        assert_eq!(a.check(), Ok(()), "check after {what}");
    }
    let after = a.get_stats();
    assert_eq!(after.current_allocations, before.current_allocations);
    assert_eq!(after.bytes_in_use, before.bytes_in_use);
    assert_eq!(after.total_deallocations, before.total_deallocations);

    let failures = after.allocation_failures;
    for (size, align) in [(usize::MAX, 8), (usize::MAX - 64, 8), (1 << 40, 8)] {
        let got = a.allocate(size, align);
        assert!(
            matches!(got, Err(MemoryError::OutOfMemory | MemoryError::InvalidArgument)),
            "size {size:#x}: {got:?}"
        );
    }
    assert!(a.get_stats().allocation_failures > failures, "exhaustion is counted");
    assert!(unsafe { holds(live, 64, 1) }, "live block damaged");
    assert_eq!(a.check(), Ok(()));

    // Reallocation keeps contents, and new_size 0 frees.
    let grown = unsafe { a.reallocate(live, 64, 4000, 8) }.expect("grow");
    assert!(unsafe { holds(grown, 64, 1) });
    assert_eq!(unsafe { a.reallocate(grown, 4000, 0, 8) }, Ok(ptr::null_mut()));
    assert_eq!(a.get_stats().current_allocations, 0);
    assert_eq!(a.check(), Ok(()));
}

#[test]
fn heap_misuse_returns_errors() {
    let mut mem = arena(64 * 1024);
    let mut heap = Heap::new(&mut mem).expect("heap");
    misuse_matrix(&mut heap);
}

#[test]
fn freelist_misuse_returns_errors() {
    let mut mem = arena(64 * 1024);
    let mut heap = FreeListHeap::new(&mut mem).expect("free-list heap");
    misuse_matrix(&mut heap);
}

#[test]
fn bump_misuse_returns_errors() {
    let mut mem = arena(64 * 1024);
    let mut bump = BumpArena::new(&mut mem).expect("bump arena");
    misuse_matrix(&mut bump);
}

#[test]
fn every_allocator_through_the_c_interface_behaves_the_same() {
    let mut mem = arena(64 * 1024);
    misuse_matrix(&mut Heap::new(&mut mem).expect("heap").allocator());
    misuse_matrix(&mut FreeListHeap::new(&mut mem).expect("free list").allocator());
    misuse_matrix(&mut BumpArena::new(&mut mem).expect("bump").allocator());
}

#[test]
fn construction_errors() {
    let mut tiny = arena(8);
    assert!(Heap::new(&mut tiny).is_err());
    assert!(FreeListHeap::new(&mut tiny).is_err());
    assert!(BumpArena::new(&mut tiny).is_err());
    let mut empty: [MaybeUninit<u8>; 0] = [];
    assert!(Heap::new(&mut empty).is_err());
    assert!(unsafe { Heap::from_raw_parts(ptr::null_mut(), 4096) }.is_err());
    assert!(unsafe { FreeListHeap::from_raw_parts(ptr::null_mut(), 4096) }.is_err());
}

/// Fill, check, and give back blocks of several sizes on any allocator.
fn stats_follow_the_contract(a: &mut dyn MemoryAllocator) {
    let blocks: Vec<*mut u8> = (1..=10).map(|i| a.allocate(i * 10, 0).expect("alloc")).collect();
    for (i, &b) in blocks.iter().enumerate() {
        assert_eq!(b as usize % 8, 0);
        unsafe { fill(b, (i + 1) * 10, i as u64) };
    }
    let s = a.get_stats();
    assert_eq!((s.total_allocations, s.current_allocations), (10, 10));
    assert!(s.bytes_in_use >= 550);
    assert_eq!(s.bytes_in_use as u64, s.bytes_allocated - s.bytes_deallocated);
    for (i, &b) in blocks.iter().enumerate().rev() {
        assert!(unsafe { holds(b, (i + 1) * 10, i as u64) });
        unsafe { a.deallocate(b, (i + 1) * 10) }.expect("free");
    }
    let s = a.get_stats();
    assert_eq!((s.current_allocations, s.bytes_in_use, s.total_deallocations), (0, 0, 10));
    assert!(s.peak_memory_usage >= 550);
    assert_eq!(a.check(), Ok(()));
}

#[test]
fn stats_of_every_allocator() {
    let mut mem = arena(64 * 1024);
    stats_follow_the_contract(&mut Heap::new(&mut mem).expect("heap"));
    stats_follow_the_contract(&mut FreeListHeap::new(&mut mem).expect("free list"));
    stats_follow_the_contract(&mut BumpArena::new(&mut mem).expect("bump"));
}

#[test]
fn usable_sizes() {
    let mut mem = arena(64 * 1024);
    let mut heap = Heap::new(&mut mem).expect("heap");
    let p = heap.allocate(100, 0).expect("alloc");
    assert!(heap.usable_size(p).unwrap() >= 100);
    assert_eq!(heap.usable_size(ptr::null()), None);
    assert_eq!(heap.usable_size(unsafe { p.add(8) }), None);
    unsafe { heap.deallocate(p, 100) }.expect("free");
    assert_eq!(heap.usable_size(p), None);

    let mut mem = arena(64 * 1024);
    let mut list = FreeListHeap::new(&mut mem).expect("free list");
    let p = list.allocate(100, 0).expect("alloc");
    assert!(list.usable_size(p).unwrap() >= 100);
    unsafe { list.deallocate(p, 100) }.expect("free");
    assert_eq!(list.usable_size(p), None);
}

#[test]
fn bump_marks_and_reset() {
    let mut mem = arena(16 * 1024);
    let mut bump = BumpArena::new(&mut mem).expect("bump");
    let base = bump.allocate(64, 0).expect("base");
    let mark = bump.mark();
    let free_at_mark = bump.get_stats().free_bytes;
    for _ in 0..10 {
        bump.allocate(100, 16).expect("alloc");
    }
    assert_eq!(bump.get_stats().current_allocations, 11);
    bump.rollback(mark).expect("rollback");
    assert_eq!(bump.get_stats().current_allocations, 1);
    assert_eq!(bump.get_stats().free_bytes, free_at_mark);
    assert_eq!(bump.rollback(mark), Ok(()), "a mark at the top rolls back nothing");
    let above = bump.allocate(32, 0).expect("alloc");
    let mark_above = bump.mark();
    unsafe { bump.deallocate(above, 32) }.expect("free the newest");
    assert_eq!(bump.rollback(mark_above), Err(MemoryError::InvalidArgument), "mark above the top");
    bump.reset();
    let s = bump.get_stats();
    assert_eq!((s.current_allocations, s.total_deallocations), (0, 12), "10 rolled back, 1 freed, 1 reset");
    assert_eq!(unsafe { bump.deallocate(base, 64) }, Err(MemoryError::InvalidPointer), "pointer from before the reset");
    assert_eq!(bump.rollback(mark), Err(MemoryError::InvalidArgument), "mark from before the reset");
    assert_eq!(bump.check(), Ok(()));
}
