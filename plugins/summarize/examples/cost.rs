//! Per-document cost of the extractive summarizer on the cleaned fixture articles, and on
//! one 10 KB body built from the samples' paragraphs:
//! `cargo run --release -p summarize --example cost -- [ROUNDS]` (default 2000 rounds).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use ingestd_sdk::{Document, Host, Plugin};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: u32 = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 2000,
    };
    let summarize = summarize::Summarize::new(Default::default(), Host::detached())?;
    let mut docs = common::Chain::new()?.fixtures()?;
    docs.push(ten_kilobytes(&docs));

    let (mut total_bytes, mut total_micros) = (0usize, 0f64);
    for doc in &mut docs {
        let start = Instant::now();
        for _ in 0..rounds {
            summarize.process(doc)?;
        }
        let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        total_bytes += doc.body.len();
        total_micros += micros;
        println!(
            "{:>40} {:>6} B body {:>8.1} µs/doc",
            doc.source.name,
            doc.body.len(),
            micros
        );
    }
    println!(
        "all: {:.1} µs per 10 KB of body ({} documents, {rounds} rounds each)",
        total_micros * 10_240.0 / total_bytes as f64,
        docs.len()
    );
    Ok(())
}

/// A document of about 10 KB built from the first sample paragraphs, title of the first.
fn ten_kilobytes(docs: &[Document]) -> Document {
    let paragraphs: Vec<_> = docs
        .iter()
        .flat_map(|d| d.paragraphs.iter().cloned())
        .scan(0usize, |size, p| {
            *size += p.text.len() + 2;
            (*size <= 10_240).then_some(p)
        })
        .collect();
    Document {
        id: "10kb".into(),
        title: docs.first().and_then(|d| d.title.clone()),
        body: Document::body_from_paragraphs(&paragraphs),
        paragraphs,
        source: ingestd_sdk::SourceInfo {
            name: "synthetic-10kb".into(),
            ..Default::default()
        },
        ..Document::default()
    }
}
