//! Document-level resolution: folds aliases into canonical names (surnames into full names,
//! acronyms into the names that defined them), drops unconfirmed guesses and counts mentions.
//!
//! Every step is a hash-map pass over the mentions: linear in their number.

use std::collections::{HashMap, HashSet};

use ingestd_sdk::Entity;

use crate::aliases::Aliases;
use crate::gazetteer::Gazetteer;
use crate::label::Label;
use crate::lexicon::Lexicon;
use crate::mention::{Mention, Source};

/// The mentions found in one text (title or body).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tagged<'t> {
    /// The text the offsets point into.
    pub(crate) text: &'t str,
    /// Its mentions, in text order.
    pub(crate) mentions: &'t [Mention],
    /// True for the body (spans are reported), false for the title (only counted).
    pub(crate) is_body: bool,
}

/// A mention with its canonical name decided.
struct Resolved {
    canonical: String,
    label: Label,
    strength: u8,
    span: Option<[u64; 2]>,
}

fn strength(source: Source) -> u8 {
    match source {
        Source::Gazetteer(_) => 0,
        Source::Head => 1,
        Source::Cue => 2,
        Source::Person => 3,
        Source::Acronym => 4,
        Source::Tentative => 5,
    }
}

/// The text of a mention, whitespace runs folded to one space.
pub(crate) fn surface(text: &str, m: &Mention) -> String {
    let raw = text.get(m.start..m.end).unwrap_or_default();
    let plain = !raw.contains("  ") && !raw.contains(|c: char| c != ' ' && c.is_whitespace());
    if plain {
        raw.to_owned()
    } else {
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Resolves and counts the mentions of a document; at most `max_entities` entities are kept
/// (the most mentioned), in order of first mention.
pub(crate) fn resolve(
    lex: &Lexicon,
    gaz: &Gazetteer,
    texts: &[Tagged<'_>],
    max_entities: usize,
) -> Vec<Entity> {
    let canonical_of = |text: &str, m: &Mention| match m.source {
        Source::Gazetteer(entry) => gaz
            .describe(entry)
            .map_or_else(|| surface(text, m), |(c, _)| c.to_owned()),
        _ => surface(text, m),
    };
    let aliases = Aliases::build(lex, texts, &canonical_of);
    let mut resolved = Vec::new();
    let mut body_names = HashSet::new();
    for tagged in texts {
        let offsets = char_offsets(tagged.text, tagged.mentions);
        for (m, span) in tagged.mentions.iter().zip(offsets) {
            let canonical = canonical_of(tagged.text, m);
            let folded = aliases.fold(m, canonical);
            let Some((canonical, label)) = folded else {
                continue;
            };
            if tagged.is_body {
                body_names.insert(canonical.clone());
            }
            let keep_in_title = tagged.is_body || matches!(m.source, Source::Gazetteer(_));
            resolved.push((
                keep_in_title,
                Resolved {
                    canonical,
                    label,
                    strength: strength(m.source),
                    span: tagged.is_body.then_some(span),
                },
            ));
        }
    }
    let resolved = resolved
        .into_iter()
        .filter(|(keep, r)| *keep || body_names.contains(&r.canonical))
        .map(|(_, r)| r);
    count(resolved, max_entities)
}

/// Character offsets `[start, end)` of each mention (mentions in text order), in one pass.
fn char_offsets(text: &str, mentions: &[Mention]) -> Vec<[u64; 2]> {
    let mut bytes: Vec<usize> = mentions.iter().flat_map(|m| [m.start, m.end]).collect();
    bytes.sort_unstable();
    bytes.dedup();
    let mut to_char = HashMap::with_capacity(bytes.len());
    let mut chars = 0u64;
    let mut last = 0usize;
    for b in bytes {
        chars += text.get(last..b).map_or(0, |s| s.chars().count() as u64);
        last = b;
        to_char.insert(b, chars);
    }
    mentions
        .iter()
        .map(|m| {
            [
                to_char.get(&m.start).copied().unwrap_or(0),
                to_char.get(&m.end).copied().unwrap_or(0),
            ]
        })
        .collect()
}

/// Groups resolved mentions by canonical name; the strongest source decides the label.
fn count(resolved: impl Iterator<Item = Resolved>, max_entities: usize) -> Vec<Entity> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut entities: Vec<(Entity, u8)> = Vec::new();
    for r in resolved {
        let i = *index.entry(r.canonical.clone()).or_insert_with(|| {
            entities.push((
                Entity {
                    text: r.canonical.clone(),
                    label: r.label.as_str().to_owned(),
                    ..Entity::default()
                },
                r.strength,
            ));
            entities.len() - 1
        });
        let (entity, best) = &mut entities[i];
        entity.count += 1;
        entity.spans.extend(r.span);
        if r.strength < *best {
            *best = r.strength;
            entity.label = r.label.as_str().to_owned();
        }
    }
    if entities.len() > max_entities {
        let mut order: Vec<usize> = (0..entities.len()).collect();
        order.sort_by(|&a, &b| {
            entities[b]
                .0
                .count
                .cmp(&entities[a].0.count)
                .then(a.cmp(&b))
        });
        let keep: HashSet<usize> = order.into_iter().take(max_entities).collect();
        let mut i = 0;
        entities.retain(|_| {
            i += 1;
            keep.contains(&(i - 1))
        });
    }
    entities.into_iter().map(|(e, _)| e).collect()
}
