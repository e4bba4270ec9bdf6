// SPDX-License-Identifier: MIT OR Apache-2.0
//! A bare-metal firmware that uses rtmem as a firmware project would: the
//! published crate as a dependency, the rtmem heap as `#[global_allocator]`,
//! `alloc`'s collections on top, statistics printed. Every check that fails
//! adds one to the exit status QEMU returns.

#![no_std]
#![no_main]

extern crate alloc;

mod board;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;
use core::mem::MaybeUninit;

use rtmem::lock::InterruptFree;
use rtmem::RtmHeap;

/// Both boards run one core and allocate only from thread mode: interrupt
/// masking is the right lock, chosen explicitly.
#[global_allocator]
static HEAP: RtmHeap<InterruptFree> = RtmHeap::with_lock(InterruptFree::new());

const ARENA_SIZE: usize = 128 * 1024;

macro_rules! println {
    ($($arg:tt)*) => {{
        let _ = writeln!(board::Console, $($arg)*);
    }};
}

struct Checks {
    failed: i32,
    passed: i32,
}

impl Checks {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("FAIL: {what}");
        }
    }
}

fn print_stats(label: &str) {
    let s = HEAP.stats();
    println!(
        "heap {label}: {} allocations live, {} bytes in use, {} allocs / {} frees in all, peak {} bytes, {} failed",
        s.current_allocations,
        s.bytes_in_use,
        s.total_allocations,
        s.total_deallocations,
        s.peak_memory_usage,
        s.allocation_failures
    );
}

#[no_mangle]
extern "C" fn firmware_main() -> ! {
    static mut ARENA: [MaybeUninit<u8>; ARENA_SIZE] = [MaybeUninit::uninit(); ARENA_SIZE];
    let mut c = Checks { failed: 0, passed: 0 };
    println!("rtmem-consumer on {}: rtmem {:?}", board::NAME, rtmem::version());

    board::set_interrupts(true);
    // SAFETY: ARENA is used by nothing else, for the rest of the program.
    let init = unsafe { HEAP.init(core::ptr::addr_of_mut!(ARENA).cast(), ARENA_SIZE) };
    c.check(init.is_ok(), "heap init");
    print_stats("after init");

    // Vec: growth by reallocation, contents kept.
    let mut v: Vec<u32> = Vec::new();
    for i in 0..2000u32 {
        v.push(i.wrapping_mul(2_654_435_761));
    }
    c.check(v.len() == 2000 && v.iter().enumerate().all(|(i, &x)| x == (i as u32).wrapping_mul(2_654_435_761)), "Vec contents");

    // BTreeMap with String keys and values.
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..300u32 {
        let mut key = String::new();
        let _ = write!(key, "sensor-{i:03}");
        map.insert(key, (i * i).to_string());
    }
    for i in (0..300u32).step_by(3) {
        let mut key = String::new();
        let _ = write!(key, "sensor-{i:03}");
        map.remove(&key);
    }
    c.check(map.len() == 200, "BTreeMap size after removals");
    c.check(map.get("sensor-017").map(String::as_str) == Some("289"), "BTreeMap lookup");
    c.check(map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b), "BTreeMap order");

    // String building.
    let mut text = String::new();
    for (k, val) in map.iter().take(5) {
        let _ = write!(text, "{k}={val};");
    }
    c.check(text.starts_with("sensor-001=1;sensor-002=4;"), "String contents");
    print_stats("with Vec, BTreeMap and String live");
    c.check(HEAP.stats().current_allocations >= 401, "live allocations counted");
    c.check(HEAP.check().is_ok(), "heap check with blocks live");
    c.check(!board::interrupts_masked(), "interrupts unmasked again after the heap calls");
    // A heap call made with interrupts masked leaves them masked.
    board::set_interrupts(false);
    let masked_box = alloc::boxed::Box::new([7u8; 100]);
    c.check(board::interrupts_masked(), "interrupts still masked after a heap call inside a critical section");
    drop(masked_box);
    c.check(board::interrupts_masked(), "... and after the free");
    board::set_interrupts(true);

    // Exhaustion: a failed allocation is an Err, the heap is unchanged.
    let mut big: Vec<u8> = Vec::new();
    c.check(big.try_reserve_exact(4 * ARENA_SIZE).is_err(), "impossible allocation refused");
    c.check(HEAP.stats().allocation_failures >= 1, "failed allocation counted");

    drop(v);
    drop(map);
    drop(text);
    drop(big);
    print_stats("after dropping everything");
    c.check(HEAP.stats().current_allocations == 0, "every block came back");
    c.check(HEAP.check().is_ok(), "heap check at the end");

    println!("rtmem-consumer: {} checks passed, {} failed", c.passed, c.failed);
    board::exit(c.failed)
}
