//! Maps provenance of assembled files back to the files the user gave.
//!
//! Pasted text is split into parts and laid out as a host tree (`cmd/dmesg`,
//! `proc/cmdline`, …) so the probes can read it like any host. Facts then cite those
//! tree paths; this pass rewrites every citation to the pasted file and line it came from.

use crate::host::Host;
use engine::facts::Facts;
use serde_json::Value;

pub fn apply(host: &dyn Host, facts: &mut Facts) {
    if host.describe().kind != "paste" {
        return;
    }
    // Walking the serialised form reaches every `Provenance` (and every log's `source`)
    // without a hand-written visitor that would fall behind as facts are added.
    let Ok(mut value) = serde_json::to_value(&*facts) else { return };
    remap(host, &mut value);
    if let Ok(mapped) = serde_json::from_value(value) {
        *facts = mapped;
    }
}

fn remap(host: &dyn Host, value: &mut Value) {
    match value {
        Value::Object(map) => {
            let origin = map.get("source").and_then(Value::as_str).and_then(|s| host.origin(s));
            if let Some(origin) = origin {
                let line = map.get("line").and_then(Value::as_u64);
                let (file, mapped) = match line.and_then(|l| origin.locate(l)) {
                    Some((file, mapped)) => (file.to_string(), Some(mapped)),
                    None => (origin.file().to_string(), None),
                };
                map.insert("source".into(), Value::String(file));
                if let Some(mapped) = mapped {
                    map.insert("line".into(), Value::from(mapped));
                }
                // A log's lines carry `n` relative to the log's own source.
                if let Some(Value::Array(lines)) = map.get_mut("lines") {
                    for line in lines {
                        let mapped = line.get("n").and_then(Value::as_u64).and_then(|n| origin.locate(n));
                        if let Some((_, m)) = mapped {
                            line["n"] = Value::from(m);
                        }
                    }
                }
            }
            for (_, v) in map.iter_mut() {
                remap(host, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remap(host, v)),
        _ => {}
    }
}
