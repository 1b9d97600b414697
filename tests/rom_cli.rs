//! `vfio-doctor rom`: files in, a report or a clear error out.

mod common;

use common::*;

#[test]
fn a_rom_file_is_reported_with_its_verdict_and_images() {
    let rom = "/usr/lib/ipxe/qemu/efi-e1000.rom";
    assert!(std::path::Path::new(rom).exists(), "install Debian's ipxe-qemu package for this test");
    let output = run(&["rom", "--color", "never", rom]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("UEFI for OVMF (x86-64): yes"), "{text}");
    assert!(text.contains("legacy BIOS (SeaBIOS):  yes"), "{text}");
    assert!(text.contains("PCIR: type 3 (EFI)") && text.contains("Last image"), "{text}");
    let json = run(&["rom", "--format", "json", rom]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["roms"][0]["analysis"]["uefi_x64"], true);
}

#[test]
fn a_file_that_is_no_rom_gives_problems_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "this is not a ROM\n").unwrap();
    let output = run(&["rom", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["roms"][0]["analysis"]["valid"], false);
    assert!(!value["roms"][0]["analysis"]["problems"].as_array().unwrap().is_empty());
}

#[test]
fn missing_files_and_devices_are_clear_errors() {
    let output = run(&["rom", "/nonexistent/vbios.bin"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/vbios.bin"), "{}", stderr(&output));
    let output = run(&["rom", "--read", "not-an-address"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not a PCI address"), "{}", stderr(&output));
    let output = run(&["rom", "--read", "ff:1f.7"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("0000:ff:1f.7"), "{}", stderr(&output));
}
