//! Firmware and bootloader: how the kernel was started and where its command line is
//! configured (domain.md 6.5).

use crate::collect::Ctx;
use crate::host::{Command, EntryKind};
use crate::parse::{cmdline, grub, proxmox_boot};
use engine::facts::{Bootloader, CmdlineFile, ConfiguredCmdline, Fact, Facts, Firmware, Provenance};
use std::io::Read;

const PROXMOX_BOOT_UUIDS: &str = "etc/kernel/proxmox-boot-uuids";
const LOADER_ENTRY_DIRS: [&str; 3] = ["boot/loader/entries", "boot/efi/loader/entries", "efi/loader/entries"];

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    facts.boot.firmware = firmware(ctx);
    configured_cmdlines(ctx, facts);
    facts.boot.proxmox_boot = proxmox_boot_status(ctx);
    if facts.boot.firmware.is_none() {
        let booted =
            facts.boot.proxmox_boot.as_ref().and_then(|s| Some((s.value.booted_with?, s.from.clone())));
        facts.boot.firmware = booted.map(|(fw, from)| Fact::new(fw, from));
    }
    facts.boot.loader = bootloader(ctx, facts);
}

fn firmware(ctx: &mut Ctx) -> Option<Fact<Firmware>> {
    if ctx.host.kind("sys/firmware/efi") == Some(EntryKind::Dir) {
        return Some(Fact::new(Firmware::Uefi, Provenance::file("sys/firmware/efi")));
    }
    // Only a captured /sys/firmware proves the absence of the efi folder.
    ctx.host.exists("sys/firmware").then(|| Fact::new(Firmware::Legacy, Provenance::file("sys/firmware")))
}

fn configured_cmdlines(ctx: &mut Ctx, facts: &mut Facts) {
    if let Some(grub) = grub_cmdline(ctx) {
        facts.boot.configured.push(grub);
    }
    if let Some(text) = ctx.text("etc/kernel/cmdline") {
        let first = text.lines().position(|l| !l.trim().is_empty());
        if let Some(index) = first {
            let line = text.lines().nth(index).unwrap_or_default();
            facts.boot.configured.push(ConfiguredCmdline {
                kind: CmdlineFile::KernelCmdline,
                cmdline: cmdline::parse_cmdline(line.trim()),
                from: Provenance::line("etc/kernel/cmdline", index as u64 + 1),
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for dir in LOADER_ENTRY_DIRS {
        if ctx.host.kind(dir).is_none() || !seen.insert(ctx.host.canonical(dir, true).unwrap_or_default()) {
            continue;
        }
        for name in ctx.list(dir).unwrap_or_default().into_iter().filter(|n| n.ends_with(".conf")) {
            let path = format!("{dir}/{name}");
            if let Some((value, line)) = ctx.text(&path).and_then(|t| grub::parse_loader_entry_options(&t)) {
                facts.boot.configured.push(ConfiguredCmdline {
                    kind: CmdlineFile::LoaderEntry,
                    cmdline: cmdline::parse_cmdline(&value),
                    from: Provenance::line(path, line),
                });
            }
        }
    }
}

/// GRUB's effective command line: `/etc/default/grub` then the `grub.d/*.cfg` drop-ins,
/// sourced in that order by `grub-mkconfig`, so a drop-in can override or extend it.
fn grub_cmdline(ctx: &mut Ctx) -> Option<ConfiguredCmdline> {
    let mut files = Vec::new();
    if let Some(text) = ctx.text("etc/default/grub") {
        files.push(("etc/default/grub".to_string(), text));
    }
    if ctx.host.kind("etc/default/grub.d").is_some() {
        for name in ctx.list("etc/default/grub.d").unwrap_or_default() {
            let path = format!("etc/default/grub.d/{name}");
            if name.ends_with(".cfg") {
                if let Some(text) = ctx.text(&path) {
                    files.push((path, text));
                }
            }
        }
    }
    let mut joined = String::new();
    let mut starts = Vec::new();
    for (path, text) in &files {
        starts.push((joined.lines().count() as u64, path.as_str()));
        joined.push_str(text);
        if !text.ends_with('\n') {
            joined.push('\n');
        }
    }
    let (value, line) = grub::parse_default_grub(&joined)?;
    let (offset, path) = starts.iter().rev().find(|(start, _)| *start < line).copied()?;
    Some(ConfiguredCmdline {
        kind: CmdlineFile::Grub,
        cmdline: cmdline::parse_cmdline(&value),
        from: Provenance::line(path, line - offset),
    })
}

fn proxmox_boot_status(ctx: &mut Ctx) -> Option<Fact<engine::facts::ProxmoxBootStatus>> {
    let path = Command::ProxmoxBootStatus.snapshot_path();
    match ctx.host.command(Command::ProxmoxBootStatus) {
        Ok(mut reader) => {
            let mut text = String::new();
            reader.read_to_string(&mut text).ok()?;
            let status = proxmox_boot::parse_proxmox_boot_status(&text);
            Some(Fact::new(status, Provenance::file(path)))
        }
        Err(e) => {
            ctx.failed(path, &e);
            None
        }
    }
}

/// Which bootloader started this kernel, from the strongest evidence available.
fn bootloader(ctx: &mut Ctx, facts: &Facts) -> Option<Fact<Bootloader>> {
    if let Some(status) = &facts.boot.proxmox_boot {
        if !status.value.not_configured {
            let booted_uefi = facts.boot.firmware.as_ref().map(|f| f.value == Firmware::Uefi);
            let kinds: Vec<&str> = status.value.esps.iter().map(|e| e.kind.as_str()).collect();
            // systemd-boot runs only on a UEFI boot; GRUB on the ESP serves legacy boots
            // and Secure Boot installs.
            let loader = if kinds.contains(&"uefi") && booted_uefi != Some(false) {
                Some(Bootloader::ProxmoxBootSystemdBoot)
            } else if kinds.contains(&"grub") {
                Some(Bootloader::ProxmoxBootGrub)
            } else {
                None
            };
            if let Some(loader) = loader {
                return Some(Fact::new(loader, status.from.clone()));
            }
        }
    }
    if ctx.host.exists(PROXMOX_BOOT_UUIDS) {
        let systemd_boot = facts.boot.firmware.as_ref().is_some_and(|f| f.value == Firmware::Uefi)
            && facts.boot.configured.iter().any(|c| c.kind == CmdlineFile::KernelCmdline);
        let loader =
            if systemd_boot { Bootloader::ProxmoxBootSystemdBoot } else { Bootloader::ProxmoxBootGrub };
        return Some(Fact::new(loader, Provenance::file(PROXMOX_BOOT_UUIDS)));
    }
    // GRUB passes BOOT_IMAGE= to the kernel; systemd-boot does not.
    if let Some(cmdline) = &facts.kernel.cmdline {
        if cmdline.value.has("BOOT_IMAGE") {
            return Some(Fact::new(Bootloader::Grub, cmdline.from.clone()));
        }
    }
    if let Some(entry) = facts.boot.configured.iter().find(|c| c.kind == CmdlineFile::LoaderEntry) {
        return Some(Fact::new(Bootloader::SystemdBoot, entry.from.clone()));
    }
    if let Some(grub) = facts.boot.configured.iter().find(|c| c.kind == CmdlineFile::Grub) {
        if ctx.host.exists("boot/grub/grub.cfg") || ctx.host.exists("boot/grub2/grub.cfg") {
            return Some(Fact::new(Bootloader::Grub, grub.from.clone()));
        }
    }
    None
}
