//! A host tree held in memory: what a text archive, a report zip or pasted text becomes.

use super::resolve::{components, resolve, LinkLookup};
use super::{EntryKind, HostError, Tree};
use std::collections::BTreeMap;
use std::io::{BufRead, Cursor};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemEntry {
    File(Vec<u8>),
    Link(String),
    Dir,
}

/// Paths map to entries; parent folders are implied by their children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemTree {
    entries: BTreeMap<String, MemEntry>,
}

impl MemTree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Normalises the path (no leading slash, no `.`); `..` components are refused so an
    /// archive cannot name a path outside its tree.
    pub fn insert(&mut self, path: &str, entry: MemEntry) -> Result<(), HostError> {
        if path.split('/').any(|c| c == "..") {
            return Err(HostError::Invalid {
                path: path.to_string(),
                message: "path leaves the snapshot (`..`)".into(),
            });
        }
        let normal = components(path).collect::<Vec<_>>().join("/");
        if normal.is_empty() {
            return Err(HostError::Invalid { path: path.to_string(), message: "empty path".into() });
        }
        self.entries.insert(normal, entry);
        Ok(())
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &MemEntry)> {
        self.entries.iter().map(|(p, e)| (p.as_str(), e))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn is_implied_dir(&self, path: &str) -> bool {
        if path.is_empty() {
            return true;
        }
        let prefix = format!("{path}/");
        self.entries.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    fn entry(&self, resolved: &str, original: &str) -> Result<Option<&MemEntry>, HostError> {
        match self.entries.get(resolved) {
            Some(e) => Ok(Some(e)),
            None if self.is_implied_dir(resolved) => Ok(None),
            None => Err(HostError::NotFound { path: original.to_string() }),
        }
    }
}

impl LinkLookup for MemTree {
    fn link_at(&self, path: &str) -> Result<Option<String>, HostError> {
        match self.entry(path, path)? {
            Some(MemEntry::Link(target)) => Ok(Some(target.clone())),
            _ => Ok(None),
        }
    }
}

impl Tree for MemTree {
    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        resolve(self, path, follow_last)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        let resolved = resolve(self, path, true)?;
        match self.entry(&resolved, path)? {
            Some(MemEntry::File(bytes)) => Ok(bytes.clone()),
            _ => Err(HostError::Invalid { path: path.into(), message: "is a folder".into() }),
        }
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        let resolved = resolve(self, path, true)?;
        match self.entry(&resolved, path)? {
            Some(MemEntry::File(bytes)) => Ok(Box::new(Cursor::new(bytes.as_slice()))),
            _ => Err(HostError::Invalid { path: path.into(), message: "is a folder".into() }),
        }
    }

    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        let resolved = resolve(self, path, true)?;
        if let Some(MemEntry::File(_)) = self.entry(&resolved, path)? {
            return Err(HostError::Invalid { path: path.into(), message: "not a folder".into() });
        }
        let prefix = if resolved.is_empty() { String::new() } else { format!("{resolved}/") };
        let mut names: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| k[prefix.len()..].split('/').next().map(str::to_string))
            .collect();
        names.dedup();
        Ok(names)
    }

    fn read_link(&self, path: &str) -> Result<String, HostError> {
        let resolved = resolve(self, path, false)?;
        match self.entry(&resolved, path)? {
            Some(MemEntry::Link(target)) => Ok(target.clone()),
            _ => Err(HostError::Invalid { path: path.into(), message: "not a link".into() }),
        }
    }

    fn kind(&self, path: &str) -> Option<EntryKind> {
        let resolved = resolve(self, path, false).ok()?;
        match self.entry(&resolved, path).ok()? {
            Some(MemEntry::File(_)) => Some(EntryKind::File),
            Some(MemEntry::Link(_)) => Some(EntryKind::Link),
            Some(MemEntry::Dir) | None => Some(EntryKind::Dir),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> MemTree {
        let mut t = MemTree::new();
        let dev = "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0";
        t.insert(&format!("{dev}/vendor"), MemEntry::File(b"0x10de\n".to_vec())).unwrap();
        t.insert(&format!("{dev}/driver"), MemEntry::Link("../../../../bus/pci/drivers/vfio-pci".into()))
            .unwrap();
        t.insert(
            "sys/bus/pci/devices/0000:01:00.0",
            MemEntry::Link("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0".into()),
        )
        .unwrap();
        t
    }

    #[test]
    fn reads_through_links_and_lists_implied_folders() {
        let t = tree();
        assert_eq!(t.read("sys/bus/pci/devices/0000:01:00.0/vendor").unwrap(), b"0x10de\n");
        assert_eq!(t.list("sys/bus/pci/devices").unwrap(), vec!["0000:01:00.0"]);
        assert_eq!(t.list("sys/bus/pci/devices/0000:01:00.0").unwrap(), vec!["driver", "vendor"]);
        assert_eq!(
            t.read_link("sys/bus/pci/devices/0000:01:00.0/driver").unwrap(),
            "../../../../bus/pci/drivers/vfio-pci"
        );
        assert_eq!(t.kind("sys/bus/pci/devices/0000:01:00.0"), Some(EntryKind::Link));
        assert_eq!(t.kind("sys/bus"), Some(EntryKind::Dir));
        assert_eq!(t.kind("sys/nothing"), None);
        assert!(t.read("sys/nothing").unwrap_err().is_not_found());
    }

    #[test]
    fn refuses_paths_that_leave_the_tree() {
        let mut t = MemTree::new();
        assert!(t.insert("../etc/passwd", MemEntry::File(vec![])).is_err());
        assert!(t.insert("a/../../b", MemEntry::File(vec![])).is_err());
    }
}
