//! `rules lint` on the shipped set and on broken rules; a community rule added the
//! documented way is picked up without touching Rust.

mod common;

use common::*;

const BROKEN: &[(&str, &str)] = &[
    ("bad-yaml", "bad-yaml.yaml:2 [bad-yaml]"),
    ("unknown-key", "unknown-key.yaml:16 [unknown-key]: unknown field `surprise`"),
    ("bad-regex", "bad-regex.yaml:16 [bad-regex]: log pattern does not compile"),
    ("unknown-path", "unknown-path.yaml:15 [unknown-path]: unknown fact path `kernel.relase`"),
    ("wrong-stem", "not-the-id.yaml:1 [some-other-id]: the id must equal the file name"),
    ("duplicate-id", "[first]: duplicate rule id"),
    ("unknown-cause", "unknown-cause.yaml:3 [unknown-cause]: unknown cause `purple-smoke`"),
    ("missing-section", "lacks the section `## Why it matters`"),
    ("cycle", "derived facts form a cycle"),
    ("no-fires-case", "[no-fires-case]: no host it must fire on"),
    ("bad-template", "bad-template.yaml:5 [bad-template]: template does not compile"),
    ("missing-host", "test host `fixture:no-such-host` does not exist"),
];

fn lint(rules: Option<&str>) -> std::process::Output {
    let mut args = vec!["rules", "lint", "--base", env!("CARGO_MANIFEST_DIR")];
    if let Some(dir) = rules {
        args.extend(["--rules", dir]);
    }
    run(&args)
}

#[test]
fn the_shipped_rules_lint_clean() {
    let output = lint(None);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains(" 0 problems"));
}

#[test]
fn each_kind_of_broken_rule_fails_lint_with_a_precise_message() {
    for (folder, expected) in BROKEN {
        let dir = repo().join("tests/bad-rules").join(folder).display().to_string();
        let output = lint(Some(&dir));
        assert_eq!(output.status.code(), Some(1), "{folder}: {}", stdout(&output));
        assert!(
            stdout(&output).contains(expected),
            "{folder}: expected `{expected}` in:\n{}",
            stdout(&output)
        );
    }
}

/// CONTRIBUTING.md's path: one YAML file (and a pasted log), no Rust change.
#[test]
fn a_new_rule_in_a_folder_is_tested_and_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let rule = r#"
id: pcie-aer-flood
title: The kernel reports a flood of PCIe AER errors
cause: platform-info
symptoms: [slow]
severity: warning
confidence: medium
summary: "PCIe Advanced Error Reporting logged corrected errors."
explain: |
  ## What it checks
  `pcieport … AER: Corrected error received` lines in the kernel log.
  ## Why it matters
  A flood of corrected errors slows the host and often marks a bad link or riser.
  ## How to confirm
  `dmesg | grep AER`
when:
  log:
    pattern: 'AER: Corrected error received: (?P<bdf>[0-9a-f:.]+)'
fixes:
  - id: reseat-card
    title: Reseat the card or try another slot
    why: Corrected errors on one link usually come from its physical connection.
    risk: low
    reboot: true
    steps: ["Power off, reseat the card, check the riser."]
tests:
  fires: ["paste:journal-crlf-nul.txt"]
  quiet: ["fixture:intel-nvidia-vfio-ok"]
"#;
    std::fs::write(dir.path().join("pcie-aer-flood.yaml"), rule).unwrap();
    let rules = dir.path().to_str().unwrap();
    let listed = run(&["rules", "list", "--rules", rules]);
    assert!(stdout(&listed).contains("pcie-aer-flood"));
    // Its fires case has no AER line: `rules test` must say the rule is missing there.
    let tested =
        run(&["rules", "test", "pcie-aer-flood", "--base", env!("CARGO_MANIFEST_DIR"), "--rules", rules]);
    assert_eq!(tested.status.code(), Some(1));
    assert!(
        stdout(&tested).contains("pcie-aer-flood on paste:journal-crlf-nul.txt: is missing"),
        "{}",
        stdout(&tested)
    );
    let post = dir.path().join("aer.txt");
    std::fs::write(
        &post,
        "[  812.332110] pcieport 0000:00:1c.0: AER: Corrected error received: 0000:03:00.0\n",
    )
    .unwrap();
    let diagnosed =
        run(&["diagnose", "--format", "json", "--rules", rules, "--paste", post.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&diagnosed.stdout).unwrap();
    assert!(
        report["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "pcie-aer-flood"),
        "{report:#}"
    );
}
