//! SIGTERM during a burst: every file ends in exactly one place; none lost, none doubled.

use std::collections::HashSet;
use std::time::Duration;

use crate::util::{TestEnv, chain_entry, wait_until};

#[test]
fn sigterm_during_a_burst_of_500_files_loses_and_doubles_nothing() {
    let env = TestEnv::new(&chain_entry(
        "test-faults",
        "mode = \"sleep\"\nsleep_ms = 3",
    ));
    let daemon = env.start();
    let total = 500;
    for i in 0..total {
        env.drop_file(
            &format!("burst-{i:03}.txt"),
            format!("Burst article number {i}.").as_bytes(),
        );
    }
    assert!(
        wait_until(Duration::from_secs(30), || env.names(&env.archive).len()
            >= 20),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0), "exit code on SIGTERM");

    let archived: HashSet<String> = env.names(&env.archive).into_iter().collect();
    let failed: HashSet<String> = env.names(&env.failed).into_iter().collect();
    let waiting: HashSet<String> = env.inbox_files().into_iter().collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(
        archived.len() < total,
        "the burst should still be running at SIGTERM"
    );
    assert!(
        archived.is_disjoint(&waiting),
        "a file is both archived and waiting"
    );
    assert_eq!(archived.len() + waiting.len(), total, "lost files");
    // Each archived source has exactly one document; nothing else is in the outbox.
    let docs = env.outbox_docs();
    assert_eq!(docs.len(), archived.len());
    let names: HashSet<String> = docs
        .iter()
        .map(|d| d["source"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, archived);
    // Nothing is left half-done.
    let processing = env.inbox.join(".processing");
    let leftovers: Vec<_> = std::fs::read_dir(&processing)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(
        env.names(&env.outbox).iter().all(|n| n.ends_with(".json")),
        "temp files left"
    );
}
