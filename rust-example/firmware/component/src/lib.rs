// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Rust half of the mixed C/Rust firmware: a telemetry log kept in Rust
//! collections, called from C (mixed/main.c) through `include/telemetry.h`,
//! which cbindgen generates from this file (`make bindings`).
//!
//! C owns the heap: it creates an rtmem O(1) heap and hands it over with
//! [`telemetry_attach_heap`], after which Rust's global allocator (the rtmem
//! shim) allocates from that same heap. Blocks cross the boundary both ways:
//! C passes text it allocated for Rust to parse, and Rust returns a rendered
//! report allocated from the heap that C frees with `rtm_heap_free`.

#![no_std]

extern crate alloc;

#[path = "../../board/board.rs"]
mod board;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_char;
use core::fmt::Write;
use core::mem::{align_of, offset_of, size_of};
use core::ptr;

use rtmem::{sys, MemoryError, RtmHeap};

/// Shares the C heap: interrupt masking around every call (the default on
/// bare-metal Arm); C uses the heap from the same single thread.
#[global_allocator]
static HEAP: RtmHeap = RtmHeap::empty();

/// `telemetry_abi` selector: the size of `rtm_alloc_stats_t`.
pub const TELEMETRY_ABI_ALLOC_STATS_SIZE: u32 = 0;
/// `telemetry_abi` selector: the offset of `rtm_alloc_stats_t.total_allocations`.
pub const TELEMETRY_ABI_ALLOC_STATS_TOTAL_ALLOCATIONS: u32 = 1;
/// `telemetry_abi` selector: the offset of `rtm_alloc_stats_t.flags`.
pub const TELEMETRY_ABI_ALLOC_STATS_FLAGS: u32 = 2;
/// `telemetry_abi` selector: the size of `rtm_allocator_ops_t`.
pub const TELEMETRY_ABI_ALLOCATOR_OPS_SIZE: u32 = 3;
/// `telemetry_abi` selector: the offset of `rtm_allocator_ops_t.check`.
pub const TELEMETRY_ABI_ALLOCATOR_OPS_CHECK: u32 = 4;
/// `telemetry_abi` selector: the size of `rtm_allocator_t`.
pub const TELEMETRY_ABI_ALLOCATOR_SIZE: u32 = 5;
/// `telemetry_abi` selector: the alignment of `rtm_alloc_stats_t`.
pub const TELEMETRY_ABI_ALLOC_STATS_ALIGN: u32 = 6;

/// Sizes, offsets and alignments of rtmem types as the Rust bindings see them,
/// for C to compare with its own `sizeof`/`offsetof`: a check that gcc and the
/// bindings agree on the ABI. `SIZE_MAX` for an unknown selector.
#[no_mangle]
pub extern "C" fn telemetry_abi(selector: u32) -> usize {
    match selector {
        TELEMETRY_ABI_ALLOC_STATS_SIZE => size_of::<sys::rtm_alloc_stats_t>(),
        TELEMETRY_ABI_ALLOC_STATS_TOTAL_ALLOCATIONS => offset_of!(sys::rtm_alloc_stats_t, total_allocations),
        TELEMETRY_ABI_ALLOC_STATS_FLAGS => offset_of!(sys::rtm_alloc_stats_t, flags),
        TELEMETRY_ABI_ALLOCATOR_OPS_SIZE => size_of::<sys::rtm_allocator_ops_t>(),
        TELEMETRY_ABI_ALLOCATOR_OPS_CHECK => offset_of!(sys::rtm_allocator_ops_t, check),
        TELEMETRY_ABI_ALLOCATOR_SIZE => size_of::<sys::rtm_allocator_t>(),
        TELEMETRY_ABI_ALLOC_STATS_ALIGN => align_of::<sys::rtm_alloc_stats_t>(),
        _ => usize::MAX,
    }
}

/// Make `heap` (created by C with `rtm_heap_init`) the heap of Rust's global
/// allocator. Call once, before any other `telemetry_*` function.
///
/// Returns `RTM_OK`, or `RTM_ERR_INVALID_ARG` for NULL or a second call.
///
/// # Safety
/// `heap` is a live rtmem heap for the rest of the program, used by C only
/// from the thread that calls the `telemetry_*` functions.
#[no_mangle]
pub unsafe extern "C" fn telemetry_attach_heap(heap: *mut sys::rtm_heap_t) -> sys::rtm_status_t {
    // SAFETY: the caller's contract is init_from_heap's.
    match unsafe { HEAP.init_from_heap(heap) } {
        Ok(()) => sys::RTM_OK,
        Err(e) => e.status(),
    }
}

/// A telemetry log: samples per sensor, and sensor names. Opaque to C.
pub struct Telemetry {
    samples: BTreeMap<u32, Vec<i32>>,
    names: BTreeMap<u32, String>,
}

/// A summary of one sensor, filled in by [`telemetry_summary`].
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct TelemetrySummary {
    /// Number of samples.
    pub count: u32,
    /// Smallest sample.
    pub min: i32,
    /// Largest sample.
    pub max: i32,
    /// Sum of the samples.
    pub sum: i64,
}

/// A new, empty log (NULL when the heap is exhausted). Free it with
/// [`telemetry_free`].
#[no_mangle]
pub extern "C" fn telemetry_new() -> *mut Telemetry {
    let log = Telemetry { samples: BTreeMap::new(), names: BTreeMap::new() };
    alloc::boxed::Box::into_raw(alloc::boxed::Box::new(log))
}

/// Free a log and everything in it. NULL is ignored.
///
/// # Safety
/// `log` is NULL or from [`telemetry_new`], not freed before.
#[no_mangle]
pub unsafe extern "C" fn telemetry_free(log: *mut Telemetry) {
    if !log.is_null() {
        // SAFETY: the caller's contract: a live log from telemetry_new.
        drop(unsafe { alloc::boxed::Box::from_raw(log) });
    }
}

/// Record one sample. Returns `RTM_OK`, or `RTM_ERR_INVALID_ARG` for NULL.
///
/// # Safety
/// `log` is NULL or a live log.
#[no_mangle]
pub unsafe extern "C" fn telemetry_record(log: *mut Telemetry, sensor: u32, value: i32) -> sys::rtm_status_t {
    // SAFETY: NULL or live (caller).
    let Some(log) = (unsafe { log.as_mut() }) else { return MemoryError::InvalidArgument.status() };
    log.samples.entry(sensor).or_default().push(value);
    sys::RTM_OK
}

/// Parse `len` bytes of text: lines `name#id=value,value,...` (e.g.
/// `temp#3=21,22,-4`). Returns the number of samples recorded, or a negative
/// status: `RTM_ERR_INVALID_ARG` for NULL or malformed text (then nothing is
/// recorded).
///
/// # Safety
/// `log` is NULL or a live log; `text` is NULL or valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn telemetry_parse(log: *mut Telemetry, text: *const c_char, len: usize) -> i32 {
    // SAFETY: NULL or live (caller).
    let Some(log) = (unsafe { log.as_mut() }) else { return MemoryError::InvalidArgument.status() };
    if text.is_null() {
        return MemoryError::InvalidArgument.status();
    }
    // SAFETY: text is valid for len bytes (caller).
    let bytes = unsafe { core::slice::from_raw_parts(text.cast::<u8>(), len) };
    let Ok(text) = core::str::from_utf8(bytes) else { return MemoryError::InvalidArgument.status() };
    let Some(parsed) = parse(text) else { return MemoryError::InvalidArgument.status() };
    let mut n = 0;
    for (id, name, values) in parsed {
        n += values.len() as i32;
        log.names.insert(id, String::from(name));
        log.samples.entry(id).or_default().extend(values);
    }
    n
}

/// Parse every line first, so a malformed one records nothing.
fn parse(text: &str) -> Option<Vec<(u32, &str, Vec<i32>)>> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (head, values) = line.split_once('=')?;
        let (name, id) = head.split_once('#')?;
        let values: Option<Vec<i32>> = values.split(',').map(|v| v.trim().parse().ok()).collect();
        out.push((id.parse().ok()?, name, values?));
    }
    Some(out)
}

/// Summarise one sensor into `*out`. Returns `RTM_OK`;
/// `RTM_ERR_INVALID_ARG` for NULL arguments or a sensor without samples.
///
/// # Safety
/// `log` is NULL or a live log; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn telemetry_summary(
    log: *const Telemetry,
    sensor: u32,
    out: *mut TelemetrySummary,
) -> sys::rtm_status_t {
    // SAFETY: NULL or live (caller).
    let (Some(log), false) = (unsafe { log.as_ref() }, out.is_null()) else {
        return MemoryError::InvalidArgument.status();
    };
    let Some(v) = log.samples.get(&sensor).filter(|v| !v.is_empty()) else {
        return MemoryError::InvalidArgument.status();
    };
    let s = TelemetrySummary {
        count: v.len() as u32,
        min: v.iter().copied().min().unwrap_or(0),
        max: v.iter().copied().max().unwrap_or(0),
        sum: v.iter().map(|&x| i64::from(x)).sum(),
    };
    // SAFETY: out is writable (caller).
    unsafe { out.write(s) };
    sys::RTM_OK
}

/// Render the log as NUL-terminated text, one line per sensor. The buffer is
/// allocated from the shared heap with `rtm_heap_alloc`: the caller owns it
/// and frees it with `rtm_heap_free`. NULL when `log` is NULL or the heap is
/// exhausted.
///
/// # Safety
/// `log` is NULL or a live log.
#[no_mangle]
pub unsafe extern "C" fn telemetry_render(log: *const Telemetry) -> *mut c_char {
    // SAFETY: NULL or live (caller).
    let Some(log) = (unsafe { log.as_ref() }) else { return ptr::null_mut() };
    let mut text = String::new();
    for (id, v) in &log.samples {
        let name = log.names.get(id).map_or("sensor", String::as_str);
        let sum: i64 = v.iter().map(|&x| i64::from(x)).sum();
        let _ = writeln!(text, "{name}#{id}: {} samples, mean {}", v.len(), sum / v.len().max(1) as i64);
    }
    let mut out = ptr::null_mut();
    // SAFETY: the heap is the attached one (or NULL before attach, refused).
    if unsafe { sys::rtm_heap_alloc(HEAP.raw_heap(), text.len() + 1, 1, &mut out) } != sys::RTM_OK {
        return ptr::null_mut();
    }
    let out = out.cast::<u8>();
    // SAFETY: out has text.len() + 1 bytes.
    unsafe {
        ptr::copy_nonoverlapping(text.as_ptr(), out, text.len());
        out.add(text.len()).write(0);
    }
    out.cast()
}
