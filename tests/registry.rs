//! Invariants of the whole shipped rule set, checked in one place.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn rule_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![repo().join("rules")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let rel = path.strip_prefix(repo()).unwrap().display().to_string();
                files.push((rel, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn load_all() -> engine::RuleSet {
    let files: Vec<engine::RuleFile> = rule_files()
        .into_iter()
        .map(|(path, text)| engine::RuleFile { origin: engine::Origin::Builtin, path, text })
        .collect();
    let (set, errors) = engine::load(&files);
    assert!(
        errors.is_empty(),
        "rules that do not load:\n{}",
        errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
    );
    set
}

#[test]
fn every_rule_loads_and_sits_in_an_area_folder() {
    let set = load_all();
    assert!(!set.rules.is_empty());
    for rule in &set.rules {
        let parts: Vec<&str> = rule.file.split('/').collect();
        assert_eq!(parts.len(), 3, "{}: rules live in rules/<area>/<id>.yaml", rule.file);
        assert!(rule.raw.tests.fires.len() + rule.raw.tests.quiet.len() >= 2, "{}", rule.id());
        assert!(!rule.raw.tests.fires.is_empty(), "{} has no host it must fire on", rule.id());
        assert!(!rule.raw.tests.quiet.is_empty(), "{} has no host it must stay quiet on", rule.id());
        for case in rule.raw.tests.fires.iter().chain(&rule.raw.tests.quiet) {
            let exists = match case.split_once(':') {
                Some(("fixture", name)) => repo().join("fixtures").join(name).is_dir(),
                Some(("paste", file)) => repo().join("tests/paste").join(file).is_file(),
                _ => false,
            };
            assert!(exists, "{}: test host `{case}` does not exist", rule.id());
        }
        if rule.raw.severity != engine::rule::Severity::Info {
            assert!(!rule.raw.fixes.is_empty(), "{}: a problem needs at least one fix", rule.id());
        }
    }
}

#[test]
fn every_fixture_and_paste_file_is_used_by_a_rule() {
    let set = load_all();
    let used: BTreeSet<String> =
        set.rules.iter().flat_map(|r| r.raw.tests.fires.iter().chain(&r.raw.tests.quiet).cloned()).collect();
    for entry in fs::read_dir(repo().join("fixtures")).unwrap().filter_map(Result::ok) {
        if entry.path().is_dir() {
            let case = format!("fixture:{}", entry.file_name().to_string_lossy());
            assert!(used.contains(&case), "{case} is used by no rule test");
        }
    }
}

/// `rules/schema.json` is generated from the rule types; rerun with
/// `VFIO_DOCTOR_UPDATE_SCHEMA=1 cargo test --test registry` after changing them.
#[test]
fn the_committed_rule_schema_is_fresh() {
    let path = repo().join("rules/schema.json");
    let fresh = engine::rule::schema_json();
    if std::env::var_os("VFIO_DOCTOR_UPDATE_SCHEMA").is_some() {
        fs::write(&path, &fresh).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "rules/schema.json is stale: run VFIO_DOCTOR_UPDATE_SCHEMA=1 cargo test --test registry"
    );
}

#[test]
fn coverage_names_only_real_rules() {
    let Ok(coverage) = fs::read_to_string(repo().join("rules/COVERAGE.md")) else { return };
    let set = load_all();
    let ids: BTreeSet<&str> = set.rules.iter().map(|r| r.id()).collect();
    for line in coverage.lines().filter(|l| l.contains('→')) {
        let named = line.rsplit('→').next().unwrap_or_default();
        for id in named.split(',').map(|s| s.trim().trim_matches('`')).filter(|s| !s.is_empty()) {
            assert!(ids.contains(id), "COVERAGE.md names unknown rule `{id}` in: {line}");
        }
    }
}

#[test]
fn rules_test_passes_on_the_shipped_set() {
    let output =
        bin().args(["rules", "test", "--base"]).arg(Path::new(env!("CARGO_MANIFEST_DIR"))).output().unwrap();
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(text.contains(" 0 failed"), "{text}");
}
