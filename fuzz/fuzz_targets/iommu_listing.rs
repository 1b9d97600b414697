//! The IOMMU group listing users paste (the wiki's `for d in /sys/kernel/iommu_groups/…`
//! loop and its variants).
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::iommu_listing(bytes));
