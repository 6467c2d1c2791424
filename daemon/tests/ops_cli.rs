//! The operator commands: `install` into a temporary root (plus `systemd-analyze verify` of
//! the installed unit), `status` from the status file, `replay` of failed files, and
//! `process` without a progress bar when stderr is piped.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::util::{TestEnv, binary, chain_entry, plugin, wait_until};

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn install_into_a_root_places_everything_and_never_clobbers_the_config() {
    let env = TestEnv::new(&format!(
        "# my comment survives\n{}",
        chain_entry("test-faults", "mode = \"pass\"")
    ));
    let root = env.dir.path().join("root");
    let install = || {
        env.command()
            .args(["install", "--root"])
            .arg(&root)
            .output()
            .unwrap()
    };
    let output = install();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("systemctl enable --now ingestd"),
        "{}",
        text(&output)
    );
    let installed = |p: &str| root.join(p.trim_start_matches('/'));
    assert_eq!(
        fs::read(installed("/usr/local/bin/ingestd")).unwrap(),
        fs::read(binary()).unwrap()
    );
    let plugin_file = installed("/usr/local/lib/ingestd/plugins/libtest_faults.so");
    assert_eq!(
        fs::read(&plugin_file).unwrap(),
        fs::read(plugin("test-faults")).unwrap()
    );
    for folder in ["inbox", "outbox", "archive", "failed", "state"] {
        assert!(installed(&format!("/var/lib/ingestd/{folder}")).is_dir());
    }
    let config = fs::read_to_string(installed("/etc/ingestd/ingestd.toml")).unwrap();
    assert!(config.contains("# my comment survives"), "{config}");
    assert!(
        config.contains("path = \"/usr/local/lib/ingestd/plugins/libtest_faults.so\""),
        "{config}"
    );
    assert!(
        config.contains("inbox = \"/var/lib/ingestd/inbox\""),
        "{config}"
    );
    assert!(
        !config.contains(&env.dir.path().display().to_string()),
        "{config}"
    );
    let unit = fs::read_to_string(installed("/etc/systemd/system/ingestd.service")).unwrap();
    assert!(unit.contains("Type=notify"));

    // A second install keeps the edited config and puts the new default beside it.
    fs::write(
        installed("/etc/ingestd/ingestd.toml"),
        "# edited by the operator\n",
    )
    .unwrap();
    let output = install();
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(
        fs::read_to_string(installed("/etc/ingestd/ingestd.toml")).unwrap(),
        "# edited by the operator\n"
    );
    assert!(installed("/etc/ingestd/ingestd.toml.new").is_file());
    assert!(text(&output).contains("kept"), "{}", text(&output));

    verify_unit(&root, &installed("/etc/systemd/system/ingestd.service"));
}

/// `systemd-analyze verify` of the installed unit, with its commands pointed into `root`
/// (verify checks that they exist). Prints why it skips when systemd is not installed.
fn verify_unit(root: &Path, unit: &Path) {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping systemd-analyze verify: systemd-analyze is not installed");
        return;
    }
    let text = fs::read_to_string(unit).unwrap().replace(
        "/usr/local/bin/ingestd",
        &root.join("usr/local/bin/ingestd").display().to_string(),
    );
    let copy = root.join("ingestd.service");
    fs::write(&copy, text).unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .unwrap();
    // verify exits 0 even for unknown keys; any message is a finding.
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn status_reports_the_running_daemon_and_says_when_it_is_gone() {
    let env = TestEnv::new(&chain_entry(
        "test-faults",
        "mode = \"error\"\ntrigger = \"broken\"",
    ));
    let status = || env.command().arg("status").output().unwrap();
    let before = status();
    assert_eq!(before.status.code(), Some(3), "{}", text(&before));
    assert!(text(&before).contains("not running"), "{}", text(&before));

    let daemon = env.start();
    env.drop_file("good.txt", b"A good article.");
    env.drop_file("broken.txt", b"A broken article.");
    assert!(wait_until(Duration::from_secs(20), || {
        env.outbox_docs().len() == 1 && env.error_reports().len() == 1
    }));
    // The status file is rewritten every 2 s.
    let mut last = String::new();
    let counted = wait_until(Duration::from_secs(10), || {
        last = text(&status());
        last.contains("1 processed, 1 failed")
    });
    assert!(counted, "{last}\n{}", daemon.log());
    assert!(last.contains("is running"), "{last}");
    assert!(last.contains("broken.txt"), "{last}");
    assert!(last.contains("1 in failed/"), "{last}");
    let json = env.command().args(["status", "--json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["counts"]["processed"], 1);

    assert_eq!(daemon.stop(), Some(0));
    let after = status();
    assert_eq!(after.status.code(), Some(3), "{}", text(&after));
    assert!(
        text(&after).contains("NOT running: it stopped"),
        "{}",
        text(&after)
    );
}

#[test]
fn replay_moves_failed_files_back_without_clobbering_the_inbox() {
    let failing = chain_entry("test-faults", "mode = \"error\"\ntrigger = \"broken\"");
    let env = TestEnv::new(&failing);
    let daemon = env.start();
    for name in ["a.txt", "b.txt", "c.md"] {
        env.drop_file(name, format!("broken article {name}").as_bytes());
    }
    assert!(wait_until(Duration::from_secs(20), || env
        .error_reports()
        .len()
        == 3));
    assert_eq!(daemon.stop(), Some(0));

    let replay = |args: &[&str]| env.command().arg("replay").args(args).output().unwrap();
    let dry = replay(&["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains("3 file(s) would move"),
        "{}",
        text(&dry)
    );
    assert_eq!(env.error_reports().len(), 3);
    assert!(env.inbox_files().is_empty());

    // The plugin is fixed; an unrelated b.txt already waits in the inbox.
    env.write_config(&chain_entry("test-faults", "mode = \"pass\""));
    fs::write(env.inbox.join("b.txt"), "a different, newer b.txt").unwrap();
    let done = replay(&["*.txt"]);
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("1 file(s) moved"), "{}", text(&done));
    assert_eq!(env.inbox_files(), vec!["a.txt", "b.txt"]);
    assert_eq!(
        fs::read_to_string(env.inbox.join("b.txt")).unwrap(),
        "a different, newer b.txt"
    );
    assert_eq!(
        env.names(&env.failed),
        vec!["b.txt", "b.txt.error.json", "c.md", "c.md.error.json"]
    );

    let daemon = env.start();
    assert!(wait_until(Duration::from_secs(20), || env
        .outbox_docs()
        .len()
        == 2));
    assert_eq!(daemon.stop(), Some(0));
    let bad = replay(&["["]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

#[test]
fn process_draws_no_progress_bar_into_a_pipe() {
    let env = TestEnv::new(&chain_entry("test-faults", "mode = \"pass\""));
    let mut files = Vec::new();
    for i in 0..3 {
        let path = env.dir.path().join(format!("p{i}.txt"));
        fs::write(&path, format!("Article {i}.")).unwrap();
        files.push(path);
    }
    let output = env
        .command()
        .arg("process")
        .arg("--compact")
        .args(&files)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 3);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
    assert!(!stderr.contains("files"), "{stderr:?}");
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let help = |args: &[&str]| {
        let output = Command::new(binary()).args(args).output().unwrap();
        assert!(output.status.success(), "{}", text(&output));
        text(&output)
    };
    let top = help(&["--help"]);
    assert!(top.contains("Exit codes:"), "{top}");
    assert!(top.contains("3  the daemon is not running"), "{top}");
    assert!(help(&["-h"]).contains("Exit codes: 0 success"));
    for command in ["run", "process", "status", "replay", "install"] {
        let long = help(&[command, "--help"]);
        assert!(long.contains("Examples:\n  "), "{command}: {long}");
    }
}
