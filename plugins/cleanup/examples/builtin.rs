//! Runs cleanup as the bundled config does (outlets built in) over every file of a folder:
//! `cargo run --release -p cleanup --example builtin -- json DIR` prints one JSON document per
//! article (sorted by file name, `raw` dropped) to compare two builds' output;
//! `... -- time ROUNDS DIR` measures CPU per document, in-process, on one thread.

use std::time::Instant;

#[path = "common/mod.rs"]
mod common;

use ingestd_sdk::Plugin;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, rounds, dir) = match args.as_slice() {
        [mode, dir] if mode == "json" => (mode.as_str(), 1, dir),
        [mode, rounds, dir] if mode == "time" => (mode.as_str(), rounds.parse()?, dir),
        _ => return Err("usage: builtin json DIR | builtin time ROUNDS DIR".into()),
    };
    let cleanup = common::bundled_cleanup()?;
    let docs = common::corpus_documents(dir)?;
    if mode == "json" {
        for doc in &docs {
            let mut doc = doc.clone();
            match cleanup.process(&mut doc) {
                Ok(_) => {
                    doc.raw = None;
                    println!("{}", serde_json::to_string(&doc)?);
                }
                Err(e) => println!("{} error {}", doc.id, e.code),
            }
        }
        return Ok(());
    }
    let mut spent = std::time::Duration::ZERO;
    for _ in 0..rounds {
        for doc in &docs {
            let mut doc = doc.clone();
            let t = Instant::now();
            let _ = cleanup.process(&mut doc);
            spent += t.elapsed();
        }
    }
    let n = (rounds * docs.len()).max(1);
    println!(
        "{n} documents: {:.1} µs per document (cleanup with built-in outlets, one thread)",
        spent.as_secs_f64() * 1e6 / n as f64
    );
    Ok(())
}
