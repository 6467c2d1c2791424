//! How often [`textkit::lang::detect`] (with its English shortcut) differs from whatlang alone,
//! and what each costs: `cargo run --release -p textkit --example lang_eval -- FILE.jsonl`,
//! one `{"kind": ..., "text": ...}` per line (the kind's part before the first `-` groups
//! the counts). Texts that differ are printed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use textkit::lang::{clearly_english, detect, detect_whatlang, sample};

/// Counts for one group of texts.
#[derive(Default)]
struct Group {
    texts: usize,
    shortcut: usize,
    differ: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: lang_eval FILE.jsonl")?;
    let min_confidence = textkit::CleanupConfig::default().min_language_confidence;
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let (mut fast, mut slow) = (Duration::ZERO, Duration::ZERO);
    for line in std::fs::read_to_string(path)?.lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let kind = value["kind"].as_str().unwrap_or("?");
        let text = value["text"].as_str().unwrap_or("");
        let t = Instant::now();
        let new = detect(text, min_confidence);
        fast += t.elapsed();
        let t = Instant::now();
        let old = detect_whatlang(text, min_confidence);
        slow += t.elapsed();
        let group = groups
            .entry(kind.split('-').next().unwrap_or(kind).to_owned())
            .or_default();
        group.texts += 1;
        group.shortcut += usize::from(clearly_english(sample(text)));
        if new != old {
            group.differ += 1;
            println!(
                "DIFFERS {kind}: {old:?} -> {new:?}: {:.120}",
                text.replace('\n', " ")
            );
        }
    }
    let total: usize = groups.values().map(|g| g.texts).sum();
    for (name, g) in &groups {
        println!(
            "{name}: {} texts, shortcut taken {}, language differs {}",
            g.texts, g.shortcut, g.differ
        );
    }
    println!(
        "all: {total} texts, differ {}; detect {:.1} µs per text, whatlang alone {:.1} µs",
        groups.values().map(|g| g.differ).sum::<usize>(),
        fast.as_secs_f64() * 1e6 / total.max(1) as f64,
        slow.as_secs_f64() * 1e6 / total.max(1) as f64
    );
    Ok(())
}
