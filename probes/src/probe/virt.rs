//! Is this host itself a virtual machine, and under what? (domain.md 7.1)

use crate::collect::Ctx;
use crate::host::Command;
use engine::facts::{Dmi, Fact, Facts, Provenance};
use std::io::Read;

const DMI: &str = "sys/class/dmi/id";

/// DMI vendor prefixes of hypervisors, after systemd's `detect_vm_dmi_vendor` table
/// (`src/basic/virt.c`), with the name systemd reports.
const DMI_VENDORS: [(&str, &str); 12] = [
    ("KVM", "KVM"),
    ("OpenStack", "KVM"),
    ("KubeVirt", "KVM"),
    ("Amazon EC2", "Amazon"),
    ("QEMU", "QEMU"),
    ("VMware", "VMware"),
    ("VMW", "VMware"),
    ("innotek GmbH", "Oracle"),
    ("VirtualBox", "Oracle"),
    ("Xen", "Xen"),
    ("Bochs", "Bochs"),
    ("Parallels", "Parallels"),
];

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    facts.virt.dmi = dmi(ctx);
    facts.virt.detect_virt = detect_virt(ctx);
    let log_hypervisor = ctx.log.as_ref().and_then(|l| l.hypervisor.clone());
    let dmi_vendor = facts.virt.dmi.as_ref().and_then(|d| {
        let dmi = &d.value;
        [&dmi.sys_vendor, &dmi.product_name, &dmi.board_vendor, &dmi.bios_vendor]
            .into_iter()
            .flatten()
            .find_map(|value| DMI_VENDORS.iter().find(|(prefix, _)| value.starts_with(prefix)))
            .map(|(_, name)| Fact::new(name.to_string(), d.from.clone()))
    });
    let detected = facts
        .virt
        .detect_virt
        .as_ref()
        .filter(|d| d.value != "none")
        .map(|d| Fact::new(d.value.clone(), d.from.clone()));
    facts.virt.hypervisor = log_hypervisor.clone().or(detected.clone()).or(dmi_vendor.clone());

    // The CPUID hypervisor bit is the strongest signal; `kvm=off` does not clear it.
    let flag = facts.cpu.has_flag("hypervisor").zip(facts.cpu.flags.as_ref().map(|f| f.from.clone()));
    facts.virt.is_guest = match flag {
        Some((true, from)) => Some(Fact::new(true, from)),
        _ => {
            if let Some(evidence) = log_hypervisor.or(detected).or(dmi_vendor) {
                Some(Fact::new(true, evidence.from))
            } else if let Some(none) = facts.virt.detect_virt.as_ref().filter(|d| d.value == "none") {
                Some(Fact::new(false, none.from.clone()))
            } else {
                flag.map(|(on, from)| Fact::new(on, from))
            }
        }
    };
}

fn dmi(ctx: &mut Ctx) -> Option<Fact<Dmi>> {
    ctx.host.kind(DMI)?;
    let mut field = |name: &str| {
        ctx.text(&format!("{DMI}/{name}")).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
    };
    let dmi = Dmi {
        sys_vendor: field("sys_vendor"),
        product_name: field("product_name"),
        board_vendor: field("board_vendor"),
        board_name: field("board_name"),
        bios_vendor: field("bios_vendor"),
        bios_version: field("bios_version"),
        chassis_type: field("chassis_type"),
    };
    Some(Fact::new(dmi, Provenance::file(DMI)))
}

fn detect_virt(ctx: &mut Ctx) -> Option<Fact<String>> {
    let path = Command::DetectVirt.snapshot_path();
    match ctx.host.command(Command::DetectVirt) {
        Ok(mut reader) => {
            let mut text = String::new();
            reader.read_to_string(&mut text).ok()?;
            let value = text.trim().to_string();
            (!value.is_empty()).then(|| Fact::new(value, Provenance::file(path)))
        }
        Err(e) => {
            // systemd-detect-virt exits 1 and prints `none` on bare metal.
            if let crate::host::HostError::CommandFailed { .. } = e {
                return Some(Fact::new("none".into(), Provenance::file(path)));
            }
            ctx.failed(path, &e);
            None
        }
    }
}
