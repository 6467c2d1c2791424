//! Document-level alias tables: acronyms defined in parentheses, short names of companies
//! and surnames of people named in full, each built in one pass over the mentions.

use std::collections::{HashMap, HashSet};

use crate::context;
use crate::label::Label;
use crate::lexicon::Lexicon;
use crate::mention::{Mention, Source};
use crate::resolve::{Tagged, surface};

/// Every alias table of one document.
#[derive(Debug, Default)]
pub(crate) struct Aliases {
    /// Acronym -> the name (and label) that defined it.
    acronyms: HashMap<String, (String, Label)>,
    /// Acronyms whose defining name was not an entity.
    rejected: HashSet<String>,
    /// Uses of each acronym mention.
    acronym_uses: HashMap<String, usize>,
    surnames: Surnames,
    /// Short company name -> full name.
    companies: HashMap<String, String>,
}

impl Aliases {
    /// Builds the tables from every mention of the document.
    pub(crate) fn build(
        lex: &Lexicon,
        texts: &[Tagged<'_>],
        canonical_of: &impl Fn(&str, &Mention) -> String,
    ) -> Aliases {
        let (mut acronyms, rejected) = acronym_definitions(texts, canonical_of);
        for (initials, name) in initials(texts, canonical_of) {
            acronyms.entry(initials).or_insert(name);
        }
        let mut acronym_uses: HashMap<String, usize> = HashMap::new();
        for tagged in texts {
            let acronyms = tagged
                .mentions
                .iter()
                .filter(|m| m.source == Source::Acronym);
            for m in acronyms {
                *acronym_uses.entry(surface(tagged.text, m)).or_default() += 1;
            }
        }
        Aliases {
            acronyms,
            rejected,
            acronym_uses,
            surnames: surnames(lex, texts, canonical_of),
            companies: company_short_names(texts, canonical_of),
        }
    }

    /// The canonical name and label a mention folds into, or `None` when it is dropped
    /// (a tentative word that folds into nothing, an acronym used once and never defined).
    pub(crate) fn fold(&self, m: &Mention, canonical: String) -> Option<(String, Label)> {
        let strong = matches!(m.source, Source::Gazetteer(_) | Source::Head);
        if let Some(full) = self.companies.get(&canonical).filter(|_| !strong) {
            return Some((full.clone(), Label::Org));
        }
        match m.source {
            Source::Gazetteer(_) | Source::Head | Source::Cue => Some((canonical, m.label)),
            Source::Acronym => match self.acronyms.get(&canonical) {
                Some(def) => Some(def.clone()),
                None if self.rejected.contains(&canonical) => None,
                // An acronym nobody defined counts as an organisation only when it recurs.
                None if self.acronym_uses.get(&canonical).is_some_and(|&n| n >= 2) => {
                    Some((canonical, m.label))
                }
                None => None,
            },
            Source::Person | Source::Tentative => {
                match self.surnames.get(&canonical).cloned().flatten() {
                    Some(full) => Some((full, Label::Person)),
                    None if m.source == Source::Person => Some((canonical, m.label)),
                    None => self.acronyms.get(&canonical).cloned(),
                }
            }
        }
    }
}

/// Surname (or leading family name) -> the one full person name it stands for, `None` when
/// two people share it.
type Surnames = HashMap<String, Option<String>>;

/// Acronyms defined in the text ("Eurasian Economic Union (EAEU)") and acronyms whose
/// defining name was not an entity ("Foreign Direct Investment (FDI)").
fn acronym_definitions(
    texts: &[Tagged<'_>],
    canonical_of: &impl Fn(&str, &Mention) -> String,
) -> (HashMap<String, (String, Label)>, HashSet<String>) {
    let mut defined = HashMap::new();
    let mut rejected = HashSet::new();
    for tagged in texts {
        let ends: HashSet<usize> = tagged.mentions.iter().map(|m| m.after).collect();
        for m in tagged.mentions {
            let rest = tagged.text.get(m.after..).unwrap_or_default();
            if !matches!(m.source, Source::Tentative | Source::Acronym) {
                if let Some(acronym) = context::defined_acronym(rest) {
                    defined
                        .entry(acronym.to_owned())
                        .or_insert_with(|| (canonical_of(tagged.text, m), m.label));
                }
            }
            if m.source == Source::Acronym {
                let before = tagged.text.get(..m.start).unwrap_or_default().trim_end();
                if let Some(open) = before.strip_suffix('(') {
                    let name_end = open.trim_end().len();
                    let capitalised_before = open
                        .split_whitespace()
                        .next_back()
                        .and_then(|w| w.chars().next())
                        .is_some_and(char::is_uppercase);
                    if capitalised_before && !ends.contains(&name_end) {
                        rejected.insert(surface(tagged.text, m));
                    }
                }
            }
        }
    }
    (defined, rejected)
}

/// Initials of the multi-word names that are not people ("RSF" for "Rapid Support Forces"),
/// so that an acronym used without a definition folds into the name.
fn initials(
    texts: &[Tagged<'_>],
    canonical_of: &impl Fn(&str, &Mention) -> String,
) -> HashMap<String, (String, Label)> {
    let mut map = HashMap::new();
    for tagged in texts {
        for m in tagged.mentions {
            if m.words < 2 || m.label == Label::Person || m.source == Source::Tentative {
                continue;
            }
            let name = canonical_of(tagged.text, m);
            let initials: String = name
                .split([' ', '-'])
                .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
                .collect();
            if initials.chars().count() >= 2 {
                map.entry(initials).or_insert((name, m.label));
            }
        }
    }
    map
}

/// Legal-form and group words that a later mention may leave out ("BHP Group" -> "BHP").
const COMPANY_FORMS: [&str; 14] = [
    "Group",
    "AG",
    "SA",
    "SE",
    "NV",
    "GmbH",
    "plc",
    "PLC",
    "LLC",
    "Inc",
    "Ltd",
    "Corp",
    "Corporation",
    "Holdings",
];

/// Short names of the companies named in full: "BHP" for "BHP Group".
fn company_short_names(
    texts: &[Tagged<'_>],
    canonical_of: &impl Fn(&str, &Mention) -> String,
) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for tagged in texts {
        for m in tagged.mentions.iter().filter(|m| m.label == Label::Org) {
            let full = canonical_of(tagged.text, m);
            if let Some((short, form)) = full.rsplit_once(' ') {
                if COMPANY_FORMS.contains(&form) {
                    map.entry(short.to_owned()).or_insert(full);
                }
            }
        }
    }
    map
}

/// Surnames of the people named in full, for folding "Biden" and "Mr Finer".
fn surnames(
    lex: &Lexicon,
    texts: &[Tagged<'_>],
    canonical_of: &impl Fn(&str, &Mention) -> String,
) -> Surnames {
    let mut map: Surnames = HashMap::new();
    let mut add = |key: &str, full: &str| {
        let slot = map
            .entry(key.to_owned())
            .or_insert_with(|| Some(full.to_owned()));
        if slot.as_deref() != Some(full) {
            *slot = None;
        }
    };
    for tagged in texts {
        for m in tagged.mentions {
            let is_person_source = matches!(m.source, Source::Gazetteer(_) | Source::Person);
            if m.label != Label::Person || !is_person_source {
                continue;
            }
            let full = canonical_of(tagged.text, m);
            let words: Vec<&str> = full.split(' ').collect();
            if words.len() < 2 {
                continue;
            }
            if let Some(last) = words.last() {
                add(last, &full);
            }
            if lex.family_first.contains(words[0]) {
                add(words[0], &full);
            }
        }
    }
    map
}
