// SPDX-License-Identifier: MIT OR Apache-2.0
//! The design's debugging tools over the C objects: [`MemoryLeakDetector`]
//! (the leak tracker, an allocator decorator), [`MemoryCorruptionDetector`]
//! (CRC-32 seals over protected regions) and [`RedZoneGuard`] (canary zones
//! around every block of an inner allocator, the design's red zones).
//!
//! Each keeps its C control block and tables in caller storage (a
//! `*Storage` value, usable in a `static`) borrowed for `'a`, so the C
//! object never moves. None is synchronised: share them behind
//! [`LockedAllocator`](crate::LockedAllocator) or a lock of your own.

use core::ffi::c_void;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::{sys, AllocatorRef, AllocatorStats, MemoryAllocator, MemoryError};

/// Zeroed C storage: every rtmem control block, record and slot is plain
/// integers and pointers, for which all-zero bytes are a valid value.
const fn zeroed<T>() -> T {
    // SAFETY: only instantiated with the plain C structs of this module.
    unsafe { MaybeUninit::<T>::zeroed().assume_init() }
}

/// The allocator interface of a C decorator, forwarded to `AllocatorRef`.
macro_rules! forward_allocator {
    ($name:ident, $get:ident) => {
        impl MemoryAllocator for $name<'_> {
            fn allocate(&mut self, size: usize, alignment: usize) -> Result<*mut u8, MemoryError> {
                self.$get().allocate(size, alignment)
            }
            unsafe fn deallocate(&mut self, ptr: *mut u8, size: usize) -> Result<(), MemoryError> {
                // SAFETY: forwarded contract.
                unsafe { self.$get().deallocate(ptr, size) }
            }
            unsafe fn reallocate(
                &mut self,
                ptr: *mut u8,
                old_size: usize,
                new_size: usize,
                alignment: usize,
            ) -> Result<*mut u8, MemoryError> {
                // SAFETY: forwarded contract.
                unsafe { self.$get().reallocate(ptr, old_size, new_size, alignment) }
            }
            fn get_stats(&self) -> AllocatorStats {
                let mut raw = sys::rtm_alloc_stats_t::default();
                let view = self.raw_allocator();
                // SAFETY: the decorator's table and object, valid while self is.
                unsafe { sys::rtm_allocator_stats(&view, &mut raw) };
                raw.into()
            }
            fn check(&self) -> Result<(), MemoryError> {
                let view = self.raw_allocator();
                // SAFETY: as above.
                MemoryError::check(unsafe { sys::rtm_allocator_check(&view) })
            }
        }
    };
}

// ---------------------------------------------------------------------------
// Leak tracker

/// One live block the leak tracker knows (the design's `AllocationRecord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocationRecord {
    /// The block.
    pub ptr: *mut u8,
    /// Its requested size.
    pub size: usize,
    /// Clock value when it was allocated (or last reallocated).
    pub timestamp: u64,
    /// Caller address: set with [`MemoryLeakDetector::set_caller`] before the
    /// allocation; 0 unknown.
    pub caller: usize,
    /// Whether a check has reported it as a leak already.
    pub reported: bool,
}

impl From<&sys::rtm_leak_record_t> for AllocationRecord {
    fn from(r: &sys::rtm_leak_record_t) -> Self {
        Self {
            ptr: r.ptr.cast(),
            size: r.size,
            timestamp: r.timestamp,
            caller: r.caller,
            reported: r.flags & sys::RTM_LEAK_REPORTED != 0,
        }
    }
}

/// Leak tracker statistics (the design's `LeakDetectorStats`, plus the table's state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeakDetectorStats {
    /// Grows only: allocations recorded in the table.
    pub tracked_allocations: u32,
    /// Grows only: blocks reported as leaks (each once).
    pub detected_leaks: u32,
    /// Grows only: reported blocks that were freed or reallocated afterwards.
    pub false_positives: u32,
    /// Grows only: bytes of the blocks reported as leaks.
    pub total_leaked_bytes: u64,
    /// Grows only: allocations that succeeded while the table was full.
    pub untracked_allocations: u32,
    /// Records in use now.
    pub live_records: u32,
    /// Records in the table.
    pub capacity: u32,
}

impl From<sys::rtm_leak_stats_t> for LeakDetectorStats {
    fn from(s: sys::rtm_leak_stats_t) -> Self {
        Self {
            tracked_allocations: s.tracked_allocations,
            detected_leaks: s.detected_leaks,
            false_positives: s.false_positives,
            total_leaked_bytes: s.total_leaked_bytes,
            untracked_allocations: s.untracked_allocations,
            live_records: s.live_records,
            capacity: s.capacity,
        }
    }
}

/// Storage of a [`MemoryLeakDetector`] with a table of `N` records.
pub struct LeakDetectorStorage<const N: usize = 64> {
    raw: sys::rtm_leak_t,
    records: [sys::rtm_leak_record_t; N],
}

impl<const N: usize> LeakDetectorStorage<N> {
    /// Empty storage (usable in a `static`).
    pub const fn new() -> Self {
        Self { raw: zeroed(), records: zeroed() }
    }
}

impl<const N: usize> Default for LeakDetectorStorage<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The leak tracker (the design's `MemoryLeakDetector`): an allocator that
/// forwards to an inner allocator and records every live block with its size,
/// caller and allocation time; a check reports the blocks older than a
/// threshold, each once.
///
/// Blocks, alignment, statuses and [`AllocatorStats`] are the inner
/// allocator's. When the table is full, allocations still succeed and are
/// counted as untracked. Lookups scan the table: O(N) per free.
#[derive(Debug)]
pub struct MemoryLeakDetector<'a> {
    raw: NonNull<sys::rtm_leak_t>,
    _storage: PhantomData<&'a mut ()>,
}

/// The clock trampoline: `user` is the `fn() -> u64` given to `new`.
unsafe extern "C" fn leak_clock(user: *mut c_void) -> u64 {
    // SAFETY: user is the fn pointer stored by MemoryLeakDetector::new (same size).
    let clock: fn() -> u64 = unsafe { core::mem::transmute::<*mut c_void, fn() -> u64>(user) };
    clock()
}

/// The report trampoline: `user` is the `&mut F` of `check_leaks`.
unsafe extern "C" fn leak_report<F: FnMut(&AllocationRecord)>(user: *mut c_void, rec: *const sys::rtm_leak_record_t) {
    // SAFETY: user is the closure borrowed for the call; rec is valid during it.
    let (f, rec) = unsafe { (&mut *user.cast::<F>(), &*rec) };
    f(&AllocationRecord::from(rec));
}

impl<'a> MemoryLeakDetector<'a> {
    /// A tracker over `inner`, recording (enabled) in `storage`'s table;
    /// `clock` gives the time in any monotonic unit, the unit of `threshold`
    /// (a live block older than `threshold` is a leak).
    ///
    /// Errors: `InvalidArgument` for an inner allocator without a table or a
    /// table of more than `u32::MAX` records.
    pub fn new<const N: usize>(
        storage: &'a mut LeakDetectorStorage<N>,
        inner: AllocatorRef<'a>,
        clock: fn() -> u64,
        threshold: u64,
    ) -> Result<Self, MemoryError> {
        let cfg = sys::rtm_leak_config_t {
            inner: inner.as_raw(),
            records: storage.records.as_mut_ptr(),
            capacity: N,
            clock: Some(leak_clock),
            clock_user: clock as *mut c_void,
            threshold,
        };
        // SAFETY: the storage is borrowed exclusively for 'a, as is the inner
        // allocator (its AllocatorRef<'a>); the config is copied.
        MemoryError::check(unsafe { sys::rtm_leak_init(&mut storage.raw, &cfg) })?;
        Ok(Self { raw: NonNull::from(&mut storage.raw), _storage: PhantomData })
    }

    /// Record new allocations again (the default).
    pub fn enable(&mut self) {
        // SAFETY: the tracker is initialised; the call cannot fail then.
        let _ = unsafe { sys::rtm_leak_enable(self.raw.as_ptr(), true) };
    }

    /// Stop recording new allocations; records already made stay and are
    /// still removed when their blocks are freed.
    pub fn disable(&mut self) {
        // SAFETY: as above.
        let _ = unsafe { sys::rtm_leak_enable(self.raw.as_ptr(), false) };
    }

    /// Name the caller the next allocation records (consumed by it).
    pub fn set_caller(&mut self, caller: usize) {
        // SAFETY: the tracker is initialised.
        unsafe { sys::rtm_leak_set_caller(self.raw.as_ptr(), caller) };
    }

    /// Report leaks (the design's `check_leaks`): every recorded block older
    /// than the threshold that was not reported before is passed to `report`,
    /// marked reported and counted. Returns how many were reported now.
    pub fn check_leaks<F: FnMut(&AllocationRecord)>(&mut self, mut report: F) -> usize {
        let mut found = 0usize;
        // SAFETY: the tracker is initialised; the closure outlives the call.
        let _ = unsafe {
            sys::rtm_leak_check(
                self.raw.as_ptr(),
                Some(leak_report::<F>),
                ptr::from_mut(&mut report).cast(),
                &mut found,
            )
        };
        found
    }

    /// The record of live block `ptr`, if the tracker has one.
    pub fn find(&self, ptr: *const u8) -> Option<AllocationRecord> {
        let mut rec: sys::rtm_leak_record_t = zeroed();
        // SAFETY: the tracker is initialised; rec is writable.
        MemoryError::check(unsafe { sys::rtm_leak_find(self.raw.as_ptr(), ptr.cast(), &mut rec) }).ok()?;
        Some(AllocationRecord::from(&rec))
    }

    /// Forget every record and zero the statistics (the design's `clear`);
    /// blocks stay allocated and can still be freed through the tracker.
    pub fn clear(&mut self) {
        // SAFETY: the tracker is initialised.
        let _ = unsafe { sys::rtm_leak_clear(self.raw.as_ptr()) };
    }

    /// The tracker's statistics.
    pub fn get_stats(&self) -> LeakDetectorStats {
        let mut s = sys::rtm_leak_stats_t::default();
        // SAFETY: the tracker is initialised; s is writable.
        unsafe { sys::rtm_leak_get_stats(self.raw.as_ptr(), &mut s) };
        s.into()
    }

    fn raw_allocator(&self) -> sys::rtm_allocator_t {
        // SAFETY: the tracker is initialised.
        unsafe { sys::rtm_leak_allocator(self.raw.as_ptr()) }
    }

    /// The tracker behind the C interface, borrowed from `self`.
    pub fn allocator(&mut self) -> AllocatorRef<'_> {
        // SAFETY: the tracker's table and object, borrowed for the result's life.
        unsafe { AllocatorRef::from_raw(self.raw_allocator()) }
    }
}

forward_allocator!(MemoryLeakDetector, allocator);

// ---------------------------------------------------------------------------
// CRC regions

/// CRC-32 (IEEE 802.3) of `data`, as the corruption detector seals regions:
/// `crc32(b"123456789") == 0xCBF4_3926`.
pub fn crc32(data: &[u8]) -> u32 {
    // SAFETY: the slice is readable for its length.
    unsafe { sys::rtm_crc32(data.as_ptr().cast(), data.len()) }
}

/// The id of a protected region (its slot, stable until removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionId(pub u32);

/// Corruption detector statistics (the design's `CorruptionStats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CorruptionStats {
    /// Grows only: region checks performed (one per region per pass).
    pub total_checks: u32,
    /// Grows only: regions found corrupted, each counted once until re-sealed or removed.
    pub corruptions_detected: u32,
    /// Grows only: corrupted regions that matched their seal again without a re-seal.
    pub false_alarms: u32,
    /// Regions monitored now.
    pub regions_monitored: u32,
    /// Grows only: checks skipped by the check frequency.
    pub skipped_checks: u32,
}

impl From<sys::rtm_integrity_stats_t> for CorruptionStats {
    fn from(s: sys::rtm_integrity_stats_t) -> Self {
        Self {
            total_checks: s.total_checks,
            corruptions_detected: s.corruptions_detected,
            false_alarms: s.false_alarms,
            regions_monitored: s.regions_monitored,
            skipped_checks: s.skipped_checks,
        }
    }
}

/// What [`MemoryCorruptionDetector::check_integrity`] found: the ids of the
/// corrupted regions (the first 16, in id order, as the design's
/// `Vec<usize, 16>`) and their total number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorruptedRegions {
    ids: [u32; 16],
    total: usize,
}

impl CorruptedRegions {
    /// How many regions are corrupted (also beyond the 16 listed).
    pub fn total(&self) -> usize {
        self.total
    }

    /// Whether every region matched its seal (or the check was skipped).
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The ids of the first 16 corrupted regions.
    pub fn iter(&self) -> impl Iterator<Item = RegionId> + '_ {
        self.ids[..self.total.min(16)].iter().map(|&id| RegionId(id))
    }
}

/// Storage of a [`MemoryCorruptionDetector`] with room for `N` regions.
pub struct CorruptionDetectorStorage<const N: usize = 16> {
    raw: sys::rtm_integrity_t,
    slots: [sys::rtm_integrity_slot_t; N],
}

impl<const N: usize> CorruptionDetectorStorage<N> {
    /// Empty storage (usable in a `static`).
    pub const fn new() -> Self {
        Self { raw: zeroed(), slots: zeroed() }
    }
}

impl<const N: usize> Default for CorruptionDetectorStorage<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The corruption detector's region part (the design's
/// `MemoryCorruptionDetector`): regions sealed with their CRC-32 and checked
/// on demand. Red zones around heap blocks are [`RedZoneGuard`].
///
/// RTM_DEVIATION: CRC-32 instead of the design's rotate-and-add checksum XOR a
/// canary (CRC-32 detects every burst error up to 32 bits); so no canary value.
#[derive(Debug)]
pub struct MemoryCorruptionDetector<'a> {
    raw: NonNull<sys::rtm_integrity_t>,
    _regions: PhantomData<&'a [u8]>,
}

impl<'a> MemoryCorruptionDetector<'a> {
    /// A detector with `storage`'s table; `check_frequency` N makes
    /// [`check_integrity`](Self::check_integrity) work on every N-th call
    /// (the 1st, N+1-th, ...; 0 and 1 mean every call).
    ///
    /// Errors: `InvalidArgument` for a table of more than `u32::MAX - 1` slots.
    pub fn new<const N: usize>(
        storage: &'a mut CorruptionDetectorStorage<N>,
        check_frequency: u32,
    ) -> Result<Self, MemoryError> {
        // SAFETY: the storage is borrowed exclusively for 'a.
        MemoryError::check(unsafe {
            sys::rtm_integrity_init(&mut storage.raw, storage.slots.as_mut_ptr(), N, check_frequency)
        })?;
        Ok(Self { raw: NonNull::from(&mut storage.raw), _regions: PhantomData })
    }

    /// Protect `region`, which must not change while protected (it is
    /// borrowed, shared, for `'a`; memory written on purpose goes through
    /// [`add_protected_region`](Self::add_protected_region)).
    ///
    /// Errors: `InvalidArgument` for an empty region; `OutOfMemory` when the
    /// table is full.
    pub fn protect(&mut self, region: &'a [u8]) -> Result<RegionId, MemoryError> {
        // SAFETY: the slice stays readable for 'a.
        unsafe { self.add_protected_region(region.as_ptr(), region.len()) }
    }

    /// Protect `size` bytes at `start` (the design's `add_protected_region`):
    /// seal them with their CRC now.
    ///
    /// Errors: `InvalidArgument` for NULL, size 0 or a range that wraps;
    /// `OutOfMemory` when the table is full.
    ///
    /// # Safety
    /// `[start, start + size)` stays readable while the region is protected,
    /// and is not written during a check (e.g. by an interrupt handler).
    pub unsafe fn add_protected_region(&mut self, start: *const u8, size: usize) -> Result<RegionId, MemoryError> {
        let mut id = 0u32;
        // SAFETY: the detector is initialised; the memory is readable (caller).
        MemoryError::check(unsafe { sys::rtm_integrity_add(self.raw.as_ptr(), start.cast(), size, &mut id) })?;
        Ok(RegionId(id))
    }

    /// Stop protecting a region. Errors: `InvalidArgument` for an unknown id.
    pub fn remove_region(&mut self, id: RegionId) -> Result<(), MemoryError> {
        // SAFETY: the detector is initialised; the id is checked.
        MemoryError::check(unsafe { sys::rtm_integrity_remove(self.raw.as_ptr(), id.0) })
    }

    /// Re-seal a region after a legitimate write. Errors: `InvalidArgument`
    /// for an unknown id.
    pub fn update_region(&mut self, id: RegionId) -> Result<(), MemoryError> {
        // SAFETY: as above.
        MemoryError::check(unsafe { sys::rtm_integrity_update(self.raw.as_ptr(), id.0) })
    }

    /// Check every region against its seal (the design's `check_integrity`),
    /// or skip the call per the check frequency (then nothing is reported).
    pub fn check_integrity(&mut self) -> CorruptedRegions {
        let mut out = CorruptedRegions { ids: [0; 16], total: 0 };
        // SAFETY: the detector is initialised; ids has room for 16.
        let _ = unsafe { sys::rtm_integrity_check(self.raw.as_ptr(), out.ids.as_mut_ptr(), 16, &mut out.total) };
        out
    }

    /// Check one region now, whatever the frequency: `CorruptedMetadata` when
    /// it changed, `InvalidArgument` for an unknown id.
    pub fn check_region(&mut self, id: RegionId) -> Result<(), MemoryError> {
        // SAFETY: as above.
        MemoryError::check(unsafe { sys::rtm_integrity_check_region(self.raw.as_ptr(), id.0) })
    }

    /// The detector's statistics.
    pub fn get_stats(&self) -> CorruptionStats {
        let mut s = sys::rtm_integrity_stats_t::default();
        // SAFETY: the detector is initialised; s is writable.
        unsafe { sys::rtm_integrity_get_stats(self.raw.as_ptr(), &mut s) };
        s.into()
    }
}

// ---------------------------------------------------------------------------
// Red zones

/// Which zone of a block was damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedZoneSide {
    /// The zone before the block (an underrun).
    Front,
    /// The zone after the block (an overrun).
    Back,
}

/// One damaged red zone, as the guard reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedZoneReport {
    /// The block as the application got it.
    pub block: *mut u8,
    /// Its requested size (0 when the header is damaged).
    pub size: usize,
    /// Its allocation site (0 unknown).
    pub site: usize,
    /// The damaged byte nearest to the block (the header's address when the
    /// header itself is damaged).
    pub address: usize,
    /// Which zone.
    pub side: RedZoneSide,
    /// The block's header itself is damaged: size and site are unknown.
    pub header_damaged: bool,
}

impl From<&sys::rtm_redzone_report_t> for RedZoneReport {
    fn from(r: &sys::rtm_redzone_report_t) -> Self {
        Self {
            block: r.block.cast(),
            size: r.size,
            site: r.site,
            address: r.address,
            side: if r.side == sys::RTM_REDZONE_BACK { RedZoneSide::Back } else { RedZoneSide::Front },
            header_damaged: r.flags & sys::RTM_REDZONE_HEADER != 0,
        }
    }
}

/// Red-zone statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RedZoneStats {
    /// Blocks live now.
    pub live_blocks: u32,
    /// Grows only: damaged zones reported (on free and by checks).
    pub overruns_detected: u32,
    /// Grows only: damaged blocks kept from the inner allocator on free.
    pub quarantined_blocks: u32,
    /// Grows only: [`RedZoneGuard::check_all`] calls.
    pub checks: u32,
}

impl From<sys::rtm_redzone_stats_t> for RedZoneStats {
    fn from(s: sys::rtm_redzone_stats_t) -> Self {
        Self {
            live_blocks: s.live_blocks,
            overruns_detected: s.overruns_detected,
            quarantined_blocks: s.quarantined_blocks,
            checks: s.checks,
        }
    }
}

/// Storage of a [`RedZoneGuard`].
pub struct RedZoneStorage {
    raw: sys::rtm_redzone_t,
}

impl RedZoneStorage {
    /// Empty storage (usable in a `static`).
    pub const fn new() -> Self {
        Self { raw: zeroed() }
    }
}

impl Default for RedZoneStorage {
    fn default() -> Self {
        Self::new()
    }
}

/// The report trampoline: `user` is the `fn(&RedZoneReport)` given to `new`.
unsafe extern "C" fn redzone_report(user: *mut c_void, r: *const sys::rtm_redzone_report_t) {
    // SAFETY: user is the fn pointer stored by RedZoneGuard::new (same size);
    // r is valid during the call.
    let (f, r) = unsafe { (core::mem::transmute::<*mut c_void, fn(&RedZoneReport)>(user), &*r) };
    f(&RedZoneReport::from(r));
}

/// The red-zone guard (the red-zone half of the design's
/// `MemoryCorruptionDetector`): an allocator over an inner allocator that puts
/// 16 canary bytes before and after every block; a free checks both zones and
/// a damaged block is reported, kept from the inner allocator (quarantined)
/// and answered with `CorruptedMetadata`; [`check_all`](Self::check_all)
/// walks every live block.
#[derive(Debug)]
pub struct RedZoneGuard<'a> {
    raw: NonNull<sys::rtm_redzone_t>,
    _storage: PhantomData<&'a mut ()>,
}

impl<'a> RedZoneGuard<'a> {
    /// A guard over `inner`; `report` (optional) is called once per damaged
    /// zone, from the free or check that finds it.
    ///
    /// Errors: `InvalidArgument` for an inner allocator without a table.
    pub fn new(
        storage: &'a mut RedZoneStorage,
        inner: AllocatorRef<'a>,
        report: Option<fn(&RedZoneReport)>,
    ) -> Result<Self, MemoryError> {
        let raw_inner = inner.as_raw();
        let (cb, user): (sys::rtm_redzone_report_fn, *mut c_void) = match report {
            Some(f) => (Some(redzone_report), f as *mut c_void),
            None => (None, ptr::null_mut()),
        };
        // SAFETY: storage and inner are borrowed exclusively for 'a; inner is copied.
        MemoryError::check(unsafe { sys::rtm_redzone_init(&mut storage.raw, &raw_inner, cb, user) })?;
        Ok(Self { raw: NonNull::from(&mut storage.raw), _storage: PhantomData })
    }

    /// Name the allocation site of the next allocation (consumed by it).
    pub fn set_site(&mut self, site: usize) {
        // SAFETY: the guard is initialised.
        unsafe { sys::rtm_redzone_set_site(self.raw.as_ptr(), site) };
    }

    /// Check every live block's zones and header, reporting each damage;
    /// returns the number of damaged zones found (0: all intact). The walk
    /// stops at a block whose header is damaged (its links cannot be trusted).
    pub fn check_all(&mut self) -> usize {
        let mut bad = 0usize;
        // SAFETY: the guard is initialised.
        let _ = unsafe { sys::rtm_redzone_check_all(self.raw.as_ptr(), &mut bad) };
        bad
    }

    /// The guard's own statistics (the inner allocator's are
    /// [`MemoryAllocator::get_stats`], whose sizes include the zones).
    pub fn red_zone_stats(&self) -> RedZoneStats {
        let mut s = sys::rtm_redzone_stats_t::default();
        // SAFETY: the guard is initialised; s is writable.
        unsafe { sys::rtm_redzone_get_stats(self.raw.as_ptr(), &mut s) };
        s.into()
    }

    fn raw_allocator(&self) -> sys::rtm_allocator_t {
        // SAFETY: the guard is initialised.
        unsafe { sys::rtm_redzone_allocator(self.raw.as_ptr()) }
    }

    /// The guard behind the C interface, borrowed from `self`.
    pub fn allocator(&mut self) -> AllocatorRef<'_> {
        // SAFETY: the guard's table and object, borrowed for the result's life.
        unsafe { AllocatorRef::from_raw(self.raw_allocator()) }
    }
}

forward_allocator!(RedZoneGuard, allocator);
