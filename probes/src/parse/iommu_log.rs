//! IOMMU and platform facts found in the kernel log (domain.md sections 1.1–1.5, 7.1).

use engine::facts::{AcpiIommuTable, DmarUnit, Fact, KernelLog};

/// What the kernel log says about the IOMMU, the kernel and the platform.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogFindings {
    pub acpi_table: Option<Fact<AcpiIommuTable>>,
    pub dmar_units: Vec<DmarUnit>,
    /// `DMAR-IR: Enabled IRQ remapping…` / `AMD-Vi: Interrupt remapping enabled` → true;
    /// `DMAR-IR: Not enabling…` / `Failed to enable irq remapping` / firmware-bug line → false.
    pub interrupt_remapping: Option<Fact<bool>>,
    /// `DMAR: Intel(R) Virtualization Technology for Directed I/O`, `AMD-Vi: … enabled`,
    /// `Adding to iommu group` → true; `DMAR: IOMMU disabled` → false.
    pub dma_remapping: Option<Fact<bool>>,
    pub default_domain: Option<Fact<String>>,
    /// `Hypervisor detected: KVM` → "KVM".
    pub hypervisor: Option<Fact<String>>,
    /// `Linux version 6.8.12-4-pve (…)` → "6.8.12-4-pve".
    pub kernel_release: Option<Fact<String>>,
    /// `Command line: …` (x86 boot line) → the raw command line.
    pub cmdline: Option<Fact<String>>,
    /// `pci 0000:00:02.0: Adding to iommu group 0` → (address, group), in order.
    pub group_additions: Vec<(String, u32)>,
}

/// Scans the (already prefix-stripped) lines of one kernel log. `source` names it for
/// provenance (`cmd/dmesg`).
pub fn scan_kernel_log(log: &KernelLog) -> LogFindings {
    let _ = log;
    LogFindings::default()
}
