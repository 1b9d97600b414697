//! `pveversion -v` output (pve-manager `bin/pveversion`).
//!
//! The verbose form lists `package: version` lines, annotating two of them:
//!
//! ```text
//! proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve)
//! pve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)
//! pve-edk2-firmware: not correctly installed
//! ```
//!
//! Plain `pveversion` prints one line, `pve-manager/8.2.7/3e0176e6bb2ade3b (running
//! kernel: 6.8.12-4-pve)`; it is read too, without packages.

use engine::facts::ProxmoxVersion;

const RUNNING_KERNEL: &str = "(running kernel: ";
const SHORT_FORM_PREFIX: &str = "pve-manager/";

/// `None` when the text has neither form in it.
pub fn parse_pveversion(text: &str) -> Option<ProxmoxVersion> {
    let mut version = ProxmoxVersion::default();
    for line in text.lines().map(str::trim) {
        if let Some(kernel) = running_kernel(line) {
            version.running_kernel = Some(kernel.to_string());
        }
        if let Some(manager) = short_form_manager(line) {
            version.manager = Some(manager.to_string());
        } else if let Some((package, installed)) = package_line(line) {
            if package == "pve-manager" {
                version.manager = Some(installed.to_string());
            }
            version.packages.push((package.to_string(), installed.to_string()));
        }
    }
    let found = version.manager.is_some() || version.running_kernel.is_some() || !version.packages.is_empty();
    found.then_some(version)
}

/// The kernel in `(running kernel: 6.8.12-4-pve)`.
fn running_kernel(line: &str) -> Option<&str> {
    let (_, after) = line.split_once(RUNNING_KERNEL)?;
    let kernel = after.split(')').next()?.trim();
    (!kernel.is_empty()).then_some(kernel)
}

/// The version in `pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: …)`.
fn short_form_manager(line: &str) -> Option<&str> {
    let manager = line.strip_prefix(SHORT_FORM_PREFIX)?.split(['/', ' ']).next()?;
    (!manager.is_empty()).then_some(manager)
}

/// What `print_status` in pve-manager's `bin/pveversion` prints instead of a version
/// for a package that is known but not installed.
const NOT_INSTALLED: &str = "not correctly installed";

/// `name: version`, with a trailing ` (…)` annotation removed. Names are Debian
/// package names (lower-case letters, digits, `+`, `-`, `.`) and versions start with a
/// digit (`man 5 deb-version`), which keeps other `word: text` lines out.
fn package_line(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(": ")?;
    let valid_name = name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'));
    let installed = value.split(" (").next()?.trim();
    let valid_version = installed.starts_with(|c: char| c.is_ascii_digit()) || installed == NOT_INSTALLED;
    (valid_name && valid_version).then_some((name, installed))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PVEVERSION_V: &str = "\
proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve)
pve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)
proxmox-kernel-helper: 8.1.0
proxmox-kernel-6.8: 6.8.12-4
proxmox-kernel-6.8.12-4-pve-signed: 6.8.12-4
proxmox-kernel-6.8.12-2-pve-signed: 6.8.12-2
ceph-fuse: 17.2.7-pve3
corosync: 3.1.7-pve3
criu: 3.17.1-2
glusterfs-client: 10.3-5
ifupdown2: 3.2.0-1+pmx9
ksm-control-daemon: 1.5-1
libjs-extjs: 7.0.0-4
libknet1: 1.28-pve1
libpve-common-perl: 8.2.3
libpve-guest-common-perl: 5.1.4
libpve-storage-perl: 8.2.5
lxc-pve: 6.0.0-1
lxcfs: 6.0.0-pve2
novnc-pve: 1.4.0-4
proxmox-backup-client: 3.2.7-1
proxmox-widget-toolkit: 4.2.3
pve-cluster: 8.0.8
pve-container: 5.2.0
pve-docs: 8.2.3
pve-edk2-firmware: not correctly installed
pve-firewall: 5.0.7
pve-firmware: 3.13-2
pve-ha-manager: 4.0.5
pve-qemu-kvm: 9.0.2-3
qemu-server: 8.2.4
smartmontools: 7.3-pve1
swtpm: 0.8.0+pve1
zfsutils-linux: 2.2.6-pve1
";

    #[test]
    fn verbose_output() {
        let Some(version) = parse_pveversion(PVEVERSION_V) else { panic!("parsed nothing") };
        assert_eq!(version.manager.as_deref(), Some("8.2.7"));
        assert_eq!(version.running_kernel.as_deref(), Some("6.8.12-4-pve"));
        assert_eq!(version.packages.len(), PVEVERSION_V.lines().count());
        let package = |name: &str| version.packages.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(package("proxmox-ve"), Some("8.2.0"));
        assert_eq!(package("pve-manager"), Some("8.2.7"));
        assert_eq!(package("proxmox-kernel-6.8"), Some("6.8.12-4"));
        assert_eq!(package("qemu-server"), Some("8.2.4"));
        assert_eq!(package("pve-qemu-kvm"), Some("9.0.2-3"));
        assert_eq!(package("ifupdown2"), Some("3.2.0-1+pmx9"));
        assert_eq!(package("pve-edk2-firmware"), Some("not correctly installed"));
        assert_eq!(version.packages[0], ("proxmox-ve".to_string(), "8.2.0".to_string()));
    }

    #[test]
    fn short_form() {
        let version = parse_pveversion("pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)\n");
        assert_eq!(
            version,
            Some(ProxmoxVersion {
                manager: Some("8.2.7".into()),
                running_kernel: Some("6.8.12-4-pve".into()),
                packages: vec![],
            })
        );
    }

    #[test]
    fn proxmox_ve_not_correctly_installed_still_has_the_kernel() {
        let text = "proxmox-ve: not correctly installed (running kernel: 6.8.12-4-pve)\npve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)\n";
        let Some(version) = parse_pveversion(text) else { panic!("parsed nothing") };
        assert_eq!(version.running_kernel.as_deref(), Some("6.8.12-4-pve"));
        assert_eq!(version.packages[0].1, "not correctly installed");
    }

    #[test]
    fn other_text_is_none() {
        assert_eq!(parse_pveversion(""), None);
        assert_eq!(parse_pveversion("bash: pveversion: command not found\n"), None);
        assert_eq!(parse_pveversion("Error: something: failed\nX: y\n"), None);
        assert_eq!(parse_pveversion("bash: pveversion: command not found\n"), None);
        assert_eq!(parse_pveversion("qemu-server: unknown package - internal error\n"), None);
        assert_eq!(parse_pveversion("pve-manager/\n(running kernel: )\n"), None);
    }

    #[test]
    fn crlf_and_truncated_lines() {
        let text = "proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve\r\npve-manager: 8.2.7 (running ver\r\nqemu-server: \r\n";
        let Some(version) = parse_pveversion(text) else { panic!("parsed nothing") };
        assert_eq!(version.running_kernel.as_deref(), Some("6.8.12-4-pve"));
        assert_eq!(version.manager.as_deref(), Some("8.2.7"));
        assert_eq!(version.packages.len(), 2);
    }
}
