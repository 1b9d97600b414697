//! vfio-doctor's engine: the typed fact model every probe fills, and the rules that read it.
//!
//! This crate is pure. It never reads the host, spawns a process or prints: probes build
//! [`facts::Facts`] from whatever source they were given, and everything here works on
//! those facts alone, without knowing whether they came from a live host, a snapshot,
//! a report bundle or text pasted into a forum post.

pub mod catalog;
pub mod eval;
pub mod facts;
mod hints;
pub mod logscan;
pub mod report;
pub mod rule;
pub mod template;
pub mod vocab;
pub mod world;

pub use eval::{evaluate, Options};
pub use report::Report;
pub use rule::load::{load, load_for_run, Origin, RuleError, RuleFile, RuleSet};

pub use facts::{Fact, Facts, Provenance};
