//! The bundled configuration end to end: the five sample articles dropped into a running
//! daemon with the real plugin chain become five documents that match `fixtures/seeds.json`.

use std::fs;
use std::time::Duration;

use serde_json::Value;

use crate::util::{TestEnv, binary, repo_root, samples};

/// The bundled chain, with its plugin paths pointed at this build's libraries.
fn bundled_chain() -> String {
    let text = fs::read_to_string(repo_root().join("config/ingestd.toml")).unwrap();
    let chain_start = text.find("[[chain]]").expect("bundled config has a chain");
    let dir = binary().parent().unwrap().display().to_string();
    text[chain_start..].replace("\"target/release/", &format!("\"{dir}/"))
}

fn seeds() -> Vec<Value> {
    let text = fs::read_to_string(repo_root().join("fixtures/seeds.json")).unwrap();
    let seeds: Value = serde_json::from_str(&text).unwrap();
    seeds["articles"].as_array().unwrap().clone()
}

fn accepts(seed: &Value, field: &str, actual: &Value) -> bool {
    if let Some(options) = seed.get(format!("{field}_any_of")) {
        return options.as_array().unwrap().contains(actual);
    }
    match seed.get(field) {
        Some(expected) => expected == actual,
        None => true,
    }
}

#[test]
fn the_five_samples_become_five_documents_matching_the_seeds() {
    let chain = bundled_chain();
    let stages = chain.matches("[[chain]]").count();
    let env = TestEnv::new(&chain);
    let daemon = env.start();
    for sample in samples() {
        env.drop_file(
            sample.file_name().unwrap().to_str().unwrap(),
            &fs::read(&sample).unwrap(),
        );
    }
    assert!(
        env.archived_within(5, Duration::from_secs(60)),
        "{}",
        daemon.log()
    );
    let docs = env.outbox_docs();
    assert_eq!(docs.len(), 5, "{}", daemon.log());
    assert!(
        env.names(&env.failed).is_empty(),
        "{:?}",
        env.error_reports()
    );
    for seed in seeds() {
        let file = seed["file"].as_str().unwrap();
        let doc = docs
            .iter()
            .find(|d| d["source"]["name"] == file)
            .unwrap_or_else(|| panic!("no document for {file}"));
        for field in [
            "title",
            "authors",
            "published",
            "original_published",
            "site",
            "original_source",
            "translated",
            "language",
            "dateline",
        ] {
            let actual = doc.get(field).cloned().unwrap_or(Value::Null);
            assert!(
                accepts(&seed, field, &actual),
                "{file}: {field} = {actual}, expected {:?}",
                seed.get(field)
            );
        }
        check_body(&seed, doc);
        check_entities(&seed, doc);
        let summary = doc["summary"].as_str().unwrap_or("");
        assert!(
            !summary.is_empty() && summary.chars().count() <= 600,
            "{file}: summary {summary:?}"
        );
        let plugins: Vec<&str> = doc["trace"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["plugin"].as_str().unwrap())
            .collect();
        assert_eq!(plugins.len(), stages, "{file}: trace {plugins:?}");
        if seed.get("site").is_some_and(Value::is_string) {
            assert!(doc["outlet"].is_string(), "{file}: no outlet claimed it");
        }
    }
    // Each long-lived thread (dedup's writer included) can have a heap arena of its own.
    let threads: Vec<String> = fs::read_dir(format!("/proc/{}/task", daemon.child.id()))
        .unwrap()
        .flatten()
        .map(|t| {
            let comm = fs::read_to_string(t.path().join("comm")).unwrap_or_default();
            comm.trim_end().to_owned()
        })
        .collect();
    assert!(
        threads.len() <= ingestd::memory::arenas_for(2, ingestd::pipeline::DISK_THREADS),
        "{} threads: {threads:?}",
        threads.len()
    );
    assert_eq!(daemon.stop(), Some(0));
}

fn check_body(seed: &Value, doc: &Value) {
    let file = &seed["file"];
    let body = doc["body"].as_str().unwrap();
    let starts: Vec<&str> = match seed.get("body_starts_with_any_of") {
        Some(options) => options
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect(),
        None => vec![seed["body_starts_with"].as_str().unwrap()],
    };
    assert!(
        starts.iter().any(|s| body.starts_with(s)),
        "{file}: body starts {:?}",
        body.chars().take(80).collect::<String>()
    );
    let end = seed["body_ends_with"].as_str().unwrap();
    assert!(body.trim_end().ends_with(end), "{file}: body ends wrong");
    for bad in seed["body_must_not_contain"].as_array().unwrap() {
        assert!(
            !body.contains(bad.as_str().unwrap()),
            "{file}: body contains {bad}"
        );
    }
}

fn check_entities(seed: &Value, doc: &Value) {
    let file = &seed["file"];
    let entities = doc["entities"].as_array().unwrap();
    for must in seed["entities_must"].as_array().unwrap() {
        let (name, labels) = (&must[0], must[1].as_array().unwrap());
        assert!(
            entities
                .iter()
                .any(|e| &e["text"] == name && labels.contains(&e["label"])),
            "{file}: entity {name} {labels:?} missing"
        );
    }
    for never in seed["entities_must_not"].as_array().unwrap() {
        assert!(
            !entities.iter().any(|e| &e["text"] == never),
            "{file}: {never} reported as an entity"
        );
    }
}
