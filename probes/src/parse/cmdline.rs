//! Kernel command lines: `/proc/cmdline`, `/etc/kernel/cmdline`, GRUB variables.

use engine::facts::{Cmdline, CmdlineParam};

/// Splits a command line the way the kernel does (`next_arg` in `lib/cmdline.c`):
/// whitespace separates parameters, double quotes group, `key=value` splits at the
/// first `=`. Everything after a bare `--` belongs to init and is kept out of `params`.
pub fn parse_cmdline(text: &str) -> Cmdline {
    let raw = text.trim_matches(is_kernel_space);
    let mut params = Vec::new();
    let mut rest = raw;
    while !rest.is_empty() {
        let (param, after) = next_arg(rest);
        // `parse_args` in `kernel/params.c` stops at a valueless `--`.
        if param.key == "--" && param.value.is_none() {
            break;
        }
        params.push(param);
        rest = after.trim_start_matches(is_kernel_space);
    }
    Cmdline { raw: raw.to_string(), params }
}

/// `isspace` of the kernel's `lib/ctype.c` for ASCII: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_kernel_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// One parameter from the start of `args` (which has no leading whitespace), and the
/// text after it. Mirrors `next_arg`: a leading `"` opens a quote and is dropped; the
/// token ends at whitespace outside quotes; the `=` splits key from value only when it
/// is not the token's first byte; a value's opening quote is dropped together with the
/// token's last byte when that is a quote; a quoted token loses its closing quote.
fn next_arg(args: &str) -> (CmdlineParam, &str) {
    let quoted = args.starts_with('"');
    let body_start = usize::from(quoted);
    let mut in_quote = quoted;
    let mut equals = None;
    let mut end = args.len();
    for (i, c) in args.char_indices().skip(body_start) {
        if is_kernel_space(c) && !in_quote {
            end = i;
            break;
        }
        if equals.is_none() && c == '=' && i > body_start {
            equals = Some(i);
        }
        if c == '"' {
            in_quote = !in_quote;
        }
    }
    let body = args.get(body_start..end).unwrap_or_default();
    let rest = args.get(end..).unwrap_or_default();
    (split_key_value(body, equals.map(|e| e - body_start), quoted), rest)
}

/// Splits a token body (leading quote already dropped) at `equals` and removes the
/// quotes `next_arg` removes. At most one trailing quote goes, as in the kernel, where
/// the first removal overwrites it with NUL and the second test then fails.
fn split_key_value(body: &str, equals: Option<usize>, quoted: bool) -> CmdlineParam {
    let Some((key, value)) = equals.and_then(|e| Some((body.get(..e)?, body.get(e + 1..)?))) else {
        let key = if quoted { strip_one_suffix_quote(body) } else { body };
        return CmdlineParam { key: key.to_string(), value: None };
    };
    let value = match value.strip_prefix('"') {
        Some(unquoted) => strip_one_suffix_quote(unquoted),
        None if quoted => strip_one_suffix_quote(value),
        None => value,
    };
    CmdlineParam { key: key.to_string(), value: Some(value.to_string()) }
}

fn strip_one_suffix_quote(s: &str) -> &str {
    s.strip_suffix('"').unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(cmdline: &Cmdline) -> Vec<(&str, Option<&str>)> {
        cmdline.params.iter().map(|p| (p.key.as_str(), p.value.as_deref())).collect()
    }

    #[test]
    fn proxmox_proc_cmdline() {
        let c = parse_cmdline(
            "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt\n",
        );
        assert_eq!(
            pairs(&c),
            vec![
                ("BOOT_IMAGE", Some("/boot/vmlinuz-6.8.12-4-pve")),
                ("root", Some("/dev/mapper/pve-root")),
                ("ro", None),
                ("quiet", None),
                ("intel_iommu", Some("on")),
                ("iommu", Some("pt")),
            ]
        );
        assert_eq!(
            c.raw,
            "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt"
        );
        assert_eq!(c.last("intel_iommu"), Some("on"));
        assert!(c.has("quiet"));
        assert_eq!(c.last("quiet"), Some(""));
    }

    #[test]
    fn proxmox_kernel_cmdline_file_with_zfs_root() {
        let c = parse_cmdline("root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on\n");
        assert_eq!(
            pairs(&c),
            vec![("root", Some("ZFS=rpool/ROOT/pve-1")), ("boot", Some("zfs")), ("intel_iommu", Some("on")),]
        );
    }

    #[test]
    fn repeated_keys_keep_every_value_in_order_and_last_wins() {
        let c = parse_cmdline("quiet video=efifb:off video=vesafb:off initcall_blacklist=sysfb_init");
        assert_eq!(c.values("video").collect::<Vec<_>>(), vec!["efifb:off", "vesafb:off"]);
        assert_eq!(c.last("video"), Some("vesafb:off"));
        assert_eq!(c.last("initcall_blacklist"), Some("sysfb_init"));
    }

    #[test]
    fn passthrough_parameters_keep_commas_and_colons() {
        let c = parse_cmdline(
            "quiet amd_iommu=on vfio-pci.ids=10de:1b80,10de:10f0 pcie_acs_override=downstream,multifunction",
        );
        assert_eq!(c.last("vfio_pci.ids"), Some("10de:1b80,10de:10f0"));
        assert_eq!(c.last("vfio-pci.ids"), Some("10de:1b80,10de:10f0"));
        assert_eq!(c.last("pcie_acs_override"), Some("downstream,multifunction"));
    }

    #[test]
    fn double_dash_ends_kernel_parameters() {
        let c = parse_cmdline("ro quiet -- single emergency");
        assert_eq!(pairs(&c), vec![("ro", None), ("quiet", None)]);
        assert!(!c.has("single"));
        assert_eq!(c.raw, "ro quiet -- single emergency");
    }

    #[test]
    fn double_dash_with_a_value_is_an_ordinary_parameter() {
        let c = parse_cmdline("--=x quiet");
        assert_eq!(pairs(&c), vec![("--", Some("x")), ("quiet", None)]);
    }

    #[test]
    fn extra_whitespace_tabs_and_newlines_separate() {
        let c = parse_cmdline("  ro\t\tquiet \n  iommu=pt  \n");
        assert_eq!(pairs(&c), vec![("ro", None), ("quiet", None), ("iommu", Some("pt"))]);
        assert_eq!(c.raw, "ro\t\tquiet \n  iommu=pt");
    }

    #[test]
    fn quoted_value_keeps_spaces_without_quotes() {
        let c = parse_cmdline(r#"dyndbg="file vfio_pci_core.c +p" quiet"#);
        assert_eq!(pairs(&c), vec![("dyndbg", Some("file vfio_pci_core.c +p")), ("quiet", None)]);
    }

    #[test]
    fn quoted_whole_parameter_keeps_spaces_without_quotes() {
        let c = parse_cmdline(r#""dyndbg=file vfio_pci_core.c +p" ro"#);
        assert_eq!(pairs(&c), vec![("dyndbg", Some("file vfio_pci_core.c +p")), ("ro", None)]);
        let c = parse_cmdline(r#""quiet" ro"#);
        assert_eq!(pairs(&c), vec![("quiet", None), ("ro", None)]);
    }

    #[test]
    fn quote_inside_a_value_is_kept() {
        // Only a value's leading quote is removed; a quote in the middle groups but stays.
        let c = parse_cmdline(r#"a=b"c d" e"#);
        assert_eq!(pairs(&c), vec![("a", Some(r#"b"c d""#)), ("e", None)]);
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        let c = parse_cmdline(r#"quiet foo="bar baz"#);
        assert_eq!(pairs(&c), vec![("quiet", None), ("foo", Some("bar baz"))]);
    }

    #[test]
    fn empty_value_and_leading_equals() {
        let c = parse_cmdline(r#"console= x="" =y"#);
        assert_eq!(pairs(&c), vec![("console", Some("")), ("x", Some("")), ("=y", None)]);
    }

    #[test]
    fn lone_quotes_and_empty_input_do_not_panic() {
        assert!(parse_cmdline("").params.is_empty());
        assert!(parse_cmdline(" \n").params.is_empty());
        assert_eq!(pairs(&parse_cmdline("\"")), vec![("", None)]);
        assert_eq!(pairs(&parse_cmdline("\"=\"")), vec![("=", None)]);
        assert_eq!(pairs(&parse_cmdline("k=\"")), vec![("k", Some(""))]);
        assert_eq!(pairs(&parse_cmdline("é=ü ß")), vec![("é", Some("ü")), ("ß", None)]);
    }
}
