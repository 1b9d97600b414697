//! PCI names: the system's `pci.ids` (hwdata or pciutils), else the compiled-in copy,
//! so names show on minimal hosts too.

use probes::parse::pci_ids::PciIds;

const SYSTEM_PCI_IDS: [&str; 4] = [
    "/usr/share/hwdata/pci.ids",
    "/usr/share/misc/pci.ids",
    "/usr/share/pci.ids",
    "/usr/share/pciids/pci.ids",
];

pub fn load() -> PciIds {
    SYSTEM_PCI_IDS
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| PciIds::parse(&text))
        .unwrap_or_else(PciIds::builtin)
}
