//! A deterministic, seeded generator of news-like articles with known duplicate relations.
//!
//! Articles are written from a small grammar over topic vocabularies, so that articles on the
//! same topic share many words and stock phrases ("officials said on condition of anonymity")
//! without being duplicates. Each original may get *exact* variants (same text with other
//! white space, line endings, letter case, quotes, Unicode form, or boilerplate lines) and
//! *near* variants (word edits, an editor's note or author footer, dropped or reordered
//! paragraphs). The stream is shuffled, so a variant may arrive before its original.

/// A small deterministic PRNG (splitmix64): same seed, same corpus, on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x6a09_e667_f3bc_c908)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A random element.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Shuffles in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// How an article relates to the rest of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// A new article.
    Original,
    /// The same text as another article, formatted differently.
    Exact,
    /// The same article, edited.
    Near,
}

/// One generated article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Document id (16 hex digits, like the host's).
    pub id: String,
    /// Body, paragraphs separated by blank lines.
    pub body: String,
    /// Articles with the same family are the same story (duplicates of each other).
    pub family: usize,
    /// Articles with the same text group have the same normalized body.
    pub text_group: usize,
    /// How it was made.
    pub variant: Variant,
}

struct Topic {
    nouns: &'static str,
    adjectives: &'static str,
    verbs: &'static str,
    orgs: &'static str,
    stock: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        nouns: "election ballot campaign coalition parliament vote candidate referendum party \
                minister cabinet opposition reform senate mandate constituency poll budget",
        adjectives: "disputed narrow early provisional contested landmark snap federal regional \
                     divisive sweeping rival",
        verbs: "announce approve reject delay oppose support question endorse challenge count \
                 overturn postpone certify",
        orgs: "the Electoral Commission|the Liberal Party|the National Assembly|the Supreme Court|\
               the Ministry of Interior|the Green Alliance",
        stock: &[
            "Polls opened at seven in the morning and closed at eight in the evening",
            "The opposition accused the government of using state resources for its campaign",
            "Turnout was expected to be lower than in the previous election",
            "Observers from the regional security organization said the vote was largely orderly",
        ],
    },
    Topic {
        nouns: "missile warship drone border troops treaty arsenal alliance exercise sanctions \
                frigate deployment ceasefire radar convoy garrison",
        adjectives: "naval covert strategic joint hypersonic disputed military armed tactical \
                     unmanned offensive defensive",
        verbs: "deploy purchase intercept patrol launch supply station test modernize withdraw \
                 reinforce escort",
        orgs: "the Ministry of Defense|the Pentagon|NATO|the Navy|the Coast Guard|\
               the Joint Chiefs of Staff",
        stock: &[
            "officials said on condition of anonymity because they were not authorized to speak publicly",
            "The ministry of defense said in a statement that the exercises were routine",
            "Analysts said the move could escalate tensions in the South China Sea",
            "The agreement had been under negotiation for several years",
        ],
    },
    Topic {
        nouns: "inflation rate bank market currency export tariff deficit bond investor growth \
                recession loan yield stock shares earnings",
        adjectives: "central quarterly annual sluggish volatile record foreign domestic fiscal \
                     monetary benchmark weak",
        verbs: "raise cut forecast report lower boost slow stabilize tighten ease revise \
                 attract",
        orgs: "the Central Bank|the Finance Ministry|the International Monetary Fund|\
               the World Bank|the Stock Exchange|the Treasury",
        stock: &[
            "Economists polled by the agency had expected a smaller increase",
            "The figures were released by the national statistics office on Tuesday",
            "Markets in Asia closed mostly higher after the announcement",
            "The currency weakened against the dollar in early trading",
        ],
    },
    Topic {
        nouns: "flood drought storm harvest emissions forest river heatwave wildfire coast \
                glacier reservoir crop rainfall pollution typhoon",
        adjectives: "severe seasonal coastal tropical arid renewable extreme unprecedented \
                     rural low-lying carbon toxic",
        verbs: "evacuate restore flood damage protect monitor reduce plant measure warn \
                 predict rebuild",
        orgs: "the Meteorological Agency|the Environment Ministry|the Red Cross|\
               the Disaster Management Authority|Greenpeace|the United Nations",
        stock: &[
            "Thousands of residents were moved to temporary shelters overnight",
            "Scientists have linked the rising frequency of such events to climate change",
            "Rescue teams were still searching for people reported missing",
            "The authorities warned that more heavy rain was expected later in the week",
        ],
    },
    Topic {
        nouns: "hospital vaccine outbreak patients virus clinic doctors trial vaccination \
                infections medicine nurses epidemic treatment diagnosis ward",
        adjectives: "clinical infectious public contagious experimental chronic rural \
                     emergency preventive viral medical national",
        verbs: "treat vaccinate test isolate confirm recommend approve hospitalize screen \
                 trace contain distribute",
        orgs: "the World Health Organization|the Health Ministry|Doctors Without Borders|\
               the Centers for Disease Control|the Medical Association|the National Hospital",
        stock: &[
            "Health officials urged residents to wash their hands and avoid crowded places",
            "The number of confirmed cases has doubled in the past two weeks",
            "Hospitals in the capital said they were running short of beds",
            "The vaccine was shown to be safe and effective in clinical trials",
        ],
    },
    Topic {
        nouns: "platform data startup regulator privacy chips software network users \
                algorithm satellite smartphone app cloud servers breach",
        adjectives: "digital encrypted mobile artificial online broadband semiconductor \
                     open-source quantum wireless automated secure",
        verbs: "launch acquire block regulate hack encrypt develop integrate license ban \
                 upgrade expand",
        orgs: "the Communications Authority|the Data Protection Office|\
               the Competition Commission|the Telecom Regulator|the Cyber Security Agency|\
               the Technology Ministry",
        stock: &[
            "The company did not respond to a request for comment",
            "The new rules will take effect at the beginning of next year",
            "Critics say the law gives the government too much power over the internet",
            "Shares of the company rose sharply after the announcement",
        ],
    },
];

const FIRST: &str = "Anna Ben Chen Dmitri Elena Farid Grace Hiroshi Ines Jamal Kim Lars Maria \
                     Nguyen Olga Pedro Quynh Rahul Sara Tomas Uma Victor Wei Xavier Yusuf Zara";
const LAST: &str = "Smith Tran Garcia Ivanov Müller Rossi Okafor Haddad Kowalski Santos Nakamura \
                    Larsen Dubois Novak Petrova Silva Kaya Lindqvist Moreau Haas Lê Phạm";
const PLACES: &str = "Hanoi|Hà Nội|São Paulo|Zürich|Bogotá|Kraków|Reykjavík|Nairobi|Jakarta|\
                      Manila|Ankara|Lima|Oslo|Cairo|Dhaka|Quito|Tbilisi|Montréal|Düsseldorf|Accra";
const ROLES: &str = "a spokesman|a senior analyst|the director|a professor|an adviser|\
                     a researcher|the deputy minister|a local official";
const DAYS: &str = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday";
const MONTHS: &str = "January February March April May June July August September October \
                      November December";
const GENERAL_ADJ: &str = "new major local senior former recent large small key initial final \
                           controversial significant";

fn words(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

fn items(list: &'static str) -> Vec<&'static str> {
    list.split('|').map(str::trim).collect()
}

fn past(verb: &str) -> String {
    if verb.ends_with('e') {
        format!("{verb}d")
    } else if verb.ends_with('y') && !verb.ends_with("ay") && !verb.ends_with("ey") {
        format!("{}ied", &verb[..verb.len() - 1])
    } else {
        format!("{verb}ed")
    }
}

/// Writes sentences for one topic.
struct Writer<'r> {
    rng: &'r mut Rng,
    topic: &'static Topic,
}

impl Writer<'_> {
    fn person(&mut self) -> String {
        let first = words(FIRST);
        let last = words(LAST);
        format!("{} {}", self.rng.pick(&first), self.rng.pick(&last))
    }

    fn sentence(&mut self) -> String {
        let nouns = words(self.topic.nouns);
        let mut adjs = words(self.topic.adjectives);
        adjs.extend(words(GENERAL_ADJ));
        let verbs = words(self.topic.verbs);
        let orgs = items(self.topic.orgs);
        let places = items(PLACES);
        let person = self.person();
        let r = &mut *self.rng;
        let (n1, n2, a1, a2) = (r.pick(&nouns), r.pick(&nouns), r.pick(&adjs), r.pick(&adjs));
        let (v1, v2) = (r.pick(&verbs), r.pick(&verbs));
        let (o1, o2, place) = (r.pick(&orgs), r.pick(&orgs), r.pick(&places));
        let num = r.range(2, 980);
        let day = r.pick(&words(DAYS));
        let month = r.pick(&words(MONTHS));
        let year = r.range(1990, 2024);
        let role = r.pick(&items(ROLES));
        let template = r.below(11);
        let cap = |s: &str| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        };
        match template {
            0 => format!(
                "{} {} the {a1} {n1} in {place} on {day}, {o2} said.",
                cap(o1),
                past(v1)
            ),
            1 => format!(
                "According to {o2}, the {n1} {} {num} {n2}s in {month}.",
                past(v1)
            ),
            2 => format!(
                "“We will {v1} the {n1} and {v2} our {a2} {n2},” said {person}, {role} at {o1}."
            ),
            3 => {
                format!("The {a1} {n1} comes as {o1} plans to {v1} {num} {a2} {n2}s near {place}.")
            }
            4 => format!(
                "{person} told reporters that the {n1} would {v1} the {a1} {n2} by {month}."
            ),
            5 => format!(
                "Critics argue that {o1} has {} the {n1} in {place}, a claim {o2} denies.",
                past(v1)
            ),
            6 => format!(
                "In {year}, {o1} {} a {a1} {n1} worth {num} million dollars.",
                past(v2)
            ),
            7 => format!(
                "The {n1} in {place} was {} after {o2} decided to {v2} the {a2} {n2}.",
                past(v1)
            ),
            8 => format!(
                "{person}, {role} in {place}, said the {a1} {n1} showed that {o1} could not {v1} the {n2} alone."
            ),
            _ => format!("{}.", r.pick(self.topic.stock)),
        }
    }

    fn paragraph(&mut self) -> String {
        let n = self.rng.range(2, 4);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn article(&mut self) -> Vec<String> {
        let n = self.rng.range(6, 12);
        (0..n).map(|_| self.paragraph()).collect()
    }
}

const BOILERPLATE: &[&str] = &[
    "Share this article on Facebook and Twitter",
    "© 2024 The Daily Planet. All rights reserved.",
    "Subscribe to our newsletter for the latest news.",
    "Click here to read more stories like this.",
    "Follow us on Telegram.",
];

/// Re-formats a body without changing its normalized words.
fn exact_variant(rng: &mut Rng, paragraphs: &[String]) -> String {
    let mut out: Vec<String> = paragraphs.to_vec();
    for p in &mut out {
        if rng.chance(0.3) {
            *p = p.replace(' ', "  ");
        }
        if rng.chance(0.3) {
            *p = p.replace(['“', '”'], "\"");
        }
        if rng.chance(0.2) {
            *p = p.to_uppercase();
        }
        if rng.chance(0.3) {
            // Decomposed accents (NFD) and compatibility ligatures.
            *p = p
                .replace('à', "a\u{300}")
                .replace('ü', "u\u{308}")
                .replace('é', "e\u{301}")
                .replace("fi", "ﬁ");
        }
        if rng.chance(0.2) {
            // A hard line break inside the paragraph.
            if let Some(i) = p.find(". ") {
                p.replace_range(i..i + 2, ".\n");
            }
        }
    }
    if rng.chance(0.5) {
        out.insert(0, rng.pick(BOILERPLATE).to_owned());
    }
    if rng.chance(0.5) {
        out.push(rng.pick(BOILERPLATE).to_owned());
    }
    let sep = if rng.chance(0.3) {
        "\r\n\r\n"
    } else {
        "\n\n\n"
    };
    let mut body = out.join(sep);
    if rng.chance(0.3) {
        body = format!("  \n{body}\n  ");
    }
    body
}

/// Republishes an article with small edits.
fn near_variant(rng: &mut Rng, w: &mut Writer<'_>, paragraphs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paragraphs.to_vec();
    let mut edits = 0;
    while edits == 0 {
        if rng.chance(0.5) && out.len() > 4 {
            // Drop up to a fifth of the paragraphs.
            let drops = rng.range(1, (out.len() / 5).max(1));
            for _ in 0..drops {
                let i = rng.below(out.len());
                out.remove(i);
            }
            edits += 1;
        }
        if rng.chance(0.4) {
            rng.shuffle(&mut out);
            edits += 1;
        }
        if rng.chance(0.4) {
            let place = rng.pick(&items(PLACES));
            out.insert(
                0,
                format!(
                    "Editor’s note: this story was first published by a partner outlet in {place} and is republished with permission."
                ),
            );
            edits += 1;
        }
        if rng.chance(0.4) {
            let person = w.person();
            out.push(format!(
                "{person} is a correspondent who covers politics, business and security for the agency in {}.",
                rng.pick(&items(PLACES))
            ));
            edits += 1;
        }
        if rng.chance(0.6) {
            // Small word edits: replace, delete or insert a word here and there (~3%).
            for p in &mut out {
                let mut ws: Vec<&str> = p.split(' ').collect();
                let n = ws.len() / 33;
                for _ in 0..n {
                    let i = rng.below(ws.len());
                    match rng.below(3) {
                        0 => ws[i] = "reportedly",
                        1 => {
                            ws.remove(i);
                        }
                        _ => ws.insert(i, "also"),
                    }
                    if ws.is_empty() {
                        break;
                    }
                }
                *p = ws.join(" ");
            }
            edits += 1;
        }
        if rng.chance(0.3) && !out.is_empty() {
            // Rewrite one sentence.
            let i = rng.below(out.len());
            let s = w.sentence();
            out[i] = format!("{} {s}", out[i]);
            edits += 1;
        }
    }
    out
}

/// Generates `n` articles from `seed`: about 60% originals, the rest exact and near variants.
pub fn generate(n: usize, seed: u64) -> Vec<Article> {
    let mut rng = Rng::new(seed);
    let mut writer_rng = Rng::new(seed.wrapping_mul(31).wrapping_add(1));
    let mut out: Vec<Article> = Vec::with_capacity(n + 8);
    let mut family = 0;
    let mut group = 0;
    while out.len() < n {
        let topic = &TOPICS[rng.below(TOPICS.len())];
        let mut writer = Writer {
            rng: &mut writer_rng,
            topic,
        };
        let original = writer.article();
        family += 1;
        group += 1;
        out.push(Article {
            id: format!("{:016x}", rng.next_u64()),
            body: original.join("\n\n"),
            family,
            text_group: group,
            variant: Variant::Original,
        });
        let mut texts = vec![(group, original)];
        if rng.chance(0.3) {
            for _ in 0..rng.range(1, 3) {
                let base = texts[rng.below(texts.len())].1.clone();
                let near = near_variant(&mut rng, &mut writer, &base);
                // Edits can cancel out, or two variants make the same edit: then the texts
                // are the same, and the truth is an exact duplicate.
                let same = texts.iter().find(|(_, t)| *t == near).map(|(g, _)| *g);
                let (text_group, variant) = match same {
                    Some(g) => (g, Variant::Exact),
                    None => {
                        group += 1;
                        (group, Variant::Near)
                    }
                };
                out.push(Article {
                    id: format!("{:016x}", rng.next_u64()),
                    body: near.join("\n\n"),
                    family,
                    text_group,
                    variant,
                });
                if same.is_none() {
                    texts.push((group, near));
                }
            }
        }
        if rng.chance(0.2) {
            for _ in 0..rng.range(1, 2) {
                let (g, base) = &texts[rng.below(texts.len())];
                out.push(Article {
                    id: format!("{:016x}", rng.next_u64()),
                    body: exact_variant(&mut rng, base),
                    family,
                    text_group: *g,
                    variant: Variant::Exact,
                });
            }
        }
    }
    out.truncate(n);
    rng.shuffle(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sized() {
        let a = generate(300, 7);
        let b = generate(300, 7);
        assert_eq!(a.len(), 300);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.id == y.id && x.body == y.body)
        );
        assert_ne!(generate(300, 8)[0].body, a[0].body);
    }

    #[test]
    fn corpus_mixes_all_relations() {
        let a = generate(1000, 1);
        for v in [Variant::Original, Variant::Exact, Variant::Near] {
            let n = a.iter().filter(|x| x.variant == v).count();
            assert!(n > 50, "{v:?}: {n}");
        }
        let ids: std::collections::HashSet<_> = a.iter().map(|x| &x.id).collect();
        assert_eq!(ids.len(), a.len());
    }
}
