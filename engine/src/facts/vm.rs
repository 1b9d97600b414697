//! VM configurations (Proxmox VE and libvirt) as far as passthrough cares.

use super::Provenance;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum VmManager {
    Proxmox,
    Libvirt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Vm {
    pub manager: VmManager,
    /// Proxmox vmid or libvirt domain name.
    pub id: String,
    pub name: Option<String>,
    /// `pc`, `q35`, `pc-q35-8.1`, `pc-i440fx-9.0+pve0`, … as configured.
    pub machine: Option<String>,
    /// Whether the machine type is q35 (Proxmox: the type matches `q35`).
    pub q35: bool,
    /// `intel` or `virtio` (Proxmox `viommu=`, libvirt `<iommu model=…>`).
    pub viommu: Option<String>,
    /// `seabios` or `ovmf` (libvirt: `efi` firmware or an OVMF loader maps to `ovmf`).
    pub bios: Option<String>,
    pub cpu: Option<VmCpu>,
    pub ostype: Option<String>,
    pub vga: Option<String>,
    /// Proxmox `args:`, verbatim.
    pub args: Option<String>,
    pub onboot: Option<bool>,
    pub passthrough: Vec<Passthrough>,
    /// libvirt `<features><kvm><hidden state='on'/>`.
    pub kvm_hidden: Option<bool>,
    /// libvirt `<hyperv><vendor_id value=…>`.
    pub hv_vendor_id: Option<String>,
    /// libvirt `<ioapic driver=…>`.
    pub ioapic_driver: Option<String>,
    /// Names of snapshot sections (`[name]`), kept apart from the live config.
    pub snapshots: Vec<String>,
    /// Passthrough entries changed but not applied yet (`[PENDING]`).
    pub pending: Vec<Passthrough>,
    pub from: Provenance,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VmCpu {
    pub model: Option<String>,
    pub hidden: Option<bool>,
    pub hv_vendor_id: Option<String>,
    pub flags: Vec<String>,
    pub phys_bits: Option<String>,
}

/// One passed-through device entry: a Proxmox `hostpciN` or a libvirt `<hostdev>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Passthrough {
    /// `hostpci0`, or `hostdev0` for libvirt (in document order).
    pub key: String,
    /// Host addresses as written (`01:00.0`, `0000:01:00`), `;`-separated parts split.
    pub hosts: Vec<String>,
    /// Proxmox resource mapping id (`mapping=`).
    pub mapping: Option<String>,
    pub pcie: Option<bool>,
    pub x_vga: Option<bool>,
    pub rombar: Option<bool>,
    /// As configured; Proxmox resolves it under `/usr/share/kvm/`.
    pub romfile: Option<String>,
    pub mdev: Option<String>,
    pub vendor_id: Option<String>,
    pub device_id: Option<String>,
    pub sub_vendor_id: Option<String>,
    pub sub_device_id: Option<String>,
    /// Proxmox `legacy-igd=1`: Intel integrated graphics in legacy mode.
    pub legacy_igd: Option<bool>,
    /// Proxmox `driver=`: `vfio` (default) or `keep` (no rebind, no reset).
    pub driver: Option<String>,
    /// libvirt `managed='yes'`.
    pub managed: Option<bool>,
    /// Options not understood, kept verbatim (`key=value`).
    pub other: Vec<String>,
    pub from: Provenance,
}

/// A cluster-wide PCI resource mapping (`/etc/pve/mapping/pci.cfg`): the device to use on
/// each node under one name (`hostpciN: mapping=<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PciMapping {
    pub id: String,
    pub entries: Vec<PciMapEntry>,
    pub from: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PciMapEntry {
    pub node: Option<String>,
    /// The device address on that node (a slot without function means all functions).
    pub path: Option<String>,
    /// The `vendor:device` Proxmox checks at start.
    pub id: Option<String>,
    pub subsystem_id: Option<String>,
    pub iommu_group: Option<u32>,
    pub from: Provenance,
}
