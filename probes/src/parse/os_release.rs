//! `/etc/os-release` (`man 5 os-release`).

use engine::facts::Distro;

pub fn parse_os_release(text: &str) -> Option<Distro> {
    let _ = text;
    None
}
