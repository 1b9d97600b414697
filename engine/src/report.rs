//! What a diagnosis produces: ranked findings with evidence and fixes, and the checks
//! that could not be made. `Serialize` only: this is the JSON contract (`schema_version`).

use crate::rule::{Confidence, Risk, Severity, Status};
use serde::Serialize;

/// Bumped when a field changes meaning or disappears; additions keep it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// Symptoms the user named, as understood.
    pub symptoms: Vec<String>,
    /// The VM the diagnosis leads with: the one asked about, or the last failed start.
    pub vm: Option<String>,
    /// Why that VM was chosen when the user did not name it.
    pub vm_reason: Option<String>,
    pub findings: Vec<Finding>,
    pub unknowns: Vec<UnknownCheck>,
    pub rules_evaluated: usize,
    /// Rules left out because they did not load (`file:line [id]: problem`).
    pub skipped_rules: Vec<String>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub cause: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub status: Status,
    pub score: i64,
    pub title: String,
    pub summary: String,
    /// What the finding is about, for scoped rules: `0000:01:00.0`, `group 12`, `VM 100 hostpci0`.
    pub item: Option<String>,
    pub symptoms: Vec<String>,
    /// Whether it explains a symptom the user named.
    pub explains_reported_symptom: bool,
    /// Causes this finding follows from (it ranks below them when they are found too).
    pub consequence_of: Vec<String>,
    /// Share of the rule's declared evidence that the host had (1.0 = all of it).
    pub evidence_matched: f64,
    pub evidence: Vec<Evidence>,
    pub fixes: Vec<FixSuggestion>,
    pub references: Vec<String>,
}

/// A line or fact that proves a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub source: String,
    pub line: Option<u64>,
    pub text: String,
    /// A line a log printed (as opposed to a fact read from a file).
    #[serde(skip)]
    pub from_log: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixSuggestion {
    /// 1 is the fix to try first.
    pub rank: u32,
    pub id: String,
    pub title: String,
    pub why: String,
    pub steps: Vec<String>,
    pub reboot: bool,
    pub risk: Risk,
    pub references: Vec<String>,
}

/// A check that could not be made because a fact is unknown.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownCheck {
    pub fact: String,
    pub rules: Vec<String>,
    /// The command that would make the fact known.
    pub hint: String,
}
