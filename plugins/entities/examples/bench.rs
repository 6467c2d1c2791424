//! Per-document cost of tagging, in-process (no ABI, no JSON):
//! `cargo run --release -p entities --example bench [-- ROUNDS]`.
//!
//! Times the five cleaned samples (outlet rules + cleanup first) and a 10 KB article made of
//! the gold-set texts, and the one-off cost of building the tagger.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use entities::{Limits, Tagger};

const LIMITS: Limits = Limits {
    max_entities: 200,
    max_mentions: 20_000,
};

/// The fastest of ten batches (the machine is shared: the minimum is the least disturbed).
fn per_call(rounds: u32, mut f: impl FnMut()) -> Duration {
    f();
    let batch = (rounds / 10).max(1);
    (0..10)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed() / batch
        })
        .min()
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: u32 = std::env::args().nth(1).map_or(Ok(200), |a| a.parse())?;
    let built = Instant::now();
    let tagger = Tagger::new()?;
    println!("build tagger: {:?}", built.elapsed());

    let chain = common::Chain::new();
    let samples = std::fs::read_dir(common::fixture("samples"))?;
    let mut paths: Vec<_> = samples.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let doc = chain.clean(name.as_deref().unwrap_or("sample"), &text);
        let t = per_call(rounds, || {
            std::hint::black_box(tagger.tag(doc.title.as_deref(), &doc.body, LIMITS));
        });
        println!(
            "{:<28} {:>6} bytes  {:>8.1} us/doc",
            name.unwrap_or_default(),
            doc.body.len(),
            t.as_secs_f64() * 1e6
        );
    }

    let gold = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gold");
    let mut body = String::new();
    let mut files: Vec<_> = std::fs::read_dir(&gold)?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        let (_, text) = entities::eval::split_article(&std::fs::read_to_string(path)?);
        body.push_str(&text);
        body.push_str("\n\n");
        if body.len() >= 10_240 {
            break;
        }
    }
    let cut = (0..=10_240.min(body.len()))
        .rev()
        .find(|&i| body.is_char_boundary(i))
        .unwrap_or(0);
    body.truncate(cut);
    let t = per_call(rounds, || {
        std::hint::black_box(tagger.tag(None, &body, LIMITS));
    });
    println!(
        "{:<28} {:>6} bytes  {:>8.1} us/doc",
        "10 KB of gold articles",
        body.len(),
        t.as_secs_f64() * 1e6
    );
    Ok(())
}
