//! PCI names: the system's `pci.ids` (hwdata or pciutils), else the compiled-in copy,
//! so names show on minimal hosts too.

use probes::parse::pci_ids::PciIds;

const SYSTEM_PCI_IDS: [&str; 4] = [
    "/usr/share/hwdata/pci.ids",
    "/usr/share/misc/pci.ids",
    "/usr/share/pci.ids",
    "/usr/share/pciids/pci.ids",
];

/// `VFIO_DOCTOR_PCI_IDS` picks the names: a `pci.ids` path, or `builtin` for the compiled-in
/// copy (which keeps output identical across machines, as the tests need).
pub fn load() -> PciIds {
    match std::env::var("VFIO_DOCTOR_PCI_IDS").ok().as_deref() {
        Some("builtin") => return PciIds::builtin(),
        Some(path) => {
            if let Ok(text) = std::fs::read_to_string(path) {
                return PciIds::parse(&text);
            }
        }
        None => {}
    }
    SYSTEM_PCI_IDS
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| PciIds::parse(&text))
        .unwrap_or_else(PciIds::builtin)
}
