//! Pasted text: detect what each part of a forum post is from its content, and split a
//! post that holds several kinds one after another.
//!
//! One pass over the lines, linear in the size of the paste:
//!
//! 1. **Clean.** CRLF becomes LF; NUL and other control characters (tab excepted) and
//!    ANSI colour sequences are removed; a no-break space becomes a space (forum HTML).
//! 2. **Unwrap.** Markdown fences and BBCode `[code]` tags are dropped. Shell prompts
//!    (`root@pve:~# …`, `[root@host ~]# …`, `$ …`, `# <command> …`) and bare commands
//!    (`cat /etc/kernel/cmdline`, `dmesg | grep -e DMAR`) are dropped too, but the command
//!    is kept as a hint for the block below it (`cat /etc/kernel/cmdline` turns the next
//!    parameter line into [`PasteKind::KernelCmdline`]). Output run together with its
//!    prompt on one line (a wiki that lost its line breaks) is split off and kept.
//! 3. **Classify** each line by its content alone, never by a file name. A *strong* line
//!    names its kind (a dmesg timestamp, an lspci header, `kvm: …`). A *weak* line only
//!    joins a chunk it fits (a `#` comment, a `[snapshot]` section, a `subsystem: text`
//!    line next to a log). A line indented deeper than the chunk it follows continues it
//!    (lspci details, `pr_cont` lines). Everything else is prose.
//! 4. **Group** consecutive lines of one kind. Blank lines stay inside a chunk but never
//!    start or end one. Comments waiting above a config join it. A VM config needs two
//!    known keys, one of them typical of Proxmox, so `Note: …` prose stays prose.
//!    Adjacent chunks of one kind merge.
//!
//! Nothing is thrown away silently: prose becomes [`PasteKind::Unknown`] chunks, so the
//! caller can say what it ignored. The splitter never fails and never panics.

use regex::Regex;
use std::sync::LazyLock;

/// What a piece of pasted text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PasteKind {
    /// `dmesg` or `journalctl -k` lines, with or without timestamps or journal prefixes.
    /// Other journal lines (`pvedaemon[…]: …`) that are not start errors count as log too.
    KernelLog,
    /// `lspci`, `-nn`, `-nnk`, `-v`, `-vv`, `-vvv` (device header lines, tab-indented details).
    Lspci,
    /// `lspci -x`/`-xxx`/`-xxxx` hex dumps.
    LspciHex,
    /// `/proc/cmdline` (one line of kernel parameters).
    Cmdline,
    /// `IOMMU Group N …` listing or `find /sys/kernel/iommu_groups/ -type l` output.
    IommuGroups,
    /// A Proxmox VM config (`key: value` lines such as `hostpci0:`, `machine:`, `bios:`).
    ProxmoxVmConfig,
    /// A libvirt `<domain>` XML document.
    LibvirtXml,
    /// QEMU or Proxmox task error text (`kvm: -device vfio-pci…`, `TASK ERROR: …`), or a
    /// libvirt QEMU log.
    StartError,
    /// modprobe.d contents (`options`, `blacklist`, `softdep` lines).
    Modprobe,
    /// `/etc/default/grub`.
    DefaultGrub,
    /// `/etc/kernel/cmdline` (one line holding `root=`). Its content looks like
    /// `/proc/cmdline`, so it is recognised by the `cat /etc/kernel/cmdline` that printed
    /// it; without that hint a parameter line is [`PasteKind::Cmdline`].
    KernelCmdline,
    /// Nothing recognisable.
    Unknown,
}

/// A contiguous part of a paste with one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasteChunk {
    pub kind: PasteKind,
    /// The chunk's text, lines joined with `\n`.
    pub text: String,
    /// 1-based line in the pasted file where the chunk starts.
    pub first_line: u64,
}

/// Splits `text` into chunks of one kind each. Shell prompts and command lines a user
/// copied along (`root@pve:~# dmesg | grep -i vfio`, `$ lspci -nnk`) are dropped but may
/// be used as hints; Markdown code fences are dropped; binary junk (NUL, control bytes)
/// is removed. Adjacent chunks of the same kind are merged.
///
/// In the chunk text, lines lose trailing whitespace and the indentation the whole chunk
/// shares (a Markdown code block indented by four spaces reads like the tool's output).
pub fn split_paste(text: &str) -> Vec<PasteChunk> {
    let cleaned = clean(text);
    let mut splitter = Splitter::default();
    for (index, line) in cleaned.split('\n').enumerate() {
        splitter.feed(index as u64 + 1, line);
    }
    splitter.finish()
}

// ---------------------------------------------------------------------------------------
// Cleaning

/// Removes what a terminal or a forum adds around the text. Keeps every `\n`, so line
/// numbers still match the original paste.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' => skip_escape_sequence(&mut chars),
            '\u{a0}' => out.push(' '),
            '\u{200b}' | '\u{feff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips the rest of an ANSI CSI sequence (`ESC [ 1 ; 31 m`, `dmesg --color=always`)
/// after its ESC. Stops at a newline so a broken sequence cannot swallow lines.
fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if chars.next_if_eq(&'[').is_none() {
        return;
    }
    while chars.next_if(|c| ('\u{20}'..='\u{3f}').contains(c)).is_some() {}
    chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
}

// ---------------------------------------------------------------------------------------
// Wrapping around the pasted output: code tags, fences, prompts, bare commands

/// BBCode `[code]`/`[CODE=rich]` and `[/code]` tags around a line's text: whether a tag
/// opened or closed a block before the text, the text, and whether one came after it.
fn strip_code_tags(line: &str) -> (bool, &str, bool) {
    let mut body = line;
    let mut before = false;
    while let Some(rest) = strip_leading_code_tag(body.trim_start()) {
        body = rest;
        before = true;
    }
    let mut after = false;
    while let Some(rest) = strip_trailing_code_tag(body.trim_end()) {
        body = rest;
        after = true;
    }
    (before, body, after)
}

fn strip_leading_code_tag(text: &str) -> Option<&str> {
    for tag in ["[code]", "[/code]"] {
        if starts_with_ignore_case(text, tag) {
            return text.get(tag.len()..);
        }
    }
    if starts_with_ignore_case(text, "[code=") {
        let end = text.find(']')?;
        return text.get(end + 1..);
    }
    None
}

fn strip_trailing_code_tag(text: &str) -> Option<&str> {
    ["[/code]", "[code]"].into_iter().find_map(|tag| strip_suffix_ignore_case(text, tag))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let tail = text.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| text.get(..cut)).flatten()
}

fn is_fence(trimmed: &str) -> bool {
    trimmed.starts_with("```") || trimmed.starts_with("~~~")
}

/// A shell prompt line: the command typed, and any output that a lost line break glued
/// onto it.
struct Prompt<'a> {
    command: &'a str,
    output: Option<&'a str>,
}

/// `user@host:path# `, `user@host:path$ `, `user@host path # ` and `[user@host dir]# `.
static USER_PROMPT: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"^(?:\[[\w.-]+@[\w.-]+[^\]]*\]|[\w.-]+@[\w.-]+(?::[^\s#$]*|\s+[^\s#$]+)?)\s?[#$](?:\s|$)")
});

/// Where tool output starts inside a prompt line that lost its line breaks (seed 000:
/// `# find /sys/kernel/iommu_groups/ -type l /sys/kernel/iommu_groups/0/devices/…`).
static RUN_TOGETHER_OUTPUT: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"/sys/kernel/iommu_groups/\d+/devices/[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]",
        r"|\b(?:[0-9a-f]{4,}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] ",
        r"(?:[0-9a-f]{4}: [0-9a-f]{4}:[0-9a-f]{4}|[A-Z][^:\[\]]* \[[0-9a-f]{4}\]: )",
        r"|BOOT_IMAGE=|\[\s*\d+\.\d+\] ",
    ))
});

/// Commands recognised after a bare `# ` prompt. Without this list, every `# comment` in a
/// modprobe.d file or `/etc/default/grub` would look like a root prompt.
const ROOT_PROMPT_COMMANDS: &[&str] = &[
    "cat",
    "cd",
    "dmesg",
    "echo",
    "efibootmgr",
    "find",
    "for",
    "git",
    "grep",
    "journalctl",
    "ls",
    "lsmod",
    "lspci",
    "make",
    "modprobe",
    "nano",
    "proxmox-boot-tool",
    "pve-efiboot-tool",
    "pvesh",
    "pveversion",
    "qm",
    "readlink",
    "reboot",
    "sudo",
    "systemctl",
    "uname",
    "update-grub",
    "update-initramfs",
    "vi",
    "vim",
    "virsh",
];

fn parse_prompt(line: &str) -> Option<Prompt<'_>> {
    let typed = if let Some(prompt) = USER_PROMPT.find(line) {
        line.get(prompt.end()..)?
    } else if let Some(rest) = line.strip_prefix("$ ") {
        rest
    } else {
        let rest = line.strip_prefix("# ")?;
        let program = rest.split_whitespace().next()?;
        let known = ROOT_PROMPT_COMMANDS.contains(&program) || program.starts_with("./");
        if !known || rest.starts_with(char::is_whitespace) {
            return None;
        }
        rest
    };
    let first_word_end = typed.find(char::is_whitespace).unwrap_or(typed.len());
    let glued = typed
        .get(first_word_end..)
        .and_then(|args| RUN_TOGETHER_OUTPUT.find(args))
        .map(|found| first_word_end + found.start());
    Some(match glued {
        Some(at) => Prompt { command: typed.get(..at).unwrap_or(typed), output: typed.get(at..) },
        None => Prompt { command: typed, output: None },
    })
}

/// What a copied command says about the block below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    /// `dmesg`, `journalctl`: `subsystem: message` lines are log lines.
    KernelLog,
    /// `cat /proc/cmdline`: any line of kernel parameters is the running command line.
    ProcCmdline,
    /// `cat /etc/kernel/cmdline` (systemd-boot via proxmox-boot-tool, domain.md 6.5).
    KernelCmdline,
    /// `qm config 100`, `cat /etc/pve/qemu-server/100.conf`: one known key is enough.
    VmConfig,
    /// `cat /etc/modprobe.d/vfio.conf`: `alias` lines count on their own.
    Modprobe,
}

fn command_hint(command: &str) -> Option<Hint> {
    let first_stage = command.split('|').next().unwrap_or_default();
    let mut words = first_stage.split_whitespace().skip_while(|w| *w == "sudo");
    let program = words.next()?.rsplit('/').next().unwrap_or_default();
    let mut operands = words.filter(|w| !w.starts_with('-'));
    match program {
        "dmesg" | "journalctl" => Some(Hint::KernelLog),
        "qm" => (operands.next() == Some("config")).then_some(Hint::VmConfig),
        "cat" | "head" | "tail" | "less" | "more" => operands.last().and_then(file_hint),
        _ => None,
    }
}

fn file_hint(path: &str) -> Option<Hint> {
    match path {
        "/proc/cmdline" => Some(Hint::ProcCmdline),
        "/etc/kernel/cmdline" => Some(Hint::KernelCmdline),
        "/etc/modprobe.conf" => Some(Hint::Modprobe),
        _ if path.starts_with("/etc/modprobe.d/") => Some(Hint::Modprobe),
        _ if is_vm_config_path(path) => Some(Hint::VmConfig),
        _ => None,
    }
}

/// `/etc/pve/qemu-server/100.conf`, `/etc/pve/nodes/pve/qemu-server/100.conf`, or
/// `100.conf` typed inside that folder.
fn is_vm_config_path(path: &str) -> bool {
    let Some(stem) = path.strip_suffix(".conf") else {
        return false;
    };
    let (folder, name) = stem.rsplit_once('/').unwrap_or(("", stem));
    is_digits(name) && (folder.is_empty() || folder.ends_with("qemu-server"))
}

/// A command typed without a prompt in front (`cat /etc/kernel/cmdline` in a Markdown
/// block, seed 001). Only shapes that prose cannot take: `dmesg` followed by options or
/// a pipe, `cat` of one absolute path, `find /sys/…`, `qm config 100`, `virsh dumpxml x`.
fn is_bare_command(line: &str) -> bool {
    let mut words = line.split_whitespace().skip_while(|w| *w == "sudo");
    let Some(program) = words.next() else {
        return false;
    };
    let first = words.next();
    match program {
        "dmesg" | "lspci" | "journalctl" => match first {
            None => true,
            Some(word) => word.starts_with('-') || word.starts_with('|'),
        },
        "cat" | "head" | "tail" => first.is_some_and(|w| w.starts_with('/')) && words.next().is_none(),
        "find" => first.is_some_and(|w| w.starts_with("/sys/")),
        "qm" => matches!(first, Some("config" | "showcmd" | "start")) && words.next().is_some_and(is_digits),
        "virsh" => {
            matches!(first, Some("dumpxml" | "start" | "edit"))
                && words.next().is_some()
                && words.next().is_none()
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Line classification

/// A few kinds at once, as a bit set.
#[derive(Debug, Clone, Copy)]
struct KindSet(u16);

impl KindSet {
    const ANY: KindSet = KindSet(u16::MAX);

    const fn of(kinds: &[PasteKind]) -> Self {
        let mut bits = 0;
        let mut index = 0;
        while index < kinds.len() {
            bits |= 1 << kinds[index] as u16;
            index += 1;
        }
        KindSet(bits)
    }

    fn contains(self, kind: PasteKind) -> bool {
        self.0 & (1 << kind as u16) != 0
    }
}

/// Files where `#` starts a comment (a Proxmox config's `#` lines are its description).
const COMMENTED: KindSet =
    KindSet::of(&[PasteKind::Modprobe, PasteKind::DefaultGrub, PasteKind::ProxmoxVmConfig]);
const LOGS: KindSet = KindSet::of(&[PasteKind::KernelLog, PasteKind::StartError]);
const CONFIG_OR_LOGS: KindSet =
    KindSet::of(&[PasteKind::ProxmoxVmConfig, PasteKind::KernelLog, PasteKind::StartError]);

/// What one line says about the chunk it belongs to.
#[derive(Debug, Clone, Copy)]
enum Class {
    /// Starts a chunk of this kind, or continues one.
    Strong(PasteKind, Mark),
    /// A `key: value` line whose key qemu-server knows (or any key after `qm config`).
    /// Starts or continues a VM config; a weak key also sticks to a log it follows.
    ConfigKey(Tally),
    /// Joins a chunk of a kind in `fits`; with `adjacent`, only with no blank line
    /// between. With `leads` it may instead wait for the chunk below it, as comments
    /// above a config do.
    Weak {
        fits: KindSet,
        adjacent: bool,
        leads: bool,
    },
    Prose,
}

/// What a strong line tells the chunk beyond its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Plain,
    /// An lspci device header; it moves into a hex chunk when hex rows follow.
    LspciHeader,
    /// `<domain …>` without its `</domain>` on the same line.
    XmlOpen,
}

/// Proxmox config keys seen in a chunk, to tell a config from `word: text` prose.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    known: u32,
    typical: u32,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.known = self.known.saturating_add(other.known);
        self.typical = self.typical.saturating_add(other.typical);
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in pattern is a valid regex")
}

/// `lspci -x` rows: offset, colon, 16 bytes (pciutils `lspci.c` `show_hex_dump`, `%02x:`,
/// so rows past 0xff have three offset digits).
static HEX_ROW: LazyLock<Regex> = LazyLock::new(|| regex(r"^[0-9a-f]{2,3}:(?: [0-9a-f]{2}){16}\s*$"));

/// dmesg prefixes (domain.md 0.2): `[    0.683160]`, `<6>[    0.184398]`, and
/// `dmesg -T`'s `[Mon Jun 29 18:28:41 2024]`.
static DMESG_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"^(?:<\d+>)?\[\s*\d+\.\d+\]|^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d \d{4}\]")
});

/// Journal and syslog prefixes, short (`Jun 29 18:28:41 hp-4300G kernel: `) and ISO
/// (`2024-06-29T18:28:41+0200 pve pvedaemon[1234]: `).
static JOURNAL_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^(?:[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*)",
        r" \S+ (?P<ident>[^\s\[:]+)(?:\[\d+\])?: ",
    ))
});

/// A libvirt QEMU log (`/var/log/libvirt/qemu/<domain>.log`, domain.md 0.2):
/// `2024-05-01T10:00:00.123456Z qemu-system-x86_64: …` and libvirt's own
/// `2024-05-01 10:00:00.123+0000: starting up libvirt version: …`.
static LIBVIRT_LOG: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?",
        r"(?:: | (?:qemu-system-[\w-]+|qemu-kvm|kvm): )",
    ))
});

/// QEMU and Proxmox start failures (domain.md 0.4, 0.7, 2.2, 2.3), matched at the start
/// of the line. `vfio 0000:…: ` is QEMU's own prefix: the kernel names the driver,
/// `vfio-pci`. Proxmox `die` texts can carry ` at … line N.`, so only the start counts.
static START_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^(?:(?:kvm|qemu-kvm|qemu-system-[\w-]+): |TASK ERROR: |start failed: ",
        r"|Starting VM \d+ failed: |error: Failed to start domain|error: internal error: ",
        r"|failed to reset PCI device '|libvirt: ",
        r"|vfio [0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]: ",
        r"|cannot prepare PCI pass-through|can't unbind/bind PCI group to VFIO",
        r"|q35 machine model is not enabled|no PCI device found for '|no pci device info for device '",
        r"|PCI device '[^']*' (?:already in use|is currently reserved)",
        r"|Cannot bind \S+ to vfio|Cannot find vfio-pci module!|Cannot open iommu_group: ",
        r"|Please ensure all devices within the iommu_group are bound",
        r"|Device option ROM contents are probably invalid|Skip option ROM probe with rombar=0)",
    ))
});

/// KVM's own MSR messages (`kvm_pr_unimpl`, domain.md 2.4), which newer kernels prefix with
/// `kvm: ` like QEMU's errors.
static KVM_MSR: LazyLock<Regex> = LazyLock::new(|| regex(r"^(?:kvm: )?kvm \[\d+\]: "));

/// Kernel messages without a timestamp: `pr_fmt` prefixes of the IOMMU drivers
/// (domain.md 1.2, 1.4) and `<driver> <domain:bus:dev.fn>: ` device messages (0.3).
static KERNEL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^(?:(?:DMAR|DMAR-IR|AMD-Vi|iommu|perf/amd_iommu|efifb|vesafb|simplefb|simpledrm|ACPI",
        r"|vfio-pci|vfio_iommu_type1_attach_group|vfio_pin_pages_remote|vfio_ecap_init): ",
        r"|[\w-]+ [0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]: |pci_bus [0-9a-f]{4,}:[0-9a-f]{2}: ",
        r"|(?:kvm: )?kvm \[\d+\]: |Warning: PCIe ACS overrides enabled|VFIO - User Level meta-driver",
        r"|Kernel command line: |[\w.-]+ systemd-modules-load\[\d+\]: )",
    ))
});

/// An lspci device header (domain.md 3.7): `-n` (`01:00.0 0300: 10de:1381 (rev a2)`) or
/// named, with or without `-nn` numbers. Class names start with a capital or a digit.
static LSPCI_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^(?:[0-9a-f]{4,}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] (?:[0-9a-f]{4}: [0-9a-f]{4}:[0-9a-f]{4}",
        r"|[A-Z0-9][\w()/.+-]*(?: [\w()/.+-]+){0,6}(?: \[[0-9a-f]{4}\])?: \S)",
    ))
});

/// `lspci -vmm` records start with `Slot:` (or `Device:` with `-vm`) and the address.
static LSPCI_VMM_SLOT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(?:Slot|Device):\t(?:[0-9a-f]{4,}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\s*$"));

/// The other `lspci -vmm` fields: `Class:\t…`, `Vendor:\t…`, `Driver:\t…`.
static LSPCI_VMM_FIELD: LazyLock<Regex> = LazyLock::new(|| regex(r"^[A-Z][A-Za-z]*:\t"));

/// `IOMMU Group 1 01:00.0 …` (ArchWiki loop), `IOMMU Group 1:` headers, and
/// `find /sys/kernel/iommu_groups/ -type l` paths.
static IOMMU_GROUP: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"^IOMMU [Gg]roup \d+(?::|\s*$|\s+(?:[0-9a-f]{4,}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7](?:\s|$))",
        r"|^/sys/kernel/iommu_groups/\d+/devices/[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]",
    ))
});

static GRUB_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| regex(r"^GRUB_[A-Z0-9_]+="));

/// Proxmox config sections (`qs: src/PVE/QemuServer.pm`, `parse_vm_config`): snapshots,
/// `[PENDING]`, `[special:cloudinit]`.
static CONFIG_SECTION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\[(?:[a-z][a-z0-9_\-]+|PENDING|special:[a-z]+)\]\s*$"));

/// A log line of a subsystem this file does not list: `ACPI: …`, `swtpm_setup: …`,
/// `xhci_hcd 0000:00:14.0: …`. Weak: it only stays next to a log.
static LOG_LIKE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^[A-Za-z][\w./-]*(?: [\w.:/-]+)?(?:\[\d+\])?: \S"));

static MARKDOWN_HEADING: LazyLock<Regex> = LazyLock::new(|| regex(r"^#{2,6}\s"));

/// Classifies one non-blank line, leading whitespace removed.
fn classify(line: &str, hint: Option<Hint>) -> Class {
    use PasteKind::*;
    let strong = |kind| Class::Strong(kind, Mark::Plain);
    if HEX_ROW.is_match(line) {
        return strong(LspciHex);
    }
    if let Some(kind) = timestamped_kind(line) {
        return strong(kind);
    }
    if is_start_error(line) {
        return strong(StartError);
    }
    if IOMMU_GROUP.is_match(line) {
        return strong(IommuGroups);
    }
    if LSPCI_HEADER.is_match(line) {
        return Class::Strong(Lspci, Mark::LspciHeader);
    }
    if LSPCI_VMM_SLOT.is_match(line) {
        return strong(Lspci);
    }
    if KERNEL_MESSAGE.is_match(line) {
        return strong(KernelLog);
    }
    if let Some(mark) = domain_start(line) {
        return Class::Strong(LibvirtXml, mark);
    }
    if GRUB_ASSIGNMENT.is_match(line) {
        return strong(DefaultGrub);
    }
    if let Some(class) = modprobe_class(line, hint) {
        return class;
    }
    if let Some(kind) = cmdline_kind(line, hint) {
        return strong(kind);
    }
    if let Some(class) = config_class(line, hint) {
        return class;
    }
    weak_class(line, hint)
}

/// Lines whose prefix is a timestamp: dmesg, journal, syslog, libvirt QEMU log.
fn timestamped_kind(line: &str) -> Option<PasteKind> {
    if DMESG_PREFIX.is_match(line) {
        return Some(PasteKind::KernelLog);
    }
    if LIBVIRT_LOG.is_match(line) {
        return Some(PasteKind::StartError);
    }
    let journal = JOURNAL_PREFIX.captures(line)?;
    let ident = journal.name("ident").map_or("", |m| m.as_str());
    let message = journal.get(0).and_then(|m| line.get(m.end()..)).unwrap_or_default();
    Some(if ident != "kernel" && is_start_error(message) {
        PasteKind::StartError
    } else {
        PasteKind::KernelLog
    })
}

fn is_start_error(line: &str) -> bool {
    START_ERROR.is_match(line) && !KVM_MSR.is_match(line) && !is_config_kvm_flag(line)
}

/// A Proxmox config's `kvm: 0` (hardware virtualisation off) is no QEMU error.
fn is_config_kvm_flag(line: &str) -> bool {
    matches!(line.trim_end(), "kvm: 0" | "kvm: 1")
}

fn domain_start(line: &str) -> Option<Mark> {
    let rest = line.strip_prefix("<domain")?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t', '>'])) {
        return None;
    }
    Some(if rest.contains("</domain>") { Mark::Plain } else { Mark::XmlOpen })
}

/// modprobe.d directives (`man 5 modprobe.d`), shaped strictly enough that prose such as
/// "options are limited" or "blacklist the drivers:" does not match.
fn modprobe_class(line: &str, hint: Option<Hint>) -> Option<Class> {
    let modprobe = Class::Strong(PasteKind::Modprobe, Mark::Plain);
    let mut words = line.split_whitespace();
    let directive = words.next()?;
    let second = words.next();
    let module = second.filter(|w| is_module_name(w));
    let matched = match directive {
        "options" => module.is_some() && are_module_params(words),
        "blacklist" => module.is_some() && words.next().is_none(),
        "softdep" => module.is_some() && is_softdep_tail(words),
        "install" | "remove" => module.is_some() && words.next().is_some_and(|w| w.starts_with('/')),
        "alias" => {
            // `alias <wildcard> <module>`: also common English, so never alone.
            if second.is_none() || words.next().is_none() {
                return None;
            }
            return Some(if hint == Some(Hint::Modprobe) {
                modprobe
            } else {
                Class::Weak { fits: KindSet::of(&[PasteKind::Modprobe]), adjacent: false, leads: true }
            });
        }
        _ => false,
    };
    matched.then_some(modprobe)
}

fn is_module_name(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `ids=10de:1b80,10de:10f0 disable_vga=1`: at least one `name=value`, every word a
/// parameter.
fn are_module_params<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    let mut assigned = false;
    for word in words {
        let (name, value) = word.split_once('=').unwrap_or((word, ""));
        if !is_param_name(name) {
            return false;
        }
        assigned |= word.contains('=') && !value.is_empty();
    }
    assigned
}

/// `pre: vfio-pci`, `post: snd_hda_codec_hdmi`.
fn is_softdep_tail<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    let mut has_list = false;
    for word in words {
        if word == "pre:" || word == "post:" {
            has_list = true;
        } else if !is_module_name(word) {
            return false;
        }
    }
    has_list
}

/// A kernel parameter name: `intel_iommu`, `vfio-pci.ids`, `BOOT_IMAGE`, `8250.nr_uarts`.
fn is_param_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Parameters that stand alone, without `=`, and are common enough to vouch for a line.
const KERNEL_FLAGS: &[&str] = &[
    "debug",
    "nokaslr",
    "nomodeset",
    "noresume",
    "nosmt",
    "nosplash",
    "quiet",
    "rhgb",
    "ro",
    "rootwait",
    "rw",
    "single",
    "splash",
    "text",
];

/// Parameters that only a kernel command line has (domain.md 1.7, 6.5).
const CMDLINE_MARKERS: &[&str] = &["root", "intel_iommu", "amd_iommu", "iommu", "console"];

/// A single line of kernel parameters. It must be nothing but parameters and carry a
/// marker (`BOOT_IMAGE=`, `root=`, `*iommu=`, `console=`, or `ro`/`quiet` beside an
/// assignment), so "I set intel_iommu=on and rebooted" stays prose. After
/// `cat /etc/kernel/cmdline` a line without `BOOT_IMAGE=` (which only a boot loader
/// adds) is that file; otherwise it is the running command line.
fn cmdline_kind(line: &str, hint: Option<Hint>) -> Option<PasteKind> {
    let mut boot_image = false;
    let mut marker = false;
    let mut assignment = false;
    let mut marker_flag = false;
    for token in line.split_whitespace() {
        match token.split_once('=') {
            Some((name, _)) => {
                if !is_param_name(name) {
                    return None;
                }
                assignment = true;
                boot_image |= name == "BOOT_IMAGE";
                marker |= CMDLINE_MARKERS.contains(&name);
            }
            None => {
                if !is_kernel_flag(token) {
                    return None;
                }
                marker_flag |= token == "ro" || token == "quiet";
            }
        }
    }
    let hinted = matches!(hint, Some(Hint::ProcCmdline | Hint::KernelCmdline));
    let is_cmdline = boot_image || marker || (marker_flag && assignment) || hinted;
    if !is_cmdline {
        return None;
    }
    Some(if hint == Some(Hint::KernelCmdline) && !boot_image {
        PasteKind::KernelCmdline
    } else {
        PasteKind::Cmdline
    })
}

/// A parameter without a value. Prose words pass only when lower case and either listed,
/// dotted or underscored (`vfio_iommu_type1.allow_unsafe_interrupts`), or `no…` flags.
fn is_kernel_flag(token: &str) -> bool {
    let shaped = token
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'));
    shaped
        && (KERNEL_FLAGS.contains(&token)
            || token.contains(['.', '_'])
            || (token.len() > 2 && token.starts_with("no")))
}

/// Keys of a qemu-server VM config without their index (`qs: src/PVE/QemuServer.pm`,
/// `$confdesc`, plus the drive, net and hostpci families).
const CONFIG_KEYS: &[&str] = &[
    "acpi",
    "affinity",
    "agent",
    "allow-ksm",
    "amd-sev",
    "arch",
    "args",
    "audio",
    "autostart",
    "balloon",
    "bios",
    "boot",
    "bootdisk",
    "cdrom",
    "cicustom",
    "cipassword",
    "citype",
    "ciupgrade",
    "ciuser",
    "cores",
    "cpu",
    "cpulimit",
    "cpuunits",
    "description",
    "digest",
    "efidisk",
    "freeze",
    "hookscript",
    "hostpci",
    "hotplug",
    "hugepages",
    "ide",
    "ipconfig",
    "ivshmem",
    "keephugepages",
    "keyboard",
    "kvm",
    "localtime",
    "lock",
    "machine",
    "memory",
    "meta",
    "migrate_downtime",
    "migrate_speed",
    "name",
    "nameserver",
    "net",
    "numa",
    "onboot",
    "ostype",
    "parallel",
    "parent",
    "protection",
    "reboot",
    "rng",
    "runningcpu",
    "runningmachine",
    "sata",
    "scsi",
    "scsihw",
    "searchdomain",
    "serial",
    "shares",
    "smbios",
    "smp",
    "snaptime",
    "sockets",
    "spice_enhancements",
    "sshkeys",
    "startdate",
    "startup",
    "tablet",
    "tags",
    "tdf",
    "template",
    "tpmstate",
    "unused",
    "usb",
    "vcpus",
    "vga",
    "virtio",
    "virtiofs",
    "vmgenid",
    "vmstate",
    "vmstatefile",
    "watchdog",
];

/// Keys that a Proxmox VM config almost always has and prose almost never starts with.
const TYPICAL_CONFIG_KEYS: &[&str] = &[
    "args", "bios", "boot", "cores", "cpu", "efidisk", "hostpci", "machine", "memory", "ostype", "scsihw",
    "smbios", "sockets", "vga", "vmgenid",
];

/// `key: value` in qemu-server's syntax: `^([a-z][a-z_\-]*\d*):\s*(.+?)\s*$`, with a
/// space after the colon as `qm config` and the GUI write it (so `http://…` is no key).
fn config_class(line: &str, hint: Option<Hint>) -> Option<Class> {
    let (key, value) = line.split_once(':')?;
    if !value.starts_with([' ', '\t']) || value.trim().is_empty() || !is_config_key(key) {
        return None;
    }
    let name = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let known = CONFIG_KEYS.contains(&name);
    let typical = TYPICAL_CONFIG_KEYS.contains(&name) || (name == "net" && value.contains("bridge="));
    if known || hint == Some(Hint::VmConfig) {
        return Some(Class::ConfigKey(Tally { known: u32::from(known), typical: u32::from(typical) }));
    }
    if hint == Some(Hint::KernelLog) && LOG_LIKE.is_match(line) {
        return Some(Class::Strong(PasteKind::KernelLog, Mark::Plain));
    }
    Some(Class::Weak { fits: CONFIG_OR_LOGS, adjacent: true, leads: false })
}

fn is_config_key(key: &str) -> bool {
    let name = key.trim_end_matches(|c: char| c.is_ascii_digit());
    name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
}

/// Lines that are something only next to the right neighbours.
fn weak_class(line: &str, hint: Option<Hint>) -> Class {
    let weak = |fits, adjacent, leads| Class::Weak { fits, adjacent, leads };
    if CONFIG_SECTION.is_match(line) {
        return weak(KindSet::of(&[PasteKind::ProxmoxVmConfig]), false, false);
    }
    if line.starts_with('#') {
        // A Markdown heading is a comment only inside a file it already sits in.
        return weak(COMMENTED, false, !MARKDOWN_HEADING.is_match(line));
    }
    if line.starts_with("error: ") {
        return weak(KindSet::of(&[PasteKind::StartError]), true, false);
    }
    if LSPCI_VMM_FIELD.is_match(line) {
        return weak(KindSet::of(&[PasteKind::Lspci]), false, false);
    }
    if LOG_LIKE.is_match(line) {
        if hint == Some(Hint::KernelLog) {
            return Class::Strong(PasteKind::KernelLog, Mark::Plain);
        }
        return weak(LOGS, true, false);
    }
    Class::Prose
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

// ---------------------------------------------------------------------------------------
// Grouping

/// A chunk being built: its kind and lines as (line number, raw text).
struct Run<'a> {
    kind: PasteKind,
    lines: Vec<(u64, &'a str)>,
    /// Indentation of the line that started the run; deeper lines continue it.
    base_indent: usize,
    tally: Tally,
    /// Started right after `qm config` or `cat …/100.conf`.
    hinted: bool,
    /// Inside `<domain>` before `</domain>`.
    xml_open: bool,
    ends_with_lspci_header: bool,
}

impl<'a> Run<'a> {
    fn new(kind: PasteKind, base_indent: usize, hinted: bool) -> Self {
        Run {
            kind,
            lines: Vec::new(),
            base_indent,
            tally: Tally::default(),
            hinted,
            xml_open: false,
            ends_with_lspci_header: false,
        }
    }

    fn push(&mut self, line_no: u64, text: &'a str, mark: Mark, tally: Tally) {
        self.lines.push((line_no, text));
        self.tally.add(tally);
        self.ends_with_lspci_header = mark == Mark::LspciHeader;
        if mark == Mark::XmlOpen {
            self.xml_open = true;
        }
    }

    /// Whether a deeper-indented line with nothing between continues this run (lspci
    /// details, `pr_cont` lines, `IOMMU Group 1:` members). Prose and one-line kinds
    /// do not; an open XML document is handled before this.
    fn takes_indented_lines(&self) -> bool {
        !matches!(
            self.kind,
            PasteKind::Unknown | PasteKind::Cmdline | PasteKind::KernelCmdline | PasteKind::LibvirtXml
        )
    }

    fn into_piece(self) -> Option<Piece> {
        let first_line = self.lines.first()?.0;
        let mut text = String::new();
        for (index, (_, line)) in self.lines.iter().enumerate() {
            if index > 0 {
                text.push('\n');
            }
            text.push_str(dedent(line, self.base_indent).trim_end());
        }
        Some(Piece { kind: self.kind, first_line, text, tally: self.tally, hinted: self.hinted })
    }
}

/// Removes up to `width` leading spaces or tabs.
fn dedent(line: &str, width: usize) -> &str {
    let cut = indent_of(line).min(width);
    line.get(cut..).unwrap_or(line)
}

/// A finished run, before the VM-config check.
struct Piece {
    kind: PasteKind,
    first_line: u64,
    text: String,
    tally: Tally,
    hinted: bool,
}

impl Piece {
    fn absorb(&mut self, next: Piece) {
        self.text.push('\n');
        self.text.push_str(&next.text);
        self.tally.add(next.tally);
        self.hinted |= next.hinted;
    }

    /// `key: value` lines are a VM config only with two known keys, one typical of
    /// Proxmox (or one known key right after `qm config`); else they are prose.
    fn checked_kind(&self) -> PasteKind {
        let tally = self.tally;
        let config = (tally.known >= 2 && tally.typical >= 1) || (self.hinted && tally.known >= 1);
        match self.kind {
            PasteKind::ProxmoxVmConfig if !config => PasteKind::Unknown,
            kind => kind,
        }
    }
}

/// A line waiting for the next content line to decide where it goes: a blank line (which
/// fits anywhere), or a leading weak line such as a comment above a config.
struct Pending<'a> {
    line_no: u64,
    text: &'a str,
    fits: KindSet,
}

#[derive(Default)]
struct Splitter<'a> {
    hint: Option<Hint>,
    current: Option<Run<'a>>,
    /// Blank lines after `current`, or (when `current` is `None`) leading weak lines and
    /// the blanks between them.
    pending: Vec<Pending<'a>>,
    pieces: Vec<Piece>,
}

impl<'a> Splitter<'a> {
    fn feed(&mut self, line_no: u64, raw: &'a str) {
        let (tag_before, body, tag_after) = strip_code_tags(raw);
        if tag_before {
            self.barrier(None);
        }
        if !(tag_before || tag_after) || !body.trim().is_empty() {
            self.line(line_no, body);
        }
        if tag_after {
            self.barrier(None);
        }
    }

    fn line(&mut self, line_no: u64, text: &'a str) {
        let trimmed = text.trim();
        if is_fence(trimmed) {
            self.barrier(None);
        } else if let Some(prompt) = parse_prompt(trimmed) {
            self.barrier(command_hint(prompt.command));
            if let Some(output) = prompt.output {
                self.content(line_no, output);
            }
        } else if is_bare_command(trimmed) {
            self.barrier(command_hint(trimmed));
        } else {
            self.content(line_no, text);
        }
    }

    /// Ends the current chunk at something the user did not paste as output: a fence, a
    /// code tag or a prompt. `hint` applies to what follows.
    fn barrier(&mut self, hint: Option<Hint>) {
        self.finish_current();
        let waiting = std::mem::take(&mut self.pending);
        self.push_unknown(waiting);
        self.hint = hint;
    }

    fn content(&mut self, line_no: u64, text: &'a str) {
        let blank = text.trim().is_empty();
        let indent = indent_of(text);
        if self.continues_open_xml(blank, text, indent) {
            self.append(line_no, text, Mark::Plain, Tally::default());
            if text.contains("</domain>") {
                if let Some(run) = self.current.as_mut() {
                    run.xml_open = false;
                }
            }
            return;
        }
        if blank {
            self.pending.push(Pending { line_no, text, fits: KindSet::ANY });
            return;
        }
        let continues_by_indent = self.pending.is_empty()
            && self
                .current
                .as_ref()
                .is_some_and(|run| run.takes_indented_lines() && indent > run.base_indent);
        if continues_by_indent {
            self.append(line_no, text, Mark::Plain, Tally::default());
            return;
        }
        let trimmed = text.get(indent..).unwrap_or(text);
        match classify(trimmed, self.hint) {
            Class::Strong(kind, mark) => self.strong(line_no, text, indent, kind, mark),
            Class::ConfigKey(tally) => self.config_key(line_no, text, indent, tally),
            Class::Weak { fits, adjacent, leads } => self.weak(line_no, text, fits, adjacent, leads),
            Class::Prose => self.prose(line_no, text, indent),
        }
    }

    /// Inside `<domain>`: element lines, blank lines and deeper text stay in the document.
    /// Anything else means the paste cut the XML short; it closes the document (and the
    /// blank line, pushed as pending, waits like any other).
    fn continues_open_xml(&mut self, blank: bool, text: &str, indent: usize) -> bool {
        let Some(run) = self.current.as_mut().filter(|run| run.xml_open) else {
            return false;
        };
        if blank {
            return false;
        }
        let inside = text.get(indent..).is_some_and(|t| t.starts_with('<')) || indent > run.base_indent;
        if !inside {
            run.xml_open = false;
        }
        inside
    }

    fn strong(&mut self, line_no: u64, text: &'a str, indent: usize, kind: PasteKind, mark: Mark) {
        if kind == PasteKind::LspciHex {
            if let Some((header_no, header)) = self.take_lspci_header() {
                self.begin(kind, indent);
                self.append(header_no, header, Mark::Plain, Tally::default());
                self.append(line_no, text, mark, Tally::default());
                return;
            }
        }
        if self.current_kind() != Some(kind) {
            self.begin(kind, indent);
        }
        self.append(line_no, text, mark, Tally::default());
    }

    /// The lspci header right above the first hex row (`lspci -xxx` prints each device's
    /// header, then its rows): it belongs to the hex dump, not to an lspci listing.
    fn take_lspci_header(&mut self) -> Option<(u64, &'a str)> {
        if !self.pending.is_empty() {
            return None;
        }
        let run =
            self.current.as_mut().filter(|run| run.kind == PasteKind::Lspci && run.ends_with_lspci_header)?;
        let header = run.lines.pop()?;
        run.ends_with_lspci_header = false;
        if run.lines.is_empty() {
            self.current = None;
        }
        Some(header)
    }

    fn config_key(&mut self, line_no: u64, text: &'a str, indent: usize, tally: Tally) {
        let sticks_to_log = self.pending.is_empty()
            && tally.typical == 0
            && self.current_kind().is_some_and(|kind| LOGS.contains(kind));
        let continues = self.current_kind() == Some(PasteKind::ProxmoxVmConfig) || sticks_to_log;
        if !continues {
            self.begin(PasteKind::ProxmoxVmConfig, indent);
        }
        self.append(line_no, text, Mark::Plain, tally);
    }

    fn weak(&mut self, line_no: u64, text: &'a str, fits: KindSet, adjacent: bool, leads: bool) {
        let joins = self.current_kind().is_some_and(|kind| fits.contains(kind))
            && (!adjacent || self.pending.is_empty());
        if joins {
            self.append(line_no, text, Mark::Plain, Tally::default());
        } else if leads {
            self.finish_current();
            self.pending.push(Pending { line_no, text, fits });
        } else {
            self.prose(line_no, text, indent_of(text));
        }
    }

    /// Prose ends whatever the last command printed, so it also ends the hint.
    fn prose(&mut self, line_no: u64, text: &'a str, indent: usize) {
        self.hint = None;
        if self.current_kind() != Some(PasteKind::Unknown) {
            self.begin(PasteKind::Unknown, indent);
        }
        self.append(line_no, text, Mark::Plain, Tally::default());
    }

    fn current_kind(&self) -> Option<PasteKind> {
        self.current.as_ref().map(|run| run.kind)
    }

    /// Starts a run of `kind`. Waiting lead lines that fit `kind` (and the blank lines
    /// among them) open it; those before the last one that does not fit become prose.
    /// Before prose, all of them are prose.
    fn begin(&mut self, kind: PasteKind, indent: usize) {
        self.finish_current();
        let mut waiting = std::mem::take(&mut self.pending);
        let keep_from = waiting
            .iter()
            .rposition(|line| kind != PasteKind::Unknown && !line.fits.contains(kind))
            .map_or(0, |last_misfit| last_misfit + 1);
        let kept = waiting.split_off(keep_from);
        self.push_unknown(waiting);
        let hinted = kind == PasteKind::ProxmoxVmConfig && self.hint == Some(Hint::VmConfig);
        let mut run = Run::new(kind, indent, hinted);
        for line in kept.into_iter().skip_while(|line| line.text.trim().is_empty()) {
            run.push(line.line_no, line.text, Mark::Plain, Tally::default());
        }
        self.current = Some(run);
    }

    /// Adds a line to the current run, with the blank lines waiting before it.
    fn append(&mut self, line_no: u64, text: &'a str, mark: Mark, tally: Tally) {
        let Some(run) = self.current.as_mut() else {
            return;
        };
        for blank in self.pending.drain(..) {
            run.push(blank.line_no, blank.text, Mark::Plain, Tally::default());
        }
        run.push(line_no, text, mark, tally);
    }

    fn finish_current(&mut self) {
        if let Some(piece) = self.current.take().and_then(Run::into_piece) {
            self.push_piece(piece);
        }
    }

    /// Lead lines that found no chunk of their own are prose. Blank lines around them go.
    fn push_unknown(&mut self, lines: Vec<Pending<'a>>) {
        let mut run = Run::new(PasteKind::Unknown, 0, false);
        let mut blanks = Vec::new();
        for line in lines {
            if line.text.trim().is_empty() {
                blanks.push(line);
                continue;
            }
            if !run.lines.is_empty() {
                for blank in blanks.drain(..) {
                    run.push(blank.line_no, blank.text, Mark::Plain, Tally::default());
                }
            }
            blanks.clear();
            run.push(line.line_no, line.text, Mark::Plain, Tally::default());
        }
        if let Some(piece) = run.into_piece() {
            self.push_piece(piece);
        }
    }

    fn push_piece(&mut self, piece: Piece) {
        match self.pieces.last_mut() {
            Some(last) if last.kind == piece.kind => last.absorb(piece),
            _ => self.pieces.push(piece),
        }
    }

    fn finish(mut self) -> Vec<PasteChunk> {
        self.barrier(None);
        let mut chunks: Vec<PasteChunk> = Vec::new();
        for piece in self.pieces {
            let kind = piece.checked_kind();
            match chunks.last_mut() {
                Some(last) if last.kind == kind => {
                    last.text.push('\n');
                    last.text.push_str(&piece.text);
                }
                _ => chunks.push(PasteChunk { kind, text: piece.text, first_line: piece.first_line }),
            }
        }
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::PasteKind::*;
    use super::*;

    fn paste(lines: &[&str]) -> String {
        lines.join("\n")
    }

    fn kinds(text: &str) -> Vec<(PasteKind, u64)> {
        split_paste(text).iter().map(|chunk| (chunk.kind, chunk.first_line)).collect()
    }

    /// The text of the only chunk of `kind`, failing when there is not exactly one.
    fn only_text(text: &str, kind: PasteKind) -> String {
        let chunks: Vec<PasteChunk> =
            split_paste(text).into_iter().filter(|chunk| chunk.kind == kind).collect();
        assert_eq!(chunks.len(), 1, "one {kind:?} chunk expected in {chunks:?}");
        chunks.into_iter().next().map(|chunk| chunk.text).unwrap_or_default()
    }

    // Seed 001 (Markdown notes), lines 88-105: Intel `dmesg`.
    const SEED_001_INTEL_DMESG: &[&str] = &[
        "[    0.013654] ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB      00000001 INTL 00000001)",
        "[    0.065485] DMAR: IOMMU enabled",
        "[    0.133534] DMAR: Host address width 36",
        "[    0.133536] DMAR: DRHD base: 0x000000fed90000 flags: 0x0",
        "[    0.133542] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap c0000020e60262 ecap f0101a",
        "[    0.133545] DMAR: DRHD base: 0x000000fed91000 flags: 0x1",
        "[    0.133549] DMAR: dmar1: reg_base_addr fed91000 ver 1:0 cap c9008020660262 ecap f0105a",
        "[    0.133551] DMAR: RMRR base: 0x000000ba3ba000 end: 0x000000ba3d0fff",
        "[    0.133553] DMAR: RMRR base: 0x000000bb800000 end: 0x000000bf9fffff",
        "[    0.133557] DMAR-IR: IOAPIC id 2 under DRHD base  0xfed91000 IOMMU 1",
        "[    0.133559] DMAR-IR: HPET id 0 under DRHD base 0xfed91000",
        "[    0.133561] DMAR-IR: Queued invalidation will be enabled to support x2apic and Intr-remapping.",
        "[    0.133975] DMAR-IR: Enabled IRQ remapping in x2apic mode",
        "[    0.825025] DMAR: No ATSR found",
        "[    0.825073] DMAR: dmar0: Using Queued invalidation",
        "[    0.825079] DMAR: dmar1: Using Queued invalidation",
        "[    0.913290] DMAR: Intel(R) Virtualization Technology for Directed I/O",
        "[    5.728472] i915 0000:00:02.0: DMAR active, disabling use of stolen memory",
    ];

    // domain.md 3.7, observed `lspci -nnk | grep -A3 NVIDIA`.
    const LSPCI_NNK: &[&str] = &[
        "02:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)",
        "\tSubsystem: Device [196e:119e]",
        "\tKernel driver in use: vfio-pci",
        "\tKernel modules: nvidiafb, nouveau",
        "02:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)",
        "\tSubsystem: Device [196e:119e]",
        "\tKernel driver in use: vfio-pci",
    ];

    #[test]
    fn empty_and_blank_pastes_give_no_chunks() {
        assert!(split_paste("").is_empty());
        assert!(split_paste("\n\n   \n\t\n").is_empty());
        assert!(split_paste("```\n\n```\n[code]\n[/code]\n").is_empty());
    }

    // ---- KernelLog ------------------------------------------------------------------

    #[test]
    fn dmesg_with_timestamps_is_one_kernel_log_chunk() {
        let text = paste(SEED_001_INTEL_DMESG);
        let chunks = split_paste(&text);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].kind, KernelLog);
        assert_eq!(chunks[0].first_line, 1);
        assert_eq!(chunks[0].text, text);
    }

    #[test]
    fn prefixless_iommu_messages_are_kernel_log() {
        // domain.md 1.4, observed on AMD with kernel 6.x, and 1.2, observed on Intel.
        let amd = paste(&[
            "AMD-Vi: Unknown option - 'on'",
            "AMD-Vi: Using global IVHD EFR:0x246577efa2254afa, EFR2:0x0",
            "pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported",
            "AMD-Vi: Extended features (0x246577efa2254afa, 0x0): PPR NX GT [5] IA GA PC GA_vAPIC",
            "AMD-Vi: Interrupt remapping enabled",
            "AMD-Vi: Virtual APIC enabled",
            "perf/amd_iommu: Detected AMD IOMMU #0 (2 banks, 4 counters/bank).",
        ]);
        assert_eq!(kinds(&amd), vec![(KernelLog, 1)]);
        let intel = paste(&[
            "DMAR: IOMMU enabled",
            "DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap 19e2ff0505e",
            "DMAR: dmar1: reg_base_addr fed91000 ver 1:0 cap d2008c40660462 ecap f050da",
            "DMAR: RMRR base: 0x0000007c000000 end: 0x000000803fffff",
            "DMAR-IR: IOAPIC id 2 under DRHD base  0xfed91000 IOMMU 2",
            "DMAR-IR: HPET id 0 under DRHD base 0xfed91000",
            "DMAR-IR: Queued invalidation will be enabled to support x2apic and Intr-remapping.",
            "DMAR-IR: Enabled IRQ remapping in x2apic mode",
            "DMAR: No ATSR found",
            "DMAR: dmar0: Using Queued invalidation",
            "DMAR: dmar1: Using Queued invalidation",
            "DMAR: Intel(R) Virtualization Technology for Directed I/O",
        ]);
        assert_eq!(kinds(&intel), vec![(KernelLog, 1)]);
    }

    #[test]
    fn continuation_line_of_pr_cont_stays_in_the_log() {
        // domain.md 0.5, observed.
        let text = paste(&[
            "pci 0000:00:00.2: AMD-Vi: Extended features (0x206d73ef22254ade):",
            " PPR X2APIC NX GT IA GA PC GA_vAPIC",
        ]);
        assert_eq!(kinds(&text), vec![(KernelLog, 1)]);
        assert_eq!(only_text(&text, KernelLog), text);
    }

    #[test]
    fn kernel_error_catalogue_lines_are_kernel_log() {
        // domain.md 2.1 example lines (observed unless noted there).
        let text = paste(&[
            "vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0x50000000-0x51ffffff 64bit pref]",
            "vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param \"allow_unsafe_interrupts\" to enable VFIO IOMMU support on this platform",
            "vfio-pci 0000:07:00.0: DMAR: Device is ineligible for IOMMU domain attach due to platform RMRR requirement.  Contact your platform vendor.",
            "snd_hda_intel 0000:03:00.1: Unable to change power state from D3cold to D0, device inaccessible",
            "vfio-pci 0000:0c:00.3: not ready 65535ms after FLR; giving up",
            "vfio-pci: probe of 0000:00:00.0 failed with error -22",
            "amdgpu 0000:03:00.0: Invalid PCI ROM header signature: expecting 0xaa55, got 0x0000",
            "vfio-pci 0000:09:00.0: vfio_ecap_init: hiding ecap 0x19@0x900",
            "Warning: PCIe ACS overrides enabled; This may allow non-IOMMU protected peer-to-peer DMA",
            "pve systemd-modules-load[348]: Failed to find module 'vfio_virqfd'",
            "i915 0000:00:02.0: Invalid PCI ROM data signature: expecting 0x52494350, got 0xe937aa55",
            "pci 0000:00:02.0: BAR 2: assigned to efifb",
            "vfio_pin_pages_remote: RLIMIT_MEMLOCK (65536) exceeded",
        ]);
        assert_eq!(kinds(&text), vec![(KernelLog, 1)]);
    }

    #[test]
    fn journal_kmsg_and_ctime_prefixes_are_kernel_log() {
        // Prefixes from domain.md 0.2; `dmesg -T` prints the ctime form.
        let text = paste(&[
            "Jun 29 18:28:41 hp-4300G kernel: AMD-Vi: Interrupt remapping enabled",
            "<6>[    0.184398] DMAR: IOMMU enabled",
            "[Sat Jun 29 18:28:41 2024] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)",
            "2024-06-29T18:28:41+0200 hp-4300G kernel: DMAR: IOMMU enabled",
        ]);
        assert_eq!(kinds(&text), vec![(KernelLog, 1)]);
    }

    #[test]
    fn kvm_msr_messages_are_kernel_log_not_qemu_errors() {
        // domain.md 2.4, both observed.
        let text = paste(&[
            "kvm [13452]: vcpu0, guest rIP: 0xffffffff8105e183 unhandled rdmsr: 0x1c9",
            "kvm: kvm [4638]: ignored rdmsr: 0x1ad data 0x0",
        ]);
        assert_eq!(kinds(&text), vec![(KernelLog, 1)]);
    }

    #[test]
    fn unlisted_subsystem_lines_stay_inside_a_log_but_not_alone() {
        let log = paste(&[
            "DMAR: IOMMU enabled",
            "xhci_hcd: probe of something",
            "smp: Bringing up secondary CPUs ...",
        ]);
        assert_eq!(kinds(&log), vec![(KernelLog, 1)]);
        assert_eq!(kinds("ACPI-ish thing: hello\nNote: this is a test"), vec![(Unknown, 1)]);
    }

    #[test]
    fn after_dmesg_prompt_unlisted_subsystems_count_as_log() {
        let text = paste(&[
            "root@pve:~# dmesg | grep -i nvme",
            "nvme nvme0: pci function 0000:02:00.0",
            "nvme0n1: p1 p2 p3",
        ]);
        assert_eq!(kinds(&text), vec![(KernelLog, 2)]);
    }

    // ---- StartError -----------------------------------------------------------------

    #[test]
    fn qemu_and_proxmox_errors_are_start_errors() {
        // domain.md 0.4, 0.7, 2.2 and 2.3 example lines.
        let text = paste(&[
            "kvm: -device vfio-pci,host=0000:06:00.0,id=hostdev0,bus=pci.7,addr=0x0: vfio 0000:06:00.0: group 7 is not viable",
            "Please ensure all devices within the iommu_group are bound to their vfio bus driver.",
            "vfio 0000:01:00.0: failed to setup container for group 13: Failed to set group container: Invalid argument",
            "qemu-system-x86_64: -device vfio-pci,host=0000:41:10.1,bootindex=-1: VFIO_MAP_DMA: -22",
            "qemu-system-x86_64: vfio_container_dma_map(0x555d4815ef40, 0xc000040000, 0x10000 , 0x7f4580520000) = -22 (Invalid argument)",
            "kvm: vfio: Cannot reset device 0000:00:17.0, no available reset mechanism.",
            "qemu-system-ppc64: vfio: Cannot reset device 0000:01:00.2, depends on group 0 which is not owned.",
            "TASK ERROR: cannot prepare PCI pass-through, IOMMU not present",
            "Starting VM 100 failed: cannot prepare PCI pass-through, IOMMU not present",
            "TASK ERROR: q35 machine model is not enabled at /usr/share/perl5/PVE/QemuServer/PCI.pm line 514.",
            "failed to reset PCI device '0000:01:00.0', but trying to continue as not all devices need a reset",
            "TASK ERROR: start failed: QEMU exited with code 1",
        ]);
        assert_eq!(kinds(&text), vec![(StartError, 1)]);
    }

    #[test]
    fn libvirt_log_and_virsh_errors_are_start_errors() {
        let text = paste(&[
            "root@host:~# virsh start win10",
            "error: Failed to start domain 'win10'",
            "error: internal error: qemu unexpectedly closed the monitor: 2024-05-01T10:00:00.123456Z qemu-system-x86_64: -device vfio-pci,host=0000:06:00.0,id=hostdev0,bus=pci.7,addr=0x0: vfio 0000:06:00.0: group 7 is not viable",
            "error: cannot continue",
            "root@host:~# tail -n 2 /var/log/libvirt/qemu/win10.log",
            "2024-05-01 10:00:00.120+0000: starting up libvirt version: 9.0.0",
            "2024-05-01T10:00:00.123456Z qemu-system-x86_64: -device vfio-pci,host=0000:06:00.0,id=hostdev0,bus=pci.7,addr=0x0: vfio 0000:06:00.0: group 7 is not viable",
        ]);
        let chunks = split_paste(&text);
        assert_eq!(kinds(&text), vec![(StartError, 2)]);
        assert!(!chunks[0].text.contains("root@host"));
    }

    #[test]
    fn journal_lines_of_a_failed_start_are_start_errors() {
        // Format-derived: journal short prefix (domain.md 0.2) around qemu-server's text.
        let text = paste(&[
            "Jun 29 18:30:02 pve pvedaemon[1234]: start failed: QEMU exited with code 1",
            "Jun 29 18:30:02 pve kernel: vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)",
        ]);
        assert_eq!(kinds(&text), vec![(StartError, 1), (KernelLog, 2)]);
    }

    #[test]
    fn proxmox_config_kvm_flag_is_not_a_qemu_error() {
        let text = paste(&["bios: ovmf", "kvm: 0", "machine: q35"]);
        assert_eq!(kinds(&text), vec![(ProxmoxVmConfig, 1)]);
    }

    // ---- Lspci ----------------------------------------------------------------------

    #[test]
    fn lspci_nnk_keeps_its_tab_indented_details() {
        let text = paste(LSPCI_NNK);
        assert_eq!(kinds(&text), vec![(Lspci, 1)]);
        assert_eq!(only_text(&text, Lspci), text);
    }

    #[test]
    fn lspci_nn_listing_from_seed_is_lspci() {
        // Seed 003, `$ lspci -nn` (first lines).
        let text = paste(&[
            "$ lspci -nn",
            "00:00.0 Host bridge [0600]: Intel Corporation Device [8086:191f] (rev 07)",
            "00:01.0 PCI bridge [0604]: Intel Corporation Device [8086:1901] (rev 07)",
            "00:14.0 USB controller [0c03]: Intel Corporation Device [8086:a12f] (rev 31)",
            "01:00.1 Audio device [0403]: Advanced Micro Devices [AMD] nee ATI Device [1002:aae8]",
            "02:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:13c2] (rev a1)",
        ]);
        assert_eq!(kinds(&text), vec![(Lspci, 2)]);
    }

    #[test]
    fn lspci_plain_and_domain_forms_are_lspci() {
        let text = paste(&[
            "0000:01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1)",
            "10000:e1:00.0 Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO",
        ]);
        assert_eq!(kinds(&text), vec![(Lspci, 1)]);
    }

    #[test]
    fn lspci_numeric_form_is_lspci() {
        let text = "01:00.0 0300: 10de:1381 (rev a2)\n01:00.1 0403: 10de:0fbc (rev a1)";
        assert_eq!(kinds(text), vec![(Lspci, 1)]);
    }

    #[test]
    fn lspci_verbose_devices_with_blank_lines_are_one_chunk() {
        // Format-derived from domain.md 3.7 (`lspci -v` detail lines).
        let text = paste(&[
            "01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1)",
            "\tSubsystem: Device 196e:119e",
            "\tFlags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 1",
            "\tMemory at e0000000 (64-bit, prefetchable) [size=256M]",
            "\tExpansion ROM at f7000000 [disabled] [size=512K]",
            "\tCapabilities: [60] Power Management version 3",
            "\tKernel driver in use: vfio-pci",
            "",
            "01:00.1 Audio device: NVIDIA Corporation GP104 High Definition Audio Controller (rev a1)",
            "\tIOMMU group: 1",
            "\tKernel driver in use: vfio-pci",
            "",
        ]);
        let chunks = split_paste(&text);
        assert_eq!(kinds(&text), vec![(Lspci, 1)]);
        assert_eq!(chunks[0].text, text.trim_end());
    }

    #[test]
    fn lspci_vmm_records_are_lspci() {
        // Format from domain.md 3.7 (`lspci -vmmnnk -D`).
        let text = paste(&[
            "Slot:\t0000:01:00.0",
            "Class:\tVGA compatible controller [0300]",
            "Vendor:\tNVIDIA Corporation [10de]",
            "Device:\tGP104 [GeForce GTX 1080] [1b80]",
            "Rev:\ta1",
            "Driver:\tvfio-pci",
            "IOMMUGroup:\t1",
            "",
            "Slot:\t0000:01:00.1",
            "Class:\tAudio device [0403]",
            "Driver:\tvfio-pci",
        ]);
        assert_eq!(kinds(&text), vec![(Lspci, 1)]);
    }

    #[test]
    fn lspci_lookalike_prose_is_unknown() {
        let text = "01:00.0 is my GPU and it does not work\nKernel driver in use: nouveau";
        assert_eq!(kinds(text), vec![(Unknown, 1)]);
    }

    // ---- LspciHex -------------------------------------------------------------------

    // Format-derived: pciutils `show_hex_dump`; the first row is the one the brief quotes.
    const HEX_HEADER: &str =
        "01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1)";
    const HEX_ROWS: &[&str] = &[
        "00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00",
        "10: 00 00 00 f6 0c 00 00 e0 00 00 00 00 0c 00 00 f0",
        "20: 00 00 00 00 01 e0 00 00 00 00 00 00 6e 19 9e 11",
        "30: 00 00 00 f7 60 00 00 00 00 00 00 00 0b 01 00 00",
    ];

    #[test]
    fn hex_dump_takes_the_header_right_above_it() {
        let mut lines = vec!["root@pve:~# lspci -s 01:00.0 -xxx", HEX_HEADER];
        lines.extend_from_slice(HEX_ROWS);
        let text = paste(&lines);
        assert_eq!(kinds(&text), vec![(LspciHex, 2)]);
        assert!(only_text(&text, LspciHex).starts_with(HEX_HEADER));
    }

    #[test]
    fn hex_dump_of_two_devices_and_extended_rows_is_one_chunk() {
        let mut lines = vec![HEX_HEADER];
        lines.extend_from_slice(HEX_ROWS);
        lines.push("ff0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        lines.push("");
        lines
            .push("01:00.1 Audio device: NVIDIA Corporation GP104 High Definition Audio Controller (rev a1)");
        lines.push("00: de 10 f0 10 06 04 10 00 a1 00 03 04 00 00 80 00");
        let text = paste(&lines);
        assert_eq!(kinds(&text), vec![(LspciHex, 1)]);
        let hex = only_text(&text, LspciHex);
        assert!(hex.contains("ff0: 00"));
        assert!(hex.contains("01:00.1 Audio device"));
    }

    #[test]
    fn hex_rows_without_header_and_header_not_followed_by_rows() {
        let rows = paste(HEX_ROWS);
        assert_eq!(kinds(&rows), vec![(LspciHex, 1)]);
        // A header separated from the rows by a blank line stays an lspci listing.
        let text = paste(&[HEX_HEADER, "", HEX_ROWS[0]]);
        assert_eq!(kinds(&text), vec![(Lspci, 1), (LspciHex, 3)]);
    }

    // ---- IommuGroups ----------------------------------------------------------------

    #[test]
    fn archwiki_group_listing_from_seed_is_iommu_groups() {
        // Seed 003, the listing after the ArchWiki loop (first lines).
        let text = paste(&[
            "IOMMU Group 0 00:00.0 Host bridge [0600]: Intel Corporation Device [8086:191f] (rev 07)",
            "IOMMU Group 10 00:1f.0 ISA bridge [0601]: Intel Corporation Device [8086:a145] (rev 31)",
            "IOMMU Group 12 01:00.0 VGA compatible controller [0300]: Advanced Micro Devices [AMD] nee ATI Device [1002:7300] (rev cb)",
            "IOMMU Group 12 01:00.1 Audio device [0403]: Advanced Micro Devices [AMD] nee ATI Device [1002:aae8]",
            "IOMMU Group 13 02:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:13c2] (rev a1)",
        ]);
        assert_eq!(kinds(&text), vec![(IommuGroups, 1)]);
    }

    #[test]
    fn group_headers_keep_their_indented_members() {
        let text = paste(&[
            "IOMMU Group 1:",
            "\t00:01.0 PCI bridge [0604]: Intel Corporation Device [8086:1901] (rev 07)",
            "\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)",
            "IOMMU Group 2:",
            "\t00:14.0 USB controller [0c03]: Intel Corporation Device [8086:a12f] (rev 31)",
        ]);
        assert_eq!(kinds(&text), vec![(IommuGroups, 1)]);
    }

    #[test]
    fn find_output_one_path_per_line_from_seed() {
        // Seed 001, lines 122-127.
        let text = paste(&[
            "```sh",
            "find /sys/kernel/iommu_groups/ -type l",
            "/sys/kernel/iommu_groups/7/devices/0000:00:1b.0",
            "/sys/kernel/iommu_groups/5/devices/0000:00:19.0",
            "...",
            "```",
        ]);
        assert_eq!(kinds(&text), vec![(IommuGroups, 3), (Unknown, 5)]);
        assert_eq!(
            only_text(&text, IommuGroups),
            "/sys/kernel/iommu_groups/7/devices/0000:00:1b.0\n/sys/kernel/iommu_groups/5/devices/0000:00:19.0"
        );
    }

    #[test]
    fn seed_000_find_output_run_together_with_its_prompt() {
        let line = "# find /sys/kernel/iommu_groups/ -type l /sys/kernel/iommu_groups/0/devices/0000:00:00.0 /sys/kernel/iommu_groups/1/devices/0000:00:01.0 /sys/kernel/iommu_groups/1/devices/0000:01:00.0 /sys/kernel/iommu_groups/1/devices/0000:01:00.1 /sys/kernel/iommu_groups/2/devices/0000:00:02.0 /sys/kernel/iommu_groups/3/devices/0000:00:16.0 /sys/kernel/iommu_groups/4/devices/0000:00:1a.0 /sys/kernel/iommu_groups/5/devices/0000:00:1b.0 /sys/kernel/iommu_groups/6/devices/0000:00:1c.0 /sys/kernel/iommu_groups/7/devices/0000:00:1c.5 /sys/kernel/iommu_groups/8/devices/0000:00:1c.6 /sys/kernel/iommu_groups/9/devices/0000:00:1c.7 /sys/kernel/iommu_groups/9/devices/0000:05:00.0 /sys/kernel/iommu_groups/10/devices/0000:00:1d.0 /sys/kernel/iommu_groups/11/devices/0000:00:1f.0 /sys/kernel/iommu_groups/11/devices/0000:00:1f.2 /sys/kernel/iommu_groups/11/devices/0000:00:1f.3 /sys/kernel/iommu_groups/12/devices/0000:02:00.0 /sys/kernel/iommu_groups/12/devices/0000:02:00.1 /sys/kernel/iommu_groups/13/devices/0000:03:00.0 /sys/kernel/iommu_groups/14/devices/0000:04:00.0";
        let text = paste(&[
            "You should have something like:",
            line,
            "To have separate IOMMU groups, your processor needs to have support for a feature called ACS (Access Control Services).",
        ]);
        assert_eq!(kinds(&text), vec![(Unknown, 1), (IommuGroups, 2), (Unknown, 3)]);
        let groups = only_text(&text, IommuGroups);
        assert!(groups.starts_with("/sys/kernel/iommu_groups/0/devices/0000:00:00.0 "));
        assert!(groups.ends_with("/sys/kernel/iommu_groups/14/devices/0000:04:00.0"));
        assert!(!groups.contains("-type l"));
    }

    #[test]
    fn seed_000_lspci_n_output_run_together_with_its_prompt() {
        let text = "$ lspci -n -s 01:00 01:00.0 0300: 10de:1381 (rev a2) 01:00.1 0403: 10de:0fbc (rev a1)";
        assert_eq!(kinds(text), vec![(Lspci, 1)]);
        assert_eq!(
            only_text(text, Lspci),
            "01:00.0 0300: 10de:1381 (rev a2) 01:00.1 0403: 10de:0fbc (rev a1)"
        );
    }

    #[test]
    fn iommu_group_lookalike_prose_is_unknown() {
        let text = "IOMMU Group 1 contains my GPU and the chipset\nIOMMU groups look bad";
        assert_eq!(kinds(text), vec![(Unknown, 1)]);
    }

    // ---- ProxmoxVmConfig ------------------------------------------------------------

    // Syntax from domain.md 6.1-6.3; the hostpci0 line is the one observed there.
    const VM_CONFIG: &[&str] = &[
        "#Gaming%20VM",
        "agent: 1",
        "balloon: 0",
        "bios: ovmf",
        "boot: order=scsi0;ide2;net0",
        "cores: 8",
        "cpu: host,hidden=1",
        "efidisk0: local-lvm:vm-100-disk-0,efitype=4m,pre-enrolled-keys=1,size=4M",
        "hostpci0: 01:00.0,pcie=1,x-vga=on,romfile=vbios.bin",
        "machine: q35",
        "memory: 16384",
        "meta: creation-qemu=8.1.5,ctime=1712345678",
        "name: win10",
        "net0: virtio=BC:24:11:5E:7A:01,bridge=vmbr0,firewall=1",
        "numa: 0",
        "ostype: win10",
        "scsi0: local-lvm:vm-100-disk-1,iothread=1,size=128G",
        "scsihw: virtio-scsi-single",
        "smbios1: uuid=5b1c2a3e-1111-2222-3333-444455556666",
        "sockets: 1",
        "vmgenid: 0e6b0c6e-aaaa-bbbb-cccc-ddddeeeeffff",
        "",
        "[PENDING]",
        "hostpci1: 01:00.1,pcie=1",
        "",
        "[before-driver-update]",
        "bios: ovmf",
        "snaptime: 1712345678",
    ];

    #[test]
    fn vm_config_with_description_pending_and_snapshot_is_one_chunk() {
        let text = paste(VM_CONFIG);
        assert_eq!(kinds(&text), vec![(ProxmoxVmConfig, 1)]);
        assert_eq!(only_text(&text, ProxmoxVmConfig), text);
    }

    #[test]
    fn vm_config_lookalike_prose_is_unknown() {
        for text in [
            "Note: this is a test",
            "note: this is a test\nname: John",
            // Seed 000: single config lines quoted in prose, and one that lost its breaks.
            "hostpci0: 01:00.0",
            "args: -machine pc,max-ram-below-4g=1G",
            "machine: q35 hostpci0: 01:00.0,pcie=1",
            "see: http://vfio.blogspot.be/2015/10/intel-processors-with-acs-support.html",
            "name: win10\ndescription: my gaming box",
        ] {
            assert_eq!(kinds(text), vec![(Unknown, 1)], "{text}");
        }
    }

    #[test]
    fn one_config_line_after_qm_config_is_a_config() {
        let text = "root@pve:~# qm config 100\nhostpci0: 0000:01:00,pcie=1,x-vga=1";
        assert_eq!(kinds(text), vec![(ProxmoxVmConfig, 2)]);
        let conf = "root@pve:/etc/pve/qemu-server# cat 100.conf\nname: win10\nnewkey: value";
        assert_eq!(kinds(conf), vec![(ProxmoxVmConfig, 2)]);
    }

    // ---- LibvirtXml -----------------------------------------------------------------

    #[test]
    fn libvirt_domain_xml_runs_to_its_closing_tag() {
        // Elements from domain.md 6.8.
        let text = paste(&[
            "root@host:~# virsh dumpxml win10",
            "<domain type='kvm'>",
            "  <name>win10</name>",
            "  <os firmware='efi'>",
            "    <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>",
            "  </os>",
            "",
            "  <features>",
            "    <kvm>",
            "      <hidden state='on'/>",
            "    </kvm>",
            "  </features>",
            "  <devices>",
            "    <hostdev mode='subsystem' type='pci' managed='yes'>",
            "      <source>",
            "        <address domain='0x0000' bus='0x06' slot='0x02' function='0x0'/>",
            "      </source>",
            "      <rom bar='off'/>",
            "    </hostdev>",
            "  </devices>",
            "</domain>",
            "  <extra/>",
            "It still fails.",
        ]);
        assert_eq!(kinds(&text), vec![(LibvirtXml, 2), (Unknown, 22)]);
        let xml = only_text(&text, LibvirtXml);
        assert!(xml.starts_with("<domain type='kvm'>\n  <name>"));
        assert!(xml.ends_with("</domain>"));
    }

    #[test]
    fn truncated_libvirt_xml_ends_at_prose() {
        let text = "<domain type='kvm'>\n  <name>win10</name>\nthe rest is cut off, sorry";
        assert_eq!(kinds(text), vec![(LibvirtXml, 1), (Unknown, 3)]);
        assert_eq!(kinds("<domain type='kvm'><name>x</name></domain>"), vec![(LibvirtXml, 1)]);
        assert_eq!(kinds("<domains are fun>\n<b>bold</b>"), vec![(Unknown, 1)]);
    }

    // ---- Modprobe -------------------------------------------------------------------

    #[test]
    fn modprobe_directives_and_comments_are_one_chunk() {
        // domain.md 6.6 lines.
        let text = paste(&[
            "# /etc/modprobe.d/vfio.conf",
            "options vfio-pci ids=10de:1b80,10de:10f0 disable_vga=1",
            "softdep nouveau pre: vfio-pci",
            "softdep snd_hda_intel pre: vfio-pci",
            "",
            "# keep the host drivers away",
            "blacklist nouveau",
            "alias pci:v000010DEd00001B80sv*sd*bc03sc*i* vfio-pci",
            "install radeon /bin/false",
            "options vfio_iommu_type1 allow_unsafe_interrupts=1",
        ]);
        assert_eq!(kinds(&text), vec![(Modprobe, 1)]);
        assert_eq!(only_text(&text, Modprobe), text);
    }

    #[test]
    fn modprobe_lines_from_seed_003() {
        let text = paste(&[
            "If you're passing an AMD GPU, blacklist the fglrx and amdgpu modules in the /etc/modprobe.d/amdgpu.conf file, each on separate lines, like so:",
            "",
            "blacklist fglrx",
            "blacklist amdgpu",
            "",
            "Now that we've blacklisted the video drivers, we can bind the vfio module to the device.",
        ]);
        assert_eq!(kinds(&text), vec![(Unknown, 1), (Modprobe, 3), (Unknown, 6)]);
    }

    #[test]
    fn modprobe_lookalike_prose_is_unknown() {
        for text in [
            "options are limited",
            "blacklist the drivers:",
            "install the drivers first",
            "softdep is explained below",
            "alias ll='ls -l'",
            "echo \"options vfio-pci ids=10de:1381,10de:0fbc\" > /etc/modprobe.d/vfio.conf",
        ] {
            assert_eq!(kinds(text), vec![(Unknown, 1)], "{text}");
        }
    }

    #[test]
    fn alias_lines_alone_count_after_a_modprobe_cat() {
        let text = "$ cat /etc/modprobe.d/nvidia.conf\nalias nouveau off";
        assert_eq!(kinds(text), vec![(Modprobe, 2)]);
    }

    // ---- DefaultGrub ----------------------------------------------------------------

    #[test]
    fn default_grub_file_keeps_its_comments() {
        // Debian's stock /etc/default/grub with the IOMMU parameter added (domain.md 6.5).
        let text = paste(&[
            "# If you change this file, run 'update-grub' afterwards to update",
            "# /boot/grub/grub.cfg.",
            "# For full documentation of the options in this file, see:",
            "#   info -f grub -n 'Simple configuration'",
            "",
            "GRUB_DEFAULT=0",
            "GRUB_TIMEOUT=5",
            "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`",
            "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"",
            "GRUB_CMDLINE_LINUX=\"\"",
            "",
            "# Uncomment to disable graphical terminal (grub-pc only)",
            "#GRUB_TERMINAL=console",
        ]);
        assert_eq!(kinds(&text), vec![(DefaultGrub, 1)]);
        assert_eq!(only_text(&text, DefaultGrub), text);
    }

    #[test]
    fn grub_line_quoted_in_seed_000_prose() {
        let text = paste(&[
            "For Intel CPUs add \"intel_iommu=on\", for example:",
            "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"",
            "Safe the changes and update grub:",
            "update-grub",
        ]);
        assert_eq!(kinds(&text), vec![(Unknown, 1), (DefaultGrub, 2), (Unknown, 3)]);
    }

    // ---- Cmdline and KernelCmdline --------------------------------------------------

    #[test]
    fn running_command_line_is_cmdline() {
        let text = "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt";
        assert_eq!(kinds(text), vec![(Cmdline, 1)]);
        assert_eq!(kinds("root=/dev/mapper/pve-root ro quiet"), vec![(Cmdline, 1)]);
        assert_eq!(kinds("quiet amd_iommu=on"), vec![(Cmdline, 1)]);
        let proc = "root@pve:~# cat /proc/cmdline\ninitrd=\\EFI\\proxmox\\6.8.12-4-pve\\initrd.img-6.8.12-4-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs";
        assert_eq!(kinds(proc), vec![(Cmdline, 2)]);
    }

    #[test]
    fn etc_kernel_cmdline_after_its_cat_is_kernel_cmdline() {
        // Seed 001, lines 28-31.
        let text = paste(&[
            "```sh",
            "cat /etc/kernel/cmdline ",
            "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on",
            "```",
        ]);
        assert_eq!(kinds(&text), vec![(KernelCmdline, 3)]);
        // A boot loader's BOOT_IMAGE= means the user pasted /proc/cmdline after all.
        let running = "# cat /etc/kernel/cmdline\nBOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/sda2 ro";
        assert_eq!(kinds(running), vec![(Cmdline, 2)]);
        // The file is what it is even when it lacks root= (proxmox-boot-tool then fails).
        let broken = "# cat /etc/kernel/cmdline\nquiet intel_iommu=on";
        assert_eq!(kinds(broken), vec![(KernelCmdline, 2)]);
    }

    #[test]
    fn cmdline_lookalike_prose_is_unknown() {
        for text in [
            "I set intel_iommu=on and rebooted",
            "keep it quiet",
            "quiet",
            // Seeds 003 and 000: single parameters quoted in prose.
            "vfio-pci.ids=1b73:1100,10de:13c2,10de:0fbb",
            "video=efifb:off",
            "Once done you should have something like: root=UUID=96b7100c-6b49-4843-bf6c-6c8c78918a3a intel_iommu=on in the kernel command line configuration.",
        ] {
            assert_eq!(kinds(text), vec![(Unknown, 1)], "{text}");
        }
    }

    // ---- Prompts, fences, tags, junk ------------------------------------------------

    #[test]
    fn prompt_variants_are_dropped() {
        for prompt in [
            "root@pve:~# lspci -nnk",
            "[root@host ~]# lspci -nnk",
            "user@desktop:~/vfio$ lspci -nnk",
            "root@pve ~ # lspci -nnk",
            "$ lspci -nnk",
            "# lspci -nnk",
            "root@pve:~#",
            "lspci -nnk",
        ] {
            let mut lines = vec![prompt];
            lines.extend_from_slice(LSPCI_NNK);
            let text = paste(&lines);
            assert_eq!(kinds(&text), vec![(Lspci, 2)], "{prompt}");
            assert_eq!(only_text(&text, Lspci), paste(LSPCI_NNK));
        }
    }

    #[test]
    fn root_prompt_needs_a_known_command_so_comments_survive() {
        let text = "# This file is a comment\noptions kvm ignore_msrs=1 report_ignored_msrs=0";
        assert_eq!(kinds(text), vec![(Modprobe, 1)]);
        let markdown = "## Kernel Modules\n\nAdd the following";
        assert_eq!(kinds(markdown), vec![(Unknown, 1)]);
    }

    #[test]
    fn comments_with_nothing_to_join_are_prose() {
        // Seed 001, lines 52-61: /etc/modules has no kind of its own.
        let text = paste(&[
            "```",
            "# /etc/modules: kernel modules to load at boot time.",
            "#",
            "# This file contains the names of kernel modules that should be loaded",
            "# at boot time, one per line. Lines beginning with \"#\" are ignored.",
            "",
            "vfio",
            "vfio_iommu_type1",
            "```",
        ]);
        assert_eq!(kinds(&text), vec![(Unknown, 2)]);
        assert!(only_text(&text, Unknown).ends_with("\n\nvfio\nvfio_iommu_type1"));
    }

    #[test]
    fn bbcode_tags_inline_and_on_their_own_lines_are_dropped() {
        let text = paste(&[
            "Here is dmesg:",
            "[code][    0.065485] DMAR: IOMMU enabled",
            "[    0.133534] DMAR: Host address width 36[/code]",
            "and lspci:",
            "[CODE=rich]",
            "01:00.0 0300: 10de:1381 (rev a2)",
            "[/CODE]",
        ]);
        let chunks = split_paste(&text);
        assert_eq!(kinds(&text), vec![(Unknown, 1), (KernelLog, 2), (Unknown, 4), (Lspci, 6)]);
        assert_eq!(
            chunks[1].text,
            "[    0.065485] DMAR: IOMMU enabled\n[    0.133534] DMAR: Host address width 36"
        );
    }

    #[test]
    fn crlf_nul_control_bytes_and_colours_are_cleaned() {
        let text = "I get this:\r\n\u{0}[    0.065485] DMAR: IOMMU\u{7} enabled\r\n\u{1b}[33m[    0.133534] DMAR: Host address width 36\u{1b}[0m\r\n\r\nlspci\u{a0}says:\r\n01:00.0\u{a0}0300: 10de:1381 (rev a2)\r\n";
        let chunks = split_paste(text);
        assert_eq!(kinds(text), vec![(Unknown, 1), (KernelLog, 2), (Unknown, 5), (Lspci, 6)]);
        assert_eq!(
            chunks[1].text,
            "[    0.065485] DMAR: IOMMU enabled\n[    0.133534] DMAR: Host address width 36"
        );
        assert_eq!(chunks[2].text, "lspci says:");
        assert!(chunks.iter().all(|c| !c.text.contains(['\r', '\0', '\u{1b}'])));
    }

    #[test]
    fn same_kind_around_a_prompt_merges() {
        let text = paste(&[
            "root@pve:~# dmesg | grep -e DMAR",
            "[    0.065485] DMAR: IOMMU enabled",
            "root@pve:~# dmesg | grep -e vfio",
            "[    5.100000] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)",
        ]);
        let chunks = split_paste(&text);
        assert_eq!(kinds(&text), vec![(KernelLog, 2)]);
        assert_eq!(chunks[0].text.lines().count(), 2);
    }

    #[test]
    fn markdown_indented_blocks_are_dedented_and_split_by_content() {
        let text = paste(&[
            "My logs:",
            "",
            "    [    0.065485] DMAR: IOMMU enabled",
            "    01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)",
            "    \tKernel driver in use: vfio-pci",
        ]);
        let chunks = split_paste(&text);
        assert_eq!(kinds(&text), vec![(Unknown, 1), (KernelLog, 3), (Lspci, 4)]);
        assert_eq!(chunks[1].text, "[    0.065485] DMAR: IOMMU enabled");
        assert!(chunks[2].text.starts_with("01:00.0 VGA"));
        assert!(chunks[2].text.ends_with("\n\tKernel driver in use: vfio-pci"));
    }

    #[test]
    fn blank_lines_stay_inside_chunks_but_not_at_their_edges() {
        let text =
            "\n\n[    0.1] DMAR: IOMMU enabled\n\n[    0.2] DMAR: Host address width 36\n\n\nsome prose\n\n";
        let chunks = split_paste(text);
        assert_eq!(kinds(text), vec![(KernelLog, 3), (Unknown, 8)]);
        assert_eq!(chunks[0].text, "[    0.1] DMAR: IOMMU enabled\n\n[    0.2] DMAR: Host address width 36");
        assert_eq!(chunks[1].text, "some prose");
    }

    // ---- A whole post ---------------------------------------------------------------

    #[test]
    fn forum_post_with_prose_prompts_and_outputs_splits_in_order() {
        let mut lines = vec![
            "Hi all, I tried everything, please help.",
            "My GPU passthrough fails on Proxmox 8.",
            "",
            "root@pve:~# dmesg | grep -e DMAR -e IOMMU",
            "[    0.065485] DMAR: IOMMU enabled",
            "[    0.133534] DMAR: Host address width 36",
            "root@pve:~# lspci -nnk -s 02:00",
        ];
        lines.extend_from_slice(LSPCI_NNK); // lines 8-14
        lines.extend_from_slice(&["", "Here is my VM config:", "[code]"]); // 15-17
        lines.extend_from_slice(&VM_CONFIG[..21]); // 18-38
        lines.extend_from_slice(&[
            "[/code]",
            "When I start it I get:",
            "kvm: -device vfio-pci,host=0000:06:00.0,id=hostdev0,bus=pci.7,addr=0x0: vfio 0000:06:00.0: group 7 is not viable",
            "Please ensure all devices within the iommu_group are bound to their vfio bus driver.",
            "TASK ERROR: start failed: QEMU exited with code 1",
            "",
            "Any ideas?",
        ]); // 39-45
        let text = paste(&lines);
        assert_eq!(
            kinds(&text),
            vec![
                (Unknown, 1),
                (KernelLog, 5),
                (Lspci, 8),
                (Unknown, 16),
                (ProxmoxVmConfig, 18),
                (Unknown, 40),
                (StartError, 41),
                (Unknown, 45),
            ]
        );
        let chunks = split_paste(&text);
        assert_eq!(chunks[2].text, paste(LSPCI_NNK));
        assert_eq!(chunks[4].text, paste(&VM_CONFIG[..21]));
        assert!(chunks.iter().all(|c| !c.text.contains("root@pve")));
    }

    #[test]
    fn seed_001_markdown_notes_split_into_their_outputs() {
        let mut lines = vec!["Intel `dmesg`", "```"];
        lines.extend_from_slice(SEED_001_INTEL_DMESG); // 3-20
        lines.extend_from_slice(&[
            "```",
            "",
            "```sh",
            "lspci -nn | grep -i nvidia",
            "",
            "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK107GLM [Quadro K1000M] [10de:0ffc] (rev a1)",
            "01:00.1 Audio device [0403]: NVIDIA Corporation GK107 HDMI Audio Controller [10de:0e1b] (rev ff)",
            "```",
            "",
            "e.g. `/etc/modprobe.d/pcie.conf`",
            "",
            "```",
            "options vfio-pci ids=10de:0ffc,10de:0e1b",
            "```",
        ]);
        let text = paste(&lines);
        assert_eq!(
            kinds(&text),
            vec![(Unknown, 1), (KernelLog, 3), (Lspci, 26), (Unknown, 30), (Modprobe, 33)]
        );
    }

    // ---- Robustness -----------------------------------------------------------------

    #[test]
    fn lines_of_100000_characters_are_classified() {
        let long = |unit: &str| unit.repeat(100_000 / unit.len());
        let cases = [
            (long("a"), Unknown),
            (long("word "), Unknown),
            (long("x: "), Unknown),
            (format!("[    0.000000] {}", long("x")), KernelLog),
            (long("/sys/kernel/iommu_groups/1/devices/0000:01:00.0 "), IommuGroups),
            (
                format!(
                    "# find /sys/kernel/iommu_groups/ -type l {}",
                    long("/sys/kernel/iommu_groups/1/devices/0000:01:00.0 ")
                ),
                IommuGroups,
            ),
            (format!("BOOT_IMAGE=/boot/vmlinuz {}", long("iommu=pt ")), Cmdline),
            (format!("options vfio-pci {}", long("ids=10de:1b80 ")), Modprobe),
            (format!("<domain type='kvm'>{}</domain>", long("<a/>")), LibvirtXml),
            (format!("kvm: {}", long("-device ")), StartError),
            (format!("{}some prose", long(" ")), Unknown),
            (format!("01:00.0 {}", long("Word ")), Unknown),
        ];
        for (text, kind) in cases {
            let chunks = split_paste(&text);
            assert_eq!(chunks.len(), 1, "{}", &text[..40]);
            assert_eq!(chunks[0].kind, kind, "{}", &text[..40]);
        }
        // Indentation does not hide a bare command.
        assert!(split_paste(&format!("{}lspci", long(" "))).is_empty());
        for junk in [long("[code]"), long("[code="), long("[/code]"), long("\u{1b}["), long("```")] {
            assert!(split_paste(&junk).len() <= 1);
        }
    }

    #[test]
    fn many_lines_are_split_in_linear_time() {
        let mut text = String::new();
        for _ in 0..20_000 {
            text.push_str("[    0.065485] DMAR: IOMMU enabled\n\n# comment\n");
        }
        let chunks = split_paste(&text);
        assert!(!chunks.is_empty());
        let blanks_then_comments = "\n".repeat(50_000) + &"# orphan\n".repeat(50_000) + "prose";
        assert_eq!(kinds(&blanks_then_comments), vec![(Unknown, 50_001)]);
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "#",
            "$",
            "$ ",
            "# ",
            "[",
            "[code=",
            "[/code][code]",
            "<domain",
            "<domain>",
            "01:00.0",
            "00:",
            "é: ünïcödé",
            "\t\t\t",
            "  \u{a0}\u{200b}",
            "root@pve:~# find / -name x 01:00.0 VGA",
            "IOMMU Group",
            "kvm:",
            "GRUB_",
            "options",
            "softdep x",
            "a\u{0}b\u{1}c\u{1b}",
            "\u{1b}[",
            "ŝ@ŝ:~$ ŝ",
            "hostpci0:\thostpci1: x",
            "[PENDING]\n#x\nalias a b\n[snap]",
        ] {
            let chunks = split_paste(text);
            assert!(chunks.iter().all(|c| !c.text.trim().is_empty()), "{text:?}");
            assert!(chunks.iter().all(|c| c.first_line >= 1), "{text:?}");
        }
    }
}
