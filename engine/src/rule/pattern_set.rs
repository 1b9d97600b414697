//! All log patterns of a rule set, matched against a line in one go.
//!
//! A `RegexSet` of every pattern costs more per line as patterns are added. Most
//! patterns, though, cannot match unless the line holds one of a few literals (`BAR `,
//! `DMAR-IR: `, `vfio-pci `), and most log lines hold none of them. So the patterns that
//! have such literals are matched only on lines where an Aho-Corasick search finds one,
//! and only the rest (patterns with no usable literal) run on every line. The cost per
//! line then barely grows with the number of rules.

use super::pattern::REGEX_SIZE_LIMIT;
use aho_corasick::AhoCorasick;
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

/// Literals shorter than this would pass too many lines to be worth checking for.
const MIN_LITERAL_BYTES: usize = 3;

#[derive(Debug, Clone)]
pub struct PatternSet {
    /// Patterns with required literals, matched where one of `literals` occurs.
    filtered: Option<(AhoCorasick, Part)>,
    /// Patterns without, matched on every line.
    always: Option<Part>,
}

#[derive(Debug, Clone)]
struct Part {
    set: RegexSet,
    /// `set` index → the caller's pattern index.
    indices: Vec<usize>,
}

impl PatternSet {
    /// A set of `(caller's index, pattern)`; `None` if there are none, or if the set
    /// would exceed the size cap.
    pub fn new<'a>(patterns: impl IntoIterator<Item = (usize, &'a str)>) -> Option<Self> {
        let mut literals = Vec::new();
        let mut with_literals = Vec::new();
        let mut without = Vec::new();
        for (index, pattern) in patterns {
            match required_literals(pattern) {
                Some(found) => {
                    literals.extend(found);
                    with_literals.push((index, pattern));
                }
                None => without.push((index, pattern)),
            }
        }
        if with_literals.is_empty() && without.is_empty() {
            return None;
        }
        let filtered = if with_literals.is_empty() {
            None
        } else {
            Some((AhoCorasick::new(&literals).ok()?, Part::new(&with_literals)?))
        };
        let always = if without.is_empty() { None } else { Some(Part::new(&without)?) };
        Some(Self { filtered, always })
    }

    /// The caller's indices of the patterns that match `line`, appended to `out`.
    pub fn matches(&self, line: &str, out: &mut Vec<usize>) {
        if let Some(part) = &self.always {
            part.matches(line, out);
        }
        if let Some((literals, part)) = &self.filtered {
            if literals.is_match(line) {
                part.matches(line, out);
            }
        }
    }
}

impl Part {
    /// `None` when the set cannot be built (over the size cap).
    fn new(patterns: &[(usize, &str)]) -> Option<Self> {
        let set = RegexSetBuilder::new(patterns.iter().map(|(_, p)| *p))
            .size_limit(REGEX_SIZE_LIMIT * 64)
            .dfa_size_limit(64 << 20)
            .build()
            .ok()?;
        Some(Self { set, indices: patterns.iter().map(|(i, _)| *i).collect() })
    }

    fn matches(&self, line: &str, out: &mut Vec<usize>) {
        out.extend(self.set.matches(line).iter().map(|i| self.indices[i]));
    }
}

/// Literals one of which occurs in every text the pattern matches, when they are few
/// and long enough: the possible beginnings of a match, else its possible endings, else
/// the possible beginnings of one of its parts (`\S+ \S+: BAR \d+: …` always holds
/// `: BAR `).
fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let usable = |kind: ExtractKind, hir: &Hir| {
        let seq = Extractor::new().kind(kind).extract(hir);
        let literals = seq.literals()?;
        let long_enough =
            !literals.is_empty() && literals.iter().all(|l| l.as_bytes().len() >= MIN_LITERAL_BYTES);
        long_enough.then(|| literals.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>())
    };
    if let Some(found) = usable(ExtractKind::Prefix, &hir).or_else(|| usable(ExtractKind::Suffix, &hir)) {
        return Some(found);
    }
    // A match of `a b c` holds a match of `b`, which begins with one of `b`'s prefixes.
    let HirKind::Concat(parts) = hir.kind() else { return None };
    parts.iter().filter_map(|part| usable(ExtractKind::Prefix, part)).max_by_key(|found| {
        let shortest = found.iter().map(Vec::len).min().unwrap_or(0);
        (shortest, std::cmp::Reverse(found.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matching(set: &PatternSet, line: &str) -> Vec<usize> {
        let mut out = Vec::new();
        set.matches(line, &mut out);
        out.sort();
        out
    }

    #[test]
    fn literals_come_from_the_start_or_else_the_end_of_a_match() {
        let prefix = required_literals(r"BAR (?P<bar>\d+): can't reserve").unwrap();
        assert_eq!(prefix, vec![b"BAR ".to_vec()]);
        let suffix = required_literals(r"\d+: can't reserve").unwrap();
        assert_eq!(suffix, vec![b": can't reserve".to_vec()]);
        // Fixed only in the middle (the shipped BAR pattern).
        let line = "vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0xca000000-0xcbffffff 64bit pref]";
        let pattern = r"^(?P<drv>\S+) (?P<bdf>[0-9a-f:.]+): BAR (?P<bar>\d+): can't reserve \[(?P<kind>mem|io) +0x(?P<start>[0-9a-f]+)-0x(?P<end>[0-9a-f]+)(?P<flags>[^\]]*)\]";
        let inner = required_literals(pattern).unwrap();
        let in_line = |l: &Vec<u8>| line.contains(std::str::from_utf8(l).unwrap());
        assert!(inner.iter().all(|l| l.len() >= MIN_LITERAL_BYTES) && inner.iter().any(in_line), "{inner:?}");
        // Nothing fixed anywhere, or too short to filter on.
        assert_eq!(required_literals(r"\d+ \w+"), None);
        assert_eq!(required_literals(r"^\s*x\d"), None);
    }

    #[test]
    fn filtered_and_unfiltered_patterns_report_the_same_matches_as_one_regex_set() {
        let patterns = [
            r"vfio-pci (?P<addr>\S+): BAR (?P<bar>\d+): can't reserve",
            r"DMAR-IR: Enabled IRQ remapping in (?P<mode>\S+) mode",
            r"(?i)amd-vi: interrupt remapping enabled",
            r"\d+ ms$",
            r"^\[\s*\d",
            r"^(?P<drv>\S+) (?P<bdf>[0-9a-f:.]+): BAR (?P<bar>\d+): can't reserve \[(?P<kind>mem|io) +0x",
        ];
        let set = PatternSet::new(patterns.iter().copied().enumerate()).unwrap();
        let plain = RegexSet::new(patterns).unwrap();
        let lines = [
            "vfio-pci 0000:01:00.0: BAR 3: can't reserve [mem 0xca000000-0xcbffffff 64bit pref]",
            "DMAR-IR: Enabled IRQ remapping in x2apic mode",
            "AMD-Vi: Interrupt remapping enabled",
            "took 15 ms",
            "[    0.5] usb 1-1: new high-speed USB device",
            "usb 1-1: new high-speed USB device number 2 using xhci_hcd",
            "",
        ];
        for line in lines {
            let expected: Vec<usize> = plain.matches(line).iter().collect();
            assert_eq!(matching(&set, line), expected, "{line}");
        }
    }
}
