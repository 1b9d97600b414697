//! Proxmox VE: VM configs, `pci.cfg` mappings, task UPIDs and task logs.
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::pve_config(bytes));
