//! Device names from `pci.ids` (the system's copy from hwdata or pciutils, else the copy
//! compiled into vfio-doctor).

use std::collections::HashMap;

use pci_ids::FromId;

/// A parsed `pci.ids` file (vendors, devices; classes and subclasses), or the database
/// compiled into the `pci-ids` crate.
#[derive(Debug, Clone, Default)]
pub struct PciIds {
    names: Names,
}

#[derive(Debug, Clone)]
enum Names {
    Parsed(Table),
    Builtin,
}

impl Default for Names {
    fn default() -> Self {
        Self::Parsed(Table::default())
    }
}

/// The names read from a `pci.ids` text, by numeric ID.
#[derive(Debug, Clone, Default)]
struct Table {
    vendors: HashMap<u16, String>,
    devices: HashMap<(u16, u16), String>,
    classes: HashMap<u8, String>,
    subclasses: HashMap<(u8, u8), String>,
}

/// The entry the following indented lines belong to.
#[derive(Clone, Copy)]
enum Section {
    Vendor(u16),
    Class(u8),
    /// After a malformed top-level line: its children are dropped, not misfiled.
    Unknown,
}

impl PciIds {
    /// Parses the system file format (`vvvv  Name`, `\tdddd  Name`, `\t\tsvvv sddd  Name`,
    /// `C cc  Name`, `\tss  Name`). Subsystem and programming-interface lines (two tabs)
    /// are skipped, since nothing here names them; so are `#` comments and bad lines.
    pub fn parse(text: &str) -> Self {
        let mut table = Table::default();
        let mut section = Section::Unknown;
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.strip_prefix('\t') {
                None => section = table.add_top_level(line),
                Some(child) if !child.starts_with('\t') => table.add_child(section, child),
                Some(_) => {}
            }
        }
        Self { names: Names::Parsed(table) }
    }

    /// The compiled-in database.
    pub fn builtin() -> Self {
        Self { names: Names::Builtin }
    }

    pub fn vendor(&self, vendor: u16) -> Option<String> {
        match &self.names {
            Names::Parsed(table) => table.vendors.get(&vendor).cloned(),
            Names::Builtin => pci_ids::Vendor::from_id(vendor).map(|v| v.name().to_string()),
        }
    }

    pub fn device(&self, vendor: u16, device: u16) -> Option<String> {
        match &self.names {
            Names::Parsed(table) => table.devices.get(&(vendor, device)).cloned(),
            Names::Builtin => pci_ids::Device::from_vid_pid(vendor, device).map(|d| d.name().to_string()),
        }
    }

    /// Class name for a 24-bit class code: the subclass name when known, else the class.
    pub fn class(&self, class: u32) -> Option<String> {
        let [_, base, sub, _] = class.to_be_bytes();
        match &self.names {
            Names::Parsed(table) => {
                table.subclasses.get(&(base, sub)).or_else(|| table.classes.get(&base)).cloned()
            }
            Names::Builtin => pci_ids::Subclass::from_cid_sid(base, sub)
                .map(|s| s.name())
                .or_else(|| pci_ids::Class::from_id(base).map(|c| c.name()))
                .map(str::to_string),
        }
    }
}

impl Table {
    /// A vendor (`10de  NVIDIA Corporation`) or class (`C 03  Display controller`) line.
    fn add_top_level(&mut self, line: &str) -> Section {
        if let Some(class_line) = line.strip_prefix("C ") {
            return match id_and_name(class_line, 2).and_then(narrow) {
                Some((id, name)) => {
                    self.classes.insert(id, name.to_string());
                    Section::Class(id)
                }
                None => Section::Unknown,
            };
        }
        match id_and_name(line, 4) {
            Some((id, name)) => {
                self.vendors.insert(id, name.to_string());
                Section::Vendor(id)
            }
            None => Section::Unknown,
        }
    }

    /// A device line under a vendor, or a subclass line under a class (one tab removed).
    fn add_child(&mut self, section: Section, line: &str) {
        match section {
            Section::Vendor(vendor) => {
                if let Some((device, name)) = id_and_name(line, 4) {
                    self.devices.insert((vendor, device), name.to_string());
                }
            }
            Section::Class(class) => {
                if let Some((subclass, name)) = id_and_name(line, 2).and_then(narrow) {
                    self.subclasses.insert((class, subclass), name.to_string());
                }
            }
            Section::Unknown => {}
        }
    }
}

/// `hhhh  Name`: exactly `digits` hex digits, a space or tab, a non-empty name.
fn id_and_name(line: &str, digits: usize) -> Option<(u16, &str)> {
    let (id, name) = line.split_once([' ', '\t'])?;
    let name = name.trim();
    let valid = id.len() == digits && id.bytes().all(|b| b.is_ascii_hexdigit()) && !name.is_empty();
    valid.then(|| u16::from_str_radix(id, 16).ok()).flatten().map(|id| (id, name))
}

/// A two-digit ID as the `u8` it is.
fn narrow((id, name): (u16, &str)) -> Option<(u8, &str)> {
    Some((u8::try_from(id).ok()?, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines copied from pci.ids (2025.07.11, as vendored by the pci-ids crate).
    const PCI_IDS_EXCERPT: &str = "\
#
#\tList of PCI ID's
#
#\tVersion: 2025.07.11
#\tDate:    2025-07-11 03:15:02
#

# Vendors, devices and subsystems. Please keep sorted.

# Syntax:
# vendor  vendor_name
#\tdevice  device_name\t\t\t\t<-- single tab
#\t\tsubvendor subdevice  subsystem_name\t<-- two tabs

1002  Advanced Micro Devices, Inc. [AMD/ATI]
\t73bf  Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]
\t\t1002 0e3a  Radeon RX 6900 XT
\t\t1da2 e437  Pulse Radeon RX 6800
\tab28  Navi 21/23 HDMI/DP Audio Controller
10de  NVIDIA Corporation
\t10f0  GP104 High Definition Audio Controller
\t1b80  GP104 [GeForce GTX 1080]
# Used in some old VMWare products before they got a real ID assigned
fffe  VMWare Inc (temporary ID)
\t0710  Virtual SVGA
ffff  Illegal Vendor ID


# List of known device classes, subclasses and programming interfaces

# Syntax:
# C class\tclass_name
#\tsubclass\tsubclass_name  \t\t<-- single tab
#\t\tprog-if  prog-if_name  \t<-- two tabs

C 02  Network controller
\t00  Ethernet controller
\t80  Network controller
C 03  Display controller
\t00  VGA compatible controller
\t\t00  VGA controller
\t\t01  8514 controller
\t01  XGA compatible controller
\t02  3D controller
\t80  Display controller
C 04  Multimedia controller
\t00  Multimedia video controller
\t01  Multimedia audio controller
\t02  Computer telephony device
\t03  Audio device
\t80  Multimedia controller
";

    #[test]
    fn parsed_vendors_and_devices() {
        let ids = PciIds::parse(PCI_IDS_EXCERPT);
        assert_eq!(ids.vendor(0x10de).as_deref(), Some("NVIDIA Corporation"));
        assert_eq!(ids.vendor(0x1002).as_deref(), Some("Advanced Micro Devices, Inc. [AMD/ATI]"));
        assert_eq!(ids.device(0x10de, 0x1b80).as_deref(), Some("GP104 [GeForce GTX 1080]"));
        assert_eq!(ids.device(0x10de, 0x10f0).as_deref(), Some("GP104 High Definition Audio Controller"));
        assert_eq!(ids.device(0x1002, 0xab28).as_deref(), Some("Navi 21/23 HDMI/DP Audio Controller"));
        assert_eq!(ids.device(0xfffe, 0x0710).as_deref(), Some("Virtual SVGA"));
        assert_eq!(ids.vendor(0xffff).as_deref(), Some("Illegal Vendor ID"));
    }

    #[test]
    fn subsystem_lines_do_not_become_devices() {
        let ids = PciIds::parse(PCI_IDS_EXCERPT);
        assert_eq!(ids.device(0x1002, 0x1002), None);
        assert_eq!(ids.device(0x1002, 0x1da2), None);
        assert_eq!(ids.device(0x10de, 0x1b81), None);
        assert_eq!(ids.vendor(0x8086), None);
    }

    #[test]
    fn parsed_classes() {
        let ids = PciIds::parse(PCI_IDS_EXCERPT);
        assert_eq!(ids.class(0x030000).as_deref(), Some("VGA compatible controller"));
        assert_eq!(ids.class(0x030200).as_deref(), Some("3D controller"));
        assert_eq!(ids.class(0x040300).as_deref(), Some("Audio device"));
        assert_eq!(ids.class(0x020000).as_deref(), Some("Ethernet controller"));
        // Unknown subclass falls back to the class name; unknown class is None.
        assert_eq!(ids.class(0x030500).as_deref(), Some("Display controller"));
        assert_eq!(ids.class(0x0c0330), None);
        // Class 0x00 subclass 0x00 does not exist in the excerpt.
        assert_eq!(ids.class(0x000000), None);
    }

    #[test]
    fn class_section_is_not_confused_with_vendor_devices() {
        let ids = PciIds::parse(PCI_IDS_EXCERPT);
        // `\t00  Ethernet controller` under `C 02` is not device 0x0000 of a vendor.
        assert_eq!(ids.device(0xffff, 0x0000), None);
        assert_eq!(ids.vendor(0x0003), None);
    }

    #[test]
    fn malformed_lines_are_skipped_without_misfiling_children() {
        let text = "10de  NVIDIA Corporation\nzzzz  Not hex\n\t1b80  Must not attach to 10de\n12345  Too long\nC 3  Short class\n\t00  Orphan subclass\n10de\n1af4  Red Hat, Inc.\n\t1041  Virtio 1.0 network device\r\n\tnope\n";
        let ids = PciIds::parse(text);
        assert_eq!(ids.device(0x10de, 0x1b80), None);
        assert_eq!(ids.class(0x030000), None);
        assert_eq!(ids.vendor(0x10de).as_deref(), Some("NVIDIA Corporation"));
        assert_eq!(ids.device(0x1af4, 0x1041).as_deref(), Some("Virtio 1.0 network device"));
    }

    #[test]
    fn empty_and_default_know_nothing() {
        assert_eq!(PciIds::parse("").vendor(0x10de), None);
        assert_eq!(PciIds::default().class(0x030000), None);
    }

    #[test]
    fn builtin_database() {
        let ids = PciIds::builtin();
        assert_eq!(ids.vendor(0x10de).as_deref(), Some("NVIDIA Corporation"));
        assert_eq!(ids.device(0x10de, 0x1b80).as_deref(), Some("GP104 [GeForce GTX 1080]"));
        assert_eq!(ids.device(0x10de, 0x10f0).as_deref(), Some("GP104 High Definition Audio Controller"));
        assert_eq!(ids.class(0x030000).as_deref(), Some("VGA compatible controller"));
        assert_eq!(ids.class(0x040300).as_deref(), Some("Audio device"));
        assert_eq!(ids.class(0x03ee00).as_deref(), Some("Display controller"));
        assert_eq!(ids.device(0x10de, 0xfffe), None);
        assert_eq!(ids.class(0xfe0000), None);
    }
}
