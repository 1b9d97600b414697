//! The running kernel: release, command line, build options, distribution, Proxmox
//! version and initramfs tool.

use crate::collect::Ctx;
use crate::host::Command;
use crate::parse::{cmdline, kernel_config, os_release, pveversion};
use engine::facts::{Fact, Facts, InitramfsTool, Provenance};
use std::io::Read;

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    let from_log = ctx.log.clone();

    let release = ctx
        .text("proc/sys/kernel/osrelease")
        .map(|t| t.trim().to_string())
        .filter(|r| !r.is_empty())
        .map(|r| Fact::new(r, Provenance::file("proc/sys/kernel/osrelease")))
        .or_else(|| from_log.as_ref().and_then(|f| f.kernel_release.clone()));
    facts.kernel.release = release;

    facts.kernel.cmdline = ctx
        .text("proc/cmdline")
        .map(|t| Fact::new(cmdline::parse_cmdline(t.trim()), Provenance::line("proc/cmdline", 1)))
        .or_else(|| {
            let line = from_log.as_ref()?.cmdline.clone()?;
            Some(Fact::new(cmdline::parse_cmdline(&line.value), line.from))
        });

    // GRUB names the kernel image it booted: `BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve`.
    if facts.kernel.release.is_none() {
        if let Some(cmdline) = &facts.kernel.cmdline {
            let image = cmdline.value.last("BOOT_IMAGE").and_then(|i| i.rsplit('/').next());
            if let Some(release) = image.and_then(|i| i.strip_prefix("vmlinuz-")).filter(|r| !r.is_empty()) {
                facts.kernel.release = Some(Fact::new(release.to_string(), cmdline.from.clone()));
            }
        }
    }

    if let Some(release) = facts.kernel.release.as_ref().map(|r| r.value.clone()) {
        let path = format!("boot/config-{release}");
        if let Some(text) = ctx.text(&path) {
            facts.kernel.config =
                Some(Fact::new(kernel_config::parse_kernel_config(&text), Provenance::file(path)));
        }
    }

    for path in ["etc/os-release", "usr/lib/os-release"] {
        if let Some(distro) = ctx.text(path).and_then(|t| os_release::parse_os_release(&t)) {
            facts.kernel.distro = Some(Fact::new(distro, Provenance::file(path)));
            break;
        }
    }

    let pve_path = Command::Pveversion.snapshot_path();
    match ctx.host.command(Command::Pveversion) {
        Ok(mut reader) => {
            let mut text = String::new();
            if reader.read_to_string(&mut text).is_ok() {
                if let Some(version) = pveversion::parse_pveversion(&text) {
                    facts.kernel.proxmox = Some(Fact::new(version, Provenance::file(pve_path)));
                }
            }
        }
        Err(e) => ctx.failed(pve_path, &e),
    }

    facts.kernel.initramfs_tool = initramfs_tool(ctx);
}

/// The initramfs generator is told by its configuration, which each tool owns.
fn initramfs_tool(ctx: &mut Ctx) -> Option<Fact<InitramfsTool>> {
    let candidates = [
        ("etc/initramfs-tools/initramfs.conf", InitramfsTool::InitramfsTools),
        ("etc/mkinitcpio.conf", InitramfsTool::Mkinitcpio),
        ("etc/dracut.conf", InitramfsTool::Dracut),
        ("etc/dracut.conf.d", InitramfsTool::Dracut),
    ];
    candidates
        .into_iter()
        .find(|(path, _)| ctx.host.exists(path))
        .map(|(path, tool)| Fact::new(tool, Provenance::file(path)))
}
