//! `/boot/config-<release>`: the build options in `engine::facts::KernelConfig`.

use engine::facts::{KernelConfig, Tristate};

/// `CONFIG_X=y|m` sets an option; `# CONFIG_X is not set` records it as off.
/// When an option appears twice the later line wins, as in Kconfig's own reader
/// (`conf_read_simple` in `scripts/kconfig/confdata.c`).
pub fn parse_kernel_config(text: &str) -> KernelConfig {
    let mut config = KernelConfig::default();
    for line in text.lines() {
        if let Some((option, value)) = option_setting(line.trim()) {
            apply(&mut config, option, value);
        }
    }
    config
}

/// The option name without `CONFIG_` and its tristate value, for the two line forms
/// Kconfig writes. Strings and numbers (`CONFIG_X="…"`, `CONFIG_X=64`) yield `None`.
fn option_setting(line: &str) -> Option<(&str, Tristate)> {
    if let Some(unset) = line.strip_prefix("# CONFIG_") {
        return Some((unset.strip_suffix(" is not set")?, Tristate::No));
    }
    let (option, value) = line.strip_prefix("CONFIG_")?.split_once('=')?;
    let value = match value.trim() {
        "y" => Tristate::BuiltIn,
        "m" => Tristate::Module,
        "n" => Tristate::No,
        _ => return None,
    };
    Some((option, value))
}

fn apply(config: &mut KernelConfig, option: &str, value: Tristate) {
    let enabled = value != Tristate::No;
    match option {
        "INTEL_IOMMU" => config.intel_iommu = Some(value),
        "INTEL_IOMMU_DEFAULT_ON" => config.intel_iommu_default_on = Some(enabled),
        "AMD_IOMMU" => config.amd_iommu = Some(value),
        "IRQ_REMAP" => config.irq_remap = Some(enabled),
        "VFIO" => config.vfio = Some(value),
        "VFIO_PCI" => config.vfio_pci = Some(value),
        "VFIO_PCI_VGA" => config.vfio_pci_vga = Some(enabled),
        "SYSFB_SIMPLEFB" => config.sysfb_simplefb = Some(enabled),
        "FB_EFI" => config.fb_efi = Some(enabled),
        "DRM_SIMPLEDRM" => config.drm_simpledrm = Some(value),
        "IOMMU_DEFAULT_PASSTHROUGH" => config.iommu_default_passthrough = Some(enabled),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines in the format and order of a `/boot/config-6.8.12-4-pve`, with neighbouring
    /// options that must not be confused with the ones read (`CONFIG_VFIO_PCI_CORE`, …).
    const PVE_CONFIG: &str = "\
#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.8.12-4-pve Kernel Configuration
#
CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"
CONFIG_IRQ_REMAP=y
CONFIG_SYSFB=y
CONFIG_SYSFB_SIMPLEFB=y
CONFIG_VFIO=m
CONFIG_VFIO_GROUP=y
CONFIG_VFIO_CONTAINER=y
CONFIG_VFIO_IOMMU_TYPE1=m
# CONFIG_VFIO_NOIOMMU is not set
CONFIG_VFIO_VIRQFD=y
CONFIG_VFIO_PCI_CORE=m
CONFIG_VFIO_PCI_MMAP=y
CONFIG_VFIO_PCI_INTX=y
CONFIG_VFIO_PCI=m
CONFIG_VFIO_PCI_VGA=y
CONFIG_VFIO_PCI_IGD=y
CONFIG_DRM_SIMPLEDRM=y
CONFIG_FB_EFI=y
CONFIG_IOMMU_SUPPORT=y
# CONFIG_IOMMU_DEFAULT_DMA_STRICT is not set
CONFIG_IOMMU_DEFAULT_DMA_LAZY=y
# CONFIG_IOMMU_DEFAULT_PASSTHROUGH is not set
CONFIG_AMD_IOMMU=y
CONFIG_AMD_IOMMU_V2=m
CONFIG_INTEL_IOMMU=y
CONFIG_INTEL_IOMMU_SVM=y
# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set
CONFIG_INTEL_IOMMU_FLOPPY_WA=y
CONFIG_INTEL_IOMMU_SCALABLE_MODE_DEFAULT_ON=y
";

    #[test]
    fn proxmox_kernel_config() {
        assert_eq!(
            parse_kernel_config(PVE_CONFIG),
            KernelConfig {
                intel_iommu: Some(Tristate::BuiltIn),
                intel_iommu_default_on: Some(false),
                amd_iommu: Some(Tristate::BuiltIn),
                irq_remap: Some(true),
                vfio: Some(Tristate::Module),
                vfio_pci: Some(Tristate::Module),
                vfio_pci_vga: Some(true),
                sysfb_simplefb: Some(true),
                fb_efi: Some(true),
                drm_simpledrm: Some(Tristate::BuiltIn),
                iommu_default_passthrough: Some(false),
            }
        );
    }

    #[test]
    fn builtin_vfio_and_default_on_iommu() {
        // Fedora/Arch style: VFIO built in, Intel IOMMU on by default.
        let text = "CONFIG_VFIO=y\nCONFIG_VFIO_PCI=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n# CONFIG_VFIO_PCI_VGA is not set\nCONFIG_DRM_SIMPLEDRM=m\n# CONFIG_FB_EFI is not set\n";
        let config = parse_kernel_config(text);
        assert_eq!(config.vfio, Some(Tristate::BuiltIn));
        assert_eq!(config.vfio_pci, Some(Tristate::BuiltIn));
        assert_eq!(config.intel_iommu_default_on, Some(true));
        assert_eq!(config.vfio_pci_vga, Some(false));
        assert_eq!(config.drm_simpledrm, Some(Tristate::Module));
        assert_eq!(config.fb_efi, Some(false));
        assert_eq!(config.amd_iommu, None);
    }

    #[test]
    fn unset_tristates_are_no() {
        let text =
            "# CONFIG_VFIO is not set\n# CONFIG_AMD_IOMMU is not set\n# CONFIG_DRM_SIMPLEDRM is not set\n";
        let config = parse_kernel_config(text);
        assert_eq!(config.vfio, Some(Tristate::No));
        assert_eq!(config.amd_iommu, Some(Tristate::No));
        assert_eq!(config.drm_simpledrm, Some(Tristate::No));
    }

    #[test]
    fn later_line_wins() {
        let config = parse_kernel_config("CONFIG_VFIO=m\n# CONFIG_VFIO is not set\nCONFIG_VFIO=y\n");
        assert_eq!(config.vfio, Some(Tristate::BuiltIn));
    }

    #[test]
    fn missing_options_and_garbage_stay_none() {
        assert_eq!(parse_kernel_config(""), KernelConfig::default());
        let text =
            "CONFIG_VFIO\nCONFIG_VFIO=\"y\"\nCONFIG_VFIO=64\n# CONFIG_VFIO\nCONFIG_VFIO_PCI_VGAX=y\nVFIO=y\n";
        assert_eq!(parse_kernel_config(text), KernelConfig::default());
    }
}
