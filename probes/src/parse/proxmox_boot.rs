//! `proxmox-boot-tool status` output (domain.md 6.5).

use engine::facts::ProxmoxBootStatus;

pub fn parse_proxmox_boot_status(text: &str) -> ProxmoxBootStatus {
    let _ = text;
    ProxmoxBootStatus::default()
}
