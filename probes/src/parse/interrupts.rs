//! `/proc/interrupts`: interrupt-remapping evidence (`IR-IO-APIC`, `IR-PCI-MSI`) and
//! VFIO interrupt names (`vfio-msi[0](0000:01:00.1)`, `vfio-intx(…)`).
//!
//! A row is `<irq>: <one count per CPU> <chip> [<hwirq>-<trigger>] <actions>`. The chip
//! name changed over time — `IR-PCI-MSI-edge` (≤ 4.2, trigger joined on),
//! `IR-PCI-MSI 327680-edge`, then per-device `IR-PCI-MSI-0000:00:14.0 0-edge` (6.2+) —
//! but the `IR-` prefix for remapped chips stayed (domain.md 1.9,
//! `arch/x86/kernel/apic/io_apic.c`, `arch/x86/kernel/apic/msi.c`). Only numbered rows
//! carry a chip; `NMI:`, `LOC:` and the like are skipped.

use super::iommu_listing::full_pci_address;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterruptSummary {
    /// `Some(true)` when an `IR-` chip appears, `Some(false)` when IO-APIC/PCI-MSI chips
    /// appear without any `IR-` prefix, `None` when no such chip is listed.
    pub remapped: Option<bool>,
    /// 1-based line that decided `remapped`.
    pub evidence_line: Option<u64>,
    /// `(address, kind)` for each VFIO interrupt: kind is `intx`, `msi` or `msix`.
    pub vfio: Vec<(String, String)>,
}

/// Reads `/proc/interrupts` text. A single `IR-` chip is enough for `remapped`: some
/// interrupts stay unremapped even when remapping is on (the AMD IOMMU's own event
/// interrupt is a plain `PCI-MSI … AMD-Vi`).
pub fn parse_interrupts(text: &str) -> InterruptSummary {
    let mut summary = InterruptSummary::default();
    for (index, line) in text.lines().enumerate() {
        let Some(row) = numbered_row(line) else {
            continue;
        };
        if let Some(remapped) = chip_remapping(row) {
            if summary.remapped.is_none() || (remapped && summary.remapped == Some(false)) {
                summary.remapped = Some(remapped);
                summary.evidence_line = Some(index as u64 + 1);
            }
        }
        summary.vfio.extend(vfio_interrupts(row));
    }
    summary
}

/// `  24:   0   0  IR-PCI-MSI …` → the text after `24:`.
fn numbered_row(line: &str) -> Option<&str> {
    let (label, rest) = line.trim_start().split_once(':')?;
    let numbered = !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit());
    numbered.then_some(rest)
}

/// The chip is the first field after the per-CPU counts. `Some(true)` for a remapped
/// IO-APIC or PCI MSI/MSI-X chip, `Some(false)` for an unremapped one, `None` for other
/// chips (`DMAR-MSI`, `HPET-MSI`, `xen-dyn`…).
fn chip_remapping(row: &str) -> Option<bool> {
    let chip = row.split_whitespace().find(|field| !field.bytes().all(|b| b.is_ascii_digit()))?;
    if chip.starts_with("IR-IO-APIC") || chip.starts_with("IR-PCI-MSI") {
        Some(true)
    } else if chip.starts_with("IO-APIC") || chip.starts_with("PCI-MSI") {
        Some(false)
    } else {
        None
    }
}

/// `vfio-intx(%s)`, `vfio-msi[%d](%s)`, `vfio-msix[%d](%s)` anywhere in the action list
/// (`drivers/vfio/pci/vfio_pci_intrs.c`); a shared line lists several actions.
fn vfio_interrupts(row: &str) -> Vec<(String, String)> {
    row.split("vfio-").skip(1).filter_map(vfio_interrupt).collect()
}

/// `msix[3](0000:01:00.0)…` (the text after `vfio-`) → address and kind.
fn vfio_interrupt(name: &str) -> Option<(String, String)> {
    let (kind, rest) = if let Some(rest) = name.strip_prefix("intx") {
        ("intx", rest)
    } else {
        let (kind, rest) = match name.strip_prefix("msix") {
            Some(rest) => ("msix", rest),
            None => ("msi", name.strip_prefix("msi")?),
        };
        let (vector, rest) = rest.strip_prefix('[')?.split_once(']')?;
        if vector.is_empty() || !vector.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        (kind, rest)
    };
    let (address, _) = rest.strip_prefix('(')?.split_once(')')?;
    Some((full_pci_address(address)?, kind.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vfio(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, k)| (a.to_string(), k.to_string())).collect()
    }

    /// A 6.8 Intel host with a GPU passed through (MSI-X video, MSI audio).
    const REMAPPED_6_8: &str = "\
            CPU0       CPU1       CPU2       CPU3       
   0:         44          0          0          0  IR-IO-APIC    2-edge      timer
   1:          0          0          0          0  IR-IO-APIC    1-edge      i8042
   8:          0          0          1          0  IR-IO-APIC    8-edge      rtc0
   9:          0          0          0          0  IR-IO-APIC    9-fasteoi   acpi
 120:          0          0          0          0  DMAR-MSI    0-edge      dmar0
 121:          0          0          0          0  DMAR-MSI    1-edge      dmar1
 122:          0          0          0          0  IR-PCI-MSI-0000:00:1c.0    0-edge      PCIe PME, aerdrv
 124:          0       2071          0          0  IR-PCI-MSI-0000:00:14.0    0-edge      xhci_hcd
 130:          0          0         95          0  IR-PCI-MSIX-0000:01:00.0    0-edge      vfio-msix[0](0000:01:00.0)
 131:          0          0          0          3  IR-PCI-MSIX-0000:01:00.0    1-edge      vfio-msix[1](0000:01:00.0)
 132:          0          0          0         12  IR-PCI-MSI-0000:01:00.1    0-edge      vfio-msi[0](0000:01:00.1)
 NMI:          0          0          0          0   Non-maskable interrupts
 LOC:     203918     188292     190211     185550   Local timer interrupts
 SPU:          0          0          0          0   Spurious interrupts
 ERR:          0
 MIS:          0
";

    #[test]
    fn remapped_host_with_vfio_msi() {
        let summary = parse_interrupts(REMAPPED_6_8);
        assert_eq!(summary.remapped, Some(true));
        assert_eq!(summary.evidence_line, Some(2));
        assert_eq!(
            summary.vfio,
            vfio(&[("0000:01:00.0", "msix"), ("0000:01:00.0", "msix"), ("0000:01:00.1", "msi")])
        );
    }

    #[test]
    fn unremapped_older_kernel() {
        let text = "\
           CPU0       CPU1       
  0:         33          0   IO-APIC   2-edge      timer
  1:          0          9   IO-APIC   1-edge      i8042
 16:          0          0   IO-APIC  16-fasteoi   i801_smbus, vfio-intx(0000:01:00.1)
 24:          0          0   PCI-MSI 327680-edge      xhci_hcd
 25:       1520          0   PCI-MSI 524288-edge      nvme0q0
NMI:          0          0   Non-maskable interrupts
";
        let summary = parse_interrupts(text);
        assert_eq!(summary.remapped, Some(false));
        assert_eq!(summary.evidence_line, Some(2));
        assert_eq!(summary.vfio, vfio(&[("0000:01:00.1", "intx")]));
    }

    #[test]
    fn old_joined_chip_and_trigger() {
        // Kernels before 4.3 printed the chip and the trigger as one word.
        let text = "\
           CPU0       CPU1       CPU2       CPU3       
  0:         47          0          0          0  IR-IO-APIC-edge      timer
 16:          0          0          0          0  IR-IO-APIC-fasteoi   ehci_hcd:usb1
 42:          0          0          0          0  IR-PCI-MSI-edge      xhci_hcd
";
        let summary = parse_interrupts(text);
        assert_eq!((summary.remapped, summary.evidence_line), (Some(true), Some(2)));
    }

    #[test]
    fn amd_iommu_event_interrupt_does_not_outvote_remapping() {
        let text = "\
            CPU0       CPU1       
  25:          0          0   PCI-MSI 2048-edge      AMD-Vi
  26:          0         12  IR-PCI-MSI 524288-edge      nvme0q0
";
        let summary = parse_interrupts(text);
        assert_eq!((summary.remapped, summary.evidence_line), (Some(true), Some(3)));
    }

    #[test]
    fn no_relevant_chip() {
        let text = "\
           CPU0
120:          0  DMAR-MSI    0-edge      dmar0
NMI:          0   Non-maskable interrupts
";
        assert_eq!(parse_interrupts(text), InterruptSummary::default());
        assert_eq!(parse_interrupts(""), InterruptSummary::default());
    }

    #[test]
    fn malformed_vfio_names_are_skipped() {
        let text = " 40:  0  IR-PCI-MSI 1-edge  vfio-msi[](0000:01:00.0), vfio-msix[1](junk), vfio-intx(0000:01:00.1, vfio-foo, vfio-msi[2](0000:02:00.0)\n";
        let summary = parse_interrupts(text);
        assert_eq!(summary.vfio, vfio(&[("0000:02:00.0", "msi")]));
    }

    #[test]
    fn text_around_the_table_is_ignored() {
        let text = "root@pve:~# cat /proc/interrupts | grep vfio\n 130:  0  95  IR-PCI-MSIX-0000:01:00.0    0-edge      vfio-msix[0](0000:01:00.0)\nroot@pve:~#\n";
        let summary = parse_interrupts(text);
        assert_eq!(summary.remapped, Some(true));
        assert_eq!(summary.evidence_line, Some(2));
        assert_eq!(summary.vfio, vfio(&[("0000:01:00.0", "msix")]));
    }

    fn noise() -> String {
        crate::parse::testing::noise("0123: IR-PCI-MSIO-APIC vfio-msix[](0000:01:00.0) \né")
    }

    #[test]
    fn never_panics_on_noise() {
        let summary = parse_interrupts(&noise());
        assert_eq!(summary.remapped.is_some(), summary.evidence_line.is_some());
    }
}
