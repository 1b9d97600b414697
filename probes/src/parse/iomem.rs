//! `/proc/iomem` (`kernel/resource.c`, `r_show`): two spaces of indent per depth.
//!
//! `r_show` prints `"%*s%0*llx-%0*llx : %s\n"` with an indent of `depth * 2` spaces and
//! a zero-padded *minimum* width of 8 hex digits, so addresses above 4 GiB are simply
//! longer (`100000000-47fffffff : System RAM`), up to 16 digits.

use engine::facts::IomemRange;

/// Parses every well-formed line; malformed lines are skipped. Returns the ranges and
/// whether every address read as zero (what an unprivileged reader sees).
pub fn parse_iomem(text: &str) -> (Vec<IomemRange>, bool) {
    let ranges: Vec<IomemRange> = text
        .lines()
        .enumerate()
        .filter_map(|(index, line)| parse_line(line, u64::try_from(index).ok()?.checked_add(1)?))
        .collect();
    // `r_show` prints zeros for both ends unless the reader has CAP_SYS_ADMIN.
    let all_zero = !ranges.is_empty() && ranges.iter().all(|r| r.start == 0 && r.end == 0);
    (ranges, all_zero)
}

fn parse_line(line: &str, line_number: u64) -> Option<IomemRange> {
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    let (span, name) = body.trim_end().split_once(" : ")?;
    let (start, end) = span.split_once('-')?;
    Some(IomemRange {
        start: parse_address(start)?,
        end: parse_address(end)?,
        depth: u32::try_from(indent / 2).ok()?,
        name: name.to_string(),
        line: line_number,
    })
}

/// A hex address of 1 to 16 digits without a `0x` prefix.
fn parse_address(hex: &str) -> Option<u64> {
    let well_formed = (1..=16).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then(|| u64::from_str_radix(hex, 16).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(ranges: &[IomemRange]) -> Vec<(u64, u64, u32, &str, u64)> {
        ranges.iter().map(|r| (r.start, r.end, r.depth, r.name.as_str(), r.line)).collect()
    }

    #[test]
    fn domain_brief_bootfb_inside_gpu_bar() {
        let text = "\
e0000000-efffffff : 0000:01:00.0
  e0000000-e07e8fff : BOOTFB
    e0000000-e07e8fff : simplefb
";
        let (ranges, all_zero) = parse_iomem(text);
        assert!(!all_zero);
        assert_eq!(
            summary(&ranges),
            vec![
                (0xe000_0000, 0xefff_ffff, 0, "0000:01:00.0", 1),
                (0xe000_0000, 0xe07e_8fff, 1, "BOOTFB", 2),
                (0xe000_0000, 0xe07e_8fff, 2, "simplefb", 3),
            ]
        );
    }

    /// A root-read `/proc/iomem` of an Intel host with the passthrough GPU at 01:00.0:
    /// efifb still holds the start of its framebuffer BAR, and a running VM holds the
    /// other BARs (the `vfio` children that `vfio_pci_core.c` requests).
    const HOST_IOMEM: &str = "\
00000000-00000fff : Reserved
00001000-0009dfff : System RAM
0009e000-0009efff : Reserved
0009f000-0009ffff : System RAM
000a0000-000fffff : Reserved
  000a0000-000bffff : PCI Bus 0000:00
  000f0000-000fffff : System ROM
00100000-7b8f8fff : System RAM
7b8f9000-7b8f9fff : ACPI Non-volatile Storage
7b8fa000-7b8fafff : Reserved
7b8fb000-8a2b5fff : System RAM
8a2b6000-8b9b5fff : Reserved
8b9b6000-8bb3cfff : ACPI Tables
8bb3d000-8c23ffff : ACPI Non-volatile Storage
8c240000-8cdfefff : Reserved
8cdff000-8cdfffff : System RAM
8ce00000-8cffffff : Reserved
8e000000-8fffffff : Reserved
90000000-dfffffff : PCI Bus 0000:00
  c0000000-d1ffffff : PCI Bus 0000:01
    c0000000-cfffffff : 0000:01:00.0
      c0000000-c02fffff : BOOTFB
        c0000000-c02fffff : efifb
    d0000000-d1ffffff : 0000:01:00.0
      d0000000-d1ffffff : vfio
  de000000-df0fffff : PCI Bus 0000:01
    de000000-deffffff : 0000:01:00.0
      de000000-deffffff : vfio
    df000000-df07ffff : 0000:01:00.0
    df080000-df083fff : 0000:01:00.1
      df080000-df083fff : vfio
e0000000-efffffff : PCI MMCONFIG 0000 [bus 00-ff]
  e0000000-efffffff : Reserved
    e0000000-efffffff : pnp 00:05
fed00000-fed003ff : HPET 0
  fed00000-fed003ff : PNP0103:00
fed90000-fed90fff : dmar0
fed91000-fed91fff : dmar1
fee00000-fee00fff : Local APIC
100000000-86f7fffff : System RAM
  4a1000000-4a2002616 : Kernel code
  4a2200000-4a2c6afff : Kernel rodata
  4a2e00000-4a31468ff : Kernel data
  4a3a2e000-4a3dfffff : Kernel bss
86f800000-86fffffff : RAM buffer
";

    #[test]
    fn full_host_iomem() {
        let (ranges, all_zero) = parse_iomem(HOST_IOMEM);
        assert!(!all_zero);
        assert_eq!(ranges.len(), HOST_IOMEM.lines().count());

        let pci_bus = ranges.iter().find(|r| r.name == "PCI Bus 0000:00" && r.depth == 0);
        assert_eq!(pci_bus.map(|r| (r.start, r.end, r.line)), Some((0x9000_0000, 0xdfff_ffff, 19)));

        let named = |name: &str| ranges.iter().filter(|r| r.name == name).collect::<Vec<_>>();
        let bootfb = named("BOOTFB");
        assert_eq!(bootfb.len(), 1);
        assert_eq!((bootfb[0].start, bootfb[0].end, bootfb[0].depth), (0xc000_0000, 0xc02f_ffff, 3));
        assert_eq!(named("efifb")[0].depth, 4);
        assert_eq!(named("vfio").iter().map(|r| r.depth).collect::<Vec<_>>(), vec![3, 3, 3]);
        assert_eq!(named("0000:01:00.0").len(), 4);

        let ram = named("System RAM");
        let high = ram.last().map(|r| (r.start, r.end, r.depth));
        assert_eq!(high, Some((0x1_0000_0000, 0x8_6f7f_ffff, 0)));
        assert_eq!(named("Kernel code")[0].depth, 1);
    }

    #[test]
    fn simplefb_and_sixteen_digit_addresses() {
        let text = "\
4000000000-7fffffffff : PCI Bus 0000:00
  6000000000-600fffffff : 0000:01:00.0
    6000000000-60007e8fff : BOOTFB
      6000000000-60007e8fff : simplefb
ffffffffffff0000-ffffffffffffffff : Reserved
";
        let (ranges, _) = parse_iomem(text);
        assert_eq!(ranges.iter().map(|r| r.depth).collect::<Vec<_>>(), vec![0, 1, 2, 3, 0]);
        assert_eq!(ranges[3].name, "simplefb");
        assert_eq!(ranges[3].start, 0x60_0000_0000);
        assert_eq!(ranges[4].end, u64::MAX);
    }

    #[test]
    fn unprivileged_read_is_all_zero() {
        let text = "\
00000000-00000000 : Reserved
00000000-00000000 : System RAM
00000000-00000000 : Reserved
  00000000-00000000 : PCI Bus 0000:00
  00000000-00000000 : System ROM
00000000-00000000 : PCI Bus 0000:00
  00000000-00000000 : PCI Bus 0000:01
    00000000-00000000 : 0000:01:00.0
      00000000-00000000 : BOOTFB
";
        let (ranges, all_zero) = parse_iomem(text);
        assert!(all_zero);
        assert_eq!(ranges.len(), 9);
        assert_eq!(ranges[8].depth, 3);
    }

    #[test]
    fn one_real_address_means_not_all_zero() {
        let (_, all_zero) = parse_iomem("00000000-00000fff : Reserved\n00000000-00000000 : System RAM\n");
        assert!(!all_zero);
    }

    #[test]
    fn empty_input_is_not_all_zero() {
        assert_eq!(parse_iomem(""), (Vec::new(), false));
    }

    #[test]
    fn malformed_lines_are_skipped_and_line_numbers_kept() {
        let text = "\
garbage
00000000-00000fff Reserved
0x1000-0x1fff : Reserved
1000-zzzz : Reserved
10000000000000000-1 : Too long
  fee00000-fee00fff : Local APIC\r
";
        let (ranges, _) = parse_iomem(text);
        assert_eq!(summary(&ranges), vec![(0xfee0_0000, 0xfee0_0fff, 1, "Local APIC", 6)]);
    }
}
