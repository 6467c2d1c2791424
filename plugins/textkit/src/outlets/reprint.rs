//! The reprint site (a Vietnam-news aggregator reprinting Asia Times and others): optional site
//! name above the title, a "Print Friendly, PDF & Email" widget, a standfirst, then the text,
//! a closing "By AUTHOR – OUTLET – DATE" credit, a "Translate / Dịch" widget and a French
//! cookie banner.

use crate::cleaner::{Block, Cleaner, Note};
use crate::config::Family;
use crate::error::BuildError;
use crate::extract::Extraction;
use crate::outlet::{OutletRules, Signal};

use super::{punctuated, text_indices};

/// The reprint-site rules.
#[derive(Debug)]
pub struct Reprint {
    signals: Vec<Signal>,
}

impl OutletRules for Reprint {
    const NAME: &'static str = "outlet-reprint";
    const MIN_SIGNALS: usize = 2;

    fn build() -> Result<Self, BuildError> {
        Ok(Reprint {
            signals: vec![
                Signal::new("print widget", r"^Print Friendly, PDF & Email\s*$")?
                    .needing(&["friendly,"]),
                Signal::new("translate widget", r"^Translate\s*/\s*Dịch\s*$")?
                    // Not "translate": the prefilter's literal search stops at every
                    // occurrence of a needle's first three letters ("tra" in "trade").
                    .needing(&["nslate"]),
                Signal::new(
                    "french cookie banner",
                    r"^En poursuivant la visite de ce site",
                )?
                .needing(&["poursuivant"]),
                Signal::new(
                    "reprint credit",
                    r"^By [^\n]+ [–—] [^\n]+ [–—] [^\n]*\d{4}\s*$",
                )?
                .needing(&["–", "—"])
                .checked(credit_lengths),
            ],
        })
    }

    fn signals(&self) -> &[Signal] {
        &self.signals
    }

    fn apply(&self, cleaner: &Cleaner, blocks: &[Block]) -> Extraction {
        let notes: Vec<Note> = blocks.iter().map(|b| cleaner.note(b)).collect();
        let mut ex = Extraction::default();
        let widget = notes
            .iter()
            .position(|n| *n == Note::Boilerplate(Some(Family::Widget)))
            .filter(|&w| w < blocks.len() / 2)
            .unwrap_or(0);
        // Above the print widget: the site name (a short line) and the title.
        let head: Vec<usize> = text_indices(&notes[..widget]).collect();
        match head.as_slice() {
            [site, title, ..] if blocks[*site].text.split_whitespace().count() <= 4 => {
                ex.site = Some(blocks[*site].text.clone());
                ex.title = Some(blocks[*title].text.clone());
            }
            [title, ..] => ex.title = Some(blocks[*title].text.clone()),
            [] => {}
        }
        // The closing credit: the last byline that names an outlet.
        let credit = (widget..blocks.len())
            .rev()
            .find(|&i| matches!(&notes[i], Note::Byline(b) if b.outlet.is_some()))
            .unwrap_or(blocks.len());
        if let Some(Note::Byline(b)) = notes.get(credit) {
            ex.authors.clone_from(&b.authors);
            ex.original_source.clone_from(&b.outlet);
            ex.published.clone_from(&b.date);
        }
        let mut body_start = if widget == 0 {
            head.first().map_or(0, |t| t + 1)
        } else {
            widget + 1
        };
        // An unpunctuated line right after the widget is the standfirst.
        if let Some(first) = text_indices(&notes[body_start..credit])
            .next()
            .map(|i| i + body_start)
        {
            if !punctuated(&blocks[first]) && blocks[first].text.split_whitespace().count() >= 6 {
                ex.subtitle = Some(blocks[first].text.clone());
                body_start = first + 1;
            }
        }
        let body = body_start.min(credit)..credit;
        ex.paragraphs = cleaner.body_noted(&blocks[body.clone()], &notes[body]);
        ex.dateline = cleaner.take_dateline(&mut ex.paragraphs);
        ex
    }
}

/// The lengths of `^By [^\n]{3,80} [–—] [^\n]{2,60} [–—] [^\n]*\d{4}\s*$` on a match of its
/// loose form (`+` for the counts), whose first line is the credit: some pair of " – "
/// separators leaves 3 to 80 characters for the names, 2 to 60 for the outlet and the year
/// after the second. The counted form compiles to 1,400 NFA states (4,900 reversed).
fn credit_lengths(found: &str) -> bool {
    let line = found.split('\n').next().unwrap_or(found).trim_end();
    // After "By " (three ASCII bytes however they are cased), up to the year's last digit.
    let chars: Vec<char> = line.chars().skip(3).collect();
    let separators: Vec<usize> = chars
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w[0] == ' ' && matches!(w[1], '–' | '—') && w[2] == ' ')
        .map(|(i, _)| i)
        .collect();
    separators.iter().any(|&first| {
        (3..=80).contains(&first)
            && separators.iter().any(|&second| {
                second >= first + 3
                    && (2..=60).contains(&(second - first - 3))
                    && chars.len() >= second + 3 + 4
            })
    })
}
