//! Rules: the YAML a contributor writes ([`RawRule`], mirrored by `rules/schema.json`)
//! and the checked form the evaluator runs ([`Rule`]).

pub mod condition;
pub mod load;
pub mod pattern;
pub mod pattern_set;

use condition::{Condition, RawCondition};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The JSON Schema of a rule file, for editors (`rules/schema.json` is this, committed).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(RawRule);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// One rule file, exactly as written. Unknown keys are an error.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Kebab-case name of the condition found; must equal the file name without `.yaml`.
    pub id: String,
    /// One line: what is wrong, in the user's words.
    pub title: String,
    /// One slug from the cause taxonomy (`vfio-doctor rules causes`).
    pub cause: String,
    /// Symptoms this rule explains (`vm-start-failed`, `error-43`, …).
    #[serde(default)]
    pub symptoms: Vec<String>,
    pub severity: Severity,
    /// How sure a match makes us that this is the cause.
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default)]
    pub status: Status,
    /// One line shown under the title; `{{ … }}` placeholders are filled from facts.
    pub summary: String,
    /// Markdown with `## What it checks`, `## Why it matters` and `## How to confirm`.
    pub explain: String,
    /// Evaluate once per matching item (PCI device, IOMMU group, passthrough entry, VM).
    #[serde(default)]
    pub for_each: Option<RawScope>,
    /// The condition tree; the rule fires when it is true.
    pub when: RawCondition,
    /// Derived facts this rule sets when it fires, for other rules to use.
    #[serde(default)]
    pub concludes: Vec<RawConclusion>,
    /// Causes this finding follows from: when one of them is found too, this ranks below it.
    #[serde(default)]
    pub consequence_of: Vec<String>,
    /// Extra facts to show as evidence (fact paths, as in conditions).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Fixes, the one to try first first.
    #[serde(default)]
    pub fixes: Vec<RawFix>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Hosts this rule must fire on and stay quiet on (`fixture:<name>` or `paste:<file>`).
    pub tests: RuleTests,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Stable,
    Preview,
}

/// How risky a fix is: `low` changes configuration and is undone as easily; `medium` can
/// leave the host unbootable if mistyped (boot and initramfs changes); `high` weakens
/// isolation or security (ACS override, unsafe interrupts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    Low,
    Medium,
    High,
}

/// `for_each: { pci: { as: gpu, where: … } }`: exactly one item kind.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    #[serde(default)]
    pub pci: Option<RawItems>,
    #[serde(default)]
    pub iommu_group: Option<RawItems>,
    #[serde(default)]
    pub passthrough: Option<RawItems>,
    #[serde(default)]
    pub vm: Option<RawItems>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawItems {
    /// The name the rest of the rule uses for the item (`gpu.address`).
    #[serde(rename = "as")]
    pub name: String,
    /// Only items for which this holds.
    #[serde(default, rename = "where")]
    pub filter: Option<RawCondition>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConclusion {
    /// Sets `derived.<name>` (or `<item>.derived.<name>` in a scoped rule).
    pub name: String,
    #[serde(default = "default_true")]
    pub value: serde_json::Value,
}

fn default_true() -> serde_json::Value {
    serde_json::Value::Bool(true)
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFix {
    /// Kebab-case; the same id under two rules is the same fix.
    pub id: String,
    pub title: String,
    /// Why this fix addresses the cause.
    pub why: String,
    /// Offer the fix only when this holds (e.g. only on Proxmox).
    #[serde(default)]
    pub only_if: Option<RawCondition>,
    /// Numbered steps; `{{ … }}` placeholders are filled from facts and bound items.
    pub steps: Vec<String>,
    pub risk: Risk,
    #[serde(default)]
    pub reboot: bool,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleTests {
    #[serde(default)]
    pub fires: Vec<String>,
    #[serde(default)]
    pub quiet: Vec<String>,
}

/// Which items a scoped rule runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Pci,
    IommuGroup,
    Passthrough,
    Vm,
}

impl ItemKind {
    /// Where the items sit in the evaluation world.
    pub fn path(self) -> &'static str {
        match self {
            ItemKind::Pci => "pci",
            ItemKind::IommuGroup => "iommu_groups",
            ItemKind::Passthrough => "passthrough",
            ItemKind::Vm => "vms",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ItemKind,
    pub name: String,
    pub filter: Option<Condition>,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub raw: RawFix,
    pub only_if: Option<Condition>,
}

/// A checked rule: conditions compiled, paths validated, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Rule {
    pub raw: RawRule,
    /// The file it came from, for messages.
    pub file: String,
    pub scope: Option<Scope>,
    pub when: Condition,
    pub fixes: Vec<Fix>,
    /// Derived facts this rule reads (`derived.x`, `<item>.derived.x`).
    pub reads_derived: Vec<String>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.raw.id
    }
}
