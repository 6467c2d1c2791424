//! Eight bytes at a time: tests on a `u64` of text bytes by bit masks, for the scanners whose
//! text is nearly all ASCII (word counts, white space, byte searches).
//!
//! A mask has the high bit of each byte (bit `8j + 7` for byte `j`, little-endian) set where
//! the test holds. [`chunk`] hands out only all-ASCII words, which the arithmetic tests need
//! (no byte of a sum then carries into the next); [`word`], [`equal`] and [`skip_except`] take
//! any bytes.

/// The high bit of every byte of a word of eight bytes.
pub const HIGH: u64 = 0x8080_8080_8080_8080;

/// Each byte of a `u64` set to 1.
const ONES: u64 = 0x0101_0101_0101_0101;

/// Eight bytes of `bytes` from `i`, when there are eight and all are ASCII (so in text `i + 8`
/// is a character boundary too).
#[inline(always)]
pub fn chunk(bytes: &[u8], i: usize) -> Option<u64> {
    let x = word(bytes, i)?;
    (x & HIGH == 0).then_some(x)
}

/// Eight bytes of `bytes` from `i`, whatever they are.
#[inline(always)]
pub fn word(bytes: &[u8], i: usize) -> Option<u64> {
    let eight: [u8; 8] = bytes.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(eight))
}

/// For each byte of `x` (all ASCII), the high bit set when the byte is at least `k`.
#[inline(always)]
pub fn at_least(x: u64, k: u8) -> u64 {
    // No byte of `x` exceeds 0x7F, so no byte of the sum carries into the next.
    x.wrapping_add(u64::from(0x80 - k) * ONES) & HIGH
}

/// For each byte of `x` (any bytes), the high bit set when the byte is `b`.
#[inline(always)]
pub fn equal(x: u64, b: u8) -> u64 {
    let t = x ^ (u64::from(b) * ONES);
    // High bit set when the byte of `t` is not zero.
    let nonzero = ((t & !HIGH).wrapping_add(!HIGH) | t) & HIGH;
    !nonzero & HIGH
}

/// Masks of eight ASCII bytes: (plain spaces, the other white space `\t`..=`\r`, letters and
/// digits). Together the first two are the ASCII bytes `char::is_whitespace` accepts.
#[inline(always)]
pub fn masks(x: u64) -> (u64, u64, u64) {
    let space = equal(x, b' ');
    let control = at_least(x, b'\t') & !at_least(x, b'\r' + 1);
    let lower = x | 0x2020_2020_2020_2020;
    let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    (space, control, letter | digit)
}

/// The high bits of the eight bytes of `mask` as one byte (bit `j`: byte `j`).
#[inline(always)]
pub fn gather(mask: u64) -> usize {
    // Byte j's bit (8j after the shift) lands on bit 56 + j; no two products meet.
    (((mask >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as usize
}

/// How many bytes of `mask` (high bits only) are set: one multiply, where `count_ones`
/// without a `popcnt` target feature is a dozen instructions.
#[inline(always)]
pub fn ones(mask: u64) -> usize {
    // Byte j's bit (j after the shift) is added into the top byte; the sum is at most 8.
    (((mask >> 7).wrapping_mul(ONES)) >> 56) as usize
}

/// The first position at or after `i` where a byte may be non-ASCII or one of `wanted`: runs of
/// other ASCII bytes are passed eight at a time. The byte there still has to be checked (a
/// word of eight is stopped at as a whole, and the last few bytes are not looked at).
#[inline]
pub fn skip_except(bytes: &[u8], mut i: usize, wanted: &[u8]) -> usize {
    while let Some(x) = word(bytes, i) {
        let hit = wanted.iter().fold(x & HIGH, |hit, &w| hit | equal(x, w));
        if hit != 0 {
            break;
        }
        i += 8;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte `j` of a mask, as a bool.
    fn at(mask: u64, j: usize) -> bool {
        mask >> (8 * j + 7) & 1 == 1
    }

    #[test]
    fn masks_agree_with_the_byte_tests_for_every_ascii_byte_at_every_position() {
        for b in 0..0x80u8 {
            for j in 0..8 {
                let mut eight = *b"abcdefgh";
                eight[j] = b;
                let x = chunk(&eight, 0).unwrap();
                let (space, control, alnum) = masks(x);
                assert_eq!(at(space, j), b == b' ', "{b:#x} at {j}");
                assert_eq!(
                    at(control, j),
                    (b'\t'..=b'\r').contains(&b),
                    "{b:#x} at {j}"
                );
                assert_eq!(at(alnum, j), b.is_ascii_alphanumeric(), "{b:#x} at {j}");
                assert_eq!(at(at_least(x, b'm'), j), b >= b'm', "{b:#x} at {j}");
                assert_eq!(gather(equal(x, b)) >> j & 1, 1);
            }
        }
        assert_eq!(ones(HIGH), 8);
        assert_eq!(gather(HIGH), 0xff);
        assert_eq!(chunk("abcdefg\u{e9}".as_bytes(), 0), None, "not all ASCII");
        assert_eq!(chunk(b"short", 0), None);
    }

    #[test]
    fn equal_holds_for_any_byte() {
        for b in [0u8, 1, 0x7f, 0x80, 0xc3, 0xff] {
            let bytes = [b, 1, 0xff, b, 0x80, 0, b, 7];
            let x = u64::from_le_bytes(bytes);
            let expected = (0..8).fold(0, |m, j| m | usize::from(bytes[j] == b) << j);
            assert_eq!(gather(equal(x, b)), expected, "{b:#x}");
        }
    }

    #[test]
    fn skip_except_stops_at_the_word_holding_a_wanted_or_non_ascii_byte() {
        let text = "plain ascii text here, then a quote: \" and more plain text after it";
        let quote = text.find('"').unwrap();
        let stop = skip_except(text.as_bytes(), 0, b"\"");
        assert!(stop <= quote && quote < stop + 8, "{stop} {quote}");
        let accent = "0123456789abcdef\u{e9}tail";
        assert_eq!(skip_except(accent.as_bytes(), 0, b"?"), 16);
        assert_eq!(
            skip_except(b"short", 0, b"?"),
            0,
            "fewer than eight bytes left"
        );
        assert_eq!(skip_except(b"0123456789abcdefgh", 0, b"?"), 16);
    }
}
