// SPDX-License-Identifier: MIT OR Apache-2.0
//! The rtmem allocators through FFI against Rust's System allocator, on the
//! same workloads in the same run (`cargo bench`; HTML reports in
//! target/criterion/report/index.html; `bench-summary` prints the ratios).
//!
//! Function names within a group: `system` (Rust's System allocator),
//! `rtm_heap` (the O(1) heap through the GlobalAlloc shim with the host's
//! default lock), `rtm_heap_nolock` (the shim without a lock),
//! `rtm_heap_direct` (rtm_heap_alloc/rtm_heap_free called without the shim;
//! only where the workload calls the allocator itself).

use std::alloc::Layout;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use rtmem_benches::{
    box_churn, btreemap, init_heaps, vec_push, DirectHeap, Mode, RawAlloc, Switch, Trace, HEAP, HEAP_NOLOCK, HEAP_SIZE,
};

#[global_allocator]
static GLOBAL: Switch = Switch;

/// Pair sizes: one per size class of interest, 8 B to 4 KiB.
const PAIR_SIZES: [usize; 9] = [8, 16, 32, 64, 128, 256, 512, 1024, 4096];

fn pair<A: RawAlloc>(a: &A, layout: Layout) {
    // SAFETY: the block is freed right away, to the allocator it came from.
    unsafe {
        let p = a.allocate(black_box(layout));
        assert!(!p.is_null());
        a.free(black_box(p), layout);
    }
}

fn pairs(c: &mut Criterion) {
    init_heaps();
    let direct = DirectHeap::new();
    for size in PAIR_SIZES {
        let layout = Layout::from_size_align(size, 8).unwrap();
        let mut g = c.benchmark_group(format!("pair_{size}B"));
        g.bench_function("system", |b| b.iter(|| pair(&std::alloc::System, layout)));
        g.bench_function("rtm_heap", |b| b.iter(|| pair(&HEAP, layout)));
        g.bench_function("rtm_heap_nolock", |b| b.iter(|| pair(&HEAP_NOLOCK, layout)));
        g.bench_function("rtm_heap_direct", |b| b.iter(|| pair(&direct, layout)));
        g.finish();
    }
}

fn trace(c: &mut Criterion) {
    init_heaps();
    let direct = DirectHeap::new();
    let t = Trace::random(2024, 8, 256, HEAP_SIZE / 2, 20_000);
    let mut slots = vec![(std::ptr::null_mut(), 0u32); t.slots];
    let mut g = c.benchmark_group("trace_8-256B_50pct");
    // SAFETY: each replay frees every block it allocated.
    g.bench_function("system", |b| b.iter(|| unsafe { t.replay(&std::alloc::System, &mut slots) }));
    g.bench_function("rtm_heap", |b| b.iter(|| assert_eq!(unsafe { t.replay(&HEAP, &mut slots) }, 0)));
    g.bench_function("rtm_heap_nolock", |b| b.iter(|| assert_eq!(unsafe { t.replay(&HEAP_NOLOCK, &mut slots) }, 0)));
    g.bench_function("rtm_heap_direct", |b| b.iter(|| assert_eq!(unsafe { t.replay(&direct, &mut slots) }, 0)));
    g.finish();
}

/// A workload through the global allocator, once per mode.
fn through_global<R>(c: &mut Criterion, group: &str, work: fn() -> R) {
    let mut g = c.benchmark_group(group);
    g.bench_function("system", |b| Switch::with(Mode::System, || b.iter(work)));
    g.bench_function("rtm_heap", |b| Switch::with(Mode::RtmHeap, || b.iter(work)));
    g.bench_function("rtm_heap_nolock", |b| Switch::with(Mode::RtmHeapNoLock, || b.iter(work)));
    g.finish();
    for (stats, check) in [(HEAP.stats(), HEAP.check()), (HEAP_NOLOCK.stats(), HEAP_NOLOCK.check())] {
        assert_eq!(stats.current_allocations, 0, "{group} leaked into a heap");
        assert_eq!(check, Ok(()));
    }
}

fn collections(c: &mut Criterion) {
    through_global(c, "vec_u64_push_10000", vec_push);
    through_global(c, "box_churn_10000", box_churn);
    through_global(c, "btreemap_u32_u64_10000", btreemap);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = trace, collections, pairs
}
criterion_main!(benches);
