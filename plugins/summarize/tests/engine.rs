//! The engine seam through the C ABI: the command engine, its fallback and its errors.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly.

use ingestd_sdk::client::CallOutcome;
use ingestd_sdk::testing::{MockHost, Processed};
use ingestd_sdk::{Document, Level, Paragraph};

fn article() -> Document {
    let paragraphs = vec![
        Paragraph::text(
            "Vietnam and the United States signed a broad partnership deal in Hanoi on Sunday. \
             The agreement covers semiconductors, minerals and security cooperation.",
        ),
        Paragraph::text("Officials in Beijing said they were watching the deal closely."),
    ];
    Document {
        id: "0123456789abcdef".into(),
        title: Some("Vietnam and US sign partnership deal".into()),
        body: Document::body_from_paragraphs(&paragraphs),
        paragraphs,
        ..Document::default()
    }
}

fn config(script: &str, fallback: bool) -> String {
    serde_json::json!({
        "engine": "command",
        "command": ["/bin/sh", "-c", script],
        "timeout_ms": 2000,
        "fallback": fallback,
    })
    .to_string()
}

fn run(config: &str) -> (Processed, Vec<(Level, String)>) {
    let host = MockHost::load(summarize::ingestd_plugin_v1);
    let instance = host.create(config, None).unwrap();
    let out = host.process(&instance, &article());
    let logs = host.logs.lock().unwrap().clone();
    (out, logs)
}

fn summary(out: Processed) -> String {
    match out {
        Processed::Continue(doc) => doc.summary.unwrap(),
        Processed::Other(other) => panic!("{other:?}"),
    }
}

#[test]
fn the_command_writes_the_summary() {
    let (out, logs) = run(&config("read -r line; echo 'A model summary.'", true));
    assert_eq!(summary(out), "A model summary.");
    assert!(logs.is_empty(), "{logs:?}");
}

#[test]
fn a_failing_command_falls_back_to_the_extractive_summary_with_a_warning() {
    let (out, logs) = run(&config("exit 7", true));
    let (extractive, _) = run("{}");
    assert_eq!(summary(out), summary(extractive));
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].0, Level::Warn);
    assert!(logs[0].1.contains("engine=command"), "{}", logs[0].1);
    assert!(logs[0].1.contains("exit status: 7"), "{}", logs[0].1);
}

#[test]
fn without_fallback_a_failure_fails_the_document_as_retryable() {
    let (out, _) = run(&config("exit 7", false));
    match out {
        Processed::Other(CallOutcome::Error(e)) => {
            assert_eq!(e.code, "summarizer_failed");
            assert!(e.retryable);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_command_config_without_a_command_is_refused() {
    let host = MockHost::load(summarize::ingestd_plugin_v1);
    let err = host.create(r#"{"engine": "command"}"#, None).unwrap_err();
    assert!(err.to_string().contains("command"), "{err}");
}
