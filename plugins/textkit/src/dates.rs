//! Date recognition: many written and numeric formats, in several languages, to ISO 8601.
//!
//! Recognised: `2016-05-27`, `2016/05/27`, `27/05/2016` and `27.05.2016` (day-first by
//! default, see [`DateOrder`]), `September 13, 2023`, `Sept. 9, 2023`, `Sep 9th, 2023`,
//! `27 May 2016`, `27th May, 2016`, `27. Mai 2016`, `27 de mayo de 2016`, `7 juillet 2022`,
//! with month names in English, French, German, Spanish, Italian, Portuguese and Dutch.

use rustc_hash::FxHashMap;
use std::ops::Range;

use regex::Regex;

use crate::config::DateOrder;
use crate::error::{BuildError, regex};

/// Month names and abbreviations, by month number.
#[rustfmt::skip]
const MONTHS: [&[&str]; 12] = [
    &["january", "jan", "janvier", "janv", "januar", "jän",
      "enero", "ene", "gennaio", "gen", "janeiro", "januari"],
    &["february", "feb", "février", "fevrier", "févr", "fév",
      "februar", "febrero", "febbraio", "fevereiro", "fev", "februari"],
    &["march", "mar", "mars", "märz", "marz", "marzo", "março", "marco", "maart", "mrt"],
    &["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
    &["may", "mai", "mayo", "maggio", "mag", "maio", "mei"],
    &["june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho"],
    &["july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"],
    &["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
    &["september", "sept", "sep", "septembre", "septiembre", "settembre", "set", "setembro"],
    &["october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out"],
    &["november", "nov", "novembre", "noviembre", "novembro"],
    &["december", "dec", "décembre", "decembre", "déc",
      "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro"],
];

/// A date found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// ISO 8601 calendar date, `YYYY-MM-DD`.
    pub iso: String,
    /// Byte range of the match in the searched text.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    Ymd,
    Numeric,
    MonthDayYear,
    DayMonthYear,
}

/// The compiled date recogniser.
#[derive(Debug)]
pub struct DateParser {
    patterns: Vec<(Regex, Layout)>,
    months: FxHashMap<String, u32>,
    order: DateOrder,
}

impl DateParser {
    /// Compiles the patterns for the given numeric-date order.
    pub fn new(order: DateOrder) -> Result<Self, BuildError> {
        let mut names: Vec<&str> = MONTHS.iter().flat_map(|m| m.iter().copied()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        names.dedup();
        let month = names.join("|");
        let patterns = vec![
            (
                regex(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:T|\b)")?,
                Layout::Ymd,
            ),
            (
                regex(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")?,
                Layout::Numeric,
            ),
            (
                regex(&format!(
                    r"\b({month})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
                ))?,
                Layout::MonthDayYear,
            ),
            (
                regex(&format!(
                    r"\b(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?({month})\.?,?\s+(?:de\s+)?(\d{{4}})\b"
                ))?,
                Layout::DayMonthYear,
            ),
        ];
        let mut months = FxHashMap::default();
        for (i, names) in MONTHS.iter().enumerate() {
            for name in *names {
                months.insert((*name).to_owned(), i as u32 + 1);
            }
        }
        Ok(DateParser {
            patterns,
            months,
            order,
        })
    }

    /// Finds the first valid date in `text`.
    pub fn find(&self, text: &str) -> Option<FoundDate> {
        // Every date holds numbers parsed as ASCII digits (a year at least): text without an
        // ASCII digit (most lines) has none, and no pattern need read it.
        if !has_ascii_digit(text) {
            return None;
        }
        self.find_by_patterns(text)
    }

    /// [`DateParser::find`] without the digit test: every pattern searches `text`.
    fn find_by_patterns(&self, text: &str) -> Option<FoundDate> {
        let mut best: Option<FoundDate> = None;
        for (re, layout) in &self.patterns {
            // A pattern that does not match costs no capture slots (most lines hold no date).
            if !re.is_match(text) {
                continue;
            }
            for caps in re.captures_iter(text) {
                let Some(whole) = caps.get(0) else { continue };
                if best
                    .as_ref()
                    .is_some_and(|b| b.range.start <= whole.start())
                {
                    break;
                }
                let field = |i| caps.get(i).map_or("", |m| m.as_str());
                if let Some(iso) = self.interpret(*layout, field(1), field(2), field(3)) {
                    best = Some(FoundDate {
                        iso,
                        range: whole.range(),
                    });
                    break;
                }
            }
        }
        best
    }

    /// Parses a string that is a date and little else; `None` if there is no date.
    pub fn parse(&self, text: &str) -> Option<String> {
        self.find(text).map(|d| d.iso)
    }

    fn month(&self, name: &str) -> Option<u32> {
        self.months.get(&name.to_lowercase()).copied()
    }

    fn interpret(&self, layout: Layout, a: &str, b: &str, c: &str) -> Option<String> {
        let num = |s: &str| s.parse::<u32>().ok();
        let (year, month, day) = match layout {
            Layout::Ymd => (num(a)?, num(b)?, num(c)?),
            Layout::Numeric => {
                let (x, y, year) = (num(a)?, num(b)?, num(c)?);
                let day_first = match self.order {
                    DateOrder::Dmy => y <= 12 || x > 12,
                    DateOrder::Mdy => x > 12,
                };
                if day_first {
                    (year, y, x)
                } else {
                    (year, x, y)
                }
            }
            Layout::MonthDayYear => (num(c)?, self.month(a)?, num(b)?),
            Layout::DayMonthYear => (num(c)?, self.month(b)?, num(a)?),
        };
        valid(year, month, day).then(|| format!("{year:04}-{month:02}-{day:02}"))
    }
}

/// True when `text` holds an ASCII digit (folded without an early exit, 64 bytes at a time, so
/// that it vectorises).
fn has_ascii_digit(text: &str) -> bool {
    text.as_bytes()
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |any, b| any | b.is_ascii_digit()))
}

fn valid(year: u32, month: u32, day: u32) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1800..=2200).contains(&year) && day >= 1 && day <= days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<String> {
        DateParser::new(DateOrder::Dmy).unwrap().parse(s)
    }

    #[test]
    fn english_formats() {
        assert_eq!(parse("September 13, 2023").as_deref(), Some("2023-09-13"));
        assert_eq!(parse("Sept. 9, 2023").as_deref(), Some("2023-09-09"));
        assert_eq!(parse("Sep 9th, 2023").as_deref(), Some("2023-09-09"));
        assert_eq!(parse("27 May 2016").as_deref(), Some("2016-05-27"));
        assert_eq!(parse("27th May, 2016").as_deref(), Some("2016-05-27"));
        assert_eq!(
            parse("Monday, 4 March 2024, 10:15 GMT").as_deref(),
            Some("2024-03-04")
        );
        assert_eq!(
            parse("Global Research, July 21, 2016").as_deref(),
            Some("2016-07-21")
        );
    }

    #[test]
    fn numeric_formats() {
        assert_eq!(parse("2016-05-27").as_deref(), Some("2016-05-27"));
        assert_eq!(parse("2016-05-27T08:00:00Z").as_deref(), Some("2016-05-27"));
        assert_eq!(parse("2016/5/7").as_deref(), Some("2016-05-07"));
        assert_eq!(parse("27.05.2016").as_deref(), Some("2016-05-27"));
        assert_eq!(parse("03/04/2024").as_deref(), Some("2024-04-03"));
        assert_eq!(parse("12/31/2024").as_deref(), Some("2024-12-31"));
        let us = DateParser::new(DateOrder::Mdy).unwrap();
        assert_eq!(us.parse("03/04/2024").as_deref(), Some("2024-03-04"));
    }

    #[test]
    fn other_languages() {
        assert_eq!(parse("7 juillet 2022").as_deref(), Some("2022-07-07"));
        assert_eq!(parse("27. Mai 2016").as_deref(), Some("2016-05-27"));
        assert_eq!(parse("27 de mayo de 2016").as_deref(), Some("2016-05-27"));
        assert_eq!(parse("1er février 2021").as_deref(), Some("2021-02-01"));
        assert_eq!(parse("3 maart 2020").as_deref(), Some("2020-03-03"));
    }

    #[test]
    fn invalid_dates_and_plain_numbers_are_not_dates() {
        assert_eq!(parse("February 30, 2023"), None);
        assert_eq!(parse("in 2016 the embargo"), None);
        assert_eq!(parse("US$7.1 billion"), None);
        assert_eq!(parse("May 2016"), None);
        assert_eq!(parse("February 29, 2024").as_deref(), Some("2024-02-29"));
    }

    #[test]
    fn digit_test_changes_no_answer() {
        const PIECES: &[&str] = &[
            "27 May 2016",
            "2016-05-27",
            "27/05/2016",
            "Sept. 9, 2023",
            "9 de mayo de 2016",
            "٢٠٢١-05-27",
            "27.05.٢٠٢١",
            "May ٢٠٢١",
            "27",
            "5",
            "2016",
            "٢٠٢١",
            "١٢",
            "May",
            "mai",
            "Sept.",
            "de",
            "th",
            "-",
            "/",
            ".",
            ", ",
            " ",
            "x",
            "é",
            "T",
            "\u{17f}",
        ];
        let p = DateParser::new(DateOrder::Dmy).unwrap();
        let mut next = crate::testing::seeded_below(43_u64);
        let mut dates = 0;
        for _ in 0..20_000 {
            let text: Vec<&str> = (0..next(6)).map(|_| PIECES[next(PIECES.len())]).collect();
            let text = text.join([" ", ""][next(2)]);
            let expected = p.find_by_patterns(&text);
            dates += usize::from(expected.is_some());
            assert_eq!(p.find(&text), expected, "{text:?}");
        }
        assert!(dates > 500, "{dates}");
        assert!(!has_ascii_digit("May ٢٠٢١") && has_ascii_digit(&format!("{}9", "a".repeat(130))));
    }

    #[test]
    fn finds_the_earliest_date_and_its_range() {
        let p = DateParser::new(DateOrder::Dmy).unwrap();
        let d = p
            .find("Updated 2024-01-02, first published 1 January 2024")
            .unwrap();
        assert_eq!(d.iso, "2024-01-02");
        assert_eq!(d.range, 8..18);
    }
}
