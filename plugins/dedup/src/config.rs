//! The plugin's configuration (`[chain.config]` of the dedup entry), its defaults and checks.

use std::path::PathBuf;

use serde::Deserialize;

/// What to do with an exact duplicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExactPolicy {
    /// Skip it: recorded and logged by the host, not written to the outbox.
    #[default]
    Skip,
    /// Keep it and set `dedup.kind = "exact"` and `dedup.duplicate_of`.
    Mark,
}

/// What to do with a near-duplicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NearPolicy {
    /// Keep it and set `dedup.kind = "near"`, `dedup.duplicate_of` and `dedup.similarity`.
    #[default]
    Mark,
    /// Skip it like an exact duplicate.
    Skip,
    /// Do not look for near-duplicates (exact detection still runs).
    Off,
}

/// Configuration of the dedup plugin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Minimum estimated similarity (0..1) for a near-duplicate. The similarity is the larger of
    /// the estimated Jaccard index of the two shingle sets and the estimated containment of the
    /// smaller article in the larger one (so dropped paragraphs still match).
    pub threshold: f64,
    /// Number of MinHash functions in a signature.
    pub num_hashes: usize,
    /// Number of LSH bands; `num_hashes / bands` hashes make one band key.
    pub bands: usize,
    /// Words per shingle.
    pub shingle_size: usize,
    /// Policy for exact duplicates.
    pub exact_policy: ExactPolicy,
    /// Policy for near-duplicates.
    pub near_policy: NearPolicy,
    /// Entries older than this many days are forgotten (0 keeps them forever).
    pub retention_days: u64,
    /// Database file; overrides `<state_dir>/dedup.redb`. With neither, the index is in memory.
    pub path: Option<PathBuf>,
    /// Page cache of the index database, in MiB (more keeps lookups fast in a large index).
    /// It fills up to this size and stays there, so it is most of the plugin's memory: the
    /// default keeps the daemon small (issue 7); pages it misses come from the OS page cache.
    pub cache_mb: usize,
    /// Memory for the filter of indexed keys, in MiB (0 turns it off). It spares the index
    /// reads of band buckets that cannot hold anything; about 1 MiB per 25,000 indexed
    /// articles keeps it sharp, and past its size it only lets more reads through.
    pub filter_mb: usize,
    /// Short paragraphs containing one of these phrases (case-insensitive) are treated as
    /// boilerplate and ignored, in case cleanup left a share line or copyright notice behind.
    pub boilerplate_phrases: Vec<String>,
    /// Paragraphs longer than this many words are never treated as boilerplate.
    pub boilerplate_max_words: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threshold: 0.6,
            num_hashes: 128,
            bands: 32,
            shingle_size: 5,
            exact_policy: ExactPolicy::Skip,
            near_policy: NearPolicy::Mark,
            retention_days: 90,
            path: None,
            cache_mb: 32,
            filter_mb: 4,
            boilerplate_phrases: [
                "all rights reserved",
                "share this",
                "subscribe to",
                "sign up for",
                "follow us on",
                "click here",
                "read more",
                "related articles",
                "copyright",
                "©",
            ]
            .map(String::from)
            .to_vec(),
            boilerplate_max_words: 30,
        }
    }
}

impl Config {
    /// Checks value ranges; the message names the offending key.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(format!(
                "threshold must be in (0, 1], got {}",
                self.threshold
            ));
        }
        if !(8..=1024).contains(&self.num_hashes) {
            return Err(format!(
                "num_hashes must be between 8 and 1024, got {}",
                self.num_hashes
            ));
        }
        if self.bands == 0 || self.bands > self.num_hashes || self.num_hashes % self.bands != 0 {
            return Err(format!(
                "bands must divide num_hashes ({}), got {}",
                self.num_hashes, self.bands
            ));
        }
        if !(1..=16).contains(&self.shingle_size) {
            return Err(format!(
                "shingle_size must be between 1 and 16, got {}",
                self.shingle_size
            ));
        }
        if !(1..=1 << 20).contains(&self.cache_mb) {
            return Err(format!(
                "cache_mb must be between 1 and 1048576, got {}",
                self.cache_mb
            ));
        }
        if self.filter_mb > 1 << 16 {
            return Err(format!(
                "filter_mb must be between 0 and 65536, got {}",
                self.filter_mb
            ));
        }
        Ok(())
    }

    /// Hashes per band.
    pub fn rows(&self) -> usize {
        self.num_hashes / self.bands.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
        assert_eq!(Config::default().rows(), 4);
    }

    #[test]
    fn bad_values_name_the_key() {
        let bad = |f: fn(&mut Config)| {
            let mut c = Config::default();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert!(bad(|c| c.threshold = 1.5).contains("threshold"));
        assert!(bad(|c| c.bands = 30).contains("bands"));
        assert!(bad(|c| c.num_hashes = 0).contains("num_hashes"));
        assert!(bad(|c| c.shingle_size = 0).contains("shingle_size"));
        assert!(bad(|c| c.filter_mb = 1 << 20).contains("filter_mb"));
    }

    #[test]
    fn policies_parse_from_snake_case() {
        let c: Config =
            serde_json::from_str(r#"{"exact_policy":"mark","near_policy":"off"}"#).unwrap();
        assert_eq!(
            (c.exact_policy, c.near_policy),
            (ExactPolicy::Mark, NearPolicy::Off)
        );
    }
}
