//! Option ROMs named by VM configs (`romfile=`), parsed (domain.md section 4).

use crate::collect::Ctx;
use crate::parse::option_rom;
use engine::facts::{Facts, RomFile, VmManager};

/// Proxmox always prefixes `romfile` with this folder (`qs: PVE/QemuServer/PCI.pm`).
const PVE_ROM_DIR: &str = "usr/share/kvm";

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    let mut roms = Vec::new();
    for vm in &facts.vms {
        for entry in &vm.passthrough {
            let Some(romfile) = &entry.romfile else { continue };
            let path = match vm.manager {
                VmManager::Proxmox => format!("{PVE_ROM_DIR}/{}", romfile.trim_start_matches('/')),
                VmManager::Libvirt => romfile.trim_start_matches('/').to_string(),
            };
            let device = entry.hosts.first().and_then(|h| full_function(h, facts));
            let mut rom = RomFile {
                path: format!("/{path}"),
                vm: Some(vm.id.clone()),
                key: Some(entry.key.clone()),
                device,
                exists: None,
                error: None,
                analysis: None,
                matches_device: None,
                from: entry.from.clone(),
            };
            read_into(ctx, &path, &mut rom, facts);
            roms.push(rom);
        }
    }
    facts.roms = roms;
}

/// The host function a configured address means: `01:00` is the slot's function 0.
fn full_function(host: &str, facts: &Facts) -> Option<String> {
    let full = engine::facts::with_domain(host);
    let full = if full.contains('.') { full } else { format!("{full}.0") };
    facts.device(&full).map(|d| d.address.clone())
}

fn read_into(ctx: &mut Ctx, path: &str, rom: &mut RomFile, facts: &Facts) {
    match ctx.host.read(path) {
        Ok(bytes) => {
            rom.exists = Some(true);
            let analysis = option_rom::parse_rom(&bytes);
            if let Some(device) = rom.device.as_deref().and_then(|d| facts.device(d)) {
                rom.matches_device =
                    Some(option_rom::matches_device(&analysis, device.vendor_id, device.device_id));
            }
            rom.analysis = Some(analysis);
        }
        Err(e) if e.is_not_found() => {
            // A whole-tree capture records the folder; only then is absence a fact.
            rom.exists = if ctx.host.exists(PVE_ROM_DIR) || ctx.host.exists(parent(path)) {
                Some(false)
            } else {
                None
            };
        }
        Err(e) => {
            rom.exists = Some(true);
            rom.error = Some(e.reason());
            ctx.failed(path, &e);
        }
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}
