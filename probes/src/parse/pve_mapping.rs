//! Proxmox PCI resource mappings (`/etc/pve/mapping/pci.cfg`, domain.md 6.4).
//!
//! A section-config file (`pve-common: PVE/SectionConfig.pm`, `parse_config`) whose
//! header line is just the mapping id (`pve-guest-common: PVE/Mapping/PCI.pm`,
//! `parse_section_header`), followed by indented `key value` lines up to the next
//! empty line. Each `map` line is a property string naming the device on one node.
//! Malformed files are read the way Proxmox reads them, so a mapping Proxmox drops is
//! dropped here too. Pure: no I/O, never panics.

use super::pve_config::{is_pve_id, property_parts, Property};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PciMapping {
    pub id: String,
    pub entries: Vec<PciMapEntry>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PciMapEntry {
    pub node: Option<String>,
    pub path: Option<String>,
    /// `vvvv:dddd`.
    pub id: Option<String>,
    pub subsystem_id: Option<String>,
    pub iommu_group: Option<u32>,
    pub line: u64,
}

/// Parses every mapping in file order. A later section with the same id replaces the
/// earlier one, as in Proxmox (the ids are hash keys).
pub fn parse_pci_mappings(text: &str) -> Vec<PciMapping> {
    let mut mappings: Vec<PciMapping> = Vec::new();
    // The mapping being filled, or `None` between sections and inside a skipped one.
    let mut current: Option<PciMapping> = None;
    let mut in_section = false;
    for (index, raw_line) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        // `$nextline` skips comments without ending the section.
        if raw_line.trim_start().starts_with('#') {
            continue;
        }
        // An empty line ends the section (`while ($line = $nextline->())`). Lines of
        // only spaces or a lone `\r` count as empty here, which Proxmox never writes.
        if raw_line.trim().is_empty() {
            finish(&mut mappings, current.take());
            in_section = false;
            continue;
        }
        if in_section {
            if let (Some(mapping), Some(entry)) = (current.as_mut(), map_entry(raw_line, line_no)) {
                mapping.entries.push(entry);
            }
            continue;
        }
        // `^(\S+)\s*$`; a line that is not a header is ignored with a warning. A header
        // with an invalid id opens a section that is skipped whole.
        if let Some(id) = section_header(raw_line) {
            in_section = true;
            current =
                is_pve_id(id).then(|| PciMapping { id: id.to_string(), entries: Vec::new(), line: line_no });
        }
    }
    finish(&mut mappings, current);
    mappings
}

fn finish(mappings: &mut Vec<PciMapping>, mapping: Option<PciMapping>) {
    if let Some(mapping) = mapping {
        mappings.retain(|known| known.id != mapping.id);
        mappings.push(mapping);
    }
}

fn section_header(line: &str) -> Option<&str> {
    let id = line.trim_end();
    let starts_with_space = line.starts_with(char::is_whitespace);
    (!starts_with_space && !id.contains(char::is_whitespace)).then_some(id)
}

/// A body line `^\s+(\S+)(\s+(.*\S))?\s*$` whose key is `map`. The other keys
/// (`description`, `mdev`, `live-migration-capable`) have no field in [`PciMapping`].
fn map_entry(line: &str, line_no: u64) -> Option<PciMapEntry> {
    if !line.starts_with(char::is_whitespace) {
        return None;
    }
    let (key, value) = line.trim().split_once(char::is_whitespace)?;
    (key == "map").then(|| parse_map(value.trim(), line_no))
}

/// `$map_fmt` in `pve-guest-common: PVE/Mapping/PCI.pm`. It has no default key, so bare
/// parts are ignored, as are `description` and unknown keys. `path` stays as written: it
/// may leave out the function (whole device) or list alternatives with `;`.
fn parse_map(value: &str, line: u64) -> PciMapEntry {
    let mut entry = PciMapEntry { line, ..PciMapEntry::default() };
    for Property { key, value, .. } in property_parts(value) {
        let text = (!value.is_empty()).then(|| value.to_string());
        match key {
            Some("node") => entry.node = text,
            Some("path") => entry.path = text,
            Some("id") => entry.id = text,
            Some("subsystem-id") => entry.subsystem_id = text,
            Some("iommugroup") => entry.iommu_group = value.parse().ok(),
            _ => {}
        }
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        node: &str,
        path: &str,
        id: &str,
        group: Option<u32>,
        subsystem: Option<&str>,
        line: u64,
    ) -> PciMapEntry {
        PciMapEntry {
            node: Some(node.into()),
            path: Some(path.into()),
            id: Some(id.into()),
            subsystem_id: subsystem.map(String::from),
            iommu_group: group,
            line,
        }
    }

    #[test]
    fn domain_md_example() {
        let text = "someNic\n\
                    \tmap node=pve1,path=0000:01:00.0,id=8086:1533,iommugroup=14,subsystem-id=15d9:1533\n\
                    \tmap node=pve2,path=0000:03:00.0,id=8086:1533,iommugroup=9\n";
        assert_eq!(
            parse_pci_mappings(text),
            vec![PciMapping {
                id: "someNic".into(),
                line: 1,
                entries: vec![
                    entry("pve1", "0000:01:00.0", "8086:1533", Some(14), Some("15d9:1533"), 2),
                    entry("pve2", "0000:03:00.0", "8086:1533", Some(9), None, 3),
                ],
            }]
        );
    }

    /// Several mappings as `write_config` lays them out: a blank line after each section,
    /// `description` first, then `map` lines; a whole-device path and a `;` list.
    #[test]
    fn several_mappings_with_other_properties() {
        let text = "\
gpu
\tdescription RTX%203080%20for%20the%20gaming%20VM
\tmap id=10de:2206,iommugroup=16,node=pve1,path=0000:01:00,subsystem-id=1458:403b,description=slot%201
\tmdev 0

vgpu-pool
\tmap id=8086:3e92,node=pve1,path=0000:00:02.0
\tmap id=8086:3e92,node=pve2,path=0000:00:02.0;0000:00:02.1
\tmdev 1
\tlive-migration-capable 1

";
        let mappings = parse_pci_mappings(text);
        assert_eq!(
            mappings.iter().map(|m| (m.id.as_str(), m.line, m.entries.len())).collect::<Vec<_>>(),
            vec![("gpu", 1, 1), ("vgpu-pool", 6, 2)]
        );
        assert_eq!(
            mappings[0].entries[0],
            entry("pve1", "0000:01:00", "10de:2206", Some(16), Some("1458:403b"), 3)
        );
        assert_eq!(mappings[1].entries[1].path.as_deref(), Some("0000:00:02.0;0000:00:02.1"));
        assert_eq!(mappings[1].entries[1].line, 8);
    }

    #[test]
    fn comments_crlf_and_trailing_space() {
        let text = "# managed by Proxmox\r\nnic  \r\n# inside a section\r\n\tmap node=pve1,path=0000:05:00.0,id=8086:1521 \r\n\r\n";
        let mappings = parse_pci_mappings(text);
        assert_eq!(mappings.len(), 1);
        assert_eq!(mappings[0].id, "nic");
        assert_eq!(mappings[0].line, 2);
        assert_eq!(mappings[0].entries, vec![entry("pve1", "0000:05:00.0", "8086:1521", None, None, 4)]);
    }

    #[test]
    fn header_without_blank_line_is_ignored_like_proxmox() {
        // Inside a section body a non-indented line is "ignore config line", so `second`
        // and its map line become part of `first`.
        let text = "first\n\tmap node=a,path=0000:01:00.0,id=10de:1b80\nsecond\n\tmap node=b,path=0000:02:00.0,id=10de:10f0\n";
        let mappings = parse_pci_mappings(text);
        assert_eq!(mappings.len(), 1);
        assert_eq!(mappings[0].entries.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn invalid_ids_skip_their_section() {
        let text = "1gpu\n\tmap node=a,path=0000:01:00.0,id=10de:1b80\n\nx\n\tmap node=a,path=0000:01:00.0,id=10de:1b80\n\nok_id\n\tmap node=a,path=0000:01:00.0,id=10de:1b80\n";
        let ids: Vec<_> = parse_pci_mappings(text).into_iter().map(|m| m.id).collect();
        assert_eq!(ids, vec!["ok_id"]);
    }

    #[test]
    fn repeated_id_replaces_earlier() {
        let text = "gpu\n\tmap node=a,path=0000:01:00.0,id=10de:1b80\n\nnic\n\tmap node=a,path=0000:02:00.0,id=8086:1533\n\ngpu\n\tmap node=a,path=0000:03:00.0,id=10de:1b80\n";
        let mappings = parse_pci_mappings(text);
        assert_eq!(mappings.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), vec!["nic", "gpu"]);
        assert_eq!(mappings[1].entries[0].path.as_deref(), Some("0000:03:00.0"));
    }

    #[test]
    fn odd_map_values() {
        let text =
            "gpu\n\tmap node=pve1,bare,iommugroup=fourteen,path=,id=10de:2206\n\tmap\n\tdescription only\n";
        let mappings = parse_pci_mappings(text);
        assert_eq!(
            mappings[0].entries,
            vec![PciMapEntry {
                node: Some("pve1".into()),
                id: Some("10de:2206".into()),
                line: 2,
                ..PciMapEntry::default()
            }]
        );
    }

    #[test]
    fn garbage_never_panics() {
        for input in ["", "\n\n", "\t", "\tmap node=a", "ü\n\tmap ü=ß,,,==", "a b c\n\tmap x", "\u{0}\n\u{0}"]
        {
            let _ = parse_pci_mappings(input);
        }
        assert!(parse_pci_mappings("\tmap node=pve1,path=0000:01:00.0,id=8086:1533\n").is_empty());
        assert!(parse_pci_mappings("two words\n\tmap node=pve1\n").is_empty());
    }
}
