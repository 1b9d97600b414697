//! Text pasted into forum posts: every kind detected from its content, a post that mixes
//! kinds split, and every fact citing the pasted file and line it came from.

mod common;

use common::*;
use serde_json::Value;

fn paste(name: &str) -> String {
    repo().join("tests/paste").join(name).display().to_string()
}

fn facts_of(names: &[&str]) -> Value {
    let files: Vec<String> = names.iter().map(|n| paste(n)).collect();
    let mut args = vec!["--paste"];
    args.extend(files.iter().map(String::as_str));
    facts_json(&args)
}

fn cites(value: &Value, file: &str, line: u64) -> bool {
    value["source"].as_str().is_some_and(|s| s.ends_with(file)) && value["line"] == line
}

#[test]
fn a_forum_post_with_five_kinds_gives_typed_facts_citing_its_lines() {
    let facts = facts_of(&["forum-post-gpu-not-viable.txt"]);
    let post = "forum-post-gpu-not-viable.txt";
    assert_eq!(facts["collection"]["source_kind"], "paste");

    let cmdline = &facts["kernel"]["cmdline"];
    assert!(cmdline["value"]["raw"].as_str().unwrap().contains("intel_iommu=on"));
    assert!(cites(&cmdline["from"], post, 4), "{}", cmdline["from"]);
    assert_eq!(facts["kernel"]["release"]["value"], "6.8.12-4-pve", "read off BOOT_IMAGE=/boot/vmlinuz-…");

    let log = &facts["kernel_log"];
    assert_eq!(log["origin"], "pasted");
    let first = &log["lines"][0];
    assert_eq!(first["n"], 7);
    assert!(first["text"].as_str().unwrap().starts_with("ACPI: DMAR"));
    assert_eq!(facts["iommu"]["acpi_table"]["value"], "dmar");
    assert_eq!(facts["iommu"]["dma_remapping"]["value"], true);
    assert_eq!(facts["iommu"]["interrupt_remapping"]["value"], true);
    assert!(cites(&facts["iommu"]["interrupt_remapping"]["from"], post, 13));
    assert_eq!(facts["iommu"]["dmar_units"].as_array().unwrap().len(), 2);

    let devices = facts["pci"].as_array().unwrap();
    let gpu = devices.iter().find(|d| d["address"] == "0000:01:00.0").expect("GPU from lspci -nnk");
    assert_eq!(gpu["vendor_id"], 0x10de);
    assert_eq!(gpu["device_id"], 0x1b80);
    assert_eq!(gpu["driver"]["name"], "nouveau");
    assert!(cites(&gpu["from"], post, 17), "{}", gpu["from"]);
    let audio = devices.iter().find(|d| d["address"] == "0000:01:00.1").unwrap();
    assert_eq!(audio["driver"]["name"], "snd_hda_intel");

    let vm = &facts["vms"][0];
    assert_eq!(vm["manager"], "proxmox");
    assert_eq!(vm["bios"], "ovmf");
    assert_eq!(vm["q35"], true);
    let hostpci = &vm["passthrough"][0];
    assert_eq!(hostpci["hosts"][0], "0000:01:00");
    assert_eq!(hostpci["pcie"], true);
    assert!(cites(&hostpci["from"], post, 32), "{}", hostpci["from"]);

    let start = &facts["start_logs"][0]["lines"];
    assert!(start[0]["text"].as_str().unwrap().contains("group 1 is not viable"));
    assert_eq!(start[0]["n"], 44);
    assert!(start.as_array().unwrap().iter().any(|l| l["text"].as_str().unwrap().contains("TASK ERROR")));
}

#[test]
fn journal_lines_with_crlf_and_nul_bytes_are_read() {
    let facts = facts_of(&["journal-crlf-nul.txt"]);
    let lines = facts["kernel_log"]["lines"].as_array().unwrap();
    let texts: Vec<&str> = lines.iter().map(|l| l["text"].as_str().unwrap()).collect();
    assert_eq!(texts[0], "DMAR: IOMMU enabled");
    assert!(texts.iter().any(|t| t.starts_with("vfio-pci 0000:04:00.0: BAR 3: can't reserve")));
    assert!(texts.iter().any(|t| t.contains("Failed to find module 'vfio_virqfd'")));
    assert!(texts.iter().all(|t| !t.contains('\r') && !t.contains('\0')));
}

#[test]
fn a_run_together_group_listing_and_lspci_vv_give_groups_and_msi_state() {
    let facts = facts_of(&["iommu-find-and-lspci-vv.txt"]);
    let groups = facts["iommu"]["groups"]["value"].as_array().unwrap();
    assert_eq!(groups.len(), 15);
    let group1 = groups.iter().find(|g| g["id"] == 1).unwrap();
    assert_eq!(group1["devices"], serde_json::json!(["0000:00:01.0", "0000:01:00.0", "0000:01:00.1"]));
    let audio =
        facts["pci"].as_array().unwrap().iter().find(|d| d["address"] == "0000:01:00.1").cloned().unwrap();
    assert_eq!(audio["config"]["msi"]["enabled"], false);
    assert_eq!(audio["config"]["msi"]["count_capable"], 1);
    assert_eq!(audio["config"]["express"]["flr"], false);
    assert_eq!(audio["driver"]["name"], "vfio-pci");
}

#[test]
fn several_files_and_stdin_combine() {
    let post = std::fs::read(paste("journal-crlf-nul.txt")).unwrap();
    let mut child = bin()
        .args(["facts", "--json", "--paste", "-", &paste("iommu-find-and-lspci-vv.txt")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&post).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let facts: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(facts["kernel_log"]["source"], "<stdin>");
    assert!(facts["iommu"]["groups"]["value"].as_array().is_some_and(|g| !g.is_empty()));
}
