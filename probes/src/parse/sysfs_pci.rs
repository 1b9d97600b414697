//! Small sysfs PCI attribute formats (domain.md 3.2).

use engine::facts::Bar;

/// `"0x%04x\n"`-style hex attributes (`vendor`, `device`, `class`, `revision`).
pub fn parse_hex_attr(text: &str) -> Option<u32> {
    let _ = text;
    None
}

/// The `resource` file: one `start end flags` line per resource; index 6 is the ROM;
/// all-zero lines (unused) are left out.
pub fn parse_resource(text: &str) -> Vec<Bar> {
    let _ = text;
    Vec::new()
}

/// Normalises an address to `dddd:bb:dd.f` lowercase, accepting the short `bb:dd.f`.
pub fn normalize_address(address: &str) -> Option<String> {
    let _ = address;
    None
}
