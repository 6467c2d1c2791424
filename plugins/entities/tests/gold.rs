//! Entity-level precision, recall and F1 on the hand-annotated articles, with floors that fail
//! the build when the tagger gets worse. `tests/gold` is the development set (rules were
//! written while looking at it); `tests/heldout` and `tests/blind` were annotated before the
//! tagger first ran on them, and their floors are lower. Figures:
//! `cargo run --release -p entities --example eval`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

use std::path::Path;

use entities::eval::{Report, evaluate};
use entities::{Limits, Tagger};

fn run(set: &str) -> Report {
    let tagger = Tagger::new().unwrap();
    let limits = Limits {
        max_entities: 200,
        max_mentions: 20_000,
    };
    evaluate(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(set),
        &tagger,
        limits,
    )
    .unwrap()
}

fn assert_floor(set: &str, min_articles: usize, precision: f64, recall: f64, f1: f64) {
    let report = run(set);
    assert!(
        report.articles.len() >= min_articles,
        "{set}: too few articles"
    );
    let t = report.total;
    let detail: Vec<String> = report
        .articles
        .iter()
        .map(|a| {
            format!(
                "{}: missed {:?}, spurious {:?}",
                a.file, a.missed, a.spurious
            )
        })
        .collect();
    assert!(
        t.precision() >= precision && t.recall() >= recall && t.f1() >= f1,
        "{set}: P {:.3} R {:.3} F1 {:.3} below P {precision} R {recall} F1 {f1}\n{}",
        t.precision(),
        t.recall(),
        t.f1(),
        detail.join("\n")
    );
}

#[test]
fn development_set_stays_above_its_floor() {
    assert_floor("gold", 12, 0.95, 0.88, 0.92);
}

#[test]
fn held_out_set_stays_above_its_floor() {
    assert_floor("heldout", 6, 0.90, 0.70, 0.80);
}

#[test]
fn blind_set_stays_above_its_floor() {
    assert_floor("blind", 4, 0.88, 0.70, 0.78);
}
