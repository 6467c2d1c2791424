//! Misbehaving plugins: each bad document goes to failed/ with a reason, the rest go on.

use std::time::Duration;

use crate::util::{TestEnv, chain_entry, wait_until};

#[test]
fn panicking_erroring_and_garbage_plugins_fail_only_their_document() {
    let chain = [
        chain_entry("test-faults", "mode = \"panic\"\ntrigger = \"PANIC-ME\""),
        chain_entry("test-faults", "mode = \"error\"\ntrigger = \"FAIL-ME\""),
        chain_entry(
            "test-raw-abi",
            "mode = \"garbage\"\ntrigger = \"GARBAGE-ME\"",
        ),
        chain_entry(
            "test-faults",
            "mode = \"change_id\"\ntrigger = \"CHANGE-ID\"",
        ),
        chain_entry(
            "test-raw-abi",
            "mode = \"bad_status\"\ntrigger = \"BAD-STATUS\"",
        ),
    ]
    .join("\n");
    let env = TestEnv::new(&chain);
    let daemon = env.start();
    let bad = [
        ("panic.txt", "PANIC-ME please", "panicked"),
        ("error.txt", "FAIL-ME please", "asked to fail"),
        ("garbage.txt", "GARBAGE-ME please", "invalid JSON"),
        ("changed.txt", "CHANGE-ID please", "changed the document id"),
        ("status.txt", "BAD-STATUS please", "unknown status 77"),
    ];
    for (name, text, _) in bad {
        env.drop_file(name, text.as_bytes());
    }
    env.drop_file("good.txt", b"A perfectly fine article.");
    assert!(
        wait_until(Duration::from_secs(20), || env.error_reports().len()
            == bad.len()
            && env.outbox_docs().len() == 1),
        "{}",
        daemon.log()
    );
    for (name, _, reason) in bad {
        let report: serde_json::Value = serde_json::from_slice(
            &std::fs::read(env.failed.join(format!("{name}.error.json"))).unwrap(),
        )
        .unwrap();
        let error = report["error"].as_str().unwrap();
        assert!(error.contains(reason), "{name}: {error}");
        assert!(
            report["plugin"]
                .as_str()
                .is_some_and(|p| p.starts_with("test-")),
            "{report}"
        );
        assert_eq!(report["class"], "plugin");
        assert!(env.failed.join(name).exists(), "source kept in failed/");
    }
    // Still serving.
    env.drop_file("after.txt", b"Another fine article, after the faults.");
    assert!(
        wait_until(Duration::from_secs(20), || env.outbox_docs().len() == 2),
        "{}",
        daemon.log()
    );
    assert!(
        daemon.log().contains("instance recreated"),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn a_plugin_that_keeps_panicking_is_disabled_loudly() {
    let env = TestEnv::new(&format!(
        // One worker: the panics are counted one document at a time, so exactly two panic
        // before the plugin is disabled (with more, several can panic at once).
        "[processing]\nworkers = 1\n\n[plugins]\nmax_panics = 2\n{}",
        chain_entry("test-faults", "mode = \"panic\"")
    ));
    let daemon = env.start();
    for i in 0..4 {
        env.drop_file(&format!("{i}.txt"), format!("article {i}").as_bytes());
    }
    assert!(
        wait_until(Duration::from_secs(20), || env.error_reports().len() == 4),
        "{}",
        daemon.log()
    );
    assert!(
        daemon
            .log()
            .contains("Plugin disabled after repeated panics"),
        "{}",
        daemon.log()
    );
    let disabled = env
        .error_reports()
        .iter()
        .filter(|r| r["code"] == "disabled")
        .count();
    assert_eq!(disabled, 2, "{:?}", env.error_reports());
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn bad_input_files_fail_with_clear_reasons() {
    let env = TestEnv::new(&format!(
        "[processing]\nworkers = 2\nmax_file_bytes = 1000\n{}",
        chain_entry("test-faults", "mode = \"pass\"")
    ));
    let daemon = env.start();
    env.drop_file("empty.txt", b"");
    env.drop_file("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    env.drop_file("latin1.txt", b"caf\xe9 au lait");
    env.drop_file("big.txt", &[b'a'; 5000]);
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "Un article en UTF-16.".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    env.drop_file("utf16.txt", &utf16);
    std::os::unix::fs::symlink("/etc/passwd", env.inbox.join("link.txt")).unwrap();
    std::fs::create_dir(env.inbox.join("a-folder")).unwrap();
    assert!(
        wait_until(Duration::from_secs(20), || env.error_reports().len() == 5),
        "{}",
        daemon.log()
    );
    assert!(
        wait_until(Duration::from_secs(20), || env.outbox_docs().len() == 1),
        "{}",
        daemon.log()
    );
    let reason = |name: &str| {
        let report: serde_json::Value = serde_json::from_slice(
            &std::fs::read(env.failed.join(format!("{name}.error.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(report["class"], "bad_input", "{report}");
        report["error"].as_str().unwrap().to_owned()
    };
    assert!(reason("empty.txt").contains("empty"));
    assert!(reason("image.png").contains("PNG"));
    assert!(reason("latin1.txt").contains("not valid UTF-8"));
    assert!(reason("big.txt").contains("over the limit"));
    assert!(reason("link.txt").contains("symbolic link"));
    assert!(
        std::fs::symlink_metadata(env.failed.join("link.txt"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        env.inbox.join("a-folder").is_dir(),
        "folders are left alone"
    );
    assert_eq!(env.outbox_docs()[0]["source"]["encoding"], "utf-16le");
    assert_eq!(daemon.stop(), Some(0));
}
