//! Records everything the probes read from a host, so that `snapshot` captures exactly
//! what diagnosis needs and a replay of the snapshot yields the same facts.

use super::snapshot::{CommandRecord, Manifest, UnreadableRecord};
use super::{Command, EntryKind, Host, HostDescription, HostError, MemEntry, MemTree, Tree};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{BufRead, Cursor, Read};

/// Logs kept in a snapshot are cut at this size (a kernel log of one boot is far smaller).
const RECORDED_STREAM_CAP: u64 = 64 << 20;

pub struct RecordingHost<H> {
    inner: H,
    entries: RefCell<BTreeMap<String, MemEntry>>,
    commands: RefCell<BTreeMap<Command, CommandRecord>>,
    unreadable: RefCell<BTreeMap<String, UnreadableRecord>>,
    order: RefCell<Vec<String>>,
}

impl<H: Host> RecordingHost<H> {
    pub fn new(inner: H) -> Self {
        Self {
            inner,
            entries: RefCell::default(),
            commands: RefCell::default(),
            unreadable: RefCell::default(),
            order: RefCell::default(),
        }
    }

    fn keep(&self, path: &str, entry: MemEntry) {
        let mut entries = self.entries.borrow_mut();
        // A file or link beats the bare folder marker a listing may have left.
        if !matches!(entries.get(path), Some(MemEntry::File(_) | MemEntry::Link(_)))
            || !matches!(entry, MemEntry::Dir)
        {
            if !entries.contains_key(path) {
                self.order.borrow_mut().push(path.to_string());
            }
            entries.insert(path.to_string(), entry);
        }
    }

    /// Keeps every link on the way to `path`, and returns where `path` really is.
    fn located(&self, path: &str, follow_last: bool) -> Option<String> {
        let parts: Vec<&str> = super::resolve::components(path).collect();
        for end in 1..=parts.len() {
            let prefix = parts[..end].join("/");
            if end == parts.len() && !follow_last {
                break;
            }
            if self.inner.kind(&prefix) == Some(EntryKind::Link) {
                if let (Ok(at), Ok(target)) =
                    (self.inner.canonical(&prefix, false), self.inner.read_link(&prefix))
                {
                    self.keep(&at, MemEntry::Link(target));
                }
            }
        }
        self.inner.canonical(path, follow_last).ok()
    }

    fn failed(&self, path: &str, err: &HostError) {
        if !err.is_not_found() {
            self.unreadable.borrow_mut().insert(path.to_string(), UnreadableRecord::from_error(path, err));
        }
    }

    /// Runs a command now so that its output is in the snapshot even if no probe used it.
    pub fn capture_command(&self, command: Command) {
        if let Ok(mut reader) = self.command(command) {
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        }
    }

    /// The captured tree and its manifest (without `captured_at`, set by the writer).
    pub fn finish(self, tool_version: &str) -> (MemTree, Manifest) {
        let description = self.inner.describe();
        let mut manifest = Manifest::new(tool_version);
        manifest.privileged = description.privileged;
        manifest.captured_at = description.captured_at;
        let mut tree = MemTree::new();
        let entries = self.entries.into_inner();
        for path in self.order.into_inner() {
            if let Some(entry) = entries.get(&path) {
                // Paths come from the probes' own constants, never `..`; skip any that would be refused.
                if tree.insert(&path, entry.clone()).is_ok() {
                    manifest.collected.push(path);
                }
            }
        }
        manifest.commands = self.commands.into_inner().into_values().collect();
        manifest.unreadable = self.unreadable.into_inner().into_values().collect();
        (tree, manifest)
    }
}

impl<H: Host> Tree for RecordingHost<H> {
    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        let result = self.inner.read(path);
        match &result {
            Ok(bytes) => {
                if let Some(at) = self.located(path, true) {
                    self.keep(&at, MemEntry::File(bytes.clone()));
                }
            }
            Err(e) => self.failed(path, e),
        }
        result
    }

    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        self.inner.canonical(path, follow_last)
    }

    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        let mut bytes = Vec::new();
        match self.inner.open(path) {
            Ok(reader) => {
                reader
                    .take(RECORDED_STREAM_CAP)
                    .read_to_end(&mut bytes)
                    .map_err(|e| HostError::from_io(path, &e))?;
                if let Some(at) = self.located(path, true) {
                    self.keep(&at, MemEntry::File(bytes.clone()));
                }
                Ok(Box::new(Cursor::new(bytes)))
            }
            Err(e) => {
                self.failed(path, &e);
                Err(e)
            }
        }
    }

    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        let result = self.inner.list(path);
        match &result {
            Ok(names) => {
                let Some(at) = self.located(path, true) else { return result };
                self.keep(&at, MemEntry::Dir);
                for name in names {
                    let child = if path.is_empty() { name.clone() } else { format!("{path}/{name}") };
                    let child_at = if at.is_empty() { name.clone() } else { format!("{at}/{name}") };
                    match self.inner.kind(&child) {
                        Some(EntryKind::Link) => {
                            if let Ok(target) = self.inner.read_link(&child) {
                                self.keep(&child_at, MemEntry::Link(target));
                            }
                        }
                        Some(EntryKind::Dir) => self.keep(&child_at, MemEntry::Dir),
                        // Files are captured only when a probe reads them: reading sysfs
                        // files nobody asked for can wake or disturb devices.
                        _ => {}
                    }
                }
            }
            Err(e) => self.failed(path, e),
        }
        result
    }

    fn read_link(&self, path: &str) -> Result<String, HostError> {
        let result = self.inner.read_link(path);
        match &result {
            Ok(target) => {
                if let Some(at) = self.located(path, false) {
                    self.keep(&at, MemEntry::Link(target.clone()));
                }
            }
            Err(e) => self.failed(path, e),
        }
        result
    }

    fn kind(&self, path: &str) -> Option<EntryKind> {
        let kind = self.inner.kind(path);
        let follow = kind != Some(EntryKind::Link);
        let Some(at) = kind.and_then(|_| self.located(path, follow)) else { return kind };
        match kind {
            Some(EntryKind::Dir) => self.keep(&at, MemEntry::Dir),
            Some(EntryKind::Link) => {
                if let Ok(target) = self.inner.read_link(path) {
                    self.keep(&at, MemEntry::Link(target));
                }
            }
            // An existence check on a file: keep the file so the replay sees it too.
            Some(EntryKind::File) if !self.entries.borrow().contains_key(&at) => {
                if let Ok(bytes) = self.inner.read(path) {
                    self.keep(&at, MemEntry::File(bytes));
                }
            }
            _ => {}
        }
        kind
    }
}

impl<H: Host> Host for RecordingHost<H> {
    fn prefetch(&self, commands: &[Command]) {
        self.inner.prefetch(commands)
    }

    fn command(&self, command: Command) -> Result<Box<dyn BufRead + '_>, HostError> {
        let path = command.snapshot_path().to_string();
        let mut record = CommandRecord {
            command: command.display(),
            path: path.clone(),
            status: "ok".into(),
            message: None,
        };
        let result = self.inner.command(command).and_then(|reader| {
            let mut bytes = Vec::new();
            reader
                .take(RECORDED_STREAM_CAP)
                .read_to_end(&mut bytes)
                .map_err(|e| HostError::from_io(&path, &e))?;
            Ok(bytes)
        });
        let out = match result {
            Ok(bytes) => {
                self.keep(&path, MemEntry::File(bytes.clone()));
                Ok(Box::new(Cursor::new(bytes)) as Box<dyn BufRead>)
            }
            Err(e) => {
                record.status =
                    if matches!(e, HostError::CommandMissing { .. }) { "missing" } else { "failed" }.into();
                record.message = Some(e.reason());
                if matches!(e, HostError::NotFound { .. }) {
                    record.status = "skipped".into();
                }
                Err(e)
            }
        };
        self.commands.borrow_mut().insert(command, record);
        out
    }

    fn describe(&self) -> HostDescription {
        self.inner.describe()
    }
}
