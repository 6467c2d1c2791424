//! The command line: process, check, plugins, and configuration errors.

use crate::util::{TestEnv, chain_entry, plugin, samples};

#[test]
fn process_prints_documents_and_moves_nothing() {
    let env = TestEnv::new(&chain_entry("test-faults", "mode = \"pass\""));
    let sample = env.dir.path().join("article.txt");
    std::fs::copy(&samples()[0], &sample).unwrap();
    let out = env
        .command()
        .args(["process", "--compact"])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["source"]["name"], "article.txt");
    assert_eq!(doc["trace"][0]["plugin"], "test-faults");
    assert!(doc.get("raw").is_none());
    assert!(sample.exists());
    assert!(!env.outbox.exists());

    let binary = env.dir.path().join("image.png");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\nxxxx").unwrap();
    let out = env
        .command()
        .arg("process")
        .arg(&sample)
        .arg(&binary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary content (PNG image)"));
}

#[test]
fn check_prints_the_chain_and_plugins_lists_libraries() {
    let env = TestEnv::new(&chain_entry("test-faults", "mode = \"pass\""));
    let out = env.command().arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("is valid") && stdout.contains("test-faults"),
        "{stdout}"
    );

    let dir = plugin("test-faults").parent().unwrap().to_owned();
    let out = env.command().arg("plugins").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line_of = |name: &str| stdout.lines().find(|l| l.contains(name)).unwrap_or("");
    assert!(line_of("test-faults").contains("abi 1.3"), "{stdout}");
    assert!(
        line_of("test-raw-abi").contains("abi 1.0"),
        "a hand-written ABI 1.0 plugin still loads: {stdout}"
    );
    assert!(
        stdout.contains("ABI version 99"),
        "the wrong-ABI library is shown as refused: {stdout}"
    );
}

#[test]
fn unknown_keys_and_bad_values_are_refused_naming_the_key() {
    let env = TestEnv::new("[watch]\nmood = \"poll\"\n");
    let out = env.command().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mood"));

    let env = TestEnv::new("");
    let out = env
        .command()
        .arg("check")
        .env("INGESTD_PROCESSING__WORKERS", "many")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("workers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn environment_overrides_the_file() {
    let env = TestEnv::new("");
    let out = env
        .command()
        .arg("check")
        .env("INGESTD_PATHS__OUTBOX", "/srv/news/out")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("outbox /srv/news/out"));
}
