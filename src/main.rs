//! `vfio-doctor`: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    vfio_doctor::main_with_args(std::env::args_os())
}
