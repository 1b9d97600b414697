//! PCI option ROMs (domain.md section 4): walk every image (`55 AA`, the PCIR data
//! structure, the EFI header of type-3 images) and read uncompressed EFI images' PE/COFF
//! headers with goblin, so the UEFI verdict rests on the image itself.

use engine::facts::RomAnalysis;

/// Parses a whole ROM. Never panics, never loops, never reads past `bytes`.
pub fn parse_rom(bytes: &[u8]) -> RomAnalysis {
    let _ = bytes;
    RomAnalysis::default()
}

/// Whether any image's PCIR vendor:device is this device's.
pub fn matches_device(analysis: &RomAnalysis, vendor: u16, device: u16) -> bool {
    analysis.images.iter().any(|i| i.vendor_id == vendor && i.device_id == device)
}

pub fn code_type_name(t: u8) -> &'static str {
    let _ = t;
    "unknown"
}

pub fn machine_name(m: u16) -> &'static str {
    let _ = m;
    "unknown"
}
