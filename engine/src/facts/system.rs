//! Facts about the kernel, its command line, the boot chain, the CPU, virtualisation,
//! modules and the physical memory map.

use super::{Fact, Provenance};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Kernel {
    /// `uname -r`, e.g. `6.8.12-4-pve`.
    pub release: Option<Fact<String>>,
    /// The running command line (`/proc/cmdline`).
    pub cmdline: Option<Fact<Cmdline>>,
    /// Build options from `/boot/config-<release>` that matter for passthrough.
    pub config: Option<Fact<KernelConfig>>,
    pub distro: Option<Fact<Distro>>,
    /// `pveversion -v`, present only on Proxmox VE.
    pub proxmox: Option<Fact<ProxmoxVersion>>,
    pub initramfs_tool: Option<Fact<InitramfsTool>>,
}

/// A kernel release split into numbers, for version comparisons (`6.8.12-4-pve` → 6.8.12).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct KernelVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl KernelVersion {
    /// Parses the leading `X.Y[.Z]` of a release string.
    pub fn parse(release: &str) -> Option<Self> {
        let head: String = release.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let mut parts = head.split('.').filter(|p| !p.is_empty());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        Some(Self { major, minor, patch })
    }
}

impl std::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A kernel command line, split the way the kernel splits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cmdline {
    pub raw: String,
    pub params: Vec<CmdlineParam>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CmdlineParam {
    pub key: String,
    /// `None` for a bare flag such as `quiet`.
    pub value: Option<String>,
}

impl Cmdline {
    /// Every value given for `key`, in order. Dashes and underscores are the same to the
    /// kernel in parameter names, so `vfio-pci.ids` and `vfio_pci.ids` both match.
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params
            .iter()
            .filter(move |p| same_param_name(&p.key, key))
            .map(|p| p.value.as_deref().unwrap_or(""))
    }

    /// The value that wins: the last one given.
    pub fn last<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.values(key).last()
    }

    pub fn has(&self, key: &str) -> bool {
        self.values(key).next().is_some()
    }
}

/// Kernel parameter names treat `-` and `_` alike (`parameq` in `kernel/params.c`).
pub fn same_param_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| {
            let norm = |c: u8| if c == b'-' { b'_' } else { c };
            norm(x) == norm(y)
        })
}

/// The `CONFIG_*` options that change what passthrough needs. `None` = not in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KernelConfig {
    pub intel_iommu: Option<Tristate>,
    pub intel_iommu_default_on: Option<bool>,
    pub amd_iommu: Option<Tristate>,
    pub irq_remap: Option<bool>,
    pub vfio: Option<Tristate>,
    pub vfio_pci: Option<Tristate>,
    pub vfio_pci_vga: Option<bool>,
    pub sysfb_simplefb: Option<bool>,
    pub fb_efi: Option<bool>,
    pub drm_simpledrm: Option<Tristate>,
    pub iommu_default_passthrough: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Tristate {
    BuiltIn,
    Module,
    No,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Distro {
    pub id: String,
    pub id_like: Vec<String>,
    pub version_id: Option<String>,
    pub pretty_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProxmoxVersion {
    /// e.g. `8.2.4`, from `pve-manager/8.2.4/faa83925c9641325`.
    pub manager: Option<String>,
    /// The running kernel as pveversion reports it.
    pub running_kernel: Option<String>,
    /// Every `package: version` line of `pveversion -v`.
    pub packages: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InitramfsTool {
    InitramfsTools,
    Dracut,
    Mkinitcpio,
}

impl InitramfsTool {
    /// The command that rebuilds every initramfs with this tool.
    pub fn rebuild_command(self) -> &'static str {
        match self {
            Self::InitramfsTools => "update-initramfs -u -k all",
            Self::Dracut => "dracut --regenerate-all --force",
            Self::Mkinitcpio => "mkinitcpio -P",
        }
    }
}

/// How the machine booted and where its kernel command line is configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Boot {
    pub firmware: Option<Fact<Firmware>>,
    /// The bootloader that started the running kernel, as far as it can be told.
    pub loader: Option<Fact<Bootloader>>,
    /// Every place a command line is configured, with what it says.
    pub configured: Vec<ConfiguredCmdline>,
    /// `proxmox-boot-tool status`, when the host uses it.
    pub proxmox_boot: Option<Fact<ProxmoxBootStatus>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Firmware {
    Uefi,
    Legacy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Bootloader {
    /// GRUB from `/boot`, configured in `/etc/default/grub`.
    Grub,
    /// systemd-boot, configured in loader entries or `/etc/kernel/cmdline`.
    SystemdBoot,
    /// Proxmox: GRUB on ESPs kept in sync by proxmox-boot-tool.
    ProxmoxBootGrub,
    /// Proxmox: systemd-boot on ESPs kept in sync by proxmox-boot-tool.
    ProxmoxBootSystemdBoot,
}

impl Bootloader {
    /// The file the kernel command line is edited in.
    pub fn cmdline_file(self) -> &'static str {
        match self {
            Self::Grub | Self::ProxmoxBootGrub => "/etc/default/grub",
            Self::ProxmoxBootSystemdBoot => "/etc/kernel/cmdline",
            Self::SystemdBoot => "/boot/loader/entries/*.conf",
        }
    }

    /// The command that makes an edited command line take effect at the next boot.
    pub fn apply_command(self) -> &'static str {
        match self {
            Self::Grub => "update-grub",
            Self::ProxmoxBootGrub | Self::ProxmoxBootSystemdBoot => "proxmox-boot-tool refresh",
            Self::SystemdBoot => "bootctl update",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CmdlineFile {
    /// `GRUB_CMDLINE_LINUX_DEFAULT` plus `GRUB_CMDLINE_LINUX` in `/etc/default/grub`
    /// (and drop-ins in `/etc/default/grub.d/`).
    Grub,
    /// `/etc/kernel/cmdline` (proxmox-boot-tool, kernel-install).
    KernelCmdline,
    /// An `options` line in a systemd-boot loader entry.
    LoaderEntry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfiguredCmdline {
    pub kind: CmdlineFile,
    pub cmdline: Cmdline,
    pub from: Provenance,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProxmoxBootStatus {
    /// From `System currently booted with uefi` / `legacy bios`.
    pub booted_with: Option<Firmware>,
    pub esps: Vec<EspEntry>,
    /// `E: /etc/kernel/proxmox-boot-uuids does not exist.`: the ESPs are not managed.
    pub not_configured: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EspEntry {
    pub uuid: String,
    /// `uefi` (systemd-boot) or `grub`.
    pub kind: String,
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cpu {
    pub vendor: Option<Fact<CpuVendor>>,
    pub model_name: Option<Fact<String>>,
    /// The flags from `/proc/cpuinfo` that matter (vmx, svm, hypervisor, pdpe1gb, x2apic).
    pub flags: Option<Fact<Vec<String>>>,
    /// `kvm_intel` / `kvm_amd` `nested` parameter.
    pub nested: Option<Fact<bool>>,
}

impl Cpu {
    pub fn has_flag(&self, flag: &str) -> Option<bool> {
        self.flags.as_ref().map(|f| f.value.iter().any(|x| x == flag))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CpuVendor {
    Intel,
    Amd,
    Other,
}

/// Whether this host is itself a virtual machine, and under what.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Virtualization {
    /// `true` when any strong signal says this is a guest.
    pub is_guest: Option<Fact<bool>>,
    /// The hypervisor's name when known (`KVM`, `QEMU`, `VMware`, …).
    pub hypervisor: Option<Fact<String>>,
    pub dmi: Option<Fact<Dmi>>,
    /// `systemd-detect-virt` output.
    pub detect_virt: Option<Fact<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dmi {
    pub sys_vendor: Option<String>,
    pub product_name: Option<String>,
    pub board_vendor: Option<String>,
    pub board_name: Option<String>,
    pub bios_vendor: Option<String>,
    pub bios_version: Option<String>,
    pub chassis_type: Option<String>,
}

/// Kernel modules: what is loaded or built in, their parameters and how they are configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Modules {
    /// `/proc/modules`.
    pub loaded: Option<Fact<Vec<String>>>,
    /// `/lib/modules/<release>/modules.builtin`, as module names.
    pub builtin: Option<Fact<Vec<String>>>,
    /// Parameters that matter, from `/sys/module/<m>/parameters/<p>`.
    pub parameters: Vec<ModuleParameter>,
    /// Every directive in `/etc/modprobe.d/*.conf` (and `/lib/modprobe.d`, `/usr/lib/modprobe.d`).
    pub modprobe: Option<Vec<ModprobeDirective>>,
    /// `/etc/modules` and `/etc/modules-load.d/*.conf`, one entry per module line.
    pub load_at_boot: Option<Vec<Fact<String>>>,
    /// Modules listed for the initramfs (initramfs-tools, dracut or mkinitcpio config).
    pub initramfs: Option<Vec<Fact<String>>>,
}

impl Modules {
    /// Module names are compared with dashes and underscores treated alike, as modprobe does.
    pub fn is_loaded(&self, module: &str) -> Option<bool> {
        self.loaded.as_ref().map(|l| l.value.iter().any(|m| same_param_name(m, module)))
    }

    pub fn is_builtin(&self, module: &str) -> Option<bool> {
        self.builtin.as_ref().map(|l| l.value.iter().any(|m| same_param_name(m, module)))
    }

    pub fn parameter(&self, module: &str, name: &str) -> Option<&ModuleParameter> {
        self.parameters.iter().find(|p| same_param_name(&p.module, module) && p.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ModuleParameter {
    pub module: String,
    pub name: String,
    pub value: String,
    pub from: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ModprobeDirective {
    pub kind: ModprobeKind,
    /// The module (or, for `alias`, the alias name) the directive is about.
    pub module: String,
    /// Everything after the module name, verbatim.
    pub args: String,
    pub from: Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ModprobeKind {
    Options,
    Blacklist,
    Softdep,
    Install,
    Remove,
    Alias,
}

/// One `/proc/iomem` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IomemRange {
    pub start: u64,
    pub end: u64,
    /// Nesting depth (two spaces of indent per level).
    pub depth: u32,
    pub name: String,
    pub line: u64,
}
