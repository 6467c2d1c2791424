//! Sentences, paragraphs and articles from the topic vocabularies.

use super::Rng;
use super::vocab::{
    DAYS, FIRST, GENERAL_ADJ, LAST, MONTHS, PLACES, ROLES, Topic, items, past, words,
};

/// Writes sentences for one topic.
pub(super) struct Writer<'r> {
    pub(super) rng: &'r mut Rng,
    pub(super) topic: &'static Topic,
}

impl Writer<'_> {
    pub(super) fn person(&mut self) -> String {
        let first = words(FIRST);
        let last = words(LAST);
        format!("{} {}", self.rng.pick(&first), self.rng.pick(&last))
    }

    pub(super) fn sentence(&mut self) -> String {
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

    pub(super) fn paragraph(&mut self) -> String {
        let n = self.rng.range(2, 4);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(super) fn article(&mut self) -> Vec<String> {
        let n = self.rng.range(6, 12);
        (0..n).map(|_| self.paragraph()).collect()
    }
}
