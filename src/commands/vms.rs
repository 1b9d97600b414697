//! `vfio-doctor vms`: every VM with passed-through devices, and each device's state.

use crate::cli::{Format, SourceArgs};
use crate::{render, source, Outcome};
use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use engine::report::Finding;
use engine::rule::Severity;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Serialize)]
struct DeviceState {
    vm: String,
    name: Option<String>,
    manager: String,
    entry: String,
    /// The host device, or the address as configured when it is not on the host.
    device: String,
    description: Option<String>,
    /// `ok`, `warning` or `blocked`.
    state: &'static str,
    /// Titles of the findings that set the state.
    because: Vec<String>,
}

pub fn run(args: &SourceArgs, rules_dir: Option<&Path>, format: Format) -> Result<Outcome> {
    let (facts, _) = source::read_facts(args)?;
    let (rules, errors) = crate::rules::load_for_run(rules_dir)?;
    for error in &errors {
        render::warning(&format!("rule skipped: {error}"));
    }
    let report = engine::evaluate(&rules, &facts, &engine::Options::default());
    let mut rows = Vec::new();
    for vm in &facts.vms {
        for entry in &vm.passthrough {
            let mut addresses: Vec<String> = facts
                .pci
                .iter()
                .flatten()
                .filter(|d| entry.hosts.iter().any(|h| d.named_by(h)))
                .map(|d| d.address.clone())
                .collect();
            if addresses.is_empty() {
                addresses = entry.hosts.clone();
                if let Some(mapping) = &entry.mapping {
                    addresses.push(format!("mapping={mapping}"));
                }
            }
            for address in addresses {
                let concerning: Vec<&Finding> = report
                    .findings
                    .iter()
                    .filter(|f| f.severity != Severity::Info)
                    .filter(|f| {
                        let item = f.item.as_deref().unwrap_or_default();
                        item == address
                            || item == format!("VM {} {}", vm.id, entry.key)
                            || item == format!("VM {}", vm.id)
                    })
                    .collect();
                let state = if concerning.iter().any(|f| f.severity == Severity::Error) {
                    "blocked"
                } else if concerning.is_empty() {
                    "ok"
                } else {
                    "warning"
                };
                let description = facts.device(&address).map(|d| {
                    [d.vendor_name.as_deref(), d.device_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                });
                rows.push(DeviceState {
                    vm: vm.id.clone(),
                    name: vm.name.clone(),
                    manager: format!("{:?}", vm.manager).to_lowercase(),
                    entry: entry.key.clone(),
                    device: address,
                    description,
                    state,
                    because: concerning.iter().map(|f| f.title.clone()).collect(),
                });
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({"schema_version": 1, "devices": rows}))?;
        writeln!(out)?;
    } else if rows.is_empty() {
        writeln!(out, "No VM passes a PCI device through.")?;
    } else {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
        table.set_header(["VM", "Entry", "Device", "State", "Why"]);
        for row in &rows {
            let vm = row.name.as_ref().map_or_else(|| row.vm.clone(), |n| format!("{} ({n})", row.vm));
            let device = row
                .description
                .as_ref()
                .map_or_else(|| row.device.clone(), |d| format!("{}\n{d}", row.device));
            table.add_row([
                vm,
                row.entry.clone(),
                device,
                render::diagnosis::state(row.state),
                row.because.join("\n"),
            ]);
        }
        writeln!(out, "{table}")?;
        writeln!(out, "Details: vfio-doctor diagnose --vm <id>")?;
    }
    let blocked = rows.iter().any(|r| r.state == "blocked");
    Ok(if blocked { Outcome::Findings } else { Outcome::Clean })
}
