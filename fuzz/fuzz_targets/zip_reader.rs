//! A report zip handed over by someone else: the reader's limits and checks, then the
//! facts read from whatever snapshot it holds.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::zip_reader(bytes));
