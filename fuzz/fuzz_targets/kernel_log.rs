//! The kernel log: prefixes, continuation lines, boot boundaries, then the scan every
//! probe reads (IOMMU, DMAR/AMD-Vi, BAR and VFIO lines).
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::kernel_log(bytes));
