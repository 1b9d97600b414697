//! One pass over each log for all rules: a [`PatternSet`] tells which patterns a line
//! matches, and only those patterns run again for their captures. Cost grows with the
//! size of the log, not with log size × rules.

use crate::facts::{Facts, LogLine};
use crate::rule::condition::LogSource;
use crate::rule::load::{PatternSet, RuleSet};
use serde_json::{Map, Value};

/// Matches kept per pattern; a message repeated thousands of times proves no more.
const MAX_HITS_PER_PATTERN: usize = 200;

/// One matching line.
#[derive(Debug, Clone)]
pub struct Hit {
    pub source: String,
    pub line: u64,
    pub text: String,
    /// Named captures, as JSON for `where` conditions.
    pub captures: Value,
}

#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Per pattern index.
    pub hits: Vec<Vec<Hit>>,
    /// Per pattern index: how many lines matched in all (beyond the kept ones too).
    pub counts: Vec<usize>,
    pub kernel_log_known: bool,
}

/// Scans every log once.
pub fn scan(rules: &RuleSet, facts: &Facts) -> Scan {
    let patterns = &rules.patterns;
    let mut result = Scan {
        hits: vec![Vec::new(); patterns.len()],
        counts: vec![0; patterns.len()],
        kernel_log_known: facts.kernel_log.is_some(),
    };
    let mut matched = Vec::new();
    let mut pass = |set: &PatternSet, name: &str, lines: &[LogLine]| {
        for line in lines {
            matched.clear();
            set.matches(&line.text, &mut matched);
            for &index in &matched {
                result.counts[index] += 1;
                if result.hits[index].len() >= MAX_HITS_PER_PATTERN {
                    continue;
                }
                let Some(regex) = patterns[index].regex.regex() else { continue };
                let Some(caps) = regex.captures(&line.text) else { continue };
                let mut captures = Map::new();
                for name in regex.capture_names().flatten() {
                    if let Some(m) = caps.name(name) {
                        captures.insert(name.to_string(), Value::String(m.as_str().to_string()));
                    }
                }
                result.hits[index].push(Hit {
                    source: name.to_string(),
                    line: line.n,
                    text: line.raw.clone(),
                    captures: Value::Object(captures),
                });
            }
        }
    };
    if let Some(log) = &facts.kernel_log {
        if let Some(set) = rules.pattern_set(LogSource::Kernel) {
            pass(set, &log.source, &log.lines);
        }
    }
    if !facts.start_logs.is_empty() {
        if let Some(set) = rules.pattern_set(LogSource::Start) {
            for log in &facts.start_logs {
                pass(set, &log.source, &log.lines);
            }
        }
    }
    result
}
