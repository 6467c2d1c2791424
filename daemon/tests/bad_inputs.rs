//! The bad-input catalogue: each odd thing people drop into an inbox gets a clear report in
//! `failed/` (or its documented handling) while the daemon keeps serving.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::util::{Daemon, TestEnv, chain_entry, wait_until};

fn pass_chain() -> String {
    chain_entry("test-faults", "mode = \"pass\"")
}

fn report(env: &TestEnv, name: &str) -> serde_json::Value {
    let path = env.failed.join(format!("{name}.error.json"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

/// Peak resident memory of a process in KiB (`VmHWM`).
fn peak_memory_kib(daemon: &Daemon) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", daemon.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Waits until `n` documents are in the outbox and `f` reports in failed/.
/// True when no claimed file is left in `.processing/` (the daemon's `.lock` aside): every
/// source has reached archive/ or failed/ (the outbox file and the report are written first).
fn nothing_claimed(env: &TestEnv) -> bool {
    let Ok(owners) = std::fs::read_dir(env.inbox.join(".processing")) else {
        return true;
    };
    owners.flatten().all(|owner| {
        std::fs::read_dir(owner.path()).map_or(true, |files| {
            files.flatten().all(|f| f.file_name() == ".lock")
        })
    })
}

fn wait_for(env: &TestEnv, daemon: &Daemon, docs: usize, reports: usize) {
    assert!(
        wait_until(Duration::from_secs(60), || env.outbox_docs().len() == docs
            && env.error_reports().len() == reports
            && nothing_claimed(env)),
        "wanted {docs} documents and {reports} reports, have {} and {}: {:?}\n{}",
        env.outbox_docs().len(),
        env.error_reports().len(),
        env.names(&env.failed),
        daemon.log()
    );
}

#[test]
fn binary_encodings_and_a_10_mb_line() {
    let env = TestEnv::new(&pass_chain());
    let daemon = env.start();
    env.drop_file("program", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0");
    env.drop_file("nul.txt", b"text with a \0 NUL byte in it");
    env.drop_file("blank.txt", b" \n\t\r\n  ");
    env.drop_file("bad-utf16.txt", b"\xfe\xff\xd8\x00\x00\x41");
    let mut utf16be = vec![0xfe, 0xff];
    for unit in "Big-endian UTF-16, decoded not failed.".encode_utf16() {
        utf16be.extend_from_slice(&unit.to_be_bytes());
    }
    env.drop_file("utf16be.txt", &utf16be);
    let mut line = b"One enormous line ".repeat(10 * 1024 * 1024 / 18);
    line.push(b'\n');
    env.drop_file("long-line.txt", &line);
    wait_for(&env, &daemon, 2, 4);
    assert!(
        report(&env, "program")["error"]
            .as_str()
            .unwrap()
            .contains("ELF")
    );
    assert!(
        report(&env, "nul.txt")["error"]
            .as_str()
            .unwrap()
            .contains("NUL")
    );
    assert!(
        report(&env, "blank.txt")["error"]
            .as_str()
            .unwrap()
            .contains("empty")
    );
    assert!(
        report(&env, "bad-utf16.txt")["error"]
            .as_str()
            .unwrap()
            .contains("UTF-16")
    );
    for name in ["program", "nul.txt", "blank.txt", "bad-utf16.txt"] {
        let r = report(&env, name);
        assert_eq!(r["class"], "bad_input", "{r}");
        assert!(r["error"].as_str().unwrap().len() < 600, "bounded: {r}");
    }
    let encodings: Vec<String> = env
        .outbox_docs()
        .iter()
        .map(|d| d["source"]["encoding"].as_str().unwrap().to_owned())
        .collect();
    assert!(encodings.contains(&"utf-16be".to_owned()), "{encodings:?}");
    assert!(env.archive.join("long-line.txt").exists());
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn an_oversized_file_is_refused_without_being_read() {
    let env = TestEnv::new(&format!(
        "[processing]\nworkers = 2\nmax_file_bytes = 1048576\n{}",
        pass_chain()
    ));
    let daemon = env.start();
    // 8 GiB, sparse: reading it into memory would take 8 GiB of RAM.
    let staging = env.dir.path().join(".huge");
    std::fs::File::create(&staging)
        .unwrap()
        .set_len(8 << 30)
        .unwrap();
    std::fs::rename(&staging, env.inbox.join("huge.txt")).unwrap();
    env.drop_file("after.txt", b"A normal article after the huge one.");
    wait_for(&env, &daemon, 1, 1);
    let r = report(&env, "huge.txt");
    assert_eq!(
        (r["code"].as_str(), r["size"].as_u64()),
        (Some("too_large"), Some(8 << 30)),
        "{r}"
    );
    assert!(
        r["error"].as_str().unwrap().contains("over the limit"),
        "{r}"
    );
    let peak = peak_memory_kib(&daemon);
    assert!(
        peak < 256 * 1024,
        "peak memory {peak} KiB: the file was read"
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn links_fifos_and_folders_are_never_opened_and_never_block_a_worker() {
    let env = TestEnv::new(&format!("[processing]\nworkers = 1\n{}", pass_chain()));
    let outside = env.dir.path().join("secret.txt");
    std::fs::write(&outside, "A secret outside the inbox.").unwrap();
    std::os::unix::fs::symlink(&outside, env.inbox.join("link-out.txt")).unwrap();
    std::os::unix::fs::symlink(env.dir.path(), env.inbox.join("link-dir")).unwrap();
    let fifo = std::ffi::CString::new(env.inbox.join("pipe").as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid path string.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    std::fs::create_dir(env.inbox.join("folder")).unwrap();
    std::fs::write(env.inbox.join("folder").join("inner.txt"), "nested").unwrap();
    let daemon = env.start();
    env.drop_file("good.txt", b"A good article behind the special files.");
    wait_for(&env, &daemon, 1, 3);
    assert!(
        report(&env, "link-out.txt")["error"]
            .as_str()
            .unwrap()
            .contains("symbolic link")
    );
    assert!(
        report(&env, "link-dir")["error"]
            .as_str()
            .unwrap()
            .contains("symbolic link")
    );
    assert!(
        report(&env, "pipe")["error"]
            .as_str()
            .unwrap()
            .contains("FIFO")
    );
    for name in ["link-out.txt", "link-dir"] {
        let moved = std::fs::symlink_metadata(env.failed.join(name)).unwrap();
        assert!(
            moved.file_type().is_symlink(),
            "{name} moved as a link, not followed"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "A secret outside the inbox."
    );
    assert!(
        env.inbox.join("folder/inner.txt").exists(),
        "folders are left alone"
    );
    let docs = env.outbox_docs();
    assert!(
        !docs.iter().any(|d| d.to_string().contains("secret")),
        "{docs:?}"
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn an_unreadable_file_fails_with_permission_denied() {
    let env = TestEnv::new(&pass_chain());
    let unreadable = env.inbox.join("locked.txt");
    std::fs::write(&unreadable, "You may not read this.").unwrap();
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root (which reads any file), the daemon runs as `nobody`; mode 000 stops it too.
    let daemon = env.start_unprivileged();
    env.drop_file("readable.txt", b"An article anyone can read.");
    wait_for(&env, &daemon, 1, 1);
    let r = report(&env, "locked.txt");
    assert_eq!(r["class"], "bad_input", "{r}");
    assert!(r["error"].as_str().unwrap().contains("permission"), "{r}");
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn odd_file_names_keep_their_exact_bytes() {
    let env = TestEnv::new(&chain_entry(
        "test-faults",
        "mode = \"error\"\ntrigger = \"FAIL-ME\"",
    ));
    let daemon = env.start();
    let names: [&[u8]; 5] = [
        b"with spaces in it.txt",
        b"new\nline.txt",
        b"caf\xe9 latin1 name.txt",
        b"-starts-with-dash",
        b"tab\tand\x1bescape.txt",
    ];
    for (i, name) in names.iter().enumerate() {
        std::fs::write(
            env.inbox.join(OsStr::from_bytes(name)),
            format!("Article number {i} with an odd name."),
        )
        .unwrap();
    }
    std::fs::write(env.inbox.join("bad\nname.txt"), "FAIL-ME please").unwrap();
    wait_for(&env, &daemon, names.len(), 1);
    for name in names {
        assert!(
            env.archive.join(OsStr::from_bytes(name)).exists(),
            "{name:?}"
        );
    }
    let doc_names: Vec<String> = env
        .outbox_docs()
        .iter()
        .map(|d| d["source"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        doc_names.contains(&"caf\u{fffd} latin1 name.txt".to_owned()),
        "{doc_names:?}"
    );
    assert!(
        doc_names.contains(&"new\nline.txt".to_owned()),
        "{doc_names:?}"
    );
    assert!(env.failed.join("bad\nname.txt").exists());
    assert_eq!(report(&env, "bad\nname.txt")["file"], "bad\nname.txt");
    // Logs escape control characters: no line of the log is forged by a file name.
    let log = daemon.log();
    assert!(log.contains("bad\\nname.txt"), "{log}");
    assert!(!log.lines().any(|l| l.starts_with("name.txt")), "{log}");
    assert!(
        !log.contains('\x1b'),
        "escape character echoed into the log"
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn a_file_deleted_between_its_event_and_its_claim_is_forgotten_quietly() {
    let env = TestEnv::new(&format!(
        "[processing]\nworkers = 1\n{}",
        chain_entry(
            "test-faults",
            "mode = \"sleep\"\nsleep_ms = 3000\ntrigger = \"SLOW\""
        )
    ));
    let daemon = env.start();
    env.drop_file("slow.txt", b"SLOW article holds the only worker.");
    assert!(wait_until(Duration::from_secs(20), || env
        .inbox_files()
        .is_empty()));
    // The only worker sleeps in the plugin now: the next file is queued, not claimed.
    env.drop_file("gone.txt", b"Deleted before a worker takes it.");
    std::thread::sleep(Duration::from_millis(500));
    std::fs::remove_file(env.inbox.join("gone.txt")).unwrap();
    env.drop_file("next.txt", b"The next article.");
    wait_for(&env, &daemon, 2, 0);
    assert!(!env.names(&env.archive).contains(&"gone.txt".to_owned()));
    assert!(!daemon.log().contains("ERROR"), "{}", daemon.log());
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn the_same_file_dropped_1000_times_gives_one_document() {
    let env = TestEnv::new(&format!(
        "[processing]\nworkers = 2\nfsync = false\n{}",
        pass_chain()
    ));
    let daemon = env.start();
    let text = b"The one article that people keep dropping.";
    for i in 0..1000 {
        env.drop_file(&format!("copy-{i:04}.txt"), text);
    }
    assert!(
        env.archived_within(1000, Duration::from_secs(120)),
        "{}",
        daemon.log()
    );
    // The same name again, after its first copy is archived.
    for round in 0..3 {
        env.drop_file("copy-0000.txt", text);
        assert!(
            env.archived_within(1001 + round, Duration::from_secs(30)),
            "{}",
            daemon.log()
        );
    }
    assert_eq!(env.outbox_docs().len(), 1);
    assert!(env.names(&env.failed).is_empty());
    assert!(
        env.names(&env.archive)
            .contains(&"copy-0000.txt.2".to_owned())
    );
    assert_eq!(daemon.stop(), Some(0));
}

#[test]
fn ten_thousand_files_dropped_at_once() {
    let env = TestEnv::new(&format!(
        // No periodic re-list for an hour: kernel events, and the full rescan that an event
        // overflow triggers, must catch every file on their own.
        "[watch]\nsettle_ms = 300\nrescan_interval_ms = 3600000\n\
         [processing]\nworkers = 2\nfsync = false\nqueue_capacity = 64\n{}",
        pass_chain()
    ));
    let daemon = env.start();
    for i in 0..10_000 {
        std::fs::write(
            env.inbox.join(format!("burst-{i:05}.txt")),
            format!("Burst article {i}."),
        )
        .unwrap();
    }
    assert!(
        wait_until(Duration::from_secs(120), || env.names(&env.outbox).len()
            == 10_000),
        "{} of 10000\n{}",
        env.names(&env.outbox).len(),
        daemon.log()
    );
    assert_eq!(env.names(&env.archive).len(), 10_000);
    assert!(env.inbox_files().is_empty());
    let peak = peak_memory_kib(&daemon);
    assert!(peak < 256 * 1024, "peak memory {peak} KiB");
    assert_eq!(daemon.stop(), Some(0));
}
