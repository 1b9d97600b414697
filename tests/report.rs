//! `vfio-doctor report`: a zip a helper can replay, with nothing personal in it.

mod common;

use common::*;
use std::io::Read;
use std::path::Path;

/// Every entry of a zip: its name and its bytes.
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

fn rules_of(source: &[&str]) -> Vec<String> {
    let mut args = vec!["diagnose", "--format", "json"];
    args.extend_from_slice(source);
    let output = run(&args);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("diagnosis JSON");
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else if kind.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn append(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    let mut old = std::fs::read_to_string(&full).unwrap_or_default();
    old.push_str(text);
    std::fs::write(full, old).unwrap();
}

#[test]
fn planted_secrets_never_reach_the_zip_and_the_zip_replays_to_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("host");
    std::fs::create_dir_all(&host).unwrap();
    copy_tree(&repo().join("fixtures/intel-nvidia-vfio-ok"), &host);
    // Secrets of every kind, where real hosts keep them.
    append(&host, "etc/hostname", "labnode7\n");
    append(&host, "etc/hosts", "127.0.0.1 localhost\n10.20.30.41 labnode7.lab.acme-corp.net labnode7\n");
    append(&host, "etc/machine-id", "5f1e0c2d9b8a47f3a1c6e2d4b7f90a13\n");
    append(&host, "sys/class/dmi/id/product_serial", "MXQ7281KZT\n");
    append(&host, "cmd/journalctl-k-b", "Nov 30 08:15:11 labnode7 kernel: DMAR: IOMMU enabled\n");
    let vm = "etc/pve/qemu-server/100.conf";
    let config = std::fs::read_to_string(host.join(vm))
        .unwrap()
        .replace("name: win11-desktop", "name: alice-gaming-rig")
        .replace("\nnet0: ", "\nnet0-old: ");
    std::fs::write(host.join(vm), config).unwrap();
    append(
        &host,
        vm,
        "net0: virtio=BC:24:11:5E:A1:07,bridge=vmbr0,firewall=1\n\
         smbios1: uuid=3f7c1b2e-9a4d-4e8b-b1c2-7d6e5f4a3b21,serial=Q0hBSU5TQVc=\n\
         scsi1: /dev/disk/by-id/ata-Samsung_SSD_870_EVO_1TB_S6PUNX0T123456Z,serial=S6PUNX0T123456Z\n\
         args: -object secret,id=sec0,data=hunter2-s3cret -drive file=/home/alice/isos/win11.iso\n",
    );
    let zip = dir.path().join("report.zip");
    let output =
        run(&["report", "--redact-vm-names", "--from", host.to_str().unwrap(), "-o", zip.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("Redacted:"), "{printed}");
    assert!(dir.path().join("report.zip.redaction-map.json").exists(), "the map stays beside the zip");

    let planted = [
        "labnode7",
        "acme-corp",
        "10.20.30.41",
        "5f1e0c2d9b8a47f3a1c6e2d4b7f90a13",
        "MXQ7281KZT",
        "BC:24:11:5E:A1:07",
        "bc:24:11:5e:a1:07",
        "3f7c1b2e-9a4d-4e8b-b1c2-7d6e5f4a3b21",
        "Q0hBSU5TQVc=",
        "S6PUNX0T123456Z",
        "hunter2-s3cret",
        "/home/alice",
        "alice-gaming-rig",
    ];
    for (name, bytes) in unzip(&zip) {
        for secret in planted {
            assert!(!name.contains(secret), "{secret} in entry name {name}");
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} in {name}");
        }
    }
    // The helper's replay: the same causes as on the original host.
    assert_eq!(rules_of(&["--from", zip.to_str().unwrap()]), rules_of(&["--root", host.to_str().unwrap()]));
}

#[test]
fn a_live_report_replays_to_the_live_findings() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("live.zip");
    let output = run(&["report", "-o", zip.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(rules_of(&["--from", zip.to_str().unwrap()]), rules_of(&[]));
}

#[test]
fn the_zip_holds_everything_a_helper_needs_and_checks_itself() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("r.zip");
    let output = run(&["report", "--from", &fixture("amd-ryzen-shared-group"), "-o", zip.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("group-not-viable"), "top causes are printed");
    let size = std::fs::metadata(&zip).unwrap().len();
    assert!(size < 200 * 1024, "{size} bytes");
    let entries = unzip(&zip);
    let get = |name: &str| {
        entries.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()).unwrap_or_else(|| panic!("{name}"))
    };
    let md = String::from_utf8(get("report.md")).unwrap();
    assert!(md.len() < 10_000 && md.contains("group-shared-with-host-device"));
    let html = String::from_utf8(get("report.html")).unwrap();
    assert!(html.contains("<!DOCTYPE html>") || html.contains("<!doctype html>"));
    let diagnosis: serde_json::Value = serde_json::from_slice(&get("diagnosis.json")).unwrap();
    assert_eq!(diagnosis["findings"][0]["cause"], "group-not-viable");
    let manifest: serde_json::Value = serde_json::from_slice(&get("manifest.json")).unwrap();
    for entry in manifest["entries"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        use sha2::Digest;
        let digest: String = sha2::Sha256::digest(get(name)).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(entry["sha256"], digest.as_str(), "{name}");
    }
    assert!(manifest["ruleset"].as_str().unwrap().contains("rules"));
    // Never overwrites.
    let again = run(&["report", "--from", &fixture("amd-ryzen-shared-group"), "-o", zip.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
}
