//! How many files use the CPU at once, apart from how many are in flight, and on which threads
//! plugins run.
//!
//! A file's life has a CPU part (claim, read, hash, the plugin chain) and a disk part (the
//! outbox write with its fsyncs, the archive move). On a disk where an fsync takes
//! milliseconds, a worker that waits for its fsync leaves its core idle. So the daemon runs
//! more files than cores (`workers * IN_FLIGHT_PER_WORKER`), and this gate lets only
//! `workers` of them be in their CPU part: the others wait on the disk, where their fsyncs
//! are group-committed (issue 7). The gate is taken before the claim, so with one worker a
//! second file is not claimed while the first is in its plugins.
//!
//! The plugin chain itself runs on `workers` dedicated threads ([`CpuPermit::run`]), never on
//! whichever blocking thread holds the permit: plugins keep per-thread state (the regex
//! crate's match caches, one set per thread that ever ran a pattern), so running them on a
//! fixed set of threads bounds that memory by the worker count, not by the files in flight.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// Files in flight per CPU worker: one in its CPU part, the others waiting on the disk.
pub const IN_FLIGHT_PER_WORKER: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

/// A counting semaphore over the CPU part of processing a file, with the threads that run
/// the plugins.
#[derive(Debug)]
pub struct CpuGate {
    free: Mutex<usize>,
    freed: Condvar,
    jobs: Sender<Job>,
}

/// The right to use the CPU, given back when dropped.
#[derive(Debug)]
pub struct CpuPermit<'a> {
    gate: &'a CpuGate,
}

/// The loop of one plugin thread: runs jobs until the gate is dropped.
fn plugin_thread(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let receiver = jobs.lock().unwrap_or_else(PoisonError::into_inner);
            receiver.recv()
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

impl CpuGate {
    /// A gate for `workers` files at a time (at least one), with as many plugin threads.
    pub fn new(workers: usize) -> std::io::Result<Self> {
        let workers = workers.max(1);
        let (jobs, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..workers {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("ingestd-plugins-{i}"))
                .spawn(move || plugin_thread(&receiver))?;
        }
        Ok(CpuGate {
            free: Mutex::new(workers),
            freed: Condvar::new(),
            jobs,
        })
    }

    /// Blocks until a worker's share of the CPU is free. Call from a blocking thread.
    pub fn acquire(&self) -> CpuPermit<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        CpuPermit { gate: self }
    }
}

impl CpuPermit<'_> {
    /// Runs `work` on one of the plugin threads and returns its result. A panic in `work`
    /// is resumed here, as if `work` had run on the calling thread.
    pub fn run<R: Send + 'static>(&self, work: impl FnOnce() -> R + Send + 'static) -> R {
        let (done, result): (SyncSender<std::thread::Result<R>>, _) = sync_channel(1);
        let job: Job = Box::new(move || {
            let _ = done.send(catch_unwind(AssertUnwindSafe(work)));
        });
        if let Err(returned) = self.gate.jobs.send(job) {
            // The plugin threads are gone (they only end with the gate): run it here.
            (returned.0)();
        }
        match result.recv() {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => resume_unwind(panic),
            Err(_) => resume_unwind(Box::new("a plugin thread ended without a result")),
        }
    }
}

impl Drop for CpuPermit<'_> {
    fn drop(&mut self) {
        let mut free = self
            .gate
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *free += 1;
        drop(free);
        self.gate.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn never_more_holders_than_workers() {
        let gate = CpuGate::new(2).unwrap();
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..200 {
                        let _permit = gate.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert_eq!(inside.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn work_runs_on_the_plugin_threads_only() {
        let gate = CpuGate::new(2).unwrap();
        let names = Mutex::new(HashSet::new());
        std::thread::scope(|scope| {
            for _ in 0..6 {
                scope.spawn(|| {
                    for _ in 0..20 {
                        let permit = gate.acquire();
                        let name =
                            permit.run(|| std::thread::current().name().unwrap_or("").to_owned());
                        names.lock().unwrap().insert(name);
                    }
                });
            }
        });
        let names = names.into_inner().unwrap();
        assert!(!names.is_empty() && names.len() <= 2, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("ingestd-plugins-")));
    }

    #[test]
    fn a_panic_comes_back_to_the_caller_and_the_thread_survives() {
        let gate = CpuGate::new(1).unwrap();
        let permit = gate.acquire();
        let caught = catch_unwind(AssertUnwindSafe(|| permit.run(|| panic!("boom"))));
        assert!(caught.is_err());
        assert_eq!(permit.run(|| 41 + 1), 42);
    }

    #[test]
    fn zero_workers_still_lets_one_through() {
        let gate = CpuGate::new(0).unwrap();
        drop(gate.acquire());
        drop(gate.acquire());
    }
}
