//! modprobe.d configuration (`man 5 modprobe.d`) and module lists for boot and initramfs.

use engine::facts::ModprobeDirective;

/// Parses one modprobe.d file: `options`, `blacklist`, `softdep`, `install`, `remove`,
/// `alias`; `#` comments; a trailing backslash continues the line. `source` is the file's
/// path for provenance (line numbers are 1-based, of the first physical line).
pub fn parse_modprobe_conf(text: &str, source: &str) -> Vec<ModprobeDirective> {
    let _ = (text, source);
    Vec::new()
}

/// Module names from `/etc/modules`, `/etc/modules-load.d/*.conf` or
/// `/etc/initramfs-tools/modules`: one per line, `#`/`;` comments, arguments after the
/// name ignored. Returns `(module, line)`.
pub fn parse_module_list(text: &str) -> Vec<(String, u64)> {
    let _ = text;
    Vec::new()
}

/// Modules named for the initramfs in dracut (`add_drivers+=" … "`, `force_drivers`) or
/// mkinitcpio (`MODULES=(…)`) configuration. Returns `(module, line)`.
pub fn parse_initramfs_config(text: &str) -> Vec<(String, u64)> {
    let _ = text;
    Vec::new()
}
