// SPDX-License-Identifier: MIT OR Apache-2.0
//! MPUManager over the host model of each architecture, and StackManager
//! with canary guards (host addresses are beyond what a 32-bit MPU maps).

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicUsize, Ordering};

use rtmem::{
    FaultKind, FreeListHeap, HostMpu, MPUManager, MemoryAccessType, MemoryError, MemoryPermissions, MpuArch,
    MpuBackend, MpuFault, MpuStorage, StackArea, StackConfig, StackManager, StackManagerStorage,
};

const NONE: MemoryPermissions = MemoryPermissions {
    readable: false,
    writable: false,
    executable: false,
    cacheable: true,
    unprivileged: false,
};
const RW: MemoryPermissions = MemoryPermissions { readable: true, writable: true, ..NONE };
const RO_ALL: MemoryPermissions = MemoryPermissions { readable: true, unprivileged: true, ..NONE };
const RX: MemoryPermissions = MemoryPermissions { readable: true, executable: true, ..NONE };

#[test]
fn armv7m_regions_decide_accesses_like_the_hardware() {
    let mut model = HostMpu::new(MpuArch::ARMV7M, 8).expect("model");
    let mut storage = MpuStorage::new();
    let mut mpu = MPUManager::new(&mut storage, MpuBackend::host(&mut model)).expect("manager");
    assert_eq!((mpu.max_regions(), mpu.arch()), (8, MpuArch::ARMV7M));

    mpu.configure_region(0, 0x0000_0000, 0x4_0000, RX).expect("flash");
    mpu.configure_region(1, 0x2000_0000, 0x1_0000, RW).expect("ram");
    mpu.configure_region(2, 0x2000_8000, 0x1000, RO_ALL).expect("shared, read-only");
    let guard = mpu.add_region(0x2000_4000, 32, NONE).expect("guard on top");
    assert_eq!(guard, 7, "the guard takes the highest-numbered free slot");

    // Before enable everything is allowed; afterwards the regions decide.
    assert_eq!(mpu.check_access(0x2000_4000, MemoryAccessType::Write), Ok(()));
    mpu.enable().expect("enable");
    let cases = [
        (0x2000_0100, MemoryAccessType::Write, false, Ok(())),
        (0x2000_0100, MemoryAccessType::Execute, false, Err(MemoryError::AccessViolation)),
        (0x2000_4010, MemoryAccessType::Read, false, Err(MemoryError::AccessViolation)),
        (0x2000_8010, MemoryAccessType::Write, false, Err(MemoryError::AccessViolation)),
        (0x2000_8010, MemoryAccessType::Read, true, Ok(())),
        (0x2000_0100, MemoryAccessType::Read, true, Err(MemoryError::AccessViolation)),
        (0x0000_1000, MemoryAccessType::Execute, false, Ok(())),
        (0x6000_0000, MemoryAccessType::Read, false, Ok(())), // default map (PRIVDEFENA)
        (0x6000_0000, MemoryAccessType::Read, true, Err(MemoryError::AccessViolation)),
    ];
    for (addr, access, unpriv, want) in cases {
        assert_eq!(mpu.check_access_as(addr, access, unpriv), want, "{addr:#x} {access:?} unpriv={unpriv}");
        // The model decodes the registers the back end really wrote.
        assert_eq!(mpu.check_backend(addr, access, unpriv), want, "registers: {addr:#x} {access:?}");
    }
    assert_eq!(mpu.find_region(0x2000_4000), Some(7));
    assert_eq!(mpu.find_region(0x7000_0000), None);
    let r = mpu.get_region(2).expect("region 2");
    assert_eq!((r.base_address, r.size, r.permissions), (0x2000_8000, 0x1000, RO_ALL));
    mpu.clear_region(7).expect("clear the guard");
    assert!(mpu.get_region(7).is_none());
    assert_eq!(mpu.check_access(0x2000_4010, MemoryAccessType::Write), Ok(()));
    mpu.disable().expect("disable");
    assert_eq!(mpu.get_stats().ctrl, 0);
}

#[test]
fn regions_the_unit_cannot_express_are_refused() {
    let mut model = HostMpu::new(MpuArch::ARMV7M, 8).expect("model");
    let mut storage = MpuStorage::new();
    let mut mpu = MPUManager::new(&mut storage, MpuBackend::host(&mut model)).expect("manager");
    let write_only = MemoryPermissions { writable: true, ..NONE };
    assert_eq!(mpu.configure_region(0, 0x2000_0000, 0x100, write_only), Err(MemoryError::Unsupported));
    assert_eq!(mpu.configure_region(0, 0x2000_0010, 0x30, RW), Err(MemoryError::AlignmentError));
    assert_eq!(mpu.configure_region(8, 0x2000_0000, 0x100, RW), Err(MemoryError::InvalidArgument));
    assert_eq!(mpu.validate(0, 0x2000_0000, 0x100, RW), Ok(()));
    assert!(mpu.get_region(0).is_none(), "validate writes nothing");
    assert_eq!(mpu.get_stats().refusals, 3);

    let mut v8 = HostMpu::new(MpuArch::ARMV8M, 8).expect("model");
    let mut storage = MpuStorage::new();
    let mut mpu = MPUManager::new(&mut storage, MpuBackend::host(&mut v8)).expect("manager");
    mpu.configure_region(0, 0x2000_0000, 0x1000, RW).expect("region");
    assert_eq!(mpu.configure_region(1, 0x2000_0800, 0x1000, RW), Err(MemoryError::AddressOverlap));
    assert_eq!(mpu.configure_region(1, 0x3000_0000, 0x100, NONE), Err(MemoryError::Unsupported), "no no-access on v8-M");

    assert_eq!(HostMpu::new(MpuArch(99), 8).err(), Some(MemoryError::InvalidArgument));
    assert_eq!(HostMpu::new(MpuArch::PMP, 17).err(), Some(MemoryError::InvalidArgument));
}

#[cfg(not(target_arch = "arm"))]
#[test]
fn hardware_back_ends_are_unsupported_on_a_host() {
    for backend in [MpuBackend::armv7m(), MpuBackend::armv8m(), MpuBackend::pmp(16)] {
        let mut storage = MpuStorage::new();
        assert_eq!(MPUManager::new(&mut storage, backend).err(), Some(MemoryError::Unsupported));
    }
}

static VIOLATIONS: AtomicUsize = AtomicUsize::new(0);
static LAST_ADDRESS: AtomicUsize = AtomicUsize::new(0);

fn on_violation(address: usize, attempted: MemoryPermissions) {
    assert!(attempted.writable && !attempted.readable);
    LAST_ADDRESS.store(address, Ordering::SeqCst);
    VIOLATIONS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn violations_reach_the_seed_style_handler() {
    let mut model = HostMpu::new(MpuArch::PMP, 16).expect("model");
    let mut storage = MpuStorage::new();
    let mut mpu = MPUManager::new(&mut storage, MpuBackend::host(&mut model)).expect("manager");
    mpu.configure_region(0, 0x8000_0000, 0x1000, RO_ALL).expect("read-only for U-mode");
    mpu.enable().expect("enable");
    mpu.set_violation_handler(on_violation);
    assert_eq!(mpu.enforce(0x8000_0010, MemoryAccessType::Write, true), Err(MemoryError::AccessViolation));
    assert_eq!(mpu.enforce(0x8000_0010, MemoryAccessType::Read, true), Ok(()));
    mpu.handle_violation(0x8000_0020, MemoryPermissions { writable: true, ..NONE });
    assert_eq!(VIOLATIONS.load(Ordering::SeqCst), 2);
    assert_eq!(LAST_ADDRESS.load(Ordering::SeqCst), 0x8000_0020);
    assert_eq!(mpu.get_stats().violations, 2);
    mpu.clear_violation_handler();
    mpu.handle_violation(0x8000_0030, MemoryPermissions { writable: true, ..NONE });
    assert_eq!(VIOLATIONS.load(Ordering::SeqCst), 2, "no handler, only counted");
    assert_eq!(mpu.get_stats().violations, 3);
}

#[test]
fn arm_fault_status_decodes() {
    // MMFSR: DACCVIOL (bit 1) with MMARVALID (bit 7).
    let f = MpuFault::decode_arm(0x82, 0, 0x2000_0040, 0);
    assert_eq!((f.kind, f.address), (FaultKind::DATA_ACCESS, Some(0x2000_0040)));
    let f = MpuFault::decode_arm(0, 0, 0, 0);
    assert_eq!((f.kind, f.address), (FaultKind::NONE, None));
    // RV32 store access fault (mcause 7).
    let f = MpuFault::decode_rv32(7, 0x8000_1000);
    assert_eq!((f.kind, f.address), (FaultKind::DATA_ACCESS, Some(0x8000_1000)));
}

fn arena(size: usize) -> Vec<MaybeUninit<u8>> {
    vec![MaybeUninit::uninit(); size]
}

#[test]
fn stacks_with_canary_guards_painting_and_reuse() {
    let mut heap_mem = arena(64 * 1024);
    let mut heap = FreeListHeap::new(&mut heap_mem).expect("heap");
    let mut storage = StackManagerStorage::<4>::new();
    let config = StackConfig { default_stack_size: 1024, guard_size: 64, paint: true, ..Default::default() };
    let mut sm = StackManager::new(&mut storage, config, Some(heap.allocator()), None).expect("manager");

    let a = sm.allocate_stack(1, None).expect("default size");
    let b = sm.allocate_stack(2, Some(2000)).expect("2000 bytes");
    assert_eq!((a.task_id, a.guard_size), (1, 64));
    assert!(a.stack_size >= 1024 && b.stack_size >= 2000);
    assert!(!a.has_mpu_guard(), "no MPU: the guard is canary words");
    assert_eq!(a.stack_pointer as usize % 8, 0);
    assert_eq!(a.stack_pointer as usize - a.limit as usize, a.stack_size);
    assert_eq!(sm.allocate_stack(1, None).err(), Some(MemoryError::InvalidArgument), "task 1 has one");

    // A task uses 300 bytes of its stack: the high-water mark sees it.
    unsafe { a.stack_pointer.sub(300).write_bytes(0x5a, 300) };
    assert_eq!(sm.high_water(1), Ok(300));
    assert_eq!(sm.check_sp(1, unsafe { a.stack_pointer.sub(300) }), Ok(()));
    assert!(!sm.check_stack_overflow(1, a.limit), "a full stack is not an overflow");
    assert!(sm.check_stack_overflow(1, unsafe { a.limit.sub(4) }));
    assert_eq!(sm.check_sp(1, unsafe { a.stack_pointer.add(16) }), Err(MemoryError::InvalidPointer));
    assert_eq!(sm.find(a.limit as usize + 8), Some((1, StackArea::Stack)));
    assert_eq!(sm.find(a.stack_base as usize), Some((1, StackArea::Guard)));

    // Task 2 writes below its limit: the canary catches it, counted once.
    unsafe { b.limit.sub(8).write_bytes(0, 8) };
    assert_eq!(sm.check_canary(2), Err(MemoryError::CorruptedMetadata));
    assert_eq!(sm.check_canary(2), Err(MemoryError::CorruptedMetadata));
    let s = sm.get_stats();
    assert_eq!((s.active_stacks, s.stack_overflows), (2, 2), "task 1 by SP, task 2 by canary");
    assert!(sm.get_stack_info(2).unwrap().overflowed());
    assert_eq!(sm.deallocate_stack(2), Err(MemoryError::CorruptedMetadata), "released all the same");
    assert_eq!(sm.deallocate_stack(2), Err(MemoryError::DoubleFree));
    assert!(sm.get_stack_info(2).is_none());

    // A freed stack is reused, then trimmed back to the heap.
    sm.deallocate_stack(1).expect("free task 1");
    let again = sm.allocate_stack(3, Some(512)).expect("reuse");
    assert_eq!(again.stack_base, a.stack_base);
    assert_eq!(sm.get_stats().reused_stacks, 1);
    sm.deallocate_stack(3).expect("free task 3");
    assert_eq!(sm.trim(), Ok(2));
    assert_eq!(sm.check(), Ok(()));
    assert_eq!(sm.get_stats().total_stack_memory, 0);
}

#[test]
fn static_stacks_and_a_full_table() {
    let mut storage = StackManagerStorage::<2>::new();
    let mut area1 = arena(1024);
    let mut area2 = arena(1024);
    let mut area3 = arena(1024);
    let mut sm = StackManager::new(&mut storage, StackConfig::default(), None, None).expect("manager");
    assert_eq!(sm.allocate_stack(1, Some(256)).err(), Some(MemoryError::OutOfMemory), "no allocator");
    let s1 = sm.add_static(1, &mut area1).expect("static stack");
    assert!(s1.stack_size > 900 && s1.stack_size <= 1024);
    sm.add_static(2, &mut area2).expect("second");
    assert_eq!(sm.add_static(3, &mut area3).err(), Some(MemoryError::OutOfMemory), "table full");
    assert_eq!(sm.get_stats().failures, 2);
    assert_eq!(sm.check(), Ok(()));
}

#[test]
fn bad_configurations_are_refused() {
    let mut storage = StackManagerStorage::<2>::new();
    let bad_guard = StackConfig { guard_size: 12, ..Default::default() };
    assert_eq!(StackManager::new(&mut storage, bad_guard, None, None).err(), Some(MemoryError::AlignmentError));
    let mut model = HostMpu::new(MpuArch::ARMV7M, 8).expect("model");
    let mut mpu_storage = MpuStorage::new();
    let mut mpu = MPUManager::new(&mut mpu_storage, MpuBackend::host(&mut model)).expect("mpu");
    let not_pow2 = StackConfig { guard_size: 48, ..Default::default() };
    assert_eq!(
        StackManager::new(&mut storage, not_pow2, None, Some(&mut mpu)).err(),
        Some(MemoryError::AlignmentError),
        "with an MPU the guard is a power of two"
    );
}
