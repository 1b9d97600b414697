//! Command-line flags (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "vfio-doctor",
    version,
    about = "Diagnose PCI/GPU passthrough (VFIO) problems on Proxmox VE, QEMU/KVM and libvirt hosts",
    long_about = "vfio-doctor reads the host (or a snapshot, or text pasted from a forum post) into typed \
facts: IOMMU state, groups, PCI devices and their drivers, kernel command line, bootloader, modules and VM \
configs. It never changes the host.",
    after_help = "Examples:\n  vfio-doctor facts                      summary of this host\n  \
vfio-doctor facts --json               every fact, as JSON\n  \
vfio-doctor facts --paste post.txt     facts from text pasted into a forum post\n  \
sudo vfio-doctor snapshot host-snap    capture this host into a folder"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what vfio-doctor knows about a host.
    #[command(after_help = "Examples:\n  vfio-doctor facts\n  vfio-doctor facts --json | jq .iommu\n  \
vfio-doctor facts --root fixtures/intel-nvidia-vfio-ok\n  dmesg | vfio-doctor facts --paste -")]
    Facts {
        /// Print every fact as JSON (versioned schema) instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Capture this host into a snapshot folder (or a one-file `.host` archive).
    #[command(after_help = "Examples:\n  sudo vfio-doctor snapshot /tmp/my-host\n  \
sudo vfio-doctor snapshot my-host.host\n\nRun as root to capture config space, /proc/iomem and a restricted kernel log.")]
    Snapshot {
        /// Where to write; must not exist yet. A name ending in `.host` writes one text file.
        out: PathBuf,
        /// Free text stored in the manifest: what this snapshot shows.
        #[arg(long)]
        description: Option<String>,
    },
}

/// Where the facts come from. Without any of these, the live host.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Read a snapshot: a folder, a `.host` text archive or a report zip.
    #[arg(long, value_name = "SNAPSHOT", conflicts_with = "paste", global = true)]
    pub root: Option<PathBuf>,
    /// Read text pasted from a forum post (any mix of dmesg, lspci, VM config, …); `-` is stdin.
    #[arg(long, value_name = "FILE", num_args = 1.., global = true)]
    pub paste: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `auto` colours only a terminal, and never when NO_COLOR is set.
    pub fn apply(self) {
        match self {
            ColorChoice::Always => owo_colors::set_override(true),
            ColorChoice::Never => owo_colors::set_override(false),
            ColorChoice::Auto => {
                use std::io::IsTerminal;
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                owo_colors::set_override(!no_color && std::io::stdout().is_terminal());
            }
        }
    }
}
