//! The engine on small, hand-written rules: loading errors name file, line and rule;
//! evaluation is three-valued, shows its evidence, and ranks causes above consequences.

use engine::facts::{
    Cmdline, CmdlineParam, Fact, Facts, IommuUnit, KernelLog, LogLine, LogOrigin, Provenance,
};
use engine::{evaluate, load, Options, Origin, RuleFile};

const EXPLAIN: &str =
    "explain: |\n  ## What it checks\n  x\n  ## Why it matters\n  y\n  ## How to confirm\n  z\n";

fn rule(id: &str, body: &str) -> RuleFile {
    let text = format!(
        "id: {id}\ntitle: T {id}\ncause: iommu-disabled\nseverity: error\nsummary: S\n{EXPLAIN}tests: {{fires: [\"fixture:a\"], quiet: [\"fixture:b\"]}}\n{body}"
    );
    RuleFile { origin: Origin::Builtin, path: format!("rules/t/{id}.yaml"), text }
}

fn facts_with_log(lines: &[&str]) -> Facts {
    let mut facts = Facts::new();
    facts.kernel_log = Some(KernelLog {
        origin: LogOrigin::Dmesg,
        source: "cmd/dmesg".into(),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, l)| LogLine {
                n: i as u64 + 1,
                ts: None,
                text: l.to_string(),
                raw: format!("[    1.000000] {l}"),
            })
            .collect(),
        total_lines: lines.len() as u64,
        dropped_lines: 0,
    });
    facts
}

#[test]
fn load_errors_name_file_line_and_rule() {
    let files = vec![
        rule("bad-yaml", "when: [unclosed\n"),
        rule("unknown-key", "when: {fact: kernel.release, exists: true}\nsurprise: 1\n"),
        rule("bad-regex", "when:\n  log: {pattern: 'BAR (\\d+'}\n"),
        rule("bad-path", "when:\n  fact: kernel.relase\n  exists: true\n"),
        RuleFile {
            origin: Origin::Builtin,
            path: "rules/t/other-name.yaml".into(),
            text: rule("not-the-stem", "when: {fact: kernel.release, exists: true}\n").text,
        },
        rule("bad-cause", "when: {fact: kernel.release, exists: true}\n").clone(),
    ];
    let mut files = files;
    files[5].text = files[5].text.replace("cause: iommu-disabled", "cause: made-up");
    let (set, errors) = load(&files);
    assert!(set.rules.is_empty(), "{:?}", set.rules.iter().map(|r| r.id()).collect::<Vec<_>>());
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let find =
        |id: &str| text.iter().find(|t| t.contains(id)).cloned().unwrap_or_else(|| panic!("{id}: {text:?}"));
    assert!(find("bad-yaml").contains("rules/t/bad-yaml.yaml:"), "{text:?}");
    assert!(find("unknown-key").contains("surprise"), "{text:?}");
    assert!(find("bad-regex").contains("does not compile"), "{text:?}");
    let path = find("bad-path");
    assert!(
        path.contains("unknown fact path `kernel.relase`") && path.contains("did you mean `release`"),
        "{path}"
    );
    assert!(path.starts_with("rules/t/bad-path.yaml:"), "line number given: {path}");
    assert!(find("other-name").contains("must equal the file name"), "{text:?}");
    assert!(find("bad-cause").contains("unknown cause `made-up`"), "{text:?}");
}

#[test]
fn derived_facts_order_rules_and_cycles_are_refused() {
    let first = rule("reads", "when: {fact: derived.iommu_on, equals: true}\n");
    let second =
        rule("concludes", "when: {fact: kernel.release, exists: true}\nconcludes: [{name: iommu_on}]\n");
    let (set, errors) = load(&[first, second]);
    assert!(errors.is_empty(), "{errors:?}");
    let order: Vec<&str> = set.rules.iter().map(|r| r.id()).collect();
    assert_eq!(order, ["concludes", "reads"], "derived facts are concluded first, whatever the file order");

    let a = rule("cycle-a", "when: {fact: derived.b_fired, equals: true}\nconcludes: [{name: a_fired}]\n");
    let b = rule("cycle-b", "when: {fact: derived.a_fired, equals: true}\nconcludes: [{name: b_fired}]\n");
    let (set, errors) = load(&[a, b]);
    assert!(set.rules.is_empty());
    assert!(errors.iter().all(|e| e.message.contains("cycle")), "{errors:?}");
    let orphan = rule("orphan", "when: {fact: derived.nobody, equals: true}\n");
    let (_, errors) = load(&[orphan]);
    assert!(errors[0].message.contains("no rule concludes"), "{errors:?}");
}

#[test]
fn unknown_facts_do_not_fire_and_are_listed() {
    let r = rule("needs-units", "when: {fact: iommu.units, empty: true}\n");
    let (set, errors) = load(&[r]);
    assert!(errors.is_empty(), "{errors:?}");
    let report = evaluate(&set, &Facts::new(), &Options::default());
    assert!(report.findings.is_empty());
    assert_eq!(report.unknowns.len(), 1);
    assert_eq!(report.unknowns[0].fact, "iommu.units");
    assert!(report.unknowns[0].hint.contains("/sys/class/iommu"), "{}", report.unknowns[0].hint);

    let mut facts = Facts::new();
    facts.iommu.units = Some(Fact::new(Vec::<IommuUnit>::new(), Provenance::file("sys/class/iommu")));
    let report = evaluate(&set, &facts, &Options::default());
    assert_eq!(report.findings.len(), 1);
    let evidence = &report.findings[0].evidence[0];
    assert_eq!(evidence.source, "sys/class/iommu");
    assert_eq!(evidence.text, "iommu.units = []");
}

#[test]
fn log_patterns_capture_and_filter_in_one_pass() {
    let r = rule(
        "bar-on-gpu",
        "when:\n  log:\n    pattern: '^(?P<drv>\\S+) (?P<bdf>[0-9a-f:.]+): BAR (?P<bar>\\d+): can''t reserve'\n    where: {fact: match.bar, equals: '3'}\n",
    );
    let (set, errors) = load(&[r]);
    assert!(errors.is_empty(), "{errors:?}");
    let facts = facts_with_log(&[
        "vfio-pci 0000:04:00.0: BAR 1: can't reserve [mem 0xb0000000-0xbfffffff 64bit pref]",
        "vfio-pci 0000:04:00.0: BAR 3: can't reserve [mem 0xca000000-0xcbffffff 64bit]",
    ]);
    let report = evaluate(&set, &facts, &Options::default());
    let finding = &report.findings[0];
    assert_eq!(finding.evidence.len(), 1, "{:?}", finding.evidence);
    assert_eq!(finding.evidence[0].line, Some(2));
    assert!(finding.evidence[0].text.contains("BAR 3"));
    let report = evaluate(&set, &Facts::new(), &Options::default());
    assert!(report.findings.is_empty());
    assert_eq!(report.unknowns[0].fact, "kernel_log", "no kernel log: the check is unknown, not passed");
}

#[test]
fn scoped_rules_bind_items_and_fill_templates() {
    let r = rule(
        "cmdline-flag",
        "when:\n  fact: host.cmdline.intel_iommu\n  equals: 'off'\nfixes:\n  - id: remove-it\n    title: Remove it from {{ host.cmdline_file }}\n    why: w\n    risk: medium\n    reboot: true\n    steps: ['edit {{ host.cmdline_file }}', '{{ host.cmdline_apply }}']\n",
    );
    let (set, errors) = load(&[r]);
    assert!(errors.is_empty(), "{errors:?}");
    let mut facts = Facts::new();
    let cmdline = Cmdline {
        raw: "quiet intel_iommu=off".into(),
        params: vec![
            CmdlineParam { key: "quiet".into(), value: None },
            CmdlineParam { key: "intel_iommu".into(), value: Some("off".into()) },
        ],
    };
    facts.kernel.cmdline = Some(Fact::new(cmdline, Provenance::line("proc/cmdline", 1)));
    let report = evaluate(&set, &facts, &Options::default());
    let fix = &report.findings[0].fixes[0];
    assert_eq!(fix.title, "Remove it from /etc/default/grub");
    assert_eq!(fix.steps, ["edit /etc/default/grub", "update-grub"]);
    assert_eq!(fix.rank, 1);
}

#[test]
fn causes_rank_above_consequences() {
    let cause = rule("root-cause", "when: {fact: kernel.release, exists: true}\nseverity_placeholder: x\n")
        .text
        .replace("severity_placeholder: x\n", "")
        .replace("severity: error", "severity: warning");
    let cause = RuleFile { origin: Origin::Builtin, path: "rules/t/root-cause.yaml".into(), text: cause };
    let consequence = rule(
        "consequence",
        "when: {fact: kernel.release, exists: true}\nconsequence_of: [interrupt-remapping-missing]\n",
    )
    .text
    .replace("cause: iommu-disabled", "cause: group-not-viable");
    let consequence =
        RuleFile { origin: Origin::Builtin, path: "rules/t/consequence.yaml".into(), text: consequence };
    let mut cause = cause;
    cause.text = cause.text.replace("cause: iommu-disabled", "cause: interrupt-remapping-missing");
    let (set, errors) = load(&[cause, consequence]);
    assert!(errors.is_empty(), "{errors:?}");
    let mut facts = Facts::new();
    facts.kernel.release =
        Some(Fact::new("6.8.12-4-pve".into(), Provenance::file("proc/sys/kernel/osrelease")));
    let report = evaluate(&set, &facts, &Options::default());
    let order: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(order, ["root-cause", "consequence"], "a warning cause outranks the error it causes");
    assert!(report.findings[0].score > report.findings[1].score);
}

#[test]
fn a_finding_explaining_the_reported_symptom_outranks_one_that_does_not() {
    let mut explains =
        rule("explains-crackle", "when: {fact: kernel.release, exists: true}\nsymptoms: [hdmi-crackle]\n");
    explains.text = explains
        .text
        .replace("severity: error", "severity: warning")
        .replace("cause: iommu-disabled", "cause: msi-disabled");
    let unrelated =
        rule("unrelated-error", "when: {fact: kernel.release, exists: true}\nsymptoms: [vm-start-failed]\n");
    let (set, errors) = load(&[explains, unrelated]);
    assert!(errors.is_empty(), "{errors:?}");
    let mut facts = Facts::new();
    facts.kernel.release =
        Some(Fact::new("6.8.12-4-pve".into(), Provenance::file("proc/sys/kernel/osrelease")));
    let plain = evaluate(&set, &facts, &Options::default());
    assert_eq!(plain.findings[0].rule, "unrelated-error", "without symptoms, severity leads");
    let options = Options { symptoms: vec!["hdmi-crackle".into()], ..Options::default() };
    let focused = evaluate(&set, &facts, &options);
    assert_eq!(focused.findings[0].rule, "explains-crackle");
    assert!(focused.findings[0].explains_reported_symptom);
}
