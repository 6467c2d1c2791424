//! Document-level resolution: folds aliases into canonical names (surnames into full names,
//! acronyms into the names that defined them), drops unconfirmed guesses and counts mentions.
//!
//! Every step is a hash-map pass over the mentions: linear in their number.

use std::borrow::Cow;

use ingestd_sdk::Entity;
use rustc_hash::{FxHashMap, FxHashSet};

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
struct Resolved<'a> {
    canonical: &'a str,
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

/// The text of a mention, whitespace runs folded to one space (borrowed when it has none).
pub(crate) fn surface<'t>(text: &'t str, m: &Mention) -> Cow<'t, str> {
    let raw = text.get(m.start..m.end).unwrap_or_default();
    let plain = !raw.contains("  ") && !raw.contains(|c: char| c != ' ' && c.is_whitespace());
    if plain {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(raw.split_whitespace().collect::<Vec<_>>().join(" "))
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
    // Each mention's canonical name, computed once: the gazetteer's name or the surface text.
    let names: Vec<Vec<Cow<'_, str>>> = texts
        .iter()
        .map(|tagged| {
            tagged
                .mentions
                .iter()
                .map(|m| match m.source {
                    Source::Gazetteer(entry) => gaz
                        .describe(entry)
                        .map_or_else(|| surface(tagged.text, m), |(c, _)| Cow::Borrowed(c)),
                    _ => surface(tagged.text, m),
                })
                .collect()
        })
        .collect();
    let aliases = Aliases::build(lex, texts, &names);
    let mentions: usize = texts.iter().map(|t| t.mentions.len()).sum();
    let mut resolved = Vec::with_capacity(mentions);
    // Sized for every mention a distinct name, so that neither table grows while filled.
    let mut body_names = FxHashSet::with_capacity_and_hasher(
        texts
            .iter()
            .filter(|t| t.is_body)
            .map(|t| t.mentions.len())
            .sum(),
        Default::default(),
    );
    for (tagged, names) in texts.iter().zip(&names) {
        let mut chars = CharCursor::default();
        for (m, name) in tagged.mentions.iter().zip(names) {
            // Spans are reported for the body only.
            let span = tagged
                .is_body
                .then(|| [chars.at(tagged.text, m.start), chars.at(tagged.text, m.end)]);
            let Some((canonical, label)) = aliases.fold(m, name) else {
                continue;
            };
            if tagged.is_body {
                body_names.insert(canonical);
            }
            let keep_in_title = tagged.is_body || matches!(m.source, Source::Gazetteer(_));
            resolved.push((
                keep_in_title,
                Resolved {
                    canonical,
                    label,
                    strength: strength(m.source),
                    span,
                },
            ));
        }
    }
    let kept = resolved.len();
    let resolved = resolved
        .into_iter()
        .filter(|(keep, r)| *keep || body_names.contains(r.canonical))
        .map(|(_, r)| r);
    count(resolved, kept, max_entities)
}

/// Converts byte offsets of one text into character offsets (Unicode scalar values), counting
/// only the characters between the previous offset asked for and the next: mentions come in
/// text order, so a text is counted about once, without a table of its offsets.
#[derive(Debug, Default)]
struct CharCursor {
    /// The byte offset of the last answer.
    byte: usize,
    /// Its character offset.
    chars: u64,
}

impl CharCursor {
    /// The character offset of byte offset `byte` (a character boundary) of `text`.
    fn at(&mut self, text: &str, byte: usize) -> u64 {
        let count = |from: usize, to: usize| text.get(from..to).map_or(0, |s| s.chars().count());
        if byte >= self.byte {
            self.chars += count(self.byte, byte) as u64;
        } else {
            self.chars -= count(byte, self.byte) as u64;
        }
        self.byte = byte;
        self.chars
    }
}

/// Groups resolved mentions by canonical name; the strongest source decides the label.
///
/// Two passes: the first groups and counts, the second builds each entity once, its label and
/// spans allocated at their final size. `most` bounds the number of mentions: the tables are
/// sized for it once instead of growing.
fn count<'a>(
    resolved: impl Iterator<Item = Resolved<'a>>,
    most: usize,
    max_entities: usize,
) -> Vec<Entity> {
    /// One entity while counting: the strongest source's label, mentions and spans.
    struct Group<'a> {
        canonical: &'a str,
        label: Label,
        strength: u8,
        count: u64,
        spans: usize,
    }
    let mut index: FxHashMap<&'a str, usize> =
        FxHashMap::with_capacity_and_hasher(most, Default::default());
    let mut groups: Vec<Group<'a>> = Vec::with_capacity(most);
    // Each mention's group and span, in order.
    let mut mentions: Vec<(usize, Option<[u64; 2]>)> = Vec::with_capacity(most);
    mentions.extend(resolved.map(|r| {
        let i = *index.entry(r.canonical).or_insert_with(|| {
            groups.push(Group {
                canonical: r.canonical,
                label: r.label,
                strength: r.strength,
                count: 0,
                spans: 0,
            });
            groups.len() - 1
        });
        if let Some(group) = groups.get_mut(i) {
            group.count += 1;
            group.spans += usize::from(r.span.is_some());
            if r.strength < group.strength {
                group.strength = r.strength;
                group.label = r.label;
            }
        }
        (i, r.span)
    }));
    let mut keep = vec![true; groups.len()];
    if groups.len() > max_entities {
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|&a, &b| groups[b].count.cmp(&groups[a].count).then(a.cmp(&b)));
        keep.fill(false);
        for i in order.into_iter().take(max_entities) {
            keep[i] = true;
        }
    }
    // The entity each kept group became, in order of first mention.
    let mut slot = vec![usize::MAX; groups.len()];
    let mut entities: Vec<Entity> = Vec::with_capacity(groups.len().min(max_entities));
    for ((g, kept), slot) in groups.iter().zip(&keep).zip(&mut slot) {
        if *kept {
            *slot = entities.len();
            entities.push(Entity {
                text: g.canonical.to_owned(),
                label: g.label.as_str().to_owned(),
                count: g.count,
                spans: Vec::with_capacity(g.spans),
                ..Entity::default()
            });
        }
    }
    for (i, span) in mentions {
        let entity = slot.get(i).and_then(|&s| entities.get_mut(s));
        if let (Some(entity), Some(span)) = (entity, span) {
            entity.spans.push(span);
        }
    }
    entities
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_counts_characters_forwards_and_backwards() {
        let text = "Hà Nội’s “Việt Nam” and the US — 越南 — then Paris.";
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&b| text.is_char_boundary(b))
            .collect();
        let mut cursor = CharCursor::default();
        // Forwards, then every pair in a scrambled order (a mention may end after the next
        // one starts).
        let order = boundaries
            .iter()
            .copied()
            .chain(boundaries.iter().rev().step_by(3).copied())
            .chain(boundaries.iter().step_by(7).copied());
        for byte in order {
            let expected = text[..byte].chars().count() as u64;
            assert_eq!(cursor.at(text, byte), expected, "at byte {byte}");
        }
    }
}
