//! What each fuzz target does with its input, shared by the fuzz targets
//! (`fuzz/fuzz_targets/`) and the regression test that replays kept inputs
//! (`tests/fuzz_regressions.rs`), so a kept input is replayed exactly as it was found.
//! Each function must return without panicking, whatever the bytes.

use engine::facts::LogOrigin;
use engine::rule::condition::LogSource;
use engine::rule::load::PatternSet;
use engine::{load, Origin, Provenance, RuleFile};
use probes::host::{open_zip_snapshot, text_archive, PastedFile, PastedHost, Snapshot};
use probes::parse::cmdline::parse_cmdline;
use probes::parse::cpuinfo::parse_cpuinfo;
use probes::parse::grub::{parse_default_grub, parse_loader_entry_options};
use probes::parse::hexdump::parse_hexdump;
use probes::parse::interrupts::parse_interrupts;
use probes::parse::iomem::parse_iomem;
use probes::parse::iommu_listing::parse_iommu_listing;
use probes::parse::iommu_log::scan_kernel_log;
use probes::parse::kernel_config::parse_kernel_config;
use probes::parse::kernel_log::read_kernel_log;
use probes::parse::libvirt::parse_domain_xml;
use probes::parse::lspci::parse_lspci;
use probes::parse::modprobe::{parse_initramfs_config, parse_modprobe_conf, parse_module_list};
use probes::parse::modules::{parse_modules_builtin, parse_proc_modules, PciAliases};
use probes::parse::option_rom::{matches_device, parse_rom};
use probes::parse::os_release::parse_os_release;
use probes::parse::paste::split_paste;
use probes::parse::pci_config::parse_config_space;
use probes::parse::pci_ids::PciIds;
use probes::parse::proxmox_boot::parse_proxmox_boot_status;
use probes::parse::pve_config::parse_vm_config;
use probes::parse::pve_mapping::parse_pci_mappings;
use probes::parse::pve_task::{parse_upid, task_outcome};
use probes::parse::pveversion::parse_pveversion;
use probes::parse::sysfs_pci::{normalize_address, parse_hex_attr, parse_resource};
use std::io::Cursor;

/// The kernel command line, and where bootloaders keep it (GRUB defaults, systemd-boot
/// entries, proxmox-boot-tool status).
pub fn cmdline(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_cmdline(&text);
    let _ = parse_default_grub(&text);
    let _ = parse_loader_entry_options(&text);
    let _ = parse_proxmox_boot_status(&text);
}

/// PCI configuration space as read from sysfs `config` or an `lspci -xxxx` dump.
pub fn config_space(bytes: &[u8]) {
    let _ = parse_config_space(bytes, Provenance::file("config"));
}

/// The IOMMU group listing users paste (the wiki's `for d in /sys/kernel/iommu_groups/…`
/// loop and its variants).
pub fn iommu_listing(bytes: &[u8]) {
    let _ = parse_iommu_listing(&String::from_utf8_lossy(bytes));
}

/// The kernel log: prefixes, continuation lines, boot boundaries, then the scan every
/// probe reads (IOMMU, DMAR/AMD-Vi, BAR and VFIO lines).
pub fn kernel_log(bytes: &[u8]) {
    // A small budget so that dropping old lines is exercised too.
    if let Ok(log) = read_kernel_log(bytes, LogOrigin::Dmesg, "dmesg", 4096) {
        let _ = scan_kernel_log(&log);
    }
}

/// libvirt domain XML.
pub fn libvirt_xml(bytes: &[u8]) {
    let _ = parse_domain_xml(&String::from_utf8_lossy(bytes), Provenance::file("etc/libvirt/qemu/win10.xml"));
}

/// `lspci -nnk`, `-vvv` and `-xxxx` text, and the hex dumps inside it.
pub fn lspci(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_lspci(&text, "lspci");
    let _ = parse_hexdump(&text);
}

/// modprobe.d files, modules-load lists and initramfs module lists.
pub fn modprobe(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_modprobe_conf(&text, "etc/modprobe.d/vfio.conf");
    let _ = parse_module_list(&text);
    let _ = parse_initramfs_config(&text);
    let _ = parse_proc_modules(&text);
    let _ = parse_modules_builtin(&text);
}

/// Option ROM images: PCI data structures, EFI headers, PE/COFF, chains of images.
pub fn option_rom(bytes: &[u8]) {
    let analysis = parse_rom(bytes);
    let _ = matches_device(&analysis, 0x10de, 0x1b81);
}

/// Text pasted from a forum post: kind detection and splitting, then the facts a pasted
/// host gives (every parser the kinds lead to).
pub fn paste(bytes: &[u8]) {
    let _ = split_paste(&String::from_utf8_lossy(bytes));
    let host = PastedHost::new(vec![PastedFile { name: "paste.txt".into(), bytes: bytes.to_vec() }]);
    let _ = probes::collect(&host, &PciIds::builtin());
}

/// Proxmox VE: VM configs, `pci.cfg` mappings, task UPIDs and task logs.
pub fn pve_config(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_vm_config(&text, "100", Provenance::file("etc/pve/qemu-server/100.conf"));
    let _ = parse_pci_mappings(&text);
    let _ = parse_upid(&text);
    let _ = task_outcome(&text);
    let _ = parse_pveversion(&text);
}

/// A rule file as a contributor might write it: YAML, then every check of the loader
/// (paths against the fact catalogue, regexes, templates, derived-fact order), then the
/// log pattern sets (literal extraction, Aho-Corasick, `RegexSet`).
pub fn rule_loader(bytes: &[u8]) {
    let file = RuleFile {
        origin: Origin::User,
        path: "rules/fuzz/fuzz.yaml".into(),
        text: String::from_utf8_lossy(bytes).into_owned(),
    };
    let (rules, _) = load(&[file]);
    // The log pattern sets are built on first use; build and use them here too.
    let mut matched = Vec::new();
    for log in [LogSource::Kernel, LogSource::Start] {
        if let Some(set) = rules.pattern_set(log) {
            set.matches(
                "vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0xca000000-0xcbffffff 64bit pref]",
                &mut matched,
            );
        }
    }
}

/// The one-file text form of a snapshot (`.host`): entries, links, hex-encoded files,
/// then the facts read from it.
pub fn text_archive(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(tree) = text_archive::parse(&text, "host.host") {
        if let Ok(host) = Snapshot::new(tree, "host.host") {
            let _ = probes::collect(&host, &PciIds::builtin());
        }
    }
}

/// The remaining small text parsers of /proc and /sys files.
pub fn text_parsers(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = parse_cpuinfo(&text);
    let _ = parse_interrupts(&text);
    let _ = parse_iomem(&text);
    let _ = parse_kernel_config(&text);
    let _ = parse_os_release(&text);
    let _ = parse_hex_attr(&text);
    let _ = parse_resource(&text);
    let _ = normalize_address(&text);
    let ids = PciIds::parse(&text);
    let _ = ids.device(0x10de, 0x1b81);
    let aliases = PciAliases::parse(&text);
    let _ = aliases.modules_for("pci:v000010DEd00001B81sv00001043sd000085A4bc03sc00i00");
}

/// A report zip handed over by someone else: the reader's limits and checks, then the
/// facts read from whatever snapshot it holds.
pub fn zip_reader(bytes: &[u8]) {
    if let Ok(host) = open_zip_snapshot(Cursor::new(bytes), "report.zip") {
        let _ = probes::collect(host.as_ref(), &PciIds::builtin());
    }
}

/// Log patterns, a blank line, then log lines: the literal prefilter of a pattern set must
/// report exactly the patterns one plain `RegexSet` reports, line by line.
pub fn log_patterns(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let (patterns, lines) = text.split_once("\n\n").unwrap_or((&text, ""));
    let patterns: Vec<&str> = patterns.lines().filter(|p| regex::Regex::new(p).is_ok()).take(16).collect();
    let (Some(set), Ok(plain)) =
        (PatternSet::new(patterns.iter().copied().enumerate()), regex::RegexSet::new(&patterns))
    else {
        return;
    };
    let mut found = Vec::new();
    for line in lines.lines() {
        found.clear();
        set.matches(line, &mut found);
        found.sort_unstable();
        let expected: Vec<usize> = plain.matches(line).iter().collect();
        assert_eq!(found, expected, "{patterns:?} on {line:?}");
    }
}
