//! `vfio-doctor rom`: analyse option ROM files, or read a device's ROM through sysfs.

use crate::cli::{Format, RomArgs};
use crate::{render, Outcome};
use anyhow::{bail, Context, Result};
use engine::facts::{Provenance, RomFile};
use probes::host::{disable_active_rom, LiveHost};
use probes::parse::{option_rom, sysfs_pci};
use std::io::Write;

pub fn run(args: &RomArgs) -> Result<Outcome> {
    let roms = if args.read { vec![read_device(args)?] } else { read_files(&args.targets)? };
    let mut out = std::io::stdout().lock();
    if args.format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({"schema_version": 1, "roms": roms}))?;
        writeln!(out)?;
    } else {
        for rom in &roms {
            render::rom::write(&mut out, rom)?;
        }
    }
    let damaged = roms.iter().any(|r| r.analysis.as_ref().is_some_and(|a| !a.valid) || r.error.is_some());
    Ok(if damaged { Outcome::Findings } else { Outcome::Clean })
}

fn read_files(paths: &[String]) -> Result<Vec<RomFile>> {
    let mut roms = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read ROM file {path}"))?;
        roms.push(rom_file(path, None, &bytes));
    }
    Ok(roms)
}

fn rom_file(path: &str, device: Option<(String, u16, u16)>, bytes: &[u8]) -> RomFile {
    let analysis = option_rom::parse_rom(bytes);
    RomFile {
        path: path.to_string(),
        vm: None,
        key: None,
        matches_device: device.as_ref().map(|(_, v, d)| option_rom::matches_device(&analysis, *v, *d)),
        device: device.map(|(address, _, _)| address),
        exists: Some(true),
        error: None,
        analysis: Some(analysis),
        from: Provenance::file(path),
    }
}

fn hex_attr(address: &str, attr: &str) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/sys/bus/pci/devices/{address}/{attr}")).ok()?;
    sysfs_pci::parse_hex_attr(&text)
}

fn read_device(args: &RomArgs) -> Result<RomFile> {
    let [target] = args.targets.as_slice() else { bail!("--read takes one PCI address") };
    let Some(address) = sysfs_pci::normalize_address(target) else {
        bail!("`{target}` is not a PCI address such as 01:00.0 or 0000:01:00.0")
    };
    // Ctrl-C must not leave the ROM enabled.
    let _ = ctrlc::set_handler(|| {
        disable_active_rom();
        std::process::exit(130);
    });
    let live = LiveHost::new();
    let ids =
        hex_attr(&address, "vendor").zip(hex_attr(&address, "device")).map(|(v, d)| (v as u16, d as u16));
    let boot_vga = std::fs::read_to_string(format!("/sys/bus/pci/devices/{address}/boot_vga"))
        .is_ok_and(|t| t.trim() == "1");
    let status = crate::render::progress::Progress::start(&format!("Reading the ROM of {address}"));
    let read = live.read_device_rom(&address);
    drop(status);
    match read {
        Ok(bytes) => {
            if let Some(save) = &args.save {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(save)
                    .and_then(|mut f| f.write_all(&bytes))
                    .with_context(|| {
                        format!("cannot save the ROM to {} (it must not exist yet)", save.display())
                    })?;
            }
            let device = ids.map(|(v, d)| (address.clone(), v, d));
            Ok(rom_file(&format!("/sys/bus/pci/devices/{address}/rom"), device, &bytes))
        }
        Err(e) => {
            let mut message = format!("cannot read the ROM of {address}: {e}");
            if !live.privileged() {
                message.push_str("; reading a ROM needs root: sudo vfio-doctor rom --read ");
                message.push_str(&address);
            } else if boot_vga {
                message.push_str(
                    ". This is the host's boot GPU: its ROM was probably shadowed (copied and changed) by the \
                     firmware at boot, so the sysfs copy is unusable. Dump the ROM with the card in a \
                     secondary slot, or take the vendor's image (e.g. TechPowerUp's collection), put it in \
                     /usr/share/kvm/ and pass it with romfile= in the VM's hostpci line.",
                );
            }
            bail!(message)
        }
    }
}
