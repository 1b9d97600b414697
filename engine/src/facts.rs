//! The fact model: what vfio-doctor knows about a host, and where each piece came from.
//!
//! Two conventions hold throughout:
//! - `None` (JSON `null`) means *unknown*: no source told us. It never means "false" or
//!   "absent". Where absence is itself a fact (no driver bound, no IOMMU group), the type
//!   says so explicitly.
//! - Every fact that a finding may cite carries a [`Provenance`]: the snapshot path or
//!   captured command it was read from, and a line or byte offset where it has one.

mod iommu;
mod log;
mod pci;
mod rom;
mod system;
mod vm;

pub use iommu::*;
pub use log::*;
pub use pci::*;
pub use rom::*;
pub use system::*;
pub use vm::*;

use serde::{Deserialize, Serialize};

/// Bumped whenever a field changes meaning or is removed; additions keep the version.
pub const FACTS_SCHEMA_VERSION: u32 = 1;

/// Where a fact was read: a path in the host tree (`proc/cmdline`,
/// `sys/bus/pci/devices/0000:01:00.0/config`) or a captured command (`cmd/dmesg`),
/// plus the 1-based line or the byte offset inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Provenance {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl Provenance {
    pub fn file(source: impl Into<String>) -> Self {
        Self { source: source.into(), line: None, offset: None }
    }

    pub fn line(source: impl Into<String>, line: u64) -> Self {
        Self { source: source.into(), line: Some(line), offset: None }
    }

    pub fn offset(source: impl Into<String>, offset: u64) -> Self {
        Self { source: source.into(), line: None, offset: Some(offset) }
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, "@{offset:#x}")?;
        }
        Ok(())
    }
}

/// A value together with the place it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Fact<T> {
    pub value: T,
    pub from: Provenance,
}

impl<T> Fact<T> {
    pub fn new(value: T, from: Provenance) -> Self {
        Self { value, from }
    }
}

/// Everything vfio-doctor knows about one host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Facts {
    pub schema_version: u32,
    pub collection: Collection,
    pub kernel: Kernel,
    pub boot: Boot,
    pub cpu: Cpu,
    pub virt: Virtualization,
    pub kernel_log: Option<KernelLog>,
    pub iommu: Iommu,
    /// `None` when no source listed the PCI devices at all.
    pub pci: Option<Vec<PciDevice>>,
    pub modules: Modules,
    /// `/proc/iomem`; `None` when unreadable or zeroed (addresses need root).
    pub memory_map: Option<Fact<Vec<IomemRange>>>,
    pub vms: Vec<Vm>,
    /// Start failures: Proxmox task logs, libvirt QEMU logs, pasted QEMU error text.
    pub start_logs: Vec<StartLog>,
    /// Option ROMs: every VM `romfile`, and ROMs read or given on the command line.
    pub roms: Vec<RomFile>,
    /// Proxmox PCI resource mappings (`/etc/pve/mapping/pci.cfg`).
    pub pci_mappings: Vec<PciMapping>,
}

impl Facts {
    pub fn new() -> Self {
        Self { schema_version: FACTS_SCHEMA_VERSION, ..Self::default() }
    }

    pub fn device(&self, address: &str) -> Option<&PciDevice> {
        self.pci.as_deref()?.iter().find(|d| d.address == address)
    }
}

/// How the facts were gathered, and what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Collection {
    /// `live`, `snapshot` or `paste`.
    pub source_kind: String,
    /// The folder, archive or pasted files the facts were read from (empty for live).
    pub source: Vec<String>,
    pub tool_version: String,
    /// When the underlying data was captured (RFC 3339), if known.
    pub captured_at: Option<String>,
    pub captured_by: Option<String>,
    /// Whether the reader had root privileges (live) or the capture had them (snapshot).
    pub privileged: Option<bool>,
    pub unreadable: Vec<Unreadable>,
    /// Non-fatal remarks from the probes: a truncated log, a malformed line skipped.
    pub notes: Vec<Note>,
}

/// Something a probe wanted and could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unreadable {
    pub path: String,
    pub reason: String,
    /// The one command that would let vfio-doctor read it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Note {
    pub source: String,
    pub message: String,
}
