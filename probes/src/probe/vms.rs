//! VM configurations: Proxmox VE (`/etc/pve/qemu-server`) and libvirt
//! (`/etc/libvirt/qemu`), and start-failure text (domain.md 6).

use crate::collect::Ctx;
use crate::parse::kernel_log::strip_prefix;
use crate::parse::pve_task::{parse_upid, task_outcome, TaskOutcome};
use crate::parse::{libvirt, pve_config, pve_mapping};
use engine::facts::{Facts, LogLine, Provenance, StartLog};

const PVE_VMS: &str = "etc/pve/qemu-server";
const LIBVIRT_VMS: &str = "etc/libvirt/qemu";
/// Where pasted QEMU/Proxmox error text is laid out (see `crate::paste`).
pub const PASTED_START_ERRORS: &str = "cmd/start-error";

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    if ctx.host.kind(PVE_VMS).is_some() {
        for name in ctx.list(PVE_VMS).unwrap_or_default() {
            let Some(vmid) = name.strip_suffix(".conf") else { continue };
            let path = format!("{PVE_VMS}/{name}");
            if let Some(text) = ctx.text(&path) {
                facts.vms.push(pve_config::parse_vm_config(&text, vmid, Provenance::file(path)));
            }
        }
    }
    if ctx.host.kind(LIBVIRT_VMS).is_some() {
        for name in ctx.list(LIBVIRT_VMS).unwrap_or_default() {
            if !name.ends_with(".xml") {
                continue;
            }
            let path = format!("{LIBVIRT_VMS}/{name}");
            let Some(text) = ctx.text(&path) else { continue };
            match libvirt::parse_domain_xml(&text, Provenance::file(path.clone())) {
                Ok(vm) => facts.vms.push(vm),
                Err(e) => ctx.note(&path, format!("not read: {e}")),
            }
        }
    }
    if let Some(text) = ctx.host.exists(PASTED_START_ERRORS).then(|| ctx.text(PASTED_START_ERRORS)).flatten()
    {
        facts.start_logs.push(start_log(&text, PASTED_START_ERRORS));
    }
    if let Some(text) = ctx.host.exists(PVE_MAPPINGS).then(|| ctx.text(PVE_MAPPINGS)).flatten() {
        facts.pci_mappings = pve_mapping::parse_pci_mappings(&text).into_iter().map(mapping_fact).collect();
    }
    proxmox_start_tasks(ctx, facts);
    journal_start_lines(ctx, facts);
    libvirt_logs(ctx, facts);
}

/// Journal lines of the Proxmox daemons that name a VM's start (`…:qmstart:100:…`,
/// `Starting VM 100 failed: …`), added to that VM's start record. Only on Proxmox hosts.
fn journal_start_lines(ctx: &mut Ctx, facts: &mut Facts) {
    if !facts.vms.iter().any(|v| v.manager == engine::facts::VmManager::Proxmox) || !ctx.host.exists(PVE_VMS)
    {
        return;
    }
    let command = crate::host::Command::JournalVmStarts;
    let text = match ctx.host.command(command) {
        Ok(mut reader) => {
            let mut bytes = Vec::new();
            if std::io::Read::read_to_end(&mut reader, &mut bytes).is_err() {
                return;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Err(e) => {
            ctx.failed(command.snapshot_path(), &e);
            return;
        }
    };
    let journal = start_log(&text, command.snapshot_path());
    for vm in facts.vms.iter().filter(|v| v.manager == engine::facts::VmManager::Proxmox) {
        let task = format!(":qmstart:{}:", vm.id);
        let boot = format!("VM {} ", vm.id);
        let lines: Vec<LogLine> = journal
            .lines
            .iter()
            .filter(|l| l.text.contains(&task) || l.text.contains(&boot))
            .cloned()
            .collect();
        if lines.is_empty() {
            continue;
        }
        // `Starting VM … failed` says so; a task's end line carries only the message.
        let failed = lines.iter().any(|l| l.text.contains("failed")).then_some(true);
        facts.start_logs.push(StartLog {
            vm: Some(vm.id.clone()),
            source: command.snapshot_path().to_string(),
            lines,
            started_at: None,
            failed,
        });
    }
}

const PVE_MAPPINGS: &str = "etc/pve/mapping/pci.cfg";
const PVE_TASKS: &str = "var/log/pve/tasks";
const LIBVIRT_LOGS: &str = "var/log/libvirt/qemu";

fn mapping_fact(m: pve_mapping::PciMapping) -> engine::facts::PciMapping {
    engine::facts::PciMapping {
        id: m.id,
        entries: m
            .entries
            .into_iter()
            .map(|e| engine::facts::PciMapEntry {
                node: e.node,
                path: e.path,
                id: e.id,
                subsystem_id: e.subsystem_id,
                iommu_group: e.iommu_group,
                from: Provenance::line(PVE_MAPPINGS, e.line),
            })
            .collect(),
        from: Provenance::line(PVE_MAPPINGS, m.line),
    }
}

/// The newest `qmstart` task of each VM, with its log and outcome.
fn proxmox_start_tasks(ctx: &mut Ctx, facts: &mut Facts) {
    if ctx.host.kind(PVE_TASKS).is_none() {
        return;
    }
    let mut newest: std::collections::BTreeMap<String, (u64, String)> = Default::default();
    for dir in ctx.list(PVE_TASKS).unwrap_or_default() {
        // Task logs sit in one folder per last hex digit of their start time.
        if dir.len() != 1 || !dir.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let folder = format!("{PVE_TASKS}/{dir}");
        for name in ctx.list(&folder).unwrap_or_default() {
            let Some(upid) = parse_upid(&name).filter(|u| u.kind == "qmstart") else { continue };
            let path = format!("{folder}/{name}");
            let entry = newest.entry(upid.id.clone()).or_insert((0, String::new()));
            if upid.starttime >= entry.0 {
                *entry = (upid.starttime, path);
            }
        }
    }
    for (vmid, (started, path)) in newest {
        let Some(text) = ctx.text(&path) else { continue };
        let mut log = start_log(&text, &path);
        log.vm = Some(vmid);
        log.started_at = Some(started);
        log.failed = match task_outcome(&text) {
            TaskOutcome::Error(_) => Some(true),
            TaskOutcome::Ok | TaskOutcome::Warnings(_) => Some(false),
            TaskOutcome::Unknown => None,
        };
        facts.start_logs.push(log);
    }
}

/// libvirt appends each start to `/var/log/libvirt/qemu/<domain>.log`, beginning with a
/// `starting up` line; only the last start matters.
fn libvirt_logs(ctx: &mut Ctx, facts: &mut Facts) {
    let domains: Vec<String> = facts
        .vms
        .iter()
        .filter(|v| v.manager == engine::facts::VmManager::Libvirt)
        .map(|v| v.id.clone())
        .collect();
    for domain in domains {
        let path = format!("{LIBVIRT_LOGS}/{domain}.log");
        if !ctx.host.exists(&path) {
            continue;
        }
        let Some(text) = ctx.text(&path) else { continue };
        let start =
            text.lines().enumerate().filter(|(_, l)| l.contains(": starting up")).map(|(i, _)| i + 1).last();
        let mut log = start_log(&text, &path);
        log.lines.retain(|l| start.is_none_or(|s| l.n as usize >= s));
        log.vm = Some(domain);
        log.failed = Some(
            log.lines.iter().any(|l| l.text.contains("reason=failed") || l.text.contains("reason=crashed")),
        );
        facts.start_logs.push(log);
    }
}

fn start_log(text: &str, source: &str) -> StartLog {
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, raw)| !raw.trim().is_empty())
        .map(|(i, raw)| {
            let (ts, message) = strip_prefix(raw);
            LogLine { n: i as u64 + 1, ts, text: message.to_string(), raw: raw.to_string() }
        })
        .collect();
    StartLog { vm: None, source: source.to_string(), lines, started_at: None, failed: None }
}
