//! IOMMU group listings that users paste: the ArchWiki loop output
//! (`IOMMU Group 1 01:00.0 VGA compatible controller [0300]: … [10de:1b80] (rev a1)`)
//! and `find /sys/kernel/iommu_groups/ -type l` output
//! (`/sys/kernel/iommu_groups/1/devices/0000:01:00.0`), one per line or run together.

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

pub fn parse_iommu_listing(text: &str) -> Vec<GroupMember> {
    let _ = text;
    Vec::new()
}
