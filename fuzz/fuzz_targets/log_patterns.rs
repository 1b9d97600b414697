//! Log patterns and lines: the pattern set's literal prefilter against a plain `RegexSet`.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::log_patterns(bytes));
