//! Opening and writing snapshots in their three forms: a folder, a one-file text
//! archive (`.host`) and a zip (a report bundle holds its snapshot under `snapshot/`).

use super::snapshot::{Manifest, Snapshot, HEX_SUFFIX, KEEP_FILE, MANIFEST_PATH};
use super::text_archive::{self, is_plain_text};
use super::{FsTree, Host, HostError, MemEntry, MemTree};
use crate::parse::hexdump::write_hexdump;
use std::fs;
use std::io::{Read, Seek};
use std::path::Path;

/// Zip limits: a bundle is a few MB; anything far larger is a mistake or an attack.
const ZIP_MAX_ENTRIES: usize = 100_000;
const ZIP_MAX_TOTAL: u64 = 256 << 20;
const ZIP_MAX_ENTRY: u64 = 64 << 20;
/// The folder inside a report zip that holds the snapshot, when there is one.
pub const ZIP_SNAPSHOT_PREFIX: &str = "snapshot/";

/// Opens a snapshot from a folder, a `.host` text archive or a zip, by content.
pub fn open_snapshot(path: &Path) -> Result<Box<dyn Host>, HostError> {
    let name = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| HostError::from_io(&name, &e))?;
    if meta.is_dir() {
        return Ok(Box::new(Snapshot::new(FsTree::new(path), name)?));
    }
    let mut head = [0u8; 64];
    let mut file = fs::File::open(path).map_err(|e| HostError::from_io(&name, &e))?;
    let n = file.read(&mut head).map_err(|e| HostError::from_io(&name, &e))?;
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        let file = fs::File::open(path).map_err(|e| HostError::from_io(&name, &e))?;
        return open_zip_snapshot(file, &name);
    }
    if head.starts_with(text_archive::MAGIC.as_bytes()) {
        let mut text = String::new();
        fs::File::open(path)
            .and_then(|f| f.take(ZIP_MAX_TOTAL).read_to_string(&mut text))
            .map_err(|e| HostError::Invalid { path: name.clone(), message: e.to_string() })?;
        let tree = text_archive::parse(&text, &name)?;
        return Ok(Box::new(Snapshot::new(tree, name)?));
    }
    Err(HostError::Invalid {
        path: name,
        message: "not a snapshot: expected a folder, a vfio-doctor text archive or a report zip \
                  (for pasted logs use --paste)"
            .into(),
    })
}

/// Opens a snapshot held in a zip (a report bundle or a zipped snapshot folder) from any
/// seekable reader; `name` is the file named in errors.
pub fn open_zip_snapshot(zip: impl Read + Seek, name: &str) -> Result<Box<dyn Host>, HostError> {
    let tree = read_zip(zip, name)?;
    Ok(Box::new(Snapshot::new(tree, name)?))
}

fn read_zip(zip: impl Read + Seek, name: &str) -> Result<MemTree, HostError> {
    let invalid = |message: String| HostError::Invalid { path: name.to_string(), message };
    let mut archive = zip::ZipArchive::new(zip).map_err(|e| invalid(format!("not a readable zip: {e}")))?;
    if archive.len() > ZIP_MAX_ENTRIES {
        return Err(invalid(format!(
            "{} entries, more than the {ZIP_MAX_ENTRIES} a snapshot may hold",
            archive.len()
        )));
    }
    let has_snapshot_folder = (0..archive.len()).any(|i| {
        archive.name_for_index(i).is_some_and(|n| n.is_ok_and(|n| n.starts_with(ZIP_SNAPSHOT_PREFIX)))
    });
    let prefix = if has_snapshot_folder { ZIP_SNAPSHOT_PREFIX } else { "" };
    let mut tree = MemTree::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| invalid(format!("entry {i}: {e}")))?;
        let entry_name = entry.name().map_err(|e| invalid(format!("entry {i}: {e}")))?.into_owned();
        let Some(relative) = entry_name.strip_prefix(prefix).map(str::to_string) else { continue };
        if relative.is_empty() {
            continue;
        }
        if entry.is_dir() {
            tree.insert(&relative, MemEntry::Dir).map_err(|e| invalid(e.to_string()))?;
            continue;
        }
        if entry.size() > ZIP_MAX_ENTRY {
            return Err(invalid(format!(
                "{relative}: declares {} bytes unpacked, more than {ZIP_MAX_ENTRY}; refusing a likely zip bomb",
                entry.size()
            )));
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(ZIP_MAX_ENTRY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| invalid(format!("{relative}: {e}")))?;
        if bytes.len() as u64 > ZIP_MAX_ENTRY {
            return Err(invalid(format!("{relative}: unpacks to more than {ZIP_MAX_ENTRY} bytes")));
        }
        total += bytes.len() as u64;
        if total > ZIP_MAX_TOTAL {
            return Err(invalid(format!(
                "unpacks to more than {ZIP_MAX_TOTAL} bytes; refusing a likely zip bomb"
            )));
        }
        let entry_value = if entry.is_symlink() {
            let target = String::from_utf8_lossy(&bytes).into_owned();
            if leaves_tree(&relative, &target) {
                return Err(invalid(format!("{relative}: link to `{target}` points outside the snapshot")));
            }
            MemEntry::Link(target)
        } else {
            MemEntry::File(bytes)
        };
        tree.insert(&relative, entry_value).map_err(|e| invalid(e.to_string()))?;
    }
    Ok(tree)
}

/// Whether a link at `at` with `target` would lead above the tree's root (or is absolute).
fn leaves_tree(at: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return true;
    }
    let mut depth: i64 = at.split('/').filter(|c| !c.is_empty()).count() as i64 - 1;
    for component in target.split('/') {
        match component {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// What `write_snapshot` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub files: usize,
    pub links: usize,
    pub bytes: u64,
}

/// Writes a captured tree as a folder, or as a text archive when `out` ends in `.host`.
/// Refuses to write into anything that already exists, so nothing of the user's is lost.
pub fn write_snapshot(out: &Path, tree: &MemTree, manifest: &Manifest) -> Result<WriteSummary, HostError> {
    let name = out.display().to_string();
    if fs::symlink_metadata(out).is_ok() {
        return Err(HostError::Invalid {
            path: name,
            message: "already exists; choose a new path (vfio-doctor never overwrites)".into(),
        });
    }
    let manifest_json = serde_json::to_string_pretty(manifest)
        .map_err(|e| HostError::Invalid { path: name.clone(), message: e.to_string() })?;
    let mut summary = WriteSummary::default();
    if out.extension().is_some_and(|e| e == "host") {
        let mut with_manifest = tree.clone();
        with_manifest
            .insert(MANIFEST_PATH, MemEntry::File(format!("{manifest_json}\n").into_bytes()))
            .map_err(|e| HostError::Invalid { path: name.clone(), message: e.to_string() })?;
        let text = text_archive::write(&with_manifest, "");
        for (_, entry) in tree.entries() {
            match entry {
                MemEntry::File(_) => summary.files += 1,
                MemEntry::Link(_) => summary.links += 1,
                MemEntry::Dir => {}
            }
        }
        summary.bytes = text.len() as u64;
        fs::write(out, text).map_err(|e| HostError::from_io(&name, &e))?;
        return Ok(summary);
    }
    fs::create_dir_all(out).map_err(|e| HostError::from_io(&name, &e))?;
    let links: std::collections::BTreeSet<&str> =
        tree.entries().filter(|(_, e)| matches!(e, MemEntry::Link(_))).map(|(p, _)| p).collect();
    for (path, entry) in tree.entries() {
        // Writing through a link we created could land outside `out`.
        if path.match_indices('/').any(|(i, _)| links.contains(&path[..i])) {
            return Err(HostError::Invalid {
                path: path.to_string(),
                message: "lies below a symbolic link in the same snapshot".into(),
            });
        }
        let target = out.join(path);
        let shown = target.display().to_string();
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| HostError::from_io(&shown, &e))?;
        }
        match entry {
            MemEntry::Dir => {
                fs::create_dir_all(&target).map_err(|e| HostError::from_io(&shown, &e))?;
                // An empty folder is a fact (no IOMMU units); keep it through git.
                if !tree.entries().any(|(p, _)| {
                    p.len() > path.len() && p.starts_with(path) && p.as_bytes()[path.len()] == b'/'
                }) {
                    fs::write(target.join(KEEP_FILE), b"").map_err(|e| HostError::from_io(&shown, &e))?;
                }
            }
            MemEntry::Link(link) => {
                std::os::unix::fs::symlink(link, &target).map_err(|e| HostError::from_io(&shown, &e))?;
                summary.links += 1;
            }
            MemEntry::File(bytes) => {
                let (target, content) = if is_plain_text(bytes) {
                    (target, bytes.clone())
                } else {
                    (out.join(format!("{path}{HEX_SUFFIX}")), write_hexdump(bytes).into_bytes())
                };
                summary.bytes += content.len() as u64;
                fs::write(&target, content).map_err(|e| HostError::from_io(&shown, &e))?;
                summary.files += 1;
            }
        }
    }
    fs::write(out.join(MANIFEST_PATH), format!("{manifest_json}\n"))
        .map_err(|e| HostError::from_io(&name, &e))?;
    Ok(summary)
}
