//! fixtures/seeds.json: every `entities_must` entry is reported with an accepted label and no
//! `entities_must_not` string is reported, for every sample, through the bundled chain.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

mod common;

use serde_json::Value;

#[test]
fn seeds_entities_hold_for_every_sample() {
    let seeds: Value =
        serde_json::from_str(&std::fs::read_to_string(common::fixture("seeds.json")).unwrap())
            .unwrap();
    let articles = seeds["articles"].as_array().unwrap();
    assert!(articles.len() >= 5);
    let chain = common::Chain::new();
    let mut failures = Vec::new();
    for expect in articles {
        let file = expect["file"].as_str().unwrap();
        let text = std::fs::read_to_string(common::fixture(&format!("samples/{file}"))).unwrap();
        let doc = chain.run(file, &text);
        for must in expect["entities_must"].as_array().into_iter().flatten() {
            let name = must[0].as_str().unwrap();
            let labels: Vec<&str> = must[1]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            match doc.entities.iter().find(|e| e.text == name) {
                Some(e) if labels.contains(&e.label.as_str()) => {}
                Some(e) => failures.push(format!("{file}: {name} is {}, want {labels:?}", e.label)),
                None => failures.push(format!("{file}: {name} missing")),
            }
        }
        for not in expect["entities_must_not"].as_array().into_iter().flatten() {
            let not = not.as_str().unwrap();
            if let Some(e) = doc.entities.iter().find(|e| e.text.trim() == not.trim()) {
                failures.push(format!("{file}: {not:?} reported as {}", e.label));
            }
        }
        for e in &doc.entities {
            let chars: Vec<char> = doc.body.chars().collect();
            for &[s, t] in &e.spans {
                let surface: String = chars[s as usize..t as usize].iter().collect();
                assert!(
                    !surface.trim().is_empty(),
                    "{file}: empty span for {}",
                    e.text
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
