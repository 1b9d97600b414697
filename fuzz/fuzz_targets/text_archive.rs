//! The one-file text form of a snapshot (`.host`): entries, links, hex-encoded files,
//! then the facts read from it.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::text_archive(bytes));
