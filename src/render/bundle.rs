//! The report bundle: a zip with the redacted snapshot, the facts and the diagnosis as
//! JSON, report.md and report.html rendered from templates, and a manifest with a
//! SHA-256 for every entry.

use anyhow::{Context, Result};
use engine::facts::{Facts, PciDevice};
use engine::Report;
use probes::host::{Manifest, MemEntry, MemTree, Tree};
use probes::redact::Redaction;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Entries smaller than this are stored, not deflated.
const SMALL_ENTRY: usize = 256;

const MD_TEMPLATE: &str = include_str!("../../report-templates/report.md.jinja");
const HTML_TEMPLATE: &str = include_str!("../../report-templates/report.html.jinja");

pub struct Bundle<'a> {
    pub path: &'a Path,
    pub tree: &'a MemTree,
    pub snapshot_manifest: &'a Manifest,
    pub facts: &'a Facts,
    pub report: &'a Report,
    pub redaction: Option<&'a Redaction>,
    pub templates: Option<&'a Path>,
    pub ruleset: &'a str,
}

pub struct Written {
    pub bytes: u64,
    pub entries: usize,
}

/// Where the token map of a bundle is kept: beside it, never inside.
pub fn map_path(zip: &Path) -> PathBuf {
    let mut name = zip.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".redaction-map.json");
    zip.with_file_name(name)
}

pub fn write_redaction_map(zip: &Path, redaction: &Redaction) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = map_path(zip);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("{} (it must not exist yet)", path.display()))?;
    let text = serde_json::to_string_pretty(&json!({ "tokens": redaction.map }))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

fn template_text(dir: Option<&Path>, name: &str, builtin: &'static str) -> Result<String> {
    match dir {
        Some(dir) => {
            let path = dir.join(name);
            std::fs::read_to_string(&path).with_context(|| format!("cannot read template {}", path.display()))
        }
        None => Ok(builtin.to_string()),
    }
}

/// The context both templates see.
pub fn context(b: &Bundle, zip_name: &str) -> Value {
    json!({
        "tool": { "name": "vfio-doctor", "version": env!("CARGO_PKG_VERSION"), "ruleset": b.ruleset },
        "report": b.report,
        "facts": b.facts,
        "summary": summary(b.facts),
        "passthrough": passthrough(b.facts, b.tree),
        "redaction": {
            "enabled": b.redaction.is_some(),
            "counts": b.redaction.map(|r| json!(r.counts)).unwrap_or(json!({})),
        },
        "zip_name": zip_name,
    })
}

fn summary(facts: &Facts) -> Value {
    let k = &facts.kernel;
    json!({
        "source": match facts.collection.source_kind.as_str() {
            "live" => "live host".to_string(),
            kind => format!("{kind} {}", facts.collection.source.join(", ")),
        },
        "kernel": k.release.as_ref().map(|r| r.value.clone()),
        "distro": k.distro.as_ref().and_then(|d| d.value.pretty_name.clone()),
        "proxmox": k.proxmox.as_ref().and_then(|p| p.value.manager.clone()),
        "cpu": facts.cpu.model_name.as_ref().map(|m| m.value.clone()),
        "bootloader": facts.boot.loader.as_ref().map(|l| json!(l.value)),
        "firmware": facts.boot.firmware.as_ref().map(|f| json!(f.value)),
        "iommu_active": facts.iommu.units.as_ref().map(|u| !u.value.is_empty()),
        "interrupt_remapping": facts.iommu.interrupt_remapping.as_ref().map(|f| f.value),
        "is_guest": facts.virt.is_guest.as_ref().map(|f| f.value),
    })
}

fn device_json(d: &PciDevice) -> Value {
    let name = [d.vendor_name.as_deref(), d.device_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    json!({ "address": d.address, "ids": d.id_pair(), "name": name, "driver": d.driver.name(), "iommu_group": d.iommu_group })
}

/// Each VM entry with its config line as written and its devices with their groups.
fn passthrough(facts: &Facts, tree: &MemTree) -> Value {
    let devices = facts.pci.as_deref().unwrap_or(&[]);
    let groups = facts.iommu.groups.as_ref().map(|g| g.value.as_slice()).unwrap_or(&[]);
    let mut items = Vec::new();
    for vm in &facts.vms {
        for entry in &vm.passthrough {
            let config_line = entry
                .from
                .line
                .and_then(|n| {
                    let text = tree.read(&entry.from.source).ok()?;
                    String::from_utf8_lossy(&text)
                        .lines()
                        .nth(n.checked_sub(1)? as usize)
                        .map(|l| l.trim().to_string())
                })
                .unwrap_or_else(|| format!("{}: {}", entry.key, entry.hosts.join(";")));
            let matched: Vec<Value> = devices
                .iter()
                .filter(|d| entry.hosts.iter().any(|h| d.named_by(h)))
                .map(|d| {
                    let mut value = device_json(d);
                    let members: Vec<Value> = d
                        .iommu_group
                        .and_then(|id| groups.iter().find(|g| g.id == id))
                        .map(|g| {
                            g.devices
                                .iter()
                                .filter_map(|a| devices.iter().find(|x| &x.address == a))
                                .map(device_json)
                                .collect()
                        })
                        .unwrap_or_default();
                    value["group_members"] = Value::Array(members);
                    value
                })
                .collect();
            items.push(json!({
                "vm": vm.id, "vm_name": vm.name, "key": entry.key, "config_line": config_line, "devices": matched,
            }));
        }
    }
    Value::Array(items)
}

/// Renders both reports.
pub fn render_reports(b: &Bundle, zip_name: &str) -> Result<(String, String)> {
    let context = context(b, zip_name);
    let md = template_text(b.templates, "report.md.jinja", MD_TEMPLATE)?;
    let html = template_text(b.templates, "report.html.jinja", HTML_TEMPLATE)?;
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.jinja") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.add_template_owned("report.md.jinja", md).context("report.md template does not compile")?;
    env.add_template_owned("report.html.jinja", html).context("report.html template does not compile")?;
    let render = |name: &str| -> Result<String> {
        env.get_template(name)?.render(&context).with_context(|| format!("cannot render {name}"))
    };
    Ok((render("report.md.jinja")?, render("report.html.jinja")?))
}

/// Absolute link targets are rewritten relative to the snapshot root, which readers
/// require (an absolute target is refused as leaving the tree).
fn relative_target(at: &str, target: &str) -> String {
    match target.strip_prefix('/') {
        Some(rest) => {
            let depth = at.split('/').filter(|c| !c.is_empty()).count().saturating_sub(1);
            format!("{}{rest}", "../".repeat(depth))
        }
        None => target.to_string(),
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the zip; refuses to replace an existing file.
pub fn write(b: &Bundle) -> Result<Written> {
    let zip_name =
        b.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report.zip".into());
    let (md, html) = render_reports(b, &zip_name)?;
    let mut entries: Vec<(String, Vec<u8>, Option<String>)> = Vec::new();
    for (path, entry) in b.tree.entries() {
        match entry {
            MemEntry::File(bytes) => entries.push((format!("snapshot/{path}"), bytes.clone(), None)),
            MemEntry::Link(target) => entries.push((
                format!("snapshot/{path}"),
                relative_target(path, target).into_bytes(),
                Some("link".into()),
            )),
            MemEntry::Dir => entries.push((format!("snapshot/{path}/"), Vec::new(), Some("dir".into()))),
        }
    }
    entries.push(("snapshot/manifest.json".into(), serde_json::to_vec_pretty(b.snapshot_manifest)?, None));
    entries.push(("facts.json".into(), serde_json::to_vec_pretty(b.facts)?, None));
    entries.push(("diagnosis.json".into(), serde_json::to_vec_pretty(b.report)?, None));
    entries.push(("report.md".into(), md.into_bytes(), None));
    entries.push(("report.html".into(), html.into_bytes(), None));
    let manifest = json!({
        "format": "vfio-doctor-report",
        "format_version": 1,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "ruleset": b.ruleset,
        "captured_at": b.snapshot_manifest.captured_at,
        "privileged": b.snapshot_manifest.privileged,
        "collected": b.snapshot_manifest.collected.len(),
        "unreadable": b.facts.collection.unreadable,
        "redaction": b.redaction.map(|r| json!({"enabled": true, "counts": r.counts})).unwrap_or(json!({"enabled": false})),
        "entries": entries.iter().filter(|(_, _, kind)| kind.is_none()).map(|(name, bytes, _)| json!({"name": name, "sha256": sha256(bytes), "size": bytes.len()})).collect::<Vec<_>>(),
    });
    entries.push(("manifest.json".into(), serde_json::to_vec_pretty(&manifest)?, None));

    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(b.path)
        .with_context(|| format!("cannot create {}", b.path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Most entries are sysfs attributes of a few bytes: deflate cannot shrink them, and
    // setting up its state for each was a third of the time spent writing the zip.
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    let count = entries.len();
    for (name, bytes, kind) in entries {
        match kind.as_deref() {
            Some("dir") => zip.add_directory(name, stored)?,
            Some("link") => zip.add_symlink(name, String::from_utf8_lossy(&bytes), stored)?,
            _ => {
                let options = if bytes.len() < SMALL_ENTRY { stored } else { deflated };
                zip.start_file(name, options)?;
                zip.write_all(&bytes)?;
            }
        }
    }
    zip.finish()?;
    let bytes = std::fs::metadata(b.path).map(|m| m.len()).unwrap_or(0);
    Ok(Written { bytes, entries: count })
}
