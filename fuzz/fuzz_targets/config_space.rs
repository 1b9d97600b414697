//! PCI configuration space as read from sysfs `config` or an `lspci -xxxx` dump.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::config_space(bytes));
