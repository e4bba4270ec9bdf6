// SPDX-License-Identifier: MIT OR Apache-2.0
//! The workloads and allocator plumbing shared by the Criterion benchmarks
//! (`benches/allocators.rs`), the results summary (`src/bin/bench-summary.rs`)
//! and the instruction counter (`src/bin/shim-cost.rs`).
//!
//! Two ways to reach an allocator:
//! * directly, through [`RawAlloc`]: `System`, the [`RtmHeap`] shim, or the C
//!   heap called without the shim ([`DirectHeap`]) — for alloc/free pairs and
//!   the random trace;
//! * through Rust's global allocator, [`Switch`], which hands out blocks from
//!   `System` or from an rtmem heap (through the shim, with or without its
//!   lock) depending on [`Mode`], and frees each block to the allocator that
//!   owns its address — for `Vec`, `Box` and `BTreeMap`. Every mode pays the
//!   same dispatch (a load and a branch to allocate, range checks to free), so
//!   the ratios compare the allocators.
//!
//! Every rtmem heap here has 1 MiB, as the targets of the benchmark specify.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::ptr::{self, addr_of_mut};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Once;

use rtmem::lock::NoLock;
use rtmem::{sys, RtmHeap};

/// Bytes in each rtmem heap.
pub const HEAP_SIZE: usize = 1 << 20;

#[repr(C, align(64))]
struct Arena([MaybeUninit<u8>; HEAP_SIZE]);

static mut SHARED_ARENA: Arena = Arena([MaybeUninit::uninit(); HEAP_SIZE]);
static mut PRIVATE_ARENA: Arena = Arena([MaybeUninit::uninit(); HEAP_SIZE]);

/// The shim with the host's default lock (a spin lock), as a program would
/// declare it. Used by [`Switch`] and directly.
pub static HEAP: RtmHeap = RtmHeap::empty();

/// The shim without a lock, over its own heap (this process's benchmarks run
/// on one thread): the cost of the lock is the difference to [`HEAP`].
/// [`DirectHeap`] calls the same heap without the shim.
// SAFETY: only the benchmark thread allocates from it.
pub static HEAP_NOLOCK: RtmHeap<NoLock> = RtmHeap::with_lock(unsafe { NoLock::new() });

static INIT: Once = Once::new();

/// Give [`HEAP`] and [`HEAP_NOLOCK`] their arenas (once).
pub fn init_heaps() {
    INIT.call_once(|| {
        // SAFETY: each arena is given to one heap, once, for the process.
        unsafe {
            HEAP.init(addr_of_mut!(SHARED_ARENA).cast(), HEAP_SIZE).expect("shared heap");
            HEAP_NOLOCK.init(addr_of_mut!(PRIVATE_ARENA).cast(), HEAP_SIZE).expect("private heap");
        }
    });
}

fn in_shared_arena(p: *mut u8) -> bool {
    let start = addr_of_mut!(SHARED_ARENA) as usize;
    (p as usize).wrapping_sub(start) < HEAP_SIZE
}

fn in_private_arena(p: *mut u8) -> bool {
    let start = addr_of_mut!(PRIVATE_ARENA) as usize;
    (p as usize).wrapping_sub(start) < HEAP_SIZE
}

/// Where [`Switch`] takes new blocks from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Rust's `System` allocator (glibc malloc here).
    System = 0,
    /// The rtmem O(1) heap through the shim ([`HEAP`]).
    RtmHeap = 1,
    /// The rtmem O(1) heap through the shim without a lock ([`HEAP_NOLOCK`]).
    RtmHeapNoLock = 2,
}

static MODE: AtomicU8 = AtomicU8::new(Mode::System as u8);

/// The global allocator of the benchmark binary.
pub struct Switch;

impl Switch {
    /// Run `f` with new blocks coming from `mode`, then switch back to System.
    pub fn with<R>(mode: Mode, f: impl FnOnce() -> R) -> R {
        init_heaps();
        MODE.store(mode as u8, Ordering::Relaxed);
        let r = f();
        MODE.store(Mode::System as u8, Ordering::Relaxed);
        r
    }
}

// SAFETY: every block comes from System or HEAP and goes back to the one whose
// address range holds it.
unsafe impl GlobalAlloc for Switch {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match MODE.load(Ordering::Relaxed) {
            1 => unsafe { HEAP.alloc(layout) },
            2 => unsafe { HEAP_NOLOCK.alloc(layout) },
            _ => unsafe { System.alloc(layout) },
        }
    }
    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if in_shared_arena(p) {
            unsafe { HEAP.dealloc(p, layout) }
        } else if in_private_arena(p) {
            unsafe { HEAP_NOLOCK.dealloc(p, layout) }
        } else {
            unsafe { System.dealloc(p, layout) }
        }
    }
    #[inline]
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if in_shared_arena(p) {
            unsafe { HEAP.realloc(p, layout, new_size) }
        } else if in_private_arena(p) {
            unsafe { HEAP_NOLOCK.realloc(p, layout, new_size) }
        } else {
            unsafe { System.realloc(p, layout, new_size) }
        }
    }
}

/// An allocator called directly by a benchmark.
pub trait RawAlloc {
    /// Allocate; NULL on failure.
    ///
    /// # Safety
    /// As `GlobalAlloc::alloc`.
    unsafe fn allocate(&self, layout: Layout) -> *mut u8;
    /// Free a block of this allocator.
    ///
    /// # Safety
    /// As `GlobalAlloc::dealloc`.
    unsafe fn free(&self, p: *mut u8, layout: Layout);
}

impl<G: GlobalAlloc> RawAlloc for G {
    #[inline(always)]
    unsafe fn allocate(&self, layout: Layout) -> *mut u8 {
        unsafe { self.alloc(layout) }
    }
    #[inline(always)]
    unsafe fn free(&self, p: *mut u8, layout: Layout) {
        unsafe { self.dealloc(p, layout) }
    }
}

/// The C heap of [`HEAP_NOLOCK`] called without the shim: what a C program
/// does, status checked.
pub struct DirectHeap(*mut sys::rtm_heap_t);

impl DirectHeap {
    /// The raw handle of [`HEAP_NOLOCK`].
    pub fn new() -> Self {
        init_heaps();
        Self(HEAP_NOLOCK.raw_heap())
    }
}

impl Default for DirectHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl RawAlloc for DirectHeap {
    #[inline(always)]
    unsafe fn allocate(&self, layout: Layout) -> *mut u8 {
        let mut out = ptr::null_mut();
        if unsafe { sys::rtm_heap_alloc(self.0, layout.size(), layout.align(), &mut out) } != 0 {
            return ptr::null_mut();
        }
        out.cast()
    }
    #[inline(always)]
    unsafe fn free(&self, p: *mut u8, _layout: Layout) {
        unsafe { sys::rtm_heap_free(self.0, p.cast()) };
    }
}

/// xorshift64: deterministic workloads.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
}

/// One step of an allocation trace.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Allocate `size` bytes into `slot`.
    Alloc { slot: u32, size: u32 },
    /// Free the block in `slot`.
    Free { slot: u32 },
}

/// A random alloc/free trace: sizes uniform in `min..=max`; it allocates until
/// the requested bytes reach `occupancy`, then mixes allocations and frees
/// around that level for `steady` operations, then frees everything.
pub struct Trace {
    /// The operations, in order.
    pub ops: Vec<Op>,
    /// How many slots the trace uses.
    pub slots: usize,
}

impl Trace {
    /// Generate a trace.
    pub fn random(seed: u64, min: usize, max: usize, occupancy: usize, steady: usize) -> Self {
        let mut rng = Rng::new(seed);
        let mut ops = Vec::new();
        let mut live: Vec<(u32, usize)> = Vec::new();
        let mut free_slots: Vec<u32> = Vec::new();
        let mut slots = 0u32;
        let mut bytes = 0usize;
        let mut step = 0usize;
        loop {
            let filling = step == 0 && bytes < occupancy;
            let allocate = if filling {
                true
            } else if step == steady {
                break;
            } else {
                step += 1;
                bytes < occupancy && (rng.next_u64() & 1 == 0 || live.is_empty())
            };
            if allocate {
                let slot = free_slots.pop().unwrap_or_else(|| {
                    slots += 1;
                    slots - 1
                });
                let size = rng.range(min, max);
                ops.push(Op::Alloc { slot, size: size as u32 });
                live.push((slot, size));
                bytes += size;
            } else {
                let (slot, size) = live.swap_remove(rng.range(0, live.len() - 1));
                ops.push(Op::Free { slot });
                free_slots.push(slot);
                bytes -= size;
            }
        }
        while let Some((slot, _)) = live.pop() {
            ops.push(Op::Free { slot });
        }
        Self { ops, slots: slots as usize }
    }

    /// Replay the trace on `a`, writing the first and last byte of every
    /// block; the number of failed allocations (0 expected).
    ///
    /// # Safety
    /// `slots` has `self.slots` entries; `a` is empty of the trace's blocks.
    #[inline(never)]
    pub unsafe fn replay<A: RawAlloc>(&self, a: &A, slots: &mut [(*mut u8, u32)]) -> usize {
        let mut failures = 0;
        for op in &self.ops {
            match *op {
                Op::Alloc { slot, size } => {
                    let l = Layout::from_size_align(size as usize, 8).expect("layout");
                    let p = unsafe { a.allocate(l) };
                    if p.is_null() {
                        failures += 1;
                    } else {
                        unsafe {
                            p.write(slot as u8);
                            p.add(size as usize - 1).write(slot as u8);
                        }
                    }
                    slots[slot as usize] = (p, size);
                }
                Op::Free { slot } => {
                    let (p, size) = slots[slot as usize];
                    if !p.is_null() {
                        let l = Layout::from_size_align(size as usize, 8).expect("layout");
                        unsafe { a.free(black_box(p), l) };
                    }
                }
            }
        }
        failures
    }
}

/// `Vec<u64>` grown by 10 000 pushes (reallocations along the way).
#[inline(never)]
pub fn vec_push() -> usize {
    let mut v: Vec<u64> = Vec::new();
    for i in 0..10_000u64 {
        v.push(black_box(i));
    }
    black_box(&v).len()
}

trait Payload {
    fn weight(&self) -> u64;
}
impl<const N: usize> Payload for [u64; N] {
    fn weight(&self) -> u64 {
        self[0] + self[N - 1]
    }
}

/// 10 000 steps over a ring of 256 boxed trait objects of four sizes
/// (16..200 B): each step drops one box and makes another.
#[inline(never)]
pub fn box_churn() -> u64 {
    let mut rng = Rng::new(7);
    let mut ring: Vec<Option<Box<dyn Payload>>> = (0..256).map(|_| None).collect();
    let mut sum = 0u64;
    for i in 0..10_000u64 {
        let b: Box<dyn Payload> = match rng.next_u64() & 3 {
            0 => Box::new([i; 2]),
            1 => Box::new([i; 6]),
            2 => Box::new([i; 12]),
            _ => Box::new([i; 25]),
        };
        let slot = (rng.next_u64() & 255) as usize;
        if let Some(old) = ring[slot].replace(b) {
            sum += old.weight();
        }
    }
    sum + ring.iter().flatten().map(|b| b.weight()).sum::<u64>()
}

/// 10 000 inserts of pseudo-random keys into a `BTreeMap<u32, u64>`, then
/// 10 000 removes in another order.
#[inline(never)]
pub fn btreemap() -> u64 {
    let mut map = BTreeMap::new();
    let mut rng = Rng::new(11);
    let keys: Vec<u32> = (0..10_000).map(|_| rng.next_u64() as u32).collect();
    for (i, &k) in keys.iter().enumerate() {
        map.insert(k, i as u64);
    }
    let mut sum = 0u64;
    for &k in keys.iter().rev() {
        sum = sum.wrapping_add(map.remove(&k).unwrap_or(0));
    }
    sum + map.len() as u64
}
