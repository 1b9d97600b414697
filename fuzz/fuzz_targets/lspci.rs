//! `lspci -nnk`, `-vvv` and `-xxxx` text, and the hex dumps inside it.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::lspci(bytes));
