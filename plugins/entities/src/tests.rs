//! Unit tests of the whole tagger on short texts written for each rule.

use std::sync::OnceLock;

use ingestd_sdk::Entity;

use crate::{Limits, Tagger};

const LIMITS: Limits = Limits {
    max_entities: 200,
    max_mentions: 10_000,
};

fn tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| Tagger::new().unwrap())
}

fn tag(body: &str) -> Vec<Entity> {
    tagger().tag(None, body, LIMITS)
}

fn find<'e>(entities: &'e [Entity], name: &str) -> Option<&'e Entity> {
    entities.iter().find(|e| e.text == name)
}

fn label_of(entities: &[Entity], name: &str) -> String {
    find(entities, name).map_or_else(|| format!("missing in {entities:#?}"), |e| e.label.clone())
}

#[test]
fn aliases_fold_into_canonical_names() {
    let e = tag(
        "Joe Biden met officials. Mr Biden said the U.S. and the US’s allies \
                 agree, and Biden left the United States.",
    );
    let biden = find(&e, "Joe Biden").unwrap();
    assert_eq!((biden.label.as_str(), biden.count), ("PERSON", 3));
    let us = find(&e, "United States").unwrap();
    assert_eq!((us.label.as_str(), us.count), ("GPE", 3));
    assert!(find(&e, "Biden").is_none() && find(&e, "Mr Biden").is_none());
}

#[test]
fn spans_are_character_offsets_into_the_body() {
    let body = "Ça va: Hanoi’s mayor met Moscow’s.";
    let e = tag(body);
    let hanoi = find(&e, "Hanoi").unwrap();
    let [s, t] = hanoi.spans[0];
    let chars: Vec<char> = body.chars().collect();
    assert_eq!(
        chars[s as usize..t as usize].iter().collect::<String>(),
        "Hanoi"
    );
    let moscow = find(&e, "Moscow").unwrap();
    let [s, t] = moscow.spans[0];
    assert_eq!(
        chars[s as usize..t as usize].iter().collect::<String>(),
        "Moscow"
    );
}

#[test]
fn titles_introduce_people_and_surnames_fold() {
    let e = tag(
        "Kenyan Foreign Minister Wanjala Okoth met Prime Minister Tariku Bekele. \
                 Okoth later said Bekele agreed.",
    );
    assert_eq!(label_of(&e, "Wanjala Okoth"), "PERSON");
    assert_eq!(label_of(&e, "Tariku Bekele"), "PERSON");
    assert_eq!(label_of(&e, "Kenyan"), "NORP");
    assert_eq!(find(&e, "Wanjala Okoth").unwrap().count, 2);
    assert!(find(&e, "Foreign Minister").is_none());
}

#[test]
fn head_words_classify_unknown_names() {
    let e = tag(
        "The Zambezi Valley Institute and the Ministry of Mines warned that the \
                 Lusaka Water Act would reach the Kafue River before the Copper Belt Summit.",
    );
    assert_eq!(label_of(&e, "Zambezi Valley Institute"), "ORG");
    assert_eq!(label_of(&e, "Ministry of Mines"), "ORG");
    assert_eq!(label_of(&e, "Lusaka Water Act"), "LAW");
    assert_eq!(label_of(&e, "Kafue River"), "LOC");
    assert_eq!(label_of(&e, "Copper Belt Summit"), "EVENT");
}

#[test]
fn nationality_before_an_of_name_is_split_off() {
    let e = tag(
        "A paper issued by the Vietnamese Ministry of Finance and the Russian \
                 Security Council.",
    );
    assert_eq!(label_of(&e, "Ministry of Finance"), "ORG");
    assert_eq!(label_of(&e, "Vietnamese"), "NORP");
    assert_eq!(label_of(&e, "Russian Security Council"), "ORG");
}

#[test]
fn sentence_openers_and_prompts_are_not_entities() {
    let e = tag(
        "Obviously, nothing changed. Namely the talks. Still, Experts argue. \
                 However rates rose.\n\nFollow us on Instagram and Twitter and subscribe \
                 to our Telegram Channel.",
    );
    assert!(e.is_empty(), "{e:#?}");
}

#[test]
fn acronyms_fold_into_their_definition_or_are_dropped_with_it() {
    let e = tag("The Andean Water Council (AWC) met. Later the AWC voted. \
                 Foreign Direct Investment (FDI) grew, FDI rose.");
    let awc = find(&e, "Andean Water Council").unwrap();
    assert_eq!(awc.count, 3, "name, definition and later use");
    assert!(find(&e, "FDI").is_none(), "{e:#?}");
    assert!(find(&e, "Foreign Direct Investment").is_none());
}

#[test]
fn person_cues_and_given_names() {
    let e = tag(
        "The deal, according to Thandiwe Mokoena, is done. Ian Storey, a fellow, \
                 agreed, and Kofi Mensah said so. Agent Orange remains.",
    );
    assert_eq!(label_of(&e, "Thandiwe Mokoena"), "PERSON");
    assert_eq!(label_of(&e, "Ian Storey"), "PERSON");
    assert_eq!(label_of(&e, "Kofi Mensah"), "PERSON");
    assert!(find(&e, "Agent Orange").is_none());
}

#[test]
fn title_mentions_are_counted_without_spans() {
    let e = tagger().tag(
        Some("Hanoi hosts Kofi Mensah"),
        "Kofi Mensah visited Hanoi.",
        LIMITS,
    );
    let hanoi = find(&e, "Hanoi").unwrap();
    assert_eq!((hanoi.count, hanoi.spans.len()), (2, 1));
    assert_eq!(find(&e, "Kofi Mensah").unwrap().count, 2);
}

#[test]
fn limits_bound_the_output() {
    let body = "Hanoi and Paris and Lima and Rome and Oslo. Hanoi again.";
    let e = tagger().tag(
        None,
        body,
        Limits {
            max_entities: 2,
            max_mentions: 100,
        },
    );
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].text, "Hanoi");
    let few = tagger().tag(
        None,
        body,
        Limits {
            max_entities: 100,
            max_mentions: 3,
        },
    );
    assert_eq!(few.iter().map(|e| e.count).sum::<u64>(), 3);
}

#[test]
fn long_capitalised_lines_are_cut_into_bounded_runs() {
    let line = "Alpha’s Beta Gamma’s Delta and Epsilon ".repeat(2_000);
    let body = format!("{line}\n\nThe Kafue River Authority met in Lusaka.");
    let e = tag(&body);
    assert_eq!(label_of(&e, "Kafue River Authority"), "ORG");
    assert_eq!(label_of(&e, "Lusaka"), "GPE");
}

#[test]
fn zero_limits_are_refused_at_creation() {
    use ingestd_sdk::{Host, Plugin};
    let config = crate::Config {
        max_entities: 0,
        ..crate::Config::default()
    };
    let err = crate::Entities::new(config, Host::detached()).unwrap_err();
    assert_eq!(err.code, "config");
    let parsed: crate::Config = ingestd_sdk::parse_config(br#"{"tag_title": false}"#).unwrap();
    assert_eq!(parsed.max_entities, 200);
    assert!(!parsed.tag_title);
}

#[test]
fn documents_in_other_languages_are_left_untagged() {
    use ingestd_sdk::{Document, Host, Plugin};
    let plugin = crate::Entities::new(crate::Config::default(), Host::detached()).unwrap();
    let mut doc = Document {
        body: "Le Cambodge inaugure une autoroute vers Phnom Penh.".into(),
        language: Some("fr".into()),
        ..Document::default()
    };
    plugin.process(&mut doc).unwrap();
    assert!(doc.entities.is_empty(), "{:?}", doc.entities);
    doc.language = Some("en".into());
    plugin.process(&mut doc).unwrap();
    assert!(doc.entities.iter().any(|e| e.text == "Phnom Penh"));
}

#[test]
fn plugin_compliance() {
    ingestd_sdk::testing::assert_plugin_compliance(
        crate::ingestd_plugin_v1,
        &ingestd_sdk::testing::ComplianceCase::new(r#"{"max_entities": 50}"#)
            .with_text("a.txt", "Title\n\nSome article text about Hanoi.")
            .with_document(ingestd_sdk::Document {
                id: "x".into(),
                title: Some("Biden in Hanoi".into()),
                body: "Joe Biden met Nguyen Phu Trong in Hanoi.".into(),
                ..Default::default()
            }),
    );
}
