//! A deterministic, seeded generator of news-like articles with known duplicate relations.
//!
//! Articles are written from a small grammar over topic vocabularies, so that articles on the
//! same topic share many words and stock phrases ("officials said on condition of anonymity")
//! without being duplicates. Each original may get *exact* variants (same text with other
//! white space, line endings, letter case, quotes, Unicode form, or boilerplate lines) and
//! *near* variants (word edits, an editor's note or author footer, dropped or reordered
//! paragraphs). The stream is shuffled, so a variant may arrive before its original.

mod grammar;
mod rng;
mod vocab;

pub use rng::Rng;

use grammar::Writer;
use vocab::{BOILERPLATE, PLACES, TOPICS, items};

/// How an article relates to the rest of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// A new article.
    Original,
    /// The same text as another article, formatted differently.
    Exact,
    /// The same article, edited.
    Near,
}

/// One generated article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Document id (16 hex digits, like the host's).
    pub id: String,
    /// Body, paragraphs separated by blank lines.
    pub body: String,
    /// Articles with the same family are the same story (duplicates of each other).
    pub family: usize,
    /// Articles with the same text group have the same normalized body.
    pub text_group: usize,
    /// How it was made.
    pub variant: Variant,
}

/// Re-formats a body without changing its normalized words.
fn exact_variant(rng: &mut Rng, paragraphs: &[String]) -> String {
    let mut out: Vec<String> = paragraphs.to_vec();
    for p in &mut out {
        if rng.chance(0.3) {
            *p = p.replace(' ', "  ");
        }
        if rng.chance(0.3) {
            *p = p.replace(['“', '”'], "\"");
        }
        if rng.chance(0.2) {
            *p = p.to_uppercase();
        }
        if rng.chance(0.3) {
            // Decomposed accents (NFD) and compatibility ligatures.
            *p = p
                .replace('à', "a\u{300}")
                .replace('ü', "u\u{308}")
                .replace('é', "e\u{301}")
                .replace("fi", "ﬁ");
        }
        if rng.chance(0.2) {
            // A hard line break inside the paragraph.
            if let Some(i) = p.find(". ") {
                p.replace_range(i..i + 2, ".\n");
            }
        }
    }
    if rng.chance(0.5) {
        out.insert(0, rng.pick(BOILERPLATE).to_owned());
    }
    if rng.chance(0.5) {
        out.push(rng.pick(BOILERPLATE).to_owned());
    }
    let sep = if rng.chance(0.3) {
        "\r\n\r\n"
    } else {
        "\n\n\n"
    };
    let mut body = out.join(sep);
    if rng.chance(0.3) {
        body = format!("  \n{body}\n  ");
    }
    body
}

/// Republishes an article with small edits.
fn near_variant(rng: &mut Rng, w: &mut Writer<'_>, paragraphs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paragraphs.to_vec();
    let mut edits = 0;
    while edits == 0 {
        if rng.chance(0.5) && out.len() > 4 {
            // Drop up to a fifth of the paragraphs.
            let drops = rng.range(1, (out.len() / 5).max(1));
            for _ in 0..drops {
                let i = rng.below(out.len());
                out.remove(i);
            }
            edits += 1;
        }
        if rng.chance(0.4) {
            rng.shuffle(&mut out);
            edits += 1;
        }
        if rng.chance(0.4) {
            let place = rng.pick(&items(PLACES));
            out.insert(
                0,
                format!(
                    "Editor’s note: this story was first published by a partner outlet in {place} and is republished with permission."
                ),
            );
            edits += 1;
        }
        if rng.chance(0.4) {
            let person = w.person();
            out.push(format!(
                "{person} is a correspondent who covers politics, business and security for the agency in {}.",
                rng.pick(&items(PLACES))
            ));
            edits += 1;
        }
        if rng.chance(0.6) {
            // Small word edits: replace, delete or insert a word here and there (~3%).
            for p in &mut out {
                let mut ws: Vec<&str> = p.split(' ').collect();
                let n = ws.len() / 33;
                for _ in 0..n {
                    let i = rng.below(ws.len());
                    match rng.below(3) {
                        0 => ws[i] = "reportedly",
                        1 => {
                            ws.remove(i);
                        }
                        _ => ws.insert(i, "also"),
                    }
                    if ws.is_empty() {
                        break;
                    }
                }
                *p = ws.join(" ");
            }
            edits += 1;
        }
        if rng.chance(0.3) && !out.is_empty() {
            // Rewrite one sentence.
            let i = rng.below(out.len());
            let s = w.sentence();
            out[i] = format!("{} {s}", out[i]);
            edits += 1;
        }
    }
    out
}

/// Generates `n` articles from `seed`: about 60% originals, the rest exact and near variants.
pub fn generate(n: usize, seed: u64) -> Vec<Article> {
    let mut rng = Rng::new(seed);
    let mut writer_rng = Rng::new(seed.wrapping_mul(31).wrapping_add(1));
    let mut out: Vec<Article> = Vec::with_capacity(n + 8);
    let mut family = 0;
    let mut group = 0;
    while out.len() < n {
        let topic = &TOPICS[rng.below(TOPICS.len())];
        let mut writer = Writer {
            rng: &mut writer_rng,
            topic,
        };
        let original = writer.article();
        family += 1;
        group += 1;
        out.push(Article {
            id: format!("{:016x}", rng.next_u64()),
            body: original.join("\n\n"),
            family,
            text_group: group,
            variant: Variant::Original,
        });
        let mut texts = vec![(group, original)];
        if rng.chance(0.3) {
            for _ in 0..rng.range(1, 3) {
                let base = texts[rng.below(texts.len())].1.clone();
                let near = near_variant(&mut rng, &mut writer, &base);
                // Edits can cancel out, or two variants make the same edit: then the texts
                // are the same, and the truth is an exact duplicate.
                let same = texts.iter().find(|(_, t)| *t == near).map(|(g, _)| *g);
                let (text_group, variant) = match same {
                    Some(g) => (g, Variant::Exact),
                    None => {
                        group += 1;
                        (group, Variant::Near)
                    }
                };
                out.push(Article {
                    id: format!("{:016x}", rng.next_u64()),
                    body: near.join("\n\n"),
                    family,
                    text_group,
                    variant,
                });
                if same.is_none() {
                    texts.push((group, near));
                }
            }
        }
        if rng.chance(0.2) {
            for _ in 0..rng.range(1, 2) {
                let (g, base) = &texts[rng.below(texts.len())];
                out.push(Article {
                    id: format!("{:016x}", rng.next_u64()),
                    body: exact_variant(&mut rng, base),
                    family,
                    text_group: *g,
                    variant: Variant::Exact,
                });
            }
        }
    }
    out.truncate(n);
    rng.shuffle(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sized() {
        let a = generate(300, 7);
        let b = generate(300, 7);
        assert_eq!(a.len(), 300);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.body == y.body)
        );
        assert_ne!(generate(300, 8)[0].body, a[0].body);
    }

    #[test]
    fn corpus_mixes_all_relations() {
        let a = generate(1000, 1);
        for v in [Variant::Original, Variant::Exact, Variant::Near] {
            let n = a.iter().filter(|x| x.variant == v).count();
            assert!(n > 50, "{v:?}: {n}");
        }
        let ids: std::collections::HashSet<_> = a.iter().map(|x| &x.id).collect();
        assert_eq!(ids.len(), a.len());
    }
}
