//! One tagged stretch of text, before aliases are folded and mentions counted.

use crate::label::Label;

/// Where a mention's label comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A gazetteer form (the entry's index).
    Gazetteer(usize),
    /// A head word ("Institute", "Sea", "Act") classified the name.
    Head,
    /// Words around the name: "in Eldoret" (a place), "Foxconn chairman" (an organisation).
    Cue,
    /// A person cue: a title, a given name, "X said", "according to X".
    Person,
    /// An all-capitals word such as "CAATSA": an organisation unless defined otherwise.
    Acronym,
    /// A lone capitalised word with no cue: kept only if it folds into a known name.
    Tentative,
}

/// A candidate entity mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mention {
    /// Byte offset of the first character in the tagged text.
    pub(crate) start: usize,
    /// Byte offset after the mention (a possessive is not part of it).
    pub(crate) end: usize,
    /// Byte offset after the possessive, when there is one (else `end`).
    pub(crate) after: usize,
    /// Label proposed by the rule or entry that found it.
    pub(crate) label: Label,
    /// What found it.
    pub(crate) source: Source,
    /// Number of words.
    pub(crate) words: usize,
}
