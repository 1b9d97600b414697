//! `/etc/default/grub` (and `grub.d/*.cfg`) and systemd-boot loader entries.

/// The kernel command line GRUB is configured to pass: `GRUB_CMDLINE_LINUX` followed by
/// `GRUB_CMDLINE_LINUX_DEFAULT`, with shell quoting removed. Later assignments win, as
/// in the shell; `+=`/`$VAR` appends are expanded for these two variables. Returns the
/// value and the 1-based line of the last assignment that set it, or `None` when neither
/// variable is assigned.
pub fn parse_default_grub(text: &str) -> Option<(String, u64)> {
    let _ = text;
    None
}

/// The `options` line of a systemd-boot loader entry (`/boot/loader/entries/*.conf`),
/// with its 1-based line number.
pub fn parse_loader_entry_options(text: &str) -> Option<(String, u64)> {
    let _ = text;
    None
}
