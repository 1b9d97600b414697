//! Loading rules: parse every file, check it against the vocabularies and the fact
//! catalogue, compile its regexes and templates, and order the rules so that derived
//! facts are concluded before they are read. Every problem is collected, not just the
//! first, and each names the file, the line and the rule.

use super::condition::{Cmp, Condition, FactPath, LogSource, Quantifier, RawCondition, Test};
use super::pattern::Pattern;
pub use super::pattern_set::PatternSet;
use super::{Fix, ItemKind, RawRule, Rule, Scope};
use crate::catalog::{world_shape, Shape};
use crate::facts::KernelVersion;
use crate::vocab;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Where a rule file comes from: the set built into vfio-doctor, or `--rules DIR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    User,
}

#[derive(Debug, Clone)]
pub struct RuleFile {
    pub origin: Origin,
    /// Shown in messages: `rules/iommu/iommu-not-active.yaml`.
    pub path: String,
    pub text: String,
}

/// A problem with one rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: Option<usize>,
    pub rule: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, " [{rule}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One regex over a log, shared by every rule that uses the same text.
#[derive(Debug, Clone)]
pub struct LogPattern {
    pub source: LogSource,
    pub regex: Pattern,
}

/// The loaded rules, in evaluation order, and the log patterns they use.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub patterns: Vec<LogPattern>,
    /// Per log kind, every pattern that applies to it in one set, built when a log of
    /// that kind is first scanned: a host without VM start logs never needs theirs.
    kernel_set: OnceLock<Option<PatternSet>>,
    start_set: OnceLock<Option<PatternSet>>,
}

fn pattern_set(patterns: &[LogPattern], log: LogSource) -> Option<PatternSet> {
    PatternSet::new(
        patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| p.source == log || p.source == LogSource::Any)
            .map(|(i, p)| (i, p.regex.as_str())),
    )
}

impl RuleSet {
    /// The set of patterns that apply to logs of this kind (`Kernel` or `Start`).
    pub fn pattern_set(&self, log: LogSource) -> Option<&PatternSet> {
        let cell = if log == LogSource::Start { &self.start_set } else { &self.kernel_set };
        cell.get_or_init(|| pattern_set(&self.patterns, log)).as_ref()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id() == id)
    }
}

/// Loads rules, checking everything, every regex compiled (`rules lint`, tests). Rules
/// with problems are left out and their problems returned; a `User` rule replaces a
/// `Builtin` one with the same id.
pub fn load(files: &[RuleFile]) -> (RuleSet, Vec<RuleError>) {
    load_with(files, false)
}

/// Loads rules to run them: as [`load`], but the built-in rules' regexes, which
/// `rules lint` compiles in CI, are only syntax-checked now and compiled when first
/// used. This halves the start-up of `diagnose`.
pub fn load_for_run(files: &[RuleFile]) -> (RuleSet, Vec<RuleError>) {
    load_with(files, true)
}

fn load_with(files: &[RuleFile], defer_builtin_regexes: bool) -> (RuleSet, Vec<RuleError>) {
    let shape = world_shape();
    let mut errors = Vec::new();
    let mut raw: BTreeMap<String, (RawRule, &RuleFile)> = BTreeMap::new();
    for file in files {
        let Some(rule) = parse(file, &mut errors) else { continue };
        match raw.get(&rule.id) {
            Some((_, earlier)) if earlier.origin == file.origin => errors.push(RuleError {
                file: file.path.clone(),
                line: line_of(&file.text, "id:"),
                rule: Some(rule.id.clone()),
                message: format!("duplicate rule id; also defined in {}", earlier.path),
            }),
            _ => {
                raw.insert(rule.id.clone(), (rule, file));
            }
        }
    }
    let mut patterns = Patterns::default();
    let mut compiled = Vec::new();
    for (raw_rule, file) in raw.into_values() {
        let mut checker = Checker {
            file,
            rule: &raw_rule.id,
            shape: &shape,
            errors: Vec::new(),
            patterns: &mut patterns,
            defer_regexes: defer_builtin_regexes && file.origin == Origin::Builtin,
        };
        if let Some(rule) = checker.rule(&raw_rule) {
            if checker.errors.is_empty() {
                compiled.push(rule);
            }
        }
        errors.extend(checker.errors);
    }
    let rules = order(compiled, &mut errors);
    (RuleSet { rules, patterns: patterns.list, ..RuleSet::default() }, errors)
}

fn parse(file: &RuleFile, errors: &mut Vec<RuleError>) -> Option<RawRule> {
    let stem =
        file.path.rsplit('/').next().unwrap_or(&file.path).trim_end_matches(".yaml").trim_end_matches(".yml");
    // JSON is YAML too; the built-in rules come prepared as JSON, which parses faster.
    let prepared =
        file.text.starts_with('{').then(|| serde_json::from_str::<RawRule>(&file.text).ok()).flatten();
    match prepared.map_or_else(|| serde_yaml::from_str::<RawRule>(&file.text), Ok) {
        Ok(rule) => {
            if rule.id != stem {
                errors.push(RuleError {
                    file: file.path.clone(),
                    line: line_of(&file.text, "id:"),
                    rule: Some(rule.id.clone()),
                    message: format!("the id must equal the file name: `{stem}`"),
                });
                return None;
            }
            Some(rule)
        }
        Err(e) => {
            errors.push(RuleError {
                file: file.path.clone(),
                line: e.location().map(|l| l.line()),
                rule: Some(stem.to_string()),
                message: e.to_string(),
            });
            None
        }
    }
}

/// The 1-based line where `needle` first appears, for messages about parsed content.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

#[derive(Default)]
struct Patterns {
    list: Vec<LogPattern>,
    index: BTreeMap<(String, bool, String), usize>,
}

struct Checker<'a> {
    file: &'a RuleFile,
    rule: &'a str,
    shape: &'a Shape,
    errors: Vec<RuleError>,
    patterns: &'a mut Patterns,
    /// Only syntax-check regexes now (see [`load_for_run`]).
    defer_regexes: bool,
}

/// Names bound while checking: the scope's item, `item` in `*_item`, `match` in `log.where`.
type Bindings = Vec<(String, Shape)>;

impl Checker<'_> {
    fn pattern(&self, text: &str) -> Result<Pattern, String> {
        if self.defer_regexes {
            Pattern::deferred(text)
        } else {
            Pattern::compile(text)
        }
    }

    fn error(&mut self, near: &str, message: String) {
        self.errors.push(RuleError {
            file: self.file.path.clone(),
            line: line_of(&self.file.text, near),
            rule: Some(self.rule.to_string()),
            message,
        });
    }

    fn rule(&mut self, raw: &RawRule) -> Option<Rule> {
        self.vocabulary(raw);
        self.documentation(raw);
        let mut bindings: Bindings = Vec::new();
        let scope = match &raw.for_each {
            None => None,
            Some(scope) => {
                let chosen: Vec<(ItemKind, &super::RawItems)> = [
                    (ItemKind::Pci, scope.pci.as_ref()),
                    (ItemKind::IommuGroup, scope.iommu_group.as_ref()),
                    (ItemKind::Passthrough, scope.passthrough.as_ref()),
                    (ItemKind::Vm, scope.vm.as_ref()),
                ]
                .into_iter()
                .filter_map(|(k, i)| Some((k, i?)))
                .collect();
                let [(kind, items)] = chosen.as_slice() else {
                    self.error(
                        "for_each",
                        "`for_each` names exactly one of pci, iommu_group, passthrough, vm".into(),
                    );
                    return None;
                };
                let reserved = ["item", "match", "host", "derived"];
                if reserved.contains(&items.name.as_str()) || self.shape.step(&items.name).is_some() {
                    self.error(
                        "as:",
                        format!("`as: {}` hides a fact or reserved name; choose another", items.name),
                    );
                }
                let item_shape =
                    self.shape.step(kind.path()).and_then(Shape::element).cloned().unwrap_or(Shape::Any);
                bindings.push((items.name.clone(), item_shape));
                let filter = items.filter.as_ref().and_then(|f| self.condition(f, &bindings));
                Some(Scope { kind: *kind, name: items.name.clone(), filter })
            }
        };
        let when = self.condition(&raw.when, &bindings)?;
        for path in &raw.evidence {
            self.path(path, &bindings);
        }
        let mut fixes = Vec::new();
        for fix in &raw.fixes {
            if !is_kebab(&fix.id) {
                self.error(&fix.id, format!("fix id `{}` must be kebab-case", fix.id));
            }
            for step in &fix.steps {
                self.template(step);
            }
            let only_if = fix.only_if.as_ref().and_then(|c| self.condition(c, &bindings));
            fixes.push(Fix { raw: fix.clone(), only_if });
        }
        self.template(&raw.summary);
        let mut reads_derived = BTreeSet::new();
        collect_derived(&raw.when, &mut reads_derived);
        if let Some(scope) = &raw.for_each {
            for items in [&scope.pci, &scope.iommu_group, &scope.passthrough, &scope.vm].into_iter().flatten()
            {
                if let Some(filter) = &items.filter {
                    collect_derived(filter, &mut reads_derived);
                }
            }
        }
        Some(Rule {
            raw: raw.clone(),
            file: self.file.path.clone(),
            scope,
            when,
            fixes,
            reads_derived: reads_derived.into_iter().collect(),
        })
    }

    fn vocabulary(&mut self, raw: &RawRule) {
        if !is_kebab(&raw.id) {
            self.error("id:", format!("rule id `{}` must be kebab-case", raw.id));
        }
        if !vocab::is_cause(&raw.cause) {
            let known: Vec<&str> = vocab::CAUSES.iter().map(|(c, _)| *c).collect();
            self.error("cause:", format!("unknown cause `{}`; known: {}", raw.cause, known.join(", ")));
        }
        for symptom in &raw.symptoms {
            if !vocab::is_symptom(symptom) {
                self.error(symptom, format!("unknown symptom `{symptom}`"));
            }
        }
        for cause in &raw.consequence_of {
            if !vocab::is_cause(cause) {
                self.error(cause, format!("`consequence_of` names unknown cause `{cause}`"));
            }
        }
        for conclusion in &raw.concludes {
            if !is_snake(&conclusion.name) {
                self.error(
                    &conclusion.name,
                    format!("derived fact `{}` must be snake_case", conclusion.name),
                );
            }
        }
    }

    fn documentation(&mut self, raw: &RawRule) {
        if raw.summary.contains('\n') || raw.title.contains('\n') {
            self.error("summary:", "`title` and `summary` must be one line".into());
        }
        for section in ["## What it checks", "## Why it matters", "## How to confirm"] {
            if !raw.explain.contains(section) {
                self.error("explain:", format!("`explain` lacks the section `{section}`"));
            }
        }
        for reference in raw.references.iter().chain(raw.fixes.iter().flat_map(|f| f.references.iter())) {
            if !(reference.starts_with("https://")
                || reference.starts_with("http://")
                || reference.contains(": "))
            {
                self.error(reference, format!("reference `{reference}` is neither a URL nor `source: path`"));
            }
        }
    }

    fn template(&mut self, text: &str) {
        let env = crate::template::environment();
        if let Err(e) = env.template_from_str(text) {
            self.error(text.lines().next().unwrap_or(text), format!("template does not compile: {e}"));
        }
    }

    /// Checks a fact path against the catalogue (and the names bound here).
    fn path(&mut self, text: &str, bindings: &Bindings) -> Option<(FactPath, Shape)> {
        let Some(path) = FactPath::parse(text) else {
            self.error(text, format!("`{text}` is not a fact path"));
            return None;
        };
        let first = &path.segments[0];
        let (mut shape, rest): (&Shape, &[String]) =
            match bindings.iter().rev().find(|(name, _)| name == first) {
                Some((_, shape)) => (shape, &path.segments[1..]),
                None => (self.shape, &path.segments[..]),
            };
        for (i, segment) in rest.iter().enumerate() {
            match shape.step(segment) {
                Some(next) => shape = next,
                None => {
                    let known = shape.field_names();
                    let hint = closest(segment, &known)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    let at = rest[..=i].join(".");
                    self.error(text, format!("unknown fact path `{text}` (at `{at}`){hint}"));
                    return None;
                }
            }
        }
        Some((path, shape.clone()))
    }

    fn condition(&mut self, raw: &RawCondition, bindings: &Bindings) -> Option<Condition> {
        let groups =
            [raw.all.is_some(), raw.any.is_some(), raw.not.is_some(), raw.fact.is_some(), raw.log.is_some()];
        if groups.iter().filter(|g| **g).count() != 1 {
            self.error("when", "each condition has exactly one of all, any, not, fact, log".into());
            return None;
        }
        if let Some(children) = raw.all.as_ref().or(raw.any.as_ref()) {
            let compiled: Option<Vec<Condition>> =
                children.iter().map(|c| self.condition(c, bindings)).collect();
            let compiled = compiled?;
            return Some(if raw.all.is_some() { Condition::All(compiled) } else { Condition::Any(compiled) });
        }
        if let Some(child) = &raw.not {
            return Some(Condition::Not(Box::new(self.condition(child, bindings)?)));
        }
        if let Some(log) = &raw.log {
            // The flag goes into the pattern text so the shared `RegexSet` honours it too.
            let text = if log.ignore_case { format!("(?i){}", log.pattern) } else { log.pattern.clone() };
            let regex = match self.pattern(&text) {
                Ok(r) => r,
                Err(e) => {
                    self.error(&log.pattern, format!("log pattern does not compile: {e}"));
                    return None;
                }
            };
            let key = (format!("{:?}", log.source), log.ignore_case, log.pattern.clone());
            let index = match self.patterns.index.get(&key) {
                Some(i) => *i,
                None => {
                    self.patterns.list.push(LogPattern { source: log.source, regex });
                    self.patterns.index.insert(key, self.patterns.list.len() - 1);
                    self.patterns.list.len() - 1
                }
            };
            let filter = match &log.filter {
                Some(f) => {
                    let mut inner = bindings.clone();
                    inner.push(("match".to_string(), Shape::Any));
                    Some(Box::new(self.condition(f, &inner)?))
                }
                None => None,
            };
            return Some(Condition::Log { pattern: index, filter });
        }
        let text = raw.fact.as_deref().unwrap_or_default();
        let (path, shape) = self.path(text, bindings)?;
        let quantified = [
            (&raw.any_item, Quantifier::Any),
            (&raw.all_items, Quantifier::All),
            (&raw.no_item, Quantifier::None),
        ];
        let tests = self.tests(raw);
        let quantifiers: Vec<_> = quantified.iter().filter(|(c, _)| c.is_some()).collect();
        if tests.len() + quantifiers.len() != 1 {
            self.error(
                text,
                format!("`fact: {text}` needs exactly one test (equals, in, contains, matches, exists, …)"),
            );
            return None;
        }
        if let Some((Some(inner), quantifier)) = quantifiers.first().map(|(c, q)| (c.as_ref(), *q)) {
            let Some(element) = shape.element() else {
                self.error(text, format!("`{text}` is not a list, so it has no items"));
                return None;
            };
            let name = raw.item_name.clone().unwrap_or_else(|| "item".to_string());
            let mut inner_bindings = bindings.clone();
            inner_bindings.push((name.clone(), element.clone()));
            let inner = self.condition(inner, &inner_bindings)?;
            return Some(Condition::Items { path, quantifier, name, inner: Box::new(inner) });
        }
        let test = tests.into_iter().next()?;
        if raw.item_name.is_some() {
            self.error(text, "`as` names the element of `any_item`, `all_items` or `no_item` only".into());
        }
        let test = match test {
            PendingTest::Ready(test) => test,
            PendingTest::EqualsFact(other) => Test::EqualsFact(self.path(&other, bindings)?.0),
            PendingTest::InFact(other) => Test::InFact(self.path(&other, bindings)?.0),
        };
        Some(Condition::Fact { path, test })
    }

    fn tests(&mut self, raw: &RawCondition) -> Vec<PendingTest> {
        let mut tests = Vec::new();
        if let Some(v) = &raw.equals {
            tests.push(PendingTest::Ready(Test::Equals(v.clone())));
        }
        if let Some(v) = &raw.not_equals {
            tests.push(PendingTest::Ready(Test::NotEquals(v.clone())));
        }
        if let Some(other) = &raw.equals_fact {
            tests.push(PendingTest::EqualsFact(other.clone()));
        }
        if let Some(other) = &raw.in_fact {
            tests.push(PendingTest::InFact(other.clone()));
        }
        if let Some(v) = &raw.one_of {
            tests.push(PendingTest::Ready(Test::OneOf(v.clone())));
        }
        if let Some(v) = &raw.contains {
            tests.push(PendingTest::Ready(Test::Contains(v.clone())));
        }
        if let Some(pattern) = &raw.matches {
            match self.pattern(pattern) {
                Ok(r) => tests.push(PendingTest::Ready(Test::Matches(r))),
                Err(e) => self.error(pattern, format!("`matches` regex does not compile: {e}")),
            }
        }
        if let Some(v) = raw.exists {
            tests.push(PendingTest::Ready(Test::Exists(v)));
        }
        if let Some(v) = raw.empty {
            tests.push(PendingTest::Ready(Test::Empty(v)));
        }
        for (value, cmp) in [(raw.gt, Cmp::Gt), (raw.ge, Cmp::Ge), (raw.lt, Cmp::Lt), (raw.le, Cmp::Le)] {
            if let Some(v) = value {
                tests.push(PendingTest::Ready(Test::Number(cmp, v)));
            }
        }
        for (value, cmp) in [(&raw.version_ge, Cmp::Ge), (&raw.version_lt, Cmp::Lt)] {
            if let Some(text) = value {
                match KernelVersion::parse(text) {
                    Some(v) => tests.push(PendingTest::Ready(Test::Version(cmp, v))),
                    None => self.error(text, format!("`{text}` is not a kernel version such as 6.2")),
                }
            }
        }
        tests
    }
}

enum PendingTest {
    Ready(Test),
    EqualsFact(String),
    InFact(String),
}

fn collect_derived(raw: &RawCondition, out: &mut BTreeSet<String>) {
    if let Some(fact) = &raw.fact {
        let segments: Vec<&str> = fact.split('.').collect();
        if let Some(pos) = segments.iter().position(|s| *s == "derived") {
            if let Some(name) = segments.get(pos + 1) {
                out.insert(name.to_string());
            }
        }
    }
    let children = raw.all.iter().flatten().chain(raw.any.iter().flatten());
    for child in children {
        collect_derived(child, out);
    }
    for nested in [&raw.not, &raw.any_item, &raw.all_items, &raw.no_item].into_iter().flatten() {
        collect_derived(nested, out);
    }
    if let Some(filter) = raw.log.as_ref().and_then(|l| l.filter.as_ref()) {
        collect_derived(filter, out);
    }
}

/// Orders rules so that every derived fact is concluded before it is read; ties go by
/// id, so the order (and so the output) never depends on file order. Rules in a cycle,
/// or reading a derived fact nobody concludes, are reported and left out.
fn order(rules: Vec<Rule>, errors: &mut Vec<RuleError>) -> Vec<Rule> {
    let mut producers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in &rules {
        for conclusion in &rule.raw.concludes {
            producers.entry(conclusion.name.clone()).or_default().push(rule.id().to_string());
        }
    }
    let mut valid: Vec<Rule> = Vec::new();
    for rule in rules {
        let missing: Vec<&String> =
            rule.reads_derived.iter().filter(|d| !producers.contains_key(*d)).collect();
        if missing.is_empty() {
            valid.push(rule);
        } else {
            errors.push(RuleError {
                file: rule.file.clone(),
                line: line_of(&rule.raw.explain, "derived"),
                rule: Some(rule.id().to_string()),
                message: format!(
                    "reads derived fact(s) {} that no rule concludes",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    let depends_on = |rule: &Rule| -> BTreeSet<String> {
        rule.reads_derived
            .iter()
            .flat_map(|d| producers.get(d).cloned().unwrap_or_default())
            .filter(|p| p != rule.id())
            .collect()
    };
    let mut pending: BTreeMap<String, (Rule, BTreeSet<String>)> = valid
        .into_iter()
        .map(|rule| {
            let deps = depends_on(&rule);
            (rule.id().to_string(), (rule, deps))
        })
        .collect();
    let mut ordered = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    loop {
        let ready: Vec<String> = pending
            .iter()
            .filter(|(_, (_, deps))| deps.iter().all(|d| done.contains(d)))
            .map(|(id, _)| id.clone())
            .collect();
        if ready.is_empty() {
            break;
        }
        for id in ready {
            if let Some((rule, _)) = pending.remove(&id) {
                done.insert(id);
                ordered.push(rule);
            }
        }
    }
    for (id, (rule, deps)) in pending {
        errors.push(RuleError {
            file: rule.file.clone(),
            line: line_of(&rule.raw.explain, "derived"),
            rule: Some(id),
            message: format!(
                "derived facts form a cycle through {}",
                deps.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    ordered
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn is_snake(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The known name closest to a misspelt one (edit distance at most 3).
fn closest<'a>(wrong: &str, known: &'a [String]) -> Option<&'a str> {
    known.iter().map(|k| (edit_distance(wrong, k), k)).filter(|(d, _)| *d <= 3).min().map(|(_, k)| k.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(current + 1);
            prev = current;
        }
    }
    row[b.len()]
}
