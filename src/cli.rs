//! Command-line flags (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "vfio-doctor",
    version,
    about = "Diagnose PCI/GPU passthrough (VFIO) problems on Proxmox VE, QEMU/KVM and libvirt hosts",
    long_about = "vfio-doctor reads the host (or a snapshot, a report zip, or text pasted from a forum post) into \
typed facts: IOMMU state, groups, PCI devices and their drivers, kernel command line, bootloader, modules, \
ROMs and VM configs. Its rules then say what is wrong, most likely cause first, with the line that proves \
it and fixes written for this host. It never changes the host. Without a command it runs `diagnose`.",
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
    /// Add or override rules from this folder (`*.yaml`, any depth).
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find what is wrong, most likely cause first, with evidence and fixes for this host.
    #[command(
        after_help = "Examples:\n  vfio-doctor diagnose\n  vfio-doctor diagnose --symptom error-43 --symptom black-display\n  \
vfio-doctor diagnose --vm 100\n  vfio-doctor diagnose --paste post.txt --format markdown\n  \
vfio-doctor diagnose --root fixtures/intel-iommu-off --format json\n\n\
Symptoms: vm-start-failed, error-43, black-display, bar-reserve, reset-bug, hdmi-crackle, no-iommu,\n\
group-not-viable, driver-not-vfio, guest-crash, guest-boot-hang, slow.\n\n\
Exit status: 0 no error-level finding, 1 an error-level finding, 2 vfio-doctor could not run."
    )]
    Diagnose(DiagnoseArgs),
    /// Show what vfio-doctor knows about a host.
    #[command(after_help = "Examples:\n  vfio-doctor facts\n  vfio-doctor facts --json | jq .iommu\n  \
vfio-doctor facts --root fixtures/intel-nvidia-vfio-ok\n  dmesg | vfio-doctor facts --paste -")]
    Facts {
        /// Print every fact as JSON (versioned schema) instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Analyse option ROMs (VBIOS): images, UEFI (type 3) support for OVMF, damage.
    #[command(after_help = "Examples:\n  vfio-doctor rom /usr/share/kvm/vbios.bin\n  \
sudo vfio-doctor rom 01:00.0 --read\n  vfio-doctor rom vbios.rom --format json\n\n\
--read enables the device's sysfs `rom` attribute, reads it and disables it again on every path.")]
    Rom(RomArgs),
    /// List the VMs that pass devices through, and the state of each device.
    #[command(
        after_help = "Examples:\n  vfio-doctor vms\n  vfio-doctor vms --root fixtures/amd-ryzen-shared-group\n  vfio-doctor vms --format json\n\n\
State: ok (nothing found), warning (a warning-level finding concerns it), blocked (an error-level finding does)."
    )]
    Vms {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  vfio-doctor completions bash > /etc/bash_completion.d/vfio-doctor\n  \
vfio-doctor completions zsh > /usr/share/zsh/vendor-completions/_vfio-doctor"
    )]
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  vfio-doctor man | gzip > /usr/share/man/man1/vfio-doctor.1.gz")]
    Man,
    /// Work with the rule set.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a redacted report.zip for a support thread: snapshot, facts, diagnosis, report.md, report.html.
    #[command(
        after_help = "Examples:\n  sudo vfio-doctor report\n  sudo vfio-doctor report -o /tmp/gpu-report.zip --redact-vm-names\n  \
vfio-doctor report --from old-report.zip -o new-report.zip   (re-diagnose with the newest rules)\n\n\
Host names, IP and MAC addresses, serial numbers, UUIDs, user names and secrets are replaced by\n\
consistent tokens; the map from tokens to real values is written next to the zip and never into it."
    )]
    Report(ReportArgs),
    /// Capture this host into a snapshot folder (or a one-file `.host` archive).
    #[command(after_help = "Examples:\n  sudo vfio-doctor snapshot /tmp/my-host\n  \
sudo vfio-doctor snapshot my-host.host\n\nRun as root to capture config space, /proc/iomem and a restricted kernel log.")]
    Snapshot {
        /// Where to write; must not exist yet. A name ending in `.host` writes one text file.
        out: PathBuf,
        /// Free text stored in the manifest: what this snapshot shows.
        #[arg(long)]
        description: Option<String>,
        /// Replace host names, addresses, serials, UUIDs, users and secrets, as `report` does.
        #[arg(long)]
        redact: bool,
        /// With --redact, replace VM names too.
        #[arg(long, requires = "redact")]
        redact_vm_names: bool,
    },
}

#[derive(Debug, Clone, Default, Args)]
pub struct DiagnoseArgs {
    /// What you saw (repeatable): leads with the causes that explain it.
    #[arg(long = "symptom", value_name = "SYMPTOM")]
    pub symptoms: Vec<String>,
    /// Lead with this VM's problems (a Proxmox vmid or a libvirt domain name).
    #[arg(long)]
    pub vm: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also run rules still in preview.
    #[arg(long)]
    pub preview: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RomArgs {
    /// ROM files, or with --read one PCI address (`01:00.0` or `0000:01:00.0`).
    #[arg(required = true)]
    pub targets: Vec<String>,
    /// Read the ROM of the device at the given address through sysfs (root; enables and
    /// disables the `rom` attribute).
    #[arg(long)]
    pub read: bool,
    /// Save the ROM read with --read to this file (must not exist).
    #[arg(long, requires = "read")]
    pub save: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Where to write the zip (must not exist).
    #[arg(short, long, default_value = "report.zip")]
    pub output: PathBuf,
    /// Keep host names, addresses, serials and secrets (not for public posts).
    #[arg(long)]
    pub no_redact: bool,
    /// Replace VM names too.
    #[arg(long, conflicts_with = "no_redact")]
    pub redact_vm_names: bool,
    /// Render report.md and report.html from templates in this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Symptoms to lead the diagnosis with, as for `diagnose`.
    #[arg(long = "symptom", value_name = "SYMPTOM")]
    pub symptoms: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, cause, severity, symptoms.
    #[command(
        after_help = "Examples:\n  vfio-doctor rules list\n  vfio-doctor rules list --format json | jq '.rules[].id'"
    )]
    List {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain one rule: what it checks, why it matters, its fixes and an example of its evidence.
    #[command(after_help = "Example:\n  vfio-doctor rules explain intel-iommu-not-enabled")]
    Explain {
        id: String,
        /// The folder holding fixtures/ and tests/paste/ (for the example).
        #[arg(long, default_value = ".")]
        base: PathBuf,
    },
    /// Check every rule: it loads (schema, regexes, fact paths, templates, derived-fact
    /// order), its ids are unique, it has existing hosts to fire and stay quiet on.
    #[command(
        after_help = "Examples:\n  vfio-doctor rules lint\n  vfio-doctor rules lint --rules my-new-rules/"
    )]
    Lint {
        /// The folder holding fixtures/ and tests/paste/.
        #[arg(long, default_value = ".")]
        base: PathBuf,
    },
    /// Run each rule's own tests: the hosts it must fire on and stay quiet on.
    #[command(
        after_help = "Examples:\n  vfio-doctor rules test\n  vfio-doctor rules test romfile-absent --rules my-new-rules/\n\n\
Run from the repository root: `fixture:NAME` is fixtures/NAME and `paste:FILE` is tests/paste/FILE."
    )]
    Test {
        /// Only these rule ids.
        ids: Vec<String>,
        /// The folder holding fixtures/ and tests/paste/.
        #[arg(long, default_value = ".")]
        base: PathBuf,
    },
}

/// Where the facts come from. Without any of these, the live host.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Read a snapshot: a folder, a `.host` text archive or a report zip (`--from` reads the same).
    #[arg(long, visible_alias = "from", value_name = "SNAPSHOT", conflicts_with = "paste", global = true)]
    pub root: Option<PathBuf>,
    /// Read text pasted from a forum post (any mix of dmesg, lspci, VM config, …); `-` is stdin.
    #[arg(long, value_name = "FILE", num_args = 1.., global = true)]
    pub paste: Vec<String>,
}

impl SourceArgs {
    /// Whether this reads the running host (neither a snapshot nor a paste).
    pub fn is_live(&self) -> bool {
        self.root.is_none() && self.paste.is_empty()
    }
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
