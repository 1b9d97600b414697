//! PCI option ROMs (domain.md section 4): walk every image (`55 AA`, the PCIR data
//! structure, the EFI header of type-3 images) and read uncompressed EFI images' PE/COFF
//! headers with goblin, so the UEFI verdict rests on the image itself.
//!
//! The walk follows the image lengths the way the kernel (`linux: drivers/pci/rom.c`,
//! `pci_get_rom_size`) and edk2 (`PciBusDxe/PciOptionRomSupport.c`) do, not rom-parser's
//! scan for `55 AA` every 512 bytes; on well-formed ROMs both find the same images.
//! Every read is bounds-checked: a truncated, padded or garbage file gives problems, never
//! a panic, and the walk ends after at most [`MAX_IMAGES`] images.

use engine::facts::{EfiImage, PeImage, RomAnalysis, RomImage};

/// Images start on 512-byte boundaries and their lengths count 512-byte units.
const BLOCK: u64 = 512;
/// How far to look for the first `55 AA` behind a vendor header (domain.md 4.1 point 4).
const LEADING_SEARCH_LIMIT: u64 = 64 * 1024;
/// More images than any real ROM has; a guard against crafted chains.
const MAX_IMAGES: usize = 64;
const ROM_SIGNATURE: [u8; 2] = [0x55, 0xAA];
/// Signature (2), type-specific bytes, PCIR pointer at 0x18 (2).
const ROM_HEADER_LEN: u64 = 0x1A;
const PCIR_POINTER_AT: usize = 0x18;
const PCIR_SIGNATURE: &[u8; 4] = b"PCIR";
/// The PCI 2.2 data structure (`Pci22.h`); edk2 requires this much before reading it.
const PCIR_LEN: u64 = 0x18;
/// PCIR indicator bit 7. rom-parser treats any non-zero indicator as last; the kernel
/// and edk2 test this bit only, and so does this walk.
const LAST_IMAGE_BIT: u8 = 0x80;
const CODE_TYPE_LEGACY: u8 = 0;
const CODE_TYPE_EFI: u8 = 3;
const EFI_SIGNATURE: u32 = 0x0EF1;
const EFI_UNCOMPRESSED: u16 = 0;
const EFI_COMPRESSED: u16 = 1;
const SUBSYSTEM_BOOT_SERVICE_DRIVER: u16 = 0x0B;
const SUBSYSTEM_RUNTIME_DRIVER: u16 = 0x0C;
const MACHINE_X64: u16 = 0x8664;
const MACHINE_EBC: u16 = 0x0EBC;

/// Parses a whole ROM. Never panics, never loops, never reads past `bytes`.
pub fn parse_rom(bytes: &[u8]) -> RomAnalysis {
    let mut rom = RomAnalysis { size: bytes.len() as u64, ..RomAnalysis::default() };
    if bytes.is_empty() {
        rom.problems.push("the ROM is empty (0 bytes)".to_string());
        return rom;
    }
    match first_signature(bytes) {
        None => rom.problems.push(format!(
            "no ROM signature (55 AA) at any 512-byte boundary in the first {} KiB; the data starts with {}",
            LEADING_SEARCH_LIMIT / 1024,
            hex_bytes(bytes.get(..4).unwrap_or(bytes))
        )),
        Some(start) => {
            if start > 0 {
                rom.leading_junk = Some(start);
                rom.problems.push(format!(
                    "the first ROM signature (55 AA) is at {start:#x}, not at 0: the bytes before it look \
                     like a vendor header; QEMU's romfile= needs the ROM to start with 55 AA, so cut the \
                     first {start:#x} bytes"
                ));
            }
            walk_images(bytes, start, &mut rom);
        }
    }
    rom.legacy = rom.images.iter().any(is_usable_legacy);
    rom.valid = rom.problems.is_empty();
    rom
}

/// Whether any image's PCIR names this vendor and device. PCI 3.0 images may also list
/// further device IDs (the device list at PCIR +0x08); that list is not read, so a ROM
/// naming the device only there reads as not matching.
pub fn matches_device(analysis: &RomAnalysis, vendor: u16, device: u16) -> bool {
    analysis.images.iter().any(|image| image.vendor_id == vendor && image.device_id == device)
}

/// The PCIR code type's name, as the PCI Firmware spec (and rom-parser, for 0 and 3) says.
pub fn code_type_name(t: u8) -> &'static str {
    match t {
        0 => "x86 PC-AT",
        1 => "Open Firmware",
        2 => "HP PA-RISC",
        3 => "EFI",
        _ => "unknown",
    }
}

/// The EFI / PE machine type's name, worded as rom-parser prints it; RISC-V and
/// LoongArch from edk2 `PeImage.h`.
pub fn machine_name(m: u16) -> &'static str {
    match m {
        0x014C => "IA-32",
        0x0200 => "Itanium",
        0x0EBC => "EFI Byte Code",
        0x8664 => "X64",
        0x01C2 => "ARM",
        0xAA64 => "ARM 64-bit",
        0x5064 => "RISC-V 64-bit",
        0x6264 => "LoongArch 64-bit",
        _ => "unknown",
    }
}

/// One image as walked, with the verdict that needs fields [`RomImage`] does not keep.
struct WalkedImage {
    image: RomImage,
    /// OVMF on x86-64 would load its EFI driver.
    uefi_x64: bool,
}

/// The offset of the first `55 AA` on a 512-byte boundary within the search limit.
fn first_signature(bytes: &[u8]) -> Option<u64> {
    let limit = (bytes.len() as u64).min(LEADING_SEARCH_LIMIT);
    (0..limit).step_by(BLOCK as usize).find(|&offset| slice(bytes, offset, 2) == Some(&ROM_SIGNATURE[..]))
}

/// Follows the chain from `start` until the last image, a broken image or the end.
fn walk_images(bytes: &[u8], start: u64, rom: &mut RomAnalysis) {
    let end = bytes.len() as u64;
    let mut offset = start;
    loop {
        if rom.images.len() >= MAX_IMAGES {
            rom.problems.push(format!("more than {MAX_IMAGES} images; stopped reading at {offset:#x}"));
            return;
        }
        let Some(walked) = read_image(bytes, offset, &mut rom.problems) else { return };
        let (length, last) = (walked.image.length, walked.image.last);
        rom.uefi_x64 |= walked.uefi_x64;
        rom.images.push(walked.image);
        // A zero length cannot advance; read_image said so ("No more image in the PCI ROM").
        if length == 0 || last {
            return;
        }
        let next = offset.saturating_add(length);
        if next > end {
            return; // read_image reported the truncation
        }
        if next == end {
            rom.problems.push(format!(
                "image at {offset:#x} is not marked as the last image, but the data ends after it at \
                 {end:#x} (rom-parser: \"Error, ran off the end\")"
            ));
            return;
        }
        offset = next;
    }
}

/// Reads the image at `offset`; `None` when there is no image there to record.
fn read_image(bytes: &[u8], offset: u64, problems: &mut Vec<String>) -> Option<WalkedImage> {
    let end = bytes.len() as u64;
    let Some(header) = slice(bytes, offset, ROM_HEADER_LEN) else {
        problems.push(format!(
            "{offset:#x}: the data ends inside the ROM header ({} of {ROM_HEADER_LEN} bytes)",
            end.saturating_sub(offset)
        ));
        return None;
    };
    if header.get(..2) != Some(&ROM_SIGNATURE[..]) {
        problems.push(format!(
            "{offset:#x}: the previous image is not marked last, but no ROM signature (55 AA) follows \
             it; found {} (the kernel: \"Invalid PCI ROM header signature\")",
            hex_bytes(header.get(..2).unwrap_or(header))
        ));
        return None;
    }
    let pcir_offset = le16(header, PCIR_POINTER_AT)?;
    let pcir = read_pcir(bytes, offset, pcir_offset, problems)?;
    let mut image = RomImage {
        offset,
        pcir_offset,
        vendor_id: le16(pcir, 0x04)?,
        device_id: le16(pcir, 0x06)?,
        class: class_code(pcir)?,
        pcir_revision: *pcir.get(0x0C)?,
        code_revision: le16(pcir, 0x12)?,
        code_type: *pcir.get(0x14)?,
        length: u64::from(le16(pcir, 0x10)?) * BLOCK,
        last: pcir.get(0x15)? & LAST_IMAGE_BIT != 0,
        checksum_ok: None,
        efi: None,
    };
    if image.length == 0 {
        problems.push(format!(
            "image at {offset:#x}: image length 0 in the PCIR; the walk stops here (the kernel: \
             \"No more image in the PCI ROM\")"
        ));
        return Some(WalkedImage { image, uefi_x64: false });
    }
    check_image_bounds(&image, end, problems);
    let mut uefi_x64 = false;
    match image.code_type {
        CODE_TYPE_LEGACY => image.checksum_ok = legacy_checksum(bytes, &image, problems),
        CODE_TYPE_EFI => {
            let (efi, runs_on_x64) = read_efi(bytes, &image, problems)?;
            image.efi = Some(efi);
            uefi_x64 = runs_on_x64;
        }
        _ => {}
    }
    Some(WalkedImage { image, uefi_x64 })
}

/// The PCI data structure of the image at `offset`, checked for place and signature.
fn read_pcir<'a>(
    bytes: &'a [u8],
    offset: u64,
    pcir_offset: u16,
    problems: &mut Vec<String>,
) -> Option<&'a [u8]> {
    if pcir_offset & 3 != 0 {
        problems.push(format!("image at {offset:#x}: the PCIR at +{pcir_offset:#x} is not 4-byte aligned"));
    }
    let at = offset + u64::from(pcir_offset);
    let Some(pcir) = slice(bytes, at, PCIR_LEN) else {
        problems.push(format!(
            "image at {offset:#x}: PCIR pointer {pcir_offset:#x} points past the end of the data \
             ({:#x} bytes)",
            bytes.len()
        ));
        return None;
    };
    if pcir.get(..4) != Some(&PCIR_SIGNATURE[..]) {
        problems.push(format!(
            "image at {offset:#x}: no PCI data structure at PCIR pointer {pcir_offset:#x}: expected \
             \"PCIR\", found {} (the kernel: \"Invalid PCI ROM data signature\")",
            hex_bytes(pcir.get(..4).unwrap_or(pcir))
        ));
        return None;
    }
    Some(pcir)
}

/// The PCIR must lie inside its image, and the image inside the data.
fn check_image_bounds(image: &RomImage, end: u64, problems: &mut Vec<String>) {
    let offset = image.offset;
    if u64::from(image.pcir_offset) + PCIR_LEN > image.length {
        problems.push(format!(
            "image at {offset:#x}: PCIR pointer {:#x} points past the image ({:#x} bytes)",
            image.pcir_offset, image.length
        ));
    }
    let available = end.saturating_sub(offset);
    if image.length > available {
        problems.push(format!(
            "image at {offset:#x}: the PCIR declares {:#x} bytes but only {available:#x} remain; the ROM \
             is truncated",
            image.length
        ));
    }
}

/// The PCIR class code bytes (prog-if, sub-class, base at +0x0D) as one 24-bit value.
fn class_code(pcir: &[u8]) -> Option<u32> {
    let bytes = pcir.get(0x0D..0x10)?;
    Some(bytes.iter().rev().fold(0, |class, &b| (class << 8) | u32::from(b)))
}

/// SeaBIOS sums the initialization size (header byte 2, in 512-byte units) and refuses
/// or warns about a sum other than 0 (`seabios: src/optionroms.c`, `is_valid_rom`).
/// `None` when those bytes are not all present, or there are none.
fn legacy_checksum(bytes: &[u8], image: &RomImage, problems: &mut Vec<String>) -> Option<bool> {
    let offset = image.offset;
    let init_size = u64::from(*bytes.get(usize::try_from(offset + 2).ok()?)?) * BLOCK;
    if init_size == 0 {
        problems
            .push(format!("image at {offset:#x}: legacy initialization size 0 (SeaBIOS refuses such a ROM)"));
        return None;
    }
    if init_size > image.length {
        problems.push(format!(
            "image at {offset:#x}: legacy initialization size {init_size:#x} exceeds the image length {:#x}",
            image.length
        ));
    }
    let code = slice(bytes, offset, init_size)?;
    let sum = code.iter().fold(0u8, |sum, &b| sum.wrapping_add(b));
    if sum != 0 {
        problems.push(format!(
            "image at {offset:#x}: the legacy checksum over {init_size:#x} bytes is {sum:#04x}, not 0 \
             (SeaBIOS: \"Found option rom with bad checksum\")"
        ));
    }
    Some(sum == 0)
}

/// The EFI header of a code-type-3 image, its PE/COFF headers when readable, and whether
/// OVMF on x86-64 would load it. The checks are edk2 `PciBusDxe`'s before it loads an
/// image (`PciOptionRomSupport.c`, `ProcessOpRomImage`): signature, boot or runtime
/// subsystem, known compression, and the initialization size within the image.
fn read_efi(bytes: &[u8], image: &RomImage, problems: &mut Vec<String>) -> Option<(EfiImage, bool)> {
    let offset = image.offset;
    let header = slice(bytes, offset, ROM_HEADER_LEN)?;
    let init_size = u64::from(le16(header, 0x02)?) * BLOCK;
    let signature = le32(header, 0x04)?;
    let compression = le16(header, 0x0C)?;
    let mut efi = EfiImage {
        signature_valid: signature == EFI_SIGNATURE,
        subsystem: le16(header, 0x08)?,
        machine: le16(header, 0x0A)?,
        compressed: compression == EFI_COMPRESSED,
        image_offset: le16(header, 0x16)?,
        pe: None,
    };
    if !efi.signature_valid {
        problems.push(format!(
            "image at {offset:#x}: code type 3 (EFI) but the EFI signature is {signature:#x}, not \
             {EFI_SIGNATURE:#x}"
        ));
        return Some((efi, false));
    }
    let mut loadable = image_is_complete(image, bytes);
    if efi.subsystem != SUBSYSTEM_BOOT_SERVICE_DRIVER && efi.subsystem != SUBSYSTEM_RUNTIME_DRIVER {
        problems.push(format!(
            "image at {offset:#x}: EFI subsystem {:#x} is neither a boot-service (0xb) nor a runtime \
             driver (0xc); edk2 skips it",
            efi.subsystem
        ));
        loadable = false;
    }
    if compression > EFI_COMPRESSED {
        problems.push(format!(
            "image at {offset:#x}: unknown EFI compression type {compression:#x}; edk2 skips it"
        ));
        loadable = false;
    }
    let image_offset = u64::from(efi.image_offset);
    if init_size > image.length || image_offset >= init_size {
        problems.push(format!(
            "image at {offset:#x}: the EFI initialization size {init_size:#x} and image offset \
             {image_offset:#x} do not fit the image ({:#x} bytes); edk2 skips it",
            image.length
        ));
        loadable = false;
    } else if compression == EFI_UNCOMPRESSED {
        loadable &= read_efi_pe(bytes, image, init_size, &mut efi, problems);
    }
    let runs_on_x64 = loadable && (efi.machine == MACHINE_X64 || efi.machine == MACHINE_EBC);
    Some((efi, runs_on_x64))
}

/// Reads the PE/COFF image into `efi.pe`; false when it contradicts the EFI header.
/// A PE that cannot be read is a problem but no verdict: the header may still be right.
fn read_efi_pe(
    bytes: &[u8],
    image: &RomImage,
    init_size: u64,
    efi: &mut EfiImage,
    problems: &mut Vec<String>,
) -> bool {
    let offset = image.offset;
    let start = offset + u64::from(efi.image_offset);
    // As edk2 loads it: from the image offset to the initialization size, here also
    // bounded by what the file holds.
    let stop = (offset + init_size).min(bytes.len() as u64);
    let Some(pe_bytes) = slice(bytes, start, stop.saturating_sub(start)) else { return true };
    if pe_bytes.is_empty() {
        return true; // nothing of it is in the file; the truncation is already a problem
    }
    match read_pe_headers(pe_bytes) {
        Ok(pe) => {
            let mut agrees = true;
            if pe.machine != efi.machine {
                problems.push(format!(
                    "image at {offset:#x}: the PE machine {:#x} ({}) differs from the EFI header's \
                     {:#x} ({})",
                    pe.machine,
                    machine_name(pe.machine),
                    efi.machine,
                    machine_name(efi.machine)
                ));
                agrees = false;
            }
            if pe.subsystem != efi.subsystem {
                problems.push(format!(
                    "image at {offset:#x}: the PE subsystem {:#x} differs from the EFI header's {:#x}",
                    pe.subsystem, efi.subsystem
                ));
                agrees = false;
            }
            efi.pe = Some(pe);
            agrees
        }
        Err(why) => {
            problems.push(format!(
                "image at {offset:#x}: the PE/COFF image at +{:#x} could not be read: {why}",
                efi.image_offset
            ));
            true
        }
    }
}

/// The PE/COFF headers and section table only: machine, subsystem and entry point are
/// all the verdict needs, and import or relocation tables that goblin's full `PE::parse`
/// insists on would make a sound driver with an odd table look unreadable.
fn read_pe_headers(bytes: &[u8]) -> Result<PeImage, String> {
    use goblin::pe::header::{Header, SIZEOF_COFF_HEADER, SIZEOF_PE_MAGIC};
    let header = Header::parse(bytes).map_err(|e| e.to_string())?;
    let optional = header.optional_header.ok_or("it has no optional header")?;
    let mut sections_at = usize::try_from(header.dos_header.pe_pointer)
        .ok()
        .and_then(|at| at.checked_add(SIZEOF_PE_MAGIC + SIZEOF_COFF_HEADER))
        .and_then(|at| at.checked_add(usize::from(header.coff_header.size_of_optional_header)))
        .ok_or("its section table offset overflows")?;
    let sections = header.coff_header.sections(bytes, &mut sections_at).map_err(|e| e.to_string())?;
    Ok(PeImage {
        machine: header.coff_header.machine,
        subsystem: optional.windows_fields.subsystem,
        entry_point: u64::from(optional.standard_fields.address_of_entry_point),
        sections: sections
            .iter()
            .map(|s| s.name().unwrap_or("?").trim_end_matches('\0').to_string())
            .collect(),
    })
}

/// A code-type-0 image SeaBIOS would run: present in full, with a checksum of 0.
fn is_usable_legacy(image: &RomImage) -> bool {
    image.code_type == CODE_TYPE_LEGACY && image.checksum_ok == Some(true)
}

/// edk2 skips an image that runs past the ROM's end.
fn image_is_complete(image: &RomImage, bytes: &[u8]) -> bool {
    image.offset.saturating_add(image.length) <= bytes.len() as u64
}

/// `len` bytes at `offset`, or `None` when any of them is missing.
fn slice(bytes: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let stop = start.checked_add(usize::try_from(len).ok()?)?;
    bytes.get(start..stop)
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    let pair = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*pair.first()?, *pair.get(1)?]))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let quad: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(quad))
}

/// `4d e9 92 55`: how problems quote bytes.
fn hex_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // ROMs are built byte by byte here, in the layout of domain.md 4.2. The two header
    // templates are the first 0x38 bytes of the images in ipxe-qemu's efi-e1000.rom
    // (Debian 1.0.0+git-20190125.36a4c85-5.1), as `xxd` prints them; tests/rom_files.rs
    // reads the installed files themselves.

    /// efi-e1000.rom @0: legacy header (0x93 blocks), PCIR at 0x1c, 8086:100e, not last.
    const IPXE_LEGACY_HEAD: [u8; 0x38] = [
        0x55, 0xaa, 0x93, 0xe9, 0xa2, 0x00, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, //
        0x9c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x84, 0x00, 0x1c, 0x00, 0x40, 0x00, 0x50, 0x43, 0x49,
        0x52, //
        0x86, 0x80, 0x0e, 0x10, 0xbf, 0x04, 0x1c, 0x00, 0x03, 0x00, 0x00, 0x02, 0x93, 0x00, 0x01,
        0x00, //
        0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    /// efi-e1000.rom @0x12600: EFI header (0x155 blocks, X64 boot-service driver, PE at
    /// +0x38), PCIR at 0x1c, 8086:100e, last.
    const IPXE_EFI_HEAD: [u8; 0x38] = [
        0x55, 0xaa, 0x55, 0x01, 0xf1, 0x0e, 0x00, 0x00, 0x0b, 0x00, 0x64, 0x86, 0x00, 0x00, 0x00,
        0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x50, 0x43, 0x49,
        0x52, //
        0x86, 0x80, 0x0e, 0x10, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x02, 0x55, 0x01, 0x00,
        0x00, //
        0x03, 0x80, 0x00, 0x00, 0xbc, 0x00, 0x00, 0x00,
    ];

    /// The first bytes of SeaBIOS's vgabios-isavga.bin: an ISA VGA BIOS, PCIR pointer 0.
    const ISA_VGA_HEAD: [u8; 0x20] = [
        0x55, 0xaa, 0x4d, 0xe9, 0x92, 0x55, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49, 0x42,
    ];

    const PE_OFFSET: usize = 0x38;

    fn put16(buf: &mut [u8], at: usize, value: u16) {
        buf[at..at + 2].copy_from_slice(&value.to_le_bytes());
    }

    fn put32(buf: &mut [u8], at: usize, value: u32) {
        buf[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// A PCI 3.0 data structure at `at`, class 0x020000 (Ethernet), code revision 1.
    fn write_pcir(img: &mut [u8], at: usize, ids: (u16, u16), code_type: u8, blocks: u16, last: bool) {
        img[at..at + 4].copy_from_slice(b"PCIR");
        put16(img, at + 0x04, ids.0);
        put16(img, at + 0x06, ids.1);
        put16(img, at + 0x0A, 0x1C);
        img[at + 0x0C] = 3;
        img[at + 0x0D..at + 0x10].copy_from_slice(&[0x00, 0x00, 0x02]);
        put16(img, at + 0x10, blocks);
        put16(img, at + 0x12, 1);
        img[at + 0x14] = code_type;
        img[at + 0x15] = if last { 0x80 } else { 0 };
    }

    /// Sets the image's last byte so its initialization bytes sum to 0.
    fn fix_checksum(img: &mut [u8]) {
        let len = usize::from(img[2]) * 512;
        let sum = img[..len - 1].iter().fold(0u8, |s, &b| s.wrapping_add(b));
        img[len - 1] = 0u8.wrapping_sub(sum);
    }

    fn legacy(ids: (u16, u16), blocks: u8, last: bool) -> Vec<u8> {
        let mut img = vec![0u8; usize::from(blocks) * 512];
        img[..4].copy_from_slice(&[0x55, 0xAA, blocks, 0xE9]);
        put16(&mut img, 0x18, 0x1C);
        write_pcir(&mut img, 0x1C, ids, CODE_TYPE_LEGACY, u16::from(blocks), last);
        fix_checksum(&mut img);
        img
    }

    /// A minimal PE32+ EFI driver goblin accepts: DOS header, `PE\0\0`, COFF header,
    /// optional header (magic 0x20b, 16 data directories), one `.text` section.
    fn pe32_plus(machine: u16, subsystem: u16) -> Vec<u8> {
        let mut pe = vec![0u8; 0x400];
        pe[..2].copy_from_slice(b"MZ");
        put32(&mut pe, 0x3C, 0x40); // e_lfanew
        pe[0x40..0x44].copy_from_slice(b"PE\0\0");
        let coff = 0x44;
        put16(&mut pe, coff, machine);
        put16(&mut pe, coff + 2, 1); // sections
        put16(&mut pe, coff + 16, 0xF0); // size of the optional header
        put16(&mut pe, coff + 18, 0x2022); // executable, large-address aware, DLL
        let opt = coff + 20;
        put16(&mut pe, opt, 0x20B);
        put32(&mut pe, opt + 4, 0x200); // size of code
        put32(&mut pe, opt + 16, 0x1000); // entry point
        put32(&mut pe, opt + 20, 0x1000); // base of code
        put32(&mut pe, opt + 32, 0x1000); // section alignment
        put32(&mut pe, opt + 36, 0x200); // file alignment
        put32(&mut pe, opt + 56, 0x2000); // size of image
        put32(&mut pe, opt + 60, 0x200); // size of headers
        put16(&mut pe, opt + 68, subsystem);
        put32(&mut pe, opt + 108, 16); // data directories
        let section = opt + 0xF0;
        pe[section..section + 8].copy_from_slice(b".text\0\0\0");
        put32(&mut pe, section + 8, 0x200); // virtual size
        put32(&mut pe, section + 12, 0x1000); // virtual address
        put32(&mut pe, section + 16, 0x200); // raw size
        put32(&mut pe, section + 20, 0x200); // raw data offset
        put32(&mut pe, section + 36, 0x6000_0020); // code, execute, read
        pe[0x200] = 0xC3;
        pe
    }

    fn efi(ids: (u16, u16), machine: u16, compressed: bool, last: bool) -> Vec<u8> {
        let pe = pe32_plus(machine, u16::from(SUBSYSTEM_BOOT_SERVICE_DRIVER as u8));
        let blocks = (PE_OFFSET + pe.len()).div_ceil(512);
        let mut img = vec![0u8; blocks * 512];
        img[..2].copy_from_slice(&[0x55, 0xAA]);
        put16(&mut img, 0x02, blocks as u16);
        put32(&mut img, 0x04, EFI_SIGNATURE);
        put16(&mut img, 0x08, SUBSYSTEM_BOOT_SERVICE_DRIVER);
        put16(&mut img, 0x0A, machine);
        put16(&mut img, 0x0C, u16::from(compressed));
        put16(&mut img, 0x16, PE_OFFSET as u16);
        put16(&mut img, 0x18, 0x1C);
        write_pcir(&mut img, 0x1C, ids, CODE_TYPE_EFI, blocks as u16, last);
        if compressed {
            // UEFI-compressed data starts with its compressed and original sizes, not `MZ`.
            img[PE_OFFSET..PE_OFFSET + 8].copy_from_slice(&[0x1b, 0x03, 0, 0, 0x00, 0x0c, 0, 0]);
        } else {
            img[PE_OFFSET..PE_OFFSET + pe.len()].copy_from_slice(&pe);
        }
        img
    }

    const E1000: (u16, u16) = (0x8086, 0x100E);

    fn legacy_and_efi(machine: u16) -> Vec<u8> {
        [legacy(E1000, 1, false), efi(E1000, machine, false, true)].concat()
    }

    fn has_problem(rom: &RomAnalysis, words: &str) -> bool {
        rom.problems.iter().any(|p| p.contains(words))
    }

    #[test]
    fn a_legacy_image_with_a_correct_checksum_is_valid_and_legacy() {
        let rom = parse_rom(&legacy(E1000, 2, true));
        assert_eq!(rom.problems, Vec::<String>::new());
        assert!(rom.valid && rom.legacy && !rom.uefi_x64);
        assert_eq!(rom.size, 1024);
        assert_eq!(rom.leading_junk, None);
        let expected = RomImage {
            offset: 0,
            pcir_offset: 0x1C,
            vendor_id: 0x8086,
            device_id: 0x100E,
            class: 0x02_00_00,
            pcir_revision: 3,
            code_revision: 1,
            code_type: 0,
            length: 1024,
            last: true,
            checksum_ok: Some(true),
            efi: None,
        };
        assert_eq!(rom.images, vec![expected]);
    }

    #[test]
    fn legacy_and_uncompressed_x64_efi_read_the_pe_headers() {
        let rom = parse_rom(&legacy_and_efi(MACHINE_X64));
        assert_eq!(rom.problems, Vec::<String>::new());
        assert!(rom.valid && rom.legacy && rom.uefi_x64);
        assert_eq!(rom.images.len(), 2);
        let (first, second) = (&rom.images[0], &rom.images[1]);
        assert_eq!((first.code_type, first.last, first.efi.is_none()), (0, false, true));
        assert_eq!(
            (second.offset, second.code_type, second.last, second.checksum_ok),
            (0x200, 3, true, None)
        );
        let efi = second.efi.as_ref().unwrap();
        assert!(efi.signature_valid && !efi.compressed);
        assert_eq!((efi.machine, efi.subsystem, efi.image_offset), (0x8664, 0x0B, 0x38));
        let expected = PeImage {
            machine: 0x8664,
            subsystem: 11,
            entry_point: 0x1000,
            sections: vec![".text".to_string()],
        };
        assert_eq!(efi.pe.as_ref(), Some(&expected));
    }

    #[test]
    fn the_real_ipxe_headers_read_as_rom_parser_prints_them() {
        // rom-parser on efi-e1000.rom: "Valid ROM signature found @0h, PCIR offset 1ch /
        // type 0 (x86 PC-AT), vendor: 8086, device: 100e, class: 020000 / revision 3,
        // vendor revision: 1" and "@12600h ... type 3 (EFI) ... revision 0, vendor
        // revision: 0 / EFI: Signature Valid, Subsystem: Boot, Machine: X64 / Last image".
        let mut legacy_image = vec![0u8; 0x93 * 512];
        legacy_image[..0x38].copy_from_slice(&IPXE_LEGACY_HEAD);
        fix_checksum(&mut legacy_image);
        let mut efi_image = vec![0u8; 0x155 * 512];
        efi_image[..0x38].copy_from_slice(&IPXE_EFI_HEAD);
        let pe = pe32_plus(MACHINE_X64, 11);
        efi_image[PE_OFFSET..PE_OFFSET + pe.len()].copy_from_slice(&pe);
        let rom = parse_rom(&[legacy_image, efi_image].concat());
        assert_eq!(rom.problems, Vec::<String>::new());
        assert!(rom.valid && rom.legacy && rom.uefi_x64);
        let seen: Vec<_> = rom
            .images
            .iter()
            .map(|i| (i.offset, i.pcir_offset, i.code_type, i.vendor_id, i.device_id, i.class, i.last))
            .collect();
        assert_eq!(
            seen,
            vec![
                (0, 0x1C, 0, 0x8086, 0x100E, 0x020000, false),
                (0x12600, 0x1C, 3, 0x8086, 0x100E, 0x020000, true)
            ]
        );
        let revisions: Vec<_> = rom.images.iter().map(|i| (i.pcir_revision, i.code_revision)).collect();
        assert_eq!(revisions, vec![(3, 1), (0, 0)]);
        let efi = rom.images[1].efi.as_ref().unwrap();
        assert_eq!((efi.signature_valid, machine_name(efi.machine), efi.subsystem), (true, "X64", 0x0B));
    }

    #[test]
    fn a_compressed_efi_image_counts_without_its_pe() {
        let rom = parse_rom(&[legacy(E1000, 1, false), efi(E1000, MACHINE_X64, true, true)].concat());
        assert_eq!(rom.problems, Vec::<String>::new());
        assert!(rom.valid && rom.legacy && rom.uefi_x64);
        let efi = rom.images[1].efi.as_ref().unwrap();
        assert!(efi.compressed && efi.signature_valid);
        assert_eq!(efi.pe, None);
    }

    #[test]
    fn a_bad_checksum_is_a_problem_and_not_a_usable_legacy_image() {
        let mut bytes = legacy(E1000, 1, true);
        bytes[0x100] ^= 0x5A; // was 0: the sum becomes 0x5a
        let rom = parse_rom(&bytes);
        assert_eq!(rom.images[0].checksum_ok, Some(false));
        assert!(!rom.valid && !rom.legacy);
        assert_eq!(
            rom.problems,
            vec!["image at 0x0: the legacy checksum over 0x200 bytes is 0x5a, not 0 (SeaBIOS: \"Found \
                 option rom with bad checksum\")"
                .to_string()]
        );
    }

    #[test]
    fn truncation_at_every_length_of_a_two_image_rom_gives_problems_never_a_panic() {
        let full = legacy_and_efi(MACHINE_X64);
        assert_eq!(full.len(), 0x800);
        for cut in 0..full.len() {
            let rom = parse_rom(&full[..cut]);
            assert!(!rom.valid && !rom.problems.is_empty(), "cut at {cut:#x}: {rom:?}");
            assert!(!rom.uefi_x64, "a cut EFI image cannot load, cut at {cut:#x}");
            assert_eq!(rom.legacy, cut >= 0x200, "cut at {cut:#x}");
            let expected = match cut {
                0 => "the ROM is empty",
                1 => "no ROM signature",
                0x2..=0x19 => "the data ends inside the ROM header",
                0x1A..=0x33 => "points past the end of the data",
                0x34..=0x1FF => "the ROM is truncated",
                0x200 => "not marked as the last image",
                0x201..=0x219 => "the data ends inside the ROM header",
                0x21A..=0x233 => "points past the end of the data",
                _ => "the ROM is truncated",
            };
            assert!(has_problem(&rom, expected), "cut at {cut:#x}: {:?}", rom.problems);
        }
        assert!(parse_rom(&full).valid);
    }

    #[test]
    fn a_pcir_pointer_past_the_data_or_past_the_image_is_reported() {
        let mut far = legacy(E1000, 1, true);
        put16(&mut far, 0x18, 0xFFF0);
        let rom = parse_rom(&far);
        assert!(rom.images.is_empty() && !rom.valid && !rom.legacy);
        assert_eq!(
            rom.problems,
            vec![
                "image at 0x0: PCIR pointer 0xfff0 points past the end of the data (0x200 bytes)".to_string()
            ]
        );

        // Pointing into the next image reads that image's PCIR, outside its own.
        let mut first = legacy(E1000, 1, false);
        put16(&mut first, 0x18, 0x21C);
        fix_checksum(&mut first);
        let rom = parse_rom(&[first, legacy(E1000, 1, true)].concat());
        assert!(has_problem(&rom, "image at 0x0: PCIR pointer 0x21c points past the image (0x200 bytes)"));
        assert!(!rom.valid);
    }

    #[test]
    fn an_isa_rom_without_pcir_is_not_a_pci_option_rom() {
        let mut bytes = vec![0u8; 0x200];
        bytes[..ISA_VGA_HEAD.len()].copy_from_slice(&ISA_VGA_HEAD);
        let rom = parse_rom(&bytes);
        assert!(rom.images.is_empty() && !rom.valid && !rom.legacy && !rom.uefi_x64);
        assert_eq!(
            rom.problems,
            vec!["image at 0x0: no PCI data structure at PCIR pointer 0x0: expected \"PCIR\", found \
                 55 aa 4d e9 (the kernel: \"Invalid PCI ROM data signature\")"
                .to_string()]
        );
    }

    #[test]
    fn a_misaligned_pcir_is_a_problem_but_still_read() {
        let mut bytes = vec![0u8; 0x200];
        bytes[..4].copy_from_slice(&[0x55, 0xAA, 1, 0xE9]);
        put16(&mut bytes, 0x18, 0x1E);
        write_pcir(&mut bytes, 0x1E, E1000, 0, 1, true);
        fix_checksum(&mut bytes);
        let rom = parse_rom(&bytes);
        assert_eq!(rom.problems, vec!["image at 0x0: the PCIR at +0x1e is not 4-byte aligned".to_string()]);
        assert_eq!(rom.images[0].device_id, 0x100E);
        assert!(rom.legacy && !rom.valid);
    }

    #[test]
    fn image_length_zero_stops_the_walk() {
        let mut bytes = legacy(E1000, 1, false);
        put16(&mut bytes, 0x1C + 0x10, 0);
        fix_checksum(&mut bytes);
        let rom = parse_rom(&[bytes, legacy(E1000, 1, true)].concat());
        assert_eq!(rom.images.len(), 1);
        assert_eq!(rom.images[0].length, 0);
        assert!(!rom.valid && !rom.legacy);
        assert!(has_problem(&rom, "image at 0x0: image length 0 in the PCIR"), "{:?}", rom.problems);
    }

    #[test]
    fn chains_that_would_not_end_are_cut() {
        // The largest length a PCIR can declare runs far past the data.
        let mut huge = legacy(E1000, 1, false);
        put16(&mut huge, 0x1C + 0x10, 0xFFFF);
        let rom = parse_rom(&[huge, legacy(E1000, 1, true)].concat());
        assert_eq!(rom.images.len(), 1);
        assert!(
            has_problem(&rom, "the PCIR declares 0x1fffe00 bytes but only 0x400 remain"),
            "{:?}",
            rom.problems
        );

        // A zero length in the middle of a chain, after which the chain would repeat.
        let mut stuck = legacy(E1000, 1, false);
        put16(&mut stuck, 0x1C + 0x10, 0);
        let rom = parse_rom(&[legacy(E1000, 1, false), stuck.clone(), stuck].concat());
        assert_eq!(rom.images.len(), 2);
        assert!(has_problem(&rom, "image at 0x200: image length 0"));

        // A chain longer than any real ROM, never marked last.
        let many: Vec<u8> = (0..70).flat_map(|_| legacy(E1000, 1, false)).collect();
        let rom = parse_rom(&many);
        assert_eq!(rom.images.len(), MAX_IMAGES);
        assert_eq!(rom.problems, vec!["more than 64 images; stopped reading at 0x8000".to_string()]);
    }

    #[test]
    fn an_image_not_marked_last_must_be_followed_by_another() {
        let rom = parse_rom(&legacy(E1000, 1, false));
        assert_eq!(
            rom.problems,
            vec!["image at 0x0 is not marked as the last image, but the data ends after it at 0x200 \
                 (rom-parser: \"Error, ran off the end\")"
                .to_string()]
        );
        assert!(rom.legacy && !rom.valid);

        let rom = parse_rom(&[legacy(E1000, 1, false), vec![0xFF; 0x200]].concat());
        assert!(
            has_problem(
                &rom,
                "0x200: the previous image is not marked last, but no ROM signature (55 AA) follows it; \
                 found ff ff"
            ),
            "{:?}",
            rom.problems
        );
        assert_eq!(rom.images.len(), 1);
    }

    #[test]
    fn a_vendor_header_in_front_is_leading_junk() {
        let mut header = vec![0u8; 0x400];
        header[..4].copy_from_slice(b"NVGI");
        header[0x10..0x12].copy_from_slice(&[0x55, 0xAA]); // not on a 512-byte boundary
        let rom = parse_rom(&[header, legacy_and_efi(MACHINE_X64)].concat());
        assert_eq!(rom.leading_junk, Some(0x400));
        assert_eq!(rom.images.iter().map(|i| i.offset).collect::<Vec<_>>(), vec![0x400, 0x600]);
        assert!(rom.legacy && rom.uefi_x64 && !rom.valid);
        assert_eq!(
            rom.problems,
            vec!["the first ROM signature (55 AA) is at 0x400, not at 0: the bytes before it look like a \
                 vendor header; QEMU's romfile= needs the ROM to start with 55 AA, so cut the first \
                 0x400 bytes"
                .to_string()]
        );
    }

    #[test]
    fn a_signature_beyond_the_first_64_kib_is_not_searched() {
        let rom = parse_rom(&[vec![0u8; 0x10000], legacy(E1000, 1, true)].concat());
        assert!(rom.images.is_empty() && !rom.valid);
        assert_eq!(
            rom.problems,
            vec!["no ROM signature (55 AA) at any 512-byte boundary in the first 64 KiB; the data starts \
                 with 00 00 00 00"
                .to_string()]
        );
    }

    #[test]
    fn an_arm64_efi_image_is_valid_but_not_for_x64_while_ebc_is() {
        let rom = parse_rom(&legacy_and_efi(0xAA64));
        assert!(rom.valid && rom.legacy && !rom.uefi_x64, "{:?}", rom.problems);
        let efi = rom.images[1].efi.as_ref().unwrap();
        assert_eq!(
            (machine_name(efi.machine), efi.pe.as_ref().map(|p| p.machine)),
            ("ARM 64-bit", Some(0xAA64))
        );

        let rom = parse_rom(&legacy_and_efi(MACHINE_EBC));
        assert!(rom.valid && rom.uefi_x64, "{:?}", rom.problems);
    }

    #[test]
    fn a_pe_that_disagrees_with_the_efi_header_is_not_trusted() {
        let mut bytes = legacy_and_efi(MACHINE_X64);
        let pe_coff = 0x200 + PE_OFFSET + 0x44;
        put16(&mut bytes, pe_coff, 0x014C); // the PE says IA-32
        put16(&mut bytes, pe_coff + 20 + 68, 10); // and EFI application
        let rom = parse_rom(&bytes);
        assert!(!rom.uefi_x64 && !rom.valid && rom.legacy);
        assert_eq!(
            rom.problems,
            vec![
                "image at 0x200: the PE machine 0x14c (IA-32) differs from the EFI header's 0x8664 (X64)"
                    .to_string(),
                "image at 0x200: the PE subsystem 0xa differs from the EFI header's 0xb".to_string(),
            ]
        );
    }

    #[test]
    fn an_unreadable_pe_is_a_problem_but_the_header_still_decides() {
        let mut bytes = legacy_and_efi(MACHINE_X64);
        bytes[0x200 + PE_OFFSET] = b'X'; // no longer "MZ"
        let rom = parse_rom(&bytes);
        assert!(rom.uefi_x64 && !rom.valid);
        assert_eq!(rom.images[1].efi.as_ref().unwrap().pe, None);
        assert!(
            has_problem(&rom, "image at 0x200: the PE/COFF image at +0x38 could not be read"),
            "{:?}",
            rom.problems
        );
    }

    #[test]
    fn efi_header_faults_keep_ovmf_from_loading_the_image() {
        let cases: [(usize, u16, &str); 4] = [
            (0x04, 0x0EF0, "code type 3 (EFI) but the EFI signature is 0xef0, not 0xef1"),
            (0x08, 0x0A, "EFI subsystem 0xa is neither a boot-service (0xb) nor a runtime driver (0xc)"),
            (0x0C, 2, "unknown EFI compression type 0x2"),
            (
                0x02,
                4,
                "the EFI initialization size 0x800 and image offset 0x38 do not fit the image (0x600 bytes)",
            ),
        ];
        for (at, value, words) in cases {
            let mut bytes = legacy_and_efi(MACHINE_X64);
            put16(&mut bytes, 0x200 + at, value);
            let rom = parse_rom(&bytes);
            assert!(!rom.uefi_x64 && !rom.valid, "{words}");
            assert!(has_problem(&rom, &format!("image at 0x200: {words}")), "{:?}", rom.problems);
        }
        let mut bytes = legacy_and_efi(MACHINE_X64);
        put32(&mut bytes, 0x204, 0);
        let rom = parse_rom(&bytes);
        assert!(!rom.images[1].efi.as_ref().unwrap().signature_valid);
    }

    #[test]
    fn names_and_device_matching() {
        assert_eq!(
            [0, 1, 2, 3, 0x70, 0xFF].map(code_type_name),
            ["x86 PC-AT", "Open Firmware", "HP PA-RISC", "EFI", "unknown", "unknown"]
        );
        assert_eq!(
            [0x014C, 0x0200, 0x0EBC, 0x8664, 0x01C2, 0xAA64, 0x1234].map(machine_name),
            ["IA-32", "Itanium", "EFI Byte Code", "X64", "ARM", "ARM 64-bit", "unknown"]
        );
        let rom =
            parse_rom(&[legacy(E1000, 1, false), efi((0x8086, 0x10D3), MACHINE_X64, false, true)].concat());
        assert!(matches_device(&rom, 0x8086, 0x100E));
        assert!(matches_device(&rom, 0x8086, 0x10D3));
        assert!(!matches_device(&rom, 0x8086, 0x1209));
        assert!(!matches_device(&RomAnalysis::default(), 0, 0));
    }

    /// xorshift64: reproducible noise without a dependency.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn assert_consistent(rom: &RomAnalysis, input_len: usize) {
        assert_eq!(rom.valid, rom.problems.is_empty());
        assert!(rom.images.len() <= MAX_IMAGES);
        assert_eq!(rom.size, input_len as u64);
        assert!(rom.images.windows(2).all(|w| w[0].offset < w[1].offset));
    }

    #[test]
    fn random_garbage_and_mutated_roms_never_panic() {
        for seed in 1..=3000u64 {
            let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let len = (rng.next() % 4096) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Plant signatures so the walk gets past the first check now and then.
            if len >= 0x40 && seed % 2 == 0 {
                bytes[..2].copy_from_slice(&[0x55, 0xAA]);
                bytes[0x1C..0x20].copy_from_slice(b"PCIR");
                put16(&mut bytes, 0x18, 0x1C);
            }
            let rom = parse_rom(&bytes);
            assert_consistent(&rom, len);
        }
        // Flip bytes of a valid two-image ROM, headers and PE included, to reach goblin.
        let valid = legacy_and_efi(MACHINE_X64);
        for seed in 1..=3000u64 {
            let mut rng = XorShift(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
            let mut bytes = valid.clone();
            for _ in 0..1 + rng.next() % 8 {
                let at = if rng.next() & 1 == 0 {
                    0x200 + (rng.next() % 0x300) as usize // EFI header, PCIR and PE headers
                } else {
                    (rng.next() % bytes.len() as u64) as usize
                };
                bytes[at] = rng.next() as u8;
            }
            let rom = parse_rom(&bytes);
            assert_consistent(&rom, bytes.len());
        }
    }
}
