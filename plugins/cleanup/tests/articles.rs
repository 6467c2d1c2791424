//! The project's own test articles (fixtures/articles/*.txt), in layouts the samples do not
//! have, each checked against its `.expect.json`, including that every sentence of the true
//! body survives cleanup.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

mod common;

use serde_json::Value;

#[test]
fn own_articles_hold_their_expectations() {
    let dir = common::fixture("articles");
    let chain = common::Chain::new();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".txt").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 12, "only {} test articles", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
        let expect: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.expect.json"))).unwrap(),
        )
        .unwrap_or_else(|e| panic!("{name}.expect.json: {e}"));
        assert!(expect.get("true_body").is_some(), "{name}: no true_body");
        let doc = chain.run(name, &text);
        for m in common::mismatches(&doc, &expect) {
            failures.push(format!("{name}: {m}"));
        }
    }
    common::assert_none(&failures);
}

#[test]
fn sentence_splitter_splits() {
    assert_eq!(
        common::sentences("One. \"Two,\" he said. Three? Four"),
        ["One.", "\"Two,\" he said.", "Three?", "Four"]
    );
}

#[test]
fn comparator_reports_wrong_expectations() {
    let chain = common::Chain::new();
    let doc = chain.run(
        "x.txt",
        "A headline here\n\nBy Jane Roe\n\nThe story starts here. It ends here.",
    );
    let expect = serde_json::json!({
        "title": "Another headline",
        "authors": ["Jane Roe"],
        "body_ends_with": "It ends there.",
        "true_body": ["The story starts here. A lost sentence."],
        "body_must_not_contain": ["story"],
    });
    let found = common::mismatches(&doc, &expect);
    assert_eq!(found.len(), 4, "{found:#?}");
}
