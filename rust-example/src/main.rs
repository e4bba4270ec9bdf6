// SPDX-License-Identifier: MIT OR Apache-2.0
//! rtmem on a host: every allocation of this program — std's runtime, the
//! collections, the strings, the threads — comes from an rtmem O(1) heap
//! through the `GlobalAlloc` shim.
//!
//! Workloads: a small expression language (tokenizer, recursive-descent parser
//! building a boxed AST, interpreter with string-keyed variables) and a
//! message-routing simulation (event queue, per-link queues, variable-size
//! payloads, per-node statistics in a BTreeMap), the latter also on several
//! threads at once. Each checks its own results; the heap's statistics are
//! printed after each phase and its integrity check must pass. The exit
//! status is the verdict.

mod interp;
mod sim;

use std::mem::MaybeUninit;
use std::process::ExitCode;
use std::ptr::addr_of_mut;

use rtmem::{AllocatorStats, RtmHeap};

const ARENA_SIZE: usize = 8 << 20;
static mut ARENA: [MaybeUninit<u8>; ARENA_SIZE] = [MaybeUninit::uninit(); ARENA_SIZE];

/// The program's allocator. The arena is handed over up front because std
/// allocates before `main`; the default lock on a host is a spin lock.
#[global_allocator]
// SAFETY: ARENA is used by nothing but this heap, for the whole program.
static HEAP: RtmHeap = unsafe { RtmHeap::with_lazy_arena(addr_of_mut!(ARENA).cast(), ARENA_SIZE) };

fn report(phase: &str, s: &AllocatorStats) {
    let opt = |v: Option<usize>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v} B"));
    let frag = s.fragmentation().map_or_else(|| "n/a".to_string(), |f| format!("{:.1}%", f * 100.0));
    println!(
        "  heap after {phase:<11}: {} live blocks, {} B in use, peak {} B; {} allocations, {} frees, {} failed; free {}, largest free {}, fragmentation {frag}",
        s.current_allocations,
        s.bytes_in_use,
        s.peak_memory_usage,
        s.total_allocations,
        s.total_deallocations,
        s.allocation_failures,
        opt(s.free_bytes),
        opt(s.largest_free_block),
    );
}

fn main() -> ExitCode {
    let (major, minor, patch) = rtmem::version();
    println!("rtmem {major}.{minor}.{patch}: this program's global allocator is an rtmem O(1) heap of {} KiB", ARENA_SIZE / 1024);
    let mut failures = Vec::new();
    report("start", &HEAP.stats());

    match interp::selftest() {
        Ok(summary) => println!("interpreter: {summary}"),
        Err(e) => failures.push(format!("interpreter: {e}")),
    }
    report("interpreter", &HEAP.stats());

    match sim::run(sim::Config::default()) {
        Ok(summary) => println!("simulation:  {summary}"),
        Err(e) => failures.push(format!("simulation: {e}")),
    }
    report("simulation", &HEAP.stats());

    let threads: Vec<_> = (0..4u64)
        .map(|t| std::thread::spawn(move || sim::run(sim::Config { seed: 0x5eed + t, ..sim::Config::default() })))
        .collect();
    for (t, h) in threads.into_iter().enumerate() {
        match h.join() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => failures.push(format!("simulation thread {t}: {e}")),
            Err(_) => failures.push(format!("simulation thread {t} panicked")),
        }
    }
    println!("4 threads:   4 more simulations ran concurrently on the same heap");
    let end = HEAP.stats();
    report("threads", &end);

    if let Err(e) = HEAP.check() {
        failures.push(format!("heap check: {e}"));
    }
    if end.bytes_in_use as u64 != end.bytes_allocated - end.bytes_deallocated {
        failures.push("heap statistics disagree with themselves".into());
    }
    if failures.is_empty() {
        println!("heap check: OK; all results verified");
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("FAILED: {f}");
        }
        ExitCode::FAILURE
    }
}
