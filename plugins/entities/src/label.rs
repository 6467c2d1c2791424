//! The OntoNotes labels this tagger emits.

use std::fmt;
use std::str::FromStr;

/// An OntoNotes entity label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// People, real or fictional.
    Person,
    /// Companies, agencies, institutions, news organisations.
    Org,
    /// Countries, cities, states.
    Gpe,
    /// Non-GPE locations: regions, seas, mountain ranges.
    Loc,
    /// Nationalities, religious or political groups.
    Norp,
    /// Named wars, summits, sports events.
    Event,
    /// Named laws, treaties, acts.
    Law,
    /// Buildings, airports, bridges.
    Fac,
}

impl Label {
    /// The label as written in the output (`PERSON`, `ORG`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Person => "PERSON",
            Label::Org => "ORG",
            Label::Gpe => "GPE",
            Label::Loc => "LOC",
            Label::Norp => "NORP",
            Label::Event => "EVENT",
            Label::Law => "LAW",
            Label::Fac => "FAC",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label name this tagger does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity label {0:?}")]
pub struct UnknownLabel(pub String);

impl FromStr for Label {
    type Err = UnknownLabel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "PERSON" => Label::Person,
            "ORG" => Label::Org,
            "GPE" => Label::Gpe,
            "LOC" => Label::Loc,
            "NORP" => Label::Norp,
            "EVENT" => Label::Event,
            "LAW" => Label::Law,
            "FAC" => Label::Fac,
            other => return Err(UnknownLabel(other.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_text() {
        for l in [
            Label::Person,
            Label::Org,
            Label::Gpe,
            Label::Law,
            Label::Fac,
        ] {
            assert_eq!(l.as_str().parse::<Label>().unwrap(), l);
        }
        assert!("CITY".parse::<Label>().is_err());
    }
}
