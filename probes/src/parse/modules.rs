//! `/proc/modules`, `modules.builtin` and `modules.alias`.

/// Names of loaded modules (first column of `/proc/modules`).
pub fn parse_proc_modules(text: &str) -> Vec<String> {
    text.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_string).collect()
}

/// Module names from `modules.builtin` (`kernel/drivers/vfio/vfio.ko` → `vfio`).
///
/// The kernel names a module after its object file with dashes turned into underscores
/// (`KBUILD_MODNAME` via `scripts/Makefile.lib`), so `vfio-pci.ko` is `vfio_pci`.
pub fn parse_modules_builtin(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let file = line.trim().rsplit('/').next()?;
            let stem = file.strip_suffix(".ko").unwrap_or(file);
            (!stem.is_empty()).then(|| stem.replace('-', "_"))
        })
        .collect()
}

/// `modules.alias` entries for PCI (`alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PciAliases {
    pub entries: Vec<(String, String)>,
}

impl PciAliases {
    /// Keeps `alias pci:… module` lines; other buses (`usb:`, `acpi*:`, `vfio_pci:`, …)
    /// and anything malformed are skipped.
    pub fn parse(text: &str) -> Self {
        let entries = text
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let (keyword, pattern, module) = (words.next()?, words.next()?, words.next()?);
                (keyword == "alias" && pattern.starts_with("pci:"))
                    .then(|| (pattern.to_string(), module.to_string()))
            })
            .collect();
        Self { entries }
    }

    /// Modules whose alias glob matches a device's `modalias`
    /// (`pci:v000010DEd00001B80sv00001043sd000085AAbc03sc00i00`), deduplicated in file order.
    ///
    /// modprobe matches with `fnmatch` (`kmod_lookup_alias_from_alias_bin` in kmod). PCI
    /// aliases only ever use `*` (`do_pci_entry` in `scripts/mod/file2alias.c` rejects
    /// partial masks), and both sides spell hex in upper case, so the comparison is a
    /// case-sensitive `*`/`?` glob.
    pub fn modules_for(&self, modalias: &str) -> Vec<String> {
        let mut modules: Vec<String> = Vec::new();
        for (pattern, module) in &self.entries {
            if glob_matches(pattern.as_bytes(), modalias.as_bytes()) && !modules.contains(module) {
                modules.push(module.clone());
            }
        }
        modules
    }
}

/// `*` matches any run of bytes, `?` any one byte, everything else itself.
///
/// On a mismatch the matcher returns to the most recent `*` and lets it swallow one more
/// byte. Earlier stars never need revisiting (whatever the later star would have to
/// match, it can), so the work is bounded by pattern length × text length.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Pattern index just after the last `*`, and the text index that star stops at.
    let mut last_star: Option<(usize, usize)> = None;
    while let Some(&byte) = text.get(t) {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                last_star = Some((p, t));
            }
            Some(&wanted) if wanted == b'?' || wanted == byte => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((after_star, swallowed_to)) => {
                    p = after_star;
                    t = swallowed_to + 1;
                    last_star = Some((after_star, t));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|&b| b == b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_modules_first_column() {
        let text = "\
vfio_pci 16384 0 - Live 0x0000000000000000
vfio_pci_core 86016 1 vfio_pci, Live 0x0000000000000000
vfio_iommu_type1 49152 0 - Live 0x0000000000000000
vfio 69632 3 vfio_pci_core,vfio_iommu_type1,vfio_pci, Live 0x0000000000000000
iommufd 98304 1 vfio, Live 0x0000000000000000
kvm_intel 409600 0 - Live 0x0000000000000000
kvm 1396736 1 kvm_intel, Live 0x0000000000000000
";
        assert_eq!(
            parse_proc_modules(text),
            vec!["vfio_pci", "vfio_pci_core", "vfio_iommu_type1", "vfio", "iommufd", "kvm_intel", "kvm"]
        );
        assert!(parse_proc_modules("\n \n").is_empty());
    }

    #[test]
    fn builtin_paths_to_module_names() {
        let text = "\
kernel/drivers/vfio/vfio.ko
kernel/drivers/vfio/vfio_iommu_type1.ko
kernel/drivers/vfio/pci/vfio-pci-core.ko
kernel/drivers/vfio/pci/vfio-pci.ko
kernel/drivers/video/fbdev/efifb.ko

kernel/drivers/gpu/drm/tiny/simpledrm.ko
";
        assert_eq!(
            parse_modules_builtin(text),
            vec!["vfio", "vfio_iommu_type1", "vfio_pci_core", "vfio_pci", "efifb", "simpledrm"]
        );
    }

    const MODULES_ALIAS: &str = "\
# Aliases extracted from modules themselves.
alias tcp-md5 tcp_md5sig
alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau
alias pci:v000012D2d*sv*sd*bc03sc*i* nouveau
alias pci:v000010DEd00001B80sv*sd*bc*sc*i* nvidia
alias pci:v000010DEd*sv*sd*bc03sc00i00 nvidia
alias pci:v00001002d*sv*sd*bc03sc*i* amdgpu
alias pci:v*d*sv*sd*bc04sc03i00 snd_hda_intel
alias pci:v000010DEd*sv*sd*bc04sc03i00 snd_hda_intel
alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci
alias usb:v0BDAp8153d*dc*dsc*dp*ic*isc*ip*in* r8152
alias pci:v00008086d00001533sv*sd*bc*sc*i* igb
";

    #[test]
    fn only_pci_aliases_are_kept() {
        let aliases = PciAliases::parse(MODULES_ALIAS);
        assert_eq!(aliases.entries.len(), 8);
        assert_eq!(aliases.entries[0], ("pci:v000010DEd*sv*sd*bc03sc*i*".to_string(), "nouveau".to_string()));
        assert!(aliases.entries.iter().all(|(p, _)| p.starts_with("pci:")));
    }

    #[test]
    fn gtx_1080_matches_nouveau_and_nvidia_once_each() {
        let aliases = PciAliases::parse(MODULES_ALIAS);
        assert_eq!(
            aliases.modules_for("pci:v000010DEd00001B80sv00001043sd000085AAbc03sc00i00"),
            vec!["nouveau", "nvidia"]
        );
    }

    #[test]
    fn hdmi_audio_function_matches_snd_hda_intel_once() {
        let aliases = PciAliases::parse(MODULES_ALIAS);
        assert_eq!(
            aliases.modules_for("pci:v000010DEd000010F0sv00001043sd000085AAbc04sc03i00"),
            vec!["snd_hda_intel"]
        );
    }

    #[test]
    fn matching_is_case_sensitive_and_needs_the_whole_string() {
        let aliases = PciAliases::parse(MODULES_ALIAS);
        assert!(aliases.modules_for("pci:v000010ded00001b80sv00001043sd000085aabc03sc00i00").is_empty());
        assert!(aliases.modules_for("pci:v00008086d00001533").is_empty());
        assert_eq!(aliases.modules_for("pci:v00008086d00001533sv00008086sd00000001bc02sc00i00"), vec!["igb"]);
        assert!(aliases.modules_for("").is_empty());
    }

    #[test]
    fn glob_basics() {
        assert!(glob_matches(b"", b""));
        assert!(glob_matches(b"*", b""));
        assert!(glob_matches(b"***", b"abc"));
        assert!(glob_matches(b"a?c", b"abc"));
        assert!(!glob_matches(b"a?c", b"ac"));
        assert!(glob_matches(b"a*b*c", b"aXbYbZc"));
        assert!(!glob_matches(b"a*b*c", b"aXbYbZ"));
        assert!(glob_matches(b"*c", b"abcabc"));
        assert!(!glob_matches(b"abc", b"abcd"));
        assert!(!glob_matches(b"", b"a"));
    }

    #[test]
    fn glob_does_not_backtrack_exponentially() {
        let text = vec![b'a'; 10_000];
        let mut pattern = b"*a".repeat(50);
        pattern.extend_from_slice(b"*b");
        assert!(!glob_matches(&pattern, &text));
    }
}
