//! The metrics listener over a real loopback socket: the bound address is logged,
//! `/healthz` says ready, `/metrics` counts files and plugin latency in Prometheus text, and
//! `/healthz` says 503 while the daemon is stopping. A remote address needs an explicit opt-in.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::util::{Daemon, TestEnv, chain_entry, wait_until};

/// `GET path` over HTTP/1.0; returns (status code, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (code, body)
}

/// The address from the "Metrics listening on http://ADDR/metrics." log line.
fn bound_address(daemon: &Daemon) -> String {
    daemon.wait_for_log("Metrics listening on", Duration::from_secs(10));
    let log = daemon.log();
    let start = log.find("http://").unwrap() + "http://".len();
    let end = start + log[start..].find('/').unwrap();
    log[start..end].to_owned()
}

/// The value of a metric line that starts with `name` (labels included in `name`).
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn metrics_and_health_over_loopback() {
    let env = TestEnv::new(&format!(
        "[metrics]\nlisten = \"127.0.0.1:0\"\n{}",
        chain_entry(
            "test-faults",
            "mode = \"sleep\"\nsleep_ms = 2500\ntrigger = \"slow\""
        )
    ));
    let daemon = env.start();
    let addr = bound_address(&daemon);
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    // The listener is up before start-up completes (503 until then): wait for readiness.
    assert!(
        wait_until(Duration::from_secs(10), || get(&addr, "/healthz").0 == 200),
        "/healthz never became ready"
    );
    assert_eq!(get(&addr, "/healthz"), (200, "ok\n".to_owned()));
    assert_eq!(get(&addr, "/nothing").0, 404);

    env.drop_file("a.txt", b"First article.");
    env.drop_file("b.txt", b"Second article.");
    assert!(wait_until(Duration::from_secs(20), || env
        .outbox_docs()
        .len()
        == 2));
    let (code, text) = get(&addr, "/metrics");
    assert_eq!(code, 200);
    assert_eq!(
        metric(&text, "ingestd_files_seen_total"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "ingestd_files_processed_total"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "ingestd_files_failed_total"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "ingestd_files_skipped_total"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(metric(&text, "ingestd_queue_depth"), Some(0.0), "{text}");
    assert!(metric(&text, "ingestd_last_success_timestamp_seconds").unwrap() > 1.7e9);
    let plugin = "ingestd_plugin_duration_seconds_count{plugin=\"test-faults\"}";
    assert_eq!(metric(&text, plugin), Some(2.0), "{text}");
    assert!(
        text.contains("ingestd_plugin_duration_seconds_bucket{"),
        "{text}"
    );

    // A slow file in flight; shutdown waits for it and health says so meanwhile.
    env.drop_file("slow.txt", b"A slow article.");
    let in_flight = wait_until(Duration::from_secs(20), || {
        metric(&get(&addr, "/metrics").1, "ingestd_in_flight") == Some(1.0)
    });
    assert!(in_flight, "{}", daemon.log());
    daemon.signal(libc::SIGTERM);
    let unhealthy = wait_until(Duration::from_secs(5), || get(&addr, "/healthz").0 == 503);
    assert!(unhealthy, "{}", daemon.log());
    assert_eq!(daemon.stop(), Some(0));
    assert_eq!(env.outbox_docs().len(), 3);
}

#[test]
fn a_remote_metrics_address_needs_an_explicit_opt_in() {
    let env = TestEnv::new("[metrics]\nlisten = \"0.0.0.0:9187\"\n");
    let output = env.command().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("metrics.listen"), "{stderr}");
    assert!(stderr.contains("allow_remote"), "{stderr}");
}
