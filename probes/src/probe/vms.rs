//! VM configurations: Proxmox VE (`/etc/pve/qemu-server`) and libvirt
//! (`/etc/libvirt/qemu`), and start-failure text (domain.md 6).

use crate::collect::Ctx;
use crate::parse::kernel_log::strip_prefix;
use crate::parse::{libvirt, pve_config};
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
    StartLog { vm: None, source: source.to_string(), lines }
}
