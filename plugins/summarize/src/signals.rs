//! Surface signals of one sentence that make it unfit for a summary: captions and credits,
//! boilerplate prompts, datelines alone, shouting, questions, quotes without context.
//! The phrase automata are built once, in [`Signals::new`].

use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};

use crate::words::char_at;
use ingestd_sdk::ascii8;

/// Caption or credit openers ("Photo: ...", "File photo of ...").
const CAPTION_PREFIXES: &[&str] = &[
    "photo:",
    "photo by",
    "photos:",
    "photograph:",
    "file photo",
    "image:",
    "image credit",
    "image by",
    "images:",
    "picture:",
    "pictured:",
    "credit:",
    "credits:",
    "featured image",
    "video:",
    "watch:",
    "illustration:",
    "screenshot",
    "source:",
    "caption:",
    "foto:",
    "ảnh:",
    "Ảnh:",
];

/// Credit markers anywhere in a sentence.
const CAPTION_ANYWHERE: &[&str] = &[
    "(ap photo",
    "ap photo/",
    "getty images",
    "afp photo",
    "/afp",
    "/ afp",
    "shutterstock",
    "photo credit",
    "image credit",
    "(file photo",
    "(photo:",
    "(photo by",
    "(image:",
    "(credit:",
    "reuters/",
    "/reuters",
    "epa-efe",
    "(pictured",
];

/// Agency tags that mark a dateline; a caption or dateline when the sentence is short.
const AGENCY_TAGS: &[&str] = &[
    "(ap)",
    "(reuters)",
    "(afp)",
    "(upi)",
    "(xinhua)",
    "(efe)",
    "(dpa)",
];

/// Prompts and notices addressed to the reader.
const BOILERPLATE: &[&str] = &[
    "subscribe to",
    "subscribe now",
    "subscribe for",
    "subscribe here",
    "please subscribe",
    "newsletter",
    "click here",
    "click the",
    "click on",
    "share this",
    "share the article",
    "share widely",
    "sign up for",
    "sign up to",
    "sign up now",
    "follow us",
    "cookies",
    "cookie policy",
    "cookie settings",
    "all rights reserved",
    "copyright",
    "©",
    "read more",
    "read also",
    "related:",
    "advertisement",
    "donate",
    "support our",
    "become a member",
    "terms of use",
    "privacy policy",
    "originally published",
    "original source of this article",
    "leave a comment",
    "comment section",
    "enable javascript",
    "log in to",
    "download our app",
    "abonnieren",
    "s'abonner",
    "abonnez-vous",
    "suscríbete",
    "suscribirse",
    "đăng ký nhận",
];

/// Connectives that make a sentence lean on the one before it.
const DANGLING_OPENERS: &[&str] = &[
    "but",
    "however",
    "also",
    "still",
    "meanwhile",
    "moreover",
    "furthermore",
    "nevertheless",
    "nonetheless",
    "instead",
    "thus",
    "therefore",
    "yet",
    "and",
    "so",
    "besides",
    "likewise",
    "similarly",
    "otherwise",
    "obviously",
];

/// Short sentences with an agency tag are datelines or credits.
const AGENCY_TAG_MAX_WORDS: usize = 10;

/// What one sentence looks like, for the scorer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// A caption, a credit, a dateline alone, or all capitals: never in a summary.
    pub caption: bool,
    /// A prompt or notice to the reader: never in a summary.
    pub boilerplate: bool,
    /// Ends with a question mark.
    pub question: bool,
    /// A question that addresses the reader ("Will you ...?"): never in a summary.
    pub reader_question: bool,
    /// Ends with an exclamation mark.
    pub exclamation: bool,
    /// Does not end with sentence punctuation (a fragment such as "According to X,").
    pub unterminated: bool,
    /// Opens with a connective that refers back ("However, ...").
    pub dangling: bool,
}

/// The phrase automata, built once: one anchored at the start of a sentence (caption openers,
/// then connectives), one for anywhere (credits, then boilerplate), one for agency tags.
#[derive(Debug, Clone)]
pub struct Signals {
    openers: AhoCorasick,
    anywhere: AhoCorasick,
    agency: AhoCorasick,
}

/// A phrase automaton could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building the phrase matcher: {0}")]
pub struct SignalsError(#[from] aho_corasick::BuildError);

fn automaton(phrases: &[&[&str]], start: StartKind) -> Result<AhoCorasick, SignalsError> {
    Ok(AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::DFA))
        .start_kind(start)
        .build(phrases.iter().flat_map(|list| list.iter()))?)
}

impl Signals {
    /// Builds the automata.
    pub fn new() -> Result<Signals, SignalsError> {
        Ok(Signals {
            openers: automaton(&[CAPTION_PREFIXES, DANGLING_OPENERS], StartKind::Anchored)?,
            anywhere: automaton(&[CAPTION_ANYWHERE, BOILERPLATE], StartKind::Unanchored)?,
            agency: automaton(&[AGENCY_TAGS], StartKind::Unanchored)?,
        })
    }

    /// The flags of `sentence` (trimmed), which has `words` words.
    pub fn flags(&self, sentence: &str, words: usize) -> Flags {
        let opener = self
            .openers
            .find(Input::new(sentence).anchored(Anchored::Yes))
            .filter(|m| {
                m.pattern().as_usize() < CAPTION_PREFIXES.len()
                    || !sentence[m.end()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
            })
            .map(|m| m.pattern().as_usize() < CAPTION_PREFIXES.len());
        let anywhere = self
            .anywhere
            .find(sentence)
            .map(|m| m.pattern().as_usize() < CAPTION_ANYWHERE.len());
        let ending = sentence
            .trim_end_matches(|c: char| is_closing_mark(c) || c.is_whitespace())
            .chars()
            .next_back();
        let question = matches!(ending, Some('?' | '？' | '⁇' | '¿'));
        Flags {
            caption: opener == Some(true)
                || anywhere == Some(true)
                || (words <= AGENCY_TAG_MAX_WORDS && self.agency.is_match(sentence))
                || is_shouting(sentence),
            boilerplate: anywhere == Some(false),
            question,
            reader_question: question && addresses_reader(sentence),
            exclamation: matches!(ending, Some('!' | '！' | '‼')),
            unterminated: !ending.is_some_and(|c| {
                matches!(c, '.' | '?' | '!' | '…' | '。' | '！' | '？' | '｡' | '‼')
            }),
            dangling: opener == Some(false),
        }
    }
}

/// Closing quotes and brackets, skipped when looking for the final punctuation.
fn is_closing_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」' | '』' | '）'
    )
}

/// Contains "you" or "your" as a word.
fn addresses_reader(sentence: &str) -> bool {
    sentence
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("you") || w.eq_ignore_ascii_case("your"))
}

/// Mostly capital letters (at least 8 cased letters, 80 % or more upper case).
fn is_shouting(sentence: &str) -> bool {
    let bytes = sentence.as_bytes();
    let (mut upper, mut lower) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            upper += usize::from(b.is_ascii_uppercase());
            lower += usize::from(b.is_ascii_lowercase());
            i += 1;
        } else {
            let Some(c) = char_at(sentence, i) else {
                break;
            };
            if c.is_uppercase() {
                upper += 1;
            } else if c.is_lowercase() {
                lower += 1;
            }
            i += c.len_utf8();
        }
        // Even if every character left were a capital, 80 % is out of reach.
        if upper + (bytes.len() - i) < 4 * lower {
            return false;
        }
    }
    let cased = upper + lower;
    cased >= 8 && upper * 5 >= cased * 4
}

/// The bytes a quotation mark can start with: `"` and the lead bytes of U+00AB/U+00BB,
/// U+201C-U+201E and U+300C-U+300F; every other byte is passed over undecoded.
static MAY_START_QUOTE: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[0xC2] = true;
    table[0xE2] = true;
    table[0xE3] = true;
    table
};

/// Tracks whether the text is inside a quotation, sentence after sentence of one paragraph,
/// to find quotes without context: a sentence that opens inside (or with) a quotation and has
/// no attribution ("..., he said") after it closes.
#[derive(Debug, Default)]
pub struct QuoteState {
    open: bool,
}

impl QuoteState {
    /// Reads the next sentence of the paragraph; true when it is a quote without context.
    pub fn unattributed_quote(&mut self, sentence: &str) -> bool {
        let opens_quoted = self.open || sentence.starts_with(['"', '“', '«', '„', '「', '『']);
        let mut tail_start = None;
        let bytes = sentence.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if !MAY_START_QUOTE[usize::from(b)] {
                i = ascii8::skip_except(bytes, i + 1, b"\"");
                continue;
            }
            let Some(c) = char_at(sentence, i) else {
                break;
            };
            i += c.len_utf8();
            match c {
                '“' | '«' | '„' | '「' | '『' => self.open = true,
                '”' | '»' | '」' | '』' => {
                    self.open = false;
                    tail_start = Some(i);
                }
                '"' => {
                    self.open = !self.open;
                    if !self.open {
                        tail_start = Some(i);
                    }
                }
                _ => {}
            }
        }
        if !opens_quoted {
            return false;
        }
        if self.open {
            return true;
        }
        let tail = tail_start.map_or("", |t| &sentence[t..]);
        crate::words::count_words(tail) < 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(s: &str) -> Flags {
        Signals::new()
            .unwrap()
            .flags(s, crate::words::count_words(s))
    }

    #[test]
    fn captions_and_credits() {
        assert!(flags("Photo: Vietnamese leaders meet in Hanoi.").caption);
        assert!(flags("File photo of the summit in Hanoi on Sunday.").caption);
        assert!(flags("Ảnh: Lãnh đạo hai nước gặp nhau tại Hà Nội.").caption);
        assert!(flags("Leaders meet in Hanoi. (AP Photo/Andrew Harnik)").caption);
        assert!(flags("The summit in Hanoi. Getty Images").caption);
        assert!(flags("HANOI (Reuters) -").caption);
        assert!(!flags("The summit went well, officials in Hanoi said on Sunday.").caption);
    }

    #[test]
    fn a_wire_lead_with_an_agency_tag_is_not_a_caption() {
        let lead = "HANOI (Reuters) - Vietnam and the United States signed a broad partnership \
                    deal on Sunday, officials said.";
        assert!(!flags(lead).caption);
    }

    #[test]
    fn shouting_is_a_caption() {
        assert!(flags("BREAKING NEWS FROM HANOI TONIGHT").caption);
        assert!(!flags("The U.S. and the EU met NATO officials.").caption);
    }

    #[test]
    fn boilerplate_prompts() {
        for s in [
            "Subscribe to our newsletter for more.",
            "Click the share button above to email this article.",
            "We use cookies to improve your experience.",
            "Copyright 2023 Global Research.",
        ] {
            assert!(flags(s).boilerplate, "{s}");
        }
        assert!(!flags("The service now has five million subscribers.").boilerplate);
    }

    #[test]
    fn endings() {
        assert!(flags("Can Vietnam do this?").question);
        assert!(!flags("Can Vietnam do this?").reader_question);
        assert!(flags("Have you read your rights?").reader_question);
        assert!(!flags("Have youths read it?").reader_question);
        assert!(flags("\"Is it over?\"").question);
        assert!(flags("What a day!").exclamation);
        assert!(flags("According to Le Hong Hiep from the institute,").unterminated);
        assert!(!flags("It ended.”").unterminated);
    }

    #[test]
    fn dangling_connectives() {
        assert!(flags("However, the deal held.").dangling);
        assert!(flags("But it is more than that.").dangling);
        assert!(!flags("Butter prices rose.").dangling);
    }

    #[test]
    fn quotes_without_context() {
        let mut q = QuoteState::default();
        assert!(q.unattributed_quote("\"I think we think too much in terms of Cold War."));
        assert!(q.unattributed_quote("It's not about that."));
        assert!(!q.unattributed_quote("It's about growth,\" Biden said."));
        assert!(!q.unattributed_quote("Something else happened."));
        let mut q = QuoteState::default();
        assert!(!q.unattributed_quote("“We lost,” the minister told reporters."));
        assert!(q.unattributed_quote("“We lost.”"));
        assert!(!q.unattributed_quote("He said “no” twice."));
    }
}
