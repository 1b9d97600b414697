//! `vfio-doctor snapshot OUT`: capture the live host, read-only, into a snapshot.

use crate::cli::SourceArgs;
use crate::Outcome;
use anyhow::{bail, Context, Result};
use probes::host::{write_snapshot, Command, LiveHost, RecordingHost};
use std::io::Write;
use std::path::Path;

pub fn run(
    args: &SourceArgs,
    out: &Path,
    description: Option<String>,
    redact: Option<bool>,
) -> Result<Outcome> {
    let _ = redact;
    if args.root.is_some() || !args.paste.is_empty() {
        bail!("snapshot captures the live host; --root and --paste do not apply");
    }
    let live = LiveHost::new();
    let privileged = live.privileged();
    let recorder = RecordingHost::new(live);
    probes::host::Host::prefetch(&recorder, &Command::captured());
    // Probing through the recorder captures exactly what diagnosis reads.
    let names = crate::render::names::load();
    let _ = probes::collect(&recorder, &names);
    for command in Command::captured() {
        recorder.capture_command(command);
    }
    if redact.is_some() {
        for path in probes::redact::IDENTITY_FILES {
            let _ = probes::host::Tree::read(&recorder, path);
        }
    }
    let (tree, mut manifest) = recorder.finish(env!("CARGO_PKG_VERSION"));
    manifest.description = description;
    let (tree, redaction) = match redact {
        Some(vm_names) => {
            let (redacted, redaction) =
                probes::redact::redact_tree(&tree, &probes::redact::RedactOptions { vm_names });
            (redacted, Some(redaction))
        }
        None => (tree, None),
    };
    let summary = write_snapshot(out, &tree, &manifest)
        .with_context(|| format!("cannot write snapshot {}", out.display()))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Wrote {} ({} files, {} links, {} KiB).",
        out.display(),
        summary.files,
        summary.links,
        summary.bytes.div_ceil(1024)
    )?;
    if let Some(redaction) = &redaction {
        let counts: Vec<String> = redaction.counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
        writeln!(
            stdout,
            "Redacted: {}.",
            if counts.is_empty() { "nothing personal found".into() } else { counts.join(", ") }
        )?;
    }
    if !manifest.unreadable.is_empty() {
        writeln!(
            stdout,
            "Could not read {} paths; they are listed in its manifest.json.",
            manifest.unreadable.len()
        )?;
    }
    if !privileged {
        writeln!(stdout, "Not root: config space, /proc/iomem and a restricted kernel log are incomplete. For a full capture: sudo vfio-doctor snapshot {}", out.display())?;
    }
    writeln!(stdout, "Read it back with: vfio-doctor facts --root {}", out.display())?;
    Ok(Outcome::Clean)
}
