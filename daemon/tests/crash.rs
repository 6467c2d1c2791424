//! The crash test: a stream of files, the daemon killed with SIGKILL at random moments and
//! restarted each time; at the end every input is in exactly one terminal place.
//!
//! Ignored by default (it runs for about a minute); `.ci/run` runs it explicitly:
//! `cargo test -p ingestd --test integration crash -- --ignored --nocapture`.
//! `CRASH_SEED=<n>` replays a run; `CRASH_FILES` and `CRASH_KILLS` scale it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::{Rng, TestEnv, chain_entry, wait_until};

fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What an input must become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Written,
    Failed,
    Skipped,
}

struct Input {
    name: String,
    bytes: Vec<u8>,
    expect: Expect,
}

fn inputs(rng: &mut Rng, count: u64) -> Vec<Input> {
    (0..count)
        .map(|i| {
            let (expect, marker) = match rng.below(100) {
                0..=3 => (Expect::Failed, "FAIL-ME"),
                4..=7 => (Expect::Skipped, "SKIP-ME"),
                _ => (Expect::Written, ""),
            };
            let words = 20 + rng.below(200);
            let body: Vec<String> = (0..words)
                .map(|_| format!("w{}", rng.below(5000)))
                .collect();
            let text = format!(
                "Article {i}\n\n{marker} Story number {i}. {}\n",
                body.join(" ")
            );
            Input {
                name: format!("a-{i:05}.txt"),
                bytes: text.into_bytes(),
                expect,
            }
        })
        .collect()
}

fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Files (not folders, not lock files) left under `inbox/.processing/`.
fn claimed(inbox: &Path) -> Vec<String> {
    let mut left = Vec::new();
    for owner in list(&inbox.join(".processing")) {
        let dir = inbox.join(".processing").join(&owner);
        if !dir.is_dir() {
            continue;
        }
        left.extend(
            list(&dir)
                .into_iter()
                .filter(|n| !n.starts_with('.'))
                .map(|n| format!("{owner}/{n}")),
        );
    }
    left
}

#[test]
#[ignore = "about a minute; run by .ci/run with --ignored"]
fn sigkill_at_random_moments_loses_and_doubles_nothing() {
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(1);
    let seed = env_number("CRASH_SEED", clock);
    let files = env_number("CRASH_FILES", 2000);
    let kills = env_number("CRASH_KILLS", 25);
    eprintln!(
        "crash test: seed {seed} (replay with CRASH_SEED={seed}), {files} files, {kills} kills"
    );
    let mut rng = Rng(seed);
    let inputs = inputs(&mut rng, files);
    let chain = [
        chain_entry("test-faults", "mode = \"error\"\ntrigger = \"FAIL-ME\""),
        chain_entry("test-faults", "mode = \"skip\"\ntrigger = \"SKIP-ME\""),
        chain_entry("test-faults", "mode = \"pass\""),
    ]
    .join("\n");
    let env = TestEnv::new(&format!(
        "[watch]\nsettle_ms = 100\nrescan_interval_ms = 1000\n[processing]\nworkers = 2\n{chain}"
    ));

    // The feeder drops every file over the first part of the run, in random bursts.
    let feed: Vec<(String, Vec<u8>, u64)> = inputs
        .iter()
        .map(|i| (i.name.clone(), i.bytes.clone(), rng.below(25)))
        .collect();
    let (inbox, staging) = (env.inbox.clone(), env.dir.path().to_owned());
    let feeder = std::thread::spawn(move || {
        for (n, (name, bytes, pause)) in feed.into_iter().enumerate() {
            let temp = staging.join(format!(".{name}.staging"));
            std::fs::write(&temp, &bytes).expect("write");
            std::fs::rename(&temp, inbox.join(&name)).expect("rename into inbox");
            if n % 10 == 0 {
                std::thread::sleep(Duration::from_millis(pause));
            }
        }
    });

    let started = Instant::now();
    let mut mid_work = 0;
    for _ in 0..kills {
        let mut child = env
            .command()
            .arg("run")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start ingestd");
        std::thread::sleep(Duration::from_millis(200 + rng.below(2000)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        if !claimed(&env.inbox).is_empty() {
            mid_work += 1;
        }
    }
    let done_before_last_run = list(&env.outbox).len();
    feeder.join().expect("feeder");
    let kill_phase = started.elapsed();

    // One last, undisturbed run finishes everything.
    let daemon = env.start();
    assert!(
        wait_until(Duration::from_secs(300), || env.inbox_files().is_empty()
            && claimed(&env.inbox).is_empty()),
        "not finished: inbox {:?}, claimed {:?}\n{}",
        env.inbox_files().len(),
        claimed(&env.inbox),
        daemon.log()
    );
    assert_eq!(daemon.stop(), Some(0));

    // Every outbox file parses; no id twice; no temp file anywhere.
    let mut outbox: HashMap<String, String> = HashMap::new();
    let mut duplicates = 0;
    for name in list(&env.outbox) {
        assert!(
            name.ends_with(".json"),
            "unexpected file in the outbox: {name}"
        );
        let bytes = std::fs::read(env.outbox.join(&name)).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("outbox/{name} is truncated or not JSON: {e}"));
        let source = doc["source"]["name"].as_str().unwrap().to_owned();
        if outbox
            .insert(doc["id"].as_str().unwrap().to_owned(), source)
            .is_some()
        {
            duplicates += 1;
        }
    }
    for dir in [&env.outbox, &env.failed, &env.archive, &env.inbox] {
        let temps: Vec<String> = list(dir)
            .into_iter()
            .filter(|n| n.starts_with(".ingestd-") || n.ends_with(".tmp"))
            .collect();
        assert!(
            temps.is_empty(),
            "temp files left in {}: {temps:?}",
            dir.display()
        );
    }
    let skip_log = std::fs::read_to_string(env.state.join("skipped.jsonl")).unwrap_or_default();
    let mut skip_records: BTreeMap<String, usize> = BTreeMap::new();
    for line in skip_log.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("skip record is JSON");
        *skip_records
            .entry(record["file"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }

    // Each input in exactly one terminal place, the one its content calls for.
    let (archive, failed) = (list(&env.archive), list(&env.failed));
    let mut losses = Vec::new();
    let mut outbox_sources: HashMap<&str, usize> = HashMap::new();
    for source in outbox.values() {
        *outbox_sources.entry(source.as_str()).or_default() += 1;
    }
    for input in &inputs {
        let name = input.name.as_str();
        let copies = |names: &[String]| {
            names
                .iter()
                .filter(|n| {
                    *n == name
                        || n.strip_prefix(name)
                            .is_some_and(|r| r.starts_with('.') && r[1..].parse::<u32>().is_ok())
                })
                .count()
        };
        let in_archive = copies(&archive);
        let in_failed = copies(&failed);
        let in_outbox = outbox_sources.get(name).copied().unwrap_or(0);
        let skipped = skip_records.get(name).copied().unwrap_or(0);
        let ok = match input.expect {
            Expect::Written => in_archive == 1 && in_outbox == 1 && in_failed == 0 && skipped == 0,
            Expect::Failed => {
                in_failed == 1
                    && in_archive == 0
                    && in_outbox == 0
                    && failed.contains(&format!("{name}.error.json"))
            }
            Expect::Skipped => in_archive == 1 && skipped >= 1 && in_outbox == 0 && in_failed == 0,
        };
        if !ok {
            losses.push(format!(
                "{name} ({:?}): archive {in_archive}, failed {in_failed}, outbox {in_outbox}, skip records {skipped}",
                input.expect
            ));
        }
    }
    let reports = failed.iter().filter(|n| n.ends_with(".error.json")).count();
    let failed_inputs = inputs.iter().filter(|i| i.expect == Expect::Failed).count();
    let repeated_skip_records = skip_records.values().filter(|&&n| n > 1).count();
    eprintln!(
        "crash test: seed {seed}: {files} files, {kills} SIGKILLs in {:.1} s ({mid_work} with files claimed, \
         {done_before_last_run} documents written before the last run); outbox {}, failed {failed_inputs}, \
         skipped {}; losses {}, outbox duplicates {duplicates}, extra failure reports {}, repeated skip records {repeated_skip_records}",
        kill_phase.as_secs_f64(),
        outbox.len(),
        skip_records.len(),
        losses.len(),
        reports - failed_inputs.min(reports),
    );
    assert!(
        losses.is_empty(),
        "seed {seed}: {} inputs not in exactly one terminal place:\n{}",
        losses.len(),
        losses.join("\n")
    );
    assert_eq!(
        duplicates, 0,
        "seed {seed}: an article appears twice in the outbox"
    );
    assert_eq!(
        reports, failed_inputs,
        "seed {seed}: stale failure reports in failed/: {failed:?}"
    );
}
