//! Kernel and VM start logs: lines with their position, timestamp and original text.

use super::Provenance;
use serde::{Deserialize, Serialize};

/// Where the kernel log came from, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LogOrigin {
    Dmesg,
    Journal,
    KernLog,
    Pasted,
}

/// The kernel log of the current boot (or the pasted excerpt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KernelLog {
    pub origin: LogOrigin,
    /// The snapshot path or pasted file the lines were read from (`cmd/dmesg`).
    pub source: String,
    pub lines: Vec<LogLine>,
    /// Lines read from the source in all, including earlier boots and dropped lines.
    pub total_lines: u64,
    /// Lines of this boot dropped to keep memory bounded (the oldest go first).
    pub dropped_lines: u64,
}

/// One logical log line. Continuation lines (a leading space, `pr_cont`) are joined on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogLine {
    /// 1-based line number in the source where this line starts.
    pub n: u64,
    /// Seconds since boot, when the source printed it (`[    0.683160]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<f64>,
    /// The message with the dmesg/journal/syslog prefix stripped.
    pub text: String,
    /// The line as the source printed it, for evidence.
    pub raw: String,
}

impl LogLine {
    pub fn provenance(&self, source: &str) -> Provenance {
        Provenance::line(source, self.n)
    }
}

/// Output of a VM start attempt: a Proxmox task log, a libvirt QEMU log or pasted error text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StartLog {
    /// The VM it belongs to, when the source says (Proxmox vmid or libvirt domain name).
    pub vm: Option<String>,
    pub source: String,
    pub lines: Vec<LogLine>,
    /// When the start began (seconds since the epoch), when the source says.
    #[serde(default)]
    pub started_at: Option<u64>,
    /// Whether the start failed: `TASK ERROR`, or libvirt's `reason=failed`.
    #[serde(default)]
    pub failed: Option<bool>,
}
