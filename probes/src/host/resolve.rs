//! Path resolution inside a host tree: follows symbolic links the way the kernel does,
//! but never lets a link lead outside the tree. A snapshot is untrusted input, so an
//! absolute or `..`-heavy link target is confined to the snapshot's root, as in a chroot.

use super::HostError;

/// The kernel gives up after 40 links (`MAXSYMLINKS`).
const MAX_LINK_HOPS: usize = 40;

/// Splits a host path into normal components (no empty, `.` components).
pub fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// What a tree answers about one already-resolved path.
pub trait LinkLookup {
    /// `Ok(Some(target))` if `path` is a link, `Ok(None)` if it is something else,
    /// `Err` if it does not exist or cannot be examined.
    fn link_at(&self, path: &str) -> Result<Option<String>, HostError>;
}

/// Resolves `path` to a link-free path inside the tree. With `follow_last` false a final
/// link is left unresolved (for `read_link` and `kind`).
pub fn resolve(tree: &impl LinkLookup, path: &str, follow_last: bool) -> Result<String, HostError> {
    let mut done: Vec<String> = Vec::new();
    let mut pending: Vec<String> = components(path).rev().map(str::to_string).collect();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            done.pop();
            continue;
        }
        done.push(part);
        let is_last = pending.is_empty();
        if is_last && !follow_last {
            break;
        }
        let here = done.join("/");
        let Some(target) = tree.link_at(&here)? else { continue };
        hops += 1;
        if hops > MAX_LINK_HOPS {
            return Err(HostError::LinkLoop { path: path.to_string() });
        }
        done.pop();
        if target.starts_with('/') {
            done.clear();
        }
        pending.extend(components(&target).rev().map(str::to_string));
    }
    Ok(done.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Links(BTreeMap<&'static str, &'static str>);

    impl LinkLookup for Links {
        fn link_at(&self, path: &str) -> Result<Option<String>, HostError> {
            Ok(self.0.get(path).map(|t| t.to_string()))
        }
    }

    #[test]
    fn follows_sysfs_style_relative_links() {
        let links = Links(BTreeMap::from([(
            "sys/bus/pci/devices/0000:01:00.0",
            "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0",
        )]));
        assert_eq!(
            resolve(&links, "sys/bus/pci/devices/0000:01:00.0/vendor", true).unwrap(),
            "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor"
        );
        assert_eq!(
            resolve(&links, "sys/bus/pci/devices/0000:01:00.0", false).unwrap(),
            "sys/bus/pci/devices/0000:01:00.0"
        );
    }

    #[test]
    fn confines_escaping_and_absolute_targets_to_the_root() {
        let links = Links(BTreeMap::from([("a/up", "../../../../etc"), ("a/abs", "/etc")]));
        assert_eq!(resolve(&links, "a/up/passwd", true).unwrap(), "etc/passwd");
        assert_eq!(resolve(&links, "a/abs/passwd", true).unwrap(), "etc/passwd");
        assert_eq!(resolve(&links, "../../x", true).unwrap(), "x");
    }

    #[test]
    fn reports_loops() {
        let links = Links(BTreeMap::from([("a", "b"), ("b", "a")]));
        assert!(matches!(resolve(&links, "a/x", true), Err(HostError::LinkLoop { .. })));
        let selfish = Links(BTreeMap::from([("l", "l")]));
        assert!(matches!(resolve(&selfish, "l", true), Err(HostError::LinkLoop { .. })));
    }
}
