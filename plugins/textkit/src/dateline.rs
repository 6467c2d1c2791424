//! Datelines at the head of a story: "HANOI –", "WASHINGTON (AP) —", "BANGKOK, Sept. 9
//! (Reuters) -", "HO CHI MINH CITY, Vietnam –", "Hanoi (VNA) –".

use regex::{Captures, Regex};

use crate::error::{BuildError, LazyRegex, regex_cs};

/// An upper-case dateline: "HANOI –", "HO CHI MINH CITY, Vietnam –", "BANGKOK, Sept. 9
/// (Reuters) -". Group 1 is the place.
const UPPER: &str = r"^(\p{Lu}[\p{Lu}.'’\-]*(?:\s+\p{Lu}[\p{Lu}.'’\-]*){0,3})(?:,\s*[\p{L}.]+(?:\s+[\p{L}.]+){0,2})?(?:,\s*[\p{L}.]+\s+\d{1,2})?\s*(?:\([\p{L}\s.]{2,20}\))?\s*[–—-]{1,2}\s+";

/// The agency in [`UPPER`]: 20 copies of `\p{L}`, two thirds of its 8,000 NFA states (36,000
/// reversed) and of its match cache.
const COUNTED_AGENCY: &str = r"(?:\([\p{L}\s.]{2,20}\))?";

/// The agency uncounted, captured (group 2) to check its length.
const LOOSE_AGENCY: &str = r"(?:\(([\p{L}\s.]+)\))?";

/// Capitalised openings that are organisations, not places.
const NOT_PLACES: &[&str] = &[
    "ASEAN", "NATO", "US", "USA", "UN", "EU", "IMF", "WHO", "CPV", "BRICS", "OPEC", "WTO", "NGO",
    "I", "A", "AI",
];

/// A dateline found at the start of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateline {
    /// The place, in title case ("Hanoi", "Ho Chi Minh City").
    pub place: String,
    /// Byte offset where the story text starts after the dateline.
    pub text_start: usize,
}

/// The compiled dateline recogniser.
#[derive(Debug)]
pub struct DatelineParser {
    /// [`UPPER`] with [`LOOSE_AGENCY`].
    upper: Regex,
    /// [`UPPER`] itself, compiled the first time the loose form's match takes an agency of the
    /// wrong length (`None` if it failed to compile, which a test rules out).
    upper_counted: LazyRegex,
    agency: Regex,
}

impl DatelineParser {
    /// Compiles the patterns.
    pub fn new() -> Result<Self, BuildError> {
        Ok(DatelineParser {
            upper: regex_cs(&UPPER.replace(COUNTED_AGENCY, LOOSE_AGENCY))?,
            upper_counted: LazyRegex::new(UPPER, false, true),
            agency: regex_cs(
                r"^(\p{Lu}[\p{Ll}]+(?:\s+\p{Lu}[\p{Ll}]+){0,3})(?:,\s*[\p{L}.]+\s+\d{1,2})?\s*\((?:AP|AFP|Reuters|Xinhua|VNA|UPI|dpa|Bernama|Kyodo|Yonhap|Antara|ANI|PTI|IANS|TASS|RIA|EFE|ANSA|Anadolu|Bloomberg)\)\s*[–—-]{1,2}\s+",
            )?,
        })
    }

    /// Finds a dateline at the start of `paragraph`.
    pub fn find(&self, paragraph: &str) -> Option<Dateline> {
        let caps = self
            .upper(paragraph)
            .filter(|c| {
                c.get(1)
                    .is_some_and(|m| m.as_str().chars().filter(|c| c.is_alphabetic()).count() >= 3)
            })
            .or_else(|| self.agency.captures(paragraph))?;
        let place = caps.get(1)?.as_str();
        if NOT_PLACES.contains(&place) {
            return None;
        }
        let text_start = caps.get(0)?.end();
        if text_start >= paragraph.len() {
            return None;
        }
        Some(Dateline {
            place: title_case(place),
            text_start,
        })
    }

    /// What [`UPPER`] captures in `paragraph`. The loose form matches wherever [`UPPER`] does,
    /// and its paths are [`UPPER`]'s plus those with an agency of 1 or over 20 characters:
    /// when its chosen match has no such agency, it is [`UPPER`]'s.
    fn upper<'t>(&self, paragraph: &'t str) -> Option<Captures<'t>> {
        let caps = self.upper.captures(paragraph)?;
        let agency = caps.get(2).map_or(2, |m| m.as_str().chars().count());
        if (2..=20).contains(&agency) {
            return Some(caps);
        }
        self.upper_counted.get()?.captures(paragraph)
    }
}

/// "HO CHI MINH CITY" -> "Ho Chi Minh City"; mixed-case input is kept.
fn title_case(place: &str) -> String {
    if place.chars().any(char::is_lowercase) {
        return place.to_owned();
    }
    place
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut out = String::new();
            let mut start = true;
            for c in w.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                start = matches!(c, '-' | '.' | '\'' | '’');
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(p: &str) -> Option<(String, String)> {
        let d = DatelineParser::new().unwrap().find(p)?;
        Some((d.place, p[d.text_start..].to_owned()))
    }

    #[test]
    fn wire_datelines() {
        assert_eq!(
            find("HANOI – As President Joe Biden arrives"),
            Some(("Hanoi".into(), "As President Joe Biden arrives".into()))
        );
        assert_eq!(
            find("WASHINGTON (AP) — The Senate voted").unwrap().0,
            "Washington"
        );
        assert_eq!(
            find("BANGKOK, Sept. 9 (Reuters) - Thailand's").unwrap().0,
            "Bangkok"
        );
        assert_eq!(
            find("HO CHI MINH CITY, Vietnam – Traders").unwrap().0,
            "Ho Chi Minh City"
        );
        assert_eq!(
            find("Hanoi (VNA) – The National Assembly").unwrap().0,
            "Hanoi"
        );
    }

    #[test]
    fn loose_agency_finds_what_the_counted_one_does() {
        assert!(UPPER.contains(COUNTED_AGENCY));
        let parser = DatelineParser::new().unwrap();
        let counted = regex_cs(UPPER).unwrap();
        const PIECES: &[&str] = &[
            "HANOI",
            "HÀ NỘI",
            " ",
            "(",
            ")",
            "A",
            "é",
            ".",
            " – ",
            " - ",
            "--",
            ", ",
            "Sept. 9",
            "x",
            "\n",
        ];
        let mut next = crate::testing::seeded_below(11_u64);
        let mut long_agencies = 0;
        for _ in 0..50_000 {
            let mut text = String::new();
            for _ in 0..next(12) {
                if next(4) == 0 {
                    text.push_str(&format!(" ({}) – ", "Ab ".repeat(next(9))));
                } else if next(4) == 0 {
                    text.push_str(&"Ab".repeat(next(14)));
                } else {
                    text.push_str(PIECES[next(PIECES.len())]);
                }
            }
            let expected = counted.captures(&text);
            let found = parser.upper(&text);
            let spans = |c: Option<Captures<'_>>| {
                c.map(|c| (c.get(0).map(|m| m.range()), c.get(1).map(|m| m.range())))
            };
            long_agencies += usize::from(
                parser
                    .upper
                    .captures(&text)
                    .is_some_and(|c| c.get(2).is_some_and(|m| m.as_str().chars().count() > 20)),
            );
            assert_eq!(spans(found), spans(expected), "{text:?}");
        }
        assert!(long_agencies > 10, "{long_agencies}");
    }

    #[test]
    fn ordinary_openings_are_not_datelines() {
        assert_eq!(find("US President Joe Biden has reached deals"), None);
        assert_eq!(find("Vietnam and Laos – the latter being a country"), None);
        assert_eq!(find("ASEAN – the bloc – said"), None);
        assert_eq!(find("I - for one - disagree"), None);
    }
}
