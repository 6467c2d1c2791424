//! The part of a capitalised run that no head word classifies: gazetteer forms where they
//! match, the remaining words classified by the words around them (person, place or
//! organisation cues) or left tentative.

use super::{Covered, HARD_CONNECTORS, Scanner};
use crate::context;
use crate::label::Label;
use crate::mention::Source;

impl Scanner<'_> {
    /// A stretch without a head: gazetteer forms where they match, the rest classified by
    /// cues. Connectors split it ("Russia and China"); name particles do not ("bin", "da").
    pub(super) fn headless(&mut self, start: usize, end: usize, person_hint: bool) {
        let covered = self.covered(start, end);
        let mut k = start;
        let mut gap_start = start;
        while k < end {
            if HARD_CONNECTORS.contains(&self.word(k)) {
                self.unknown(gap_start, k, person_hint && gap_start == start);
                k += 1;
                gap_start = k;
                continue;
            }
            match self.gaz_at[k] {
                Some((e, entry))
                    if e <= end
                        && !self.given_name_first(k, e, end)
                        && !self.glued_nationality(k, e, start, end, entry, &covered) =>
                {
                    self.unknown(gap_start, k, person_hint && gap_start == start);
                    self.push_gaz(k, e, entry);
                    k = e;
                    gap_start = k;
                }
                _ => k += 1,
            }
        }
        self.unknown(gap_start, end, person_hint && gap_start == start);
    }

    /// A one-word gazetteer match that is also a given name, followed by an unknown
    /// capitalised word: a person ("Christian Bruch"), not a nationality or religion.
    fn given_name_first(&self, k: usize, e: usize, end: usize) -> bool {
        e == k + 1
            && e < end
            && self.lex.given_names.contains(self.word(k))
            && self.gaz_at[e].is_none()
            && self.is_cap(e)
    }

    /// A nationality glued to an unknown capitalised word of the same stretch belongs to a
    /// name ("Anglo American"), unless that word is a given name ("Russian Sergei Lavrov").
    fn glued_nationality(
        &self,
        k: usize,
        e: usize,
        start: usize,
        end: usize,
        entry: usize,
        covered: &Covered,
    ) -> bool {
        let unknown_word = |i: usize| {
            !covered.at(i - start)
                && !HARD_CONNECTORS.contains(&self.word(i))
                && !self.lex.is_stopword(self.word(i))
                && !self.lex.given_names.contains(self.word(i))
                && !context::is_acronym(self.word(i))
        };
        !self.title_case
            && self.entry_label(entry) == Some(Label::Norp)
            && ((k > start && unknown_word(k - 1)) || (e < end && unknown_word(e)))
    }

    /// Capitalised words no gazetteer knows, classified by the words around them.
    fn unknown(&mut self, mut start: usize, end: usize, person_hint: bool) {
        while start < end && self.strippable(start) {
            start += 1;
        }
        if start >= end || (start..end).all(|k| self.lex.is_stopword(self.word(k))) {
            return;
        }
        let around = self.surroundings(start, end);
        let found = if end - start == 1 {
            self.lone_word(start, &around, person_hint)
        } else {
            self.unknown_name(start, end, &around, person_hint)
        };
        if let Some((label, source)) = found {
            self.push(start, end, label, source);
        }
    }

    fn surroundings(&self, start: usize, end: usize) -> Surroundings<'_> {
        let first = self.word(start);
        let glued_before = start > 0 && self.tokens[start].linked() && self.is_cap(start - 1);
        let glued_after = self.tokens.get(end).is_some_and(|t| t.linked()) && self.is_cap(end);
        Surroundings {
            before: self.text.get(..self.tokens[start].start).unwrap_or(""),
            rest: self.text.get(self.tokens[end - 1].after..).unwrap_or(""),
            given: self.lex.given_names.contains(first) || self.lex.family_first.contains(first),
            initial: self.tokens[start].sentence_start,
            standalone: !glued_before && !glued_after,
        }
    }

    /// One unknown word: an acronym, a cued person, organisation or place, else tentative.
    fn lone_word(
        &self,
        k: usize,
        around: &Surroundings<'_>,
        person_hint: bool,
    ) -> Option<(Label, Source)> {
        let word = self.word(k);
        let after_number = k > 0
            && self.tokens[k].linked()
            && self.word(k - 1).chars().all(|c| c.is_ascii_digit());
        if context::is_acronym(word) {
            // "737 MAX" is a model, not an organisation.
            return (!after_number).then_some((Label::Org, Source::Acronym));
        }
        let cued_person = person_hint || (!around.initial && context::person_before(around.before));
        let cued_org = context::org_after(around.rest)
            || context::org_before(around.before)
            || (!around.initial && context::org_shaped(word));
        let cued_place = !around.initial
            && !around.given
            && around.standalone
            && context::place_before(around.before).is_some();
        Some(if cued_person {
            (Label::Person, Source::Person)
        } else if cued_org {
            (Label::Org, Source::Cue)
        } else if cued_place {
            (Label::Gpe, Source::Cue)
        } else {
            (Label::Person, Source::Tentative)
        })
    }

    /// Several unknown words: an organisation, place or person when cued, else nothing.
    fn unknown_name(
        &self,
        start: usize,
        end: usize,
        around: &Surroundings<'_>,
        person_hint: bool,
    ) -> Option<(Label, Source)> {
        let name_like =
            end - start <= 5 && (start..end).all(|k| self.word(k).chars().all(char::is_alphabetic));
        if !name_like {
            return None;
        }
        let of_place = self.word(end) == "of"
            && self
                .gaz_at
                .get(end + 1)
                .copied()
                .flatten()
                .and_then(|(_, e)| self.entry_label(e))
                == Some(Label::Gpe);
        let plain_words = !(start..end).any(|k| self.lex.is_stopword(self.word(k)));
        if context::org_after(around.rest) || context::org_before(around.before) {
            Some((Label::Org, Source::Cue))
        } else if !around.given
            && !person_hint
            && around.standalone
            && context::place_before(around.before).is_some_and(|n| end - start <= n)
        {
            Some((Label::Gpe, Source::Cue))
        } else if person_hint
            || around.given
            || context::person_before(around.before)
            || ((of_place || context::person_after(around.rest)) && plain_words)
        {
            Some((Label::Person, Source::Person))
        } else {
            None
        }
    }
}

/// The text around a stretch of unknown words.
#[derive(Debug)]
struct Surroundings<'t> {
    /// Everything before it.
    before: &'t str,
    /// Everything after it (after a possessive).
    rest: &'t str,
    /// It starts with a given name or a surname-first family name.
    given: bool,
    /// It opens a sentence.
    initial: bool,
    /// No capitalised word is glued to it on either side.
    standalone: bool,
}
