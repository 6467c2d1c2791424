//! Evaluates the dedup plugin on a generated corpus and prints precision and recall.
//!
//! `cargo run --release -p dedup --example dedup_eval -- --articles 5000 --seed 7 [--redb] [--threshold T]`

use std::process::ExitCode;

use dedup::{Config, Dedup, corpus, eval};
use ingestd_sdk::Host;

fn main() -> ExitCode {
    let mut articles = 5000usize;
    let mut seed = 7u64;
    let mut redb = false;
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value =
            |args: &mut dyn Iterator<Item = String>| args.next().and_then(|v| v.parse().ok());
        match arg.as_str() {
            "--articles" => articles = value(&mut args).unwrap_or(articles as u64) as usize,
            "--seed" => seed = value(&mut args).unwrap_or(seed),
            "--redb" => redb = true,
            "--threshold" => {
                config.threshold = args.next().and_then(|v| v.parse().ok()).unwrap_or(0.0)
            }
            _ => {
                eprintln!("usage: dedup_eval [--articles N] [--seed S] [--redb] [--threshold T]");
                return ExitCode::from(2);
            }
        }
    }
    let corpus = corpus::generate(articles, seed);
    let dir = std::env::temp_dir().join(format!("dedup-eval-{}", std::process::id()));
    let plugin = if redb {
        let _ = std::fs::create_dir_all(&dir);
        <Dedup as ingestd_sdk::Plugin>::new(config.clone(), Host::with_state_dir(&dir))
    } else {
        <Dedup as ingestd_sdk::Plugin>::new(config, Host::detached())
    };
    let plugin = match plugin {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = eval::evaluate(&plugin, &corpus);
    drop(plugin);
    let _ = std::fs::remove_dir_all(&dir);
    println!("store={} seed={seed}", if redb { "redb" } else { "memory" });
    print!("{report}");
    for m in &report.mistakes {
        println!("mistake: {m}");
    }
    ExitCode::SUCCESS
}
