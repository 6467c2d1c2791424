//! The curated data shipped in `data/`: parsed once, at plugin creation, into lookup tables.
//!
//! Gazetteer files are TSV (`canonical<TAB>label<TAB>alias|alias`), word lists are
//! whitespace-separated words; `#` starts a comment line. Everything is embedded with
//! `include_str!`, so nothing is read from disk or downloaded at run time.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::label::Label;

/// A malformed line in one of the embedded data files.
#[derive(Debug, thiserror::Error)]
#[error("data/{file} line {line}: {message}")]
pub struct DataError {
    /// File name under `data/`.
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One gazetteer entry: the canonical name, its label and every surface form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GazetteerEntry {
    /// Canonical name reported in the output.
    pub(crate) canonical: String,
    /// OntoNotes label.
    pub(crate) label: Label,
    /// Surface forms, the canonical name first.
    pub(crate) forms: Vec<String>,
}

/// How a head word classifies a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    /// Label of a name headed by the word.
    pub(crate) label: Label,
    /// The name may end with the word ("Yusof Ishak Institute").
    pub(crate) last: bool,
    /// The word may open an "X of Y" name ("Ministry of Finance").
    pub(crate) of: bool,
}

/// Embedded gazetteer files, in priority order (an earlier file wins a duplicate form).
const GAZETTEERS: [(&str, &str); 7] = [
    ("people.tsv", include_str!("../data/people.tsv")),
    (
        "organisations.tsv",
        include_str!("../data/organisations.tsv"),
    ),
    ("news.tsv", include_str!("../data/news.tsv")),
    ("countries.tsv", include_str!("../data/countries.tsv")),
    ("cities.tsv", include_str!("../data/cities.tsv")),
    ("regions.tsv", include_str!("../data/regions.tsv")),
    ("demonyms.tsv", include_str!("../data/demonyms.tsv")),
];

/// All word lists and gazetteer entries.
#[derive(Debug)]
pub(crate) struct Lexicon {
    /// Gazetteer entries from every file.
    pub(crate) entries: Vec<GazetteerEntry>,
    /// Given names: a capitalised sequence starting with one is a person.
    pub(crate) given_names: HashSet<&'static str>,
    /// Family names written first (Vietnamese, Chinese, Korean).
    pub(crate) family_first: HashSet<&'static str>,
    /// Core titles ("Minister", "Mr").
    pub(crate) titles: HashSet<&'static str>,
    /// Words that may precede a core title ("Foreign", "Prime").
    pub(crate) title_modifiers: HashSet<&'static str>,
    /// Head words and what they make of a name.
    pub(crate) heads: HashMap<&'static str, Head>,
    /// Function words: stripped from the start of a name, never a name alone.
    pub(crate) function_words: HashSet<&'static str>,
    /// Common capitalised words: never a name alone, nor a name made only of them.
    pub(crate) common_words: HashSet<&'static str>,
}

impl Lexicon {
    /// Parses every embedded file.
    pub(crate) fn load() -> Result<Lexicon, DataError> {
        let mut entries = Vec::new();
        for (file, text) in GAZETTEERS {
            entries.extend(parse_gazetteer(file, text)?);
        }
        let (titles, title_modifiers) =
            split_words(include_str!("../data/titles.txt"), "--modifiers--");
        let (function_words, common_words) =
            split_words(include_str!("../data/stopwords.txt"), "--common--");
        Ok(Lexicon {
            entries,
            given_names: words(include_str!("../data/given_names.txt")).collect(),
            family_first: words(include_str!("../data/family_first.txt")).collect(),
            titles,
            title_modifiers,
            heads: parse_heads(include_str!("../data/heads.tsv"))?,
            function_words,
            common_words,
        })
    }

    /// True for a word that is not a name on its own (function or common word).
    pub(crate) fn is_stopword(&self, word: &str) -> bool {
        self.function_words.contains(word) || self.common_words.contains(word)
    }
}

/// Non-comment lines with their 1-based numbers.
fn lines(text: &'static str) -> impl Iterator<Item = (usize, &'static str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Whitespace-separated words of a word list, comments skipped.
fn words(text: &'static str) -> impl Iterator<Item = &'static str> {
    lines(text).flat_map(|(_, l)| l.split_whitespace())
}

/// Words before and after a separator line (a line holding only `separator`).
fn split_words(
    text: &'static str,
    separator: &str,
) -> (HashSet<&'static str>, HashSet<&'static str>) {
    let mut before = HashSet::default();
    let mut after = HashSet::default();
    let mut seen = false;
    for (_, line) in lines(text) {
        if line.trim() == separator {
            seen = true;
            continue;
        }
        let set = if seen { &mut after } else { &mut before };
        set.extend(line.split_whitespace());
    }
    (before, after)
}

fn parse_label(file: &'static str, line: usize, raw: &str) -> Result<Label, DataError> {
    raw.parse().map_err(|_| DataError {
        file,
        line,
        message: format!("unknown label {raw:?}"),
    })
}

fn parse_gazetteer(
    file: &'static str,
    text: &'static str,
) -> Result<Vec<GazetteerEntry>, DataError> {
    lines(text)
        .map(|(line, l)| {
            let mut cols = l.split('\t');
            let canonical = cols.next().unwrap_or_default().trim();
            let label = parse_label(file, line, cols.next().unwrap_or_default().trim())?;
            if canonical.is_empty() {
                return Err(DataError {
                    file,
                    line,
                    message: "empty canonical name".into(),
                });
            }
            let mut forms = vec![canonical.to_owned()];
            forms.extend(
                cols.next()
                    .unwrap_or_default()
                    .split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
            );
            Ok(GazetteerEntry {
                canonical: canonical.to_owned(),
                label,
                forms,
            })
        })
        .collect()
}

fn parse_heads(text: &'static str) -> Result<HashMap<&'static str, Head>, DataError> {
    const FILE: &str = "heads.tsv";
    lines(text)
        .map(|(line, l)| {
            let cols: Vec<&'static str> = l.split('\t').map(str::trim).collect();
            let [word, label, place] = cols[..] else {
                return Err(DataError {
                    file: FILE,
                    line,
                    message: "expected word<TAB>label<TAB>last|of|both".into(),
                });
            };
            let label = parse_label(FILE, line, label)?;
            let (last, of) = match place {
                "last" => (true, false),
                "of" => (false, true),
                "both" => (true, true),
                other => {
                    return Err(DataError {
                        file: FILE,
                        line,
                        message: format!("unknown head place {other:?}"),
                    });
                }
            };
            Ok((word, Head { label, last, of }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        let lex = Lexicon::load().unwrap();
        assert!(lex.entries.len() > 500, "{}", lex.entries.len());
        assert!(lex.given_names.contains("Joe"));
        assert!(lex.titles.contains("Minister"));
        assert!(lex.title_modifiers.contains("Foreign"));
        assert!(!lex.titles.contains("Foreign"));
        assert!(lex.function_words.contains("However"));
        assert!(lex.common_words.contains("Click"));
        assert_eq!(lex.heads["Ministry"].label, Label::Org);
        assert!(lex.heads["Ministry"].of);
        let us = lex
            .entries
            .iter()
            .find(|e| e.canonical == "United States")
            .unwrap();
        assert!(us.forms.iter().any(|f| f == "U.S."));
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let err = parse_gazetteer("x.tsv", "# c\nParis\tCITY\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("CITY"), "{err}");
        assert!(parse_heads("Act\tLAW\tsomewhere\n").is_err());
    }
}
