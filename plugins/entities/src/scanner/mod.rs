//! Finds mentions in one text: capitalised runs of words, cut at titles and possessives,
//! classified by gazetteer forms, head words and person cues.
//!
//! Every token is visited a bounded number of times (runs are short and never overlap), so a
//! text costs time linear in its length.

use crate::gazetteer::{GazMatch, Gazetteer};
use crate::label::Label;
use crate::lexicon::Lexicon;
use crate::mention::{Mention, Source};
use crate::tokens::Token;

mod unknown;

/// Lower-case words that may join the capitalised words of one name.
const CONNECTORS: [&str; 20] = [
    "of", "for", "the", "and", "on", "de", "del", "da", "do", "dos", "das", "du", "des", "von",
    "van", "der", "den", "al", "bin", "la",
];

/// Longest run of words considered as one name candidate; longer runs (a line in capitals,
/// a list of names) are cut, which keeps the work per run constant.
const MAX_RUN_TOKENS: usize = 16;

/// Connectors that separate names in a stretch without a head; the others in [`CONNECTORS`]
/// are particles inside personal names ("bin", "da", "von").
const HARD_CONNECTORS: [&str; 5] = ["of", "for", "and", "the", "on"];

/// Words before a name that are never part of it.
const DETERMINERS: [&str; 14] = [
    "The", "A", "An", "This", "That", "These", "Those", "Its", "His", "Her", "Their", "Our",
    "Your", "My",
];

/// Heads of government bodies, whose nationality is not part of the name ("Vietnamese
/// Ministry of Finance"), unlike other names ("Indonesian Forum for the Environment").
const GOVERNMENT_HEADS: [&str; 5] = ["Ministry", "Department", "Office", "Bureau", "Secretariat"];

/// Heads that name nothing after a known name alone ("Biden Administration").
const GENERIC_HEADS: [&str; 2] = ["Administration", "Government"];

/// Connectors after which a head word opens an "X of Y" name.
const OF_WORDS: [&str; 3] = ["of", "for", "on"];

/// Scans one text; results accumulate in `mentions` up to `limit`.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    lex: &'a Lexicon,
    gaz: &'a Gazetteer,
    text: &'a str,
    tokens: &'a [Token],
    /// For each token: the gazetteer match starting there (end token, entry).
    gaz_at: &'a [Option<(usize, usize)>],
    limit: usize,
    /// The text is a headline in Title Case, where capitals say little.
    title_case: bool,
    /// Mentions found so far, in text order.
    pub(crate) mentions: Vec<Mention>,
}

impl<'a> Scanner<'a> {
    /// Prepares a scan of `text` (already tokenized) with its gazetteer matches, as [`align`]
    /// put them on the tokens; `title_case` marks a headline.
    pub(crate) fn new(
        lex: &'a Lexicon,
        gaz: &'a Gazetteer,
        text: &'a str,
        tokens: &'a [Token],
        gaz_at: &'a [Option<(usize, usize)>],
        limit: usize,
        title_case: bool,
    ) -> Self {
        Scanner {
            lex,
            gaz,
            text,
            tokens,
            gaz_at,
            limit,
            title_case,
            mentions: Vec::new(),
        }
    }

    fn word(&self, i: usize) -> &'a str {
        self.tokens.get(i).map_or("", |t| t.text(self.text))
    }

    fn is_cap(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.capitalised)
    }

    fn is_connector(&self, i: usize) -> bool {
        CONNECTORS.contains(&self.word(i))
    }

    fn is_function(&self, i: usize) -> bool {
        self.lex.function_words.contains(self.word(i))
    }

    /// Runs the scan over every token.
    pub(crate) fn run(mut self) -> Vec<Mention> {
        let mut i = 0;
        while i < self.tokens.len() && self.mentions.len() < self.limit {
            if !self.is_cap(i) {
                i += 1;
                continue;
            }
            let end = self.run_end(i);
            self.run_of_names(i, end);
            i = end.max(i + 1);
        }
        self.mentions
    }

    /// End (exclusive) of the capitalised run starting at `start`, extended over any
    /// gazetteer form that starts inside it ("Washington, D.C."). "the" joins only after
    /// "of", "for" or "on", and "on" only before "the" ("Convention on the Law of the Sea",
    /// but not "Olympics on Saturday").
    fn run_end(&self, start: usize) -> usize {
        let mut last_cap = start;
        let mut j = start + 1;
        while j < self.tokens.len() && self.tokens[j].linked() && j - start < MAX_RUN_TOKENS {
            let prev_possessive = self.tokens[j - 1].possessive;
            if self.is_cap(j) {
                last_cap = j;
            } else if !(self.is_connector(j) && self.tokens[j].spaced && !prev_possessive)
                || (self.word(j) == "the" && !matches!(self.word(j - 1), "of" | "for" | "on"))
                || (self.word(j) == "on" && self.word(j + 1) != "the")
            {
                break;
            }
            j += 1;
        }
        let mut end = last_cap + 1;
        let mut k = start;
        while k < end {
            if let Some((gaz_end, _)) = self.gaz_at[k] {
                end = end.max(gaz_end);
            }
            k += 1;
        }
        end
    }

    /// Every token of `start..end` is covered by the gazetteer matches met walking from
    /// `start` (what `covered(start, end)` would say of all of them, without the vector).
    fn all_covered(&self, start: usize, end: usize) -> bool {
        let mut k = start;
        while k < end {
            match self.gaz_at[k] {
                Some((e, _)) => k = e.max(k + 1),
                None => return false,
            }
        }
        true
    }

    /// Which tokens of `start..end` the gazetteer matches met walking from `start` cover.
    fn covered(&self, start: usize, end: usize) -> Covered {
        let mut covered = Covered::new(end - start);
        let mut k = start;
        while k < end {
            match self.gaz_at[k] {
                Some((e, _)) => {
                    covered.set(k - start..e.min(end) - start);
                    k = e.max(k + 1);
                }
                None => k += 1,
            }
        }
        covered
    }

    /// Splits a run at titles ("Foreign Minister") and classifies what is between them.
    fn run_of_names(&mut self, start: usize, end: usize) {
        if let Some((e, entry)) = self.gaz_at[start] {
            if e == end {
                self.push_gaz(start, e, entry);
                return;
            }
        }
        let covered = self.covered(start, end);
        let mut segment_start = start;
        let mut after_title = false;
        let mut k = start;
        while k < end {
            match self.title_at(k, end, &covered, k - start) {
                Some(title_end) => {
                    self.segment(segment_start, k, after_title);
                    segment_start = title_end;
                    after_title = true;
                    k = title_end;
                }
                None => k += 1,
            }
        }
        self.segment(segment_start, end, after_title);
    }

    /// End of a title starting at `k` ("Prime Minister", "Mr"), if one starts there and is
    /// followed by a name (or ends the run).
    /// `covered` is that of the run, token `k` at index `offset` in it.
    fn title_at(&self, k: usize, end: usize, covered: &Covered, offset: usize) -> Option<usize> {
        if k > 0 && OF_WORDS.contains(&self.word(k - 1)) {
            return None;
        }
        let mut m = k;
        let mut last_core = None;
        while m < end && !covered.at(offset + m - k) {
            let w = self.word(m);
            if self.lex.titles.contains(w) {
                last_core = Some(m);
            } else if !self.lex.title_modifiers.contains(w) {
                break;
            }
            m += 1;
        }
        let mut title_end = last_core? + 1;
        if self.word(title_end) == "of" && self.word(title_end + 1) == "State" {
            title_end += 2;
        }
        let next = self.word(title_end);
        let name_follows = title_end < end
            && ((self.is_cap(title_end)
                && !self.lex.heads.contains_key(next)
                && !self.lex.titles.contains(next))
                || OF_WORDS.contains(&next));
        (title_end >= end || name_follows).then_some(title_end)
    }

    /// A leading word that is not part of a name: a determiner anywhere, any function word
    /// at the start of a sentence ("However", but not "Fifth" in "the Fifth Circuit").
    fn strippable(&self, i: usize) -> bool {
        DETERMINERS.contains(&self.word(i))
            || (self.is_function(i) && self.tokens.get(i).is_some_and(|t| t.sentence_start))
    }

    /// Some gazetteer match inside `start..` ends exactly at token `at`.
    fn gaz_ends_at(&self, start: usize, at: usize) -> Option<usize> {
        let mut k = start;
        while k < at {
            match self.gaz_at[k] {
                Some((e, entry)) if e == at => return Some(entry),
                Some((e, _)) => k = e.max(k + 1),
                None => k += 1,
            }
        }
        None
    }

    fn entry_label(&self, entry: usize) -> Option<Label> {
        self.gaz.describe(entry).map(|(_, l)| l)
    }

    /// Classifies one stretch of a run between titles.
    fn segment(&mut self, mut start: usize, mut end: usize, person_hint: bool) {
        while start < end
            && (self.is_connector(start) || self.strippable(start))
            && self.gaz_at[start].is_none()
        {
            start += 1;
        }
        while end > start && self.is_connector(end - 1) {
            end -= 1;
        }
        if start >= end {
            return;
        }
        if let Some((e, entry)) = self.gaz_at[start] {
            if e == end {
                self.push_gaz(start, e, entry);
                return;
            }
        }
        let last_head = self.lex.heads.get(self.word(end - 1)).copied();
        // "Russia and China" are two names; "Ministry of Mines and Energy" and "Electoral and
        // Boundaries Commission" are one.
        if let Some(a) = (start + 1..end - 1).find(|&a| self.word(a) == "and") {
            let left_complete = self.gaz_ends_at(start, a).is_some()
                || self.lex.heads.contains_key(self.word(a - 1));
            if self.of_head(start, a).is_none() && (last_head.is_none() || left_complete) {
                self.segment(start, a, person_hint);
                self.segment(a + 1, end, false);
                return;
            }
        }
        if let Some(p) = (start..end - 1).find(|&p| self.tokens[p].possessive) {
            if last_head.is_none_or(|h| h.label != Label::Law) {
                let owner_is_place = self
                    .gaz_ends_at(start, p + 1)
                    .and_then(|entry| self.entry_label(entry))
                    == Some(Label::Gpe);
                self.segment(start, p + 1, person_hint);
                self.segment(p + 1, end, owner_is_place);
                return;
            }
        }
        if self.all_covered(start, end) {
            // "Paris Olympics": a place before an event is part of the event's name.
            if self
                .gaz_ends_at(start, end)
                .and_then(|e| self.entry_label(e))
                == Some(Label::Event)
            {
                self.push(start, end, Label::Event, Source::Head);
            } else {
                self.headless(start, end, person_hint);
            }
            return;
        }
        if let Some((h, label)) = self.of_head(start, end) {
            // "David Ezra of the US District Court for ...": the name starts after the last
            // connector before its head.
            let name_start = (start..h)
                .rev()
                .find(|&k| self.is_connector(k))
                .map_or(start, |c| c + 1);
            if name_start > start {
                self.headless(start, name_start, person_hint);
            }
            if GOVERNMENT_HEADS.contains(&self.word(h)) && self.prefix_is_people(name_start, h) {
                self.headless(name_start, h, false);
                self.push(h, end, label, Source::Head);
            } else {
                self.push(name_start, end, label, Source::Head);
            }
            return;
        }
        // "U.S. Administration" is the United States' administration, not a name.
        let generic =
            GENERIC_HEADS.contains(&self.word(end - 1)) && self.all_covered(start, end - 1);
        if let Some(head) = last_head.filter(|h| h.last && end - start >= 2 && !generic) {
            self.push(start, end, head.label, Source::Head);
            return;
        }
        self.headless(start, end, person_hint);
    }

    /// The first head word in `start..end` that opens an "X of Y" name ("Ministry of").
    /// A person after "of" is not part of the name ("Republican Party of Jose Antonio Kast").
    /// Returns the head's position and label.
    fn of_head(&self, start: usize, end: usize) -> Option<(usize, Label)> {
        (start..end.saturating_sub(2)).find_map(|h| {
            let head = self.lex.heads.get(self.word(h)).filter(|head| head.of)?;
            let object = if self.word(h + 2) == "the" {
                h + 3
            } else {
                h + 2
            };
            let object_label = self.gaz_at.get(object).copied().flatten();
            let object_is_person = self.lex.given_names.contains(self.word(object))
                || object_label.and_then(|(_, e)| self.entry_label(e)) == Some(Label::Person);
            (OF_WORDS.contains(&self.word(h + 1)) && !object_is_person).then_some((h, head.label))
        })
    }

    /// Tokens `start..end` are all gazetteer nationalities ("Vietnamese" in "Vietnamese
    /// Ministry of Finance"), so they are not part of the head's name. A place stays in it
    /// ("US District Court for ...").
    fn prefix_is_people(&self, start: usize, end: usize) -> bool {
        let mut k = start;
        while k < end {
            let Some((e, entry)) = self.gaz_at[k] else {
                return false;
            };
            if self.entry_label(entry) != Some(Label::Norp) || e > end {
                return false;
            }
            k = e;
        }
        true
    }

    fn push_gaz(&mut self, start: usize, end: usize, entry: usize) {
        if let Some((_, label)) = self.gaz.describe(entry) {
            self.push(start, end, label, Source::Gazetteer(entry));
        }
    }

    fn push(&mut self, start: usize, end: usize, label: Label, source: Source) {
        if self.mentions.len() >= self.limit || start >= end {
            return;
        }
        let (first, last) = (self.tokens[start], self.tokens[end - 1]);
        self.mentions.push(Mention {
            start: first.start,
            end: last.end,
            after: last.after,
            label,
            source,
            words: end - start,
        });
    }
}

/// Maps each gazetteer match onto the tokens it covers exactly; matches that start or end
/// inside a word, or on a skipped line, are dropped. Both lists are in text order. `at` is a
/// buffer reused from text to text; it ends with one entry per token.
pub(crate) fn align(tokens: &[Token], matches: &[GazMatch], at: &mut Vec<Option<(usize, usize)>>) {
    at.clear();
    at.resize(tokens.len(), None);
    let mut t = 0;
    for m in matches {
        while t < tokens.len() && tokens[t].start < m.start {
            t += 1;
        }
        if t == tokens.len() {
            break;
        }
        if tokens[t].start != m.start {
            continue;
        }
        let mut e = t;
        while e < tokens.len() && tokens[e].end < m.end {
            e += 1;
        }
        if e < tokens.len() && tokens[e].end == m.end {
            at[t] = Some((e + 1, m.entry));
        }
    }
}

/// Which tokens of a run are covered by gazetteer matches: bit `i` for token `start + i` of
/// a run of at most 128 tokens (every run in practice), a vector for a longer one.
#[derive(Debug)]
pub(crate) enum Covered {
    /// Bit `i` is set when token `i` of the run is covered, and for every `i` past the run.
    Bits(u128),
    /// One flag per token of a long run.
    Long(Vec<bool>),
}

impl Covered {
    /// Nothing covered yet, for a run of `len` tokens.
    fn new(len: usize) -> Covered {
        if len <= 128 {
            // Tokens past the run count as covered.
            Covered::Bits(u128::MAX.checked_shl(len as u32).unwrap_or(0))
        } else {
            Covered::Long(vec![false; len])
        }
    }

    /// Marks the tokens at `range` (indices within the run, inside it) as covered.
    fn set(&mut self, range: std::ops::Range<usize>) {
        match self {
            Covered::Bits(bits) => {
                for i in range {
                    *bits |= 1 << i;
                }
            }
            Covered::Long(flags) => {
                for flag in flags.get_mut(range).unwrap_or_default() {
                    *flag = true;
                }
            }
        }
    }

    /// Token `i` of the run is covered; an index past the run counts as covered.
    pub(crate) fn at(&self, i: usize) -> bool {
        match self {
            Covered::Bits(bits) => i >= 128 || bits >> i & 1 == 1,
            Covered::Long(flags) => flags.get(i).copied().unwrap_or(true),
        }
    }
}
