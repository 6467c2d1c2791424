//! Precision and recall of the plugin on a generated corpus ([`crate::corpus`]).
//!
//! The corpus is processed in stream order. The truth for each article follows from what came
//! before it: *exact* if an earlier article has the same text group, else *near* if an earlier
//! article is of the same family, else *new*. A reported exact duplicate is right when its
//! `duplicate_of` has the same text group; a reported near-duplicate is right when the article
//! is truly near and `duplicate_of` is of the same family.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use ingestd_sdk::{Document, Plugin, Verdict};

use crate::Dedup;
use crate::corpus::Article;

/// Counts for one kind of duplicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Articles that truly are this kind.
    pub truth: usize,
    /// Articles reported as this kind.
    pub reported: usize,
    /// Reports that were right.
    pub correct: usize,
}

impl Counts {
    /// correct / reported (1 when nothing was reported).
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.reported)
    }

    /// correct / truth (1 when there was nothing to find).
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.truth)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The result of an evaluation run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Articles processed.
    pub articles: usize,
    /// Exact-duplicate counts.
    pub exact: Counts,
    /// Near-duplicate counts.
    pub near: Counts,
    /// Wall time of all `process` calls, in seconds.
    pub seconds: f64,
    /// Lowest similarity among correct near reports.
    pub min_true_similarity: f64,
    /// Articles that were misjudged (for debugging), at most 10 exact and 10 near ones.
    pub mistakes: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = |f: &mut std::fmt::Formatter<'_>, name: &str, c: &Counts| {
            writeln!(
                f,
                "{name:5}  truth={:5} reported={:5} correct={:5} precision={:.4} recall={:.4}",
                c.truth,
                c.reported,
                c.correct,
                c.precision(),
                c.recall()
            )
        };
        writeln!(
            f,
            "articles={} time={:.2}s ({:.0} articles/s, one thread)",
            self.articles,
            self.seconds,
            self.articles as f64 / self.seconds.max(1e-9)
        )?;
        line(f, "exact", &self.exact)?;
        line(f, "near", &self.near)?;
        writeln!(
            f,
            "lowest similarity of a found near-duplicate: {:.3}",
            self.min_true_similarity
        )
    }
}

/// Runs every article through `plugin.process` in order and scores the results.
pub fn evaluate(plugin: &Dedup, articles: &[Article]) -> Report {
    let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut seen_groups = HashSet::new();
    let mut seen_families = HashSet::new();
    let mut report = Report {
        articles: articles.len(),
        min_true_similarity: 1.0,
        ..Report::default()
    };
    let mut elapsed = 0.0;
    for article in articles {
        let truth_exact = seen_groups.contains(&article.text_group);
        let truth_near = !truth_exact && seen_families.contains(&article.family);
        seen_groups.insert(article.text_group);
        seen_families.insert(article.family);
        report.exact.truth += usize::from(truth_exact);
        report.near.truth += usize::from(truth_near);

        let mut doc = Document {
            id: article.id.clone(),
            body: article.body.clone(),
            ..Document::default()
        };
        let start = Instant::now();
        let result = plugin.process(&mut doc);
        elapsed += start.elapsed().as_secs_f64();
        let Some(info) = matches!(result, Ok(Verdict::Continue | Verdict::Skip { .. }))
            .then_some(doc.dedup)
            .flatten()
        else {
            report.mistakes.push(format!("{}: no result", article.id));
            continue;
        };
        let of = info.duplicate_of.as_deref().and_then(|id| by_id.get(id));
        let right = match (info.kind.as_deref(), of) {
            (Some("exact"), Some(of)) => {
                report.exact.reported += 1;
                let ok = of.text_group == article.text_group;
                report.exact.correct += usize::from(ok);
                ok && truth_exact
            }
            (Some("near"), Some(of)) => {
                report.near.reported += 1;
                let ok = truth_near && of.family == article.family;
                report.near.correct += usize::from(ok);
                if ok {
                    let s = info.similarity.unwrap_or(0.0);
                    report.min_true_similarity = report.min_true_similarity.min(s);
                }
                ok
            }
            _ => !truth_exact && !truth_near,
        };
        let exact_related = truth_exact || info.kind.as_deref() == Some("exact");
        let same_kind = report
            .mistakes
            .iter()
            .filter(|m| m.starts_with("exact") == exact_related)
            .count();
        if !right && same_kind < 10 {
            report.mistakes.push(format!(
                "{} {} ({:?}, truth exact={truth_exact} near={truth_near}): reported {:?} of {:?} sim {:?}",
                if exact_related { "exact" } else { "near" },
                article.id,
                article.variant,
                info.kind,
                info.duplicate_of,
                info.similarity
            ));
        }
    }
    report.seconds = elapsed;
    report
}
