//! MinHash signatures over word shingles, LSH band keys, and similarity estimates.
//!
//! A shingle is `shingle_size` consecutive words inside one paragraph (a shorter paragraph is
//! one shingle), so reordering paragraphs changes nothing and dropping one removes only its
//! own shingles. Each shingle is hashed once; the `num_hashes` MinHash functions are
//! multiply-add permutations of that hash (`(a_i * x + b_i) >> 32` with odd random `a_i`).

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::normalize::Normalized;

/// Computes signatures and band keys; built once per plugin instance.
#[derive(Debug, Clone)]
pub struct Sketcher {
    mul: Vec<u64>,
    add: Vec<u64>,
    shingle_size: usize,
    bands: usize,
}

/// A document's MinHash signature and the size of its shingle set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// Minimum of each hash function over the shingles.
    pub signature: Vec<u32>,
    /// Number of shingles (with repeats), for containment estimates.
    pub shingles: u32,
}

impl Sketcher {
    /// A sketcher with `num_hashes` functions (deterministic: fixed seeds), `bands` LSH bands.
    pub fn new(num_hashes: usize, bands: usize, shingle_size: usize) -> Self {
        let mut state = 0x5eed_d0c5_1d3a_u64;
        let mut next = || {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let (mut mul, mut add) = (Vec::new(), Vec::new());
        for _ in 0..num_hashes {
            mul.push(next() | 1);
            add.push(next());
        }
        Sketcher {
            mul,
            add,
            shingle_size: shingle_size.max(1),
            bands: bands.max(1),
        }
    }

    /// The signature of a normalized body (all `u32::MAX` when it has no words).
    pub fn sketch(&self, text: &Normalized) -> Sketch {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // SAFETY: the CPU has AVX-512 F and DQ, the features `sketch_avx512` is built for.
            return unsafe { self.sketch_avx512(text) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, the only feature `sketch_avx2` is compiled for.
            return unsafe { self.sketch_avx2(text) };
        }
        self.sketch_portable(text)
    }

    /// [`Sketcher::sketch`] compiled for AVX2: the same code, with four 64-bit lanes per
    /// multiply and an unsigned 32-bit vector minimum (the baseline x86-64 target has two
    /// lanes and emulates that minimum).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sketch_avx2(&self, text: &Normalized) -> Sketch {
        self.sketch_portable(text)
    }

    /// [`Sketcher::sketch`] compiled for AVX-512: eight lanes and a native 64-bit multiply.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn sketch_avx512(&self, text: &Normalized) -> Sketch {
        self.sketch_portable(text)
    }

    /// The signature, for any CPU (inlined into the feature-specific copies).
    #[inline(always)]
    fn sketch_portable(&self, text: &Normalized) -> Sketch {
        let mut signature = vec![u32::MAX; self.mul.len()];
        let mut shingles = 0u32;
        let k = self.shingle_size;
        for words in text.paragraphs() {
            let count = words.len().saturating_sub(k) + 1;
            for start in 0..count {
                let end = (start + k).min(words.len());
                let x = shingle_hash(&words[start..end]);
                shingles = shingles.saturating_add(1);
                for ((slot, &a), &b) in signature.iter_mut().zip(&self.mul).zip(&self.add) {
                    let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                    *slot = (*slot).min(h);
                }
            }
        }
        Sketch {
            signature,
            shingles,
        }
    }

    /// One LSH key per band; the band index is part of the hash so bands never collide.
    pub fn band_keys(&self, signature: &[u32]) -> Vec<u64> {
        let rows = (signature.len() / self.bands).max(1);
        signature
            .chunks_exact(rows)
            .take(self.bands)
            .enumerate()
            .map(|(band, chunk)| {
                let mut bytes = [0u8; 4 * 64];
                let n = chunk.len().min(64);
                for (i, v) in chunk[..n].iter().enumerate() {
                    bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
                }
                xxh3_64_with_seed(&bytes[..4 * n], band as u64)
            })
            .collect()
    }
}

/// Order-sensitive hash of a run of word hashes.
fn shingle_hash(words: &[u64]) -> u64 {
    let mut h = 0x243f_6a88_85a3_08d3_u64 ^ words.len() as u64;
    for &w in words {
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    h ^ (h >> 29)
}

/// Estimated Jaccard index: the share of signature positions that agree.
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / n as f64
}

/// Estimated containment of the smaller shingle set in the larger one, from the Jaccard
/// estimate and both set sizes: `|A ∩ B| = J (|A| + |B|) / (1 + J)`.
pub fn containment(jaccard: f64, a_len: u32, b_len: u32) -> f64 {
    let smaller = f64::from(a_len.min(b_len).max(1));
    let intersection = jaccard * (f64::from(a_len) + f64::from(b_len)) / (1.0 + jaccard);
    (intersection / smaller).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    fn sketch(text: &str) -> Sketch {
        let n = Normalizer::new(&[], 0).unwrap().normalize(text);
        Sketcher::new(128, 32, 3).sketch(&n)
    }

    fn paragraphs(seed: u64, n: usize) -> Vec<String> {
        (0..n)
            .map(|p| {
                (0..40)
                    .map(|w| format!("w{}", (seed * 7919 + p as u64 * 104_729 + w) % 100_003))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn every_cpu_variant_gives_the_portable_signature() {
        let text = paragraphs(3, 7).join("\n\n") + "\n\nshort one\n\nViệt Nam’s “quoted” text";
        let n = Normalizer::new(&[], 0).unwrap().normalize(&text);
        let sketcher = Sketcher::new(128, 32, 5);
        let portable = sketcher.sketch_portable(&n);
        assert_ne!(portable.signature[0], u32::MAX);
        assert_eq!(sketcher.sketch(&n), portable);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: feature checked just above.
                assert_eq!(unsafe { sketcher.sketch_avx2(&n) }, portable);
            }
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                // SAFETY: features checked just above.
                assert_eq!(unsafe { sketcher.sketch_avx512(&n) }, portable);
            }
        }
    }

    #[test]
    fn identical_texts_have_identical_signatures() {
        let text = paragraphs(1, 5).join("\n\n");
        assert_eq!(sketch(&text), sketch(&text));
        assert_eq!(sketch(&text).shingles, 5 * 38);
    }

    #[test]
    fn reordered_paragraphs_do_not_change_the_signature() {
        let mut p = paragraphs(2, 6);
        let a = sketch(&p.join("\n\n"));
        p.swap(0, 4);
        assert_eq!(a, sketch(&p.join("\n\n")));
    }

    #[test]
    fn dropped_paragraphs_keep_high_similarity_and_full_containment() {
        let p = paragraphs(3, 10);
        let a = sketch(&p.join("\n\n"));
        let b = sketch(&p[..8].join("\n\n"));
        let j = jaccard(&a.signature, &b.signature);
        assert!((0.65..0.95).contains(&j), "{j}");
        assert!(containment(j, a.shingles, b.shingles) > 0.9);
    }

    #[test]
    fn unrelated_texts_are_dissimilar() {
        let a = sketch(&paragraphs(4, 6).join("\n\n"));
        let b = sketch(&paragraphs(5, 6).join("\n\n"));
        assert!(jaccard(&a.signature, &b.signature) < 0.05);
    }

    #[test]
    fn band_keys_differ_per_band_and_match_for_equal_bands() {
        let s = Sketcher::new(128, 32, 3);
        let sig: Vec<u32> = vec![7; 128];
        let keys = s.band_keys(&sig);
        assert_eq!(keys.len(), 32);
        assert_ne!(keys[0], keys[1]);
        let mut other = sig.clone();
        other[127] = 8;
        let other_keys = s.band_keys(&other);
        assert_eq!(keys[..31], other_keys[..31]);
        assert_ne!(keys[31], other_keys[31]);
    }

    #[test]
    fn containment_is_bounded() {
        assert_eq!(containment(1.0, 10, 10), 1.0);
        assert!(containment(0.0, 10, 10).abs() < 1e-12);
        assert!((containment(0.5, 100, 50) - 1.0).abs() < 1e-12);
    }
}
