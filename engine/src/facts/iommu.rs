//! IOMMU facts: remapping units, groups, firmware tables and interrupt remapping.

use super::{Fact, Provenance};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Iommu {
    /// Entries of `/sys/class/iommu`. `Some(empty)` = no IOMMU driver active.
    pub units: Option<Fact<Vec<IommuUnit>>>,
    /// `/sys/kernel/iommu_groups` (or a pasted listing). `Some(empty)` = no groups.
    pub groups: Option<Fact<Vec<IommuGroup>>>,
    /// Which ACPI table the firmware exposes (`DMAR` on Intel, `IVRS` on AMD).
    pub acpi_table: Option<Fact<AcpiIommuTable>>,
    /// `dmarN: reg_base_addr … cap … ecap …` lines from the kernel log.
    pub dmar_units: Vec<DmarUnit>,
    /// Whether interrupt remapping is on, and the line or file that says so.
    pub interrupt_remapping: Option<Fact<bool>>,
    /// Whether the kernel's IOMMU DMA remapping came up (the strongest log proof).
    pub dma_remapping: Option<Fact<bool>>,
    /// `iommu: Default domain type: Translated|Passthrough`.
    pub default_domain: Option<Fact<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AcpiIommuTable {
    Dmar,
    Ivrs,
    /// Neither table: the IOMMU is off in the firmware, or absent.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IommuKind {
    Intel,
    Amd,
    Virtio,
    Other,
}

/// One IOMMU unit in `/sys/class/iommu`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IommuUnit {
    pub name: String,
    pub kind: IommuKind,
    /// Intel `cap` / `ecap` registers (hex in sysfs, without `0x`), decoded.
    pub registers: Option<VtdRegisters>,
    pub from: Provenance,
}

/// One Intel remapping unit as the kernel logged it at boot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DmarUnit {
    pub name: String,
    #[serde(flatten)]
    pub registers: VtdRegisters,
    pub from: Provenance,
}

impl DmarUnit {
    pub fn new(name: impl Into<String>, cap: u64, ecap: u64, from: Provenance) -> Self {
        Self { name: name.into(), registers: VtdRegisters::decode(cap, ecap), from }
    }
}

/// Intel VT-d `cap` and `ecap` with the bits that matter decoded, so rules and reports
/// read them without bit arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VtdRegisters {
    pub cap: u64,
    pub ecap: u64,
    /// ecap bit 3.
    pub interrupt_remapping: bool,
    /// ecap bit 4 (x2APIC mode).
    pub extended_interrupt_mode: bool,
    /// cap bit 7: set only by emulated IOMMUs.
    pub caching_mode: bool,
    /// Maximum guest address width in bits.
    pub address_width: u32,
}

impl VtdRegisters {
    pub fn decode(cap: u64, ecap: u64) -> Self {
        Self {
            cap,
            ecap,
            interrupt_remapping: vtd::ir_supported(ecap),
            extended_interrupt_mode: vtd::eim_supported(ecap),
            caching_mode: vtd::caching_mode(cap),
            address_width: vtd::mgaw(cap),
        }
    }
}

/// Decoded Intel VT-d register bits (`drivers/iommu/intel/iommu.h`).
pub mod vtd {
    /// ecap bit 3: interrupt remapping supported.
    pub fn ir_supported(ecap: u64) -> bool {
        ecap >> 3 & 1 == 1
    }
    /// ecap bit 4: extended interrupt mode (x2APIC).
    pub fn eim_supported(ecap: u64) -> bool {
        ecap >> 4 & 1 == 1
    }
    /// cap bit 7: caching mode. Real hardware reports 0; QEMU's vIOMMU with
    /// `caching-mode=on` reports 1.
    pub fn caching_mode(cap: u64) -> bool {
        cap >> 7 & 1 == 1
    }
    /// cap bits 21:16 plus one: the maximum guest address width in bits
    /// (`1c0000c40660462` → 39).
    pub fn mgaw(cap: u64) -> u32 {
        ((cap >> 16) & 0x3f) as u32 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked examples from domain.md 1.3 (observed register values).
    #[test]
    fn decodes_observed_registers() {
        let host = VtdRegisters::decode(0x1c0000c40660462, 0x19e2ff0505e);
        assert!(host.interrupt_remapping && host.extended_interrupt_mode && !host.caching_mode);
        assert_eq!(host.address_width, 39);
        let guest = VtdRegisters::decode(0x12008c22260286, 0xf00f5a);
        assert!(guest.caching_mode && guest.interrupt_remapping);
        assert!(!VtdRegisters::decode(0, 0x1000).interrupt_remapping, "seed: ecap 1000 has no IR");
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IommuGroup {
    pub id: u32,
    /// Member addresses (`0000:01:00.0`), sorted.
    pub devices: Vec<String>,
    /// `type`: `DMA`, `DMA-FQ`, `identity`, `unmanaged`, `blocked`.
    pub domain_type: Option<String>,
    pub reserved_regions: Vec<ReservedRegion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReservedRegion {
    pub start: u64,
    pub end: u64,
    /// `direct`, `direct-relaxable`, `reserved`, `msi`.
    pub kind: String,
}
