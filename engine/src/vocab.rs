//! The two fixed vocabularies rules speak: causes and symptoms. Their slugs are API:
//! they appear in JSON output and in users' scripts, so they never change meaning.

/// `(slug, what it means)`. Add a cause only when no slug fits.
pub const CAUSES: &[(&str, &str)] = &[
    ("iommu-disabled", "the IOMMU is off: in the firmware, on the kernel command line, or not supported"),
    (
        "cmdline-not-applied",
        "the edited bootloader file is not the one booted, or its apply step or a reboot is missing",
    ),
    ("interrupt-remapping-missing", "the platform cannot remap interrupts, so VFIO refuses the device"),
    ("group-not-viable", "another device in the IOMMU group is held by a host driver"),
    ("acs-override", "IOMMU groups are split by the ACS override, which removes isolation"),
    ("rmrr-conflict", "firmware reserved memory (RMRR) for the device, so it cannot be assigned"),
    ("vfio-device-node-missing", "no /dev/vfio/N (or vfio cdev) where the VM manager expects one"),
    ("host-driver-bound", "a host driver holds the device instead of vfio-pci"),
    ("vfio-modules-missing", "the VFIO modules are not loaded, or not in the initramfs"),
    ("device-in-use", "the device is claimed by another VM or process"),
    (
        "bar-reserve-framebuffer",
        "a firmware framebuffer (efifb, vesafb, simplefb, simpledrm) holds the GPU's BAR",
    ),
    ("large-bar-mmio", "the guest's 64-bit MMIO window is too small for the device's BARs"),
    ("resizable-bar", "Resizable BAR on the host breaks the guest driver"),
    ("memlock-limit", "the locked-memory limit is too low for VFIO DMA mapping"),
    ("hugepages-not-allocated", "the VM asks for hugepages the host has not allocated"),
    ("rom-no-efi", "the GPU's option ROM has no UEFI (type 3) image for OVMF"),
    ("vbios-needed", "the vBIOS is shadowed or unusable; a dumped romfile is needed"),
    ("romfile-missing", "the configured romfile is missing, unreadable or denied"),
    ("rombar-setting", "the ROM BAR is off where it is needed, or on where the ROM hangs the firmware"),
    ("amd-reset-bug", "the AMD GPU does not reset between VM runs"),
    ("d3cold-power", "the device does not come back from a low-power state"),
    ("vm-detection", "a guest driver refuses to run in a VM"),
    ("laptop-dgpu", "a mobile GPU needs its vBIOS and extras"),
    ("msi-disabled", "the guest drives the device with legacy INTx instead of MSI"),
    ("display-output", "no picture: primary GPU choice, emulated VGA or SPICE interference"),
    ("ignore-msrs", "the guest touches MSRs KVM does not emulate"),
    ("kvm-msr-error", "QEMU cannot set an MSR: host kernel, QEMU or CPU model"),
    ("machine-type-mismatch", "the VM's machine type does not fit its options (pcie=1 without q35)"),
    ("multifunction-split", "functions of one device are split across VMs or left behind"),
    ("igd-legacy-mode", "Intel integrated graphics in legacy mode and its requirements"),
    ("nested-no-viommu", "passthrough inside a VM without a correctly configured vIOMMU"),
    ("platform-info", "a fact about the host that other findings build on, not a problem itself"),
];

/// `(slug, what the user saw)`, for `--symptom`.
pub const SYMPTOMS: &[(&str, &str)] = &[
    ("vm-start-failed", "the VM did not start"),
    ("error-43", "Windows shows Code 43 for the device"),
    ("black-display", "no picture from the passed-through GPU"),
    ("bar-reserve", "\"BAR N: can't reserve\" in the kernel log"),
    ("reset-bug", "the device works once, then not after a VM restart"),
    ("hdmi-crackle", "HDMI audio crackles or stutters"),
    ("no-iommu", "\"IOMMU not present\" or no IOMMU groups"),
    ("group-not-viable", "\"group N is not viable\""),
    ("driver-not-vfio", "the device is not on vfio-pci"),
    ("guest-crash", "the guest crashes or blue-screens"),
    ("guest-boot-hang", "the guest hangs while booting"),
    ("slow", "the guest or device is slow"),
];

pub fn is_cause(slug: &str) -> bool {
    CAUSES.iter().any(|(c, _)| *c == slug)
}

pub fn is_symptom(slug: &str) -> bool {
    SYMPTOMS.iter().any(|(s, _)| *s == slug)
}
