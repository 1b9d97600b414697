//! modprobe.d files, modules-load lists and initramfs module lists.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::modprobe(bytes));
