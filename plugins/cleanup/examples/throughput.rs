//! Measures the bundled chain's text work (outlet rules, then cleanup) per document, in-process:
//! `cargo run --release -p cleanup --example throughput -- [ROUNDS] FILE...`.

use std::time::Instant;

use ingestd_sdk::{Document, Host, Plugin};
use textkit::outlet::OutletPlugin;
use textkit::outlets::{GlobalResearch, Reprint, Rfa};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = match args.first().map(|a| a.parse()) {
        Some(Ok(n)) => {
            args.remove(0);
            n
        }
        _ => 200,
    };
    let start = Instant::now();
    let gr = OutletPlugin::<GlobalResearch>::new(Default::default(), Host::detached())?;
    let reprint = OutletPlugin::<Reprint>::new(Default::default(), Host::detached())?;
    let rfa = OutletPlugin::<Rfa>::new(Default::default(), Host::detached())?;
    let cleanup = cleanup::Cleanup::new(Default::default(), Host::detached())?;
    println!(
        "build: {} µs (all four plugins, once)",
        start.elapsed().as_micros()
    );
    let mut docs = Vec::new();
    for path in &args {
        docs.push(Document::from_source(
            path,
            &std::fs::read(path)?,
            "2024-01-01T00:00:00Z",
        )?);
    }
    let bytes: usize = docs.iter().map(|d| d.source.size as usize).sum();
    let start = Instant::now();
    for _ in 0..rounds {
        for doc in &docs {
            let mut doc = doc.clone();
            gr.process(&mut doc)?;
            reprint.process(&mut doc)?;
            rfa.process(&mut doc)?;
            cleanup.process(&mut doc)?;
        }
    }
    let elapsed = start.elapsed();
    let n = (rounds * docs.len()).max(1);
    println!(
        "{n} documents: {:.0} µs per document, {:.1} MB/s (one thread)",
        elapsed.as_micros() as f64 / n as f64,
        (bytes * rounds) as f64 / elapsed.as_secs_f64() / 1e6
    );
    Ok(())
}
