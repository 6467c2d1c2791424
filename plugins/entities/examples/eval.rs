//! Entity-level precision, recall and F1 on hand-annotated articles:
//! `cargo run --release -p entities --example eval [-- --verbose] [GOLD_DIR...]`
//! (default: the development set `tests/gold`, then `tests/heldout` and `tests/blind`).
//! `--verbose` lists missed and spurious (name, label) pairs.

use std::path::PathBuf;

use entities::eval::{Score, evaluate};
use entities::{Limits, Tagger};

fn line(name: &str, s: &Score) {
    println!(
        "{name:<28} P {:.3}  R {:.3}  F1 {:.3}  (tp {}, fp {}, fn {})",
        s.precision(),
        s.recall(),
        s.f1(),
        s.true_positives,
        s.false_positives,
        s.false_negatives
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let mut dirs: Vec<PathBuf> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if dirs.is_empty() {
        let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
        dirs = vec![
            tests.join("gold"),
            tests.join("heldout"),
            tests.join("blind"),
        ];
    }
    let tagger = Tagger::new()?;
    let limits = Limits {
        max_entities: 200,
        max_mentions: 20_000,
    };
    for dir in dirs {
        println!("== {}", dir.display());
        let report = evaluate(&dir, &tagger, limits)?;
        for a in &report.articles {
            line(&a.file, &a.score);
            if verbose {
                for (n, l) in &a.missed {
                    println!("    missed   {l:<7} {n}");
                }
                for (n, l) in &a.spurious {
                    println!("    spurious {l:<7} {n}");
                }
            }
        }
        line("TOTAL (micro)", &report.total);
    }
    Ok(())
}
