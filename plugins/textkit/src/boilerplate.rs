//! Boilerplate detection: word lists and patterns per [`Family`], compiled once.
//!
//! A block is boilerplate when one of its family's patterns matches and the block is short
//! enough to be a prompt rather than an article paragraph that happens to mention one.

use regex::{Regex, RegexSet};

use crate::config::Family;
use crate::error::{BuildError, LazyRegex, regex};
use crate::screen::Screen;

/// Patterns per family. Each is case-insensitive; most are anchored at the start of a block.
pub(crate) const PATTERNS: &[(Family, &str)] = &[
    // Share, follow, membership and comment prompts.
    (Family::Share, r"click the share button"),
    (
        Family::Share,
        r"\bshare (?:this|the) (?:article|story|post|page)\b",
    ),
    (
        Family::Share,
        r"^share(?: this)?(?: on)?\s*(?::|facebook|twitter|x\b|email|linkedin|whatsapp)",
    ),
    (Family::Share, r"\bfollow us on\b"),
    (Family::Share, r"feel free to repost"),
    (Family::Share, r"^note to readers\b"),
    (Family::Share, r"can be read in \d+ languages"),
    (
        Family::Share,
        r"^(?:share|tweet|email|e-mail|print|facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|copy link)(?:\s*[|/·•,]?\s*(?:share|tweet|email|e-mail|print|facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|copy link))*$",
    ),
    (
        Family::Share,
        r"^comment on .{0,60}\b(?:facebook|page|forum)\b",
    ),
    (
        Family::Share,
        r"^become a (?:member|patron|subscriber|supporter)\b",
    ),
    (
        Family::Share,
        r"^(?:support|donate to|please support) (?:us|our)\b",
    ),
    (
        Family::Share,
        r"^(?:join the (?:conversation|discussion)|leave a (?:comment|reply))\b",
    ),
    (
        Family::Share,
        r"^(?:related(?: articles| stories| posts| reading| content)?|you may also like|recommended|read (?:more|also|next)|see also|lire aussi|à lire aussi|lesen sie auch|mehr zum thema|lee también|leggi anche|leia também|lees ook)\b.{0,100}$",
    ),
    (
        Family::Share,
        r"^(?:advertisement|sponsored content|publicité|anzeige|publicidad|pubblicità)$",
    ),
    (
        Family::Share,
        r"^(?:partager|teilen|compartir|condividi|compartilhar|delen)\s*(?::|sur|auf|en|su|no|op)?\s*(?:facebook|twitter|x|e-?mail|whatsapp|linkedin)?$",
    ),
    // Newsletters and subscriptions.
    (Family::Subscribe, r"\bsubscribe to (?:our|the)\b"),
    (Family::Subscribe, r"\bsign up (?:for|to) (?:our|the)\b"),
    (Family::Subscribe, r"\bdaily newsletter\b"),
    (
        Family::Subscribe,
        r"newsletter.{0,80}\b(?:subscribe|sign up|click here|receive|inbox)\b|\b(?:subscribe|sign up|receive)\b.{0,80}newsletter",
    ),
    (
        Family::Subscribe,
        r"\bget (?:the latest|our best).{0,60}\b(?:in|to) your inbox\b",
    ),
    (
        Family::Subscribe,
        r"\b(?:abonnez-vous|inscrivez-vous à (?:notre|la) (?:newsletter|lettre)|newsletter abonnieren|jetzt abonnieren|suscríbete|suscribirse al boletín|iscriviti alla newsletter|assine (?:a|nossa) newsletter|schrijf je in voor)\b",
    ),
    // Cookie banners (en, fr, de, es, it, pt, nl).
    (
        Family::Cookie,
        r"\b(?:we|this (?:web)?site|our (?:web)?site|the site) (?:uses?|use) cookies\b",
    ),
    (
        Family::Cookie,
        r"\bby (?:continuing|using|browsing) (?:to (?:use|browse) )?(?:this|our|the) (?:web)?site\b.{0,120}\b(?:cookies|agree|consent|accept)",
    ),
    (
        Family::Cookie,
        r"\b(?:accept|reject|manage|allow) (?:all )?cookies\b|\bcookie (?:policy|settings|preferences)\b",
    ),
    (
        Family::Cookie,
        r"\ben poursuivant (?:la visite|votre navigation)|\bvous acceptez l.utilisation (?:de|des) (?:cookies|traceurs)|\butilise des cookies\b|\bgestion des cookies\b",
    ),
    (
        Family::Cookie,
        r"\b(?:diese (?:web)?seite|diese website|wir) (?:verwendet|verwenden|nutzt|nutzen) cookies\b|\bcookie-einstellungen\b",
    ),
    (
        Family::Cookie,
        r"\b(?:este sitio(?: web)?|esta web|utilizamos|usamos) (?:utiliza |usa )?cookies\b|\bsi contin[uú]a navegando\b|\bpol[ií]tica de cookies\b",
    ),
    (
        Family::Cookie,
        r"\b(?:questo sito|utilizziamo(?: i)?) (?:utilizza |usa )?cookie\b|\bproseguendo la navigazione\b",
    ),
    (
        Family::Cookie,
        r"\b(?:este site|utilizamos) (?:utiliza |usa )?cookies\b|\bao continuar a navegar\b",
    ),
    (
        Family::Cookie,
        r"\b(?:deze (?:web)?site|wij gebruiken|we gebruiken) (?:maakt gebruik van |gebruikt )?cookies\b|\bdoor verder te (?:gaan|surfen)\b",
    ),
    (
        Family::Cookie,
        r"^(?:accept|accept all|i agree|agree|got it|ok|reject all|decline|accepter|tout accepter|refuser|plus d.informations|en savoir plus|akzeptieren|alle akzeptieren|ablehnen|mehr erfahren|aceptar|rechazar|más información|accetta|accetto|rifiuta|aceitar|rejeitar|accepteren|weigeren|meer informatie|more information|learn more)$",
    ),
    // Copyright, rights, fair use, media contact.
    (Family::Copyright, r"^(?:copyright\b|©|\(c\)\s*\d{4})"),
    (
        Family::Copyright,
        r"\ball rights reserved\b|\btous droits réservés\b|\balle rechte vorbehalten\b|\btodos los derechos reservados\b|\btutti i diritti riservati\b|\btodos os direitos reservados\b|\balle rechten voorbehouden\b",
    ),
    (
        Family::Copyright,
        r"\bcopyrighted material\b|\bprovisions of .?fair use\b",
    ),
    (
        Family::Copyright,
        r"^(?:for media inquiries|media (?:inquiries|contact)|press contact|contact us)\b",
    ),
    (Family::Copyright, r"^\S+@\S+\.\w+$"),
    // Disclaimers.
    (
        Family::Disclaimer,
        r"^disclaimer\b|^(?:avertissement|haftungsausschluss|aviso legal|esclusione di responsabilità)\s*:",
    ),
    (Family::Disclaimer, r"\bsole responsibility of the author"),
    (
        Family::Disclaimer,
        r"\bthe (?:views|opinions) expressed (?:in this (?:article|piece|column) )?are (?:those of the author|the author.s own|solely)",
    ),
    (
        Family::Disclaimer,
        r"\bdo(?:es)? not necessarily reflect the (?:views|opinions|editorial)",
    ),
    (
        Family::Disclaimer,
        r"^our standards\s*:|^(?:les opinions exprimées|die meinung des autors|las opiniones expresadas)\b",
    ),
    // Page widgets.
    (Family::Widget, r"^print friendly\b|\bpdf (?:&|and) email\b"),
    (
        Family::Widget,
        r"^print(?: this)?(?: article| page| story)?$",
    ),
    (
        Family::Widget,
        r"^translate\s*(?:/|:|$)|^translate (?:this|website|page)\b|\bselect language\b|\bpowered by google translate\b",
    ),
    (
        Family::Widget,
        r"^(?:listen(?: to this article)?|font size|text size|skip to (?:main )?content|back to top|\d+\s*min(?:ute)?s? read|reading time:?.{0,20})$",
    ),
    // Image credits.
    (
        Family::Credit,
        r"^(?:featured image|photo credit|image credit|photo|image|photograph|picture|illustration|cover (?:photo|image)|top (?:photo|image)|main image|header image|credit|foto|crédit photo)s?\s*:.{0,160}$",
    ),
    // Tag and category lines.
    (
        Family::Tags,
        r"^(?:region|theme|topics?|tags?|categories|category|filed under|in-depth report|keywords|mots[- ]clés|schlagwörter|etiquetas|argomenti)\s*:",
    ),
];

/// Longest block, in words, that a pattern may remove.
const MAX_WORDS: usize = 160;

/// Words in `block`, counted up to one more than any block rule looks at (so a long
/// paragraph is not counted to its end).
pub(crate) fn bounded_word_count(block: &str) -> usize {
    crate::words::count_upto(block, MAX_WORDS + 1)
}

/// `pattern` with every counted "any character" run `.{0,N}` turned into `.*`, or `None` when
/// it has none. The loose pattern matches wherever the counted one does; in the set it spares
/// the automaton one copy of `.` per count (`.{0,160}` alone is some 1,400 NFA states, and
/// the lazy DFA's cache grows with every position inside such a window).
pub(crate) fn loosen(pattern: &str) -> Option<String> {
    let mut loose = String::with_capacity(pattern.len());
    let mut loosened = false;
    let mut rest = pattern;
    while let Some(at) = rest.find(".{0,") {
        let digits = rest[at + 4..].len()
            - rest[at + 4..]
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        let escaped = rest[..at].ends_with('\\');
        let end = at + 4 + digits;
        if digits > 0 && !escaped && rest[end..].starts_with('}') {
            loose.push_str(&rest[..at]);
            loose.push_str(".*");
            loosened = true;
            rest = &rest[end + 1..];
        } else {
            loose.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    loose.push_str(rest);
    loosened.then_some(loose)
}

/// A set member on its own, compiled when first needed: case-insensitive, not multi-line, as
/// the set is.
fn lazy_member(pattern: &str) -> LazyRegex {
    LazyRegex::new(pattern, true, false)
}

/// The compiled boilerplate detector.
#[derive(Debug)]
pub struct Boilerplate {
    /// The patterns, counted runs loosened (see [`loosen`]).
    set: RegexSet,
    families: Vec<Family>,
    /// Per set member, the counted pattern that confirms a loosened member's match.
    counted: Vec<Option<LazyRegex>>,
    /// Says cheaply, for most blocks, that no member can match.
    screen: Screen,
    user: Vec<Regex>,
}

impl Boilerplate {
    /// Compiles the patterns of the enabled families plus the user's extra patterns.
    pub fn new(enabled: &[Family], extra: &[String]) -> Result<Self, BuildError> {
        let chosen: Vec<&(Family, &str)> = PATTERNS
            .iter()
            .filter(|(family, _)| enabled.contains(family))
            .collect();
        let loose: Vec<Option<String>> = chosen.iter().map(|(_, p)| loosen(p)).collect();
        let counted = chosen
            .iter()
            .zip(&loose)
            .map(|((_, pattern), l)| {
                // Compiled the first time a block needs it: only a block the loose member
                // matches does, and most members never match in most runs.
                l.as_ref().map(|_| lazy_member(pattern))
            })
            .collect();
        let set = regex::RegexSetBuilder::new(
            chosen
                .iter()
                .zip(&loose)
                .map(|((_, p), l)| crate::error::fast_boundaries(l.as_deref().unwrap_or(p))),
        )
        .case_insensitive(true)
        .build()
        .map_err(|source| BuildError::Pattern {
            pattern: "built-in boilerplate set".into(),
            source,
        })?;
        let user = extra.iter().map(|p| regex(p)).collect::<Result<_, _>>()?;
        let screen = Screen::new(&chosen.iter().map(|(_, p)| *p).collect::<Vec<_>>())?;
        Ok(Boilerplate {
            set,
            families: chosen.iter().map(|(f, _)| *f).collect(),
            counted,
            screen,
            user,
        })
    }

    /// The family of boilerplate this block belongs to, if any. `None` in the result's inner
    /// option means "a user pattern matched".
    pub fn classify(&self, block: &str) -> Option<Option<Family>> {
        self.classify_counted(block, bounded_word_count(block))
    }

    /// [`Boilerplate::classify`] with the block's [`bounded_word_count`] already known.
    pub(crate) fn classify_counted(&self, block: &str, words: usize) -> Option<Option<Family>> {
        if self.user.iter().any(|re| re.is_match(block)) {
            return Some(None);
        }
        if words > MAX_WORDS {
            return None;
        }
        self.set_family(block).map(Some)
    }

    /// The family of the first built-in pattern that matches `block`.
    fn set_family(&self, block: &str) -> Option<Family> {
        // Most blocks match no pattern: the screen says so for most of them at a fraction of
        // the set's cost, and the plain search for the rest at a fraction of the cost of the
        // overlapping one, which must run to the end of the block.
        if !self.screen.may_match(block) || !self.set.is_match(block) {
            return None;
        }
        self.set
            .matches(block)
            .iter()
            .find(|&i| {
                self.counted[i]
                    .as_ref()
                    .is_none_or(|c| c.get().is_some_and(|re| re.is_match(block)))
            })
            .map(|i| self.families[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Boilerplate {
        Boilerplate::new(&Family::ALL, &[]).unwrap()
    }

    fn family(text: &str) -> Option<Family> {
        all().classify(text).flatten()
    }

    #[test]
    fn prompts_banners_and_notices() {
        assert_eq!(
            family(
                "To receive Global Research's Daily Newsletter (selected articles), click here."
            ),
            Some(Family::Subscribe)
        );
        assert_eq!(family("Print Friendly, PDF & Email"), Some(Family::Widget));
        assert_eq!(family("Translate / Dịch"), Some(Family::Widget));
        assert_eq!(
            family(
                "En poursuivant la visite de ce site, vous acceptez l’utilisation de traceurs (cookies)."
            ),
            Some(Family::Cookie)
        );
        assert_eq!(
            family("Diese Website verwendet Cookies, um Ihnen das beste Erlebnis zu bieten."),
            Some(Family::Cookie)
        );
        assert_eq!(
            family(
                "Utilizamos cookies propias y de terceros. Si continúa navegando, acepta su uso."
            ),
            Some(Family::Cookie)
        );
        assert_eq!(
            family("Questo sito utilizza cookie tecnici."),
            Some(Family::Cookie)
        );
        assert_eq!(
            family("Deze website maakt gebruik van cookies."),
            Some(Family::Cookie)
        );
        assert_eq!(
            family("Este site utiliza cookies para melhorar a sua experiência."),
            Some(Family::Cookie)
        );
        assert_eq!(family("Accepter"), Some(Family::Cookie));
        assert_eq!(
            family("Copyright © Drago Bosnic, InfoBrics, 2023"),
            Some(Family::Copyright)
        );
        assert_eq!(
            family("© 2024 Mekong Herald. All rights reserved."),
            Some(Family::Copyright)
        );
        assert_eq!(
            family(
                "Disclaimer: The contents of this article are of sole responsibility of the author(s)."
            ),
            Some(Family::Disclaimer)
        );
        assert_eq!(
            family("Featured image: Official White House Photo by Adam Schultz"),
            Some(Family::Credit)
        );
        assert_eq!(family("Region: Asia, USA"), Some(Family::Tags));
        assert_eq!(
            family("Share: Facebook | Twitter | Email"),
            Some(Family::Share)
        );
        assert_eq!(
            family("Follow us on Instagram and Twitter."),
            Some(Family::Share)
        );
    }

    #[test]
    fn article_sentences_are_not_boilerplate() {
        assert_eq!(
            family("The regulator said the cookie rules would change next year."),
            None
        );
        assert_eq!(family("Vietnam shares a long border with China."), None);
        assert_eq!(
            family("Lavrov also used the occasion to visit Ho Chi Minh’s Mausoleum."),
            None
        );
        assert_eq!(family("The translation of the treaty took years."), None);
    }

    #[test]
    fn counted_runs_are_loosened() {
        assert_eq!(
            loosen(r"^a.{0,60}\bb.{0,7}$").as_deref(),
            Some(r"^a.*\bb.*$")
        );
        assert_eq!(loosen(r"a\.{0,6}b"), None);
        assert_eq!(loosen(r"a.{0,}b.{1,2}"), None);
        assert_eq!(loosen("plain"), None);
    }

    #[test]
    fn loosened_set_classifies_as_the_counted_patterns() {
        const PIECES: &[&str] = &[
            "comment on ",
            "facebook",
            " page",
            "newsletter",
            " subscribe",
            "related ",
            "Related articles ",
            "photo: ",
            "image credit : ",
            "reading time: ",
            "By continuing to use this site ",
            " cookies",
            "get the latest ",
            " in your inbox",
            "\n",
            "é",
            "a",
            " ",
        ];
        let members: Vec<Regex> = PATTERNS
            .iter()
            .map(|(_, p)| lazy_member(p).get().cloned().unwrap())
            .collect();
        let boilerplate = all();
        let mut next = crate::testing::seeded_below(7_u64);
        let mut found = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..next(8) {
                if next(3) == 0 {
                    text.push_str(&"x".repeat(next(170)));
                } else {
                    text.push_str(PIECES[next(PIECES.len())]);
                }
            }
            let expected = members
                .iter()
                .position(|re| re.is_match(&text))
                .map(|i| PATTERNS[i].0);
            assert_eq!(boilerplate.set_family(&text), expected, "{text:?}");
            found += usize::from(expected.is_some());
        }
        assert!(found > 1000, "only {found} random texts are boilerplate");
    }

    #[test]
    fn screened_set_classifies_as_the_members() {
        // Every unanchored phrase, some anchored starts, and characters the screen treats
        // specially (case-folding letters, caseless punctuation).
        const PIECES: &[&str] = &[
            "Click the SHARE button",
            "share this article",
            "Follow us on",
            "feel free to repost",
            "can be read in 12 languages",
            "Subscribe to our",
            "sign up for the",
            "daily newsletter",
            "get the latest",
            " in your inbox",
            "abonnez-vous",
            "Jetzt abonnieren",
            "suscríbete",
            "schrijf je in voor",
            "We use cookies",
            "by continuing to use this site",
            " you agree",
            "by using our website",
            "by browsing the site",
            "accept all cookies",
            "cookie policy",
            "en poursuivant la visite",
            "vous acceptez l’utilisation des cookies",
            "si continúa navegando",
            "proseguendo la navigazione",
            "ao continuar a navegar",
            "door verder te gaan",
            "All Rights Reserved",
            "tous droits réservés",
            "alle Rechte vorbehalten",
            "todos los derechos reservados",
            "tutti i diritti riservati",
            "todos os direitos reservados",
            "alle rechten voorbehouden",
            "copyrighted material",
            "provisions of “fair use",
            "sole responsibility of the author",
            "the views expressed are those of the author",
            "does not necessarily reflect the views",
            "PDF & Email",
            "select language",
            "powered by Google Translate",
            "Print friendly",
            "Translate / ",
            "Region: ",
            "© 2024",
            "Disclaimer: ",
            "Share: ",
            "Advertisement",
            "a@b.org",
            "\u{17f}",
            "\u{212a}",
            "é",
            "“",
            "—",
            "\u{a0}",
            " ",
            "a",
            "x",
            "\n",
        ];
        let members: Vec<Regex> = PATTERNS
            .iter()
            .map(|(_, p)| lazy_member(p).get().cloned().unwrap())
            .collect();
        let boilerplate = all();
        let mut next = crate::testing::seeded_below(23_u64);
        let mut found = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..next(6) {
                let piece = PIECES[next(PIECES.len())];
                match next(4) {
                    0 => text.push_str(&piece.to_uppercase()),
                    1 => text.push_str(&piece.replace('s', "\u{17f}").replace('k', "\u{212a}")),
                    _ => text.push_str(piece),
                }
            }
            let expected = members
                .iter()
                .position(|re| re.is_match(&text))
                .map(|i| PATTERNS[i].0);
            assert_eq!(boilerplate.set_family(&text), expected, "{text:?}");
            found += usize::from(expected.is_some());
        }
        assert!(found > 3000, "only {found} random texts are boilerplate");
    }

    #[test]
    fn families_can_be_disabled_and_user_patterns_added() {
        let only_cookie = Boilerplate::new(&[Family::Cookie], &["^sponsored by".into()]).unwrap();
        assert_eq!(only_cookie.classify("Print Friendly, PDF & Email"), None);
        assert_eq!(only_cookie.classify("Sponsored by ACME"), Some(None));
        assert!(Boilerplate::new(&[], &["(".into()]).is_err());
    }
}
