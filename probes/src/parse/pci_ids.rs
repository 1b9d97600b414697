//! Device names from `pci.ids` (the system's copy from hwdata or pciutils, else the copy
//! compiled into vfio-doctor).

/// A parsed `pci.ids` file (vendors, devices, subsystems; classes and subclasses).
#[derive(Debug, Clone, Default)]
pub struct PciIds {
    _private: (),
}

impl PciIds {
    /// Parses the system file format (`vvvv  Name`, `\tdddd  Name`, `\t\tsvvv sddd  Name`,
    /// `C cc  Name`, `\tss  Name`).
    pub fn parse(text: &str) -> Self {
        let _ = text;
        Self::default()
    }

    /// The compiled-in database.
    pub fn builtin() -> Self {
        Self::default()
    }

    pub fn vendor(&self, vendor: u16) -> Option<String> {
        let _ = vendor;
        None
    }

    pub fn device(&self, vendor: u16, device: u16) -> Option<String> {
        let _ = (vendor, device);
        None
    }

    /// Class name for a 24-bit class code: the subclass name when known, else the class.
    pub fn class(&self, class: u32) -> Option<String> {
        let _ = class;
        None
    }
}
