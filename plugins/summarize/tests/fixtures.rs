//! Fixture tests: every article under `fixtures/` (the five samples and the test articles)
//! through the bundled chain (outlet rules, cleanup), then summarize through the C ABI; the
//! summary must hold the issue's properties.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

mod common;

use ingestd_sdk::testing::{ComplianceCase, MockHost, Processed, assert_plugin_compliance};
use ingestd_sdk::{Document, ParagraphKind};
use summarize::select::collapse_whitespace;
use summarize::sentences::SentenceSplitter;

/// Cleaned documents of every fixture article, as the chain before summarize leaves them.
fn cleaned_fixtures() -> Vec<Document> {
    let docs = common::Chain::new().unwrap().fixtures().unwrap();
    assert!(docs.len() >= 5, "fixtures missing");
    docs
}

fn summarized(config: &str) -> Vec<Document> {
    let host = MockHost::load(summarize::ingestd_plugin_v1);
    let instance = host.create(config, None).unwrap();
    cleaned_fixtures()
        .iter()
        .map(|doc| match host.process(&instance, doc) {
            Processed::Continue(doc) => *doc,
            Processed::Other(other) => panic!("{}: {other:?}", doc.source.name),
        })
        .collect()
}

/// Phrases that mark boilerplate or captions; none may be in a summary.
const NEVER: &[&str] = &[
    "subscribe",
    "newsletter",
    "click",
    "share",
    "cookie",
    "Photo:",
    "File photo",
    "(AP)",
    "Featured image",
    "Copyright",
];

#[test]
fn compliance() {
    let mut case = ComplianceCase::new(r#"{"max_chars": 400}"#);
    for doc in cleaned_fixtures() {
        case = case.with_document(doc);
    }
    assert_plugin_compliance(summarize::ingestd_plugin_v1, &case);
}

#[test]
fn every_fixture_summary_holds_the_properties() {
    let splitter = SentenceSplitter::default();
    let mut failures = Vec::new();
    for doc in summarized("{}") {
        let name = &doc.source.name;
        let Some(summary) = doc.summary.as_deref() else {
            failures.push(format!("{name}: no summary"));
            continue;
        };
        let chars = summary.chars().count();
        if chars > 600 {
            failures.push(format!("{name}: {chars} characters"));
        }
        let sentences: Vec<&str> = splitter
            .split(summary)
            .into_iter()
            .map(|r| &summary[r])
            .collect();
        if !(2..=3).contains(&sentences.len()) {
            failures.push(format!("{name}: {} sentences: {summary}", sentences.len()));
        }
        let body = collapse_whitespace(&doc.body);
        for sentence in &sentences {
            if !body.contains(sentence) {
                failures.push(format!("{name}: not in the body: {sentence}"));
            }
        }
        let not_text: Vec<String> = doc
            .paragraphs
            .iter()
            .filter(|p| matches!(p.kind, ParagraphKind::Heading | ParagraphKind::Caption))
            .map(|p| collapse_whitespace(&p.text))
            .collect();
        for sentence in &sentences {
            if not_text.iter().any(|p| p.contains(sentence)) {
                failures.push(format!("{name}: heading or caption: {sentence}"));
            }
        }
        for phrase in NEVER {
            if summary.to_lowercase().contains(&phrase.to_lowercase()) {
                failures.push(format!("{name}: contains {phrase:?}: {summary}"));
            }
        }
        let lead: Vec<String> = doc
            .paragraphs
            .iter()
            .filter(|p| !matches!(p.kind, ParagraphKind::Heading | ParagraphKind::Caption))
            .take(3)
            .map(|p| collapse_whitespace(&p.text))
            .collect();
        if !sentences.iter().any(|s| lead.iter().any(|p| p.contains(s))) {
            failures.push(format!("{name}: nothing from the lead: {summary}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_summary_opens_with_the_first_text_sentence() {
    let splitter = SentenceSplitter::default();
    for doc in &summarized("{}") {
        let first = doc
            .paragraphs
            .iter()
            .find(|p| p.kind == ParagraphKind::Paragraph)
            .unwrap();
        let range = splitter.split(&first.text).remove(0);
        let summary = doc.summary.as_deref().unwrap();
        assert!(
            summary.starts_with(&collapse_whitespace(&first.text[range])),
            "{}: {summary}",
            doc.source.name
        );
    }
}

#[test]
fn a_smaller_budget_is_honoured() {
    for doc in summarized(r#"{"max_chars": 200, "max_sentences": 2, "min_sentences": 1}"#) {
        let summary = doc.summary.unwrap();
        assert!(summary.chars().count() <= 200, "{summary}");
    }
}

#[test]
fn summaries_are_deterministic() {
    let a: Vec<_> = summarized("{}").into_iter().map(|d| d.summary).collect();
    let b: Vec<_> = summarized("{}").into_iter().map(|d| d.summary).collect();
    assert_eq!(a, b);
}
