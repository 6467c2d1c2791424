//! Which inbox names are articles: hidden and temporary names are never taken; include and
//! exclude globs from the configuration narrow it further.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::settings::WatchSettings;

/// Suffixes of files that are still being written by common tools.
const TEMPORARY_SUFFIXES: &[&str] = &[
    ".tmp",
    ".temp",
    ".part",
    ".partial",
    "~",
    ".crdownload",
    ".download",
    ".swp",
    ".filepart",
];

/// Decides whether a name in the inbox is an article to process.
#[derive(Debug, Clone)]
pub struct NameFilter {
    include: GlobSet,
    exclude: GlobSet,
}

impl NameFilter {
    /// Builds the filter from the watch settings.
    pub fn new(watch: &WatchSettings) -> Result<NameFilter, globset::Error> {
        let build = |patterns: &[String]| -> Result<GlobSet, globset::Error> {
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                builder.add(Glob::new(pattern)?);
            }
            builder.build()
        };
        Ok(NameFilter {
            include: build(&watch.include)?,
            exclude: build(&watch.exclude)?,
        })
    }

    /// True for names that are never articles: hidden (`.x`, including `.processing`) and
    /// temporary names of downloaders and editors.
    pub fn is_hidden_or_temporary(name: &OsStr) -> bool {
        let bytes = name.as_bytes();
        bytes.starts_with(b".")
            || TEMPORARY_SUFFIXES
                .iter()
                .any(|suffix| bytes.ends_with(suffix.as_bytes()))
    }

    /// True if the daemon should take this file.
    pub fn accepts(&self, name: &OsStr) -> bool {
        !Self::is_hidden_or_temporary(name)
            && self.include.is_match(name)
            && !self.exclude.is_match(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str]) -> NameFilter {
        let watch = WatchSettings {
            include: include.iter().map(|s| (*s).to_owned()).collect(),
            exclude: exclude.iter().map(|s| (*s).to_owned()).collect(),
            ..WatchSettings::default()
        };
        NameFilter::new(&watch).unwrap()
    }

    #[test]
    fn hidden_and_temporary_names_are_ignored() {
        let f = filter(&["*"], &[]);
        for name in [
            ".hidden",
            ".processing",
            "a.tmp",
            "a.part",
            "a.txt~",
            "x.crdownload",
        ] {
            assert!(!f.accepts(OsStr::new(name)), "{name}");
        }
        for name in ["story.txt", "story.md", "no extension", "tmp.txt"] {
            assert!(f.accepts(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn include_and_exclude_globs_apply() {
        let f = filter(&["*.txt", "*.md"], &["draft-*"]);
        assert!(f.accepts(OsStr::new("a.txt")));
        assert!(f.accepts(OsStr::new("b.md")));
        assert!(!f.accepts(OsStr::new("c.html")));
        assert!(!f.accepts(OsStr::new("draft-a.txt")));
    }

    #[test]
    fn non_utf8_names_are_handled() {
        let f = filter(&["*"], &[]);
        assert!(f.accepts(OsStr::from_bytes(b"caf\xe9.txt")));
    }
}
