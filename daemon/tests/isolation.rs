//! Isolation mode: a plugin that segfaults, aborts or loops forever, run with `isolate = true`,
//! costs only its document (to failed/) and a restart of its child process, never the daemon.

use std::time::Duration;

use crate::util::{TestEnv, plugin, wait_until};

fn isolated_entry(mode: &str, trigger: &str, timeout_ms: u64) -> String {
    format!(
        "[[chain]]\nname = \"{mode}\"\npath = {:?}\nisolate = true\ntimeout_ms = {timeout_ms}\n[chain.config]\nmode = \"{mode}\"\ntrigger = \"{trigger}\"\n",
        plugin("test-faults")
    )
}

fn report(env: &TestEnv, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(env.failed.join(format!("{name}.error.json"))).unwrap())
        .unwrap()
}

#[test]
fn segfault_abort_and_endless_loop_cost_one_document_each() {
    let chain = [
        isolated_entry("segfault", "SEGV-ME", 10_000),
        isolated_entry("abort", "ABORT-ME", 10_000),
        isolated_entry("hang", "HANG-ME", 700),
    ]
    .join("\n");
    let env = TestEnv::new(&format!("[plugins]\nmax_panics = 100\n{chain}"));
    let daemon = env.start();
    env.drop_file("before.txt", b"A good article before the faults.");
    env.drop_file("segv.txt", b"SEGV-ME please");
    env.drop_file("abort.txt", b"ABORT-ME please");
    env.drop_file("hang.txt", b"HANG-ME please");
    assert!(
        wait_until(Duration::from_secs(60), || env.error_reports().len() == 3
            && env.outbox_docs().len() == 1),
        "{}",
        daemon.log()
    );
    let segv = report(&env, "segv.txt");
    assert_eq!(
        (segv["code"].as_str(), segv["plugin"].as_str()),
        (Some("crash"), Some("segfault")),
        "{segv}"
    );
    assert!(
        segv["error"].as_str().unwrap().contains("SIGSEGV"),
        "{segv}"
    );
    let abort = report(&env, "abort.txt");
    assert_eq!(abort["code"], "crash", "{abort}");
    assert!(
        abort["error"].as_str().unwrap().contains("abort()"),
        "{abort}"
    );
    let hang = report(&env, "hang.txt");
    assert_eq!(
        (hang["code"].as_str(), hang["plugin"].as_str()),
        (Some("timeout"), Some("hang")),
        "{hang}"
    );
    assert!(hang["error"].as_str().unwrap().contains("700 ms"), "{hang}");
    // The daemon is alive and its restarted children keep working.
    for i in 0..3 {
        env.drop_file(
            &format!("after{i}.txt"),
            format!("Good article {i} after the faults.").as_bytes(),
        );
    }
    assert!(
        wait_until(Duration::from_secs(60), || env.outbox_docs().len() == 4),
        "{}",
        daemon.log()
    );
    assert!(
        daemon.log().contains("will be restarted"),
        "{}",
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn isolated_plugins_give_the_same_documents_and_errors_as_in_process() {
    let in_process = format!(
        "[[chain]]\npath = {:?}\n[chain.config]\nmode = \"error\"\ntrigger = \"FAIL-ME\"\n",
        plugin("test-faults")
    );
    let isolated = in_process.replace("[chain.config]", "isolate = true\n[chain.config]");
    let mut results = Vec::new();
    for chain in [in_process, isolated] {
        let env = TestEnv::new(&chain);
        let daemon = env.start();
        env.drop_file("good.txt", b"Title\n\nA perfectly fine article.");
        env.drop_file("bad.txt", b"FAIL-ME please");
        assert!(
            wait_until(Duration::from_secs(30), || env.error_reports().len() == 1
                && env.outbox_docs().len() == 1),
            "{}",
            daemon.log()
        );
        let mut doc = env.outbox_docs().remove(0);
        doc["trace"][0]["micros"] = 0.into();
        doc["source"]["received"] = "".into();
        let error = report(&env, "bad.txt")["error"].clone();
        results.push((doc, error));
        assert_eq!(daemon.stop(), Some(0));
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn timeout_without_isolation_is_refused_by_key() {
    let env = TestEnv::new(&format!(
        "[[chain]]\npath = {:?}\ntimeout_ms = 100\n",
        plugin("test-faults")
    ));
    let out = env.command().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("chain[0].timeout_ms"), "{stderr}");
}

#[test]
fn an_isolated_plugin_with_a_bad_config_is_refused_at_start() {
    let env = TestEnv::new(&format!(
        "[[chain]]\npath = {:?}\nisolate = true\n[chain.config]\nmode = \"no-such-mode\"\n",
        plugin("test-faults")
    ));
    let out = env.command().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("isolated process") && stderr.contains("no-such-mode"),
        "{stderr}"
    );
}

/// Pids of the direct children of a process.
fn children(pid: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        pids.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    pids
}

#[test]
fn a_looping_child_does_not_outlive_a_killed_daemon() {
    let env = TestEnv::new(&isolated_entry("hang", "HANG-ME", 600_000));
    let daemon = env.start();
    env.drop_file("hang.txt", b"HANG-ME forever");
    let pid = daemon.child.id();
    assert!(wait_until(Duration::from_secs(20), || env
        .inbox_files()
        .is_empty()));
    let kids = children(pid);
    assert!(!kids.is_empty(), "the plugin child is running");
    daemon.signal(libc::SIGKILL);
    let gone = |k: &u32| {
        std::fs::read_to_string(format!("/proc/{k}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
    };
    assert!(
        wait_until(Duration::from_secs(20), || kids.iter().all(gone)),
        "plugin children {kids:?} outlived the daemon"
    );
}
