//! Picks the host to read: the live system, a snapshot, or pasted text.

use crate::cli::SourceArgs;
use anyhow::{bail, Context, Result};
use probes::host::{open_snapshot, Host, LiveHost, PastedFile, PastedHost};

/// An opened source, with what the user should hear about how it was read.
pub struct Source {
    pub host: Box<dyn Host>,
    pub remarks: Vec<String>,
}

/// Opens the source and reads its facts; fails when nothing usable was read.
pub fn read_facts(args: &SourceArgs) -> Result<(engine::Facts, Vec<String>)> {
    let source = open(args)?;
    let names = crate::render::names::load();
    let facts = {
        let _status = crate::render::progress::Progress::start("Reading the host");
        probes::collect(source.host.as_ref(), &names)
    };
    if probes::is_empty(&facts) {
        let unreadable: Vec<String> =
            facts.collection.unreadable.iter().map(|u| format!("{} ({})", u.path, u.reason)).collect();
        bail!(
            "no usable facts could be read from this source{}",
            if unreadable.is_empty() {
                String::new()
            } else {
                format!("; unreadable: {}", unreadable.join(", "))
            }
        );
    }
    Ok((facts, source.remarks))
}

pub fn open(args: &SourceArgs) -> Result<Source> {
    if let Some(root) = &args.root {
        let host = open_snapshot(root).with_context(|| format!("cannot read snapshot {}", root.display()))?;
        return Ok(Source { host, remarks: Vec::new() });
    }
    if !args.paste.is_empty() {
        let mut files = Vec::new();
        for path in &args.paste {
            files.push(PastedFile::read(path).with_context(|| format!("cannot read pasted file {path}"))?);
        }
        let host = PastedHost::new(files);
        let mut remarks = Vec::new();
        for (file, line, count) in &host.ignored {
            remarks.push(format!("{file}:{line}: {count} line(s) not recognised, ignored"));
        }
        if host.is_empty() {
            bail!(
                "nothing recognisable in {}: expected kernel log lines, lspci output, a VM config, \
                 an IOMMU group listing, a kernel command line, modprobe.d or GRUB settings",
                args.paste.join(", ")
            );
        }
        return Ok(Source { host: Box::new(host), remarks });
    }
    let host = LiveHost::new();
    // Start the commands now; they run while the names and the files are read.
    host.prefetch(&probes::USUAL_COMMANDS);
    Ok(Source { host: Box::new(host), remarks: Vec::new() })
}
