//! The `vfio-doctor` command: wires sources → probes → facts → renderers.
//!
//! Exit codes (stable): 0 success; 1 findings at error level (from `diagnose`);
//! 2 vfio-doctor could not run: bad arguments, an unreadable source, or nothing usable read.

mod cli;
mod commands;
mod render;
mod rules;
mod source;

use std::ffi::OsString;
use std::process::ExitCode;

/// Exit status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Findings,
    Failed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        ExitCode::from(match outcome {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Failed => 2,
        })
    }
}

/// Runs vfio-doctor with the given arguments (the first is the program name).
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    // `--version` names the rule set too: rules change between releases of the same binary.
    let version: &'static str = Box::leak(rules::ruleset_version().into_boxed_str());
    let matches = cli::Cli::command().version(version).try_get_matches_from(args);
    let cli = match matches.and_then(|m| cli::Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { Outcome::Failed.into() } else { Outcome::Clean.into() };
        }
    };
    cli.color.apply();
    match commands::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(e) => {
            if is_broken_pipe(&e) {
                return Outcome::Clean.into();
            }
            render::error(&e);
            Outcome::Failed.into()
        }
    }
}

/// `vfio-doctor facts | head` must not end in an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
