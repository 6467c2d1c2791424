//! Faults of the machine: the outbox removed, read-only or full while the daemon runs.
//! Documents wait in `.processing/` and are retried with backoff; nothing is lost, the log
//! says what is wrong once (not once per file per retry), and work resumes when it is fixed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::util::{Daemon, TestEnv, chain_entry, is_root, wait_until};

fn env() -> TestEnv {
    TestEnv::new(&chain_entry("test-faults", "mode = \"pass\""))
}

/// Drops `n` articles and waits until the daemon has claimed them all.
fn drop_articles(env: &TestEnv, prefix: &str, n: usize) {
    for i in 0..n {
        env.drop_file(
            &format!("{prefix}-{i}.txt"),
            format!("Article {prefix} {i}.").as_bytes(),
        );
    }
    assert!(wait_until(Duration::from_secs(20), || env
        .inbox_files()
        .is_empty()));
}

/// The fault is logged once, the files wait (none failed), then all finish once fixed.
/// `expected` documents in the outbox, `archived` sources in the archive at the end.
fn assert_waits_then_resumes(
    env: &TestEnv,
    daemon: &Daemon,
    fix: impl FnOnce(),
    expected: usize,
    archived: usize,
) {
    daemon.wait_for_log("Cannot write to the outbox", Duration::from_secs(20));
    // Let several retries of several files happen while the fault lasts.
    std::thread::sleep(Duration::from_secs(4));
    assert!(
        env.names(&env.failed).is_empty(),
        "{:?}",
        env.names(&env.failed)
    );
    fix();
    assert!(
        // The outbox file is written before its source is archived: wait for both.
        wait_until(Duration::from_secs(90), || env.outbox_docs().len()
            == expected
            && env.names(&env.archive).len() == archived),
        "{} of {expected}\n{}",
        env.outbox_docs().len(),
        daemon.log()
    );
    let log = daemon.log();
    assert_eq!(
        log.matches("Cannot write to the outbox").count(),
        1,
        "{log}"
    );
    assert_eq!(log.matches("Writing works again").count(), 1, "{log}");
    assert!(env.names(&env.failed).is_empty());
    assert_eq!(env.names(&env.archive).len(), archived);
    let temps: Vec<String> = env
        .names(&env.outbox)
        .into_iter()
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
}

#[test]
fn a_removed_outbox_makes_files_wait_until_it_is_back() {
    let env = env();
    let daemon = env.start();
    drop_articles(&env, "before", 1);
    assert!(wait_until(Duration::from_secs(20), || env
        .outbox_docs()
        .len()
        == 1));
    std::fs::remove_dir_all(&env.outbox).unwrap();
    drop_articles(&env, "during", 5);
    assert_waits_then_resumes(
        &env,
        &daemon,
        || std::fs::create_dir(&env.outbox).unwrap(),
        5,
        6,
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn a_read_only_outbox_makes_files_wait_until_it_is_writable() {
    use std::os::unix::fs::PermissionsExt;
    let env = env();
    std::fs::create_dir_all(&env.outbox).unwrap();
    // Root writes anywhere: run as `nobody` so the mode counts.
    let daemon = env.start_unprivileged();
    let mode = |m| std::fs::set_permissions(&env.outbox, std::fs::Permissions::from_mode(m));
    mode(0o555).unwrap();
    drop_articles(&env, "during", 5);
    assert_waits_then_resumes(&env, &daemon, || mode(0o755).unwrap(), 5, 5);
    assert_eq!(daemon.stop(), Some(0));
}

/// A small tmpfs mounted over a folder; unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    /// Mounts a tmpfs of `kib` KiB on `dir`, or says why it cannot.
    fn mount(dir: &Path, kib: u32) -> Result<SmallDisk, String> {
        if !is_root() {
            return Err("not root".into());
        }
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={kib}k,mode=0755"),
                "tmpfs",
            ])
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(SmallDisk(dir.to_owned()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_under_the_outbox_makes_files_wait_until_there_is_room() {
    let env = env();
    let disk = match SmallDisk::mount(&env.outbox, 256) {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("skipped: cannot mount a small tmpfs here ({why})");
            return;
        }
    };
    // Fill it to the last byte.
    let filler = env.outbox.join("filler.bin");
    let mut file = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 4096];
    while std::io::Write::write_all(&mut file, &chunk).is_ok() {}
    drop(file);
    let daemon = env.start();
    drop_articles(&env, "during", 5);
    assert_waits_then_resumes(
        &env,
        &daemon,
        || std::fs::remove_file(&filler).unwrap(),
        5,
        5,
    );
    assert_eq!(daemon.stop(), Some(0));
    drop(disk);
}
