//! Byline parsing: "By X", "By X and Y – Outlet – Date", "Articles by: X", "X, staff writer",
//! "Written by X", "Par X", "Von X", "Reporting by X; Editing by Y".

use regex::Regex;

use crate::dates::DateParser;
use crate::error::{BuildError, LineRegex, regex};

/// What a byline line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Byline {
    /// Author names, in order.
    pub authors: Vec<String>,
    /// The outlet named in the byline ("By X – Asia Times – ..."), if any.
    pub outlet: Option<String>,
    /// The date in the byline (ISO 8601), if any.
    pub date: Option<String>,
}

/// The compiled byline recogniser.
#[derive(Debug)]
pub struct BylineParser {
    prefixed: LineRegex,
    role_suffix: LineRegex,
    name: LineRegex,
    name_split: Regex,
    part_split: Regex,
}

/// Words that start a sentence after "By" and are never part of a name.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "the", "contrast", "comparison", "then", "now", "far", "law", "default", "design", "way",
    "email", "phone", "staff", "agency", "our", "this", "that", "all", "some", "mid", "late",
    "early", "virtue", "means", "chance", "accident", "night", "day",
];

impl BylineParser {
    /// Compiles the patterns.
    pub fn new() -> Result<Self, BuildError> {
        Ok(BylineParser {
            prefixed: LineRegex::new(
                r"^(?:by|par|von|por|di|door|av|af|articles by|posts by|stories by|more by|written by|words by|story by|text by|reporting by|reported by|author|authors|auteur|autor|autore|autores)\b\s*:?\s*(.+)$",
                true,
            )?,
            role_suffix: LineRegex::new(
                r"^(.+?),\s*(?:an?\s+|our\s+)?(?:senior\s+|chief\s+|special\s+|foreign\s+|contributing\s+|freelance\s+)?(?:staff writer|staff reporter|writer|reporter|correspondent|contributor|columnist|editor|journalist|analyst)\b[^.]*$",
                true,
            )?,
            // At most five words, as `is_name` checks before matching; `*` rather than the
            // `{0,4}` that says so spares the automaton four copies of `\p{Lu}` and `\p{L}`.
            name: LineRegex::new(
                r"^(?:(?:\p{Lu}[\p{L}'’\-]*\.?|\p{Lu}\.|de|da|del|della|der|den|van|von|bin|binti|al|el|la|le|du|dos|das|di|ter|y)\s+)*\p{Lu}[\p{L}'’\-]*\.?$",
                false,
            )?,
            name_split: regex(r"\s*,\s*(?:and\s+)?|\s+(?:and|und|et|y|e|en)\s+|\s*&\s*")?,
            part_split: regex(r"\s+[–—\-|·•]\s+|\s*\|\s*")?,
        })
    }

    /// Parses a line as a byline; `None` when it is not one.
    pub fn parse(&self, line: &str, dates: &DateParser) -> Option<Byline> {
        if line.split_whitespace().count() > 20 {
            return None;
        }
        if let Some(caps) = self.prefixed.captures(line) {
            let rest = caps.get(1).map_or("", |m| m.as_str());
            let rest = rest.split(';').next().unwrap_or(rest);
            return self.parts(rest, dates);
        }
        if let Some(caps) = self.role_suffix.captures(line) {
            let names = self.names(caps.get(1).map_or("", |m| m.as_str()))?;
            return Some(Byline {
                authors: names,
                ..Byline::default()
            });
        }
        None
    }

    /// "Names – Outlet – Date" after the "By".
    fn parts(&self, rest: &str, dates: &DateParser) -> Option<Byline> {
        let mut parts = self.part_split.split(rest.trim());
        let names = parts.next().unwrap_or("");
        // "By X, Asia Times, July 7, 2022": a date glued to the names with a comma.
        let (names, glued_date) = match dates.find(names) {
            Some(d) => (
                names[..d.range.start].trim_end_matches([',', ' ']),
                Some(d.iso),
            ),
            None => (names, None),
        };
        let mut byline = Byline {
            authors: Vec::new(),
            outlet: None,
            date: glued_date,
        };
        byline.authors = match self.names(names) {
            Some(n) => n,
            None => {
                // "By X, Outlet": the last comma part may be the outlet.
                let (n, outlet) = names.rsplit_once(',')?;
                byline.outlet = Some(outlet.trim().to_owned());
                self.names(n)?
            }
        };
        for part in parts {
            let part = part.trim();
            if let Some(d) = dates.find(part) {
                byline.date.get_or_insert(d.iso);
                let before = part[..d.range.start].trim_end_matches([',', ' ']);
                if !before.is_empty() && byline.outlet.is_none() && is_outlet_like(before) {
                    byline.outlet = Some(before.to_owned());
                }
            } else if byline.outlet.is_none() && is_outlet_like(part) {
                byline.outlet = Some(part.to_owned());
            }
        }
        Some(byline)
    }

    /// Splits and validates a list of names; `None` if any part is not a name.
    pub fn names(&self, text: &str) -> Option<Vec<String>> {
        let text = text.trim().trim_end_matches(['.', ':', ',']);
        let mut names = Vec::new();
        for part in self.name_split.split(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if !self.is_name(part) {
                return None;
            }
            names.push(part.to_owned());
        }
        (!names.is_empty()).then_some(names)
    }

    /// True for "Drago Bosnic", "Nguyen Thi Minh Anh", "J. R. Smith", "Maria de la Cruz".
    pub fn is_name(&self, text: &str) -> bool {
        let words: Vec<&str> = text.split_whitespace().collect();
        // Five words at most: the `name` pattern relies on it.
        words.len() >= 2
            && words.len() <= 5
            && self.name.is_match(text)
            && !words
                .iter()
                .any(|w| NOT_NAMES.contains(&w.to_lowercase().as_str()))
            && words
                .iter()
                .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
    }
}

/// A short capitalised phrase without sentence punctuation: "Asia Times", "Reuters".
fn is_outlet_like(text: &str) -> bool {
    let words = text.split_whitespace().count();
    (1..=6).contains(&words)
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
        && !text.contains(['.', '!', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DateOrder;
    use crate::error::regex_cs;

    fn parse(line: &str) -> Option<Byline> {
        let dates = DateParser::new(DateOrder::Dmy).unwrap();
        BylineParser::new().unwrap().parse(line, &dates)
    }

    #[test]
    fn uncounted_name_pattern_agrees_on_five_words_or_fewer() {
        let counted = regex_cs(
            r"^(?:(?:\p{Lu}[\p{L}'’\-]*\.?|\p{Lu}\.|de|da|del|della|der|den|van|von|bin|binti|al|el|la|le|du|dos|das|di|ter|y)\s+){0,4}\p{Lu}[\p{L}'’\-]*\.?$",
        )
        .unwrap();
        let parser = BylineParser::new().unwrap();
        const PIECES: &[&str] = &[
            "Jane", "Jane", "ÉLODIE", "J.", "van", "de", "o'", "x", " ", "  ", "\n", "-",
        ];
        let mut next = crate::testing::seeded_below(5_u64);
        let mut names = 0;
        for _ in 0..50_000 {
            let mut text = String::new();
            for _ in 0..next(8) {
                text.push_str(PIECES[next(PIECES.len())]);
                text.push_str(PIECES[next(PIECES.len())]);
                text.push_str([" ", "\n", ""][next(3)]);
            }
            let words = text.split_whitespace().count();
            if (2..=5).contains(&words) {
                let expected = counted.is_match(&text);
                assert_eq!(parser.name.is_match(&text), expected, "{text:?}");
                names += usize::from(expected);
            }
        }
        assert!(names > 1000, "{names}");
        // Six words: only the word count keeps the uncounted pattern from a match.
        let six = "Ann Bo Cy Di Ed Fay";
        assert!(!counted.is_match(six) && parser.name.is_match(six));
        assert!(!parser.is_name(six));
    }

    #[test]
    fn simple_and_multiple_authors() {
        assert_eq!(parse("By Drago Bosnic").unwrap().authors, ["Drago Bosnic"]);
        assert_eq!(
            parse("By Jane Doe and John Smith").unwrap().authors,
            ["Jane Doe", "John Smith"]
        );
        assert_eq!(
            parse("Articles by: Anton Tsvetov").unwrap().authors,
            ["Anton Tsvetov"]
        );
        assert_eq!(
            parse("Written by Maria de la Cruz").unwrap().authors,
            ["Maria de la Cruz"]
        );
        assert_eq!(
            parse("Par Jean-Luc Martin").unwrap().authors,
            ["Jean-Luc Martin"]
        );
    }

    #[test]
    fn outlet_and_date() {
        let b = parse("By Nate Fischler – Asia Times – July 7, 2022").unwrap();
        assert_eq!(b.authors, ["Nate Fischler"]);
        assert_eq!(b.outlet.as_deref(), Some("Asia Times"));
        assert_eq!(b.date.as_deref(), Some("2022-07-07"));
        let b = parse("By Tran Van Minh | 27 May 2016").unwrap();
        assert_eq!(b.authors, ["Tran Van Minh"]);
        assert_eq!(b.date.as_deref(), Some("2016-05-27"));
    }

    #[test]
    fn role_suffix_and_reuters_credit() {
        assert_eq!(
            parse("Le Thu Ha, staff writer").unwrap().authors,
            ["Le Thu Ha"]
        );
        assert_eq!(
            parse("Reporting by Khanh Vu; Editing by Ed Davies")
                .unwrap()
                .authors,
            ["Khanh Vu"]
        );
    }

    #[test]
    fn sentences_are_not_bylines() {
        assert_eq!(parse("By contrast, the embargo was lifted."), None);
        assert_eq!(parse("By the end of the year, trade had doubled."), None);
        assert_eq!(parse("By 2030 the partnership expires"), None);
        assert_eq!(parse("Vietnam, a nation that has resisted invasions"), None);
    }
}
