//! Words around a capitalised name that say it is a person or an organisation.
//!
//! Only a few bytes on either side are looked at, so the cost per name is constant.

/// Verbs of speech that follow a person's name ("Storey said").
const SPEECH_VERBS: [&str; 14] = [
    "said",
    "says",
    "told",
    "added",
    "wrote",
    "argued",
    "noted",
    "explained",
    "stated",
    "warned",
    "insisted",
    "claimed",
    "recalled",
    "tweeted",
];

/// Phrases that precede a person's name ("according to Le Hong Hiep").
const ATTRIBUTIONS: [&str; 4] = ["according to", "said", "says", "told"];

/// Lower-case roles written right before a name ("opposition candidate Edmundo Gonzalez",
/// "intelligence chief Abbas Kamel", "chairman, Wafula Chebukati").
const ROLES: [&str; 36] = [
    "candidate",
    "leader",
    "chief",
    "chairman",
    "chairwoman",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "minister",
    "president",
    "envoy",
    "ambassador",
    "analyst",
    "economist",
    "director",
    "governor",
    "coach",
    "champion",
    "striker",
    "lawyer",
    "attorney",
    "judge",
    "senator",
    "professor",
    "researcher",
    "official",
    "commander",
    "founder",
    "executive",
    "secretary",
    "premier",
    "mayor",
    "activist",
    "author",
    "journalist",
    "correspondent",
];

/// How many words of an apposition are searched for a role.
const APPOSITION_WORDS: usize = 8;

/// Roles found in appositions besides [`ROLES`] ("a senior fellow at", "the deputy adviser").
const APPOSITION_ROLES: [&str; 16] = [
    "fellow",
    "adviser",
    "advisor",
    "head",
    "member",
    "expert",
    "scholar",
    "deputy",
    "founder",
    "veteran",
    "lecturer",
    "scientist",
    "diplomat",
    "politician",
    "businessman",
    "businesswoman",
];

/// Phrases before a name that make it a place ("in Eldoret", "the state of Tamil Nadu").
const PLACE_BEFORE: [&str; 8] = [
    "in",
    "near",
    "state of",
    "province of",
    "city of",
    "town of",
    "village of",
    "region of",
];

/// Phrases before a name that make it an organisation ("analysts at Morgan Stanley").
const ORG_BEFORE: [&str; 8] = [
    "analysts at",
    "economists at",
    "strategists at",
    "researchers at",
    "fellow at",
    "professor at",
    "spokesman for",
    "spokeswoman for",
];

/// Words right after a name that make it an organisation ("Siemens Energy shares",
/// "Foxconn chairman").
const ORG_AFTER: [&str; 12] = [
    "shares",
    "stock",
    "chairman",
    "chairwoman",
    "executives",
    "subsidiary",
    "employees",
    "shareholders",
    "board",
    "headquarters",
    "spokesman",
    "spokeswoman",
];

/// Endings of company names coined from words ("Rusvietpetro", "Gazprombank").
const ORG_SUFFIXES: [&str; 12] = [
    "petro", "neft", "gaz", "prom", "tech", "soft", "corp", "bank", "com", "tel", "net", "air",
];

/// The text after a name reads like a person: an apposition naming a role (", a senior
/// fellow", ", the former prime minister", ", 45,"), ", who", or a verb of speech ("said").
pub(crate) fn person_after(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    if let Some(after_comma) = rest.strip_prefix(',') {
        let next = after_comma.trim_start();
        let word: String = next.chars().take_while(|c| c.is_alphanumeric()).collect();
        return match word.as_str() {
            "a" | "an" | "the" => apposition_names_role(next),
            "who" | "whose" => true,
            w => {
                SPEECH_VERBS.contains(&w)
                    || (!w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
            }
        };
    }
    let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    SPEECH_VERBS.contains(&word.as_str())
}

/// An apposition ("the US's principal deputy national security adviser") names a role of a
/// person within its first words, before the next comma or full stop.
fn apposition_names_role(apposition: &str) -> bool {
    apposition
        .split([',', '.', ';'])
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .take(APPOSITION_WORDS)
        .any(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
            ROLES.contains(&w.as_str()) || APPOSITION_ROLES.contains(&w.as_str())
        })
}

/// The last `n` bytes of `text` (on a character boundary), lower-cased.
fn tail_lower(text: &str, n: usize) -> String {
    let from = (text.len().saturating_sub(n)..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[from..].to_lowercase()
}

/// `tail` ends with `phrase` as whole words.
fn ends_with_words(tail: &str, phrase: &str) -> bool {
    tail.strip_suffix(phrase).is_some_and(|head| {
        head.chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The text before a name reads like an attribution to a person ("according to") or a
/// role ("opposition candidate").
pub(crate) fn person_before(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\u{a0}', '[', '(', '"', '“', ',']);
    let tail = tail_lower(trimmed, 24);
    ATTRIBUTIONS.iter().any(|a| ends_with_words(&tail, a))
        || ROLES.iter().any(|r| ends_with_words(&tail, r))
}

/// The text before a name reads like a place ("in ", "the state of "); the answer is the
/// longest name (in words) the cue vouches for: two after "in", four after "state of".
pub(crate) fn place_before(before: &str) -> Option<usize> {
    let trimmed = before.trim_end_matches([' ', '\u{a0}']);
    if trimmed.len() == before.len() {
        return None;
    }
    let tail = tail_lower(trimmed, 16);
    PLACE_BEFORE
        .iter()
        .find(|p| ends_with_words(&tail, p))
        .map(|p| if p.contains(' ') { 4 } else { 2 })
}

/// The text before a name reads like an organisation's context ("analysts at ").
pub(crate) fn org_before(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\u{a0}']);
    let tail = tail_lower(trimmed, 24);
    ORG_BEFORE.iter().any(|p| ends_with_words(&tail, p))
}

/// The word after a name reads like an organisation's ("shares", "chairman").
pub(crate) fn org_after(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    ORG_AFTER.contains(&word.as_str())
}

/// A lone word shaped like a coined company name.
pub(crate) fn org_shaped(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower.chars().count() > 5 && ORG_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// An all-capitals abbreviation of two to eight letters or digits ("CAATSA", "G7").
pub(crate) fn is_acronym(word: &str) -> bool {
    let n = word.chars().count();
    (2..=8).contains(&n)
        && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The acronym a name defines right after itself: "Eurasian Economic Union (EAEU)".
pub(crate) fn defined_acronym(rest: &str) -> Option<&str> {
    let inner = rest.trim_start().strip_prefix('(')?.trim_start();
    let len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric()))
        .unwrap_or(inner.len());
    let acronym = &inner[..len];
    is_acronym(acronym).then_some(acronym)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_cues() {
        assert!(person_after(", a senior fellow at"));
        assert!(person_after(", the former Russian prime minister"));
        assert!(!person_after(", the last major city in Darfur"));
        assert!(person_after(" said on Monday"));
        assert!(!person_after(", Vietnam, to foster"));
        assert!(!person_after(" sanctions"));
        assert!(person_before("According to ["));
        assert!(person_before("the report, according to "));
        assert!(!person_before("the visa "));
        assert!(person_before("opposition candidate "));
        assert!(person_before("the commission's chairman, "));
        assert!(!person_before("the chairmanship "));
        assert_eq!(place_before("voters in "), Some(2));
        assert_eq!(place_before("the southern state of "), Some(4));
        assert_eq!(place_before("voters within "), None);
        assert!(org_before("Analysts at ") && !org_before("at "));
        assert!(person_after(", said on Monday"));
        assert!(org_after(" shares jumped") && org_after(" chairman Young") && !org_after(" said"));
    }

    #[test]
    fn acronyms_and_company_shapes() {
        assert!(is_acronym("CAATSA") && is_acronym("G20") && !is_acronym("Us") && !is_acronym("G"));
        assert_eq!(defined_acronym(" (EAEU – Russia"), Some("EAEU"));
        assert_eq!(defined_acronym(" (TPP), widely"), Some("TPP"));
        assert_eq!(defined_acronym(" (a note)"), None);
        assert!(org_shaped("Rusvietpetro") && !org_shaped("Hanoi"));
    }
}
