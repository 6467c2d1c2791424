//! Tags a folder of article files after the bundled chain (outlet rules, cleanup) and prints
//! one JSON line of entities per file, in file-name order; stderr gets the tagging time per
//! document (best of `ROUNDS` passes over the whole folder, cleaning not included):
//! `cargo run --release -p entities --example tag_corpus -- DIR [ROUNDS]`.
//!
//! Used to prove that a speed change leaves the output byte-identical (compare the stdout of
//! the old and new code on a generated corpus) and to time the tagger on many documents.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use entities::Entities;
use ingestd_sdk::{Host, Plugin};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: tag_corpus DIR [ROUNDS]")?;
    let rounds: u32 = args.next().map_or(Ok(1), |a| a.parse())?;
    let chain = common::Chain::new();
    let plugin = Entities::new(Default::default(), Host::detached())?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    let mut docs = Vec::with_capacity(paths.len());
    for path in &paths {
        let bytes = std::fs::read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        docs.push(chain.clean(name.as_deref().unwrap_or("article"), &text));
    }
    let mut best = f64::INFINITY;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for doc in &mut docs {
            plugin.process(doc)?;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    for doc in &docs {
        println!("{}", serde_json::to_string(&doc.entities)?);
    }
    eprintln!(
        "{} documents: {:.1} us/doc (best of {} rounds)",
        docs.len(),
        best * 1e6 / docs.len().max(1) as f64,
        rounds.max(1)
    );
    Ok(())
}
