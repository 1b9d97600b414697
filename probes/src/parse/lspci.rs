//! `lspci` text output: `-nn`, `-n`, `-nnk`, `-v`, `-vv`, `-vvv` (domain.md 3.6, 3.7).
//!
//! Pure: text in, [`PciDevice`]s out. A block starts at a device line and holds the
//! indented lines under it; a blank or unindented line ends it, so prose around a
//! pasted listing never attaches to a device. Device lines without numeric IDs (plain
//! `lspci`, `lspci -k`) give no device: without IDs there is nothing to match on.
//!
//! Capability lines are read by indentation rather than by tab count, so listings whose
//! tabs were turned into spaces on the way through a forum still parse. Everything
//! lspci did not print stays unknown (`None`); the few fields that [`ConfigSpace`]
//! cannot leave unknown are documented where they are filled.

use super::pci_config::{
    express_port_type, extended_capability_name, power_state_name, standard_capability_name, CAP_ID_AF,
    CAP_ID_EXP, CAP_ID_MSI, CAP_ID_MSIX, CAP_ID_PM, EXTENDED_CAPABILITY_NAMES, EXT_CAP_ID_ACS,
    EXT_CAP_ID_REBAR, STANDARD_CAPABILITY_NAMES,
};
use super::sysfs_pci::normalize_address;
use engine::facts::{
    Acs, Bar, Capability, ConfigSpace, DriverBinding, Express, Msi, MsiX, PciDevice, PowerManagement,
    Provenance, ResizableBar,
};
use regex::Regex;
use std::sync::LazyLock;

/// A device line of any lspci flavour: the slot, then a blank or the end.
static SLOT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9a-fA-F]{4,}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7](?:\s|$)").expect("valid regex")
});

/// `lspci -nn`: domain.md 3.7's regex, plus the `(prog-if …)` that `-v` adds. The greedy
/// name takes the last `[vvvv:dddd]`, since names may hold brackets themselves.
static NAMED_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<slot>\S+) (?P<classname>.*?) \[(?P<class>[0-9a-fA-F]{4})\]: (?P<name>.*) \[(?P<ven>[0-9a-fA-F]{4}):(?P<did>[0-9a-fA-F]{4})\](?: \(rev (?P<rev>[0-9a-fA-F]{2})\))?(?: \(prog-if (?P<progif>[0-9a-fA-F]{2})(?: \[.*\])?\))?$",
    )
    .expect("valid regex")
});

/// `lspci -n`: `01:00.0 0300: 10de:1381 (rev a2)`.
static NUMERIC_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<slot>\S+) (?P<class>[0-9a-fA-F]{4}): (?P<ven>[0-9a-fA-F]{4}):(?P<did>[0-9a-fA-F]{4})(?: \(rev (?P<rev>[0-9a-fA-F]{2})\))?(?: \(prog-if (?P<progif>[0-9a-fA-F]{2})(?: \[.*\])?\))?$",
    )
    .expect("valid regex")
});

/// A `[vvvv:dddd]` pair anywhere in a line (`Subsystem:` with `-nn`).
static BRACKETED_IDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]").expect("valid regex"));

/// `linux: include/linux/ioport.h`, so BARs read from lspci compare with `resource`.
const IORESOURCE_IO: u64 = 0x100;
const IORESOURCE_MEM: u64 = 0x200;
const IORESOURCE_PREFETCH: u64 = 0x2000;
const IORESOURCE_MEM_64: u64 = 0x10_0000;
const IORESOURCE_UNSET: u64 = 0x2000_0000;
const IORESOURCE_ROM_ENABLE: u64 = 0x1;
const IORESOURCE_ROM_SHADOW: u64 = 0x2;
/// Where `pci_fixup_video` puts the boot GPU's shadowed ROM (`linux: arch/x86/pci/fixup.c`).
const SHADOW_ROM_START: u64 = 0xc0000;

/// `Control:` flags in the order lspci prints them, with their `PCI_COMMAND_*` bits.
const COMMAND_FLAGS: &[(&str, u16)] = &[
    ("I/O", 0x0001),
    ("Mem", 0x0002),
    ("BusMaster", 0x0004),
    ("SpecCycle", 0x0008),
    ("MemWINV", 0x0010),
    ("VGASnoop", 0x0020),
    ("ParErr", 0x0040),
    ("Stepping", 0x0080),
    ("SERR", 0x0100),
    ("FastB2B", 0x0200),
    ("DisINTx", 0x0400),
];

/// `Status:` flags with their `PCI_STATUS_*` bits; `DEVSEL=` is decoded apart.
const STATUS_FLAGS: &[(&str, u16)] = &[
    ("INTx", 0x0008),
    ("Cap", 0x0010),
    ("66MHz", 0x0020),
    ("UDF", 0x0040),
    ("FastB2B", 0x0080),
    ("ParErr", 0x0100),
    (">TAbort", 0x0800),
    ("<TAbort", 0x1000),
    ("<MAbort", 0x2000),
    (">SERR", 0x4000),
    ("<PERR", 0x8000),
];

/// ACS capability and control bits in lspci's `ACSCap:`/`ACSCtl:` order (domain.md 3.5).
const ACS_FLAGS: &[(&str, u16)] = &[
    ("SrcValid", 0x01),
    ("TransBlk", 0x02),
    ("ReqRedir", 0x04),
    ("CmpltRedir", 0x08),
    ("UpstreamFwd", 0x10),
    ("EgressCtrl", 0x20),
    ("DirectTrans", 0x40),
];

/// Names older pciutils printed for capabilities that now read differently.
const OLD_EXTENDED_NAMES: &[(u16, &str)] = &[(0x15, "Resizable BAR"), (0x24, "VF Resizable BAR")];

/// Parses every device block. `source` names the file or command for provenance; each
/// device's `from` points at its header line. Capability lines that `-vv` prints (MSI,
/// MSI-X, Express with DevCap FLReset, PM status, ACS, Resizable BAR) fill
/// `PciDevice::config` with `from` at the capability's line; fields lspci did not print
/// stay unknown.
///
/// `config.from` points at the first capability line of the block.
pub fn parse_lspci(text: &str, source: &str) -> Vec<PciDevice> {
    let mut devices = Vec::new();
    let mut block: Option<Block> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        let line = raw.trim_end();
        let content = line.trim_start();
        if SLOT_LINE.is_match(content) {
            devices.extend(block.take().map(|block| block.finish(source)));
            block = parse_device_line(content, source, line_no).map(Block::new);
        } else if content.is_empty() || content.len() == line.len() {
            devices.extend(block.take().map(|block| block.finish(source)));
        } else if let Some(block) = block.as_mut() {
            block.detail_line(line, line_no);
        }
    }
    devices.extend(block.map(|block| block.finish(source)));
    mark_multifunction(&mut devices);
    devices
}

/// lspci does not print the multi-function bit, but a second function in the same slot
/// proves it: only multi-function devices answer on functions other than 0.
fn mark_multifunction(devices: &mut [PciDevice]) {
    let addresses: Vec<String> = devices.iter().map(|device| device.address.clone()).collect();
    for device in devices.iter_mut() {
        let has_sibling = addresses.iter().any(|address| {
            *address != device.address
                && address.rsplit_once('.').map(|(slot, _)| slot) == Some(device.slot())
        });
        if let Some(config) = device.config.as_mut() {
            config.multifunction = has_sibling;
        }
    }
}

fn parse_device_line(line: &str, source: &str, line_no: u64) -> Option<PciDevice> {
    let captures = NAMED_HEADER.captures(line).or_else(|| NUMERIC_HEADER.captures(line))?;
    let hex = |name: &str| captures.name(name).and_then(|m| u32::from_str_radix(m.as_str(), 16).ok());
    let address = normalize_address(captures.name("slot")?.as_str())?;
    let class = (hex("class")? << 8) | hex("progif").unwrap_or(0);
    let (vendor_name, device_name) =
        captures.name("name").map_or((None, None), |name| split_device_name(name.as_str()));
    let mut device = PciDevice::new(
        address,
        hex("ven")? as u16,
        hex("did")? as u16,
        class,
        Provenance::line(source, line_no),
    );
    // lspci leaves ` (rev %02x)` out when the revision is zero (domain.md 3.7).
    device.revision = Some(hex("rev").unwrap_or(0) as u8);
    device.vendor_name = vendor_name;
    device.device_name = device_name;
    device.class_name = captures.name("classname").map(|m| m.as_str().to_owned());
    Some(device)
}

/// Vendor and device names run together in lspci's text. Only pci.ids' placeholder for
/// an unknown device (`NVIDIA Corporation Device`, `pciutils: lib/names.c`) marks where
/// the vendor ends; otherwise the whole text is kept as the device name.
fn split_device_name(name: &str) -> (Option<String>, Option<String>) {
    if name == "Device" {
        (None, None)
    } else if let Some(vendor) = name.strip_suffix(" Device") {
        (Some(vendor.to_owned()), None)
    } else {
        (None, Some(name.to_owned()))
    }
}

/// One device line and what its indented lines said.
struct Block {
    device: PciDevice,
    driver: Option<String>,
    saw_kernel_modules: bool,
    /// `-v` or more: BAR lines would have been printed.
    verbose: bool,
    command: Option<u16>,
    status: Option<u16>,
    bars: Vec<Bar>,
    next_bar_index: u8,
    caps: CapabilityText,
}

impl Block {
    fn new(device: PciDevice) -> Self {
        Self {
            device,
            driver: None,
            saw_kernel_modules: false,
            verbose: false,
            command: None,
            status: None,
            bars: Vec::new(),
            next_bar_index: 0,
            caps: CapabilityText::default(),
        }
    }

    fn detail_line(&mut self, line: &str, line_no: u64) {
        let indent = indent_width(line);
        let text = line.trim();
        if self.caps.open.as_ref().is_some_and(|open| indent > open.indent) {
            self.caps.detail(text);
            return;
        }
        self.caps.close();
        if let Some(rest) = text.strip_prefix("Capabilities:") {
            self.caps.header(rest.trim_start(), indent, line_no);
        } else {
            self.device_detail(text);
        }
    }

    /// Lines at the device's own level (one tab in real output).
    fn device_detail(&mut self, text: &str) {
        let caps_started = self.caps.first_line.is_some();
        if let Some(rest) = text.strip_prefix("Subsystem:") {
            self.subsystem(rest.trim());
        } else if let Some(driver) = text.strip_prefix("Kernel driver in use:") {
            self.driver = Some(driver.trim().to_owned()).filter(|driver| !driver.is_empty());
        } else if let Some(modules) = text.strip_prefix("Kernel modules:") {
            self.saw_kernel_modules = true;
            let modules = modules.split(',').map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned);
            self.device.kernel_modules = Some(modules.collect());
        } else if let Some(group) = text.strip_prefix("IOMMU group:") {
            self.device.iommu_group = group.trim().parse().ok();
        } else if let Some(flags) = text.strip_prefix("Flags:") {
            self.verbose = true;
            self.device.iommu_group = self.device.iommu_group.or_else(|| iommu_group_in_flags(flags));
        } else if let Some(flags) = text.strip_prefix("Control:").filter(|_| !caps_started) {
            self.verbose = true;
            self.command = Some(decode_flags(flags, COMMAND_FLAGS));
        } else if let Some(flags) = text.strip_prefix("Status:").filter(|_| !caps_started) {
            self.status = Some(decode_flags(flags, STATUS_FLAGS) | devsel_bits(flags));
        } else if let Some(rom) = parse_rom_line(text) {
            self.bars.push(rom);
        } else if let Some(bar) = parse_bar_line(text, self.next_bar_index) {
            // Without `Region N:` (plain -v) the next BAR follows this one, two slots
            // on when it is 64-bit. Empty BAR slots are invisible in that form.
            self.next_bar_index = bar.index.saturating_add(if bar.is_64bit() { 2 } else { 1 });
            self.bars.push(bar);
        }
    }

    /// `Subsystem: ASUSTeK Computer Inc. GP104 [GeForce GTX 1080] [1043:85aa]` (`-nn`,
    /// the last bracketed pair) or `Subsystem: 1043:85aa` (`-n`).
    fn subsystem(&mut self, text: &str) {
        if let Some((vendor, device)) = subsystem_ids(text) {
            self.device.subsystem_vendor_id = Some(vendor);
            self.device.subsystem_device_id = Some(device);
        }
    }

    fn finish(mut self, source: &str) -> PciDevice {
        self.device.driver = match (self.driver, self.saw_kernel_modules) {
            (Some(driver), _) => DriverBinding::Bound(driver),
            (None, true) => DriverBinding::Unbound,
            (None, false) => DriverBinding::Unknown,
        };
        if self.verbose || !self.bars.is_empty() {
            self.device.bars = Some(self.bars);
        }
        let header_type = header_type_for_class(self.device.class);
        self.device.config = self.caps.into_config(source, header_type, self.command, self.status);
        self.device
    }
}

fn subsystem_ids(text: &str) -> Option<(u16, u16)> {
    let (vendor, device) = match BRACKETED_IDS.captures_iter(text).last() {
        Some(captures) => (captures.get(1)?.as_str(), captures.get(2)?.as_str()),
        None => text.split_once(':')?,
    };
    Some((parse_hex_u16(vendor)?, parse_hex_u16(device)?))
}

/// Columns of leading whitespace, a tab reaching the next multiple of 8 as a terminal
/// shows it, so tab-indented and space-indented listings nest the same way.
fn indent_width(line: &str) -> usize {
    let mut width = 0;
    for character in line.chars() {
        match character {
            '\t' => width = (width / 8 + 1) * 8,
            c if c.is_whitespace() => width += 1,
            _ => break,
        }
    }
    width
}

/// lspci prints no header type; the kernel refuses a header type that does not match the
/// class (`linux: drivers/pci/probe.c`, `pci_setup_device`), so the class gives it.
fn header_type_for_class(class: u32) -> u8 {
    match class >> 8 {
        0x0604 | 0x0609 => 1,
        0x0607 => 2,
        _ => 0,
    }
}

fn parse_hex_u16(text: &str) -> Option<u16> {
    let text = text.trim();
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(text, 16).ok()
}

/// `Flags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 13` (`lspci -v`).
fn iommu_group_in_flags(flags: &str) -> Option<u32> {
    let (_, rest) = flags.split_once("IOMMU group ")?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Sets the bit of every `Name+` token found in `table`.
fn decode_flags(text: &str, table: &[(&str, u16)]) -> u16 {
    text.split_whitespace()
        .filter_map(|token| token.strip_suffix('+'))
        .filter_map(|name| table.iter().find(|(known, _)| *known == name).map(|(_, bit)| bit))
        .fold(0, |bits, bit| bits | bit)
}

/// `DEVSEL=fast|medium|slow` → `PCI_STATUS_DEVSEL_*`.
fn devsel_bits(text: &str) -> u16 {
    match text.split_whitespace().find_map(|token| token.strip_prefix("DEVSEL=")) {
        Some("medium") => 0x0200,
        Some("slow") => 0x0400,
        _ => 0,
    }
}

/// `[size=256M]` as `show_size` prints it (`pciutils: lspci.c`): a count with K, M, G
/// or T, each 1024 times the last.
fn parse_size(text: &str) -> Option<u64> {
    let start = text.find("[size=")? + "[size=".len();
    let value = text.get(start..)?.split(']').next()?;
    let (digits, unit) = match value.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => value.split_at(at),
        None => (value, ""),
    };
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// An address lspci printed in hex, or `None` for `<unassigned>`/`<ignored>`.
fn parse_address(text: &str) -> Option<Option<u64>> {
    if text.starts_with('<') {
        return Some(None);
    }
    u64::from_str_radix(text, 16).ok().map(Some)
}

/// `start` and `size` as a `resource` line would hold them; an unassigned BAR keeps its
/// size from 0 with `IORESOURCE_UNSET`, as the kernel records it.
fn bar_from(index: u8, start: Option<u64>, size: u64, flags: u64) -> Option<Bar> {
    let (start, flags) = match start {
        Some(start) => (start, flags),
        None => (0, flags | IORESOURCE_UNSET),
    };
    let end = start.checked_add(size.checked_sub(1)?)?;
    Some(Bar { index, start, end, flags })
}

/// `Region 0: Memory at f6000000 (32-bit, non-prefetchable) [size=16M]` (`-vv`),
/// `Memory at e0000000 (64-bit, prefetchable) [size=256M]` (`-v`),
/// `Region 5: I/O ports at e000 [size=128]`. Lines without a size are skipped: the
/// resource cannot be represented.
fn parse_bar_line(text: &str, next_index: u8) -> Option<Bar> {
    let (index, rest) = match text.strip_prefix("Region ") {
        Some(region) => {
            let (number, rest) = region.split_once(": ")?;
            (number.parse::<u8>().ok().filter(|&n| n < Bar::ROM_INDEX)?, rest)
        }
        None => (next_index, text),
    };
    let rest = rest.strip_prefix("[enhanced] ").unwrap_or(rest);
    let (is_io, rest) = match (rest.strip_prefix("Memory at "), rest.strip_prefix("I/O ports at ")) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        (None, None) => return None,
    };
    let (address, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let start = parse_address(address)?;
    let size = parse_size(tail)?;
    let flags = if is_io {
        IORESOURCE_IO
    } else {
        let mut flags = IORESOURCE_MEM;
        if tail.contains("(64-bit,") {
            flags |= IORESOURCE_MEM_64;
        }
        if tail.contains(", prefetchable)") {
            flags |= IORESOURCE_PREFETCH;
        }
        flags
    };
    bar_from(index, start, size, flags)
}

/// `Expansion ROM at f7000000 [disabled] [size=512K]`, or with `[virtual]` when the
/// address comes from the kernel's copy rather than the ROM BAR.
fn parse_rom_line(text: &str) -> Option<Bar> {
    let is_virtual = text.contains("[virtual]");
    let text = text.strip_prefix("[virtual] ").unwrap_or(text);
    let rest = text.strip_prefix("Expansion ROM at ")?;
    let (address, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let start = parse_address(address)?;
    let size = parse_size(tail)?;
    let mut flags = IORESOURCE_MEM;
    if !tail.split_whitespace().any(|token| token == "[disabled]") {
        flags |= IORESOURCE_ROM_ENABLE;
    }
    if is_virtual && start == Some(SHADOW_ROM_START) {
        flags |= IORESOURCE_ROM_SHADOW;
    }
    bar_from(Bar::ROM_INDEX, start, size, flags)
}

/// The capability being read: its header line and the sub-block (`DevCap`, `LnkSta`…)
/// that the current continuation lines belong to.
struct OpenCapability {
    id: u16,
    extended: bool,
    indent: usize,
    sub_key: String,
}

/// What the `Capabilities:` lines of one block said.
#[derive(Default)]
struct CapabilityText {
    first_line: Option<u64>,
    access_denied: bool,
    standard: Vec<Capability>,
    extended: Vec<Capability>,
    open: Option<OpenCapability>,
    problems: Vec<String>,
    chain_broken: bool,
    msi: Option<Msi>,
    msix: Option<MsiX>,
    pm: PmText,
    express: ExpressText,
    af_flr: Option<bool>,
    acs: AcsText,
    resizable_bars: Option<Vec<ResizableBar>>,
}

#[derive(Default)]
struct PmText {
    offset: u16,
    version: Option<u8>,
    state: Option<String>,
    no_soft_reset: Option<bool>,
}

#[derive(Default)]
struct ExpressText {
    offset: u16,
    version: Option<u8>,
    port_type: Option<String>,
    flr: Option<bool>,
    link_speed: Option<String>,
    link_width: Option<u8>,
}

#[derive(Default)]
struct AcsText {
    offset: u16,
    capability: Option<u16>,
    control: Option<u16>,
}

impl CapabilityText {
    /// `[68] MSI: Enable+ …`, `[100 v1] Virtual Channel`, or `<access denied>`.
    fn header(&mut self, rest: &str, indent: usize, line_no: u64) {
        self.first_line.get_or_insert(line_no);
        if rest.starts_with("<access denied>") {
            self.access_denied = true;
            return;
        }
        let Some((offset, version, text)) = split_capability_header(rest) else {
            self.problems.push(format!("unreadable capability line `{rest}`"));
            return;
        };
        let extended = offset >= 0x100;
        let chain = if extended { "extended capability chain" } else { "capability chain" };
        if text.starts_with("<chain looped>") || text.starts_with("<chain broken>") {
            let how = if text.starts_with("<chain looped>") { "looped" } else { "broken" };
            self.problems.push(format!("{chain} {how} at {offset:#x}"));
            self.chain_broken = true;
            return;
        }
        let Some(id) = identify_capability(text, extended) else {
            self.problems.push(format!("capability `{text}` at {offset:#x} is not recognised"));
            return;
        };
        let name = if extended { extended_capability_name(id) } else { standard_capability_name(id) };
        let version = version.or_else(|| standard_capability_version(id, text));
        let list = if extended { &mut self.extended } else { &mut self.standard };
        let first_of_its_id = !list.iter().any(|capability| capability.id == id);
        list.push(Capability { id, offset, version, name });
        // Like the kernel's capability search, only the first of each ID counts.
        if first_of_its_id {
            self.decode_header(id, extended, offset, version, text);
        }
        self.open = first_of_its_id.then(|| OpenCapability { id, extended, indent, sub_key: String::new() });
    }

    /// What the capability line itself says (all of it printed with `-v` already).
    fn decode_header(&mut self, id: u16, extended: bool, offset: u16, version: Option<u8>, text: &str) {
        match (extended, id) {
            (false, CAP_ID_PM) => self.pm = PmText { offset, version, ..PmText::default() },
            (false, CAP_ID_MSI) => self.msi = parse_msi(offset, text),
            (false, CAP_ID_MSIX) => self.msix = parse_msix(offset, text),
            (false, CAP_ID_EXP) => self.express = parse_express_header(offset, text),
            (true, EXT_CAP_ID_ACS) => self.acs = AcsText { offset, ..AcsText::default() },
            (true, EXT_CAP_ID_REBAR) => self.resizable_bars = Some(Vec::new()),
            _ => {}
        }
    }

    /// A line under the open capability (`-vv`).
    fn detail(&mut self, text: &str) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let first = text.split_whitespace().next().unwrap_or("");
        if let Some(key) = first.strip_suffix(':') {
            open.sub_key = key.to_owned();
        }
        let flags = text.split_once(':').map_or(text, |(_, rest)| rest);
        match (open.extended, open.id, open.sub_key.as_str()) {
            (false, CAP_ID_PM, "Status") => {
                let state = flags.split_whitespace().next().and_then(|state| state.strip_prefix('D'));
                // lspci prints `D%d` of PMCSR bits 1:0, so `D3` is D3hot.
                self.pm.state = state
                    .and_then(|n| n.parse::<u16>().ok())
                    .filter(|&n| n <= 3)
                    .map(|n| power_state_name(n).to_owned());
                self.pm.no_soft_reset = flag_value(flags, "NoSoftRst");
            }
            (false, CAP_ID_EXP, "DevCap") => {
                // lspci prints FLReset only for endpoints; for other port types the bit
                // is reserved, so a DevCap line without it means no FLR.
                let is_endpoint =
                    matches!(self.express.port_type.as_deref(), Some("endpoint" | "legacy-endpoint"));
                match flag_value(text, "FLReset") {
                    Some(flr) => self.express.flr = Some(flr),
                    None if first == "DevCap:" && !is_endpoint => self.express.flr = Some(false),
                    None => {}
                }
            }
            (false, CAP_ID_EXP, "LnkSta") if first == "LnkSta:" => {
                self.express.link_speed = link_speed_in(flags);
                self.express.link_width = link_width_in(flags);
            }
            (false, CAP_ID_AF, "AFCap") => self.af_flr = flag_value(flags, "FLR"),
            (true, EXT_CAP_ID_ACS, "ACSCap") => self.acs.capability = Some(decode_flags(flags, ACS_FLAGS)),
            (true, EXT_CAP_ID_ACS, "ACSCtl") => self.acs.control = Some(decode_flags(flags, ACS_FLAGS)),
            (true, EXT_CAP_ID_REBAR, _) => {
                if let (Some(bar), Some(bars)) = (parse_rebar_line(text), self.resizable_bars.as_mut()) {
                    bars.push(bar);
                }
            }
            _ => {}
        }
    }

    fn close(&mut self) {
        self.open = None;
    }

    /// `None` when lspci printed no capabilities or was denied them.
    ///
    /// lspci prints neither the header type nor the multi-function bit: the header
    /// type comes from the class, and `parse_lspci` sets `multifunction` from the
    /// slot's other functions. Without `-vv` there are no Control and Status lines, so
    /// `command` stays 0 and `status` has only the capability-list bit; a problem says so.
    fn into_config(
        self,
        source: &str,
        header_type: u8,
        command: Option<u16>,
        status: Option<u16>,
    ) -> Option<ConfigSpace> {
        let first_line = self.first_line?;
        if self.access_denied {
            return None;
        }
        let mut problems = self.problems;
        if command.is_none() || status.is_none() {
            problems.push(
                "lspci printed no Control/Status lines (needs -vv); command and status are not known"
                    .to_owned(),
            );
        }
        let complete = !self.chain_broken;
        let has_extended = !self.extended.is_empty();
        let has_af = self.standard.iter().any(|c| c.id == CAP_ID_AF);
        let has_rebar = self.extended.iter().any(|c| c.id == EXT_CAP_ID_REBAR);
        let resizable_bars = match self.resizable_bars {
            Some(bars) if !bars.is_empty() => Some(bars),
            None if has_extended && complete && !has_rebar => Some(Vec::new()),
            _ => None,
        };
        Some(ConfigSpace {
            length: if has_extended { 4096 } else { 256 },
            header_type,
            multifunction: false,
            command: command.unwrap_or(0),
            status: status.unwrap_or(if self.standard.is_empty() { 0 } else { 0x0010 }),
            af_flr: self.af_flr.or((complete && !has_af).then_some(false)),
            capabilities: Some(self.standard),
            extended_capabilities: has_extended.then_some(self.extended),
            msi: self.msi,
            msix: self.msix,
            power_management: self.pm.finish(),
            express: self.express.finish(),
            acs: self.acs.finish(),
            resizable_bars,
            problems,
            from: Provenance::line(source, first_line),
        })
    }
}

impl PmText {
    fn finish(self) -> Option<PowerManagement> {
        Some(PowerManagement {
            offset: self.offset,
            version: self.version?,
            state: self.state?,
            no_soft_reset: self.no_soft_reset?,
        })
    }
}

impl ExpressText {
    /// The FLR answer needs `-vv` (the DevCap line); without it there is no Express.
    fn finish(self) -> Option<Express> {
        Some(Express {
            offset: self.offset,
            version: self.version?,
            port_type: self.port_type?,
            flr: self.flr?,
            link_speed: self.link_speed,
            link_width: self.link_width,
        })
    }
}

impl AcsText {
    fn finish(self) -> Option<Acs> {
        Some(Acs { offset: self.offset, capability: self.capability?, control: self.control? })
    }
}

/// `[68] MSI: …` → (0x68, None, "MSI: …"); `[100 v1] Virtual Channel` → (0x100, Some(1), …).
fn split_capability_header(rest: &str) -> Option<(u16, Option<u8>, &str)> {
    let (bracket, text) = rest.strip_prefix('[')?.split_once(']')?;
    let (offset, version) = match bracket.split_once(" v") {
        Some((offset, version)) => (offset, Some(version.parse().ok()?)),
        None => (bracket, None),
    };
    Some((u16::from_str_radix(offset, 16).ok()?, version, text.trim_start()))
}

/// The capability ID behind lspci's text: the longest known name the text starts with
/// (so `MSI-X:` is not taken for `MSI`), or the numeric forms lspci falls back to
/// (`#19`, `#0a [0000]`, `Extended Capability ID 0x2b`).
fn identify_capability(text: &str, extended: bool) -> Option<u16> {
    let tables: &[&[(u16, &str)]] = if extended {
        &[EXTENDED_CAPABILITY_NAMES, OLD_EXTENDED_NAMES]
    } else {
        &[STANDARD_CAPABILITY_NAMES]
    };
    let by_name = tables
        .iter()
        .flat_map(|table| table.iter())
        .filter(|(_, name)| starts_with_word(text, name))
        // The first of the longest: `Virtual Channel` is 0x02 (and 0x09), as natively.
        .min_by_key(|(_, name)| std::cmp::Reverse(name.len()))
        .map(|(id, _)| *id);
    by_name.or_else(|| {
        let number = text.strip_prefix('#').or_else(|| text.strip_prefix("Extended Capability ID 0x"))?;
        let digits: String = number.chars().take_while(char::is_ascii_hexdigit).collect();
        u16::from_str_radix(&digits, 16).ok()
    })
}

/// `text` starts with `word` followed by the end, a blank, `:` or `,`.
fn starts_with_word(text: &str, word: &str) -> bool {
    text.strip_prefix(word).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ':', ',']))
}

/// `Power Management version 3` → 3; `Express (v2) …` → 2.
fn standard_capability_version(id: u16, text: &str) -> Option<u8> {
    match id {
        CAP_ID_PM => text.split_once("version ")?.1.split_whitespace().next()?.parse().ok(),
        CAP_ID_EXP => text.split_once("(v")?.1.split(')').next()?.parse().ok(),
        _ => None,
    }
}

/// `Name+` → true, `Name-` → false, absent → `None`.
fn flag_value(text: &str, name: &str) -> Option<bool> {
    text.split_whitespace().find_map(|token| match token.strip_prefix(name)? {
        "+" => Some(true),
        "-" => Some(false),
        _ => None,
    })
}

/// The value of the first `Key=value` token: `Count=` in `Count=1/1` gives `1/1`.
fn key_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.split_whitespace().find_map(|token| token.strip_prefix(key))
}

/// `MSI: Enable%c Count=%d/%d Maskable%c 64bit%c` (`pciutils: ls-caps.c`, `cap_msi`).
fn parse_msi(offset: u16, text: &str) -> Option<Msi> {
    let (enabled, capable) = key_value(text, "Count=")?.split_once('/')?;
    Some(Msi {
        offset,
        enabled: flag_value(text, "Enable")?,
        count_enabled: enabled.parse().ok()?,
        count_capable: capable.parse().ok()?,
        is_64bit: flag_value(text, "64bit")?,
        maskable: flag_value(text, "Maskable")?,
    })
}

/// `MSI-X: Enable%c Count=%d Masked%c`, Count being the table size.
fn parse_msix(offset: u16, text: &str) -> Option<MsiX> {
    Some(MsiX {
        offset,
        enabled: flag_value(text, "Enable")?,
        masked: flag_value(text, "Masked")?,
        table_size: key_value(text, "Count=")?.parse().ok()?,
    })
}

/// `Express (v2) Legacy Endpoint, MSI 00` (newer pciutils: `…, IntMsgNum 0`); `-v`
/// leaves out the `(v2)`.
fn parse_express_header(offset: u16, text: &str) -> ExpressText {
    let rest = text.strip_prefix("Express").unwrap_or(text).trim_start();
    let rest = match rest.strip_prefix("(v") {
        Some(after) => after.split_once(')').map_or("", |(_, rest)| rest.trim_start()),
        None => rest,
    };
    let type_text = rest.rsplit_once(", ").map_or(rest, |(kind, _)| kind);
    let type_text = type_text.split(" (Slot").next().unwrap_or(type_text);
    ExpressText {
        offset,
        version: standard_capability_version(CAP_ID_EXP, text),
        port_type: express_type_code(type_text).map(express_port_type),
        ..ExpressText::default()
    }
}

/// lspci's port type words (`pciutils: ls-caps.c`, `cap_express`) as the
/// `PCI_EXP_FLAGS_TYPE` code they were printed from.
fn express_type_code(text: &str) -> Option<u16> {
    let code = match text {
        "Endpoint" => 0x0,
        "Legacy Endpoint" => 0x1,
        "Root Port" => 0x4,
        "Upstream Port" => 0x5,
        "Downstream Port" => 0x6,
        "PCI-Express to PCI/PCI-X Bridge" => 0x7,
        "PCI/PCI-X to PCI-Express Bridge" => 0x8,
        "Root Complex Integrated Endpoint" => 0x9,
        "Root Complex Event Collector" => 0xa,
        other => return other.strip_prefix("Unknown type ")?.parse().ok(),
    };
    Some(code)
}

/// `Speed 8GT/s (ok), Width x16 (ok)` or `Speed 16GT/s, Width x16`.
fn link_speed_in(text: &str) -> Option<String> {
    let after = text.split_once("Speed ")?.1;
    let speed = after.split([' ', ',', '(']).next()?;
    (speed.ends_with("GT/s")).then(|| speed.to_owned())
}

fn link_width_in(text: &str) -> Option<u8> {
    let after = text.split_once("Width x")?.1;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `BAR 1: current size: 256MB, supported: 64MB 128MB … 64GB` (`pciutils: ls-ecaps.c`,
/// `cap_rebar`); sizes are powers of two from 1MB to 8EB.
fn parse_rebar_line(text: &str) -> Option<ResizableBar> {
    let (bar, rest) = text.strip_prefix("BAR ")?.split_once(':')?;
    let rest = rest.trim_start().strip_prefix("current size:")?;
    let (current, supported) = match rest.split_once(", supported:") {
        Some((current, supported)) => (current, supported),
        None => (rest, ""),
    };
    Some(ResizableBar {
        bar: bar.trim().parse().ok()?,
        current_mb: parse_rebar_size(current.trim())?,
        supported_mb: supported.split_whitespace().map(parse_rebar_size).collect::<Option<Vec<_>>>()?,
    })
}

fn parse_rebar_size(text: &str) -> Option<u64> {
    let units = [("MB", 0), ("GB", 10), ("TB", 20), ("PB", 30), ("EB", 40)];
    let (number, shift) = units.iter().find_map(|(unit, shift)| Some((text.strip_suffix(unit)?, *shift)))?;
    number.parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "cmd/lspci-nnk";

    fn parse(text: &str) -> Vec<PciDevice> {
        parse_lspci(text, SOURCE)
    }

    fn one(text: &str) -> PciDevice {
        let mut devices = parse(text);
        assert_eq!(devices.len(), 1, "{devices:#?}");
        devices.remove(0)
    }

    /// domain.md 3.7, observed `lspci -nnk | grep -A3 NVIDIA`.
    const DOMAIN_NNK: &str = "\
02:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)
\tSubsystem: Device [196e:119e]
\tKernel driver in use: vfio-pci
\tKernel modules: nvidiafb, nouveau
02:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
\tSubsystem: Device [196e:119e]
\tKernel driver in use: vfio-pci
";

    #[test]
    fn nnk_example_from_the_domain_brief() {
        let devices = parse(DOMAIN_NNK);
        assert_eq!(devices.len(), 2);
        let vga = &devices[0];
        assert_eq!(vga.address, "0000:02:00.0");
        assert_eq!((vga.vendor_id, vga.device_id), (0x10de, 0x1b80));
        assert_eq!(vga.class, 0x030000);
        assert_eq!(vga.class_name.as_deref(), Some("VGA compatible controller"));
        assert_eq!(vga.device_name.as_deref(), Some("NVIDIA Corporation GP104 [GeForce GTX 1080]"));
        assert_eq!(vga.vendor_name, None);
        assert_eq!(vga.revision, Some(0xa1));
        assert_eq!((vga.subsystem_vendor_id, vga.subsystem_device_id), (Some(0x196e), Some(0x119e)));
        assert_eq!(vga.driver, DriverBinding::Bound("vfio-pci".into()));
        assert_eq!(vga.kernel_modules, Some(vec!["nvidiafb".to_owned(), "nouveau".to_owned()]));
        assert_eq!(vga.from, Provenance::line(SOURCE, 1));
        assert_eq!(vga.config, None);
        assert_eq!(vga.bars, None);

        let audio = &devices[1];
        assert_eq!(audio.class, 0x040300);
        assert_eq!(audio.driver.name(), Some("vfio-pci"));
        assert_eq!(audio.kernel_modules, None);
        assert_eq!(audio.from.line, Some(5));
    }

    #[test]
    fn nn_lines_from_the_proxmox_wiki_seed() {
        // seeds/001: `lspci -nn | grep -i nvidia`.
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK107GLM [Quadro K1000M] [10de:0ffc] (rev a1)
01:00.1 Audio device [0403]: NVIDIA Corporation GK107 HDMI Audio Controller [10de:0e1b] (rev ff)
";
        let devices = parse(text);
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].id_pair(), "10de:0ffc");
        assert_eq!(devices[1].id_pair(), "10de:0e1b");
        assert_eq!(devices[1].revision, Some(0xff));
        assert!(devices.iter().all(|device| device.driver == DriverBinding::Unknown));
    }

    #[test]
    fn nnk_with_elided_lines_from_the_seed() {
        // seeds/001: the wiki elides lines with `\t...`.
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK107GLM [Quadro K1000M] [10de:0ffc] (rev a1)
\t...
\tKernel driver in use: vfio-pci
\t...
01:00.1 Audio device [0403]: NVIDIA Corporation GK107 HDMI Audio Controller [10de:0e1b] (rev a1)
\t...
\tKernel driver in use: vfio-pci
\t...
";
        let devices = parse(text);
        assert_eq!(devices.len(), 2);
        assert!(devices.iter().all(|device| device.driver.name() == Some("vfio-pci")));
    }

    #[test]
    fn numeric_lines_from_the_pve_wiki_seed() {
        // seeds/000: `lspci -n -s 01:00` (the wiki page flattened the two lines).
        let devices = parse("01:00.0 0300: 10de:1381 (rev a2)\n01:00.1 0403: 10de:0fbc (rev a1)\n");
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].id_pair(), "10de:1381");
        assert_eq!(devices[0].class, 0x030000);
        assert_eq!(devices[0].revision, Some(0xa2));
        assert_eq!(devices[0].class_name, None);
        assert_eq!(devices[0].device_name, None);
        assert_eq!(devices[1].id_pair(), "10de:0fbc");
        assert_eq!(devices[1].class, 0x040300);
    }

    #[test]
    fn a_full_nn_listing_with_unknown_device_names() {
        // seeds/003: `lspci -nn` on a host whose pci.ids predates its GPUs.
        let text = "\
00:00.0 Host bridge [0600]: Intel Corporation Device [8086:191f] (rev 07)
00:01.0 PCI bridge [0604]: Intel Corporation Device [8086:1901] (rev 07)
00:14.0 USB controller [0c03]: Intel Corporation Device [8086:a12f] (rev 31)
01:00.0 VGA compatible controller [0300]: Advanced Micro Devices [AMD] nee ATI Device [1002:7300] (rev cb)
01:00.1 Audio device [0403]: Advanced Micro Devices [AMD] nee ATI Device [1002:aae8]
02:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:13c2] (rev a1)
04:00.0 PCI bridge [0604]: ASMedia Technology Inc. ASM1083/1085 PCIe to PCI Bridge [1b21:1080] (rev 04)
";
        let devices = parse(text);
        assert_eq!(devices.len(), 7);
        assert!(devices[1].is_bridge());
        let amd_audio = &devices[4];
        assert_eq!(amd_audio.vendor_name.as_deref(), Some("Advanced Micro Devices [AMD] nee ATI"));
        assert_eq!(amd_audio.device_name, None);
        assert_eq!(amd_audio.revision, Some(0), "no `(rev ..)` means revision 0");
        assert_eq!(devices[5].vendor_name.as_deref(), Some("NVIDIA Corporation"));
        assert_eq!(
            devices[6].device_name.as_deref(),
            Some("ASMedia Technology Inc. ASM1083/1085 PCIe to PCI Bridge")
        );
    }

    #[test]
    fn iommu_group_listing_lines_are_not_lspci_output() {
        // seeds/003's group script prefixes each line; that format belongs to
        // iommu_listing, and must not be misread here.
        let text = "IOMMU Group 13 02:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:13c2] (rev a1)\n";
        assert!(parse(text).is_empty());
    }

    #[test]
    fn plain_lspci_without_ids_gives_nothing_and_does_not_leak_details() {
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1)
\tKernel modules: nvidiafb, nouveau
01:00.1 Audio device: NVIDIA Corporation GP104 High Definition Audio Controller (rev a1)
\tKernel driver in use: snd_hda_intel
";
        let device = one(text);
        assert_eq!(device.address, "0000:01:00.0");
        assert_eq!(device.driver, DriverBinding::Unbound);
    }

    #[test]
    fn driver_binding_states() {
        let bound = one("01:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:1b80]\n\tKernel driver in use: nouveau\n");
        assert_eq!(bound.driver, DriverBinding::Bound("nouveau".into()));
        let unbound = one("01:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:1b80]\n\tKernel modules: nvidiafb, nouveau\n");
        assert_eq!(unbound.driver, DriverBinding::Unbound);
        let unknown =
            one("01:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:1b80]\n");
        assert_eq!(unknown.driver, DriverBinding::Unknown);
    }

    #[test]
    fn domains_are_normalised() {
        let devices = parse(
            "0000:0a:00.0 Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller SM981/PM981/PM983 [144d:a808]\n\
             10000:e1:00.0 Non-Volatile memory controller [0108]: Intel Corporation Device [8086:f1a8] (rev 03)\n",
        );
        let addresses: Vec<&str> = devices.iter().map(|d| d.address.as_str()).collect();
        assert_eq!(addresses, ["0000:0a:00.0", "10000:e1:00.0"]);
    }

    #[test]
    fn prose_and_blank_lines_end_a_block() {
        // seeds/001: prose quoting a driver line after the listing.
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK107GLM [Quadro K1000M] [10de:0ffc] (rev a1)
Check with `lspci -nnk` --> `Kernel driver in use: vfio-pci`
\tKernel driver in use: vfio-pci

\tKernel driver in use: nouveau
";
        assert_eq!(one(text).driver, DriverBinding::Unknown);
    }

    /// An NVIDIA GP104 VGA function as `lspci -nnvvvk` prints it (pciutils 3.7 layout:
    /// tab indentation, `Region N:` lines, capability details two tabs deep and their
    /// continuations three tabs deep).
    const GP104_VVV: &str = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1) (prog-if 00 [VGA controller])
\tSubsystem: ASUSTeK Computer Inc. GP104 [GeForce GTX 1080] [1043:85aa]
\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx+
\tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
\tLatency: 0
\tInterrupt: pin A routed to IRQ 16
\tIOMMU group: 1
\tRegion 0: Memory at f6000000 (32-bit, non-prefetchable) [size=16M]
\tRegion 1: Memory at e0000000 (64-bit, prefetchable) [size=256M]
\tRegion 3: Memory at f0000000 (64-bit, prefetchable) [size=32M]
\tRegion 5: I/O ports at e000 [size=128]
\tExpansion ROM at 000c0000 [virtual] [disabled] [size=128K]
\tCapabilities: [60] Power Management version 3
\t\tFlags: PMEClk- DSI- D1- D2- AuxCurrent=0mA PME(D0-,D1-,D2-,D3hot-,D3cold-)
\t\tStatus: D0 NoSoftRst+ PME-Enable- DSel=0 DScale=0 PME-
\tCapabilities: [68] MSI: Enable+ Count=1/1 Maskable- 64bit+
\t\tAddress: 00000000fee00358  Data: 0000
\tCapabilities: [78] Express (v2) Legacy Endpoint, MSI 00
\t\tDevCap:\tMaxPayload 256 bytes, PhantFunc 0, Latency L0s unlimited, L1 <64us
\t\t\tExtTag+ AttnBtn- AttnInd- PwrInd- RBE+ FLReset- SlotPowerLimit 75.000W
\t\tDevCtl:\tCorrErr- NonFatalErr- FatalErr- UnsupReq-
\t\t\tRlxdOrd+ ExtTag+ PhantFunc- AuxPwr- NoSnoop+
\t\t\tMaxPayload 256 bytes, MaxReadReq 512 bytes
\t\tDevSta:\tCorrErr- NonFatalErr- FatalErr- UnsupReq- AuxPwr- TransPend-
\t\tLnkCap:\tPort #0, Speed 8GT/s, Width x16, ASPM L0s L1, Exit Latency L0s <512ns, L1 <4us
\t\t\tClockPM+ Surprise- LLActRep- BwNot- ASPMOptComp+
\t\tLnkCtl:\tASPM Disabled; RCB 64 bytes Disabled- CommClk+
\t\t\tExtSynch- ClockPM- AutWidDis- BWInt- AutBWInt-
\t\tLnkSta:\tSpeed 8GT/s (ok), Width x16 (ok)
\t\t\tTrErr- Train- SlotClk+ DLActive- BWMgmt- ABWMgmt-
\t\tDevCap2: Completion Timeout: Range AB, TimeoutDis+, LTR-, OBFF Via message
\t\tDevCtl2: Completion Timeout: 50us to 50ms, TimeoutDis-, LTR-, OBFF Disabled
\t\tLnkCtl2: Target Link Speed: 8GT/s, EnterCompliance- SpeedDis-
\t\t\t Transmit Margin: Normal Operating Range, EnterModifiedCompliance- ComplianceSOS-
\t\t\t Compliance De-emphasis: -6dB
\t\tLnkSta2: Current De-emphasis Level: -6dB, EqualizationComplete+, EqualizationPhase1+
\t\t\t EqualizationPhase2+, EqualizationPhase3+, LinkEqualizationRequest-
\tCapabilities: [100 v1] Virtual Channel
\t\tCaps:\tLPEVC=0 RefClk=100ns PATEntryBits=1
\t\tArb:\tFixed- WRR32- WRR64- WRR128-
\t\tCtrl:\tArbSelect=Fixed
\t\tStatus:\tInProgress-
\t\tVC0:\tCaps:\tPATOffset=00 MaxTimeSlots=1 RejSnoopTrans-
\t\t\tArb:\tFixed- WRR32- WRR64- WRR128- TWRR128- WRR256-
\t\t\tCtrl:\tEnable+ ID=0 ArbSelect=Fixed TC/VC=01
\t\t\tStatus:\tNegoPending- InProgress-
\tCapabilities: [250 v1] Latency Tolerance Reporting
\t\tMax snoop latency: 0ns
\t\tMax no snoop latency: 0ns
\tCapabilities: [128 v1] Power Budgeting <?>
\tCapabilities: [420 v2] Advanced Error Reporting
\t\tUESta:\tDLP- SDES- TLP- FCP- CmpltTO- CmpltAbrt- UnxCmplt- RxOF- MalfTLP- ECRC- UnsupReq- ACSViol-
\t\tAERCap:\tFirst Error Pointer: 00, ECRCGenCap- ECRCGenEn- ECRCChkCap- ECRCChkEn-
\t\t\tMultHdrRecCap- MultHdrRecEn- TLPPfxPres- HdrLogCap-
\t\tHeaderLog: 00000000 00000000 00000000 00000000
\tCapabilities: [600 v1] Vendor Specific Information: ID=0001 Rev=1 Len=024 <?>
\tCapabilities: [900 v1] Secondary PCI Express <?>
\tKernel driver in use: vfio-pci
\tKernel modules: nvidiafb, nouveau

01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
\tSubsystem: ASUSTeK Computer Inc. GP104 High Definition Audio Controller [1043:85aa]
\tControl: I/O- Mem+ BusMaster- SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-
\tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
\tInterrupt: pin B routed to IRQ 17
\tIOMMU group: 1
\tRegion 0: Memory at f7080000 (32-bit, non-prefetchable) [size=16K]
\tCapabilities: [60] Power Management version 3
\t\tFlags: PMEClk- DSI- D1- D2- AuxCurrent=0mA PME(D0-,D1-,D2-,D3hot-,D3cold-)
\t\tStatus: D3 NoSoftRst- PME-Enable- DSel=0 DScale=0 PME-
\tCapabilities: [68] MSI: Enable- Count=1/1 Maskable- 64bit+
\t\tAddress: 0000000000000000  Data: 0000
\tCapabilities: [78] Express (v2) Endpoint, MSI 00
\t\tDevCap:\tMaxPayload 256 bytes, PhantFunc 0, Latency L0s unlimited, L1 <64us
\t\t\tExtTag+ AttnBtn- AttnInd- PwrInd- RBE+ FLReset- SlotPowerLimit 75.000W
\t\tDevCtl:\tCorrErr- NonFatalErr- FatalErr- UnsupReq-
\t\t\tRlxdOrd+ ExtTag+ PhantFunc- AuxPwr- NoSnoop+
\t\tLnkSta:\tSpeed 8GT/s (ok), Width x16 (ok)
\tCapabilities: [100 v2] Advanced Error Reporting
\tKernel driver in use: vfio-pci
\tKernel modules: snd_hda_intel
";

    #[test]
    fn vvv_identity_and_header_registers() {
        let devices = parse(GP104_VVV);
        assert_eq!(devices.len(), 2);
        let vga = &devices[0];
        assert_eq!(vga.class, 0x030000);
        assert_eq!((vga.subsystem_vendor_id, vga.subsystem_device_id), (Some(0x1043), Some(0x85aa)));
        assert_eq!(vga.iommu_group, Some(1));
        assert_eq!(vga.driver.name(), Some("vfio-pci"));
        let config = vga.config.as_ref().expect("capabilities printed");
        assert_eq!(config.command, 0x0407);
        assert_eq!(config.status, 0x0010);
        assert_eq!(config.header_type, 0);
        assert!(config.multifunction, "01:00.1 is in the listing");
        assert_eq!(config.length, 4096);
        assert_eq!(config.from, Provenance::line(SOURCE, 13));
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert_eq!(devices[1].config.as_ref().map(|c| c.command), Some(0x0002));
    }

    #[test]
    fn vvv_bars_and_shadowed_rom() {
        let vga = one(GP104_VVV.split("\n\n").next().unwrap_or_default());
        let bars = vga.bars.expect("-vv prints BARs");
        let indexes: Vec<u8> = bars.iter().map(|bar| bar.index).collect();
        assert_eq!(indexes, [0, 1, 3, 5, 6]);
        assert_eq!((bars[0].start, bars[0].size(), bars[0].flags), (0xf600_0000, 16 << 20, 0x200));
        assert!(bars[1].is_64bit() && bars[1].is_prefetchable());
        assert_eq!(bars[1].size(), 256 << 20);
        assert!(bars[3].is_io());
        assert_eq!((bars[3].start, bars[3].end), (0xe000, 0xe07f));
        let rom = &bars[4];
        assert_eq!((rom.start, rom.size()), (0xc0000, 128 << 10));
        assert!(rom.is_shadowed_rom());
        assert_eq!(rom.flags & IORESOURCE_ROM_ENABLE, 0, "[disabled]");
        assert!(!vga.config.expect("caps").multifunction, "alone in this listing");
    }

    #[test]
    fn vvv_capability_lists() {
        let devices = parse(GP104_VVV);
        let config = devices[0].config.as_ref().expect("caps");
        let standard: Vec<(u16, u16, &str)> =
            config.capabilities.iter().flatten().map(|c| (c.id, c.offset, c.name.as_str())).collect();
        assert_eq!(
            standard,
            [(0x01, 0x60, "Power Management"), (0x05, 0x68, "MSI"), (0x10, 0x78, "Express")]
        );
        let versions: Vec<Option<u8>> = config.capabilities.iter().flatten().map(|c| c.version).collect();
        assert_eq!(versions, [Some(3), None, Some(2)]);
        let extended: Vec<(u16, u16, Option<u8>)> =
            config.extended_capabilities.iter().flatten().map(|c| (c.id, c.offset, c.version)).collect();
        assert_eq!(
            extended,
            [
                (0x02, 0x100, Some(1)),
                (0x18, 0x250, Some(1)),
                (0x04, 0x128, Some(1)),
                (0x01, 0x420, Some(2)),
                (0x0b, 0x600, Some(1)),
                (0x19, 0x900, Some(1)),
            ]
        );
        assert_eq!(config.resizable_bars, Some(Vec::new()));
        assert_eq!(config.af_flr, Some(false));
        assert_eq!(config.acs, None);
    }

    #[test]
    fn vvv_pm_msi_and_express() {
        let devices = parse(GP104_VVV);
        let vga = devices[0].config.as_ref().expect("caps");
        assert_eq!(
            vga.power_management,
            Some(PowerManagement { offset: 0x60, version: 3, state: "D0".into(), no_soft_reset: true })
        );
        assert_eq!(
            vga.msi,
            Some(Msi {
                offset: 0x68,
                enabled: true,
                count_enabled: 1,
                count_capable: 1,
                is_64bit: true,
                maskable: false
            })
        );
        assert_eq!(
            vga.express,
            Some(Express {
                offset: 0x78,
                version: 2,
                port_type: "legacy-endpoint".into(),
                flr: false,
                link_speed: Some("8GT/s".into()),
                link_width: Some(16),
            })
        );

        let audio = devices[1].config.as_ref().expect("caps");
        assert_eq!(audio.msi.as_ref().map(|msi| msi.enabled), Some(false));
        let pm = audio.power_management.as_ref().expect("PM status printed");
        assert_eq!((pm.state.as_str(), pm.no_soft_reset), ("D3hot", false));
        assert_eq!(audio.express.as_ref().map(|e| e.port_type.as_str()), Some("endpoint"));
        assert_eq!(audio.length, 4096);
    }

    #[test]
    fn flreset_is_taken_from_devcap_not_devctl() {
        // FLReset+ under DevCap, FLReset- under DevCtl: the device can do FLR.
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102GL [RTX A6000] [10de:2230] (rev a1)
\tCapabilities: [78] Express (v2) Legacy Endpoint, MSI 00
\t\tDevCap:\tMaxPayload 256 bytes, PhantFunc 0, Latency L0s unlimited, L1 <64us
\t\t\tExtTag+ AttnBtn- AttnInd- PwrInd- RBE+ FLReset+
\t\tDevCtl:\tCorrErr+ NonFatalErr+ FatalErr+ UnsupReq-
\t\t\tRlxdOrd+ ExtTag+ PhantFunc- AuxPwr- NoSnoop- FLReset-
";
        let express = one(text).config.and_then(|c| c.express).expect("Express with DevCap");
        assert!(express.flr);
    }

    /// Published `lspci -vvd 10DE:` output from an RTX A6000 host (neuropoly "GPU
    /// Clusters" docs), shortened; the tabs became 8 spaces on the way to the web page.
    const A6000_VV_SPACES: &str = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102GL [RTX A6000] [10de:2230] (rev a1) (prog-if 00 [VGA controller])
        Subsystem: NVIDIA Corporation GA102GL [RTX A6000] [10de:1459]
        Control: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx+
        Status: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
        Latency: 0
        Interrupt: pin A routed to IRQ 240
        Region 0: Memory at de000000 (32-bit, non-prefetchable) [size=16M]
        Region 1: Memory at c0000000 (64-bit, prefetchable) [size=256M]
        Region 3: Memory at d0000000 (64-bit, prefetchable) [size=32M]
        Region 5: I/O ports at 3000 [size=128]
        Expansion ROM at df000000 [virtual] [disabled] [size=512K]
        Capabilities: [60] Power Management version 3
                Flags: PMEClk- DSI- D1- D2- AuxCurrent=0mA PME(D0+,D1-,D2-,D3hot+,D3cold-)
                Status: D0 NoSoftRst+ PME-Enable- DSel=0 DScale=0 PME-
        Capabilities: [68] MSI: Enable+ Count=1/1 Maskable- 64bit+
                Address: 00000000fee09000  Data: 0023
        Capabilities: [78] Express (v2) Legacy Endpoint, MSI 00
                DevCap: MaxPayload 256 bytes, PhantFunc 0, Latency L0s unlimited, L1 <64us
                        ExtTag+ AttnBtn- AttnInd- PwrInd- RBE+ FLReset+
                DevCtl: CorrErr+ NonFatalErr+ FatalErr+ UnsupReq-
                        RlxdOrd+ ExtTag+ PhantFunc- AuxPwr- NoSnoop- FLReset-
                        MaxPayload 256 bytes, MaxReadReq 512 bytes
                LnkSta: Speed 2.5GT/s (downgraded), Width x16 (ok)
                        TrErr- Train- SlotClk+ DLActive- BWMgmt- ABWMgmt-
                DevCap2: Completion Timeout: Range AB, TimeoutDis+ NROPrPrP- LTR-
                         AtomicOpsCap: 32bit- 64bit- 128bitCAS-
        Capabilities: [b4] Vendor Specific Information: Len=14 <?>
        Capabilities: [100 v1] Virtual Channel
                Caps:   LPEVC=0 RefClk=100ns PATEntryBits=1
        Capabilities: [258 v1] L1 PM Substates
        Capabilities: [128 v1] Power Budgeting <?>
        Capabilities: [420 v2] Advanced Error Reporting
        Capabilities: [600 v1] Vendor Specific Information: ID=0001 Rev=1 Len=024 <?>
        Capabilities: [900 v1] Secondary PCI Express
                LnkCtl3: LnkEquIntrruptEn- PerformEqu-
                LaneErrStat: 0
        Capabilities: [bb0 v1] Physical Resizable BAR
                BAR 0: current size: 16MB, supported: 16MB
                BAR 1: current size: 256MB, supported: 64MB 128MB 256MB 512MB 1GB 2GB 4GB 8GB 16GB 32GB 64GB
                BAR 3: current size: 32MB, supported: 32MB
        Capabilities: [c1c v1] Physical Layer 16.0 GT/s <?>
        Capabilities: [d00 v1] Lane Margining at the Receiver <?>
        Capabilities: [e00 v1] Data Link Feature <?>
        Kernel driver in use: nvidia
        Kernel modules: nvidiafb, nouveau, nvidia_drm, nvidia
";

    #[test]
    fn space_indented_listing_with_resizable_bar() {
        let device = one(A6000_VV_SPACES);
        assert_eq!(device.driver.name(), Some("nvidia"));
        assert_eq!(device.kernel_modules.as_ref().map(Vec::len), Some(4));
        let config = device.config.expect("caps");
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        let express = config.express.expect("Express");
        assert!(express.flr);
        assert_eq!((express.link_speed.as_deref(), express.link_width), (Some("2.5GT/s"), Some(16)));
        assert_eq!(
            config.resizable_bars,
            Some(vec![
                ResizableBar { bar: 0, current_mb: 16, supported_mb: vec![16] },
                ResizableBar {
                    bar: 1,
                    current_mb: 256,
                    supported_mb: vec![64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
                },
                ResizableBar { bar: 3, current_mb: 32, supported_mb: vec![32] },
            ])
        );
        let names: Vec<&str> =
            config.extended_capabilities.iter().flatten().map(|c| c.name.as_str()).collect();
        assert_eq!(names[..3], ["Virtual Channel", "L1 PM Substates", "Power Budgeting"]);
        assert_eq!(names.last(), Some(&"Data Link Feature"));
        let standard: Vec<&str> = config.capabilities.iter().flatten().map(|c| c.name.as_str()).collect();
        assert_eq!(standard, ["Power Management", "MSI", "Express", "Vendor Specific Information"]);
        let rom = device.bars.expect("bars").pop().expect("ROM");
        assert_eq!((rom.index, rom.start), (Bar::ROM_INDEX, 0xdf00_0000));
        assert!(!rom.is_shadowed_rom(), "a [virtual] ROM away from 0xc0000 is no shadow");
    }

    #[test]
    fn access_denied_leaves_config_unknown() {
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1080] [10de:1b80] (rev a1) (prog-if 00 [VGA controller])
\tSubsystem: ASUSTeK Computer Inc. GP104 [GeForce GTX 1080] [1043:85aa]
\tFlags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 1
\tMemory at f6000000 (32-bit, non-prefetchable) [size=16M]
\tMemory at e0000000 (64-bit, prefetchable) [size=256M]
\tMemory at f0000000 (64-bit, prefetchable) [size=32M]
\tI/O ports at e000 [size=128]
\tExpansion ROM at f7000000 [disabled] [size=512K]
\tCapabilities: <access denied>
\tKernel driver in use: vfio-pci
\tKernel modules: nvidiafb, nouveau
";
        let device = one(text);
        assert_eq!(device.config, None);
        assert_eq!(device.iommu_group, Some(1));
        assert_eq!(device.driver.name(), Some("vfio-pci"));
        let bars = device.bars.expect("-v prints BARs");
        let indexes: Vec<u8> = bars.iter().map(|bar| bar.index).collect();
        assert_eq!(indexes, [0, 1, 3, 5, 6], "64-bit BARs take two slots");
        assert_eq!(bars[4].flags & IORESOURCE_ROM_ENABLE, 0);
        assert_eq!(bars[4].size(), 512 << 10);
    }

    #[test]
    fn single_v_capabilities_without_details() {
        let text = "\
01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
\tFlags: fast devsel, IRQ 17, IOMMU group 1
\tMemory at f7080000 (32-bit, non-prefetchable) [size=16K]
\tCapabilities: [60] Power Management version 3
\tCapabilities: [68] MSI: Enable- Count=1/1 Maskable- 64bit+
\tCapabilities: [78] Express Endpoint, MSI 00
\tCapabilities: [100] Advanced Error Reporting
\tKernel driver in use: snd_hda_intel
";
        let config = one(text).config.expect("caps");
        assert_eq!(config.length, 4096);
        assert_eq!(config.msi.map(|msi| msi.enabled), Some(false));
        assert_eq!(config.power_management, None, "no Status line with -v");
        assert_eq!(config.express, None, "no DevCap line with -v");
        assert_eq!(config.capabilities.as_ref().map(Vec::len), Some(3));
        assert_eq!(config.capabilities.and_then(|c| c.first().and_then(|pm| pm.version)), Some(3));
        assert_eq!(config.status, 0x0010);
        assert_eq!(
            config.problems,
            ["lspci printed no Control/Status lines (needs -vv); command and status are not known"]
        );
    }

    #[test]
    fn msi_line_quoted_by_the_troubleshooting_seed() {
        // seeds/002: "check for the following line on your device".
        let text = "\
01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
\tCapabilities: [a0] MSI: Enable+ Count=1/1 Maskable- 64bit+
";
        let config = one(text).config.expect("caps");
        assert_eq!(
            config.msi,
            Some(Msi {
                offset: 0xa0,
                enabled: true,
                count_enabled: 1,
                count_capable: 1,
                is_64bit: true,
                maskable: false
            })
        );
        assert_eq!(config.length, 256);
        assert_eq!(config.extended_capabilities, None);
        assert_eq!(config.resizable_bars, None);
    }

    #[test]
    fn msix_acs_af_and_a_root_port() {
        let text = "\
00:01.1 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse GPP Bridge [1022:1483] (prog-if 00 [Normal decode])
\tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx+
\tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
\tCapabilities: [58] Express (v2) Root Port (Slot+), MSI 00
\t\tDevCap:\tMaxPayload 512 bytes, PhantFunc 0
\t\t\tExtTag+ RBE+
\t\tLnkSta:\tSpeed 16GT/s, Width x16
\tCapabilities: [a0] MSI-X: Enable+ Count=9 Masked-
\t\tVector table: BAR=0 offset=00000000
\tCapabilities: [c0] PCI Advanced Features
\t\tAFCap: TP+ FLR+
\t\tAFCtrl: FLR-
\tCapabilities: [2a0 v1] Access Control Services
\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+
\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-
\tKernel driver in use: pcieport
";
        let device = one(text);
        assert!(device.is_bridge());
        let config = device.config.expect("caps");
        assert_eq!(config.header_type, 1);
        assert_eq!(config.msix, Some(MsiX { offset: 0xa0, enabled: true, masked: false, table_size: 9 }));
        assert_eq!(config.af_flr, Some(true));
        assert_eq!(config.acs, Some(Acs { offset: 0x2a0, capability: 0x5f, control: 0x1d }));
        let express = config.express.expect("root ports print no FLReset");
        assert_eq!(express.port_type, "root-port");
        assert!(!express.flr);
        assert_eq!(express.link_speed.as_deref(), Some("16GT/s"));
    }

    #[test]
    fn old_pciutils_spellings() {
        let text = "\
01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 10 [1002:731f] (rev c1)
\tCapabilities: [48] Vendor Specific Information: Len=08 <?>
\tCapabilities: [200 v1] Resizable BAR <?>
\tCapabilities: [900] #19
\tCapabilities: [a00] Extended Capability ID 0x2b
";
        let config = one(text).config.expect("caps");
        let extended: Vec<(u16, &str)> =
            config.extended_capabilities.iter().flatten().map(|c| (c.id, c.name.as_str())).collect();
        assert_eq!(
            extended,
            [
                (0x15, "Physical Resizable BAR"),
                (0x19, "Secondary PCI Express"),
                (0x2b, "Extended Capability ID 0x2b")
            ]
        );
        assert_eq!(config.resizable_bars, None, "present, sizes not printed");
    }

    #[test]
    fn chain_problems_and_unknown_names_are_recorded() {
        let text = "\
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:1b80]
\tCapabilities: [60] Power Management version 3
\tCapabilities: [68] <chain looped>
\tCapabilities: [70] Frobnicator v9
\tCapabilities: nonsense
";
        let config = one(text).config.expect("caps");
        assert_eq!(config.capabilities.map(|c| c.len()), Some(1));
        assert_eq!(config.af_flr, None, "the list is incomplete");
        assert_eq!(
            config.problems[..3],
            [
                "capability chain looped at 0x68".to_owned(),
                "capability `Frobnicator v9` at 0x70 is not recognised".to_owned(),
                "unreadable capability line `nonsense`".to_owned(),
            ]
        );
    }

    #[test]
    fn sriov_regions_inside_a_capability_are_not_device_bars() {
        let text = "\
03:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ [8086:1572] (rev 02)
\tRegion 0: Memory at 3bffe000000 (64-bit, prefetchable) [size=8M]
\tCapabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)
\t\tIOVCap:\tMigration-, Interrupt Message Number: 000
\t\tRegion 0: Memory at 000003bffd800000 (64-bit, prefetchable)
\t\tRegion 3: Memory at 000003bffd000000 (64-bit, prefetchable)
";
        let bars = one(text).bars.expect("bars");
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].start, 0x3bf_fe00_0000);
    }

    #[test]
    fn unassigned_bars_keep_their_size() {
        let text = "\
02:00.0 3D controller [0302]: NVIDIA Corporation GK210GL [Tesla K80] [10de:102d] (rev a1)
\tRegion 0: Memory at 90000000 (32-bit, non-prefetchable) [size=16M]
\tRegion 1: Memory at <unassigned> (64-bit, prefetchable) [size=16G]
\tRegion 3: Memory at <ignored> (64-bit, prefetchable) [disabled] [size=32M]
";
        let bars = one(text).bars.expect("bars");
        assert_eq!(bars.len(), 3);
        assert_eq!((bars[1].start, bars[1].size()), (0, 16 << 30));
        assert_ne!(bars[1].flags & IORESOURCE_UNSET, 0);
        assert_ne!(bars[2].flags & IORESOURCE_UNSET, 0);
    }

    #[test]
    fn crlf_and_trailing_blanks() {
        let text = DOMAIN_NNK.replace('\n', " \r\n");
        let devices = parse(&text);
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].kernel_modules.as_ref().map(Vec::len), Some(2));
    }

    #[test]
    fn every_prefix_and_garbage_parse_without_panicking() {
        for text in [GP104_VVV, A6000_VV_SPACES] {
            for end in (0..text.len()).filter(|&end| text.is_char_boundary(end)) {
                let _ = parse(&text[..end]);
            }
        }
        let garbage = [
            "01:00.0",
            "01:00.0 \t",
            "01:00.0 0300: 10de:zzzz",
            "01:00.0 VGA [0300]: x [10de:1b80]\n\tCapabilities: [",
            "01:00.0 VGA [0300]: x [10de:1b80]\n\tCapabilities: [zz] MSI:",
            "01:00.0 VGA [0300]: x [10de:1b80]\n\tCapabilities: [68] MSI: Enable+ Count=99999999999/1\n\tRegion 9: Memory at 1 [size=1T]",
            "01:00.0 VGA [0300]: x [10de:1b80]\n\tMemory at ffffffffffffffff (64-bit, prefetchable) [size=16E]\n\tMemory at ffffffffffffffff (64-bit, prefetchable) [size=16M]",
            "01:00.0 VGA [0300]: x [10de:1b80]\n\tCapabilities: [bb0 v1] Physical Resizable BAR\n\t\tBAR 1: current size: 99999999999999999999EB, supported: xMB",
            "01:20.0 VGA [0300]: x [10de:1b80]",
            "\t\t\tDevCap: FLReset+",
        ];
        for text in garbage {
            let _ = parse(text);
        }
        assert!(parse("01:20.0 VGA [0300]: x [10de:1b80]").is_empty(), "device 0x20 is invalid");
    }
}
