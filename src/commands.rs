//! One module per subcommand.

mod diagnose;
mod facts;
mod rom;
mod rules;
mod snapshot;
mod vms;

use crate::cli::{Cli, Command};
use crate::Outcome;
use anyhow::Result;

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Some(Command::Diagnose(args)) => diagnose::run(&cli.source, cli.rules.as_deref(), &args),
        Some(Command::Facts { json }) => facts::run(&cli.source, json),
        Some(Command::Rules(command)) => rules::run(cli.rules.as_deref(), command),
        Some(Command::Rom(args)) => rom::run(&args),
        Some(Command::Vms { format }) => vms::run(&cli.source, cli.rules.as_deref(), format),
        Some(Command::Snapshot { out, description, redact, redact_vm_names }) => {
            snapshot::run(&cli.source, &out, description, redact.then_some(redact_vm_names))
        }
        Some(Command::Report(_)) => anyhow::bail!("report: not available in this build"),
        None => diagnose::run(&cli.source, cli.rules.as_deref(), &crate::cli::DiagnoseArgs::default()),
    }
}
