//! A seeded generator of realistic article files: several outlet layouts, 1–20 KB, with a
//! known share of exact duplicates (same text, other bytes) and near duplicates (edited
//! republications).

use std::fmt::Write as _;

/// A small deterministic PRNG (SplitMix64): the same seed gives the same corpus everywhere.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A random element.
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

const PEOPLE: &[&str] = &[
    "Joe Biden",
    "Xi Jinping",
    "Vladimir Putin",
    "Pham Minh Chinh",
    "Olaf Scholz",
    "Emmanuel Macron",
    "Narendra Modi",
    "Anthony Albanese",
    "Lula da Silva",
    "Cyril Ramaphosa",
    "Fumio Kishida",
    "Ursula von der Leyen",
    "Antonio Guterres",
    "Sergei Lavrov",
    "Antony Blinken",
    "Wang Yi",
    "Jacinda Ardern",
    "Recep Tayyip Erdogan",
    "Giorgia Meloni",
    "Pedro Sanchez",
];
const PLACES: &[&str] = &[
    "Vietnam",
    "China",
    "Russia",
    "the United States",
    "India",
    "Japan",
    "Germany",
    "France",
    "Brazil",
    "South Africa",
    "Indonesia",
    "Australia",
    "Turkey",
    "Italy",
    "Spain",
    "Kenya",
    "Hanoi",
    "Beijing",
    "Moscow",
    "Washington",
    "New Delhi",
    "Tokyo",
    "Berlin",
    "Paris",
    "Jakarta",
];
const ORGS: &[&str] = &[
    "ASEAN",
    "the European Union",
    "the United Nations",
    "NATO",
    "the G20",
    "the World Bank",
    "the IMF",
    "Reuters",
    "the Ministry of Finance",
    "the Central Bank",
    "the Security Council",
];
const VERBS: &[&str] = &[
    "announced",
    "rejected",
    "welcomed",
    "criticised",
    "signed",
    "proposed",
    "delayed",
    "questioned",
    "endorsed",
    "negotiated",
    "expanded",
    "postponed",
    "reviewed",
    "defended",
];
const OBJECTS: &[&str] = &[
    "a new trade agreement",
    "the arms deal",
    "a semiconductor partnership",
    "sanctions",
    "a climate package",
    "the energy pipeline",
    "an infrastructure loan",
    "the security pact",
    "a fisheries accord",
    "rare earth exports",
    "the budget plan",
    "a vaccine programme",
    "port investments",
    "the border settlement",
    "a digital tax",
    "grain shipments",
];
const CLAUSES: &[&str] = &[
    "according to officials familiar with the talks",
    "despite objections from opposition lawmakers",
    "as markets reacted cautiously",
    "after months of negotiations",
    "in a move analysts described as pragmatic",
    "while critics warned of rising debt",
    "amid growing tensions in the region",
    "a decision that surprised many observers",
    "citing concerns about supply chains",
    "in a statement released late on Tuesday",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn sentence(rng: &mut Rng) -> String {
    let subject = if rng.chance(0.5) {
        rng.pick(PEOPLE)
    } else {
        rng.pick(ORGS)
    };
    let number = rng.below(900) + 10;
    match rng.below(4) {
        0 => format!(
            "{} {} {} with {}, {}.",
            capital(subject),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(PLACES),
            rng.pick(CLAUSES)
        ),
        1 => format!(
            "The talks in {} covered {} worth ${number} million, {}.",
            rng.pick(PLACES),
            rng.pick(OBJECTS),
            rng.pick(CLAUSES)
        ),
        2 => format!(
            "\"We have {} {},\" {} told reporters in {} on day {number} of the visit.",
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(PEOPLE),
            rng.pick(PLACES)
        ),
        _ => format!(
            "Officials from {} and {} {} {} {number} times this year, {}.",
            rng.pick(PLACES),
            rng.pick(ORGS),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(CLAUSES)
        ),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn paragraph(rng: &mut Rng) -> String {
    let n = 2 + rng.below(4);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// One generated article before it is wrapped in an outlet layout.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    /// Headline.
    pub(crate) title: String,
    /// Author.
    pub(crate) author: String,
    /// Body paragraphs.
    pub(crate) paragraphs: Vec<String>,
    /// Publication date parts.
    pub(crate) date: (u32, usize, u32),
    /// Layout index.
    pub(crate) layout: usize,
}

fn article(rng: &mut Rng, target_bytes: usize) -> Article {
    let title = format!(
        "{} {} {} as {} weighs options",
        capital(rng.pick(PLACES)),
        rng.pick(VERBS),
        rng.pick(OBJECTS),
        rng.pick(ORGS)
    );
    let mut paragraphs = Vec::new();
    let mut size = 0;
    while size < target_bytes {
        let p = paragraph(rng);
        size += p.len() + 2;
        paragraphs.push(p);
    }
    Article {
        title,
        author: rng.pick(PEOPLE).to_owned(),
        paragraphs,
        date: (
            2015 + rng.below(10) as u32,
            rng.below(12),
            1 + rng.below(28) as u32,
        ),
        layout: rng.below(5),
    }
}

/// Renders an article in one of five outlet layouts.
pub(crate) fn render(a: &Article) -> String {
    let (y, m, d) = a.date;
    let month = MONTHS[m];
    let body = a.paragraphs.join("\n\n");
    let mut out = String::new();
    let _ = match a.layout {
        0 => write!(
            out,
            "\n\n# {}\n\nBy [{}](#)\n\nGlobal Research, {month} {d}, {y}\n\n[InfoBrics](#)\n\nRegion: [Asia](#)\n\nTheme: [Global Economy](#)\n\nTo receive Global Research's Daily Newsletter (selected articles), [click here](#).\n\n\\*\\*\\*\n\n{body}\n\nThe original source of this article is [InfoBrics](#)\n\nCopyright © [{}](#), [InfoBrics](#), {y}\n\n**Disclaimer:** The contents of this article are of sole responsibility of the author(s).\n",
            a.title, a.author, a.author
        ),
        1 => write!(
            out,
            "Vietnam News\n\n{}\n\nPrint Friendly, PDF & Email\n\n{body}\n\nBy {} – Asia Times – {month} {d}, {y}\n\nTranslate / Dịch\n\nEn poursuivant la visite de ce site, vous acceptez l’utilisation de traceurs (cookies).\n",
            a.title, a.author
        ),
        2 => write!(
            out,
            "{}\n\n\n{}\n\n\nTranslated by from RFA:\n",
            a.title,
            a.paragraphs.join("\n\n\n")
        ),
        3 => write!(out, "{}\n\nHANOI – {body}\n", a.title),
        _ => write!(
            out,
            "# {}\n\n*By {}, staff writer*\n\n{y}-{:02}-{d:02}\n\n{body}\n",
            a.title,
            a.author,
            m + 1
        ),
    };
    out
}

/// What a generated file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A new article.
    Original,
    /// The same text as an earlier article, with other bytes (line endings, spacing).
    ExactDuplicate,
    /// An earlier article republished with edits, another layout, a paragraph dropped.
    NearDuplicate,
}

/// A generated file.
#[derive(Debug, Clone)]
pub(crate) struct GeneratedFile {
    /// File name.
    pub(crate) name: String,
    /// Content.
    pub(crate) bytes: Vec<u8>,
    /// What it is.
    pub(crate) kind: Kind,
}

/// Generates `n` files from `seed`: ~10 % exact and ~10 % near duplicates, 1–20 KB each.
pub(crate) fn generate(n: usize, seed: u64) -> Vec<GeneratedFile> {
    let mut rng = Rng::new(seed);
    let mut originals: Vec<Article> = Vec::new();
    let mut files = Vec::with_capacity(n);
    for i in 0..n {
        let roll = rng.below(10);
        let (text, kind) = if roll == 0 && !originals.is_empty() {
            let a = &originals[rng.below(originals.len())];
            (
                render(a).replace('\n', "\r\n") + "  \r\n",
                Kind::ExactDuplicate,
            )
        } else if roll == 1 && !originals.is_empty() {
            let mut a = originals[rng.below(originals.len())].clone();
            if a.paragraphs.len() > 3 {
                let drop = rng.below(a.paragraphs.len());
                a.paragraphs.remove(drop);
            }
            let edit = rng.below(a.paragraphs.len());
            a.paragraphs[edit] = a.paragraphs[edit].replacen(" the ", " this ", 1);
            a.layout = (a.layout + 1 + rng.below(4)) % 5;
            (render(&a), Kind::NearDuplicate)
        } else {
            // 1–20 KB, weighted towards typical news lengths (3–8 KB).
            let target = 1000
                + rng.below(7000)
                + if rng.chance(0.3) {
                    rng.below(12_000)
                } else {
                    0
                };
            let a = article(&mut rng, target);
            let text = render(&a);
            originals.push(a);
            (text, Kind::Original)
        };
        files.push(GeneratedFile {
            name: format!("article-{i:07}.txt"),
            bytes: text.into_bytes(),
            kind,
        });
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_and_mix_is_right() {
        let a = generate(500, 7);
        let b = generate(500, 7);
        assert!(a.iter().zip(&b).all(|(x, y)| x.bytes == y.bytes));
        let exact = a.iter().filter(|f| f.kind == Kind::ExactDuplicate).count();
        let near = a.iter().filter(|f| f.kind == Kind::NearDuplicate).count();
        assert!((25..=80).contains(&exact), "{exact}");
        assert!((25..=80).contains(&near), "{near}");
        assert!(
            a.iter().all(|f| (900..=24_000).contains(&f.bytes.len())),
            "sizes"
        );
    }
}
