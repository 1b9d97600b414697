//! `vfio-doctor report`: everything a helper needs, in one redacted zip.
//!
//! The facts and the diagnosis in the bundle are computed from the redacted snapshot,
//! never from the original host, so nothing the redaction hid can leak through them.

use crate::cli::{ReportArgs, SourceArgs};
use crate::render::{self, bundle};
use crate::{source, Outcome};
use anyhow::{Context, Result};
use probes::host::{RecordingHost, Snapshot};
use probes::redact::{redact_tree, RedactOptions};
use std::io::Write;
use std::path::Path;

pub fn run(args: &SourceArgs, rules_dir: Option<&Path>, report: &ReportArgs) -> Result<Outcome> {
    if std::fs::symlink_metadata(&report.output).is_ok() {
        anyhow::bail!(
            "{} already exists; choose a new name (vfio-doctor never overwrites)",
            report.output.display()
        );
    }
    // The rules load while the host is read, which mostly waits on commands.
    std::thread::scope(|scope| {
        let rules = scope.spawn(|| crate::rules::load_for_run(rules_dir));
        let rules_loaded =
            || rules.join().map_err(|_| anyhow::anyhow!("loading the rules failed unexpectedly"))?;
        write_report(args, report, rules_loaded)
    })
}

fn write_report(
    args: &SourceArgs,
    report: &ReportArgs,
    rules_loaded: impl FnOnce() -> Result<(engine::RuleSet, Vec<engine::RuleError>)>,
) -> Result<Outcome> {
    let status = render::progress::Progress::start("Collecting the host for the report");
    let opened = source::open(args)?;
    let recorder = RecordingHost::new(opened.host);
    // A live report captures every command; start them all now, side by side.
    probes::host::Host::prefetch(&recorder, &probes::host::Command::captured());
    let names = render::names::load();
    let original = probes::collect(&recorder, &names);
    if probes::is_empty(&original) {
        anyhow::bail!("no usable facts could be read from this source; nothing to report");
    }
    if original.collection.source_kind == "live" {
        for command in probes::host::Command::captured() {
            recorder.capture_command(command);
        }
    }
    // Read where the host's own names are defined, so redaction knows what to replace
    // wherever else it appears.
    for path in probes::redact::IDENTITY_FILES {
        let _ = probes::host::Tree::read(&recorder, path);
    }
    let (tree, mut manifest) = recorder.finish(env!("CARGO_PKG_VERSION"));
    let (tree, redaction) = if report.no_redact {
        (tree, None)
    } else {
        let (redacted, redaction) = redact_tree(&tree, &RedactOptions { vm_names: report.redact_vm_names });
        (redacted, Some(redaction))
    };
    manifest.description = Some(format!("vfio-doctor report of {}", original.collection.source_kind));
    // Facts and diagnosis come from what the zip holds, so the zip replays to the same.
    let snapshot = Snapshot::new(tree.clone(), "snapshot")?;
    let facts = probes::collect(&snapshot, &names);
    let (rules, errors) = rules_loaded()?;
    for error in &errors {
        render::warning(&format!("rule skipped: {error}"));
    }
    let symptoms: Vec<String> =
        report.symptoms.iter().filter(|s| engine::vocab::is_symptom(s)).cloned().collect();
    let options = engine::Options { symptoms, ..Default::default() };
    let mut diagnosis = engine::evaluate(&rules, &facts, &options);
    diagnosis.skipped_rules = errors.iter().map(ToString::to_string).collect();

    drop(status);
    let status = render::progress::Progress::start("Writing the report");
    let written = bundle::write(&bundle::Bundle {
        path: &report.output,
        tree: &tree,
        snapshot_manifest: &manifest,
        facts: &facts,
        report: &diagnosis,
        redaction: redaction.as_ref(),
        templates: report.templates.as_deref(),
        ruleset: &crate::rules::ruleset_version(),
    })?;
    drop(status);
    if let Some(redaction) = &redaction {
        bundle::write_redaction_map(&report.output, redaction)
            .with_context(|| "cannot write the redaction map next to the zip")?;
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Wrote {} ({} KiB, {} entries).",
        report.output.display(),
        written.bytes.div_ceil(1024),
        written.entries
    )?;
    match &redaction {
        Some(r) if r.counts.is_empty() => writeln!(out, "Redaction: nothing personal found.")?,
        Some(r) => {
            let counts: Vec<String> = r.counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
            writeln!(out, "Redacted: {}.", counts.join(", "))?;
            writeln!(
                out,
                "The map from tokens to real values is in {} (keep it private).",
                bundle::map_path(&report.output).display()
            )?;
        }
        None => writeln!(out, "Not redacted (--no-redact): do not post this zip publicly.")?,
    }
    let top: Vec<&engine::report::Finding> =
        diagnosis.findings.iter().filter(|f| f.severity != engine::rule::Severity::Info).take(3).collect();
    if top.is_empty() {
        writeln!(out, "Diagnosis: no problems found.")?;
    } else {
        writeln!(out, "Top causes:")?;
        for (i, f) in top.iter().enumerate() {
            writeln!(out, "  {}. [{}] {}", i + 1, f.cause, f.title)?;
        }
    }
    Ok(Outcome::Clean)
}
