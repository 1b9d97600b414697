//! vfio-doctor's engine: the typed fact model that every probe fills and every rule reads.
//!
//! This crate is pure. It never reads the host, spawns a process or prints: probes build
//! [`facts::Facts`] from whatever source they were given, and everything downstream works
//! on those facts alone, without knowing whether they came from a live host, a snapshot,
//! a report bundle or text pasted into a forum post.

pub mod facts;

pub use facts::{Fact, Facts, Provenance};
