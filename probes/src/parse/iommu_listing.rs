//! IOMMU group listings that users paste: the ArchWiki loop output
//! (`IOMMU Group 1 01:00.0 VGA compatible controller [0300]: … [10de:1b80] (rev a1)`)
//! and `find /sys/kernel/iommu_groups/ -type l` output
//! (`/sys/kernel/iommu_groups/1/devices/0000:01:00.0`), one per line or run together.
//!
//! Script variants are common: `IOMMU Group 12:` with a colon, a domain in the address,
//! or a `IOMMU Group 1:` heading followed by tab-indented `lspci -nns` lines. Forum
//! pastes also lose their line breaks, so sysfs paths are found anywhere in a line.
//! Anything that is not one of these forms is ignored.

use std::collections::HashMap;

/// One group membership, with the lspci-style description when the listing had one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub group: u32,
    /// Normalised to a full address with domain: `0000:01:00.0`.
    pub address: String,
    /// The rest of the line after the address (`VGA compatible controller [0300]: …`).
    pub description: Option<String>,
    pub line: u64,
}

/// Every membership in the listing, in order of appearance. A device listed twice in
/// the same group (a paste with both forms) appears once, with the description of
/// whichever listing had one.
pub fn parse_iommu_listing(text: &str) -> Vec<GroupMember> {
    let mut members = Members::default();
    // The group of a `IOMMU Group 1:` heading whose device lines follow.
    let mut open_heading: Option<u32> = None;
    for (index, line) in text.lines().enumerate() {
        let n = index as u64 + 1;
        let trimmed = line.trim();
        if trimmed.contains("iommu_groups/") {
            for (group, address) in sysfs_group_links(trimmed) {
                members.add(GroupMember { group, address, description: None, line: n });
            }
            open_heading = None;
        } else if let Some((group, rest)) = group_heading(trimmed) {
            open_heading = None;
            match device_line(rest) {
                Some((address, description)) => {
                    members.add(GroupMember { group, address, description, line: n })
                }
                None if rest.is_empty() => open_heading = Some(group),
                None => {}
            }
        } else if let Some(group) = open_heading {
            match device_line(trimmed) {
                Some((address, description)) => {
                    members.add(GroupMember { group, address, description, line: n })
                }
                // `\tKernel driver in use: …` from `lspci -nnks` belongs to the device
                // above; an unindented line of other text ends the group.
                None if !trimmed.is_empty() && !line.starts_with(char::is_whitespace) => open_heading = None,
                None => {}
            }
        }
    }
    members.list
}

/// A PCI address as `lspci` or sysfs prints it (`01:00.0`, `0000:01:00.0`, VMD's
/// `10000:e0:06.0`) → the full lowercase form with domain; `None` if it is not one.
pub(crate) fn full_pci_address(text: &str) -> Option<String> {
    let (rest, function) = text.rsplit_once('.')?;
    let mut parts = rest.rsplit(':');
    let device = parts.next()?;
    let bus = parts.next()?;
    let domain = parts.next().unwrap_or("0000");
    let valid = parts.next().is_none()
        && is_hex(domain, 4..=8)
        && is_hex(bus, 2..=2)
        && is_hex(device, 2..=2)
        && function.len() == 1
        && function.bytes().all(|b| (b'0'..=b'7').contains(&b));
    // Device numbers stop at 0x1f (PCI spec: 5 bits).
    let device_ok = u8::from_str_radix(device, 16).is_ok_and(|d| d <= 0x1f);
    (valid && device_ok).then(|| format!("{domain}:{bus}:{device}.{function}").to_ascii_lowercase())
}

fn is_hex(text: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `IOMMU Group 12 …` or `IOMMU Group 12: …` → the group and what follows.
fn group_heading(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix("IOMMU Group ")?;
    let digits_end = rest.bytes().take_while(u8::is_ascii_digit).count();
    let group = rest.get(..digits_end)?.parse().ok()?;
    let after = rest.get(digits_end..)?;
    let after = after.strip_prefix(':').unwrap_or(after);
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        return None;
    }
    Some((group, after.trim_start()))
}

/// `01:00.0 VGA compatible controller [0300]: …` → address and description.
fn device_line(text: &str) -> Option<(String, Option<String>)> {
    let (token, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let address = full_pci_address(token)?;
    let description = rest.trim();
    Some((address, (!description.is_empty()).then(|| description.to_string())))
}

/// Every `iommu_groups/<N>/devices/<address>` in a line, however many are run together.
fn sysfs_group_links(line: &str) -> Vec<(u32, String)> {
    line.split("iommu_groups/").skip(1).filter_map(sysfs_group_link).collect()
}

/// `12/devices/0000:02:00.0 …` (the text after `iommu_groups/`).
fn sysfs_group_link(after_marker: &str) -> Option<(u32, String)> {
    let (group, rest) = after_marker.split_once('/')?;
    if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix("devices/")?;
    let end = rest.find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.')).unwrap_or(rest.len());
    Some((group.parse().ok()?, full_pci_address(rest.get(..end)?)?))
}

/// Members in order, without repeating a (group, address) pair.
#[derive(Default)]
struct Members {
    list: Vec<GroupMember>,
    index: HashMap<(u32, String), usize>,
}

impl Members {
    fn add(&mut self, member: GroupMember) {
        let key = (member.group, member.address.clone());
        match self.index.get(&key) {
            Some(&at) => {
                if let Some(existing) = self.list.get_mut(at) {
                    if existing.description.is_none() {
                        existing.description = member.description;
                    }
                }
            }
            None => {
                self.index.insert(key, self.list.len());
                self.list.push(member);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(members: &[GroupMember]) -> Vec<(u32, &str)> {
        members.iter().map(|m| (m.group, m.address.as_str())).collect()
    }

    #[test]
    fn normalises_addresses() {
        assert_eq!(full_pci_address("01:00.0").as_deref(), Some("0000:01:00.0"));
        assert_eq!(full_pci_address("0000:00:1F.3").as_deref(), Some("0000:00:1f.3"));
        assert_eq!(full_pci_address("10000:e0:06.0").as_deref(), Some("10000:e0:06.0"));
        for bad in ["", "01:00", "1:00.0", "01:00.8", "01:20.0", "0000:01:00.0.1", "zz:00.0", "a:b:c:d.0"] {
            assert_eq!(full_pci_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn archwiki_loop_output() {
        // /work/shared/seeds/003, verbatim lines.
        let text = "\
IOMMU Group 0 00:00.0 Host bridge [0600]: Intel Corporation Device [8086:191f] (rev 07)
IOMMU Group 10 00:1f.0 ISA bridge [0601]: Intel Corporation Device [8086:a145] (rev 31)
IOMMU Group 10 00:1f.2 Memory controller [0580]: Intel Corporation Device [8086:a121] (rev 31)
IOMMU Group 12 01:00.0 VGA compatible controller [0300]: Advanced Micro Devices [AMD] nee ATI Device [1002:7300] (rev cb)
IOMMU Group 12 01:00.1 Audio device [0403]: Advanced Micro Devices [AMD] nee ATI Device [1002:aae8]
IOMMU Group 13 02:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:13c2] (rev a1)
";
        let members = parse_iommu_listing(text);
        assert_eq!(
            pairs(&members),
            [
                (0, "0000:00:00.0"),
                (10, "0000:00:1f.0"),
                (10, "0000:00:1f.2"),
                (12, "0000:01:00.0"),
                (12, "0000:01:00.1"),
                (13, "0000:02:00.0"),
            ]
        );
        assert_eq!(
            members[3].description.as_deref(),
            Some("VGA compatible controller [0300]: Advanced Micro Devices [AMD] nee ATI Device [1002:7300] (rev cb)")
        );
        assert_eq!(members[3].line, 4);
    }

    #[test]
    fn domain_and_colon_variants() {
        let text = "IOMMU Group 12 0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)\n\
                    IOMMU Group 12: 01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n";
        let members = parse_iommu_listing(text);
        assert_eq!(pairs(&members), [(12, "0000:01:00.0"), (12, "0000:01:00.1")]);
        assert!(members[1].description.as_deref().is_some_and(|d| d.starts_with("Audio device [0403]")));
    }

    #[test]
    fn heading_with_indented_devices() {
        let text = "\
IOMMU Group 1:
\t00:01.0 PCI bridge [0604]: Intel Corporation Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 07)
\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)
\t\tKernel driver in use: vfio-pci
\t01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
IOMMU Group 2:
\t00:14.0 USB controller [0c03]: Intel Corporation 100 Series/C230 Series Chipset Family USB 3.0 xHCI Controller [8086:a12f] (rev 31)
$ lspci -nn
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)
";
        let members = parse_iommu_listing(text);
        assert_eq!(
            pairs(&members),
            [(1, "0000:00:01.0"), (1, "0000:01:00.0"), (1, "0000:01:00.1"), (2, "0000:00:14.0")]
        );
        assert_eq!(members[2].line, 5);
    }

    #[test]
    fn find_output_one_per_line() {
        // /work/shared/seeds/001, verbatim.
        let text = "find /sys/kernel/iommu_groups/ -type l\n/sys/kernel/iommu_groups/7/devices/0000:00:1b.0\n/sys/kernel/iommu_groups/5/devices/0000:00:19.0\n...\n";
        let members = parse_iommu_listing(text);
        assert_eq!(pairs(&members), [(7, "0000:00:1b.0"), (5, "0000:00:19.0")]);
        assert_eq!((members[0].line, members[1].line), (2, 3));
        assert!(members.iter().all(|m| m.description.is_none()));
    }

    #[test]
    fn find_output_run_together() {
        // /work/shared/seeds/000, verbatim: the paste lost its line breaks.
        let text = "# find /sys/kernel/iommu_groups/ -type l /sys/kernel/iommu_groups/0/devices/0000:00:00.0 /sys/kernel/iommu_groups/1/devices/0000:00:01.0 /sys/kernel/iommu_groups/1/devices/0000:01:00.0 /sys/kernel/iommu_groups/1/devices/0000:01:00.1 /sys/kernel/iommu_groups/2/devices/0000:00:02.0 /sys/kernel/iommu_groups/3/devices/0000:00:16.0 /sys/kernel/iommu_groups/4/devices/0000:00:1a.0 /sys/kernel/iommu_groups/5/devices/0000:00:1b.0 /sys/kernel/iommu_groups/6/devices/0000:00:1c.0 /sys/kernel/iommu_groups/7/devices/0000:00:1c.5 /sys/kernel/iommu_groups/8/devices/0000:00:1c.6 /sys/kernel/iommu_groups/9/devices/0000:00:1c.7 /sys/kernel/iommu_groups/9/devices/0000:05:00.0 /sys/kernel/iommu_groups/10/devices/0000:00:1d.0 /sys/kernel/iommu_groups/11/devices/0000:00:1f.0 /sys/kernel/iommu_groups/11/devices/0000:00:1f.2 /sys/kernel/iommu_groups/11/devices/0000:00:1f.3 /sys/kernel/iommu_groups/12/devices/0000:02:00.0 /sys/kernel/iommu_groups/12/devices/0000:02:00.1 /sys/kernel/iommu_groups/13/devices/0000:03:00.0 /sys/kernel/iommu_groups/14/devices/0000:04:00.0";
        let members = parse_iommu_listing(text);
        assert_eq!(members.len(), 21);
        assert!(members.iter().all(|m| m.line == 1));
        let group_1: Vec<&str> =
            members.iter().filter(|m| m.group == 1).map(|m| m.address.as_str()).collect();
        assert_eq!(group_1, ["0000:00:01.0", "0000:01:00.0", "0000:01:00.1"]);
        assert_eq!(pairs(&members).last(), Some(&(14, "0000:04:00.0")));
    }

    #[test]
    fn symlink_listing_with_targets() {
        let text = "lrwxrwxrwx 1 root root 0 Jun 29 18:30 /sys/kernel/iommu_groups/12/devices/0000:01:00.0 -> ../../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0";
        assert_eq!(pairs(&parse_iommu_listing(text)), [(12, "0000:01:00.0")]);
    }

    #[test]
    fn both_forms_merge_without_duplicates() {
        let text = "/sys/kernel/iommu_groups/12/devices/0000:01:00.0\n\
                    IOMMU Group 12 01:00.0 VGA compatible controller [0300]: Advanced Micro Devices [AMD] nee ATI Device [1002:7300] (rev cb)\n";
        let members = parse_iommu_listing(text);
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].line, 1);
        assert!(members[0].description.is_some());
    }

    #[test]
    fn ignores_other_text() {
        let text = "\
for d in /sys/kernel/iommu_groups/*/devices/*; do
    printf 'IOMMU Group %s ' \"$n\"
IOMMU Group 4294967296 01:00.0 too big
IOMMU Groups
IOMMU Group 3 is isolated
\t01:00.0 not under a heading
/sys/kernel/iommu_groups/x/devices/0000:01:00.0 /sys/kernel/iommu_groups/1/devices/junk
";
        assert!(parse_iommu_listing(text).is_empty());
        assert!(parse_iommu_listing("").is_empty());
    }

    fn noise() -> String {
        crate::parse::testing::noise("IOMMU Group 1:0a.f/iommu_groups/devices/ \t\né")
    }

    #[test]
    fn never_panics_on_noise() {
        let text = noise();
        for member in parse_iommu_listing(&text) {
            assert!(full_pci_address(&member.address).is_some());
        }
    }
}
