//! The option ROMs Debian ships for QEMU, parsed by `probes::parse::option_rom`: iPXE's
//! network boot ROMs (package `ipxe-qemu`, /usr/lib/ipxe/qemu) and SeaBIOS's VGA BIOSes
//! (package `seabios`, /usr/share/seabios). These are real ROMs with real PCIR, EFI and
//! PE/COFF headers, so they test the parser against bytes nobody wrote for it.
//!
//! The expected IDs were read from the files (`xxd`) and cross-checked against
//! awilliam/rom-parser's output, not taken from QEMU's device list: Debian's builds
//! differ from it in places (virtio 1af4:1041, eepro100 8086:1229, ne2k_pci with no IDs).

use engine::facts::RomAnalysis;
use probes::parse::option_rom::{code_type_name, machine_name, matches_device, parse_rom};
use std::fs;
use std::path::{Path, PathBuf};

const IPXE_DIR: &str = "/usr/lib/ipxe/qemu";
const SEABIOS_DIR: &str = "/usr/share/seabios";
const CLASS_ETHERNET: u32 = 0x02_00_00;
const CLASS_VGA: u32 = 0x03_00_00;

/// The files in `dir` named `<prefix>…<suffix>`, sorted. Missing files fail the test with
/// the package to install: passing without them would prove nothing.
fn rom_files(dir: &str, prefix: &str, suffix: &str, package: &str) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| {
        panic!("{dir} cannot be read ({e}); install the Debian package {package} (apt-get install {package})")
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = file_name(p);
            name.starts_with(prefix) && name.ends_with(suffix)
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no {prefix}*{suffix} in {dir}; install the Debian package {package} (apt-get install {package})"
    );
    files
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn parse(path: &Path) -> RomAnalysis {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_rom(&bytes)
}

/// The NIC an iPXE ROM is for: `efi-e1000e.rom` → `e1000e`.
fn nic(path: &Path) -> &str {
    let name = file_name(path);
    let name = name.strip_prefix("efi-").or_else(|| name.strip_prefix("pxe-")).unwrap_or(name);
    name.strip_suffix(".rom").unwrap_or(name)
}

/// The (vendor, device) in each iPXE ROM's legacy and EFI PCIR, as rom-parser prints them.
fn ipxe_ids(nic: &str) -> ((u16, u16), (u16, u16)) {
    match nic {
        "e1000" => ((0x8086, 0x100E), (0x8086, 0x100E)),
        "e1000e" => ((0x8086, 0x10D3), (0x8086, 0x10D3)),
        "eepro100" => ((0x8086, 0x1229), (0x8086, 0x1229)),
        // Debian's ne2k_pci build writes no IDs: 0000:0000 in the legacy PCIR and
        // fff3:0000 in the EFI one (rom-parser prints the same), not the 10ec:8029 NIC.
        "ne2k_pci" => ((0x0000, 0x0000), (0xFFF3, 0x0000)),
        "pcnet" => ((0x1022, 0x2000), (0x1022, 0x2000)),
        "rtl8139" => ((0x10EC, 0x8139), (0x10EC, 0x8139)),
        "virtio" => ((0x1AF4, 0x1041), (0x1AF4, 0x1041)),
        "vmxnet3" => ((0x15AD, 0x07B0), (0x15AD, 0x07B0)),
        other => {
            panic!("no expected IDs for the iPXE ROM for {other}; read them with rom-parser and add them")
        }
    }
}

/// The (vendor, device) in each SeaBIOS VGA BIOS's PCIR, as rom-parser prints them.
fn vgabios_ids(name: &str) -> (u16, u16) {
    match name {
        "vgabios-ati.bin" => (0x1002, 0x5159),
        "vgabios-bochs-display.bin" | "vgabios-stdvga.bin" => (0x1234, 0x1111),
        "vgabios-cirrus.bin" => (0x1013, 0x00B8),
        "vgabios-qxl.bin" => (0x1B36, 0x0100),
        "vgabios-virtio.bin" => (0x1AF4, 0x1050),
        "vgabios-vmware.bin" => (0x15AD, 0x0405),
        other => panic!("no expected IDs for {other}; read them with rom-parser and add them"),
    }
}

/// ISA and ramfb VGA BIOSes are not PCI option ROMs: their PCIR pointer is 0, and
/// rom-parser stops with "Invalid PCIR signature" on them.
fn is_non_pci_vgabios(name: &str) -> bool {
    name == "vgabios-isavga.bin" || name == "vgabios-ramfb.bin"
}

#[test]
fn ipxe_pxe_roms_are_one_legacy_image_for_their_nic() {
    for path in rom_files(IPXE_DIR, "pxe-", ".rom", "ipxe-qemu") {
        let name = file_name(&path);
        let rom = parse(&path);
        assert!(rom.valid, "{name}: {:?}", rom.problems);
        assert!(rom.legacy && !rom.uefi_x64, "{name}");
        assert_eq!(rom.leading_junk, None, "{name}");
        assert_eq!(rom.images.len(), 1, "{name}: {:?}", rom.images);
        let image = &rom.images[0];
        assert_eq!((image.offset, image.code_type, image.last), (0, 0, true), "{name}");
        assert_eq!(image.checksum_ok, Some(true), "{name}");
        assert_eq!(image.efi, None, "{name}");
        assert_eq!(image.class, CLASS_ETHERNET, "{name}");
        assert_eq!(image.length, rom.size, "{name}: the image is the whole file");
        let (legacy_ids, _) = ipxe_ids(nic(&path));
        assert_eq!((image.vendor_id, image.device_id), legacy_ids, "{name}");
        assert!(matches_device(&rom, legacy_ids.0, legacy_ids.1), "{name}");
    }
}

#[test]
fn ipxe_efi_roms_are_legacy_plus_an_x64_efi_driver_for_their_nic() {
    for path in rom_files(IPXE_DIR, "efi-", ".rom", "ipxe-qemu") {
        let name = file_name(&path);
        let rom = parse(&path);
        assert!(rom.valid, "{name}: {:?}", rom.problems);
        assert!(rom.legacy && rom.uefi_x64, "{name}");
        assert_eq!(rom.images.len(), 2, "{name}: {:?}", rom.images);
        let (legacy, efi_image) = (&rom.images[0], &rom.images[1]);
        let (legacy_ids, efi_ids) = ipxe_ids(nic(&path));

        assert_eq!((legacy.offset, legacy.code_type, legacy.last), (0, 0, false), "{name}");
        assert_eq!(legacy.checksum_ok, Some(true), "{name}");
        assert_eq!((legacy.vendor_id, legacy.device_id), legacy_ids, "{name}");

        assert_eq!(efi_image.offset, legacy.length, "{name}: the EFI image follows the legacy one");
        assert_eq!((code_type_name(efi_image.code_type), efi_image.last), ("EFI", true), "{name}");
        assert_eq!(efi_image.offset + efi_image.length, rom.size, "{name}");
        assert_eq!((efi_image.vendor_id, efi_image.device_id), efi_ids, "{name}");
        assert_eq!(efi_image.class, CLASS_ETHERNET, "{name}");
        assert_eq!(efi_image.checksum_ok, None, "{name}: EFI images carry no checksum");

        let efi = efi_image.efi.as_ref().unwrap_or_else(|| panic!("{name}: no EFI header read"));
        assert!(efi.signature_valid && !efi.compressed, "{name}");
        assert_eq!((machine_name(efi.machine), efi.subsystem), ("X64", 0x0B), "{name}");
        let pe = efi.pe.as_ref().unwrap_or_else(|| panic!("{name}: the PE/COFF image was not read"));
        assert_eq!((pe.machine, pe.subsystem), (0x8664, 11), "{name}");
        assert_ne!(pe.entry_point, 0, "{name}");
        assert_eq!(pe.sections.first().map(String::as_str), Some(".text"), "{name}: {:?}", pe.sections);
    }
}

#[test]
fn seabios_vga_bioses_are_one_legacy_vga_image_for_their_card() {
    let files = rom_files(SEABIOS_DIR, "vgabios-", ".bin", "seabios");
    for path in &files {
        let name = file_name(path);
        let rom = parse(path);
        if is_non_pci_vgabios(name) {
            assert!(rom.images.is_empty() && !rom.valid && !rom.legacy && !rom.uefi_x64, "{name}");
            assert!(
                rom.problems.iter().any(|p| p.contains("no PCI data structure at PCIR pointer 0x0")),
                "{name}: {:?}",
                rom.problems
            );
            continue;
        }
        assert!(rom.valid, "{name}: {:?}", rom.problems);
        assert!(rom.legacy && !rom.uefi_x64, "{name}");
        assert_eq!(rom.images.len(), 1, "{name}: {:?}", rom.images);
        let image = &rom.images[0];
        assert_eq!((image.offset, image.code_type, image.last), (0, 0, true), "{name}");
        assert_eq!(image.class, CLASS_VGA, "{name}");
        assert_eq!(image.checksum_ok, Some(true), "{name}");
        assert_eq!((image.vendor_id, image.device_id), vgabios_ids(name), "{name}");
    }
    assert!(files.iter().any(|p| file_name(p) == "vgabios-stdvga.bin"), "{files:?}");
}

/// One image as rom-parser describes it: offset, PCIR offset, code type, vendor, device,
/// class, PCIR revision, vendor (code) revision, EFI signature valid (type 3 only), last.
type Described = (u64, u16, u8, u16, u16, u32, u8, u16, Option<bool>, bool);

fn described(rom: &RomAnalysis) -> Vec<Described> {
    rom.images
        .iter()
        .map(|i| {
            let efi_valid = i.efi.as_ref().map(|e| e.signature_valid);
            let revisions = (i.pcir_revision, i.code_revision);
            (
                i.offset,
                i.pcir_offset,
                i.code_type,
                i.vendor_id,
                i.device_id,
                i.class,
                revisions.0,
                revisions.1,
                efi_valid,
                i.last,
            )
        })
        .collect()
}

/// Checks a file against rom-parser's output for the packaged version it was taken from.
fn assert_like_rom_parser(path: &str, package: &str, size: u64, expected: &[Described]) {
    let rom = parse(Path::new(path));
    assert_eq!(
        rom.size, size,
        "{path} is not the file rom-parser was run on (a different {package} version?); run rom-parser on it \
         and update these expectations"
    );
    assert_eq!(described(&rom), expected, "{path}");
}

// Cross-checked against awilliam/rom-parser (rom-parser.c, built from source) on Debian 12
// with ipxe-qemu 1.0.0+git-20190125.36a4c85-5.1 and seabios 1.16.2-1. rom-parser printed:
//
// efi-e1000.rom:
//   Valid ROM signature found @0h, PCIR offset 1ch
//   	PCIR: type 0 (x86 PC-AT), vendor: 8086, device: 100e, class: 020000
//   	PCIR: revision 3, vendor revision: 1
//   Valid ROM signature found @12600h, PCIR offset 1ch
//   	PCIR: type 3 (EFI), vendor: 8086, device: 100e, class: 020000
//   	PCIR: revision 0, vendor revision: 0
//   		EFI: Signature Valid, Subsystem: Boot, Machine: X64
//   	Last image
//
// pxe-virtio.rom:
//   Valid ROM signature found @0h, PCIR offset 1ch
//   	PCIR: type 0 (x86 PC-AT), vendor: 1af4, device: 1041, class: 020000
//   	PCIR: revision 3, vendor revision: 1
//   	Last image
//
// vgabios-stdvga.bin:
//   Valid ROM signature found @0h, PCIR offset 99dch
//   	PCIR: type 0 (x86 PC-AT), vendor: 1234, device: 1111, class: 030000
//   	PCIR: revision 0, vendor revision: 1
//   	Last image

#[test]
fn efi_e1000_reads_as_rom_parser_prints_it() {
    assert_like_rom_parser(
        "/usr/lib/ipxe/qemu/efi-e1000.rom",
        "ipxe-qemu",
        249_856,
        &[
            (0x0, 0x1C, 0, 0x8086, 0x100E, CLASS_ETHERNET, 3, 1, None, false),
            (0x12600, 0x1C, 3, 0x8086, 0x100E, CLASS_ETHERNET, 0, 0, Some(true), true),
        ],
    );
    let rom = parse(Path::new("/usr/lib/ipxe/qemu/efi-e1000.rom"));
    let efi = rom.images[1].efi.as_ref().expect("EFI header");
    // "Subsystem: Boot, Machine: X64"
    assert_eq!((efi.subsystem, machine_name(efi.machine), efi.image_offset), (0x0B, "X64", 0x38));
    assert!(matches_device(&rom, 0x8086, 0x100E));
}

#[test]
fn pxe_virtio_reads_as_rom_parser_prints_it() {
    assert_like_rom_parser(
        "/usr/lib/ipxe/qemu/pxe-virtio.rom",
        "ipxe-qemu",
        75_776,
        &[(0x0, 0x1C, 0, 0x1AF4, 0x1041, CLASS_ETHERNET, 3, 1, None, true)],
    );
}

#[test]
fn vgabios_stdvga_reads_as_rom_parser_prints_it() {
    assert_like_rom_parser(
        "/usr/share/seabios/vgabios-stdvga.bin",
        "seabios",
        39_936,
        &[(0x0, 0x99DC, 0, 0x1234, 0x1111, CLASS_VGA, 0, 1, None, true)],
    );
}
