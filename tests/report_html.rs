//! The report templates (`report-templates/report.{md,html}.jinja`) rendered against every
//! fixture, without the `report` command: the context is built here the way the bundle
//! builds it (`src/render/bundle.rs`), from what the built binary prints for
//! `diagnose --format json` and `facts --json`.
//!
//! report.md must fit one forum post; report.html must be one self-contained page that
//! a real browser renders, checked with headless Chromium at phone size (CI installs
//! `chromium`; without it the browser test fails rather than passing unchecked).
//!
//! Set `VFIO_DOCTOR_REPORT_OUT=<dir>` to keep the rendered files and screenshots there.

mod common;

use common::{facts_json, fixture, repo, run, stderr};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// report.md is pasted whole into one forum post.
const POST_LIMIT: usize = 10_000;
const ZIP_NAME: &str = "report.zip";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Rendered {
    fixture: String,
    context: Value,
    md: String,
    html: String,
}

// ---------------------------------------------------------------------------------------
// The context, as the bundle builds it
// ---------------------------------------------------------------------------------------

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("fixtures"))
        .expect("fixtures/ is readable")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn diagnosis(root: &str) -> Value {
    let output = run(&["diagnose", "--format", "json", "--root", root]);
    // Exit status 1 means "an error-level finding", which most fixtures are about.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "diagnose --root {root} could not run: {}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("diagnose --format json prints JSON")
}

/// The value of a `Fact` (`{value, from}`) at `pointer`, or null when unknown.
fn fact(facts: &Value, pointer: &str) -> Value {
    facts.pointer(pointer).cloned().unwrap_or(Value::Null)
}

fn summary(facts: &Value) -> Value {
    let collection = &facts["collection"];
    let source = match collection["source_kind"].as_str().unwrap_or("") {
        "live" => "live host".to_string(),
        kind => {
            let from: Vec<&str> = collection["source"]
                .as_array()
                .map(|s| s.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            format!("{kind} {}", from.join(", "))
        }
    };
    let iommu_active =
        facts.pointer("/iommu/units/value").and_then(Value::as_array).map(|units| !units.is_empty());
    json!({
        "source": source,
        "kernel": fact(facts, "/kernel/release/value"),
        "distro": fact(facts, "/kernel/distro/value/pretty_name"),
        "proxmox": fact(facts, "/kernel/proxmox/value/manager"),
        "cpu": fact(facts, "/cpu/model_name/value"),
        "bootloader": fact(facts, "/boot/loader/value"),
        "firmware": fact(facts, "/boot/firmware/value"),
        "iommu_active": iommu_active,
        "interrupt_remapping": fact(facts, "/iommu/interrupt_remapping/value"),
        "is_guest": fact(facts, "/virt/is_guest/value"),
    })
}

fn device_json(device: &Value) -> Value {
    let name: Vec<&str> =
        ["vendor_name", "device_name"].iter().filter_map(|key| device[*key].as_str()).collect();
    json!({
        "address": device["address"],
        "ids": format!(
            "{:04x}:{:04x}",
            device["vendor_id"].as_u64().unwrap_or(0),
            device["device_id"].as_u64().unwrap_or(0)
        ),
        "name": name.join(" "),
        "driver": device["driver"]["name"],
        "iommu_group": device["iommu_group"],
    })
}

/// `hostpci0: 0000:05:00` names every function of the slot, `01:00.0` one function in
/// domain 0000 (the same matching as `names_device` in src/render/bundle.rs).
fn names_device(configured: &str, address: &str) -> bool {
    let lower = configured.trim().to_ascii_lowercase();
    let full = if lower.matches(':').count() == 1 { format!("0000:{lower}") } else { lower };
    if full.contains('.') {
        full == address
    } else {
        address.rsplit_once('.').is_some_and(|(slot, _)| slot == full)
    }
}

/// The line of the VM config the entry was read from, exactly as written there.
fn config_line(root: &Path, entry: &Value) -> String {
    let written = entry["from"]["line"].as_u64().and_then(|n| {
        let source = entry["from"]["source"].as_str()?;
        let text = std::fs::read_to_string(root.join(source)).ok()?;
        text.lines().nth(usize::try_from(n).ok()?.checked_sub(1)?).map(|l| l.trim().to_string())
    });
    written.unwrap_or_else(|| {
        let hosts: Vec<&str> =
            entry["hosts"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        format!("{}: {}", entry["key"].as_str().unwrap_or("?"), hosts.join(";"))
    })
}

fn passthrough(facts: &Value, root: &Path) -> Value {
    let devices = facts["pci"].as_array().cloned().unwrap_or_default();
    let groups = facts.pointer("/iommu/groups/value").and_then(Value::as_array).cloned().unwrap_or_default();
    let group_members = |id: &Value| -> Vec<Value> {
        let Some(group) = groups.iter().find(|g| !id.is_null() && &g["id"] == id) else {
            return Vec::new();
        };
        let addresses = group["devices"].as_array().cloned().unwrap_or_default();
        addresses
            .iter()
            .filter_map(|a| devices.iter().find(|d| &d["address"] == a))
            .map(device_json)
            .collect()
    };
    let mut items = Vec::new();
    for vm in facts["vms"].as_array().into_iter().flatten() {
        for entry in vm["passthrough"].as_array().into_iter().flatten() {
            let hosts: Vec<&str> =
                entry["hosts"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let matched: Vec<Value> = devices
                .iter()
                .filter(|d| {
                    let address = d["address"].as_str().unwrap_or("");
                    hosts.iter().any(|h| names_device(h, address))
                })
                .map(|d| {
                    let mut value = device_json(d);
                    value["group_members"] = Value::Array(group_members(&d["iommu_group"]));
                    value
                })
                .collect();
            items.push(json!({
                "vm": vm["id"],
                "vm_name": vm["name"],
                "key": entry["key"],
                "config_line": config_line(root, entry),
                "devices": matched,
            }));
        }
    }
    Value::Array(items)
}

/// Every other fixture is rendered as redacted, so both wordings of the note are seen.
fn context(name: &str, redacted: bool) -> Value {
    let root = fixture(name);
    let facts = facts_json(&["--root", &root]);
    let redaction = if redacted {
        json!({ "enabled": true, "counts": { "hostname": 2, "mac": 3, "serial": 1 } })
    } else {
        json!({ "enabled": false, "counts": {} })
    };
    json!({
        "tool": { "name": "vfio-doctor", "version": env!("CARGO_PKG_VERSION") },
        "report": diagnosis(&root),
        "summary": summary(&facts),
        "passthrough": passthrough(&facts, Path::new(&root)),
        "facts": facts,
        "redaction": redaction,
        "zip_name": ZIP_NAME,
    })
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

/// Like the bundle's environment (HTML escaping for the .html template only), but strict:
/// a misspelt name fails here instead of rendering as nothing.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.jinja") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    for name in ["report.md.jinja", "report.html.jinja"] {
        let path = repo().join("report-templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        env.add_template_owned(name, text).unwrap_or_else(|e| panic!("{name} does not compile: {e:#}"));
    }
    env
}

fn render(env: &Environment, name: &str, context: &Value, fixture: &str) -> String {
    env.get_template(name)
        .and_then(|t| t.render(context))
        .unwrap_or_else(|e| panic!("{name} does not render for {fixture}: {e:#}"))
}

/// Every fixture rendered once, shared by the tests.
fn rendered() -> &'static [Rendered] {
    static RENDERED: OnceLock<Vec<Rendered>> = OnceLock::new();
    RENDERED.get_or_init(|| {
        let env = environment();
        let all: Vec<Rendered> = fixture_names()
            .into_iter()
            .enumerate()
            .map(|(i, fixture)| {
                let context = context(&fixture, i % 2 == 0);
                let md = render(&env, "report.md.jinja", &context, &fixture);
                let html = render(&env, "report.html.jinja", &context, &fixture);
                keep(&format!("{fixture}.md"), md.as_bytes());
                keep(&format!("{fixture}.html"), html.as_bytes());
                Rendered { fixture, context, md, html }
            })
            .collect();
        assert!(!all.is_empty(), "no fixtures found under fixtures/");
        all
    })
}

fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("VFIO_DOCTOR_REPORT_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("VFIO_DOCTOR_REPORT_OUT can be created");
        std::fs::write(dir.join(name), bytes).expect("VFIO_DOCTOR_REPORT_OUT is writable");
    }
}

// ---------------------------------------------------------------------------------------
// Reading the output back
// ---------------------------------------------------------------------------------------

fn findings(context: &Value) -> &[Value] {
    context["report"]["findings"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn strings<'a>(value: &'a Value, key: &str) -> Vec<&'a str> {
    value[key].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// minijinja's HTML escaping: `& < > " ' /`.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

/// What a reader sees: tags dropped, entities decoded, whitespace collapsed.
fn visible_text(html: &str) -> String {
    let body = html.split_once("</style>").map_or(html, |(_, rest)| rest);
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&");
    collapse(&decoded)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A rule's Markdown-ish text as the page shows it: `code` and **bold** marks gone.
fn shown(text: &str) -> String {
    collapse(&text.replace('`', "").replace("**", ""))
}

/// `src`/`href`/`data` values of tags that load something, plus CSS that could fetch.
fn external_assets(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in ["link", "img", "script", "style", "iframe", "source", "video", "audio", "object", "embed"] {
        let open = format!("<{tag}");
        let mut rest = lower.as_str();
        while let Some(at) = rest.find(&open) {
            let from_tag = &rest[at..];
            let end = from_tag.find('>').unwrap_or(from_tag.len());
            let tag_text = &from_tag[..end];
            for attribute in ["src=", "href=", "data="] {
                for (i, _) in tag_text.match_indices(attribute) {
                    let value = tag_text[i + attribute.len()..].trim_start_matches(['"', '\'']);
                    if ["http://", "https://", "//"].iter().any(|p| value.starts_with(p)) {
                        found.push(tag_text.to_string());
                    }
                }
            }
            rest = &from_tag[end..];
        }
    }
    if let Some((_, after)) = lower.split_once("<style") {
        let css = after.split_once("</style>").map_or(after, |(css, _)| css);
        found.extend(["@import", "url("].iter().filter(|n| css.contains(**n)).map(|n| format!("CSS {n}")));
    }
    found
}

// ---------------------------------------------------------------------------------------
// report.md
// ---------------------------------------------------------------------------------------

#[test]
fn markdown_report_fits_one_forum_post_for_every_fixture() {
    for r in rendered() {
        let length = r.md.chars().count();
        assert!(length < POST_LIMIT, "{}: report.md has {length} characters:\n{}", r.fixture, r.md);
        assert!(r.md.starts_with(&format!("# vfio-doctor {}", env!("CARGO_PKG_VERSION"))), "{}", r.fixture);
        if let Some(first) = findings(&r.context).first() {
            for key in ["title", "rule"] {
                let text = first[key].as_str().unwrap_or_default();
                assert!(
                    r.md.contains(text),
                    "{}: report.md lacks the first finding's {key} {text:?}",
                    r.fixture
                );
            }
        }
        for entry in r.context["passthrough"].as_array().into_iter().flatten() {
            let line = entry["config_line"].as_str().unwrap_or_default();
            assert!(r.md.contains(line), "{}: report.md lacks the config line {line:?}", r.fixture);
            for device in entry["devices"].as_array().into_iter().flatten() {
                let address = device["address"].as_str().unwrap_or_default();
                assert!(r.md.contains(address), "{}: report.md lacks passed device {address}", r.fixture);
            }
        }
        assert!(r.md.contains(ZIP_NAME), "{}: report.md does not point to the zip", r.fixture);
        assert_eq!(r.md.matches("```").count() % 2, 0, "{}: unbalanced code fences", r.fixture);
    }
}

#[test]
fn markdown_report_shows_leading_findings_in_full_and_points_to_the_zip_for_the_rest() {
    for r in rendered() {
        let all = findings(&r.context);
        // Shown in full: a prefix of the ranking, with its rule id; the rest by table row.
        let full: Vec<bool> = all
            .iter()
            .map(|f| r.md.contains(&format!("`{}` · cause", f["rule"].as_str().unwrap_or_default())))
            .collect();
        let shown = full.iter().take_while(|shown| **shown).count();
        assert!(full[shown..].iter().all(|shown| !shown), "{}: full findings are not a prefix", r.fixture);
        assert!(shown <= 6 && (all.is_empty() || shown >= 1), "{}: {shown} findings in full", r.fixture);
        let pointer = match all.len() - shown {
            0 => None,
            1 => Some(format!("Finding {} is in the table above", all.len())),
            _ => Some(format!("Findings {}–{} are in the table above", shown + 1, all.len())),
        };
        if let Some(pointer) = pointer {
            assert!(r.md.contains(&pointer), "{}: no {pointer:?}:\n{}", r.fixture, r.md);
        }
    }
    let richest = rendered().iter().max_by_key(|r| findings(&r.context).len()).expect("fixtures");
    assert!(findings(&richest.context).len() > 6, "{} should have more than 6 findings", richest.fixture);
    assert!(richest.md.contains("are in the table above"), "{}", richest.md);
    let long = rendered()
        .iter()
        .flat_map(|r| findings(&r.context).first().map(|f| (r, f)))
        .find(|(_, f)| f["evidence"].as_array().map_or(0, Vec::len) > 6)
        .expect("some fixture's first finding has more than 6 evidence lines");
    let extra = long.1["evidence"].as_array().map_or(0, Vec::len) - 6;
    assert!(long.0.md.contains(&format!("… {extra} more in the zip.")), "{}", long.0.md);
}

/// The caps hold up when one host has everything at once: every fixture's findings,
/// unknowns and passthrough entries in one report, plus files that could not be read and
/// rules that did not load (which no fixture has).
#[test]
fn reports_stay_within_limits_with_every_fixtures_problems_at_once() {
    let mut context =
        rendered().iter().max_by_key(|r| findings(&r.context).len()).expect("fixtures").context.clone();
    let severity_rank = |f: &Value| match f["severity"].as_str() {
        Some("error") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    let mut all_findings: Vec<Value> =
        rendered().iter().flat_map(|r| findings(&r.context).to_vec()).collect();
    all_findings.sort_by_key(severity_rank);
    let collect = |key: &str, pointer: &str| -> Vec<Value> {
        rendered()
            .iter()
            .flat_map(|r| {
                r.context[key].pointer(pointer).and_then(Value::as_array).cloned().unwrap_or_default()
            })
            .collect()
    };
    context["report"]["unknowns"] = Value::Array(collect("report", "/unknowns"));
    context["passthrough"] = Value::Array(collect("passthrough", ""));
    context["report"]["findings"] = Value::Array(all_findings);
    context["report"]["skipped_rules"] =
        json!(["rules/local/my-rule.yaml:3 [my-rule]: unknown field `when`"]);
    context["facts"]["collection"]["unreadable"] = json!([
        { "path": "sys/bus/pci/devices/0000:01:00.0/config", "reason": "permission denied", "hint": "sudo vfio-doctor" },
        { "path": "etc/pve/qemu-server", "reason": "not mounted (pmxcfs is not running)" },
    ]);
    let env = environment();
    let md = render(&env, "report.md.jinja", &context, "all fixtures at once");
    keep("all-fixtures.md", md.as_bytes());
    let length = md.chars().count();
    assert!(length < POST_LIMIT, "report.md of all fixtures has {length} characters:\n{md}");
    assert!(md.contains("more findings, listed in `report.zip`"), "{md}");
    assert!(md.contains("2 files could not be read (list in the zip); try `sudo vfio-doctor`"), "{md}");
    assert!(md.contains("1 rule did not load"), "{md}");

    let html = render(&env, "report.html.jinja", &context, "all fixtures at once");
    keep("all-fixtures.html", html.as_bytes());
    for expected in [
        "sys&#x2f;bus&#x2f;pci&#x2f;devices&#x2f;0000:01:00.0&#x2f;config</span>: permission denied (try <code>sudo vfio-doctor</code>)",
        "not mounted (pmxcfs is not running)</li>",
        "<code>rules&#x2f;local&#x2f;my-rule.yaml:3 [my-rule]: unknown field `when`</code>",
    ] {
        assert!(html.contains(expected), "report.html lacks {expected:?}");
    }
}

// ---------------------------------------------------------------------------------------
// report.html
// ---------------------------------------------------------------------------------------

#[test]
fn html_report_is_self_contained_and_complete_for_every_fixture() {
    for r in rendered() {
        let (html, name) = (&r.html, &r.fixture);
        let start: String = html.chars().take(300).collect();
        assert!(html.starts_with("<!DOCTYPE html>"), "{name}: no doctype:\n{start}");
        assert!(!html.to_ascii_lowercase().contains("<script"), "{name}: report.html has a script");
        assert_eq!(external_assets(html), Vec::<String>::new(), "{name}: report.html loads external assets");
        assert!(html.contains("<meta name=\"viewport\""), "{name}: no viewport meta");
        let text = visible_text(html);
        for f in findings(&r.context) {
            let title = f["title"].as_str().unwrap_or_default();
            assert!(html.contains(&escape_html(title)), "{name}: lacks finding title {title:?}");
            for e in f["evidence"].as_array().into_iter().flatten() {
                let evidence = e["text"].as_str().unwrap_or_default();
                assert!(html.contains(&escape_html(evidence)), "{name}: lacks evidence {evidence:?}");
            }
            for fix in f["fixes"].as_array().into_iter().flatten() {
                let first_step = strings(fix, "steps").first().map(|s| shown(s)).unwrap_or_default();
                assert!(
                    text.contains(&first_step),
                    "{name}: lacks the first step of {}: {first_step:?}",
                    fix["id"]
                );
            }
        }
        for entry in r.context["passthrough"].as_array().into_iter().flatten() {
            let line = escape_html(entry["config_line"].as_str().unwrap_or_default());
            assert!(html.contains(&line), "{name}: lacks the config line {line}");
        }
        for device in r.context["facts"]["pci"].as_array().into_iter().flatten() {
            let address = device["address"].as_str().unwrap_or_default();
            assert!(html.contains(address), "{name}: the PCI table lacks {address}");
        }
        for u in r.context["report"]["unknowns"].as_array().into_iter().flatten() {
            let fact = escape_html(u["fact"].as_str().unwrap_or_default());
            assert!(html.contains(&fact), "{name}: lacks the unknown {fact}");
        }
    }
}

#[test]
fn html_report_labels_severity_in_text_not_colour_alone() {
    for r in rendered().iter().filter(|r| !findings(&r.context).is_empty()) {
        for f in findings(&r.context) {
            let severity = f["severity"].as_str().unwrap_or_default();
            let badge = format!("<span class=\"badge {severity}\">");
            assert!(r.html.contains(&badge), "{}: no {severity} badge", r.fixture);
        }
        let errors = findings(&r.context).iter().filter(|f| f["severity"] == "error").count();
        let verdict = if errors == 1 { "1 error,".to_string() } else { format!("{errors} errors,") };
        assert!(r.html.contains(&verdict), "{}: the verdict does not say {verdict:?}", r.fixture);
    }
}

// ---------------------------------------------------------------------------------------
// A real browser
// ---------------------------------------------------------------------------------------

/// Runs `command` to its end or kills it after `limit`; stdout is read while it runs
/// (a DOM dump does not fit a pipe buffer).
fn run_with_limit(mut command: Command, limit: Duration) -> (bool, String, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium can be waited for") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    (status.is_some_and(|s| s.success()), out, err)
}

fn chromium(profile: &Path, extra: &[String]) -> Command {
    let mut command = Command::new(CHROMIUM);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command.args(extra);
    command
}

#[test]
fn html_report_renders_in_headless_chromium_at_phone_size() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: this test renders report.html in a real browser; \
         install it with `apt-get install chromium` (CI does)"
    );
    // The page with the most findings and the one with a shared IOMMU group table.
    let richest = rendered().iter().max_by_key(|r| findings(&r.context).len()).expect("fixtures");
    let grouped = rendered()
        .iter()
        .max_by_key(|r| {
            r.context["passthrough"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|e| e["devices"].as_array().into_iter().flatten())
                .map(|d| d["group_members"].as_array().map_or(0, Vec::len))
                .max()
                .unwrap_or(0)
        })
        .expect("fixtures");
    for r in [richest, grouped] {
        let dir = tempfile::tempdir().expect("temporary folder");
        let page = dir.path().join("report.html");
        std::fs::write(&page, &r.html).expect("report.html written");
        let url = format!("file://{}", page.display());

        let (ok, dom, err) = run_with_limit(
            chromium(&dir.path().join("profile-dom"), &["--dump-dom".into(), url.clone()]),
            Duration::from_secs(90),
        );
        assert!(ok, "{}: chromium --dump-dom failed: {err}", r.fixture);
        let title = findings(&r.context)
            .first()
            .and_then(|f| f["title"].as_str())
            .expect("the fixture has a finding");
        assert!(
            visible_text(&dom).contains(&collapse(title)),
            "{}: the page Chromium built lacks {title:?}:\n{dom}",
            r.fixture
        );

        let shot = dir.path().join("phone.png");
        let (ok, _, err) = run_with_limit(
            chromium(
                &dir.path().join("profile-shot"),
                &[format!("--screenshot={}", shot.display()), "--window-size=390,844".into(), url],
            ),
            Duration::from_secs(90),
        );
        assert!(ok, "{}: chromium --screenshot failed: {err}", r.fixture);
        let png =
            std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: no screenshot ({e}): {err}", r.fixture));
        assert!(png.starts_with(b"\x89PNG"), "{}: the screenshot is not a PNG", r.fixture);
        assert!(png.len() > 10 * 1024, "{}: the screenshot is nearly empty ({} bytes)", r.fixture, png.len());
        keep(&format!("{}-phone.png", r.fixture), &png);
    }
}
