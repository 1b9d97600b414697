//! One module per subcommand.

mod diagnose;
mod facts;
mod report;
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
        Some(Command::Report(args)) => report::run(&cli.source, cli.rules.as_deref(), &args),
        Some(Command::Completions { shell }) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Generate into memory: clap_complete panics on a closed pipe, `write_all` reports it.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "vfio-doctor", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script)?;
            Ok(Outcome::Clean)
        }
        Some(Command::Man) => {
            let command = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            std::io::Write::write_all(&mut std::io::stdout(), &page)?;
            Ok(Outcome::Clean)
        }
        None => diagnose::run(&cli.source, cli.rules.as_deref(), &crate::cli::DiagnoseArgs::default()),
    }
}
