//! Which articles this outlet claims, through the real C ABI (in-process), and its compliance.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

use ingestd_sdk::testing::{
    ComplianceCase, MockHost, Processed, assert_plugin_compliance, sample_document,
};
use textkit::outlet::OutletRules;

/// Sample files (by name prefix) this outlet must claim; it must claim nothing else.
const CLAIMS: &[&str] = &["003_"];

fn articles() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    let mut out = Vec::new();
    for dir in ["samples", "articles"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn compliance() {
    let mut case = ComplianceCase::new(r#"{"min_signals": 2, "cleanup": {"strip": ["cookie"]}}"#);
    for (name, text) in articles() {
        case = case.with_text(&name, &text);
    }
    assert_plugin_compliance(outlet_reprint::ingestd_plugin_v1, &case);
}

#[test]
fn claims_its_own_articles_only() {
    let host = MockHost::load(outlet_reprint::ingestd_plugin_v1);
    let instance = host.create("{}", None).unwrap();
    let name = textkit::outlets::Reprint::NAME;
    assert_eq!(name, host.info.name, "rules name must be the crate name");
    let mut claimed = 0;
    for (file, text) in articles() {
        let doc = sample_document(&file, &text);
        let Processed::Continue(out) = host.process(&instance, &doc) else {
            panic!("{file}: not continued");
        };
        let expected = CLAIMS.iter().any(|p| file.starts_with(p));
        assert_eq!(
            out.outlet.as_deref() == Some(name),
            expected,
            "{file}: claimed = {:?}",
            out.outlet
        );
        if expected {
            claimed += 1;
            assert!(!out.paragraphs.is_empty(), "{file}: no body");
            assert_eq!(
                out.body,
                ingestd_sdk::Document::body_from_paragraphs(&out.paragraphs)
            );
        } else {
            assert_eq!(
                *out, doc,
                "{file}: an unclaimed document must come back unchanged"
            );
        }
    }
    assert_eq!(claimed, CLAIMS.len());
}

#[test]
fn already_claimed_documents_are_left_alone() {
    let host = MockHost::load(outlet_reprint::ingestd_plugin_v1);
    let instance = host.create("{}", None).unwrap();
    for (file, text) in articles()
        .into_iter()
        .filter(|(f, _)| CLAIMS.iter().any(|p| f.starts_with(p)))
    {
        let mut doc = sample_document(&file, &text);
        doc.outlet = Some("someone-else".into());
        let Processed::Continue(out) = host.process(&instance, &doc) else {
            panic!()
        };
        assert_eq!(*out, doc);
    }
}

#[test]
fn min_signals_is_honoured() {
    let host = MockHost::load(outlet_reprint::ingestd_plugin_v1);
    let instance = host.create(r#"{"min_signals": 99}"#, None).unwrap();
    for (file, text) in articles() {
        let doc = sample_document(&file, &text);
        let Processed::Continue(out) = host.process(&instance, &doc) else {
            panic!()
        };
        assert_eq!(out.outlet, None, "{file}");
    }
}
