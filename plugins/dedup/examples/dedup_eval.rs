//! Evaluates the dedup plugin on a generated corpus: precision and recall, then (with
//! `--threads N`) the throughput of N threads sharing one instance.
//!
//! `cargo run --release -p dedup --example dedup_eval -- --articles 5000 --seed 7 [--redb]
//! [--threshold T] [--threads N]`

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use dedup::{Config, Dedup, corpus, eval};
use ingestd_sdk::{Document, Host, Plugin, PluginError};

fn build(config: &Config, redb: Option<&Path>) -> Result<Dedup, PluginError> {
    match redb {
        Some(dir) => Dedup::new(config.clone(), Host::with_state_dir(dir)),
        None => Dedup::new(config.clone(), Host::detached()),
    }
}

/// Processes the corpus with `threads` threads on one fresh instance; returns articles/s.
fn throughput(plugin: &Dedup, articles: &[corpus::Article], threads: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                for article in articles.iter().skip(t).step_by(threads) {
                    let mut doc = Document {
                        id: article.id.clone(),
                        body: article.body.clone(),
                        ..Document::default()
                    };
                    let _ = plugin.process(&mut doc);
                }
            });
        }
    });
    articles.len() as f64 / start.elapsed().as_secs_f64()
}

fn main() -> ExitCode {
    let mut articles = 5000usize;
    let mut seed = 7u64;
    let mut redb = false;
    let mut threads = 0usize;
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse::<f64>().ok());
        match arg.as_str() {
            "--articles" => articles = value().map_or(articles, |v| v as usize),
            "--seed" => seed = value().map_or(seed, |v| v as u64),
            "--threads" => threads = value().map_or(threads, |v| v as usize),
            "--threshold" => config.threshold = value().unwrap_or(0.0),
            "--redb" => redb = true,
            _ => {
                eprintln!(
                    "usage: dedup_eval [--articles N] [--seed S] [--redb] [--threshold T] [--threads N]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let corpus = corpus::generate(articles, seed);
    let dir = std::env::temp_dir().join(format!("dedup-eval-{}", std::process::id()));
    let store_dir = |name: &str| {
        let path = dir.join(name);
        let _ = std::fs::create_dir_all(&path);
        redb.then_some(path)
    };
    let run = || -> Result<(), PluginError> {
        let plugin = build(&config, store_dir("quality").as_deref())?;
        let report = eval::evaluate(&plugin, &corpus);
        drop(plugin);
        println!("store={} seed={seed}", if redb { "redb" } else { "memory" });
        print!("{report}");
        for m in &report.mistakes {
            println!("mistake: {m}");
        }
        if threads > 0 {
            let plugin = build(&config, store_dir("throughput").as_deref())?;
            let rate = throughput(&plugin, &corpus, threads);
            println!("throughput: {rate:.0} articles/s with {threads} threads on one instance");
        }
        Ok(())
    };
    let result = run();
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
