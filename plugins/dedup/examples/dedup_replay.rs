//! Runs the plugin with a redb index over documents in a fixed order and prints each decision:
//! for comparing two builds (same input, same order, same answers) and for measuring the
//! plugin's CPU (its own thread and the index writer's) per document.
//!
//! `cargo run --release -p dedup --example dedup_replay -- --docs DOCS.jsonl --state DIR
//! [--from I] [--to J] [--out DECISIONS.txt] [--flush-every N] [--load-only]`
//!
//! With `--corpus N --seed S` instead of `--docs`, the documents are N articles of the
//! plugin's own generated corpus (exact and near variants in Unicode forms, ligatures,
//! curly quotes). `DOCS.jsonl` holds one document per line, as `ingestd process --compact` prints them
//! (e.g. with a chain of cleanup alone). Documents `I..J` (by line) are processed, in order,
//! against the index in `DIR` (created when missing, kept afterwards: run `--from 0 --to 1500`
//! then `--from 1500` to restart half-way). The decision lines are
//! `id verdict fingerprint kind duplicate_of similarity`. `--flush-every N` commits the index
//! after every N documents, as the daemon's writer does every 200 ms (about 260 documents at
//! 1,300 articles/s), so that two builds commit at the same points whatever their speed;
//! without it the writer commits on its own clock. `--load-only` reads the documents
//! and stops (its instruction count is the part to subtract under valgrind).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use dedup::{Config, Dedup};
use ingestd_sdk::{Document, Host, Plugin, Verdict};

/// CPU seconds (user, system) of the thread `tid` of this process.
fn thread_cpu(tid: &str) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // Fields 14 and 15 of stat (utime, stime), counted after the ')' that ends field 2.
    Some((ticks(11)? / 100.0, ticks(12)? / 100.0))
}

/// CPU seconds of the threads of this process whose name starts with `prefix`.
fn threads_cpu(prefix: &str) -> (f64, f64) {
    let mut total = (0.0, 0.0);
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return total;
    };
    for task in tasks.flatten() {
        let tid = task.file_name().to_string_lossy().into_owned();
        let name =
            std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).unwrap_or_default();
        if name.trim_end().starts_with(prefix) {
            if let Some((user, system)) = thread_cpu(&tid) {
                total.0 += user;
                total.1 += system;
            }
        }
    }
    total
}

fn main() -> ExitCode {
    let mut docs: Option<PathBuf> = None;
    let mut state: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let (mut from, mut to) = (0usize, usize::MAX);
    let mut load_only = false;
    let mut flush_every = 0usize;
    let mut corpus: Option<usize> = None;
    let mut seed = 7u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--docs" => docs = args.next().map(PathBuf::from),
            "--state" => state = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            "--from" => from = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--to" => {
                to = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(usize::MAX)
            }
            "--flush-every" => flush_every = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--corpus" => corpus = args.next().and_then(|v| v.parse().ok()),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            "--load-only" => load_only = true,
            _ => {
                eprintln!(
                    "usage: dedup_replay --docs FILE.jsonl --state DIR [--from I] [--to J] \
                     [--out FILE] [--flush-every N] [--corpus N --seed S] [--load-only]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let source = match (docs, corpus) {
        (Some(docs), None) => Source::File(docs),
        (None, Some(n)) => Source::Corpus(n, seed),
        _ => {
            eprintln!("one of --docs or --corpus is required");
            return ExitCode::from(2);
        }
    };
    let Some(state) = state else {
        eprintln!("--state is required");
        return ExitCode::from(2);
    };
    let options = Options {
        from,
        to,
        out,
        flush_every,
        load_only,
    };
    match run(&source, &state, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dedup_replay: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where the documents come from.
enum Source {
    /// One JSON document per line.
    File(PathBuf),
    /// The plugin's generated corpus: this many articles, this seed.
    Corpus(usize, u64),
}

/// What to run, from the command line.
struct Options {
    from: usize,
    to: usize,
    out: Option<PathBuf>,
    flush_every: usize,
    load_only: bool,
}

fn run(
    source: &Source,
    state: &PathBuf,
    options: Options,
) -> Result<(), Box<dyn std::error::Error>> {
    let Options {
        from,
        to,
        out,
        flush_every,
        load_only,
    } = options;
    let mut documents = Vec::new();
    match source {
        Source::File(docs) => {
            for (i, line) in BufReader::new(std::fs::File::open(docs)?)
                .lines()
                .enumerate()
            {
                let line = line?;
                if i >= from && i < to && !line.trim().is_empty() {
                    let mut doc: Document = serde_json::from_str(&line)?;
                    doc.dedup = None;
                    documents.push(doc);
                }
            }
        }
        Source::Corpus(n, seed) => {
            let articles = dedup::corpus::generate(*n, *seed);
            for article in articles.into_iter().take(to).skip(from) {
                documents.push(Document {
                    id: article.id,
                    body: article.body,
                    ..Document::default()
                });
            }
        }
    }
    if load_only {
        println!("loaded {} documents", documents.len());
        return Ok(());
    }
    std::fs::create_dir_all(state)?;
    let config = Config {
        cache_mb: 2,
        ..Config::default()
    };
    let plugin = Dedup::new(config, Host::with_state_dir(state))?;
    let count = documents.len();
    let mut lines = Vec::with_capacity(count);
    // The main thread's id is the process id.
    let main_tid = std::process::id().to_string();
    let main_cpu = || thread_cpu(&main_tid).unwrap_or_default();
    let main_before = main_cpu();
    let start = Instant::now();
    for (i, mut doc) in documents.into_iter().enumerate() {
        if flush_every > 0 && i > 0 && i % flush_every == 0 {
            plugin.store().flush()?;
        }
        let verdict = plugin.process(&mut doc)?;
        let info = doc.dedup.take().unwrap_or_default();
        let verdict = match verdict {
            Verdict::Continue => "continue".to_owned(),
            Verdict::Skip { reason } => format!("skip({reason})"),
        };
        lines.push(format!(
            "{} {verdict} {} {} {} {}",
            doc.id,
            info.fingerprint,
            info.kind.unwrap_or_default(),
            info.duplicate_of.unwrap_or_default(),
            info.similarity.map(|s| s.to_string()).unwrap_or_default()
        ));
    }
    plugin.store().flush()?;
    let elapsed = start.elapsed().as_secs_f64();
    let main_after = main_cpu();
    let writer = threads_cpu("dedup-writer");
    drop(plugin);
    let n = count.max(1) as f64;
    let ms = |s: f64| s * 1000.0 / n;
    println!(
        "documents={} wall_ms_per_doc={:.4} main_cpu_ms_per_doc={:.4}+{:.4} \
         writer_cpu_ms_per_doc={:.4}+{:.4}",
        count,
        ms(elapsed),
        ms(main_after.0 - main_before.0),
        ms(main_after.1 - main_before.1),
        ms(writer.0),
        ms(writer.1)
    );
    if let Some(out) = out {
        let mut w = BufWriter::new(std::fs::File::create(out)?);
        for line in &lines {
            writeln!(w, "{line}")?;
        }
        w.flush()?;
    }
    Ok(())
}
