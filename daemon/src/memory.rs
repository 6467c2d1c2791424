//! Tunes glibc's allocator for a long-running daemon, and gives freed heap memory back to the
//! operating system now and then.
//!
//! glibc's allocator keeps what a thread frees in that thread's arena for reuse, and returns
//! it to the system only from the top of a heap. After a burst (a backlog, the dedup index
//! merging its band tables) a daemon can hold tens of megabytes it no longer uses: measured on
//! a 30-minute stream, one `malloc_trim` took the resident size from 170 MB to 129 MB
//! (issue 7). A background thread therefore trims every [`TRIM_EVERY`]; it costs about a
//! millisecond and only locks each arena briefly.
//!
//! The allocator is also tuned at start ([`tune_allocator`]). By default glibc gives every
//! thread that allocates under contention its own arena, up to eight per core, each keeping
//! its own free memory, and lets large freed buffers fragment the heaps (issue 7, 10,000-file
//! backlog: peak RSS 69.1 MB by default, 53.9 MB with two arenas, 53.4 MB with fixed mmap and
//! trim thresholds as well). The number of arenas is [`arenas_for`] the daemon's long-lived
//! threads: with fewer, glibc attaches several threads to one arena in an order that changes
//! from run to run, and when both CPU threads shared one, they queued on its lock (49 futex
//! calls per article instead of 8) and a backlog ran about 30 % slower in one run out of
//! three. On other C libraries both settings do nothing.

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
                let _ = trim();
            }
        })
        .map(|_| ())
}

/// Environment variables with which glibc users tune the allocator themselves; when one is
/// set, [`tune_allocator`] leaves their choice alone.
pub const ALLOCATOR_ENV: [&str; 2] = ["MALLOC_ARENA_MAX", "GLIBC_TUNABLES"];

/// Long-lived threads that allocate besides the CPU and disk threads: the async runtime's
/// workers, and six more: the main thread, a blocking thread of the runtime, the watcher, the
/// trimmer, the metrics server and a plugin's own thread (such as dedup's writer).
const OTHER_THREADS: usize = crate::daemon::RUNTIME_WORKERS + 6;

/// Heap arenas for a daemon with `workers` CPU threads and `disk_threads` disk threads: one per
/// long-lived thread, so that no two busy threads share an arena's lock.
pub fn arenas_for(workers: usize, disk_threads: usize) -> usize {
    workers + disk_threads + OTHER_THREADS
}

/// Blocks at least this large get their own mapping, returned to the system when freed.
/// Fixing it also stops glibc from raising it (up to 32 MiB) each time such a block is freed,
/// which left large buffers fragmenting the heaps.
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Tunes glibc's allocator for a long-running daemon, unless one of [`ALLOCATOR_ENV`] is set:
/// at most `arenas` heap arenas (at least 1), and fixed mmap and trim thresholds. Call it
/// before the threads start; returns whether the settings were applied.
pub fn tune_allocator(arenas: usize) -> bool {
    if ALLOCATOR_ENV.iter().any(|v| std::env::var_os(v).is_some()) {
        return false;
    }
    let arenas = libc::c_int::try_from(arenas.max(1)).unwrap_or(libc::c_int::MAX);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes tuning parameters of the allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas) == 1
            && libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
            && libc::mallopt(libc::M_TRIM_THRESHOLD, MMAP_THRESHOLD) == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = (arenas, MMAP_THRESHOLD);
        false
    }
}

/// Returns the free memory of every arena to the system (glibc only): true if some was.
pub fn trim() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only inspects and shrinks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0) == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_tuning_unless_the_user_tuned_it() {
        let user_set = ALLOCATOR_ENV.iter().any(|v| std::env::var_os(v).is_some());
        assert_eq!(tune_allocator(4), !user_set);
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn trimming_returns_freed_memory_and_keeps_live_memory_intact() {
        // Every other 64 KiB block is freed: free pages inside the heap, below live blocks,
        // which only a trim gives back.
        let mut blocks: Vec<Option<Vec<u8>>> = (0..128)
            .map(|i| Some(vec![u8::try_from(i % 251).unwrap_or(0); 64 * 1024]))
            .collect();
        for block in blocks.iter_mut().step_by(2) {
            *block = None;
        }
        assert!(trim(), "malloc_trim found nothing to return");
        assert!(blocks.iter().enumerate().all(|(i, block)| match block {
            Some(v) => v.iter().all(|&b| usize::from(b) == i % 251),
            None => i % 2 == 0,
        }));
    }
}
