//! PCI device facts: identity, binding, power and reset state, BARs, and what the
//! device's own configuration space says about its capabilities.

use super::Provenance;
use serde::{Deserialize, Serialize};

/// One PCI function, merged from sysfs, config space and lspci output as available.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PciDevice {
    /// Full address with domain, lowercase: `0000:01:00.0`.
    pub address: String,
    pub vendor_id: u16,
    pub device_id: u16,
    pub subsystem_vendor_id: Option<u16>,
    pub subsystem_device_id: Option<u16>,
    /// 24-bit class code: base class, sub class, prog-if (`0x030000` = VGA).
    pub class: u32,
    pub revision: Option<u8>,
    pub vendor_name: Option<String>,
    pub device_name: Option<String>,
    pub class_name: Option<String>,
    pub driver: DriverBinding,
    /// Modules whose aliases match the device (lspci's "Kernel modules:").
    pub kernel_modules: Option<Vec<String>>,
    /// `None` when unknown or when the device has no group (see `Facts::iommu.groups`).
    pub iommu_group: Option<u32>,
    /// Present only for VGA-class devices.
    pub boot_vga: Option<bool>,
    /// `reset_method`, in priority order. `Some(empty)` = the file is absent on a kernel
    /// that has it (5.15+), i.e. no reset method at all.
    pub reset_methods: Option<Vec<String>>,
    pub power_state: Option<String>,
    pub d3cold_allowed: Option<bool>,
    pub driver_override: Option<String>,
    /// Number of MSI/MSI-X vectors allocated now (`msi_irqs/`); `Some(0)` = none.
    pub msi_vectors: Option<u32>,
    /// Interrupts a running VM's VFIO holds for the device, from `/proc/interrupts`
    /// (`intx`, `msi`, `msix`, one entry per vector); `Some(empty)` = none, i.e. no VM uses it now.
    pub vfio_interrupts: Option<Vec<String>>,
    /// BARs and the ROM from `resource` (or `lspci -v` "Memory at" lines).
    pub bars: Option<Vec<Bar>>,
    /// Upstream bridges from the root port down, from the sysfs device path.
    pub upstream: Option<Vec<String>>,
    pub config: Option<ConfigSpace>,
    /// `true` when config space read back as all `0xff`: the device does not answer
    /// (D3cold, dead after a failed reset, or gone).
    pub inaccessible: Option<bool>,
    /// Where the device record was read (a sysfs folder or an lspci line).
    pub from: Provenance,
}

impl PciDevice {
    /// A device known by its identity only; every other fact starts unknown.
    pub fn new(address: String, vendor_id: u16, device_id: u16, class: u32, from: Provenance) -> Self {
        Self {
            address,
            vendor_id,
            device_id,
            subsystem_vendor_id: None,
            subsystem_device_id: None,
            class,
            revision: None,
            vendor_name: None,
            device_name: None,
            class_name: None,
            driver: DriverBinding::Unknown,
            kernel_modules: None,
            iommu_group: None,
            boot_vga: None,
            reset_methods: None,
            power_state: None,
            d3cold_allowed: None,
            driver_override: None,
            msi_vectors: None,
            vfio_interrupts: None,
            bars: None,
            upstream: None,
            config: None,
            inaccessible: None,
            from,
        }
    }

    pub fn base_class(&self) -> u8 {
        (self.class >> 16) as u8
    }

    pub fn is_display(&self) -> bool {
        self.base_class() == 0x03
    }

    pub fn is_bridge(&self) -> bool {
        self.class >> 8 == 0x0604 || self.class >> 8 == 0x0600
    }

    /// `vvvv:dddd`, the form `vfio-pci.ids=` takes.
    pub fn id_pair(&self) -> String {
        format!("{:04x}:{:04x}", self.vendor_id, self.device_id)
    }

    /// Slot without the function: `0000:01:00`.
    pub fn slot(&self) -> &str {
        self.address.rsplit_once('.').map_or(&self.address, |(slot, _)| slot)
    }

    /// Whether a configured host address names this function: Proxmox accepts `bb:dd.f`,
    /// `bb:dd` (every function of the slot) and either with a domain.
    pub fn named_by(&self, configured: &str) -> bool {
        let full = with_domain(configured);
        if full.contains('.') {
            full == self.address
        } else {
            full == self.slot()
        }
    }
}

/// A configured PCI address in sysfs form: lower case, with the `0000:` domain added
/// where it was left out.
pub fn with_domain(configured: &str) -> String {
    let lower = configured.trim().to_ascii_lowercase();
    if lower.matches(':').count() == 1 {
        format!("0000:{lower}")
    } else {
        lower
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "state", content = "name")]
pub enum DriverBinding {
    Unknown,
    Unbound,
    Bound(String),
}

impl DriverBinding {
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Bound(name) => Some(name),
            _ => None,
        }
    }
}

/// One resource line: BAR 0–5, or the expansion ROM (index 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Bar {
    pub index: u8,
    pub start: u64,
    pub end: u64,
    pub flags: u64,
}

impl Bar {
    pub const ROM_INDEX: u8 = 6;

    pub fn size(&self) -> u64 {
        if self.end < self.start {
            0
        } else {
            self.end - self.start + 1
        }
    }
    pub fn is_io(&self) -> bool {
        self.flags & 0x100 != 0
    }
    pub fn is_prefetchable(&self) -> bool {
        self.flags & 0x2000 != 0
    }
    pub fn is_64bit(&self) -> bool {
        self.flags & 0x10_0000 != 0
    }
    /// `IORESOURCE_ROM_SHADOW`: the ROM is the firmware's copy at 0xC0000.
    pub fn is_shadowed_rom(&self) -> bool {
        self.index == Self::ROM_INDEX && self.flags & 0x2 != 0
    }
}

/// What the device's configuration space says, parsed natively (not through lspci).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfigSpace {
    /// How many bytes could be read: 64 unprivileged, 256 conventional, 4096 PCIe.
    pub length: usize,
    pub header_type: u8,
    pub multifunction: bool,
    pub command: u16,
    pub status: u16,
    /// Standard capabilities; `None` when the bytes that hold them could not be read.
    pub capabilities: Option<Vec<Capability>>,
    /// Extended capabilities; `None` when fewer than 4096 bytes were read.
    pub extended_capabilities: Option<Vec<Capability>>,
    pub msi: Option<Msi>,
    pub msix: Option<MsiX>,
    pub power_management: Option<PowerManagement>,
    pub express: Option<Express>,
    /// Conventional-PCI Advanced Features FLR (`af_flr`).
    pub af_flr: Option<bool>,
    pub acs: Option<Acs>,
    pub resizable_bars: Option<Vec<ResizableBar>>,
    /// Oddities met while walking: a looped chain, a pointer out of range, all bytes 0xff.
    pub problems: Vec<String>,
    pub from: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Capability {
    pub id: u16,
    pub offset: u16,
    pub version: Option<u8>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Msi {
    pub offset: u16,
    pub enabled: bool,
    /// Vectors enabled (the first count lspci prints).
    pub count_enabled: u32,
    /// Vectors the function can use (the second count).
    pub count_capable: u32,
    pub is_64bit: bool,
    pub maskable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MsiX {
    pub offset: u16,
    pub enabled: bool,
    pub masked: bool,
    pub table_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PowerManagement {
    pub offset: u16,
    pub version: u8,
    /// `D0`..`D3hot` from PMCSR bits 1:0.
    pub state: String,
    /// PMCSR bit 3: the device keeps its state across D3hot→D0, so `pm` is no reset.
    pub no_soft_reset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Express {
    pub offset: u16,
    pub version: u8,
    /// `endpoint`, `legacy-endpoint`, `root-port`, `upstream-port`, `downstream-port`,
    /// `pcie-to-pci-bridge`, `pci-to-pcie-bridge`, `rc-integrated-endpoint`, `rc-event-collector`.
    pub port_type: String,
    /// DevCap bit 28.
    pub flr: bool,
    /// Link speed (GT/s as lspci prints it) and width, from LinkSta, when the device has a link.
    pub link_speed: Option<String>,
    pub link_width: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Acs {
    pub offset: u16,
    pub capability: u16,
    pub control: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResizableBar {
    pub bar: u8,
    /// Current size in MiB.
    pub current_mb: u64,
    /// Every supported size in MiB, smallest first.
    pub supported_mb: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_addresses_name_functions_as_proxmox_reads_them() {
        let audio =
            PciDevice::new("0000:0a:00.1".into(), 0x10de, 0x10f0, 0x040300, Provenance::file("sys/bus/pci"));
        for named in ["0a:00", "0A:00.1", "0000:0a:00", " 0000:0a:00.1 "] {
            assert!(audio.named_by(named), "{named}");
        }
        for other in ["0a:00.0", "0b:00", "0001:0a:00.1", "0a:0"] {
            assert!(!audio.named_by(other), "{other}");
        }
    }
}
