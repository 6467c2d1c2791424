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
    let mut spent = [std::time::Duration::ZERO; 4];
    let start = Instant::now();
    for _ in 0..rounds {
        for doc in &docs {
            let mut doc = doc.clone();
            let t = Instant::now();
            gr.process(&mut doc)?;
            let t = lap(&mut spent[0], t);
            reprint.process(&mut doc)?;
            let t = lap(&mut spent[1], t);
            rfa.process(&mut doc)?;
            let t = lap(&mut spent[2], t);
            cleanup.process(&mut doc)?;
            lap(&mut spent[3], t);
        }
    }
    let elapsed = start.elapsed();
    let n = (rounds * docs.len()).max(1);
    println!(
        "{n} documents: {:.0} µs per document, {:.1} MB/s (one thread)",
        elapsed.as_micros() as f64 / n as f64,
        (bytes * rounds) as f64 / elapsed.as_secs_f64() / 1e6
    );
    for (name, d) in [
        "outlet-globalresearch",
        "outlet-reprint",
        "outlet-rfa",
        "cleanup",
    ]
    .iter()
    .zip(spent)
    {
        println!(
            "  {name}: {:.1} µs per document",
            d.as_micros() as f64 / n as f64
        );
    }
    Ok(())
}

/// Adds the time since `since` to `total` and returns now.
fn lap(total: &mut std::time::Duration, since: Instant) -> Instant {
    let now = Instant::now();
    *total += now - since;
    now
}
