// SPDX-License-Identifier: MIT OR Apache-2.0
//! Helpers shared by the integration tests: a PRNG, arenas, fill patterns.
#![allow(dead_code)]

use std::mem::MaybeUninit;

/// xorshift64*: deterministic, seedable, good enough for workloads.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in lo..=hi.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

/// A 'static arena of `size` bytes (leaked: tests are short-lived processes).
pub fn static_arena(size: usize) -> &'static mut [MaybeUninit<u8>] {
    Box::leak(vec![MaybeUninit::<u8>::uninit(); size].into_boxed_slice())
}

/// The byte a block with `tag` holds at offset `i`.
pub fn pattern(tag: u64, i: usize) -> u8 {
    (tag as usize).wrapping_mul(31).wrapping_add(i.wrapping_mul(7)) as u8 ^ (tag >> 8) as u8
}

/// Fill `len` bytes at `p` with the pattern of `tag`.
///
/// # Safety
/// `p` is valid for `len` bytes of writes.
pub unsafe fn fill(p: *mut u8, len: usize, tag: u64) {
    for i in 0..len {
        unsafe { p.add(i).write(pattern(tag, i)) };
    }
}

/// Whether the first `len` bytes at `p` hold the pattern of `tag`.
///
/// # Safety
/// `p` is valid for `len` bytes of reads.
pub unsafe fn holds(p: *const u8, len: usize, tag: u64) -> bool {
    (0..len).all(|i| unsafe { p.add(i).read() } == pattern(tag, i))
}
