// SPDX-License-Identifier: MIT OR Apache-2.0
//! FixedSizePool and MultiSizePoolManager: the seed's API over the C pools,
//! misuse as MemoryError values, frees routed by address.

mod common;

use std::collections::HashSet;
use std::mem::MaybeUninit;
use std::ptr;

use common::{fill, holds};
use rtmem::{FixedSizePool, FreeListHeap, MemoryAllocator, MemoryError, MultiSizePoolManager};

fn arena(size: usize) -> Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); size]
}

#[test]
fn pool_hands_out_every_block_once() {
    let mut mem = arena(4096);
    let mut pool = FixedSizePool::new(&mut mem, 48).expect("pool");
    assert_eq!(pool.block_size(), 48);
    assert_eq!(pool.block_align(), 8);
    let total = pool.get_stats().total_blocks;
    assert!(total > 64, "no 64-block cap: {total} blocks in 4 KiB");
    let mut seen = HashSet::new();
    let blocks: Vec<*mut u8> = (0..total).map(|_| pool.allocate().expect("block")).collect();
    for (i, &b) in blocks.iter().enumerate() {
        assert!(seen.insert(b as usize), "a block handed out twice");
        assert!(pool.contains(b) && b as usize % 8 == 0);
        unsafe { fill(b, 48, i as u64) };
    }
    assert_eq!(pool.allocate(), Err(MemoryError::OutOfMemory));
    let s = pool.get_stats();
    assert_eq!((s.free_blocks, s.allocated_blocks, s.failures), (0, total, 1));
    assert!((pool.get_utilization() - 100.0).abs() < 0.01);
    for (i, &b) in blocks.iter().enumerate() {
        assert!(unsafe { holds(b, 48, i as u64) });
        pool.deallocate(b).expect("free");
    }
    let s = pool.get_stats();
    assert_eq!((s.allocated_blocks, s.peak_usage, s.allocation_count, s.deallocation_count), (0, total, total as u32, total as u32));
    assert_eq!(pool.check(), Ok(()));
}

#[test]
fn pool_misuse_returns_errors() {
    let mut mem = arena(2048);
    let mut pool = FixedSizePool::new(&mut mem, 32).expect("pool");
    let live = pool.allocate().expect("block");
    unsafe { fill(live, 32, 3) };
    let freed = pool.allocate().expect("block");
    pool.deallocate(freed).expect("free");
    let mut foreign = [0u64; 4];
    let cases = [
        ("double free", pool.deallocate(freed), MemoryError::DoubleFree),
        ("interior", pool.deallocate(unsafe { live.add(8) }), MemoryError::InvalidPointer),
        ("foreign", pool.deallocate(foreign.as_mut_ptr().cast()), MemoryError::InvalidPointer),
        ("NULL", pool.deallocate(ptr::null_mut()), MemoryError::InvalidPointer),
        ("validate a free block", pool.validate(freed), MemoryError::DoubleFree),
    ];
    for (what, got, want) in cases {
        assert_eq!(got, Err(want), "{what}");
        assert_eq!(pool.check(), Ok(()), "check after {what}");
    }
    assert_eq!(pool.validate(live), Ok(()));
    assert!(unsafe { holds(live, 32, 3) });
    assert_eq!(pool.get_stats().allocated_blocks, 1);

    // Through the C interface: sizes and alignments beyond the block.
    let mut a = pool.allocator();
    assert_eq!(a.allocate(33, 0), Err(MemoryError::OutOfMemory));
    assert_eq!(a.allocate(8, 64), Err(MemoryError::AlignmentError));
    assert_eq!(a.allocate(0, 0), Err(MemoryError::InvalidArgument));
    let p = a.allocate(32, 8).expect("block through the interface");
    unsafe { a.deallocate(p, 0) }.expect("free");
}

#[test]
fn pool_construction_errors() {
    let mut mem = arena(1024);
    assert_eq!(FixedSizePool::new(&mut mem, 0).err(), Some(MemoryError::InvalidArgument));
    assert_eq!(FixedSizePool::with_alignment(&mut mem, 16, 12).err(), Some(MemoryError::AlignmentError));
    assert_eq!(FixedSizePool::new(&mut mem, 4096).err(), Some(MemoryError::InvalidArgument)); // arena too small
    // A misaligned slice is aligned up rather than refused.
    let pool = FixedSizePool::with_alignment(&mut mem[3..], 16, 64).expect("pool");
    assert_eq!(pool.block_align(), 64);
}

#[test]
fn manager_routes_by_size_spills_and_falls_back() {
    let (mut m0, mut m1, mut m2, mut heap_mem) = (arena(2048), arena(4096), arena(8192), arena(32 * 1024));
    let mut storage = arena(MultiSizePoolManager::storage_size(4) + 8);
    let mut heap = FreeListHeap::new(&mut heap_mem).expect("fallback heap");
    let mut m = MultiSizePoolManager::new(&mut storage).expect("manager");
    // Added out of order: the manager sorts by block size.
    m.add_pool(FixedSizePool::new(&mut m1, 64).unwrap()).expect("64");
    m.add_pool(FixedSizePool::new(&mut m0, 16).unwrap()).expect("16");
    m.add_pool(FixedSizePool::new(&mut m2, 256).unwrap()).expect("256");
    let sizes: Vec<usize> = m.classes().map(|c| c.block_size).collect();
    assert_eq!(sizes, [16, 64, 256]);

    assert_eq!(m.allocate(1000), Err(MemoryError::OutOfMemory), "no class, no fallback");
    m.set_fallback_allocator(heap.allocator()).expect("fallback");
    let big = m.allocate(1000).expect("from the fallback");
    let small = m.allocate(10).expect("16-byte class");
    unsafe { fill(small, 10, 1) };

    // Exhaust the 16-byte class: further small requests spill to 64.
    let mut smalls = vec![small];
    while m.classes().next().unwrap().free_blocks > 0 {
        smalls.push(m.allocate(16).expect("16"));
    }
    let spilled = m.allocate(16).expect("spills into the 64-byte class");
    let s = m.get_stats();
    assert_eq!((s.total_pools, s.fallback_allocations, s.pool_misses, s.spills), (3, 1, 2, 1));
    assert_eq!(s.failures, 1);

    // Freed by address: the spilled block goes back to the 64-byte class even
    // though its size says 16 (the seed freed it to the wrong pool).
    unsafe { m.deallocate(spilled, 16) }.expect("free spilled");
    assert_eq!(m.classes().nth(1).unwrap().free_blocks, m.classes().nth(1).unwrap().total_blocks);
    assert_eq!(unsafe { m.deallocate(spilled, 16) }, Err(MemoryError::DoubleFree));
    assert_eq!(unsafe { m.deallocate(small.add(4), 16) }, Err(MemoryError::InvalidPointer));
    assert!(unsafe { holds(small, 10, 1) });
    unsafe { m.deallocate(big, 1000) }.expect("free to the fallback");
    assert_eq!(m.get_stats().fallback_deallocations, 1);
    for p in smalls {
        unsafe { m.deallocate(p, 16) }.expect("free");
    }
    let util: Vec<f32> = m.get_pool_utilization().map(|(_, u)| u).collect();
    assert_eq!(util, [0.0, 0.0, 0.0]);
    assert_eq!(m.allocator_stats().current_allocations, 0);
    assert_eq!(m.check(), Ok(()));
}

#[test]
fn manager_class_table_full() {
    let mut storage = arena(MultiSizePoolManager::storage_size(1) + 8);
    let mut m = MultiSizePoolManager::new(&mut storage).expect("manager");
    let mut a = arena(1024);
    let mut b = arena(1024);
    m.add_pool(FixedSizePool::new(&mut a, 32).unwrap()).expect("first");
    assert_eq!(m.add_pool(FixedSizePool::new(&mut b, 64).unwrap()), Err(MemoryError::OutOfMemory), "table full");
    assert_eq!(m.get_stats().total_pools, 1);
    assert_eq!(m.check(), Ok(()));
    let mut none = [MaybeUninit::<u8>::uninit(); 4];
    assert!(MultiSizePoolManager::new(&mut none).is_err());
}
