//! IOMMU and platform facts found in the kernel log (domain.md sections 1.1–1.5, 7.1).
//!
//! Works on lines whose dmesg/journal prefix is already stripped
//! ([`super::kernel_log`]). Kernel message text is fixed by `printk` formats, so it is
//! matched case-sensitively. Absence proves nothing here: no `ACPI: DMAR` line in a
//! wrapped ring buffer does not mean the firmware lacks the table, so every field stays
//! `None` unless a line says something.

use super::iommu_listing::full_pci_address;
use engine::facts::{AcpiIommuTable, DmarUnit, Fact, KernelLog, Provenance};
use regex::Regex;
use std::sync::LazyLock;

/// What the kernel log says about the IOMMU, the kernel and the platform.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogFindings {
    pub acpi_table: Option<Fact<AcpiIommuTable>>,
    pub dmar_units: Vec<DmarUnit>,
    /// `DMAR-IR: Enabled IRQ remapping…` / `AMD-Vi: Interrupt remapping enabled` → true;
    /// `DMAR-IR: Not enabling…` / `Failed to enable irq remapping` / firmware-bug line → false.
    pub interrupt_remapping: Option<Fact<bool>>,
    /// `DMAR: Intel(R) Virtualization Technology for Directed I/O`,
    /// `perf/amd_iommu: Detected AMD IOMMU …`, `AMD-Vi: Found IOMMU …` or any
    /// `Adding to iommu group` line → true; `DMAR: IOMMU disabled` or
    /// `AMD-Vi: AMD IOMMUv2 functionality not available…` → false, unless a line says true.
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
///
/// Where lines disagree on a yes/no fact, a "yes" wins: the kernel prints the positive
/// lines only after the feature came up, while the negative ones can come from an
/// earlier attempt or an optional module. The first line of the winning kind is cited.
/// For the other single-valued facts the first line wins.
pub fn scan_kernel_log(log: &KernelLog) -> LogFindings {
    let mut findings = LogFindings::default();
    for line in &log.lines {
        findings.scan_line(&line.text, || Provenance::line(&log.source, line.n));
    }
    findings
}

impl LogFindings {
    fn scan_line(&mut self, text: &str, from: impl Fn() -> Provenance) {
        keep_first(&mut self.acpi_table, acpi_table(text), &from);
        if let Some((name, cap, ecap)) = dmar_unit(text) {
            if !self.dmar_units.iter().any(|unit| unit.name == name) {
                self.dmar_units.push(DmarUnit::new(name, cap, ecap, from()));
            }
        }
        if let Some(enabled) = interrupt_remapping(text) {
            keep_positive(&mut self.interrupt_remapping, enabled, &from);
        }
        let group_addition = group_addition(text);
        if let Some(enabled) = dma_remapping(text, group_addition.is_some()) {
            keep_positive(&mut self.dma_remapping, enabled, &from);
        }
        if let Some((address, group)) = group_addition {
            self.group_additions.extend(full_pci_address(address).map(|a| (a, group)));
        }
        keep_first(&mut self.default_domain, default_domain(text), &from);
        keep_first(&mut self.hypervisor, hypervisor(text), &from);
        keep_first(&mut self.kernel_release, kernel_release(text), &from);
        keep_first(&mut self.cmdline, command_line(text), &from);
    }
}

fn keep_first<T>(slot: &mut Option<Fact<T>>, value: Option<T>, from: impl Fn() -> Provenance) {
    if slot.is_none() {
        *slot = value.map(|value| Fact::new(value, from()));
    }
}

/// Records a yes/no line: "yes" replaces an earlier "no", never the other way round.
fn keep_positive(slot: &mut Option<Fact<bool>>, value: bool, from: impl Fn() -> Provenance) {
    let replace = match slot {
        None => true,
        Some(fact) => value && !fact.value,
    };
    if replace {
        *slot = Some(Fact::new(value, from()));
    }
}

/// The message without a `<driver> <pci-address>: ` device prefix (domain.md 0.3): AMD-Vi
/// prints some lines as `pci 0000:00:00.2: AMD-Vi: …` and others without it.
fn device_message(text: &str) -> &str {
    let Some((driver, rest)) = text.split_once(' ') else {
        return text;
    };
    match rest.split_once(": ") {
        Some((device, message)) if !driver.ends_with(':') && full_pci_address(device).is_some() => message,
        _ => text,
    }
}

/// `ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB …)`, the table header line
/// (`drivers/acpi/acpica/tbprint.c`; older kernels print the address without `0x`), or `ACPI: Reserving DMAR table memory at [mem …]` (`drivers/acpi/tables.c`,
/// newer kernels).
fn acpi_table(text: &str) -> Option<AcpiIommuTable> {
    let rest = text.strip_prefix("ACPI: ")?;
    let signature = match rest.strip_prefix("Reserving ") {
        Some(reserving) => reserving.split_once(" table memory at")?.0,
        None => {
            let (signature, after) = rest.split_once(' ')?;
            let address = after.split(' ').next().unwrap_or_default();
            let digits = address.strip_prefix("0x").unwrap_or(address);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            signature
        }
    };
    match signature {
        "DMAR" => Some(AcpiIommuTable::Dmar),
        "IVRS" => Some(AcpiIommuTable::Ivrs),
        _ => None,
    }
}

/// `DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e`:
/// one line per remapping unit, hex without `0x` (`drivers/iommu/intel/dmar.c`,
/// `alloc_iommu`; pattern from domain.md 1.2).
fn dmar_unit(text: &str) -> Option<(String, u64, u64)> {
    static UNIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\bdmar(?P<n>\d+): reg_base_addr [0-9a-f]+ ver \d+:\d+ cap (?P<cap>[0-9a-f]+) ecap (?P<ecap>[0-9a-f]+)",
        )
        .expect("the DMAR unit pattern is valid")
    });
    if !text.contains("reg_base_addr ") {
        return None;
    }
    let found = UNIT.captures(text)?;
    let cap = u64::from_str_radix(&found["cap"], 16).ok()?;
    let ecap = u64::from_str_radix(&found["ecap"], 16).ok()?;
    Some((format!("dmar{}", &found["n"]), cap, ecap))
}

/// domain.md 1.2 and 1.4; `DMAR-IR: ` is the `pr_fmt` of
/// `drivers/iommu/intel/irq_remapping.c`. `x2apic is disabled because BIOS sets x2apic
/// opt out bit` is deliberately not here: remapping then runs in xapic mode.
fn interrupt_remapping(text: &str) -> Option<bool> {
    if text.starts_with("DMAR-IR: Enabled IRQ remapping in ")
        || text.starts_with("AMD-Vi: Interrupt remapping enabled")
    {
        return Some(true);
    }
    let firmware_bug = text.starts_with("DMAR-IR: [Firmware Bug]: ioapic ")
        && text.ends_with("interrupt remapping will be disabled");
    let refused = text.starts_with("DMAR-IR: Not enabling interrupt remapping")
        || text.starts_with("DMAR-IR: Failed to enable irq remapping");
    (firmware_bug || refused).then_some(false)
}

/// domain.md 1.1, 1.4, 1.5. The AMD IOMMUv2 line is printed by the old `amd_iommu_v2`
/// module when no IOMMU is usable (`… on this system - This is not a bug.` on newer
/// kernels), so it only counts when nothing says the IOMMU is up.
fn dma_remapping(text: &str, is_group_addition: bool) -> Option<bool> {
    let message = device_message(text);
    let active = is_group_addition
        || text == "DMAR: Intel(R) Virtualization Technology for Directed I/O"
        || text.starts_with("perf/amd_iommu: Detected AMD IOMMU #")
        || message.starts_with("AMD-Vi: Found IOMMU");
    if active {
        return Some(true);
    }
    let v2_message = text.strip_prefix("AMD-Vi: ").unwrap_or(text);
    let disabled = text == "DMAR: IOMMU disabled"
        || v2_message.starts_with("AMD IOMMUv2 functionality not available on this system");
    disabled.then_some(false)
}

/// `pci 0000:00:02.0: Adding to iommu group 0` (the first word is whichever driver owns
/// the device), or on older kernels `iommu: Adding device 0000:00:02.0 to group 0`
/// (`drivers/iommu/iommu.c`, `iommu_group_add_device`) → the device and the group.
fn group_addition(text: &str) -> Option<(&str, u32)> {
    let (device, group) = match text.strip_prefix("iommu: Adding device ") {
        Some(rest) => rest.split_once(" to group ")?,
        None => {
            let (prefix, group) = text.split_once(": Adding to iommu group ")?;
            let (_driver, device) = prefix.split_once(' ')?;
            (device, group)
        }
    };
    if device.is_empty() || device.contains(' ') {
        return None;
    }
    Some((device, group.trim_end().parse().ok()?))
}

/// `iommu: Default domain type: Translated (set via kernel command line)` → "Translated"
/// (`drivers/iommu/iommu.c`, `iommu_subsys_init`; older kernels used `"%s %s"`, which
/// left a trailing space, so only the first word is taken).
fn default_domain(text: &str) -> Option<String> {
    let rest = text.strip_prefix("iommu: Default domain type: ")?;
    rest.split_whitespace().next().map(str::to_string)
}

/// `Hypervisor detected: KVM` (`arch/x86/kernel/cpu/hypervisor.c`) → "KVM".
fn hypervisor(text: &str) -> Option<String> {
    let name = text.strip_prefix("Hypervisor detected: ")?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// `Linux version 6.8.12-4-pve (build@proxmox) (gcc …) #1 SMP …` → "6.8.12-4-pve".
fn kernel_release(text: &str) -> Option<String> {
    let rest = text.strip_prefix("Linux version ")?;
    rest.split_whitespace().next().map(str::to_string)
}

/// `Command line: …` (`arch/x86/kernel/setup.c`, printed first on x86) or, on other
/// architectures, `Kernel command line: …` (`init/main.c`).
fn command_line(text: &str) -> Option<String> {
    let rest = text.strip_prefix("Command line: ").or_else(|| text.strip_prefix("Kernel command line: "))?;
    let cmdline = rest.trim();
    (!cmdline.is_empty()).then(|| cmdline.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::kernel_log::{read_kernel_log, DEFAULT_BUDGET_BYTES};
    use engine::facts::{vtd, LogOrigin};

    fn scan(text: &str) -> LogFindings {
        let log = read_kernel_log(text.as_bytes(), LogOrigin::Dmesg, "cmd/dmesg", DEFAULT_BUDGET_BYTES)
            .expect("reading from memory cannot fail");
        scan_kernel_log(&log)
    }

    fn at(line: u64) -> Provenance {
        Provenance::line("cmd/dmesg", line)
    }

    /// /work/shared/seeds/001: Intel `dmesg`, verbatim.
    const SEED_INTEL: &str = "\
[    0.013654] ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB      00000001 INTL 00000001)
[    0.065485] DMAR: IOMMU enabled
[    0.133534] DMAR: Host address width 36
[    0.133536] DMAR: DRHD base: 0x000000fed90000 flags: 0x0
[    0.133542] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap c0000020e60262 ecap f0101a
[    0.133545] DMAR: DRHD base: 0x000000fed91000 flags: 0x1
[    0.133549] DMAR: dmar1: reg_base_addr fed91000 ver 1:0 cap c9008020660262 ecap f0105a
[    0.133551] DMAR: RMRR base: 0x000000ba3ba000 end: 0x000000ba3d0fff
[    0.133553] DMAR: RMRR base: 0x000000bb800000 end: 0x000000bf9fffff
[    0.133557] DMAR-IR: IOAPIC id 2 under DRHD base  0xfed91000 IOMMU 1
[    0.133559] DMAR-IR: HPET id 0 under DRHD base 0xfed91000
[    0.133561] DMAR-IR: Queued invalidation will be enabled to support x2apic and Intr-remapping.
[    0.133975] DMAR-IR: Enabled IRQ remapping in x2apic mode
[    0.825025] DMAR: No ATSR found
[    0.825073] DMAR: dmar0: Using Queued invalidation
[    0.825079] DMAR: dmar1: Using Queued invalidation
[    0.913290] DMAR: Intel(R) Virtualization Technology for Directed I/O
[    5.728472] i915 0000:00:02.0: DMAR active, disabling use of stolen memory
";

    /// /work/shared/seeds/001: AMD `dmesg`, verbatim.
    const SEED_AMD: &str = "\
[    1.481126] pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported
[    1.484439] pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40
[    1.484440] pci 0000:00:00.2: AMD-Vi: Extended features (0x58f77ef22294ade):
[    1.484442] AMD-Vi: Interrupt remapping enabled
[    1.484442] AMD-Vi: Virtual APIC enabled
[    1.484443] AMD-Vi: X2APIC enabled
[    1.484564] AMD-Vi: Lazy IO/TLB flushing enabled
[    1.485735] perf/amd_iommu: Detected AMD IOMMU #0 (2 banks, 4 counters/bank).
";

    #[test]
    fn seed_intel_block() {
        let found = scan(SEED_INTEL);
        assert_eq!(found.acpi_table, Some(Fact::new(AcpiIommuTable::Dmar, at(1))));
        assert_eq!(
            found.dmar_units,
            [
                DmarUnit::new("dmar0", 0xc0000020e60262, 0xf0101a, at(5)),
                DmarUnit::new("dmar1", 0xc9008020660262, 0xf0105a, at(7)),
            ]
        );
        assert_eq!(found.interrupt_remapping, Some(Fact::new(true, at(13))));
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(17))));
        assert!(found.group_additions.is_empty());
        assert_eq!(found.hypervisor, None);
    }

    #[test]
    fn ecap_f0101a_supports_x2apic_remapping() {
        // 0x1a = 0001 1010: bit 1 (QI), bit 3 (IR) and bit 4 (EIM) are set, so this
        // unit can remap interrupts in x2APIC mode, as the seed's log goes on to say.
        let found = scan(SEED_INTEL);
        let dmar0 = &found.dmar_units[0];
        assert!(vtd::ir_supported(dmar0.registers.ecap));
        assert!(vtd::eim_supported(dmar0.registers.ecap));
        assert!(!vtd::caching_mode(dmar0.registers.cap));
    }

    #[test]
    fn ecap_without_ir_bit() {
        // seeds/000: "ecap 1000" indicates there is no interrupt remapping support.
        let found = scan("DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap c0000020e60262 ecap 1000\n");
        assert_eq!(found.dmar_units.len(), 1);
        assert!(!vtd::ir_supported(found.dmar_units[0].registers.ecap));
    }

    #[test]
    fn seed_amd_block() {
        let found = scan(SEED_AMD);
        assert_eq!(found.interrupt_remapping, Some(Fact::new(true, at(4))));
        // `Found IOMMU` on line 2 is the first proof that the IOMMU is up.
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(2))));
        assert_eq!(found.acpi_table, None);
        assert!(found.dmar_units.is_empty());
    }

    #[test]
    fn amd_newer_kernel_block() {
        // domain.md 1.4, observed on kernel 6.x with `amd_iommu=on`.
        let found = scan(
            "AMD-Vi: Unknown option - 'on'
AMD-Vi: Using global IVHD EFR:0x246577efa2254afa, EFR2:0x0
pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported
AMD-Vi: Extended features (0x246577efa2254afa, 0x0): PPR NX GT [5] IA GA PC GA_vAPIC
AMD-Vi: Interrupt remapping enabled
AMD-Vi: Virtual APIC enabled
perf/amd_iommu: Detected AMD IOMMU #0 (2 banks, 4 counters/bank).
",
        );
        assert_eq!(found.interrupt_remapping, Some(Fact::new(true, at(5))));
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(7))));
    }

    #[test]
    fn amd_old_found_iommu_form() {
        let found = scan("AMD-Vi: Found IOMMU at 0000:00:00.2 cap 0x40\n");
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(1))));
    }

    #[test]
    fn intel_observed_block_with_newer_units() {
        // domain.md 1.2, observed.
        let found = scan(
            "DMAR: IOMMU enabled
DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e
DMAR: dmar1: reg_base_addr fc801000 ver 7:0 cap c9de008cee690462 ecap 12ca9a00f0efde
DMAR-IR: Enabled IRQ remapping in x2apic mode
",
        );
        let units: Vec<(&str, u64, u64)> =
            found.dmar_units.iter().map(|u| (u.name.as_str(), u.registers.cap, u.registers.ecap)).collect();
        assert_eq!(
            units,
            [("dmar0", 0x1c0000c40660462, 0x19e2ff0505e), ("dmar1", 0xc9de008cee690462, 0x12ca9a00f0efde)]
        );
        assert_eq!(vtd::mgaw(found.dmar_units[0].registers.cap), 39);
        // `DMAR: IOMMU enabled` only says the option was parsed; it is not proof.
        assert_eq!(found.dma_remapping, None);
    }

    #[test]
    fn qemu_viommu_guest() {
        let found = scan(
            "[    0.000000] Hypervisor detected: KVM
[    0.012345] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 12008c22260286 ecap f00f5a
",
        );
        assert_eq!(found.hypervisor, Some(Fact::new("KVM".to_string(), at(1))));
        let unit = &found.dmar_units[0];
        assert_eq!((unit.registers.cap, unit.registers.ecap), (0x12008c22260286, 0xf00f5a));
        assert!(vtd::caching_mode(unit.registers.cap));
        assert!(vtd::ir_supported(unit.registers.ecap));
    }

    #[test]
    fn x2apic_opt_out_still_remaps_in_xapic_mode() {
        // seeds/003, verbatim.
        let found = scan(
            "[    0.000000] ACPI: DMAR 0x0000000076A37E48 000078 (v01 INTEL  SKL      00000001 INTL 00000001)
[    0.000000] DMAR: IOMMU enabled
[    0.065046] DMAR: Host address width 39
[    0.065047] DMAR: DRHD base: 0x000000fed90000 flags: 0x1
[    0.065051] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c40660462 ecap f050da
[    0.065051] DMAR: RMRR base: 0x00000076779000 end: 0x00000076798fff
[    0.065052] DMAR-IR: IOAPIC id 2 under DRHD base  0xfed90000 IOMMU 0
[    0.065053] DMAR-IR: HPET id 0 under DRHD base 0xfed90000
[    0.065053] DMAR-IR: x2apic is disabled because BIOS sets x2apic opt out bit.
[    0.065053] DMAR-IR: Use 'intremap=no_x2apic_optout' to override the BIOS setting.
[    0.066337] DMAR-IR: Enabled IRQ remapping in xapic mode
[    1.038203] DMAR: [Firmware Bug]: RMRR entry for device 03:00.0 is broken - applying workaround
[    1.038204] DMAR: No ATSR found
[    1.038537] DMAR: dmar0: Using Queued invalidation
[    1.038601] DMAR: Intel(R) Virtualization Technology for Directed I/O
",
        );
        assert_eq!(found.acpi_table, Some(Fact::new(AcpiIommuTable::Dmar, at(1))));
        assert_eq!(found.interrupt_remapping, Some(Fact::new(true, at(11))));
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(15))));
        assert_eq!(found.dmar_units.len(), 1);
    }

    #[test]
    fn interrupt_remapping_refused() {
        for line in [
            "DMAR-IR: Not enabling interrupt remapping",
            "DMAR-IR: Failed to enable irq remapping. You are vulnerable to irq-injection attacks.",
            "DMAR-IR: [Firmware Bug]: ioapic 2 has no mapping iommu, interrupt remapping will be disabled",
        ] {
            assert_eq!(scan(line).interrupt_remapping, Some(Fact::new(false, at(1))), "{line}");
        }
        let found =
            scan("DMAR-IR: Not enabling interrupt remapping\nDMAR-IR: Enabled IRQ remapping in xapic mode\n");
        assert_eq!(found.interrupt_remapping, Some(Fact::new(true, at(2))));
    }

    #[test]
    fn iommu_disabled() {
        let found = scan("[    0.000000] ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB      00000001 INTL 00000001)\n[    0.050000] DMAR: IOMMU disabled\n");
        assert_eq!(found.dma_remapping, Some(Fact::new(false, at(2))));
        assert_eq!(found.acpi_table.map(|f| f.value), Some(AcpiIommuTable::Dmar));
    }

    #[test]
    fn amd_iommuv2_unavailable_only_without_proof() {
        for line in [
            "AMD-Vi: AMD IOMMUv2 functionality not available on this system",
            "AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.",
        ] {
            assert_eq!(scan(line).dma_remapping, Some(Fact::new(false, at(1))), "{line}");
        }
        let found = scan(
            "AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.\npci 0000:00:01.0: Adding to iommu group 0\n",
        );
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(2))));
        let found = scan(
            "pci 0000:00:01.0: Adding to iommu group 0\nAMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.\n",
        );
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(1))));
    }

    #[test]
    fn ivrs_table() {
        let found = scan("[    0.010201] ACPI: IVRS 0x00000000BC6B4000 0000D0 (v02 AMD    AmdTable 00000001 AMD  00000001)\n");
        assert_eq!(found.acpi_table, Some(Fact::new(AcpiIommuTable::Ivrs, at(1))));
        let found = scan("ACPI: Reserving IVRS table memory at [mem 0xbc6b4000-0xbc6b40cf]\n");
        assert_eq!(found.acpi_table.map(|f| f.value), Some(AcpiIommuTable::Ivrs));
        let found = scan("ACPI: DMAR 00000000bafda000 000B8 (v01 INTEL SNB 00000001 INTL 00000001)\n");
        assert_eq!(found.acpi_table.map(|f| f.value), Some(AcpiIommuTable::Dmar));
    }

    #[test]
    fn other_acpi_tables_say_nothing() {
        let found = scan(
            "ACPI: FACP 0x00000000BAFD6000 0000F4 (v04 ALASKA A M I    01072009 AMI  00010013)\nACPI: DMAR table not found\nACPI: Reserving FACP table memory at [mem 0xbafd6000-0xbafd60f3]\n",
        );
        assert_eq!(found.acpi_table, None);
    }

    #[test]
    fn group_additions_in_order() {
        let found = scan(
            "pci 0000:00:02.0: Adding to iommu group 0
vfio-pci 0000:01:00.0: Adding to iommu group 12
iommu: Adding device 0000:01:00.1 to group 12
platform AMDI0010:00: Adding to iommu group 3
pci 0000:00:1f.0: Adding to iommu group notanumber
",
        );
        assert_eq!(
            found.group_additions,
            [
                ("0000:00:02.0".to_string(), 0),
                ("0000:01:00.0".to_string(), 12),
                ("0000:01:00.1".to_string(), 12)
            ]
        );
        assert_eq!(found.dma_remapping, Some(Fact::new(true, at(1))));
    }

    #[test]
    fn default_domain_type() {
        let found = scan("iommu: Default domain type: Translated\n");
        assert_eq!(found.default_domain, Some(Fact::new("Translated".to_string(), at(1))));
        let found = scan("iommu: Default domain type: Passthrough (set via kernel command line)\n");
        assert_eq!(found.default_domain.map(|f| f.value).as_deref(), Some("Passthrough"));
    }

    #[test]
    fn kernel_release_and_command_line() {
        let found = scan(
            "Jun 29 18:28:41 pve kernel: Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) ()
Jun 29 18:28:41 pve kernel: Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt
Jun 29 18:28:41 pve kernel: Kernel command line: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt
",
        );
        assert_eq!(found.kernel_release, Some(Fact::new("6.8.12-4-pve".to_string(), at(1))));
        assert_eq!(
            found.cmdline,
            Some(Fact::new(
                "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt"
                    .to_string(),
                at(2)
            ))
        );
    }

    #[test]
    fn matching_is_case_sensitive_and_anchored() {
        let found = scan(
            "dmar: intel(r) virtualization technology for directed i/o
some tool said: DMAR-IR: Enabled IRQ remapping in x2apic mode
hypervisor detected: KVM
Hypervisor detected:
",
        );
        assert_eq!(found, LogFindings::default());
    }

    #[test]
    fn empty_log_finds_nothing() {
        assert_eq!(scan(""), LogFindings::default());
    }

    fn noise() -> String {
        crate::parse::testing::noise("DMAR-IR: dmar0 reg_base_addr cap ecap 0123abc ACPI IVRS Adding to iommu group pci 0000:00:00.1 \n")
    }

    #[test]
    fn never_panics_on_noise() {
        let found = scan(&noise());
        assert!(found.group_additions.iter().all(|(a, _)| full_pci_address(a).is_some()));
    }
}
