//! `/etc/os-release` (`man 5 os-release`).
//!
//! The file is a list of shell-compatible `KEY=value` assignments: values with spaces are
//! in double or single quotes, and `$`, quotes, backslash and backtick are escaped with a
//! backslash. Lines starting with `#` are comments. Proxmox VE keeps Debian's file
//! unchanged, so it reads as `ID=debian`.

use engine::facts::Distro;

/// `None` when the text has no non-empty `ID`.
pub fn parse_os_release(text: &str) -> Option<Distro> {
    let mut distro = Distro::default();
    for (key, value) in text.lines().filter_map(assignment) {
        match key {
            "ID" => distro.id = value,
            "ID_LIKE" => distro.id_like = value.split_whitespace().map(str::to_string).collect(),
            "VERSION_ID" => distro.version_id = non_empty(value),
            "PRETTY_NAME" => distro.pretty_name = non_empty(value),
            _ => {}
        }
    }
    (!distro.id.is_empty()).then_some(distro)
}

fn assignment(line: &str) -> Option<(&str, String)> {
    let line = line.trim();
    if line.starts_with('#') {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    Some((key.trim(), unquote(value.trim())))
}

/// Removes one level of shell quoting: `'…'` is literal, `"…"` and bare values drop the
/// backslash before an escaped character. Text after a closing quote is ignored.
fn unquote(value: &str) -> String {
    let mut chars = value.chars();
    match value.chars().next() {
        Some('\'') => {
            chars.next();
            chars.take_while(|c| *c != '\'').collect()
        }
        Some('"') => {
            chars.next();
            unescape_until(chars, Some('"'))
        }
        _ => unescape_until(chars, None),
    }
}

fn unescape_until(mut chars: std::str::Chars<'_>, close: Option<char>) -> String {
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c if Some(c) == close => break,
            c => out.push(c),
        }
    }
    out
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Debian 12, which is also what a Proxmox VE 8 host has.
    const DEBIAN_12: &str = r#"PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"#;

    #[test]
    fn debian_bookworm_and_proxmox() {
        assert_eq!(
            parse_os_release(DEBIAN_12),
            Some(Distro {
                id: "debian".into(),
                id_like: vec![],
                version_id: Some("12".into()),
                pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            })
        );
    }

    #[test]
    fn arch_has_no_version_id() {
        let text = r#"NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
DOCUMENTATION_URL="https://wiki.archlinux.org/"
SUPPORT_URL="https://bbs.archlinux.org/"
BUG_REPORT_URL="https://gitlab.archlinux.org/groups/archlinux/-/issues"
PRIVACY_POLICY_URL="https://terms.archlinux.org/docs/privacy-policy/"
LOGO=archlinux-logo
"#;
        assert_eq!(
            parse_os_release(text),
            Some(Distro {
                id: "arch".into(),
                id_like: vec![],
                version_id: None,
                pretty_name: Some("Arch Linux".into()),
            })
        );
    }

    #[test]
    fn fedora() {
        let text = r#"NAME="Fedora Linux"
VERSION="40 (Workstation Edition)"
ID=fedora
VERSION_ID=40
VERSION_CODENAME=""
PLATFORM_ID="platform:f40"
PRETTY_NAME="Fedora Linux 40 (Workstation Edition)"
ANSI_COLOR="0;38;2;60;110;180"
LOGO=fedora-logo-icon
CPE_NAME="cpe:/o:fedoraproject:fedora:40"
DEFAULT_HOSTNAME="fedora"
HOME_URL="https://fedoraproject.org/"
SUPPORT_END=2025-05-13
VARIANT="Workstation Edition"
VARIANT_ID=workstation
"#;
        let distro = parse_os_release(text);
        assert_eq!(distro.as_ref().map(|d| d.id.as_str()), Some("fedora"));
        assert_eq!(distro.as_ref().and_then(|d| d.version_id.as_deref()), Some("40"));
        assert_eq!(
            distro.as_ref().and_then(|d| d.pretty_name.as_deref()),
            Some("Fedora Linux 40 (Workstation Edition)")
        );
    }

    #[test]
    fn id_like_is_split() {
        let text = "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n";
        let distro = parse_os_release(text);
        assert_eq!(distro.map(|d| d.id_like), Some(vec!["rhel".into(), "centos".into(), "fedora".into()]));
        let ubuntu = parse_os_release("ID=ubuntu\nID_LIKE=debian\n");
        assert_eq!(ubuntu.map(|d| d.id_like), Some(vec!["debian".to_string()]));
    }

    #[test]
    fn single_quotes_escapes_and_comments() {
        let text = "# comment\nID='debian'\nPRETTY_NAME=\"A \\\"quoted\\\" \\$name\"\n";
        let distro = parse_os_release(text);
        assert_eq!(distro.as_ref().map(|d| d.id.as_str()), Some("debian"));
        assert_eq!(distro.and_then(|d| d.pretty_name), Some("A \"quoted\" $name".to_string()));
    }

    #[test]
    fn later_assignment_wins() {
        let distro = parse_os_release("ID=debian\nID=ubuntu\n");
        assert_eq!(distro.map(|d| d.id), Some("ubuntu".to_string()));
    }

    #[test]
    fn no_id_is_none() {
        assert_eq!(parse_os_release(""), None);
        assert_eq!(parse_os_release("NAME=\"Linux\"\nVERSION_ID=1\n"), None);
        assert_eq!(parse_os_release("ID=\"\"\n"), None);
        assert_eq!(parse_os_release("#ID=debian\n"), None);
        assert_eq!(
            parse_os_release("ID=\"unterminated\\"),
            Some(Distro { id: "unterminated".into(), ..Distro::default() })
        );
    }
}
