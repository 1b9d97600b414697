//! PCI option ROMs (VBIOS, UEFI GOP drivers): what each image in a ROM is, and whether
//! the ROM as a whole can serve OVMF (a UEFI image for x86-64) and SeaBIOS (legacy).

use super::Provenance;
use serde::{Deserialize, Serialize};

/// A ROM that was found: a VM's `romfile`, a device's ROM read through sysfs, a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RomFile {
    /// Where it is, as configured or read (`/usr/share/kvm/vbios.bin`).
    pub path: String,
    /// The VM whose config names it, if any.
    pub vm: Option<String>,
    /// The passthrough entry naming it (`hostpci0`).
    pub key: Option<String>,
    /// The host device it is meant for, when known (`0000:01:00.0`).
    pub device: Option<String>,
    /// Whether the file exists.
    pub exists: Option<bool>,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
    pub analysis: Option<RomAnalysis>,
    /// Whether an image's PCIR vendor:device is the device's own (a ROM for another card
    /// is ignored by QEMU and guest firmware).
    pub matches_device: Option<bool>,
    pub from: Provenance,
}

/// The parsed ROM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RomAnalysis {
    pub size: u64,
    pub images: Vec<RomImage>,
    /// An EFI image OVMF on x86-64 can run (machine x64 or EBC, a boot-service driver).
    pub uefi_x64: bool,
    /// A legacy x86 (code type 0) image for SeaBIOS / CSM.
    pub legacy: bool,
    /// No structural problem found.
    pub valid: bool,
    /// Why it is damaged or odd (with offsets).
    pub problems: Vec<String>,
    /// Offset of the first `55 AA` when the ROM does not start with one (a vendor header
    /// in front; QEMU needs the image at offset 0).
    pub leading_junk: Option<u64>,
}

/// One image of a ROM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RomImage {
    pub offset: u64,
    /// Offset of the PCI data structure, relative to the image.
    pub pcir_offset: u16,
    pub vendor_id: u16,
    pub device_id: u16,
    /// 24-bit class code.
    pub class: u32,
    /// PCIR structure revision (3 = PCI 3.0).
    pub pcir_revision: u8,
    /// The image's own revision ("vendor revision" in rom-parser).
    pub code_revision: u16,
    /// 0 x86 PC-AT (legacy BIOS), 1 Open Firmware, 2 PA-RISC, 3 EFI.
    pub code_type: u8,
    /// Length in bytes (PCIR image length × 512).
    pub length: u64,
    pub last: bool,
    /// Legacy images sum to 0 mod 256; `None` for EFI images, which carry no checksum.
    pub checksum_ok: Option<bool>,
    pub efi: Option<EfiImage>,
}

/// The EFI header of a code-type-3 image, and what its PE/COFF image says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EfiImage {
    /// `EfiSignature` = 0x0EF1.
    pub signature_valid: bool,
    /// 0x0B boot-service driver, 0x0C runtime driver.
    pub subsystem: u16,
    /// 0x014C IA32, 0x0200 IA64, 0x0EBC EBC, 0x8664 X64, 0x01C2 ARM, 0xAA64 AArch64.
    pub machine: u16,
    /// Compressed with the UEFI compression algorithm (the PE image cannot be read).
    pub compressed: bool,
    /// Offset of the PE/COFF image from the image start.
    pub image_offset: u16,
    /// The PE/COFF image, when uncompressed and readable.
    pub pe: Option<PeImage>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PeImage {
    pub machine: u16,
    pub subsystem: u16,
    pub entry_point: u64,
    pub sections: Vec<String>,
}
