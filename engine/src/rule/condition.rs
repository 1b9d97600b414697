//! Conditions: the `when` tree of a rule, as written ([`RawCondition`]) and compiled
//! ([`Condition`]).

use super::pattern::Pattern;
use crate::facts::KernelVersion;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One node of a condition tree. Exactly one of `all`, `any`, `not`, `fact` or `log`;
/// with `fact`, exactly one test.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    /// True when every child is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<RawCondition>>,
    /// True when some child is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<RawCondition>>,
    /// True when the child is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<RawCondition>>,
    /// A fact path: `kernel.release`, `iommu.units`, `gpu.driver.name`, `derived.x`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<Value>,
    /// The value equals the value of another fact path (`match.bdf` = `gpu.address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals_fact: Option<String>,
    /// The value is one of these.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    /// A string holds this substring, or an array holds this element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
    /// A string matches this regex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// `true`: the fact is known (not null). `false`: it is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// An array, string or object is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ge: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub le: Option<f64>,
    /// A kernel version (`6.8.12-4-pve` or `6.8.12`) at least this (`6.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_ge: Option<String>,
    /// A kernel version below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_lt: Option<String>,
    /// Some element of an array satisfies the nested condition (which names it `item`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_item: Option<Box<RawCondition>>,
    /// Every element does (true for an empty array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_items: Option<Box<RawCondition>>,
    /// No element does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_item: Option<Box<RawCondition>>,
    /// The name `any_item`/`all_items`/`no_item` bind each element to (default `item`),
    /// so a nested quantifier can still compare with the outer element.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub item_name: Option<String>,
    /// The value is an element of the array (or a substring of the string) at this path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_fact: Option<String>,
    /// A line of a log matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RawLogMatch>,
}

/// `log: { in: kernel, pattern: '…(?P<bdf>…)…', where: … }`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLogMatch {
    /// `kernel` (the kernel log), `start` (VM start output) or `any`.
    #[serde(default, rename = "in")]
    pub source: LogSource,
    /// A regex over the message (prefix and timestamp stripped). Named groups become
    /// `match.<name>` in `where`.
    pub pattern: String,
    /// QEMU changed the case of several messages between releases.
    #[serde(default)]
    pub ignore_case: bool,
    /// Only lines whose captures satisfy this (`{fact: match.bdf, equals_fact: gpu.address}`).
    #[serde(default, rename = "where")]
    pub filter: Option<Box<RawCondition>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LogSource {
    #[default]
    Kernel,
    Start,
    Any,
}

/// A path split into segments, checked against the catalogue at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactPath {
    pub text: String,
    pub segments: Vec<String>,
}

impl FactPath {
    pub fn parse(text: &str) -> Option<Self> {
        let segments: Vec<String> = text.split('.').map(str::to_string).collect();
        if segments.iter().any(|s| s.is_empty()) {
            return None;
        }
        Some(Self { text: text.to_string(), segments })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Gt => ordering == Greater,
            Cmp::Ge => ordering != Less,
            Cmp::Lt => ordering == Less,
            Cmp::Le => ordering != Greater,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Test {
    Equals(Value),
    NotEquals(Value),
    EqualsFact(FactPath),
    InFact(FactPath),
    OneOf(Vec<Value>),
    Contains(Value),
    Matches(Pattern),
    Exists(bool),
    Empty(bool),
    Number(Cmp, f64),
    Version(Cmp, KernelVersion),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
    None,
}

#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Fact {
        path: FactPath,
        test: Test,
    },
    Items {
        path: FactPath,
        quantifier: Quantifier,
        name: String,
        inner: Box<Condition>,
    },
    /// `pattern` indexes the engine's table of log patterns.
    Log {
        pattern: usize,
        filter: Option<Box<Condition>>,
    },
}
