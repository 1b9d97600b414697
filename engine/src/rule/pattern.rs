//! A rule's regex. Compiling every regex of the rule set is most of the start-up, and on
//! a given host most log patterns never match, so a pattern can be checked when rules
//! load and compiled when first used.

use regex::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// A compiled regex is capped so a pathological pattern fails at load, not at run time.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    /// `None` inside: it did not compile (only possible for a deferred pattern).
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// Compiles now, under the size cap: every problem shows at load.
    pub fn compile(text: &str) -> Result<Self, String> {
        let regex = build(text).map_err(|e| e.to_string())?;
        Ok(Self { text: text.to_string(), compiled: OnceLock::from(Some(regex)) })
    }

    /// Checks the syntax now and compiles on first use. For patterns already compiled
    /// elsewhere (the built-in rules, by `rules lint` in CI); the size cap is checked
    /// only when it compiles.
    pub fn deferred(text: &str) -> Result<Self, String> {
        regex_syntax::Parser::new().parse(text).map_err(|e| e.to_string())?;
        Ok(Self { text: text.to_string(), compiled: OnceLock::new() })
    }

    /// The compiled regex; `None` if a deferred pattern turned out not to compile, in
    /// which case it matches nothing.
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| build(&self.text).ok()).as_ref()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn build(text: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(text).size_limit(REGEX_SIZE_LIMIT).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_patterns_check_syntax_at_once_and_compile_later() {
        assert!(Pattern::deferred("BAR (?P<bar>\\d+): can't reserve").is_ok());
        assert!(Pattern::deferred("unclosed (group").is_err());
        let pattern = Pattern::deferred("DMAR-IR: Enabled IRQ remapping in (?P<mode>\\S+) mode").unwrap();
        let regex = pattern.regex().expect("compiles");
        assert_eq!(
            &regex.captures("DMAR-IR: Enabled IRQ remapping in x2apic mode").unwrap()["mode"],
            "x2apic"
        );
    }

    #[test]
    fn an_oversized_pattern_fails_when_compiled_now_and_matches_nothing_when_deferred() {
        let huge = "(?:\\w{50}){1000}";
        assert!(Pattern::compile(huge).unwrap_err().contains("exceeds size limit"));
        let deferred = Pattern::deferred(huge).expect("syntax is fine");
        assert!(deferred.regex().is_none());
    }
}
