//! `/boot/config-<release>`: the build options in `engine::facts::KernelConfig`.

use engine::facts::KernelConfig;

/// `CONFIG_X=y|m` sets an option; `# CONFIG_X is not set` records it as off.
pub fn parse_kernel_config(text: &str) -> KernelConfig {
    let _ = text;
    KernelConfig::default()
}
