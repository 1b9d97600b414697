//! Proxmox task logs: the UPID that names each task, and the outcome line at its end.
//!
//! A UPID is `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:` with hex
//! numbers (`upid_encode` in `pve-common: src/PVE/Tools.pm`); the log of a task lives in
//! `/var/log/pve/tasks/<last hex digit of starttime>/<UPID>` and ends with `TASK OK` or
//! `TASK ERROR: <message>` (the task framework's own lines).

/// The parts of a UPID that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upid {
    pub node: String,
    /// Seconds since the epoch.
    pub starttime: u64,
    /// `qmstart`, `qmstop`, `vzdump`, …
    pub kind: String,
    /// The VM id for VM tasks.
    pub id: String,
    pub user: String,
}

pub fn parse_upid(text: &str) -> Option<Upid> {
    let rest = text.trim().strip_prefix("UPID:")?;
    let fields: Vec<&str> = rest.split(':').collect();
    // node, pid, pstart, starttime, type, id, user, then the empty field after the final ':'.
    if fields.len() < 7 {
        return None;
    }
    let hex = |s: &str| (!s.is_empty() && s.len() <= 9).then(|| u64::from_str_radix(s, 16).ok()).flatten();
    hex(fields[1])?;
    hex(fields[2])?;
    Some(Upid {
        node: fields[0].to_string(),
        starttime: hex(fields[3])?,
        kind: fields[4].to_string(),
        id: fields[5].to_string(),
        user: fields[6].to_string(),
    })
}

/// How a task ended, from its last non-empty line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    Ok,
    /// `TASK ERROR: <message>`.
    Error(String),
    /// `TASK WARNINGS: <n>`.
    Warnings(String),
    /// Still running, or cut off.
    Unknown,
}

pub fn task_outcome(log: &str) -> TaskOutcome {
    let Some(last) = log.lines().rev().map(str::trim).find(|l| !l.is_empty()) else {
        return TaskOutcome::Unknown;
    };
    if last == "TASK OK" {
        TaskOutcome::Ok
    } else if let Some(message) = last.strip_prefix("TASK ERROR: ") {
        TaskOutcome::Error(message.to_string())
    } else if let Some(count) = last.strip_prefix("TASK WARNINGS: ") {
        TaskOutcome::Warnings(count.to_string())
    } else {
        TaskOutcome::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_qmstart_upid() {
        let upid = parse_upid("UPID:pve:00001A2B:0003C4D5:65F0A1B2:qmstart:100:root@pam:").unwrap();
        assert_eq!(upid.node, "pve");
        assert_eq!(upid.starttime, 0x65F0A1B2);
        assert_eq!(upid.kind, "qmstart");
        assert_eq!(upid.id, "100");
        assert_eq!(upid.user, "root@pam");
        // pstart may have 9 digits after 497 days of uptime.
        assert!(parse_upid("UPID:pve-2:00001A2B:10003C4D5:65F0A1B2:qmstart:100:root@pam:").is_some());
    }

    #[test]
    fn refuses_what_is_no_upid() {
        for text in ["", "UPID:", "UPID:pve:zz:0:0:qmstart:100:root@pam:", "index", "UPID:pve:1:2:3"] {
            assert!(parse_upid(text).is_none(), "{text}");
        }
    }

    #[test]
    fn reads_the_outcome_from_the_last_line() {
        let failed =
            "kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0: vfio 0000:01:00.0: group 1 is not viable\n\
                      TASK ERROR: start failed: QEMU exited with code 1\n";
        assert_eq!(task_outcome(failed), TaskOutcome::Error("start failed: QEMU exited with code 1".into()));
        assert_eq!(task_outcome("TASK OK\n"), TaskOutcome::Ok);
        assert_eq!(task_outcome("TASK WARNINGS: 1\n\n"), TaskOutcome::Warnings("1".into()));
        assert_eq!(task_outcome("starting...\n"), TaskOutcome::Unknown);
    }
}
