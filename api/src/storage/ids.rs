//! Random identifiers for stored resources and tokens.

use std::fmt::Write as _;

/// Lower-case hexadecimal of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// A new random id: `prefix` followed by 96 random bits in hex (`pl_3f9a...`).
///
/// The bits come from the operating system's generator via `rand`'s thread generator
/// (a CSPRNG), so ids are unguessable as well as unique.
#[must_use]
pub fn random_id(prefix: &str) -> String {
    let bytes: [u8; 12] = rand::random();
    format!("{prefix}{}", hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lower_case_digits_per_byte() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn random_ids_carry_the_prefix_and_differ() {
        let a = random_id("pl_");
        let b = random_id("pl_");
        assert!(a.starts_with("pl_"));
        assert_eq!(a.len(), 3 + 24);
        assert_ne!(a, b);
    }
}
