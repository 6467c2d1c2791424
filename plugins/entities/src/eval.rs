//! Entity-level evaluation against hand-annotated articles: precision, recall and F1 over the
//! set of (canonical name, label) pairs of each document.
//!
//! A gold set is a folder of plain-text articles (first line the title, then a blank line and
//! the body's paragraphs) and a `gold.jsonl` file, one line per article:
//! `{"file": "01_eu.txt", "entities": [["European Union", "ORG"], ...]}`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ingestd_sdk::{Document, Entity};
use serde::Deserialize;

use crate::tagger::{Limits, Tagger};

/// A gold set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line of `gold.jsonl` is not valid.
    #[error("gold.jsonl line {line}: {source}")]
    Gold {
        /// 1-based line number.
        line: usize,
        /// The JSON error.
        source: serde_json::Error,
    },
}

/// One annotated article.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldArticle {
    /// Article file name, relative to the gold folder.
    pub file: String,
    /// Every (canonical name, label) the article mentions.
    pub entities: Vec<(String, String)>,
}

/// True and false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    /// Predicted and in the gold set.
    pub true_positives: usize,
    /// Predicted but not in the gold set.
    pub false_positives: usize,
    /// In the gold set but not predicted.
    pub false_negatives: usize,
}

impl Score {
    /// Compares predicted entities with gold pairs (sets of (name, label)).
    pub fn compare(gold: &[(String, String)], predicted: &[Entity]) -> Score {
        let gold: BTreeSet<(&str, &str)> =
            gold.iter().map(|(n, l)| (n.as_str(), l.as_str())).collect();
        let predicted: BTreeSet<(&str, &str)> = predicted
            .iter()
            .map(|e| (e.text.as_str(), e.label.as_str()))
            .collect();
        let hits = gold.intersection(&predicted).count();
        Score {
            true_positives: hits,
            false_positives: predicted.len() - hits,
            false_negatives: gold.len() - hits,
        }
    }

    /// Adds another score (micro-averaging).
    pub fn add(&mut self, other: Score) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }

    /// Share of predictions that are right (1.0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Share of gold entities found (1.0 when the gold set is empty).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// The result for one article.
#[derive(Debug, Clone)]
pub struct ArticleResult {
    /// Article file name.
    pub file: String,
    /// Its score.
    pub score: Score,
    /// Gold pairs that were not predicted.
    pub missed: Vec<(String, String)>,
    /// Predicted pairs that are not gold.
    pub spurious: Vec<(String, String)>,
}

/// Results for a whole gold set.
#[derive(Debug, Clone)]
pub struct Report {
    /// Per article.
    pub articles: Vec<ArticleResult>,
    /// Micro-averaged over all articles.
    pub total: Score,
}

/// Reads `gold.jsonl`.
pub fn load_gold(dir: &Path) -> Result<Vec<GoldArticle>, EvalError> {
    let text = read(&dir.join("gold.jsonl"))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| EvalError::Gold {
                line: i + 1,
                source,
            })
        })
        .collect()
}

fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Splits an article file into its title (first line) and body (the rest, paragraphs
/// separated by one blank line, as cleanup writes them).
pub fn split_article(text: &str) -> (String, String) {
    let (title, rest) = text.split_once('\n').unwrap_or((text, ""));
    let paragraphs = Document::paragraphs_from_body(rest);
    (
        title.trim().to_owned(),
        Document::body_from_paragraphs(&paragraphs),
    )
}

/// Tags every article of the gold set in `dir` and scores it.
pub fn evaluate(dir: &Path, tagger: &Tagger, limits: Limits) -> Result<Report, EvalError> {
    let mut articles = Vec::new();
    let mut total = Score::default();
    for gold in load_gold(dir)? {
        let (title, body) = split_article(&read(&dir.join(&gold.file))?);
        let predicted = tagger.tag(Some(&title), &body, limits);
        let score = Score::compare(&gold.entities, &predicted);
        total.add(score);
        let pairs: BTreeSet<(String, String)> = predicted
            .iter()
            .map(|e| (e.text.clone(), e.label.clone()))
            .collect();
        let gold_set: BTreeSet<(String, String)> = gold.entities.iter().cloned().collect();
        articles.push(ArticleResult {
            file: gold.file,
            score,
            missed: gold_set.difference(&pairs).cloned().collect(),
            spurious: pairs.difference(&gold_set).cloned().collect(),
        });
    }
    Ok(Report { articles, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(text: &str, label: &str) -> Entity {
        Entity {
            text: text.into(),
            label: label.into(),
            count: 1,
            ..Entity::default()
        }
    }

    #[test]
    fn scores_count_name_and_label_pairs() {
        let gold = vec![
            ("Vietnam".to_owned(), "GPE".to_owned()),
            ("ASEAN".to_owned(), "ORG".to_owned()),
        ];
        let predicted = [
            entity("Vietnam", "GPE"),
            entity("ASEAN", "GPE"),
            entity("Hanoi", "GPE"),
        ];
        let s = Score::compare(&gold, &predicted);
        assert_eq!(
            (s.true_positives, s.false_positives, s.false_negatives),
            (1, 2, 1)
        );
        assert!((s.precision() - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.recall() - 0.5).abs() < 1e-9);
        assert!((s.f1() - 0.4).abs() < 1e-9);
    }

    #[test]
    fn articles_split_into_title_and_body() {
        let (t, b) = split_article("Title here\n\nFirst para.\n\n\nSecond para.\n");
        assert_eq!(t, "Title here");
        assert_eq!(b, "First para.\n\nSecond para.");
    }
}
