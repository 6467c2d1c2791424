//! Resource figures of a running process from /proc: resident memory and CPU time.

use std::fs;

/// Peak and current resident memory, in KiB (VmHWM, VmRSS).
pub(crate) fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
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

/// CPU seconds of the process's live threads, summed by thread name with trailing digits and
/// dashes removed (`ingestd-plugins-1` counts as `ingestd-plugins`): `(name, user, system)`,
/// the largest first. Threads that have ended are not counted.
pub(crate) fn cpu_by_thread(pid: u32) -> Vec<(String, f64, f64)> {
    let mut groups: Vec<(String, f64, f64)> = Vec::new();
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
        let name = comm
            .trim()
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
            .to_owned();
        match groups.iter_mut().find(|g| g.0 == name) {
            Some(group) => {
                group.1 += user;
                group.2 += system;
            }
            None => groups.push((name, user, system)),
        }
    }
    groups.sort_by(|a, b| (b.1 + b.2).total_cmp(&(a.1 + a.2)));
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
        let total: f64 = threads.iter().map(|(_, u, s)| u + s).sum();
        assert!(total <= cpu_seconds(pid).unwrap() + 0.05, "{threads:?}");
    }
}
