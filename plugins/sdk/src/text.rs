//! Decoding article bytes into text: UTF-8, UTF-16 with a BOM, and refusing binary input.
//!
//! The host decodes each file once with [`decode`] before the chain runs; plugins receive text.

use std::borrow::Cow;

/// Why bytes could not be decoded as article text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The file has no bytes (or only a BOM and white space).
    #[error("the file is empty")]
    Empty,
    /// The bytes are a known binary format, or contain NUL bytes.
    #[error("binary content ({0}), not a text article")]
    Binary(&'static str),
    /// Not valid UTF-8 and no BOM saying otherwise.
    #[error(
        "not valid UTF-8 (first bad byte at offset {offset}); save the file as UTF-8, or UTF-16 with a BOM"
    )]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A UTF-16 BOM, but the content is not valid UTF-16.
    #[error("starts with a UTF-16 BOM but is not valid UTF-16 (at code unit {offset})")]
    InvalidUtf16 {
        /// Index of the first bad code unit.
        offset: usize,
    },
}

/// Decoded text and the encoding it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The text, without a BOM.
    pub text: Cow<'a, str>,
    /// `utf-8`, `utf-16le` or `utf-16be`.
    pub encoding: &'static str,
}

/// Signatures of common binary formats that people drop into an inbox by mistake.
const BINARY_SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\x7fELF", "ELF executable"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/EPUB)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"MZ", "Windows executable"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (b"SQLite format 3\x00", "SQLite database"),
];

fn sniff_binary(bytes: &[u8]) -> Option<&'static str> {
    BINARY_SIGNATURES
        .iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, kind)| *kind)
}

fn decode_utf16(units: impl Iterator<Item = u16>) -> Result<String, DecodeError> {
    let mut out = String::new();
    for (offset, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok('\0') => return Err(DecodeError::Binary("NUL characters")),
            Ok(c) => out.push(c),
            Err(_) => return Err(DecodeError::InvalidUtf16 { offset }),
        }
    }
    Ok(out)
}

/// Decodes article bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.
///
/// Refuses empty input, known binary formats, NUL bytes and invalid UTF-8, each with a message
/// an operator can act on.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let decoded = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        Decoded {
            text: Cow::Borrowed(utf8(rest)?),
            encoding: "utf-8",
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        let units = rest
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]));
        Decoded {
            text: Cow::Owned(decode_utf16(units)?),
            encoding: "utf-16le",
        }
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        let units = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
        Decoded {
            text: Cow::Owned(decode_utf16(units)?),
            encoding: "utf-16be",
        }
    } else {
        if let Some(kind) = sniff_binary(bytes) {
            return Err(DecodeError::Binary(kind));
        }
        Decoded {
            text: Cow::Borrowed(utf8(bytes)?),
            encoding: "utf-8",
        }
    };
    if decoded.text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(decoded)
}

fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    if memchr_nul(bytes) {
        return Err(DecodeError::Binary("NUL bytes"));
    }
    std::str::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// Lossy UTF-8 of at most `max` bytes, with a note when cut; for echoing untrusted text safely.
pub fn bounded_lossy(bytes: &[u8], max: usize) -> String {
    if bytes.len() <= max {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    format!(
        "{}… [{} more bytes]",
        String::from_utf8_lossy(&bytes[..max]),
        bytes.len() - max
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_borrowed() {
        let d = decode("Hà Nội".as_bytes()).unwrap();
        assert_eq!(d.text, "Hà Nội");
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.encoding, "utf-8");
    }

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(decode(b"\xef\xbb\xbfHello").unwrap().text, "Hello");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for unit in "Dịch – ok".encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode(&le).unwrap().text, "Dịch – ok");
        assert_eq!(decode(&le).unwrap().encoding, "utf-16le");
        assert_eq!(decode(&be).unwrap().text, "Dịch – ok");
    }

    #[test]
    fn lone_surrogate_in_utf16_is_refused() {
        let bytes = [0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00];
        assert!(matches!(
            decode(&bytes),
            Err(DecodeError::InvalidUtf16 { offset: 0 })
        ));
    }

    #[test]
    fn binary_and_empty_inputs_are_refused_with_reasons() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b" \n\t"), Err(DecodeError::Empty));
        assert_eq!(decode(b"\xef\xbb\xbf"), Err(DecodeError::Empty));
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n...."),
            Err(DecodeError::Binary("PNG image"))
        );
        assert_eq!(
            decode(b"\x7fELF\x02\x01"),
            Err(DecodeError::Binary("ELF executable"))
        );
        assert_eq!(decode(b"abc\0def"), Err(DecodeError::Binary("NUL bytes")));
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = decode(b"caf\xe9 au lait").unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { offset: 3 });
        assert!(err.to_string().contains("offset 3"));
    }

    #[test]
    fn bounded_lossy_cuts_long_input() {
        assert_eq!(bounded_lossy(b"short", 10), "short");
        let cut = bounded_lossy(&[b'a'; 100], 10);
        assert!(
            cut.starts_with("aaaaaaaaaa…") && cut.contains("90 more bytes"),
            "{cut}"
        );
    }
}
