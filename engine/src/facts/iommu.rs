//! IOMMU facts: remapping units, groups, firmware tables and interrupt remapping.

use super::{Fact, Provenance};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AcpiIommuTable {
    Dmar,
    Ivrs,
    /// Neither table: the IOMMU is off in the firmware, or absent.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IommuKind {
    Intel,
    Amd,
    Virtio,
    Other,
}

/// One IOMMU unit in `/sys/class/iommu`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IommuUnit {
    pub name: String,
    pub kind: IommuKind,
    /// Intel `cap` / `ecap` registers (hex in sysfs, without `0x`).
    pub cap: Option<u64>,
    pub ecap: Option<u64>,
    pub from: Provenance,
}

/// One Intel remapping unit as the kernel logged it at boot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarUnit {
    pub name: String,
    pub cap: u64,
    pub ecap: u64,
    pub from: Provenance,
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
    /// cap bits 21:16 plus one: the maximum guest address width in bits.
    pub fn mgaw(cap: u64) -> u32 {
        ((cap >> 16) & 0x3f) as u32 + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IommuGroup {
    pub id: u32,
    /// Member addresses (`0000:01:00.0`), sorted.
    pub devices: Vec<String>,
    /// `type`: `DMA`, `DMA-FQ`, `identity`, `unmanaged`, `blocked`.
    pub domain_type: Option<String>,
    pub reserved_regions: Vec<ReservedRegion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedRegion {
    pub start: u64,
    pub end: u64,
    /// `direct`, `direct-relaxable`, `reserved`, `msi`.
    pub kind: String,
}
