//! One module per subcommand.

mod facts;
mod snapshot;

use crate::cli::{Cli, Command};
use crate::Outcome;
use anyhow::Result;

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Some(Command::Facts { json }) => facts::run(&cli.source, json),
        Some(Command::Snapshot { out, description }) => snapshot::run(&cli.source, &out, description),
        None => facts::run(&cli.source, false),
    }
}
