//! Every fixture: it reads without errors, it documents itself, its config space agrees
//! byte for byte with the `lspci -vvv` it claims, and it shows the facts it was made for.

mod common;

use common::*;
use engine::facts::{DriverBinding, Facts, PciDevice};
use probes::host::open_snapshot;
use probes::parse::lspci::parse_lspci;
use probes::parse::pci_ids::PciIds;
use std::fs;

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo().join("fixtures"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn load(name: &str) -> Facts {
    let host = open_snapshot(&repo().join("fixtures").join(name)).unwrap();
    probes::collect(host.as_ref(), &PciIds::builtin())
}

#[test]
fn there_are_enough_fixtures_and_each_explains_itself() {
    let names = fixture_names();
    assert!(names.len() >= 9, "{names:?}");
    for name in &names {
        let readme = fs::read_to_string(repo().join("fixtures").join(name).join("README.md"))
            .unwrap_or_else(|_| panic!("{name} has no README.md"));
        assert!(readme.len() > 400, "{name}: README too thin");
        let manifest = fs::read_to_string(repo().join("fixtures").join(name).join("manifest.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        assert_eq!(manifest["format"], "vfio-doctor-snapshot", "{name}");
    }
}

#[test]
fn every_fixture_reads_completely() {
    for name in fixture_names() {
        let facts = load(&name);
        assert!(facts.collection.unreadable.is_empty(), "{name}: {:?}", facts.collection.unreadable);
        assert!(facts.collection.notes.is_empty(), "{name}: {:?}", facts.collection.notes);
        assert!(facts.kernel.release.is_some() && facts.kernel.cmdline.is_some(), "{name}");
        assert!(facts.kernel_log.as_ref().is_some_and(|l| !l.lines.is_empty()), "{name}");
        assert!(facts.pci.as_ref().is_some_and(|p| !p.is_empty()), "{name}");
        assert!(facts.cpu.vendor.is_some(), "{name}");
        // The human summary renders too.
        let output = run(&["facts", "--root", &fixture(&name)]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
    }
}

/// Config space parsed natively from `config.hex` must say what the fixture's own
/// `lspci -vvv` says: the same capabilities at the same offsets, the same MSI, MSI-X,
/// FLR and power-management bits, the same driver and IDs.
#[test]
fn config_space_agrees_with_the_lspci_output_of_each_fixture() {
    for name in fixture_names() {
        let path = repo().join("fixtures").join(&name).join("cmd/lspci-vvv");
        let Ok(text) = fs::read_to_string(&path) else { continue };
        let facts = load(&name);
        let listed = parse_lspci(&text, "cmd/lspci-vvv");
        assert!(!listed.is_empty(), "{name}: lspci-vvv lists nothing");
        for from_lspci in listed {
            let device = facts
                .device(&from_lspci.address)
                .unwrap_or_else(|| panic!("{name}: {} in lspci but not in sysfs", from_lspci.address));
            agree(&name, device, &from_lspci);
        }
    }
}

fn agree(name: &str, sysfs: &PciDevice, lspci: &PciDevice) {
    let at = format!("{name} {}", sysfs.address);
    assert_eq!((sysfs.vendor_id, sysfs.device_id), (lspci.vendor_id, lspci.device_id), "{at}: ids");
    assert_eq!(sysfs.class >> 8, lspci.class >> 8, "{at}: class");
    if lspci.driver != DriverBinding::Unknown {
        assert_eq!(sysfs.driver, lspci.driver, "{at}: driver");
    }
    if lspci.iommu_group.is_some() {
        assert_eq!(sysfs.iommu_group, lspci.iommu_group, "{at}: group");
    }
    let (Some(native), Some(text)) = (&sysfs.config, &lspci.config) else { return };
    let Some(text_caps) = &text.capabilities else { return };
    let native_caps = native.capabilities.as_ref().expect("fixtures are root captures");
    let offsets =
        |caps: &Vec<engine::facts::Capability>| caps.iter().map(|c| (c.offset, c.id)).collect::<Vec<_>>();
    assert_eq!(offsets(native_caps), offsets(text_caps), "{at}: capability chain");
    if let Some(text_ext) = &text.extended_capabilities {
        let native_ext =
            native.extended_capabilities.as_ref().expect("4096 bytes for a device with extended caps");
        assert_eq!(offsets(native_ext), offsets(text_ext), "{at}: extended capability chain");
    }
    if let Some(msi) = &text.msi {
        let native_msi = native.msi.as_ref().unwrap_or_else(|| panic!("{at}: MSI missing in config"));
        assert_eq!(
            (
                native_msi.enabled,
                native_msi.count_enabled,
                native_msi.count_capable,
                native_msi.is_64bit,
                native_msi.maskable
            ),
            (msi.enabled, msi.count_enabled, msi.count_capable, msi.is_64bit, msi.maskable),
            "{at}: MSI"
        );
    }
    if let Some(msix) = &text.msix {
        let native_msix = native.msix.as_ref().unwrap_or_else(|| panic!("{at}: MSI-X missing in config"));
        assert_eq!(
            (native_msix.enabled, native_msix.table_size),
            (msix.enabled, msix.table_size),
            "{at}: MSI-X"
        );
    }
    if let Some(express) = &text.express {
        let native_express = native.express.as_ref().unwrap_or_else(|| panic!("{at}: Express missing"));
        assert_eq!(native_express.port_type, express.port_type, "{at}: port type");
        assert_eq!(native_express.flr, express.flr, "{at}: FLR");
    }
    if let Some(pm) = &text.power_management {
        let native_pm = native.power_management.as_ref().unwrap_or_else(|| panic!("{at}: PM missing"));
        assert_eq!(native_pm.no_soft_reset, pm.no_soft_reset, "{at}: NoSoftRst");
    }
}
