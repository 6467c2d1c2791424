//! Input encodings through the chain: the host decodes with `ingestd_sdk::text::decode`
//! (UTF-8 with or without BOM, UTF-16 with BOM; binary and invalid input refused with a
//! reason), and the chain's result does not depend on the encoding the file came in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on bad fixtures.

mod common;

use ingestd_sdk::Document;

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xff, 0xfe]
    } else {
        vec![0xfe, 0xff]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

fn comparable(mut doc: Document) -> Document {
    doc.id.clear();
    doc.source = Default::default();
    doc.raw = None;
    doc
}

#[test]
fn utf16_and_bom_inputs_give_the_same_document() {
    let chain = common::Chain::new();
    for sample in [
        "samples/003_fc8bd24a20e4856c.txt",
        "articles/french-article.txt",
    ] {
        let text = std::fs::read_to_string(common::fixture(sample)).unwrap();
        let from = |bytes: &[u8]| {
            let doc = Document::from_source(sample, bytes, "2024-01-01T00:00:00Z").unwrap();
            comparable(chain.run_doc(doc))
        };
        let plain = from(text.as_bytes());
        let with_bom = from(&[b"\xef\xbb\xbf", text.as_bytes()].concat());
        let crlf = from(text.replace('\n', "\r\n").as_bytes());
        assert_eq!(plain, with_bom, "{sample}: UTF-8 BOM");
        assert_eq!(plain, crlf, "{sample}: CRLF line endings");
        assert_eq!(plain, from(&utf16(&text, true)), "{sample}: UTF-16LE");
        assert_eq!(plain, from(&utf16(&text, false)), "{sample}: UTF-16BE");
        assert!(plain.title.is_some() && !plain.body.is_empty());
    }
}

#[test]
fn decomposed_unicode_is_composed() {
    let chain = common::Chain::new();
    let doc = chain.run("nfd.txt", "Ha\u{0300} No\u{0323}\u{0302}i gets a new bridge\n\nThe bridge over the Red River in Ha\u{0300} No\u{0323}\u{0302}i opened on Monday.");
    assert_eq!(doc.title.as_deref(), Some("Hà Nội gets a new bridge"));
    assert!(doc.body.contains("Hà Nội opened"), "{}", doc.body);
}

#[test]
fn binary_and_undecodable_input_fail_clearly() {
    for (bytes, expect) in [
        (&b"%PDF-1.7 ..."[..], "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"caf\xe9 au lait", "not valid UTF-8"),
        (b"text\0with NUL", "NUL"),
    ] {
        let err = Document::from_source("x", bytes, "2024-01-01T00:00:00Z").unwrap_err();
        assert!(err.to_string().contains(expect), "{err}");
    }
}
