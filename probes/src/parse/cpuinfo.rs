//! `/proc/cpuinfo`: vendor, model name and the flags that matter.

use engine::facts::CpuVendor;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuInfo {
    pub vendor: Option<CpuVendor>,
    pub model_name: Option<String>,
    /// Only the flags passthrough cares about (vmx, svm, hypervisor, x2apic, pdpe1gb), sorted.
    pub flags: Vec<String>,
    /// Whether a `flags` line was seen at all.
    pub has_flags_line: bool,
}

/// The flags kept: hardware virtualisation (`vmx` Intel VT-x, `svm` AMD-V), the CPUID
/// "running under a hypervisor" bit, x2APIC (needed for interrupt remapping in x2apic
/// mode) and 1 GiB pages (hugepage-backed guests). Sorted, for binary search.
const FLAGS_THAT_MATTER: [&str; 5] = ["hypervisor", "pdpe1gb", "svm", "vmx", "x2apic"];

/// Reads the first processor block; all CPUs of a host share vendor and flags.
pub fn parse_cpuinfo(text: &str) -> CpuInfo {
    let mut info = CpuInfo::default();
    for (key, value) in first_block(text) {
        match key {
            "vendor_id" => info.vendor = Some(vendor_from_id(value)),
            "model name" => info.model_name = Some(value.to_string()),
            "flags" => {
                info.has_flags_line = true;
                info.flags = flags_that_matter(value);
            }
            _ => {}
        }
    }
    info
}

/// The `key : value` pairs of the first block: blocks are separated by a blank line
/// (`show_cpuinfo` in `arch/x86/kernel/cpu/proc.c` ends each with `\n\n`). Keys are
/// padded with tabs before the colon, so both sides are trimmed.
fn first_block(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .map(str::trim)
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim(), value.trim()))
}

/// The vendor strings CPUID leaf 0 returns (`arch/x86/kernel/cpu/{intel,amd}.c`).
fn vendor_from_id(id: &str) -> CpuVendor {
    match id {
        "GenuineIntel" => CpuVendor::Intel,
        "AuthenticAMD" => CpuVendor::Amd,
        _ => CpuVendor::Other,
    }
}

fn flags_that_matter(flags: &str) -> Vec<String> {
    let mut kept: Vec<String> = flags
        .split_ascii_whitespace()
        .filter(|flag| FLAGS_THAT_MATTER.binary_search(flag).is_ok())
        .map(str::to_string)
        .collect();
    kept.sort();
    kept.dedup();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Proxmox VM with `cpu: host` on an EPYC host: `hypervisor` set, `svm` passed through.
    const AMD_EPYC_GUEST: &str = "\
processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC 7443P 24-Core Processor
stepping\t: 1
microcode\t: 0xa0011d1
cpu MHz\t\t: 2844.654
cache size\t: 512 KB
physical id\t: 0
siblings\t: 8
core id\t\t: 0
cpu cores\t: 8
apicid\t\t: 0
initial apicid\t: 0
fpu\t\t: yes
fpu_exception\t: yes
cpuid level\t: 16
wp\t\t: yes
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm rep_good nopl cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy svm cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw perfctr_core ssbd ibrs ibpb stibp vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 xsaves clzero xsaveerptr wbnoinvd arat npt lbrv nrip_save tsc_scale vmcb_clean pausefilter pfthreshold v_vmsave_vmload vgif umip pku ospke vaes vpclmulqdq rdpid fsrm arch_capabilities
bugs\t\t: sysret_ss_attrs null_seg spectre_v1 spectre_v2 spec_store_bypass srso
bogomips\t: 5689.30
TLB size\t: 1024 4K pages
clflush size\t: 64
cache_alignment\t: 64
address sizes\t: 48 bits physical, 48 bits virtual
power management:

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: a second block that must not be read
flags\t\t: fpu
";

    /// Bare-metal Intel: `vmx` but no `hypervisor`; note the separate `vmx flags` line.
    const INTEL_HOST: &str = "\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 158
model name\t: Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz
stepping\t: 10
microcode\t: 0xf4
cpu MHz\t\t: 800.028
cache size\t: 12288 KB
physical id\t: 0
siblings\t: 12
core id\t\t: 0
cpu cores\t: 6
apicid\t\t: 0
initial apicid\t: 0
fpu\t\t: yes
fpu_exception\t: yes
cpuid level\t: 22
wp\t\t: yes
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb invpcid_single pti ssbd ibrs ibpb stibp tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx rdseed adx smap clflushopt intel_pt xsaveopt xsavec xgetbv1 xsaves dtherm ida arat pln pts hwp hwp_notify hwp_act_window hwp_epp vnmi md_clear flush_l1d arch_capabilities
vmx flags\t: vnmi preemption_timer invvpid ept_x_only ept_ad ept_1gb flexpriority tsc_offset vtpr mtf vapic ept vpid unrestricted_guest ple pml ept_mode_based_exec
bugs\t\t: cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs taa itlb_multihit srbds mmio_stale_data retbleed gds
bogomips\t: 7399.70
clflush size\t: 64
cache_alignment\t: 64
address sizes\t: 39 bits physical, 48 bits virtual
power management:

";

    #[test]
    fn amd_epyc_guest() {
        let info = parse_cpuinfo(AMD_EPYC_GUEST);
        assert_eq!(info.vendor, Some(CpuVendor::Amd));
        assert_eq!(info.model_name.as_deref(), Some("AMD EPYC 7443P 24-Core Processor"));
        assert_eq!(info.flags, vec!["hypervisor", "pdpe1gb", "svm", "x2apic"]);
        assert!(info.has_flags_line);
    }

    #[test]
    fn intel_host_ignores_vmx_flags_line() {
        let info = parse_cpuinfo(INTEL_HOST);
        assert_eq!(info.vendor, Some(CpuVendor::Intel));
        assert_eq!(info.model_name.as_deref(), Some("Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz"));
        assert_eq!(info.flags, vec!["pdpe1gb", "vmx", "x2apic"]);
        assert!(info.has_flags_line);
    }

    #[test]
    fn other_vendor_and_missing_flags_line() {
        let info = parse_cpuinfo(
            "processor\t: 0\nvendor_id\t: HygonGenuine\nmodel name\t: Hygon C86 3250  8-core Processor\n",
        );
        assert_eq!(info.vendor, Some(CpuVendor::Other));
        assert_eq!(info.model_name.as_deref(), Some("Hygon C86 3250  8-core Processor"));
        assert!(info.flags.is_empty());
        assert!(!info.has_flags_line);
    }

    #[test]
    fn flags_line_without_interesting_flags() {
        let info = parse_cpuinfo("vendor_id\t: GenuineIntel\nflags\t\t: fpu vme de\n");
        assert!(info.has_flags_line);
        assert!(info.flags.is_empty());
    }

    #[test]
    fn leading_blank_lines_and_crlf_are_tolerated() {
        let info = parse_cpuinfo("\r\n\nvendor_id\t: AuthenticAMD\r\nflags\t\t: svm svm hypervisor\r\n");
        assert_eq!(info.vendor, Some(CpuVendor::Amd));
        assert_eq!(info.flags, vec!["hypervisor", "svm"]);
    }

    #[test]
    fn garbage_gives_nothing() {
        assert_eq!(parse_cpuinfo(""), CpuInfo::default());
        assert_eq!(parse_cpuinfo("no colon here\n:::\n"), CpuInfo::default());
    }
}
