//! LSH band buckets in redb: one row per band key, holding the newest document keys.
//!
//! A row's value is up to [`BUCKET_CAP`] document keys (u64, little-endian), oldest first. A
//! look-up is then one point read per band (one B-tree descent), and a bucket never grows
//! without bound however many documents share it.

use redb::{ReadableTable, Table, TableDefinition};

use super::index::BUCKET_CAP;
use super::{OrDb, StoreError};

/// A band bucket table: band key -> packed document keys.
pub type BucketTable = TableDefinition<'static, u64, &'static [u8]>;

/// Appends the keys packed in `bytes` to `out`.
pub fn unpack(bytes: &[u8], out: &mut Vec<u64>) {
    out.extend(bytes.chunks_exact(8).map(|c| {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        u64::from_le_bytes(b)
    }));
}

fn pack(keys: &[u64]) -> Vec<u8> {
    let start = keys.len().saturating_sub(BUCKET_CAP);
    keys[start..].iter().flat_map(|k| k.to_le_bytes()).collect()
}

fn read(table: &Table<'_, u64, &'static [u8]>, band: u64) -> Result<Vec<u64>, StoreError> {
    let mut keys = Vec::new();
    if let Some(value) = table.get(band).or_db("read a band bucket")? {
        unpack(value.value(), &mut keys);
    }
    Ok(keys)
}

/// Adds `(band, key)` rows, sorted by band, to their buckets (keeping the newest keys).
pub fn add(
    table: &mut Table<'_, u64, &'static [u8]>,
    rows: &[(u64, u64)],
) -> Result<(), StoreError> {
    for group in rows.chunk_by(|a, b| a.0 == b.0) {
        let band = group[0].0;
        let mut keys = read(table, band)?;
        keys.extend(group.iter().map(|&(_, key)| key));
        table
            .insert(band, pack(&keys).as_slice())
            .or_db("write a band bucket")?;
    }
    Ok(())
}

/// Removes `key` from the bucket of `band`, dropping the row when it empties.
pub fn remove(
    table: &mut Table<'_, u64, &'static [u8]>,
    band: u64,
    key: u64,
) -> Result<(), StoreError> {
    let mut keys = read(table, band)?;
    let before = keys.len();
    keys.retain(|&k| k != key);
    if keys.len() == before {
        return Ok(());
    }
    if keys.is_empty() {
        table.remove(band).or_db("write a band bucket")?;
    } else {
        table
            .insert(band, pack(&keys).as_slice())
            .or_db("write a band bucket")?;
    }
    Ok(())
}

/// Reads the rows of the bands in `range` as `(band, key)` pairs, sorted by band, oldest key
/// first; with `remove`, also deletes them from the table.
pub fn take_rows(
    table: &mut Table<'_, u64, &'static [u8]>,
    range: impl std::ops::RangeBounds<u64>,
    remove: bool,
) -> Result<Vec<(u64, u64)>, StoreError> {
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    let mut bands = Vec::new();
    for item in table.range(range).or_db("read a band bucket")? {
        let (band, value) = item.or_db("read a band bucket")?;
        keys.clear();
        unpack(value.value(), &mut keys);
        rows.extend(keys.iter().map(|&k| (band.value(), k)));
        bands.push(band.value());
    }
    if remove {
        for band in bands {
            table.remove(band).or_db("remove a band bucket")?;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: BucketTable = TableDefinition::new("t");

    #[test]
    fn buckets_keep_the_newest_keys_and_shrink_on_removal() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let db = redb::Database::create(file.path()).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(T).unwrap();
            let rows: Vec<(u64, u64)> = (0..BUCKET_CAP as u64 + 3).map(|k| (7, k)).collect();
            add(&mut table, &rows).unwrap();
            add(&mut table, &[(9, 1)]).unwrap();
            let seven = read(&table, 7).unwrap();
            assert_eq!(seven.len(), BUCKET_CAP);
            assert_eq!(seven[0], 3, "the oldest keys were dropped");
            let full: Vec<(u64, u64)> = (0..BUCKET_CAP as u64).map(|k| (11, k)).collect();
            add(&mut table, &full).unwrap();
            add(&mut table, &[(11, 100), (11, 101)]).unwrap();
            let grown = read(&table, 11).unwrap();
            assert_eq!(grown.len(), BUCKET_CAP);
            assert_eq!(grown[0], 2, "a later add drops the oldest keys too");
            assert_eq!(grown[BUCKET_CAP - 2..], [100, 101], "new keys come last");
            assert_eq!(
                take_rows(&mut table, 11..12, true).unwrap().len(),
                BUCKET_CAP
            );
            remove(&mut table, 9, 1).unwrap();
            assert!(table.get(9).unwrap().is_none());
            remove(&mut table, 7, 5).unwrap();
            assert_eq!(read(&table, 7).unwrap().len(), BUCKET_CAP - 1);
            add(&mut table, &[(u64::MAX, 1)]).unwrap();
            assert_eq!(
                take_rows(&mut table, ..8, false).unwrap().len(),
                BUCKET_CAP - 1
            );
            assert_eq!(take_rows(&mut table, 8.., true).unwrap(), [(u64::MAX, 1)]);
            assert!(
                table.get(u64::MAX).unwrap().is_none(),
                "taken rows are removed"
            );
            assert_eq!(
                take_rows(&mut table, .., true).unwrap().len(),
                BUCKET_CAP - 1
            );
            assert!(take_rows(&mut table, .., false).unwrap().is_empty());
        }
        txn.commit().unwrap();
    }
}
