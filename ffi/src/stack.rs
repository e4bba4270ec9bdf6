// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`StackManager`] (the seed's) over the task-stack manager `rtm_stack_t`:
//! guards that really protect (MPU regions, PSPLIM, canaries), painting and
//! high-water marks, reuse of freed stacks.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::{sys, AllocatorRef, MPUManager, MemoryError};

/// Configuration of a [`StackManager`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StackConfig {
    /// Usable bytes of a stack requested without a size (0: such requests are refused).
    pub default_stack_size: usize,
    /// Guard bytes below each stack (0: 32); with an MPU a power of two >= 32.
    pub guard_size: usize,
    /// Paint new stacks, so [`StackManager::high_water`] works.
    pub paint: bool,
    /// Program PSPLIM on [`StackManager::activate`] (Armv8-M).
    pub use_psplim: bool,
    /// Refuse a stack rather than fall back to a canary guard when no MPU
    /// region can be had.
    pub require_guard: bool,
    /// Canary value (0: the default).
    pub canary: u32,
    /// `RTM_MPU_REGION_*` flags for guard regions.
    pub guard_region_flags: u32,
}

/// One task's stack (the seed's `StackInfo`, plus what the manager knows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackInfo {
    /// Start of the block: the guard's first byte.
    pub stack_base: *mut u8,
    /// Usable bytes.
    pub stack_size: usize,
    /// The initial stack pointer (one past the highest byte, 8-aligned).
    pub stack_pointer: *mut u8,
    /// Guard bytes.
    pub guard_size: usize,
    /// The task.
    pub task_id: u32,
    /// The lowest address the stack may use (the PSPLIM value).
    pub limit: *mut u8,
    /// Highest usage seen by the overflow checks.
    pub peak_usage: usize,
    /// The guard's MPU region, when the guard is one.
    pub mpu_region: Option<u32>,
    /// `RTM_STACK_INFO_*` flags.
    pub flags: u32,
}

impl From<&sys::rtm_stack_info_t> for StackInfo {
    fn from(i: &sys::rtm_stack_info_t) -> Self {
        Self {
            stack_base: i.base as *mut u8,
            stack_size: i.size,
            stack_pointer: i.top as *mut u8,
            guard_size: i.guard_size,
            task_id: i.task_id,
            limit: i.limit as *mut u8,
            peak_usage: i.peak_usage,
            mpu_region: (i.mpu_region != sys::RTM_MPU_NO_REGION).then_some(i.mpu_region),
            flags: i.flags,
        }
    }
}

impl StackInfo {
    /// Whether the guard is an MPU region.
    pub fn has_mpu_guard(&self) -> bool {
        self.flags & sys::RTM_STACK_INFO_MPU_GUARD != 0
    }
    /// Whether an overflow was detected on this stack.
    pub fn overflowed(&self) -> bool {
        self.flags & sys::RTM_STACK_INFO_OVERFLOWED != 0
    }
}

/// Statistics (the seed's `StackStats`, plus reuse and guard counters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StackStats {
    /// Grows only: stacks handed out.
    pub total_stacks: u32,
    /// Stacks in use.
    pub active_stacks: u32,
    /// Grows only: stacks found overflowed, each counted once.
    pub stack_overflows: u32,
    /// Highest usage seen on any stack.
    pub max_stack_usage: usize,
    /// Bytes of every stack block held, guards included.
    pub total_stack_memory: usize,
    /// Freed stacks kept for reuse.
    pub pooled_stacks: u32,
    /// Grows only: requests served from pooled stacks.
    pub reused_stacks: u32,
    /// Active stacks guarded by an MPU region.
    pub mpu_guards: u32,
    /// Grows only: refused requests.
    pub failures: u32,
}

/// Where an address lies, as [`StackManager::find`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackArea {
    /// In the guard or canary below a stack: an overflow.
    Guard,
    /// In a usable stack.
    Stack,
}

/// Storage of a [`StackManager`] with a task table of `N` slots.
pub struct StackManagerStorage<const N: usize = 8> {
    sm: sys::rtm_stack_t,
    table: [sys::rtm_stack_slot_t; N],
}

impl<const N: usize> StackManagerStorage<N> {
    /// Empty storage (usable in a `static`).
    pub const fn new() -> Self {
        Self {
            sm: sys::rtm_stack_t { opaque: [0; sys::RTM_STACK_STORAGE_WORDS as usize] },
            table: [sys::rtm_stack_slot_t { opaque: [0; sys::RTM_STACK_SLOT_WORDS as usize] }; N],
        }
    }
}

impl<const N: usize> Default for StackManagerStorage<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Task stacks (the seed's `StackManager`): from an allocator or from static
/// areas, with guards and canaries, painting, reuse, and overflow detection.
#[derive(Debug)]
pub struct StackManager<'a> {
    raw: NonNull<sys::rtm_stack_t>,
    _parts: PhantomData<&'a mut ()>,
}

impl<'a> StackManager<'a> {
    /// A manager in `storage`. `allocator` provides stack blocks (without
    /// one, only [`add_static`](Self::add_static) stacks); `mpu` provides
    /// guard regions (without one, guards are canary words).
    ///
    /// Errors: `InvalidArgument` for a default size that overflows;
    /// `AlignmentError` for a guard size that is not a multiple of 8 (with an
    /// MPU: not a power of two >= 32); `Unsupported` for `use_psplim` on a
    /// core without PSPLIM.
    pub fn new<const N: usize>(
        storage: &'a mut StackManagerStorage<N>,
        config: StackConfig,
        allocator: Option<AllocatorRef<'a>>,
        mpu: Option<&'a mut MPUManager<'_>>,
    ) -> Result<Self, MemoryError> {
        let flag = |on: bool, f: u32| if on { f } else { 0 };
        let cfg = sys::rtm_stack_config_t {
            default_size: config.default_stack_size,
            guard_size: config.guard_size,
            flags: flag(config.paint, sys::RTM_STACK_PAINT)
                | flag(config.use_psplim, sys::RTM_STACK_USE_PSPLIM)
                | flag(config.require_guard, sys::RTM_STACK_REQUIRE_GUARD),
            canary: config.canary,
            guard_region_flags: config.guard_region_flags,
            reserved: 0,
        };
        let alloc = allocator.as_ref().map_or(ptr::null(), AllocatorRef::as_ptr);
        let mpu = mpu.map_or(ptr::null_mut(), |m| m.as_ptr());
        // SAFETY: storage and table are borrowed for 'a; the allocator value is
        // copied and its object lives for 'a; the MPU manager is borrowed for 'a.
        MemoryError::check(unsafe { sys::rtm_stack_init(&mut storage.sm, &cfg, alloc, mpu, storage.table.as_mut_ptr(), N) })?;
        Ok(Self { raw: NonNull::from(&mut storage.sm), _parts: PhantomData })
    }

    fn info(&self, status: sys::rtm_status_t, raw: &sys::rtm_stack_info_t) -> Result<StackInfo, MemoryError> {
        MemoryError::check(status).map(|()| StackInfo::from(raw))
    }

    /// Give `task_id` a stack of at least `stack_size` usable bytes (`None`:
    /// the default size), reusing a freed one when it fits (the seed's
    /// `allocate_stack`).
    ///
    /// Errors: `InvalidArgument` for a task that has a stack or no size;
    /// `OutOfMemory` when the table is full or the allocator exhausted; with
    /// `require_guard`, the MPU's error when no guard region can be set.
    pub fn allocate_stack(&mut self, task_id: u32, stack_size: Option<usize>) -> Result<StackInfo, MemoryError> {
        let mut raw = sys::rtm_stack_info_t::default();
        // SAFETY: the manager is valid; `raw` is writable.
        let s = unsafe { sys::rtm_stack_allocate(self.raw.as_ptr(), task_id, stack_size.unwrap_or(0), &mut raw) };
        self.info(s, &raw)
    }

    /// Give `task_id` a stack in `area` (aligned as the guard needs; the usable
    /// size is what remains).
    pub fn add_static(&mut self, task_id: u32, area: &'a mut [MaybeUninit<u8>]) -> Result<StackInfo, MemoryError> {
        let mut raw = sys::rtm_stack_info_t::default();
        // SAFETY: the area is borrowed exclusively for 'a, as long as the manager.
        let s = unsafe {
            sys::rtm_stack_add_static(self.raw.as_ptr(), task_id, area.as_mut_ptr().cast(), area.len(), &mut raw)
        };
        self.info(s, &raw)
    }

    /// Release `task_id`'s stack for reuse (the seed's `deallocate_stack`).
    ///
    /// Errors: `CorruptedMetadata` when its canary was damaged (released all
    /// the same, overflow counted); `DoubleFree` when already released;
    /// `InvalidArgument` for a task without a stack.
    pub fn deallocate_stack(&mut self, task_id: u32) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_stack_free(self.raw.as_ptr(), task_id) })
    }

    /// `task_id`'s stack (the seed's `get_stack_info`, a copy).
    pub fn get_stack_info(&self, task_id: u32) -> Option<StackInfo> {
        let mut raw = sys::rtm_stack_info_t::default();
        // SAFETY: the manager is valid; read-only.
        let s = unsafe { sys::rtm_stack_get_info(self.raw.as_ptr(), task_id, &mut raw) };
        self.info(s, &raw).ok()
    }

    /// The seed's `check_stack_overflow`: whether `current_sp` is below the
    /// stack's limit (a full stack, `sp == limit`, is not an overflow). Records
    /// the usage.
    pub fn check_stack_overflow(&mut self, task_id: u32, current_sp: *mut u8) -> bool {
        self.check_sp(task_id, current_sp) == Err(MemoryError::CorruptedMetadata)
    }

    /// Overflow check by stack pointer: `CorruptedMetadata` for an overflow,
    /// `InvalidPointer` for an `sp` above the stack, `InvalidArgument` for a
    /// task without a stack.
    pub fn check_sp(&mut self, task_id: u32, sp: *mut u8) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid; sp is only compared.
        MemoryError::check(unsafe { sys::rtm_stack_check_sp(self.raw.as_ptr(), task_id, sp as usize) })
    }

    /// Overflow check by canary (and canary guard): `CorruptedMetadata` when
    /// damaged, counted once per stack.
    pub fn check_canary(&mut self, task_id: u32) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_stack_check_canary(self.raw.as_ptr(), task_id) })
    }

    /// Bytes of a painted stack ever used (`Unsupported` when not painted).
    pub fn high_water(&mut self, task_id: u32) -> Result<usize, MemoryError> {
        let mut used = 0;
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_stack_high_water(self.raw.as_ptr(), task_id, &mut used) })?;
        Ok(used)
    }

    /// Call when switching to `task_id`: programs PSPLIM when configured.
    pub fn activate(&mut self, task_id: u32) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_stack_activate(self.raw.as_ptr(), task_id) })
    }

    /// Which task's stack or guard holds `address` (e.g. a fault address).
    pub fn find(&self, address: usize) -> Option<(u32, StackArea)> {
        let (mut task, mut place) = (0u32, 0u32);
        // SAFETY: the manager is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_stack_find(self.raw.as_ptr(), address, &mut task, &mut place) }).ok()?;
        Some((task, if place == sys::RTM_STACK_IN_GUARD { StackArea::Guard } else { StackArea::Stack }))
    }

    /// Record that `task_id` overflowed (counted once per stack).
    pub fn note_overflow(&mut self, task_id: u32) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_stack_note_overflow(self.raw.as_ptr(), task_id) })
    }

    /// Give the pooled (freed) stacks back; how many were let go.
    pub fn trim(&mut self) -> Result<usize, MemoryError> {
        let mut released = 0;
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_stack_trim(self.raw.as_ptr(), &mut released) })?;
        Ok(released)
    }

    /// The statistics (the seed's `get_stats`).
    pub fn get_stats(&self) -> StackStats {
        let mut s = sys::rtm_stack_stats_t::default();
        // SAFETY: the manager is valid.
        unsafe { sys::rtm_stack_get_stats(self.raw.as_ptr(), &mut s) };
        StackStats {
            total_stacks: s.total_stacks,
            active_stacks: s.active_stacks,
            stack_overflows: s.stack_overflows,
            max_stack_usage: s.max_stack_usage,
            total_stack_memory: s.total_stack_memory,
            pooled_stacks: s.pooled_stacks,
            reused_stacks: s.reused_stacks,
            mpu_guards: s.mpu_guards,
            failures: s.failures,
        }
    }

    /// Read-only whole-structure check, canaries included.
    pub fn check(&self) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_stack_check(self.raw.as_ptr()) })
    }
}
