//! Hot reload on SIGHUP: a new chain takes effect while files are queued and in flight, and
//! every file still ends in exactly one terminal place; a bad new configuration is refused
//! with a clear log line and the old chain keeps running.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::util::{TestEnv, chain_entry, wait_until};

const SLOW: &str = "mode = \"sleep\"\nsleep_ms = 700";
const PASS: &str = "mode = \"pass\"";

/// How many plugins ran on each output document, by source file name.
fn chain_lengths(env: &TestEnv) -> Vec<(String, usize)> {
    let mut lengths: Vec<(String, usize)> = env
        .outbox_docs()
        .iter()
        .map(|d| {
            let name = d["source"]["name"].as_str().unwrap_or("?").to_owned();
            (name, d["trace"].as_array().map_or(0, Vec::len))
        })
        .collect();
    lengths.sort();
    lengths
}

/// Files claimed in `inbox/.processing/<owner>/` (not counting the owner's lock).
fn claimed(env: &TestEnv) -> usize {
    let processing = env.inbox.join(".processing");
    env.names(&processing)
        .iter()
        .map(|owner| {
            env.names(&processing.join(owner))
                .iter()
                .filter(|n| !n.starts_with('.'))
                .count()
        })
        .sum()
}

#[test]
fn a_reload_swaps_the_chain_without_dropping_queued_or_in_flight_files() {
    let env = TestEnv::new(&format!(
        "[processing]\nworkers = 2\n{}",
        chain_entry("test-faults", SLOW)
    ));
    let daemon = env.start();
    for i in 0..8 {
        env.drop_file(
            &format!("before-{i}.txt"),
            format!("Article {i} before.").as_bytes(),
        );
    }
    // Two in flight (sleeping), the rest queued or waiting in the inbox.
    assert!(wait_until(Duration::from_secs(20), || claimed(&env) >= 2));
    env.write_config(&format!(
        "[processing]\nworkers = 2\n{}{}",
        chain_entry("test-faults", PASS),
        chain_entry("test-faults", PASS)
    ));
    daemon.signal(libc::SIGHUP);
    daemon.wait_for_log("Reloaded", Duration::from_secs(20));
    for i in 0..4 {
        env.drop_file(
            &format!("after-{i}.txt"),
            format!("Article {i} after.").as_bytes(),
        );
    }
    assert!(
        env.archived_within(12, Duration::from_secs(60)),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));

    // Every file in exactly one terminal place.
    let archived: BTreeSet<String> = env.names(&env.archive).into_iter().collect();
    assert_eq!(archived.len(), 12);
    assert!(env.inbox_files().is_empty());
    assert_eq!(claimed(&env), 0);
    assert!(env.names(&env.failed).is_empty());
    let lengths = chain_lengths(&env);
    assert_eq!(lengths.len(), 12, "{lengths:?}");
    // Files dropped after the reload ran the new two-plugin chain; at least the ones that
    // were in flight during the reload finished with the old one.
    for (name, length) in &lengths {
        if name.starts_with("after-") {
            assert_eq!(*length, 2, "{name}: {lengths:?}");
        }
    }
    let old = lengths.iter().filter(|(_, l)| *l == 1).count();
    assert!(
        old >= 2,
        "in-flight files should finish on the old chain: {lengths:?}"
    );
}

#[test]
fn a_bad_new_config_is_refused_and_the_old_chain_keeps_running() {
    let env = TestEnv::new(&chain_entry("test-faults", PASS));
    let daemon = env.start();
    env.drop_file("one.txt", b"Article one.");
    assert!(wait_until(Duration::from_secs(20), || env
        .outbox_docs()
        .len()
        == 1));

    // Unknown key: the configuration itself is invalid.
    env.write_config(&format!(
        "[processing]\nworkerz = 3\n{}",
        chain_entry("test-faults", PASS)
    ));
    daemon.signal(libc::SIGHUP);
    daemon.wait_for_log(
        "Reload refused: the configuration is invalid",
        Duration::from_secs(20),
    );
    assert!(daemon.log().contains("workerz"), "{}", daemon.log());

    // A plugin that does not load: the chain cannot be built.
    let missing = env.dir.path().join("libmissing.so");
    env.write_config(&format!("[[chain]]\npath = {missing:?}\n"));
    daemon.signal(libc::SIGHUP);
    daemon.wait_for_log(
        "Reload refused: the plugin chain could not be built",
        Duration::from_secs(20),
    );

    env.drop_file("two.txt", b"Article two.");
    assert!(
        wait_until(Duration::from_secs(20), || env.outbox_docs().len() == 2),
        "{}",
        daemon.log()
    );
    assert_eq!(
        chain_lengths(&env),
        vec![("one.txt".into(), 1), ("two.txt".into(), 1)]
    );
    assert_eq!(daemon.stop(), Some(0));
}
