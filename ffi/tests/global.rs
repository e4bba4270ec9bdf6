// SPDX-License-Identifier: MIT OR Apache-2.0
//! The shim as this test binary's `#[global_allocator]`: the test harness,
//! std's threads, and everything below allocate from an rtmem heap.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::mem::MaybeUninit;
use std::ptr::addr_of_mut;

use rtmem::RtmHeap;

const ARENA_SIZE: usize = 16 << 20;
static mut ARENA: [MaybeUninit<u8>; ARENA_SIZE] = [MaybeUninit::uninit(); ARENA_SIZE];

#[global_allocator]
// SAFETY: ARENA is used by nothing else.
static HEAP: RtmHeap = unsafe { RtmHeap::with_lazy_arena(addr_of_mut!(ARENA).cast(), ARENA_SIZE) };

fn arena_contains(p: *const u8) -> bool {
    let start = addr_of_mut!(ARENA) as usize;
    (start..start + ARENA_SIZE).contains(&(p as usize))
}

#[test]
fn collections_live_in_the_rtmem_heap() {
    let before = HEAP.stats();
    let v: Vec<u64> = (0..10_000).collect();
    assert!(arena_contains(v.as_ptr().cast()));
    let s: String = v.iter().take(100).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    assert!(arena_contains(s.as_ptr()));
    let mut map = BTreeMap::new();
    for (i, n) in v.iter().enumerate() {
        map.insert(*n * 7 % 10_007, i);
    }
    let mut hashed: HashMap<String, usize> = HashMap::new();
    for w in s.split(',') {
        *hashed.entry(w.to_owned()).or_default() += 1;
    }
    let mut queue: VecDeque<Box<[u8]>> = VecDeque::new();
    for i in 0..1000usize {
        queue.push_back(vec![i as u8; i % 300 + 1].into_boxed_slice());
        if queue.len() > 50 {
            let b = queue.pop_front().unwrap();
            assert!(b.iter().all(|&x| x == b[0]));
        }
    }
    assert_eq!(map.len(), 10_000);
    assert_eq!(hashed.len(), 100);
    assert_eq!(v.iter().sum::<u64>(), 49_995_000);
    let after = HEAP.stats();
    assert!(after.total_allocations > before.total_allocations + 1000);
    assert_eq!(HEAP.check(), Ok(()));
}

#[test]
fn threads_allocate_concurrently() {
    let handles: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let mut total = 0usize;
                for i in 0..2000usize {
                    let v: Vec<usize> = (0..(i % 64)).map(|x| x * t).collect();
                    total += v.iter().sum::<usize>();
                    let s = format!("thread {t} item {i}");
                    total += s.len();
                }
                total
            })
        })
        .collect();
    let totals: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (t, total) in totals.iter().enumerate() {
        let expect: usize = (0..2000usize)
            .map(|i| (0..(i % 64)).map(|x| x * t).sum::<usize>() + format!("thread {t} item {i}").len())
            .sum();
        assert_eq!(*total, expect);
    }
    assert_eq!(HEAP.check(), Ok(()));
}

#[test]
fn over_aligned_types_get_their_alignment() {
    #[repr(align(4096))]
    struct Page([u8; 4096]);
    let pages: Vec<Box<Page>> = (0..8).map(|i| Box::new(Page([i as u8; 4096]))).collect();
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.as_ref() as *const Page as usize % 4096, 0);
        assert!(p.0.iter().all(|&b| b == i as u8));
        assert!(arena_contains(p.0.as_ptr()));
    }
}
