//! CPU vendor, model, the flags that matter, and the nested-virtualisation parameter.

use crate::collect::Ctx;
use crate::parse::cpuinfo;
use engine::facts::{CpuVendor, Fact, Facts, Provenance};

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    if let Some(text) = ctx.text("proc/cpuinfo") {
        let info = cpuinfo::parse_cpuinfo(&text);
        let from = Provenance::file("proc/cpuinfo");
        facts.cpu.vendor = info.vendor.map(|v| Fact::new(v, from.clone()));
        facts.cpu.model_name = info.model_name.map(|m| Fact::new(m, from.clone()));
        if info.has_flags_line {
            facts.cpu.flags = Some(Fact::new(info.flags, from));
        }
    }
    let modules: &[&str] = match facts.cpu.vendor.as_ref().map(|v| v.value) {
        Some(CpuVendor::Intel) => &["kvm_intel"],
        Some(CpuVendor::Amd) => &["kvm_amd"],
        _ => &["kvm_intel", "kvm_amd"],
    };
    for module in modules {
        let path = format!("sys/module/{module}/parameters/nested");
        if let Some(text) = ctx.text(&path) {
            let on = matches!(text.trim(), "Y" | "y" | "1");
            facts.cpu.nested = Some(Fact::new(on, Provenance::file(path)));
            break;
        }
    }
}
