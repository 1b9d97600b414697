//! Filling `{{ … }}` placeholders in summaries and fix steps (minijinja). A placeholder
//! whose fact is unknown renders as nothing rather than failing the whole finding.

use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    // Steps are shell commands and Markdown, not HTML: never escape.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// The world as template values, built once per diagnosis (minijinja values share
/// their contents, so binding an item per finding copies nothing large).
pub fn base_context(world: &Value) -> minijinja::Value {
    minijinja::Value::from_serialize(world)
}

/// The base context with one name bound (a scoped rule's item).
pub fn with_binding(base: &minijinja::Value, name: &str, value: &Value) -> minijinja::Value {
    let mut extra = std::collections::BTreeMap::new();
    extra.insert(name.to_string(), minijinja::Value::from_serialize(value));
    minijinja::context! { ..minijinja::Value::from(extra), ..base.clone() }
}

/// Renders `text` against `context` (the world plus bound names). A template that fails
/// at run time (a filter on the wrong type) falls back to its source text.
pub fn render(env: &Environment, text: &str, context: &minijinja::Value) -> String {
    if !text.contains("{{") && !text.contains("{%") {
        return text.to_string();
    }
    env.render_str(text, context).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_tolerates_unknowns() {
        let env = environment();
        let world = serde_json::json!({"host": {"cmdline_file": "/etc/default/grub"}});
        let ctx = with_binding(&base_context(&world), "gpu", &serde_json::json!({"ids": "10de:1b80"}));
        assert_eq!(render(&env, "Edit {{ host.cmdline_file }}", &ctx), "Edit /etc/default/grub");
        assert_eq!(render(&env, "ids={{ gpu.ids }}{{ gpu.nothing.deeper }}", &ctx), "ids=10de:1b80");
        assert_eq!(render(&env, "echo '<b>' > x", &ctx), "echo '<b>' > x");
    }
}
