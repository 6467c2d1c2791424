//! Byte encoding of an [`Entry`] for the redb `entries` table (versioned, little-endian).

use super::{Entry, Outcome, StoreError};

const VERSION: u8 = 1;

/// Encodes an entry (its key is the table key and is not repeated).
pub fn encode(entry: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + 4 * entry.signature.len() + 8 * entry.bands.len());
    out.push(VERSION);
    out.extend_from_slice(&entry.at.to_le_bytes());
    out.extend_from_slice(&entry.exact.to_le_bytes());
    out.extend_from_slice(&entry.shingles.to_le_bytes());
    put_len(&mut out, entry.signature.len());
    for v in &entry.signature {
        out.extend_from_slice(&v.to_le_bytes());
    }
    put_len(&mut out, entry.bands.len());
    for v in &entry.bands {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let (kind, of, similarity) = match &entry.outcome {
        Outcome::New => (0u8, "", 0.0),
        Outcome::Exact { of } => (1, of.as_str(), 1.0),
        Outcome::Near { of, similarity } => (2, of.as_str(), *similarity),
    };
    out.push(kind);
    out.extend_from_slice(&similarity.to_le_bytes());
    put_len(&mut out, of.len());
    out.extend_from_slice(of.as_bytes());
    out.extend_from_slice(entry.id.as_bytes());
    out
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_le_bytes());
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.0.len() < n {
            return Err(StoreError::Corrupt("record is truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn len(&mut self) -> Result<usize, StoreError> {
        Ok(usize::from(u16::from_le_bytes(self.array()?)))
    }

    fn text(&mut self, n: usize) -> Result<String, StoreError> {
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| StoreError::Corrupt("id is not UTF-8"))
    }
}

/// Decodes an entry stored under `key`.
pub fn decode(key: u64, bytes: &[u8]) -> Result<Entry, StoreError> {
    let mut r = Reader(bytes);
    if r.array::<1>()?[0] != VERSION {
        return Err(StoreError::Corrupt("unknown record version"));
    }
    let at = u64::from_le_bytes(r.array()?);
    let exact = u128::from_le_bytes(r.array()?);
    let shingles = u32::from_le_bytes(r.array()?);
    let n = r.len()?;
    let signature = (0..n)
        .map(|_| r.array().map(u32::from_le_bytes))
        .collect::<Result<_, _>>()?;
    let n = r.len()?;
    let bands = (0..n)
        .map(|_| r.array().map(u64::from_le_bytes))
        .collect::<Result<_, _>>()?;
    let kind = r.array::<1>()?[0];
    let similarity = f64::from_le_bytes(r.array()?);
    let of_len = r.len()?;
    let of = r.text(of_len)?;
    let id = r.text(r.0.len())?;
    let outcome = match kind {
        0 => Outcome::New,
        1 => Outcome::Exact { of },
        2 => Outcome::Near { of, similarity },
        _ => return Err(StoreError::Corrupt("unknown outcome kind")),
    };
    Ok(Entry {
        key,
        id,
        at,
        exact,
        shingles,
        signature,
        bands,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip() {
        for outcome in [
            Outcome::New,
            Outcome::Near {
                of: "abc".into(),
                similarity: 0.75,
            },
        ] {
            let entry = Entry {
                key: 9,
                id: "0123456789abcdef".into(),
                at: 1_700_000_000,
                exact: u128::MAX - 5,
                shingles: 321,
                signature: vec![1, 2, u32::MAX],
                bands: vec![u64::MAX, 0],
                outcome,
            };
            assert_eq!(decode(9, &encode(&entry)).unwrap(), entry);
        }
    }

    #[test]
    fn truncated_or_foreign_bytes_are_errors() {
        assert!(decode(1, &[]).is_err());
        assert!(decode(1, &[7, 0, 0]).is_err());
        let entry = Entry {
            key: 1,
            id: "x".into(),
            at: 0,
            exact: 0,
            shingles: 0,
            signature: vec![1; 8],
            bands: vec![2; 2],
            outcome: Outcome::New,
        };
        let bytes = encode(&entry);
        assert!(decode(1, &bytes[..bytes.len() - 20]).is_err());
    }
}
