//! The recent band table: fixed-width rows (band key and arrival -> document key).
//!
//! A row's key is `band << 64 | seq` (`seq` grows with every row ever added, kept in the
//! `meta` table) and its value the document key. Both are fixed-width, so a redb leaf insert
//! is one memmove; a bucket row of packed keys (the main table, [`super::buckets`]) is a
//! variable-width value, and each insert into such a leaf rewrote the offset of every pair in
//! the page: 17,500 instructions per row, a third of the plugin's CPU (issue 7).
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

/// The recent band table: `band << 64 | seq` -> document key.
pub type RecentTable = TableDefinition<'static, u128, u64>;

/// Small values of the index (`recent_seq`: the next row's sequence number).
pub type MetaTable = TableDefinition<'static, &'static str, u64>;

/// The `meta` key of the next recent row's sequence number.
pub const NEXT_SEQ: &str = "recent_seq";

fn row(band: u64, seq: u64) -> u128 {
    u128::from(band) << 64 | u128::from(seq)
}

/// The band of a row key.
pub fn band_of(row: u128) -> u64 {
    (row >> 64) as u64
}

/// The rows of `bands` (a range of band keys) as a range of row keys.
fn rows_of(bands: &impl RangeBounds<u64>) -> (Bound<u128>, Bound<u128>) {
    let start = match bands.start_bound() {
        Bound::Included(&b) => Bound::Included(row(b, 0)),
        Bound::Excluded(&b) => Bound::Excluded(row(b, u64::MAX)),
        Bound::Unbounded => Bound::Unbounded,
    };
    let end = match bands.end_bound() {
        Bound::Included(&b) => Bound::Included(row(b, u64::MAX)),
        Bound::Excluded(&b) => Bound::Excluded(row(b, 0)),
        Bound::Unbounded => Bound::Unbounded,
    };
    (start, end)
}

/// Adds `(band, key)` rows, sorted by band and in arrival order within a band, numbering
/// them from the `meta` table's sequence (which it advances). Returns the rows added.
pub fn append(
    table: &mut Table<'_, u128, u64>,
    meta: &mut Table<'_, &'static str, u64>,
    rows: &[(u64, u64)],
) -> Result<u64, StoreError> {
    let context = "write a band row";
    let first = meta.get(NEXT_SEQ).or_db(context)?.map_or(0, |v| v.value());
    let mut seq = first;
    for &(band, key) in rows {
        table.insert(row(band, seq), key).or_db(context)?;
        seq += 1;
    }
    meta.insert(NEXT_SEQ, seq).or_db(context)?;
    Ok(seq - first)
}

/// Appends the keys of `band`'s bucket (its newest [`BUCKET_CAP`] rows, oldest first) to `out`.
pub fn read(
    table: &impl ReadableTable<u128, u64>,
    band: u64,
    out: &mut Vec<u64>,
) -> Result<(), StoreError> {
    let context = "read a band row";
    let start = out.len();
    for item in table
        .range(rows_of(&(band..=band)))
        .or_db(context)?
        .rev()
        .take(BUCKET_CAP)
    {
        out.push(item.or_db(context)?.1.value());
    }
    out[start..].reverse();
    Ok(())
}

/// Removes `key` from `band`'s bucket, if it is there, and the rows hidden behind the bucket
/// (so that the next-newest hidden row does not come into view, as it could not in a packed
/// bucket, which had dropped it).
pub fn remove(table: &mut Table<'_, u128, u64>, band: u64, key: u64) -> Result<(), StoreError> {
    let context = "remove a band row";
    let mut rows = Vec::new();
    for item in table.range(rows_of(&(band..=band))).or_db(context)? {
        let (row, value) = item.or_db(context)?;
        rows.push((row.value(), value.value()));
    }
    let visible = rows.len().saturating_sub(BUCKET_CAP);
    if !rows[visible..].iter().any(|&(_, k)| k == key) {
        return Ok(());
    }
    for &(row, k) in &rows {
        if k == key || row < rows[visible].0 {
            table.remove(row).or_db(context)?;
        }
    }
    Ok(())
}

/// Reads and deletes the rows of the bands in `bands`, as `(band, key)` pairs sorted by band,
/// oldest first within a band.
pub fn take_rows(
    table: &mut Table<'_, u128, u64>,
    bands: impl RangeBounds<u64>,
) -> Result<Vec<(u64, u64)>, StoreError> {
    let context = "move band rows";
    let mut rows = Vec::new();
    for item in table
        .extract_from_if(rows_of(&bands), |_, _| true)
        .or_db(context)?
    {
        let (row, key) = item.or_db(context)?;
        rows.push((band_of(row.value()), key.value()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: RecentTable = TableDefinition::new("t");
    const M: MetaTable = TableDefinition::new("m");

    fn bucket(table: &impl ReadableTable<u128, u64>, band: u64) -> Vec<u64> {
        let mut out = vec![999];
        read(table, band, &mut out).unwrap();
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
            assert_eq!(append(&mut table, &mut meta, &rows).unwrap(), cap + 4);
            assert_eq!(bucket(&table, 7), (3..cap + 3).collect::<Vec<_>>());
            assert_eq!(bucket(&table, 9), [1]);
            assert!(bucket(&table, 8).is_empty());
            // A later append keeps numbering on: its keys are the newest.
            append(&mut table, &mut meta, &[(7, 100), (u64::MAX, 5)]).unwrap();
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
}
