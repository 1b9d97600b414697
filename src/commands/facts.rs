//! `vfio-doctor facts`: read a host and print what is known about it.

use crate::cli::SourceArgs;
use crate::{render, source, Outcome};
use anyhow::Result;
use std::io::Write;

pub fn run(args: &SourceArgs, json: bool) -> Result<Outcome> {
    let (facts, remarks) = source::read_facts(args)?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &facts)?;
        writeln!(out)?;
    } else {
        render::facts::write(&mut out, &facts, &remarks)?;
    }
    Ok(Outcome::Clean)
}
