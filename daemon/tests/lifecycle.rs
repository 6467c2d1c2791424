//! The watch folder end to end: samples in, documents out; slow writers; backlog; recovery.

use std::fs;
use std::io::Write;
use std::time::Duration;

use crate::util::{TestEnv, chain_entry, samples, wait_until};

const PASS: &str = "mode = \"pass\"";

/// A test folder whose daemon watches in `mode` ("notify" or "poll"), re-listing every
/// 100 ms and taking a file once it has been unchanged for `settle_ms`.
fn watching(mode: &str, settle_ms: u64) -> TestEnv {
    TestEnv::new(&format!(
        "[watch]\nmode = {mode:?}\nsettle_ms = {settle_ms}\npoll_interval_ms = 100\n{}",
        chain_entry("test-faults", PASS)
    ))
}

#[test]
fn files_written_slowly_are_processed_once_and_whole() {
    for mode in ["notify", "poll"] {
        let env = watching(mode, 400);
        let daemon = env.start();
        let path = env.inbox.join("slow.txt");
        let mut file = fs::File::create(&path).unwrap();
        let chunk = "A paragraph of a slowly downloaded article. ".repeat(40);
        for _ in 0..5 {
            file.write_all(chunk.as_bytes()).unwrap();
            file.flush().unwrap();
            std::thread::sleep(Duration::from_millis(220));
        }
        drop(file);
        assert!(
            env.archived_within(1, Duration::from_secs(20)),
            "{mode}: {}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(800));
        let docs = env.outbox_docs();
        assert_eq!(docs.len(), 1, "{mode}: processed more than once: {docs:?}");
        assert_eq!(
            docs[0]["source"]["size"],
            (chunk.len() * 5) as u64,
            "{mode}: not whole"
        );
        assert_eq!(env.names(&env.archive), vec!["slow.txt"]);
        assert_eq!(daemon.stop(), Some(0));
    }
}

#[test]
fn files_present_before_start_are_processed_oldest_first() {
    let env = TestEnv::new(&chain_entry("test-faults", PASS));
    for (i, sample) in samples().iter().enumerate() {
        fs::copy(sample, env.inbox.join(format!("backlog-{i}.txt"))).unwrap();
    }
    // Ignored names stay where they are.
    fs::write(env.inbox.join(".hidden"), "x").unwrap();
    fs::write(env.inbox.join("download.part"), "x").unwrap();
    let daemon = env.start();
    assert!(
        // The outbox file is written before its source is archived: wait for both.
        wait_until(Duration::from_secs(20), || env.outbox_docs().len() == 5
            && env.names(&env.archive).len() == 5),
        "{}",
        daemon.log()
    );
    assert_eq!(env.inbox_files(), vec!["download.part"]);
    assert!(env.inbox.join(".hidden").exists());
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn hidden_and_temporary_names_dropped_while_running_are_left_alone() {
    for mode in ["notify", "poll"] {
        let env = watching(mode, 200);
        let daemon = env.start();
        // A downloader writes `story.txt.part` and renames it when done; an editor leaves
        // a hidden file. Both are finished files (closed after writing) the whole time.
        let sample = fs::read(&samples()[0]).unwrap();
        fs::write(env.inbox.join("story.txt.part"), &sample).unwrap();
        fs::write(env.inbox.join(".notes"), "private").unwrap();
        fs::write(env.inbox.join("other.tmp"), "half").unwrap();
        // Several settle periods and rescans: long enough to take them if it ever would.
        std::thread::sleep(Duration::from_millis(1500));
        assert!(env.outbox_docs().is_empty(), "{mode}: {}", daemon.log());
        fs::rename(
            env.inbox.join("story.txt.part"),
            env.inbox.join("story.txt"),
        )
        .unwrap();
        assert!(
            env.archived_within(1, Duration::from_secs(20)),
            "{mode}: {}",
            daemon.log()
        );
        assert_eq!(env.names(&env.archive), vec!["story.txt"], "{mode}");
        assert_eq!(env.outbox_docs().len(), 1, "{mode}");
        assert_eq!(env.inbox_files(), vec!["other.tmp"], "{mode}");
        assert!(env.inbox.join(".notes").exists(), "{mode}");
        assert_eq!(daemon.stop(), Some(0));
    }
}

#[test]
fn a_file_left_in_processing_is_recovered_byte_identical() {
    let env = TestEnv::new(&chain_entry("test-faults", PASS));
    let sample = &samples()[1];
    fs::copy(sample, env.inbox.join("story.txt")).unwrap();
    let daemon = env.start();
    assert!(
        env.archived_within(1, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));
    let outputs = env.names(&env.outbox);
    assert_eq!(outputs.len(), 1);
    let first = fs::read(env.outbox.join(&outputs[0])).unwrap();

    // Simulate a crash after the outbox write but before the source left .processing/: the
    // source is back in a dead daemon's claim folder.
    let dead = env.inbox.join(".processing/crashed-host-4242-0");
    fs::create_dir_all(&dead).unwrap();
    fs::rename(env.archive.join("story.txt"), dead.join("story.txt")).unwrap();
    let daemon = env.start();
    assert!(
        env.archived_within(1, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));
    assert_eq!(env.names(&env.outbox), outputs, "no second document");
    assert_eq!(
        fs::read(env.outbox.join(&outputs[0])).unwrap(),
        first,
        "byte-identical"
    );
    assert!(!dead.exists(), "the dead daemon's folder is cleaned up");

    // A crash before the outbox write: the document is produced again, the same but for timings.
    fs::remove_file(env.outbox.join(&outputs[0])).unwrap();
    fs::create_dir_all(&dead).unwrap();
    fs::rename(env.archive.join("story.txt"), dead.join("story.txt")).unwrap();
    let daemon = env.start();
    assert!(
        env.archived_within(1, Duration::from_secs(20)),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));
    assert_eq!(env.names(&env.outbox), outputs);
    let strip = |bytes: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        for t in v["trace"].as_array_mut().unwrap() {
            t["micros"] = 0.into();
        }
        v
    };
    assert_eq!(
        strip(&fs::read(env.outbox.join(&outputs[0])).unwrap()),
        strip(&first)
    );
}

#[test]
fn sources_can_be_deleted_instead_of_archived() {
    let env = TestEnv::new(&format!(
        "[processing]\nworkers = 1\non_success = \"delete\"\n{}",
        chain_entry("test-faults", PASS)
    ));
    let daemon = env.start();
    env.drop_file("a.txt", b"An article about nothing in particular.");
    assert!(
        wait_until(Duration::from_secs(20), || env.outbox_docs().len() == 1),
        "{}",
        daemon.log()
    );
    assert!(wait_until(Duration::from_secs(5), || env
        .inbox_files()
        .is_empty()));
    assert!(env.names(&env.archive).is_empty());
    assert_eq!(daemon.stop(), Some(0));
}
