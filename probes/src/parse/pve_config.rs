//! Proxmox VE VM configs (`/etc/pve/qemu-server/<vmid>.conf`, domain.md 6.1–6.3).
//!
//! Mirrors `parse_vm_config` in `qs: PVE/QemuServer.pm`: `key: value` lines, `#`
//! description lines, and `[section]` headers. Only the lines before the first section
//! are the live config; `[PENDING]` holds changes not applied yet, other sections are
//! snapshots or `[special:…]` data. Values are property strings
//! (`pve-common: PVE/JSONSchema.pm`, `parse_property_string`).
//!
//! Fields hold what the file says, not Proxmox's defaults: an option that is not written
//! stays `None`. A value Proxmox would reject is not guessed at; for `hostpciN` it is
//! kept verbatim in `Passthrough::other`. Pure: no I/O, never panics.

use engine::facts::{Passthrough, Provenance, Vm, VmCpu, VmManager};

/// `MAX_HOSTPCI_DEVICES` in `qs: PVE/QemuServer/PCI.pm`: keys `hostpci0` to `hostpci15`.
const MAX_HOSTPCI_DEVICES: u8 = 16;

/// Parses a whole config: the live part before the first `[section]`, snapshot section
/// names, and `hostpciN` entries of `[PENDING]`. `vmid` comes from the file name;
/// `from` is the file. Lines that are not `key: value` are skipped.
pub fn parse_vm_config(text: &str, vmid: &str, from: Provenance) -> Vm {
    let mut vm = Vm {
        manager: VmManager::Proxmox,
        id: vmid.to_string(),
        name: None,
        machine: None,
        q35: false,
        viommu: None,
        bios: None,
        cpu: None,
        ostype: None,
        vga: None,
        args: None,
        onboot: None,
        passthrough: Vec::new(),
        kvm_hidden: None,
        hv_vendor_id: None,
        ioapic_driver: None,
        snapshots: Vec::new(),
        pending: Vec::new(),
        from,
    };
    let mut section = Section::Live;
    // A byte-order mark comes with text saved by some Windows editors.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `lines()` also drops the `\r` of CRLF files (pasted from Windows editors).
    for (index, raw_line) in text.lines().enumerate() {
        // Proxmox never indents; pastes from forums often do, so leading space is ignored.
        let line = raw_line.trim();
        // Description lines (`#…`, percent-encoded) carry nothing passthrough needs.
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = section_header(line) {
            section = enter_section(&mut vm, header);
            continue;
        }
        let Some((key, value)) = split_key_value(line) else {
            continue;
        };
        let at = Provenance::line(vm.from.source.clone(), index as u64 + 1);
        match section {
            Section::Live => apply_live_key(&mut vm, key, value, at),
            Section::Pending if is_hostpci_key(key) => {
                upsert(&mut vm.pending, parse_hostpci(key, value, at));
            }
            Section::Pending | Section::Other => {}
        }
    }
    vm
}

/// Where the lines being read belong.
#[derive(Clone, Copy)]
enum Section {
    Live,
    Pending,
    /// A snapshot or a `[special:…]` section: not the running config.
    Other,
}

/// A recognised `[…]` line.
enum SectionHeader<'a> {
    Pending,
    /// `[special:cloudinit]`, `[special:fleecing]`.
    Special,
    Snapshot(&'a str),
}

fn enter_section(vm: &mut Vm, header: SectionHeader<'_>) -> Section {
    match header {
        SectionHeader::Pending => Section::Pending,
        SectionHeader::Special => Section::Other,
        SectionHeader::Snapshot(name) => {
            // A repeated name replaces the earlier section in Proxmox (a hash key).
            if !vm.snapshots.iter().any(|known| known == name) {
                vm.snapshots.push(name.to_string());
            }
            Section::Other
        }
    }
}

/// The header regexes of `parse_vm_config`, all case-insensitive: `^\[PENDING\]`,
/// `^\[special:…\]` and snapshots `^\[([a-z][a-z0-9_\-]+)\]`. Any other bracketed line
/// is not a header: Proxmox warns and stays in the current section.
fn section_header(line: &str) -> Option<SectionHeader<'_>> {
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    if inner.eq_ignore_ascii_case("PENDING") {
        return Some(SectionHeader::Pending);
    }
    let special =
        inner.get(..8).filter(|prefix| prefix.eq_ignore_ascii_case("special:")).and_then(|_| inner.get(8..));
    match special {
        Some(kind) if is_pve_id(kind) => Some(SectionHeader::Special),
        _ if is_pve_id(inner) => Some(SectionHeader::Snapshot(inner)),
        _ => None,
    }
}

/// `[a-z][a-z0-9_\-]+`, case-insensitive: snapshot names here, and the ids that
/// `pve_verify_configid` accepts (`pve-common: PVE/JSONSchema.pm`), such as mapping ids.
pub(crate) fn is_pve_id(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && !chars.as_str().is_empty()
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `^([a-z][a-z_\-]*\d*):\s*(.+?)\s*$` from `parse_vm_config`.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let value = value.trim();
    (is_config_key(key) && !value.is_empty()).then_some((key, value))
}

fn is_config_key(key: &str) -> bool {
    let name = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
}

/// `hostpci0` … `hostpci15`; `hostpci16` or `hostpci01` are not schema keys, so Proxmox
/// ignores them.
fn is_hostpci_key(key: &str) -> bool {
    key.strip_prefix("hostpci")
        .and_then(|index| {
            let n = index.parse::<u8>().ok()?;
            (n.to_string() == index).then_some(n)
        })
        .is_some_and(|n| n < MAX_HOSTPCI_DEVICES)
}

/// A repeated key overwrites the earlier one, as in Proxmox (`$conf->{$key} = $value`).
fn apply_live_key(vm: &mut Vm, key: &str, value: &str, at: Provenance) {
    match key {
        "name" => vm.name = Some(value.to_string()),
        "machine" => apply_machine(vm, value),
        "bios" => vm.bios = Some(value.to_string()),
        "cpu" => vm.cpu = Some(parse_cpu(value)),
        "ostype" => vm.ostype = Some(value.to_string()),
        // Kept whole: `vga: none`, `vga: virtio,memory=64`, `vga: serial0`.
        "vga" => vm.vga = Some(value.to_string()),
        // Stored verbatim by Proxmox too (the `^(args):` branch of `parse_vm_config`).
        "args" => vm.args = Some(value.to_string()),
        "onboot" => vm.onboot = parse_boolean(value),
        _ if is_hostpci_key(key) => upsert(&mut vm.passthrough, parse_hostpci(key, value, at)),
        _ => {}
    }
}

/// `[type=]<type>[,viommu=intel|virtio][,aw-bits=N]…` (`qs: PVE/QemuServer/Machine.pm`).
/// `aw-bits` and `enable-s3`/`enable-s4` have no field in [`Vm`].
fn apply_machine(vm: &mut Vm, value: &str) {
    vm.machine = None;
    vm.viommu = None;
    for property in property_parts(value) {
        match property.key.unwrap_or("type") {
            "type" => {
                set_text(&mut vm.machine, property.value);
            }
            "viommu" => {
                set_text(&mut vm.viommu, property.value);
            }
            _ => {}
        }
    }
    // `machine_type_is_q35`: the type matches /q35/ (`q35`, `pc-q35-8.1`, …).
    vm.q35 = vm.machine.as_deref().is_some_and(|machine| machine.contains("q35"));
}

/// `[cputype=]<model>[,hidden=0|1][,hv-vendor-id=…][,flags=+f1;-f2][,phys-bits=…]`
/// (`qs: PVE/QemuServer/CPUConfig.pm`). `reported-model` and `guest-phys-bits` have no
/// field in [`VmCpu`].
fn parse_cpu(value: &str) -> VmCpu {
    let mut cpu = VmCpu::default();
    for property in property_parts(value) {
        match property.key.unwrap_or("cputype") {
            "cputype" => {
                set_text(&mut cpu.model, property.value);
            }
            "hidden" => {
                set_bool(&mut cpu.hidden, property.value);
            }
            "hv-vendor-id" => {
                set_text(&mut cpu.hv_vendor_id, property.value);
            }
            "flags" => cpu.flags = split_list(property.value),
            "phys-bits" => {
                set_text(&mut cpu.phys_bits, property.value);
            }
            _ => {}
        }
    }
    cpu
}

/// One `hostpciN` value (`$hostpci_fmt` in `qs: PVE/QemuServer/PCI.pm`). `host` is the
/// default key and may list several devices with `;`. Any unknown or repeated option
/// lands in `other` as written.
fn parse_hostpci(key: &str, value: &str, from: Provenance) -> Passthrough {
    let mut entry = Passthrough { key: key.to_string(), from, ..Passthrough::default() };
    for property in property_parts(value) {
        if !set_hostpci_option(&mut entry, property.key.unwrap_or("host"), property.value) {
            entry.other.push(property.raw.to_string());
        }
    }
    entry
}

/// Returns whether the option was understood and stored.
fn set_hostpci_option(entry: &mut Passthrough, key: &str, value: &str) -> bool {
    match key {
        "host" if entry.hosts.is_empty() => {
            // `01:00` (no function) means every function of the device, so it stays as
            // written; the engine expands it.
            entry.hosts = split_list(value);
            !entry.hosts.is_empty()
        }
        "mapping" => set_text(&mut entry.mapping, value),
        "pcie" => set_bool(&mut entry.pcie, value),
        "x-vga" => set_bool(&mut entry.x_vga, value),
        "rombar" => set_bool(&mut entry.rombar, value),
        "romfile" => set_text(&mut entry.romfile, value),
        "mdev" => set_text(&mut entry.mdev, value),
        "vendor-id" => set_text(&mut entry.vendor_id, value),
        "device-id" => set_text(&mut entry.device_id, value),
        "sub-vendor-id" => set_text(&mut entry.sub_vendor_id, value),
        "sub-device-id" => set_text(&mut entry.sub_device_id, value),
        "legacy-igd" => set_bool(&mut entry.legacy_igd, value),
        "driver" => set_text(&mut entry.driver, value),
        _ => false,
    }
}

/// Stores the first non-empty value. Proxmox rejects a repeated key ("duplicate key in
/// comma-separated list property"), so a repeat is reported as not understood.
fn set_text(field: &mut Option<String>, value: &str) -> bool {
    if field.is_some() || value.is_empty() {
        return false;
    }
    *field = Some(value.to_string());
    true
}

fn set_bool(field: &mut Option<bool>, value: &str) -> bool {
    match (field.is_none(), parse_boolean(value)) {
        (true, Some(flag)) => {
            *field = Some(flag);
            true
        }
        _ => false,
    }
}

/// `parse_boolean` in `pve-common: PVE/JSONSchema.pm`, case-insensitive.
fn parse_boolean(value: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["1", "on", "yes", "true"];
    const FALSE: [&str; 4] = ["0", "off", "no", "false"];
    if TRUE.iter().any(|word| value.eq_ignore_ascii_case(word)) {
        Some(true)
    } else if FALSE.iter().any(|word| value.eq_ignore_ascii_case(word)) {
        Some(false)
    } else {
        None
    }
}

/// A `;`-separated list (`host`, cpu `flags`), empty items dropped.
fn split_list(value: &str) -> Vec<String> {
    value.split(';').map(str::trim).filter(|item| !item.is_empty()).map(String::from).collect()
}

/// One comma-separated part of a Proxmox property string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Property<'a> {
    /// `None` for a bare value, which belongs to the format's default key.
    pub key: Option<&'a str>,
    pub value: &'a str,
    /// The part as written, for keeping what is not understood.
    pub raw: &'a str,
}

/// Splits a property string the way `parse_property_string` does: on `,`, empty parts
/// skipped, `k=v` split at the first `=`, a part without `=` is the default key's value.
/// Whitespace around parts is trimmed (Proxmox would reject it; pastes add it).
pub(crate) fn property_parts(value: &str) -> impl Iterator<Item = Property<'_>> {
    value.split(',').map(str::trim).filter(|part| !part.is_empty()).map(|raw| match raw.split_once('=') {
        Some((key, value)) => Property { key: Some(key.trim()), value: value.trim(), raw },
        None => Property { key: None, value: raw, raw },
    })
}

/// Replaces an entry with the same key (the later line wins, as in Proxmox) or appends.
fn upsert(entries: &mut Vec<Passthrough>, entry: Passthrough) {
    match entries.iter_mut().find(|known| known.key == entry.key) {
        Some(slot) => *slot = entry,
        None => entries.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "etc/pve/qemu-server/100.conf";

    fn parse(text: &str) -> Vm {
        parse_vm_config(text, "100", Provenance::file(SOURCE))
    }

    fn at(line: u64) -> Provenance {
        Provenance::line(SOURCE, line)
    }

    /// The single `hostpci0` of a one-line config.
    fn hostpci(line: &str) -> Passthrough {
        let vm = parse(line);
        assert_eq!(vm.passthrough.len(), 1, "{line}");
        vm.passthrough.into_iter().next().unwrap_or_default()
    }

    /// A Windows 11 gaming VM as `qm config` writes it (keys sorted, description first),
    /// with a pending change and a snapshot taken before a driver update.
    const WIN11: &str = "\
#Gaming VM%3A RTX 3080 passthrough
#Do not start together with VM 101
agent: 1
balloon: 0
bios: ovmf
boot: order=scsi0;ide2;net0
cores: 8
cpu: host,hidden=1,flags=+pcid
efidisk0: local-lvm:vm-100-disk-0,efitype=4m,pre-enrolled-keys=1,size=4M
hostpci0: 0000:01:00,pcie=1,x-vga=1
hostpci1: 0000:00:14.0,rombar=0
ide2: none,media=cdrom
machine: pc-q35-8.1
memory: 16384
meta: creation-qemu=8.1.5,ctime=1712345678
name: win11-gaming
net0: virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1
numa: 0
onboot: 1
ostype: win11
parent: before-driver
scsi0: local-lvm:vm-100-disk-1,iothread=1,size=128G
scsihw: virtio-scsi-single
smbios1: uuid=7c2e9b4a-1f3d-4e5a-8b6c-0d9e8f7a6b5c
sockets: 1
tpmstate0: local-lvm:vm-100-disk-2,size=4M,version=v2.0
vga: none
vmgenid: 3b1f4a2c-6d5e-4f7a-9b8c-1a2b3c4d5e6f

[PENDING]
hostpci0: 0000:01:00,pcie=1,x-vga=1,romfile=rtx3080.rom
delete: hostpci1

[before-driver]
#Gaming VM%3A RTX 3080 passthrough
agent: 1
bios: seabios
cores: 8
hostpci0: 0000:02:00,x-vga=1
machine: pc-i440fx-8.1
memory: 16384
name: win11-gaming
ostype: win11
snaptime: 1712345999
";

    #[test]
    fn windows_11_live_config() {
        let vm = parse(WIN11);
        assert_eq!(vm.manager, VmManager::Proxmox);
        assert_eq!(vm.id, "100");
        assert_eq!(vm.name.as_deref(), Some("win11-gaming"));
        assert_eq!(vm.machine.as_deref(), Some("pc-q35-8.1"));
        assert!(vm.q35);
        assert_eq!(vm.viommu, None);
        assert_eq!(vm.bios.as_deref(), Some("ovmf"));
        assert_eq!(vm.ostype.as_deref(), Some("win11"));
        assert_eq!(vm.vga.as_deref(), Some("none"));
        assert_eq!(vm.args, None);
        assert_eq!(vm.onboot, Some(true));
        assert_eq!(vm.from, Provenance::file(SOURCE));
        assert_eq!(
            vm.cpu,
            Some(VmCpu {
                model: Some("host".into()),
                hidden: Some(true),
                hv_vendor_id: None,
                flags: vec!["+pcid".into()],
                phys_bits: None,
            })
        );
        // Proxmox-only config: the libvirt feature fields stay unknown.
        assert_eq!(
            (vm.kvm_hidden, vm.hv_vendor_id.as_deref(), vm.ioapic_driver.as_deref()),
            (None, None, None)
        );
    }

    #[test]
    fn windows_11_passthrough_pending_and_snapshot() {
        let vm = parse(WIN11);
        assert_eq!(
            vm.passthrough,
            vec![
                Passthrough {
                    key: "hostpci0".into(),
                    hosts: vec!["0000:01:00".into()],
                    pcie: Some(true),
                    x_vga: Some(true),
                    from: at(10),
                    ..Passthrough::default()
                },
                Passthrough {
                    key: "hostpci1".into(),
                    hosts: vec!["0000:00:14.0".into()],
                    rombar: Some(false),
                    from: at(11),
                    ..Passthrough::default()
                },
            ]
        );
        assert_eq!(vm.pending.len(), 1);
        assert_eq!(vm.pending[0].key, "hostpci0");
        assert_eq!(vm.pending[0].romfile.as_deref(), Some("rtx3080.rom"));
        assert_eq!(vm.pending[0].from, at(31));
        // The snapshot's seabios/i440fx/02:00 must not leak into the live config.
        assert_eq!(vm.snapshots, vec!["before-driver".to_string()]);
    }

    #[test]
    fn domain_md_hostpci_examples() {
        let mapped = hostpci("hostpci0: mapping=someNic");
        assert_eq!(mapped.mapping.as_deref(), Some("someNic"));
        assert!(mapped.hosts.is_empty());

        let nic = hostpci("hostpci1: d0:13.0,pcie=1");
        assert_eq!(
            (nic.key.as_str(), nic.hosts.clone(), nic.pcie),
            ("hostpci1", vec!["d0:13.0".to_string()], Some(true))
        );
        assert_eq!(nic.from, at(1));

        let no_rom = hostpci("hostpci4: d0:17.0,pcie=1,rombar=0");
        assert_eq!((no_rom.key.as_str(), no_rom.rombar), ("hostpci4", Some(false)));

        let gpu = hostpci("hostpci0: 01:00.0,pcie=1,x-vga=on,romfile=vbios.bin");
        assert_eq!(gpu.hosts, vec!["01:00.0"]);
        assert_eq!((gpu.pcie, gpu.x_vga), (Some(true), Some(true)));
        assert_eq!(gpu.romfile.as_deref(), Some("vbios.bin"));
        assert!(gpu.other.is_empty());

        let all_functions = hostpci("hostpci0: 0000:01:00,pcie=1,x-vga=1");
        assert_eq!(all_functions.hosts, vec!["0000:01:00"]);
        assert_eq!(all_functions.x_vga, Some(true));
    }

    #[test]
    fn seed_hostpci_lines() {
        // pve wiki "PCI(e) Passthrough" (seeds 000/002).
        assert_eq!(hostpci("hostpci0: 01:00.0").hosts, vec!["01:00.0"]);
        assert_eq!(hostpci("hostpci0: 01:00.0;01:00.1").hosts, vec!["01:00.0", "01:00.1"]);
        assert_eq!(hostpci("hostpci0: 01:00").hosts, vec!["01:00"]);
        let gpu = hostpci("hostpci0: 01:00,x-vga=on,romfile=vbios.bin");
        assert_eq!((gpu.x_vga, gpu.pcie, gpu.romfile.as_deref()), (Some(true), None, Some("vbios.bin")));
        let vm = parse("machine: q35\nhostpci0: 01:00,pcie=1,x-vga=on\n");
        assert!(vm.q35);
        assert_eq!(vm.passthrough[0].from, at(2));
    }

    #[test]
    fn every_hostpci_option() {
        let entry = hostpci(
            "hostpci2: 0000:01:00.0,device-id=0x1b80,legacy-igd=1,mdev=nvidia-63,\
             sub-device-id=0x3702,sub-vendor-id=0x1458,vendor-id=0x10de,driver=keep,x-vga=0",
        );
        assert_eq!(entry.key, "hostpci2");
        assert_eq!(entry.mdev.as_deref(), Some("nvidia-63"));
        assert_eq!(entry.vendor_id.as_deref(), Some("0x10de"));
        assert_eq!(entry.device_id.as_deref(), Some("0x1b80"));
        assert_eq!(entry.sub_vendor_id.as_deref(), Some("0x1458"));
        assert_eq!(entry.sub_device_id.as_deref(), Some("0x3702"));
        assert_eq!(entry.x_vga, Some(false));
        assert_eq!(entry.legacy_igd, Some(true));
        assert_eq!(entry.driver.as_deref(), Some("keep"));
        assert!(entry.other.is_empty());
    }

    #[test]
    fn unparsable_and_repeated_options_are_kept_verbatim() {
        let entry = hostpci("hostpci0: 01:00.0,01:00.1,pcie=maybe,rombar=,pcie=1,x-vga=yes,x-vga=no");
        assert_eq!(entry.hosts, vec!["01:00.0"]);
        // `pcie=maybe` is not a boolean, so the later `pcie=1` is the first valid value.
        assert_eq!(entry.pcie, Some(true));
        assert_eq!(entry.x_vga, Some(true));
        assert_eq!(entry.rombar, None);
        assert_eq!(entry.other, vec!["01:00.1", "pcie=maybe", "rombar=", "x-vga=no"]);
    }

    #[test]
    fn booleans_follow_parse_boolean() {
        for (word, expected) in [
            ("1", true),
            ("on", true),
            ("YES", true),
            ("True", true),
            ("0", false),
            ("off", false),
            ("no", false),
            ("FALSE", false),
        ] {
            assert_eq!(parse_boolean(word), Some(expected), "{word}");
        }
        assert_eq!(parse_boolean("2"), None);
        assert_eq!(parse("onboot: enabled").onboot, None);
    }

    #[test]
    fn machine_variants() {
        let viommu = parse("machine: type=q35,viommu=intel");
        assert_eq!(
            (viommu.machine.as_deref(), viommu.q35, viommu.viommu.as_deref()),
            (Some("q35"), true, Some("intel"))
        );

        let versioned = parse("machine: pc-i440fx-9.0+pve0");
        assert_eq!((versioned.machine.as_deref(), versioned.q35), (Some("pc-i440fx-9.0+pve0"), false));

        let virtio = parse("machine: pc-q35-9.0+pve1,viommu=virtio,aw-bits=48");
        assert_eq!(
            (virtio.machine.as_deref(), virtio.q35, virtio.viommu.as_deref()),
            (Some("pc-q35-9.0+pve1"), true, Some("virtio"))
        );

        // viommu without a type: the type is Proxmox's default (`pc`), not written here.
        let untyped = parse("machine: viommu=intel");
        assert_eq!((untyped.machine, untyped.q35, untyped.viommu.as_deref()), (None, false, Some("intel")));

        // The later line wins, as in Proxmox.
        let twice = parse("machine: q35,viommu=intel\nmachine: pc");
        assert_eq!((twice.machine.as_deref(), twice.q35, twice.viommu), (Some("pc"), false, None));
    }

    #[test]
    fn cpu_variants() {
        let cpu = parse("cpu: cputype=host,hidden=1,hv-vendor-id=proxmox,flags=+pcid;-md-clear;+aes,phys-bits=host,reported-model=kvm64")
            .cpu
            .unwrap_or_default();
        assert_eq!(cpu.model.as_deref(), Some("host"));
        assert_eq!(cpu.hidden, Some(true));
        assert_eq!(cpu.hv_vendor_id.as_deref(), Some("proxmox"));
        assert_eq!(cpu.flags, vec!["+pcid", "-md-clear", "+aes"]);
        assert_eq!(cpu.phys_bits.as_deref(), Some("host"));

        let plain = parse("cpu: x86-64-v2-AES").cpu.unwrap_or_default();
        assert_eq!(plain, VmCpu { model: Some("x86-64-v2-AES".into()), ..VmCpu::default() });
    }

    #[test]
    fn args_are_verbatim() {
        // Seeds 000/002 (K80 tip) and 004 (nested vIOMMU via `qm set 100 --args …`).
        assert_eq!(
            parse("args: -machine pc,max-ram-below-4g=1G").args.as_deref(),
            Some("-machine pc,max-ram-below-4g=1G")
        );
        let nested = parse("args: -device intel-iommu,intremap=on,caching-mode=on -machine accel=kvm,kernel-irqchip=split  \n");
        assert_eq!(
            nested.args.as_deref(),
            Some("-device intel-iommu,intremap=on,caching-mode=on -machine accel=kvm,kernel-irqchip=split")
        );
        // `args` never sets the machine type; only `machine:` does.
        assert_eq!((nested.machine, nested.q35), (None, false));
    }

    #[test]
    fn sections() {
        let vm = parse(
            "hostpci0: 01:00.0\n\
             [special:cloudinit]\nhostpci1: 02:00.0\n\
             [special:fleecing]\nhostpci2: 03:00.0\n\
             [Pending]\nhostpci3: 04:00.0\nname: renamed\n\
             [snap1]\nhostpci4: 05:00.0\n\
             [snap_2-b]\n[snap1]\n",
        );
        assert_eq!(vm.passthrough.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), vec!["hostpci0"]);
        assert_eq!(vm.pending.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), vec!["hostpci3"]);
        assert_eq!(vm.name, None);
        assert_eq!(vm.snapshots, vec!["snap1", "snap_2-b"]);
    }

    #[test]
    fn invalid_bracket_lines_do_not_change_section() {
        // Not a header for Proxmox (space, one-letter name, leading digit): warned about and
        // skipped, so the following lines still belong to the live config.
        let vm = parse("[my snapshot]\n[a]\n[1st]\n[]\nhostpci0: 01:00.0\n");
        assert!(vm.snapshots.is_empty());
        assert_eq!(vm.passthrough.len(), 1);
    }

    #[test]
    fn hostpci_index_range_and_duplicates() {
        let vm = parse("hostpci15: 0f:00.0\nhostpci16: 10:00.0\nhostpci01: 11:00.0\nhostpci: 12:00.0\nhostpci0: 01:00.0\nhostpci0: 02:00.0\n");
        assert_eq!(
            vm.passthrough.iter().map(|p| (p.key.as_str(), p.hosts[0].as_str())).collect::<Vec<_>>(),
            vec![("hostpci15", "0f:00.0"), ("hostpci0", "02:00.0")]
        );
        assert_eq!(vm.passthrough[1].from, at(6));
    }

    #[test]
    fn description_crlf_and_indentation() {
        let vm = parse(
            "#hostpci0: 09:00.0\r\n  name: pasted\r\n    hostpci0: 01:00.0,pcie=1\r\n\r\nbios: ovmf\r\n",
        );
        assert_eq!(vm.name.as_deref(), Some("pasted"));
        assert_eq!(vm.bios.as_deref(), Some("ovmf"));
        assert_eq!(vm.passthrough.len(), 1);
        assert_eq!(vm.passthrough[0].hosts, vec!["01:00.0"]);
        assert_eq!(vm.passthrough[0].from, at(3));
    }

    #[test]
    fn lines_that_are_not_key_value_are_skipped() {
        let vm = parse("Name: upper\nname:\nnet0 virtio\n: value\nname : spaced\nname: ok\n");
        assert_eq!(vm.name.as_deref(), Some("ok"));
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "",
            "[",
            "]",
            "[special:]",
            "[special:cloudinitü]",
            ":::",
            "hostpci0: ,,,;;;==",
            "hostpci0: =",
            "cpu: ,=,",
            "machine: ,,type=,viommu=",
            "name: nul\n\0\0\0",
            "hostpci0:\u{1F600};ü=ß,x-vga=\u{300}",
        ];
        for input in inputs {
            let vm = parse(input);
            assert_eq!(vm.id, "100");
        }
        assert_eq!(parse("\u{feff}name: bom\n").name.as_deref(), Some("bom"));
        assert!(parse("hostpci0: ,,,;;;==").passthrough[0].hosts.is_empty());
        assert_eq!(parse("machine: ,,type=,viommu=").machine, None);
    }

    #[test]
    fn property_parts_split_like_proxmox() {
        let parts: Vec<_> = property_parts("0000:01:00, pcie=1,,romfile=a=b").collect();
        assert_eq!(
            parts,
            vec![
                Property { key: None, value: "0000:01:00", raw: "0000:01:00" },
                Property { key: Some("pcie"), value: "1", raw: "pcie=1" },
                Property { key: Some("romfile"), value: "a=b", raw: "romfile=a=b" },
            ]
        );
    }
}
