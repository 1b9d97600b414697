//! Kernel modules: loaded, built in, their parameters, and every place that configures
//! them (modprobe.d, modules-load lists, the initramfs) (domain.md 6.6).

use crate::collect::Ctx;
use crate::parse::modprobe;
use crate::parse::modules::{parse_modules_builtin, parse_proc_modules};
use engine::facts::{Fact, Facts, ModuleParameter, Provenance};

/// `(module, parameter)` pairs that change passthrough behaviour.
const PARAMETERS: [(&str, &str); 10] = [
    ("vfio_iommu_type1", "allow_unsafe_interrupts"),
    ("vfio_pci", "ids"),
    ("vfio_pci", "disable_vga"),
    ("vfio_pci", "disable_idle_d3"),
    ("kvm", "ignore_msrs"),
    ("kvm", "report_ignored_msrs"),
    ("kvm_intel", "nested"),
    ("kvm_amd", "nested"),
    ("snd_hda_intel", "enable_msi"),
    ("vfio", "enable_unsafe_noiommu_mode"),
];

const MODPROBE_DIRS: [&str; 4] = ["etc/modprobe.d", "run/modprobe.d", "usr/lib/modprobe.d", "lib/modprobe.d"];
const MODULES_LOAD_DIRS: [&str; 3] = ["etc/modules-load.d", "run/modules-load.d", "usr/lib/modules-load.d"];

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    if let Some(text) = ctx.text("proc/modules") {
        facts.modules.loaded = Some(Fact::new(parse_proc_modules(&text), Provenance::file("proc/modules")));
    }
    if let Some(release) = facts.kernel.release.as_ref().map(|r| r.value.clone()) {
        for base in ["lib/modules", "usr/lib/modules"] {
            let path = format!("{base}/{release}/modules.builtin");
            if let Some(text) = ctx.text(&path) {
                facts.modules.builtin = Some(Fact::new(parse_modules_builtin(&text), Provenance::file(path)));
                break;
            }
        }
    }
    for (module, name) in PARAMETERS {
        let path = format!("sys/module/{module}/parameters/{name}");
        if let Some(value) = ctx.text(&path) {
            facts.modules.parameters.push(ModuleParameter {
                module: module.into(),
                name: name.into(),
                value: value.trim().to_string(),
                from: Provenance::file(path),
            });
        }
    }
    facts.modules.modprobe = modprobe_directives(ctx);
    facts.modules.load_at_boot = modules_to_load(ctx);
    facts.modules.initramfs = initramfs_modules(ctx);
}

/// `*.conf` files of a folder, in the order modprobe reads them (by name).
fn conf_files(ctx: &mut Ctx, dir: &str) -> Vec<String> {
    if ctx.host.kind(dir).is_none() {
        return Vec::new();
    }
    let mut names = ctx.list(dir).unwrap_or_default();
    names.retain(|n| n.ends_with(".conf"));
    names.into_iter().map(|n| format!("{dir}/{n}")).collect()
}

/// The folders that exist, each once: on merged-/usr systems `lib` links to `usr/lib`.
fn distinct_dirs<'a>(ctx: &Ctx, dirs: &[&'a str]) -> Vec<&'a str> {
    let mut seen = std::collections::BTreeSet::new();
    dirs.iter()
        .copied()
        .filter(|dir| ctx.host.kind(dir).is_some())
        .filter(|dir| seen.insert(ctx.host.canonical(dir, true).unwrap_or_else(|_| dir.to_string())))
        .collect()
}

fn modprobe_directives(ctx: &mut Ctx) -> Option<Vec<engine::facts::ModprobeDirective>> {
    let mut seen_any = false;
    let mut directives = Vec::new();
    for dir in distinct_dirs(ctx, &MODPROBE_DIRS) {
        seen_any = true;
        for path in conf_files(ctx, dir) {
            if let Some(text) = ctx.text(&path) {
                directives.extend(modprobe::parse_modprobe_conf(&text, &path));
            }
        }
    }
    seen_any.then_some(directives)
}

fn modules_to_load(ctx: &mut Ctx) -> Option<Vec<Fact<String>>> {
    let mut files = Vec::new();
    if ctx.host.exists("etc/modules") {
        files.push("etc/modules".to_string());
    }
    for dir in distinct_dirs(ctx, &MODULES_LOAD_DIRS) {
        files.extend(conf_files(ctx, dir));
    }
    list_modules(ctx, files, modprobe::parse_module_list)
}

fn initramfs_modules(ctx: &mut Ctx) -> Option<Vec<Fact<String>>> {
    let mut list_files = Vec::new();
    if ctx.host.exists("etc/initramfs-tools/modules") {
        list_files.push("etc/initramfs-tools/modules".to_string());
    }
    let from_lists = list_modules(ctx, list_files, modprobe::parse_module_list);
    let mut config_files = Vec::new();
    for path in ["etc/dracut.conf", "etc/mkinitcpio.conf"] {
        if ctx.host.exists(path) {
            config_files.push(path.to_string());
        }
    }
    config_files.extend(conf_files(ctx, "etc/dracut.conf.d"));
    let from_configs = list_modules(ctx, config_files, modprobe::parse_initramfs_config);
    match (from_lists, from_configs) {
        (None, None) => None,
        (a, b) => Some(a.into_iter().chain(b).flatten().collect()),
    }
}

fn list_modules(
    ctx: &mut Ctx,
    files: Vec<String>,
    parse: fn(&str) -> Vec<(String, u64)>,
) -> Option<Vec<Fact<String>>> {
    if files.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for path in files {
        if let Some(text) = ctx.text(&path) {
            out.extend(
                parse(&text).into_iter().map(|(m, line)| Fact::new(m, Provenance::line(path.clone(), line))),
            );
        }
    }
    Some(out)
}
