//! The threads that process files: a few CPU threads that take work and run the plugins, and
//! disk threads that make the results durable, with one hand-off per file between them.
//!
//! A file's life has a CPU part (claim, read, decode, the plugin chain) and a disk part (the
//! outbox write with its fsyncs, the archive move). On a disk where an fsync takes
//! milliseconds, a thread that waits for its fsync leaves its core idle, so the two parts run
//! on different threads:
//!
//! - `workers` **CPU threads** (`ingestd-cpu-N`) each take the next item, run its CPU part to
//!   the end and hand the result to the disk threads. On a backlog they never sleep: the
//!   queue is full, and the next file starts as soon as the last one is handed over. With one
//!   worker, a second file is not claimed while the first is in its plugins.
//! - **disk threads** (`ingestd-disk-N`) finish the files in batches: each takes everything
//!   handed over since it last looked (up to [`MAX_BATCH`]), so the flushes of a batch are
//!   shared, and the slower the disk, the larger the batches. The hand-off channel is bounded:
//!   when the disk falls behind, the CPU threads wait (back-pressure), and the files in
//!   flight stay bounded.
//! - **Gathering** (the group commit's delay, as a database's `commit_delay`): a fast disk
//!   alone would flush each file nearly on its own, and each flush costs CPU (a `syncfs` and
//!   a folder fsync, about 0.15 ms on a virtual machine). So when a second file follows the
//!   first within [`Gather::gap`], files are coming faster than they can be flushed one by
//!   one, and the disk thread gathers what arrives within [`Gather::window`] of the first.
//!   A file that arrives alone (a live feed) is flushed after waiting `gap` at most.
//!
//! Plugins run on the CPU threads only, never on whichever thread happens to be free:
//! plugins keep per-thread state (the regex crate's match caches, one set per thread that
//! ever ran a pattern), so a fixed set of threads bounds that memory by the worker count.
//!
//! An earlier design ran each file on a blocking thread of the async runtime, which passed
//! the plugin work to a plugin thread and waited for it behind a CPU semaphore: about 13
//! thread switches per file, a tenth of the CPU per article on a virtual machine (issue 7).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Disk threads: one can gather a batch while the other waits for its flushes.
pub const DISK_THREADS: usize = 2;

/// The most files a disk thread finishes at once; also how many can wait for it.
pub const MAX_BATCH: usize = 32;

/// How a disk thread gathers a batch before flushing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gather {
    /// How long it waits for a second file; a file with none behind it is flushed then.
    pub gap: Duration,
    /// Once a second file came within `gap`, how long after the first one it gathers more
    /// (or until [`MAX_BATCH`]).
    pub window: Duration,
}

impl Gather {
    /// A live feed waits 1 ms at most; a backlog flushes every 4 ms: 0.5 % of a 200/s
    /// stream's 50 ms latency budget, and a batch of about eight files at 2,000 files/s.
    pub const DEFAULT: Gather = Gather {
        gap: Duration::from_millis(1),
        window: Duration::from_millis(4),
    };
}

/// The two parts of processing an item, as the pipeline's threads call them.
pub trait Stages: Send + Sync + 'static {
    /// What the CPU threads take (a name in the inbox, a claimed file).
    type Item: Send;
    /// An item after its CPU part, waiting for its disk part.
    type Staged: Send + 'static;

    /// The next item; blocks until there is one. `None` stops the calling CPU thread.
    fn next(&self) -> Option<Self::Item>;

    /// The CPU part (runs on a CPU thread). `None` when nothing is left for the disk.
    fn cpu(&self, item: Self::Item) -> Option<Self::Staged>;

    /// The disk part of a batch of items, in the order they were handed over (runs on a
    /// disk thread).
    fn disk(&self, batch: Vec<Self::Staged>);

    /// Called when a part panicked: a bug, reported here; the thread goes on.
    fn panicked(&self, part: &'static str);
}

/// The running threads of a pipeline.
#[derive(Debug)]
pub struct Pipeline {
    threads: Vec<JoinHandle<()>>,
}

impl Pipeline {
    /// Starts `workers` CPU threads (at least one) and [`DISK_THREADS`] disk threads that
    /// gather their batches as `gather` says.
    pub fn start<S: Stages>(
        stages: Arc<S>,
        workers: usize,
        gather: Gather,
    ) -> std::io::Result<Self> {
        let workers = workers.max(1);
        let (handoff, staged) = sync_channel::<S::Staged>(MAX_BATCH);
        let staged = Arc::new(Mutex::new(staged));
        let mut threads = Vec::with_capacity(workers + DISK_THREADS);
        for i in 0..DISK_THREADS {
            let (stages, staged) = (Arc::clone(&stages), Arc::clone(&staged));
            threads.push(
                std::thread::Builder::new()
                    .name(format!("ingestd-disk-{i}"))
                    .spawn(move || disk_thread(&*stages, &staged, gather))?,
            );
        }
        for i in 0..workers {
            let (stages, handoff) = (Arc::clone(&stages), handoff.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("ingestd-cpu-{i}"))
                    .spawn(move || cpu_thread(&*stages, &handoff))?,
            );
        }
        Ok(Pipeline { threads })
    }

    /// Waits until every CPU thread has stopped (its `next` gave `None`) and the disk threads
    /// have finished everything handed to them.
    pub fn join(self) {
        for thread in self.threads {
            // The loops catch panics of the stages, so a thread only ends by returning.
            let _ = thread.join();
        }
    }
}

fn cpu_thread<S: Stages>(stages: &S, handoff: &SyncSender<S::Staged>) {
    while let Some(item) = stages.next() {
        match catch_unwind(AssertUnwindSafe(|| stages.cpu(item))) {
            Ok(Some(staged)) => {
                if handoff.send(staged).is_err() {
                    // The disk threads are gone: only if they could not start.
                    return;
                }
            }
            Ok(None) => {}
            Err(_) => stages.panicked("cpu"),
        }
    }
}

fn disk_thread<S: Stages>(stages: &S, staged: &Mutex<Receiver<S::Staged>>, gather: Gather) {
    loop {
        let batch = {
            let receiver = staged.lock().unwrap_or_else(PoisonError::into_inner);
            // Closed: every CPU thread has stopped and everything handed over is done.
            let Ok(first) = receiver.recv() else { return };
            gather_batch(&receiver, first, gather)
        };
        if catch_unwind(AssertUnwindSafe(|| stages.disk(batch))).is_err() {
            stages.panicked("disk");
        }
    }
}

/// The batch that starts with `first`: what is waiting, and when files come faster than
/// `gather.gap`, what arrives within `gather.window` of the first (up to [`MAX_BATCH`]).
fn gather_batch<T>(receiver: &Receiver<T>, first: T, gather: Gather) -> Vec<T> {
    let started = Instant::now();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    batch.push(first);
    batch.extend(receiver.try_iter().take(MAX_BATCH - 1));
    if batch.len() == 1 {
        match receiver.recv_timeout(gather.gap) {
            Ok(second) => batch.push(second),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return batch,
        }
    }
    // Sleeping rather than waking for each file: one wake-up per batch, not per file.
    if let Some(left) = gather.window.checked_sub(started.elapsed()) {
        std::thread::sleep(left);
    }
    let room = MAX_BATCH.saturating_sub(batch.len());
    batch.extend(receiver.try_iter().take(room));
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Items 0..n; panics on the item `panic_at` in the part named `panic_in`.
    struct Counting {
        items: Mutex<std::ops::Range<usize>>,
        cpu_inside: AtomicUsize,
        cpu_most: AtomicUsize,
        cpu_names: Mutex<HashSet<String>>,
        disk_names: Mutex<HashSet<String>>,
        done: Mutex<Vec<usize>>,
        batches: AtomicUsize,
        panics: Mutex<Vec<&'static str>>,
        largest_batch: AtomicUsize,
        panic_at: usize,
        panic_in: &'static str,
        cpu_time: Duration,
    }

    impl Counting {
        fn new(n: usize, panic_at: usize, panic_in: &'static str) -> Self {
            Counting {
                items: Mutex::new(0..n),
                cpu_inside: AtomicUsize::new(0),
                cpu_most: AtomicUsize::new(0),
                cpu_names: Mutex::new(HashSet::new()),
                disk_names: Mutex::new(HashSet::new()),
                done: Mutex::new(Vec::new()),
                batches: AtomicUsize::new(0),
                panics: Mutex::new(Vec::new()),
                largest_batch: AtomicUsize::new(0),
                panic_at,
                panic_in,
                cpu_time: Duration::ZERO,
            }
        }

        /// The same, with CPU parts that take `cpu_time` each.
        fn taking(self, cpu_time: Duration) -> Self {
            Counting { cpu_time, ..self }
        }
    }

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("").to_owned()
    }

    impl Stages for Counting {
        type Item = usize;
        type Staged = usize;

        fn next(&self) -> Option<usize> {
            self.items.lock().unwrap().next()
        }

        fn cpu(&self, item: usize) -> Option<usize> {
            let now = self.cpu_inside.fetch_add(1, Ordering::SeqCst) + 1;
            self.cpu_most.fetch_max(now, Ordering::SeqCst);
            self.cpu_names.lock().unwrap().insert(thread_name());
            std::thread::yield_now();
            std::thread::sleep(self.cpu_time);
            self.cpu_inside.fetch_sub(1, Ordering::SeqCst);
            if item == self.panic_at && self.panic_in == "cpu" {
                panic!("cpu part of {item}");
            }
            // Odd items have no disk part.
            (item % 2 == 0).then_some(item)
        }

        fn disk(&self, batch: Vec<usize>) {
            self.disk_names.lock().unwrap().insert(thread_name());
            assert!(!batch.is_empty() && batch.len() <= MAX_BATCH);
            self.batches.fetch_add(1, Ordering::SeqCst);
            self.largest_batch.fetch_max(batch.len(), Ordering::SeqCst);
            if batch.contains(&self.panic_at) && self.panic_in == "disk" {
                panic!("disk part of {batch:?}");
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
            self.done.lock().unwrap().extend(batch);
        }

        fn panicked(&self, part: &'static str) {
            self.panics.lock().unwrap().push(part);
        }
    }

    fn run(stages: Counting, workers: usize) -> Counting {
        run_gathering(stages, workers, Gather::DEFAULT)
    }

    fn run_gathering(stages: Counting, workers: usize, gather: Gather) -> Counting {
        let stages = Arc::new(stages);
        Pipeline::start(Arc::clone(&stages), workers, gather)
            .unwrap()
            .join();
        Arc::into_inner(stages).unwrap()
    }

    #[test]
    fn every_item_is_finished_once_before_join_returns() {
        let stages = run(Counting::new(500, usize::MAX, ""), 2);
        let mut done = stages.done.into_inner().unwrap();
        done.sort_unstable();
        assert_eq!(done, (0..500).step_by(2).collect::<Vec<_>>());
        assert!(stages.panics.into_inner().unwrap().is_empty());
    }

    #[test]
    fn each_part_runs_on_its_own_threads_and_cpu_work_on_at_most_workers() {
        let stages = run(Counting::new(400, usize::MAX, ""), 2);
        assert!(stages.cpu_most.load(Ordering::SeqCst) <= 2);
        let cpu = stages.cpu_names.into_inner().unwrap();
        assert!(!cpu.is_empty() && cpu.len() <= 2, "{cpu:?}");
        assert!(cpu.iter().all(|n| n.starts_with("ingestd-cpu-")), "{cpu:?}");
        let disk = stages.disk_names.into_inner().unwrap();
        assert!(disk.len() <= DISK_THREADS, "{disk:?}");
        assert!(
            disk.iter().all(|n| n.starts_with("ingestd-disk-")),
            "{disk:?}"
        );
    }

    #[test]
    fn a_slow_disk_part_gets_batches() {
        // 200 disk items, each batch taking 200 µs, behind CPU parts that take almost nothing.
        let stages = run(Counting::new(400, usize::MAX, ""), 2);
        let batches = stages.batches.load(Ordering::SeqCst);
        assert!(batches < 200, "{batches} batches for 200 items");
        assert_eq!(stages.done.into_inner().unwrap().len(), 200);
    }

    #[test]
    fn one_worker_runs_one_cpu_part_at_a_time() {
        let stages = run(Counting::new(200, usize::MAX, ""), 0);
        assert_eq!(stages.cpu_most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_panic_in_either_part_is_reported_and_the_rest_still_runs() {
        for part in ["cpu", "disk"] {
            let stages = run(Counting::new(100, 40, part), 1);
            assert_eq!(stages.panics.into_inner().unwrap(), vec![part]);
            let done = stages.done.into_inner().unwrap();
            // A disk panic loses its batch (40 and whatever came with it), nothing more.
            assert!(
                done.len() < 50 && done.len() >= 50 - MAX_BATCH,
                "{part}: {}",
                done.len()
            );
            assert!(!done.contains(&40));
            let later: Vec<usize> = (42..100).step_by(2).filter(|i| !done.contains(i)).collect();
            assert!(later.len() < MAX_BATCH, "{part}: {later:?}");
        }
    }

    #[test]
    fn files_that_follow_closely_are_gathered_into_one_batch() {
        // One worker hands over a file every millisecond; the disk part is quick. Gathering
        // over 200 ms takes the 20 files in a batch or two instead of 20 flushes.
        let stages = Counting::new(40, usize::MAX, "").taking(Duration::from_millis(1));
        let gather = Gather {
            gap: Duration::from_millis(200),
            window: Duration::from_millis(200),
        };
        let stages = run_gathering(stages, 1, gather);
        assert_eq!(stages.done.into_inner().unwrap().len(), 20);
        let largest = stages.largest_batch.load(Ordering::SeqCst);
        assert!(largest >= 10, "largest batch {largest}");
    }

    #[test]
    fn a_file_with_none_close_behind_is_flushed_alone() {
        // A file every 30 ms with a 1 ms gap: nothing to gather, every batch holds one file.
        let stages = Counting::new(10, usize::MAX, "").taking(Duration::from_millis(30));
        let gather = Gather {
            gap: Duration::from_millis(1),
            window: Duration::from_secs(60),
        };
        let stages = run_gathering(stages, 1, gather);
        assert_eq!(stages.largest_batch.load(Ordering::SeqCst), 1);
        assert_eq!(stages.batches.load(Ordering::SeqCst), 5);
    }
}
