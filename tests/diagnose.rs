//! `diagnose` end to end: every fixture gives its intended cause first, healthy hosts
//! give no error, pasted real-world logs give the cause the seeds give, and the whole
//! human report of every fixture is a reviewed snapshot.

mod common;

use common::*;
use serde_json::Value;

fn diagnose(source: &[&str], extra: &[&str]) -> (Value, Option<i32>) {
    let mut args = vec!["diagnose", "--format", "json"];
    args.extend_from_slice(source);
    args.extend_from_slice(extra);
    let output = run(&args);
    let code = output.status.code();
    assert!(matches!(code, Some(0 | 1)), "{args:?}: {}", stderr(&output));
    (serde_json::from_slice(&output.stdout).expect("JSON report"), code)
}

fn first_cause(report: &Value) -> &str {
    report["findings"][0]["cause"].as_str().unwrap_or("<no finding>")
}

/// (fixture, cause that must come first)
const INTENDED: &[(&str, &str)] = &[
    ("intel-iommu-off", "iommu-disabled"),
    ("amd-ryzen-shared-group", "group-not-viable"),
    ("hdmi-audio-msi-off", "msi-disabled"),
    ("gpu-on-host-driver", "host-driver-bound"),
    ("efifb-bar-reserve", "bar-reserve-framebuffer"),
    ("amd-navi-reset-bug", "amd-reset-bug"),
    ("nested-pve-no-viommu", "nested-no-viommu"),
    ("kvm-guest-epyc-no-iommu", "nested-no-viommu"),
    ("ovmf-legacy-only-romfile", "rom-no-efi"),
    ("romfile-missing", "romfile-missing"),
    ("romfile-foreign-damaged", "romfile-missing"),
];

#[test]
fn every_fixture_yields_its_intended_cause_first() {
    for (name, cause) in INTENDED {
        let (report, _) = diagnose(&["--root", &fixture(name)], &[]);
        assert_eq!(
            first_cause(&report),
            *cause,
            "{name}: {}",
            serde_json::to_string_pretty(&report["findings"]).unwrap()
        );
        let first = &report["findings"][0];
        assert!(
            !first["evidence"].as_array().unwrap().is_empty(),
            "{name}: the first cause shows its evidence"
        );
        if first["severity"] != "info" {
            assert!(!first["fixes"].as_array().unwrap().is_empty(), "{name}: the first cause has a fix");
        }
    }
}

#[test]
fn a_healthy_host_has_no_error_and_exits_0() {
    let (report, code) = diagnose(&["--root", &fixture("intel-nvidia-vfio-ok")], &[]);
    let errors: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(code, Some(0));
    let (_, code) = diagnose(&["--root", &fixture("intel-iommu-off")], &[]);
    assert_eq!(code, Some(1), "an error-level finding exits 1");
}

#[test]
fn the_json_report_is_versioned_and_complete() {
    let (report, _) = diagnose(&["--root", &fixture("intel-iommu-off")], &[]);
    assert_eq!(report["schema_version"], 1);
    let finding = &report["findings"][0];
    for key in ["rule", "cause", "severity", "score", "title", "evidence", "fixes"] {
        assert!(finding.get(key).is_some(), "finding lacks {key}");
    }
    let evidence = &finding["evidence"][0];
    for key in ["source", "line", "text"] {
        assert!(evidence.get(key).is_some(), "evidence lacks {key}");
    }
    let fix = &finding["fixes"][0];
    for key in ["rank", "title", "steps", "reboot", "risk"] {
        assert!(fix.get(key).is_some(), "fix lacks {key}");
    }
    assert!(report["unknowns"].is_array());
}

#[test]
fn unknown_symptoms_warn_and_diagnosis_still_runs() {
    let output = run(&[
        "diagnose",
        "--root",
        &fixture("intel-iommu-off"),
        "--symptom",
        "purple-smoke",
        "--symptom",
        "no-iommu",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("unknown symptom `purple-smoke`") && err.contains("vm-start-failed"), "{err}");
    assert!(stdout(&output).contains("symptoms: no-iommu"));
}

#[test]
fn markdown_output_fits_a_forum_post() {
    let output = run(&["diagnose", "--root", &fixture("efifb-bar-reserve"), "--format", "markdown"]);
    let text = stdout(&output);
    assert!(text.starts_with("## vfio-doctor diagnosis"), "{text}");
    assert!(text.contains("| 1 |") && text.contains("```"), "{text}");
    assert!(text.len() < 20_000);
}

#[test]
fn a_bad_rule_is_skipped_with_a_message_and_the_rest_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken-rule.yaml"), "id: broken-rule\ntitle: x\nwhen: [\n").unwrap();
    let output =
        run(&["diagnose", "--root", &fixture("intel-iommu-off"), "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "diagnosis still runs: {}", stderr(&output));
    assert!(stderr(&output).contains("broken-rule.yaml"), "{}", stderr(&output));
    let test = run(&[
        "rules",
        "test",
        "--base",
        env!("CARGO_MANIFEST_DIR"),
        "--rules",
        dir.path().to_str().unwrap(),
    ]);
    assert_ne!(test.status.code(), Some(0), "rules test fails on a rule that does not load");
}

#[test]
fn human_reports_of_every_fixture_are_reviewed_snapshots() {
    for entry in std::fs::read_dir(repo().join("fixtures")).unwrap().filter_map(Result::ok) {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let output = run(&["diagnose", "--color", "never", "--root", &fixture(&name)]);
        // Paths differ between checkouts; the snapshot keeps them relative.
        let text = stdout(&output).replace(&format!("{}/", repo().display()), "");
        insta::assert_snapshot!(format!("diagnose-{name}"), text);
    }
}

/// Real-world text as users paste it (lines quoted in the seeds and domain.md), and the
/// cause the seeds give for it.
const PASTED: &[(&str, &str)] = &[
    ("forum-post-gpu-not-viable.txt", "host-driver-bound"),
    ("memory-bar-reserve-line-only.txt", "bar-reserve-framebuffer"),
    ("iommu-start-iommu-not-present.txt", "iommu-disabled"),
    ("iommu-ir-unsupported-ecap.txt", "interrupt-remapping-missing"),
    ("iommu-rmrr-hp-proliant.txt", "rmrr-conflict"),
    ("memory-memlock-exceeded.txt", "memlock-limit"),
    ("modules-vfio-virqfd-journal.txt", "vfio-modules-missing"),
    ("vm-q35-not-enabled-log.txt", "machine-type-mismatch"),
    ("guest-kvm-unhandled-msr.txt", "ignore-msrs"),
    ("nested-viommu-no-caching-mode.txt", "nested-no-viommu"),
    ("reset-gpu-d3cold.txt", "d3cold-power"),
    ("memory-dma-map-einval.txt", "large-bar-mmio"),
    ("groups-acs-override.txt", "acs-override"),
];

#[test]
fn pasted_real_world_logs_give_the_cause_the_seeds_give() {
    for (file, cause) in PASTED {
        let path = repo().join("tests/paste").join(file).display().to_string();
        let (report, _) = diagnose(&["--paste", &path], &[]);
        assert_eq!(
            first_cause(&report),
            *cause,
            "{file}: {}",
            serde_json::to_string_pretty(&report["findings"]).unwrap()
        );
    }
}

#[test]
fn a_reported_symptom_brings_its_cause_first() {
    let path = repo().join("tests/paste/forum-post-gpu-not-viable.txt").display().to_string();
    let (report, _) = diagnose(&["--paste", &path], &["--symptom", "group-not-viable"]);
    assert_eq!(report["findings"][0]["explains_reported_symptom"], true);
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "qemu-group-not-viable"));
}

#[test]
fn after_a_failed_start_the_diagnosis_leads_with_that_vm_and_its_error_line() {
    let (report, _) = diagnose(&["--root", &fixture("intel-iommu-off")], &[]);
    assert_eq!(report["vm"], "101");
    assert!(report["vm_reason"].as_str().unwrap().contains("qmstart:101"), "{}", report["vm_reason"]);
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "iommu-disabled");
    let evidence = first["evidence"].as_array().unwrap();
    assert!(evidence[0]["text"].as_str().unwrap().contains("IOMMU not present"), "{evidence:#?}");
    assert!(evidence[0]["source"].as_str().unwrap().starts_with("var/log/pve/tasks/2/UPID:pve:"));
}

#[test]
fn vms_lists_each_passed_device_with_its_state() {
    let output = run(&["vms", "--format", "json", "--root", &fixture("amd-ryzen-shared-group")]);
    assert_eq!(output.status.code(), Some(1), "a blocked device exits 1: {}", stderr(&output));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    let devices = value["devices"].as_array().unwrap();
    let gpu = devices.iter().find(|d| d["device"] == "0000:05:00.0").unwrap();
    assert_eq!(gpu["vm"], "102");
    assert_eq!(gpu["state"], "blocked");
    let healthy = run(&["vms", "--format", "json", "--root", &fixture("intel-nvidia-vfio-ok")]);
    assert_eq!(healthy.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&healthy.stdout).unwrap();
    assert!(value["devices"].as_array().unwrap().iter().all(|d| d["state"] == "ok"));
}

#[test]
fn a_pasted_config_alone_gives_config_findings_and_names_what_would_confirm_them() {
    let path = repo().join("tests/paste/vm-pcie-on-i440fx.txt").display().to_string();
    let (report, _) = diagnose(&["--paste", &path], &[]);
    assert_eq!(first_cause(&report), "machine-type-mismatch");
    assert!(!report["unknowns"].as_array().unwrap().is_empty(), "host facts that would confirm are listed");
}

/// A libvirt host: the domain XML and its QEMU log, whose last start failed.
#[test]
fn a_libvirt_start_failure_is_read_from_the_domain_log() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write("proc/sys/kernel/osrelease", "6.1.0-26-amd64\n");
    write("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-26-amd64 root=UUID=0b1c ro quiet intel_iommu=on\n");
    write(
        "etc/libvirt/qemu/win10.xml",
        "<domain type='kvm'>\n  <name>win10</name>\n  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n    \
         <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader></os>\n  <devices>\n    \
         <hostdev mode='subsystem' type='pci' managed='yes'>\n      <source><address domain='0x0000' bus='0x06' slot='0x00' function='0x0'/></source>\n    \
         </hostdev>\n  </devices>\n</domain>\n",
    );
    write(
        "var/log/libvirt/qemu/win10.log",
        "2026-11-29 20:01:02.123+0000: starting up libvirt version: 9.0.0, qemu version: 7.2.0\n\
         2026-11-29 20:01:03.456+0000: shutting down, reason=shutdown\n\
         2026-11-30 08:15:11.001+0000: starting up libvirt version: 9.0.0, qemu version: 7.2.0\n\
         2026-11-30T08:15:11.845123Z qemu-system-x86_64: -device {\"driver\":\"vfio-pci\",\"host\":\"0000:06:00.0\",\"id\":\"hostdev0\",\"bus\":\"pci.5\",\"addr\":\"0x0\"}: vfio 0000:06:00.0: group 7 is not viable\n\
         2026-11-30T08:15:11.845201Z qemu-system-x86_64: -device {\"driver\":\"vfio-pci\",\"host\":\"0000:06:00.0\",\"id\":\"hostdev0\",\"bus\":\"pci.5\",\"addr\":\"0x0\"}: Please ensure all devices within the iommu_group are bound to their vfio bus driver.\n\
         2026-11-30 08:15:12.010+0000: shutting down, reason=failed\n",
    );
    let (report, code) = diagnose(&["--root", root.to_str().unwrap()], &[]);
    assert_eq!(code, Some(1));
    assert_eq!(report["vm"], "win10", "{report:#}");
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "group-not-viable", "{report:#}");
    let evidence = first["evidence"].as_array().unwrap();
    assert!(
        evidence[0]["source"].as_str().unwrap().ends_with("var/log/libvirt/qemu/win10.log"),
        "{evidence:#?}"
    );
    assert_eq!(evidence[0]["line"], 4, "the line of the last start, not an earlier one");
}
