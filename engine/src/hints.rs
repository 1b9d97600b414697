//! How to make an unknown fact known: the command to run, by fact path prefix.

const HINTS: &[(&str, &str)] = &[
    ("kernel_log", "sudo vfio-doctor (the kernel log is root-only when kernel.dmesg_restrict=1), or paste `journalctl -k -b` output"),
    ("memory_map", "sudo vfio-doctor (/proc/iomem shows addresses to root only)"),
    ("iommu.groups", "find /sys/kernel/iommu_groups/ -type l"),
    ("iommu_groups", "find /sys/kernel/iommu_groups/ -type l"),
    ("iommu", "ls /sys/class/iommu; dmesg | grep -e DMAR -e AMD-Vi"),
    ("kernel.cmdline", "cat /proc/cmdline"),
    ("host.cmdline", "cat /proc/cmdline"),
    ("host.configured_cmdline", "cat /etc/default/grub /etc/kernel/cmdline"),
    ("kernel.release", "uname -r"),
    ("host.kernel_version", "uname -r"),
    ("kernel.config", "grep -e IOMMU -e VFIO -e SYSFB /boot/config-$(uname -r)"),
    ("boot", "proxmox-boot-tool status; ls /sys/firmware/efi"),
    ("cpu", "grep -m1 -e vendor_id -e flags /proc/cpuinfo"),
    ("virt", "systemd-detect-virt"),
    ("modules", "lsmod; cat /etc/modules; grep -r . /etc/modprobe.d"),
    ("pci", "lspci -nnk -D (and sudo lspci -vvv for capabilities)"),
    ("vms", "qm config <vmid> (Proxmox) or virsh dumpxml <name> (libvirt)"),
    ("passthrough", "qm config <vmid> (Proxmox) or virsh dumpxml <name> (libvirt)"),
];

/// The hint for a path; item paths (`gpu.config.msi`) are asked about by their kind.
pub fn for_path(path: &str, item_kind: Option<&str>) -> String {
    let key = match (item_kind, path.split_once('.')) {
        (Some(kind), Some((_, rest))) => format!("{kind}.{rest}"),
        (Some(kind), None) => kind.to_string(),
        _ => path.to_string(),
    };
    if key.starts_with("pci.") && key.contains(".config") {
        return "sudo vfio-doctor (config space beyond 64 bytes is root-only)".into();
    }
    HINTS
        .iter()
        .find(|(prefix, _)| key == *prefix || key.starts_with(&format!("{prefix}.")))
        .map_or_else(|| "sudo vfio-doctor".to_string(), |(_, hint)| hint.to_string())
}
