//! The only door to a host. Every probe reads through [`Host`]; nothing else in this
//! crate touches the file system or runs a process.
//!
//! Paths are host paths without the leading slash (`proc/cmdline`,
//! `sys/bus/pci/devices/0000:01:00.0/config`). Captured command outputs live under
//! `cmd/` (see [`Command`]), so a snapshot can hold them beside the files.

mod error;
mod fs_tree;
mod live;
mod mem_tree;
mod pasted;
mod recording;
pub(crate) mod resolve;
mod snapshot;
mod store;
pub mod text_archive;

pub use error::HostError;
pub use fs_tree::FsTree;
pub use live::{disable_active_rom, LiveHost};
pub use mem_tree::{MemEntry, MemTree};
pub use pasted::{PastedFile, PastedHost, MAX_PASTE_BYTES};
pub use recording::RecordingHost;
pub use snapshot::{CommandRecord, Manifest, Snapshot, UnreadableRecord, MANIFEST_PATH};
pub use store::{open_snapshot, open_zip_snapshot, write_snapshot, WriteSummary};

use std::io::BufRead;

/// Upper bound for one file read whole (config space is 4 KiB, a VM config a few KiB;
/// only logs are large, and those are streamed with [`Host::open`]).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// What kind of entry a path names, without following a final symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Link,
}

/// A command whose output vfio-doctor uses. Each has a fixed place in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Command {
    Dmesg,
    JournalKernel,
    LspciNnk,
    LspciVvv,
    LspciXxxx,
    Pveversion,
    ProxmoxBootStatus,
    DetectVirt,
    JournalVmStarts,
}

impl Command {
    pub const ALL: [Command; 9] = [
        Command::Dmesg,
        Command::JournalKernel,
        Command::LspciNnk,
        Command::LspciVvv,
        Command::LspciXxxx,
        Command::Pveversion,
        Command::ProxmoxBootStatus,
        Command::DetectVirt,
        Command::JournalVmStarts,
    ];

    /// Whether a live capture (`snapshot`, `report`) runs it. Not `lspci -xxxx`: config
    /// space is already recorded from sysfs as `config.hex`, and dumping it again through
    /// lspci doubled the slowest part of a capture. The dump is still read from pasted
    /// text and snapshots that hold one.
    pub fn captured_live(self) -> bool {
        self != Command::LspciXxxx
    }

    /// The commands a live capture runs, in [`Command::ALL`] order.
    pub fn captured() -> Vec<Command> {
        Command::ALL.into_iter().filter(|c| c.captured_live()).collect()
    }

    /// Where the output is kept in a snapshot.
    pub fn snapshot_path(self) -> &'static str {
        match self {
            Command::Dmesg => "cmd/dmesg",
            Command::JournalKernel => "cmd/journalctl-k-b",
            Command::LspciNnk => "cmd/lspci-nnk",
            Command::LspciVvv => "cmd/lspci-vvv",
            Command::LspciXxxx => "cmd/lspci-xxxx",
            Command::Pveversion => "cmd/pveversion-v",
            Command::ProxmoxBootStatus => "cmd/proxmox-boot-tool-status",
            Command::DetectVirt => "cmd/systemd-detect-virt",
            Command::JournalVmStarts => "cmd/journalctl-vm-starts",
        }
    }

    /// The command line run on a live host.
    pub fn argv(self) -> &'static [&'static str] {
        match self {
            Command::Dmesg => &["dmesg"],
            Command::JournalKernel => &["journalctl", "-k", "-b", "0", "--no-pager", "-q"],
            Command::LspciNnk => &["lspci", "-nnk", "-D"],
            Command::LspciVvv => &["lspci", "-vvv", "-nn", "-D"],
            Command::LspciXxxx => &["lspci", "-xxxx", "-D"],
            Command::Pveversion => &["pveversion", "-v"],
            Command::ProxmoxBootStatus => &["proxmox-boot-tool", "status"],
            Command::DetectVirt => &["systemd-detect-virt"],
            // The Proxmox daemons that start VMs, this boot: task start/end lines with
            // their errors, and `Starting VM … failed` from start-on-boot.
            Command::JournalVmStarts => &[
                "journalctl",
                "-b",
                "0",
                "-t",
                "pvedaemon",
                "-t",
                "pve-guests",
                "-t",
                "qm",
                "-t",
                "qmeventd",
                "--no-pager",
                "-q",
                "-n",
                "5000",
            ],
        }
    }

    /// The command as a user would type it, for messages.
    pub fn display(self) -> String {
        self.argv().join(" ")
    }

    pub fn from_snapshot_path(path: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.snapshot_path() == path)
    }
}

/// A tree of files, folders and links: the part of a host that is not commands.
pub trait Tree {
    /// Reads a whole file, following links, up to [`MAX_FILE_BYTES`].
    fn read(&self, path: &str) -> Result<Vec<u8>, HostError>;

    /// Opens a file for streaming (logs, which can be large).
    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError>;

    /// Names in a folder, sorted.
    fn list(&self, path: &str) -> Result<Vec<String>, HostError>;

    /// The target of a symbolic link, as stored.
    fn read_link(&self, path: &str) -> Result<String, HostError>;

    /// The kind of entry at `path` (a final link is not followed), or `None` if absent.
    fn kind(&self, path: &str) -> Option<EntryKind>;

    /// The link-free path inside the tree that `path` leads to (with `follow_last`, through
    /// a final link too). Used to record a snapshot at the places the data really sits.
    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError>;

    /// Reads a file as text, replacing invalid UTF-8.
    fn read_text(&self, path: &str) -> Result<String, HostError> {
        self.read(path).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn exists(&self, path: &str) -> bool {
        self.kind(path).is_some()
    }
}

/// Read access to one host, wherever it is.
pub trait Host: Tree {
    /// A command's standard output: run live, or read from its snapshot path.
    fn command(&self, command: Command) -> Result<Box<dyn BufRead + '_>, HostError>;

    /// What this host is, for the facts' collection record.
    fn describe(&self) -> HostDescription;

    /// Says which commands will be asked for soon, so a live host can run them side by
    /// side while the probes read files; a later [`Host::command`] takes the result.
    /// Hosts that only read stored output ignore it.
    fn prefetch(&self, commands: &[Command]) {
        let _ = commands;
    }

    /// Where a path's content really came from, when the host assembled it from other
    /// files (pasted text): the original file and the line each of its lines came from.
    fn origin(&self, path: &str) -> Option<&LineOrigin> {
        let _ = path;
        None
    }
}

/// The original file and 1-based line of every line of an assembled file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineOrigin {
    /// The files the lines came from; the first is cited for the file as a whole.
    pub files: Vec<String>,
    /// Per assembled line: an index into `files` and the line there.
    pub lines: Vec<(usize, u64)>,
}

impl LineOrigin {
    /// The original file and line of the assembled file's 1-based `line`.
    pub fn locate(&self, line: u64) -> Option<(&str, u64)> {
        let (file, original) = *self.lines.get(usize::try_from(line).ok()?.checked_sub(1)?)?;
        Some((self.files.get(file)?.as_str(), original))
    }

    pub fn file(&self) -> &str {
        self.files.first().map_or("", String::as_str)
    }
}

/// How a host describes itself in [`engine::facts::Collection`].
#[derive(Debug, Clone, Default)]
pub struct HostDescription {
    /// `live`, `snapshot` or `paste`.
    pub kind: String,
    pub sources: Vec<String>,
    pub captured_at: Option<String>,
    pub captured_by: Option<String>,
    pub privileged: Option<bool>,
}

/// A boxed host is a host: lets wrappers (recording) take whatever source was opened.
impl<H: Host + ?Sized> Tree for Box<H> {
    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        (**self).read(path)
    }
    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        (**self).open(path)
    }
    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        (**self).list(path)
    }
    fn read_link(&self, path: &str) -> Result<String, HostError> {
        (**self).read_link(path)
    }
    fn kind(&self, path: &str) -> Option<EntryKind> {
        (**self).kind(path)
    }
    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        (**self).canonical(path, follow_last)
    }
}

impl<H: Host + ?Sized> Host for Box<H> {
    fn command(&self, command: Command) -> Result<Box<dyn BufRead + '_>, HostError> {
        (**self).command(command)
    }
    fn describe(&self) -> HostDescription {
        (**self).describe()
    }
    fn origin(&self, path: &str) -> Option<&LineOrigin> {
        (**self).origin(path)
    }
    fn prefetch(&self, commands: &[Command]) {
        (**self).prefetch(commands)
    }
}
