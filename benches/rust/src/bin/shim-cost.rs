// SPDX-License-Identifier: MIT OR Apache-2.0
//! Count the instructions the GlobalAlloc shim adds to a direct call of the
//! C heap, with callgrind (exact and deterministic on x86-64).
//!
//! Three loops of N alloc/free pairs of 64 bytes differ only in how they reach
//! the heap: `rtm_heap_alloc`/`rtm_heap_free` with the status checked (what C
//! code does), the shim with the host's default lock (a spin lock), and the
//! shim without a lock. The binary runs itself under
//! `valgrind --tool=callgrind` and reads the inclusive instruction counts of
//! the three loops: (shim - direct) / 2N is the cost per call.

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::process::{Command, ExitCode};

use rtmem_benches::{init_heaps, DirectHeap, RawAlloc, HEAP, HEAP_NOLOCK};

const N: u64 = 100_000;
const LOOPS: [&str; 3] = ["loop_direct", "loop_shim_spinlock", "loop_shim_nolock"];

#[inline(never)]
fn loop_direct(heap: &DirectHeap, layout: Layout) {
    for _ in 0..N {
        // SAFETY: allocated and freed right away.
        unsafe {
            let p = heap.allocate(black_box(layout));
            heap.free(black_box(p), layout);
        }
    }
}

#[inline(never)]
fn loop_shim_spinlock(layout: Layout) {
    for _ in 0..N {
        // SAFETY: as above.
        unsafe {
            let p = HEAP.alloc(black_box(layout));
            HEAP.dealloc(black_box(p), layout);
        }
    }
}

#[inline(never)]
fn loop_shim_nolock(layout: Layout) {
    for _ in 0..N {
        // SAFETY: as above.
        unsafe {
            let p = HEAP_NOLOCK.alloc(black_box(layout));
            HEAP_NOLOCK.dealloc(black_box(p), layout);
        }
    }
}

fn run_loops() {
    init_heaps();
    let layout = Layout::from_size_align(64, 8).unwrap();
    let direct = DirectHeap::new();
    loop_direct(&direct, layout);
    loop_shim_spinlock(layout);
    loop_shim_nolock(layout);
    assert_eq!(HEAP.stats().total_allocations as u64, N);
    assert_eq!(HEAP_NOLOCK.stats().total_allocations as u64, 2 * N);
}

/// Inclusive Ir of the function whose name ends in `name`, from
/// callgrind_annotate's output.
fn inclusive(annotated: &str, name: &str) -> Option<u64> {
    annotated.lines().find(|l| l.contains(&format!("::{name} ")) || l.trim_end().ends_with(&format!("::{name}"))).and_then(
        |l| l.split_whitespace().next().and_then(|n| n.replace(',', "").parse().ok()),
    )
}

fn main() -> ExitCode {
    if std::env::var_os("RTMEM_SHIM_COST_CHILD").is_some() {
        run_loops();
        return ExitCode::SUCCESS;
    }
    let exe = std::env::current_exe().expect("own path");
    let out = std::env::temp_dir().join(format!("rtmem-shim-cost.{}.callgrind", std::process::id()));
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .env("RTMEM_SHIM_COST_CHILD", "1")
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("shim-cost: valgrind failed ({s})");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("shim-cost: cannot run valgrind ({e}); install it (scripts/ensure-deps.sh bench)");
            return ExitCode::FAILURE;
        }
    }
    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(&out)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    let counts: Vec<Option<u64>> = LOOPS.iter().map(|l| inclusive(&annotated, l)).collect();
    let (Some(direct), Some(spin), Some(nolock)) = (counts[0], counts[1], counts[2]) else {
        eprintln!("shim-cost: loops not found in callgrind_annotate's output:\n{annotated}");
        return ExitCode::FAILURE;
    };
    let per_call = |ir: u64| (ir as f64 - direct as f64) / (2 * N) as f64;
    println!("instructions per alloc+free pair (x86-64, callgrind, {N} pairs of 64 B):");
    println!("  rtm_heap_alloc/free called directly:  {:.1}", direct as f64 / N as f64);
    println!("  through the shim, no lock:            {:.1}", nolock as f64 / N as f64);
    println!("  through the shim, default spin lock:  {:.1}", spin as f64 / N as f64);
    println!("shim cost over a direct C call, per call: {:.1} instructions without a lock, {:.1} with the spin lock", per_call(nolock), per_call(spin));
    ExitCode::SUCCESS
}
