//! The recent band table: fixed-width rows (band key and arrival -> document key), by epoch.
//!
//! A row's key is `epoch << 96 | band << 32 | seq` and its value the document key. `seq`
//! grows with every row ever added (kept in the `meta` table); its low 32 bits are the row's
//! place in its band, and `seq >> 16` is its epoch. Two things keep a commit cheap:
//! - Keys and values are fixed-width, so a redb leaf insert is one memmove; a bucket row of
//!   packed keys (the main table, [`super::buckets`]) is a variable-width value, and each
//!   insert into such a leaf rewrote the offset of every pair in the page: 17,500
//!   instructions per row (issue 7).
//! - Epochs: a commit's rows (random band keys) land only in the newest epoch's part of the
//!   tree, [`EPOCH_ROWS`] rows at most, so it copies and writes the pages of that part, not
//!   those of the whole table (up to a million rows between merges: every commit rewrote
//!   most of it). A look-up reads a band once per epoch, newest first.
//!
//! The table holds what a packed bucket would: a band's bucket is its newest
//! [`BUCKET_CAP`] rows. Older rows of a crowded band stay until the next merge (which keeps
//! the newest [`BUCKET_CAP`] of the main row and these, as before), but are never read:
//! [`read`] takes the newest rows only, and [`remove`] drops the hidden ones when it removes
//! a visible key, so the bucket left is the one a packed row would have kept.

use std::ops::{Bound, RangeBounds};

use redb::{ReadableTable, Table, TableDefinition};

use super::index::BUCKET_CAP;
use super::{OrDb, StoreError};

/// The recent band table: `epoch << 96 | band << 32 | seq` -> document key.
pub type RecentTable = TableDefinition<'static, u128, u64>;

/// Small values of the index (see [`NEXT_SEQ`] and [`SINCE`]).
pub type MetaTable = TableDefinition<'static, &'static str, u64>;

/// The `meta` key of the next recent row's sequence number.
pub const NEXT_SEQ: &str = "recent_seq";

/// The `meta` key of a time (seconds) at or before which every entry with rows in the recent
/// table was stored: pruning an older entry need not look there. Absent while nothing was
/// ever added; 0 when unknown.
pub const SINCE: &str = "recent_since";

/// log2 of [`EPOCH_ROWS`].
const EPOCH_BITS: u32 = 16;

/// Rows per epoch: about 2,000 documents, 400 pages of 4 KiB.
pub const EPOCH_ROWS: u64 = 1 << EPOCH_BITS;

fn row(band: u64, seq: u64) -> u128 {
    let epoch = u128::from((seq >> EPOCH_BITS) as u32);
    epoch << 96 | u128::from(band) << 32 | u128::from(seq as u32)
}

/// The band of a row key.
pub fn band_of(row: u128) -> u64 {
    (row >> 32) as u64
}

fn epoch_of(row: u128) -> u32 {
    (row >> 96) as u32
}

/// The rows of `bands` (a range of band keys) in `epoch`, as a range of row keys.
fn rows_of(epoch: u32, bands: &impl RangeBounds<u64>) -> (Bound<u128>, Bound<u128>) {
    let base = u128::from(epoch) << 96;
    let first = |band: u64| base | u128::from(band) << 32;
    let last = |band: u64| first(band) | u128::from(u32::MAX);
    let start = match bands.start_bound() {
        Bound::Included(&b) => Bound::Included(first(b)),
        Bound::Excluded(&b) => Bound::Excluded(last(b)),
        Bound::Unbounded => Bound::Included(first(0)),
    };
    let end = match bands.end_bound() {
        Bound::Included(&b) => Bound::Included(last(b)),
        Bound::Excluded(&b) => Bound::Excluded(first(b)),
        Bound::Unbounded => Bound::Included(last(u64::MAX)),
    };
    (start, end)
}

/// The first and last epoch holding rows; `None` when the table is empty.
pub fn epochs(table: &impl ReadableTable<u128, u64>) -> Result<Option<(u32, u32)>, StoreError> {
    let context = "read the band rows";
    let first = table.first().or_db(context)?.map(|(k, _)| k.value());
    let last = table.last().or_db(context)?.map(|(k, _)| k.value());
    Ok(first.zip(last).map(|(f, l)| (epoch_of(f), epoch_of(l))))
}

/// Adds `(band, key)` rows, sorted by band and in arrival order within a band, of entries
/// stored at `oldest_at` or later, numbering them from the `meta` table's sequence (which it
/// advances). Returns the rows added.
pub fn append(
    table: &mut Table<'_, u128, u64>,
    meta: &mut Table<'_, &'static str, u64>,
    rows: &[(u64, u64)],
    oldest_at: u64,
) -> Result<u64, StoreError> {
    let context = "write a band row";
    let first = meta.get(NEXT_SEQ).or_db(context)?.map_or(0, |v| v.value());
    let mut seq = first;
    for &(band, key) in rows {
        table.insert(row(band, seq), key).or_db(context)?;
        seq += 1;
    }
    meta.insert(NEXT_SEQ, seq).or_db(context)?;
    let since = meta
        .get(SINCE)
        .or_db(context)?
        .map_or(u64::MAX, |v| v.value());
    if oldest_at < since {
        meta.insert(SINCE, oldest_at).or_db(context)?;
    }
    Ok(seq - first)
}

/// Appends the keys of `band`'s bucket (its newest [`BUCKET_CAP`] rows, oldest first) to
/// `out`; `epochs` is what [`epochs`] says of the table.
pub fn read(
    table: &impl ReadableTable<u128, u64>,
    epochs: Option<(u32, u32)>,
    band: u64,
    out: &mut Vec<u64>,
) -> Result<(), StoreError> {
    let context = "read a band row";
    let Some((first, last)) = epochs else {
        return Ok(());
    };
    let start = out.len();
    'epochs: for epoch in (first..=last).rev() {
        for item in table
            .range(rows_of(epoch, &(band..=band)))
            .or_db(context)?
            .rev()
        {
            if out.len() - start == BUCKET_CAP {
                break 'epochs;
            }
            out.push(item.or_db(context)?.1.value());
        }
    }
    out[start..].reverse();
    Ok(())
}

/// Every row of the bands in `bands`, as `(row, key)` sorted by band, oldest first.
fn rows_in(
    table: &impl ReadableTable<u128, u64>,
    bands: &(impl RangeBounds<u64> + Clone),
) -> Result<Vec<(u128, u64)>, StoreError> {
    let context = "read the band rows";
    let mut rows = Vec::new();
    if let Some((first, last)) = epochs(table)? {
        for epoch in first..=last {
            for item in table.range(rows_of(epoch, bands)).or_db(context)? {
                let (row, key) = item.or_db(context)?;
                rows.push((row.value(), key.value()));
            }
        }
    }
    rows.sort_by_key(|&(row, _)| band_of(row));
    Ok(rows)
}

/// Removes `key` from `band`'s bucket, if it is there, and the rows hidden behind the bucket
/// (so that the next-newest hidden row does not come into view, as it could not in a packed
/// bucket, which had dropped it).
pub fn remove(table: &mut Table<'_, u128, u64>, band: u64, key: u64) -> Result<(), StoreError> {
    let context = "remove a band row";
    let rows = rows_in(table, &(band..=band))?;
    let visible = rows.len().saturating_sub(BUCKET_CAP);
    if !rows[visible..].iter().any(|&(_, k)| k == key) {
        return Ok(());
    }
    for (i, &(row, k)) in rows.iter().enumerate() {
        if k == key || i < visible {
            table.remove(row).or_db(context)?;
        }
    }
    Ok(())
}

/// Reads and deletes the rows of the bands in `bands`, as `(band, key)` pairs sorted by band,
/// oldest first within a band.
pub fn take_rows(
    table: &mut Table<'_, u128, u64>,
    bands: impl RangeBounds<u64> + Clone,
) -> Result<Vec<(u64, u64)>, StoreError> {
    let context = "move band rows";
    let rows = rows_in(table, &bands)?;
    for &(row, _) in &rows {
        table.remove(row).or_db(context)?;
    }
    Ok(rows
        .into_iter()
        .map(|(row, key)| (band_of(row), key))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: RecentTable = TableDefinition::new("t");
    const M: MetaTable = TableDefinition::new("m");

    fn bucket(table: &impl ReadableTable<u128, u64>, band: u64) -> Vec<u64> {
        let mut out = vec![999];
        read(table, epochs(table).unwrap(), band, &mut out).unwrap();
        assert_eq!(out.remove(0), 999, "read appends");
        out
    }

    #[test]
    fn a_band_reads_as_its_newest_keys_across_appends_and_removals() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let db = redb::Database::create(file.path()).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(T).unwrap();
            let mut meta = txn.open_table(M).unwrap();
            let cap = BUCKET_CAP as u64;
            let rows: Vec<(u64, u64)> = (0..cap + 3).map(|k| (7, k)).chain([(9, 1)]).collect();
            assert_eq!(append(&mut table, &mut meta, &rows, 50).unwrap(), cap + 4);
            assert_eq!(bucket(&table, 7), (3..cap + 3).collect::<Vec<_>>());
            assert_eq!(bucket(&table, 9), [1]);
            assert!(bucket(&table, 8).is_empty());
            // A later append keeps numbering on: its keys are the newest.
            append(&mut table, &mut meta, &[(7, 100), (u64::MAX, 5)], 60).unwrap();
            assert_eq!(meta.get(SINCE).unwrap().unwrap().value(), 50);
            assert_eq!(meta.get(NEXT_SEQ).unwrap().unwrap().value(), cap + 6);
            let seven = bucket(&table, 7);
            assert_eq!(seven.len(), BUCKET_CAP);
            assert_eq!((seven[0], seven[BUCKET_CAP - 1]), (4, 100));
            assert_eq!(bucket(&table, u64::MAX), [5]);
            // Removing a hidden key changes nothing; removing a visible one does not bring
            // the hidden ones back into view.
            remove(&mut table, 7, 0).unwrap();
            assert_eq!(bucket(&table, 7), seven);
            remove(&mut table, 7, 10).unwrap();
            let expected: Vec<u64> = seven.iter().copied().filter(|&k| k != 10).collect();
            assert_eq!(bucket(&table, 7), expected);
            remove(&mut table, 9, 1).unwrap();
            assert!(bucket(&table, 9).is_empty());
            // Taking a range returns its rows by band, oldest first, and deletes them.
            let taken = take_rows(&mut table, 5..8).unwrap();
            assert_eq!(taken.len(), BUCKET_CAP - 1);
            assert!(taken.iter().all(|&(band, _)| band == 7));
            assert_eq!(taken.last(), Some(&(7, 100)));
            assert!(bucket(&table, 7).is_empty());
            assert_eq!(take_rows(&mut table, 8..).unwrap(), [(u64::MAX, 5)]);
            assert!(take_rows(&mut table, ..).unwrap().is_empty());
        }
        txn.commit().unwrap();
    }

    #[test]
    fn a_band_spread_over_epochs_reads_and_moves_in_arrival_order() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let db = redb::Database::create(file.path()).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(T).unwrap();
            let mut meta = txn.open_table(M).unwrap();
            // Numbering starts just before the end of epoch 2: rows go to epochs 2, 3 and 4.
            meta.insert(NEXT_SEQ, 3 * EPOCH_ROWS - 3).unwrap();
            let first: Vec<(u64, u64)> = (1..=5).map(|k| (7, k)).collect();
            append(&mut table, &mut meta, &first, 10).unwrap();
            append(&mut table, &mut meta, &[(3, 50), (7, 6)], 20).unwrap();
            meta.insert(NEXT_SEQ, 4 * EPOCH_ROWS + 10).unwrap();
            let later: Vec<(u64, u64)> = (7..=25).map(|k| (7, k)).collect();
            append(&mut table, &mut meta, &later, 30).unwrap();
            assert_eq!(epochs(&table).unwrap(), Some((2, 4)));
            assert_eq!(bucket(&table, 7), (10..=25).collect::<Vec<u64>>());
            assert_eq!(bucket(&table, 3), [50]);
            remove(&mut table, 7, 12).unwrap();
            let expected: Vec<u64> = (10..=25).filter(|&k| k != 12).collect();
            assert_eq!(bucket(&table, 7), expected);
            let mut all = vec![(3, 50)];
            all.extend(expected.iter().map(|&k| (7, k)));
            assert_eq!(take_rows(&mut table, ..).unwrap(), all);
            assert_eq!(epochs(&table).unwrap(), None);
            assert!(bucket(&table, 7).is_empty());
        }
        txn.commit().unwrap();
    }
}
