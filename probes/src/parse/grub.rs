//! `/etc/default/grub` (and `grub.d/*.cfg`) and systemd-boot loader entries.
//!
//! `grub-mkconfig` sources `/etc/default/grub` and then every `/etc/default/grub.d/*.cfg`
//! with `/bin/sh`, so these files are shell. The reader below understands the part of
//! shell that appears in them: assignments (with `export` and bash's `+=`), `'…'` and
//! `"…"` quoting, backslash escapes and line continuations, `$VAR`/`${VAR}` expansion of
//! earlier assignments, comments, and `;` between statements. Command substitutions
//! (`` `lsb_release -i -s` ``, as Debian's `GRUB_DISTRIBUTOR` uses) are kept as written;
//! lines that are not assignments (`if`, `echo`, …) are skipped.

use std::collections::HashMap;
use std::iter::Peekable;
use std::str::Chars;

const CMDLINE_LINUX: &str = "GRUB_CMDLINE_LINUX";
const CMDLINE_LINUX_DEFAULT: &str = "GRUB_CMDLINE_LINUX_DEFAULT";

/// The kernel command line GRUB is configured to pass: `GRUB_CMDLINE_LINUX` followed by
/// `GRUB_CMDLINE_LINUX_DEFAULT`, with shell quoting removed. Later assignments win, as
/// in the shell; `+=`/`$VAR` appends are expanded for these two variables. Returns the
/// value and the 1-based line of the last assignment that set it, or `None` when neither
/// variable is assigned.
///
/// To evaluate drop-ins, pass `/etc/default/grub` followed by the `grub.d/*.cfg` files in
/// name order, as `grub-mkconfig` sources them; the line then counts in that joined text.
pub fn parse_default_grub(text: &str) -> Option<(String, u64)> {
    let mut shell = ShellReader::new(text);
    let mut last_line = None;
    while let Some(assignment) = shell.next_assignment() {
        if assignment.name == CMDLINE_LINUX || assignment.name == CMDLINE_LINUX_DEFAULT {
            last_line = Some(assignment.line);
        }
    }
    let line = last_line?;
    // `linux_entry … "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}"` in grub's
    // `util/grub.d/10_linux.in` builds the normal entries' command line this way.
    let cmdline = [CMDLINE_LINUX, CMDLINE_LINUX_DEFAULT]
        .iter()
        .filter_map(|name| shell.vars.get(*name))
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Some((cmdline, line))
}

/// The `options` line of a systemd-boot loader entry (`/boot/loader/entries/*.conf`),
/// with its 1-based line number. The Boot Loader Specification allows several `options`
/// lines, which are joined with spaces; the line number is then that of the first.
pub fn parse_loader_entry_options(text: &str) -> Option<(String, u64)> {
    let mut first_line = None;
    let mut options = Vec::new();
    for (index, line) in text.lines().enumerate() {
        // Key and value are separated by spaces or tabs; `#` starts a comment line.
        let line_text = line.trim();
        let Some(value) = line_text.strip_prefix("options") else {
            continue;
        };
        if !value.starts_with([' ', '\t']) && !value.is_empty() {
            continue; // a longer key such as `optionsfoo`
        }
        first_line.get_or_insert(line_number(index));
        let value = value.trim();
        if !value.is_empty() {
            options.push(value);
        }
    }
    first_line.map(|line| (options.join(" "), line))
}

fn line_number(index: usize) -> u64 {
    u64::try_from(index).map_or(u64::MAX, |i| i.saturating_add(1))
}

/// A `NAME=value` or `NAME+=value` just applied: the name, and the line it started on.
struct Assignment {
    name: String,
    line: u64,
}

/// Walks shell text statement by statement, keeping every variable assigned so far.
struct ShellReader<'a> {
    chars: Peekable<Chars<'a>>,
    line: u64,
    vars: HashMap<String, String>,
}

impl<'a> ShellReader<'a> {
    fn new(text: &'a str) -> Self {
        Self { chars: text.chars().peekable(), line: 1, vars: HashMap::new() }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line = self.line.saturating_add(1);
        }
        Some(c)
    }

    fn skip_blanks(&mut self) {
        while self.chars.next_if(|c| matches!(c, ' ' | '\t' | '\r')).is_some() {}
    }

    /// Consumes up to and including the next newline.
    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    /// Applies statements until the next assignment, which it returns after storing it.
    fn next_assignment(&mut self) -> Option<Assignment> {
        loop {
            self.skip_blanks();
            match self.chars.peek()? {
                '\n' | ';' => {
                    self.bump();
                }
                '#' => self.skip_line(),
                _ => {
                    if let Some(assignment) = self.statement() {
                        return Some(assignment);
                    }
                }
            }
        }
    }

    /// Reads one statement; an assignment is stored and returned, anything else is
    /// skipped to the end of its line.
    fn statement(&mut self) -> Option<Assignment> {
        let line = self.line;
        let mut name = self.identifier();
        if name == "export" && self.chars.peek().is_some_and(|c| matches!(c, ' ' | '\t')) {
            self.skip_blanks();
            name = self.identifier();
        }
        let append = self.chars.next_if_eq(&'+').is_some();
        if name.is_empty() || self.chars.next_if_eq(&'=').is_none() {
            self.skip_line();
            return None;
        }
        let value = self.word();
        let stored = self.vars.entry(name.clone()).or_default();
        if append {
            stored.push_str(&value);
        } else {
            *stored = value;
        }
        Some(Assignment { name, line })
    }

    /// A shell name: a letter or underscore, then letters, digits and underscores.
    fn identifier(&mut self) -> String {
        let mut name = String::new();
        if let Some(first) = self.chars.next_if(|c| c.is_ascii_alphabetic() || *c == '_') {
            name.push(first);
            while let Some(c) = self.chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
                name.push(c);
            }
        }
        name
    }

    /// One word with quotes removed and variables expanded; ends at unquoted whitespace,
    /// `;` or the end of the text.
    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(&c) = self.chars.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' => break,
                '\'' => {
                    self.bump();
                    self.single_quoted(&mut word);
                }
                '"' => {
                    self.bump();
                    self.double_quoted(&mut word);
                }
                '\\' => {
                    self.bump();
                    self.escaped(&mut word, |_| true);
                }
                '$' => {
                    self.bump();
                    self.expansion(&mut word);
                }
                '`' => {
                    self.bump();
                    self.command_substitution(&mut word);
                }
                _ => {
                    self.bump();
                    word.push(c);
                }
            }
        }
        word
    }

    fn single_quoted(&mut self, word: &mut String) {
        while let Some(c) = self.bump() {
            if c == '\'' {
                return;
            }
            word.push(c);
        }
    }

    fn double_quoted(&mut self, word: &mut String) {
        while let Some(c) = self.bump() {
            match c {
                '"' => return,
                // Inside double quotes a backslash escapes only these (POSIX 2.2.3).
                '\\' => self.escaped(word, |c| matches!(c, '$' | '`' | '"' | '\\' | '\n')),
                '$' => self.expansion(word),
                '`' => self.command_substitution(word),
                _ => word.push(c),
            }
        }
    }

    /// After a backslash: a backslash-newline joins lines; a character `special` accepts
    /// is taken literally; any other keeps its backslash.
    fn escaped(&mut self, word: &mut String, special: impl Fn(char) -> bool) {
        match self.bump() {
            Some('\n') => {}
            Some(c) if special(c) => word.push(c),
            Some(c) => {
                word.push('\\');
                word.push(c);
            }
            None => word.push('\\'),
        }
    }

    /// After `$`: `$NAME` or `${NAME…}` expands to the value assigned so far (empty when
    /// unset, as in the shell; `${…}` operators are not evaluated). Any other `$` is kept.
    fn expansion(&mut self, word: &mut String) {
        let braced = self.chars.next_if_eq(&'{').is_some();
        let name = self.identifier();
        if braced {
            while let Some(c) = self.bump() {
                if c == '}' {
                    break;
                }
            }
        } else if name.is_empty() {
            word.push('$');
            return;
        }
        if let Some(value) = self.vars.get(&name) {
            word.push_str(value);
        }
    }

    /// After a backtick: the command cannot be run here, so its text is kept as written.
    fn command_substitution(&mut self, word: &mut String) {
        word.push('`');
        while let Some(c) = self.bump() {
            word.push(c);
            if c == '`' {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Debian 12's `/etc/default/grub` (package grub2-common) after the usual pve-docs
    /// edit of `GRUB_CMDLINE_LINUX_DEFAULT`.
    const DEBIAN_DEFAULT_GRUB: &str = r#"# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"
GRUB_CMDLINE_LINUX=""

# If your computer has multiple operating systems installed, then you
# probably want to run os-prober. However, if your computer is a host
# for guest OSes installed via LVM or raw disk devices, running
# os-prober can cause damage to those guest OSes as it mounts
# filesystems to look for things.
#GRUB_DISABLE_OS_PROBER=false

# Uncomment to enable BadRAM filtering, modify to suit your needs
# This works with Linux (no patch required) and with any kernel that obtains
# the memory map information from GRUB (GNU Mach, kernel of FreeBSD ...)
#GRUB_BADRAM="0x01234567,0xfefefefe,0x89abcdef,0xefefefef"

# Uncomment to disable graphical terminal (grub-pc only)
#GRUB_TERMINAL=console

# The resolution used on graphical terminal
# note that you can use only modes which your graphic card supports via VBE
# you can see them in real GRUB with the command `vbeinfo'
#GRUB_GFXMODE=640x480

# Uncomment if you don't want GRUB to pass "root=UUID=xxx" parameter to Linux
#GRUB_DISABLE_LINUX_UUID=true

# Uncomment to disable generation of recovery mode menu entries
#GRUB_DISABLE_RECOVERY="true"

# Uncomment to get a beep at grub start
#GRUB_INIT_TUNE="480 440 1"
"#;

    #[test]
    fn debian_default_grub_with_iommu() {
        assert_eq!(parse_default_grub(DEBIAN_DEFAULT_GRUB), Some(("quiet intel_iommu=on".to_string(), 10)));
    }

    #[test]
    fn linux_comes_before_linux_default() {
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet amd_iommu=on\"\nGRUB_CMDLINE_LINUX=\"root=ZFS=rpool/ROOT/pve-1 boot=zfs\"\n";
        assert_eq!(
            parse_default_grub(text),
            Some(("root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet amd_iommu=on".to_string(), 2))
        );
    }

    #[test]
    fn single_quotes_and_unquoted_values() {
        assert_eq!(
            parse_default_grub("GRUB_CMDLINE_LINUX_DEFAULT='quiet iommu=pt $NOT_EXPANDED'\n"),
            Some(("quiet iommu=pt $NOT_EXPANDED".to_string(), 1))
        );
        assert_eq!(parse_default_grub("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n"), Some(("quiet".to_string(), 1)));
    }

    #[test]
    fn unquoted_value_ends_at_whitespace() {
        // `A=quiet intel_iommu=on` is two assignments in the shell; GRUB never sees `intel_iommu`.
        assert_eq!(
            parse_default_grub("GRUB_CMDLINE_LINUX_DEFAULT=quiet intel_iommu=on\n"),
            Some(("quiet".to_string(), 1))
        );
    }

    #[test]
    fn commented_out_assignments_are_ignored() {
        let text = "#GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n  # GRUB_CMDLINE_LINUX=\"x\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" # iommu removed for testing\n";
        assert_eq!(parse_default_grub(text), Some(("quiet".to_string(), 3)));
    }

    #[test]
    fn later_assignment_wins() {
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n";
        assert_eq!(parse_default_grub(text), Some(("quiet intel_iommu=on iommu=pt".to_string(), 3)));
    }

    #[test]
    fn drop_in_appends_through_variable_expansion() {
        let joined = format!(
            "{DEBIAN_DEFAULT_GRUB}{}",
            "# /etc/default/grub.d/iommu.cfg\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt\"\n"
        );
        let line = u64::try_from(DEBIAN_DEFAULT_GRUB.lines().count()).unwrap() + 2;
        assert_eq!(parse_default_grub(&joined), Some(("quiet intel_iommu=on iommu=pt".to_string(), line)));
    }

    #[test]
    fn braced_expansion_and_plus_equals() {
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on\"\nGRUB_CMDLINE_LINUX_DEFAULT+=\" iommu=pt\"\n";
        assert_eq!(parse_default_grub(text), Some(("quiet intel_iommu=on iommu=pt".to_string(), 3)));
    }

    #[test]
    fn expansion_of_an_unset_variable_is_empty() {
        assert_eq!(
            parse_default_grub("GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT iommu=pt\"\n"),
            Some(("iommu=pt".to_string(), 1))
        );
    }

    #[test]
    fn other_variables_expand_too() {
        let text = "IOMMU=\"intel_iommu=on iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet $IOMMU\"\n";
        assert_eq!(parse_default_grub(text), Some(("quiet intel_iommu=on iommu=pt".to_string(), 2)));
    }

    #[test]
    fn export_prefix_and_semicolons() {
        let text = "export GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"; GRUB_CMDLINE_LINUX=\"nomodeset\"\n";
        assert_eq!(parse_default_grub(text), Some(("nomodeset quiet".to_string(), 1)));
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        let text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \\\n  intel_iommu=on \\\"x\\\" \\q\"\n";
        assert_eq!(parse_default_grub(text), Some(("quiet   intel_iommu=on \"x\" \\q".to_string(), 1)));
        let multi_line = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n intel_iommu=on\"\nGRUB_TIMEOUT=1\n";
        assert_eq!(parse_default_grub(multi_line), Some(("quiet\n intel_iommu=on".to_string(), 1)));
    }

    #[test]
    fn non_assignment_lines_are_skipped() {
        let text =
            "if [ -e /etc/foo ]; then\n  GRUB_CMDLINE_LINUX=\"foo\"\nfi\necho hi\nGRUB_DEFAULT=saved\n";
        assert_eq!(parse_default_grub(text), Some(("foo".to_string(), 2)));
    }

    #[test]
    fn neither_variable_assigned_is_none() {
        assert_eq!(parse_default_grub(""), None);
        assert_eq!(parse_default_grub("GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\n"), None);
        assert_eq!(parse_default_grub("GRUB_CMDLINE_LINUX_DEFAULTX=\"quiet\"\n"), None);
    }

    #[test]
    fn empty_assignments_still_count() {
        assert_eq!(
            parse_default_grub("GRUB_CMDLINE_LINUX_DEFAULT=\"\"\nGRUB_CMDLINE_LINUX=\n"),
            Some((String::new(), 2))
        );
    }

    #[test]
    fn broken_shell_does_not_panic() {
        for text in
            ["GRUB_CMDLINE_LINUX=\"unterminated", "A='x", "A=`x", "A=${", "A=\\", "=x", "+=", "export"]
        {
            let _ = parse_default_grub(text);
        }
        assert_eq!(
            parse_default_grub("GRUB_CMDLINE_LINUX=\"unterminated quote"),
            Some(("unterminated quote".to_string(), 1))
        );
    }

    /// A systemd-boot entry as proxmox-boot-tool writes it (`zz-proxmox-boot`).
    const PROXMOX_LOADER_ENTRY: &str = "\
title    Proxmox Virtual Environment
version  6.8.12-4-pve
options  root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on
linux    /EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve
initrd   /EFI/proxmox/6.8.12-4-pve/initrd.img-6.8.12-4-pve
";

    #[test]
    fn proxmox_loader_entry_options() {
        assert_eq!(
            parse_loader_entry_options(PROXMOX_LOADER_ENTRY),
            Some(("root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on".to_string(), 3))
        );
    }

    #[test]
    fn loader_entry_single_space_tab_and_comments() {
        let text = "# Boot Loader Specification type#1 entry\ntitle Proxmox Virtual Environment\nversion 6.8.12-4-pve\n#options ignored\noptions\troot=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on\nlinux /EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve\n";
        assert_eq!(
            parse_loader_entry_options(text),
            Some(("root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on".to_string(), 5))
        );
    }

    #[test]
    fn loader_entry_multiple_options_lines_are_joined() {
        let text = "title Arch Linux\nlinux /vmlinuz-linux\noptions root=UUID=1234 rw\noptions intel_iommu=on iommu=pt\n";
        assert_eq!(
            parse_loader_entry_options(text),
            Some(("root=UUID=1234 rw intel_iommu=on iommu=pt".to_string(), 3))
        );
    }

    #[test]
    fn loader_entry_without_options() {
        assert_eq!(parse_loader_entry_options("title x\nlinux /vmlinuz\noptionsfoo bar\n"), None);
        assert_eq!(parse_loader_entry_options(""), None);
        assert_eq!(parse_loader_entry_options("options\n"), Some((String::new(), 1)));
    }
}
