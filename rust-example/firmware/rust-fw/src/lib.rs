// SPDX-License-Identifier: MIT OR Apache-2.0
//! no_std Rust firmware whose `#[global_allocator]` is an rtmem O(1) heap,
//! for QEMU's MPS2 boards (Cortex-M3 on AN385, Cortex-M4F on AN386).
//!
//! The board's reset handler (board/startup.c) calls `main`, whose result is
//! the exit status QEMU reports: the number of failed checks, 0 when every
//! check passed. The firmware checks its own results: collections and strings
//! on the heap, over-aligned blocks, exhaustion returning NULL instead of
//! aborting, a random workload with contents verified, misuse through the shim
//! (counted) and the safe API leaving the heap intact, the leak tracker, CRC
//! regions, red zones and the lock decorator, interrupt masking around heap
//! calls, and the statistics balancing at the end.

#![no_std]

extern crate alloc;

#[path = "../../board/board.rs"]
mod board;

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ptr::{self, addr_of_mut};

use rtmem::lock::InterruptFree;
use rtmem::{
    CorruptionDetectorStorage, LeakDetectorStorage, LockedAllocator, LockedAllocatorStorage, MemoryCorruptionDetector,
    MemoryLeakDetector, RedZoneGuard, RedZoneStorage,
};
use rtmem::{
    FreeListHeap, Heap, MPUManager, MemoryAccessType, MemoryAllocator, MemoryError, MemoryLayout, MemoryLayoutStorage,
    MemoryPermissions, MemoryRegion, MemoryRegionType, MpuBackend, MpuStorage, RtmHeap, StackArea, StackConfig,
    StackManager, StackManagerStorage,
};

/// The global allocator: empty until `main` gives it the arena; interrupt
/// masking (the default lock on bare-metal Arm) around every heap call.
#[global_allocator]
static HEAP: RtmHeap = RtmHeap::empty();

const ARENA_SIZE: usize = 256 * 1024;
static mut ARENA: [MaybeUninit<u8>; ARENA_SIZE] = [MaybeUninit::uninit(); ARENA_SIZE];

/// Counts failed checks and names them on the console.
struct Checks {
    run: u32,
    failed: u32,
}

impl Checks {
    fn check(&mut self, ok: bool, what: &str) {
        self.run += 1;
        if !ok {
            self.failed += 1;
            println!("  FAIL: {what}");
        }
    }
}

fn arena_contains(p: *const u8) -> bool {
    let start = addr_of_mut!(ARENA) as usize;
    (start..start + ARENA_SIZE).contains(&(p as usize))
}

fn primask() -> u32 {
    let r: u32;
    // SAFETY: reads a special register.
    unsafe { core::arch::asm!("mrs {0}, PRIMASK", out(reg) r, options(nomem, nostack, preserves_flags)) };
    r
}

fn init(c: &mut Checks) {
    c.check(!HEAP.is_initialized(), "heap empty before init");
    // SAFETY: the arena is used by nothing else, for the rest of the program.
    let arena = unsafe { &mut *addr_of_mut!(ARENA) };
    c.check(unsafe { HEAP.init(arena.as_mut_ptr().cast(), 0) } == Err(MemoryError::InvalidArgument), "init size 0 refused");
    c.check(HEAP.init_from_slice(arena).is_ok(), "init");
    static mut SECOND: [MaybeUninit<u8>; 1024] = [MaybeUninit::uninit(); 1024];
    // SAFETY: SECOND is not used by anything.
    let second = unsafe { &mut *addr_of_mut!(SECOND) };
    c.check(HEAP.init_from_slice(second) == Err(MemoryError::InvalidArgument), "second init refused");
    c.check(HEAP.check().is_ok(), "heap check after init");
}

fn collections(c: &mut Checks) {
    let mut v: Vec<u32> = Vec::new();
    for i in 0..10_000 {
        v.push(i);
    }
    c.check(arena_contains(v.as_ptr().cast()), "Vec storage is in the rtmem arena");
    c.check(v.iter().map(|&x| u64::from(x)).sum::<u64>() == 49_995_000, "Vec<u32> grown to 10000");

    let words: Vec<String> = (0..300).map(|i| format!("w{i:03}")).collect();
    let text = words.join(" ");
    let back: Vec<&str> = text.split(' ').collect();
    c.check(back.len() == 300 && back[123] == "w123" && text.len() == 300 * 5 - 1, "strings built and split");

    let mut map: BTreeMap<u32, String> = BTreeMap::new();
    for i in 0..2000u32 {
        map.insert(i.wrapping_mul(2_654_435_761) % 100_000, format!("{i}"));
    }
    let n = map.len();
    let mut removed = 0;
    for i in (0..2000u32).step_by(2) {
        removed += usize::from(map.remove(&(i.wrapping_mul(2_654_435_761) % 100_000)).is_some());
    }
    c.check(n == 2000 && removed == 1000 && map.len() == 1000, "BTreeMap inserts and removes");

    trait Shape {
        fn area(&self) -> u32;
    }
    struct Sq(u32);
    struct Rect(u32, u32, [u8; 40]);
    impl Shape for Sq {
        fn area(&self) -> u32 {
            self.0 * self.0
        }
    }
    impl Shape for Rect {
        fn area(&self) -> u32 {
            self.0 * self.1 + u32::from(self.2[39])
        }
    }
    let mut shapes: Vec<Box<dyn Shape>> = Vec::new();
    let mut total = 0;
    for i in 0..500u32 {
        if i % 3 == 0 {
            shapes.push(Box::new(Rect(i, 2, [1; 40])));
            total += i * 2 + 1;
        } else {
            shapes.push(Box::new(Sq(i)));
            total += i * i;
        }
        if i % 5 == 0 {
            total -= shapes.remove(0).area();
        }
    }
    c.check(shapes.iter().map(|s| s.area()).sum::<u32>() == total, "boxed trait objects");
}

fn alignment_and_exhaustion(c: &mut Checks) {
    for align in [16usize, 64, 256, 4096] {
        let l = Layout::from_size_align(100, align).unwrap();
        // SAFETY: freed right after.
        let p = unsafe { alloc::alloc::alloc(l) };
        c.check(!p.is_null() && p as usize % align == 0, "over-aligned block");
        // SAFETY: p came from alloc with l.
        unsafe { alloc::alloc::dealloc(p, l) };
    }
    let failures = HEAP.stats().allocation_failures;
    // SAFETY: a request the heap cannot meet; nothing to free. black_box keeps
    // the compiler from eliding the unused allocation.
    let p = core::hint::black_box(unsafe { alloc::alloc::alloc(core::hint::black_box(Layout::from_size_align(1 << 20, 8).unwrap())) });
    c.check(p.is_null(), "1 MiB from a 256 KiB heap is NULL, not an abort");
    c.check(HEAP.stats().allocation_failures == failures + 1, "the failure is counted");
    let mut v: Vec<u8> = Vec::new();
    c.check(v.try_reserve(1 << 20).is_err(), "try_reserve reports exhaustion");
}

fn random_workload(c: &mut Checks) {
    let mut seed = 0x1234_5678u32;
    let mut rnd = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed % n
    };
    let pattern = |tag: u32, i: usize| (tag as usize * 31 + i * 7) as u8;
    let mut live: Vec<(*mut u8, Layout, u32)> = Vec::with_capacity(64);
    let mut ok = true;
    for op in 0..3000u32 {
        if live.len() < 64 && (rnd(3) != 0 || live.is_empty()) {
            let l = Layout::from_size_align(1 + rnd(700) as usize, 1 << rnd(7)).unwrap();
            // SAFETY: freed below.
            let p = unsafe { HEAP.alloc(l) };
            if p.is_null() || p as usize % l.align() != 0 {
                ok = false;
                continue;
            }
            for i in 0..l.size() {
                // SAFETY: p has l.size() bytes.
                unsafe { p.add(i).write(pattern(op, i)) };
            }
            live.push((p, l, op));
        } else {
            let (p, l, tag) = live.swap_remove(rnd(live.len() as u32) as usize);
            // SAFETY: p is live with l.size() bytes.
            ok &= (0..l.size()).all(|i| unsafe { p.add(i).read() } == pattern(tag, i));
            if rnd(2) == 0 {
                let new_size = 1 + rnd(1200) as usize;
                // SAFETY: p is live, allocated with l.
                let q = unsafe { HEAP.realloc(p, l, new_size) };
                // SAFETY: q has at least min(old, new) bytes.
                ok &= !q.is_null() && (0..l.size().min(new_size)).all(|i| unsafe { q.add(i).read() } == pattern(tag, i));
                // SAFETY: q came from realloc with this layout's alignment.
                unsafe { HEAP.dealloc(q, Layout::from_size_align(new_size, l.align()).unwrap()) };
            } else {
                // SAFETY: p is live, allocated with l.
                unsafe { HEAP.dealloc(p, l) };
            }
        }
        if op % 100 == 0 {
            ok &= HEAP.check().is_ok();
        }
    }
    for (p, l, tag) in live {
        // SAFETY: as above.
        ok &= (0..l.size()).all(|i| unsafe { p.add(i).read() } == pattern(tag, i));
        // SAFETY: live block.
        unsafe { HEAP.dealloc(p, l) };
    }
    c.check(ok, "random workload: alignment, contents and integrity");
}

fn misuse(c: &mut Checks) {
    let before = HEAP.stats();
    let l = Layout::from_size_align(32, 8).unwrap();
    // SAFETY: deliberate misuse the heap must refuse: a double free, an
    // interior pointer and a foreign one, through the shim.
    unsafe {
        let p = HEAP.alloc(l);
        HEAP.dealloc(p, l);
        HEAP.dealloc(p, l);
        let q = HEAP.alloc(l);
        HEAP.dealloc(q.add(8), l);
        let mut foreign = [0u32; 8];
        HEAP.dealloc(foreign.as_mut_ptr().cast(), l);
        HEAP.dealloc(q, l);
    }
    let after = HEAP.stats();
    c.check(HEAP.check().is_ok(), "heap intact after misuse through the shim");
    c.check(after.current_allocations == before.current_allocations, "misuse freed nothing extra");
    c.check(after.misuse_count == before.misuse_count + 3, "release build: each refused pointer counted");
    c.check(after.last_misuse == Some(MemoryError::InvalidPointer), "the latest refusal's status kept");

    static mut SMALL: [MaybeUninit<u8>; 4096] = [MaybeUninit::uninit(); 4096];
    // SAFETY: SMALL is used by this heap only.
    let mut heap = match Heap::new(unsafe { &mut *addr_of_mut!(SMALL) }) {
        Ok(h) => h,
        Err(_) => return c.check(false, "Heap::new over 4 KiB"),
    };
    let p = heap.allocate(64, 8).unwrap_or(ptr::null_mut());
    let mut foreign = 0u64;
    c.check(heap.allocate(0, 8) == Err(MemoryError::InvalidArgument), "safe API: size 0");
    c.check(heap.allocate(16, 24) == Err(MemoryError::AlignmentError), "safe API: alignment 24");
    c.check(heap.allocate(8192, 8) == Err(MemoryError::OutOfMemory), "safe API: exhausted");
    c.check(unsafe { heap.deallocate(ptr::from_mut(&mut foreign).cast(), 8) } == Err(MemoryError::InvalidPointer), "safe API: foreign pointer");
    c.check(unsafe { heap.deallocate(p, 64) }.is_ok(), "safe API: free");
    c.check(unsafe { heap.deallocate(p, 64) } == Err(MemoryError::DoubleFree), "safe API: double free");
    c.check(heap.check().is_ok() && heap.get_stats().current_allocations == 0, "safe API: heap intact");
}

fn interrupt_mask(c: &mut Checks) {
    c.check(primask() == 0, "interrupts enabled in thread mode");
    let b = Box::new([7u8; 100]);
    c.check(primask() == 0, "allocation restores PRIMASK");
    // SAFETY: masking interrupts; restored below.
    unsafe { core::arch::asm!("cpsid i") };
    drop(b);
    c.check(primask() == 1, "a heap call inside a masked section keeps it masked");
    // SAFETY: unmask again.
    unsafe { core::arch::asm!("cpsie i") };
}

/// The seed's memory map, stacks and MPU on this core: a map of the board,
/// task stacks from a free-list heap with guards programmed into the real
/// Armv7-M MPU (QEMU emulates it), checked without touching a guard.
fn protection(c: &mut Checks) {
    static mut MAP: MemoryLayoutStorage<8> = MemoryLayoutStorage::new();
    // SAFETY: MAP is used here only, once.
    let Ok(mut map) = MemoryLayout::new(unsafe { &mut *addr_of_mut!(MAP) }) else {
        return c.check(false, "memory map");
    };
    let rx = MemoryPermissions { readable: true, executable: true, cacheable: true, ..Default::default() };
    let rw = MemoryPermissions { readable: true, writable: true, cacheable: true, ..Default::default() };
    let arena = addr_of_mut!(ARENA) as usize;
    let regions = [
        MemoryRegion { start_addr: 0, size: 4 << 20, region_type: MemoryRegionType::Code, permissions: rx, name: "ssram1".into(), used: 0 },
        MemoryRegion { start_addr: arena, size: ARENA_SIZE, region_type: MemoryRegionType::Heap, permissions: rw, name: "rtmem heap".into(), used: HEAP.stats().bytes_in_use },
        MemoryRegion { start_addr: 0x4000_0000, size: 0x1000_0000, region_type: MemoryRegionType::Device, permissions: MemoryPermissions { readable: true, writable: true, ..Default::default() }, name: "peripherals".into(), used: 0 },
    ];
    c.check(regions.iter().all(|r| map.add_region(*r).is_ok()), "memory map: board regions");
    c.check(map.add_region(MemoryRegion { start_addr: arena + 64, size: 64, ..regions[1] }) == Err(MemoryError::AddressOverlap), "memory map: overlap refused");
    c.check(map.find_region(arena + 100).is_some_and(|r| r.name.as_str() == "rtmem heap"), "memory map: lookup");
    c.check(map.get_memory_stats().heap_memory == ARENA_SIZE && map.check().is_ok(), "memory map: statistics");

    static mut MPU: MpuStorage = MpuStorage::new();
    // SAFETY: MPU is used here only, once.
    let Ok(mut mpu) = MPUManager::new(unsafe { &mut *addr_of_mut!(MPU) }, MpuBackend::armv7m()) else {
        return c.check(false, "the Armv7-M MPU is there");
    };
    c.check(mpu.max_regions() == 8, "MPU_TYPE reports 8 regions");
    static mut STACK_ARENA: [MaybeUninit<u8>; 16 * 1024] = [MaybeUninit::uninit(); 16 * 1024];
    // SAFETY: STACK_ARENA is used by this heap only.
    let Ok(mut stack_heap) = FreeListHeap::new(unsafe { &mut *addr_of_mut!(STACK_ARENA) }) else {
        return c.check(false, "stack heap");
    };
    static mut STACKS: StackManagerStorage<4> = StackManagerStorage::new();
    let config = StackConfig { default_stack_size: 1024, guard_size: 256, paint: true, require_guard: true, ..Default::default() };
    // SAFETY: STACKS is used here only, once.
    let Ok(mut stacks) = StackManager::new(unsafe { &mut *addr_of_mut!(STACKS) }, config, Some(stack_heap.allocator()), Some(&mut mpu)) else {
        return c.check(false, "stack manager");
    };
    let (Ok(a), Ok(b)) = (stacks.allocate_stack(1, None), stacks.allocate_stack(2, Some(2048))) else {
        return c.check(false, "two task stacks with MPU guards");
    };
    c.check(a.has_mpu_guard() && b.has_mpu_guard() && a.mpu_region != b.mpu_region, "each guard is an MPU region");
    c.check(stacks.find(b.stack_base as usize + 8) == Some((2, StackArea::Guard)), "a fault address in a guard names the task");
    // SAFETY: writes inside task 1's usable stack, as the task would.
    unsafe { a.stack_pointer.sub(200).write_bytes(1, 200) };
    c.check(stacks.high_water(1) == Ok(200), "painted stack high-water mark");
    drop(stacks);
    c.check(mpu.enable().is_ok(), "MPU enabled with the guards programmed");
    c.check(mpu.check_access(a.stack_base as usize, MemoryAccessType::Write) == Err(MemoryError::AccessViolation), "guard refuses writes");
    c.check(mpu.check_access(a.limit as usize, MemoryAccessType::Write).is_ok(), "the stack itself is writable");
    let v = Box::new(42u32); // code keeps running with the MPU on
    c.check(*v == 42 && mpu.disable().is_ok(), "MPU disabled again");
}

/// The firmware entry, called by the reset handler; the exit status.
#[no_mangle]
pub extern "C" fn main() -> i32 {
    let (major, minor, patch) = rtmem::version();
    println!("rtmem {major}.{minor}.{patch}: no_std Rust firmware, global allocator = rtmem O(1) heap ({} KiB)", ARENA_SIZE / 1024);
    let mut c = Checks { run: 0, failed: 0 };
    init(&mut c);
    collections(&mut c);
    alignment_and_exhaustion(&mut c);
    random_workload(&mut c);
    misuse(&mut c);
    detectors(&mut c);
    interrupt_mask(&mut c);
    protection(&mut c);
    shim_cost_probes(&mut c);

    let s = HEAP.stats();
    println!(
        "heap: {} allocations, {} frees, {} failed; peak {} B; now {} live blocks, {} B in use; {} B free",
        s.total_allocations,
        s.total_deallocations,
        s.allocation_failures,
        s.peak_memory_usage,
        s.current_allocations,
        s.bytes_in_use,
        s.free_bytes.unwrap_or(0)
    );
    c.check(s.current_allocations == 0 && s.bytes_in_use == 0, "every block given back");
    c.check(s.bytes_in_use as u64 == s.bytes_allocated - s.bytes_deallocated, "statistics balance");
    c.check(HEAP.check().is_ok(), "final heap check");
    println!("{} checks, {} failed", c.run, c.failed);
    c.failed as i32
}

/// A clock for the leak tracker: advanced by hand.
static mut TICKS: u64 = 0;
fn ticks() -> u64 {
    // SAFETY: single-threaded firmware; read only here and written in detectors().
    unsafe { TICKS }
}

/// The design's debugging tools on the MCU: the leak tracker, CRC regions,
/// red zones, and the lock decorator with interrupt masking.
fn detectors(c: &mut Checks) {
    static mut MEM: [MaybeUninit<u8>; 16 * 1024] = [MaybeUninit::uninit(); 16 * 1024];
    // SAFETY: MEM is used by this heap only.
    let mut heap = match Heap::new(unsafe { &mut *addr_of_mut!(MEM) }) {
        Ok(h) => h,
        Err(_) => return c.check(false, "Heap::new over 16 KiB"),
    };

    {
        let mut storage = LeakDetectorStorage::<8>::new();
        let mut leaks = match MemoryLeakDetector::new(&mut storage, heap.allocator(), ticks, 1000) {
            Ok(l) => l,
            Err(_) => return c.check(false, "MemoryLeakDetector::new"),
        };
        leaks.set_caller(probe_shim_alloc as *const () as usize);
        let forgotten = leaks.allocate(48, 8).unwrap_or(ptr::null_mut());
        let kept = leaks.allocate(16, 8).unwrap_or(ptr::null_mut());
        // SAFETY: single-threaded firmware.
        unsafe { TICKS = 5000 };
        let mut reported = (ptr::null_mut(), 0, 0);
        let n = leaks.check_leaks(|r| reported = (r.ptr, r.size, r.caller));
        c.check(n == 2 && leaks.check_leaks(|_| ()) == 0, "leak tracker: old blocks reported once");
        c.check(reported.0 == kept && reported.1 == 16, "leak tracker: the record names block and size");
        // SAFETY: both are live blocks of the tracker.
        let freed = unsafe { leaks.deallocate(kept, 16).is_ok() && leaks.deallocate(forgotten, 48).is_ok() };
        let s = leaks.get_stats();
        c.check(freed && s.detected_leaks == 2 && s.false_positives == 2, "leak tracker: statistics");
        println!("leak tracker: {} tracked, {} leaks ({} B), {} false positives", s.tracked_allocations, s.detected_leaks, s.total_leaked_bytes, s.false_positives);
    }

    {
        static TABLE: [u32; 16] = [7; 16];
        static mut CONFIG: [u8; 64] = [0x5A; 64];
        let mut storage = CorruptionDetectorStorage::<4>::new();
        let mut det = match MemoryCorruptionDetector::new(&mut storage, 1) {
            Ok(d) => d,
            Err(_) => return c.check(false, "MemoryCorruptionDetector::new"),
        };
        // SAFETY: TABLE is immutable; CONFIG is written only below, not during a check.
        let table = unsafe { core::slice::from_raw_parts(TABLE.as_ptr().cast::<u8>(), 64) };
        let ok = det.protect(table).is_ok();
        // SAFETY: as above.
        let config = unsafe { det.add_protected_region(addr_of_mut!(CONFIG).cast::<u8>(), 64) };
        c.check(ok && config.is_ok() && det.check_integrity().is_empty(), "CRC regions sealed and clean");
        // SAFETY: a deliberate stray write into the protected copy.
        unsafe { addr_of_mut!(CONFIG).cast::<u8>().add(10).write(0) };
        let found = det.check_integrity();
        c.check(found.total() == 1 && config.ok() == found.iter().next(), "CRC regions: the changed one found");
        println!("corruption detector: {} regions, {} checks, {} corruptions", det.get_stats().regions_monitored, det.get_stats().total_checks, det.get_stats().corruptions_detected);
    }

    {
        let mut storage = RedZoneStorage::new();
        let mut guard = match RedZoneGuard::new(&mut storage, heap.allocator(), None) {
            Ok(g) => g,
            Err(_) => return c.check(false, "RedZoneGuard::new"),
        };
        let p = guard.allocate(20, 8).unwrap_or(ptr::null_mut());
        // SAFETY: a deliberate one-byte overrun into the rear zone.
        unsafe { p.add(20).write(0xEE) };
        c.check(guard.check_all() == 1, "red zones: the overrun found by the walk");
        // SAFETY: p is live; the guard refuses and quarantines it.
        c.check(unsafe { guard.deallocate(p, 20) } == Err(MemoryError::CorruptedMetadata), "red zones: free refuses");
        c.check(guard.red_zone_stats().quarantined_blocks == 1, "red zones: the block is quarantined");
    }

    {
        let mut storage = LockedAllocatorStorage::new(InterruptFree::new());
        // SAFETY: the heap is used only through the decorator while it lives.
        let shared = match unsafe { LockedAllocator::new(&mut storage, heap.allocator()) } {
            Ok(s) => s,
            Err(_) => return c.check(false, "LockedAllocator::new"),
        };
        let p = shared.allocate(64, 8).unwrap_or(ptr::null_mut());
        // SAFETY: p is live.
        let freed = unsafe { shared.deallocate(p, 64) }.is_ok();
        c.check(!p.is_null() && freed && shared.check().is_ok(), "lock decorator with interrupt masking");
    }
    c.check(heap.check().is_ok(), "the heap under the detectors is intact");
}

// ---------------------------------------------------------------------------
// Probes for the shim's cost on this core: `make rust-bench` disassembles them
// and counts the instructions of each fast path. The `direct` pair is what C
// code does (handle in a global, status checked); the `shim` pair is what
// Rust's allocation calls reach.

/// The heap handle, as C code keeps it.
static mut DIRECT_HEAP: *mut rtmem::sys::rtm_heap_t = ptr::null_mut();

/// Allocate 24 bytes, 8-aligned, through the shim.
#[no_mangle]
#[inline(never)]
pub extern "C" fn probe_shim_alloc() -> *mut u8 {
    // SAFETY: freed by the caller.
    unsafe { HEAP.alloc(Layout::new::<[u64; 3]>()) }
}

/// Free through the shim.
#[no_mangle]
#[inline(never)]
pub extern "C" fn probe_shim_free(block: *mut u8) {
    // SAFETY: the block came from probe_shim_alloc (the layout is ignored).
    unsafe { HEAP.dealloc(block, Layout::new::<u64>()) }
}

/// Allocate 24 bytes, 8-aligned, by calling the C heap directly.
#[no_mangle]
#[inline(never)]
pub extern "C" fn probe_direct_alloc() -> *mut u8 {
    let mut out = ptr::null_mut();
    // SAFETY: DIRECT_HEAP is the live heap (set in shim_cost_probes).
    if unsafe { rtmem::sys::rtm_heap_alloc(DIRECT_HEAP, 24, 8, &mut out) } != rtmem::sys::RTM_OK {
        return ptr::null_mut();
    }
    out.cast()
}

/// Free by calling the C heap directly.
#[no_mangle]
#[inline(never)]
pub extern "C" fn probe_direct_free(block: *mut u8) {
    // SAFETY: as above.
    unsafe { rtmem::sys::rtm_heap_free(DIRECT_HEAP, block.cast()) };
}

fn shim_cost_probes(c: &mut Checks) {
    // SAFETY: single-threaded firmware; the handle is the shim's live heap.
    unsafe { DIRECT_HEAP = HEAP.raw_heap() };
    let p = core::hint::black_box(probe_shim_alloc());
    let q = core::hint::black_box(probe_direct_alloc());
    c.check(!p.is_null() && !q.is_null() && p != q, "probe allocations");
    probe_direct_free(p);
    probe_shim_free(q);
    c.check(HEAP.check().is_ok(), "one heap, reached both ways");
}
