//! `cargo bench`: diagnosis on every fixture, the engine over kernel logs of growing size
//! with the shipped rules and with 1,000 generated rules, and a whole report.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use engine::facts::{Facts, KernelLog, LogLine, LogOrigin};
use engine::{evaluate, load, Options, Origin, RuleFile};
use probes::host::open_snapshot;
use probes::parse::pci_ids::PciIds;
use std::path::Path;

fn shipped_rules() -> Vec<RuleFile> {
    let mut files = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push(RuleFile { origin: Origin::Builtin, path: path.display().to_string(), text });
            }
        }
    }
    files
}

/// `n` more rules, each with its own log pattern, as a growing community set would add.
fn generated_rules(n: usize) -> Vec<RuleFile> {
    (0..n)
        .map(|i| {
            let text = format!(
                "id: generated-{i}\ntitle: Generated {i}\ncause: platform-info\nseverity: info\nsummary: S\n\
                 explain: |\n  ## What it checks\n  x\n  ## Why it matters\n  y\n  ## How to confirm\n  z\n\
                 tests: {{fires: [\"fixture:a\"], quiet: [\"fixture:b\"]}}\n\
                 when:\n  log:\n    pattern: 'vendor-specific event {i:04}: (?P<code>[0-9a-f]+)'\n"
            );
            RuleFile { origin: Origin::User, path: format!("generated/generated-{i}.yaml"), text }
        })
        .collect()
}

/// Realistic kernel log lines, with the lines rules look for spread through.
fn log_of(bytes: usize) -> KernelLog {
    let common = [
        "usb 1-1: new high-speed USB device number 2 using xhci_hcd",
        "EXT4-fs (dm-1): mounted filesystem with ordered data mode. Opts: (null)",
        "audit: type=1400 audit(1712345678.123:45): apparmor=\"STATUS\" operation=\"profile_load\"",
        "pci 0000:00:02.0: Adding to iommu group 0",
        "vmbr0: port 2(tap100i0) entered forwarding state",
    ];
    let rare = [
        "vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0xca000000-0xcbffffff 64bit pref]",
        "DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "kvm [4638]: ignored rdmsr: 0x1ad data 0x0",
    ];
    let mut lines = Vec::new();
    let mut size = 0;
    let mut n = 0u64;
    while size < bytes {
        n += 1;
        let text = if n % 997 == 0 {
            rare[(n as usize / 997) % rare.len()]
        } else {
            common[n as usize % common.len()]
        };
        let raw = format!("[{:>12.6}] {text}", n as f64 * 0.0007);
        size += raw.len() + 1;
        lines.push(LogLine { n, ts: Some(n as f64 * 0.0007), text: text.to_string(), raw });
    }
    KernelLog {
        origin: LogOrigin::Dmesg,
        source: "cmd/dmesg".into(),
        total_lines: n,
        dropped_lines: 0,
        lines,
    }
}

fn fixture_facts(name: &str) -> Facts {
    let host = open_snapshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)).unwrap();
    probes::collect(host.as_ref(), &PciIds::builtin())
}

fn diagnose_fixtures(c: &mut Criterion) {
    let (rules, _) = load(&shipped_rules());
    let mut group = c.benchmark_group("diagnose");
    for name in
        ["intel-nvidia-vfio-ok", "amd-ryzen-shared-group", "efifb-bar-reserve", "kvm-guest-epyc-no-iommu"]
    {
        let facts = fixture_facts(name);
        group.bench_function(BenchmarkId::new("evaluate", name), |b| {
            b.iter(|| evaluate(&rules, &facts, &Options::default()))
        });
        let host = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
        group.bench_function(BenchmarkId::new("collect+evaluate", name), |b| {
            b.iter(|| {
                let opened = open_snapshot(&host).unwrap();
                let facts = probes::collect(opened.as_ref(), &PciIds::builtin());
                evaluate(&rules, &facts, &Options::default())
            })
        });
    }
    group.finish();
}

fn engine_scaling(c: &mut Criterion) {
    let shipped = shipped_rules();
    let (rules, _) = load(&shipped);
    let (many, _) = load(&[shipped.clone(), generated_rules(1000)].concat());
    let mut group = c.benchmark_group("engine-log-scan");
    group.sample_size(10);
    for mb in [1usize, 10, 100] {
        let mut facts = fixture_facts("intel-nvidia-vfio-ok");
        facts.kernel_log = Some(log_of(mb << 20));
        group.throughput(Throughput::Bytes((mb << 20) as u64));
        group.bench_function(
            BenchmarkId::new(format!("{} rules", rules.rules.len()), format!("{mb} MB")),
            |b| b.iter(|| evaluate(&rules, &facts, &Options::default())),
        );
        group.bench_function(
            BenchmarkId::new(format!("{} rules", many.rules.len()), format!("{mb} MB")),
            |b| b.iter(|| evaluate(&many, &facts, &Options::default())),
        );
    }
    group.finish();
}

criterion_group!(benches, diagnose_fixtures, engine_scaling);
criterion_main!(benches);
