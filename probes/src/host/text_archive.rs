//! The one-file text archive: a whole snapshot in one reviewable text file, in the
//! spirit of Go's txtar (docs/snapshot-format.md).
//!
//! ```text
//! vfio-doctor snapshot archive v1
//! -- proc/cmdline --
//! BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet
//! -- sys/bus/pci/devices/0000:01:00.0 -> ../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0 --
//! -- sys/kernel/iommu_groups/ --
//! ```
//!
//! A file's content runs to the next marker line; a marker ending in `/` is an empty
//! folder; `a -> b` is a symbolic link. Binary files travel as `<name>.hex`.

use super::{HostError, MemEntry, MemTree};

pub const MAGIC: &str = "vfio-doctor snapshot archive v1";

fn marker(line: &str) -> Option<&str> {
    line.strip_prefix("-- ")?.strip_suffix(" --")
}

/// Whether `text` can be stored verbatim: valid UTF-8 without NUL or other control
/// characters and without a line that would read as a marker.
pub fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
        && !text.lines().any(|l| marker(l).is_some() || l == MAGIC)
}

/// Parses an archive into a tree. `name` is used in error messages.
pub fn parse(text: &str, name: &str) -> Result<MemTree, HostError> {
    let invalid = |line: usize, message: String| HostError::Invalid {
        path: name.to_string(),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_end() == MAGIC => {}
        _ => return Err(invalid(1, format!("not a snapshot archive (first line must be `{MAGIC}`)"))),
    }
    let mut tree = MemTree::new();
    let mut current: Option<(String, String, usize)> = None;
    let flush = |tree: &mut MemTree, current: Option<(String, String, usize)>| {
        if let Some((path, content, line)) = current {
            tree.insert(&path, MemEntry::File(content.into_bytes()))
                .map_err(|e| invalid(line, e.to_string()))?;
        }
        Ok::<(), HostError>(())
    };
    for (index, line) in lines {
        let line_no = index + 1;
        let Some(header) = marker(line.trim_end_matches('\r')) else {
            // Text before the first marker is the archive's comment.
            if let Some((_, content, _)) = current.as_mut() {
                content.push_str(line.trim_end_matches('\r'));
                content.push('\n');
            }
            continue;
        };
        flush(&mut tree, current.take())?;
        if let Some((path, target)) = header.split_once(" -> ") {
            tree.insert(path.trim(), MemEntry::Link(target.trim().to_string()))
                .map_err(|e| invalid(line_no, e.to_string()))?;
        } else if let Some(dir) = header.strip_suffix('/') {
            tree.insert(dir, MemEntry::Dir).map_err(|e| invalid(line_no, e.to_string()))?;
        } else if header.trim().is_empty() {
            return Err(invalid(line_no, "marker without a path".into()));
        } else {
            current = Some((header.trim().to_string(), String::new(), line_no));
        }
    }
    flush(&mut tree, current)?;
    Ok(tree)
}

/// Writes a tree as an archive. Binary files must already be hex-encoded by the caller;
/// one that is not plain text is written as hex here as a last resort.
pub fn write(tree: &MemTree, comment: &str) -> String {
    let mut out = String::new();
    out.push_str(MAGIC);
    out.push('\n');
    for line in comment.lines() {
        out.push_str(line);
        out.push('\n');
    }
    for (path, entry) in tree.entries() {
        match entry {
            MemEntry::Dir => out.push_str(&format!("-- {path}/ --\n")),
            MemEntry::Link(target) => out.push_str(&format!("-- {path} -> {target} --\n")),
            MemEntry::File(bytes) if is_plain_text(bytes) => {
                out.push_str(&format!("-- {path} --\n"));
                let text = String::from_utf8_lossy(bytes);
                out.push_str(&text);
                if !text.is_empty() && !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            MemEntry::File(bytes) => {
                out.push_str(&format!("-- {path}{} --\n", super::snapshot::HEX_SUFFIX));
                out.push_str(&crate::parse::hexdump::write_hexdump(bytes));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Tree;

    #[test]
    fn round_trips_files_links_and_folders() {
        let mut tree = MemTree::new();
        tree.insert("proc/cmdline", MemEntry::File(b"quiet intel_iommu=on\n".to_vec())).unwrap();
        tree.insert("sys/bus/pci/devices/0000:01:00.0", MemEntry::Link("../../../devices/x".into())).unwrap();
        tree.insert("sys/kernel/iommu_groups", MemEntry::Dir).unwrap();
        let text = write(&tree, "# comment line");
        let back = parse(&text, "t.host").unwrap();
        assert_eq!(back, tree);
        assert_eq!(back.read("proc/cmdline").unwrap(), b"quiet intel_iommu=on\n");
    }

    #[test]
    fn rejects_foreign_text_and_escaping_paths() {
        let err = parse("hello\n", "post.txt").unwrap_err().to_string();
        assert!(err.contains("post.txt") && err.contains("line 1"), "{err}");
        let err = parse(&format!("{MAGIC}\n-- ../etc/passwd --\nroot\n"), "x.host").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn content_that_looks_like_a_marker_is_not_plain_text() {
        assert!(!is_plain_text(b"-- fake --\n"));
        assert!(!is_plain_text(&[0, 1, 2]));
        assert!(is_plain_text(b"0x10de\n"));
    }
}
