//! Device names from `pci.ids` (the system's copy from hwdata or pciutils, else the copy
//! compiled into vfio-doctor).

use std::collections::HashMap;

use pci_ids::FromId;

/// A `pci.ids` file (vendors, devices; classes and subclasses), or the database
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

/// A `pci.ids` text with an index of its top-level entries. Only the few devices of one
/// host are ever looked up, so their lines are found on demand rather than all of the
/// file's 40,000 lines being turned into map entries first.
#[derive(Debug, Clone, Default)]
struct Table {
    text: String,
    vendors: HashMap<u16, Entry>,
    classes: HashMap<u8, Entry>,
}

/// A top-level line's name and the byte range of the indented lines under it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    name: (usize, usize),
    children: (usize, usize),
}

/// The top-level entry whose indented lines are being passed over.
struct Open {
    is_class: bool,
    id: u16,
    entry: Entry,
}

impl PciIds {
    /// Reads the system file format (`vvvv  Name`, `\tdddd  Name`, `\t\tsvvv sddd  Name`,
    /// `C cc  Name`, `\tss  Name`). Subsystem and programming-interface lines (two tabs)
    /// are never looked up, since nothing here names them; `#` comments and bad lines are
    /// skipped, and the children of a malformed top-level line are dropped, not misfiled.
    pub fn parse(text: &str) -> Self {
        let mut table = Table { text: text.to_string(), ..Table::default() };
        let mut open: Option<Open> = None;
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let line_start = offset;
            offset += raw.len();
            let line = raw.trim_end();
            if line.is_empty() || line.starts_with('#') || line.starts_with('\t') {
                continue;
            }
            if let Some(done) = open.take() {
                table.close(done, line_start);
            }
            let (is_class, id_text, digits) = match line.strip_prefix("C ") {
                Some(class_line) => (true, class_line, 2),
                None => (false, line, 4),
            };
            open = id_and_name(id_text, digits).map(|(id, name)| {
                let name_start = name.as_ptr() as usize - text.as_ptr() as usize;
                let entry = Entry { name: (name_start, name_start + name.len()), children: (offset, offset) };
                Open { is_class, id, entry }
            });
        }
        if let Some(done) = open.take() {
            table.close(done, offset);
        }
        Self { names: Names::Parsed(table) }
    }

    /// The compiled-in database.
    pub fn builtin() -> Self {
        Self { names: Names::Builtin }
    }

    pub fn vendor(&self, vendor: u16) -> Option<String> {
        match &self.names {
            Names::Parsed(table) => table.vendors.get(&vendor).map(|e| table.name(e)),
            Names::Builtin => pci_ids::Vendor::from_id(vendor).map(|v| v.name().to_string()),
        }
    }

    pub fn device(&self, vendor: u16, device: u16) -> Option<String> {
        match &self.names {
            Names::Parsed(table) => table.child(table.vendors.get(&vendor)?, device, 4),
            Names::Builtin => pci_ids::Device::from_vid_pid(vendor, device).map(|d| d.name().to_string()),
        }
    }

    /// Class name for a 24-bit class code: the subclass name when known, else the class.
    pub fn class(&self, class: u32) -> Option<String> {
        let [_, base, sub, _] = class.to_be_bytes();
        match &self.names {
            Names::Parsed(table) => {
                let entry = table.classes.get(&base)?;
                table.child(entry, u16::from(sub), 2).or_else(|| Some(table.name(entry)))
            }
            Names::Builtin => pci_ids::Subclass::from_cid_sid(base, sub)
                .map(|s| s.name())
                .or_else(|| pci_ids::Class::from_id(base).map(|c| c.name()))
                .map(str::to_string),
        }
    }
}

impl Table {
    fn close(&mut self, open: Open, end: usize) {
        let entry = Entry { children: (open.entry.children.0, end), ..open.entry };
        if !open.is_class {
            self.vendors.insert(open.id, entry);
        } else if let Ok(class) = u8::try_from(open.id) {
            self.classes.insert(class, entry);
        }
    }

    fn name(&self, entry: &Entry) -> String {
        self.text[entry.name.0..entry.name.1].to_string()
    }

    /// The name on the last child line with this ID (exactly one tab): a device under a
    /// vendor, a subclass under a class.
    fn child(&self, entry: &Entry, id: u16, digits: usize) -> Option<String> {
        self.text[entry.children.0..entry.children.1]
            .lines()
            .filter_map(|line| line.strip_prefix('\t').filter(|child| !child.starts_with('\t')))
            .filter_map(|child| id_and_name(child.trim_end(), digits))
            .rfind(|(child_id, _)| *child_id == id)
            .map(|(_, name)| name.to_string())
    }
}

/// `hhhh  Name`: exactly `digits` hex digits, a space or tab, a non-empty name.
fn id_and_name(line: &str, digits: usize) -> Option<(u16, &str)> {
    let (id, name) = line.split_once([' ', '\t'])?;
    let name = name.trim();
    let valid = id.len() == digits && id.bytes().all(|b| b.is_ascii_hexdigit()) && !name.is_empty();
    valid.then(|| u16::from_str_radix(id, 16).ok()).flatten().map(|id| (id, name))
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
