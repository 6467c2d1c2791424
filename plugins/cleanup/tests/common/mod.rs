//! Shared by the fixture tests: run the bundled chain in-process, compare with expectations.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.
#![allow(dead_code, unreachable_pub)]

use ingestd_sdk::testing::{MockHost, Processed, sample_document};
use ingestd_sdk::{Document, Host, Plugin, Verdict};
use serde_json::Value;
use textkit::outlet::{OutletPlugin, OutletRules};
use textkit::outlets::{GlobalResearch, Reprint, Rfa};

/// The outlet plugins of the bundled chain, in config order, then cleanup through the C ABI.
/// One outlet plugin, as a closure over its instance.
type Stage = Box<dyn Fn(&mut Document)>;

pub struct Chain {
    outlets: Vec<Stage>,
    cleanup: MockHost,
    instance: ingestd_sdk::client::Instance,
}

fn outlet<R: OutletRules>() -> Stage {
    let plugin = OutletPlugin::<R>::new(Default::default(), Host::detached()).unwrap();
    Box::new(move |doc| assert_eq!(plugin.process(doc).unwrap(), Verdict::Continue))
}

impl Chain {
    pub fn new() -> Chain {
        let cleanup = MockHost::load(cleanup::ingestd_plugin_v1);
        let instance = cleanup.create("{}", None).unwrap();
        Chain {
            outlets: vec![
                outlet::<GlobalResearch>(),
                outlet::<Reprint>(),
                outlet::<Rfa>(),
            ],
            cleanup,
            instance,
        }
    }

    /// Cleanup alone, without outlet plugins: the generic fallback.
    pub fn generic_only() -> Chain {
        Chain {
            outlets: Vec::new(),
            ..Chain::new()
        }
    }

    pub fn run(&self, name: &str, text: &str) -> Document {
        self.run_doc(sample_document(name, text))
    }

    pub fn run_doc(&self, mut doc: Document) -> Document {
        let name = doc.source.name.clone();
        for outlet in &self.outlets {
            outlet(&mut doc);
        }
        match self.cleanup.process(&self.instance, &doc) {
            Processed::Continue(doc) => *doc,
            Processed::Other(other) => panic!("{name}: cleanup failed: {other:?}"),
        }
    }
}

fn as_opt_str(v: Option<&String>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.clone()))
}

/// Compares a document with an expectation object (the seeds.json vocabulary); returns one
/// line per mismatch.
pub fn mismatches(doc: &Document, expect: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |field: &str, actual: Value| {
        if let Some(want) = expect.get(field) {
            if *want != actual {
                out.push(format!("{field}: want {want}, got {actual}"));
            }
        }
        if let Some(Value::Array(any)) = expect.get(format!("{field}_any_of").as_str()) {
            if !any.contains(&actual) {
                out.push(format!("{field}: want one of {any:?}, got {actual}"));
            }
        }
    };
    check("title", as_opt_str(doc.title.as_ref()));
    check("subtitle", as_opt_str(doc.subtitle.as_ref()));
    check("authors", serde_json::json!(doc.authors));
    check("published", as_opt_str(doc.published.as_ref()));
    check(
        "original_published",
        as_opt_str(doc.original_published.as_ref()),
    );
    check("site", as_opt_str(doc.site.as_ref()));
    check("original_source", as_opt_str(doc.original_source.as_ref()));
    check(
        "translated",
        doc.translated.map_or(Value::Null, Value::Bool),
    );
    check("dateline", as_opt_str(doc.dateline.as_ref()));
    check("language", as_opt_str(doc.language.as_ref()));
    check("outlet", as_opt_str(doc.outlet.as_ref()));
    check(
        "section",
        doc.extra.get("section").cloned().unwrap_or(Value::Null),
    );
    let body = &doc.body;
    let starts = |s: &Value| s.as_str().is_some_and(|s| body.starts_with(s));
    if let Some(s) = expect.get("body_starts_with") {
        if !starts(s) {
            out.push(format!(
                "body_starts_with {s}: body starts {:?}",
                head(body)
            ));
        }
    }
    if let Some(Value::Array(any)) = expect.get("body_starts_with_any_of") {
        if !any.iter().any(starts) {
            out.push(format!(
                "body_starts_with_any_of {any:?}: body starts {:?}",
                head(body)
            ));
        }
    }
    if let Some(s) = expect.get("body_ends_with").and_then(Value::as_str) {
        if !body.ends_with(s) {
            out.push(format!("body_ends_with {s:?}: body ends {:?}", tail(body)));
        }
    }
    for key in ["body_must_not_contain", "body_sentences"] {
        for s in expect
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let s = s.as_str().unwrap_or_default();
            let present = body.contains(s);
            if present == (key == "body_must_not_contain") {
                out.push(format!("{key}: {s:?}"));
            }
        }
    }
    for paragraph in expect
        .get("true_body")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for sentence in sentences(paragraph.as_str().unwrap_or_default()) {
            if !body.contains(sentence) {
                out.push(format!("true_body: sentence lost: {sentence:?}"));
            }
        }
    }
    if let Some(n) = expect.get("paragraphs").and_then(Value::as_u64) {
        if doc.paragraphs.len() as u64 != n {
            out.push(format!(
                "paragraphs: want {n}, got {}",
                doc.paragraphs.len()
            ));
        }
    }
    for h in expect
        .get("headings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let h = h.as_str().unwrap_or_default();
        if !doc
            .paragraphs
            .iter()
            .any(|p| p.kind == ingestd_sdk::ParagraphKind::Heading && p.text == h)
        {
            out.push(format!("headings: {h:?} is not a heading"));
        }
    }
    if body != &Document::body_from_paragraphs(&doc.paragraphs) {
        out.push("body is not the paragraphs joined".into());
    }
    out
}

/// Fails with every mismatch listed, one a line.
pub fn assert_none(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Splits a paragraph into sentences: after `.`, `!` or `?` (and a closing quote) and a space.
pub fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let ends = matches!(c, '.' | '!' | '?')
            || (matches!(c, '"' | '”') && k > 0 && matches!(chars[k - 1].1, '.' | '!' | '?'));
        if ends && next == Some(' ') {
            out.push(paragraph[start..i + c.len_utf8()].trim());
            start = i + c.len_utf8();
        }
    }
    out.push(paragraph[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

fn head(s: &str) -> String {
    s.chars().take(80).collect()
}

fn tail(s: &str) -> String {
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(80)).collect()
}

/// Path of a file under the repository's `fixtures/`.
pub fn fixture(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path)
}
