//! IOMMU state: units, groups, firmware tables and interrupt remapping (domain.md 1).

use crate::collect::Ctx;
use crate::parse::iommu_listing::parse_iommu_listing;
use crate::parse::{interrupts, sysfs_pci};
use engine::facts::{
    AcpiIommuTable, Fact, Facts, IommuGroup, IommuKind, IommuUnit, Provenance, ReservedRegion, VtdRegisters,
};
use std::collections::BTreeMap;

const CLASS_IOMMU: &str = "sys/class/iommu";
const GROUPS: &str = "sys/kernel/iommu_groups";
const ACPI_TABLES: &str = "sys/firmware/acpi/tables";
/// Where a pasted group listing is laid out (see `crate::paste`).
pub const PASTED_GROUPS: &str = "cmd/iommu-groups";

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    facts.iommu.units = units(ctx);
    facts.iommu.groups = groups(ctx).or_else(|| pasted_groups(ctx));
    facts.iommu.acpi_table = acpi_table(ctx);
    if let Some(found) = ctx.log.clone() {
        facts.iommu.dmar_units = found.dmar_units;
        facts.iommu.interrupt_remapping = found.interrupt_remapping;
        facts.iommu.dma_remapping = found.dma_remapping;
        facts.iommu.default_domain = found.default_domain;
        if facts.iommu.acpi_table.is_none() {
            facts.iommu.acpi_table = found.acpi_table;
        }
    }
    if let Some(text) = ctx.text("proc/interrupts") {
        let summary = interrupts::parse_interrupts(&text);
        if facts.iommu.interrupt_remapping.is_none() {
            if let (Some(on), Some(line)) = (summary.remapped, summary.evidence_line) {
                facts.iommu.interrupt_remapping =
                    Some(Fact::new(on, Provenance::line("proc/interrupts", line)));
            }
        }
        ctx.vfio_interrupts = Some(summary.vfio);
    }
}

fn units(ctx: &mut Ctx) -> Option<Fact<Vec<IommuUnit>>> {
    if ctx.host.kind(CLASS_IOMMU).is_none() {
        // A captured /sys/class without an iommu class means no IOMMU driver at all.
        return ctx.host.exists("sys/class").then(|| Fact::new(Vec::new(), Provenance::file(CLASS_IOMMU)));
    }
    let names = ctx.list(CLASS_IOMMU)?;
    let mut units = Vec::new();
    for name in names {
        let base = format!("{CLASS_IOMMU}/{name}");
        let kind = if name.starts_with("dmar") {
            IommuKind::Intel
        } else if name.starts_with("ivhd") {
            IommuKind::Amd
        } else if ctx.host.read_link(&base).is_ok_and(|t| t.contains("virtio")) {
            IommuKind::Virtio
        } else {
            IommuKind::Other
        };
        let registers = if kind == IommuKind::Intel {
            let cap = hex_register(ctx, &format!("{base}/intel-iommu/cap"));
            let ecap = hex_register(ctx, &format!("{base}/intel-iommu/ecap"));
            cap.zip(ecap).map(|(cap, ecap)| VtdRegisters::decode(cap, ecap))
        } else {
            None
        };
        units.push(IommuUnit { name, kind, registers, from: Provenance::file(base) });
    }
    Some(Fact::new(units, Provenance::file(CLASS_IOMMU)))
}

/// Intel `cap`/`ecap` are printed as hex without `0x` (`%llx`).
fn hex_register(ctx: &mut Ctx, path: &str) -> Option<u64> {
    let text = ctx.text(path)?;
    u64::from_str_radix(text.trim().trim_start_matches("0x"), 16).ok()
}

fn groups(ctx: &mut Ctx) -> Option<Fact<Vec<IommuGroup>>> {
    if ctx.host.kind(GROUPS).is_none() {
        return ctx.host.exists("sys/kernel").then(|| Fact::new(Vec::new(), Provenance::file(GROUPS)));
    }
    let mut groups = Vec::new();
    for name in ctx.list(GROUPS)? {
        let Ok(id) = name.parse::<u32>() else { continue };
        let base = format!("{GROUPS}/{name}");
        let mut devices: Vec<String> = ctx
            .list(&format!("{base}/devices"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| sysfs_pci::normalize_address(&d))
            .collect();
        devices.sort();
        let domain_type = ctx.text(&format!("{base}/type")).map(|t| t.trim().to_string());
        let reserved_regions = ctx
            .text(&format!("{base}/reserved_regions"))
            .map(|t| parse_reserved_regions(&t))
            .unwrap_or_default();
        groups.push(IommuGroup { id, devices, domain_type, reserved_regions });
    }
    groups.sort_by_key(|g| g.id);
    Some(Fact::new(groups, Provenance::file(GROUPS)))
}

/// `reserved_regions`: lines of `0x%016llx 0x%016llx %s` (start, end, type).
fn parse_reserved_regions(text: &str) -> Vec<ReservedRegion> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let start = u64::from_str_radix(parts.next()?.trim_start_matches("0x"), 16).ok()?;
            let end = u64::from_str_radix(parts.next()?.trim_start_matches("0x"), 16).ok()?;
            Some(ReservedRegion { start, end, kind: parts.next()?.to_string() })
        })
        .collect()
}

fn pasted_groups(ctx: &mut Ctx) -> Option<Fact<Vec<IommuGroup>>> {
    if !ctx.host.exists(PASTED_GROUPS) {
        return None;
    }
    let text = ctx.text(PASTED_GROUPS)?;
    let mut by_id: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for member in parse_iommu_listing(&text) {
        by_id.entry(member.group).or_default().push(member.address);
    }
    let groups = by_id
        .into_iter()
        .map(|(id, mut devices)| {
            devices.sort();
            devices.dedup();
            IommuGroup { id, devices, domain_type: None, reserved_regions: Vec::new() }
        })
        .collect();
    Some(Fact::new(groups, Provenance::file(PASTED_GROUPS)))
}

fn acpi_table(ctx: &mut Ctx) -> Option<Fact<AcpiIommuTable>> {
    ctx.host.kind(ACPI_TABLES)?;
    for (name, table) in [("DMAR", AcpiIommuTable::Dmar), ("IVRS", AcpiIommuTable::Ivrs)] {
        let path = format!("{ACPI_TABLES}/{name}");
        if ctx.host.exists(&path) {
            return Some(Fact::new(table, Provenance::file(path)));
        }
    }
    Some(Fact::new(AcpiIommuTable::None, Provenance::file(ACPI_TABLES)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_reserved_regions() {
        let regions = super::parse_reserved_regions(
            "0x00000000fee00000 0x00000000feefffff msi\n0x000000007c000000 0x00000000803fffff direct\n",
        );
        assert_eq!(regions.len(), 2);
        assert_eq!(regions[1].kind, "direct");
        assert_eq!(regions[1].start, 0x7c00_0000);
    }
}
