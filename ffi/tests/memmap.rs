// SPDX-License-Identifier: MIT OR Apache-2.0
//! MemoryLayout: the seed's memory map over rtm_memmap_t.

use rtmem::{MemoryError, MemoryLayout, MemoryLayoutStorage, MemoryPermissions, MemoryRegion, MemoryRegionType};

const RX: MemoryPermissions = MemoryPermissions { readable: true, writable: false, executable: true, cacheable: true, unprivileged: false };
const RW: MemoryPermissions = MemoryPermissions { readable: true, writable: true, executable: false, cacheable: true, unprivileged: false };

fn region(start: usize, size: usize, region_type: MemoryRegionType, name: &str) -> MemoryRegion {
    let permissions = if region_type == MemoryRegionType::Code { RX } else { RW };
    MemoryRegion { start_addr: start, size, region_type, permissions, name: name.into(), used: 0 }
}

#[test]
fn regions_are_sorted_found_and_never_overlap() {
    let mut storage = MemoryLayoutStorage::<8>::new();
    let mut map = MemoryLayout::new(&mut storage).expect("map");
    map.add_region(region(0x2000_0000, 0x1_0000, MemoryRegionType::Heap, "heap0")).unwrap();
    map.add_region(region(0x0, 0x4_0000, MemoryRegionType::Code, "flash")).unwrap();
    map.add_region(region(0x2001_0000, 0x8000, MemoryRegionType::Stack, "stacks")).unwrap();
    map.add_region(region(0x2002_0000, 0x4000, MemoryRegionType::Heap, "heap1")).unwrap();

    let overlapping = region(0x2000_8000, 0x1_0000, MemoryRegionType::Data, "bad");
    assert_eq!(map.add_region(overlapping), Err(MemoryError::AddressOverlap));
    assert_eq!(map.add_region(region(0x3000_0000, 0, MemoryRegionType::Data, "empty")), Err(MemoryError::InvalidArgument));
    assert_eq!(
        map.add_region(region(usize::MAX - 10, 100, MemoryRegionType::Device, "wraps")),
        Err(MemoryError::InvalidArgument)
    );
    assert_eq!(map.add_region(region(0x5000_0000, 16, MemoryRegionType(42), "type?")), Err(MemoryError::InvalidArgument));
    assert_eq!(map.len(), 4);

    let starts: Vec<usize> = map.regions().map(|r| r.start_addr).collect();
    assert_eq!(starts, [0x0, 0x2000_0000, 0x2001_0000, 0x2002_0000]);
    let found = map.find_region(0x2001_7fff).expect("in the stacks");
    assert_eq!(found.name.as_str(), "stacks");
    assert_eq!(found.region_type, MemoryRegionType::Stack);
    assert_eq!(found.permissions, RW);
    assert!(map.find_region(0x2001_8000).is_none());
    assert_eq!(map.find_region(0x100).unwrap().permissions, RX);
    assert_eq!(map.check(), Ok(()));
}

#[test]
fn stats_count_heap_free_space_and_real_fragmentation() {
    let mut storage = MemoryLayoutStorage::<4>::new();
    let mut map = MemoryLayout::new(&mut storage).expect("map");
    map.add_region(region(0x1000, 0x1000, MemoryRegionType::Heap, "a")).unwrap();
    map.add_region(region(0x4000, 0x1000, MemoryRegionType::Heap, "b")).unwrap();
    map.add_region(MemoryRegion { used: 0x800, ..region(0x8000, 0x1000, MemoryRegionType::Data, "data") }).unwrap();
    let s = map.get_memory_stats();
    assert_eq!((s.total_memory, s.used_memory, s.free_memory, s.heap_memory), (0x3000, 0x800, 0x2000, 0x2000));
    assert!((s.fragmentation_ratio - 0.5).abs() < 1e-6, "free space split evenly over two heaps");
    map.set_used(0x1800, 0x1000).expect("heap a full");
    let s = map.get_memory_stats();
    assert_eq!((s.free_memory, s.largest_free, s.fragmentation_ratio), (0x1000, 0x1000, 0.0));
    assert_eq!(map.set_used(0x1800, 0x1001), Err(MemoryError::InvalidArgument));
    assert_eq!(map.set_used(0x9000, 1), Err(MemoryError::InvalidPointer));
    map.remove_region(0x4000).expect("remove b");
    assert_eq!(map.remove_region(0x4000), Err(MemoryError::InvalidPointer));
    assert_eq!(map.get_memory_stats().region_count, 2);
}

#[test]
fn the_table_has_a_capacity() {
    let mut storage = MemoryLayoutStorage::<2>::new();
    let mut map = MemoryLayout::new(&mut storage).expect("map");
    map.add_region(region(0, 16, MemoryRegionType::Reserved, "r0")).unwrap();
    map.add_region(region(16, 16, MemoryRegionType::Reserved, "r1")).unwrap();
    assert_eq!(map.add_region(region(32, 16, MemoryRegionType::Reserved, "r2")), Err(MemoryError::OutOfMemory));
    let mut none = MemoryLayoutStorage::<0>::new();
    assert_eq!(MemoryLayout::new(&mut none).err(), Some(MemoryError::InvalidArgument));
}

#[test]
fn names_are_truncated_at_a_character_boundary() {
    let mut storage = MemoryLayoutStorage::<2>::new();
    let mut map = MemoryLayout::new(&mut storage).expect("map");
    map.add_region(region(0, 16, MemoryRegionType::Data, "a-rather-long-region-name")).unwrap();
    map.add_region(region(16, 16, MemoryRegionType::Data, "ééééééééé")).unwrap();
    let names: Vec<String> = map.regions().map(|r| r.name.to_string()).collect();
    assert_eq!(names[0], "a-rather-long-r");
    assert_eq!(names[1], "ééééééé", "14 bytes: a 2-byte character is not cut");
}

#[test]
fn permissions_round_trip_through_bits() {
    for bits in 0..32u32 {
        assert_eq!(MemoryPermissions::from_raw(bits).to_raw(), bits);
    }
}
