//! The hostile-input table: each input is a file under tests/bad-input/ (or made here
//! when too large to commit), with the exact message or result expected.

mod common;

use common::*;

fn input(name: &str) -> String {
    repo().join("tests/bad-input").join(name).display().to_string()
}

/// (arguments, exit code, text that must appear in stdout or stderr)
fn table() -> Vec<(Vec<String>, i32, &'static str)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            s(&["rules", "lint", "--rules", &input("rule-alias-bomb")]),
            1,
            "alias-bomb.yaml [alias-bomb]: repetition limit exceeded",
        ),
        (
            s(&["rules", "lint", "--rules", &input("rule-slow-regex")]),
            1,
            "slow-regex.yaml:16 [slow-regex]: log pattern does not compile: Compiled regex exceeds size limit",
        ),
        (
            s(&["facts", "--json", "--paste", &input("paste-invalid-utf8.txt")]),
            0,
            "DMAR: Intel(R) Virtualization Technology for Directed I/O",
        ),
        (
            s(&["diagnose", "--format", "json", "--paste", &input("paste-long-line.txt")]),
            1,
            "\"cause\": \"bar-reserve-framebuffer\"",
        ),
        (
            s(&["facts", "--json", "--root", &input("snapshot-truncated-hex")]),
            0,
            "\"source\": \"sys/bus/pci/devices/0000:00:02.0/config\",\n        \"message\": \"only 21 bytes of config space: truncated\"",
        ),
        (
            s(&["diagnose", "--format", "json", "--paste", &input("paste-nul-bytes.txt")]),
            1,
            "\"cause\": \"bar-reserve-framebuffer\"",
        ),
        (
            s(&["facts", "--json", "--paste", &input("paste-nul-bytes.txt")]),
            0,
            "\"raw\": \"BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on\"",
        ),
        (
            s(&["facts", "--json", "--paste", &input("paste-crlf-vm-config.txt")]),
            0,
            "\"vga\": \"none\"",
        ),
        (
            s(&["facts", "--json", "--root", &input("snapshot-link-loop")]),
            0,
            "\"path\": \"sys/bus/pci/devices/0000:01:00.0/vendor\",\n        \"reason\": \"symbolic links loop\"",
        ),
        (
            s(&["facts", "--json", "--root", &input("snapshot-link-loop")]),
            0,
            "\"path\": \"etc/os-release\",\n        \"reason\": \"Is a directory (os error 21)\"",
        ),
    ]
}

#[test]
fn every_hostile_input_gives_its_expected_message() {
    for (args, code, expected) in table() {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&refs);
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!text.contains("panicked"), "{args:?}: {text}");
        assert_eq!(output.status.code(), Some(code), "{args:?}: {text}");
        assert!(text.contains(expected), "{args:?}: expected `{expected}` in:\n{text}");
    }
}

#[test]
fn an_oversized_file_is_named_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::write(root.join("proc/cmdline"), "quiet intel_iommu=on\n").unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    // Larger than the 16 MiB cap for files read whole.
    std::fs::write(root.join("etc/os-release"), vec![b'#'; (16 << 20) + 1]).unwrap();
    let output = run(&["facts", "--json", "--root", root.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let facts: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let unreadable = facts["collection"]["unreadable"].to_string();
    assert!(
        unreadable.contains("etc/os-release") && unreadable.contains("larger than 16777216 bytes"),
        "{unreadable}"
    );
    assert!(facts["kernel"]["cmdline"]["value"]["raw"].as_str().unwrap().contains("intel_iommu=on"));
}
