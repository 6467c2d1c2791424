//! Choosing sentences within the budget, and writing the summary text.
//!
//! Sentences are taken whole, best score first (ties: earlier first), starting with the best
//! lead sentence so the summary opens with the article's point. A sentence is taken only if it
//! fits in `max_chars` and still leaves room for the shortest candidate for every sentence
//! `min_sentences` still asks for; a second pass drops that reservation. The chosen sentences
//! Beyond `min_sentences`, a sentence must score at least [`OPTIONAL_FLOOR`] of the best score:
//! a weak sentence does not fill a slot just because there is room. The chosen sentences
//! are written in document order, separated by one space, inner whitespace collapsed.
//!
//! When not even one sentence fits, the best one is cut at a word boundary (at a character in
//! scripts without spaces) and ends with "…"; the result, "…" included, has at most
//! `max_chars` characters.

use crate::candidates::Sentence;

/// The size of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Maximum length in characters.
    pub max_chars: usize,
    /// Sentences wanted at least (when they fit).
    pub min_sentences: usize,
    /// Sentences taken at most.
    pub max_sentences: usize,
}

/// Share of the best score a sentence needs to be taken beyond `min_sentences`.
pub const OPTIONAL_FLOOR: f64 = 0.3;

/// Punctuation not worth keeping before the "…" of a cut sentence.
const DANGLING_PUNCTUATION: &[char] = &[',', ';', ':', '-', '–', '—', '(', '[', '"', '“', '‘'];

/// Writes the summary of scored candidates; `None` when there are none.
pub fn summarize(sentences: &[Sentence<'_>], scores: &[f64], budget: Budget) -> Option<String> {
    let mut order: Vec<usize> = (0..sentences.len().min(scores.len())).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let best = order
        .iter()
        .copied()
        .find(|&i| sentences[i].lead)
        .or_else(|| order.first().copied())?;

    let floor = order.first().map_or(0.0, |&i| scores[i] * OPTIONAL_FLOOR);
    let shortest = sentences.iter().map(|s| s.chars).min().unwrap_or(0);
    let mut picked = Picked {
        budget,
        shortest,
        taken: vec![false; sentences.len()],
        count: 0,
        used: 0,
    };
    for &i in order.iter().filter(|&&i| sentences[i].lead) {
        if picked.take(i, sentences[i].chars, true) {
            break;
        }
    }
    for reserve in [true, false] {
        for &i in &order {
            if picked.count >= budget.max_sentences
                || (!reserve && picked.count >= budget.min_sentences)
            {
                break;
            }
            if picked.count >= budget.min_sentences && scores[i] < floor {
                break; // `order` is sorted: every later sentence is weaker still.
            }
            picked.take(i, sentences[i].chars, reserve);
        }
    }
    if picked.count == 0 {
        return Some(truncate_at_word(
            &collapse_whitespace(sentences[best].text),
            budget.max_chars,
        ));
    }
    let mut out = String::with_capacity(picked.used);
    for (i, sentence) in sentences.iter().enumerate() {
        if picked.taken[i] {
            if !out.is_empty() {
                out.push(' ');
            }
            push_collapsed(&mut out, sentence.text);
        }
    }
    Some(out)
}

/// The sentences taken so far.
#[derive(Debug)]
struct Picked {
    budget: Budget,
    shortest: usize,
    taken: Vec<bool>,
    count: usize,
    used: usize,
}

impl Picked {
    /// Takes sentence `i` of `chars` characters if it fits; true when taken.
    fn take(&mut self, i: usize, chars: usize, reserve: bool) -> bool {
        if self.taken[i] || self.count >= self.budget.max_sentences {
            return false;
        }
        let after = self.used + usize::from(self.count > 0) + chars;
        if after > self.budget.max_chars {
            return false;
        }
        let still_wanted = self.budget.min_sentences.saturating_sub(self.count + 1);
        if reserve && (self.budget.max_chars - after) < still_wanted * (self.shortest + 1) {
            return false;
        }
        self.taken[i] = true;
        self.count += 1;
        self.used = after;
        true
    }
}

/// `text` with every whitespace run replaced by one space.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_collapsed(&mut out, text);
    out
}

fn push_collapsed(out: &mut String, text: &str) {
    for (n, word) in text.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Cuts `text` to at most `max_chars` characters at a word boundary, ending with "…"; text that
/// fits is returned unchanged. Without a space in the second half of the allowed length (CJK),
/// it cuts between characters.
pub fn truncate_at_word(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    let keep = max_chars - 1;
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let at_boundary = text[cut..].starts_with(char::is_whitespace);
    let end = if at_boundary {
        cut
    } else {
        match head.rfind(char::is_whitespace) {
            Some(space) if head[..space].chars().count() * 2 >= keep => space,
            _ => cut,
        }
    };
    let head = head[..end]
        .trim_end_matches(|c: char| c.is_whitespace() || DANGLING_PUNCTUATION.contains(&c));
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, lead: bool) -> Sentence<'_> {
        Sentence {
            text,
            paragraph: 0,
            chars: crate::words::measure(text).chars,
            lead,
            weight: 1.0,
        }
    }

    /// Sentences in document order, the first one in the lead.
    fn lead_then(texts: &[&'static str]) -> Vec<Sentence<'static>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| sentence(t, i == 0))
            .collect()
    }

    const BUDGET: Budget = Budget {
        max_chars: 100,
        min_sentences: 2,
        max_sentences: 3,
    };

    #[test]
    fn best_first_then_written_in_document_order() {
        let s = lead_then(&["Alpha one.", "Beta two.", "Gamma three.", "Delta four."]);
        let out = summarize(&s, &[0.5, 0.1, 0.9, 0.8], BUDGET).unwrap();
        assert_eq!(out, "Alpha one. Gamma three. Delta four.");
    }

    #[test]
    fn weak_sentences_do_not_fill_optional_slots() {
        let s = lead_then(&["Alpha one.", "Beta two.", "Gamma three."]);
        let out = summarize(&s, &[0.9, 0.5, 0.2], BUDGET).unwrap();
        assert_eq!(out, "Alpha one. Beta two.");
        let out = summarize(&s, &[0.9, 0.2, 0.1], BUDGET).unwrap();
        assert_eq!(out, "Alpha one. Beta two.", "the minimum is still met");
    }

    #[test]
    fn ties_go_to_the_earlier_sentence() {
        let s = lead_then(&["Alpha one.", "Beta two.", "Gamma three."]);
        let budget = Budget {
            max_sentences: 2,
            ..BUDGET
        };
        assert_eq!(
            summarize(&s, &[0.5, 0.5, 0.5], budget).unwrap(),
            "Alpha one. Beta two."
        );
    }

    #[test]
    fn the_lead_anchor_is_taken_even_with_a_lower_score() {
        let s = lead_then(&[
            "Lead sentence here.",
            "Later one.",
            "Later two.",
            "Later three.",
        ]);
        let out = summarize(&s, &[0.1, 0.9, 0.8, 0.7], BUDGET).unwrap();
        assert_eq!(out, "Lead sentence here. Later one. Later two.");
    }

    #[test]
    fn a_long_best_sentence_does_not_crowd_out_the_minimum() {
        let long = "word ".repeat(18); // 90 characters once trimmed
        let s = [
            sentence(long.trim(), true),
            sentence("Short one here.", true),
            sentence("Short two here.", false),
        ];
        let out = summarize(&s, &[0.9, 0.5, 0.4], BUDGET).unwrap();
        assert_eq!(out, "Short one here. Short two here.");
        assert!(out.chars().count() <= BUDGET.max_chars);
    }

    #[test]
    fn one_sentence_when_only_one_fits() {
        let long = "x".repeat(80);
        let s = [sentence(&long, true), sentence(&long, false)];
        assert_eq!(summarize(&s, &[0.9, 0.5], BUDGET).unwrap(), long);
    }

    #[test]
    fn a_sentence_too_long_is_cut_at_a_word_with_an_ellipsis() {
        let long = "The quick brown fox, jumping over lazy dogs, ran far. ".repeat(4);
        let s = [sentence(long.trim(), true)];
        let out = summarize(&s, &[1.0], BUDGET).unwrap();
        assert!(out.chars().count() <= 100, "{out}");
        assert!(out.ends_with('…'));
        assert!(long.starts_with(out.trim_end_matches('…')));
        assert!(!out.ends_with(",…") && !out.ends_with(" …"));
    }

    #[test]
    fn whitespace_is_collapsed() {
        let s = lead_then(&["One  sentence\nhere.", "Two."]);
        assert_eq!(
            summarize(&s, &[1.0, 0.5], BUDGET).unwrap(),
            "One sentence here. Two."
        );
    }

    #[test]
    fn nothing_to_summarize() {
        assert_eq!(summarize(&[], &[], BUDGET), None);
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_at_word("Short.", 10), "Short.");
        assert_eq!(truncate_at_word("one two three four", 12), "one two…");
        assert_eq!(truncate_at_word("one two three four", 8), "one two…");
        assert_eq!(truncate_at_word("越南欢迎美国总统", 5), "越南欢迎…");
        assert_eq!(truncate_at_word("abc", 0), "");
        assert_eq!(truncate_at_word("Hello, world again", 9), "Hello…");
    }
}
