//! Pure parsers: text or bytes in, typed values out. No I/O happens here, so every
//! parser is tested with a string in the exact format the real tool or file prints.

pub mod cmdline;
pub mod cpuinfo;
pub mod grub;
pub mod hexdump;
pub mod interrupts;
pub mod iomem;
pub mod iommu_listing;
pub mod iommu_log;
pub mod kernel_config;
pub mod kernel_log;
pub mod libvirt;
pub mod lspci;
pub mod modprobe;
pub mod modules;
pub mod option_rom;
pub mod os_release;
pub mod paste;
pub mod pci_config;
pub mod pci_ids;
pub mod proxmox_boot;
pub mod pve_config;
pub mod pve_mapping;
pub mod pve_task;
pub mod pveversion;
pub mod sysfs_pci;

/// Helpers for the parsers' tests.
#[cfg(test)]
pub(crate) mod testing {
    /// 20,000 characters drawn from `alphabet` by a fixed xorshift walk: noise made of the
    /// characters a parser cares about, the same on every run.
    pub fn noise(alphabet: &str) -> String {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        (0..20_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[(state % alphabet.len() as u64) as usize]
            })
            .collect()
    }
}
