//! Resource figures of a running process from /proc: resident memory, CPU time and context
//! switches.

use std::fs;

/// Peak and current resident memory, in KiB (VmHWM, VmRSS).
pub(crate) fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some((
        status_field(&status, "VmHWM:")?,
        status_field(&status, "VmRSS:")?,
    ))
}

/// The first number on the line of a `/proc/.../status` text that starts with `key`.
fn status_field(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

/// User and system CPU seconds in a `/proc/.../stat` line.
fn user_system_seconds(stat: &str) -> Option<(f64, f64)> {
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = (unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64).max(1.0);
    Some((utime / ticks, stime / ticks))
}

/// User + system CPU seconds used by the process so far.
pub(crate) fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    user_system_seconds(&stat).map(|(user, system)| user + system)
}

/// What a group of threads with the same name used.
#[derive(Debug, Clone, Default)]
pub(crate) struct ThreadGroup {
    /// The thread name with trailing digits and dashes removed.
    pub name: String,
    /// User CPU seconds.
    pub user: f64,
    /// System CPU seconds.
    pub system: f64,
    /// Voluntary context switches (the thread waited).
    pub waits: u64,
    /// Involuntary context switches (the thread was preempted).
    pub preemptions: u64,
}

/// Voluntary and involuntary context switches in a `/proc/.../status` text.
fn context_switches(status: &str) -> (u64, u64) {
    let count = |key: &str| status_field(status, key).unwrap_or(0);
    (
        count("voluntary_ctxt_switches:"),
        count("nonvoluntary_ctxt_switches:"),
    )
}

/// CPU seconds and context switches of the process's live threads, summed by thread name
/// with trailing digits and dashes removed (`ingestd-cpu-1` counts as `ingestd-cpu`), the
/// largest CPU first. Threads that have ended are not counted.
pub(crate) fn cpu_by_thread(pid: u32) -> Vec<ThreadGroup> {
    let mut groups: Vec<ThreadGroup> = Vec::new();
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return groups;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let (Ok(comm), Ok(stat)) = (
            fs::read_to_string(path.join("comm")),
            fs::read_to_string(path.join("stat")),
        ) else {
            continue;
        };
        let Some((user, system)) = user_system_seconds(&stat) else {
            continue;
        };
        let (waits, preemptions) =
            fs::read_to_string(path.join("status")).map_or((0, 0), |s| context_switches(&s));
        let name = comm
            .trim()
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
            .to_owned();
        let index = match groups.iter().position(|g| g.name == name) {
            Some(index) => index,
            None => {
                groups.push(ThreadGroup {
                    name,
                    ..ThreadGroup::default()
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[index];
        group.user += user;
        group.system += system;
        group.waits += waits;
        group.preemptions += preemptions;
    }
    groups.sort_by(|a, b| (b.user + b.system).total_cmp(&(a.user + a.system)));
    groups
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` shows them.
pub(crate) fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_process() {
        let pid = std::process::id();
        let (peak, now) = memory_kib(pid).unwrap();
        assert!(peak >= now && now > 0);
        assert!(cpu_seconds(pid).unwrap() >= 0.0);
        let threads = cpu_by_thread(pid);
        assert!(!threads.is_empty());
        let total: f64 = threads.iter().map(|g| g.user + g.system).sum();
        assert!(
            threads.iter().any(|g| g.waits + g.preemptions > 0),
            "{threads:?}"
        );
        assert!(total <= cpu_seconds(pid).unwrap() + 0.05, "{threads:?}");
    }
}
