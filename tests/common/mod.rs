//! Helpers shared by the end-to-end tests: run the built binary, read its JSON.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vfio-doctor"));
    cmd.env("NO_COLOR", "1");
    // Names from the compiled-in pci.ids, whatever the machine has installed.
    cmd.env("VFIO_DOCTOR_PCI_IDS", "builtin");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("vfio-doctor runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `facts --json` with the given source flags, parsed.
pub fn facts_json(source: &[&str]) -> serde_json::Value {
    let mut args = vec!["facts", "--json"];
    args.extend_from_slice(source);
    let output = run(&args);
    assert!(output.status.success(), "facts {:?} failed: {}", source, stderr(&output));
    serde_json::from_slice(&output.stdout).expect("facts --json prints JSON")
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

pub fn fixture(name: &str) -> String {
    repo().join("fixtures").join(name).display().to_string()
}

/// The facts without `collection`, which says how they were read and so differs by source.
pub fn without_collection(mut facts: serde_json::Value) -> serde_json::Value {
    if let Some(map) = facts.as_object_mut() {
        map.remove("collection");
    }
    facts
}
