//! `vfio-doctor facts`: read a host and print what is known about it.

use crate::cli::SourceArgs;
use crate::{render, source, Outcome};
use anyhow::{bail, Result};
use std::io::Write;

pub fn run(args: &SourceArgs, json: bool) -> Result<Outcome> {
    let source = source::open(args)?;
    let names = crate::render::names::load();
    let facts = probes::collect(source.host.as_ref(), &names);
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
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &facts)?;
        writeln!(out)?;
    } else {
        render::facts::write(&mut out, &facts, &source.remarks)?;
    }
    Ok(Outcome::Clean)
}
