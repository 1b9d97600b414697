//! A rule file as a contributor might write it: YAML, then every check of the loader
//! (paths against the fact catalogue, regexes, templates, derived-fact order), then the
//! log pattern sets (literal extraction, Aho-Corasick, `RegexSet`).
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::rule_loader(bytes));
