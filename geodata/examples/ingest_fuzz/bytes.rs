//! Raw-byte mutations: edits that break the JSON itself, or its text, not only its tree.

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::mutation::Mutation;

/// Snippets worth inserting: JSON punctuation, literals, escapes and invalid UTF-8.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"\\",
    b"null",
    b"true",
    b"1e400",
    b"-",
    b"\0",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"\xff\xfe",
    b"\xc3",
    b"/*",
    b"NaN",
    b"\xef\xbb\xbf",
    b"[[[[[[[[[[[[[[[[",
];

/// Number texts JSON numbers can be turned into (some are not JSON at all).
const NUMBER_TEXTS: &[&str] = &[
    "1e400",
    "-1e400",
    "1E-400",
    "-0",
    "-0.0",
    "0.0000000000000000000000001",
    "123456789012345678901234567890",
    "18446744073709551616",
    "18446744073709551615",
    "-9223372036854775809",
    "4294967296",
    "2147483648",
    "9007199254740993",
    "1e",
    "01",
    ".5",
    "5.",
    "+1",
    "0x1F",
    "NaN",
    "Infinity",
    "1_000",
    "1e308",
    "3651",
    "0",
];

/// Members to insert right after an opening brace, repeating keys the reader cares about.
const MEMBERS: &[&str] = &[
    "\"features\":[],",
    "\"features\":[{\"type\":\"Feature\"}],",
    "\"plan\":{},",
    "\"plan\":null,",
    "\"type\":\"FeatureCollection\",",
    "\"type\":\"Feature\",",
    "\"id\":\"c1\",",
    "\"kind\":\"work\",",
    "\"coordinates\":[],",
    "\"geometry\":null,",
    "\"properties\":{},",
    "\"horizon_days\":4294967295,",
];

/// A random `start..end` range inside `len` bytes, at most `max` long.
fn range(len: usize, max: usize, rng: &mut impl Rng) -> (usize, usize) {
    let start = rng.random_range(0..=len);
    let end = (start + rng.random_range(1..=max)).min(len);
    (start, end)
}

/// Applies `mutation` to `bytes` (`other` is the second input of a splice); `false`
/// when it does not apply (an empty input, no number in it).
pub fn apply(mutation: Mutation, bytes: &mut Vec<u8>, other: &[u8], rng: &mut impl Rng) -> bool {
    let len = bytes.len();
    match mutation {
        Mutation::BitFlip => {
            if len == 0 {
                return false;
            }
            for _ in 0..rng.random_range(1..=8) {
                let i = rng.random_range(0..len);
                bytes[i] ^= 1 << rng.random_range(0..8);
            }
            true
        }
        Mutation::Truncate => {
            bytes.truncate(rng.random_range(0..=len));
            true
        }
        Mutation::InsertBytes => {
            let at = rng.random_range(0..=len);
            let insert: Vec<u8> = if rng.random_bool(0.3) {
                (0..rng.random_range(1..16)).map(|_| rng.random()).collect()
            } else {
                TOKENS.choose(rng).copied().unwrap_or(b"").to_vec()
            };
            bytes.splice(at..at, insert);
            true
        }
        Mutation::DeleteRange => {
            let (start, end) = range(len, 64, rng);
            bytes.drain(start..end);
            true
        }
        Mutation::DuplicateRange => {
            let (start, end) = range(len, 256, rng);
            let copy = bytes[start..end].to_vec();
            let at = rng.random_range(0..=len);
            bytes.splice(at..at, copy);
            true
        }
        Mutation::Splice => {
            let head = rng.random_range(0..=len);
            let tail = rng.random_range(0..=other.len());
            bytes.truncate(head);
            bytes.extend_from_slice(&other[tail..]);
            true
        }
        Mutation::NumberText => {
            let digits: Vec<usize> = (0..len).filter(|&i| bytes[i].is_ascii_digit()).collect();
            let Some(&at) = digits.choose(rng) else {
                return false;
            };
            let is_number_byte =
                |b: u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
            let mut start = at;
            while start > 0 && is_number_byte(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = at;
            while end < len && is_number_byte(bytes[end]) {
                end += 1;
            }
            let text = NUMBER_TEXTS.choose(rng).copied().unwrap_or("0");
            bytes.splice(start..end, text.bytes());
            true
        }
        Mutation::DuplicateKey => {
            let braces: Vec<usize> = (0..len).filter(|&i| bytes[i] == b'{').collect();
            let Some(&at) = braces.choose(rng) else {
                return false;
            };
            let member = MEMBERS.choose(rng).copied().unwrap_or("");
            let after = at + 1;
            bytes.splice(after..after, member.bytes());
            true
        }
        _ => false,
    }
}
