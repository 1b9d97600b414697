//! The rule set is compiled into the binary (`include_dir!` in src/rules.rs); rebuild
//! whenever a rule file is added, changed or removed. Its digest, shown by `--version`
//! and written into every report, is computed here once rather than at every start, and
//! each rule is also stored as JSON, which parses ten times faster than its YAML.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=report-templates");
    let root = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("rules");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    // The same order and bytes as `rules::builtin_files`: a test checks they agree.
    files.sort();
    let mut hasher = Sha256::new();
    let mut prepared = String::from("pub static PREPARED: &[(&str, &str)] = &[\n");
    for (name, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        hasher.update(name.as_bytes());
        hasher.update(text.as_bytes());
        // A file that does not parse is left out: it is read as YAML at run time, where
        // its error is reported with its line.
        if let Ok(value) = serde_yaml::from_str::<serde_json::Value>(&text) {
            prepared.push_str(&format!("    ({name:?}, {:?}),\n", value.to_string()));
        }
    }
    prepared.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("prepared_rules.rs");
    std::fs::write(out, prepared).unwrap();
    let digest: String = hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=VFIO_DOCTOR_RULESET_DIGEST={digest}");
    println!("cargo:rustc-env=VFIO_DOCTOR_RULESET_COUNT={}", files.len());
}

/// `(rules/<relative path>, path)` of every rule file: `*.yaml` in a folder below `rules/`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, out);
        } else if dir != root && path.extension().is_some_and(|e| e == "yaml") {
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            out.push((format!("rules/{relative}"), path));
        }
    }
}
