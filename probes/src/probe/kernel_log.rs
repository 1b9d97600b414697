//! The kernel log of the current boot: `dmesg`, else `journalctl -k -b`, else
//! `/var/log/kern.log` (domain.md 0.1).

use crate::collect::Ctx;
use crate::host::Command;
use crate::parse::kernel_log::{read_kernel_log, DEFAULT_BUDGET_BYTES};
use engine::facts::{Facts, LogOrigin};

const KERN_LOG: &str = "var/log/kern.log";

pub fn probe(ctx: &mut Ctx, facts: &mut Facts) {
    for (command, origin) in
        [(Command::Dmesg, LogOrigin::Dmesg), (Command::JournalKernel, LogOrigin::Journal)]
    {
        let path = command.snapshot_path();
        match ctx.host.command(command) {
            Ok(reader) => match read_kernel_log(reader, origin, path, DEFAULT_BUDGET_BYTES) {
                Ok(log) if !log.lines.is_empty() => {
                    if log.dropped_lines > 0 {
                        ctx.note(
                            path,
                            format!(
                                "kept the newest lines; {} older lines of this boot were dropped",
                                log.dropped_lines
                            ),
                        );
                    }
                    facts.kernel_log = Some(log);
                    return;
                }
                Ok(_) => {}
                Err(e) => ctx.note(path, format!("reading stopped: {e}")),
            },
            Err(e) => ctx.failed(path, &e),
        }
    }
    match ctx.host.open(KERN_LOG) {
        Ok(reader) => match read_kernel_log(reader, LogOrigin::KernLog, KERN_LOG, DEFAULT_BUDGET_BYTES) {
            Ok(log) if !log.lines.is_empty() => facts.kernel_log = Some(log),
            Ok(_) => {}
            Err(e) => ctx.note(KERN_LOG, format!("reading stopped: {e}")),
        },
        Err(e) => ctx.failed(KERN_LOG, &e),
    }
}
