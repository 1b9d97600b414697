//! The world rules see: the facts, plus joins that every rule would otherwise spell out
//! (which VM passes which device, who else is in a device's IOMMU group, which device a
//! `hostpci` entry names) and a few host-level conveniences for fix templates.
//!
//! Joining is bookkeeping, not diagnosis: nothing here decides what is wrong.

use crate::facts::{Bootloader, Facts, KernelVersion, PciDevice, Provenance, Vm};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A PCI device with what other facts say about it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PciItem {
    #[serde(flatten)]
    pub device: PciDevice,
    /// `vvvv:dddd`.
    pub ids: String,
    pub base_class: u8,
    /// Vendor name class shorthand: `gpu`, `audio`, `usb`, `storage`, `network`, `bridge`, `other`.
    pub kind: String,
    /// The other functions of the same slot (`0000:01:00.1` for `0000:01:00.0`).
    pub sibling_functions: Vec<String>,
    /// The other members of its IOMMU group, with their class and driver.
    pub group_peers: Vec<Peer>,
    /// VMs whose configs pass this device through.
    pub passed_to: Vec<String>,
    /// Derived facts concluded by rules for this device.
    pub derived: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Peer {
    pub address: String,
    pub ids: String,
    pub class: u32,
    pub is_bridge: bool,
    /// A sibling function of the same slot.
    pub same_slot: bool,
    pub driver: Option<String>,
    /// Passed through to one of the VMs that pass the device itself.
    pub passed_along: bool,
}

/// One IOMMU group with its members' descriptions.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GroupItem {
    pub id: u32,
    pub devices: Vec<Peer>,
    pub domain_type: Option<String>,
    pub derived: Map<String, Value>,
}

/// One passed-through device entry of one VM, with the host devices it resolves to.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PassthroughItem {
    pub vm: String,
    pub vm_name: Option<String>,
    pub manager: String,
    pub key: String,
    /// Host addresses as configured.
    pub hosts: Vec<String>,
    /// Full addresses of every host function this entry covers (`01:00` expands to all functions).
    pub devices: Vec<String>,
    /// Configured addresses that match no host device.
    pub missing: Vec<String>,
    pub mapping: Option<String>,
    pub pcie: Option<bool>,
    pub x_vga: Option<bool>,
    pub rombar: Option<bool>,
    pub romfile: Option<String>,
    pub mdev: Option<String>,
    pub legacy_igd: Option<bool>,
    pub vendor_id: Option<String>,
    pub device_id: Option<String>,
    pub machine: Option<String>,
    pub q35: bool,
    pub bios: Option<String>,
    pub ostype: Option<String>,
    pub from: Provenance,
    pub derived: Map<String, Value>,
}

/// Host conveniences for fix templates.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct HostView {
    /// `6.8.12` from the release, for version comparisons.
    pub kernel_version: Option<String>,
    /// The running command line as `name → value` (last one wins; flags map to ``).
    pub cmdline: BTreeMap<String, String>,
    /// The configured command line of the bootloader in use (or of the only one found).
    pub configured_cmdline: Option<BTreeMap<String, String>>,
    /// Where that configured command line lives (`/etc/default/grub`).
    pub configured_cmdline_file: Option<String>,
    pub bootloader: Option<Bootloader>,
    /// The file to edit for the kernel command line.
    pub cmdline_file: String,
    /// The command that applies an edited command line.
    pub cmdline_apply: String,
    /// The command that rebuilds the initramfs.
    pub initramfs_update: String,
    pub is_proxmox: bool,
    pub cpu_vendor: Option<String>,
    /// Every VM's id, for messages.
    pub vm_ids: Vec<String>,
    /// `vendor:device` pairs vfio-pci is told to claim at boot, from `options vfio-pci
    /// ids=` in modprobe.d and `vfio-pci.ids=` on the running command line, lowercase.
    pub vfio_pci_ids: Vec<String>,
}

/// Builds the evaluation world as JSON.
pub fn build(facts: &Facts) -> Value {
    let mut map = facts_without_log_lines(facts);
    let devices: &[PciDevice] = facts.pci.as_deref().unwrap_or(&[]);
    let passthrough = passthrough_items(facts, devices);
    let pci = pci_items(facts, devices, &passthrough);
    map.insert("pci".into(), if facts.pci.is_some() { to_value(&pci) } else { Value::Null });
    proxmox_vm_defaults(map.get_mut("vms"));
    map.insert("iommu_groups".into(), group_items(facts, &pci));
    map.insert("passthrough".into(), to_value(&passthrough));
    map.insert("host".into(), to_value(&host_view(facts)));
    map.insert("derived".into(), Value::Object(Map::new()));
    Value::Object(map)
}

/// The facts as JSON, with logs reduced to what describes them. Rules read logs through
/// `log` conditions (one scan for all rules), so the world does not grow with the logs,
/// and the lines are never copied.
fn facts_without_log_lines(facts: &Facts) -> Map<String, Value> {
    let log_summary = |source: &str, lines: usize| {
        let mut summary = Map::new();
        summary.insert("source".into(), Value::from(source));
        summary.insert("lines_kept".into(), Value::from(lines));
        summary
    };
    let kernel_log = facts.kernel_log.as_ref().map(|log| {
        let mut summary = log_summary(&log.source, log.lines.len());
        summary.insert("origin".into(), to_value(&log.origin));
        summary.insert("total_lines".into(), Value::from(log.total_lines));
        summary.insert("dropped_lines".into(), Value::from(log.dropped_lines));
        Value::Object(summary)
    });
    let start_logs: Vec<Value> = facts
        .start_logs
        .iter()
        .map(|log| {
            let mut summary = log_summary(&log.source, log.lines.len());
            summary.insert("vm".into(), to_value(&log.vm));
            Value::Object(summary)
        })
        .collect();
    let mut map = Map::new();
    map.insert("schema_version".into(), Value::from(facts.schema_version));
    map.insert("collection".into(), to_value(&facts.collection));
    map.insert("kernel".into(), to_value(&facts.kernel));
    map.insert("boot".into(), to_value(&facts.boot));
    map.insert("cpu".into(), to_value(&facts.cpu));
    map.insert("virt".into(), to_value(&facts.virt));
    map.insert("kernel_log".into(), kernel_log.unwrap_or(Value::Null));
    map.insert("iommu".into(), to_value(&facts.iommu));
    map.insert("pci".into(), to_value(&facts.pci));
    map.insert("modules".into(), to_value(&facts.modules));
    map.insert("memory_map".into(), to_value(&facts.memory_map));
    map.insert("vms".into(), to_value(&facts.vms));
    map.insert("start_logs".into(), Value::Array(start_logs));
    map.insert("roms".into(), to_value(&facts.roms));
    map.insert("pci_mappings".into(), to_value(&facts.pci_mappings));
    map
}

/// Proxmox defaults for VM options left out of a config: `bios: seabios`, `onboot: 0`.
fn proxmox_vm_defaults(vms: Option<&mut Value>) {
    let Some(Value::Array(vms)) = vms else { return };
    for vm in vms.iter_mut().filter_map(Value::as_object_mut) {
        if vm.get("manager").and_then(Value::as_str) != Some("proxmox") {
            continue;
        }
        for (key, default) in [("bios", Value::from("seabios")), ("onboot", Value::Bool(false))] {
            if vm.get(key).is_none_or(Value::is_null) {
                vm.insert(key.into(), default);
            }
        }
    }
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn kind_of(device: &PciDevice) -> &'static str {
    match device.class >> 8 {
        0x0300..=0x03ff => "gpu",
        0x0401 | 0x0403 => "audio",
        0x0c03 => "usb",
        0x0100..=0x01ff => "storage",
        0x0200..=0x02ff => "network",
        0x0600..=0x06ff => "bridge",
        _ => "other",
    }
}

/// Expands a configured host address to the host functions it names. Proxmox accepts
/// `bb:dd.f`, `bb:dd` (all functions) and either with a domain.
fn expand(address: &str, devices: &[PciDevice]) -> Vec<String> {
    devices.iter().filter(|d| d.named_by(address)).map(|d| d.address.clone()).collect()
}

/// The host devices a resource mapping names on this host: entries whose path exists here
/// and whose `vendor:device` matches, as Proxmox checks at start (domain.md 6.4).
fn resolve_mapping(id: &str, facts: &Facts, devices: &[PciDevice]) -> Vec<String> {
    let Some(mapping) = facts.pci_mappings.iter().find(|m| m.id == id) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in &mapping.entries {
        let Some(path) = &entry.path else { continue };
        for address in path.split(';').flat_map(|p| expand(p, devices)) {
            let matches = devices.iter().find(|d| d.address == address).is_some_and(|d| {
                entry.id.as_deref().is_none_or(|want| want.eq_ignore_ascii_case(&d.id_pair()))
            });
            if matches && !found.contains(&address) {
                found.push(address);
            }
        }
    }
    found
}

fn passthrough_items(facts: &Facts, devices: &[PciDevice]) -> Vec<PassthroughItem> {
    let mut items = Vec::new();
    for vm in &facts.vms {
        for entry in &vm.passthrough {
            let mut resolved = Vec::new();
            let mut missing = Vec::new();
            for host in &entry.hosts {
                let found = expand(host, devices);
                if found.is_empty() {
                    missing.push(host.clone());
                }
                resolved.extend(found);
            }
            if let Some(id) = &entry.mapping {
                let found = resolve_mapping(id, facts, devices);
                if found.is_empty() {
                    missing.push(format!("mapping={id}"));
                }
                resolved.extend(found);
            }
            items.push(item_for(vm, entry, resolved, missing));
        }
    }
    items
}

fn item_for(
    vm: &Vm,
    entry: &crate::facts::Passthrough,
    devices: Vec<String>,
    missing: Vec<String>,
) -> PassthroughItem {
    // An option left out of a Proxmox config has qemu-server's default (`$hostpci_fmt`),
    // so rules see the effective value; facts keep what was written.
    let proxmox = vm.manager == crate::facts::VmManager::Proxmox;
    let default =
        |value: Option<bool>, fallback: bool| if proxmox { value.or(Some(fallback)) } else { value };
    PassthroughItem {
        vm: vm.id.clone(),
        vm_name: vm.name.clone(),
        manager: format!("{:?}", vm.manager).to_lowercase(),
        key: entry.key.clone(),
        hosts: entry.hosts.clone(),
        devices,
        missing,
        mapping: entry.mapping.clone(),
        pcie: default(entry.pcie, false),
        x_vga: default(entry.x_vga, false),
        rombar: default(entry.rombar, true),
        romfile: entry.romfile.clone(),
        mdev: entry.mdev.clone(),
        legacy_igd: entry.legacy_igd,
        vendor_id: entry.vendor_id.clone(),
        device_id: entry.device_id.clone(),
        machine: vm.machine.clone(),
        q35: vm.q35,
        bios: vm.bios.clone().or_else(|| proxmox.then(|| "seabios".to_string())),
        ostype: vm.ostype.clone(),
        from: entry.from.clone(),
        derived: Map::new(),
    }
}

fn peer(device: &PciDevice, of: Option<&PciDevice>, passed_along: bool) -> Peer {
    Peer {
        address: device.address.clone(),
        ids: device.id_pair(),
        class: device.class,
        is_bridge: device.is_bridge(),
        same_slot: of.is_some_and(|o| o.slot() == device.slot()),
        driver: device.driver.name().map(str::to_string),
        passed_along,
    }
}

fn pci_items(facts: &Facts, devices: &[PciDevice], passthrough: &[PassthroughItem]) -> Vec<PciItem> {
    let by_address: BTreeMap<&str, &PciDevice> = devices.iter().map(|d| (d.address.as_str(), d)).collect();
    let groups = facts.iommu.groups.as_ref().map(|g| g.value.as_slice()).unwrap_or(&[]);
    devices
        .iter()
        .map(|device| {
            let passed_to: Vec<String> = passthrough
                .iter()
                .filter(|p| p.devices.contains(&device.address))
                .map(|p| p.vm.clone())
                .collect();
            let members: Vec<&str> = match device.iommu_group {
                Some(id) => groups
                    .iter()
                    .find(|g| g.id == id)
                    .map(|g| g.devices.iter().map(String::as_str).collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let group_peers = members
                .iter()
                .filter(|a| **a != device.address)
                .filter_map(|a| by_address.get(a))
                .map(|peer_device| {
                    let along = passthrough
                        .iter()
                        .any(|p| passed_to.contains(&p.vm) && p.devices.contains(&peer_device.address));
                    peer(peer_device, Some(device), along)
                })
                .collect();
            PciItem {
                ids: device.id_pair(),
                base_class: device.base_class(),
                kind: kind_of(device).to_string(),
                sibling_functions: devices
                    .iter()
                    .filter(|d| d.slot() == device.slot() && d.address != device.address)
                    .map(|d| d.address.clone())
                    .collect(),
                group_peers,
                passed_to,
                derived: Map::new(),
                device: device.clone(),
            }
        })
        .collect()
}

fn group_items(facts: &Facts, pci: &[PciItem]) -> Value {
    let Some(groups) = &facts.iommu.groups else { return Value::Null };
    let items: Vec<GroupItem> = groups
        .value
        .iter()
        .map(|g| GroupItem {
            id: g.id,
            devices: g
                .devices
                .iter()
                .filter_map(|a| pci.iter().find(|p| &p.device.address == a))
                .map(|p| peer(&p.device, None, !p.passed_to.is_empty()))
                .collect(),
            domain_type: g.domain_type.clone(),
            derived: Map::new(),
        })
        .collect();
    to_value(&items)
}

fn cmdline_map(cmdline: &crate::facts::Cmdline) -> BTreeMap<String, String> {
    cmdline.params.iter().map(|p| (p.key.replace('-', "_"), p.value.clone().unwrap_or_default())).collect()
}

fn host_view(facts: &Facts) -> HostView {
    let bootloader = facts.boot.loader.as_ref().map(|l| l.value);
    let configured = bootloader
        .and_then(|loader| {
            let wanted = match loader {
                Bootloader::Grub | Bootloader::ProxmoxBootGrub => crate::facts::CmdlineFile::Grub,
                Bootloader::ProxmoxBootSystemdBoot => crate::facts::CmdlineFile::KernelCmdline,
                Bootloader::SystemdBoot => crate::facts::CmdlineFile::LoaderEntry,
            };
            facts.boot.configured.iter().find(|c| c.kind == wanted)
        })
        .or(match facts.boot.configured.as_slice() {
            [only] => Some(only),
            _ => None,
        });
    HostView {
        kernel_version: facts
            .kernel
            .release
            .as_ref()
            .and_then(|r| KernelVersion::parse(&r.value))
            .map(|v| v.to_string()),
        cmdline: facts.kernel.cmdline.as_ref().map(|c| cmdline_map(&c.value)).unwrap_or_default(),
        configured_cmdline: configured.map(|c| cmdline_map(&c.cmdline)),
        configured_cmdline_file: configured.map(|c| format!("/{}", c.from.source)),
        bootloader,
        cmdline_file: bootloader.map_or("/etc/default/grub", Bootloader::cmdline_file).to_string(),
        cmdline_apply: bootloader.map_or("update-grub", Bootloader::apply_command).to_string(),
        initramfs_update: facts
            .kernel
            .initramfs_tool
            .as_ref()
            .map_or("update-initramfs -u -k all", |t| t.value.rebuild_command())
            .to_string(),
        is_proxmox: facts.kernel.proxmox.is_some()
            || facts.kernel.release.as_ref().is_some_and(|r| r.value.ends_with("-pve"))
            || facts.vms.iter().any(|v| v.manager == crate::facts::VmManager::Proxmox),
        cpu_vendor: facts.cpu.vendor.as_ref().map(|v| format!("{:?}", v.value).to_lowercase()),
        vm_ids: facts.vms.iter().map(|v| v.id.clone()).collect(),
        vfio_pci_ids: vfio_pci_ids(facts),
    }
}

/// The id list format is `vendor:device[:subvendor:subdevice[:class:mask]]`, comma-separated
/// (`drivers/vfio/pci/vfio_pci.c`); the first two fields name the device.
fn vfio_pci_ids(facts: &Facts) -> Vec<String> {
    let mut lists: Vec<String> = Vec::new();
    for directive in facts.modules.modprobe.iter().flatten() {
        if directive.kind == crate::facts::ModprobeKind::Options
            && crate::facts::same_param_name(&directive.module, "vfio_pci")
        {
            lists.extend(
                directive.args.split_whitespace().filter_map(|a| a.strip_prefix("ids=")).map(str::to_string),
            );
        }
    }
    if let Some(cmdline) = &facts.kernel.cmdline {
        lists.extend(cmdline.value.values("vfio_pci.ids").map(str::to_string));
    }
    let mut ids: Vec<String> = lists
        .iter()
        .flat_map(|list| list.split(','))
        .filter_map(|id| {
            let mut fields = id.trim().split(':');
            Some(format!("{}:{}", fields.next()?, fields.next()?).to_ascii_lowercase())
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every top-level fact reaches the world, so a new field cannot be forgotten here.
    #[test]
    fn the_world_holds_every_fact() {
        let facts = Facts::new();
        let world = build(&facts);
        let Value::Object(all) = serde_json::to_value(&facts).unwrap() else { panic!() };
        for key in all.keys() {
            assert!(world.get(key).is_some(), "world lacks `{key}`");
        }
    }
}
