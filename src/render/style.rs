//! Colours used across renderers. `--color` and NO_COLOR are applied once (see `cli`),
//! through owo-colors' override, which every helper here consults.

use owo_colors::{OwoColorize, Stream};

pub fn heading(text: &str) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.bold()).to_string()
}

pub fn good(text: &str) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.green()).to_string()
}

pub fn bad(text: &str) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.red()).to_string()
}

pub fn warn(text: &str) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.yellow()).to_string()
}

pub fn dim(text: &str) -> String {
    text.if_supports_color(Stream::Stdout, |t| t.dimmed()).to_string()
}
