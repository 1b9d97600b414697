//! Small sysfs PCI attribute formats (domain.md 3.2).
//!
//! Pure: each function takes the text of one attribute file (or an address typed by a
//! user) and never reads the file system.

use engine::facts::Bar;

/// `"0x%04x\n"`-style hex attributes (`vendor`, `device`, `class`, `revision`).
///
/// The `0x` prefix is optional, so values copied from elsewhere (`10de`) parse too.
pub fn parse_hex_attr(text: &str) -> Option<u32> {
    let value = text.trim();
    let digits = value.strip_prefix("0x").or_else(|| value.strip_prefix("0X")).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// The `resource` file: one `start end flags` line per resource; index 6 is the ROM;
/// all-zero lines (unused) are left out.
///
/// The kernel prints every line as `0x%016llx 0x%016llx 0x%016llx`
/// (`linux: drivers/pci/pci-sysfs.c`, `resource_show`), so the index of a resource is
/// its 0-based line number. Lines that do not have that shape are skipped.
pub fn parse_resource(text: &str) -> Vec<Bar> {
    text.lines()
        .enumerate()
        .filter_map(|(line_index, line)| {
            let index = u8::try_from(line_index).ok()?;
            let [start, end, flags] = parse_resource_line(line)?;
            if start == 0 && end == 0 && flags == 0 {
                return None;
            }
            Some(Bar { index, start, end, flags })
        })
        .collect()
}

fn parse_resource_line(line: &str) -> Option<[u64; 3]> {
    let mut fields = line.split_whitespace().map(parse_hex_u64);
    let values = [fields.next()??, fields.next()??, fields.next()??];
    fields.next().is_none().then_some(values)
}

fn parse_hex_u64(field: &str) -> Option<u64> {
    let digits = field.strip_prefix("0x").or_else(|| field.strip_prefix("0X"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// Normalises an address to `dddd:bb:dd.f` lowercase, accepting the short `bb:dd.f`.
///
/// The domain may be wider than four digits (Intel VMD domains start at `0x10000`,
/// `linux: drivers/pci/controller/vmd.c`). The device must be at most `0x1f` and the
/// function at most 7, as in the BDF regex of domain.md 3.1.
pub fn normalize_address(address: &str) -> Option<String> {
    let address = address.trim();
    let parts: Vec<&str> = address.split(':').collect();
    let (domain, bus, dev_fn) = match parts.as_slice() {
        [domain, bus, dev_fn] => (parse_domain(domain)?, *bus, *dev_fn),
        [bus, dev_fn] => (0, *bus, *dev_fn),
        _ => return None,
    };
    let (device, function) = dev_fn.split_once('.')?;
    let bus = parse_fixed_hex(bus, 2)?;
    let device = parse_fixed_hex(device, 2).filter(|&device| device <= 0x1f)?;
    let function = parse_fixed_hex(function, 1).filter(|&function| function <= 7)?;
    Some(format!("{domain:04x}:{bus:02x}:{device:02x}.{function}"))
}

/// A PCI domain: at least four hex digits (`0000`, `10000`).
fn parse_domain(text: &str) -> Option<u32> {
    if text.len() < 4 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Exactly `width` hex digits.
fn parse_fixed_hex(text: &str, width: usize) -> Option<u32> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_attributes_in_the_kernel_format() {
        assert_eq!(parse_hex_attr("0x10de\n"), Some(0x10de));
        assert_eq!(parse_hex_attr("0x1b80\n"), Some(0x1b80));
        assert_eq!(parse_hex_attr("0x030000\n"), Some(0x030000));
        assert_eq!(parse_hex_attr("0xa1\n"), Some(0xa1));
        assert_eq!(parse_hex_attr("0x040300"), Some(0x040300));
    }

    #[test]
    fn hex_attribute_without_prefix_or_with_uppercase() {
        assert_eq!(parse_hex_attr("10de"), Some(0x10de));
        assert_eq!(parse_hex_attr("0X10DE\n"), Some(0x10de));
        assert_eq!(parse_hex_attr("  0x0403  \n"), Some(0x0403));
    }

    #[test]
    fn hex_attribute_rejects_garbage() {
        for text in ["", "\n", "0x", "0x\n", "zz", "0x10de 0x1b80", "-1", "0x1_0", "0x123456789"] {
            assert_eq!(parse_hex_attr(text), None, "{text:?}");
        }
    }

    /// A GPU's `resource` file: 13 lines with CONFIG_PCI_IOV (6 BARs, the ROM, 6 VF
    /// BARs); flags from `linux: include/linux/ioport.h` (0x40200 MEM, 0x14220c
    /// 64-bit prefetchable MEM, 0x40101 IO).
    const GPU_RESOURCE: &str = "\
0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200
0x00000000e0000000 0x00000000efffffff 0x000000000014220c
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x00000000f0000000 0x00000000f1ffffff 0x000000000014220c
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x000000000000e000 0x000000000000e07f 0x0000000000040101
0x00000000000c0000 0x00000000000dffff 0x0000000000000212
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
0x0000000000000000 0x0000000000000000 0x0000000000000000
";

    #[test]
    fn resource_file_keeps_line_numbers_as_indexes() {
        let bars = parse_resource(GPU_RESOURCE);
        let indexes: Vec<u8> = bars.iter().map(|bar| bar.index).collect();
        assert_eq!(indexes, [0, 1, 3, 5, 6]);

        assert_eq!(bars[0].start, 0xf600_0000);
        assert_eq!(bars[0].size(), 16 << 20);
        assert!(!bars[0].is_prefetchable());

        assert_eq!(bars[1].size(), 256 << 20);
        assert!(bars[1].is_64bit() && bars[1].is_prefetchable());

        assert!(bars[3].is_io());
        assert_eq!(bars[3].size(), 128);

        let rom = &bars[4];
        assert_eq!(rom.index, Bar::ROM_INDEX);
        assert_eq!(rom.start, 0xc0000);
        assert!(rom.is_shadowed_rom());
    }

    #[test]
    fn resource_file_skips_malformed_lines_but_keeps_indexes() {
        let text = "garbage\n0x1 0x2\n0x0000000000001000 0x0000000000001fff 0x200 extra\n\
                    0x0000000000002000 0x0000000000002fff 0x0000000000000200\n";
        let bars = parse_resource(text);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].index, 3);
        assert_eq!(bars[0].start, 0x2000);
    }

    #[test]
    fn resource_file_empty_or_all_unused() {
        assert!(parse_resource("").is_empty());
        let unused = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n".repeat(13);
        assert!(parse_resource(&unused).is_empty());
    }

    #[test]
    fn resource_file_with_more_than_256_lines_does_not_wrap_indexes() {
        let line = "0x0000000000001000 0x0000000000001fff 0x0000000000000200\n";
        let bars = parse_resource(&line.repeat(300));
        assert_eq!(bars.len(), 256);
        assert_eq!(bars.last().map(|bar| bar.index), Some(255));
    }

    #[test]
    fn addresses_are_normalised() {
        let cases = [
            ("01:00.0", "0000:01:00.0"),
            ("0000:01:00.0", "0000:01:00.0"),
            ("0000:0A:00.1", "0000:0a:00.1"),
            ("0a:1F.7", "0000:0a:1f.7"),
            ("10000:e1:00.0", "10000:e1:00.0"),
            ("00000:01:00.0", "0000:01:00.0"),
            ("  02:00.1\n", "0000:02:00.1"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_address(input).as_deref(), Some(expected), "{input}");
        }
    }

    #[test]
    fn invalid_addresses_are_rejected() {
        let cases = [
            "",
            "01:00",
            "01:20.0",
            "01:00.8",
            "1:00.0",
            "001:00.0",
            "01:0.0",
            "000:01:00.0",
            "0000:01:00.0.0",
            "0000:01:00:0",
            "zz:00.0",
            "01:00.a",
            "01:00.",
            "0000::00.0",
            "ffffffffff:01:00.0",
            "0000:01:00.0:1",
        ];
        for input in cases {
            assert_eq!(normalize_address(input), None, "{input}");
        }
    }
}
