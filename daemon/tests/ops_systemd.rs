//! Running under systemd: the notify protocol over a real `NOTIFY_SOCKET` datagram socket
//! (READY, STATUS, WATCHDOG pings, RELOADING, STOPPING) and journal-style log lines (`<N>`
//! priority prefixes, no colours) when stderr is the journal stream.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixDatagram;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{Daemon, TestEnv, chain_entry, wait_until};

/// Datagrams received on the socket until `done` is true for one of them or `timeout` passes.
fn receive_until(
    socket: &UnixDatagram,
    got: &mut Vec<String>,
    timeout: Duration,
    done: impl Fn(&str) -> bool,
) -> bool {
    let start = Instant::now();
    let mut buf = vec![0u8; 4096];
    while start.elapsed() < timeout {
        if let Ok(n) = socket.recv(&mut buf) {
            let message = String::from_utf8_lossy(&buf[..n]).into_owned();
            let finished = done(&message);
            got.push(message);
            if finished {
                return true;
            }
        }
    }
    false
}

#[test]
fn the_notify_protocol_is_spoken_over_a_real_socket_with_watchdog_pings() {
    let env = TestEnv::new(&chain_entry("test-faults", "mode = \"pass\""));
    let socket_path = env.dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut cmd = env.command();
    cmd.arg("run")
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "300000")
        // Set by systemd when the tests themselves run in a watched service: not for us.
        .env_remove("WATCHDOG_PID");
    let daemon = env.start_command(cmd);
    let mut got = Vec::new();
    let ready = receive_until(&socket, &mut got, Duration::from_secs(10), |m| {
        m.contains("READY=1")
    });
    assert!(ready, "no READY=1: {got:?}\n{}", daemon.log());
    let ready_message = got.last().unwrap().clone();
    assert!(
        ready_message.contains("STATUS=Processed 0, failed 0"),
        "{ready_message}"
    );

    // Pings every WatchdogSec/2 (150 ms here): several within 1.5 s.
    let mut pings = Vec::new();
    receive_until(&socket, &mut pings, Duration::from_millis(1500), |_| false);
    let count = pings.iter().filter(|m| m.contains("WATCHDOG=1")).count();
    assert!(
        count >= 4,
        "only {count} watchdog pings in 1.5 s: {pings:?}"
    );

    env.drop_file("a.txt", b"A short article.\n\nWith a body.");
    assert!(wait_until(Duration::from_secs(20), || env
        .outbox_docs()
        .len()
        == 1));

    // A status line with live counts comes within a few seconds.
    let mut lines = Vec::new();
    let counted = receive_until(&socket, &mut lines, Duration::from_secs(6), |m| {
        m.contains("STATUS=Processed 1")
    });
    assert!(counted, "no STATUS with the new count: {lines:?}");

    daemon.signal(libc::SIGHUP);
    let mut reload = Vec::new();
    let reloading = receive_until(&socket, &mut reload, Duration::from_secs(10), |m| {
        m.contains("RELOADING=1")
    });
    assert!(reloading, "no RELOADING=1: {reload:?}");
    assert!(
        reload.last().unwrap().contains("MONOTONIC_USEC="),
        "{reload:?}"
    );
    let back = receive_until(&socket, &mut reload, Duration::from_secs(10), |m| {
        m.contains("READY=1")
    });
    assert!(back, "no READY=1 after the reload: {reload:?}");

    let pid = daemon.child.id();
    let stopping = std::thread::spawn(move || daemon.stop());
    let mut end = Vec::new();
    let stopped = receive_until(&socket, &mut end, Duration::from_secs(20), |m| {
        m.contains("STOPPING=1")
    });
    assert_eq!(stopping.join().unwrap(), Some(0));
    assert!(stopped, "no STOPPING=1 from {pid}: {end:?}");
}

/// Runs the daemon with stderr in a file; with `journal`, `JOURNAL_STREAM` names that file as
/// systemd does for its stream. Returns the log once the daemon has stopped.
fn log_of_a_run(env: &TestEnv, journal: bool, format: &str) -> String {
    let log_path = env
        .dir
        .path()
        .join(format!("stderr-{journal}-{format}.log"));
    let log = fs::File::create(&log_path).unwrap();
    let meta = log.metadata().unwrap();
    let mut cmd = env.command();
    cmd.arg("--log-format").arg(format).arg("run");
    cmd.stdout(Stdio::null()).stderr(log);
    if journal {
        cmd.env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()));
    } else {
        cmd.env_remove("JOURNAL_STREAM");
    }
    let child = cmd.spawn().unwrap();
    let daemon = Daemon {
        child,
        log: Default::default(),
    };
    let read = || fs::read_to_string(&log_path).unwrap_or_default();
    assert!(wait_until(Duration::from_secs(20), || read()
        .contains("Daemon started")));
    env.drop_file(
        &format!("bad-{journal}-{format}.txt"),
        format!("fail here {journal} {format}").as_bytes(),
    );
    assert!(
        wait_until(Duration::from_secs(20), || read().contains("File failed")),
        "{}",
        read()
    );
    assert_eq!(daemon.stop(), Some(0));
    read()
}

#[test]
fn under_the_journal_lines_carry_syslog_priorities_and_no_colours() {
    let env = TestEnv::new(&chain_entry(
        "test-faults",
        "mode = \"error\"\ntrigger = \"fail here\"",
    ));
    let text = log_of_a_run(&env, true, "text");
    assert!(
        !text.contains('\u{1b}'),
        "ANSI escape in the journal:\n{text}"
    );
    for line in text.lines() {
        assert!(
            ["<3>", "<4>", "<6>", "<7>"]
                .iter()
                .any(|p| line.starts_with(p)),
            "line without a priority prefix: {line:?}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("<6>") && l.contains("Daemon started")),
        "{text}"
    );
    // A bad article is a warning (the operator need not act), not an error.
    assert!(
        text.lines()
            .any(|l| l.starts_with("<4>") && l.contains("File failed")),
        "{text}"
    );

    let json = log_of_a_run(&env, true, "json");
    let line = json.lines().find(|l| l.contains("File failed")).unwrap();
    let object = line.strip_prefix("<4>").expect("priority before the JSON");
    let value: serde_json::Value = serde_json::from_str(object).unwrap();
    assert_eq!(value["level"], "WARN");

    // Not the journal (a plain file): no prefixes.
    let plain = log_of_a_run(&env, false, "text");
    assert!(plain.lines().all(|l| !l.starts_with('<')), "{plain}");
    assert!(!plain.contains('\u{1b}'));
}
