//! Sentence scores: a position prior (news puts the point first), word-frequency centrality
//! over content words, and overlap with the title, times each sentence's form weight.
//!
//! Linear in the number of words: every word is interned once into a per-document table (stop
//! words too, marked, so that each occurrence costs one look-up); each sentence then sorts its
//! own (short) list of word ids.

use crate::candidates::Sentence;
use crate::vocabulary::Vocabulary;
use crate::words::{StopWords, for_each_word, for_each_word_with, is_cjk};

/// The vocabulary's mark for a word that is not a content word.
const NOT_CONTENT: u32 = u32::MAX;

/// Weight of the position prior.
const POSITION: f64 = 0.40;
/// Weight of the centrality.
const CENTRALITY: f64 = 0.35;
/// Weight of the title overlap.
const TITLE: f64 = 0.25;

/// Scores `sentences` (document order); the result has one score per sentence, ≥ 0.
pub fn score(sentences: &[Sentence<'_>], title: Option<&str>, stop: &StopWords) -> Vec<f64> {
    // Word -> id of a content word, or `NOT_CONTENT`.
    // Sized for a typical article (a few distinct words per sentence), so it rarely grows.
    let mut vocabulary = Vocabulary::with_capacity(sentences.len() * 8);
    // About one word per six bytes of text, and as many content words as the vocabulary's
    // room: both rarely grow.
    let text_bytes: usize = sentences.iter().map(|s| s.text.len()).sum();
    let mut ids: Vec<u32> = Vec::with_capacity(text_bytes / 6 + 8);
    let mut bounds = Vec::with_capacity(sentences.len());
    let mut frequency: Vec<u32> = Vec::with_capacity(sentences.len() * 8);
    // Whether each content word (by id) matches a title word, decided when it is first met.
    let title_terms = TitleTerms::new(title, stop);
    let mut title_flags: Vec<bool> = Vec::with_capacity(sentences.len() * 8);
    let mut scratch = String::new();
    for sentence in sentences {
        let start = ids.len();
        for_each_word_with(sentence.text, &mut scratch, |word| {
            let id = match vocabulary.get(word.as_str()) {
                Some(id) => id,
                None => {
                    let id = if is_content(word.as_str(), stop) {
                        frequency.push(0);
                        title_flags.push(title_terms.matches(word.as_str()));
                        u32::try_from(frequency.len() - 1).unwrap_or(NOT_CONTENT)
                    } else {
                        NOT_CONTENT
                    };
                    vocabulary.insert(word, id);
                    id
                }
            };
            if let Some(f) = frequency.get_mut(id as usize) {
                *f += 1;
                ids.push(id);
            }
        });
        bounds.push(start..ids.len());
    }

    let title_words = title_terms.len();
    let mut centrality = Vec::with_capacity(sentences.len());
    let mut overlap = Vec::with_capacity(sentences.len());
    // The last sentence each word was counted in: its distinct words without sorting them.
    let mut last_seen = vec![usize::MAX; frequency.len()];
    for (k, range) in bounds.into_iter().enumerate() {
        let mut distinct = 0usize;
        let mut shared = 0u64;
        let mut in_title = 0usize;
        for &id in ids.get(range).unwrap_or_default() {
            // Every id in `ids` has a frequency (see the loop above).
            let Some(seen) = last_seen.get_mut(id as usize) else {
                continue;
            };
            if *seen == k {
                continue;
            }
            *seen = k;
            distinct += 1;
            let f = frequency.get(id as usize).copied().unwrap_or(1);
            shared += u64::from(f.saturating_sub(1));
            in_title += usize::from(title_flags.get(id as usize).copied().unwrap_or(false));
        }
        centrality.push(if distinct == 0 {
            0.0
        } else {
            shared as f64 / (distinct as f64).sqrt()
        });
        overlap.push(if title_words == 0 {
            0.0
        } else {
            (in_title as f64 / title_words as f64).min(1.0)
        });
    }

    let top = centrality.iter().copied().fold(0.0_f64, f64::max);
    sentences
        .iter()
        .enumerate()
        .map(|(k, sentence)| {
            let position = 1.0 / ((k + 1) as f64).sqrt();
            let central = if top > 0.0 { centrality[k] / top } else { 0.0 };
            (POSITION * position + CENTRALITY * central + TITLE * overlap[k]) * sentence.weight
        })
        .collect()
}

/// A word that can carry topic: not a stop word, not a bare number, not a single letter
/// (CJK characters excepted).
fn is_content(word: &str, stop: &StopWords) -> bool {
    let mut chars = word.chars();
    let first = chars.next();
    let single = first.is_some() && chars.next().is_none();
    (!single || first.is_some_and(is_cjk))
        && !word.bytes().all(|b| b.is_ascii_digit())
        && !stop.contains(word)
}

/// Shortest title word matched by prefix ("russia" matches "russian").
const MIN_PREFIX: usize = 4;

/// The distinct content words of the title, which body words are matched against. A body
/// word matches when it equals a title word or one is a prefix of the other and the shorter
/// has at least [`MIN_PREFIX`] bytes (a crude stemmer: "Vietnam" / "Vietnamese", "Russia" /
/// "Russian"). Each distinct body word is matched once, when the scorer first meets it.
struct TitleTerms {
    /// The title's content words, sorted, without repeats.
    words: Vec<String>,
    /// The first bytes of `words`: a body word starting with another byte matches none.
    first_bytes: [bool; 256],
}

impl TitleTerms {
    fn new(title: Option<&str>, stop: &StopWords) -> TitleTerms {
        let mut words: Vec<String> = Vec::new();
        if let Some(title) = title {
            for_each_word(title, |word| {
                if is_content(&word, stop) {
                    words.push(word.into_owned());
                }
            });
        }
        words.sort_unstable();
        words.dedup();
        let mut first_bytes = [false; 256];
        for w in &words {
            if let Some(&b) = w.as_bytes().first() {
                first_bytes[usize::from(b)] = true;
            }
        }
        TitleTerms { words, first_bytes }
    }

    /// How many distinct content words the title has.
    fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the body word `v` matches a title word.
    fn matches(&self, v: &str) -> bool {
        let may_match = v
            .as_bytes()
            .first()
            .is_none_or(|&b| self.first_bytes[usize::from(b)]);
        may_match && self.words.iter().any(|w| stems_match(w, v))
    }
}

/// `a` and `b` are equal, or the shorter, of at least [`MIN_PREFIX`] bytes, starts the other.
fn stems_match(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // Most pairs differ in their first byte: a cheap test before the comparisons.
    short.as_bytes().first() == long.as_bytes().first()
        && (short == long || (short.len() >= MIN_PREFIX && long.starts_with(short)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str) -> Sentence<'_> {
        Sentence {
            text,
            paragraph: 0,
            chars: text.chars().count(),
            lead: false,
            weight: 1.0,
        }
    }

    #[test]
    fn central_sentences_beat_off_topic_ones_at_equal_position_weight() {
        let texts = [
            "Vietnam buys Russian weapons despite American pressure.",
            "The weather was pleasant that afternoon in the capital.",
            "Russian weapons remain central for Vietnam.",
            "Vietnam weighs Russian weapons against American ties.",
        ];
        let sentences: Vec<_> = texts.iter().map(|t| sentence(t)).collect();
        let s = score(&sentences, None, &StopWords::default());
        assert!(s[2] > s[1], "{s:?}");
    }

    #[test]
    fn title_overlap_counts() {
        let texts = [
            "Markets were calm on a quiet trading day overall.",
            "Markets in Vietnam rallied after the Russian arms deal.",
        ];
        let sentences: Vec<_> = texts.iter().map(|t| sentence(t)).collect();
        let stop = StopWords::default();
        let without = score(&sentences, None, &stop);
        let with = score(&sentences, Some("Vietnam's Russia arms deal"), &stop);
        assert!(with[1] > without[1]);
        assert_eq!(with[0], without[0]);
    }

    #[test]
    fn weight_multiplies_and_scores_are_deterministic() {
        let mut sentences = vec![
            sentence("One sentence about trade."),
            sentence("Another one."),
        ];
        let stop = StopWords::default();
        let a = score(&sentences, Some("trade"), &stop);
        assert_eq!(a, score(&sentences, Some("trade"), &stop));
        sentences[0].weight = 0.5;
        let b = score(&sentences, Some("trade"), &stop);
        assert!((b[0] - a[0] * 0.5).abs() < 1e-12);
    }

    #[test]
    fn title_terms_match_equal_words_and_long_enough_prefixes() {
        let stop = StopWords::default();
        let terms = TitleTerms::new(Some("Vietnam's Russia arms deal"), &stop);
        assert_eq!(terms.words, ["arms", "deal", "russia", "vietnam"]);
        assert_eq!(terms.len(), 4);
        for word in [
            "vietnam",
            "vietnamese",
            "viet",
            "russian",
            "arms",
            "deal",
            "dealers",
        ] {
            assert!(terms.matches(word), "{word}");
        }
        for word in ["vie", "arm", "use", "the", "moscow", ""] {
            assert!(!terms.matches(word), "{word}");
        }
        assert!(!TitleTerms::new(None, &stop).matches("vietnam"));
    }

    #[test]
    fn content_words() {
        let stop = StopWords::default();
        assert!(is_content("vietnam", &stop));
        assert!(is_content("越", &stop));
        assert!(!is_content("the", &stop));
        assert!(!is_content("2023", &stop));
        assert!(!is_content("s", &stop));
    }

    #[test]
    fn empty_input() {
        assert!(score(&[], Some("title"), &StopWords::default()).is_empty());
    }
}
