//! Evaluating rules against facts: three-valued (true, false, unknown), in dependency
//! order, recording the evidence that made each condition true.

use crate::facts::{Facts, KernelVersion};
use crate::hints;
use crate::logscan::{self, Scan};
use crate::report::{Evidence, Finding, FixSuggestion, Report, UnknownCheck, REPORT_SCHEMA_VERSION};
use crate::rule::condition::{Condition, FactPath, LogSource, Quantifier, Test};
use crate::rule::load::RuleSet;
use crate::rule::{ItemKind, Rule, Severity, Status};
use crate::template;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Evidence lines shown per log condition; the count of the rest is added.
const MAX_LOG_EVIDENCE: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Symptoms the user named (`--symptom`).
    pub symptoms: Vec<String>,
    /// The VM to lead with (`--vm`).
    pub vm: Option<String>,
    /// Run preview rules too.
    pub preview: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
}

#[derive(Debug, Default)]
struct Outcome {
    evidence: Vec<Evidence>,
    unknown: Vec<String>,
}

struct Env<'a> {
    world: &'a Value,
    scan: &'a Scan,
    rules: &'a RuleSet,
    bindings: Vec<(&'a str, &'a Value)>,
}

/// Runs every rule and ranks what fired.
pub fn evaluate(rules: &RuleSet, facts: &Facts, options: &Options) -> Report {
    let scan = logscan::scan(rules, facts);
    let mut world = crate::world::build(facts);
    let env_template = template::environment();
    let mut base = template::base_context(&world);
    let mut findings = Vec::new();
    let mut unknowns: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
    let mut evaluated = 0;
    for rule in &rules.rules {
        if rule.raw.status == Status::Preview && !options.preview {
            continue;
        }
        evaluated += 1;
        let results = run_rule(rule, &world, &scan, rules);
        for result in &results {
            for path in &result.unknown {
                let kind = rule.scope.as_ref().map(|s| s.kind.path());
                let entry = unknowns
                    .entry(display_path(path, rule))
                    .or_insert_with(|| (Vec::new(), hints::for_path(path, kind)));
                if !entry.0.contains(&rule.raw.id) {
                    entry.0.push(rule.raw.id.clone());
                }
            }
        }
        for result in results.into_iter().filter(|r| r.fired) {
            conclude(rule, result.item_index, &mut world);
            // Conclusions change the world: rebuild the template view only when they do.
            if !rule.raw.concludes.is_empty() {
                base = template::base_context(&world);
            }
            let rendering = Rendering { scan: &scan, rules, templates: &env_template, options };
            findings.push(finding(rule, result, &world, &base, &rendering));
        }
    }
    let focus = Focus::of(options.vm.as_deref(), &world, facts);
    rank(&mut findings, options, &focus);
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        symptoms: options.symptoms.clone(),
        vm: options.vm.clone(),
        vm_reason: None,
        findings,
        unknowns: unknowns
            .into_iter()
            .map(|(fact, (rules, hint))| UnknownCheck { fact, rules, hint })
            .collect(),
        rules_evaluated: evaluated,
        skipped_rules: Vec::new(),
    }
}

/// A scoped rule's item path is shown with its kind: `gpu.config` → `pci.config`.
fn display_path(path: &str, rule: &Rule) -> String {
    match &rule.scope {
        Some(scope) => match path.split_once('.') {
            Some((first, rest)) if first == scope.name => format!("{}[].{rest}", scope.kind.path()),
            _ => path.to_string(),
        },
        None => path.to_string(),
    }
}

struct RuleResult {
    fired: bool,
    item_index: Option<usize>,
    outcome: Outcome,
    unknown: Vec<String>,
}

fn run_rule(rule: &Rule, world: &Value, scan: &Scan, rules: &RuleSet) -> Vec<RuleResult> {
    let Some(scope) = &rule.scope else {
        let env = Env { world, scan, rules, bindings: Vec::new() };
        let mut outcome = Outcome::default();
        let tri = env.eval(&rule.when, &mut outcome);
        let unknown = if tri == Tri::Unknown { std::mem::take(&mut outcome.unknown) } else { Vec::new() };
        return vec![RuleResult { fired: tri == Tri::True, item_index: None, outcome, unknown }];
    };
    let Some(items) = world.get(scope.kind.path()).and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut results = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let env = Env { world, scan, rules, bindings: vec![(scope.name.as_str(), item)] };
        if let Some(filter) = &scope.filter {
            let mut ignored = Outcome::default();
            if env.eval(filter, &mut ignored) != Tri::True {
                continue;
            }
        }
        let mut outcome = Outcome::default();
        let tri = env.eval(&rule.when, &mut outcome);
        let unknown = if tri == Tri::Unknown { std::mem::take(&mut outcome.unknown) } else { Vec::new() };
        results.push(RuleResult { fired: tri == Tri::True, item_index: Some(index), outcome, unknown });
    }
    results
}

fn conclude(rule: &Rule, item: Option<usize>, world: &mut Value) {
    let target = match (&rule.scope, item) {
        (Some(scope), Some(index)) => world.get_mut(scope.kind.path()).and_then(|v| v.get_mut(index)),
        _ => Some(world),
    };
    let Some(Value::Object(target)) = target else { return };
    let derived = target.entry("derived").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(derived) = derived {
        for conclusion in &rule.raw.concludes {
            derived.insert(conclusion.name.clone(), conclusion.value.clone());
        }
    }
}

fn item_label(kind: ItemKind, item: &Value) -> Option<String> {
    let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
    match kind {
        ItemKind::Pci => text("address"),
        ItemKind::IommuGroup => item.get("id").map(|id| format!("group {id}")),
        ItemKind::Passthrough => Some(format!("VM {} {}", text("vm")?, text("key")?)),
        ItemKind::Vm => Some(format!("VM {}", text("id")?)),
    }
}

/// What every finding of one diagnosis is rendered with.
struct Rendering<'a> {
    scan: &'a Scan,
    rules: &'a RuleSet,
    templates: &'a minijinja::Environment<'static>,
    options: &'a Options,
}

fn finding(
    rule: &Rule,
    result: RuleResult,
    world: &Value,
    base: &minijinja::Value,
    r: &Rendering,
) -> Finding {
    let (scan, rules, templates, options) = (r.scan, r.rules, r.templates, r.options);
    let raw = &rule.raw;
    let mut declared_found = 0usize;
    let item = match (&rule.scope, result.item_index) {
        (Some(scope), Some(index)) => {
            world.get(scope.kind.path()).and_then(|v| v.get(index)).map(|v| (scope, v))
        }
        _ => None,
    };
    let context = match item {
        Some((scope, value)) => template::with_binding(base, &scope.name, value),
        None => base.clone(),
    };
    let mut evidence = result.outcome.evidence;
    let bindings: Vec<(&str, &Value)> = item.map(|(s, v)| vec![(s.name.as_str(), v)]).unwrap_or_default();
    let env = Env { world, scan, rules, bindings };
    for path in &raw.evidence {
        if let Some(path) = FactPath::parse(path) {
            let (value, source) = env.resolve(&path);
            if let Some(value) = value.filter(|v| !v.is_null()) {
                declared_found += 1;
                evidence.push(fact_evidence(&path, value, source));
            }
        }
    }
    if let Some((scope, value)) = item {
        evidence = merge_bound(&scope.name, value, evidence);
    }
    dedup(&mut evidence);
    // What the host logged proves the most; it comes first.
    evidence.sort_by_key(|e| !e.from_log);
    let mut fixes = Vec::new();
    for fix in &rule.fixes {
        if let Some(only_if) = &fix.only_if {
            let env = Env {
                world,
                scan,
                rules,
                bindings: item.map(|(s, v)| vec![(s.name.as_str(), v)]).unwrap_or_default(),
            };
            if env.eval(only_if, &mut Outcome::default()) != Tri::True {
                continue;
            }
        }
        fixes.push(FixSuggestion {
            rank: fixes.len() as u32 + 1,
            id: fix.raw.id.clone(),
            title: template::render(templates, &fix.raw.title, &context),
            why: template::render(templates, &fix.raw.why, &context),
            steps: fix.raw.steps.iter().map(|s| template::render(templates, s, &context)).collect(),
            reboot: fix.raw.reboot,
            risk: fix.raw.risk,
            references: fix.raw.references.clone(),
        });
    }
    let explains = raw.symptoms.iter().any(|s| options.symptoms.contains(s));
    Finding {
        rule: raw.id.clone(),
        cause: raw.cause.clone(),
        severity: raw.severity,
        confidence: raw.confidence,
        status: raw.status,
        score: 0,
        title: template::render(templates, &raw.title, &context),
        summary: template::render(templates, &raw.summary, &context),
        item: item.and_then(|(scope, value)| item_label(scope.kind, value)),
        symptoms: raw.symptoms.clone(),
        explains_reported_symptom: explains,
        consequence_of: raw.consequence_of.clone(),
        evidence_matched: if raw.evidence.is_empty() {
            1.0
        } else {
            declared_found as f64 / raw.evidence.len() as f64
        },
        evidence,
        fixes,
        references: raw.references.clone(),
    }
}

fn dedup(evidence: &mut Vec<Evidence>) {
    let mut seen = std::collections::BTreeSet::new();
    evidence.retain(|e| seen.insert((e.source.clone(), e.line, e.text.clone())));
}

/// The documented total order: severity and confidence, how much evidence matched, and
/// the user's symptoms set the score; a consequence ranks below its cause; ties go by
/// rule id and item, so output is deterministic.
/// What belongs to the VM the user asked about: its entries, its devices, its start logs.
struct Focus {
    vm: Option<String>,
    devices: Vec<String>,
    logs: Vec<String>,
}

impl Focus {
    fn of(vm: Option<&str>, world: &Value, facts: &Facts) -> Self {
        let Some(vm) = vm else { return Self { vm: None, devices: Vec::new(), logs: Vec::new() } };
        let devices = world
            .get("passthrough")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| p.get("vm").and_then(Value::as_str) == Some(vm))
            .flat_map(|p| p.get("devices").and_then(Value::as_array).cloned().unwrap_or_default())
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();
        let logs = facts
            .start_logs
            .iter()
            .filter(|l| l.vm.as_deref() == Some(vm))
            .map(|l| l.source.clone())
            .collect();
        Self { vm: Some(vm.to_string()), devices, logs }
    }

    fn concerns(&self, finding: &Finding) -> bool {
        let Some(vm) = &self.vm else { return false };
        let item = finding.item.as_deref().unwrap_or_default();
        item == format!("VM {vm}")
            || item.starts_with(&format!("VM {vm} "))
            || self.devices.iter().any(|d| d == item)
            || finding.evidence.iter().any(|e| self.logs.contains(&e.source))
    }
}

fn rank(findings: &mut [Finding], options: &Options, focus: &Focus) {
    // A cause explains whatever its consequences explain: "group not viable" reported,
    // the host driver that makes the group unviable explains it too.
    let explained_by_consequence: Vec<String> = findings
        .iter()
        .filter(|f| f.explains_reported_symptom)
        .flat_map(|f| f.consequence_of.iter().cloned())
        .collect();
    for f in findings.iter_mut() {
        if explained_by_consequence.contains(&f.cause) {
            f.explains_reported_symptom = true;
        }
    }
    for f in findings.iter_mut() {
        let severity = match f.severity {
            Severity::Error => 300,
            Severity::Warning => 200,
            Severity::Info => 100,
        };
        let confidence = match f.confidence {
            crate::rule::Confidence::High => 30,
            crate::rule::Confidence::Medium => 20,
            crate::rule::Confidence::Low => 10,
        };
        // A line the host logged proves the problem happened, not only that it could.
        let evidence =
            if f.evidence.iter().any(|e| e.from_log) { 15 } else { 0 } + (f.evidence_matched * 10.0) as i64;
        // A finding that explains what the user reported outranks one that does not.
        let symptom = if options.symptoms.is_empty() {
            0
        } else if f.explains_reported_symptom {
            150
        } else {
            -50
        };
        let vm = if focus.concerns(f) { 100 } else { 0 };
        f.score = severity + confidence + evidence + symptom + vm;
    }
    // A consequence can never outrank a cause it follows from.
    for _ in 0..findings.len() {
        let mut changed = false;
        for i in 0..findings.len() {
            let cap = findings
                .iter()
                .enumerate()
                .filter(|(j, g)| *j != i && g.cause != findings[i].cause)
                .filter(|(_, g)| findings[i].consequence_of.contains(&g.cause))
                .map(|(_, g)| g.score - 1)
                .min();
            if let Some(cap) = cap {
                if findings[i].score > cap {
                    findings[i].score = cap;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    findings.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.item.cmp(&b.item))
    });
}

/// Joins the evidence about one bound element into a single line that names it:
/// `0000:02:00.0: driver = xhci_hcd, passed_along = false`.
fn merge_bound(name: &str, element: &Value, evidence: Vec<Evidence>) -> Vec<Evidence> {
    let prefix = format!("{name}.");
    let (about, other): (Vec<Evidence>, Vec<Evidence>) =
        evidence.into_iter().partition(|e| e.text.starts_with(&prefix));
    if about.is_empty() {
        return other;
    }
    let label = ["address", "key", "name", "id"]
        .iter()
        .find_map(|k| element.get(*k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .unwrap_or_else(|| name.to_string());
    let mut parts: Vec<String> = Vec::new();
    for e in &about {
        let part = e.text[prefix.len()..].to_string();
        let is_label = ["address = ", "key = ", "name = ", "id = "].iter().any(|k| part.starts_with(k));
        if !is_label && !parts.contains(&part) {
            parts.push(part);
        }
    }
    let from = provenance_of(element);
    let source = from.as_ref().and_then(|f| f.get("source")).and_then(Value::as_str);
    let line = from.as_ref().and_then(|f| f.get("line")).and_then(Value::as_u64);
    if parts.is_empty() {
        return other;
    }
    let mut merged = vec![Evidence {
        source: source.map_or_else(|| about[0].source.clone(), str::to_string),
        line: if source.is_some() { line } else { about[0].line },
        text: format!("{label}: {}", parts.join(", ")),
        from_log: false,
    }];
    merged.extend(other);
    merged
}

/// Derived facts are the engine's own bookkeeping, not evidence a user can check.
fn is_derived(path: &FactPath) -> bool {
    path.segments.iter().any(|s| s == "derived")
}

fn fact_evidence(path: &FactPath, value: &Value, source: Option<Value>) -> Evidence {
    let (source, line) = match &source {
        Some(from) => (
            from.get("source").and_then(Value::as_str).unwrap_or_default().to_string(),
            from.get("line").and_then(Value::as_u64),
        ),
        None => (String::new(), None),
    };
    Evidence { source, line, text: format!("{} = {}", path.text, short(value)), from_log: false }
}

fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl<'a> Env<'a> {
    /// Walks a path: through bound names, object fields, array indices and `Fact`
    /// wrappers, remembering the innermost provenance on the way.
    fn resolve(&self, path: &FactPath) -> (Option<&'a Value>, Option<Value>) {
        let first = path.segments[0].as_str();
        let (mut current, rest): (&'a Value, &[String]) =
            match self.bindings.iter().rev().find(|(n, _)| *n == first) {
                Some((_, value)) => (value, &path.segments[1..]),
                None => (self.world, &path.segments[..]),
            };
        let mut source = provenance_of(current);
        for segment in rest {
            if let Some(inner) = fact_value(current) {
                if segment != "value" && segment != "from" {
                    current = inner;
                }
            }
            let next = match current {
                Value::Object(map) => map.get(segment.as_str()),
                Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            let Some(next) = next else {
                // A derived fact nobody concluded is false, not unknown.
                let derived = path.segments.iter().any(|s| s == "derived");
                return (if derived { Some(&FALSE) } else { None }, source);
            };
            current = next;
            if let Some(from) = provenance_of(current) {
                source = Some(from);
            }
        }
        if let Some(inner) = fact_value(current) {
            current = inner;
        }
        (Some(current), source)
    }

    fn eval(&self, condition: &Condition, out: &mut Outcome) -> Tri {
        match condition {
            Condition::All(children) => {
                let mut result = Tri::True;
                for child in children {
                    match self.eval(child, out) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => result = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                result
            }
            Condition::Any(children) => {
                // Every child runs, so each alternative that holds shows its evidence
                // (the logged error line as well as the empty folder that explains it).
                let mut held = false;
                let mut unknown = Vec::new();
                for child in children {
                    let mut local = Outcome::default();
                    match self.eval(child, &mut local) {
                        Tri::True => {
                            held = true;
                            out.evidence.extend(local.evidence);
                        }
                        Tri::Unknown => unknown.extend(local.unknown),
                        Tri::False => {}
                    }
                }
                if held {
                    Tri::True
                } else if unknown.is_empty() {
                    Tri::False
                } else {
                    out.unknown.extend(unknown);
                    Tri::Unknown
                }
            }
            Condition::Not(child) => match self.eval(child, out) {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            Condition::Fact { path, test } => self.fact(path, test, out),
            Condition::Items { path, quantifier, name, inner } => {
                self.items(path, *quantifier, name, inner, out)
            }
            Condition::Log { pattern, filter } => self.log(*pattern, filter.as_deref(), out),
        }
    }

    fn fact(&self, path: &FactPath, test: &Test, out: &mut Outcome) -> Tri {
        let (value, source) = self.resolve(path);
        let value = value.filter(|v| !v.is_null());
        if let Test::Exists(wanted) = test {
            let tri = if value.is_some() == *wanted { Tri::True } else { Tri::False };
            if let Some(v) = value.filter(|_| !is_derived(path)) {
                out.evidence.push(fact_evidence(path, v, source));
            }
            return tri;
        }
        let Some(value) = value else {
            out.unknown.push(path.text.clone());
            return Tri::Unknown;
        };
        let holds = match test {
            Test::Equals(expected) => Some(numbers_equal(value, expected)),
            Test::NotEquals(expected) => Some(!numbers_equal(value, expected)),
            Test::EqualsFact(other) => {
                self.resolve(other).0.filter(|v| !v.is_null()).map(|other| numbers_equal(value, other))
            }
            Test::InFact(other) => match self.resolve(other).0.filter(|v| !v.is_null()) {
                Some(Value::Array(items)) => Some(items.iter().any(|i| numbers_equal(i, value))),
                Some(Value::String(haystack)) => value.as_str().map(|needle| haystack.contains(needle)),
                Some(_) => Some(false),
                None => None,
            },
            Test::OneOf(options) => Some(options.iter().any(|o| numbers_equal(value, o))),
            Test::Contains(needle) => match (value, needle) {
                (Value::String(s), Value::String(n)) => Some(s.contains(n.as_str())),
                (Value::Array(items), n) => Some(items.iter().any(|i| numbers_equal(i, n))),
                (Value::Object(map), Value::String(n)) => Some(map.contains_key(n.as_str())),
                _ => Some(false),
            },
            Test::Matches(pattern) => value.as_str().map(|s| pattern.regex().is_some_and(|r| r.is_match(s))),
            Test::Empty(wanted) => {
                let empty = match value {
                    Value::Array(a) => a.is_empty(),
                    Value::String(s) => s.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    _ => false,
                };
                Some(empty == *wanted)
            }
            Test::Number(cmp, limit) => {
                value.as_f64().and_then(|v| v.partial_cmp(limit)).map(|o| cmp.holds(o))
            }
            Test::Version(cmp, wanted) => {
                value.as_str().and_then(KernelVersion::parse).map(|v| cmp.holds(v.cmp(wanted)))
            }
            // Handled above: existence is the one test an unknown value can pass.
            Test::Exists(_) => None,
        };
        if holds.is_some() && !is_derived(path) {
            // Kept when false too: what was checked explains a negated condition.
            out.evidence.push(fact_evidence(path, value, source));
        }
        match holds {
            Some(true) => Tri::True,
            Some(false) => Tri::False,
            None => {
                out.unknown.push(path.text.clone());
                Tri::Unknown
            }
        }
    }

    fn items(
        &self,
        path: &FactPath,
        quantifier: Quantifier,
        name: &'a str,
        inner: &Condition,
        out: &mut Outcome,
    ) -> Tri {
        let (value, _) = self.resolve(path);
        let Some(items) = value.and_then(Value::as_array) else {
            out.unknown.push(path.text.clone());
            return Tri::Unknown;
        };
        let mut any_true = false;
        let mut any_false = false;
        let mut any_unknown = false;
        let mut true_evidence = Vec::new();
        let mut false_evidence = Vec::new();
        for item in items {
            let mut bindings = self.bindings.clone();
            bindings.push((name, item));
            let env = Env { world: self.world, scan: self.scan, rules: self.rules, bindings };
            let mut local = Outcome::default();
            let tri = env.eval(inner, &mut local);
            let evidence = merge_bound(name, item, local.evidence);
            match tri {
                Tri::True => {
                    any_true = true;
                    true_evidence.extend(evidence);
                }
                Tri::False => {
                    any_false = true;
                    false_evidence.extend(evidence);
                }
                Tri::Unknown => {
                    any_unknown = true;
                    out.unknown.extend(local.unknown);
                }
            }
        }
        let (tri, evidence) = match quantifier {
            Quantifier::Any if any_true => (Tri::True, true_evidence),
            Quantifier::Any if any_unknown => (Tri::Unknown, Vec::new()),
            Quantifier::Any => (Tri::False, Vec::new()),
            Quantifier::All if any_false => (Tri::False, false_evidence),
            Quantifier::All if any_unknown => (Tri::Unknown, Vec::new()),
            Quantifier::All => (Tri::True, true_evidence),
            Quantifier::None if any_true => (Tri::False, true_evidence),
            Quantifier::None if any_unknown => (Tri::Unknown, Vec::new()),
            Quantifier::None => (Tri::True, Vec::new()),
        };
        out.evidence.extend(evidence);
        tri
    }

    fn log(&self, pattern: usize, filter: Option<&Condition>, out: &mut Outcome) -> Tri {
        let hits = self.scan.hits.get(pattern).map(Vec::as_slice).unwrap_or_default();
        let mut shown = 0;
        let mut matched = 0;
        for hit in hits {
            if let Some(filter) = filter {
                let mut bindings = self.bindings.clone();
                bindings.push(("match", &hit.captures));
                let env = Env { world: self.world, scan: self.scan, rules: self.rules, bindings };
                if env.eval(filter, &mut Outcome::default()) != Tri::True {
                    continue;
                }
            }
            matched += 1;
            if shown < MAX_LOG_EVIDENCE {
                out.evidence.push(Evidence {
                    source: hit.source.clone(),
                    line: Some(hit.line),
                    text: hit.text.clone(),
                    from_log: true,
                });
                shown += 1;
            }
        }
        if matched > 0 {
            let total = if filter.is_none() {
                self.scan.counts.get(pattern).copied().unwrap_or(matched)
            } else {
                matched
            };
            if total > shown {
                out.evidence.push(Evidence {
                    source: out.evidence.last().map(|e| e.source.clone()).unwrap_or_default(),
                    line: None,
                    text: format!("… and {} more matching lines", total - shown),
                    from_log: true,
                });
            }
            return Tri::True;
        }
        let source = self.rules.patterns.get(pattern).map(|p| p.source);
        if source != Some(LogSource::Start) && !self.scan.kernel_log_known {
            out.unknown.push("kernel_log".into());
            return Tri::Unknown;
        }
        Tri::False
    }
}

static FALSE: Value = Value::Bool(false);

/// The `{value, from}` of a `Fact`, if `value` is one.
fn fact_value(value: &Value) -> Option<&Value> {
    match value {
        Value::Object(map) if map.len() == 2 && map.contains_key("from") => map.get("value"),
        _ => None,
    }
}

fn provenance_of(value: &Value) -> Option<Value> {
    let from = value.get("from")?;
    from.get("source").is_some().then(|| from.clone())
}
