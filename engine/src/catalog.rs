//! The fact catalogue: every path a rule may name, derived from the Rust types of the
//! facts and the evaluation world (via their JSON schemas), so it can never fall behind.

use crate::facts::Facts;
use crate::world::{GroupItem, HostView, PassthroughItem, PciItem};
use serde_json::Value;
use std::collections::BTreeMap;

/// The shape of a value a path can walk through.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Object { fields: BTreeMap<String, Shape>, any_key: Option<Box<Shape>> },
    Array(Box<Shape>),
    Leaf,
    Any,
}

impl Shape {
    fn field(&self, key: &str) -> Option<&Shape> {
        match self {
            Shape::Object { fields, any_key } => fields.get(key).or(any_key.as_deref()),
            Shape::Any => Some(&Shape::Any),
            _ => None,
        }
    }

    /// A `Fact<T>` (`{value, from}`) is walked through transparently.
    fn unwrap_fact(&self) -> Option<&Shape> {
        match self {
            Shape::Object { fields, .. } if fields.len() == 2 && fields.contains_key("from") => {
                fields.get("value")
            }
            _ => None,
        }
    }

    /// Follows one path segment.
    pub fn step(&self, segment: &str) -> Option<&Shape> {
        if let Some(inner) = self.unwrap_fact() {
            if segment != "value" && segment != "from" {
                return inner.step(segment);
            }
        }
        match self {
            Shape::Array(item) if segment.parse::<usize>().is_ok() => Some(item),
            Shape::Array(_) => None,
            _ => self.field(segment),
        }
    }

    /// The element shape when this (or the fact it wraps) is an array.
    pub fn element(&self) -> Option<&Shape> {
        match self.unwrap_fact().unwrap_or(self) {
            Shape::Array(item) => Some(item),
            Shape::Any => Some(&Shape::Any),
            _ => None,
        }
    }

    /// Every field name at this level, for "did you mean" hints.
    pub fn field_names(&self) -> Vec<String> {
        match self.unwrap_fact().unwrap_or(self) {
            Shape::Object { fields, .. } => fields.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn with_field(mut self, key: &str, shape: Shape) -> Shape {
        if let Shape::Object { fields, .. } = &mut self {
            fields.insert(key.to_string(), shape);
        }
        self
    }
}

/// Converts a JSON schema (as schemars writes it) into a shape.
fn from_schema(schema: &Value, defs: &serde_json::Map<String, Value>, depth: usize) -> Shape {
    if depth > 64 {
        return Shape::Any;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return defs.get(name).map_or(Shape::Any, |d| from_schema(d, defs, depth + 1));
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return options.iter().map(|o| from_schema(o, defs, depth + 1)).fold(Shape::Leaf, merge);
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let fields = props.iter().map(|(k, v)| (k.clone(), from_schema(v, defs, depth + 1))).collect();
        return Shape::Object { fields, any_key: None };
    }
    if let Some(items) = schema.get("items") {
        return Shape::Array(Box::new(from_schema(items, defs, depth + 1)));
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        return Shape::Object {
            fields: BTreeMap::new(),
            any_key: Some(Box::new(from_schema(extra, defs, depth + 1))),
        };
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"object") {
        // A map without declared fields (`serde_json::Map`): any key, any value.
        return Shape::Object { fields: BTreeMap::new(), any_key: Some(Box::new(Shape::Any)) };
    }
    Shape::Leaf
}

/// Union of two shapes (for `Option<T>` and enums): objects merge their fields.
fn merge(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (Shape::Leaf, other) | (other, Shape::Leaf) => other,
        (Shape::Object { fields: mut fa, any_key: ka }, Shape::Object { fields: fb, any_key: kb }) => {
            for (k, v) in fb {
                let merged = match fa.remove(&k) {
                    Some(existing) => merge(existing, v),
                    None => v,
                };
                fa.insert(k, merged);
            }
            Shape::Object { fields: fa, any_key: ka.or(kb) }
        }
        (Shape::Array(a), Shape::Array(b)) => Shape::Array(Box::new(merge(*a, *b))),
        _ => Shape::Any,
    }
}

fn shape_of<T: schemars::JsonSchema>() -> Shape {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
    let defs = schema.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
    from_schema(&schema, &defs, 0)
}

/// The shape of the whole evaluation world (see `crate::world::build`).
pub fn world_shape() -> Shape {
    let derived = Shape::Object { fields: BTreeMap::new(), any_key: Some(Box::new(Shape::Any)) };
    let vm = shape_of::<Facts>()
        .field("vms")
        .and_then(Shape::element)
        .cloned()
        .unwrap_or(Shape::Any)
        .with_field("derived", derived.clone());
    shape_of::<Facts>()
        .with_field("pci", Shape::Array(Box::new(shape_of::<PciItem>())))
        .with_field("iommu_groups", Shape::Array(Box::new(shape_of::<GroupItem>())))
        .with_field("passthrough", Shape::Array(Box::new(shape_of::<PassthroughItem>())))
        .with_field("vms", Shape::Array(Box::new(vm)))
        .with_field("host", shape_of::<HostView>())
        .with_field("derived", derived)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk<'a>(shape: &'a Shape, path: &str) -> Option<&'a Shape> {
        path.split('.').try_fold(shape, |s, seg| s.step(seg))
    }

    #[test]
    fn knows_fact_paths_and_refuses_made_up_ones() {
        let world = world_shape();
        for path in [
            "kernel.release",
            "kernel.cmdline.raw",
            "iommu.units",
            "iommu.interrupt_remapping",
            "cpu.vendor",
            "host.cmdline.intel_iommu",
            "host.kernel_version",
            "derived.iommu_active",
            "virt.is_guest",
        ] {
            assert!(walk(&world, path).is_some(), "{path}");
        }
        for path in ["kernel.relase", "iommu.unit", "pci.address", "host.nothing"] {
            assert!(walk(&world, path).is_none(), "{path}");
        }
        let pci = walk(&world, "pci").and_then(Shape::element).unwrap();
        for field in
            ["address", "driver.name", "config.msi.enabled", "group_peers", "passed_to", "derived.gpu"]
        {
            assert!(walk(pci, field).is_some(), "pci item {field}");
        }
        let passthrough = walk(&world, "passthrough").and_then(Shape::element).unwrap();
        assert!(walk(passthrough, "q35").is_some() && walk(passthrough, "devices").is_some());
    }
}
