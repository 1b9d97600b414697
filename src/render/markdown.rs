//! `diagnose --format markdown`: ready to paste into a forum post.

use super::diagnosis::{evidence_location, risk};
use engine::{Facts, Report};
use std::io::{self, Write};

pub fn write(out: &mut impl Write, report: &Report, facts: &Facts) -> io::Result<()> {
    writeln!(out, "## vfio-doctor diagnosis\n")?;
    let kernel = facts.kernel.release.as_ref().map_or("unknown", |r| r.value.as_str());
    let distro = facts
        .kernel
        .distro
        .as_ref()
        .and_then(|d| d.value.pretty_name.clone())
        .unwrap_or_else(|| "unknown".into());
    writeln!(out, "- Kernel: `{kernel}`; system: {distro}")?;
    if let Some(pve) = facts.kernel.proxmox.as_ref().and_then(|p| p.value.manager.clone()) {
        writeln!(out, "- Proxmox VE: {pve}")?;
    }
    if !report.symptoms.is_empty() {
        writeln!(out, "- Reported symptoms: {}", report.symptoms.join(", "))?;
    }
    writeln!(out, "- Rules checked: {}\n", report.rules_evaluated)?;
    if report.findings.is_empty() {
        writeln!(out, "No problems found.\n")?;
    } else {
        writeln!(out, "| # | Severity | Cause | Finding |\n|---|---|---|---|")?;
        for (i, f) in report.findings.iter().enumerate() {
            let about = f.item.as_ref().map(|i| format!(" ({i})")).unwrap_or_default();
            writeln!(
                out,
                "| {} | {:?} | `{}` | {}{about} |",
                i + 1,
                f.severity,
                f.cause,
                f.title.replace('|', "\\|")
            )?;
        }
        writeln!(out)?;
    }
    for (i, f) in report.findings.iter().enumerate() {
        writeln!(out, "### {}. {}\n", i + 1, f.title)?;
        writeln!(out, "{}\n", f.summary)?;
        if !f.evidence.is_empty() {
            writeln!(out, "Evidence:\n\n```")?;
            for e in &f.evidence {
                let at = evidence_location(e);
                if at.is_empty() {
                    writeln!(out, "{}", e.text)?;
                } else {
                    writeln!(out, "{at}: {}", e.text)?;
                }
            }
            writeln!(out, "```\n")?;
        }
        for fix in &f.fixes {
            let reboot = if fix.reboot { ", needs a reboot" } else { "" };
            writeln!(out, "**Fix {}: {}** ({}{reboot})\n", fix.rank, fix.title, risk(fix.risk))?;
            for (n, step) in fix.steps.iter().enumerate() {
                writeln!(out, "{}. {step}", n + 1)?;
            }
            writeln!(out)?;
        }
    }
    if !report.unknowns.is_empty() {
        writeln!(out, "### Could not check\n")?;
        for u in &report.unknowns {
            writeln!(out, "- `{}` ({}): {}", u.fact, u.rules.join(", "), u.hint)?;
        }
    }
    Ok(())
}
