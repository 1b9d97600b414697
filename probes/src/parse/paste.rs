//! Pasted text: detect what each part of a forum post is from its content, and split a
//! post that holds several kinds one after another.

/// What a piece of pasted text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PasteKind {
    /// `dmesg` or `journalctl -k` lines, with or without timestamps or journal prefixes.
    KernelLog,
    /// `lspci`, `-nn`, `-nnk`, `-v`, `-vv`, `-vvv` (device header lines, tab-indented details).
    Lspci,
    /// `lspci -x`/`-xxx`/`-xxxx` hex dumps.
    LspciHex,
    /// `/proc/cmdline` (one line of kernel parameters).
    Cmdline,
    /// `IOMMU Group N …` listing or `find /sys/kernel/iommu_groups/ -type l` output.
    IommuGroups,
    /// A Proxmox VM config (`key: value` lines such as `hostpci0:`, `machine:`, `bios:`).
    ProxmoxVmConfig,
    /// A libvirt `<domain>` XML document.
    LibvirtXml,
    /// QEMU or Proxmox task error text (`kvm: -device vfio-pci…`, `TASK ERROR: …`).
    StartError,
    /// modprobe.d contents (`options`, `blacklist`, `softdep` lines).
    Modprobe,
    /// `/etc/default/grub`.
    DefaultGrub,
    /// `/etc/kernel/cmdline` (one line holding `root=`).
    KernelCmdline,
    /// Nothing recognisable.
    Unknown,
}

/// A contiguous part of a paste with one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasteChunk {
    pub kind: PasteKind,
    /// The chunk's text, lines joined with `\n`.
    pub text: String,
    /// 1-based line in the pasted file where the chunk starts.
    pub first_line: u64,
}

/// Splits `text` into chunks of one kind each. Shell prompts and command lines a user
/// copied along (`root@pve:~# dmesg | grep -i vfio`, `$ lspci -nnk`) are dropped but may
/// be used as hints; Markdown code fences are dropped; binary junk (NUL, control bytes)
/// is removed. Adjacent chunks of the same kind are merged.
pub fn split_paste(text: &str) -> Vec<PasteChunk> {
    let _ = text;
    Vec::new()
}
