//! Pasted text as a host: each part of a forum post is laid out where the host would
//! keep it (`cmd/dmesg`, `proc/cmdline`, `etc/pve/qemu-server/<id>.conf`, …), so the same
//! probes read it, and every line remembers the pasted file and line it came from.

use super::{Command, EntryKind, Host, HostDescription, HostError, LineOrigin, MemEntry, MemTree, Tree};
use crate::parse::paste::{split_paste, PasteChunk, PasteKind};
use crate::probe::iommu::PASTED_GROUPS;
use crate::probe::vms::PASTED_START_ERRORS;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};

/// A paste is read whole; a bigger file is a log that belongs in a snapshot folder.
pub const MAX_PASTE_BYTES: u64 = 64 << 20;

/// One input the user gave: a name for messages and provenance, and its bytes.
pub struct PastedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl PastedFile {
    /// Reads a file, or standard input for `-`.
    pub fn read(path: &str) -> Result<Self, HostError> {
        let (name, reader): (String, Box<dyn Read>) = if path == "-" {
            ("<stdin>".into(), Box::new(std::io::stdin()))
        } else {
            let file = std::fs::File::open(path).map_err(|e| HostError::from_io(path, &e))?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(HostError::Invalid {
                    path: path.into(),
                    message: "is a folder; use --root for a snapshot folder".into(),
                });
            }
            (path.to_string(), Box::new(file))
        };
        let mut bytes = Vec::new();
        reader
            .take(MAX_PASTE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| HostError::from_io(&name, &e))?;
        if bytes.len() as u64 > MAX_PASTE_BYTES {
            return Err(HostError::TooLarge { path: name, limit: MAX_PASTE_BYTES });
        }
        Ok(Self { name, bytes })
    }
}

pub struct PastedHost {
    tree: MemTree,
    origins: BTreeMap<String, LineOrigin>,
    sources: Vec<String>,
    /// What was not recognised, per file: `(file, first line, line count)`.
    pub ignored: Vec<(String, u64, usize)>,
    /// How many parts of each kind were found.
    pub kinds: Vec<(String, PasteKind)>,
}

/// Accumulates the text laid out at one path, and where each of its lines came from.
#[derive(Default)]
struct Assembled {
    text: String,
    origin: Vec<(String, u64)>,
}

impl PastedHost {
    pub fn new(files: Vec<PastedFile>) -> Self {
        let mut assembled: BTreeMap<String, Assembled> = BTreeMap::new();
        let mut ignored = Vec::new();
        let mut kinds = Vec::new();
        let mut counters: BTreeMap<&'static str, usize> = BTreeMap::new();
        for file in &files {
            let text = String::from_utf8_lossy(&file.bytes);
            for chunk in split_paste(&text) {
                kinds.push((file.name.clone(), chunk.kind));
                let Some(path) = layout_path(&chunk, &file.name, &mut counters) else {
                    let lines = chunk.text.lines().count();
                    ignored.push((file.name.clone(), chunk.first_line, lines));
                    continue;
                };
                let target = assembled.entry(path).or_default();
                for (i, line) in chunk.text.lines().enumerate() {
                    target.text.push_str(line);
                    target.text.push('\n');
                    target.origin.push((file.name.clone(), chunk.first_line + i as u64));
                }
            }
        }
        let mut tree = MemTree::new();
        let mut origins = BTreeMap::new();
        for (path, part) in assembled {
            // Layout paths are built above from fixed names and sanitised ids.
            if tree.insert(&path, MemEntry::File(part.text.into_bytes())).is_ok() {
                let mut origin = LineOrigin::default();
                for (file, line) in part.origin {
                    let index = match origin.files.iter().position(|f| *f == file) {
                        Some(index) => index,
                        None => {
                            origin.files.push(file);
                            origin.files.len() - 1
                        }
                    };
                    origin.lines.push((index, line));
                }
                origins.insert(path, origin);
            }
        }
        Self { tree, origins, sources: files.into_iter().map(|f| f.name).collect(), ignored, kinds }
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }
}

/// Where a chunk of a given kind lives in the host tree.
fn layout_path(
    chunk: &PasteChunk,
    file: &str,
    counters: &mut BTreeMap<&'static str, usize>,
) -> Option<String> {
    let mut next = |key: &'static str| {
        let n = counters.entry(key).or_insert(0);
        *n += 1;
        *n
    };
    Some(match chunk.kind {
        PasteKind::KernelLog => Command::Dmesg.snapshot_path().into(),
        PasteKind::Lspci => Command::LspciVvv.snapshot_path().into(),
        PasteKind::LspciHex => Command::LspciXxxx.snapshot_path().into(),
        PasteKind::Cmdline => "proc/cmdline".into(),
        PasteKind::KernelCmdline => "etc/kernel/cmdline".into(),
        PasteKind::DefaultGrub => "etc/default/grub".into(),
        PasteKind::Modprobe => format!("etc/modprobe.d/pasted-{}.conf", next("modprobe")),
        PasteKind::IommuGroups => PASTED_GROUPS.into(),
        PasteKind::StartError => PASTED_START_ERRORS.into(),
        PasteKind::ProxmoxVmConfig => {
            let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".conf");
            let id = if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
                stem.to_string()
            } else {
                format!("pasted-{}", next("vm"))
            };
            format!("etc/pve/qemu-server/{id}.conf")
        }
        PasteKind::LibvirtXml => {
            let name = domain_name(&chunk.text)
                .filter(|n| {
                    n.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) && !n.starts_with('.')
                })
                .unwrap_or_else(|| format!("pasted-{}", next("domain")));
            format!("etc/libvirt/qemu/{name}.xml")
        }
        PasteKind::Unknown => return None,
    })
}

fn domain_name(xml: &str) -> Option<String> {
    let start = xml.find("<name>")? + "<name>".len();
    let end = xml[start..].find("</name>")? + start;
    Some(xml[start..end].trim().to_string())
}

impl Tree for PastedHost {
    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        self.tree.read(path)
    }
    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        self.tree.open(path)
    }
    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        self.tree.list(path)
    }
    fn read_link(&self, path: &str) -> Result<String, HostError> {
        self.tree.read_link(path)
    }
    fn kind(&self, path: &str) -> Option<EntryKind> {
        self.tree.kind(path)
    }
    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        self.tree.canonical(path, follow_last)
    }
}

impl Host for PastedHost {
    fn command(&self, command: Command) -> Result<Box<dyn BufRead + '_>, HostError> {
        self.tree.open(command.snapshot_path())
    }

    fn describe(&self) -> HostDescription {
        HostDescription { kind: "paste".into(), sources: self.sources.clone(), ..HostDescription::default() }
    }

    fn origin(&self, path: &str) -> Option<&LineOrigin> {
        self.origins.get(path)
    }
}
