//! The kernel command line, and where bootloaders keep it (GRUB defaults, systemd-boot
//! entries, proxmox-boot-tool status).
#![no_main]

#[path = "../entries.rs"]
#[allow(dead_code)]
mod entries;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| entries::cmdline(bytes));
