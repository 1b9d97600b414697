//! The rule set: the one compiled into the binary (so a copied binary works alone),
//! plus rules from `--rules DIR`, which add to or replace built-in ones by id.

use anyhow::{Context, Result};
use engine::{Origin, RuleError, RuleFile, RuleSet};
use include_dir::{include_dir, Dir};
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

fn builtin_files() -> Vec<RuleFile> {
    let mut files = Vec::new();
    collect_builtin(&BUILTIN, &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn collect_builtin(dir: &Dir<'static>, out: &mut Vec<RuleFile>) {
    for file in dir.files() {
        let path = file.path();
        if path.extension().is_some_and(|e| e == "yaml")
            && path.parent().is_some_and(|p| !p.as_os_str().is_empty())
        {
            out.push(RuleFile {
                origin: Origin::Builtin,
                path: format!("rules/{}", path.display()),
                text: file.contents_utf8().unwrap_or_default().to_string(),
            });
        }
    }
    for sub in dir.dirs() {
        collect_builtin(sub, out);
    }
}

/// `*.yaml` files under `dir`, at any depth, in name order.
fn user_files(dir: &Path) -> Result<Vec<RuleFile>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("cannot read rules folder {}", current.display()))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read rule {}", path.display()))?;
                files.push(RuleFile { origin: Origin::User, path: path.display().to_string(), text });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Loads the built-in rules and those of `extra`, checking everything (the `rules`
/// subcommands). Rules with problems are left out and their problems returned.
pub fn load(extra: Option<&Path>) -> Result<(RuleSet, Vec<RuleError>)> {
    Ok(engine::load(&files(extra)?))
}

/// Loads the rules to diagnose with: the built-in rules come as the JSON build.rs made
/// of them, and their regexes, checked by `rules lint` before release, compile when
/// first used.
pub fn load_for_run(extra: Option<&Path>) -> Result<(RuleSet, Vec<RuleError>)> {
    let mut files = files(extra)?;
    for file in files.iter_mut().filter(|f| f.origin == Origin::Builtin) {
        if let Some((_, json)) = prepared::PREPARED.iter().find(|(path, _)| *path == file.path) {
            file.text = json.to_string();
        }
    }
    Ok(engine::load_for_run(&files))
}

mod prepared {
    include!(concat!(env!("OUT_DIR"), "/prepared_rules.rs"));
}

fn files(extra: Option<&Path>) -> Result<Vec<RuleFile>> {
    let mut files = builtin_files();
    if let Some(dir) = extra {
        files.extend(user_files(dir)?);
    }
    Ok(files)
}

/// The version of the built-in rule set: the tool version plus a digest of every rule
/// file (computed by build.rs), so two binaries with the same rules say the same.
pub fn ruleset_version() -> String {
    format!(
        "{} (rule set {}, {} rules)",
        env!("CARGO_PKG_VERSION"),
        env!("VFIO_DOCTOR_RULESET_DIGEST"),
        env!("VFIO_DOCTOR_RULESET_COUNT")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_rules_read_as_their_yaml_does() {
        let files = builtin_files();
        assert_eq!(prepared::PREPARED.len(), files.len(), "every built-in rule is prepared");
        for file in &files {
            let (_, json) = prepared::PREPARED.iter().find(|(path, _)| *path == file.path).unwrap();
            let from_yaml: engine::rule::RawRule = serde_yaml::from_str(&file.text).unwrap();
            let from_json: engine::rule::RawRule = serde_json::from_str(json).unwrap();
            assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"), "{}", file.path);
        }
        let (checked, errors) = load(None).unwrap();
        let (run, run_errors) = load_for_run(None).unwrap();
        assert!(errors.is_empty() && run_errors.is_empty());
        let ids = |set: &RuleSet| set.rules.iter().map(|r| r.id().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&checked), ids(&run));
    }

    #[test]
    fn the_build_time_digest_is_that_of_the_embedded_rules() {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let files = builtin_files();
        for file in &files {
            hasher.update(file.path.as_bytes());
            hasher.update(file.text.as_bytes());
        }
        let digest: String = hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, env!("VFIO_DOCTOR_RULESET_DIGEST"));
        assert_eq!(files.len().to_string(), env!("VFIO_DOCTOR_RULESET_COUNT"));
    }
}
