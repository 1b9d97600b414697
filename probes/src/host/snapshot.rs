//! Snapshots: a host tree captured earlier, in a folder, a text archive or a zip.
//!
//! On top of the plain tree a snapshot adds three things (docs/snapshot-format.md):
//! binary files stored as hex dumps (`config.hex` for `config`), command outputs under
//! `cmd/`, and a manifest that records what was collected and what could not be read,
//! so that a replay answers "permission denied" where the original host did.

use super::{Command, EntryKind, Host, HostDescription, HostError, Tree};
use crate::parse::hexdump;
use serde::{Deserialize, Serialize};
use std::io::BufRead;

pub const MANIFEST_PATH: &str = "manifest.json";
pub const FORMAT_NAME: &str = "vfio-doctor-snapshot";
pub const FORMAT_VERSION: u32 = 1;
/// Suffix of a binary file stored as an `lspci -xxxx`-style hex dump.
pub const HEX_SUFFIX: &str = ".hex";
/// Keeps an empty folder alive in git (`sys/class/iommu/` with no IOMMU); never a host file.
pub const KEEP_FILE: &str = ".gitkeep";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    /// Whether the capture ran as root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// Free text: what the snapshot models (fixtures) or where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every file, link and folder listing captured, in order.
    #[serde(default)]
    pub collected: Vec<String>,
    #[serde(default)]
    pub commands: Vec<CommandRecord>,
    #[serde(default)]
    pub unreadable: Vec<UnreadableRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandRecord {
    pub command: String,
    pub path: String,
    /// `ok`, `missing` (not installed) or `failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadableRecord {
    pub path: String,
    /// `permission-denied`, `link-loop`, `too-large` or `error`.
    pub kind: String,
    pub reason: String,
}

impl Manifest {
    pub fn new(tool_version: &str) -> Self {
        Self {
            format: FORMAT_NAME.into(),
            format_version: FORMAT_VERSION,
            tool_version: tool_version.into(),
            captured_at: None,
            privileged: None,
            description: None,
            collected: Vec::new(),
            commands: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, HostError> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| HostError::Invalid {
            path: MANIFEST_PATH.into(),
            message: format!("line {}, column {}: {e}", e.line(), e.column()),
        })?;
        if manifest.format != FORMAT_NAME {
            return Err(HostError::Invalid {
                path: MANIFEST_PATH.into(),
                message: format!("`format` is {:?}, expected {FORMAT_NAME:?}", manifest.format),
            });
        }
        if manifest.format_version > FORMAT_VERSION {
            return Err(HostError::Invalid {
                path: MANIFEST_PATH.into(),
                message: format!(
                    "format version {} is newer than this vfio-doctor reads ({FORMAT_VERSION}); upgrade vfio-doctor",
                    manifest.format_version
                ),
            });
        }
        Ok(manifest)
    }

    fn unreadable_error(&self, path: &str) -> Option<HostError> {
        let record = self.unreadable.iter().find(|u| u.path == path)?;
        let path = path.to_string();
        Some(match record.kind.as_str() {
            "permission-denied" => HostError::PermissionDenied { path },
            "link-loop" => HostError::LinkLoop { path },
            _ => HostError::Io { path, message: record.reason.clone() },
        })
    }
}

impl UnreadableRecord {
    pub fn from_error(path: &str, err: &HostError) -> Self {
        let kind = match err {
            HostError::PermissionDenied { .. } => "permission-denied",
            HostError::LinkLoop { .. } => "link-loop",
            HostError::TooLarge { .. } => "too-large",
            _ => "error",
        };
        Self { path: path.into(), kind: kind.into(), reason: err.reason() }
    }
}

/// A captured host: any tree plus its manifest.
#[derive(Debug, Clone)]
pub struct Snapshot<T> {
    tree: T,
    manifest: Manifest,
    source: String,
}

impl<T: Tree> Snapshot<T> {
    /// Opens a snapshot tree. A tree without a manifest is accepted (a hand-made folder)
    /// and treated as captured by an unknown tool; a manifest that does not parse is an
    /// error naming the file.
    pub fn new(tree: T, source: impl Into<String>) -> Result<Self, HostError> {
        let source = source.into();
        let manifest = match tree.read(MANIFEST_PATH) {
            Ok(bytes) => Manifest::parse(&String::from_utf8_lossy(&bytes)).map_err(|e| match e {
                HostError::Invalid { message, .. } => {
                    HostError::Invalid { path: format!("{source}/{MANIFEST_PATH}"), message }
                }
                other => other,
            })?,
            Err(e) if e.is_not_found() => Manifest::new("unknown"),
            Err(e) => return Err(e),
        };
        Ok(Self { tree, manifest, source })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn tree(&self) -> &T {
        &self.tree
    }

    fn read_hex(&self, path: &str) -> Result<Vec<u8>, HostError> {
        let hex_path = format!("{path}{HEX_SUFFIX}");
        let text = self.tree.read_text(&hex_path)?;
        let mut dumps = hexdump::parse_hexdump(&text)
            .map_err(|e| HostError::Invalid { path: hex_path.clone(), message: e.to_string() })?;
        match dumps.len() {
            1 => Ok(dumps.remove(0).bytes),
            0 => Ok(Vec::new()),
            n => Err(HostError::Invalid {
                path: hex_path,
                message: format!("holds {n} hex dumps; a snapshot file holds one"),
            }),
        }
    }

    fn or_recorded(&self, path: &str, err: HostError) -> HostError {
        if err.is_not_found() {
            self.manifest.unreadable_error(path).unwrap_or(err)
        } else {
            err
        }
    }
}

impl<T: Tree> Tree for Snapshot<T> {
    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        match self.tree.read(path) {
            Err(e) if e.is_not_found() => match self.read_hex(path) {
                Err(hex_err) if hex_err.is_not_found() => Err(self.or_recorded(path, e)),
                other => other,
            },
            other => other,
        }
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        match self.tree.open(path) {
            Err(e) if e.is_not_found() => Err(self.or_recorded(path, e)),
            other => other,
        }
    }

    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        let mut names = self.tree.list(path).map_err(|e| self.or_recorded(path, e))?;
        for name in names.iter_mut() {
            if let Some(stem) = name.strip_suffix(HEX_SUFFIX) {
                *name = stem.to_string();
            }
        }
        if path.is_empty() {
            names.retain(|n| n != MANIFEST_PATH);
        }
        names.retain(|n| n != KEEP_FILE);
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn read_link(&self, path: &str) -> Result<String, HostError> {
        self.tree.read_link(path).map_err(|e| self.or_recorded(path, e))
    }

    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        self.tree.canonical(path, follow_last)
    }

    fn kind(&self, path: &str) -> Option<EntryKind> {
        self.tree
            .kind(path)
            .or_else(|| self.tree.kind(&format!("{path}{HEX_SUFFIX}")).filter(|k| *k == EntryKind::File))
    }
}

impl<T: Tree> Host for Snapshot<T> {
    fn command(&self, command: Command) -> Result<Box<dyn BufRead + '_>, HostError> {
        let path = command.snapshot_path();
        let record = self.manifest.commands.iter().find(|r| r.path == path);
        match record.map(|r| r.status.as_str()) {
            Some("missing") => return Err(HostError::CommandMissing { command: command.display() }),
            Some("failed") => {
                let message = record.and_then(|r| r.message.clone()).unwrap_or_default();
                return Err(HostError::CommandFailed { command: command.display(), message });
            }
            _ => {}
        }
        self.tree.open(path)
    }

    fn describe(&self) -> HostDescription {
        HostDescription {
            kind: "snapshot".into(),
            sources: vec![self.source.clone()],
            captured_at: self.manifest.captured_at.clone(),
            captured_by: Some(self.manifest.tool_version.clone()),
            privileged: self.manifest.privileged,
        }
    }
}
