//! Runs every probe against one host and assembles the facts.

use crate::host::{Command, Host, HostError};
use crate::parse::iommu_log::{scan_kernel_log, LogFindings};
use crate::parse::pci_ids::PciIds;
use crate::probe;
use engine::facts::{Collection, Facts, Note, Unreadable};

/// What the probes share while they run: the host, and the list of what could not be read.
pub struct Ctx<'h> {
    pub host: &'h dyn Host,
    pub names: &'h PciIds,
    /// What the kernel log says, scanned once for every probe that needs it.
    pub log: Option<LogFindings>,
    /// `(address, kind)` of every VFIO interrupt in `/proc/interrupts`, when it was read.
    pub vfio_interrupts: Option<Vec<(String, String)>>,
    unreadable: Vec<Unreadable>,
    notes: Vec<Note>,
}

impl<'h> Ctx<'h> {
    /// Reads a text file. Absence is silent (`None`); any other failure is recorded as
    /// unreadable, with the command that would let vfio-doctor read it.
    pub fn text(&mut self, path: &str) -> Option<String> {
        match self.host.read_text(path) {
            Ok(text) => Some(text),
            Err(e) => {
                self.failed(path, &e);
                None
            }
        }
    }

    pub fn bytes(&mut self, path: &str) -> Option<Vec<u8>> {
        match self.host.read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.failed(path, &e);
                None
            }
        }
    }

    pub fn list(&mut self, path: &str) -> Option<Vec<String>> {
        match self.host.list(path) {
            Ok(names) => Some(names),
            Err(e) => {
                self.failed(path, &e);
                None
            }
        }
    }

    /// The last component of a link's target (`…/drivers/vfio-pci` → `vfio-pci`).
    pub fn link_name(&mut self, path: &str) -> Option<String> {
        match self.host.read_link(path) {
            Ok(target) => target.rsplit('/').find(|c| !c.is_empty()).map(str::to_string),
            Err(e) => {
                self.failed(path, &e);
                None
            }
        }
    }

    /// Records a failure unless it is plain absence.
    pub fn failed(&mut self, path: &str, err: &HostError) {
        if let HostError::CommandMissing { .. } = err {
            // Only the tools every host is expected to have are worth asking for.
            if let Some(package) = MISSING_TOOL_PACKAGES.iter().find(|(p, _)| *p == path).map(|(_, pkg)| pkg)
            {
                self.unreadable.push(Unreadable {
                    path: path.to_string(),
                    reason: err.reason(),
                    hint: Some(format!("apt install {package}")),
                });
            }
            return;
        }
        if err.is_not_found() {
            return;
        }
        let hint = match err {
            HostError::PermissionDenied { .. } => Some(root_hint(path)),
            HostError::CommandFailed { message, .. } if message.contains("not permitted") => {
                Some(root_hint(path))
            }
            _ => None,
        };
        // A decoding error names the stored file (`config.hex`) rather than the one asked for.
        let path = match err {
            HostError::Invalid { path: own, .. } => own.as_str(),
            _ => path,
        };
        self.unreadable.push(Unreadable { path: path.to_string(), reason: err.reason(), hint });
    }

    /// Records that something was read but is incomplete (64 bytes of config space, zeroed
    /// `/proc/iomem`), with what would give the rest.
    pub fn incomplete(&mut self, path: &str, reason: &str) {
        self.unreadable.push(Unreadable {
            path: path.to_string(),
            reason: reason.to_string(),
            hint: Some(root_hint(path)),
        });
    }

    pub fn note(&mut self, source: &str, message: impl Into<String>) {
        self.notes.push(Note { source: source.to_string(), message: message.into() });
    }
}

/// Commands whose absence is worth reporting, with the Debian package that brings them.
const MISSING_TOOL_PACKAGES: [(&str, &str); 2] = [("cmd/lspci-nnk", "pciutils"), ("cmd/dmesg", "util-linux")];

/// The one command that would make `path` readable.
fn root_hint(path: &str) -> String {
    if path == crate::host::Command::Dmesg.snapshot_path() {
        "sudo vfio-doctor (or: sudo sysctl kernel.dmesg_restrict=0)".into()
    } else {
        "sudo vfio-doctor".into()
    }
}

/// Commands the probes ask for on nearly every host; a live host starts them together
/// while the probes read files (the rest run when asked).
pub const USUAL_COMMANDS: [Command; 5] =
    [Command::Dmesg, Command::LspciNnk, Command::DetectVirt, Command::Pveversion, Command::ProxmoxBootStatus];

/// Collects every fact the probes know how to read. Never fails: what cannot be read
/// is listed in `facts.collection.unreadable` and the facts it would have given stay
/// unknown.
pub fn collect(host: &dyn Host, names: &PciIds) -> Facts {
    host.prefetch(&USUAL_COMMANDS);
    let mut ctx =
        Ctx { host, names, log: None, vfio_interrupts: None, unreadable: Vec::new(), notes: Vec::new() };
    let mut facts = Facts::new();
    probe::kernel_log::probe(&mut ctx, &mut facts);
    ctx.log = facts.kernel_log.as_ref().map(scan_kernel_log);
    probe::kernel::probe(&mut ctx, &mut facts);
    probe::boot::probe(&mut ctx, &mut facts);
    probe::cpu::probe(&mut ctx, &mut facts);
    probe::modules::probe(&mut ctx, &mut facts);
    probe::iommu::probe(&mut ctx, &mut facts);
    probe::pci::probe(&mut ctx, &mut facts);
    probe::iomem::probe(&mut ctx, &mut facts);
    probe::virt::probe(&mut ctx, &mut facts);
    probe::vms::probe(&mut ctx, &mut facts);
    probe::roms::probe(&mut ctx, &mut facts);

    let description = host.describe();
    facts.collection = Collection {
        source_kind: description.kind,
        source: description.sources,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        captured_at: description.captured_at,
        captured_by: description.captured_by,
        privileged: description.privileged,
        unreadable: ctx.unreadable,
        notes: ctx.notes,
    };
    if facts.collection.source_kind == "paste" {
        if let Some(log) = facts.kernel_log.as_mut() {
            log.origin = engine::facts::LogOrigin::Pasted;
        }
    }
    crate::origin::apply(host, &mut facts);
    facts
}

/// Whether anything at all was learned: used to fail when a source held nothing usable.
pub fn is_empty(facts: &Facts) -> bool {
    let k = &facts.kernel;
    facts.kernel_log.as_ref().is_none_or(|l| l.lines.is_empty())
        && k.release.is_none()
        && k.cmdline.is_none()
        && k.distro.is_none()
        && facts.pci.as_ref().is_none_or(Vec::is_empty)
        && facts.iommu.groups.as_ref().is_none_or(|g| g.value.is_empty())
        && facts.iommu.units.is_none()
        && facts.vms.is_empty()
        && facts.start_logs.is_empty()
        && facts.modules.modprobe.as_ref().is_none_or(Vec::is_empty)
        && facts.boot.configured.is_empty()
        && facts.cpu.vendor.is_none()
}
