//! Hex dumps of config space in the layout `lspci -x`/`-xxx`/`-xxxx` prints, which is
//! also how snapshots store binary files so that a fixture reads as text in review.
//!
//! ```text
//! 01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1)
//! 00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00
//! 10: 00 00 00 de 0c 00 00 c0 00 00 00 00 0c 00 00 d0
//! ```
//!
//! pciutils prints each row with `printf("%02x:", i)` and then `" %02x"` per byte
//! (`pciutils: lspci.c`, `show_hex_dump`), so offsets have two digits below 0x100 and
//! three from `100:` on. Parsing is strict about the rows (a config dump with a gap or
//! a typo must not silently decode into wrong capabilities) and lenient about what
//! surrounds them: CRLF line ends, trailing blanks, and the indented detail lines that
//! `lspci -v -xxx` puts between a device line and its rows.

use std::fmt::Write as _;

/// One device's bytes from a dump, with the header line's address when there was one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexDump {
    /// The slot as printed on the header line (`01:00.0` or `0000:01:00.0`), if any.
    pub address: Option<String>,
    pub bytes: Vec<u8>,
    /// 1-based line of the first hex row (or of the header line when there is one).
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct HexDumpError {
    pub line: u64,
    pub message: String,
}

/// Bytes per row, as lspci prints them.
const ROW_LEN: usize = 16;

/// Parses every device block in `text`. Rows must be `OFF: XX XX …` with offsets in
/// order and without gaps; a block ends at a blank line or a new header line.
pub fn parse_hexdump(text: &str) -> Result<Vec<HexDump>, HexDumpError> {
    let mut dumps = Vec::new();
    let mut block: Option<HexDump> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        let line = raw.trim_end();
        if line.is_empty() {
            finish_block(&mut block, &mut dumps);
        } else if let Some(address) = device_line_address(line) {
            finish_block(&mut block, &mut dumps);
            block = Some(HexDump { address: Some(address.to_owned()), bytes: Vec::new(), line: line_no });
        } else if let Some((offset, bytes)) = split_row(line) {
            let dump =
                block.get_or_insert_with(|| HexDump { address: None, bytes: Vec::new(), line: line_no });
            append_row(dump, offset, bytes, line_no)?;
        } else if line.starts_with([' ', '\t']) && block.as_ref().is_some_and(|dump| dump.bytes.is_empty()) {
            // A detail line of `lspci -v -xxx` (Subsystem, Flags, Capabilities …), which
            // comes between the device line and its rows.
        } else {
            return Err(HexDumpError {
                line: line_no,
                message: "expected a hex row (`00: de 10 …`) or an lspci device line".to_owned(),
            });
        }
    }
    finish_block(&mut block, &mut dumps);
    Ok(dumps)
}

/// Keeps a finished block; a device line without rows (plain `lspci` output) gives
/// no dump.
fn finish_block(block: &mut Option<HexDump>, dumps: &mut Vec<HexDump>) {
    if let Some(dump) = block.take().filter(|dump| !dump.bytes.is_empty()) {
        dumps.push(dump);
    }
}

/// The slot at the start of an lspci device line: `bb:dd.f` or `dddd:bb:dd.f`
/// followed by a blank or the end of the line.
fn device_line_address(line: &str) -> Option<&str> {
    let slot = line.split([' ', '\t']).next()?;
    let (rest, function) = slot.rsplit_once('.')?;
    let mut parts = rest.split(':').rev();
    let device = parts.next()?;
    let bus = parts.next()?;
    let domain = parts.next();
    let is_hex = |part: &str, min: usize, max: usize| {
        (min..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit())
    };
    let valid = parts.next().is_none()
        && domain.into_iter().all(|domain| is_hex(domain, 4, 8))
        && is_hex(bus, 2, 2)
        && is_hex(device, 2, 2)
        && matches!(function.as_bytes(), [b'0'..=b'7']);
    valid.then_some(slot)
}

/// `OFF: rest` where OFF is hex; `None` when the line does not look like a row at all.
fn split_row(line: &str) -> Option<(&str, &str)> {
    let (offset, bytes) = line.split_once(':')?;
    let looks_like_row = !offset.is_empty()
        && offset.bytes().all(|b| b.is_ascii_hexdigit())
        && (bytes.is_empty() || bytes.starts_with(' '));
    looks_like_row.then_some((offset, bytes))
}

fn append_row(dump: &mut HexDump, offset: &str, bytes: &str, line: u64) -> Result<(), HexDumpError> {
    let error = |message: String| HexDumpError { line, message };
    let expected = dump.bytes.len();
    let offset_value =
        usize::from_str_radix(offset, 16).map_err(|_| error(format!("offset `{offset}` is too large")))?;
    let column = expected % ROW_LEN;
    if column != 0 {
        return Err(error(format!(
            "row at offset {offset_value:#x} follows a short row; only the last row may have fewer than {ROW_LEN} bytes"
        )));
    }
    if offset_value != expected {
        return Err(error(format!("expected offset {expected:#x}, found {offset_value:#x}")));
    }
    let mut count = 0;
    for token in bytes.split(' ').skip(1) {
        if count == ROW_LEN {
            return Err(error(format!("more than {ROW_LEN} bytes in one row")));
        }
        let byte = parse_hex_byte(token).ok_or_else(|| error(format!("`{token}` is not a hex byte")))?;
        dump.bytes.push(byte);
        count += 1;
    }
    if count == 0 {
        return Err(error(format!("row at offset {offset_value:#x} has no bytes")));
    }
    Ok(())
}

/// Exactly two hex digits.
fn parse_hex_byte(token: &str) -> Option<u8> {
    if token.len() != 2 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(token, 16).ok()
}

/// Writes `bytes` as rows of 16 (`00: de 10 …`), the exact layout lspci uses
/// (offsets as two hex digits below 0x100, three above). No header line.
pub fn write_hexdump(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3 + bytes.len() / ROW_LEN * 5 + 5);
    for (row, chunk) in bytes.chunks(ROW_LEN).enumerate() {
        // `{:02x}` widens to three digits by itself from 0x100 on, as lspci's `%02x` does.
        let _ = write!(text, "{:02x}:", row * ROW_LEN);
        for byte in chunk {
            let _ = write!(text, " {byte:02x}");
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first two rows from the module example (a GTX 1080, domain.md 3.3 layout).
    const GP104_DUMP: &str = "\
01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1)
00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00
10: 00 00 00 de 0c 00 00 c0 00 00 00 00 0c 00 00 d0
";

    fn err_line(text: &str) -> u64 {
        match parse_hexdump(text) {
            Err(error) => error.line,
            Ok(dumps) => panic!("expected an error, got {dumps:?}"),
        }
    }

    #[test]
    fn parses_an_lspci_x_block() {
        let dumps = parse_hexdump(GP104_DUMP).expect("valid dump");
        assert_eq!(dumps.len(), 1);
        let dump = &dumps[0];
        assert_eq!(dump.address.as_deref(), Some("01:00.0"));
        assert_eq!(dump.line, 1);
        assert_eq!(dump.bytes.len(), 32);
        assert_eq!(&dump.bytes[..4], &[0xde, 0x10, 0x80, 0x1b]);
        assert_eq!(dump.bytes[0x0e], 0x80);
        assert_eq!(dump.bytes[0x1f], 0xd0);
    }

    #[test]
    fn parses_several_devices_with_and_without_domain() {
        let text = "\
0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)
00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00

01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
00: de 10 f0 10 06 04 10 00 a1 00 03 04 00 00 80 00
";
        let dumps = parse_hexdump(text).expect("valid dump");
        assert_eq!(dumps.len(), 2);
        assert_eq!(dumps[0].address.as_deref(), Some("0000:01:00.0"));
        assert_eq!(dumps[1].address.as_deref(), Some("01:00.1"));
        assert_eq!(dumps[1].line, 4);
        assert_eq!(&dumps[1].bytes[..4], &[0xde, 0x10, 0xf0, 0x10]);
    }

    #[test]
    fn a_new_header_ends_a_block_without_a_blank_line() {
        let text = "01:00.0 VGA compatible controller: NVIDIA Corporation Device 1b80\n\
                    00: de 10 80 1b\n\
                    01:00.1 Audio device: NVIDIA Corporation Device 10f0\n\
                    00: de 10 f0 10\n";
        let dumps = parse_hexdump(text).expect("valid dump");
        assert_eq!(dumps.len(), 2);
        assert_eq!(dumps[1].bytes, [0xde, 0x10, 0xf0, 0x10]);
    }

    #[test]
    fn rows_without_a_header_and_blank_line_separated_blocks() {
        let text = "00: de 10 80 1b\n\n00: 86 80 00 00\n";
        let dumps = parse_hexdump(text).expect("valid dump");
        assert_eq!(dumps.len(), 2);
        assert_eq!(dumps[0].address, None);
        assert_eq!(dumps[0].line, 1);
        assert_eq!(dumps[1].line, 3);
        assert_eq!(dumps[1].bytes, [0x86, 0x80, 0x00, 0x00]);
    }

    #[test]
    fn accepts_crlf_trailing_blanks_and_uppercase_hex() {
        let text = "01:00.0 VGA compatible controller: NVIDIA Corporation Device 1b80 \r\n\
                    00: DE 10 80 1B 07 04 10 00 A1 00 00 03 00 00 80 00  \r\n\
                    10: 00 00 00 de\t\r\n";
        let dumps = parse_hexdump(text).expect("valid dump");
        assert_eq!(dumps[0].bytes.len(), 20);
        assert_eq!(dumps[0].bytes[0], 0xde);
    }

    #[test]
    fn skips_lspci_v_detail_lines_before_the_rows() {
        let text = "\
01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1080] (rev a1) (prog-if 00 [VGA controller])
\tSubsystem: ASUSTeK Computer Inc. GP104 [GeForce GTX 1080]
\tFlags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 1
00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00
";
        let dumps = parse_hexdump(text).expect("valid dump");
        assert_eq!(dumps[0].bytes.len(), 16);
        assert_eq!(dumps[0].line, 1);
    }

    #[test]
    fn a_device_line_without_rows_gives_no_dump() {
        let text = "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)\n";
        assert_eq!(parse_hexdump(text), Ok(Vec::new()));
        assert_eq!(parse_hexdump(""), Ok(Vec::new()));
    }

    #[test]
    fn three_digit_offsets_from_0x100() {
        let bytes: Vec<u8> = (0..0x120).map(|i| i as u8).collect();
        let text = write_hexdump(&bytes);
        assert!(text.contains("\nf0: f0 f1"));
        assert!(text.contains("\n100: 00 01 02"));
        assert!(text.contains("\n110: 10 11"));
        assert_eq!(parse_hexdump(&text).expect("valid dump")[0].bytes, bytes);
    }

    #[test]
    fn write_matches_lspci_layout_exactly() {
        let bytes = [
            0xde, 0x10, 0x80, 0x1b, 0x07, 0x04, 0x10, 0x00, 0xa1, 0x00, 0x00, 0x03, 0x00, 0x00, 0x80, 0x00,
            0x00, 0x00,
        ];
        assert_eq!(write_hexdump(&bytes), "00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00\n10: 00 00\n");
        assert_eq!(write_hexdump(&[]), "");
    }

    #[test]
    fn round_trips_64_256_and_4096_bytes() {
        for len in [64usize, 256, 4096] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let text = write_hexdump(&bytes);
            assert_eq!(text.lines().count(), len / 16);
            let dumps = parse_hexdump(&text).expect("round trip");
            assert_eq!(dumps.len(), 1);
            assert_eq!(dumps[0].bytes, bytes, "{len} bytes");
            assert_eq!(dumps[0].line, 1);
        }
    }

    #[test]
    fn rejects_gaps_and_out_of_order_offsets() {
        assert_eq!(err_line("00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00\n20: 00\n"), 2);
        assert_eq!(err_line("10: de 10\n"), 1);
        let text = "00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00\n\
                    10: 00 00 00 de 0c 00 00 c0 00 00 00 00 0c 00 00 d0\n\
                    10: 00 00 00 de 0c 00 00 c0 00 00 00 00 0c 00 00 d0\n";
        assert_eq!(err_line(text), 3);
    }

    #[test]
    fn rejects_a_row_after_a_short_row() {
        let error = parse_hexdump("00: de 10 80\n10: 00\n").expect_err("short row then more");
        assert_eq!(error.line, 2);
        assert!(error.message.contains("short row"), "{error}");
    }

    #[test]
    fn rejects_malformed_rows() {
        let cases = [
            ("00: de 10 8g 1b\n", "`8g` is not a hex byte"),
            ("00: de 10 800 1b\n", "`800` is not a hex byte"),
            ("00: de  10\n", "`` is not a hex byte"),
            ("00:\n", "has no bytes"),
            ("00: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", "more than 16 bytes"),
            ("this is not a dump\n", "expected a hex row"),
            ("00:de 10\n", "expected a hex row"),
        ];
        for (text, message) in cases {
            let error = parse_hexdump(text).expect_err(text);
            assert_eq!(error.line, 1, "{text}");
            assert!(error.to_string().contains(message), "{text}: {error}");
            assert!(error.to_string().starts_with("line 1: "), "{error}");
        }
    }

    #[test]
    fn rejects_detail_lines_between_rows() {
        let text = "01:00.0 VGA compatible controller: NVIDIA Corporation Device 1b80\n\
                    00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00\n\
                    \tKernel driver in use: vfio-pci\n";
        assert_eq!(err_line(text), 3);
    }

    #[test]
    fn never_panics_on_garbage() {
        let samples = [
            "ffffffffffffffffffffffff: 00\n",
            "0000:01:00.8 not a slot\n",
            ":\n: :\n",
            "\u{feff}00: de\n",
            "01:00.0\n00: zz\n",
            "00: é0\n",
        ];
        for text in samples {
            let _ = parse_hexdump(text);
        }
        assert_eq!(err_line("ffffffffffffffffffffffff: 00\n"), 1);
    }
}
