//! Option ROM images: PCI data structures, EFI headers, PE/COFF, chains of images.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::option_rom(bytes));
