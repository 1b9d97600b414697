//! `vfio-doctor rom` output: one block per image, the information rom-parser prints,
//! with the verdict first.

use super::style::{bad, dim, good, heading};
use engine::facts::{RomAnalysis, RomFile, RomImage};
use probes::parse::option_rom::{code_type_name, machine_name};
use std::io::{self, Write};

fn yes_no(value: bool) -> String {
    if value {
        good("yes")
    } else {
        bad("no")
    }
}

pub fn write(out: &mut impl Write, rom: &RomFile) -> io::Result<()> {
    let Some(analysis) = &rom.analysis else {
        writeln!(out, "{} {}", heading(&rom.path), bad(rom.error.as_deref().unwrap_or("not read")))?;
        return Ok(());
    };
    verdict(out, &rom.path, analysis)?;
    if let Some(matches) = rom.matches_device {
        let device = rom.device.as_deref().unwrap_or("the device");
        writeln!(out, "  made for {device}: {}", yes_no(matches))?;
    }
    for image in &analysis.images {
        image_block(out, image)?;
    }
    for problem in &analysis.problems {
        writeln!(out, "  {} {problem}", bad("problem:"))?;
    }
    writeln!(out)
}

fn verdict(out: &mut impl Write, path: &str, a: &RomAnalysis) -> io::Result<()> {
    writeln!(out, "{} ({} bytes, {} images)", heading(path), a.size, a.images.len())?;
    writeln!(out, "  UEFI for OVMF (x86-64): {}", yes_no(a.uefi_x64))?;
    writeln!(out, "  legacy BIOS (SeaBIOS):  {}", yes_no(a.legacy))?;
    writeln!(out, "  valid:                  {}", yes_no(a.valid))?;
    if let Some(junk) = a.leading_junk {
        writeln!(out, "  first ROM signature at {junk:#x}: strip the {junk} bytes before it for romfile=")?;
    }
    Ok(())
}

fn image_block(out: &mut impl Write, i: &RomImage) -> io::Result<()> {
    writeln!(out, "  Valid ROM signature found @{:x}h, PCIR offset {:x}h", i.offset, i.pcir_offset)?;
    writeln!(
        out,
        "    PCIR: type {} ({}), vendor: {:04x}, device: {:04x}, class: {:06x}",
        i.code_type,
        code_type_name(i.code_type),
        i.vendor_id,
        i.device_id,
        i.class
    )?;
    writeln!(
        out,
        "    PCIR: revision {}, vendor revision: {}, length {} bytes",
        i.pcir_revision, i.code_revision, i.length
    )?;
    if let Some(ok) = i.checksum_ok {
        writeln!(out, "    checksum: {}", if ok { good("ok") } else { bad("bad") })?;
    }
    if let Some(efi) = &i.efi {
        writeln!(
            out,
            "      EFI: Signature {}, Subsystem: {:#x}, Machine: {:#06x} ({}), Compression: {}",
            if efi.signature_valid { good("Valid") } else { bad("Invalid") },
            efi.subsystem,
            efi.machine,
            machine_name(efi.machine),
            if efi.compressed { "EFI compressed" } else { "none" }
        )?;
        if let Some(pe) = &efi.pe {
            writeln!(
                out,
                "      PE: machine {:#06x} ({}), subsystem {}, entry {:#x}, sections {}",
                pe.machine,
                machine_name(pe.machine),
                pe.subsystem,
                pe.entry_point,
                pe.sections.join(" ")
            )?;
        }
    }
    if i.last {
        writeln!(out, "    {}", dim("Last image"))?;
    }
    Ok(())
}
