//! Test support for outlet plugin crates: the contract every bundled outlet plugin checks in
//! its tests, through the real C ABI (in-process), over every article under `fixtures/`.

use ingestd_sdk::Document;
use ingestd_sdk::abi::DeclarationFn;
use ingestd_sdk::testing::{
    ComplianceCase, MockHost, Processed, assert_plugin_compliance, sample_document,
};

/// A small seeded generator (a 64-bit LCG) for randomised tests: `next(bound)` gives a number
/// below `bound` (which must not be 0); the same seed gives the same sequence everywhere.
pub fn seeded_below(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |bound: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        usize::try_from(state >> 33).unwrap_or(0) % bound
    }
}

/// A text of up to `most - 1` pieces, each drawn from `pieces` with `next` (from
/// [`seeded_below`]): the random input of the tests that compare a fast check with a regex.
pub fn random_text(next: &mut impl FnMut(usize) -> usize, pieces: &[&str], most: usize) -> String {
    (0..next(most))
        .map(|_| pieces[next(pieces.len())])
        .collect()
}

/// Every `*.txt` under `fixtures/samples` and `fixtures/articles` of the repository, sorted
/// by file name, as `(file name, text)`.
pub fn fixture_articles() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    let mut out = Vec::new();
    for dir in ["samples", "articles"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().is_some_and(|e| e == "txt") {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((name, text));
            }
        }
    }
    out.sort();
    out
}

fn continued(
    host: &MockHost,
    instance: &ingestd_sdk::client::Instance,
    doc: &Document,
) -> Document {
    match host.process(instance, doc) {
        Processed::Continue(out) => *out,
        Processed::Other(other) => panic!("{}: not continued: {other:?}", doc.source.name),
    }
}

/// Checks an outlet plugin: the SDK compliance harness over all fixture articles; it claims
/// exactly the fixture files whose names start with one of `claims` (setting `outlet` to its
/// own name and a body consistent with its paragraphs) and returns every other document
/// unchanged; it leaves documents another outlet claimed alone; `min_signals` is honoured.
pub fn assert_outlet_contract(declaration_fn: DeclarationFn, claims: &[&str]) {
    let articles = fixture_articles();
    let mut case = ComplianceCase::new(r#"{"min_signals": 2, "cleanup": {"strip": ["cookie"]}}"#);
    for (name, text) in &articles {
        case = case.with_text(name, text);
    }
    assert_plugin_compliance(declaration_fn, &case);

    let host = MockHost::load(declaration_fn);
    let instance = host
        .create("{}", None)
        .unwrap_or_else(|e| panic!("default config refused: {e}"));
    let strict = host
        .create(r#"{"min_signals": 99}"#, None)
        .unwrap_or_else(|e| panic!("min_signals refused: {e}"));
    let name = host.info.name.clone();
    let mut claimed = 0;
    for (file, text) in &articles {
        let doc = sample_document(file, text);
        let out = continued(&host, &instance, &doc);
        let expected = claims.iter().any(|p| file.starts_with(p));
        assert_eq!(
            out.outlet.as_deref() == Some(name.as_str()),
            expected,
            "{file}: claimed by {:?}",
            out.outlet
        );
        if expected {
            claimed += 1;
            assert!(!out.paragraphs.is_empty(), "{file}: no body");
            assert_eq!(
                out.body,
                Document::body_from_paragraphs(&out.paragraphs),
                "{file}"
            );
            let mut taken = doc.clone();
            taken.outlet = Some("someone-else".into());
            assert_eq!(
                continued(&host, &instance, &taken),
                taken,
                "{file}: claimed twice"
            );
        } else {
            assert_eq!(
                out, doc,
                "{file}: an unclaimed document must come back unchanged"
            );
        }
        assert_eq!(
            continued(&host, &strict, &doc).outlet,
            None,
            "{file}: min_signals ignored"
        );
    }
    assert_eq!(
        claimed,
        claims.len(),
        "not every listed article was claimed"
    );
}
