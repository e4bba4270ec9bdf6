// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`MemoryLayout`] (the seed's) over the memory map `rtm_memmap_t`.

use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::{sys, MemoryError};

/// A region's type. A newtype over the C value rather than an enum, so a value
/// from C never becomes an invalid Rust enum; the associated constants carry
/// the seed's variant names, so `MemoryRegionType::Heap` reads and matches as
/// in the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryRegionType(pub u32);

#[allow(non_upper_case_globals)]
impl MemoryRegionType {
    /// Code (`RTM_REGION_CODE`).
    pub const Code: Self = Self(sys::RTM_REGION_CODE);
    /// Initialised data (`RTM_REGION_DATA`).
    pub const Data: Self = Self(sys::RTM_REGION_DATA);
    /// Zero-initialised data (`RTM_REGION_BSS`).
    pub const Bss: Self = Self(sys::RTM_REGION_BSS);
    /// Stacks (`RTM_REGION_STACK`).
    pub const Stack: Self = Self(sys::RTM_REGION_STACK);
    /// A heap: the only type whose unused bytes count as free memory.
    pub const Heap: Self = Self(sys::RTM_REGION_HEAP);
    /// Peripherals (`RTM_REGION_DEVICE`).
    pub const Device: Self = Self(sys::RTM_REGION_DEVICE);
    /// Reserved (`RTM_REGION_RESERVED`).
    pub const Reserved: Self = Self(sys::RTM_REGION_RESERVED);
}

/// Access permissions (the seed's `MemoryPermissions`, plus `unprivileged`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MemoryPermissions {
    /// Readable.
    pub readable: bool,
    /// Writable.
    pub writable: bool,
    /// Executable.
    pub executable: bool,
    /// Normal, cacheable memory (else device / strongly ordered).
    pub cacheable: bool,
    /// Accessible from unprivileged code too (else privileged only).
    pub unprivileged: bool,
}

impl MemoryPermissions {
    /// From `RTM_PERM_*` bits (unknown bits are ignored).
    pub const fn from_raw(bits: sys::rtm_perm_t) -> Self {
        Self {
            readable: bits & sys::RTM_PERM_READ != 0,
            writable: bits & sys::RTM_PERM_WRITE != 0,
            executable: bits & sys::RTM_PERM_EXEC != 0,
            cacheable: bits & sys::RTM_PERM_CACHEABLE != 0,
            unprivileged: bits & sys::RTM_PERM_UNPRIV != 0,
        }
    }

    /// As `RTM_PERM_*` bits.
    pub const fn to_raw(self) -> sys::rtm_perm_t {
        const fn bit(on: bool, b: u32) -> u32 {
            if on {
                b
            } else {
                0
            }
        }
        bit(self.readable, sys::RTM_PERM_READ)
            | bit(self.writable, sys::RTM_PERM_WRITE)
            | bit(self.executable, sys::RTM_PERM_EXEC)
            | bit(self.cacheable, sys::RTM_PERM_CACHEABLE)
            | bit(self.unprivileged, sys::RTM_PERM_UNPRIV)
    }
}

/// A region name: up to `RTM_REGION_NAME_SIZE - 1` bytes (15), truncated at a
/// character boundary when longer. The seed used a 32-byte heapless string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RegionName([u8; sys::RTM_REGION_NAME_SIZE as usize]);

impl RegionName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        // Names are built from &str, cut at a char boundary; C names that are
        // not UTF-8 show up to their first invalid byte.
        match core::str::from_utf8(&self.0[..len]) {
            Ok(s) => s,
            Err(e) => core::str::from_utf8(&self.0[..e.valid_up_to()]).unwrap_or(""),
        }
    }

    fn from_c(name: &[core::ffi::c_char; sys::RTM_REGION_NAME_SIZE as usize]) -> Self {
        const LAST: usize = sys::RTM_REGION_NAME_SIZE as usize - 1;
        let mut bytes = [0u8; sys::RTM_REGION_NAME_SIZE as usize];
        for (b, &c) in bytes[..LAST].iter_mut().zip(name.iter()) {
            *b = c as u8;
        }
        Self(bytes)
    }
}

impl From<&str> for RegionName {
    fn from(s: &str) -> Self {
        let mut end = s.len().min(sys::RTM_REGION_NAME_SIZE as usize - 1);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; sys::RTM_REGION_NAME_SIZE as usize];
        bytes[..end].copy_from_slice(&s.as_bytes()[..end]);
        Self(bytes)
    }
}

impl fmt::Debug for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A region of the memory map (the seed's `MemoryRegion`, plus `used`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryRegion {
    /// First address.
    pub start_addr: usize,
    /// Bytes (at least 1).
    pub size: usize,
    /// The region's type.
    pub region_type: MemoryRegionType,
    /// Access permissions.
    pub permissions: MemoryPermissions,
    /// Name.
    pub name: RegionName,
    /// Bytes in use, as last set by the region's owner.
    pub used: usize,
}

impl From<&sys::rtm_region_t> for MemoryRegion {
    fn from(r: &sys::rtm_region_t) -> Self {
        Self {
            start_addr: r.start,
            size: r.size,
            region_type: MemoryRegionType(r.type_),
            permissions: MemoryPermissions::from_raw(r.perms),
            name: RegionName::from_c(&r.name),
            used: r.used,
        }
    }
}

/// Memory statistics (the seed's `MemoryStats`, with a real fragmentation
/// figure and the heap totals).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemoryStats {
    /// Sum of all region sizes.
    pub total_memory: usize,
    /// Sum of all regions' bytes in use.
    pub used_memory: usize,
    /// Unused bytes of the heap regions (other regions are never free memory).
    pub free_memory: usize,
    /// `1 - largest_free / free_memory` (0.0 ..= 1.0), counting each heap
    /// region's free bytes as one piece. The seed's figure was a usage ratio.
    pub fragmentation_ratio: f32,
    /// Sum of the heap regions' sizes.
    pub heap_memory: usize,
    /// Largest unused bytes of any one heap region.
    pub largest_free: usize,
    /// Regions in the map.
    pub region_count: u32,
}

/// Storage of a [`MemoryLayout`] of up to `N` regions: the map object and its
/// table, in memory the map never moves out of.
pub struct MemoryLayoutStorage<const N: usize = 16> {
    map: sys::rtm_memmap_t,
    table: [sys::rtm_region_t; N],
}

impl<const N: usize> MemoryLayoutStorage<N> {
    const EMPTY: sys::rtm_region_t =
        sys::rtm_region_t { start: 0, size: 0, used: 0, type_: 0, perms: 0, name: [0; 16] };

    /// Empty storage (usable in a `static`).
    pub const fn new() -> Self {
        Self { map: sys::rtm_memmap_t { opaque: [core::ptr::null_mut(); 4] }, table: [Self::EMPTY; N] }
    }
}

impl<const N: usize> Default for MemoryLayoutStorage<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// A memory map: named, typed regions that never overlap, sorted by address
/// (the seed's `MemoryLayout`). Lookups are binary searches.
#[derive(Debug)]
pub struct MemoryLayout<'a> {
    raw: NonNull<sys::rtm_memmap_t>,
    _storage: PhantomData<&'a mut ()>,
}

impl<'a> MemoryLayout<'a> {
    /// An empty map in `storage` (the seed's `MemoryLayout::new()` kept its
    /// table inside; here the caller provides it, e.g. in a `static`).
    ///
    /// Errors: `InvalidArgument` when `N` is 0.
    pub fn new<const N: usize>(storage: &'a mut MemoryLayoutStorage<N>) -> Result<Self, MemoryError> {
        // SAFETY: map and table are borrowed exclusively for 'a.
        MemoryError::check(unsafe { sys::rtm_memmap_init(&mut storage.map, storage.table.as_mut_ptr(), N) })?;
        Ok(Self { raw: NonNull::from(&mut storage.map), _storage: PhantomData })
    }

    /// Add a region (with its `used` bytes).
    ///
    /// Errors: `AddressOverlap` when it shares a byte with a region of the
    /// map; `InvalidArgument` for size 0, a region that wraps around the
    /// address space, an unknown type, or `used > size`; `OutOfMemory` when
    /// the table is full. Nothing changes on error.
    pub fn add_region(&mut self, region: MemoryRegion) -> Result<(), MemoryError> {
        if region.used > region.size {
            return Err(MemoryError::InvalidArgument);
        }
        let mut name = [0 as core::ffi::c_char; sys::RTM_REGION_NAME_SIZE as usize];
        for (c, &b) in name.iter_mut().zip(region.name.as_str().as_bytes()) {
            *c = b as core::ffi::c_char;
        }
        let m = self.raw.as_ptr();
        let (start, size, ty, perms) =
            (region.start_addr, region.size, region.region_type.0, region.permissions.to_raw());
        // SAFETY: the map is valid; the name is NUL-terminated (the last byte
        // stays 0: names hold at most 15 bytes).
        MemoryError::check(unsafe { sys::rtm_memmap_add_region(m, start, size, ty, perms, name.as_ptr()) })?;
        if region.used > 0 {
            self.set_used(region.start_addr, region.used)?;
        }
        Ok(())
    }

    /// Remove the region starting exactly at `start_addr`
    /// (`InvalidPointer` when there is none).
    pub fn remove_region(&mut self, start_addr: usize) -> Result<(), MemoryError> {
        // SAFETY: the map is valid.
        MemoryError::check(unsafe { sys::rtm_memmap_remove_region(self.raw.as_ptr(), start_addr) })
    }

    /// The region containing `addr`.
    pub fn find_region(&self, addr: usize) -> Option<MemoryRegion> {
        let mut r = MemoryLayoutStorage::<0>::EMPTY;
        // SAFETY: the map is valid; r is writable.
        MemoryError::check(unsafe { sys::rtm_memmap_find(self.raw.as_ptr(), addr, &mut r) }).ok()?;
        Some(MemoryRegion::from(&r))
    }

    /// Set the bytes in use of the region containing `addr` (its owner keeps
    /// this current; the seed never updated it).
    ///
    /// Errors: `InvalidPointer` when no region contains `addr`;
    /// `InvalidArgument` when `used` exceeds the region's size.
    pub fn set_used(&mut self, addr: usize, used: usize) -> Result<(), MemoryError> {
        // SAFETY: the map is valid.
        MemoryError::check(unsafe { sys::rtm_memmap_set_used(self.raw.as_ptr(), addr, used) })
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        // SAFETY: the map is valid.
        unsafe { sys::rtm_memmap_count(self.raw.as_ptr()) }
    }

    /// Whether the map has no region.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The regions in address order.
    pub fn regions(&self) -> impl Iterator<Item = MemoryRegion> + '_ {
        (0..self.len()).filter_map(move |i| {
            let mut r = MemoryLayoutStorage::<0>::EMPTY;
            // SAFETY: the map is valid; i is below the count.
            MemoryError::check(unsafe { sys::rtm_memmap_get(self.raw.as_ptr(), i, &mut r) }).ok()?;
            Some(MemoryRegion::from(&r))
        })
    }

    /// The map's statistics.
    pub fn get_memory_stats(&self) -> MemoryStats {
        let mut s = sys::rtm_memmap_stats_t::default();
        // SAFETY: the map is valid.
        unsafe { sys::rtm_memmap_stats(self.raw.as_ptr(), &mut s) };
        MemoryStats {
            total_memory: s.total,
            used_memory: s.used,
            free_memory: s.free,
            fragmentation_ratio: s.fragmentation_permille as f32 / 1000.0,
            heap_memory: s.heap_total,
            largest_free: s.largest_free,
            region_count: s.region_count,
        }
    }

    /// Read-only check of the whole map.
    pub fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: the map is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_memmap_check(self.raw.as_ptr()) })
    }
}
