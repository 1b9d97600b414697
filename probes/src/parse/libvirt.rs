//! libvirt domain XML (`/etc/libvirt/qemu/<name>.xml`, `virsh dumpxml`).

use engine::facts::{Provenance, Vm};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LibvirtError {
    pub message: String,
}

/// Parses one `<domain>` into a VM: name, machine, firmware/loader, features (kvm hidden,
/// hyperv vendor_id, ioapic), `<iommu>`, and every PCI `<hostdev>` (managed, source
/// address, `<rom bar= file=>`). `from` is the file the XML came from.
pub fn parse_domain_xml(text: &str, from: Provenance) -> Result<Vm, LibvirtError> {
    let _ = (text, from);
    Err(LibvirtError { message: "not implemented".into() })
}
