//! Text pasted from a forum post: kind detection and splitting, then the facts a pasted
//! host gives (every parser the kinds lead to).
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::paste(bytes));
