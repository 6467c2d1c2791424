//! Datelines at the head of a story: "HANOI –", "WASHINGTON (AP) —", "BANGKOK, Sept. 9
//! (Reuters) -", "HO CHI MINH CITY, Vietnam –", "Hanoi (VNA) –".

use regex::Regex;

use crate::error::{BuildError, regex_cs};

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
    upper: Regex,
    agency: Regex,
}

impl DatelineParser {
    /// Compiles the patterns.
    pub fn new() -> Result<Self, BuildError> {
        Ok(DatelineParser {
            upper: regex_cs(
                r"^(\p{Lu}[\p{Lu}.'’\-]*(?:\s+\p{Lu}[\p{Lu}.'’\-]*){0,3})(?:,\s*[\p{L}.]+(?:\s+[\p{L}.]+){0,2})?(?:,\s*[\p{L}.]+\s+\d{1,2})?\s*(?:\([\p{L}\s.]{2,20}\))?\s*[–—-]{1,2}\s+",
            )?,
            agency: regex_cs(
                r"^(\p{Lu}[\p{Ll}]+(?:\s+\p{Lu}[\p{Ll}]+){0,3})(?:,\s*[\p{L}.]+\s+\d{1,2})?\s*\((?:AP|AFP|Reuters|Xinhua|VNA|UPI|dpa|Bernama|Kyodo|Yonhap|Antara|ANI|PTI|IANS|TASS|RIA|EFE|ANSA|Anadolu|Bloomberg)\)\s*[–—-]{1,2}\s+",
            )?,
        })
    }

    /// Finds a dateline at the start of `paragraph`.
    pub fn find(&self, paragraph: &str) -> Option<Dateline> {
        let caps = self
            .upper
            .captures(paragraph)
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
    fn ordinary_openings_are_not_datelines() {
        assert_eq!(find("US President Joe Biden has reached deals"), None);
        assert_eq!(find("Vietnam and Laos – the latter being a country"), None);
        assert_eq!(find("ASEAN – the bloc – said"), None);
        assert_eq!(find("I - for one - disagree"), None);
    }
}
