//! The part of a capitalised run that no head word classifies: gazetteer forms where they
//! match, the remaining words classified by the words around them (person, place or
//! organisation cues) or left tentative.

use super::{HARD_CONNECTORS, Scanner};
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
        covered: &[bool],
    ) -> bool {
        let unknown_word = |i: usize| {
            !covered.get(i - start).copied().unwrap_or(true)
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
        let first = self.word(start);
        let before = self.text.get(..self.tokens[start].start).unwrap_or("");
        let rest = self.text.get(self.tokens[end - 1].after..).unwrap_or("");
        let given = self.lex.given_names.contains(first) || self.lex.family_first.contains(first);
        let initial = self.tokens[start].sentence_start;
        let glued_before = start > 0 && self.tokens[start].linked() && self.is_cap(start - 1);
        let glued_after = self.tokens.get(end).is_some_and(|t| t.linked()) && self.is_cap(end);
        let standalone = !glued_before && !glued_after;
        if end - start == 1 {
            let after_number = start > 0
                && self.tokens[start].linked()
                && self.word(start - 1).chars().all(|c| c.is_ascii_digit());
            let label = if context::is_acronym(first) {
                // "737 MAX" is a model, not an organisation.
                (!after_number).then_some((Label::Org, Source::Acronym))
            } else if person_hint || (!initial && context::person_before(before)) {
                Some((Label::Person, Source::Person))
            } else if context::org_after(rest)
                || context::org_before(before)
                || (!initial && context::org_shaped(first))
            {
                Some((Label::Org, Source::Cue))
            } else if !initial && !given && standalone && context::place_before(before).is_some() {
                Some((Label::Gpe, Source::Cue))
            } else {
                Some((Label::Person, Source::Tentative))
            };
            if let Some((label, source)) = label {
                self.push(start, end, label, source);
            }
            return;
        }
        let name_like =
            end - start <= 5 && (start..end).all(|k| self.word(k).chars().all(char::is_alphabetic));
        if !name_like {
            return;
        }
        let of_place = self.word(end) == "of"
            && self
                .gaz_at
                .get(end + 1)
                .copied()
                .flatten()
                .and_then(|(_, e)| self.entry_label(e))
                == Some(Label::Gpe);
        if context::org_after(rest) || context::org_before(before) {
            self.push(start, end, Label::Org, Source::Cue);
        } else if !given
            && !person_hint
            && standalone
            && context::place_before(before).is_some_and(|n| end - start <= n)
        {
            self.push(start, end, Label::Gpe, Source::Cue);
        } else if person_hint
            || given
            || context::person_before(before)
            || ((of_place || context::person_after(rest))
                && !(start..end).any(|k| self.lex.is_stopword(self.word(k))))
        {
            self.push(start, end, Label::Person, Source::Person);
        }
    }
}
