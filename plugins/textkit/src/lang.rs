//! Language identification of the body with whatlang, reported as an ISO 639-1 code.

use whatlang::Lang;

/// Bytes of text the detector reads: a few paragraphs decide the language as well as the
/// whole article, at a fraction of the cost.
const SAMPLE_BYTES: usize = 1500;

/// Detects the language of `text`; `None` when the text is too short or the guess too weak.
pub fn detect(text: &str, min_confidence: f64) -> Option<&'static str> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return None;
    }
    let info = whatlang::detect(sample)?;
    (info.confidence() >= min_confidence || info.is_reliable()).then(|| iso639_1(info.lang()))?
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

    #[test]
    fn too_short_is_unknown() {
        assert_eq!(detect("Hi", 0.0), None);
    }
}
