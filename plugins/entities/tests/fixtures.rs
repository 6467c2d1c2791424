//! Fixture tests: each `tests/fixtures/NAME.txt` article (first line the title) is tagged and
//! compared with `NAME.expected.json` (text, label, count and spans of every entity).
//! `ENTITIES_BLESS=1 cargo test -p entities --test fixtures` rewrites the expectations; review
//! the diff before committing it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

use std::path::Path;

use entities::{Limits, Tagger};

#[test]
fn fixtures_match_their_expected_entities() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let tagger = Tagger::new().unwrap();
    let limits = Limits {
        max_entities: 200,
        max_mentions: 20_000,
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let (title, body) = entities::eval::split_article(&std::fs::read_to_string(&path).unwrap());
        let got = serde_json::to_value(tagger.tag(Some(&title), &body, limits)).unwrap();
        let expected_path = path.with_extension("expected.json");
        if std::env::var_os("ENTITIES_BLESS").is_some() {
            let pretty = serde_json::to_string_pretty(&got).unwrap();
            std::fs::write(&expected_path, pretty + "\n").unwrap();
        }
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        assert_eq!(got, expected, "{}", path.display());
        checked += 1;
    }
    assert!(checked > 0, "no fixtures in {}", dir.display());
}
