//! Hostile and broken input: a clear message naming the file, exit 2 only when nothing
//! usable was read, and never a panic.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

fn write(root: &Path, path: &str, content: &[u8]) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(full, content).unwrap();
}

fn assert_no_panic(output: &std::process::Output) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "panic: {err}");
}

#[test]
fn a_missing_snapshot_is_an_error_naming_it() {
    let output = run(&["facts", "--root", "/nonexistent/snap"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/snap"), "{}", stderr(&output));
}

#[test]
fn a_file_that_is_no_snapshot_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    fs::write(&file, "just some text\n").unwrap();
    let output = run(&["facts", "--root", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("notes.txt") && err.contains("not a snapshot") && err.contains("--paste"), "{err}");
}

#[test]
fn a_broken_manifest_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manifest.json", b"{\n  \"format\": \"vfio-doctor-snapshot\",\n  oops\n}\n");
    let output = run(&["facts", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("manifest.json") && err.contains("line 3"), "{err}");
}

#[test]
fn an_empty_snapshot_gives_nothing_usable_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["facts", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no usable facts"), "{}", stderr(&output));
}

#[test]
fn link_loops_garbage_and_truncated_files_are_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "proc/cmdline",
        b"BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet\n",
    );
    write(root, "proc/sys/kernel/osrelease", b"6.8.12-4-pve\n");
    // Two devices whose folders point at each other.
    fs::create_dir_all(root.join("sys/bus/pci/devices")).unwrap();
    symlink("0000:02:00.0", root.join("sys/bus/pci/devices/0000:01:00.0")).unwrap();
    symlink("0000:01:00.0", root.join("sys/bus/pci/devices/0000:02:00.0")).unwrap();
    // A device with garbage and truncated config space.
    let dev = "sys/devices/pci0000:00/0000:00:02.0";
    symlink("../../../devices/pci0000:00/0000:00:02.0", root.join("sys/bus/pci/devices/0000:00:02.0"))
        .unwrap();
    write(root, &format!("{dev}/vendor"), b"0x8086\n");
    write(root, &format!("{dev}/device"), b"0x1912\n");
    write(root, &format!("{dev}/class"), b"0x030000\n");
    write(root, &format!("{dev}/config.hex"), b"00: 86 80 12 19 zz\n");
    let dev2 = "sys/devices/pci0000:00/0000:00:1f.0";
    symlink("../../../devices/pci0000:00/0000:00:1f.0", root.join("sys/bus/pci/devices/0000:00:1f.0"))
        .unwrap();
    write(root, &format!("{dev2}/vendor"), b"0x8086\n");
    write(root, &format!("{dev2}/device"), b"0xa145\n");
    write(root, &format!("{dev2}/class"), b"0x060100\n");
    write(root, &format!("{dev2}/config.hex"), b"00: 86 80 45 a1 07 00 10 00\n");
    // Binary junk in a text file and a huge line.
    write(
        root,
        "etc/os-release",
        b"ID=debian\n\x00\xff\xfe\x01junk\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
    );
    let mut long = vec![b'a'; 100_000];
    long.push(b'\n');
    write(
        root,
        "cmd/dmesg",
        &[b"[    0.000000] Linux version 6.8.12-4-pve (build@proxmox)\n".as_slice(), &long].concat(),
    );

    let output = run(&["facts", "--json", "--root", root.to_str().unwrap()]);
    assert_no_panic(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    let facts: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(facts["kernel"]["release"]["value"], "6.8.12-4-pve");
    assert_eq!(facts["kernel"]["distro"]["value"]["id"], "debian");
    let unreadable = facts["collection"]["unreadable"].to_string();
    assert!(unreadable.contains("0000:01:00.0") && unreadable.contains("loop"), "{unreadable}");
    assert!(unreadable.contains("config.hex"), "garbage hex is named: {unreadable}");
    let devices = facts["pci"].as_array().unwrap();
    let lpc = devices.iter().find(|d| d["address"] == "0000:00:1f.0").expect("device with short config kept");
    assert!(lpc["config"].is_null(), "8 bytes of config space are no config space");
    assert!(devices.iter().any(|d| d["address"] == "0000:00:02.0"), "device with garbage config kept");
}

#[test]
fn pasted_binary_junk_alone_is_nothing_usable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junk.bin");
    let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    fs::write(&file, junk).unwrap();
    let output = run(&["facts", "--paste", file.to_str().unwrap()]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("junk.bin"), "{}", stderr(&output));
}

#[test]
fn a_missing_pasted_file_is_named() {
    let output = run(&["facts", "--paste", "/nonexistent/post.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/post.txt"), "{}", stderr(&output));
}

#[test]
fn bad_arguments_exit_2_and_help_exits_0() {
    assert_eq!(run(&["facts", "--no-such-flag"]).status.code(), Some(2));
    let help = run(&["facts", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Examples"));
}

#[test]
fn completions_and_the_man_page_come_out_of_the_binary() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}");
        assert!(stdout(&output).contains("diagnose"), "{shell} completion lists subcommands");
    }
    let man = run(&["man"]);
    assert!(stdout(&man).contains(".TH vfio-doctor 1"));
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    for command in [
        vec!["diagnose"],
        vec!["facts"],
        vec!["rom"],
        vec!["vms"],
        vec!["report"],
        vec!["snapshot"],
        vec!["completions"],
        vec!["man"],
        vec!["rules", "list"],
        vec!["rules", "explain"],
        vec!["rules", "lint"],
        vec!["rules", "test"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        let output = run(&args);
        assert!(output.status.success(), "{command:?}");
        assert!(stdout(&output).contains("Example"), "{command:?} --help has no example");
    }
    let version = run(&["--version"]);
    assert!(stdout(&version).contains("rule set"), "{}", stdout(&version));
}
