//! Document-level alias tables: acronyms defined in parentheses, short names of companies
//! and surnames of people named in full, each built in one pass over the mentions.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::context;
use crate::label::Label;
use crate::lexicon::Lexicon;
use crate::mention::{Mention, Source};
use crate::resolve::Tagged;

/// Every alias table of one document; names borrow from the texts and the gazetteer.
#[derive(Debug, Default)]
pub(crate) struct Aliases<'a> {
    /// Acronym (or initials) -> the name (and label) that defined it.
    acronyms: FxHashMap<Cow<'a, str>, (&'a str, Label)>,
    /// Acronyms whose defining name was not an entity.
    rejected: FxHashSet<&'a str>,
    /// Uses of each acronym mention.
    acronym_uses: FxHashMap<&'a str, usize>,
    surnames: Surnames<'a>,
    /// Short company name -> full name.
    companies: FxHashMap<&'a str, &'a str>,
}

/// The mentions of each text with their canonical names (`names[i][k]` is the canonical name
/// of `texts[i].mentions[k]`), computed once per document.
pub(crate) type Names<'a> = [Vec<Cow<'a, str>>];

/// Every mention of the document with its text and canonical name.
fn mentions<'a, 'n>(
    texts: &'n [Tagged<'a>],
    names: &'a Names<'a>,
) -> impl Iterator<Item = (&'n Tagged<'a>, &'a Mention, &'a str)> {
    texts.iter().zip(names).flat_map(|(tagged, names)| {
        tagged
            .mentions
            .iter()
            .zip(names)
            .map(move |(m, name)| (tagged, m, name.as_ref()))
    })
}

impl<'a> Aliases<'a> {
    /// Builds the tables from every mention of the document.
    pub(crate) fn build(lex: &Lexicon, texts: &[Tagged<'a>], names: &'a Names<'a>) -> Self {
        let (mut acronyms, rejected) = acronym_definitions(texts, names);
        for (initials, name) in initials(texts, names) {
            acronyms.entry(Cow::Owned(initials)).or_insert(name);
        }
        let mut acronym_uses: FxHashMap<&'a str, usize> = FxHashMap::default();
        for (_, m, name) in mentions(texts, names) {
            if m.source == Source::Acronym {
                *acronym_uses.entry(name).or_default() += 1;
            }
        }
        Aliases {
            acronyms,
            rejected,
            acronym_uses,
            surnames: surnames(lex, texts, names),
            companies: company_short_names(texts, names),
        }
    }

    /// The canonical name and label a mention folds into, or `None` when it is dropped
    /// (a tentative word that folds into nothing, an acronym used once and never defined).
    pub(crate) fn fold(&self, m: &Mention, canonical: &'a str) -> Option<(&'a str, Label)> {
        let strong = matches!(m.source, Source::Gazetteer(_) | Source::Head);
        if let Some(&full) = self.companies.get(canonical).filter(|_| !strong) {
            return Some((full, Label::Org));
        }
        match m.source {
            Source::Gazetteer(_) | Source::Head | Source::Cue => Some((canonical, m.label)),
            Source::Acronym => match self.acronyms.get(canonical) {
                Some(&def) => Some(def),
                None if self.rejected.contains(canonical) => None,
                // An acronym nobody defined counts as an organisation only when it recurs.
                None if self.acronym_uses.get(canonical).is_some_and(|&n| n >= 2) => {
                    Some((canonical, m.label))
                }
                None => None,
            },
            Source::Person | Source::Tentative => match self.surnames.get(canonical).copied() {
                Some(Some(full)) => Some((full, Label::Person)),
                _ if m.source == Source::Person => Some((canonical, m.label)),
                _ => self.acronyms.get(canonical).copied(),
            },
        }
    }
}

/// Surname (or leading family name) -> the one full person name it stands for, `None` when
/// two people share it.
type Surnames<'a> = FxHashMap<&'a str, Option<&'a str>>;

/// Acronyms defined in the text ("Eurasian Economic Union (EAEU)") and acronyms whose
/// defining name was not an entity ("Foreign Direct Investment (FDI)").
#[allow(clippy::type_complexity)]
fn acronym_definitions<'a>(
    texts: &[Tagged<'a>],
    names: &'a Names<'a>,
) -> (
    FxHashMap<Cow<'a, str>, (&'a str, Label)>,
    FxHashSet<&'a str>,
) {
    let mut defined = FxHashMap::default();
    let mut rejected = FxHashSet::default();
    for (tagged, names) in texts.iter().zip(names) {
        let mut ends: Option<FxHashSet<usize>> = None;
        for (m, name) in tagged.mentions.iter().zip(names) {
            let rest = tagged.text.get(m.after..).unwrap_or_default();
            if !matches!(m.source, Source::Tentative | Source::Acronym) {
                if let Some(acronym) = context::defined_acronym(rest) {
                    defined
                        .entry(Cow::Borrowed(acronym))
                        .or_insert((name.as_ref(), m.label));
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
                    let ends = ends
                        .get_or_insert_with(|| tagged.mentions.iter().map(|m| m.after).collect());
                    if capitalised_before && !ends.contains(&name_end) {
                        rejected.insert(name.as_ref());
                    }
                }
            }
        }
    }
    (defined, rejected)
}

/// Initials of the multi-word names that are not people ("RSF" for "Rapid Support Forces"),
/// so that an acronym used without a definition folds into the name.
fn initials<'a>(texts: &[Tagged<'a>], names: &'a Names<'a>) -> FxHashMap<String, (&'a str, Label)> {
    let mut map: FxHashMap<String, (&'a str, Label)> = FxHashMap::default();
    // Each name's initials are written here; only a new key is copied into the map.
    let mut initials = String::new();
    for (_, m, name) in mentions(texts, names) {
        if m.words < 2 || m.label == Label::Person || m.source == Source::Tentative {
            continue;
        }
        initials.clear();
        initials.extend(
            name.split([' ', '-'])
                .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase())),
        );
        if initials.chars().count() >= 2 && !map.contains_key(initials.as_str()) {
            map.insert(initials.clone(), (name, m.label));
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
fn company_short_names<'a>(
    texts: &[Tagged<'a>],
    names: &'a Names<'a>,
) -> FxHashMap<&'a str, &'a str> {
    let mut map = FxHashMap::default();
    for (_, m, full) in mentions(texts, names) {
        if m.label != Label::Org {
            continue;
        }
        if let Some((short, form)) = full.rsplit_once(' ') {
            if COMPANY_FORMS.contains(&form) {
                map.entry(short).or_insert(full);
            }
        }
    }
    map
}

/// Surnames of the people named in full, for folding "Biden" and "Mr Finer".
fn surnames<'a>(lex: &Lexicon, texts: &[Tagged<'a>], names: &'a Names<'a>) -> Surnames<'a> {
    let mut map: Surnames<'a> = FxHashMap::default();
    let mut add = |key: &'a str, full: &'a str| {
        let slot = map.entry(key).or_insert(Some(full));
        if *slot != Some(full) {
            *slot = None;
        }
    };
    for (_, m, full) in mentions(texts, names) {
        let is_person_source = matches!(m.source, Source::Gazetteer(_) | Source::Person);
        if m.label != Label::Person || !is_person_source {
            continue;
        }
        let mut words = full.split(' ');
        let first = words.next().unwrap_or_default();
        let Some(last) = words.next_back() else {
            continue;
        };
        add(last, full);
        if lex.family_first.contains(first) {
            add(first, full);
        }
    }
    map
}
