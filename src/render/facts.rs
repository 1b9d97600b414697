//! The human summary of `vfio-doctor facts`: one block per area, tables for devices,
//! groups and VMs, and what could not be read with the command that would read it.

use super::style::{bad, dim, good, heading, warn};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use engine::facts::{DriverBinding, Fact, Facts, KernelVersion, PciDevice};
use std::io::{self, Write};

pub fn write(out: &mut impl Write, facts: &Facts, remarks: &[String]) -> io::Result<()> {
    source(out, facts)?;
    system(out, facts)?;
    iommu(out, facts)?;
    devices(out, facts)?;
    modules(out, facts)?;
    vms(out, facts)?;
    unreadable(out, facts, remarks)
}

fn unknown() -> String {
    dim("unknown")
}

fn or_unknown<T>(fact: &Option<Fact<T>>, show: impl Fn(&T) -> String) -> String {
    fact.as_ref().map_or_else(unknown, |f| show(&f.value))
}

fn line(out: &mut impl Write, label: &str, value: String) -> io::Result<()> {
    writeln!(out, "  {:<22} {value}", format!("{label}:"))
}

fn source(out: &mut impl Write, facts: &Facts) -> io::Result<()> {
    let c = &facts.collection;
    let what = match c.source_kind.as_str() {
        "live" => "this host (live)".to_string(),
        kind => format!("{kind} {}", c.source.join(", ")),
    };
    let privilege = match c.privileged {
        Some(true) => "as root".to_string(),
        Some(false) => warn("unprivileged"),
        None => String::new(),
    };
    writeln!(out, "{} {what} {privilege}", heading("Source:"))?;
    if let Some(at) = &c.captured_at {
        writeln!(out, "  {}", dim(&format!("captured {at}")))?;
    }
    writeln!(out)
}

fn system(out: &mut impl Write, facts: &Facts) -> io::Result<()> {
    let k = &facts.kernel;
    writeln!(out, "{}", heading("System"))?;
    line(
        out,
        "Distribution",
        or_unknown(&k.distro, |d| d.pretty_name.clone().unwrap_or_else(|| d.id.clone())),
    )?;
    if let Some(pve) = &k.proxmox {
        line(out, "Proxmox VE", pve.value.manager.clone().unwrap_or_else(unknown))?;
    }
    line(out, "Kernel", or_unknown(&k.release, Clone::clone))?;
    line(out, "Command line", or_unknown(&k.cmdline, |c| c.raw.clone()))?;
    line(out, "Firmware", or_unknown(&facts.boot.firmware, |f| format!("{f:?}").to_uppercase()))?;
    line(out, "Bootloader", or_unknown(&facts.boot.loader, |l| format!("{l:?}")))?;
    for configured in &facts.boot.configured {
        line(out, "  configured in", format!("{}: {}", configured.from, configured.cmdline.raw))?;
    }
    line(out, "Initramfs tool", or_unknown(&k.initramfs_tool, |t| format!("{t:?}")))?;
    let cpu = &facts.cpu;
    let model = or_unknown(&cpu.model_name, Clone::clone);
    let flags = cpu.flags.as_ref().map(|f| f.value.join(" ")).unwrap_or_default();
    line(out, "CPU", format!("{model} {}", dim(&flags)))?;
    let guest = match facts.virt.is_guest.as_ref().map(|g| g.value) {
        Some(true) => warn(&format!(
            "yes, a virtual machine{}",
            facts.virt.hypervisor.as_ref().map(|h| format!(" under {}", h.value)).unwrap_or_default()
        )),
        Some(false) => "no (bare metal)".into(),
        None => unknown(),
    };
    line(out, "Running in a VM", guest)?;
    if let Some(nested) = &cpu.nested {
        line(out, "Nested virtualisation", if nested.value { "enabled".into() } else { "disabled".into() })?;
    }
    if let Some(log) = &facts.kernel_log {
        line(out, "Kernel log", format!("{} lines from {} ({:?})", log.lines.len(), log.source, log.origin))?;
    } else {
        line(out, "Kernel log", unknown())?;
    }
    writeln!(out)
}

fn yes_no(value: bool) -> String {
    if value {
        good("yes")
    } else {
        bad("no")
    }
}

fn iommu(out: &mut impl Write, facts: &Facts) -> io::Result<()> {
    let i = &facts.iommu;
    writeln!(out, "{}", heading("IOMMU"))?;
    let units = match &i.units {
        Some(u) if u.value.is_empty() => bad(&format!("none active ({} is empty)", u.from.source)),
        Some(u) => good(&u.value.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ")),
        None => unknown(),
    };
    line(out, "IOMMU units", units)?;
    line(out, "Firmware table", or_unknown(&i.acpi_table, |t| format!("{t:?}").to_uppercase()))?;
    line(out, "DMA remapping", or_unknown(&i.dma_remapping, |v| yes_no(*v)))?;
    line(out, "Interrupt remapping", or_unknown(&i.interrupt_remapping, |v| yes_no(*v)))?;
    for unit in &i.dmar_units {
        let r = &unit.registers;
        let detail = format!(
            "cap {:x} ecap {:x}: interrupt remapping {}, {}-bit",
            r.cap,
            r.ecap,
            if r.interrupt_remapping { good("supported") } else { bad("not supported") },
            r.address_width
        );
        line(out, &format!("  {}", unit.name), detail)?;
    }
    match &i.groups {
        Some(groups) if groups.value.is_empty() => line(out, "IOMMU groups", bad("none"))?,
        Some(groups) => {
            line(out, "IOMMU groups", format!("{}", groups.value.len()))?;
            let shared: Vec<_> = groups.value.iter().filter(|g| g.devices.len() > 1).collect();
            for group in shared {
                line(out, &format!("  group {}", group.id), group.devices.join(", "))?;
            }
        }
        None => line(out, "IOMMU groups", unknown())?,
    }
    writeln!(out)
}

fn driver(device: &PciDevice) -> String {
    match &device.driver {
        DriverBinding::Bound(name) if name == "vfio-pci" => good(name),
        DriverBinding::Bound(name) => name.clone(),
        DriverBinding::Unbound => dim("none"),
        DriverBinding::Unknown => unknown(),
    }
}

fn device_notes(device: &PciDevice, kernel: Option<KernelVersion>) -> String {
    let mut notes = Vec::new();
    if device.boot_vga == Some(true) {
        notes.push(warn("boot VGA"));
    }
    if let Some(methods) = &device.reset_methods {
        if methods.is_empty() {
            if kernel.is_some() {
                notes.push(warn("no reset method"));
            }
        } else {
            notes.push(format!("reset: {}", methods.join(",")));
        }
    }
    if let Some(config) = &device.config {
        if let Some(msi) = &config.msi {
            notes.push(format!("MSI{}", if msi.enabled { "+" } else { "-" }));
        }
        if let Some(express) = &config.express {
            if express.flr {
                notes.push("FLR".into());
            }
        }
        if config.capabilities.is_none() {
            notes.push(dim("caps: need root"));
        }
    }
    if let Some(state) = device.power_state.as_deref().filter(|s| *s != "D0") {
        notes.push(warn(state));
    }
    notes.join(" ")
}

fn devices(out: &mut impl Write, facts: &Facts) -> io::Result<()> {
    writeln!(out, "{}", heading("PCI devices"))?;
    let Some(devices) = &facts.pci else {
        return writeln!(out, "  {}\n", unknown());
    };
    let kernel = facts.kernel.release.as_ref().and_then(|r| KernelVersion::parse(&r.value));
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["Address", "IDs", "Class", "Device", "Driver", "Group", "Notes"]);
    for device in devices {
        let name = [device.vendor_name.as_deref(), device.device_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        table.add_row([
            device.address.clone(),
            device.id_pair(),
            device.class_name.clone().unwrap_or_else(|| format!("{:06x}", device.class)),
            name,
            driver(device),
            device.iommu_group.map_or_else(|| dim("-"), |g| g.to_string()),
            device_notes(device, kernel),
        ]);
    }
    writeln!(out, "{table}\n")
}

fn modules(out: &mut impl Write, facts: &Facts) -> io::Result<()> {
    let m = &facts.modules;
    writeln!(out, "{}", heading("Modules"))?;
    let loaded = |name: &str| match (m.is_loaded(name), m.is_builtin(name)) {
        (_, Some(true)) => good("built in"),
        (Some(true), _) => good("loaded"),
        (Some(false), _) => "not loaded".into(),
        (None, _) => unknown(),
    };
    for module in ["vfio", "vfio_pci", "vfio_iommu_type1", "vendor_reset"] {
        line(out, module, loaded(module))?;
    }
    for parameter in &m.parameters {
        line(out, &format!("{}.{}", parameter.module, parameter.name), parameter.value.clone())?;
    }
    if let Some(directives) = &m.modprobe {
        for d in directives {
            line(
                out,
                "modprobe.d",
                format!(
                    "{} {} {}  {}",
                    format!("{:?}", d.kind).to_lowercase(),
                    d.module,
                    d.args,
                    dim(&d.from.to_string())
                ),
            )?;
        }
    }
    if let Some(list) = &m.load_at_boot {
        let names: Vec<&str> = list.iter().map(|f| f.value.as_str()).collect();
        line(out, "loaded at boot", names.join(" "))?;
    }
    writeln!(out)
}

fn vms(out: &mut impl Write, facts: &Facts) -> io::Result<()> {
    if facts.vms.is_empty() && facts.start_logs.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", heading("Virtual machines"))?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["VM", "Manager", "Machine", "Firmware", "Passthrough"]);
    for vm in &facts.vms {
        let passthrough = vm
            .passthrough
            .iter()
            .map(|p| format!("{}: {}", p.key, p.hosts.join(";")))
            .collect::<Vec<_>>()
            .join("\n");
        table.add_row([
            vm.name.clone().map_or_else(|| vm.id.clone(), |n| format!("{} ({n})", vm.id)),
            format!("{:?}", vm.manager).to_lowercase(),
            vm.machine.clone().unwrap_or_else(|| dim("default")),
            vm.bios.clone().unwrap_or_else(|| dim("default")),
            passthrough,
        ]);
    }
    if !facts.vms.is_empty() {
        writeln!(out, "{table}")?;
    }
    for log in &facts.start_logs {
        writeln!(out, "  Start errors from {}:", log.source)?;
        for l in log.lines.iter().take(20) {
            writeln!(out, "    {}", l.raw)?;
        }
    }
    writeln!(out)
}

fn unreadable(out: &mut impl Write, facts: &Facts, remarks: &[String]) -> io::Result<()> {
    let c = &facts.collection;
    if c.unreadable.is_empty() && remarks.is_empty() && c.notes.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", heading("Could not read"))?;
    for u in &c.unreadable {
        let hint = u.hint.as_ref().map(|h| format!(" → {h}")).unwrap_or_default();
        writeln!(out, "  {} {}{}", u.path, dim(&format!("({})", u.reason)), hint)?;
    }
    for note in &c.notes {
        writeln!(out, "  {} {}", note.source, dim(&note.message))?;
    }
    for remark in remarks {
        writeln!(out, "  {remark}")?;
    }
    Ok(())
}
