//! `proxmox-boot-tool status` output (domain.md 6.5).
//!
//! The lines come from `status` and `_status_detail` in proxmox-kernel-helper's
//! `src/bin/proxmox-boot-tool`:
//!
//! ```text
//! Re-executing '/usr/sbin/proxmox-boot-tool' in new private mount namespace..
//! System currently booted with uefi
//! 4A3B-1C2D is configured with: uefi (versions: 6.8.12-4-pve, 6.8.4-2-pve)
//! 4A3B-1C2E is configured with: uefi (versions: 6.8.12-4-pve), grub (versions: 6.8.12-4-pve)
//! ```
//!
//! `uefi` is printed when the ESP holds `loader/loader.conf` (systemd-boot), `grub` when
//! it holds a `grub/` folder; one ESP can hold both. Without
//! `/etc/kernel/proxmox-boot-uuids` the tool only prints
//! `E: /etc/kernel/proxmox-boot-uuids does not exist.` and exits with 2.

use engine::facts::{EspEntry, Firmware, ProxmoxBootStatus};

const NOT_CONFIGURED: &str = "E: /etc/kernel/proxmox-boot-uuids does not exist.";
const BOOTED_WITH: &str = "System currently booted with ";
const CONFIGURED_WITH: &str = " is configured with: ";
const VERSIONS_OPEN: &str = " (versions: ";

/// One [`EspEntry`] per bootloader an ESP is configured with, so an ESP that holds both
/// gives two entries with the same UUID. Warnings (`WARN: … - skipping`) and an ESP that
/// holds neither bootloader give none.
pub fn parse_proxmox_boot_status(text: &str) -> ProxmoxBootStatus {
    let mut status = ProxmoxBootStatus::default();
    for line in text.lines().map(str::trim) {
        if line == NOT_CONFIGURED {
            status.not_configured = true;
        } else if let Some(firmware) = line.strip_prefix(BOOTED_WITH) {
            status.booted_with = firmware_named(firmware);
        } else if let Some((uuid, bootloaders)) = line.split_once(CONFIGURED_WITH) {
            let uuid = uuid.trim();
            if !uuid.is_empty() && !uuid.contains(char::is_whitespace) {
                status.esps.extend(esp_entries(uuid, bootloaders));
            }
        }
    }
    status
}

/// `uefi` when `/sys/firmware/efi` exists, else `legacy bios`.
fn firmware_named(name: &str) -> Option<Firmware> {
    match name {
        "uefi" => Some(Firmware::Uefi),
        "legacy bios" => Some(Firmware::Legacy),
        _ => None,
    }
}

/// Splits `uefi (versions: a, b), grub (versions: c)` into one entry per bootloader.
fn esp_entries(uuid: &str, mut bootloaders: &str) -> Vec<EspEntry> {
    let mut entries = Vec::new();
    while let Some((kind, after_open)) = bootloaders.split_once(VERSIONS_OPEN) {
        let (versions, rest) = after_open.split_once(')').unwrap_or((after_open, ""));
        entries.push(EspEntry {
            uuid: uuid.to_string(),
            kind: kind.trim().to_string(),
            versions: versions
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect(),
        });
        bootloaders = rest.trim_start_matches([',', ' ']);
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esp(uuid: &str, kind: &str, versions: &[&str]) -> EspEntry {
        EspEntry {
            uuid: uuid.into(),
            kind: kind.into(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn systemd_boot_on_uefi() {
        let text = "\
Re-executing '/usr/sbin/proxmox-boot-tool' in new private mount namespace..
System currently booted with uefi
4A3B-1C2D is configured with: uefi (versions: 6.8.12-4-pve, 6.8.4-2-pve)
4A3B-1C2E is configured with: uefi (versions: 6.8.12-4-pve, 6.8.4-2-pve)
";
        assert_eq!(
            parse_proxmox_boot_status(text),
            ProxmoxBootStatus {
                booted_with: Some(Firmware::Uefi),
                esps: vec![
                    esp("4A3B-1C2D", "uefi", &["6.8.12-4-pve", "6.8.4-2-pve"]),
                    esp("4A3B-1C2E", "uefi", &["6.8.12-4-pve", "6.8.4-2-pve"]),
                ],
                not_configured: false,
            }
        );
    }

    #[test]
    fn grub_on_legacy_bios_observed() {
        let text = "\
System currently booted with legacy bios
D91B-B982 is configured with: grub (versions: 6.8.12-18-pve)
D91C-8216 is configured with: grub (versions: 6.8.12-18-pve)
";
        let status = parse_proxmox_boot_status(text);
        assert_eq!(status.booted_with, Some(Firmware::Legacy));
        assert_eq!(
            status.esps,
            vec![esp("D91B-B982", "grub", &["6.8.12-18-pve"]), esp("D91C-8216", "grub", &["6.8.12-18-pve"]),]
        );
        assert!(!status.not_configured);
    }

    #[test]
    fn one_esp_with_both_bootloaders() {
        let text = "System currently booted with uefi\nXXXX-XXXX is configured with: uefi (versions: 6.8.12-4-pve, 6.8.12-5-pve), grub (versions: 6.5.13-6-pve, 6.8.12-4-pve)\n";
        assert_eq!(
            parse_proxmox_boot_status(text).esps,
            vec![
                esp("XXXX-XXXX", "uefi", &["6.8.12-4-pve", "6.8.12-5-pve"]),
                esp("XXXX-XXXX", "grub", &["6.5.13-6-pve", "6.8.12-4-pve"]),
            ]
        );
    }

    #[test]
    fn not_configured() {
        let status = parse_proxmox_boot_status("E: /etc/kernel/proxmox-boot-uuids does not exist.\n");
        assert_eq!(status, ProxmoxBootStatus { booted_with: None, esps: vec![], not_configured: true });
    }

    #[test]
    fn warnings_and_empty_esps_give_no_entries() {
        let text = "\
Re-executing '/usr/sbin/proxmox-boot-tool' in new private mount namespace..
System currently booted with uefi
WARN: /dev/disk/by-uuid/7A2B-9C1D does not exist - clean '/etc/kernel/proxmox-boot-uuids'! - skipping
4A3B-1C2D is configured with: 
4A3B-1C2E is configured with: uefi (versions: )
";
        let status = parse_proxmox_boot_status(text);
        assert_eq!(status.booted_with, Some(Firmware::Uefi));
        assert_eq!(status.esps, vec![esp("4A3B-1C2E", "uefi", &[])]);
    }

    #[test]
    fn garbage_and_truncated_lines() {
        assert_eq!(parse_proxmox_boot_status(""), ProxmoxBootStatus::default());
        let text = "System currently booted with something\nnot a uuid is configured with: grub (versions: 1)\nABCD-1234 is configured with: grub (versions: 6.8.12-4-pve, 6.8\r\n";
        let status = parse_proxmox_boot_status(text);
        assert_eq!(status.booted_with, None);
        assert_eq!(status.esps, vec![esp("ABCD-1234", "grub", &["6.8.12-4-pve", "6.8"])]);
    }
}
