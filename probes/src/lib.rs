//! vfio-doctor's probes: everything that turns a host into [`engine::Facts`].
//!
//! A host is reached only through the [`host::Host`] trait, whatever it is: the live
//! system, a snapshot folder, a one-file text archive, a report zip or pasted text.
//! Parsers in [`parse`] are pure functions over text and bytes.

mod collect;
pub mod host;
mod origin;
pub mod parse;
mod probe;
pub mod redact;
mod time;

pub use collect::{collect, is_empty, Ctx, USUAL_COMMANDS};
pub use time::now_rfc3339;
