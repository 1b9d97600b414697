//! A host tree backed by a folder on disk: `/` for the live host, or a snapshot folder.

use super::resolve::{resolve, LinkLookup};
use super::{EntryKind, HostError, Tree, MAX_FILE_BYTES};
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct FsTree {
    root: PathBuf,
}

impl FsTree {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn real(&self, resolved: &str) -> PathBuf {
        if resolved.is_empty() {
            self.root.clone()
        } else {
            self.root.join(resolved)
        }
    }

    fn resolved(&self, path: &str, follow_last: bool) -> Result<PathBuf, HostError> {
        // Under `/` the kernel resolves links exactly as `resolve` would (absolute targets
        // and `..` stop at the root), in one system call instead of one per component:
        // reading sysfs this way is the difference between 3 ms and 20 ms.
        if self.root == Path::new("/") {
            return Ok(self.real(path));
        }
        resolve(self, path, follow_last).map(|r| self.real(&r))
    }
}

impl LinkLookup for FsTree {
    fn link_at(&self, path: &str) -> Result<Option<String>, HostError> {
        let real = self.real(path);
        let meta = fs::symlink_metadata(&real).map_err(|e| HostError::from_io(path, &e))?;
        if !meta.file_type().is_symlink() {
            return Ok(None);
        }
        let target = fs::read_link(&real).map_err(|e| HostError::from_io(path, &e))?;
        Ok(Some(target.to_string_lossy().into_owned()))
    }
}

impl Tree for FsTree {
    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        resolve(self, path, follow_last)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        let real = self.resolved(path, true)?;
        let file = fs::File::open(&real).map_err(|e| HostError::from_io(path, &e))?;
        let mut bytes = Vec::new();
        // sysfs files report a size of 4096 whatever they hold, so read to the end
        // instead of trusting the length, but never past the cap.
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| HostError::from_io(path, &e))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(HostError::TooLarge { path: path.to_string(), limit: MAX_FILE_BYTES });
        }
        Ok(bytes)
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        let real = self.resolved(path, true)?;
        let file = fs::File::open(&real).map_err(|e| HostError::from_io(path, &e))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(HostError::Invalid { path: path.into(), message: "is a folder".into() });
        }
        Ok(Box::new(BufReader::with_capacity(64 << 10, file)))
    }

    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        let real = self.resolved(path, true)?;
        let entries = fs::read_dir(&real).map_err(|e| HostError::from_io(path, &e))?;
        let mut names: Vec<String> =
            entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        Ok(names)
    }

    fn read_link(&self, path: &str) -> Result<String, HostError> {
        let real = self.resolved(path, false)?;
        fs::read_link(&real)
            .map(|t| t.to_string_lossy().into_owned())
            .map_err(|e| HostError::from_io(path, &e))
    }

    fn kind(&self, path: &str) -> Option<EntryKind> {
        let real = self.resolved(path, false).ok()?;
        let meta = fs::symlink_metadata(real).ok()?;
        let kind = meta.file_type();
        Some(if kind.is_symlink() {
            EntryKind::Link
        } else if kind.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File
        })
    }
}
