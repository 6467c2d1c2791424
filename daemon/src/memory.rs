//! Gives freed heap memory back to the operating system now and then.
//!
//! glibc's allocator keeps what a thread frees in that thread's arena for reuse, and returns
//! it to the system only from the top of a heap. After a burst (a backlog, the dedup index
//! merging its band tables) a daemon can hold tens of megabytes it no longer uses: measured on
//! a 30-minute stream, one `malloc_trim` took the resident size from 170 MB to 129 MB
//! (issue 7). A background thread therefore trims every [`TRIM_EVERY`]; it costs about a
//! millisecond and only locks each arena briefly. The number of arenas is also capped
//! ([`limit_arenas`]): glibc gives every thread that allocates under contention its own arena,
//! up to eight per core, and each keeps its own free memory (issue 7: on a 10,000-file backlog
//! the default took the daemon to 69 MB, two arenas to 54 MB). On other C libraries both do
//! nothing.

use std::time::Duration;

/// How often freed memory is returned.
pub const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Starts the thread that trims the heap every `every`, for the life of the process.
pub fn spawn_trimmer(every: Duration) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("ingestd-trim".into())
        .spawn(move || {
            loop {
                std::thread::sleep(every);
                trim();
            }
        })
        .map(|_| ())
}

/// Environment variable with which glibc users set the arena count themselves; when it is set,
/// [`limit_arenas`] leaves their choice alone.
pub const ARENA_ENV: &str = "MALLOC_ARENA_MAX";

/// Caps glibc's heap arenas at `arenas` (at least 1), unless [`ARENA_ENV`] is set. Call it
/// before the threads start; returns whether the cap was applied.
pub fn limit_arenas(arenas: usize) -> bool {
    if std::env::var_os(ARENA_ENV).is_some() {
        return false;
    }
    let arenas = libc::c_int::try_from(arenas.max(1)).unwrap_or(libc::c_int::MAX);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tuning parameter of the allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas) == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = arenas;
        false
    }
}

/// Returns the free memory of every arena to the system (glibc only).
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only inspects and shrinks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_arena_cap_unless_the_user_set_one() {
        let user_set = std::env::var_os(ARENA_ENV).is_some();
        assert_eq!(limit_arenas(4), !user_set);
    }

    #[test]
    fn trimming_keeps_live_memory_intact() {
        let kept: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 64 * 1024]).collect();
        let freed: Vec<Vec<u8>> = (0..64).map(|_| vec![1u8; 64 * 1024]).collect();
        drop(freed);
        trim();
        assert!(
            kept.iter()
                .enumerate()
                .all(|(i, v)| v.iter().all(|&b| b == i as u8))
        );
    }
}
