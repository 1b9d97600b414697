//! Inputs kept from fuzzing (`fuzz/run`), replayed on every test run through the very
//! functions the fuzz targets call (`fuzz/entries.rs`): a crash once fixed stays fixed.
//! A file under `tests/fuzz-regressions/<target>/` is replayed by that target.

#[path = "../fuzz/entries.rs"]
mod entries;

use std::fs;
use std::path::Path;

/// What a target does with one input; it must return, whatever the bytes.
type Replay = fn(&[u8]);

const TARGETS: &[(&str, Replay)] = &[
    ("cmdline", entries::cmdline),
    ("config_space", entries::config_space),
    ("iommu_listing", entries::iommu_listing),
    ("kernel_log", entries::kernel_log),
    ("libvirt_xml", entries::libvirt_xml),
    ("log_patterns", entries::log_patterns),
    ("lspci", entries::lspci),
    ("modprobe", entries::modprobe),
    ("option_rom", entries::option_rom),
    ("paste", entries::paste),
    ("pve_config", entries::pve_config),
    ("rule_loader", entries::rule_loader),
    ("text_archive", entries::text_archive),
    ("text_parsers", entries::text_parsers),
    ("zip_reader", entries::zip_reader),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every fuzz target has a replay here, and every kept input replays without a panic.
#[test]
fn fuzz_targets_are_replayable_and_kept_inputs_replay() {
    let mut declared: Vec<String> = fs::read_dir(root().join("fuzz/fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    declared.sort();
    let replayable: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(declared, replayable, "fuzz/fuzz_targets and this table must name the same targets");
    let cargo = fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    for name in &declared {
        assert!(cargo.contains(&format!("name = \"{name}\"")), "fuzz/Cargo.toml lacks a [[bin]] for {name}");
    }

    for entry in fs::read_dir(root().join("tests/fuzz-regressions")).unwrap() {
        let folder = entry.unwrap().path();
        if !folder.is_dir() {
            continue;
        }
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let Some((_, replay)) = TARGETS.iter().find(|(target, _)| *target == name) else {
            panic!("{}: no fuzz target of that name", folder.display());
        };
        for input in fs::read_dir(&folder).unwrap() {
            let path = input.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| replay(&bytes));
            assert!(outcome.is_ok(), "{} panics again", path.display());
        }
    }
}
