//! Kernel logs from `dmesg`, `journalctl -k`, `/var/log/kern.log` or a paste: strip the
//! prefix (domain.md 0.2), parse the timestamp, join continuation lines (0.5), and keep
//! the current boot within a memory budget.
//!
//! Input is untrusted and may be huge (a multi-GB `kern.log`): it is streamed line by
//! line, no physical line is held beyond 64 KiB, and only the newest lines of the last
//! boot that fit the budget are kept. Nothing here panics or fails on malformed text;
//! the only error is one from the reader itself.

use engine::facts::{KernelLog, LogLine, LogOrigin};
use std::collections::VecDeque;
use std::io::{self, BufRead};

/// Default cap on the text kept from one log (the oldest lines of the boot go first).
pub const DEFAULT_BUDGET_BYTES: usize = 16 << 20;

/// Physical lines are cut to this many bytes. The kernel caps one record at 1–2 KiB
/// (`kernel/printk/`), so only corrupt or non-log input reaches it.
const MAX_LINE_BYTES: usize = 64 << 10;

/// Longest bracketed stamp we look at: `[Sat Jun 29 18:28:41 2024]` is 26 bytes and a
/// monotonic stamp `[12345678.123456]` far less.
const MAX_STAMP_BYTES: usize = 40;

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The message of one raw line and its timestamp, prefix removed. Recognises
/// `[    0.683160] `, `<6>[    0.184398] `, journal short (`Jun 29 18:28:41 host kernel: `),
/// short-iso and short-precise forms, and syslog kern.log lines; anything else is
/// returned unchanged with no timestamp.
///
/// Also recognised: `dmesg -T` (`[Sat Jun 29 18:28:41 2024] `, no seconds-since-boot,
/// so no timestamp), and journal lines from other programs, which keep their
/// `ident[pid]: ` part (`systemd-modules-load[348]: Failed to find module …`) so that
/// rules can tell who said it.
pub fn strip_prefix(line: &str) -> (Option<f64>, &str) {
    if let Some((ts, message)) = kmsg_stamp(line).or_else(|| monotonic_stamp(line)) {
        return (ts, message);
    }
    if let Some(message) = wall_clock_stamp(line) {
        return (None, message);
    }
    syslog_message(line).unwrap_or((None, line))
}

/// Streams a log, keeping only the lines of the last boot (a `Linux version ` banner or a
/// journal `-- Boot … --` marker starts a new boot) and at most `budget` bytes of text.
/// Invalid UTF-8 is replaced, not rejected; lines over 64 KiB are cut. Returns an error
/// only when the reader fails.
///
/// The budget counts `text` plus `raw` of every kept line. A joined continuation keeps
/// its physical lines in `raw`, separated by `\n`. `total_lines` counts logical lines
/// (blank lines, journal `-- … --` headers and joined continuations are not lines), so
/// it equals the lines of earlier boots plus `dropped_lines` plus the lines kept.
pub fn read_kernel_log(
    mut reader: impl BufRead,
    origin: LogOrigin,
    source: &str,
    budget: usize,
) -> io::Result<KernelLog> {
    let mut boot = BootLines::new(budget);
    let mut buf = Vec::new();
    let mut physical_line = 0u64;
    // A few bytes over the cap so a character straddling it is still whole.
    while read_capped_line(&mut reader, &mut buf, MAX_LINE_BYTES + 3)? {
        physical_line += 1;
        boot.add(physical_line, &decode_line(&buf));
    }
    Ok(KernelLog {
        origin,
        source: source.to_string(),
        lines: boot.lines.into(),
        total_lines: boot.total_lines,
        dropped_lines: boot.dropped_lines,
    })
}

/// `<6>[    0.184398] ` (`dmesg -r`). A bare `<6>` with printk time off strips too.
fn kmsg_stamp(line: &str) -> Option<(Option<f64>, &str)> {
    let rest = line.strip_prefix('<')?;
    let (level, rest) = split_digits(rest);
    if level.is_empty() || level.len() > 3 {
        return None;
    }
    let rest = rest.strip_prefix('>')?;
    Some(monotonic_stamp(rest).unwrap_or((None, rest)))
}

/// `[    0.683160] ` → seconds since boot and the message.
fn monotonic_stamp(line: &str) -> Option<(Option<f64>, &str)> {
    let (inner, message) = bracketed(line)?;
    let seconds = inner.trim_start_matches(' ');
    let (whole, rest) = split_digits(seconds);
    let fraction = rest.strip_prefix('.')?;
    if whole.is_empty() || fraction.is_empty() || !is_digits(fraction) {
        return None;
    }
    Some((seconds.parse().ok(), message))
}

/// `[Sat Jun 29 18:28:41 2024] ` (`dmesg -T`) → the message.
fn wall_clock_stamp(line: &str) -> Option<&str> {
    let (inner, message) = bracketed(line)?;
    let mut fields = inner.split_whitespace();
    let is_stamp = fields.next().is_some_and(|d| WEEKDAYS.contains(&d))
        && fields.next().is_some_and(|m| MONTHS.contains(&m))
        && fields.next().is_some_and(|d| d.len() <= 2 && is_digits(d))
        && fields.next().and_then(skip_clock).is_some_and(str::is_empty)
        && fields.next().is_some_and(|y| y.len() == 4 && is_digits(y))
        && fields.next().is_none();
    is_stamp.then_some(message)
}

/// `[inner] message` → (`inner`, `message`), one space after the bracket removed.
fn bracketed(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('[')?;
    let close = rest.bytes().take(MAX_STAMP_BYTES).position(|b| b == b']')?;
    let inner = rest.get(..close)?;
    let after = rest.get(close + 1..)?;
    Some((inner, after.strip_prefix(' ').unwrap_or(after)))
}

/// A journal or syslog line: date, host, then `kernel: ` (stripped, with the kern.log
/// `[ sec.usec]` stamp if present) or another program's `ident[pid]: ` (kept).
fn syslog_message(line: &str) -> Option<(Option<f64>, &str)> {
    let after_date = skip_short_date(line).or_else(|| skip_iso_date(line))?;
    let (host, message) = after_date.split_once(' ')?;
    if host.is_empty() {
        return None;
    }
    if let Some(kernel) = message.strip_prefix("kernel:") {
        let kernel = kernel.strip_prefix(' ').unwrap_or(kernel);
        return Some(monotonic_stamp(kernel).unwrap_or((None, kernel)));
    }
    starts_with_ident(message).then_some((None, message))
}

/// `Jun 29 18:28:41 ` (journal short; syslog pads the day with a space: `Jun  9`), with
/// optional microseconds (`-o short-precise`).
fn skip_short_date(line: &str) -> Option<&str> {
    let month = line.get(..3)?;
    if !MONTHS.contains(&month) {
        return None;
    }
    let rest = line.get(3..)?.strip_prefix(' ')?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let (day, rest) = split_digits(rest);
    if day.is_empty() || day.len() > 2 {
        return None;
    }
    skip_clock(rest.strip_prefix(' ')?)?.strip_prefix(' ')
}

/// `2024-06-29T18:28:41+0200 ` (`-o short-iso`, rsyslog RFC 3339 stamps).
fn skip_iso_date(line: &str) -> Option<&str> {
    let date = line.get(..11)?.as_bytes();
    let shape_ok = date.iter().enumerate().all(|(i, &b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        _ => b.is_ascii_digit(),
    });
    if !shape_ok {
        return None;
    }
    line.get(11..)?.split_once(' ').map(|(_, rest)| rest)
}

/// `18:28:41` with optional `.123456`; returns what follows.
fn skip_clock(text: &str) -> Option<&str> {
    let mut rest = text;
    for part in 0..3 {
        if part > 0 {
            rest = rest.strip_prefix(':')?;
        }
        let (digits, after) = split_digits(rest);
        if digits.len() != 2 {
            return None;
        }
        rest = after;
    }
    match rest.strip_prefix('.') {
        Some(fraction) => {
            let (digits, after) = split_digits(fraction);
            (!digits.is_empty()).then_some(after)
        }
        None => Some(rest),
    }
}

/// `systemd-modules-load[348]: …` or `pvedaemon: …`: a syslog identifier, an optional
/// `[pid]`, then a colon.
fn starts_with_ident(message: &str) -> bool {
    let token = message.split(' ').next().unwrap_or_default();
    let Some(ident) = token.strip_suffix(':') else {
        return false;
    };
    let name = match ident.strip_suffix(']') {
        Some(with_pid) => match with_pid.rsplit_once('[') {
            Some((name, pid)) if !pid.is_empty() && is_digits(pid) => name,
            _ => return false,
        },
        None => ident,
    };
    !name.is_empty()
}

fn split_digits(text: &str) -> (&str, &str) {
    // ASCII digits are one byte each, so the count is a char boundary.
    text.split_at(text.bytes().take_while(u8::is_ascii_digit).count())
}

fn is_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// Reads one physical line without its `\n`, keeping at most `cap` bytes of it, so a
/// huge input without newlines cannot grow the buffer. Returns false at end of input.
fn read_capped_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<bool> {
    buf.clear();
    let mut read_any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read_any);
        }
        read_any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk_end = newline.unwrap_or(available.len());
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&available[..chunk_end.min(room)]);
        let consumed = newline.map_or(available.len(), |i| i + 1);
        reader.consume(consumed);
        if newline.is_some() {
            return Ok(true);
        }
    }
}

/// Bytes → text: invalid UTF-8 replaced, `\r` of CRLF removed, NUL bytes dropped (a
/// syslog file written at a crash often holds blocks of NULs), cut to the line cap.
fn decode_line(bytes: &[u8]) -> String {
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    let mut text = String::from_utf8_lossy(&bytes[..end]).into_owned();
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    truncate_on_char_boundary(&mut text, MAX_LINE_BYTES);
    text
}

fn truncate_on_char_boundary(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
}

/// What a physical line turned out to be.
enum Parsed<'a> {
    /// Blank, or a journal header such as `-- Logs begin at … --`.
    Nothing,
    /// `-- Boot 3f2a… --` or `-- Reboot --`.
    BootMarker,
    /// A `pr_cont` tail (` PPR X2APIC NX …`) to join onto the line before.
    Continuation(&'a str),
    Line {
        ts: Option<f64>,
        text: &'a str,
    },
}

fn parse_line(raw: &str) -> Parsed<'_> {
    let line = raw.trim_end();
    let trimmed = line.trim_start();
    if trimmed.is_empty() {
        return Parsed::Nothing;
    }
    if let Some(marker) = journal_marker(trimmed) {
        let is_boot = marker.starts_with("Boot ") || marker == "Reboot";
        return if is_boot { Parsed::BootMarker } else { Parsed::Nothing };
    }
    if is_continuation(line) {
        return Parsed::Continuation(trimmed);
    }
    // An indented paste (a forum code block) still has its prefixes after the indent.
    let (ts, text) = strip_prefix(trimmed);
    let text = text.trim();
    if text.is_empty() {
        Parsed::Nothing
    } else {
        Parsed::Line { ts, text }
    }
}

/// `-- Boot 3f2a… --`, `-- Reboot --`, `-- Logs begin at … --`: journalctl's own lines.
fn journal_marker(trimmed: &str) -> Option<&str> {
    trimmed.strip_prefix("-- ")?.strip_suffix(" --")
}

/// Continuation lines start with exactly one space and carry no prefix of their own
/// (domain.md 0.5). Deeper indentation is a pasted block, not `pr_cont`.
fn is_continuation(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(' ') else {
        return false;
    };
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        return false;
    }
    let (ts, text) = strip_prefix(rest);
    ts.is_none() && text.len() == rest.len()
}

/// The kept lines of the current boot, within the byte budget.
struct BootLines {
    budget: usize,
    lines: VecDeque<LogLine>,
    bytes: usize,
    total_lines: u64,
    dropped_lines: u64,
}

impl BootLines {
    fn new(budget: usize) -> Self {
        Self { budget, lines: VecDeque::new(), bytes: 0, total_lines: 0, dropped_lines: 0 }
    }

    fn add(&mut self, n: u64, raw: &str) {
        match parse_line(raw) {
            Parsed::Nothing => {}
            Parsed::BootMarker => self.start_boot(),
            Parsed::Continuation(tail) => {
                if !self.append_to_last(tail, raw) {
                    self.push(LogLine { n, ts: None, text: tail.to_string(), raw: raw.to_string() });
                }
            }
            Parsed::Line { ts, text } => {
                if text.starts_with("Linux version ") {
                    self.start_boot();
                }
                self.push(LogLine { n, ts, text: text.to_string(), raw: raw.to_string() });
            }
        }
    }

    /// Earlier boots are read and counted, but not kept and not "dropped".
    fn start_boot(&mut self) {
        self.lines.clear();
        self.bytes = 0;
        self.dropped_lines = 0;
    }

    fn push(&mut self, line: LogLine) {
        self.total_lines += 1;
        self.bytes += line_bytes(&line);
        self.lines.push_back(line);
        self.enforce_budget();
    }

    /// Joins a continuation onto the newest kept line; false when there is none.
    fn append_to_last(&mut self, tail: &str, raw: &str) -> bool {
        let Some(last) = self.lines.back_mut() else {
            return false;
        };
        let before = line_bytes(last);
        append_capped(&mut last.text, ' ', tail);
        append_capped(&mut last.raw, '\n', raw);
        self.bytes = self.bytes - before + line_bytes(last);
        self.enforce_budget();
        true
    }

    fn enforce_budget(&mut self) {
        while self.bytes > self.budget {
            let Some(oldest) = self.lines.pop_front() else {
                break;
            };
            self.bytes -= line_bytes(&oldest);
            self.dropped_lines += 1;
        }
    }
}

fn line_bytes(line: &LogLine) -> usize {
    line.text.len() + line.raw.len()
}

fn append_capped(target: &mut String, separator: char, tail: &str) {
    if target.len() >= MAX_LINE_BYTES {
        return;
    }
    target.push(separator);
    target.push_str(tail);
    truncate_on_char_boundary(target, MAX_LINE_BYTES);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor, Read};

    fn read(text: &str) -> KernelLog {
        read_bytes(text.as_bytes())
    }

    fn read_bytes(bytes: &[u8]) -> KernelLog {
        read_kernel_log(Cursor::new(bytes), LogOrigin::Dmesg, "cmd/dmesg", DEFAULT_BUDGET_BYTES)
            .expect("reading from memory cannot fail")
    }

    fn texts(log: &KernelLog) -> Vec<&str> {
        log.lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn strips_dmesg_stamp() {
        let (ts, text) = strip_prefix(
            "[    0.013654] ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB      00000001 INTL 00000001)",
        );
        assert_eq!(ts, Some(0.013654));
        assert_eq!(text, "ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB      00000001 INTL 00000001)");
        assert_eq!(
            strip_prefix("[12345.678901] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)"),
            (Some(12345.678901), "vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)")
        );
    }

    #[test]
    fn strips_kmsg_level_and_stamp() {
        assert_eq!(
            strip_prefix("<6>[    0.184398] DMAR: IOMMU enabled"),
            (Some(0.184398), "DMAR: IOMMU enabled")
        );
        assert_eq!(strip_prefix("<4>DMAR: IOMMU enabled"), (None, "DMAR: IOMMU enabled"));
    }

    #[test]
    fn strips_journal_short_forms() {
        assert_eq!(
            strip_prefix("Jun 29 18:28:41 hp-4300G kernel: AMD-Vi: Interrupt remapping enabled"),
            (None, "AMD-Vi: Interrupt remapping enabled")
        );
        assert_eq!(
            strip_prefix("Jun 29 18:28:41.123456 pve kernel: DMAR: IOMMU enabled"),
            (None, "DMAR: IOMMU enabled")
        );
        assert_eq!(
            strip_prefix("2024-06-29T18:28:41+0200 pve kernel: DMAR: IOMMU enabled"),
            (None, "DMAR: IOMMU enabled")
        );
        // syslog pads single-digit days with a space.
        assert_eq!(
            strip_prefix("Jul  9 08:01:02 my.host.example kernel: DMAR: IOMMU enabled"),
            (None, "DMAR: IOMMU enabled")
        );
    }

    #[test]
    fn keeps_ident_of_non_kernel_journal_lines() {
        assert_eq!(
            strip_prefix(
                "Jun 29 18:28:41 pve systemd-modules-load[348]: Failed to find module 'vfio_virqfd'"
            ),
            (None, "systemd-modules-load[348]: Failed to find module 'vfio_virqfd'")
        );
        assert_eq!(
            strip_prefix("2024-06-29T18:28:41+0200 pve pvedaemon[1234]: <root@pam> starting task"),
            (None, "pvedaemon[1234]: <root@pam> starting task")
        );
    }

    #[test]
    fn strips_dmesg_human_time() {
        assert_eq!(
            strip_prefix("[Sat Jun 29 18:28:41 2024] DMAR: IOMMU enabled"),
            (None, "DMAR: IOMMU enabled")
        );
        assert_eq!(
            strip_prefix("[Mon Jul  1 08:00:00 2024] AMD-Vi: Interrupt remapping enabled"),
            (None, "AMD-Vi: Interrupt remapping enabled")
        );
    }

    #[test]
    fn strips_kern_log_syslog_and_kernel_stamp() {
        assert_eq!(
            strip_prefix("Jun 29 18:28:41 pve kernel: [    1.234567] DMAR: IOMMU enabled"),
            (Some(1.234567), "DMAR: IOMMU enabled")
        );
    }

    #[test]
    fn leaves_unprefixed_text_alone() {
        for line in [
            "DMAR: IOMMU enabled",
            "pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40",
            "[not a stamp] text",
            "[    0.] text",
            "<> text",
            "Jun 29 text",
            "June 29 18:28:41 host kernel: x",
            "Jun 29 18:28:41 host no ident here",
            "2024-06-29 18:28:41 host kernel: x",
            "",
            "[",
            "Jun 29 18:28:41 ",
        ] {
            assert_eq!(strip_prefix(line), (None, line), "{line:?}");
        }
    }

    #[test]
    fn reads_seed_intel_dmesg_block() {
        // /work/shared/seeds/001: Intel `dmesg`, verbatim.
        let log = read(
            "[    0.013654] ACPI: DMAR 0x00000000BAFDA000 0000B8 (v01 INTEL  SNB      00000001 INTL 00000001)\n\
             [    0.065485] DMAR: IOMMU enabled\n\
             [    0.133542] DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap c0000020e60262 ecap f0101a\n",
        );
        assert_eq!(log.origin, LogOrigin::Dmesg);
        assert_eq!(log.source, "cmd/dmesg");
        assert_eq!(log.total_lines, 3);
        assert_eq!(log.dropped_lines, 0);
        let second = &log.lines[1];
        assert_eq!(second.n, 2);
        assert_eq!(second.ts, Some(0.065485));
        assert_eq!(second.text, "DMAR: IOMMU enabled");
        assert_eq!(second.raw, "[    0.065485] DMAR: IOMMU enabled");
    }

    #[test]
    fn joins_continuation_lines() {
        // domain.md 0.5, observed (timestamps removed).
        let log = read(
            "pci 0000:00:00.2: AMD-Vi: Extended features (0x206d73ef22254ade):\n PPR X2APIC NX GT IA GA PC GA_vAPIC\nAMD-Vi: Interrupt remapping enabled\n",
        );
        assert_eq!(
            texts(&log),
            [
                "pci 0000:00:00.2: AMD-Vi: Extended features (0x206d73ef22254ade): PPR X2APIC NX GT IA GA PC GA_vAPIC",
                "AMD-Vi: Interrupt remapping enabled",
            ]
        );
        assert_eq!(
            log.lines[0].raw,
            "pci 0000:00:00.2: AMD-Vi: Extended features (0x206d73ef22254ade):\n PPR X2APIC NX GT IA GA PC GA_vAPIC"
        );
        assert_eq!((log.lines[0].n, log.lines[1].n), (1, 3));
        assert_eq!(log.total_lines, 2);
    }

    #[test]
    fn joins_continuation_after_timestamped_line() {
        let log = read(
            "[    1.484440] pci 0000:00:00.2: AMD-Vi: Extended features (0x58f77ef22294ade):\n PPR NX GT IA PC GA_vAPIC\n[    1.484442] AMD-Vi: Interrupt remapping enabled\n",
        );
        assert_eq!(log.lines.len(), 2);
        assert_eq!(log.lines[0].ts, Some(1.48444));
        assert!(log.lines[0].text.ends_with("(0x58f77ef22294ade): PPR NX GT IA PC GA_vAPIC"));
    }

    #[test]
    fn indented_paste_is_not_a_continuation() {
        let log = read(
            "    [    0.065485] DMAR: IOMMU enabled\n    DMAR-IR: Enabled IRQ remapping in x2apic mode\n",
        );
        assert_eq!(texts(&log), ["DMAR: IOMMU enabled", "DMAR-IR: Enabled IRQ remapping in x2apic mode"]);
        assert_eq!(log.lines[0].ts, Some(0.065485));
        // A single-space indent with its own stamp is a line of its own too.
        let log = read(" [    0.1] a\n [    0.2] b\n");
        assert_eq!(texts(&log), ["a", "b"]);
    }

    #[test]
    fn continuation_without_previous_line_stands_alone() {
        let log = read(" PPR X2APIC NX\n");
        assert_eq!(texts(&log), ["PPR X2APIC NX"]);
    }

    #[test]
    fn handles_crlf() {
        let log = read("[    0.1] DMAR: IOMMU enabled\r\n[    0.2] DMAR: No ATSR found\r\n");
        assert_eq!(texts(&log), ["DMAR: IOMMU enabled", "DMAR: No ATSR found"]);
        assert_eq!(log.lines[1].raw, "[    0.2] DMAR: No ATSR found");
    }

    #[test]
    fn survives_nul_bytes_and_invalid_utf8() {
        let log = read_bytes(b"\0\0\0\0[    0.1] DMAR: IOMMU enabled\n\xff\xfe broken \xc3\n\0\0\0\n");
        assert_eq!(log.lines.len(), 2);
        assert_eq!(log.lines[0].text, "DMAR: IOMMU enabled");
        assert_eq!(log.lines[0].ts, Some(0.1));
        assert_eq!(log.lines[1].text, "\u{fffd}\u{fffd} broken \u{fffd}");
        assert_eq!(log.lines[1].n, 2);
    }

    #[test]
    fn skips_empty_lines_but_counts_physical_numbers() {
        let log = read("\n\n   \n[    0.1] a\n\n[    0.2] b");
        assert_eq!(texts(&log), ["a", "b"]);
        assert_eq!((log.lines[0].n, log.lines[1].n), (4, 6));
        assert_eq!(log.total_lines, 2);
    }

    #[test]
    fn linux_version_starts_a_new_boot() {
        let log = read(
            "Jun 28 10:00:00 pve kernel: Linux version 6.5.13-5-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP\n\
             Jun 28 10:00:00 pve kernel: DMAR: IOMMU disabled\n\
             Jun 29 18:28:41 pve kernel: Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP\n\
             Jun 29 18:28:41 pve kernel: DMAR: IOMMU enabled\n",
        );
        assert_eq!(log.total_lines, 4);
        assert_eq!(log.dropped_lines, 0);
        assert_eq!(
            texts(&log),
            [
                "Linux version 6.8.12-4-pve (build@proxmox) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP",
                "DMAR: IOMMU enabled"
            ]
        );
        assert_eq!(log.lines[0].n, 3);
    }

    #[test]
    fn journal_boot_markers_start_a_new_boot() {
        let log = read(
            "-- Logs begin at Mon 2024-06-24 09:00:00 CEST, end at Sat 2024-06-29 18:30:00 CEST. --\n\
             Jun 28 10:00:00 pve kernel: DMAR: IOMMU disabled\n\
             -- Boot 3f2a5c0e8b2d4a7c9e1f0a2b3c4d5e6f --\n\
             Jun 29 18:28:41 pve kernel: DMAR: IOMMU enabled\n\
             Jun 29 18:28:45 pve systemd-modules-load[348]: Failed to find module 'vfio_virqfd'\n",
        );
        assert_eq!(
            texts(&log),
            ["DMAR: IOMMU enabled", "systemd-modules-load[348]: Failed to find module 'vfio_virqfd'"]
        );
        assert_eq!(log.total_lines, 3);
        let log = read("Jun 28 10:00:00 pve kernel: old\n-- Reboot --\nJun 29 18:28:41 pve kernel: new\n");
        assert_eq!(texts(&log), ["new"]);
    }

    #[test]
    fn paste_without_prefixes() {
        let log = read(
            "DMAR: IOMMU enabled\nDMAR: Host address width 39\nDMAR-IR: Enabled IRQ remapping in x2apic mode\n",
        );
        assert_eq!(log.lines.len(), 3);
        assert!(log.lines.iter().all(|l| l.ts.is_none() && l.text == l.raw));
    }

    #[test]
    fn budget_drops_oldest_lines() {
        let line = "[    0.000001] 0123456789\n"; // text 10 bytes + raw 25 bytes
        let input = line.repeat(10);
        let log = read_kernel_log(Cursor::new(input), LogOrigin::Dmesg, "cmd/dmesg", 100).unwrap();
        assert_eq!(log.lines.len(), 2);
        assert_eq!(log.dropped_lines, 8);
        assert_eq!(log.total_lines, 10);
        assert_eq!((log.lines[0].n, log.lines[1].n), (9, 10));
    }

    #[test]
    fn cuts_overlong_lines_on_a_char_boundary() {
        let long = format!("[    0.1] {}\n[    0.2] next\n", "é".repeat(MAX_LINE_BYTES));
        let log = read(&long);
        assert_eq!(log.lines.len(), 2);
        assert!(log.lines[0].raw.len() <= MAX_LINE_BYTES);
        assert!(log.lines[0].text.chars().all(|c| c == 'é'));
        assert_eq!(log.lines[1].text, "next");
        assert_eq!(log.lines[1].n, 2);
    }

    /// Produces `total` bytes of repeated log lines without holding them in memory.
    struct GeneratedLog {
        line: &'static [u8],
        produced: usize,
        total: usize,
    }

    impl Read for GeneratedLog {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let offset = self.produced % self.line.len();
            let n = (self.line.len() - offset).min(out.len()).min(self.total - self.produced);
            out[..n].copy_from_slice(&self.line[offset..offset + n]);
            self.produced += n;
            Ok(n)
        }
    }

    #[test]
    fn fifty_megabytes_stay_within_budget() {
        let line: &[u8] = b"[ 1234.567890] vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0x50000000-0x51ffffff 64bit pref]\n";
        let total = 50 << 20;
        let reader = BufReader::new(GeneratedLog { line, produced: 0, total });
        let budget = 64 << 10;
        let log = read_kernel_log(reader, LogOrigin::KernLog, "var/log/kern.log", budget).unwrap();
        let kept: usize = log.lines.iter().map(line_bytes).sum();
        assert!(kept <= budget, "{kept} > {budget}");
        assert!(!log.lines.is_empty());
        let lines_in_input = total.div_ceil(line.len()) as u64; // the last may be partial
        assert_eq!(log.total_lines, lines_in_input);
        assert_eq!(log.dropped_lines + log.lines.len() as u64, lines_in_input);
        assert_eq!(log.lines.last().map(|l| l.n), Some(lines_in_input));
    }

    #[test]
    fn one_huge_line_without_newline_is_cut() {
        let reader = BufReader::new(GeneratedLog { line: b"x", produced: 0, total: 1 << 20 });
        let log = read_kernel_log(reader, LogOrigin::Pasted, "paste", DEFAULT_BUDGET_BYTES).unwrap();
        assert_eq!(log.lines.len(), 1);
        assert_eq!(log.lines[0].text.len(), MAX_LINE_BYTES);
    }

    #[test]
    fn strips_rsyslog_precise_iso_stamp() {
        assert_eq!(
            strip_prefix("2024-06-29T18:28:41.123456+02:00 pve kernel: [    1.234567] DMAR: IOMMU enabled"),
            (Some(1.234567), "DMAR: IOMMU enabled")
        );
    }

    #[test]
    fn counts_every_logical_line_once() {
        let input = "[    0.1] a\n[    0.2] Linux version 6.8.12-4-pve (build@proxmox)\n[    0.3] b\n \
                     tail\n[    0.4] c\n[    0.5] d\n";
        let log = read_kernel_log(Cursor::new(input), LogOrigin::Dmesg, "cmd/dmesg", 40).unwrap();
        // "a" is an earlier boot. Each short line costs 12 bytes (text + raw), so the
        // 40-byte budget keeps the last two and drops the banner and "b tail".
        assert_eq!(texts(&log), ["c", "d"]);
        assert_eq!(log.total_lines, 5);
        assert_eq!(log.dropped_lines, 2);
    }

    #[test]
    fn never_panics_on_noise() {
        // A fixed pseudo-random walk over the characters the parsers care about.
        let alphabet: Vec<char> = "[]<>0123456789.: -\t\n\r\0éJunkernel[]T".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut text = String::new();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        for line in text.lines() {
            let _ = strip_prefix(line);
        }
        let log = read_kernel_log(Cursor::new(text), LogOrigin::Pasted, "paste", 4096).unwrap();
        assert!(log.lines.iter().map(line_bytes).sum::<usize>() <= 4096);
    }

    #[test]
    fn reader_error_is_returned() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let result = read_kernel_log(BufReader::new(Failing), LogOrigin::Dmesg, "cmd/dmesg", 10);
        assert!(result.is_err());
    }
}
