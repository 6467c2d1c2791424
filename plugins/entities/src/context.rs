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

/// Endings of company names coined from words ("Rusvietpetro", "Gazprombank").
const ORG_SUFFIXES: [&str; 12] = [
    "petro", "neft", "gaz", "prom", "tech", "soft", "corp", "bank", "com", "tel", "net", "air",
];

/// The text after a name reads like a person: an apposition (", a senior fellow", ", the
/// former minister", ", 45,") or a verb of speech ("said", "told").
pub fn person_after(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    if let Some(after_comma) = rest.strip_prefix(',') {
        let next = after_comma.trim_start();
        let word: String = next
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect::<String>();
        return matches!(word.as_str(), "a" | "an" | "the" | "who" | "whose")
            || (!word.is_empty() && word.chars().all(|c| c.is_ascii_digit()));
    }
    let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    SPEECH_VERBS.contains(&word.as_str())
}

/// The text before a name reads like an attribution to a person ("according to").
pub fn person_before(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\u{a0}', '[', '(', '"', '“']);
    let tail_start = trimmed.len().saturating_sub(16);
    let tail_start = (tail_start..=trimmed.len())
        .find(|&i| trimmed.is_char_boundary(i))
        .unwrap_or(trimmed.len());
    let tail = trimmed[tail_start..].to_lowercase();
    ATTRIBUTIONS.iter().any(|a| {
        tail.ends_with(a)
            && tail[..tail.len() - a.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// A lone word shaped like a coined company name.
pub fn org_shaped(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower.chars().count() > 5 && ORG_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// An all-capitals abbreviation of two to eight letters or digits ("CAATSA", "G7").
pub fn is_acronym(word: &str) -> bool {
    let n = word.chars().count();
    (2..=8).contains(&n)
        && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The acronym a name defines right after itself: "Eurasian Economic Union (EAEU)".
pub fn defined_acronym(rest: &str) -> Option<&str> {
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
        assert!(person_after(" said on Monday"));
        assert!(!person_after(", Vietnam, to foster"));
        assert!(!person_after(" sanctions"));
        assert!(person_before("According to ["));
        assert!(person_before("the report, according to "));
        assert!(!person_before("the visa "));
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
