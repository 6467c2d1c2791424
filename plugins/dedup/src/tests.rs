//! Tests of the plugin as a whole: policies, replays, concurrency, restarts, retention, quality.

use std::path::Path;
use std::sync::{Arc, Barrier};

use ingestd_sdk::testing::{ComplianceCase, assert_plugin_compliance};
use ingestd_sdk::{Document, Host, Plugin, Verdict};

use crate::corpus::{self, Rng};
use crate::store::{DedupStore, Entry, MemoryStore, Outcome, RedbOptions, RedbStore};
use crate::{Config, Dedup, ExactPolicy, NearPolicy, eval};

/// A generated article of `paragraphs` paragraphs, unique per `seed`.
fn article(seed: u64, paragraphs: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let words = [
        "council", "river", "bridge", "budget", "mayor", "vote", "school", "road", "plan", "city",
        "water", "market", "report", "police", "court", "law", "tax", "park", "farm", "rail",
        "port", "bank", "energy", "housing", "health", "fire", "storm", "museum",
    ];
    (0..paragraphs)
        .map(|_| {
            (0..45)
                .map(|_| format!("{}{}", words[rng.below(words.len())], rng.below(50)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn doc(id: &str, paragraphs: &[String]) -> Document {
    Document {
        id: id.to_owned(),
        body: paragraphs.join("\n\n"),
        ..Document::default()
    }
}

fn memory_plugin(config: Config) -> Dedup {
    Dedup::with_store(config, Host::detached(), Box::new(MemoryStore::new())).unwrap()
}

fn redb_plugin(dir: &Path) -> Dedup {
    Dedup::new(Config::default(), Host::with_state_dir(dir)).unwrap()
}

fn kind(doc: &Document) -> Option<(&str, &str)> {
    let info = doc.dedup.as_ref()?;
    Some((info.kind.as_deref()?, info.duplicate_of.as_deref()?))
}

#[test]
fn compliance() {
    let a = article(1, 6);
    let mut near = a.clone();
    near.remove(2);
    let mut case = ComplianceCase::new(r#"{"threshold": 0.6}"#)
        .with_document(doc("00000000000000a1", &a))
        .with_document(doc("00000000000000a2", &a))
        .with_document(doc("00000000000000a3", &near))
        .with_text("raw-only.txt", "A document with raw text and no body yet.");
    case.documents.push(Document::default());
    assert_plugin_compliance(crate::ingestd_plugin_v1, &case);
}

#[test]
fn exact_duplicates_are_skipped_whatever_their_formatting() {
    let plugin = memory_plugin(Config::default());
    let a = article(2, 5);
    let mut first = doc("1111111111111111", &a);
    assert_eq!(plugin.process(&mut first).unwrap(), Verdict::Continue);
    assert_eq!(first.dedup.as_ref().unwrap().duplicate_of, None);
    assert_eq!(first.dedup.as_ref().unwrap().fingerprint.len(), 32);

    let mut copy = doc("2222222222222222", &a);
    copy.body = format!(
        "Share this article\r\n\r\n{}\n\n© 2024 Example News. All rights reserved.",
        a.join("\r\n\r\n\r\n").to_uppercase().replace(' ', "  ")
    );
    match plugin.process(&mut copy).unwrap() {
        Verdict::Skip { reason } => assert!(reason.contains("1111111111111111"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(kind(&copy), Some(("exact", "1111111111111111")));
}

#[test]
fn exact_duplicates_can_be_marked_instead() {
    let plugin = memory_plugin(Config {
        exact_policy: ExactPolicy::Mark,
        ..Config::default()
    });
    let a = article(3, 4);
    plugin.process(&mut doc("1111111111111111", &a)).unwrap();
    let mut copy = doc("2222222222222222", &a);
    assert_eq!(plugin.process(&mut copy).unwrap(), Verdict::Continue);
    assert_eq!(copy.dedup.unwrap().similarity, Some(1.0));
}

#[test]
fn near_duplicates_are_marked_with_similarity() {
    let plugin = memory_plugin(Config::default());
    let a = article(4, 10);
    plugin.process(&mut doc("1111111111111111", &a)).unwrap();
    let mut edited = a.clone();
    edited.remove(7);
    edited.swap(0, 3);
    edited.insert(
        0,
        "Editor's note: republished with permission of the author.".into(),
    );
    let mut near = doc("2222222222222222", &edited);
    assert_eq!(plugin.process(&mut near).unwrap(), Verdict::Continue);
    assert_eq!(kind(&near), Some(("near", "1111111111111111")));
    let similarity = near.dedup.unwrap().similarity.unwrap();
    assert!((0.6..1.0).contains(&similarity), "{similarity}");

    let mut other = doc("3333333333333333", &article(5, 10));
    plugin.process(&mut other).unwrap();
    assert_eq!(other.dedup.unwrap().duplicate_of, None);
}

#[test]
fn near_policy_skip_and_off() {
    let a = article(6, 8);
    let mut edited = a.clone();
    edited.pop();
    for (policy, expect_skip, expect_kind) in [
        (NearPolicy::Skip, true, Some("near")),
        (NearPolicy::Off, false, None),
    ] {
        let plugin = memory_plugin(Config {
            near_policy: policy,
            ..Config::default()
        });
        plugin.process(&mut doc("1111111111111111", &a)).unwrap();
        let mut near = doc("2222222222222222", &edited);
        let verdict = plugin.process(&mut near).unwrap();
        assert_eq!(matches!(verdict, Verdict::Skip { .. }), expect_skip);
        assert_eq!(kind(&near).map(|k| k.0), expect_kind);
    }
}

#[test]
fn a_replay_is_never_a_duplicate_of_itself() {
    let dir = tempfile::tempdir().unwrap();
    let a = article(7, 6);
    let mut near_body = a.clone();
    near_body.remove(1);
    for plugin in [memory_plugin(Config::default()), redb_plugin(dir.path())] {
        let mut first = doc("1111111111111111", &a);
        plugin.process(&mut first).unwrap();
        let mut near = doc("2222222222222222", &near_body);
        plugin.process(&mut near).unwrap();
        for _ in 0..2 {
            let mut again = doc("1111111111111111", &a);
            assert_eq!(plugin.process(&mut again).unwrap(), Verdict::Continue);
            assert_eq!(again.dedup, first.dedup);
            let mut near_again = doc("2222222222222222", &near_body);
            plugin.process(&mut near_again).unwrap();
            assert_eq!(
                near_again.dedup, near.dedup,
                "a replay reports its first result"
            );
        }
    }
}

#[test]
fn empty_bodies_are_passed_through() {
    let plugin = memory_plugin(Config::default());
    let mut empty = Document::default();
    assert_eq!(plugin.process(&mut empty).unwrap(), Verdict::Continue);
    assert_eq!(empty.dedup, None);
}

/// Two workers process two near-duplicates at the same moment, many times over: exactly one of
/// each pair must be reported as the near-duplicate of the other.
fn concurrent_near_duplicates_are_caught(plugin: &Dedup) {
    let plugin = Arc::new(plugin);
    for round in 0..60u64 {
        let a = article(1000 + round, 8);
        let mut b = a.clone();
        b.remove(3);
        let ids = [
            format!("{:016x}", 2 * round + 1),
            format!("{:016x}", 2 * round + 2),
        ];
        let barrier = Barrier::new(2);
        let results: Vec<Document> = std::thread::scope(|scope| {
            let handles: Vec<_> = [(&ids[0], &a), (&ids[1], &b)]
                .into_iter()
                .map(|(id, body)| {
                    let barrier = &barrier;
                    let plugin = Arc::clone(&plugin);
                    scope.spawn(move || {
                        let mut d = doc(id, body);
                        barrier.wait();
                        plugin.process(&mut d).unwrap();
                        d
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let marked: Vec<_> = results.iter().filter_map(kind).collect();
        assert_eq!(marked.len(), 1, "round {round}: {marked:?}");
        assert!(ids.contains(&marked[0].1.to_owned()));
    }
}

#[test]
fn concurrent_near_duplicates_in_memory() {
    concurrent_near_duplicates_are_caught(&memory_plugin(Config::default()));
}

#[test]
fn concurrent_near_duplicates_in_redb() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_near_duplicates_are_caught(&redb_plugin(dir.path()));
}

#[test]
fn the_index_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let a = article(8, 8);
    {
        let plugin = redb_plugin(dir.path());
        plugin.process(&mut doc("1111111111111111", &a)).unwrap();
    }
    assert!(dir.path().join(crate::DB_FILE).exists());
    let plugin = redb_plugin(dir.path());
    let mut copy = doc("2222222222222222", &a);
    assert!(matches!(
        plugin.process(&mut copy).unwrap(),
        Verdict::Skip { .. }
    ));
    let mut edited = a.clone();
    edited.remove(0);
    let mut near = doc("3333333333333333", &edited);
    plugin.process(&mut near).unwrap();
    assert_eq!(kind(&near), Some(("near", "1111111111111111")));
    // A replay after the restart still gets its first result.
    let mut again = doc("1111111111111111", &a);
    plugin.process(&mut again).unwrap();
    assert_eq!(again.dedup.unwrap().duplicate_of, None);
}

fn entry(key: u64, at: u64, signature: Vec<u32>) -> Entry {
    Entry {
        key,
        id: format!("{key:016x}"),
        at,
        exact: u128::from(key),
        shingles: 100,
        bands: signature
            .chunks(4)
            .map(|c| u64::from(c[0]) << 32 | u64::from(c[1]))
            .collect(),
        signature,
        outcome: Outcome::New,
    }
}

fn retention_forgets_old_entries(store: &dyn DedupStore) {
    let always = |_: &Entry| Some(1.0);
    let old = entry(1, 100, vec![5; 16]);
    let young = entry(2, 1000, vec![9; 16]);
    for e in [&old, &young] {
        assert_eq!(
            store.check_and_insert(e, true, &always).unwrap().outcome,
            Outcome::New
        );
    }
    assert_eq!(store.prune(500, 10).unwrap(), 1);
    assert_eq!(store.prune(500, 10).unwrap(), 0);
    // The old one is forgotten: a look-alike is new again; the young one is still known.
    let again = entry(3, 2000, vec![5; 16]);
    assert_eq!(
        store
            .check_and_insert(&again, true, &always)
            .unwrap()
            .outcome,
        Outcome::New
    );
    let twin = Entry {
        exact: 2,
        ..entry(4, 2000, vec![9; 16])
    };
    let found = store
        .check_and_insert(&twin, true, &always)
        .unwrap()
        .outcome;
    assert_eq!(
        found,
        Outcome::Exact {
            of: young.id.clone()
        }
    );
}

#[test]
fn retention_in_memory() {
    retention_forgets_old_entries(&MemoryStore::new());
}

#[test]
fn retention_in_redb() {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(&dir.path().join("x.redb"), Arc::new(|_: &str| {})).unwrap();
    retention_forgets_old_entries(&store);
    store.flush().unwrap();
}

#[test]
fn quality_on_a_generated_corpus() {
    let articles = corpus::generate(1500, 11);
    let report = eval::evaluate(&memory_plugin(Config::default()), &articles);
    assert!(
        report.exact.truth > 100 && report.near.truth > 200,
        "{report}"
    );
    assert_eq!(report.exact.precision(), 1.0, "{report}");
    assert_eq!(report.exact.recall(), 1.0, "{report}");
    assert!(report.near.precision() >= 0.99, "{report}");
    assert!(report.near.recall() >= 0.95, "{report}");
}

/// The key filter only spares reads: with it (and a restart half-way, which fills it from
/// the tables) every article gets the same result as without it.
#[test]
fn the_key_filter_changes_no_result() {
    let articles = corpus::generate(2000, 5);
    let results = |filter_mb: usize, restart_at: usize| {
        let dir = tempfile::tempdir().unwrap();
        let options = RedbOptions {
            filter_bytes: filter_mb << 20,
            ..RedbOptions::default()
        };
        let open = || {
            let log = Arc::new(|_: &str| {});
            let store = RedbStore::open_with(&dir.path().join("i.redb"), log, options).unwrap();
            store.wait_for_filter();
            assert_eq!(store.filter_is_useful(), filter_mb > 0);
            Dedup::with_store(Config::default(), Host::detached(), Box::new(store)).unwrap()
        };
        let mut plugin = open();
        let mut out = Vec::new();
        for (i, article) in articles.iter().enumerate() {
            if i == restart_at {
                drop(plugin);
                plugin = open();
            }
            let mut d = doc(&article.id, std::slice::from_ref(&article.body));
            let verdict = plugin.process(&mut d).unwrap();
            out.push((matches!(verdict, Verdict::Skip { .. }), d.dedup));
        }
        out
    };
    let unfiltered = results(0, usize::MAX);
    let filtered = results(4, articles.len() / 2);
    let duplicates = unfiltered
        .iter()
        .filter(|(_, i)| i.as_ref().is_some_and(|i| i.kind.is_some()));
    assert!(duplicates.count() > 500);
    for (i, (a, b)) in unfiltered.iter().zip(&filtered).enumerate() {
        assert_eq!(a, b, "article {i}");
    }
}

#[test]
fn unknown_config_keys_and_bad_values_are_refused() {
    let err = Dedup::new(
        Config {
            bands: 7,
            ..Config::default()
        },
        Host::detached(),
    )
    .unwrap_err();
    assert!(err.message.contains("bands"), "{}", err.message);
}

#[test]
fn a_reloaded_instance_starts_while_the_old_one_drains() {
    let dir = tempfile::tempdir().unwrap();
    let a = article(9, 6);
    let old = redb_plugin(dir.path());
    old.process(&mut doc("1111111111111111", &a)).unwrap();
    let new = redb_plugin(dir.path());
    let err = new.process(&mut doc("2222222222222222", &a)).unwrap_err();
    assert!(err.retryable, "{err:?}");
    drop(old);
    let mut copy = doc("2222222222222222", &a);
    assert!(matches!(
        new.process(&mut copy).unwrap(),
        Verdict::Skip { .. }
    ));
}
