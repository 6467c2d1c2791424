//! Time of a MinHash sketch per document: `cargo run --release -p dedup --example sketch_cost -- FILE...`.

use std::time::Instant;

use dedup::minhash::Sketcher;
use dedup::normalize::Normalizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let normalizer = Normalizer::new(&[], 0)?;
    let sketcher = Sketcher::new(128, 32, 5);
    let mut texts = Vec::new();
    for path in std::env::args().skip(1) {
        texts.push(normalizer.normalize(&std::fs::read_to_string(&path)?));
    }
    let rounds = 20;
    let start = Instant::now();
    let mut check = 0u64;
    for _ in 0..rounds {
        for text in &texts {
            check ^= u64::from(sketcher.sketch(text).signature[0]);
        }
    }
    let n = (rounds * texts.len()).max(1);
    println!(
        "{n} sketches: {:.1} µs per document (check {check})",
        start.elapsed().as_micros() as f64 / n as f64
    );
    Ok(())
}
