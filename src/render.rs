//! Everything vfio-doctor draws on a terminal.

pub mod bundle;
pub mod diagnosis;
pub mod facts;
pub mod markdown;
pub mod names;
pub mod progress;
pub mod rom;
mod style;

/// A warning on stderr: the run goes on.
pub fn warning(message: &str) {
    use owo_colors::{OwoColorize, Stream};
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{} {message}", "warning:".if_supports_color(Stream::Stderr, |t| t.yellow()));
    }
}

/// Prints an error and its causes to stderr: `error: cannot read snapshot x: …`.
pub fn error(err: &anyhow::Error) {
    use owo_colors::{OwoColorize, Stream};
    let mut message = format!("{}", err);
    for cause in err.chain().skip(1) {
        message.push_str(&format!(": {cause}"));
    }
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{} {message}", "error:".if_supports_color(Stream::Stderr, |t| t.red()));
    }
}
