//! modprobe.d configuration (`man 5 modprobe.d`) and module lists for boot and initramfs.

use engine::facts::{ModprobeDirective, ModprobeKind, Provenance};

/// Parses one modprobe.d file: `options`, `blacklist`, `softdep`, `install`, `remove`,
/// `alias`; `#` comments; a trailing backslash continues the line. `source` is the file's
/// path for provenance (line numbers are 1-based, of the first physical line).
///
/// This follows kmod's reader (`kmod_config_parse` in `libkmod/libkmod-config.c`): a
/// comment is a line whose first byte is `#`; the command and module name are split
/// at spaces and tabs; the rest of the line goes to the module as written (kmod strips
/// no trailing `# …` either). Module names are kept as written: `vfio-pci` and
/// `vfio_pci` are the same module, which consumers compare with that in mind. Unknown
/// commands and directives without a module name are skipped, as kmod skips them.
pub fn parse_modprobe_conf(text: &str, source: &str) -> Vec<ModprobeDirective> {
    logical_lines(text)
        .filter_map(|(line, content)| {
            let (kind, module, args) = directive(&content)?;
            Some(ModprobeDirective {
                kind,
                module: module.to_string(),
                args: args.to_string(),
                from: Provenance::line(source, line),
            })
        })
        .collect()
}

/// Joins backslash-continued lines (`freadline_wrapped` in `libkmod/libkmod-util.c`
/// drops the backslash and the newline, nothing else), yielding each joined line with
/// the 1-based number of its first physical line.
fn logical_lines(text: &str) -> impl Iterator<Item = (u64, String)> + '_ {
    let mut physical = text.lines().enumerate();
    std::iter::from_fn(move || {
        let (index, first) = physical.next()?;
        let mut joined = first.trim_end_matches('\r').to_string();
        while let Some(without_backslash) = joined.strip_suffix('\\') {
            joined.truncate(without_backslash.len());
            match physical.next() {
                Some((_, next)) => joined.push_str(next.trim_end_matches('\r')),
                None => break,
            }
        }
        Some((line_number(index), joined))
    })
}

fn line_number(index: usize) -> u64 {
    u64::try_from(index).map_or(u64::MAX, |i| i.saturating_add(1))
}

/// The kind, the module (for `alias`, the alias pattern) and the rest of one line.
fn directive(line: &str) -> Option<(ModprobeKind, &str, &str)> {
    if line.starts_with('#') {
        return None;
    }
    let (command, rest) = split_word(line);
    let kind = match command {
        "options" => ModprobeKind::Options,
        "blacklist" => ModprobeKind::Blacklist,
        "softdep" => ModprobeKind::Softdep,
        "install" => ModprobeKind::Install,
        "remove" => ModprobeKind::Remove,
        "alias" => ModprobeKind::Alias,
        _ => return None,
    };
    let (module, args) = split_word(rest);
    if module.is_empty() {
        return None;
    }
    Some((kind, module, args.trim_end()))
}

/// The first space- or tab-separated word of `text` and what follows it, without the
/// separating blanks.
fn split_word(text: &str) -> (&str, &str) {
    let is_blank = |c: char| c == ' ' || c == '\t';
    let text = text.trim_start_matches(is_blank);
    match text.split_once(is_blank) {
        Some((word, rest)) => (word, rest.trim_start_matches(is_blank)),
        None => (text, ""),
    }
}

/// Module names from `/etc/modules`, `/etc/modules-load.d/*.conf` or
/// `/etc/initramfs-tools/modules`: one per line, `#`/`;` comments, arguments after the
/// name ignored. Returns `(module, line)`.
///
/// `modules-load.d(5)` treats lines whose first non-blank character is `#` or `;` as
/// comments; initramfs-tools (`/usr/share/initramfs-tools/hook-functions`,
/// `add_modules_from_file`) allows `module_name [args …]`.
pub fn parse_module_list(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let module = line.split_whitespace().next()?;
            let is_comment = module.starts_with('#') || module.starts_with(';');
            (!is_comment).then(|| (module.to_string(), line_number(index)))
        })
        .collect()
}

/// Shell variables that name modules for the initramfs: dracut's `add_drivers`,
/// `force_drivers` and `drivers` (`man 5 dracut.conf`), mkinitcpio's `MODULES`
/// (`man 5 mkinitcpio.conf`).
const INITRAMFS_MODULE_VARIABLES: [&str; 4] = ["add_drivers", "force_drivers", "drivers", "MODULES"];

/// Modules named for the initramfs in dracut (`add_drivers+=" … "`, `force_drivers`) or
/// mkinitcpio (`MODULES=(…)`) configuration. Returns `(module, line)`.
///
/// Both files are sourced by bash, so `NAME=` replaces what earlier lines of the file
/// set and `NAME+=` appends. Values may be a `"…"`/`'…'` string, a `(…)` array or a
/// bare word, and may span lines; each module carries the line it is written on.
/// mkinitcpio's optional-module suffix `?` is removed; `$variable` words are skipped.
pub fn parse_initramfs_config(text: &str) -> Vec<(String, u64)> {
    let mut named: Vec<(&str, String, u64)> = Vec::new();
    let mut open: Option<OpenValue> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = line_number(index);
        let (value, pending) = match open.take() {
            Some(pending) => (raw, pending),
            None => {
                let Some((variable, append, value)) = module_assignment(raw) else {
                    continue;
                };
                if !append && !refers_to(value, variable) {
                    named.retain(|(earlier, _, _)| *earlier != variable);
                }
                match value_opening(value) {
                    Some((inside, close)) => (inside, OpenValue { variable, close }),
                    None => {
                        let word = value.split_whitespace().next().unwrap_or_default();
                        named.extend(module_word(word).map(|m| (variable, m, line)));
                        continue;
                    }
                }
            }
        };
        let (inside, closed) = up_to_close(value, pending.close);
        named.extend(inside.split_whitespace().filter_map(module_word).map(|m| (pending.variable, m, line)));
        if !closed {
            open = Some(pending);
        }
    }
    named.into_iter().map(|(_, module, line)| (module, line)).collect()
}

/// A quoted string or array whose closing character has not been seen yet.
struct OpenValue {
    variable: &'static str,
    close: char,
}

/// `[export ]NAME=value` or `NAME+=value` for one of the module variables.
fn module_assignment(line: &str) -> Option<(&'static str, bool, &str)> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    INITRAMFS_MODULE_VARIABLES.iter().find_map(|variable| {
        let after = line.strip_prefix(variable)?;
        match after.strip_prefix("+=") {
            Some(value) => Some((*variable, true, value)),
            None => Some((*variable, false, after.strip_prefix('=')?)),
        }
    })
}

/// Whether `value` expands `variable` (`add_drivers="$add_drivers vfio"`), which keeps
/// what it held: such an `=` appends.
fn refers_to(value: &str, variable: &str) -> bool {
    value.contains(&format!("${variable}")) || value.contains(&format!("${{{variable}}}"))
}

/// For a value that opens with `(`, `"` or `'`: the text after the opener and the
/// character that closes it.
fn value_opening(value: &str) -> Option<(&str, char)> {
    let close = match value.chars().next()? {
        '(' => ')',
        '"' => '"',
        '\'' => '\'',
        _ => return None,
    };
    Some((value.get(1..)?, close))
}

/// The part of `text` before `close` (a `#` comment cut off first for arrays, where
/// bash allows comments between elements), and whether `close` was found.
fn up_to_close(text: &str, close: char) -> (&str, bool) {
    let text = if close == ')' { cut_comment(text) } else { text };
    match text.split_once(close) {
        Some((inside, _)) => (inside, true),
        None => (text, false),
    }
}

/// Text before a `#` that starts a word.
fn cut_comment(text: &str) -> &str {
    let mut previous_blank = true;
    for (i, c) in text.char_indices() {
        if c == '#' && previous_blank {
            return text.get(..i).unwrap_or_default();
        }
        previous_blank = c.is_whitespace();
    }
    text
}

/// A module name from one word of a value: element quotes and mkinitcpio's `?` suffix
/// removed; `$…` expansions and empty words give nothing.
fn module_word(word: &str) -> Option<String> {
    let word = word.trim_matches(|c| c == '"' || c == '\'');
    let word = word.strip_suffix('?').unwrap_or(word);
    (!word.is_empty() && !word.starts_with('$')).then(|| word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directives(text: &str) -> Vec<(ModprobeKind, String, String, Option<u64>)> {
        parse_modprobe_conf(text, "etc/modprobe.d/vfio.conf")
            .into_iter()
            .map(|d| (d.kind, d.module, d.args, d.from.line))
            .collect()
    }

    fn owned(items: &[(&str, u64)]) -> Vec<(String, u64)> {
        items.iter().map(|(m, l)| (m.to_string(), *l)).collect()
    }

    #[test]
    fn vfio_conf_from_pve_wiki() {
        let text = "options vfio-pci ids=10de:1381,10de:0fbc disable_vga=1\n";
        let parsed = parse_modprobe_conf(text, "etc/modprobe.d/vfio.conf");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].kind, ModprobeKind::Options);
        assert_eq!(parsed[0].module, "vfio-pci");
        assert_eq!(parsed[0].args, "ids=10de:1381,10de:0fbc disable_vga=1");
        assert_eq!(parsed[0].from, Provenance::line("etc/modprobe.d/vfio.conf", 1));
    }

    #[test]
    fn blacklist_conf_with_glob() {
        let text =
            "blacklist amdgpu\nblacklist radeon\nblacklist nouveau\nblacklist nvidia*\nblacklist i915\n";
        let parsed = directives(text);
        assert_eq!(
            parsed.iter().map(|(k, m, a, _)| (*k, m.as_str(), a.as_str())).collect::<Vec<_>>(),
            vec![
                (ModprobeKind::Blacklist, "amdgpu", ""),
                (ModprobeKind::Blacklist, "radeon", ""),
                (ModprobeKind::Blacklist, "nouveau", ""),
                (ModprobeKind::Blacklist, "nvidia*", ""),
                (ModprobeKind::Blacklist, "i915", ""),
            ]
        );
        assert_eq!(parsed[3].3, Some(4));
    }

    #[test]
    fn softdep_keeps_the_whole_dependency_list() {
        let text = "softdep nouveau pre: vfio-pci\nsoftdep nvidia pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n";
        assert_eq!(
            directives(text),
            vec![
                (ModprobeKind::Softdep, "nouveau".into(), "pre: vfio-pci".into(), Some(1)),
                (ModprobeKind::Softdep, "nvidia".into(), "pre: vfio-pci".into(), Some(2)),
                (ModprobeKind::Softdep, "snd_hda_intel".into(), "pre: vfio-pci".into(), Some(3)),
            ]
        );
    }

    #[test]
    fn options_lines_from_the_seeds() {
        let text = "\
options vfio_iommu_type1 allow_unsafe_interrupts=1
options kvm ignore_msrs=1 report_ignored_msrs=0
options snd-hda-intel enable_msi=1
";
        assert_eq!(
            directives(text),
            vec![
                (
                    ModprobeKind::Options,
                    "vfio_iommu_type1".into(),
                    "allow_unsafe_interrupts=1".into(),
                    Some(1)
                ),
                (ModprobeKind::Options, "kvm".into(), "ignore_msrs=1 report_ignored_msrs=0".into(), Some(2)),
                (ModprobeKind::Options, "snd-hda-intel".into(), "enable_msi=1".into(), Some(3)),
            ]
        );
    }

    #[test]
    fn install_remove_and_alias() {
        let text = "\
install nouveau /bin/false
remove vfio_pci /sbin/modprobe -r --ignore-remove vfio_pci
alias pci:v000010DEd*sv*sd*bc03sc*i* vfio-pci
";
        assert_eq!(
            directives(text),
            vec![
                (ModprobeKind::Install, "nouveau".into(), "/bin/false".into(), Some(1)),
                (
                    ModprobeKind::Remove,
                    "vfio_pci".into(),
                    "/sbin/modprobe -r --ignore-remove vfio_pci".into(),
                    Some(2)
                ),
                (ModprobeKind::Alias, "pci:v000010DEd*sv*sd*bc03sc*i*".into(), "vfio-pci".into(), Some(3)),
            ]
        );
    }

    #[test]
    fn comments_blank_lines_tabs_and_unknown_commands() {
        let text = "\
# /etc/modprobe.d/vfio.conf: bind the GTX 1080 early

options\tvfio-pci\tids=10de:1b80,10de:10f0   \r
  options kvm ignore_msrs=1
include /etc/modprobe.d/other.conf
blacklist
frobnicate nouveau
";
        assert_eq!(
            directives(text),
            vec![
                (ModprobeKind::Options, "vfio-pci".into(), "ids=10de:1b80,10de:10f0".into(), Some(3)),
                (ModprobeKind::Options, "kvm".into(), "ignore_msrs=1".into(), Some(4)),
            ]
        );
    }

    #[test]
    fn trailing_comment_stays_in_args_as_kmod_passes_it() {
        let parsed = directives("options vfio-pci ids=10de:1b80 # GTX 1080\n");
        assert_eq!(parsed[0].2, "ids=10de:1b80 # GTX 1080");
    }

    #[test]
    fn backslash_continues_a_line() {
        let text = "options vfio-pci \\\nids=10de:1b80,10de:10f0 \\\ndisable_vga=1\nblacklist nouveau\n";
        assert_eq!(
            directives(text),
            vec![
                (
                    ModprobeKind::Options,
                    "vfio-pci".into(),
                    "ids=10de:1b80,10de:10f0 disable_vga=1".into(),
                    Some(1)
                ),
                (ModprobeKind::Blacklist, "nouveau".into(), String::new(), Some(4)),
            ]
        );
        assert_eq!(
            directives("options vfio-pci ids=1\\"),
            vec![(ModprobeKind::Options, "vfio-pci".into(), "ids=1".into(), Some(1))]
        );
    }

    #[test]
    fn etc_modules_from_pve_docs() {
        let text = "\
# /etc/modules: kernel modules to load at boot time.
#
# This file contains the names of kernel modules that should be loaded
# at boot time, one per line. Lines beginning with \"#\" are ignored.

vfio
vfio_iommu_type1
vfio_pci
vfio_virqfd
";
        assert_eq!(
            parse_module_list(text),
            owned(&[("vfio", 6), ("vfio_iommu_type1", 7), ("vfio_pci", 8), ("vfio_virqfd", 9)])
        );
    }

    #[test]
    fn module_list_comments_and_arguments() {
        let text = "; modules-load.d comment\n  # indented comment\nvfio_pci ids=10de:1b80\n\tkvmgt\r\n";
        assert_eq!(parse_module_list(text), owned(&[("vfio_pci", 3), ("kvmgt", 4)]));
        assert!(parse_module_list("").is_empty());
    }

    #[test]
    fn dracut_add_drivers() {
        let text = "\
# /etc/dracut.conf.d/vfio.conf
add_drivers+=\" vfio vfio_iommu_type1 vfio_pci \"
force_drivers+=\"vfio-pci\"
hostonly=\"yes\"
";
        assert_eq!(
            parse_initramfs_config(text),
            owned(&[("vfio", 2), ("vfio_iommu_type1", 2), ("vfio_pci", 2), ("vfio-pci", 3)])
        );
    }

    #[test]
    fn dracut_assignment_replaces_what_came_before() {
        let text = "add_drivers=\"nvidia\"\nadd_drivers=\"vfio_pci\"\nadd_drivers+=' vfio '\ndrivers+=vfio_iommu_type1\n";
        assert_eq!(
            parse_initramfs_config(text),
            owned(&[("vfio_pci", 2), ("vfio", 3), ("vfio_iommu_type1", 4)])
        );
    }

    #[test]
    fn dracut_self_reference_keeps_earlier_modules() {
        let text = "add_drivers=\"nvidia\"\nadd_drivers=\"$add_drivers vfio_pci\"\nadd_drivers=\"${add_drivers} vfio\"\n";
        assert_eq!(parse_initramfs_config(text), owned(&[("nvidia", 1), ("vfio_pci", 2), ("vfio", 3)]));
    }

    #[test]
    fn mkinitcpio_modules_array() {
        let text = "\
# vim:set ft=sh
# MODULES
# The following modules are loaded before any boot hooks are
# run.  Advanced users may wish to specify all system modules
# in this array.  For instance:
#     MODULES=(usbhid xhci_hcd)
MODULES=(vfio_pci vfio vfio_iommu_type1)

BINARIES=()
HOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)
";
        assert_eq!(
            parse_initramfs_config(text),
            owned(&[("vfio_pci", 7), ("vfio", 7), ("vfio_iommu_type1", 7)])
        );
    }

    #[test]
    fn mkinitcpio_array_over_several_lines() {
        let text = "MODULES=(\n  vfio_pci   # bind the GPU first\n  vfio\n  \"vfio_iommu_type1\"\n  nvidia?\n)\nHOOKS=(base)\n";
        assert_eq!(
            parse_initramfs_config(text),
            owned(&[("vfio_pci", 2), ("vfio", 3), ("vfio_iommu_type1", 4), ("nvidia", 5)])
        );
    }

    #[test]
    fn mkinitcpio_old_string_form_and_drop_in_append() {
        let text = "MODULES=\"vfio_pci vfio\"\nMODULES+=(vfio_iommu_type1)\n";
        assert_eq!(
            parse_initramfs_config(text),
            owned(&[("vfio_pci", 1), ("vfio", 1), ("vfio_iommu_type1", 2)])
        );
        assert!(parse_initramfs_config("MODULES=()\n").is_empty());
    }

    #[test]
    fn similar_names_are_not_module_variables() {
        let text = "omit_drivers+=\" nouveau \"\nadd_driversX=\"a\"\nfilesystems+=\" zfs \"\n";
        assert!(parse_initramfs_config(text).is_empty());
    }

    #[test]
    fn unterminated_value_runs_to_the_end() {
        assert_eq!(
            parse_initramfs_config("add_drivers+=\" vfio\nvfio_pci"),
            owned(&[("vfio", 1), ("vfio_pci", 2)])
        );
        assert!(parse_initramfs_config("MODULES=(").is_empty());
        assert!(parse_initramfs_config("MODULES=").is_empty());
    }
}
