//! Shows that a lookup does not grow linearly with the index: fills a store with N synthetic
//! fingerprints and times check-and-insert calls (misses, and near hits) at that size.
//!
//! `cargo run --release -p dedup --example dedup_scale -- --sizes 10000,1000000 [--memory] [--cache-mb MB] [--filter-mb MB] [--probes N]`

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use dedup::corpus::Rng;
use dedup::minhash::{Sketcher, jaccard};
use dedup::store::{DedupStore, Entry, MemoryStore, Outcome, RedbOptions, RedbStore};

const HASHES: usize = 128;
const BANDS: usize = 32;
const FILL_CHUNK: usize = 250_000;

fn synthetic(rng: &mut Rng, sketcher: &Sketcher, signature: Option<Vec<u32>>) -> Entry {
    let signature =
        signature.unwrap_or_else(|| (0..HASHES).map(|_| rng.next_u64() as u32).collect());
    let key = rng.next_u64();
    Entry {
        key,
        id: format!("{key:016x}"),
        at: 1_700_000_000,
        exact: u128::from(rng.next_u64()) << 64 | u128::from(key),
        shingles: 500,
        bands: sketcher.band_keys(&signature),
        signature,
        outcome: Outcome::New,
    }
}

fn main() -> ExitCode {
    let mut sizes = vec![10_000usize, 1_000_000];
    let mut memory = false;
    let mut options = RedbOptions::default();
    let mut probes = 2000usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|s| s.parse().ok())
                    .collect()
            }
            "--memory" => memory = true,
            "--probes" => probes = args.next().and_then(|v| v.parse().ok()).unwrap_or(probes),
            "--cache-mb" => {
                let mb: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(256);
                options.cache_bytes = mb * 1024 * 1024;
            }
            "--filter-mb" => {
                let mb: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(4);
                options.filter_bytes = mb * 1024 * 1024;
            }
            _ => {
                eprintln!(
                    "usage: dedup_scale [--sizes N,M,...] [--memory] [--cache-mb MB] [--filter-mb MB] [--probes N]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let sketcher = Sketcher::new(HASHES, BANDS, 5);
    let mut per_size = Vec::new();
    for &size in &sizes {
        let dir = std::env::temp_dir().join(format!("dedup-scale-{}-{size}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        let mut rng = Rng::new(size as u64);
        let fill_start = Instant::now();
        // Stored signatures that the near-hit probes perturb, spread over the whole index.
        let step = (size / probes).max(1);
        let mut kept = Vec::new();
        let store: Box<dyn DedupStore> = if memory {
            let store = MemoryStore::new();
            let never = |_: &Entry| None;
            for i in 0..size {
                let e = synthetic(&mut rng, &sketcher, None);
                if i % step == 0 {
                    kept.push(e.signature.clone());
                }
                let _ = store.check_and_insert(&e, false, &never);
            }
            Box::new(store)
        } else {
            let store = match RedbStore::open_with(
                &dir.join("scale.redb"),
                Arc::new(|_: &str| {}),
                options,
            ) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut done = 0;
            while done < size {
                let n = FILL_CHUNK.min(size - done);
                let chunk: Vec<Entry> = (0..n)
                    .map(|_| synthetic(&mut rng, &sketcher, None))
                    .collect();
                kept.extend(chunk.iter().step_by(step).map(|e| e.signature.clone()));
                if let Err(e) = store.bulk_insert(&chunk) {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
                done += n;
            }
            Box::new(store)
        };
        let fill = fill_start.elapsed().as_secs_f64();

        let judge = |signature: &[u32]| {
            let signature = signature.to_vec();
            move |c: &Entry| {
                let j = jaccard(&signature, &c.signature);
                (j >= 0.6).then_some(j)
            }
        };
        // Misses: fresh random signatures (every band bucket is probed, none matches).
        let start = Instant::now();
        for _ in 0..probes {
            let e = synthetic(&mut rng, &sketcher, None);
            let _ = store.check_and_insert(&e, true, &judge(&e.signature));
        }
        let miss_us = start.elapsed().as_secs_f64() * 1e6 / probes as f64;
        // Hits: a stored signature with 15% of its positions changed.
        let start = Instant::now();
        let mut found = 0;
        for i in 0..probes {
            let mut signature = kept[i % kept.len()].clone();
            for slot in signature.iter_mut().step_by(7) {
                *slot = rng.next_u64() as u32;
            }
            let e = synthetic(&mut rng, &sketcher, Some(signature));
            if let Ok(c) = store.check_and_insert(&e, true, &judge(&e.signature)) {
                found += usize::from(matches!(c.outcome, Outcome::Near { .. }));
            }
        }
        let hit_us = start.elapsed().as_secs_f64() * 1e6 / probes as f64;
        let _ = store.flush();
        drop(store);
        // Opening again starts reading every key into the filter (in the background).
        let reopen = (!memory).then(|| {
            let start = Instant::now();
            let reopened =
                RedbStore::open_with(&dir.join("scale.redb"), Arc::new(|_: &str| {}), options);
            let open = start.elapsed().as_secs_f64();
            if let Ok(store) = &reopened {
                store.wait_for_filter();
            }
            let filled = start.elapsed().as_secs_f64();
            drop(reopened);
            format!(" reopen={open:.2}s filter-filled={filled:.2}s")
        });
        let bytes = std::fs::metadata(dir.join("scale.redb")).map_or(0, |m| m.len());
        let _ = std::fs::remove_dir_all(&dir);
        println!(
            "store={} size={size} fill={fill:.1}s file={:.0}MB miss={miss_us:.1}us/lookup \
             near-hit={hit_us:.1}us/lookup (found {found}/{probes}){}",
            if memory { "memory" } else { "redb" },
            bytes as f64 / 1e6,
            reopen.unwrap_or_default()
        );
        per_size.push((size, miss_us, hit_us));
    }
    if let (Some(first), Some(last)) = (per_size.first(), per_size.last()) {
        println!(
            "ratio {}x entries: miss {:.2}x, near-hit {:.2}x",
            last.0 / first.0.max(1),
            last.1 / first.1,
            last.2 / first.2
        );
    }
    ExitCode::SUCCESS
}
