//! The live host: the real `/` and the real commands. Read-only: it opens files for
//! reading and runs only the read-only commands in [`Command`].

use super::{Command, EntryKind, FsTree, Host, HostDescription, HostError, Tree};
use std::collections::BTreeMap;
use std::io::{BufRead, Cursor, Read};
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A command that has not finished by then is killed (journalctl on a huge journal).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// Output beyond this is cut off; no kernel log of one boot comes near it.
const COMMAND_OUTPUT_CAP: u64 = 256 << 20;

type Output = Result<Vec<u8>, HostError>;

#[derive(Debug)]
pub struct LiveHost {
    fs: FsTree,
    privileged: bool,
    /// Commands started by [`Host::prefetch`] and not yet asked for.
    running: Mutex<BTreeMap<Command, JoinHandle<Output>>>,
}

impl Default for LiveHost {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHost {
    pub fn new() -> Self {
        let fs = FsTree::new("/");
        let privileged = effective_uid(&fs) == Some(0);
        Self { fs, privileged, running: Mutex::new(BTreeMap::new()) }
    }

    pub fn privileged(&self) -> bool {
        self.privileged
    }
}

/// The effective uid from `/proc/self/status` (`Uid: real effective saved fs`).
fn effective_uid(fs: &FsTree) -> Option<u32> {
    let status = fs.read_text("proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn find_in_path(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(Into::into))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Whether this host runs `command` at all. proxmox-boot-tool mounts the ESPs: it runs
/// only where the host is set up for it.
fn runs_here(command: Command) -> Result<(), HostError> {
    if command == Command::ProxmoxBootStatus && !Path::new("/etc/kernel/proxmox-boot-uuids").exists() {
        return Err(HostError::NotFound { path: "etc/kernel/proxmox-boot-uuids".into() });
    }
    Ok(())
}

fn run(command: Command) -> Output {
    let argv = command.argv();
    let program =
        find_in_path(argv[0]).ok_or_else(|| HostError::CommandMissing { command: command.display() })?;
    let mut child = std::process::Command::new(program)
        .args(&argv[1..])
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| HostError::CommandFailed { command: command.display(), message: e.to_string() })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out = std::thread::spawn(move || drain(stdout, COMMAND_OUTPUT_CAP));
    let err = std::thread::spawn(move || drain(stderr, 64 << 10));
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    // Most commands end within milliseconds: poll often at first, then back off.
    let mut pause = Duration::from_micros(200);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(HostError::CommandFailed {
            command: command.display(),
            message: format!("did not finish within {} s", COMMAND_TIMEOUT.as_secs()),
        });
    };
    if !status.success() && stdout.is_empty() {
        let first = String::from_utf8_lossy(&stderr).lines().next().unwrap_or("").trim().to_string();
        let message = if first.is_empty() { status.to_string() } else { first };
        return Err(HostError::CommandFailed { command: command.display(), message });
    }
    Ok(stdout)
}

fn drain(pipe: Option<impl Read>, cap: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(pipe) = pipe {
        let mut limited = pipe.take(cap);
        let _ = limited.read_to_end(&mut bytes);
        // Keep reading into the void so the child never blocks on a full pipe.
        let _ = std::io::copy(&mut limited.into_inner(), &mut std::io::sink());
    }
    bytes
}

impl Tree for LiveHost {
    fn read(&self, path: &str) -> Result<Vec<u8>, HostError> {
        self.fs.read(path)
    }
    fn open(&self, path: &str) -> Result<Box<dyn BufRead + '_>, HostError> {
        self.fs.open(path)
    }
    fn list(&self, path: &str) -> Result<Vec<String>, HostError> {
        self.fs.list(path)
    }
    fn read_link(&self, path: &str) -> Result<String, HostError> {
        self.fs.read_link(path)
    }
    fn kind(&self, path: &str) -> Option<EntryKind> {
        self.fs.kind(path)
    }
    fn canonical(&self, path: &str, follow_last: bool) -> Result<String, HostError> {
        self.fs.canonical(path, follow_last)
    }
}

impl Host for LiveHost {
    fn command(&self, command: Command) -> Result<Box<dyn BufRead + '_>, HostError> {
        runs_here(command)?;
        let started = self.running.lock().ok().and_then(|mut running| running.remove(&command));
        let output = match started.map(JoinHandle::join) {
            Some(Ok(output)) => output,
            // Not prefetched, or its thread died: run it now.
            _ => run(command),
        };
        output.map(|bytes| Box::new(Cursor::new(bytes)) as Box<dyn BufRead>)
    }

    fn prefetch(&self, commands: &[Command]) {
        let Ok(mut running) = self.running.lock() else { return };
        for &command in commands {
            if runs_here(command).is_ok() && !running.contains_key(&command) {
                running.insert(command, std::thread::spawn(move || run(command)));
            }
        }
    }

    fn describe(&self) -> HostDescription {
        HostDescription {
            kind: "live".into(),
            sources: Vec::new(),
            captured_at: Some(crate::time::now_rfc3339()),
            captured_by: None,
            privileged: Some(self.privileged),
        }
    }
}

impl Drop for LiveHost {
    /// Waits for prefetched commands nobody asked for, so no child outlives the host.
    fn drop(&mut self) {
        if let Ok(running) = self.running.get_mut() {
            for (_, handle) in std::mem::take(running) {
                let _ = handle.join();
            }
        }
    }
}

/// The sysfs `rom` attribute enabled by a read in progress, so an interrupt can turn it
/// off again before the process ends.
static ACTIVE_ROM: std::sync::Mutex<Option<std::path::PathBuf>> = std::sync::Mutex::new(None);

/// Turns reading off on the ROM a read left enabled; for a Ctrl-C handler.
pub fn disable_active_rom() {
    if let Ok(mut active) = ACTIVE_ROM.lock() {
        if let Some(path) = active.take() {
            let _ = std::fs::write(path, b"0\n");
        }
    }
}

/// Enables a device's `rom` attribute and turns it off again when dropped, on every path.
struct RomEnabled {
    path: std::path::PathBuf,
}

impl RomEnabled {
    fn new(path: std::path::PathBuf) -> Result<Self, HostError> {
        // Exactly "1\n": the kernel's `pci_write_rom` treats any write but "0\n" as enable.
        std::fs::write(&path, b"1\n").map_err(|e| HostError::from_io(&path.display().to_string(), &e))?;
        if let Ok(mut active) = ACTIVE_ROM.lock() {
            *active = Some(path.clone());
        }
        Ok(Self { path })
    }
}

impl Drop for RomEnabled {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.path, b"0\n");
        if let Ok(mut active) = ACTIVE_ROM.lock() {
            *active = None;
        }
    }
}

impl LiveHost {
    /// Reads a device's option ROM through sysfs. This is the one place vfio-doctor writes
    /// to the host: it enables the `rom` attribute and always disables it again
    /// (domain.md 4.1). Needs root.
    pub fn read_device_rom(&self, address: &str) -> Result<Vec<u8>, HostError> {
        let path = std::path::Path::new("/sys/bus/pci/devices").join(address).join("rom");
        let shown = path.display().to_string();
        if !path.exists() {
            return Err(HostError::NotFound { path: shown });
        }
        let _enabled = RomEnabled::new(path.clone())?;
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(super::MAX_FILE_BYTES).read_to_end(&mut bytes))
            .map_err(|e| HostError::from_io(&shown, &e))?;
        Ok(bytes)
    }
}
