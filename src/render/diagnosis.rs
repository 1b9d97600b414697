//! The terminal report of `diagnose`: a table of ranked causes, then each cause with
//! its evidence and numbered fix steps, then what could not be checked.

use super::style::{bad, dim, heading, warn};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use engine::report::{Evidence, Finding};
use engine::rule::{Risk, Severity};
use engine::{Facts, Report};
use std::io::{self, Write};

pub fn severity(s: Severity) -> String {
    match s {
        Severity::Error => bad("error"),
        Severity::Warning => warn("warning"),
        Severity::Info => dim("info"),
    }
}

pub fn risk(r: Risk) -> &'static str {
    match r {
        Risk::Low => "low risk",
        Risk::Medium => "medium risk",
        Risk::High => "high risk",
    }
}

pub fn evidence_location(e: &Evidence) -> String {
    match e.line {
        Some(line) => format!("{}:{line}", e.source),
        None => e.source.clone(),
    }
}

fn source_line(facts: &Facts) -> String {
    let c = &facts.collection;
    match c.source_kind.as_str() {
        "live" => "this host".to_string(),
        kind => format!("{kind} {}", c.source.join(", ")),
    }
}

pub fn write(out: &mut impl Write, report: &Report, facts: &Facts, remarks: &[String]) -> io::Result<()> {
    let problems = report.findings.iter().filter(|f| f.severity != Severity::Info).count();
    writeln!(
        out,
        "{} {} on {} ({} rules checked)",
        heading("vfio-doctor:"),
        match problems {
            0 => "no problems found".to_string(),
            1 => "1 problem found".to_string(),
            n => format!("{n} problems found"),
        },
        source_line(facts),
        report.rules_evaluated
    )?;
    if !report.symptoms.is_empty() {
        writeln!(out, "  symptoms: {}", report.symptoms.join(", "))?;
    }
    if let Some(vm) = &report.vm {
        let why = report.vm_reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
        writeln!(out, "  leading with VM {vm}{why}")?;
    }
    writeln!(out)?;
    if !report.findings.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
        table.set_header(["#", "Severity", "Cause", "Finding", "About"]);
        for (i, f) in report.findings.iter().enumerate() {
            table.add_row([
                (i + 1).to_string(),
                severity(f.severity),
                f.cause.clone(),
                f.title.clone(),
                f.item.clone().unwrap_or_default(),
            ]);
        }
        writeln!(out, "{table}\n")?;
    }
    for (i, f) in report.findings.iter().enumerate() {
        finding(out, i + 1, f)?;
    }
    if !report.unknowns.is_empty() {
        writeln!(out, "{}", heading("Could not check"))?;
        for u in &report.unknowns {
            writeln!(
                out,
                "  {} {} → {}",
                u.fact,
                dim(&format!("(needed by {})", u.rules.join(", "))),
                u.hint
            )?;
        }
        writeln!(out)?;
    }
    let unreadable = &facts.collection.unreadable;
    if !unreadable.is_empty() || !remarks.is_empty() {
        writeln!(out, "{}", heading("Could not read"))?;
        for u in unreadable {
            let hint = u.hint.as_ref().map(|h| format!(" → {h}")).unwrap_or_default();
            writeln!(out, "  {} {}{hint}", u.path, dim(&format!("({})", u.reason)))?;
        }
        for remark in remarks {
            writeln!(out, "  {remark}")?;
        }
        writeln!(out)?;
    }
    for skipped in &report.skipped_rules {
        writeln!(out, "{} {skipped}", warn("rule skipped:"))?;
    }
    Ok(())
}

fn finding(out: &mut impl Write, n: usize, f: &Finding) -> io::Result<()> {
    let about = f.item.as_ref().map(|i| format!(" — {i}")).unwrap_or_default();
    writeln!(out, "{} {}{about}", heading(&format!("{n}.")), heading(&f.title))?;
    writeln!(out, "   {} {}", severity(f.severity), dim(&format!("· {} · rule {}", f.cause, f.rule)))?;
    if !f.summary.is_empty() {
        writeln!(out, "   {}", f.summary)?;
    }
    if !f.evidence.is_empty() {
        writeln!(out, "   {}", heading("Evidence:"))?;
        for e in &f.evidence {
            let at = evidence_location(e);
            if at.is_empty() {
                writeln!(out, "     {}", e.text)?;
            } else {
                writeln!(out, "     {} {}", dim(&at), e.text)?;
            }
        }
    }
    for fix in &f.fixes {
        let reboot = if fix.reboot { ", reboot" } else { "" };
        writeln!(
            out,
            "   {} {} {}",
            heading(&format!("Fix {}:", fix.rank)),
            fix.title,
            dim(&format!("({}{reboot})", risk(fix.risk)))
        )?;
        if !fix.why.is_empty() {
            writeln!(out, "     {}", dim(&fix.why))?;
        }
        for (i, step) in fix.steps.iter().enumerate() {
            writeln!(out, "     {}. {step}", i + 1)?;
        }
    }
    writeln!(out)
}

/// A device state for `vms`: ok, warning or blocked, coloured.
pub fn state(state: &str) -> String {
    match state {
        "blocked" => bad(state),
        "warning" => warn(state),
        _ => super::style::good(state),
    }
}
