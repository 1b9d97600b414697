//! PCI configuration space, parsed natively (domain.md 3.3–3.6): header, the standard
//! capability list (PM, MSI, PCIe, MSI-X, AF) and the extended list (ACS, Resizable BAR…).
//!
//! Pure: the bytes of a sysfs `config` file (or a hex dump of one) go in, and nothing here
//! may trust them. Every read is bounds-checked, both capability walks are guarded
//! against loops, and anything odd is reported in [`ConfigSpace::problems`] instead of
//! stopping the decode. Register layouts and masks follow `linux:
//! include/uapi/linux/pci_regs.h` and `pciutils: lib/header.h`; capability names are
//! the words `lspci -vv` prints (`pciutils: ls-caps.c`, `ls-ecaps.c`), so a finding can
//! quote either source and mean the same thing.

use engine::facts::{
    Acs, Capability, ConfigSpace, Express, Msi, MsiX, PowerManagement, Provenance, ResizableBar,
};

/// What an unprivileged read of `config` returns (`linux: drivers/pci/pci-sysfs.c`).
const HEADER_LEN: usize = 64;
/// Conventional config space; standard capabilities live below this.
const CONVENTIONAL_LEN: usize = 256;
/// PCIe extended config space.
const EXTENDED_LEN: usize = 4096;

const COMMAND: usize = 0x04;
const STATUS: usize = 0x06;
const HEADER_TYPE: usize = 0x0e;
const CAPABILITY_LIST: usize = 0x34;
/// CardBus bridges (header type 2) keep the pointer here (`PCI_CB_CAPABILITY_LIST`).
const CARDBUS_CAPABILITY_LIST: usize = 0x14;
const HEADER_TYPE_CARDBUS: u8 = 2;
const STATUS_CAP_LIST: u16 = 0x10;

/// The kernel's `PCI_FIND_CAP_TTL`: at most 48 standard capabilities, one per dword
/// from 0x40 to 0xfc.
const FIND_CAP_TTL: usize = 48;
/// The kernel's extended walk bound: the smallest extended capability is 8 bytes
/// (`linux: drivers/pci/pci.c`, `pci_find_next_ext_capability`).
const EXT_CAP_TTL: usize = (EXTENDED_LEN - CONVENTIONAL_LEN) / 8;

pub(crate) const CAP_ID_PM: u16 = 0x01;
pub(crate) const CAP_ID_MSI: u16 = 0x05;
pub(crate) const CAP_ID_EXP: u16 = 0x10;
pub(crate) const CAP_ID_MSIX: u16 = 0x11;
pub(crate) const CAP_ID_AF: u16 = 0x13;
pub(crate) const EXT_CAP_ID_ACS: u16 = 0x0d;
pub(crate) const EXT_CAP_ID_REBAR: u16 = 0x15;

/// Standard capability names as `lspci -vv` starts the `Capabilities: [xx]` line
/// (`pciutils: ls-caps.c`, `show_caps`).
pub(crate) const STANDARD_CAPABILITY_NAMES: &[(u16, &str)] = &[
    (0x01, "Power Management"),
    (0x02, "AGP"),
    (0x03, "Vital Product Data"),
    (0x04, "Slot ID"),
    (0x05, "MSI"),
    (0x06, "CompactPCI hot-swap"),
    (0x07, "PCI-X"),
    (0x08, "HyperTransport"),
    (0x09, "Vendor Specific Information"),
    (0x0a, "Debug port"),
    (0x0b, "CompactPCI central resource control"),
    (0x0c, "Hot-plug capable"),
    (0x0d, "Subsystem"),
    (0x0e, "AGP3"),
    (0x0f, "Secure device"),
    (0x10, "Express"),
    (0x11, "MSI-X"),
    (0x12, "SATA HBA"),
    (0x13, "PCI Advanced Features"),
    (0x14, "Enhanced Allocation (EA)"),
];

/// Extended capability names as current `lspci -vv` prints them (`pciutils:
/// ls-ecaps.c`, `show_ext_caps`). Older pciutils said `Resizable BAR` and
/// `VF Resizable BAR`; the lspci parser accepts those too.
pub(crate) const EXTENDED_CAPABILITY_NAMES: &[(u16, &str)] = &[
    (0x00, "Null"),
    (0x01, "Advanced Error Reporting"),
    (0x02, "Virtual Channel"),
    (0x03, "Device Serial Number"),
    (0x04, "Power Budgeting"),
    (0x05, "Root Complex Link"),
    (0x06, "Root Complex Internal Link"),
    (0x07, "Root Complex Event Collector"),
    (0x08, "Multi-Function Virtual Channel"),
    (0x09, "Virtual Channel"),
    (0x0a, "Root Complex Register Block"),
    (0x0b, "Vendor Specific Information"),
    (0x0d, "Access Control Services"),
    (0x0e, "Alternative Routing-ID Interpretation (ARI)"),
    (0x0f, "Address Translation Service (ATS)"),
    (0x10, "Single Root I/O Virtualization (SR-IOV)"),
    (0x11, "Multi-Root I/O Virtualization"),
    (0x12, "Multicast"),
    (0x13, "Page Request Interface (PRI)"),
    (0x15, "Physical Resizable BAR"),
    (0x16, "Dynamic Power Allocation"),
    (0x17, "Transaction Processing Hints"),
    (0x18, "Latency Tolerance Reporting"),
    (0x19, "Secondary PCI Express"),
    (0x1a, "Protocol Multiplexing"),
    (0x1b, "Process Address Space ID (PASID)"),
    (0x1c, "LN Requester"),
    (0x1d, "Downstream Port Containment"),
    (0x1e, "L1 PM Substates"),
    (0x1f, "Precision Time Measurement"),
    (0x20, "PCI Express over M_PHY"),
    (0x21, "FRS Queueing"),
    (0x22, "Readiness Time Reporting"),
    (0x23, "Designated Vendor-Specific"),
    (0x24, "Virtual Resizable BAR"),
    (0x25, "Data Link Feature"),
    (0x26, "Physical Layer 16.0 GT/s"),
    (0x27, "Lane Margining at the Receiver"),
    (0x28, "Hierarchy ID"),
    (0x29, "Native PCIe Enclosure Management"),
    (0x2a, "Physical Layer 32.0 GT/s"),
    (0x2e, "Data Object Exchange"),
    (0x2f, "Device 3"),
    (0x30, "Integrity & Data Encryption"),
    (0x31, "Physical Layer 64.0 GT/s"),
];

/// The lspci name of a standard capability; unknown IDs read `#xx` as lspci prints them.
pub(crate) fn standard_capability_name(id: u16) -> String {
    lookup_name(STANDARD_CAPABILITY_NAMES, id).map_or_else(|| format!("#{id:02x}"), str::to_owned)
}

/// The lspci name of an extended capability; unknown IDs read as lspci's default case.
pub(crate) fn extended_capability_name(id: u16) -> String {
    lookup_name(EXTENDED_CAPABILITY_NAMES, id)
        .map_or_else(|| format!("Extended Capability ID {id:#02x}"), str::to_owned)
}

fn lookup_name(table: &[(u16, &'static str)], id: u16) -> Option<&'static str> {
    table.iter().find(|(known, _)| *known == id).map(|(_, name)| *name)
}

/// `PCI_EXP_FLAGS_TYPE` values to the names `Express::port_type` documents.
pub(crate) fn express_port_type(code: u16) -> String {
    let name = match code {
        0x0 => "endpoint",
        0x1 => "legacy-endpoint",
        0x4 => "root-port",
        0x5 => "upstream-port",
        0x6 => "downstream-port",
        0x7 => "pcie-to-pci-bridge",
        0x8 => "pci-to-pcie-bridge",
        0x9 => "rc-integrated-endpoint",
        0xa => "rc-event-collector",
        other => return format!("unknown-{other}"),
    };
    name.to_owned()
}

/// Root-complex integrated endpoints and event collectors have no link, so their
/// link registers mean nothing (`pciutils: ls-caps.c`, `cap_express`).
fn port_type_has_link(code: u16) -> bool {
    !matches!(code, 0x9 | 0xa)
}

/// LinkSta/LinkCap speed codes, spelt as lspci prints them.
pub(crate) fn link_speed_name(code: u16) -> Option<&'static str> {
    match code {
        1 => Some("2.5GT/s"),
        2 => Some("5GT/s"),
        3 => Some("8GT/s"),
        4 => Some("16GT/s"),
        5 => Some("32GT/s"),
        6 => Some("64GT/s"),
        _ => None,
    }
}

/// PMCSR bits 1:0.
pub(crate) fn power_state_name(code: u16) -> &'static str {
    match code & 0x3 {
        0 => "D0",
        1 => "D1",
        2 => "D2",
        _ => "D3hot",
    }
}

/// Decodes whatever bytes could be read. 64 bytes (an unprivileged read) give the header
/// only: `capabilities` stays `None` ("needs root"), not empty. Never panics: truncated
/// data, pointers out of range and looped chains are recorded in `problems`. Returns
/// `None` only when fewer than 64 bytes are given or every byte is 0xff (device gone).
///
/// When a walk finishes cleanly, the absence of a capability is a fact: `af_flr` is
/// then `Some(false)` without an AF capability, and `resizable_bars` is `Some(empty)`
/// without a Resizable BAR capability. After a broken walk they stay `None`.
pub fn parse_config_space(bytes: &[u8], from: Provenance) -> Option<ConfigSpace> {
    if bytes.len() < HEADER_LEN || bytes.iter().all(|&byte| byte == 0xff) {
        return None;
    }
    let config = Config(bytes);
    let header_type_byte = config.u8_at(HEADER_TYPE)?;
    let mut space = ConfigSpace {
        length: bytes.len(),
        header_type: header_type_byte & 0x7f,
        multifunction: header_type_byte & 0x80 != 0,
        command: config.u16_at(COMMAND)?,
        status: config.u16_at(STATUS)?,
        capabilities: None,
        extended_capabilities: None,
        msi: None,
        msix: None,
        power_management: None,
        express: None,
        af_flr: None,
        acs: None,
        resizable_bars: None,
        problems: Vec::new(),
        from,
    };
    if bytes.len() > HEADER_LEN {
        let standard = Config(&bytes[..bytes.len().min(CONVENTIONAL_LEN)]);
        decode_standard(&mut space, standard);
    }
    if bytes.len() >= EXTENDED_LEN {
        decode_extended(&mut space, Config(&bytes[..EXTENDED_LEN]));
    }
    Some(space)
}

/// Little-endian, bounds-checked reads.
#[derive(Clone, Copy)]
struct Config<'a>(&'a [u8]);

impl Config<'_> {
    fn len(self) -> usize {
        self.0.len()
    }

    fn u8_at(self, offset: usize) -> Option<u8> {
        self.0.get(offset).copied()
    }

    fn u16_at(self, offset: usize) -> Option<u16> {
        let bytes = self.0.get(offset..offset.checked_add(2)?)?;
        Some(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn u32_at(self, offset: usize) -> Option<u32> {
        let bytes = self.0.get(offset..offset.checked_add(4)?)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

/// A capability list and whether it was walked to its end without trouble.
struct Walk {
    capabilities: Vec<Capability>,
    complete: bool,
}

fn decode_standard(space: &mut ConfigSpace, config: Config) {
    let walk = walk_standard(config, space.status, space.header_type, &mut space.problems);
    for capability in first_of_each_id(&walk.capabilities) {
        let offset = usize::from(capability.offset);
        let decoded = match capability.id {
            CAP_ID_PM => decode_pm(config, offset).map(|pm| space.power_management = Some(pm)),
            CAP_ID_MSI => decode_msi(config, offset).map(|msi| space.msi = Some(msi)),
            CAP_ID_MSIX => decode_msix(config, offset).map(|msix| space.msix = Some(msix)),
            CAP_ID_EXP => decode_express(config, offset, &mut space.problems)
                .map(|express| space.express = Some(express)),
            CAP_ID_AF => decode_af_flr(config, offset).map(|flr| space.af_flr = Some(flr)),
            _ => Some(()),
        };
        if decoded.is_none() {
            space.problems.push(truncated(capability));
        }
    }
    if space.af_flr.is_none() && walk.complete && !walk.capabilities.iter().any(|c| c.id == CAP_ID_AF) {
        space.af_flr = Some(false);
    }
    space.capabilities = Some(walk.capabilities);
}

/// The kernel's `pci_find_capability` answers with the first match, so later
/// duplicates are listed but not decoded.
fn first_of_each_id(capabilities: &[Capability]) -> impl Iterator<Item = &Capability> {
    capabilities
        .iter()
        .enumerate()
        .filter(|(index, capability)| {
            !capabilities[..*index].iter().any(|earlier| earlier.id == capability.id)
        })
        .map(|(_, capability)| capability)
}

fn truncated(capability: &Capability) -> String {
    format!("{} capability at {:#x} is truncated", capability.name, capability.offset)
}

/// domain.md 3.4: follow `next` pointers from 0x34 (0x14 on CardBus), each masked with
/// `& !3`, while they stay at 0x40 or above. A table of visited offsets, like pciutils'
/// `been_there[]`, names a loop; together with the 0x40 floor it bounds the walk to
/// `FIND_CAP_TTL` entries, as the kernel's TTL does.
fn walk_standard(config: Config, status: u16, header_type: u8, problems: &mut Vec<String>) -> Walk {
    let mut walk = Walk { capabilities: Vec::new(), complete: true };
    if status & STATUS_CAP_LIST == 0 {
        return walk;
    }
    let pointer = if header_type == HEADER_TYPE_CARDBUS { CARDBUS_CAPABILITY_LIST } else { CAPABILITY_LIST };
    let mut position = usize::from(config.u8_at(pointer).unwrap_or(0) & 0xfc);
    let mut visited = [false; CONVENTIONAL_LEN];
    while position != 0 {
        let problem = if position < HEADER_LEN {
            Some(format!("capability pointer {position:#x} points into the config header"))
        } else if position + 2 > config.len() {
            Some(format!("capability pointer {position:#x} is beyond the {} bytes read", config.len()))
        } else if visited[position] {
            Some(format!("capability chain looped at {position:#x}"))
        } else if config.u8_at(position) == Some(0xff) {
            Some(format!("capability chain broken at {position:#x} (ID 0xff)"))
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(problem);
            walk.complete = false;
            break;
        }
        visited[position] = true;
        let id = u16::from(config.u8_at(position).unwrap_or(0));
        walk.capabilities.push(Capability {
            id,
            offset: position as u16,
            version: standard_capability_version(config, position, id),
            name: standard_capability_name(id),
        });
        position = usize::from(config.u8_at(position + 1).unwrap_or(0) & 0xfc);
    }
    debug_assert!(walk.capabilities.len() <= FIND_CAP_TTL);
    walk
}

/// The version lspci prints in the capability line: `Power Management version 3`,
/// `Express (v2)`.
fn standard_capability_version(config: Config, position: usize, id: u16) -> Option<u8> {
    let flags = config.u16_at(position + 2)?;
    match id {
        CAP_ID_PM => Some((flags & 0x7) as u8),
        CAP_ID_EXP => Some((flags & 0xf) as u8),
        _ => None,
    }
}

/// +2 PMC (bits 2:0 version), +4 PMCSR (bits 1:0 state, bit 3 No_Soft_Reset).
fn decode_pm(config: Config, offset: usize) -> Option<PowerManagement> {
    let capabilities = config.u16_at(offset + 2)?;
    let control = config.u16_at(offset + 4)?;
    Some(PowerManagement {
        offset: offset as u16,
        version: (capabilities & 0x7) as u8,
        state: power_state_name(control).to_owned(),
        no_soft_reset: control & 0x0008 != 0,
    })
}

/// +2 Message Control, with the masks of domain.md 3.6.
fn decode_msi(config: Config, offset: usize) -> Option<Msi> {
    let flags = config.u16_at(offset + 2)?;
    Some(Msi {
        offset: offset as u16,
        enabled: flags & 0x0001 != 0,
        count_enabled: 1 << ((flags & 0x0070) >> 4),
        count_capable: 1 << ((flags & 0x000e) >> 1),
        is_64bit: flags & 0x0080 != 0,
        maskable: flags & 0x0100 != 0,
    })
}

fn decode_msix(config: Config, offset: usize) -> Option<MsiX> {
    let flags = config.u16_at(offset + 2)?;
    Some(MsiX {
        offset: offset as u16,
        enabled: flags & 0x8000 != 0,
        masked: flags & 0x4000 != 0,
        table_size: u32::from(flags & 0x07ff) + 1,
    })
}

/// +2 flags (version, port type), +4 DevCap (bit 28 FLR), +0x12 LinkSta (bits 3:0
/// speed, 9:4 width). A structure cut after DevCap still gives the FLR answer; the
/// missing link status is reported.
fn decode_express(config: Config, offset: usize, problems: &mut Vec<String>) -> Option<Express> {
    let flags = config.u16_at(offset + 2)?;
    let device_capabilities = config.u32_at(offset + 4)?;
    let port_type_code = (flags & 0x00f0) >> 4;
    let link_status = if port_type_has_link(port_type_code) {
        let status = config.u16_at(offset + 0x12);
        if status.is_none() {
            problems.push(format!("Express capability at {offset:#x} is truncated before LinkSta"));
        }
        status
    } else {
        None
    };
    Some(Express {
        offset: offset as u16,
        version: (flags & 0x000f) as u8,
        port_type: express_port_type(port_type_code),
        flr: device_capabilities & 0x1000_0000 != 0,
        link_speed: link_status.and_then(|status| link_speed_name(status & 0x000f)).map(str::to_owned),
        link_width: link_status.map(|status| ((status & 0x03f0) >> 4) as u8),
    })
}

/// +3 AF capabilities, bit 1 FLR (`PCI_AF_CAP_FLR`).
fn decode_af_flr(config: Config, offset: usize) -> Option<bool> {
    Some(config.u8_at(offset + 3)? & 0x02 != 0)
}

fn decode_extended(space: &mut ConfigSpace, config: Config) {
    let walk = walk_extended(config, &mut space.problems);
    for capability in first_of_each_id(&walk.capabilities) {
        let offset = usize::from(capability.offset);
        let decoded = match capability.id {
            EXT_CAP_ID_ACS => decode_acs(config, offset).map(|acs| space.acs = Some(acs)),
            EXT_CAP_ID_REBAR => {
                space.resizable_bars = decode_resizable_bars(config, offset, &mut space.problems);
                Some(())
            }
            _ => Some(()),
        };
        if decoded.is_none() {
            space.problems.push(truncated(capability));
        }
    }
    let has_rebar = walk.capabilities.iter().any(|c| c.id == EXT_CAP_ID_REBAR);
    if walk.complete && !has_rebar {
        space.resizable_bars = Some(Vec::new());
    }
    space.extended_capabilities = Some(walk.capabilities);
}

/// domain.md 3.5: headers from 0x100, `next` in bits 31:20 (`& 0xffc`); a header of 0
/// or all ones ends the list (0 at 0x100 means there are none).
fn walk_extended(config: Config, problems: &mut Vec<String>) -> Walk {
    let mut walk = Walk { capabilities: Vec::new(), complete: true };
    let mut visited = [false; EXTENDED_LEN / 4];
    let mut position = CONVENTIONAL_LEN;
    for _ in 0..EXT_CAP_TTL {
        let Some(header) = config.u32_at(position) else {
            problems.push(format!(
                "extended capability pointer {position:#x} is beyond the {} bytes read",
                config.len()
            ));
            walk.complete = false;
            return walk;
        };
        if header == 0 || header == 0xffff_ffff {
            return walk;
        }
        if visited[position / 4] {
            problems.push(format!("extended capability chain looped at {position:#x}"));
            walk.complete = false;
            return walk;
        }
        visited[position / 4] = true;
        let id = (header & 0xffff) as u16;
        walk.capabilities.push(Capability {
            id,
            offset: position as u16,
            version: Some(((header >> 16) & 0xf) as u8),
            name: extended_capability_name(id),
        });
        let next = ((header >> 20) & 0xffc) as usize;
        if next == 0 {
            return walk;
        }
        if next < CONVENTIONAL_LEN {
            problems.push(format!("extended capability pointer {next:#x} points below 0x100"));
            walk.complete = false;
            return walk;
        }
        position = next;
    }
    problems.push(format!("extended capability chain longer than {EXT_CAP_TTL} entries"));
    walk.complete = false;
    walk
}

/// +4 ACS Capability, +6 ACS Control (`PCI_ACS_CAP`, `PCI_ACS_CTRL`).
fn decode_acs(config: Config, offset: usize) -> Option<Acs> {
    Some(Acs {
        offset: offset as u16,
        capability: config.u16_at(offset + 4)?,
        control: config.u16_at(offset + 6)?,
    })
}

/// Entries every 8 bytes from +4: a capability dword (bit n+4 = 2^n MiB supported) and
/// a control dword (bits 2:0 BAR, 13:8 current size as 2^n MiB, 31:16 sizes from
/// 2^28 MiB up). The first control dword's bits 7:5 count the entries; pciutils
/// rejects counts outside 1..=6 (`ls-ecaps.c`, `cap_rebar`), and so do we.
fn decode_resizable_bars(
    config: Config,
    offset: usize,
    problems: &mut Vec<String>,
) -> Option<Vec<ResizableBar>> {
    let Some(first_control) = config.u32_at(offset + 8) else {
        problems.push(format!("Physical Resizable BAR capability at {offset:#x} is truncated"));
        return None;
    };
    let count = ((first_control >> 5) & 0x7) as usize;
    if !(1..=6).contains(&count) {
        problems.push(format!("Physical Resizable BAR capability at {offset:#x} reports {count} BARs"));
        return None;
    }
    let mut bars = Vec::with_capacity(count);
    for entry in 0..count {
        let base = offset + 4 + entry * 8;
        let (Some(capability), Some(control)) = (config.u32_at(base), config.u32_at(base + 4)) else {
            problems.push(format!("Physical Resizable BAR capability at {offset:#x} is truncated"));
            return None;
        };
        bars.push(resizable_bar(capability, control));
    }
    Some(bars)
}

fn resizable_bar(capability: u32, control: u32) -> ResizableBar {
    let sizes = (0..28u32)
        .filter(|n| capability & (1 << (n + 4)) != 0)
        .chain((0..16u32).filter(|n| control & (1 << (n + 16)) != 0).map(|n| n + 28))
        .map(|log2| 1u64 << log2)
        .collect();
    ResizableBar {
        bar: (control & 0x7) as u8,
        current_mb: 1u64 << ((control >> 8) & 0x3f),
        supported_mb: sizes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds config space one register at a time, little-endian as the hardware
    /// stores it.
    struct Builder(Vec<u8>);

    impl Builder {
        fn new(len: usize) -> Self {
            Self(vec![0; len])
        }
        fn u8(mut self, offset: usize, value: u8) -> Self {
            self.0[offset] = value;
            self
        }
        fn u16(mut self, offset: usize, value: u16) -> Self {
            self.0[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
            self
        }
        fn u32(mut self, offset: usize, value: u32) -> Self {
            self.0[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
            self
        }
        /// A standard capability header: ID, next pointer, flags.
        fn cap(self, offset: usize, id: u8, next: u8, flags: u16) -> Self {
            self.u8(offset, id).u8(offset + 1, next).u16(offset + 2, flags)
        }
        /// An extended capability header: ID, version, next pointer.
        fn ext_cap(self, offset: usize, id: u16, version: u32, next: u32) -> Self {
            self.u32(offset, u32::from(id) | (version << 16) | (next << 20))
        }
        fn bytes(self) -> Vec<u8> {
            self.0
        }
    }

    /// The type-0 header of a GTX 1080 (GP104, `10de:1b80`): the first row of its
    /// `lspci -xxx` dump is `00: de 10 80 1b 07 04 10 00 a1 00 00 03 00 00 80 00`.
    fn gp104_header(len: usize) -> Builder {
        Builder::new(len)
            .u16(0x00, 0x10de)
            .u16(0x02, 0x1b80)
            .u16(0x04, 0x0407) // I/O+ Mem+ BusMaster+ DisINTx+
            .u16(0x06, 0x0010) // Cap+
            .u8(0x08, 0xa1)
            .u8(0x0b, 0x03) // class 030000
            .u8(0x0e, 0x80) // type 0, multi-function
            .u32(0x10, 0xde00_0000)
            .u32(0x14, 0xc000_000c)
            .u32(0x1c, 0xd000_000c)
            .u32(0x24, 0x0000_e001)
            .u16(0x2c, 0x1043)
            .u16(0x2e, 0x85aa)
            .u8(0x34, 0x60)
            .u8(0x3c, 0x10)
            .u8(0x3d, 0x01)
    }

    /// The GP104 VGA function as `lspci -vvv` shows it: PM at 0x60, MSI at 0x68,
    /// Express (v2) Legacy Endpoint at 0x78, then Virtual Channel, LTR, Power Budgeting,
    /// AER, a vendor capability and Secondary PCI Express in extended space.
    fn gp104_vga() -> Vec<u8> {
        gp104_header(EXTENDED_LEN)
            .cap(0x60, 0x01, 0x68, 0x0003) // PM version 3
            .u16(0x64, 0x0008) // D0 NoSoftRst+
            .cap(0x68, 0x05, 0x78, 0x0081) // MSI Enable+ Count=1/1 Maskable- 64bit+
            .cap(0x78, 0x10, 0x00, 0x0012) // Express v2, legacy endpoint
            .u32(0x7c, 0x0000_8fa1) // DevCap: FLReset- (bit 28 clear)
            .u16(0x8a, 0x1083) // LnkSta: 8GT/s x8
            .ext_cap(0x100, 0x0002, 1, 0x250)
            .ext_cap(0x250, 0x0018, 1, 0x128)
            .ext_cap(0x128, 0x0004, 1, 0x420)
            .ext_cap(0x420, 0x0001, 2, 0x600)
            .ext_cap(0x600, 0x000b, 1, 0x900)
            .ext_cap(0x900, 0x0019, 1, 0x000)
            .bytes()
    }

    /// The HDMI audio function of the same card (`10de:10f0`, class 0x0403) while its
    /// VM is stopped: MSI is supported but `Enable-` (domain.md 9).
    fn gp104_audio() -> Vec<u8> {
        Builder::new(EXTENDED_LEN)
            .u16(0x00, 0x10de)
            .u16(0x02, 0x10f0)
            .u16(0x04, 0x0006)
            .u16(0x06, 0x0010)
            .u8(0x08, 0xa1)
            .u8(0x0a, 0x03)
            .u8(0x0b, 0x04)
            .u8(0x0e, 0x80)
            .u8(0x34, 0x60)
            .cap(0x60, 0x01, 0x68, 0x0003)
            .u16(0x64, 0x0008)
            .cap(0x68, 0x05, 0x78, 0x0080) // MSI Enable- Count=1/1 Maskable- 64bit+
            .cap(0x78, 0x10, 0x00, 0x0002) // Express v2 endpoint
            .u32(0x7c, 0x0000_8fa1)
            .u16(0x8a, 0x1083)
            .ext_cap(0x100, 0x0001, 2, 0x000)
            .bytes()
    }

    fn parse(bytes: &[u8]) -> ConfigSpace {
        parse_config_space(bytes, Provenance::file("sys/bus/pci/devices/0000:01:00.0/config"))
            .expect("decodable config space")
    }

    fn names(capabilities: &[Capability]) -> Vec<&str> {
        capabilities.iter().map(|capability| capability.name.as_str()).collect()
    }

    #[test]
    fn decodes_the_gp104_vga_header() {
        let space = parse(&gp104_vga());
        assert_eq!(space.length, 4096);
        assert_eq!(space.header_type, 0);
        assert!(space.multifunction);
        assert_eq!(space.command, 0x0407);
        assert_eq!(space.status, 0x0010);
        assert_eq!(space.from.source, "sys/bus/pci/devices/0000:01:00.0/config");
        assert!(space.problems.is_empty(), "{:?}", space.problems);
    }

    #[test]
    fn walks_the_gp104_standard_capabilities() {
        let space = parse(&gp104_vga());
        let capabilities = space.capabilities.expect("walked");
        assert_eq!(names(&capabilities), ["Power Management", "MSI", "Express"]);
        let offsets: Vec<u16> = capabilities.iter().map(|c| c.offset).collect();
        assert_eq!(offsets, [0x60, 0x68, 0x78]);
        assert_eq!(capabilities[0].version, Some(3));
        assert_eq!(capabilities[1].version, None);
        assert_eq!(capabilities[2].version, Some(2));
    }

    #[test]
    fn decodes_the_gp104_pm_msi_and_express() {
        let space = parse(&gp104_vga());
        assert_eq!(
            space.power_management,
            Some(PowerManagement { offset: 0x60, version: 3, state: "D0".into(), no_soft_reset: true })
        );
        assert_eq!(
            space.msi,
            Some(Msi {
                offset: 0x68,
                enabled: true,
                count_enabled: 1,
                count_capable: 1,
                is_64bit: true,
                maskable: false
            })
        );
        assert_eq!(space.msix, None);
        assert_eq!(
            space.express,
            Some(Express {
                offset: 0x78,
                version: 2,
                port_type: "legacy-endpoint".into(),
                flr: false,
                link_speed: Some("8GT/s".into()),
                link_width: Some(8),
            })
        );
        assert_eq!(space.af_flr, Some(false));
    }

    #[test]
    fn walks_the_gp104_extended_capabilities() {
        let space = parse(&gp104_vga());
        let extended = space.extended_capabilities.expect("4096 bytes read");
        assert_eq!(
            names(&extended),
            [
                "Virtual Channel",
                "Latency Tolerance Reporting",
                "Power Budgeting",
                "Advanced Error Reporting",
                "Vendor Specific Information",
                "Secondary PCI Express",
            ]
        );
        let offsets: Vec<u16> = extended.iter().map(|c| c.offset).collect();
        assert_eq!(offsets, [0x100, 0x250, 0x128, 0x420, 0x600, 0x900]);
        assert_eq!(extended[3].version, Some(2));
        assert_eq!(space.acs, None);
        assert_eq!(space.resizable_bars, Some(Vec::new()));
    }

    #[test]
    fn hdmi_audio_function_with_msi_disabled() {
        let space = parse(&gp104_audio());
        let msi = space.msi.expect("MSI capability");
        assert!(!msi.enabled);
        assert_eq!((msi.count_enabled, msi.count_capable), (1, 1));
        let express = space.express.expect("Express capability");
        assert_eq!(express.port_type, "endpoint");
        assert_eq!(names(&space.extended_capabilities.expect("walked")), ["Advanced Error Reporting"]);
    }

    #[test]
    fn msi_vector_counts_use_both_fields() {
        // Multiple Message Capable = 4 (32 vectors), Multiple Message Enable = 2 (4).
        let bytes = gp104_header(256).cap(0x60, 0x05, 0x00, 0x0020 | 0x0008 | 0x0100 | 0x0001).bytes();
        let msi = parse(&bytes).msi.expect("MSI");
        assert_eq!((msi.count_enabled, msi.count_capable), (4, 16));
        assert!(msi.maskable && msi.enabled && !msi.is_64bit);
    }

    #[test]
    fn msix_and_flr_capable_endpoint() {
        // An RTX-class function: MSI-X with 9 entries enabled and masked, FLReset+.
        let bytes = gp104_header(256)
            .cap(0x60, 0x10, 0xb4, 0x0002)
            .u32(0x64, 0x1000_8fa1)
            .u16(0x72, 0x0101) // LnkSta: 2.5GT/s x16
            .cap(0xb4, 0x11, 0x00, 0x8000 | 0x4000 | 0x0008)
            .bytes();
        let space = parse(&bytes);
        let express = space.express.expect("Express");
        assert!(express.flr);
        assert_eq!(express.link_speed.as_deref(), Some("2.5GT/s"));
        assert_eq!(express.link_width, Some(16));
        assert_eq!(space.msix, Some(MsiX { offset: 0xb4, enabled: true, masked: true, table_size: 9 }));
        assert_eq!(space.extended_capabilities, None);
        assert_eq!(space.resizable_bars, None);
    }

    #[test]
    fn express_port_types_and_links() {
        let cases = [
            (0x0, "endpoint", true),
            (0x1, "legacy-endpoint", true),
            (0x4, "root-port", true),
            (0x5, "upstream-port", true),
            (0x6, "downstream-port", true),
            (0x7, "pcie-to-pci-bridge", true),
            (0x8, "pci-to-pcie-bridge", true),
            (0x9, "rc-integrated-endpoint", false),
            (0xa, "rc-event-collector", false),
            (0xc, "unknown-12", true),
        ];
        for (code, name, has_link) in cases {
            let bytes =
                gp104_header(256).cap(0x60, 0x10, 0x00, 0x0002 | (code << 4)).u16(0x72, 0x0043).bytes();
            let express = parse(&bytes).express.expect("Express");
            assert_eq!(express.port_type, name);
            assert_eq!(express.link_width.is_some(), has_link, "{name}");
            assert_eq!(express.link_speed.is_some(), has_link, "{name}");
        }
    }

    #[test]
    fn link_speed_codes() {
        let speeds =
            [(1, "2.5GT/s"), (2, "5GT/s"), (3, "8GT/s"), (4, "16GT/s"), (5, "32GT/s"), (6, "64GT/s")];
        for (code, name) in speeds {
            let bytes = gp104_header(256).cap(0x60, 0x10, 0x00, 0x0002).u16(0x72, 0x0100 | code).bytes();
            assert_eq!(parse(&bytes).express.and_then(|e| e.link_speed).as_deref(), Some(name));
        }
        let unknown = gp104_header(256).cap(0x60, 0x10, 0x00, 0x0002).u16(0x72, 0x0107).bytes();
        let express = parse(&unknown).express.expect("Express");
        assert_eq!((express.link_speed, express.link_width), (None, Some(16)));
    }

    #[test]
    fn power_states_and_no_soft_reset() {
        for (pmcsr, state, no_soft_reset) in
            [(0x0000, "D0", false), (0x0001, "D1", false), (0x000a, "D2", true), (0x0003, "D3hot", false)]
        {
            let bytes = gp104_header(256).cap(0x60, 0x01, 0x00, 0x0003).u16(0x64, pmcsr).bytes();
            let pm = parse(&bytes).power_management.expect("PM");
            assert_eq!((pm.state.as_str(), pm.no_soft_reset), (state, no_soft_reset));
        }
    }

    #[test]
    fn advanced_features_flr() {
        let with_flr = gp104_header(256).cap(0x60, 0x13, 0x00, 0x0306).bytes();
        let space = parse(&with_flr);
        assert_eq!(names(space.capabilities.as_deref().unwrap_or_default()), ["PCI Advanced Features"]);
        assert_eq!(space.af_flr, Some(true));
        let without_flr = gp104_header(256).cap(0x60, 0x13, 0x00, 0x0106).bytes();
        assert_eq!(parse(&without_flr).af_flr, Some(false));
    }

    #[test]
    fn unprivileged_read_gives_the_header_only() {
        let full = gp104_vga();
        let space = parse(&full[..64]);
        assert_eq!(space.length, 64);
        assert_eq!(space.command, 0x0407);
        assert!(space.multifunction);
        assert_eq!(space.capabilities, None);
        assert_eq!(space.extended_capabilities, None);
        assert_eq!((space.msi, space.express, space.af_flr), (None, None, None));
        assert!(space.problems.is_empty());
    }

    #[test]
    fn conventional_read_has_no_extended_list() {
        let full = gp104_vga();
        let space = parse(&full[..256]);
        assert_eq!(space.capabilities.map(|c| c.len()), Some(3));
        assert_eq!(space.extended_capabilities, None);
        assert_eq!(space.resizable_bars, None);
    }

    #[test]
    fn status_without_capability_list() {
        let bytes = gp104_header(256).u16(0x06, 0x0000).cap(0x60, 0x01, 0x00, 0x0003).bytes();
        let space = parse(&bytes);
        assert_eq!(space.capabilities, Some(Vec::new()));
        assert_eq!(space.power_management, None);
        assert_eq!(space.af_flr, Some(false));
    }

    #[test]
    fn cardbus_bridges_keep_the_pointer_at_0x14() {
        let bytes = gp104_header(256)
            .u8(0x0e, 0x02)
            .u8(0x34, 0x00)
            .u8(0x14, 0x80)
            .cap(0x80, 0x01, 0x00, 0x0002)
            .bytes();
        let space = parse(&bytes);
        assert_eq!(space.header_type, 2);
        assert!(!space.multifunction);
        assert_eq!(names(&space.capabilities.expect("walked")), ["Power Management"]);
    }

    #[test]
    fn partial_read_walks_what_is_there() {
        let full = gp104_vga();
        let space = parse(&full[..0x70]);
        assert_eq!(names(&space.capabilities.expect("walked")), ["Power Management", "MSI"]);
        assert_eq!(space.problems, ["capability pointer 0x78 is beyond the 112 bytes read"]);
        assert_eq!(space.af_flr, None);
        assert!(space.msi.is_some());
    }

    #[test]
    fn truncated_structure_is_reported() {
        let full = gp104_vga();
        // Express header readable, DevCap cut off.
        let space = parse(&full[..0x7e]);
        assert_eq!(space.express, None);
        assert_eq!(space.problems, ["Express capability at 0x78 is truncated"]);
        // DevCap readable, LinkSta cut off.
        let space = parse(&full[..0x82]);
        let express = space.express.expect("FLR known");
        assert_eq!((express.flr, express.link_width), (false, None));
        assert_eq!(space.problems, ["Express capability at 0x78 is truncated before LinkSta"]);
    }

    #[test]
    fn looped_standard_chain() {
        let bytes = gp104_header(256)
            .cap(0x60, 0x01, 0x68, 0x0003)
            .cap(0x68, 0x05, 0x78, 0x0080)
            .cap(0x78, 0x10, 0x60, 0x0002)
            .bytes();
        let space = parse(&bytes);
        assert_eq!(space.capabilities.map(|c| c.len()), Some(3));
        assert_eq!(space.problems, ["capability chain looped at 0x60"]);
        assert_eq!(space.af_flr, None);
    }

    #[test]
    fn self_pointing_capability_and_full_ring() {
        let bytes = gp104_header(256).cap(0x60, 0x01, 0x60, 0x0003).bytes();
        assert_eq!(parse(&bytes).problems, ["capability chain looped at 0x60"]);

        // Every dword from 0x40 to 0xfc is a capability and the last points back.
        let mut ring = gp104_header(256).u8(0x34, 0x40);
        for position in (0x40..0x100).step_by(4) {
            let next = if position == 0xfc { 0x40 } else { position + 4 };
            ring = ring.cap(position, 0x09, next as u8, 0);
        }
        let space = parse(&ring.bytes());
        assert_eq!(space.capabilities.map(|c| c.len()), Some(FIND_CAP_TTL));
        assert_eq!(space.problems, ["capability chain looped at 0x40"]);
    }

    #[test]
    fn pointer_into_the_header_and_broken_chain() {
        let into_header = gp104_header(256).cap(0x60, 0x01, 0x20, 0x0003).bytes();
        assert_eq!(parse(&into_header).problems, ["capability pointer 0x20 points into the config header"]);
        let broken = gp104_header(256).cap(0x60, 0x01, 0x68, 0x0003).u8(0x68, 0xff).bytes();
        let space = parse(&broken);
        assert_eq!(space.problems, ["capability chain broken at 0x68 (ID 0xff)"]);
        assert_eq!(space.capabilities.map(|c| c.len()), Some(1));
    }

    #[test]
    fn pointer_low_bits_are_masked() {
        let bytes =
            gp104_header(256).u8(0x34, 0x63).cap(0x60, 0x01, 0x6b, 0x0003).cap(0x68, 0x05, 0x00, 0).bytes();
        assert_eq!(names(&parse(&bytes).capabilities.expect("walked")), ["Power Management", "MSI"]);
    }

    #[test]
    fn unknown_capability_ids_keep_lspci_spelling() {
        let bytes = gp104_header(EXTENDED_LEN).cap(0x60, 0x7f, 0x00, 0).ext_cap(0x100, 0x0042, 1, 0).bytes();
        let space = parse(&bytes);
        assert_eq!(names(&space.capabilities.expect("walked")), ["#7f"]);
        assert_eq!(names(&space.extended_capabilities.expect("walked")), ["Extended Capability ID 0x42"]);
    }

    #[test]
    fn access_control_services_on_a_root_port() {
        let bytes = gp104_header(EXTENDED_LEN)
            .u8(0x0e, 0x01)
            .cap(0x60, 0x10, 0x00, 0x0042)
            .ext_cap(0x100, 0x0001, 2, 0x148)
            .ext_cap(0x148, 0x000d, 1, 0x000)
            .u16(0x14c, 0x005f) // SrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+
            .u16(0x14e, 0x001d)
            .bytes();
        let space = parse(&bytes);
        assert_eq!(space.header_type, 1);
        assert_eq!(space.acs, Some(Acs { offset: 0x148, capability: 0x005f, control: 0x001d }));
        assert_eq!(space.express.map(|e| e.port_type), Some("root-port".to_owned()));
    }

    /// The RTX A6000's capability as lspci prints it:
    /// `BAR 0: current size: 16MB, supported: 16MB`,
    /// `BAR 1: current size: 256MB, supported: 64MB 128MB … 64GB`,
    /// `BAR 3: current size: 32MB, supported: 32MB`.
    #[test]
    fn resizable_bar_entries() {
        let bar1_supported: u32 = (6..=16).map(|n| 1u32 << (n + 4)).sum();
        let bytes = gp104_header(EXTENDED_LEN)
            .cap(0x60, 0x10, 0x00, 0x0002)
            .ext_cap(0x100, 0x0015, 1, 0x000)
            .u32(0x104, 1 << (4 + 4))
            .u32(0x108, (3 << 5) | (4 << 8))
            .u32(0x10c, bar1_supported)
            .u32(0x110, 1 | (8 << 8))
            .u32(0x114, 1 << (5 + 4))
            .u32(0x118, 3 | (5 << 8))
            .bytes();
        let space = parse(&bytes);
        assert_eq!(names(&space.extended_capabilities.clone().expect("walked")), ["Physical Resizable BAR"]);
        let bars = space.resizable_bars.expect("decoded");
        assert_eq!(
            bars,
            [
                ResizableBar { bar: 0, current_mb: 16, supported_mb: vec![16] },
                ResizableBar {
                    bar: 1,
                    current_mb: 256,
                    supported_mb: vec![64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
                },
                ResizableBar { bar: 3, current_mb: 32, supported_mb: vec![32] },
            ]
        );
    }

    #[test]
    fn resizable_bar_extended_sizes_and_bad_counts() {
        let huge = gp104_header(EXTENDED_LEN)
            .ext_cap(0x100, 0x0015, 1, 0)
            .u32(0x104, 1 << 31)
            .u32(0x108, 2 | (1 << 5) | (27 << 8) | (1 << 16))
            .bytes();
        let bars = parse(&huge).resizable_bars.expect("decoded");
        assert_eq!(
            bars,
            [ResizableBar { bar: 2, current_mb: 1 << 27, supported_mb: vec![1 << 27, 1 << 28] }]
        );

        for count in [0u32, 7] {
            let bad = gp104_header(EXTENDED_LEN).ext_cap(0x100, 0x0015, 1, 0).u32(0x108, count << 5).bytes();
            let space = parse(&bad);
            assert_eq!(space.resizable_bars, None);
            assert_eq!(
                space.problems,
                [format!("Physical Resizable BAR capability at 0x100 reports {count} BARs")]
            );
        }
    }

    #[test]
    fn extended_walk_problems() {
        let looped = gp104_header(EXTENDED_LEN)
            .ext_cap(0x100, 0x0001, 1, 0x200)
            .ext_cap(0x200, 0x0019, 1, 0x100)
            .bytes();
        let space = parse(&looped);
        assert_eq!(space.extended_capabilities.map(|c| c.len()), Some(2));
        assert_eq!(space.problems, ["extended capability chain looped at 0x100"]);
        assert_eq!(space.resizable_bars, None);

        let below = gp104_header(EXTENDED_LEN).ext_cap(0x100, 0x0001, 1, 0x0f0).bytes();
        assert_eq!(parse(&below).problems, ["extended capability pointer 0xf0 points below 0x100"]);

        let mut long = gp104_header(EXTENDED_LEN);
        for position in (0x100..0x1000).step_by(4) {
            let next = if position == 0xffc { 0 } else { position + 4 };
            long = long.ext_cap(position, 0x000b, 1, next as u32);
        }
        let space = parse(&long.bytes());
        assert_eq!(space.extended_capabilities.map(|c| c.len()), Some(EXT_CAP_TTL));
        assert_eq!(space.problems, ["extended capability chain longer than 480 entries"]);
    }

    #[test]
    fn extended_space_that_reads_all_ones_or_zero() {
        let mut ones = gp104_vga();
        ones[0x100..].fill(0xff);
        let space = parse(&ones);
        assert_eq!(space.extended_capabilities, Some(Vec::new()));
        assert!(space.problems.is_empty());

        let mut zeros = gp104_vga();
        zeros[0x100..].fill(0);
        assert_eq!(parse(&zeros).extended_capabilities, Some(Vec::new()));
    }

    #[test]
    fn device_gone_or_too_short() {
        assert_eq!(parse_config_space(&[0xff; 4096], Provenance::default()), None);
        assert_eq!(parse_config_space(&[0xff; 64], Provenance::default()), None);
        assert_eq!(parse_config_space(&gp104_vga()[..63], Provenance::default()), None);
        assert_eq!(parse_config_space(&[], Provenance::default()), None);
    }

    #[test]
    fn every_truncation_of_real_devices_decodes_without_panicking() {
        for device in [gp104_vga(), gp104_audio()] {
            for len in 0..=device.len() {
                let space = parse_config_space(&device[..len], Provenance::default());
                assert_eq!(space.is_some(), len >= 64, "length {len}");
                if let Some(space) = space {
                    assert_eq!(space.length, len);
                    assert_eq!(space.capabilities.is_some(), len > 64);
                    assert_eq!(space.extended_capabilities.is_some(), len >= 4096);
                }
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        // A small deterministic generator (xorshift) so failures reproduce.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..300 {
            let len = [64, 65, 100, 128, 255, 256, 257, 1000, 4095, 4096, 5000][round % 11];
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if round % 2 == 0 {
                // Make the walks likely to start.
                bytes[0x06] |= 0x10;
                bytes[0x0e] &= 0x7f;
            }
            if let Some(space) = parse_config_space(&bytes, Provenance::default()) {
                assert_eq!(space.length, len);
            }
        }
    }
}
