//! Every field of fixtures/seeds.json, for every sample, through the bundled chain
//! (outlet plugins, then cleanup through the C ABI), compared field by field.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

mod common;

use serde_json::Value;

#[test]
fn seeds_hold_for_every_sample() {
    let failures = check_seeds(&common::Chain::new());
    common::assert_none(&failures);
}

/// The generic heuristics alone (no outlet plugin) meet the seeds too: the outlet plugins add
/// precision (`outlet`, original dates, site names), they are not the only path.
#[test]
fn seeds_hold_with_the_generic_fallback_alone() {
    let failures = check_seeds(&common::Chain::generic_only());
    common::assert_none(&failures);
}

fn check_seeds(chain: &common::Chain) -> Vec<String> {
    let seeds: Value =
        serde_json::from_str(&std::fs::read_to_string(common::fixture("seeds.json")).unwrap())
            .unwrap();
    let articles = seeds["articles"].as_array().unwrap();
    assert!(articles.len() >= 5);
    let mut failures = Vec::new();
    for expect in articles {
        let file = expect["file"].as_str().unwrap();
        let text = std::fs::read_to_string(common::fixture(&format!("samples/{file}"))).unwrap();
        let doc = chain.run(file, &text);
        for m in common::mismatches(&doc, expect) {
            failures.push(format!("{file}: {m}"));
        }
    }
    failures
}
