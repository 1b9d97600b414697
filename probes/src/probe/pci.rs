//! PCI devices: read natively from sysfs and config space; from captured or pasted
//! `lspci` output where there is no sysfs (domain.md 3).

use crate::collect::Ctx;
use crate::host::Command;
use crate::parse::{hexdump, lspci, pci_config, sysfs_pci};
use engine::facts::{DriverBinding, Facts, KernelVersion, PciDevice, Provenance};
use std::collections::BTreeMap;
use std::io::Read;

const DEVICES: &str = "sys/bus/pci/devices";
/// `reset_method` appeared in 5.15; before it, its absence says nothing.
const RESET_METHOD_SINCE: KernelVersion = KernelVersion { major: 5, minor: 15, patch: 0 };

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    let sysfs = ctx.host.kind(DEVICES).is_some();
    let mut devices = if sysfs {
        // Config space is read natively; lspci only adds the candidate modules (`-nnk`,
        // from libkmod's aliases). Asked for after sysfs, so a live lspci started early
        // runs while config space is read, the slowest part of reading a host.
        let kernel = facts.kernel.release.as_ref().and_then(|r| KernelVersion::parse(&r.value));
        let mut devices = sysfs_devices(ctx, kernel);
        let listed = lspci_devices(ctx, &[Command::LspciNnk]);
        for device in &mut devices {
            if let Some(from_lspci) = listed.get(&device.address) {
                device.kernel_modules = from_lspci.kernel_modules.clone();
            }
        }
        devices
    } else {
        lspci_devices(ctx, &[Command::LspciNnk, Command::LspciVvv]).into_values().collect()
    };
    if !sysfs {
        attach_hex_dumps(ctx, &mut devices);
    }
    for device in &mut devices {
        name(ctx, device);
        if let Some(vfio) = &ctx.vfio_interrupts {
            device.vfio_interrupts = Some(
                vfio.iter().filter(|(a, _)| *a == device.address).map(|(_, kind)| kind.clone()).collect(),
            );
        }
    }
    // Pasted lspci output has no groups; a pasted group listing does.
    if let Some(groups) = &facts.iommu.groups {
        for device in devices.iter_mut().filter(|d| d.iommu_group.is_none()) {
            device.iommu_group =
                groups.value.iter().find(|g| g.devices.contains(&device.address)).map(|g| g.id);
        }
    }
    if !devices.is_empty() || sysfs {
        devices.sort_by(|a, b| a.address.cmp(&b.address));
        facts.pci = Some(devices);
    }
}

fn command_text(ctx: &mut Ctx, command: Command) -> Option<String> {
    match ctx.host.command(command) {
        Ok(mut reader) => {
            let mut text = String::new();
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).ok()?;
            text.push_str(&String::from_utf8_lossy(&bytes));
            Some(text)
        }
        Err(e) => {
            ctx.failed(command.snapshot_path(), &e);
            None
        }
    }
}

/// Devices from `lspci -vvv` and `lspci -nnk` output, merged by address; the verbose
/// listing wins where both say something.
fn lspci_devices(ctx: &mut Ctx, commands: &[Command]) -> BTreeMap<String, PciDevice> {
    let mut merged: BTreeMap<String, PciDevice> = BTreeMap::new();
    for &command in commands {
        let Some(text) = command_text(ctx, command) else { continue };
        for device in lspci::parse_lspci(&text, command.snapshot_path()) {
            match merged.get_mut(&device.address) {
                Some(existing) => merge(existing, device),
                None => {
                    merged.insert(device.address.clone(), device);
                }
            }
        }
    }
    merged
}

/// Fills what `into` does not know from `from`, and lets `from` win where it knows.
fn merge(into: &mut PciDevice, from: PciDevice) {
    macro_rules! take {
        ($($field:ident),*) => { $( if from.$field.is_some() { into.$field = from.$field; } )* };
    }
    take!(
        subsystem_vendor_id,
        subsystem_device_id,
        revision,
        vendor_name,
        device_name,
        class_name,
        kernel_modules,
        iommu_group,
        bars,
        config
    );
    if from.driver != DriverBinding::Unknown {
        into.driver = from.driver;
    }
}

fn sysfs_devices(ctx: &mut Ctx, kernel: Option<KernelVersion>) -> Vec<PciDevice> {
    let names = ctx.list(DEVICES).unwrap_or_default();
    let mut short_config = 0;
    let mut devices = Vec::new();
    for name in names {
        let Some(address) = sysfs_pci::normalize_address(&name) else { continue };
        let base = format!("{DEVICES}/{name}");
        let hex = |ctx: &mut Ctx, attr: &str| {
            ctx.text(&format!("{base}/{attr}")).and_then(|t| sysfs_pci::parse_hex_attr(&t))
        };
        let (Some(vendor), Some(device), Some(class)) =
            (hex(ctx, "vendor"), hex(ctx, "device"), hex(ctx, "class"))
        else {
            ctx.note(&base, "skipped: vendor, device or class unreadable");
            continue;
        };
        let mut dev =
            PciDevice::new(address, vendor as u16, device as u16, class, Provenance::file(base.clone()));
        dev.subsystem_vendor_id = hex(ctx, "subsystem_vendor").map(|v| v as u16);
        dev.subsystem_device_id = hex(ctx, "subsystem_device").map(|v| v as u16);
        dev.revision = hex(ctx, "revision").map(|v| v as u8);
        dev.driver = match ctx.host.kind(&format!("{base}/driver")) {
            Some(_) => {
                ctx.link_name(&format!("{base}/driver")).map_or(DriverBinding::Unknown, DriverBinding::Bound)
            }
            None => DriverBinding::Unbound,
        };
        if ctx.host.kind(&format!("{base}/iommu_group")).is_some() {
            dev.iommu_group = ctx.link_name(&format!("{base}/iommu_group")).and_then(|g| g.parse().ok());
        }
        dev.boot_vga = flag(ctx, &format!("{base}/boot_vga"));
        dev.d3cold_allowed = flag(ctx, &format!("{base}/d3cold_allowed"));
        dev.reset_methods = match ctx.text(&format!("{base}/reset_method")) {
            Some(text) => Some(text.split_whitespace().map(str::to_string).collect()),
            None if kernel.is_some_and(|k| k >= RESET_METHOD_SINCE) => Some(Vec::new()),
            None => None,
        };
        dev.driver_override = ctx
            .text(&format!("{base}/driver_override"))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty() && t != "(null)");
        // Reading config space wakes a suspended device, so read power_state first.
        dev.power_state = ctx.text(&format!("{base}/power_state")).map(|t| t.trim().to_string());
        dev.msi_vectors = msi_vectors(ctx, &base);
        dev.bars = ctx.text(&format!("{base}/resource")).map(|t| sysfs_pci::parse_resource(&t));
        dev.upstream = ctx.host.read_link(&base).ok().map(|target| upstream_bridges(&target));
        let config_path = format!("{base}/config");
        if let Some(bytes) = ctx.bytes(&config_path) {
            // The kernel hands unprivileged readers exactly the first 64 bytes.
            if bytes.len() == 64 {
                short_config += 1;
            } else if bytes.len() < 64 {
                ctx.note(&config_path, format!("only {} bytes of config space: truncated", bytes.len()));
            }
            if bytes.len() >= 64 {
                dev.inaccessible = Some(bytes.iter().all(|b| *b == 0xff));
            }
            dev.config = pci_config::parse_config_space(&bytes, Provenance::file(config_path));
        }
        devices.push(dev);
    }
    if short_config > 0 {
        ctx.incomplete(
            &format!("{DEVICES}/*/config"),
            &format!("only the first 64 bytes of config space are readable without root ({short_config} devices): capabilities unknown"),
        );
    }
    devices
}

fn flag(ctx: &mut Ctx, path: &str) -> Option<bool> {
    if !ctx.host.exists(path) {
        return None;
    }
    ctx.text(path).and_then(|t| match t.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    })
}

/// `msi_irqs/` has one file per allocated vector; it exists only while MSI is in use.
fn msi_vectors(ctx: &mut Ctx, base: &str) -> Option<u32> {
    let dir = format!("{base}/msi_irqs");
    if ctx.host.kind(&dir).is_none() {
        return Some(0);
    }
    let names = ctx.list(&dir)?;
    // Each file says `msi` or `msix`; reading them keeps a snapshot faithful.
    for name in &names {
        ctx.text(&format!("{dir}/{name}"));
    }
    Some(names.len() as u32)
}

/// The bridges above a device, from its sysfs path
/// (`../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0` → `[0000:00:01.0]`).
fn upstream_bridges(target: &str) -> Vec<String> {
    let addresses: Vec<String> = target.split('/').filter_map(sysfs_pci::normalize_address).collect();
    addresses.split_last().map(|(_, up)| up.to_vec()).unwrap_or_default()
}

/// Config space from `lspci -xxxx` dumps, parsed natively; a dump of a device nobody
/// listed adds the device from its header bytes.
fn attach_hex_dumps(ctx: &mut Ctx, devices: &mut Vec<PciDevice>) {
    let path = Command::LspciXxxx.snapshot_path();
    let Some(text) = command_text(ctx, Command::LspciXxxx) else { return };
    let dumps = match hexdump::parse_hexdump(&text) {
        Ok(dumps) => dumps,
        Err(e) => {
            ctx.note(path, format!("hex dump skipped: {e}"));
            return;
        }
    };
    for dump in dumps {
        let Some(address) = dump.address.as_deref().and_then(sysfs_pci::normalize_address) else {
            ctx.note(path, format!("line {}: hex dump without a device address skipped", dump.line));
            continue;
        };
        let from = Provenance::line(path, dump.line);
        let Some(config) = pci_config::parse_config_space(&dump.bytes, from.clone()) else { continue };
        match devices.iter_mut().find(|d| d.address == address) {
            Some(device) => {
                if device.config.as_ref().is_none_or(|c| c.length < config.length) {
                    device.config = Some(config);
                }
            }
            None => {
                if let Some(device) = device_from_header(&address, &dump.bytes, config, from) {
                    devices.push(device);
                }
            }
        }
    }
}

fn device_from_header(
    address: &str,
    bytes: &[u8],
    config: engine::facts::ConfigSpace,
    from: Provenance,
) -> Option<PciDevice> {
    let u16_at = |o: usize| Some(u16::from_le_bytes([*bytes.get(o)?, *bytes.get(o + 1)?]));
    let class =
        u32::from(*bytes.get(0x09)?) | u32::from(*bytes.get(0x0a)?) << 8 | u32::from(*bytes.get(0x0b)?) << 16;
    let header_type = config.header_type;
    let mut device = PciDevice::new(address.to_string(), u16_at(0)?, u16_at(2)?, class, from);
    if header_type == 0 {
        device.subsystem_vendor_id = u16_at(0x2c);
        device.subsystem_device_id = u16_at(0x2e);
    }
    device.revision = bytes.get(0x08).copied();
    device.config = Some(config);
    device.inaccessible = Some(false);
    Some(device)
}

fn name(ctx: &Ctx, device: &mut PciDevice) {
    if device.vendor_name.is_none() {
        device.vendor_name = ctx.names.vendor(device.vendor_id);
    }
    if device.device_name.is_none() || device.vendor_name.is_some() {
        if let Some(name) = ctx.names.device(device.vendor_id, device.device_id) {
            device.device_name = Some(name);
        }
    }
    if device.class_name.is_none() {
        device.class_name = ctx.names.class(device.class);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn upstream_bridges_come_from_the_device_path() {
        assert_eq!(
            super::upstream_bridges("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0"),
            vec!["0000:00:01.0"]
        );
        assert!(super::upstream_bridges("../../../devices/pci0000:00/0000:00:02.0").is_empty());
    }
}
