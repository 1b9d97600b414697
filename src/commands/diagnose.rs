//! `vfio-doctor diagnose` (and bare `vfio-doctor`): facts → rules → ranked findings.

use crate::cli::{DiagnoseArgs, Format, SourceArgs};
use crate::{render, source, Outcome};
use anyhow::Result;
use std::io::Write;
use std::path::Path;

pub fn run(args: &SourceArgs, rules_dir: Option<&Path>, diagnose: &DiagnoseArgs) -> Result<Outcome> {
    let mut symptoms = Vec::new();
    for symptom in &diagnose.symptoms {
        if engine::vocab::is_symptom(symptom) {
            symptoms.push(symptom.clone());
        } else {
            let known: Vec<&str> = engine::vocab::SYMPTOMS.iter().map(|(s, _)| *s).collect();
            render::warning(&format!(
                "unknown symptom `{symptom}` ignored; known symptoms: {}",
                known.join(", ")
            ));
        }
    }
    // Loading the rules takes about as long as reading a live host, which mostly waits
    // on commands: do both at once there. A snapshot reads without waiting, and a
    // second thread's allocator arena would only add to the peak memory of a big log.
    let (facts, loaded) = if args.is_live() {
        std::thread::scope(|scope| {
            let rules = scope.spawn(|| crate::rules::load_for_run(rules_dir));
            let facts = source::read_facts(args);
            (
                facts,
                rules
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("loading the rules failed unexpectedly"))),
            )
        })
    } else {
        (source::read_facts(args), crate::rules::load_for_run(rules_dir))
    };
    let (facts, remarks) = facts?;
    let (rules, errors) = loaded?;
    for error in &errors {
        render::warning(&format!("rule skipped: {error}"));
    }
    // Right after a failed start the user means that VM, even without --vm.
    let last_failed = facts
        .start_logs
        .iter()
        .filter(|l| l.failed == Some(true) && l.vm.is_some())
        .max_by_key(|l| l.started_at.unwrap_or(0));
    let (vm, vm_reason) = match (&diagnose.vm, last_failed) {
        (Some(vm), _) => (Some(vm.clone()), None),
        (None, Some(log)) => (log.vm.clone(), Some(format!("its last start failed ({})", log.source))),
        (None, None) => (None, None),
    };
    if let Some(vm) = &diagnose.vm {
        let known = facts.vms.iter().any(|v| &v.id == vm || v.name.as_deref() == Some(vm.as_str()));
        if !known {
            let ids: Vec<&str> = facts.vms.iter().map(|v| v.id.as_str()).collect();
            render::warning(&format!(
                "no VM `{vm}` on this host; known: {}",
                if ids.is_empty() { "none".into() } else { ids.join(", ") }
            ));
        }
    }
    let options = engine::Options { symptoms, vm, preview: diagnose.preview };
    let mut report = engine::evaluate(&rules, &facts, &options);
    report.vm_reason = vm_reason;
    report.skipped_rules = errors.iter().map(ToString::to_string).collect();
    let mut out = std::io::stdout().lock();
    match diagnose.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Markdown => render::markdown::write(&mut out, &report, &facts)?,
        Format::Human => render::diagnosis::write(&mut out, &report, &facts, &remarks)?,
    }
    Ok(if report.has_errors() { Outcome::Findings } else { Outcome::Clean })
}
