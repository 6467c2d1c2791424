//! Sentence splitting of one paragraph: abbreviations, initials, decimals, ellipses, quotations,
//! `?`/`!`, and CJK full stops.
//!
//! Rules, in order, at a run of terminators (`.`, `?`, `!`, `…`, plus any closing quotes and
//! brackets right after them, which belong to the sentence):
//!
//! * a CJK terminator (`。`, `！`, `？`) always ends the sentence, spaces or not;
//! * otherwise whitespace (or the end of the text) must follow, and the next word must start
//!   with a capital or a letter of a caseless script, possibly after opening quotes or
//!   brackets; a digit follows only after `?` or `!` (`No. 5`, `in 2023. 50 ...` stay joined);
//! * a single period after a single capital letter is an initial ("J. R. R. Tolkien");
//! * a period closing a quotation or bracket (`"no." Then`) ends the sentence;
//! * a period after a known abbreviation ([`crate::abbreviations`]) ends the sentence only if
//!   the abbreviation may close one ("U.S.", "Inc.") and the next word is a typical opener.
//!
//! The scan is linear: each period looks back at most [`MAX_ABBREV_BYTES`] bytes.

use std::ops::Range;

use crate::abbreviations::{AbbrevKind, Abbreviations, MAX_ABBREV_BYTES};
use crate::words::char_at;
use ingestd_sdk::ascii8;

/// Splits paragraphs into sentences. Built once; cheap to share between threads.
#[derive(Debug, Clone, Default)]
pub struct SentenceSplitter {
    abbreviations: Abbreviations,
}

impl SentenceSplitter {
    /// The byte ranges of the sentences of `text`, trimmed of whitespace, in order.
    pub fn split(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        self.split_into(text, &mut out);
        out
    }

    /// Like [`SentenceSplitter::split`], appending to `out`.
    pub fn split_into(&self, text: &str, out: &mut Vec<Range<usize>>) {
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if !MAY_START_TERMINATOR[usize::from(b)] {
                i = ascii8::skip_except(bytes, i + 1, b".?!");
                continue;
            }
            let Some(c) = char_at(text, i) else { break };
            if !is_terminator(c) {
                i += c.len_utf8();
                continue;
            }
            let mut end = i + c.len_utf8();
            let mut run = Run::from(c);
            while let Some(d) = char_at(text, end) {
                if is_terminator(d) {
                    run.add(d);
                } else if is_closing(d) {
                    run.closed = true;
                } else {
                    break;
                }
                end += d.len_utf8();
            }
            if self.ends_sentence(text, i, end, &run) {
                push_trimmed(text, start..end, out);
                start = end;
            }
            i = end;
        }
        push_trimmed(text, start..text.len(), out);
    }

    /// Decides whether the terminator run `text[dot..end]` closes a sentence.
    fn ends_sentence(&self, text: &str, dot: usize, end: usize, run: &Run) -> bool {
        if run.cjk {
            return true;
        }
        let rest = &text[end..];
        if !rest.starts_with(char::is_whitespace) {
            return rest.is_empty();
        }
        let next = next_word(rest);
        let Some(first) = next.chars().next() else {
            return true;
        };
        if first.is_lowercase() {
            return false;
        }
        if first.is_numeric() {
            return !run.only_periods;
        }
        if !first.is_alphabetic() {
            return false;
        }
        if !run.only_periods || run.periods > 1 || run.closed {
            // "?", "!", an ellipsis, or a period closing a quotation, before a capital.
            return true;
        }
        let token = word_before(text, dot);
        if is_initial(token) {
            return false;
        }
        match self.abbreviations.kind(token) {
            Some(AbbrevKind::Inner) => false,
            Some(AbbrevKind::MayEnd) => self.abbreviations.is_opener(leading_word(next)),
            None => true,
        }
    }
}

/// What a run of terminators is made of.
#[derive(Debug)]
struct Run {
    cjk: bool,
    only_periods: bool,
    periods: usize,
    closed: bool,
}

impl Run {
    fn from(c: char) -> Run {
        let mut run = Run {
            cjk: false,
            only_periods: true,
            periods: 0,
            closed: false,
        };
        run.add(c);
        run
    }

    fn add(&mut self, c: char) {
        match c {
            '.' => self.periods += 1,
            '…' => {
                self.periods += 3;
            }
            _ => self.only_periods = false,
        }
        self.cjk |= matches!(c, '。' | '！' | '？' | '｡');
    }
}

/// The bytes that can start a terminator: `.`, `?`, `!` and the lead bytes of the others
/// (U+2026, U+203C, U+2047-U+2049, U+3002, U+FF01, U+FF1F, U+FF61); the splitter passes over
/// every other byte without decoding it.
static MAY_START_TERMINATOR: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    let bytes = [b'.', b'?', b'!', 0xE2, 0xE3, 0xEF];
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

/// Characters that can end a sentence.
fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '.' | '?' | '!' | '…' | '。' | '！' | '？' | '｡' | '‼' | '⁇' | '⁈' | '⁉'
    )
}

/// Closing quotes and brackets that belong to the sentence they follow.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | ')'
            | ']'
            | '}'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〉'
            | '》'
    )
}

/// Opening quotes and brackets that may precede the first word of a sentence.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '«' | '‹' | '„' | '(' | '[' | '¿' | '¡' | '「' | '『' | '（'
    )
}

/// `rest` (starting with whitespace) without its leading whitespace and opening punctuation.
fn next_word(rest: &str) -> &str {
    rest.trim_start().trim_start_matches(is_opening)
}

/// The alphanumeric word at the start of `s` ("The" of "The move").
fn leading_word(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// The token that ends at byte `dot` (the period), back to the previous whitespace, without
/// opening punctuation; empty when longer than an abbreviation can be.
fn word_before(text: &str, dot: usize) -> &str {
    let head = &text[..dot];
    let floor = dot.saturating_sub(MAX_ABBREV_BYTES + 4);
    let start = head
        .char_indices()
        .rev()
        .take_while(|&(i, _)| i >= floor)
        .find(|&(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8());
    match start {
        Some(start) => head[start..].trim_start_matches(is_opening),
        None if floor == 0 => head.trim_start_matches(is_opening),
        None => "",
    }
}

/// A single capital letter: an initial in a name.
fn is_initial(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

/// Pushes `range` of `text` without surrounding whitespace, unless it is empty.
fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead + trail < slice.len() {
        out.push(range.start + lead..range.end - trail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        SentenceSplitter::default()
            .split(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn plain_sentences() {
        assert_eq!(
            split("One thing happened. Then another.  And a third!"),
            ["One thing happened.", "Then another.", "And a third!"]
        );
    }

    #[test]
    fn titles_never_end_a_sentence() {
        for t in [
            "Mr.", "Mrs.", "Dr.", "Prof.", "St.", "Gen.", "Sen.", "Rep.", "Gov.", "No.",
        ] {
            let text = format!("They met {t} Smith yesterday. It went well.");
            assert_eq!(split(&text).len(), 2, "{text}");
        }
    }

    #[test]
    fn months_keep_their_day() {
        assert_eq!(
            split("It was signed on Jan. 5 and Sept. 9. Nobody came."),
            ["It was signed on Jan. 5 and Sept. 9.", "Nobody came."]
        );
        assert_eq!(split("The vote on Dec. 12 passed.").len(), 1);
    }

    #[test]
    fn country_abbreviations_inside_and_at_the_end() {
        assert_eq!(
            split("The U.S. Army and the U.N. Security Council met in the U.K. capital."),
            ["The U.S. Army and the U.N. Security Council met in the U.K. capital."]
        );
        assert_eq!(
            split("Hanoi moved closer to the U.S. The move angered Beijing."),
            [
                "Hanoi moved closer to the U.S.",
                "The move angered Beijing."
            ]
        );
    }

    #[test]
    fn companies_may_end_a_sentence() {
        assert_eq!(
            split("He works for Acme Inc. The firm is small. Beta Corp. Holdings grew."),
            [
                "He works for Acme Inc.",
                "The firm is small.",
                "Beta Corp. Holdings grew."
            ]
        );
        assert_eq!(split("Shares of Foo Ltd. and Bar Co. rose.").len(), 1);
    }

    #[test]
    fn latin_abbreviations_and_versus() {
        assert_eq!(
            split("Some cities, e.g. Hanoi, i.e. Vietnam's capital, grew. Rome vs. Paris."),
            [
                "Some cities, e.g. Hanoi, i.e. Vietnam's capital, grew.",
                "Rome vs. Paris."
            ]
        );
    }

    #[test]
    fn initials_stay_with_the_name() {
        assert_eq!(
            split("The book by J. R. R. Tolkien sold well. George W. Bush read it."),
            [
                "The book by J. R. R. Tolkien sold well.",
                "George W. Bush read it."
            ]
        );
    }

    #[test]
    fn decimals_and_amounts() {
        assert_eq!(
            split("Growth was 3.5 percent. Trade reached US$7.1 billion."),
            ["Growth was 3.5 percent.", "Trade reached US$7.1 billion."]
        );
    }

    #[test]
    fn a_period_before_a_digit_or_lowercase_does_not_split() {
        assert_eq!(split("See item no. 4. it is odd. 50 people came.").len(), 1);
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            split("He paused... Then he left. She waited… And waited."),
            [
                "He paused...",
                "Then he left.",
                "She waited…",
                "And waited."
            ]
        );
        assert_eq!(split("It was ... well, odd.").len(), 1);
    }

    #[test]
    fn closing_quotes_belong_to_the_sentence() {
        assert_eq!(
            split("He said \"no.\" Then he left."),
            ["He said \"no.\"", "Then he left."]
        );
        assert_eq!(
            split("She wrote: “It is over.” Nobody answered."),
            ["She wrote: “It is over.”", "Nobody answered."]
        );
        assert_eq!(
            split("(This was expected.) The rest followed."),
            ["(This was expected.)", "The rest followed."]
        );
    }

    #[test]
    fn a_quote_followed_by_its_attribution_stays_whole() {
        assert_eq!(
            split("\"Why now?\" she asked. \"Because!\" he said."),
            ["\"Why now?\" she asked.", "\"Because!\" he said."]
        );
    }

    #[test]
    fn a_new_sentence_may_open_with_a_quote() {
        assert_eq!(
            split("He left. “We lost,” he said."),
            ["He left.", "“We lost,” he said."]
        );
    }

    #[test]
    fn questions_and_exclamations() {
        assert_eq!(
            split("Is it true? Yes! Really?! 5 people said so."),
            ["Is it true?", "Yes!", "Really?!", "5 people said so."]
        );
    }

    #[test]
    fn vietnamese_capitals_are_recognised() {
        assert_eq!(
            split("Hà Nội đón tổng thống. Đây là chuyến thăm lịch sử. Ông nói vậy."),
            [
                "Hà Nội đón tổng thống.",
                "Đây là chuyến thăm lịch sử.",
                "Ông nói vậy."
            ]
        );
    }

    #[test]
    fn cjk_full_stops_split_without_spaces() {
        assert_eq!(
            split("越南欢迎美国总统。双方签署了协议！这是真的吗？是的。"),
            [
                "越南欢迎美国总统。",
                "双方签署了协议！",
                "这是真的吗？",
                "是的。"
            ]
        );
        assert_eq!(
            split("他说：「好。」然后离开。"),
            ["他说：「好。」", "然后离开。"]
        );
    }

    #[test]
    fn caseless_scripts_split_after_a_period() {
        assert_eq!(
            split("Он ушёл. Затем вернулся."),
            ["Он ушёл.", "Затем вернулся."]
        );
        assert_eq!(split("ذهب. عاد").len(), 2);
    }

    #[test]
    fn no_terminator_and_whitespace_only() {
        assert_eq!(
            split("According to the report,"),
            ["According to the report,"]
        );
        assert!(split("   ").is_empty());
        assert!(split("").is_empty());
    }

    #[test]
    fn a_period_inside_a_word_or_url_does_not_split() {
        assert_eq!(split("Visit example.com today. Or not.").len(), 2);
        assert_eq!(split("The file was v1.2.3 final.").len(), 1);
    }

    #[test]
    fn long_runs_without_spaces_stay_linear_and_whole() {
        let text = "a.".repeat(50_000);
        assert_eq!(split(&text).len(), 1);
    }
}
