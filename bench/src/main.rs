//! `ingestd-bench`: end-to-end benchmarks of the real daemon with the bundled plugin chain.
//!
//! Every mode measures a baseline in the same run (the daemon with an empty chain: the cost of
//! watching, claiming, reading, hashing, fsyncing and archiving alone) and reports ratios.

mod abi_cost;
mod chain_config;
mod corpus;
mod outbox_watch;
mod proc_stats;
mod runner;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use runner::{DaemonSpec, Folders};

/// End-to-end benchmarks of ingestd.
#[derive(Debug, Parser)]
struct Cli {
    /// The ingestd binary (default: next to this one).
    #[arg(long, global = true)]
    ingestd: Option<PathBuf>,
    /// Config with the chain to measure (default: the bundled config/ingestd.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where runs put their folders (default: a folder under the system temp dir).
    #[arg(long, global = true)]
    work: Option<PathBuf>,
    /// Corpus seed.
    #[arg(long, global = true, default_value_t = 1)]
    seed: u64,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Write a generated corpus into a folder.
    Corpus {
        /// Number of files.
        #[arg(long, default_value_t = 1000)]
        n: usize,
        /// Target folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Throughput on a backlog of N files present at start.
    Backlog {
        /// Number of files.
        #[arg(long, default_value_t = 10_000)]
        n: usize,
        /// Worker counts to measure, e.g. 1,2.
        #[arg(long, value_delimiter = ',', default_value = "2")]
        workers: Vec<usize>,
        /// Skip the empty-chain baseline.
        #[arg(long)]
        no_baseline: bool,
    },
    /// Share of per-document CPU spent crossing the plugin ABI (in-process, no daemon).
    Abi {
        /// Number of documents.
        #[arg(long, default_value_t = 300)]
        n: usize,
        /// Passes over the documents.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Drop files at a steady rate and measure drop-to-outbox latency.
    Stream {
        /// Files per second.
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        /// Duration in seconds.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Skip the empty-chain baseline.
        #[arg(long)]
        no_baseline: bool,
        /// Sample the daemon's RSS every this many seconds (soak); 0 = only at the end.
        #[arg(long, default_value_t = 0)]
        rss_every: u64,
    },
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

fn default_binary() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    Ok(me.with_file_name("ingestd"))
}

fn baseline_config(work: &Path) -> Result<PathBuf> {
    let path = work.join("baseline.toml");
    std::fs::create_dir_all(work)?;
    std::fs::write(
        &path,
        "# Empty chain: the daemon's own cost only.\n[log]\nlevel = \"info\"\n",
    )?;
    Ok(path)
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let repo = repo_root();
    let binary = match &cli.ingestd {
        Some(b) => b.clone(),
        None => default_binary()?,
    };
    let work = cli
        .work
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("ingestd-bench"));
    let source_config = cli
        .config
        .clone()
        .unwrap_or_else(|| repo.join("config/ingestd.toml"));
    let plugin_dir = binary
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| repo.clone());
    clear_earlier_runs(&work)?;
    let chain = chain_config::prepare(&source_config, &plugin_dir, &work.join("chain.toml"))?;
    println!("{}", chain.describe());
    println!("load before the run: {}", proc_stats::load_average());
    let config = chain.path.clone();
    let spec = |config: PathBuf, workers: Option<usize>| DaemonSpec {
        binary: binary.clone(),
        workdir: repo.clone(),
        config,
        workers,
        env: vec![("INGESTD_WATCH__SETTLE_MS".into(), SETTLE_MS.to_string())],
    };
    match cli.mode {
        Mode::Corpus { n, out } => {
            std::fs::create_dir_all(&out)?;
            for f in corpus::generate(n, cli.seed) {
                std::fs::write(out.join(&f.name), &f.bytes)?;
            }
            println!("wrote {n} files to {}", out.display());
        }
        Mode::Backlog {
            n,
            workers,
            no_baseline,
        } => {
            let files = corpus::generate(n, cli.seed);
            let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
            let count = |k| files.iter().filter(|f| f.kind == k).count();
            println!(
                "corpus: {n} files, {:.1} MB, seed {}, {} exact and {} near duplicates",
                bytes as f64 / 1e6,
                cli.seed,
                count(corpus::Kind::ExactDuplicate),
                count(corpus::Kind::NearDuplicate)
            );
            let mut base_rate = None;
            if !no_baseline {
                let r = backlog(
                    &spec(baseline_config(&work)?, Some(*workers.last().unwrap_or(&2))),
                    &work.join("baseline"),
                    &files,
                )?;
                r.print("baseline (empty chain)", bytes);
                base_rate = Some(r.rate());
            }
            let mut one_worker = None;
            for w in workers {
                let r = backlog(
                    &spec(config.clone(), Some(w)),
                    &work.join(format!("full-{w}")),
                    &files,
                )?;
                r.print(&format!("full chain, {w} worker(s)"), bytes);
                if let Some(b) = base_rate {
                    println!("  ratio full/baseline throughput: {:.2}", r.rate() / b);
                }
                match one_worker {
                    None => one_worker = Some(r.rate()),
                    Some(first) => {
                        println!("  scaling vs first worker count: {:.2}x", r.rate() / first)
                    }
                }
            }
        }
        Mode::Abi { n, rounds } => {
            let files: Vec<_> = corpus::generate(n, cli.seed)
                .into_iter()
                .filter(|f| f.kind == corpus::Kind::Original)
                .collect();
            abi_cost::measure(&config, &files, rounds)?;
        }
        Mode::Stream {
            rate,
            seconds,
            no_baseline,
            rss_every,
        } => {
            let files = corpus::generate((rate * seconds as f64) as usize, cli.seed);
            if !no_baseline {
                let r = stream(
                    &spec(baseline_config(&work)?, None),
                    &work.join("stream-baseline"),
                    &files,
                    rate,
                    0,
                )?;
                r.print("baseline (empty chain)");
            }
            let r = stream(
                &spec(config, None),
                &work.join("stream-full"),
                &files,
                rate,
                rss_every,
            )?;
            r.print("full chain");
        }
    }
    Ok(())
}

/// Removes the folders an earlier invocation left in `work` (kept until now so that their
/// deletion does not fall inside a measurement), then lets the file system settle.
///
/// ext4 without a journal (this machine's disk) does not hand out an inode freed in the last
/// 60 s (360 s while its table block is dirty): every file creation scans past each such
/// inode, which made runs right after a big deletion spend a third of their CPU time in the
/// kernel's inode allocator. So after deleting, flush and wait out the minute.
fn clear_earlier_runs(work: &Path) -> Result<()> {
    let mut removed = 0;
    if let Ok(entries) = std::fs::read_dir(work) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(entry.path())
                    .with_context(|| format!("remove {}", entry.path().display()))?;
                removed += 1;
            }
        }
    }
    if removed > 0 {
        println!(
            "removed {removed} run folders of an earlier invocation in {}; waiting 61 s so that their freed inodes do not slow file creation during the measurement",
            work.display()
        );
        // SAFETY: sync has no preconditions.
        unsafe { libc::sync() };
        std::thread::sleep(std::time::Duration::from_secs(61));
    }
    Ok(())
}

/// Result of one backlog run.
struct BacklogResult {
    n: usize,
    seconds: f64,
    cpu_seconds: f64,
    peak_rss_kib: u64,
    outbox: usize,
    /// CPU seconds and context switches by thread name.
    threads: Vec<proc_stats::ThreadGroup>,
}

impl BacklogResult {
    fn rate(&self) -> f64 {
        self.n as f64 / self.seconds
    }

    fn print(&self, label: &str, bytes: usize) {
        println!(
            "{label}: {:.0} articles/s, {:.1} MB/s, {:.2} s wall, {:.2} CPU-s per 1000 articles, peak RSS {:.1} MB, {} documents written; load {}",
            self.rate(),
            bytes as f64 / 1e6 / self.seconds,
            self.seconds,
            self.cpu_seconds * 1000.0 / self.n as f64,
            self.peak_rss_kib as f64 / 1024.0,
            self.outbox,
            proc_stats::load_average()
        );
        let per_article = |seconds: f64| seconds * 1000.0 / self.n as f64;
        let busy = self
            .threads
            .iter()
            .filter(|g| per_article(g.user + g.system) >= 0.005);
        let cpu: Vec<String> = busy
            .clone()
            .map(|g| {
                format!(
                    "{} {:.3} + {:.3}",
                    g.name,
                    per_article(g.user),
                    per_article(g.system)
                )
            })
            .collect();
        println!(
            "  CPU-ms per article by thread (user + system): {}",
            cpu.join(", ")
        );
        let switches: Vec<String> = busy
            .map(|g| {
                let per = |count: u64| count as f64 / self.n as f64;
                format!("{} {:.1} + {:.1}", g.name, per(g.waits), per(g.preemptions))
            })
            .collect();
        println!(
            "  context switches per article by thread (waits + preemptions): {}",
            switches.join(", ")
        );
    }
}

/// The settle time (`watch.settle_ms`) of every daemon the bench runs, whatever its config.
const SETTLE_MS: u64 = 100;

/// How old the newest backlog file is when the daemon starts: past [`SETTLE_MS`], so the
/// daemon finds a backlog, not files still being written.
const BACKLOG_AGE: Duration = Duration::from_millis(SETTLE_MS + 100);

fn backlog(
    spec: &DaemonSpec,
    root: &Path,
    files: &[corpus::GeneratedFile],
) -> Result<BacklogResult> {
    let folders = Folders::fresh(root)?;
    for f in files {
        std::fs::write(folders.inbox.join(&f.name), &f.bytes)?;
    }
    // A backlog is files that were complete before the daemon started: let the newest one
    // age past the settle time, as files that waited in an inbox have (not timed).
    std::thread::sleep(BACKLOG_AGE);
    let mut daemon = runner::start(spec, &folders)?;
    daemon.wait_started()?;
    let pid = daemon.pid();
    let mut peak = 0;
    while folders.remaining() > 0 {
        std::thread::sleep(Duration::from_millis(100));
        if let Some((hwm, _)) = proc_stats::memory_kib(pid) {
            peak = peak.max(hwm);
        }
        if daemon.started.elapsed() > Duration::from_secs(3600) {
            anyhow::bail!("backlog did not finish within an hour");
        }
    }
    let seconds = daemon.started.elapsed().as_secs_f64();
    let cpu = proc_stats::cpu_seconds(pid).unwrap_or(0.0);
    let threads = proc_stats::cpu_by_thread(pid);
    if let Some((hwm, _)) = proc_stats::memory_kib(pid) {
        peak = peak.max(hwm);
    }
    daemon.stop()?;
    Ok(BacklogResult {
        n: files.len(),
        seconds,
        cpu_seconds: cpu,
        peak_rss_kib: peak,
        outbox: folders.outbox_count(),
        threads,
    })
}

/// Result of one stream run.
struct StreamResult {
    latencies_ms: Vec<f64>,
    dropped: usize,
    achieved_rate: f64,
    rss_samples_mib: Vec<f64>,
    peak_rss_kib: u64,
}

impl StreamResult {
    fn print(&self, label: &str) {
        let pct = |p: f64| {
            if self.latencies_ms.is_empty() {
                return f64::NAN;
            }
            let i = ((self.latencies_ms.len() as f64 - 1.0) * p).round() as usize;
            self.latencies_ms[i]
        };
        println!(
            "{label}: {} dropped at {:.0}/s, {} measured: latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; peak RSS {:.1} MB; load {}",
            self.dropped,
            self.achieved_rate,
            self.latencies_ms.len(),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            pct(1.0),
            self.peak_rss_kib as f64 / 1024.0,
            proc_stats::load_average()
        );
        if !self.rss_samples_mib.is_empty() {
            let s: Vec<String> = self
                .rss_samples_mib
                .iter()
                .map(|v| format!("{v:.1}"))
                .collect();
            println!("  RSS samples (MB): {}", s.join(" "));
            // Warm-up: the first fifth of the run (caches, the dedup index's first pages).
            let after = &self.rss_samples_mib[self.rss_samples_mib.len() / 5..];
            if let (Some(first), Some(last)) = (after.first(), after.last()) {
                let max = after.iter().copied().fold(f64::MIN, f64::max);
                println!(
                    "  after warm-up: first {first:.1} MB, last {last:.1} MB, max {max:.1} MB, growth {:+.1} MB",
                    last - first
                );
            }
        }
    }
}

fn stream(
    spec: &DaemonSpec,
    root: &Path,
    files: &[corpus::GeneratedFile],
    rate: f64,
    rss_every: u64,
) -> Result<StreamResult> {
    let folders = Folders::fresh(root)?;
    let arrivals = outbox_watch::watch(&folders.outbox)?;
    let mut daemon = runner::start(spec, &folders)?;
    daemon.wait_started()?;
    let pid = daemon.pid();
    let staging = root.join("staging");
    let mut dropped_at = Vec::with_capacity(files.len());
    let start = Instant::now();
    let mut rss = Vec::new();
    let mut next_sample = Duration::from_secs(rss_every);
    for (i, f) in files.iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let temp = staging.join(&f.name);
        std::fs::write(&temp, &f.bytes)?;
        let id = ingestd_sdk::sha256_hex(&f.bytes)[..ingestd_sdk::document::ID_HEX_LEN].to_owned();
        let t = Instant::now();
        std::fs::rename(&temp, folders.inbox.join(&f.name)).context("drop")?;
        dropped_at.push((format!("{id}.json"), t));
        if rss_every > 0 && start.elapsed() >= next_sample {
            if let Some((_, now)) = proc_stats::memory_kib(pid) {
                rss.push(now as f64 / 1024.0);
            }
            next_sample += Duration::from_secs(rss_every);
        }
    }
    let achieved_rate = files.len() as f64 / start.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(120);
    while folders.remaining() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    let peak = proc_stats::memory_kib(pid).map(|(h, _)| h).unwrap_or(0);
    daemon.stop()?;
    let arrivals = arrivals
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    let mut latencies: Vec<f64> = dropped_at
        .iter()
        .filter_map(|(name, t)| {
            arrivals
                .get(name)
                .map(|a| a.saturating_duration_since(*t).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    Ok(StreamResult {
        latencies_ms: latencies,
        dropped: files.len(),
        achieved_rate,
        rss_samples_mib: rss,
        peak_rss_kib: peak,
    })
}
