//! The live host, whatever it is: facts must match what sysfs really shows, and a
//! snapshot of the host must read back to the same facts.

mod common;

use common::*;
use std::fs;

#[test]
fn live_facts_list_every_sysfs_pci_device_with_its_driver() {
    let facts = facts_json(&[]);
    assert_eq!(facts["collection"]["source_kind"], "live");
    let Ok(entries) = fs::read_dir("/sys/bus/pci/devices") else { return };
    let mut on_host: Vec<String> =
        entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    on_host.sort();
    let devices = facts["pci"].as_array().expect("pci devices are listed when sysfs has them");
    let listed: Vec<String> = devices.iter().map(|d| d["address"].as_str().unwrap().to_string()).collect();
    assert_eq!(listed, on_host);
    for device in devices {
        let address = device["address"].as_str().unwrap();
        let link = fs::read_link(format!("/sys/bus/pci/devices/{address}/driver")).ok();
        let driver = &device["driver"];
        match link {
            Some(target) => {
                assert_eq!(driver["state"], "bound", "{address}");
                assert_eq!(driver["name"].as_str(), target.file_name().and_then(|n| n.to_str()), "{address}");
            }
            None => assert_eq!(driver["state"], "unbound", "{address}"),
        }
        let vendor = fs::read_to_string(format!("/sys/bus/pci/devices/{address}/vendor")).unwrap();
        assert_eq!(
            device["vendor_id"].as_u64(),
            u64::from_str_radix(vendor.trim().trim_start_matches("0x"), 16).ok()
        );
    }
}

#[test]
fn live_iommu_units_and_groups_match_sysfs() {
    let facts = facts_json(&[]);
    let count = |path: &str| fs::read_dir(path).map(|d| d.count()).ok();
    if let Some(units) = count("/sys/class/iommu") {
        assert_eq!(facts["iommu"]["units"]["value"].as_array().map(Vec::len), Some(units));
    }
    if let Some(groups) = count("/sys/kernel/iommu_groups") {
        assert_eq!(facts["iommu"]["groups"]["value"].as_array().map(Vec::len), Some(groups));
    }
    let flags = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if flags.lines().any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "hypervisor")) {
        assert_eq!(facts["virt"]["is_guest"]["value"], true);
    }
}

#[test]
fn a_snapshot_reads_back_to_the_same_facts_as_a_folder_and_as_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("snap");
    let archive = dir.path().join("snap.host");
    for out in [&folder, &archive] {
        let output = run(&["snapshot", out.to_str().unwrap()]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("Wrote"));
    }
    let live = without_collection(facts_json(&[]));
    let from_folder = without_collection(facts_json(&["--root", folder.to_str().unwrap()]));
    let from_archive = without_collection(facts_json(&["--root", archive.to_str().unwrap()]));
    // The kernel log may gain lines between the runs; everything else must be identical.
    let strip_log = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("kernel_log");
        v
    };
    assert_eq!(strip_log(from_folder.clone()), strip_log(live));
    assert_eq!(from_folder, from_archive);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "vfio-doctor-snapshot");
    assert!(manifest["collected"].as_array().unwrap().iter().any(|p| p == "proc/cmdline"));
}

#[test]
fn snapshot_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["snapshot", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("already exists"), "{}", stderr(&output));
}

/// As an unprivileged user the run still works and says what it could not read.
#[test]
fn unprivileged_run_lists_what_it_could_not_read() {
    let is_root = fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0")));
    let su = ["/usr/bin/su", "/bin/su"].into_iter().find(|p| std::path::Path::new(p).exists());
    let (true, Some(su)) = (is_root, su) else { return };
    // The test binary may sit under a folder `nobody` cannot enter: run a copy.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("vfio-doctor");
    fs::copy(env!("CARGO_BIN_EXE_vfio-doctor"), &copy).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
    let output = std::process::Command::new(su)
        .args(["nobody", "-s", "/bin/sh", "-c", &format!("{} facts --json", copy.display())])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let facts: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(facts["collection"]["privileged"], false);
    let unreadable = facts["collection"]["unreadable"].as_array().unwrap();
    if fs::read_dir("/sys/bus/pci/devices").is_ok_and(|mut d| d.next().is_some()) {
        let config =
            unreadable.iter().find(|u| u["path"] == "sys/bus/pci/devices/*/config").expect("config listed");
        assert_eq!(config["hint"], "sudo vfio-doctor");
        for device in facts["pci"].as_array().unwrap() {
            assert!(device["config"]["capabilities"].is_null(), "capabilities are unknown, not empty");
        }
    }
}

/// Without lspci and dmesg on the PATH the run goes on, says what it could not read and
/// which package brings it, and still diagnoses from the rest.
#[test]
fn missing_tools_are_named_with_their_package() {
    let output = bin().args(["facts", "--json"]).env("PATH", "").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let facts: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let unreadable = facts["collection"]["unreadable"].as_array().unwrap();
    let lspci = unreadable.iter().find(|u| u["path"] == "cmd/lspci-nnk").expect("lspci listed");
    assert_eq!(lspci["hint"], "apt install pciutils");
    let dmesg = unreadable.iter().find(|u| u["path"] == "cmd/dmesg").expect("dmesg listed");
    assert_eq!(dmesg["hint"], "apt install util-linux");
    assert!(facts["pci"].is_array(), "devices still come from sysfs");
    let diagnosis = bin().args(["diagnose", "--format", "json"]).env("PATH", "").output().unwrap();
    assert!(matches!(diagnosis.status.code(), Some(0 | 1)), "{}", stderr(&diagnosis));
}
