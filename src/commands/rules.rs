//! `vfio-doctor rules …`: list the rule set and run each rule's own tests.

use crate::cli::{Format, RulesCommand};
use crate::{render, Outcome};
use anyhow::{Context, Result};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use engine::RuleSet;
use probes::host::{open_snapshot, Host, PastedFile, PastedHost};
use std::io::Write;
use std::path::Path;

pub fn run(rules_dir: Option<&Path>, command: RulesCommand) -> Result<Outcome> {
    let (rules, errors) = crate::rules::load(rules_dir)?;
    match command {
        RulesCommand::List { format } => list(&rules, format),
        RulesCommand::Explain { id, base } => explain(&rules, &id, &base),
        RulesCommand::Lint { base } => lint(&rules, &errors, &base),
        RulesCommand::Test { ids, base } => {
            for error in &errors {
                render::warning(&format!("rule does not load: {error}"));
            }
            let passed = test(&rules, &ids, &base)?;
            Ok(if passed && errors.is_empty() { Outcome::Clean } else { Outcome::Findings })
        }
    }
}

fn list(rules: &RuleSet, format: Format) -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let mut sorted: Vec<_> = rules.rules.iter().collect();
    sorted.sort_by(|a, b| a.id().cmp(b.id()));
    if format == Format::Json {
        let list: Vec<serde_json::Value> = sorted
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id(), "title": r.raw.title, "cause": r.raw.cause, "severity": r.raw.severity,
                    "symptoms": r.raw.symptoms, "status": r.raw.status, "file": r.file,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({"schema_version": 1, "rules": list}))?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["Rule", "Cause", "Severity", "Symptoms"]);
    for rule in sorted {
        table.add_row([
            rule.id().to_string(),
            rule.raw.cause.clone(),
            format!("{:?}", rule.raw.severity).to_lowercase(),
            rule.raw.symptoms.join(", "),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(Outcome::Clean)
}

fn explain(rules: &RuleSet, id: &str, base: &Path) -> Result<Outcome> {
    let Some(rule) = rules.get(id) else {
        let mut ids: Vec<&str> = rules.rules.iter().map(|r| r.id()).collect();
        ids.sort();
        let near: Vec<&&str> = ids.iter().filter(|i| i.contains(id) || id.contains(**i)).take(5).collect();
        anyhow::bail!(
            "no rule `{id}`{}; `vfio-doctor rules list` shows them all",
            if near.is_empty() {
                String::new()
            } else {
                format!(" (similar: {})", near.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "))
            }
        )
    };
    let raw = &rule.raw;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} — {}", raw.id, raw.title)?;
    writeln!(
        out,
        "cause: {} · severity: {:?} · confidence: {:?} · status: {:?}",
        raw.cause, raw.severity, raw.confidence, raw.status
    )?;
    if !raw.symptoms.is_empty() {
        writeln!(out, "symptoms: {}", raw.symptoms.join(", "))?;
    }
    writeln!(out, "file: {}\n", rule.file)?;
    writeln!(out, "{}", raw.explain.trim_end())?;
    writeln!(out, "\n## Fixes")?;
    for (i, fix) in raw.fixes.iter().enumerate() {
        writeln!(
            out,
            "{}. {} ({:?} risk{})",
            i + 1,
            fix.title,
            fix.risk,
            if fix.reboot { ", reboot" } else { "" }
        )?;
        writeln!(out, "   {}", fix.why)?;
        for step in &fix.steps {
            writeln!(out, "   - {step}")?;
        }
    }
    if !raw.references.is_empty() {
        writeln!(out, "\n## References")?;
        for reference in &raw.references {
            writeln!(out, "- {reference}")?;
        }
    }
    // An example: the evidence it shows on the first host it must fire on.
    if let Some(case) = raw.tests.fires.first() {
        if let Ok(host) = open_case(case, base) {
            let facts = probes::collect(host.as_ref(), &render::names::load());
            let options = engine::Options { preview: true, ..Default::default() };
            let report = engine::evaluate(rules, &facts, &options);
            if let Some(finding) = report.findings.iter().find(|f| f.rule == raw.id) {
                writeln!(out, "\n## Example ({case})")?;
                writeln!(out, "{}", finding.summary)?;
                for e in &finding.evidence {
                    writeln!(out, "  {} {}", render::diagnosis::evidence_location(e), e.text)?;
                }
            }
        }
    }
    Ok(Outcome::Clean)
}

/// Everything wrong with the rule set, one line each; exit 1 when anything is.
fn lint(rules: &RuleSet, errors: &[engine::RuleError], base: &Path) -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let mut problems = 0;
    for error in errors {
        writeln!(out, "{error}")?;
        problems += 1;
    }
    for rule in &rules.rules {
        let tests = &rule.raw.tests;
        if tests.fires.is_empty() {
            writeln!(out, "{} [{}]: no host it must fire on (tests.fires)", rule.file, rule.id())?;
            problems += 1;
        }
        if tests.quiet.is_empty() {
            writeln!(out, "{} [{}]: no host it must stay quiet on (tests.quiet)", rule.file, rule.id())?;
            problems += 1;
        }
        for case in tests.fires.iter().chain(&tests.quiet) {
            let exists = match case.split_once(':') {
                Some(("fixture", name)) => base.join("fixtures").join(name).is_dir(),
                Some(("paste", file)) => base.join("tests/paste").join(file).is_file(),
                _ => false,
            };
            if !exists {
                writeln!(
                    out,
                    "{} [{}]: test host `{case}` does not exist under {}",
                    rule.file,
                    rule.id(),
                    base.display()
                )?;
                problems += 1;
            }
        }
    }
    writeln!(out, "{} rules, {problems} problems", rules.rules.len() + errors.len())?;
    Ok(if problems == 0 { Outcome::Clean } else { Outcome::Findings })
}

/// Opens a test host: `fixture:NAME` or `paste:FILE`.
fn open_case(case: &str, base: &Path) -> Result<Box<dyn Host>> {
    if let Some(name) = case.strip_prefix("fixture:") {
        let path = base.join("fixtures").join(name);
        return open_snapshot(&path).with_context(|| format!("test host {case}"));
    }
    if let Some(file) = case.strip_prefix("paste:") {
        let path = base.join("tests/paste").join(file);
        let pasted =
            PastedFile::read(&path.display().to_string()).with_context(|| format!("test host {case}"))?;
        return Ok(Box::new(PastedHost::new(vec![pasted])));
    }
    anyhow::bail!("test host `{case}` must start with `fixture:` or `paste:`")
}

/// Evaluates every rule on every host its tests name; prints one line per case.
fn test(rules: &RuleSet, ids: &[String], base: &Path) -> Result<bool> {
    let names = render::names::load();
    let mut out = std::io::stdout().lock();
    let mut cache: std::collections::BTreeMap<String, engine::Report> = Default::default();
    let options = engine::Options { preview: true, ..Default::default() };
    let (mut passed, mut failed) = (0, 0);
    for rule in &rules.rules {
        if !ids.is_empty() && !ids.iter().any(|i| i == rule.id()) {
            continue;
        }
        let tests = &rule.raw.tests;
        if tests.fires.is_empty() || tests.quiet.is_empty() {
            writeln!(out, "FAIL {}: needs at least one `fires` and one `quiet` test host", rule.id())?;
            failed += 1;
        }
        for (case, should_fire) in
            tests.fires.iter().map(|c| (c, true)).chain(tests.quiet.iter().map(|c| (c, false)))
        {
            if !cache.contains_key(case) {
                let host = match open_case(case, base) {
                    Ok(host) => host,
                    Err(e) => {
                        writeln!(out, "FAIL {} on {case}: {e:#}", rule.id())?;
                        failed += 1;
                        continue;
                    }
                };
                let facts = probes::collect(host.as_ref(), &names);
                cache.insert(case.clone(), engine::evaluate(rules, &facts, &options));
            }
            let fired = cache[case].findings.iter().any(|f| f.rule == rule.id());
            if fired == should_fire {
                passed += 1;
            } else {
                failed += 1;
                let what = if should_fire { "is missing (did not fire)" } else { "is noisy (fired)" };
                writeln!(out, "FAIL {} on {case}: {what}", rule.id())?;
            }
        }
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(failed == 0)
}
