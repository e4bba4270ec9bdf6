// SPDX-License-Identifier: MIT OR Apache-2.0
//! The design's debugging tools from Rust: the leak tracker, the corruption
//! detector's CRC regions, the red-zone guard and the lock decorator. Each is
//! driven into the case it exists for (a leak, a changed region, an overrun,
//! threads sharing one allocator), and misuse is shown to give its error code
//! with the structure still consistent afterwards.

mod common;

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use rtmem::lock::{FnLock, SpinLock};
use rtmem::{
    crc32, CorruptionDetectorStorage, Heap, LeakDetectorStorage, LockedAllocator, LockedAllocatorStorage,
    MemoryAllocator, MemoryCorruptionDetector, MemoryError, MemoryLeakDetector, RedZoneGuard, RedZoneReport,
    RedZoneSide, RedZoneStorage, RegionId,
};

fn arena(size: usize) -> Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); size]
}

static NOW: AtomicU64 = AtomicU64::new(0);
fn clock() -> u64 {
    NOW.load(Ordering::Relaxed)
}

#[test]
fn leak_tracker_reports_old_blocks_once_and_counts_false_positives() {
    let mut mem = arena(64 * 1024);
    let mut heap = Heap::new(&mut mem).expect("heap");
    let mut storage = LeakDetectorStorage::<4>::new();
    NOW.store(1000, Ordering::Relaxed);
    let mut leaks = MemoryLeakDetector::new(&mut storage, heap.allocator(), clock, 100).expect("tracker");

    leaks.set_caller(0x1234);
    let old = leaks.allocate(40, 8).expect("old block");
    NOW.store(1050, Ordering::Relaxed);
    let young = leaks.allocate(80, 16).expect("young block");
    assert_eq!(young as usize % 16, 0);

    let rec = leaks.find(old).expect("record of the old block");
    assert_eq!((rec.ptr, rec.size, rec.timestamp, rec.caller, rec.reported), (old, 40, 1000, 0x1234, false));
    assert_eq!(leaks.find(young).map(|r| r.caller), Some(0), "the caller is consumed by one allocation");

    NOW.store(1120, Ordering::Relaxed);
    let mut seen = Vec::new();
    assert_eq!(leaks.check_leaks(|r| seen.push(*r)), 1);
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].ptr, seen[0].size), (old, 40));
    assert_eq!(leaks.check_leaks(|_| panic!("reported twice")), 0, "each leak is reported once");
    assert!(leaks.find(old).expect("still live").reported);

    let s = leaks.get_stats();
    assert_eq!((s.tracked_allocations, s.detected_leaks, s.total_leaked_bytes, s.live_records), (2, 1, 40, 2));

    // The reported block is freed after all: a false positive.
    unsafe { leaks.deallocate(old, 40) }.expect("free");
    assert_eq!(leaks.get_stats().false_positives, 1);
    assert_eq!(leaks.find(old), None);

    // Misuse: a foreign pointer and a double free give the heap's codes and
    // change neither the tracker nor the heap.
    let mut foreign = [0u64; 8];
    let before = (leaks.get_stats(), leaks.get_stats().live_records);
    assert_eq!(unsafe { leaks.deallocate(foreign.as_mut_ptr().cast(), 8) }, Err(MemoryError::InvalidPointer));
    assert_eq!(unsafe { leaks.deallocate(old, 40) }, Err(MemoryError::DoubleFree));
    assert_eq!((leaks.get_stats(), leaks.get_stats().live_records), before);
    assert_eq!(leaks.check(), Ok(()));
    assert!(leaks.find(young).is_some(), "the live block's record survived the misuse");

    // Full table: allocations still succeed, counted as untracked.
    let more: Vec<*mut u8> = (0..5).map(|_| leaks.allocate(16, 0).expect("alloc")).collect();
    let s = leaks.get_stats();
    assert_eq!((s.live_records, s.capacity, s.untracked_allocations), (4, 4, 2));
    for p in more {
        unsafe { leaks.deallocate(p, 16) }.expect("free, tracked or not");
    }

    // Disabled: blocks pass through unrecorded.
    leaks.disable();
    let quiet = leaks.allocate(24, 0).expect("alloc");
    assert_eq!(leaks.find(quiet), None);
    leaks.enable();
    unsafe { leaks.deallocate(quiet, 24) }.expect("free");
    unsafe { leaks.deallocate(young, 80) }.expect("free");
    assert_eq!(leaks.get_allocator_live(), 0);

    leaks.clear();
    assert_eq!(leaks.get_stats().detected_leaks, 0, "clear zeroes the statistics");
    assert_eq!(heap.check(), Ok(()));
    assert_eq!(heap.get_stats().current_allocations, 0);
}

/// A short name for the inner allocator's live count.
trait LiveCount {
    fn get_allocator_live(&self) -> u32;
}
impl<A: MemoryAllocator> LiveCount for A {
    fn get_allocator_live(&self) -> u32 {
        self.get_stats().current_allocations
    }
}

#[test]
fn crc32_is_the_ieee_one() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

#[test]
fn corruption_detector_finds_changed_regions_and_reseals() {
    let table: [u8; 64] = core::array::from_fn(|i| i as u8);
    let mut written = vec![0x5Au8; 256];
    let mut storage = CorruptionDetectorStorage::<2>::new();
    let mut det = MemoryCorruptionDetector::new(&mut storage, 1).expect("detector");
    let fixed = det.protect(&table).expect("protect the table");
    let area = written.as_mut_ptr();
    // SAFETY: `written` outlives the detector and is written only below, not during a check.
    let live = unsafe { det.add_protected_region(area, 256) }.expect("protect the buffer");
    assert_ne!(fixed, live);
    assert!(det.check_integrity().is_empty());

    // SAFETY: the buffer is ours; no check runs concurrently.
    unsafe { *area.add(100) ^= 1 };
    let found = det.check_integrity();
    assert_eq!(found.total(), 1);
    assert_eq!(found.iter().collect::<Vec<_>>(), vec![live]);
    assert_eq!(det.check_region(live), Err(MemoryError::CorruptedMetadata));
    assert_eq!(det.check_region(fixed), Ok(()));
    let s = det.get_stats();
    assert_eq!((s.corruptions_detected, s.regions_monitored), (1, 2));

    det.update_region(live).expect("re-seal after a legitimate write");
    assert!(det.check_integrity().is_empty());

    // Misuse: unknown ids, an empty region, a full table; nothing changes.
    let before = det.get_stats();
    assert_eq!(det.update_region(RegionId(7)), Err(MemoryError::InvalidArgument));
    assert_eq!(det.remove_region(RegionId(7)), Err(MemoryError::InvalidArgument));
    assert_eq!(det.check_region(RegionId(7)), Err(MemoryError::InvalidArgument));
    assert_eq!(det.protect(&[]), Err(MemoryError::InvalidArgument));
    assert_eq!(det.protect(&table[..8]), Err(MemoryError::OutOfMemory));
    assert_eq!(det.get_stats().regions_monitored, before.regions_monitored);
    assert!(det.check_integrity().is_empty());

    det.remove_region(live).expect("remove");
    unsafe { *area ^= 0xFF };
    assert!(det.check_integrity().is_empty(), "a removed region is no longer checked");
    assert_eq!(det.get_stats().regions_monitored, 1);
}

#[test]
fn corruption_detector_check_frequency_skips_calls() {
    let data = [1u8; 32];
    let mut storage = CorruptionDetectorStorage::<1>::new();
    let mut det = MemoryCorruptionDetector::new(&mut storage, 3).expect("detector");
    det.protect(&data).expect("protect");
    for _ in 0..6 {
        assert!(det.check_integrity().is_empty());
    }
    let s = det.get_stats();
    assert_eq!((s.total_checks, s.skipped_checks), (2, 4), "calls 1 and 4 check, the others skip");
}

/// (block, size, site, address, side, header damaged) of each report.
type Seen = (usize, usize, usize, usize, RedZoneSide, bool);
static REPORTS: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
fn record_report(r: &RedZoneReport) {
    REPORTS.lock().unwrap().push((r.block as usize, r.size, r.site, r.address, r.side, r.header_damaged));
}

#[test]
fn red_zones_catch_overruns_and_underruns_and_quarantine() {
    let mut mem = arena(64 * 1024);
    let mut heap = Heap::new(&mut mem).expect("heap");
    let mut storage = RedZoneStorage::new();
    let mut guard = RedZoneGuard::new(&mut storage, heap.allocator(), Some(record_report)).expect("guard");

    guard.set_site(0xABCD);
    let a = guard.allocate(24, 8).expect("a");
    let b = guard.allocate(100, 32).expect("b");
    assert_eq!(b as usize % 32, 0);
    assert_eq!(guard.check_all(), 0);
    assert_eq!(guard.red_zone_stats().live_blocks, 2);

    // Overrun of a by one byte: found on free, reported, quarantined.
    unsafe { *a.add(24) = 0 };
    assert_eq!(unsafe { guard.deallocate(a, 24) }, Err(MemoryError::CorruptedMetadata));
    {
        let reports = REPORTS.lock().unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0], (a as usize, 24, 0xABCD, a as usize + 24, RedZoneSide::Back, false));
    }
    let s = guard.red_zone_stats();
    assert_eq!((s.live_blocks, s.overruns_detected, s.quarantined_blocks), (1, 1, 1));

    // Underrun of b: found by the walk.
    unsafe { *b.sub(1) = 0x77 };
    assert_eq!(guard.check_all(), 1);
    assert_eq!(REPORTS.lock().unwrap().last().map(|r| (r.0, r.4)), Some((b as usize, RedZoneSide::Front)));

    // Misuse: foreign and interior pointers; the guard and heap stay intact.
    let mut foreign = [0u64; 16];
    let live_before = guard.red_zone_stats().live_blocks;
    assert_eq!(unsafe { guard.deallocate(foreign.as_mut_ptr().cast::<u8>().add(64), 8) }, Err(MemoryError::InvalidPointer));
    assert_eq!(unsafe { guard.deallocate(b.add(8), 8) }, Err(MemoryError::InvalidPointer));
    assert_eq!(guard.red_zone_stats().live_blocks, live_before);
    let c = guard.allocate(16, 0).expect("c");
    unsafe { guard.deallocate(c, 16) }.expect("free c");
    assert_eq!(unsafe { guard.deallocate(c, 16) }, Err(MemoryError::DoubleFree));
    assert_eq!(heap.check(), Ok(()), "the heap under the guard is intact");
    assert_eq!(heap.get_stats().current_allocations, 2, "a quarantined, b still live");
}

#[test]
fn lock_decorator_shares_a_heap_between_threads() {
    let mut mem = arena(256 * 1024);
    let mut heap = Heap::new(&mut mem).expect("heap");
    let mut storage = LockedAllocatorStorage::new(SpinLock::new());
    // SAFETY: the heap is used only through the decorator while it lives.
    let shared = unsafe { LockedAllocator::new(&mut storage, heap.allocator()) }.expect("decorator");
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let shared = &shared;
            s.spawn(move || {
                let mut rng = common::Rng::new(t + 1);
                let mut live: Vec<(*mut u8, usize)> = Vec::new();
                for _ in 0..3000 {
                    if live.len() < 32 && rng.next() % 3 != 0 {
                        let size = rng.range(1, 300);
                        let p = shared.allocate(size, 8).expect("alloc");
                        unsafe { common::fill(p, size, t) };
                        live.push((p, size));
                    } else if let Some((p, size)) = live.pop() {
                        assert!(unsafe { common::holds(p, size, t) }, "another thread wrote into this block");
                        unsafe { shared.deallocate(p, size) }.expect("free");
                    }
                }
                for (p, size) in live {
                    unsafe { shared.deallocate(p, size) }.expect("free");
                }
            });
        }
    });
    assert_eq!(shared.check(), Ok(()));
    let s = shared.get_stats();
    assert_eq!(s.current_allocations, 0);
    assert_eq!(s.total_allocations, s.total_deallocations);
    assert!(s.total_allocations > 4000);
}

static ENTERED: AtomicUsize = AtomicUsize::new(0);
static EXITED: AtomicUsize = AtomicUsize::new(0);
fn enter() -> usize {
    ENTERED.fetch_add(1, Ordering::SeqCst) + 1000
}
fn exit(state: usize) {
    assert_eq!(state, ENTERED.load(Ordering::SeqCst) - 1 + 1000, "exit gets the state of its enter");
    EXITED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn lock_decorator_brackets_every_call_and_passes_misuse_through() {
    let mut mem = arena(16 * 1024);
    let mut heap = Heap::new(&mut mem).expect("heap");
    // SAFETY: the callbacks count; only this test uses them.
    let mut storage = LockedAllocatorStorage::new(unsafe { FnLock::new(enter, exit) });
    // SAFETY: as above.
    let shared = unsafe { LockedAllocator::new(&mut storage, heap.allocator()) }.expect("decorator");
    let p = shared.allocate(64, 0).expect("alloc");
    let q = unsafe { shared.reallocate(p, 64, 200, 0) }.expect("realloc");
    assert_eq!(unsafe { shared.deallocate(q.add(8), 0) }, Err(MemoryError::InvalidPointer));
    unsafe { shared.deallocate(q, 200) }.expect("free");
    assert_eq!(unsafe { shared.deallocate(q, 200) }, Err(MemoryError::DoubleFree));
    assert_eq!(shared.check(), Ok(()));
    let _ = shared.get_stats();
    assert_eq!(ENTERED.load(Ordering::SeqCst), 7, "one section per call, misuse included");
    assert_eq!(EXITED.load(Ordering::SeqCst), 7);
    assert_eq!(shared.get_stats().current_allocations, 0);
}
