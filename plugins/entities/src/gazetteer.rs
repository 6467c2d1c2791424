//! Surface form -> (canonical name, label) lookup: one leftmost-longest Aho-Corasick automaton
//! over every gazetteer form, built once, with a whole-word check at match time.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::label::Label;
use crate::lexicon::GazetteerEntry;

/// A gazetteer hit in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GazMatch {
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset after the match.
    pub(crate) end: usize,
    /// Index of the entry (see [`Gazetteer::entry`]).
    pub(crate) entry: usize,
}

/// The compiled gazetteer.
#[derive(Debug)]
pub(crate) struct Gazetteer {
    automaton: AhoCorasick,
    /// Entry index of each automaton pattern.
    pattern_entry: Vec<usize>,
    entries: Vec<GazetteerEntry>,
}

/// The automaton could not be built (too many or too long patterns).
#[derive(Debug, thiserror::Error)]
#[error("gazetteer automaton: {0}")]
pub struct BuildError(#[from] aho_corasick::BuildError);

impl Gazetteer {
    /// Compiles the entries (and the capitalised forms of places); a form listed twice keeps
    /// its first entry.
    pub(crate) fn new(entries: Vec<GazetteerEntry>) -> Result<Gazetteer, BuildError> {
        let mut seen = std::collections::HashSet::new();
        let mut patterns = Vec::new();
        let mut pattern_entry = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            for form in &entry.forms {
                if seen.insert(form.clone()) {
                    patterns.push(form.clone());
                    pattern_entry.push(i);
                }
            }
        }
        // Datelines write places in capitals ("NEW DELHI –"); short forms are left out, as
        // capitals there are more often acronyms.
        for (i, entry) in entries.iter().enumerate() {
            if entry.label != Label::Gpe {
                continue;
            }
            for form in &entry.forms {
                let upper = form.to_uppercase();
                if form.chars().count() >= 4 && seen.insert(upper.clone()) {
                    patterns.push(upper);
                    pattern_entry.push(i);
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        Ok(Gazetteer {
            automaton,
            pattern_entry,
            entries,
        })
    }

    /// The entry a match points at.
    pub(crate) fn entry(&self, index: usize) -> Option<&GazetteerEntry> {
        self.entries.get(index)
    }

    /// Canonical name and label of an entry.
    pub(crate) fn describe(&self, index: usize) -> Option<(&str, Label)> {
        self.entry(index).map(|e| (e.canonical.as_str(), e.label))
    }

    /// Whole-word matches in `text`, in order, not overlapping.
    pub(crate) fn find(&self, text: &str) -> Vec<GazMatch> {
        self.automaton
            .find_iter(text)
            .filter(|m| is_word_boundary(text, m.start(), m.end()))
            .filter_map(|m| {
                Some(GazMatch {
                    start: m.start(),
                    end: m.end(),
                    entry: *self.pattern_entry.get(m.pattern().as_usize())?,
                })
            })
            .collect()
    }
}

/// A match is a whole word when no letter or digit touches it on either side (hyphens and
/// apostrophes may: "Russia-dominated", "Moscow's").
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaz() -> Gazetteer {
        let e = |c: &str, l, forms: &[&str]| GazetteerEntry {
            canonical: c.into(),
            label: l,
            forms: std::iter::once(c)
                .chain(forms.iter().copied())
                .map(String::from)
                .collect(),
        };
        Gazetteer::new(vec![
            e("United States", Label::Gpe, &["US", "U.S."]),
            e("India", Label::Gpe, &[]),
            e("Ho Chi Minh", Label::Person, &[]),
            e("Ho Chi Minh City", Label::Gpe, &[]),
        ])
        .unwrap()
    }

    #[test]
    fn longest_whole_word_matches() {
        let g = gaz();
        let text = "Indiana, the US’s India; Ho Chi Minh City and Ho Chi Minh's tomb; USA";
        let found: Vec<(&str, &str)> = g
            .find(text)
            .iter()
            .map(|m| (&text[m.start..m.end], g.describe(m.entry).unwrap().0))
            .collect();
        assert_eq!(
            found,
            [
                ("US", "United States"),
                ("India", "India"),
                ("Ho Chi Minh City", "Ho Chi Minh City"),
                ("Ho Chi Minh", "Ho Chi Minh"),
            ]
        );
    }
}
