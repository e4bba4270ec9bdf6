// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`MPUManager`] (the seed's) over the MPU manager `rtm_mpu_t` and its back
//! ends: ARMv7-M, ARMv8-M, RISC-V PMP, and a host model for tests.

use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use crate::{sys, MemoryError, MemoryPermissions};

/// The matching rule of a memory protection unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MpuArch(pub u32);

impl MpuArch {
    /// ARMv7-M PMSAv7: the highest-numbered matching region decides.
    pub const ARMV7M: Self = Self(sys::RTM_MPU_ARCH_ARMV7M);
    /// ARMv8-M PMSAv8: regions must not overlap.
    pub const ARMV8M: Self = Self(sys::RTM_MPU_ARCH_ARMV8M);
    /// RISC-V PMP: the lowest-numbered matching entry decides.
    pub const PMP: Self = Self(sys::RTM_MPU_ARCH_PMP);
}

/// The kind of access to check (the seed's `MemoryAccessType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemoryAccessType {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Execute,
}

impl MemoryAccessType {
    /// The `RTM_MPU_ACCESS_*` value, by unprivileged code when `unprivileged`.
    pub const fn to_raw(self, unprivileged: bool) -> u32 {
        let kind = match self {
            Self::Read => sys::RTM_MPU_ACCESS_READ,
            Self::Write => sys::RTM_MPU_ACCESS_WRITE,
            Self::Execute => sys::RTM_MPU_ACCESS_EXEC,
        };
        if unprivileged {
            kind | sys::RTM_MPU_ACCESS_UNPRIV
        } else {
            kind
        }
    }
}

/// A protection region (the seed's `ProtectionRegion`, plus `flags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectionRegion {
    /// The region's index in the unit.
    pub region_id: u8,
    /// First byte.
    pub base_address: usize,
    /// Bytes.
    pub size: usize,
    /// What privileged code (and with `unprivileged`, all code) may do.
    pub permissions: MemoryPermissions,
    /// Whether the region is programmed (always true for regions read back).
    pub enabled: bool,
    /// `RTM_MPU_REGION_*` flags (e.g. `RTM_MPU_REGION_LOCK` on PMP).
    pub flags: u32,
}

fn raw_region(base_address: usize, size: usize, permissions: MemoryPermissions, flags: u32) -> sys::rtm_mpu_region_t {
    sys::rtm_mpu_region_t { base: base_address, size, perm: permissions.to_raw(), flags }
}

/// The kind of a decoded fault (`RTM_MPU_FAULT_*`); a newtype so a value from
/// C is never an invalid enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultKind(pub u32);

impl FaultKind {
    /// Not a memory fault.
    pub const NONE: Self = Self(sys::RTM_MPU_FAULT_NONE);
    /// Data access refused by the MPU/PMP.
    pub const DATA_ACCESS: Self = Self(sys::RTM_MPU_FAULT_DATA_ACCESS);
    /// Instruction fetch refused.
    pub const INSTR_ACCESS: Self = Self(sys::RTM_MPU_FAULT_INSTR_ACCESS);
    /// Exception entry could not push the frame.
    pub const STACKING: Self = Self(sys::RTM_MPU_FAULT_STACKING);
    /// Exception return could not pop the frame.
    pub const UNSTACKING: Self = Self(sys::RTM_MPU_FAULT_UNSTACKING);
    /// Lazy floating-point state preservation faulted.
    pub const LAZY_FP: Self = Self(sys::RTM_MPU_FAULT_LAZY_FP);
    /// Bus error.
    pub const BUS: Self = Self(sys::RTM_MPU_FAULT_BUS);
    /// Stack-limit violation (ARMv8-M STKOF).
    pub const STACK_LIMIT: Self = Self(sys::RTM_MPU_FAULT_STACK_LIMIT);
    /// Misaligned access.
    pub const MISALIGNED: Self = Self(sys::RTM_MPU_FAULT_MISALIGNED);
    /// Another fault or exception.
    pub const OTHER: Self = Self(sys::RTM_MPU_FAULT_OTHER);
    /// HardFault without a configurable-fault cause.
    pub const HARD: Self = Self(sys::RTM_MPU_FAULT_HARD);
    /// Refused by the software check.
    pub const SOFTWARE: Self = Self(sys::RTM_MPU_FAULT_SOFTWARE);
}

/// A decoded memory fault, as a fault handler reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MpuFault {
    /// What happened.
    pub kind: FaultKind,
    /// The faulting address, when the hardware recorded it.
    pub address: Option<usize>,
    /// `RTM_MPU_ACCESS_*` of the access when known (0: unknown).
    pub access: u32,
    /// The manager region holding the address, when reported through a manager.
    pub region: Option<u32>,
    /// `RTM_MPU_FAULT_F_*` bits.
    pub flags: u32,
    /// Raw cause: CFSR on Arm, mcause on RISC-V.
    pub status: u32,
    /// Raw extra: HFSR on Arm, mtval on RISC-V.
    pub detail: u32,
}

impl From<&sys::rtm_mpu_fault_t> for MpuFault {
    fn from(f: &sys::rtm_mpu_fault_t) -> Self {
        Self {
            kind: FaultKind(f.kind),
            address: (f.flags & sys::RTM_MPU_FAULT_ADDR_VALID != 0).then_some(f.address),
            access: f.access,
            region: (f.region != sys::RTM_MPU_NO_REGION).then_some(f.region),
            flags: f.flags,
            status: f.status,
            detail: f.detail,
        }
    }
}

impl MpuFault {
    /// Decode Armv7-M/Armv8-M fault status registers (CFSR, HFSR, MMFAR, BFAR).
    pub fn decode_arm(cfsr: u32, hfsr: u32, mmfar: u32, bfar: u32) -> Self {
        let mut f = sys::rtm_mpu_fault_t::default();
        // SAFETY: a pure function writing `f`.
        unsafe { sys::rtm_mpu_fault_decode_arm(cfsr, hfsr, mmfar, bfar, &mut f) };
        Self::from(&f)
    }

    /// Decode RV32 mcause/mtval.
    pub fn decode_rv32(mcause: u32, mtval: u32) -> Self {
        let mut f = sys::rtm_mpu_fault_t::default();
        // SAFETY: a pure function writing `f`.
        unsafe { sys::rtm_mpu_fault_decode_rv32(mcause, mtval, &mut f) };
        Self::from(&f)
    }
}

/// A register-file model of an MPU: records what a back end would program and
/// answers access checks with the hardware's rules (for host tests).
#[derive(Debug, Clone, Copy)]
pub struct HostMpu(sys::rtm_mpu_host_t);

impl HostMpu {
    /// A unit of `arch` with `regions` regions (1..=16), all off.
    ///
    /// Errors: `InvalidArgument` for an unknown arch or region count.
    pub fn new(arch: MpuArch, regions: u32) -> Result<Self, MemoryError> {
        let mut h = sys::rtm_mpu_host_t::default();
        // SAFETY: `h` is writable.
        MemoryError::check(unsafe { sys::rtm_mpu_host_init(&mut h, arch.0, regions) })?;
        Ok(Self(h))
    }

    /// The recorded registers.
    pub fn registers(&self) -> &sys::rtm_mpu_host_t {
        &self.0
    }

    /// Whether the modelled hardware would allow the access.
    pub fn check_access(&self, address: usize, access: MemoryAccessType, unprivileged: bool) -> Result<(), MemoryError> {
        // SAFETY: the model is valid; read-only.
        MemoryError::check(unsafe { sys::rtm_mpu_host_check_access(&self.0, address, access.to_raw(unprivileged)) })
    }
}

/// An MPU back end for [`MPUManager`], borrowing its unit for `'a`.
#[derive(Debug)]
pub struct MpuBackend<'a> {
    raw: sys::rtm_mpu_backend_t,
    _unit: PhantomData<&'a mut c_void>,
}

impl MpuBackend<'static> {
    /// The Armv7-M MPU of this core (PMSAv7 registers at 0xE000ED90). On other
    /// architectures its register operations answer `Unsupported`.
    pub fn armv7m() -> Self {
        // SAFETY: NULL selects the architectural register block.
        Self { raw: unsafe { sys::rtm_mpu_armv7m_backend(ptr::null_mut()) }, _unit: PhantomData }
    }

    /// The Armv8-M MPU of this core (PMSAv8).
    pub fn armv8m() -> Self {
        // SAFETY: NULL selects the architectural register block.
        Self { raw: unsafe { sys::rtm_mpu_armv8m_backend(ptr::null_mut()) }, _unit: PhantomData }
    }

    /// The PMP of this RISC-V hart with `entries` entries (0: 16).
    pub fn pmp(entries: u32) -> Self {
        // SAFETY: no pointer involved.
        Self { raw: unsafe { sys::rtm_mpu_pmp_backend(entries) }, _unit: PhantomData }
    }
}

impl<'a> MpuBackend<'a> {
    /// The host model `model`, borrowed for `'a`.
    pub fn host(model: &'a mut HostMpu) -> Self {
        // SAFETY: the model is borrowed exclusively for 'a.
        Self { raw: unsafe { sys::rtm_mpu_host_backend(&mut model.0) }, _unit: PhantomData }
    }

    /// A back end from C (e.g. one the port implements).
    ///
    /// # Safety
    /// `raw.ops` points to an ops table keeping the contract of
    /// `rtmem/mpu.h`, and it and `raw.ctx` stay valid for `'a`.
    pub const unsafe fn from_raw(raw: sys::rtm_mpu_backend_t) -> Self {
        Self { raw, _unit: PhantomData }
    }
}

/// MPU manager statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MpuStats {
    /// Regions the unit has.
    pub regions: u32,
    /// Hardware slots in use.
    pub slots_used: u32,
    /// `RTM_MPU_CTRL_*` last written; 0 when disabled.
    pub ctrl: u32,
    /// Grows only: faults and software violations reported.
    pub violations: u32,
    /// Grows only: region writes issued to the back end.
    pub region_writes: u32,
    /// Grows only: requests refused.
    pub refusals: u32,
}

/// Storage of an [`MPUManager`] (caller-owned, e.g. a `static`).
pub struct MpuStorage(sys::rtm_mpu_t);

impl MpuStorage {
    /// Empty storage.
    pub const fn new() -> Self {
        Self(sys::rtm_mpu_t { opaque: [0; sys::RTM_MPU_STORAGE_WORDS as usize] })
    }
}

impl Default for MpuStorage {
    fn default() -> Self {
        Self::new()
    }
}

/// The seed's violation handler: the faulting address and the access tried.
pub type ViolationHandler = fn(usize, MemoryPermissions);

/// Portable protection regions programmed into an MPU through a back end (the
/// seed's `MPUManager`, with real hardware behind it).
#[derive(Debug)]
pub struct MPUManager<'a> {
    raw: NonNull<sys::rtm_mpu_t>,
    _parts: PhantomData<&'a mut c_void>,
}

/// Calls the seed-style handler stored in `user`.
///
/// # Safety
/// `user` is a [`ViolationHandler`] cast to a pointer; `fault` is valid.
unsafe extern "C" fn seed_handler(user: *mut c_void, fault: *const sys::rtm_mpu_fault_t) {
    // SAFETY: `user` was made from a ViolationHandler by set_violation_handler
    // (function and data pointers have the same size on every rtmem target).
    let handler: ViolationHandler = unsafe { core::mem::transmute::<*mut c_void, ViolationHandler>(user) };
    // SAFETY: the manager passes a valid fault.
    let f = unsafe { &*fault };
    handler(f.address, MemoryPermissions::from_raw(f.access & !sys::RTM_MPU_ACCESS_UNPRIV));
}

/// Calls the fault handler stored in `user`.
///
/// # Safety
/// `user` is a `fn(&MpuFault)` cast to a pointer; `fault` is valid.
unsafe extern "C" fn fault_handler(user: *mut c_void, fault: *const sys::rtm_mpu_fault_t) {
    // SAFETY: as seed_handler, for fn(&MpuFault).
    let handler: fn(&MpuFault) = unsafe { core::mem::transmute::<*mut c_void, fn(&MpuFault)>(user) };
    // SAFETY: the manager passes a valid fault.
    handler(&MpuFault::from(unsafe { &*fault }));
}

impl<'a> MPUManager<'a> {
    /// A manager over `backend` in `storage`: probes the unit, starts with no
    /// regions and the unit disabled. (The seed's `new(max_regions)`: the
    /// count comes from the unit.)
    ///
    /// Errors: `InvalidArgument` for an incomplete back end; `Unsupported`
    /// when the unit reports no regions (e.g. a hardware back end on a host).
    pub fn new(storage: &'a mut MpuStorage, backend: MpuBackend<'a>) -> Result<Self, MemoryError> {
        // SAFETY: storage is borrowed for 'a; the back end value is copied and
        // its unit lives for 'a.
        MemoryError::check(unsafe { sys::rtm_mpu_init(&mut storage.0, &backend.raw) })?;
        Ok(Self { raw: NonNull::from(&mut storage.0), _parts: PhantomData })
    }

    /// Regions the unit has.
    pub fn max_regions(&self) -> u32 {
        // SAFETY: the manager is valid.
        unsafe { sys::rtm_mpu_region_count(self.raw.as_ptr()) }
    }

    /// The back end's matching rule.
    pub fn arch(&self) -> MpuArch {
        // SAFETY: the manager is valid.
        MpuArch(unsafe { sys::rtm_mpu_arch(self.raw.as_ptr()) })
    }

    /// Program region `region_id` (the seed's `configure_region`).
    ///
    /// Errors: `InvalidArgument` for an index beyond the unit; `AlignmentError`
    /// when the unit cannot cover exactly that range; `Unsupported` for
    /// permissions it cannot express; `AddressOverlap` (Armv8-M);
    /// `AccessViolation` for a locked slot; `OutOfMemory` when a slot it needs
    /// holds another region. Nothing changes on error.
    pub fn configure_region(
        &mut self,
        region_id: u8,
        base_address: usize,
        size: usize,
        permissions: MemoryPermissions,
    ) -> Result<(), MemoryError> {
        self.set_region(region_id, base_address, size, permissions, 0)
    }

    /// [`configure_region`](Self::configure_region) with `RTM_MPU_REGION_*` flags.
    pub fn set_region(
        &mut self,
        region_id: u8,
        base_address: usize,
        size: usize,
        permissions: MemoryPermissions,
        flags: u32,
    ) -> Result<(), MemoryError> {
        let r = raw_region(base_address, size, permissions, flags);
        // SAFETY: the manager is valid; `r` is read during the call.
        MemoryError::check(unsafe { sys::rtm_mpu_set_region(self.raw.as_ptr(), u32::from(region_id), &r) })
    }

    /// Whether [`configure_region`](Self::configure_region) would accept the
    /// region, without writing anything.
    pub fn validate(
        &self,
        region_id: u8,
        base_address: usize,
        size: usize,
        permissions: MemoryPermissions,
    ) -> Result<(), MemoryError> {
        let r = raw_region(base_address, size, permissions, 0);
        // SAFETY: the manager is valid; pure.
        MemoryError::check(unsafe { sys::rtm_mpu_validate(self.raw.as_ptr(), u32::from(region_id), &r) })
    }

    /// Program a region into the free slot that takes precedence over all
    /// others (a guard over background regions); its index.
    pub fn add_region(&mut self, base_address: usize, size: usize, permissions: MemoryPermissions) -> Result<u32, MemoryError> {
        let r = raw_region(base_address, size, permissions, 0);
        let mut index = 0;
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_mpu_add_region(self.raw.as_ptr(), &r, &mut index) })?;
        Ok(index)
    }

    /// Turn region `region_id` off (`AccessViolation` for a locked one).
    pub fn clear_region(&mut self, region_id: u8) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_mpu_clear_region(self.raw.as_ptr(), u32::from(region_id)) })
    }

    /// Region `region_id`, if one is programmed there.
    pub fn get_region(&self, region_id: u8) -> Option<ProtectionRegion> {
        let mut r = sys::rtm_mpu_region_t::default();
        // SAFETY: the manager is valid; `r` is writable.
        MemoryError::check(unsafe { sys::rtm_mpu_get_region(self.raw.as_ptr(), u32::from(region_id), &mut r) }).ok()?;
        Some(ProtectionRegion {
            region_id,
            base_address: r.base,
            size: r.size,
            permissions: MemoryPermissions::from_raw(r.perm),
            enabled: true,
            flags: r.flags,
        })
    }

    /// Enable the unit (the seed's `enable`), with `PRIVDEFENA`: privileged
    /// code keeps the default memory map where no region matches.
    pub fn enable(&mut self) -> Result<(), MemoryError> {
        self.enable_with(sys::RTM_MPU_CTRL_PRIVDEFENA)
    }

    /// Enable the unit with `RTM_MPU_CTRL_*` flags.
    pub fn enable_with(&mut self, ctrl: u32) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_mpu_enable(self.raw.as_ptr(), ctrl) })
    }

    /// Disable the unit (the seed's `disable`).
    pub fn disable(&mut self) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_mpu_disable(self.raw.as_ptr()) })
    }

    /// Would privileged code be allowed this access (the seed's
    /// `check_access`)? `Err(AccessViolation)` when refused.
    pub fn check_access(&self, address: usize, access_type: MemoryAccessType) -> Result<(), MemoryError> {
        self.check_access_as(address, access_type, false)
    }

    /// [`check_access`](Self::check_access) for privileged or unprivileged code.
    pub fn check_access_as(&self, address: usize, access_type: MemoryAccessType, unprivileged: bool) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid; read-only.
        MemoryError::check(unsafe {
            sys::rtm_mpu_check_access(self.raw.as_ptr(), address, access_type.to_raw(unprivileged))
        })
    }

    /// Ask the back end (the host model decodes its registers) whether the
    /// hardware would allow the access; `Unsupported` when it cannot tell.
    pub fn check_backend(&self, address: usize, access_type: MemoryAccessType, unprivileged: bool) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid; read-only.
        MemoryError::check(unsafe {
            sys::rtm_mpu_check_backend(self.raw.as_ptr(), address, access_type.to_raw(unprivileged))
        })
    }

    /// The region that decides accesses to `address`.
    pub fn find_region(&self, address: usize) -> Option<u32> {
        // SAFETY: the manager is valid; read-only.
        let r = unsafe { sys::rtm_mpu_find_region(self.raw.as_ptr(), address) };
        (r != sys::RTM_MPU_NO_REGION).then_some(r)
    }

    /// Register the seed's violation handler: called with the address and the
    /// access of each reported violation. Replaces any handler.
    pub fn set_violation_handler(&mut self, handler: ViolationHandler) {
        // SAFETY: the manager is valid; the trampoline turns `user` back into
        // the function pointer it was made from.
        unsafe { sys::rtm_mpu_set_violation_handler(self.raw.as_ptr(), Some(seed_handler), handler as *mut c_void) };
    }

    /// Register a handler that receives the whole decoded fault.
    pub fn set_fault_handler(&mut self, handler: fn(&MpuFault)) {
        // SAFETY: as set_violation_handler.
        unsafe { sys::rtm_mpu_set_violation_handler(self.raw.as_ptr(), Some(fault_handler), handler as *mut c_void) };
    }

    /// Remove the handler.
    pub fn clear_violation_handler(&mut self) {
        // SAFETY: the manager is valid; NULL removes the handler.
        unsafe { sys::rtm_mpu_set_violation_handler(self.raw.as_ptr(), None, ptr::null_mut()) };
    }

    /// Report a violation at `address` (the seed's `handle_violation`): counted,
    /// and passed to the handler with the region holding the address.
    pub fn handle_violation(&mut self, address: usize, attempted_access: MemoryPermissions) {
        let mut f = sys::rtm_mpu_fault_t {
            address,
            kind: sys::RTM_MPU_FAULT_SOFTWARE,
            access: attempted_access.to_raw() & (sys::RTM_PERM_READ | sys::RTM_PERM_WRITE | sys::RTM_PERM_EXEC),
            flags: sys::RTM_MPU_FAULT_ADDR_VALID,
            region: sys::RTM_MPU_NO_REGION,
            ..Default::default()
        };
        self.report_fault(&mut f);
    }

    /// Report a fault decoded by a fault handler (fills in its region).
    pub fn report(&mut self, fault: &MpuFault) -> MpuFault {
        let mut f = sys::rtm_mpu_fault_t {
            address: fault.address.unwrap_or(0),
            kind: fault.kind.0,
            access: fault.access,
            flags: fault.flags | fault.address.map_or(0, |_| sys::RTM_MPU_FAULT_ADDR_VALID),
            region: sys::RTM_MPU_NO_REGION,
            status: fault.status,
            detail: fault.detail,
        };
        self.report_fault(&mut f);
        MpuFault::from(&f)
    }

    fn report_fault(&mut self, f: &mut sys::rtm_mpu_fault_t) {
        // SAFETY: the manager and the fault are valid; the handler, if any, was
        // registered through this type.
        unsafe { sys::rtm_mpu_report_fault(self.raw.as_ptr(), f) };
    }

    /// [`check_access_as`](Self::check_access_as), reporting a refusal as a
    /// software fault.
    pub fn enforce(&mut self, address: usize, access_type: MemoryAccessType, unprivileged: bool) -> Result<(), MemoryError> {
        // SAFETY: the manager is valid.
        MemoryError::check(unsafe { sys::rtm_mpu_enforce(self.raw.as_ptr(), address, access_type.to_raw(unprivileged)) })
    }

    /// The manager's statistics.
    pub fn get_stats(&self) -> MpuStats {
        let mut s = sys::rtm_mpu_stats_t::default();
        // SAFETY: the manager is valid.
        unsafe { sys::rtm_mpu_get_stats(self.raw.as_ptr(), &mut s) };
        MpuStats {
            regions: s.regions,
            slots_used: s.slots_used,
            ctrl: s.ctrl,
            violations: s.violations,
            region_writes: s.region_writes,
            refusals: s.refusals,
        }
    }

    /// The C handle (e.g. for the stack manager).
    pub fn as_ptr(&self) -> *mut sys::rtm_mpu_t {
        self.raw.as_ptr()
    }
}
