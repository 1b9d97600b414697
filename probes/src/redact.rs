//! Redaction of a captured host tree for report bundles: the zip users attach to forum
//! threads must not carry host names, addresses, serial numbers, user names or secrets.
//!
//! [`redact_tree`] works in three passes over a [`MemTree`]:
//!
//! 1. **Collect** the values to hide, from where they are defined (`/etc/hostname`,
//!    `/etc/hosts`, journal host fields, Proxmox node folders and UPIDs, DMI serial
//!    files, `/etc/machine-id`, VM configs and libvirt XML, `/home/<user>`) and by their
//!    shape anywhere in text (IPv4, IPv6, MAC addresses, UUIDs). Each distinct value gets
//!    a token in first-seen order of the sorted tree: `host-1`, `192.0.2.1`, …
//! 2. **Decide** where each value is replaced. Most are replaced everywhere they stand as
//!    a whole word, so a host name in a log line nobody anticipated still goes. A value
//!    that is also an ordinary word of the system (`pve`, the Proxmox default host name,
//!    is also the folder `/etc/pve`; a VM called `debian` meets `ID=debian`), or that is
//!    too short or all digits to be told from data, is replaced only where it was found,
//!    so the snapshot keeps its meaning.
//! 3. **Rewrite** paths, link targets and contents. Binary files (raw, or stored as
//!    `.hex` dumps) get the replacements of the values that go everywhere, wherever their
//!    bytes hold one as ASCII; PCI config space keeps its length and has only its Device
//!    Serial Number capability zeroed (in `config`, `config.hex` and `lspci -xxxx`), and
//!    `vpd` files are zeroed whole.
//!
//! Tokens keep the format of what they replace (MACs stay locally administered MACs,
//! UUIDs stay UUIDs, addresses come from the documentation ranges), so the redacted tree
//! still parses and gives the same findings.
//!
//! What cannot be redacted: free text (a VM description, a comment) that holds a secret
//! with no key in front of it; a value shorter than three characters or all digits, or
//! one that is also a system word, where it stands outside the places it was defined; a
//! value inside a binary file stored in another encoding than ASCII/UTF-8.

/// Files that define the host's identity (names, machine id). A capture meant for
/// redaction reads them, so their values are known and replaced wherever they appear.
pub const IDENTITY_FILES: [&str; 5] =
    ["etc/hostname", "proc/sys/kernel/hostname", "etc/hosts", "etc/machine-id", "etc/resolv.conf"];

use crate::host::{MemEntry, MemTree};
use crate::parse::hexdump::{parse_hexdump, write_hexdump};
use regex::Regex;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::Ipv6Addr;
use std::ops::Range;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RedactOptions {
    /// Also hide VM names (`--redact-vm-names`): they are often harmless and help the
    /// reader, so they stay unless asked.
    pub vm_names: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redaction {
    /// Distinct values replaced, by kind (`hostname`, `fqdn`, `ipv4`, `ipv6`, `mac`, `serial`, `uuid`, `user`, `secret`, `vm-name`).
    pub counts: BTreeMap<String, usize>,
    /// original → token; stays on the user's machine, never in the bundle.
    pub map: BTreeMap<String, String>,
}

/// Redacts every path, link target and file of `tree`; see the module documentation.
pub fn redact_tree(tree: &MemTree, options: &RedactOptions) -> (MemTree, Redaction) {
    let finder = Finder { vm_names: options.vm_names };
    let mut registry = Registry::default();
    let mut vocabulary = Vocabulary::default();
    for (path, entry) in tree.entries() {
        let path_values = finder.in_path(path);
        registry.register_all(path, &path_values);
        vocabulary.add_outside(path, &path_values);
        match entry {
            MemEntry::Link(target) => {
                let target_values = finder.in_path(target);
                registry.register_all(target, &target_values);
                vocabulary.add_outside(target, &target_values);
            }
            MemEntry::File(bytes) => {
                if let Some(text) = text_content(path, bytes) {
                    registry.register_all(text, &finder.in_file(path, text));
                    if is_vocabulary_source(path) {
                        vocabulary.add_outside(text, &[]);
                    }
                }
            }
            MemEntry::Dir => {}
        }
    }
    let matcher = Matcher::new(
        registry
            .tokens
            .iter()
            .filter(|(value, _)| {
                registry.kinds.get(*value).is_some_and(|k| vocabulary.replace_everywhere(*k, value))
            })
            .map(|(value, token)| (value.as_str(), token.as_str())),
    );
    let rewriter = Rewriter { finder, tokens: &registry.tokens, matcher };
    let mut redacted = MemTree::new();
    for (path, entry) in tree.entries() {
        let entry = match entry {
            MemEntry::Dir => MemEntry::Dir,
            MemEntry::Link(target) => MemEntry::Link(rewriter.path(target)),
            MemEntry::File(bytes) => MemEntry::File(rewriter.file(path, bytes)),
        };
        // Tokens hold no `/` and no `..`, so a rewritten path is as valid as the original
        // and this cannot fail; an entry that did would be left out, never leaked.
        let _ = redacted.insert(&rewriter.path(path), entry);
    }
    let counts = registry.counts.iter().map(|(kind, n)| (kind.name().to_string(), *n)).collect();
    (redacted, Redaction { counts, map: registry.tokens })
}

/// What a value is, which decides its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Hostname,
    /// The domain part of a fully qualified name (`home.lan` in `pve1.home.lan`); the
    /// first label is a [`Kind::Hostname`].
    Fqdn,
    Ipv4,
    Ipv6,
    Mac,
    Serial,
    Uuid,
    User,
    Secret,
    VmName,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Hostname => "hostname",
            Kind::Fqdn => "fqdn",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Mac => "mac",
            Kind::Serial => "serial",
            Kind::Uuid => "uuid",
            Kind::User => "user",
            Kind::Secret => "secret",
            Kind::VmName => "vm-name",
        }
    }

    /// Values recognised by their shape, which nothing else in a snapshot shares.
    fn has_shape(self) -> bool {
        matches!(self, Kind::Ipv4 | Kind::Ipv6 | Kind::Mac | Kind::Uuid)
    }
}

/// A value found in a text: its byte range there and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    range: Range<usize>,
    kind: Kind,
}

// ---------------------------------------------------------------------------------------
// Where values are defined
// ---------------------------------------------------------------------------------------

/// Which files a context rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every text, path and link target.
    Anywhere,
    /// VM configurations and logs: Proxmox, libvirt, QEMU command lines.
    VmText,
    /// Proxmox `key: value` configs (`/etc/pve/…/*.conf`).
    PveConfig,
}

/// Where VM configurations, task logs and QEMU command lines are kept.
const VM_TEXT_PREFIXES: [&str; 6] = [
    "etc/pve/",
    "etc/libvirt/",
    "var/log/libvirt/",
    "var/log/pve/",
    "cmd/journalctl-vm-starts",
    "cmd/start-error",
];

impl Scope {
    fn covers(self, path: &str) -> bool {
        match self {
            Scope::Anywhere => true,
            Scope::VmText => VM_TEXT_PREFIXES.iter().any(|p| path.starts_with(p)),
            Scope::PveConfig => path.starts_with("etc/pve/") && path.ends_with(".conf"),
        }
    }
}

/// A value in context: the first group of `regex` that took part in a match is the value.
struct Rule {
    kind: Kind,
    scope: Scope,
    regex: Regex,
}

fn rule(kind: Kind, scope: Scope, pattern: &str) -> Rule {
    Rule { kind, scope, regex: Regex::new(pattern).expect("valid regex") }
}

/// A key's value in a property string or XML attribute, quoted or not.
const KEYED_VALUE: &str = r#"(?:'([^']*)'|"([^"]*)"|([^,\s'"<>]+))"#;

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Kind::*;
    use Scope::*;
    vec![
        // Proxmox: `/etc/pve/nodes/<node>/…` (and the links `qemu-server -> nodes/<node>/qemu-server`,
        // `local -> nodes/<node>`), and `UPID:<node>:<pid>:<pstart>:<start>:<type>:<id>:<user>@<realm>:`
        // (`upid_encode`, pve-common `src/PVE/Tools.pm`), in file names, logs and the manifest.
        rule(Hostname, Anywhere, r#"(?:^|etc/pve/)nodes/([^/\s"'<>]+)"#),
        rule(Hostname, Anywhere, r"UPID:([^:\s/]+):[0-9A-Fa-f]+:"),
        rule(User, Anywhere, r"UPID:[^:\s/]+(?::[0-9A-Fa-f]+){3}:[^:\s/]*:[^:\s/]*:([^@:\s/]+)@"),
        // pvedaemon's `<root@pam> starting task …` (a realm has no dots, unlike the mail
        // addresses in kernel banners), and users of the built-in realms.
        rule(User, Anywhere, r"<([^<>@\s]+)@[A-Za-z0-9_-]+>"),
        rule(User, Anywhere, r"\b([A-Za-z0-9][A-Za-z0-9._-]*)@(?:pam|pve)\b"),
        rule(User, Anywhere, r#"(?m)(?:^|/)home/([^/\s"'<>:,;=()\[\]]+)"#),
        // systemd (`hostname-setup.c`): `Hostname set to <pve1>.`, older `Set hostname to <…>`.
        rule(Hostname, Anywhere, r"(?:Hostname set to|Set hostname to) <([^<>\s]+)>"),
        // Journal lines (domain.md 0.2): `Jun 29 18:28:41 hp-4300G kernel: …`, and short-iso.
        rule(
            Hostname,
            Anywhere,
            r"(?m)^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} ([^\s:\[\]]+) [^\s:]+:",
        ),
        rule(Hostname, Anywhere, r"(?m)^[0-9]{4}-[0-9]{2}-[0-9]{2}T\S+ ([^\s:\[\]]+) [^\s:]+:"),
        // lspci -vvv (`pciutils: ls-ecaps.c`, `ls-vpd.c`): `Device Serial Number 00-11-…`,
        // `[SN] Serial number: …`, `[YA] Asset tag: …`.
        rule(Serial, Anywhere, r"Device Serial Number ([0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7})"),
        rule(Serial, Anywhere, r"(?m)\[(?:SN|YA)\] (?:Serial number|Asset tag): (.+?)[ \t\r]*$"),
        // libvirt names its config and log after the domain.
        rule(VmName, Anywhere, r#"etc/libvirt/qemu/([^/\s"'<>]+)\.xml"#),
        rule(VmName, Anywhere, r#"var/log/libvirt/qemu/([^/\s"'<>]+)\.log"#),
        // Secrets in `args:`, QEMU command lines and libvirt XML (`passwd='…'`).
        rule(Secret, VmText, &format!(r"(?i)\b[a-z_-]*(?:password|passwd|token|secret|key)={KEYED_VALUE}")),
        rule(Secret, VmText, r"-object\s+'?secret,[^\s']*?\bdata=([^,\s']+)"),
        rule(Secret, VmText, r#""qom-type":"secret"[^}]*?"data":"([^"]+)""#),
        // Disk and SMBIOS serials: `serial=` in Proxmox drives and `smbios1:`, QEMU `-smbios`;
        // libvirt `<serial>` and `<sysinfo>` entries; disks named by id carry model and serial.
        rule(Serial, VmText, &format!(r#"(?:^|[,\s'"])serial={KEYED_VALUE}"#)),
        rule(Serial, VmText, r"<serial>([^<]+)</serial>"),
        rule(Serial, VmText, r#"<entry name=['"](?:serial|asset)['"]>([^<]+)</entry>"#),
        rule(Serial, VmText, r#"/dev/disk/by-id/([^,\s'"<>/]+)"#),
        // Proxmox resource mappings (`map node=pve1,path=…`, domain.md 6.4); libvirt's
        // `hostname:` on each `starting up` line; VNC/SPICE user names.
        rule(Hostname, VmText, r"(?:^|[,\s])node=([^,\s]+)"),
        rule(Hostname, VmText, r"\bhostname: ([^\s,]+)"),
        rule(User, VmText, r#"username=['"]([^'"]+)['"]"#),
        rule(VmName, VmText, r"<name>([^<]+)</name>"),
        rule(VmName, VmText, r"<title>([^<]+)</title>"),
        rule(VmName, VmText, r"-name\s+'?(?:guest=)?([^,\s']+)"),
        rule(VmName, VmText, r#"/domain-[0-9]+-([^/\s,'"<>]+)"#),
        rule(VmName, VmText, r#"nvram/([^/\s'"<>]+?)_VARS\.fd"#),
        // Proxmox VM and container configs (domain.md 6.1), one `key: value` a line.
        rule(Secret, PveConfig, r"(?m)^cipassword:[ \t]*(.+?)[ \t\r]*$"),
        rule(Secret, PveConfig, r"(?m)^sshkeys:[ \t]*(.+?)[ \t\r]*$"),
        rule(User, PveConfig, r"(?m)^ciuser:[ \t]*(.+?)[ \t\r]*$"),
        rule(VmName, PveConfig, r"(?m)^name:[ \t]*(.+?)[ \t\r]*$"),
        rule(Hostname, PveConfig, r"(?m)^hostname:[ \t]*(.+?)[ \t\r]*$"),
        rule(Fqdn, PveConfig, r"(?m)^searchdomain:[ \t]*(.+?)[ \t\r]*$"),
    ]
});

/// DMI attributes that identify one machine (`/sys/class/dmi/id/`).
const DMI_SERIALS: [&str; 5] =
    ["product_serial", "board_serial", "chassis_serial", "board_asset_tag", "chassis_asset_tag"];
const HOSTNAME_FILES: [&str; 3] = ["etc/hostname", "proc/sys/kernel/hostname", "etc/mailname"];
const MACHINE_ID_FILES: [&str; 2] = ["etc/machine-id", "var/lib/dbus/machine-id"];

/// Finds the values to hide in one text.
#[derive(Debug, Clone, Copy)]
struct Finder {
    vm_names: bool,
}

impl Finder {
    /// Values in a path or link target: names in folder and file names, and shapes.
    fn in_path(self, path: &str) -> Vec<Found> {
        let mut found = Vec::new();
        self.by_rules(path, path, true, &mut found);
        by_shape(path, &mut found);
        sorted(found)
    }

    /// Values in a file's text: its context rules, whole-file definitions and shapes.
    fn in_file(self, path: &str, text: &str) -> Vec<Found> {
        let mut found = Vec::new();
        self.by_rules(path, text, false, &mut found);
        whole_file(path, text, &mut found);
        by_shape(text, &mut found);
        sorted(found)
    }

    fn by_rules(self, path: &str, text: &str, is_path: bool, found: &mut Vec<Found>) {
        let rules = RULES.iter().filter(|r| r.kind != Kind::VmName || self.vm_names);
        for rule in rules.filter(|r| if is_path { r.scope == Scope::Anywhere } else { r.scope.covers(path) })
        {
            for captures in rule.regex.captures_iter(text) {
                if let Some(value) = captures.iter().skip(1).flatten().next() {
                    push_value(rule.kind, value.range(), text, found);
                }
            }
        }
    }
}

fn sorted(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by_key(|f| (f.range.start, f.range.end));
    found.dedup();
    found
}

/// Files that are a value, or list values, as a whole.
fn whole_file(path: &str, text: &str, found: &mut Vec<Found>) {
    let name = path.rsplit('/').next().unwrap_or(path);
    if HOSTNAME_FILES.contains(&path) {
        push_value(Kind::Hostname, trimmed(text, 0..text.len()), text, found);
    } else if MACHINE_ID_FILES.contains(&path) {
        push_value(Kind::Uuid, trimmed(text, 0..text.len()), text, found);
    } else if path.contains("dmi/id/") && DMI_SERIALS.contains(&name) {
        push_value(Kind::Serial, trimmed(text, 0..text.len()), text, found);
    } else if path.contains("dmi/id/") && name == "product_uuid" {
        push_value(Kind::Uuid, trimmed(text, 0..text.len()), text, found);
    } else if path == "etc/hosts" {
        hosts_file(text, found);
    } else if path == "etc/resolv.conf" {
        resolv_conf(text, found);
    }
}

/// `/etc/hosts`: `address name alias…`; every name is a host.
fn hosts_file(text: &str, found: &mut Vec<Found>) {
    for (line_start, line) in lines(text) {
        let content = line.split('#').next().unwrap_or("");
        for (offset, name) in fields(content).skip(1) {
            let start = line_start + offset;
            push_value(Kind::Hostname, start..start + name.len(), text, found);
        }
    }
}

/// `/etc/resolv.conf`: the domains of `search` and `domain` lines.
fn resolv_conf(text: &str, found: &mut Vec<Found>) {
    for (line_start, line) in lines(text) {
        let mut fields = fields(line);
        if !matches!(fields.next(), Some((_, "search" | "domain"))) {
            continue;
        }
        for (offset, domain) in fields {
            let start = line_start + offset;
            push_value(Kind::Fqdn, start..start + domain.len(), text, found);
        }
    }
}

/// Records `text[range]` as a value of `kind`, unless it is one that is not personal. A
/// host name with a domain gives the host and the domain; a domain list gives each domain.
fn push_value(kind: Kind, range: Range<usize>, text: &str, found: &mut Vec<Found>) {
    let Some(value) = text.get(range.clone()) else { return };
    match kind {
        Kind::Hostname => host_name(range.start, value, found),
        Kind::Fqdn => {
            for (offset, domain) in value.split([' ', ',', ';']).scan(0, |at, piece| {
                let start = *at;
                *at += piece.len() + 1;
                Some((start, piece))
            }) {
                if is_domain(domain) {
                    let start = range.start + offset;
                    found.push(Found { range: start..start + domain.len(), kind });
                }
            }
        }
        _ if is_kept(kind, value) => {}
        _ => found.push(Found { range, kind }),
    }
}

/// `pve1` is a host; `pve1.home.lan` is the host `pve1` in the domain `home.lan`.
fn host_name(start: usize, value: &str, found: &mut Vec<Found>) {
    if is_kept(Kind::Hostname, value) || value.parse::<std::net::IpAddr>().is_ok() {
        return;
    }
    let (label, domain) = value.split_once('.').unwrap_or((value, ""));
    if !label.is_empty() && !is_kept(Kind::Hostname, label) {
        found.push(Found { range: start..start + label.len(), kind: Kind::Hostname });
    }
    if is_domain(domain) {
        let domain_start = start + label.len() + 1;
        found.push(Found { range: domain_start..domain_start + domain.len(), kind: Kind::Fqdn });
    }
}

/// A domain worth hiding has two labels at least: `lan` or `localdomain` tell nothing.
fn is_domain(value: &str) -> bool {
    let labels = value.trim_end_matches('.').split('.');
    labels.clone().count() >= 2 && labels.clone().all(|l| !l.is_empty())
}

/// Host names every system has (`/etc/hosts` of Debian and Proxmox).
const PUBLIC_HOSTNAMES: [&str; 4] = ["localhost", "localhost.localdomain", "localdomain", "(none)"];
/// Option values that are switches, not secrets (`-vnc …,password=on`).
const SWITCH_VALUES: [&str; 9] = ["on", "off", "yes", "no", "true", "false", "0", "1", "none"];
/// Placeholders firmware vendors leave in DMI and VPD serial fields (lower case).
const SERIAL_PLACEHOLDERS: [&str; 11] = [
    "o.e.m",
    "default string",
    "not specified",
    "not applicable",
    "serial number",
    "asset tag",
    "to be filled",
    "none",
    "n/a",
    "unknown",
    "123456789",
];

/// Values that are not personal and stay as they are.
fn is_kept(kind: Kind, value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.trim().is_empty()
        || match kind {
            Kind::Hostname => PUBLIC_HOSTNAMES.contains(&lower.as_str()) || lower.starts_with("ip6-"),
            Kind::User => value == "root",
            Kind::Secret => SWITCH_VALUES.contains(&lower.as_str()),
            Kind::Serial => {
                SERIAL_PLACEHOLDERS.iter().any(|p| lower.contains(p)) || is_one_repeated_char(value)
            }
            Kind::Uuid => is_one_repeated_char(value),
            _ => false,
        }
}

/// `00000000-0000-…`, `ff-ff-…`, `XXXXXXXX`: filler, not an identity.
fn is_one_repeated_char(value: &str) -> bool {
    let mut chars = value.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase());
    chars.next().is_none_or(|first| chars.all(|c| c == first))
}

// ---------------------------------------------------------------------------------------
// Values recognised by their shape
// ---------------------------------------------------------------------------------------

static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}").expect("valid regex"));
/// A run of hex digits, colons and dots with two colons at least: the candidates for IPv6.
static IPV6_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*").expect("valid regex"));
static MAC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}")
        .expect("valid regex")
});
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
        .expect("valid regex")
});

fn by_shape(text: &str, found: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    for m in IPV4.find_iter(text) {
        if is_ipv4_at(bytes, m.range()) {
            found.push(Found { range: m.range(), kind: Kind::Ipv4 });
        }
    }
    for m in IPV6_RUN.find_iter(text) {
        if let Some(range) = ipv6_in_run(bytes, m.range()) {
            found.push(Found { range, kind: Kind::Ipv6 });
        }
    }
    for m in MAC.find_iter(text) {
        if is_mac_at(bytes, m.range()) {
            found.push(Found { range: m.range(), kind: Kind::Mac });
        }
    }
    for m in UUID.find_iter(text) {
        let alone = !before(bytes, m.start()).is_some_and(is_word_byte)
            && !bytes.get(m.end()).copied().is_some_and(is_word_byte);
        if alone && !is_kept(Kind::Uuid, m.as_str()) {
            found.push(Found { range: m.range(), kind: Kind::Uuid });
        }
    }
}

fn before(bytes: &[u8], at: usize) -> Option<u8> {
    at.checked_sub(1).and_then(|i| bytes.get(i)).copied()
}

/// Four dotted decimal octets standing alone, as addresses are printed: no leading zeros
/// and nothing dotted around them, so `version 86.04.50.00.70` (an NVIDIA VBIOS) and
/// `6.8.12-4` stay. A `-` may join two (`10.0.0.10-10.0.0.99`). `0.0.0.0`, loopback and
/// `255.…` masks are not personal.
fn is_ipv4_at(bytes: &[u8], range: Range<usize>) -> bool {
    let joins = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let previous = before(bytes, range.start);
    let next = bytes.get(range.end).copied();
    let after_next = bytes.get(range.end + 1).copied();
    if previous.is_some_and(|b| joins(b) || b == b'.')
        || next.is_some_and(joins)
        || (next == Some(b'.') && after_next.is_some_and(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let Some(text) = bytes.get(range).and_then(|b| std::str::from_utf8(b).ok()) else { return false };
    let octets: Vec<&str> = text.split('.').collect();
    let plain = octets.iter().all(|o| (o.len() == 1 || !o.starts_with('0')) && o.parse::<u8>().is_ok());
    plain && !matches!(octets.first().copied(), Some("0" | "127" | "255"))
}

/// The IPv6 address in a run of hex digits, colons and dots, if it is one. Only forms
/// that cannot be anything else count: with `::` and three groups at least
/// (`fe80::be24:11ff:fe00:2`), or all eight groups. So PCI addresses (`0000:01:00.0`),
/// times (`18:28:41`), MACs and `fe80::1` stay; so do `::1`, `::` and multicast.
fn ipv6_in_run(bytes: &[u8], run: Range<usize>) -> Option<Range<usize>> {
    let text = std::str::from_utf8(bytes.get(run.clone())?).ok()?;
    // A lone `:` in front separates a label (`addr:fe80::…`); one dot or colon behind
    // ends a sentence or a label.
    let lead = usize::from(text.starts_with(':') && !text.starts_with("::"));
    let mut candidate = text.get(lead..)?.trim_end_matches('.');
    if candidate.ends_with(':') && !candidate.ends_with("::") {
        candidate = candidate.get(..candidate.len() - 1)?;
    }
    let start = run.start + lead;
    let range = start..start + candidate.len();
    let groups: Vec<&str> = candidate.split(':').filter(|g| !g.is_empty()).collect();
    let full_form = if candidate.contains("::") { groups.len() >= 3 } else { groups.len() == 8 };
    let address = candidate.parse::<Ipv6Addr>().ok()?;
    let alone = !before(bytes, range.start).is_some_and(is_word_byte)
        && !bytes.get(range.end).copied().is_some_and(is_word_byte);
    // Byte dumps (`00:1a:…` in eight groups) have no group longer than two digits.
    let has_wide_group = groups.iter().any(|g| g.len() > 2);
    let public = address.is_unspecified() || address.is_loopback() || address.is_multicast();
    (full_form && alone && has_wide_group && !public).then_some(range)
}

/// Six hex pairs joined by `:` or `-`, not part of a longer run (a DSN has eight pairs).
/// The all-zero and broadcast addresses are not personal.
fn is_mac_at(bytes: &[u8], range: Range<usize>) -> bool {
    let separator = bytes.get(range.start + 2).copied();
    let continues =
        |sep: Option<u8>, hex: Option<u8>| sep == separator && hex.is_some_and(|b| b.is_ascii_hexdigit());
    let previous = before(bytes, range.start);
    let next = bytes.get(range.end).copied();
    let alone = !previous.is_some_and(is_word_byte)
        && !next.is_some_and(is_word_byte)
        && !continues(previous, range.start.checked_sub(2).and_then(|i| bytes.get(i)).copied())
        && !continues(next, bytes.get(range.end + 1).copied());
    let text = bytes.get(range).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
    alone && !is_one_repeated_char(text)
}

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

/// Every value found, with its token. The first value of a kind gets number 1.
#[derive(Debug, Default)]
struct Registry {
    numbers: HashMap<(Kind, String), usize>,
    counts: BTreeMap<Kind, usize>,
    /// original → token
    tokens: BTreeMap<String, String>,
    kinds: HashMap<String, Kind>,
}

impl Registry {
    fn register_all(&mut self, text: &str, found: &[Found]) {
        for f in found {
            if let Some(value) = text.get(f.range.clone()) {
                self.register(f.kind, value);
            }
        }
    }

    /// Gives `value` its token. Spellings of one value (`BC:24:…` and `bc:24:…`) share
    /// a number, each keeping its own case and separators.
    fn register(&mut self, kind: Kind, value: &str) {
        if self.tokens.contains_key(value) {
            return;
        }
        let count = self.counts.entry(kind).or_default();
        let n = *self.numbers.entry((kind, canonical(kind, value))).or_insert_with(|| {
            *count += 1;
            *count
        });
        self.tokens.insert(value.to_string(), token(kind, n, value));
        self.kinds.insert(value.to_string(), kind);
    }
}

fn canonical(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Mac => value.to_ascii_lowercase().replace('-', ":"),
        Kind::Uuid => value.chars().filter(char::is_ascii_hexdigit).map(|c| c.to_ascii_lowercase()).collect(),
        Kind::Ipv6 => value.parse::<Ipv6Addr>().map_or_else(|_| value.to_string(), |a| a.to_string()),
        _ => value.to_string(),
    }
}

/// The documentation networks (RFC 5737), then the benchmarking range (RFC 2544).
const TEST_NETS: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];

fn token(kind: Kind, n: usize, value: &str) -> String {
    let upper = value.chars().any(|c| c.is_ascii_uppercase());
    let case = |s: String| if upper { s.to_ascii_uppercase() } else { s };
    match kind {
        Kind::Hostname => format!("host-{n}"),
        Kind::Fqdn => format!("domain-{n}.example"),
        Kind::Ipv4 => {
            let index = n.saturating_sub(1);
            let host = index % 254 + 1;
            match TEST_NETS.get(index / 254) {
                Some([a, b, c]) => format!("{a}.{b}.{c}.{host}"),
                None => {
                    let block = index / 254 - TEST_NETS.len();
                    format!("198.{}.{}.{host}", 18 + (block / 256) % 2, block % 256)
                }
            }
        }
        Kind::Ipv6 if n > 0xffff => format!("2001:db8::{:x}:{:x}", (n >> 16) & 0xffff, n & 0xffff),
        Kind::Ipv6 => format!("2001:db8::{n:x}"),
        Kind::Mac => {
            // 0x02: a locally administered unicast address, never a vendor's.
            let separator = if value.contains('-') { "-" } else { ":" };
            let octets = [0x02, 0, 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
            case(octets.iter().map(|o| format!("{o:02x}")).collect::<Vec<_>>().join(separator))
        }
        Kind::Uuid if value.contains('-') => case(format!("00000000-0000-0000-0000-{n:012x}")),
        Kind::Uuid => case(format!("{n:032x}")),
        Kind::Serial => format!("serial-{n}"),
        Kind::User => format!("user-{n}"),
        Kind::Secret => format!("secret-{n}"),
        Kind::VmName => format!("vm-{n}"),
    }
}

// ---------------------------------------------------------------------------------------
// Where values are replaced
// ---------------------------------------------------------------------------------------

/// Words the system itself uses, which a name may share: folder and file names outside
/// the places where names are defined, and the words of files that describe the
/// system rather than its owner. A value that is one of them is replaced only where
/// it was found.
#[derive(Debug, Default)]
struct Vocabulary<'t> {
    words: HashSet<&'t str>,
}

/// Files whose words are the system's: kernel, modules, devices, distribution. Files
/// that may hold a personal value (`proc/cmdline` can carry `ip=…:<host>:…`, DMI has
/// serials, `lspci -vvv` has VPD) are left out, so that value is still hidden everywhere.
const VOCABULARY_SOURCES: [&str; 16] = [
    "proc/modules",
    "proc/cpuinfo",
    "proc/interrupts",
    "proc/iomem",
    "proc/sys/kernel/osrelease",
    "sys/",
    "lib/modules/",
    "lib/modprobe.d/",
    "usr/lib/modprobe.d/",
    "usr/lib/os-release",
    "etc/os-release",
    "etc/modprobe.d/",
    "etc/modules",
    "cmd/lspci-nnk",
    "cmd/pveversion-v",
    "cmd/systemd-detect-virt",
];

/// Words of Proxmox VM configs that a VM or host could be named after (`ostype`, `bios`,
/// `vga`, `cpu` values, domain.md 6.3).
const CONFIG_WORDS: [&str; 20] = [
    "win11", "win10", "win8", "win7", "wvista", "w2k8", "w2k3", "w2k", "wxp", "l24", "l26", "solaris",
    "other", "host", "ovmf", "seabios", "q35", "virtio", "qxl", "vmware",
];

fn is_vocabulary_source(path: &str) -> bool {
    VOCABULARY_SOURCES.iter().any(|p| path.starts_with(p))
        && !path.contains("dmi/id/")
        && !path.ends_with("/vpd")
}

impl<'t> Vocabulary<'t> {
    /// Adds the words of `text` that lie outside every found value.
    fn add_outside(&mut self, text: &'t str, found: &[Found]) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let end = word_end(bytes, i);
            if end == i {
                i += 1;
                continue;
            }
            if !found.iter().any(|f| f.range.start < end && i < f.range.end) {
                if let Some(word) = text.get(i..end) {
                    self.words.insert(word);
                }
            }
            i = end;
        }
    }

    /// Shapes go everywhere; a name only when it is long enough to be told from data
    /// and is no word of the system.
    fn replace_everywhere(&self, kind: Kind, value: &str) -> bool {
        let one_word = word_end(value.as_bytes(), 0) == value.len();
        kind.has_shape()
            || (value.chars().count() >= 3
                && !value.bytes().all(|b| b.is_ascii_digit())
                && !(one_word && (self.words.contains(value) || CONFIG_WORDS.contains(&value))))
    }
}

/// Bytes that continue a word: a value never matches inside one. `-` counts, so the host
/// `proxmox` stays inside `proxmox-boot-tool` and the kernel `6.8.12-4-pve` keeps `pve`.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    bytes.get(start..).map_or(start, |rest| start + rest.iter().take_while(|b| is_word_byte(**b)).count())
}

/// Finds every value to replace everywhere, in one pass over the text: at each word start
/// only the values beginning with that word are tried (longest first), so the work stays
/// linear in the text for any number of values.
#[derive(Debug, Default)]
struct Matcher<'r> {
    /// Values that begin with a word, by that word.
    by_word: HashMap<&'r [u8], Vec<(&'r [u8], &'r str)>>,
    /// Values that begin with any other byte, by that byte.
    by_byte: HashMap<u8, Vec<(&'r [u8], &'r str)>>,
}

impl<'r> Matcher<'r> {
    fn new(values: impl Iterator<Item = (&'r str, &'r str)>) -> Self {
        let mut matcher = Matcher::default();
        for (value, token) in values {
            let bytes = value.as_bytes();
            let first_word = bytes.get(..word_end(bytes, 0)).unwrap_or_default();
            let candidates = match bytes.first() {
                None => continue,
                Some(_) if !first_word.is_empty() => matcher.by_word.entry(first_word).or_default(),
                Some(first) => matcher.by_byte.entry(*first).or_default(),
            };
            candidates.push((bytes, token));
        }
        for candidates in matcher.by_word.values_mut().chain(matcher.by_byte.values_mut()) {
            candidates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        }
        matcher
    }

    fn find(&self, hay: &[u8]) -> Vec<(Range<usize>, &'r str)> {
        let mut spans = Vec::new();
        let mut i = 0;
        while let Some(&b) = hay.get(i) {
            let word = word_end(hay, i);
            let candidates = if word > i {
                hay.get(i..word).and_then(|w| self.by_word.get(w))
            } else {
                self.by_byte.get(&b)
            };
            match candidates.and_then(|c| longest_at(hay, i, c)) {
                Some((len, token)) => {
                    spans.push((i..i + len, token));
                    i += len;
                }
                // No value starts inside a word, so skip the rest of it.
                None => i = word.max(i + 1),
            }
        }
        spans
    }
}

fn longest_at<'r>(hay: &[u8], at: usize, candidates: &[(&'r [u8], &'r str)]) -> Option<(usize, &'r str)> {
    let rest = hay.get(at..)?;
    candidates.iter().find_map(|(value, token)| {
        let ends_word = value.last().is_some_and(|b| is_word_byte(*b));
        let boundary = !ends_word || !hay.get(at + value.len()).is_some_and(|b| is_word_byte(*b));
        (rest.starts_with(value) && boundary).then_some((value.len(), *token))
    })
}

/// Replaces non-overlapping spans; where spans overlap, the one starting first (and then
/// the longest) wins.
fn apply(bytes: &[u8], mut spans: Vec<(Range<usize>, &str)>) -> Vec<u8> {
    spans.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (range, token) in spans {
        if range.start < at {
            continue;
        }
        out.extend_from_slice(bytes.get(at..range.start).unwrap_or_default());
        out.extend_from_slice(token.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(bytes.get(at..).unwrap_or_default());
    out
}

/// Rewrites paths and files with the collected tokens.
struct Rewriter<'r> {
    finder: Finder,
    tokens: &'r BTreeMap<String, String>,
    matcher: Matcher<'r>,
}

impl Rewriter<'_> {
    fn path(&self, path: &str) -> String {
        self.text(path, self.finder.in_path(path))
    }

    fn text(&self, text: &str, found: Vec<Found>) -> String {
        let mut spans = self.matcher.find(text.as_bytes());
        spans.extend(found.into_iter().filter_map(|f| {
            let token = self.tokens.get(text.get(f.range.clone())?)?;
            Some((f.range, token.as_str()))
        }));
        let bytes = apply(text.as_bytes(), spans);
        // Spans start and end on character boundaries (values are whole UTF-8 strings).
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    fn binary(&self, bytes: &[u8]) -> Vec<u8> {
        apply(bytes, self.matcher.find(bytes))
    }

    fn file(&self, path: &str, bytes: &[u8]) -> Vec<u8> {
        if is_config_space(path) {
            return zero_serial_numbers(bytes);
        }
        if is_vpd(path) {
            return vec![0; bytes.len()];
        }
        if let Some(stem) = path.strip_suffix(HEX_SUFFIX) {
            return self.hex_file(path, stem, bytes);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) if path == LSPCI_XXXX => {
                let zeroed = patch_hex_rows(text, dsn_ranges);
                self.text(&zeroed, self.finder.in_file(path, &zeroed)).into_bytes()
            }
            Ok(text) => self.text(text, self.finder.in_file(path, text)).into_bytes(),
            Err(_) => self.binary(bytes),
        }
    }

    /// A binary file stored as a hex dump (docs/snapshot-format.md): config space and VPD
    /// are patched in place; anything else is decoded, redacted and dumped again.
    fn hex_file(&self, path: &str, stem: &str, bytes: &[u8]) -> Vec<u8> {
        let Ok(text) = std::str::from_utf8(bytes) else { return self.binary(bytes) };
        if is_config_space(stem) {
            return patch_hex_rows(text, dsn_ranges).into_bytes();
        }
        if is_vpd(stem) {
            return patch_hex_rows(text, |image| std::iter::once(0..image.len()).collect()).into_bytes();
        }
        match parse_hexdump(text).as_deref() {
            Ok([dump]) => {
                let redacted = self.binary(&dump.bytes);
                if redacted == dump.bytes {
                    bytes.to_vec()
                } else {
                    write_hexdump(&redacted).into_bytes()
                }
            }
            _ => self.text(text, self.finder.in_file(path, text)).into_bytes(),
        }
    }
}

const HEX_SUFFIX: &str = ".hex";
const LSPCI_XXXX: &str = "cmd/lspci-xxxx";

/// A device's config space in sysfs (`…/<BDF>/config`).
fn is_config_space(path: &str) -> bool {
    path.starts_with("sys/") && path.ends_with("/config")
}

/// A device's Vital Product Data (`…/<BDF>/vpd`): part and serial numbers.
fn is_vpd(path: &str) -> bool {
    path.starts_with("sys/") && path.ends_with("/vpd")
}

/// The text of a file that is text: not config space, VPD or a hex dump of a binary file.
fn text_content<'t>(path: &str, bytes: &'t [u8]) -> Option<&'t str> {
    let binary = is_config_space(path) || is_vpd(path) || path.ends_with(HEX_SUFFIX);
    if binary {
        None
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

// ---------------------------------------------------------------------------------------
// PCI config space
// ---------------------------------------------------------------------------------------

/// Extended capabilities start after the 256 bytes of conventional config space.
const EXT_CAP_START: usize = 0x100;
/// Device Serial Number extended capability (PCIe base spec 7.9.3; `PCI_EXT_CAP_ID_DSN`).
const EXT_CAP_DSN: u32 = 0x0003;
/// The serial: two dwords after the capability header.
const DSN_LEN: usize = 8;
/// At most this many capabilities fit in 4 KiB; a longer walk is a loop (domain.md 3.5).
const EXT_CAP_LIMIT: usize = (4096 - 256) / 8;

/// The byte ranges of every Device Serial Number in `config`, walking the extended
/// capability list with bounds and a loop guard.
fn dsn_ranges(config: &[u8]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut at = EXT_CAP_START;
    for _ in 0..EXT_CAP_LIMIT {
        let Some(header) = config.get(at..at + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()) else { break };
        let header = u32::from_le_bytes(header);
        if header == 0 || header == u32::MAX {
            break;
        }
        if header & 0xffff == EXT_CAP_DSN {
            let start = at + 4;
            ranges.push(start..(start + DSN_LEN).min(config.len()));
        }
        let next = ((header >> 20) & 0xffc) as usize;
        if next < EXT_CAP_START {
            break;
        }
        at = next;
    }
    ranges
}

fn zero_serial_numbers(config: &[u8]) -> Vec<u8> {
    let mut zeroed = config.to_vec();
    for range in dsn_ranges(config) {
        if let Some(bytes) = zeroed.get_mut(range) {
            bytes.fill(0);
        }
    }
    zeroed
}

/// One row of a hex dump, `OFF: xx xx …` (`lspci -xxxx`, snapshot `.hex` files).
#[derive(Debug, Clone, PartialEq, Eq)]
struct HexRow<'t> {
    offset_text: &'t str,
    offset: usize,
    bytes: Vec<u8>,
    /// What follows the last byte: the line end, with any trailing blanks.
    ending: &'t str,
}

/// Rows of a dump are at most 4 KiB apart from its start; a larger offset is no row.
const MAX_DUMP: usize = 1 << 16;

fn hex_row(line: &str) -> Option<HexRow<'_>> {
    let content = line.trim_end();
    let (offset_text, rest) = content.split_once(':')?;
    if offset_text.is_empty() || offset_text.len() > 4 || !offset_text.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    let bytes = rest
        .split_ascii_whitespace()
        .map(|t| if t.len() == 2 { u8::from_str_radix(t, 16).ok() } else { None })
        .collect::<Option<Vec<u8>>>()?;
    let offset = usize::from_str_radix(offset_text, 16).ok()?;
    (!bytes.is_empty() && offset < MAX_DUMP).then_some(HexRow {
        offset_text,
        offset,
        bytes,
        ending: line.get(content.len()..).unwrap_or(""),
    })
}

/// Zeroes, in each block of consecutive rows, the bytes `ranges_of` names in the block's
/// image; every other line stays as it was, so device lines and layout survive.
fn patch_hex_rows(text: &str, ranges_of: impl Fn(&[u8]) -> Vec<Range<usize>>) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let rows: Vec<Option<HexRow>> = lines.iter().map(|l| hex_row(l)).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let block_len = rows.iter().skip(i).take_while(|r| r.is_some()).count();
        if block_len == 0 {
            out.push_str(lines.get(i).copied().unwrap_or(""));
            i += 1;
            continue;
        }
        let block: Vec<&HexRow> = rows.iter().skip(i).take(block_len).flatten().collect();
        let size = block.iter().map(|r| r.offset + r.bytes.len()).max().unwrap_or(0);
        let mut image = vec![0u8; size];
        for row in &block {
            if let Some(place) = image.get_mut(row.offset..row.offset + row.bytes.len()) {
                place.copy_from_slice(&row.bytes);
            }
        }
        let zeroed = ranges_of(&image);
        for (row, line) in block.iter().zip(lines.iter().skip(i)) {
            let row_range = row.offset..row.offset + row.bytes.len();
            if zeroed.iter().any(|z| z.start < row_range.end && row_range.start < z.end) {
                out.push_str(row.offset_text);
                out.push(':');
                for (k, byte) in row.bytes.iter().enumerate() {
                    let at = row.offset + k;
                    let value = if zeroed.iter().any(|z| z.contains(&at)) { 0 } else { *byte };
                    out.push_str(&format!(" {value:02x}"));
                }
                out.push_str(row.ending);
            } else {
                out.push_str(line);
            }
        }
        i += block_len;
    }
    out
}

// ---------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------

/// Lines with the byte offset where each starts.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

/// Blank-separated fields with their byte offsets.
fn fields(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| c.is_ascii_whitespace())
        .scan(0, |at, piece| {
            let start = *at;
            *at += piece.len() + 1;
            Some((start, piece))
        })
        .filter(|(_, piece)| !piece.is_empty())
}

/// `range` without the blanks at its ends.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let Some(slice) = text.get(range.clone()) else { return range };
    let start = range.start + (slice.len() - slice.trim_start().len());
    start..start + slice.trim().len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{EntryKind, FsTree, Manifest, Snapshot, Tree};
    use crate::parse::pci_ids::PciIds;
    use engine::facts::Facts;

    const NVIDIA_OK: &str = "intel-nvidia-vfio-ok";
    const GPU: &str = "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0";
    const ALL_NAMES: RedactOptions = RedactOptions { vm_names: true };

    /// A fixture folder as a report bundle holds it: binary files as `.hex` text.
    fn fixture(name: &str) -> MemTree {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name);
        let mut tree = MemTree::new();
        copy_folder(&FsTree::new(root), "", &mut tree);
        tree
    }

    fn copy_folder(source: &FsTree, folder: &str, tree: &mut MemTree) {
        let names = source.list(folder).unwrap();
        if names.is_empty() && !folder.is_empty() {
            tree.insert(folder, MemEntry::Dir).unwrap();
        }
        for name in names {
            let path = if folder.is_empty() { name } else { format!("{folder}/{name}") };
            let entry = match source.kind(&path) {
                Some(EntryKind::Link) => MemEntry::Link(source.read_link(&path).unwrap()),
                Some(EntryKind::File) => MemEntry::File(source.read(&path).unwrap()),
                Some(EntryKind::Dir) => {
                    copy_folder(source, &path, tree);
                    continue;
                }
                None => continue,
            };
            tree.insert(&path, entry).unwrap();
        }
    }

    fn fixture_names() -> Vec<String> {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn text(tree: &MemTree, path: &str) -> String {
        String::from_utf8(tree.read(path).unwrap()).unwrap()
    }

    fn entry<'t>(tree: &'t MemTree, path: &str) -> Option<&'t MemEntry> {
        tree.entries().find(|(p, _)| *p == path).map(|(_, e)| e)
    }

    fn facts(tree: &MemTree) -> Facts {
        crate::collect(&Snapshot::new(tree.clone(), "x").unwrap(), &PciIds::builtin())
    }

    fn shapes(text: &str) -> Vec<(&str, Kind)> {
        let mut found = Vec::new();
        by_shape(text, &mut found);
        sorted(found).into_iter().map(|f| (&text[f.range], f.kind)).collect()
    }

    fn in_file<'t>(path: &str, text: &'t str, vm_names: bool) -> Vec<(&'t str, Kind)> {
        Finder { vm_names }.in_file(path, text).into_iter().map(|f| (&text[f.range], f.kind)).collect()
    }

    fn tree_of(files: &[(&str, &str)]) -> MemTree {
        let mut tree = MemTree::new();
        for (path, content) in files {
            tree.insert(path, MemEntry::File(content.as_bytes().to_vec())).unwrap();
        }
        tree
    }

    #[test]
    fn ipv4_addresses_but_not_versions_or_reserved_addresses() {
        use Kind::Ipv4;
        assert_eq!(
            shapes("ipconfig0: ip=192.168.77.50/24,gw=192.168.77.1"),
            vec![("192.168.77.50", Ipv4), ("192.168.77.1", Ipv4)]
        );
        assert_eq!(
            shapes("nameserver 10.0.0.2\nlisten 10.0.0.5:8006."),
            vec![("10.0.0.2", Ipv4), ("10.0.0.5", Ipv4)]
        );
        assert_eq!(shapes("dhcp-range=10.0.0.10-10.0.0.99"), vec![("10.0.0.10", Ipv4), ("10.0.0.99", Ipv4)]);
        // An NVIDIA VBIOS version (gpu-on-host-driver/cmd/dmesg) and a kernel release.
        assert!(shapes("[    4.705372] nouveau 0000:01:00.0: bios: version 86.04.50.00.70").is_empty());
        assert!(shapes("BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet").is_empty());
        // kvm-guest-epyc-no-iommu/proc/cmdline, and addresses that tell nothing.
        assert!(shapes("rdinit=/process_api -- --firecracker-init --addr 0.0.0.0:2024").is_empty());
        assert!(shapes("127.0.0.1 localhost\nnetmask 255.255.255.0").is_empty());
        assert!(shapes("1.2.3.4.5 v10.1.2.3 192.168.001.1 300.1.1.1").is_empty());
    }

    #[test]
    fn ipv6_only_in_forms_nothing_else_takes() {
        use Kind::{Ipv6, Mac};
        assert_eq!(
            shapes("inet6 fe80::be24:11ff:fe00:2/64 scope link"),
            vec![("fe80::be24:11ff:fe00:2", Ipv6)]
        );
        assert_eq!(
            shapes("addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334."),
            vec![("2001:0db8:85a3:0000:0000:8a2e:0370:7334", Ipv6)]
        );
        assert_eq!(shapes("peer:2a01:4f8:c17:1a2b::1 up"), vec![("2a01:4f8:c17:1a2b::1", Ipv6)]);
        // PCI addresses, times, register dumps, UPIDs, Perl packages, short or public forms.
        for near_miss in [
            "0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [10de:1b80]",
            "Jun 29 18:28:41 hp-4300G kernel: DMAR: IOMMU enabled",
            "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e",
            "00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00",
            "100: 01 00 01 25 00 00 00 00 00 00 00 00 00 00 00 00",
            "UPID:pve:0001C3F4:0009A8B1:6741A0B2:qmstart:101:root@pam:",
            "PVE::QemuServer::PCI::prepare_pci_device",
            "eui 00:1a:2b:3c:4d:5e:6f:70",
            "fe80::1 ::1 :: ff02::1 ip6-allnodes",
        ] {
            assert!(shapes(near_miss).is_empty(), "{near_miss}");
        }
        // A MAC is a MAC, not an IPv6 address.
        assert_eq!(
            shapes(
                "[    1.146402] e1000e 0000:00:1f.6 eth0: (PCI Express:2.5GT/s:Width x1) bc:24:11:00:00:02"
            ),
            vec![("bc:24:11:00:00:02", Mac)]
        );
    }

    #[test]
    fn mac_addresses_in_both_notations_but_not_serial_numbers() {
        use Kind::Mac;
        assert_eq!(
            shapes("net0: virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1"),
            vec![("BC:24:11:00:00:01", Mac)]
        );
        assert_eq!(shapes("<mac address='52:54:00:6b:3c:58'/>"), vec![("52:54:00:6b:3c:58", Mac)]);
        assert_eq!(shapes("Physical Address: 00-1A-2B-3C-4D-5E"), vec![("00-1A-2B-3C-4D-5E", Mac)]);
        assert!(shapes("Capabilities: [a00 v1] Device Serial Number 77-4e-1a-50-ef-be-ad-de").is_empty());
        assert!(shapes("link/ether brd ff:ff:ff:ff:ff:ff and 00:00:00:00:00:00").is_empty());
    }

    #[test]
    fn uuids_standing_alone() {
        assert_eq!(
            shapes("smbios1: uuid=6f1c2a4e-8d3b-4e5f-9a7c-2b1d0e3f4a51"),
            vec![("6f1c2a4e-8d3b-4e5f-9a7c-2b1d0e3f4a51", Kind::Uuid)]
        );
        // kvm-guest-epyc-no-iommu/cmd/dmesg, an EFI variable name, a memory range.
        assert!(
            shapes("EXT4-fs (vda): mounted filesystem 00000000-0000-0000-0000-000000000000 r/w").is_empty()
        );
        assert!(shapes("SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c").is_empty());
        assert!(shapes("00000000-00000fff : Reserved").is_empty());
    }

    #[test]
    fn values_in_their_context() {
        use Kind::*;
        let journal = "Nov 23 09:30:26 pve1 pvedaemon[1873]: <alice@pve> starting task \
                       UPID:pve1:0001C3F4:0009A8B1:6741A0B2:qmstart:101:alice@pve:\n";
        assert_eq!(
            in_file("cmd/journalctl-vm-starts", journal, false),
            vec![("pve1", Hostname), ("alice", User), ("pve1", Hostname), ("alice", User)]
        );
        let hosts =
            "127.0.0.1 localhost\n192.168.1.10 pve1.home.lan pve1 # main\n::1 ip6-localhost ip6-loopback\n";
        assert_eq!(
            in_file("etc/hosts", hosts, false),
            vec![("192.168.1.10", Ipv4), ("pve1", Hostname), ("home.lan", Fqdn), ("pve1", Hostname)]
        );
        assert_eq!(
            in_file("etc/resolv.conf", "search home.lan lan\nnameserver 127.0.0.53\n", false),
            vec![("home.lan", Fqdn)]
        );
        let mapping = "gpu\n\tmap node=pve1,path=0000:01:00.0,id=10de:1b80,iommugroup=1\n";
        assert_eq!(in_file("etc/pve/mapping/pci.cfg", mapping, false), vec![("pve1", Hostname)]);
        // Switch values are no secrets; root is nobody in particular.
        let config =
            "args: -vnc 0.0.0.0:77,password=on -fw_cfg name=opt/key,string=1\nciuser: root\nname: gaming\n";
        assert!(in_file("etc/pve/qemu-server/100.conf", config, false).is_empty());
        assert_eq!(in_file("etc/pve/qemu-server/100.conf", config, true), vec![("gaming", VmName)]);
        // A kernel banner's mail address is not a Proxmox user (kvm-guest-epyc-no-iommu/cmd/dmesg).
        let banner = "[    0.325394] pps_core: Software ver. 5.3.6 - Copyright 2005-2007 Rodolfo Giometti <giometti@linux.it>";
        assert!(in_file("cmd/dmesg", banner, true).is_empty());
        // DMI placeholders stay; real serials go.
        assert!(in_file("sys/class/dmi/id/board_serial", "To Be Filled By O.E.M.\n", false).is_empty());
        assert_eq!(
            in_file("sys/class/dmi/id/product_serial", " MXL1234PLNT \n", false),
            vec![("MXL1234PLNT", Serial)]
        );
    }

    #[test]
    fn tokens_keep_the_format_of_what_they_replace() {
        assert_eq!(token(Kind::Mac, 1, "BC:24:11:00:00:01"), "02:00:00:00:00:01");
        assert_eq!(token(Kind::Mac, 0xab, "BC:24:11:00:00:01"), "02:00:00:00:00:AB");
        assert_eq!(token(Kind::Mac, 0x1abcd, "00-1a-2b-3c-4d-5e"), "02-00-00-01-ab-cd");
        assert_eq!(
            token(Kind::Uuid, 1, "6f1c2a4e-8d3b-4e5f-9a7c-2b1d0e3f4a51"),
            "00000000-0000-0000-0000-000000000001"
        );
        assert_eq!(
            token(Kind::Uuid, 2, "2f4e9b1c7a5d4e3f8a9b0c1d2e3f4a5b"),
            "00000000000000000000000000000002"
        );
        assert_eq!(token(Kind::Ipv4, 1, ""), "192.0.2.1");
        assert_eq!(token(Kind::Ipv4, 254, ""), "192.0.2.254");
        assert_eq!(token(Kind::Ipv4, 255, ""), "198.51.100.1");
        assert_eq!(token(Kind::Ipv4, 3 * 254 + 1, ""), "198.18.0.1");
        assert_eq!(token(Kind::Ipv6, 1, ""), "2001:db8::1");
        assert_eq!(token(Kind::Ipv6, 0x10001, ""), "2001:db8::1:1");
        for n in [1, 254, 255, 3 * 254 + 1, 1 << 17] {
            assert!(token(Kind::Ipv4, n, "").parse::<std::net::Ipv4Addr>().is_ok());
            assert!(token(Kind::Ipv6, n, "").parse::<Ipv6Addr>().is_ok());
        }
        assert_eq!(token(Kind::Fqdn, 1, "home.lan"), "domain-1.example");
        assert_eq!(token(Kind::VmName, 3, "win11"), "vm-3");
    }

    #[test]
    fn spellings_of_one_value_share_its_number() {
        let mut registry = Registry::default();
        registry.register(Kind::Mac, "bc:24:11:00:00:02");
        registry.register(Kind::Mac, "BC:24:11:00:00:02");
        registry.register(Kind::Mac, "BC:24:11:00:00:01");
        registry.register(Kind::Uuid, "6F1C2A4E-8D3B-4E5F-9A7C-2B1D0E3F4A51");
        registry.register(Kind::Uuid, "6f1c2a4e8d3b4e5f9a7c2b1d0e3f4a51");
        assert_eq!(registry.tokens["bc:24:11:00:00:02"], "02:00:00:00:00:01");
        assert_eq!(registry.tokens["BC:24:11:00:00:02"], "02:00:00:00:00:01");
        assert_eq!(registry.tokens["BC:24:11:00:00:01"], "02:00:00:00:00:02");
        assert_eq!(registry.tokens["6f1c2a4e8d3b4e5f9a7c2b1d0e3f4a51"], "00000000000000000000000000000001");
        assert_eq!(registry.counts[&Kind::Mac], 2);
        assert_eq!(registry.counts[&Kind::Uuid], 1);
    }

    /// A config space with AER at 0x100 and a Device Serial Number at 0x140.
    fn config_with_dsn() -> Vec<u8> {
        let mut config = vec![0u8; 4096];
        config[..4].copy_from_slice(&[0xde, 0x10, 0x80, 0x1b]);
        config[0x100..0x104].copy_from_slice(&0x1401_0001u32.to_le_bytes());
        config[0x140..0x144].copy_from_slice(&0x0001_0003u32.to_le_bytes());
        config[0x144..0x14c].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0x50, 0x1a, 0x4e, 0x77]);
        config
    }

    #[test]
    fn zeroes_the_device_serial_number_and_nothing_else() {
        let config = config_with_dsn();
        let zeroed = zero_serial_numbers(&config);
        assert_eq!(zeroed.len(), 4096);
        assert_eq!(&zeroed[0x144..0x14c], &[0; 8]);
        assert_eq!(&zeroed[0x140..0x144], &config[0x140..0x144], "the header stays");
        assert_eq!(zeroed[..0x144], config[..0x144]);
        assert_eq!(zeroed[0x14c..], config[0x14c..]);
    }

    #[test]
    fn capability_walk_survives_loops_and_short_reads() {
        // A header pointing at itself: the walk stops after the 4 KiB limit.
        let mut looping = vec![0u8; 4096];
        looping[0x100..0x104].copy_from_slice(&0x1001_0003u32.to_le_bytes());
        assert_eq!(dsn_ranges(&looping).len(), EXT_CAP_LIMIT);
        // A serial cut off by the end of the read is zeroed as far as it goes.
        let mut cut = config_with_dsn();
        cut.truncate(0x148);
        assert_eq!(dsn_ranges(&cut), vec![0x144..0x148]);
        // 64 or 256 bytes (unprivileged or conventional) have no extended capabilities.
        assert!(dsn_ranges(&config_with_dsn()[..256]).is_empty());
        assert!(dsn_ranges(&[]).is_empty());
        assert_eq!(zero_serial_numbers(&[0xff; 64]), vec![0xff; 64]);
    }

    #[test]
    fn zeroes_serial_rows_in_hex_dumps_and_keeps_the_layout() {
        let config = config_with_dsn();
        let dump = format!(
            "0000:00:00.0 Host bridge: Intel Corporation Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor Host Bridge/DRAM Registers (rev 07)\n\
             00: 86 80 1f 19 06 00 90 20 07 00 00 06 00 00 00 00\n\n\
             0000:01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1)\n{}\n",
            write_hexdump(&config)
        );
        let patched = patch_hex_rows(&dump, dsn_ranges);
        let dumps = parse_hexdump(&patched).unwrap();
        assert_eq!(dumps.len(), 2);
        assert_eq!(dumps[1].bytes, zero_serial_numbers(&config));
        assert_eq!(dumps[0].bytes[..4], [0x86, 0x80, 0x1f, 0x19]);
        let changed: Vec<(&str, &str)> =
            dump.lines().zip(patched.lines()).filter(|(before, after)| before != after).collect();
        assert_eq!(
            changed,
            vec![(
                "140: 03 00 01 00 de ad be ef 50 1a 4e 77 00 00 00 00",
                "140: 03 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00"
            )]
        );
    }

    #[test]
    fn vpd_is_zeroed_to_its_length() {
        let vpd = b"\x82\x0b\x00GTX 1080 SN\x90\x08\x00SN0324917";
        let tree = {
            let mut tree = MemTree::new();
            tree.insert(&format!("{GPU}/vpd"), MemEntry::File(vpd.to_vec())).unwrap();
            tree.insert(
                "sys/devices/pci0000:00/0000:00:1f.6/vpd.hex",
                MemEntry::File(write_hexdump(vpd).into_bytes()),
            )
            .unwrap();
            tree
        };
        let (redacted, _) = redact_tree(&tree, &ALL_NAMES);
        assert_eq!(redacted.read(&format!("{GPU}/vpd")).unwrap(), vec![0; vpd.len()]);
        let hex = text(&redacted, "sys/devices/pci0000:00/0000:00:1f.6/vpd.hex");
        assert_eq!(parse_hexdump(&hex).unwrap()[0].bytes, vec![0; vpd.len()]);
    }

    #[test]
    fn a_name_that_is_a_system_word_goes_only_where_it_was_found() {
        // intel-iommu-off runs on the Proxmox default host name `pve`, which is also the
        // folder /etc/pve and the end of the kernel release.
        let tree = fixture("intel-iommu-off");
        let (redacted, redaction) = redact_tree(&tree, &RedactOptions::default());
        assert_eq!(redaction.map["pve"], "host-1");
        assert_eq!(
            text(&redacted, "cmd/journalctl-vm-starts").lines().next(),
            Some(
                "Nov 23 09:30:26 host-1 pvedaemon[1873]: <root@pam> starting task \
                 UPID:host-1:0001C3F4:0009A8B1:6741A0B2:qmstart:101:root@pam:"
            )
        );
        let task = "var/log/pve/tasks/2/UPID:host-1:0001C3F4:0009A8B1:6741A0B2:qmstart:101:root@pam:";
        assert!(text(&redacted, task).contains("IOMMU not present"));
        assert_eq!(text(&redacted, "proc/sys/kernel/osrelease"), text(&tree, "proc/sys/kernel/osrelease"));
        assert!(redacted.entries().any(|(p, _)| p.starts_with("etc/pve/qemu-server/")));
        assert_eq!(facts(&redacted).start_logs.len(), facts(&tree).start_logs.len());
    }

    #[test]
    fn short_or_numeric_values_go_only_where_they_were_found() {
        let tree = tree_of(&[
            ("etc/pve/qemu-server/100.conf", "args: -vnc 0.0.0.0:77,password=1234\nname: db\n"),
            ("cmd/dmesg", "[    1.234567] pcieport 0000:00:1c.0: PME: Signaling with IRQ 1234\nstate db\n"),
        ]);
        let (redacted, redaction) = redact_tree(&tree, &ALL_NAMES);
        assert_eq!(
            text(&redacted, "etc/pve/qemu-server/100.conf"),
            "args: -vnc 0.0.0.0:77,password=secret-1\nname: vm-1\n"
        );
        assert_eq!(text(&redacted, "cmd/dmesg"), text(&tree, "cmd/dmesg"));
        assert_eq!(redaction.counts, BTreeMap::from([("secret".into(), 1), ("vm-name".into(), 1)]));
    }

    #[test]
    fn distinctive_values_go_everywhere_as_whole_words() {
        let tree = tree_of(&[
            ("etc/hostname", "gpu-lab\n"),
            ("cmd/dmesg", "[    2.000000] build gpu-lab gpu-lab2 my-gpu-lab gpu-lab.\n"),
        ]);
        let (redacted, _) = redact_tree(&tree, &ALL_NAMES);
        assert_eq!(text(&redacted, "cmd/dmesg"), "[    2.000000] build host-1 gpu-lab2 my-gpu-lab host-1.\n");
    }

    #[test]
    fn vm_names_only_when_asked() {
        let xml = "<domain type='kvm'>\n  <name>gamingvm</name>\n  <uuid>1d1c0f6e-2b7a-4c3d-9e8f-0a1b2c3d4e5f</uuid>\n</domain>\n";
        let tree = tree_of(&[
            ("etc/libvirt/qemu/gamingvm.xml", xml),
            ("var/log/libvirt/qemu/gamingvm.log", "-name guest=gamingvm,debug-threads=on\n"),
        ]);
        let (kept, redaction) = redact_tree(&tree, &RedactOptions::default());
        assert!(text(&kept, "etc/libvirt/qemu/gamingvm.xml").contains("<name>gamingvm</name>"));
        assert_eq!(redaction.counts, BTreeMap::from([("uuid".into(), 1)]));
        let (hidden, redaction) = redact_tree(&tree, &ALL_NAMES);
        assert!(text(&hidden, "etc/libvirt/qemu/vm-1.xml").contains("<name>vm-1</name>"));
        assert_eq!(text(&hidden, "var/log/libvirt/qemu/vm-1.log"), "-name guest=vm-1,debug-threads=on\n");
        assert_eq!(redaction.map["gamingvm"], "vm-1");
    }

    #[test]
    fn device_memory_and_iommu_text_survive_untouched() {
        let tree = fixture(NVIDIA_OK);
        let (redacted, redaction) = redact_tree(&tree, &ALL_NAMES);
        for path in
            ["cmd/lspci-vvv", "cmd/lspci-nnk", "cmd/lspci-xxxx", "cmd/dmesg", "proc/iomem", "proc/interrupts"]
        {
            assert_eq!(text(&redacted, path), text(&tree, path), "{path}");
        }
        assert!(text(&redacted, "cmd/dmesg")
            .contains("DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e"));
        for (path, original) in tree.entries().filter(|(p, _)| p.starts_with("sys/")) {
            assert_eq!(entry(&redacted, path), Some(original), "{path}");
        }
        let config = text(&redacted, "etc/pve/qemu-server/100.conf");
        assert!(config.contains("hostpci0: 0000:01:00,pcie=1,x-vga=1\n"));
        assert!(config.contains("net0: virtio=02:00:00:00:00:01,bridge=vmbr0,firewall=1\n"));
        assert!(config.contains("smbios1: uuid=00000000-0000-0000-0000-000000000001\n"));
        assert!(config.contains("vmgenid: 00000000-0000-0000-0000-000000000002\n"));
        assert!(config.contains("name: vm-1\n"));
        assert_eq!(
            redaction.counts,
            BTreeMap::from([("mac".into(), 1), ("uuid".into(), 2), ("vm-name".into(), 1)])
        );
    }

    /// What a redaction must not change: the facts vfio-doctor diagnoses from.
    fn assert_same_findings(before: &Facts, after: &Facts, name: &str) {
        assert_eq!(after.pci, before.pci, "{name}: PCI devices");
        assert_eq!(after.iommu, before.iommu, "{name}: IOMMU");
        assert_eq!(after.memory_map, before.memory_map, "{name}: memory map");
        assert_eq!(after.modules, before.modules, "{name}: modules");
        assert_eq!(after.kernel.cmdline, before.kernel.cmdline, "{name}: command line");
        let passthrough = |facts: &Facts| -> Vec<_> {
            facts
                .vms
                .iter()
                .flat_map(|vm| vm.passthrough.iter().cloned())
                .map(|mut p| {
                    p.from.source.clear();
                    p
                })
                .collect()
        };
        assert_eq!(passthrough(after), passthrough(before), "{name}: passthrough");
        let machines = |facts: &Facts| -> Vec<_> {
            facts.vms.iter().map(|vm| (vm.machine.clone(), vm.bios.clone(), vm.ostype.clone())).collect()
        };
        assert_eq!(machines(after), machines(before), "{name}: VM machines");
        let starts = |facts: &Facts| -> Vec<_> {
            facts.start_logs.iter().map(|s| (s.lines.len(), s.failed, s.started_at)).collect()
        };
        assert_eq!(starts(after), starts(before), "{name}: start logs");
    }

    #[test]
    fn every_fixture_gives_the_same_findings_after_redaction() {
        for name in fixture_names() {
            let tree = fixture(&name);
            let (redacted, _) = redact_tree(&tree, &ALL_NAMES);
            assert_same_findings(&facts(&tree), &facts(&redacted), &name);
        }
    }

    const HOST: &str = "labnode7";
    const UPID: &str = "UPID:labnode7:0001C3F4:0009A8B1:65F2C1AE:qmstart:100:alice@pve:";
    const VM_CONFIG: &str = "etc/pve/qemu-server/100.conf";
    const NODE_CONFIG: &str = "etc/pve/nodes/labnode7/qemu-server/100.conf";

    /// Every planted value, none of which may survive anywhere.
    const PLANTED: [&str; 26] = [
        "labnode7",
        "acme-corp",
        "192.168.77",
        "BC:24:11:5A:7E:01",
        "52:54:00:6b:3c:58",
        "6f1c2a4e-8d3b-4e5f-9a7c-2b1d0e3f4a51",
        "0b5e7c21-3a4d-4f6e-8c9b-1d2e3f405162",
        "1d1c0f6e-2b7a-4c3d-9e8f-0a1b2c3d4e5f",
        "4c4c4544-0042-3510-8051-b7c04f4b4e31",
        "2f4e9b1c7a5d4e3f8a9b0c1d2e3f4a5b",
        "WD-WCC7K7PLANTED",
        "Q0hBU1NJUzEyMzQ=",
        "S4EWNX0R412345",
        "MXL1234PLNT",
        "BSN-4242-PLANTED",
        "0324917008765",
        "77-4e-1a-50-ef-be-ad-de",
        "alice",
        "Tr0ub4dor3",
        "S3cr3tSpice!",
        "Kq3n$Yb1PlantedHashValue",
        "PlantedKeyMaterial",
        "Sp1cePlanted",
        "win11-desktop",
        "gamingvm",
        "Hostname set to <labnode7>",
    ];
    /// The serial planted in the GPU's Device Serial Number capability, as stored.
    const DSN_BYTES: [u8; 8] = [0xde, 0xad, 0xbe, 0xef, 0x50, 0x1a, 0x4e, 0x77];

    /// intel-nvidia-vfio-ok with a secret of every kind planted where a real host keeps it.
    fn planted() -> MemTree {
        let original = fixture(NVIDIA_OK);
        let mut tree = MemTree::new();
        for (path, entry) in original.entries().filter(|(p, _)| *p != VM_CONFIG) {
            tree.insert(path, entry.clone()).unwrap();
        }
        let mut put =
            |path: &str, content: &[u8]| tree.insert(path, MemEntry::File(content.to_vec())).unwrap();

        // The VM config lives in the node's folder; /etc/pve/qemu-server links there.
        let config = text(&original, VM_CONFIG).replace(
            "smbios1: uuid=6f1c2a4e-8d3b-4e5f-9a7c-2b1d0e3f4a51\n",
            "smbios1: uuid=6f1c2a4e-8d3b-4e5f-9a7c-2b1d0e3f4a51,serial=Q0hBU1NJUzEyMzQ=,base64=1\n",
        ) + "args: -drive file=/home/alice/isos/virtio-win.iso,media=cdrom -spice port=5930,addr=192.168.77.10,password=S3cr3tSpice! -object secret,id=vncpw,data=Tr0ub4dor3\n\
             cipassword: $5$Kq3n$Yb1PlantedHashValue\n\
             ciuser: alice\n\
             ipconfig0: ip=192.168.77.50/24,gw=192.168.77.1\n\
             net1: virtio=BC:24:11:5A:7E:01,bridge=vmbr1\n\
             scsi1: /dev/disk/by-id/ata-WDC_WD40EFRX-68N32N0_WD-WCC7K7PLANTED,size=3726G,serial=WD-WCC7K7PLANTED\n\
             sshkeys: ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIPlantedKeyMaterial%20alice%40laptop\n";
        put(NODE_CONFIG, config.as_bytes());
        put("etc/hostname", b"labnode7\n");
        put(
            "etc/hosts",
            b"127.0.0.1 localhost\n192.168.77.10 labnode7.lab.acme-corp.net labnode7\n\n\
              # The following lines are desirable for IPv6 capable hosts\n\
              ::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff02::1 ip6-allnodes\n",
        );
        put("etc/resolv.conf", b"search lab.acme-corp.net\nnameserver 192.168.77.1\n");
        put("etc/machine-id", b"2f4e9b1c7a5d4e3f8a9b0c1d2e3f4a5b\n");
        put("sys/class/dmi/id/product_serial", b"MXL1234PLNT\n");
        put("sys/class/dmi/id/board_serial", b"BSN-4242-PLANTED\n");
        put("sys/class/dmi/id/chassis_serial", b"To Be Filled By O.E.M.\n");
        put("sys/class/dmi/id/product_uuid", b"4c4c4544-0042-3510-8051-b7c04f4b4e31\n");
        let journal = format!(
            "Mar 14 09:25:02 labnode7 pvedaemon[1873]: <alice@pve> starting task {UPID}\n\
             Mar 14 09:25:02 labnode7 pvedaemon[115700]: start VM 100: {UPID}\n\
             Mar 14 09:25:09 labnode7 pvedaemon[1873]: <alice@pve> end task {UPID} OK\n"
        );
        put("cmd/journalctl-vm-starts", journal.as_bytes());
        put(&format!("var/log/pve/tasks/E/{UPID}"), b"TASK OK\n");
        let dmesg = text(&original, "cmd/dmesg") + "[    5.123456] systemd[1]: Hostname set to <labnode7>.\n";
        put("cmd/dmesg", dmesg.as_bytes());

        // A Device Serial Number after the GPU's last extended capability (0x900), in
        // config space, in `lspci -xxxx` and in `lspci -vvv`, with a VPD serial.
        let config_path = format!("{GPU}/config.hex");
        let mut space = parse_hexdump(&text(&original, &config_path)).unwrap().remove(0).bytes;
        space[0x900..0x904].copy_from_slice(&0xa001_0019u32.to_le_bytes());
        space[0xa00..0xa04].copy_from_slice(&0x0001_0003u32.to_le_bytes());
        space[0xa04..0xa0c].copy_from_slice(&DSN_BYTES);
        put(&config_path, write_hexdump(&space).as_bytes());
        let xxxx = text(&original, "cmd/lspci-xxxx");
        let blocks: Vec<String> = xxxx
            .split("\n\n")
            .map(|block| match block.split_once('\n') {
                Some((header, _)) if header.starts_with("0000:01:00.0 ") => {
                    format!("{header}\n{}", write_hexdump(&space).trim_end())
                }
                _ => block.to_string(),
            })
            .collect();
        put("cmd/lspci-xxxx", blocks.join("\n\n").as_bytes());
        let vvv = text(&original, "cmd/lspci-vvv").replace(
            "\tCapabilities: [900 v1] Secondary PCI Express\n\t\tLnkCtl3: LnkEquIntrruptEn- PerformEqu-\n\t\tLaneErrStat: 0\n",
            "\tCapabilities: [900 v1] Secondary PCI Express\n\t\tLnkCtl3: LnkEquIntrruptEn- PerformEqu-\n\t\tLaneErrStat: 0\n\
             \tCapabilities: [a00 v1] Device Serial Number 77-4e-1a-50-ef-be-ad-de\n\
             \tCapabilities: [e0] Vital Product Data\n\t\tProduct Name: GeForce GTX 1080\n\t\tRead-only fields:\n\
             \t\t\t[PN] Part number: 900-1G413-2500-000\n\t\t\t[SN] Serial number: 0324917008765\n\
             \t\t\t[RV] Reserved: checksum good, 0 byte(s) reserved\n\t\tEnd\n",
        );
        put("cmd/lspci-vvv", vvv.as_bytes());
        put(&format!("{GPU}/vpd"), b"\x82\x10\x00GeForce GTX 1080\x90\x10\x00SN0324917008765\x78\x01\x00");

        // A libvirt domain beside the Proxmox VM, with its log.
        let xml = "<domain type='kvm'>\n  <name>gamingvm</name>\n  <uuid>1d1c0f6e-2b7a-4c3d-9e8f-0a1b2c3d4e5f</uuid>\n\
                   <memory unit='KiB'>8388608</memory>\n  <os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>\n\
                   <devices>\n    <disk type='block' device='disk'><source dev='/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_Plus_1TB_S4EWNX0R412345'/>\
                   <serial>S4EWNX0R412345</serial><target dev='vda' bus='virtio'/></disk>\n\
                   <interface type='bridge'><mac address='52:54:00:6b:3c:58'/><source bridge='br0'/></interface>\n\
                   <graphics type='spice' autoport='yes' passwd='Sp1cePlanted'/>\n\
                   <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source></hostdev>\n\
                   </devices>\n</domain>\n";
        put("etc/libvirt/qemu/gamingvm.xml", xml.as_bytes());
        let log = "2024-03-14 09:30:00.123+0000: starting up libvirt version: 9.0.0, qemu version: 8.2.0, kernel: 6.8.12-4-pve, hostname: labnode7.lab.acme-corp.net\n\
                   LC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=gamingvm,debug-threads=on -uuid 1d1c0f6e-2b7a-4c3d-9e8f-0a1b2c3d4e5f\n\
                   2024-03-14T09:30:05.000000Z qemu-system-x86_64: terminating on signal 15\n";
        put("var/log/libvirt/qemu/gamingvm.log", log.as_bytes());

        // Binary files, raw and as a snapshot's hex dump.
        put("usr/share/kvm/notes.bin", b"\xff\xfe\x00built on labnode7 for alice\x00\x80");
        put(
            "usr/share/kvm/notes.rom.hex",
            write_hexdump(b"\x55\xaa\x00built on labnode7\x00\xff").as_bytes(),
        );
        let mut manifest = Manifest::parse(&text(&original, "manifest.json")).unwrap();
        manifest.collected = vec![
            NODE_CONFIG.into(),
            "etc/libvirt/qemu/gamingvm.xml".into(),
            format!("var/log/pve/tasks/E/{UPID}"),
        ];
        put("manifest.json", serde_json::to_string_pretty(&manifest).unwrap().as_bytes());
        tree.insert("etc/pve/qemu-server", MemEntry::Link("nodes/labnode7/qemu-server".into())).unwrap();
        tree
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn planted_secrets_of_every_kind_are_gone() {
        let tree = planted();
        for planted in PLANTED {
            let seen = tree.entries().any(|(path, e)| {
                path.contains(planted)
                    || match e {
                        MemEntry::File(bytes) => contains(bytes, planted),
                        MemEntry::Link(target) => target.contains(planted),
                        MemEntry::Dir => false,
                    }
            });
            assert!(seen, "{planted} is planted");
        }
        let (redacted, _) = redact_tree(&tree, &ALL_NAMES);
        for (path, entry) in redacted.entries() {
            for planted in PLANTED {
                assert!(!path.contains(planted), "{planted} in the name {path}");
                match entry {
                    MemEntry::File(bytes) => {
                        assert!(!contains(bytes, planted), "{planted} in {path}");
                        if let Some(dump) =
                            path.strip_suffix(".hex").and_then(|_| parse_hexdump(&text(&redacted, path)).ok())
                        {
                            assert!(!contains(&dump[0].bytes, planted), "{planted} in {path} (decoded)");
                        }
                    }
                    MemEntry::Link(target) => {
                        assert!(!target.contains(planted), "{planted} in the link {path}")
                    }
                    MemEntry::Dir => {}
                }
            }
        }
        let space = parse_hexdump(&text(&redacted, &format!("{GPU}/config.hex"))).unwrap().remove(0).bytes;
        assert_eq!(space.len(), 4096);
        assert_eq!(space[0xa00..0xa04], 0x0001_0003u32.to_le_bytes(), "the DSN header stays");
        assert_eq!(space[0xa04..0xa0c], [0; 8]);
        let xxxx = parse_hexdump(&text(&redacted, "cmd/lspci-xxxx")).unwrap();
        let gpu = xxxx.iter().find(|d| d.address.as_deref() == Some("0000:01:00.0")).unwrap();
        assert_eq!(gpu.bytes, space);
        let vpd_len = tree.read(&format!("{GPU}/vpd")).unwrap().len();
        assert_eq!(redacted.read(&format!("{GPU}/vpd")).unwrap(), vec![0; vpd_len]);
    }

    #[test]
    fn planted_values_are_counted_and_get_one_token_everywhere() {
        let (redacted, redaction) = redact_tree(&planted(), &ALL_NAMES);
        let expected = [
            ("fqdn", 1),
            ("hostname", 1),
            ("ipv4", 3),
            ("mac", 3),
            ("secret", 5),
            ("serial", 9),
            ("user", 1),
            ("uuid", 5),
            ("vm-name", 2),
        ];
        assert_eq!(redaction.counts, expected.map(|(k, n)| (k.to_string(), n)).into_iter().collect());
        let map = &redaction.map;
        assert_eq!(map[HOST], "host-1");
        assert_eq!(map["lab.acme-corp.net"], "domain-1.example");
        assert_eq!(map["alice"], "user-1");
        assert_eq!(map["gamingvm"], "vm-1");
        assert_eq!(map["win11-desktop"], "vm-2");
        assert_eq!(map["192.168.77.10"], "192.0.2.1");
        assert_eq!(map["BC:24:11:5A:7E:01"], "02:00:00:00:00:03");
        assert_eq!(map["2f4e9b1c7a5d4e3f8a9b0c1d2e3f4a5b"], "00000000000000000000000000000002");

        // The host: its file, /etc/hosts, the journal, the node folder, the link into it,
        // UPIDs in file names and text, the libvirt log, the kernel log and the manifest.
        let node_config = "etc/pve/nodes/host-1/qemu-server/100.conf";
        let upid = "UPID:host-1:0001C3F4:0009A8B1:65F2C1AE:qmstart:100:user-1@pve:";
        assert_eq!(text(&redacted, "etc/hostname"), "host-1\n");
        assert!(text(&redacted, "etc/hosts").contains("\n192.0.2.1 host-1.domain-1.example host-1\n"));
        assert!(text(&redacted, "etc/hosts").contains("\nfe00::0 ip6-localnet\nff02::1 ip6-allnodes\n"));
        assert_eq!(text(&redacted, "etc/resolv.conf"), "search domain-1.example\nnameserver 192.0.2.3\n");
        assert!(text(&redacted, "cmd/journalctl-vm-starts").starts_with(&format!(
            "Mar 14 09:25:02 host-1 pvedaemon[1873]: <user-1@pve> starting task {upid}\n"
        )));
        assert_eq!(
            entry(&redacted, "etc/pve/qemu-server"),
            Some(&MemEntry::Link("nodes/host-1/qemu-server".into()))
        );
        assert_eq!(text(&redacted, &format!("var/log/pve/tasks/E/{upid}")), "TASK OK\n");
        assert!(
            text(&redacted, "var/log/libvirt/qemu/vm-1.log").contains("hostname: host-1.domain-1.example\n")
        );
        assert!(text(&redacted, "cmd/dmesg").ends_with("systemd[1]: Hostname set to <host-1>.\n"));
        let manifest = Manifest::parse(&text(&redacted, "manifest.json")).unwrap();
        assert_eq!(
            manifest.collected,
            [node_config, "etc/libvirt/qemu/vm-1.xml", &format!("var/log/pve/tasks/E/{upid}")]
        );

        // The VM config reads the same, with tokens where the values were.
        let config = text(&redacted, VM_CONFIG);
        for line in [
            "args: -drive file=/home/user-1/isos/virtio-win.iso,media=cdrom -spice port=5930,addr=192.0.2.1,password=secret-2 -object secret,id=vncpw,data=secret-3\n",
            "cipassword: secret-4\n",
            "ciuser: user-1\n",
            "ipconfig0: ip=192.0.2.2/24,gw=192.0.2.3\n",
            "net1: virtio=02:00:00:00:00:03,bridge=vmbr1\n",
            "scsi1: /dev/disk/by-id/serial-6,size=3726G,serial=serial-7\n",
            "sshkeys: secret-5\n",
            "smbios1: uuid=00000000-0000-0000-0000-000000000003,serial=serial-5,base64=1\n",
            "name: vm-2\n",
            "hostpci0: 0000:01:00,pcie=1,x-vga=1\n",
        ] {
            assert!(config.contains(line), "{line} in\n{config}");
        }
        let binary = redacted.read("usr/share/kvm/notes.bin").unwrap();
        assert_eq!(binary, b"\xff\xfe\x00built on host-1 for user-1\x00\x80");
    }

    #[test]
    fn planted_tree_gives_the_same_findings_after_redaction() {
        let tree = planted();
        let (redacted, _) = redact_tree(&tree, &ALL_NAMES);
        let (before, after) = (facts(&tree), facts(&redacted));
        assert_same_findings(&before, &after, "planted");
        assert_eq!(before.vms.len(), 2);
        assert_eq!(after.vms.iter().map(|vm| vm.id.as_str()).collect::<Vec<_>>(), ["100", "vm-1"]);
        assert_eq!(after.start_logs.len(), before.start_logs.len());
        // lspci -vvv differs only where the serials were.
        let (vvv_before, vvv_after) = (text(&tree, "cmd/lspci-vvv"), text(&redacted, "cmd/lspci-vvv"));
        let changed: Vec<&str> =
            vvv_before.lines().zip(vvv_after.lines()).filter(|(b, a)| b != a).map(|(_, a)| a).collect();
        assert_eq!(
            changed,
            ["\tCapabilities: [a00 v1] Device Serial Number serial-1", "\t\t\t[SN] Serial number: serial-2"]
        );
        assert_eq!(text(&redacted, "proc/iomem"), text(&tree, "proc/iomem"));
    }

    /// A tiny deterministic generator, so the garbage below is the same on every run.
    fn garbage(seed: u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                alphabet[(state >> 33) as usize % alphabet.len()]
            })
            .collect()
    }

    #[test]
    fn never_panics_on_garbage() {
        let tricky =
            b"0123456789abcdefABCDEF:.-_ \n\t=,;'\"<>/@#[]UPID:nodes/home/serial=password=\xc3\xa9\xff\x00";
        let all: Vec<u8> = (0..=255).collect();
        let paths = [
            "sys/devices/pci0000:00/0000:00:01.0/config",
            "sys/devices/pci0000:00/0000:00:01.0/config.hex",
            "sys/devices/pci0000:00/0000:00:01.0/vpd.hex",
            "usr/share/kvm/vbios.rom.hex",
            "usr/share/kvm/vbios.rom",
            "cmd/lspci-xxxx",
            "cmd/journalctl-vm-starts",
            "etc/hosts",
            "etc/hostname",
            "etc/resolv.conf",
            "etc/pve/qemu-server/100.conf",
            "etc/libvirt/qemu/x.xml",
            "sys/class/dmi/id/product_uuid",
            "manifest.json",
        ];
        for seed in 0..40 {
            let mut tree = MemTree::new();
            for (i, path) in paths.iter().enumerate() {
                let alphabet = if seed % 2 == 0 { &tricky[..] } else { &all[..] };
                let mut bytes = garbage(seed * 100 + i as u64, 600, alphabet);
                if path.ends_with(".hex") && seed % 4 == 1 {
                    bytes = write_hexdump(&garbage(seed, 4096, &all)).into_bytes();
                }
                tree.insert(path, MemEntry::File(bytes)).unwrap();
            }
            let name = String::from_utf8_lossy(&garbage(seed, 12, tricky)).replace(['/', '\0'], "x");
            tree.insert(&format!("etc/pve/nodes/{name}/qemu-server"), MemEntry::Link(name.clone())).ok();
            let (redacted, _) = redact_tree(&tree, &ALL_NAMES);
            assert!(redacted.len() >= paths.len());
            let config = redacted.read("sys/devices/pci0000:00/0000:00:01.0/config").unwrap();
            assert_eq!(config.len(), 600, "config space keeps its length");
        }
    }
}
