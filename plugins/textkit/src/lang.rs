//! Language identification of the body with whatlang, reported as an ISO 639-1 code.

use whatlang::Lang;

/// Bytes of text the detector reads: a few paragraphs decide the language as well as the
/// whole article, at a fraction of the cost.
const SAMPLE_BYTES: usize = 1500;

/// Fewest words a sample needs before [`clearly_english`] may answer for whatlang.
const SHORTCUT_MIN_WORDS: usize = 120;

/// Least share, in per mille of the sample's words, of [`is_english_marker`] words that
/// makes a sample clearly English. On the `lang_eval` set: 104-246 in the generated news
/// articles, at most 19 in the gettext translations into other languages.
const SHORTCUT_MIN_MARKERS_PER_MILLE: usize = 80;

/// Most letters outside ASCII, in per mille of all letters, in a clearly English sample.
const SHORTCUT_MAX_NON_ASCII_PER_MILLE: usize = 10;

/// Detects the language of `text`; `None` when the text is too short or the guess too weak.
///
/// Text that is [`clearly_english`] is English without asking whatlang (whose trigram
/// scoring of every Latin-script language is most of the cost); anything else goes to
/// [`detect_whatlang`]. `cargo run --release -p textkit --example lang_eval -- FILE.jsonl`
/// measures how often the two differ.
pub fn detect(text: &str, min_confidence: f64) -> Option<&'static str> {
    let sample = sample(text);
    if clearly_english(sample) {
        return Some("en");
    }
    detect_sample(sample, min_confidence)
}

/// [`detect`] without the English shortcut: whatlang's answer on the same sample.
pub fn detect_whatlang(text: &str, min_confidence: f64) -> Option<&'static str> {
    detect_sample(sample(text), min_confidence)
}

/// The part of `text` the detection looks at: its first [`SAMPLE_BYTES`], cut at a character
/// boundary.
pub fn sample(text: &str) -> &str {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// whatlang's language of `sample`, when it has 20 letters and the guess is confident.
fn detect_sample(sample: &str, min_confidence: f64) -> Option<&'static str> {
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return None;
    }
    let info = whatlang::detect(sample)?;
    (info.confidence() >= min_confidence || info.is_reliable()).then(|| iso639_1(info.lang()))?
}

/// True when `sample` is long, written in ASCII letters, and full of English function
/// words that other languages do not use, in both its halves (so an English paragraph
/// before text of another language is not enough): whatlang then says English with full
/// confidence.
pub fn clearly_english(sample: &str) -> bool {
    let half = sample.len() / 2;
    let mut halves = [Tally::default(), Tally::default()];
    // The current word's first letters, lowercased (markers have 3 to 5 letters).
    let mut word = [0u8; 5];
    let mut len = 0usize;
    let mut plain = true;
    for (at, c) in sample.char_indices() {
        let tally = &mut halves[usize::from(at >= half)];
        if c.is_ascii_alphabetic() {
            tally.ascii_letters += 1;
            if len < word.len() {
                word[len] = c.to_ascii_lowercase() as u8;
            }
            len += 1;
        } else if !c.is_ascii() && c.is_alphabetic() {
            tally.other_letters += 1;
            plain = false;
            len += 1;
        } else {
            tally.end_word(&word, len, plain);
            len = 0;
            plain = true;
        }
    }
    halves[1].end_word(&word, len, plain);
    halves.iter().all(|h| h.is_english(SHORTCUT_MIN_WORDS / 2))
}

/// Words, marker words and letters in one half of a sample.
#[derive(Debug, Default)]
struct Tally {
    words: usize,
    markers: usize,
    ascii_letters: usize,
    other_letters: usize,
}

impl Tally {
    /// Counts the word that just ended (`len` letters, the first of them in `word`).
    fn end_word(&mut self, word: &[u8; 5], len: usize, plain: bool) {
        if len > 0 {
            self.words += 1;
            if plain && len <= word.len() && is_english_marker(&word[..len]) {
                self.markers += 1;
            }
        }
    }

    fn is_english(&self, min_words: usize) -> bool {
        let letters = self.ascii_letters + self.other_letters;
        self.words >= min_words
            && self.markers * 1000 >= SHORTCUT_MIN_MARKERS_PER_MILLE * self.words
            && self.other_letters * 1000 <= SHORTCUT_MAX_NON_ASCII_PER_MILLE * letters
    }
}

/// Frequent English words that are not words of another Latin-script language whatlang
/// knows ("of" is Dutch, "is" Dutch, "to" Polish and Czech, "was" German: left out).
fn is_english_marker(word: &[u8]) -> bool {
    matches!(
        word,
        b"the"
            | b"and"
            | b"that"
            | b"with"
            | b"which"
            | b"this"
            | b"from"
            | b"have"
            | b"has"
            | b"been"
            | b"were"
            | b"would"
            | b"their"
            | b"they"
            | b"said"
            | b"will"
    )
}

/// ISO 639-1 code of a whatlang language (the 639-3 code when there is no two-letter one).
fn iso639_1(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages() {
        assert_eq!(
            detect(
                "The Vietnamese government announced a new trade agreement with its neighbours on Monday.",
                0.1
            ),
            Some("en")
        );
        assert_eq!(
            detect(
                "Le gouvernement vietnamien a annoncé lundi un nouvel accord commercial avec ses voisins.",
                0.1
            ),
            Some("fr")
        );
        assert_eq!(
            detect(
                "Die vietnamesische Regierung hat am Montag ein neues Handelsabkommen mit ihren Nachbarn angekündigt.",
                0.1
            ),
            Some("de")
        );
        assert_eq!(
            detect(
                "Chính phủ Việt Nam đã công bố một hiệp định thương mại mới với các nước láng giềng.",
                0.1
            ),
            Some("vi")
        );
    }

    /// About 1,000 bytes of English news prose.
    fn english() -> String {
        "The government said on Monday that the new trade agreement with its neighbours would \
         take effect next year, and that officials from both sides have been working on the \
         details since the talks in March. The ministry said the deal, which covers rice, \
         seafood and electronics, will cut tariffs on most goods. Critics said the agreement \
         has been rushed and that farmers were not consulted. "
            .repeat(3)
    }

    #[test]
    fn clearly_english_needs_length_markers_and_ascii_in_both_halves() {
        let english = english();
        assert!(clearly_english(&english));
        assert_eq!(detect(&english, 0.1), Some("en"));
        assert_eq!(detect_whatlang(&english, 0.1), Some("en"));
        // Too short to skip whatlang (it still says English).
        let short = &english[..200];
        assert!(!clearly_english(short));
        assert_eq!(detect(short, 0.1), Some("en"));
        let french = "Le gouvernement a annoncé lundi que le nouvel accord commercial avec ses \
                      voisins entrerait en vigueur l'année prochaine, et que les responsables \
                      des deux pays travaillaient sur les détails depuis le mois de mars. "
            .repeat(4);
        assert!(!clearly_english(&french));
        assert_eq!(detect(&french, 0.1), Some("fr"));
        // English first, another language after: whatlang decides.
        let mixed = format!("{}{french}", &english[..600]);
        assert!(!clearly_english(sample(&mixed)));
        // Accented letters beyond a few per thousand: whatlang decides.
        let accented = english.replace("seafood", "séàfôöd");
        assert!(!clearly_english(&accented));
    }

    #[test]
    fn too_short_is_unknown() {
        assert_eq!(detect("Hi", 0.0), None);
    }
}
