// SPDX-License-Identifier: MIT OR Apache-2.0
//! The GlobalAlloc shim, driven directly (the test binary's own global
//! allocator is the system's): initialisation rules, a random workload with
//! contents checked, misuse that must not corrupt the heap, locking.

mod common;

use std::alloc::{GlobalAlloc, Layout};
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{fill, holds, static_arena, Rng};
use rtmem::lock::{FnLock, NoLock, SpinLock};
use rtmem::{Heap, MemoryAllocator, MemoryError, RtmHeap};

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).expect("layout")
}

fn shim_over(size: usize) -> RtmHeap {
    let heap = RtmHeap::empty();
    heap.init_from_slice(static_arena(size)).expect("init");
    heap
}

#[test]
fn allocation_before_init_is_null_and_harmless() {
    let heap = RtmHeap::empty();
    assert!(!heap.is_initialized());
    assert!(unsafe { heap.alloc(layout(16, 8)) }.is_null());
    heap.set_misuse_hook(Some(|e, _| assert_eq!(e, MemoryError::InvalidArgument)));
    unsafe { heap.dealloc(ptr::NonNull::<u64>::dangling().as_ptr().cast(), layout(8, 8)) };
    assert_eq!(heap.check(), Err(MemoryError::InvalidArgument));
    assert_eq!(heap.stats().total_allocations, 0);
    assert_eq!(heap.stats().misuse_count, 1, "a free before init is counted as misuse");
    assert!(heap.raw_heap().is_null());
}

#[test]
fn init_twice_is_refused_and_changes_nothing() {
    let heap = shim_over(64 * 1024);
    let p = unsafe { heap.alloc(layout(100, 8)) };
    assert!(!p.is_null());
    unsafe { fill(p, 100, 7) };
    let before = heap.stats();
    let raw = heap.raw_heap();

    assert_eq!(heap.init_from_slice(static_arena(64 * 1024)), Err(MemoryError::InvalidArgument));
    let other = static_arena(4096);
    assert_eq!(unsafe { heap.init(other.as_mut_ptr().cast(), other.len()) }, Err(MemoryError::InvalidArgument));
    assert_eq!(unsafe { heap.init_from_heap(raw) }, Err(MemoryError::InvalidArgument));

    assert_eq!(heap.raw_heap(), raw);
    assert_eq!(heap.stats(), before);
    assert!(unsafe { holds(p, 100, 7) });
    assert_eq!(heap.check(), Ok(()));
    unsafe { heap.dealloc(p, layout(100, 8)) };
    assert_eq!(heap.stats().current_allocations, 0);
}

#[test]
fn init_refuses_size_zero_and_null() {
    let heap = RtmHeap::empty();
    let arena = static_arena(4096);
    assert_eq!(unsafe { heap.init(arena.as_mut_ptr().cast(), 0) }, Err(MemoryError::InvalidArgument));
    assert!(unsafe { heap.init(ptr::null_mut(), 4096) }.is_err());
    assert_eq!(unsafe { heap.init_from_heap(ptr::null_mut()) }, Err(MemoryError::InvalidArgument));
    assert!(!heap.is_initialized());
    // Still usable afterwards.
    assert_eq!(unsafe { heap.init(arena.as_mut_ptr().cast(), arena.len()) }, Ok(()));
    assert!(heap.is_initialized());
}

#[test]
fn lazy_arena_initialises_on_first_allocation_once() {
    let arena = static_arena(32 * 1024);
    let heap = unsafe { RtmHeap::with_lazy_arena(arena.as_mut_ptr().cast(), arena.len()) };
    assert!(!heap.is_initialized());
    let p = unsafe { heap.alloc(layout(64, 16)) };
    assert!(!p.is_null() && p as usize % 16 == 0);
    assert!(heap.is_initialized());
    assert_eq!(heap.init_from_slice(static_arena(1024)), Err(MemoryError::InvalidArgument));
    unsafe { heap.dealloc(p, layout(64, 16)) };
    assert_eq!(heap.stats().total_deallocations, 1);
}

/// A random alloc/realloc/free workload through the shim with every block's
/// contents checked on each touch, alignment checked, and the heap's integrity
/// check passing throughout.
#[test]
fn random_workload_keeps_contents_and_integrity() {
    const ALIGNS: [usize; 8] = [1, 2, 4, 8, 16, 64, 256, 4096];
    for seed in [1u64, 2, 3, 0xDEAD_BEEF] {
        let heap = shim_over(512 * 1024);
        let mut rng = Rng::new(seed);
        let mut live: Vec<(*mut u8, Layout, u64)> = Vec::new();
        let mut tag = 0u64;
        let mut failures = 0usize;
        for op in 0..20_000 {
            let r = rng.range(0, 99);
            if r < 45 || live.is_empty() {
                let size = if rng.range(0, 9) == 0 { rng.range(1, 16 * 1024) } else { rng.range(1, 300) };
                let l = layout(size, ALIGNS[rng.range(0, ALIGNS.len() - 1)]);
                let p = unsafe { heap.alloc(l) };
                if p.is_null() {
                    failures += 1;
                    continue;
                }
                assert_eq!(p as usize % l.align(), 0, "alignment {}", l.align());
                tag += 1;
                unsafe { fill(p, size, tag) };
                live.push((p, l, tag));
            } else if r < 65 {
                let i = rng.range(0, live.len() - 1);
                let (p, l, t) = live[i];
                let new_size = rng.range(1, 2 * l.size() + 64);
                let q = unsafe { heap.realloc(p, l, new_size) };
                if q.is_null() {
                    failures += 1;
                    assert!(unsafe { holds(p, l.size(), t) }, "failed realloc changed the block");
                    continue;
                }
                assert_eq!(q as usize % l.align(), 0);
                assert!(unsafe { holds(q, l.size().min(new_size), t) }, "realloc lost contents");
                tag += 1;
                unsafe { fill(q, new_size, tag) };
                live[i] = (q, layout(new_size, l.align()), tag);
            } else {
                let (p, l, t) = live.swap_remove(rng.range(0, live.len() - 1));
                assert!(unsafe { holds(p, l.size(), t) }, "block overwritten (seed {seed}, op {op})");
                unsafe { heap.dealloc(p, l) };
            }
            if op % 97 == 0 {
                assert_eq!(heap.check(), Ok(()), "seed {seed}, op {op}");
                assert_eq!(heap.stats().current_allocations as usize, live.len());
            }
        }
        for (p, l, t) in live.drain(..) {
            assert!(unsafe { holds(p, l.size(), t) });
            unsafe { heap.dealloc(p, l) };
        }
        let s = heap.stats();
        assert_eq!(heap.check(), Ok(()));
        assert_eq!(s.current_allocations, 0);
        assert_eq!(s.bytes_in_use, 0);
        assert_eq!(s.allocation_failures as usize, failures);
        assert!(failures < 2_000, "the 512 KiB heap failed {failures} times");
    }
}

/// GlobalAlloc misuse is undefined behaviour for the caller, but the heap
/// under the shim refuses it and stays intact.
#[test]
fn misuse_through_the_shim_leaves_the_heap_intact() {
    let heap = shim_over(64 * 1024);
    let l = layout(48, 8);
    let keep = unsafe { heap.alloc(l) };
    let p = unsafe { heap.alloc(l) };
    assert!(!keep.is_null() && !p.is_null());
    unsafe { fill(keep, 48, 99) };
    unsafe { heap.dealloc(p, l) };
    heap.set_misuse_hook(Some(note_misuse));
    let before = heap.stats();

    let mut foreign = [0u64; 8];
    unsafe {
        heap.dealloc(p, l); // double free
        heap.dealloc(keep.add(8), l); // interior pointer
        heap.dealloc(foreign.as_mut_ptr().cast(), l); // foreign pointer
        assert!(heap.realloc(p, l, 64).is_null()); // realloc of a freed block
        assert!(heap.realloc(foreign.as_mut_ptr().cast(), l, 64).is_null());
    }
    assert_eq!(heap.check(), Ok(()));
    let after = heap.stats();
    assert_eq!(after.current_allocations, before.current_allocations);
    assert_eq!(after.total_deallocations, before.total_deallocations);
    assert_eq!(after.bytes_in_use, before.bytes_in_use);
    assert_eq!(after.misuse_count, before.misuse_count + 5, "every refused pointer is counted");
    assert_eq!(after.last_misuse, Some(MemoryError::InvalidPointer));
    let seen = MISUSES.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (MemoryError::DoubleFree, p as usize),
            (MemoryError::InvalidPointer, keep as usize + 8),
            (MemoryError::InvalidPointer, foreign.as_ptr() as usize),
            (MemoryError::DoubleFree, p as usize),
            (MemoryError::InvalidPointer, foreign.as_ptr() as usize),
        ],
        "the hook sees each refusal with its status and pointer"
    );
    assert!(unsafe { holds(keep, 48, 99) });
    // Running out of memory in realloc is no misuse.
    assert!(unsafe { heap.realloc(keep, l, 1 << 30) }.is_null());
    assert_eq!(heap.stats().misuse_count, after.misuse_count);
    // The freed block is handed out once, not twice.
    let a = unsafe { heap.alloc(l) };
    let b = unsafe { heap.alloc(l) };
    assert!(!a.is_null() && !b.is_null() && a != b);
}

static MISUSES: std::sync::Mutex<Vec<(MemoryError, usize)>> = std::sync::Mutex::new(Vec::new());
fn note_misuse(e: MemoryError, p: *mut u8) {
    MISUSES.lock().unwrap().push((e, p as usize));
}

/// Without a hook, a debug build stops at the first refused pointer, with the
/// status in the message (run in a child process: the panic aborts it).
#[test]
#[cfg(debug_assertions)]
fn misuse_without_a_hook_stops_a_debug_build() {
    if std::env::var_os("RTMEM_MISUSE_CHILD").is_some() {
        let heap = shim_over(16 * 1024);
        let l = layout(32, 8);
        let p = unsafe { heap.alloc(l) };
        unsafe { heap.dealloc(p, l) };
        unsafe { heap.dealloc(p, l) }; // double free: panics, aborts
        unreachable!("a refused pointer went unnoticed");
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "misuse_without_a_hook_stops_a_debug_build", "--nocapture", "--test-threads=1"])
        .env("RTMEM_MISUSE_CHILD", "1")
        .output()
        .expect("run the child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child must not survive the misuse");
    assert!(stderr.contains("rtmem: the heap refused pointer"), "panic message: {stderr}");
    assert!(stderr.contains("DoubleFree"), "the status is named: {stderr}");
    assert!(!stderr.contains("went unnoticed"));
}

#[test]
fn exhaustion_and_huge_requests_return_null() {
    let heap = shim_over(16 * 1024);
    unsafe {
        assert!(heap.alloc(layout(1 << 20, 8)).is_null());
        assert!(heap.alloc(layout(64, 1 << 20)).is_null());
        assert!(heap.alloc(layout(isize::MAX as usize - 4096, 8)).is_null());
    }
    let p = unsafe { heap.alloc(layout(1000, 8)) };
    assert!(!p.is_null());
    unsafe { fill(p, 1000, 5) };
    assert!(unsafe { heap.realloc(p, layout(1000, 8), 1 << 20) }.is_null());
    assert!(unsafe { holds(p, 1000, 5) });
    assert_eq!(heap.check(), Ok(()));
    assert!(heap.stats().allocation_failures >= 3);
}

#[test]
fn shares_a_heap_created_elsewhere() {
    let arena = static_arena(64 * 1024);
    let mut owner = Heap::new(arena).expect("heap");
    let shim = RtmHeap::empty();
    unsafe { shim.init_from_heap(owner.as_ptr()) }.expect("attach");
    let from_shim = unsafe { shim.alloc(layout(200, 8)) };
    let from_owner = owner.allocate(300, 8).expect("alloc");
    assert_eq!(owner.get_stats().current_allocations, 2);
    assert_eq!(shim.stats().heap, owner.get_stats());
    // Either side frees the other's block: it is one heap.
    unsafe { owner.deallocate(from_shim, 200) }.expect("free");
    unsafe { shim.dealloc(from_owner, layout(300, 8)) };
    assert_eq!(shim.stats().current_allocations, 0);
}

static SPIN_HEAP: RtmHeap<SpinLock> = RtmHeap::with_lock(SpinLock::new());

#[test]
fn spin_lock_serialises_threads() {
    SPIN_HEAP.init_from_slice(static_arena(1 << 20)).expect("init");
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            std::thread::spawn(move || {
                let mut rng = Rng::new(100 + t);
                let mut live = Vec::new();
                for i in 0..5_000u64 {
                    if live.len() < 32 && rng.range(0, 1) == 0 {
                        let size = rng.range(1, 256);
                        let p = unsafe { SPIN_HEAP.alloc(layout(size, 8)) };
                        assert!(!p.is_null());
                        unsafe { fill(p, size, t << 32 | i) };
                        live.push((p as usize, size, t << 32 | i));
                    } else if let Some((p, size, tag)) = live.pop() {
                        assert!(unsafe { holds(p as *const u8, size, tag) });
                        unsafe { SPIN_HEAP.dealloc(p as *mut u8, layout(size, 8)) };
                    }
                }
                for (p, size, _) in live {
                    unsafe { SPIN_HEAP.dealloc(p as *mut u8, layout(size, 8)) };
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("worker");
    }
    assert_eq!(SPIN_HEAP.check(), Ok(()));
    assert_eq!(SPIN_HEAP.stats().current_allocations, 0);
}

static ENTERS: AtomicUsize = AtomicUsize::new(0);
static EXITS: AtomicUsize = AtomicUsize::new(0);

fn count_enter() -> usize {
    ENTERS.fetch_add(1, Ordering::SeqCst) + 1000
}
fn count_exit(state: usize) {
    assert_eq!(state, ENTERS.load(Ordering::SeqCst) - 1 + 1000, "exit got enter's state");
    EXITS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn firmware_callbacks_bracket_every_call() {
    // SAFETY: only this test uses the heap, from one thread.
    let heap = RtmHeap::with_lock(unsafe { FnLock::new(count_enter, count_exit) });
    heap.init_from_slice(static_arena(16 * 1024)).expect("init");
    let p = unsafe { heap.alloc(layout(10, 8)) };
    let p = unsafe { heap.realloc(p, layout(10, 8), 20) };
    unsafe { heap.dealloc(p, layout(20, 8)) };
    let _ = heap.stats();
    assert_eq!(ENTERS.load(Ordering::SeqCst), 5);
    assert_eq!(EXITS.load(Ordering::SeqCst), 5);
}

#[test]
fn no_lock_variant_works_in_one_context() {
    // SAFETY: one thread, this test only.
    let heap = RtmHeap::with_lock(unsafe { NoLock::new() });
    let arena: &'static mut [MaybeUninit<u8>] = static_arena(8192);
    heap.init_from_slice(arena).expect("init");
    let p = unsafe { heap.alloc(layout(100, 32)) };
    assert!(!p.is_null() && p as usize % 32 == 0);
    unsafe { heap.dealloc(p, layout(100, 32)) };
    assert_eq!(heap.check(), Ok(()));
}
