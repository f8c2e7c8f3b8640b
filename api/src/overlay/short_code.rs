//! The short code of a compound's public page (`/p/{code}`, `docs/progress.md`,
//! "The residents' page"): ten characters to print at the compound's gate.
//!
//! The code is derived, never stored: its first three characters come from a hash of the
//! plan id, its last seven from a hash of the plan id and the compound id (SHA-256, in
//! Crockford's base 32, lower case). It stays the same across plan versions and
//! schedules, differs between plans, and lets the service find the plan from the code by
//! its first three characters without any index.

use sha2::{Digest, Sha256};

/// Crockford's base-32 alphabet, lower case (no `i`, `l`, `o`, `u`).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters taken from the plan id's hash.
pub const PLAN_PART: usize = 3;
/// Characters taken from the compound's hash.
pub const COMPOUND_PART: usize = 7;
/// The length of a code.
pub const LEN: usize = PLAN_PART + COMPOUND_PART;

/// `n` base-32 characters of the SHA-256 of `parts` joined by a newline.
fn digits(parts: &[&str], n: usize) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(part.as_bytes());
    }
    let hash = hasher.finalize();
    let mut bits = u64::from_be_bytes(
        hash[..8]
            .try_into()
            .unwrap_or_else(|_| unreachable!("a SHA-256 hash has 32 bytes")),
    );
    (0..n)
        .map(|_| {
            let d = usize::try_from(bits >> 59).unwrap_or_default();
            bits <<= 5;
            char::from(ALPHABET[d])
        })
        .collect()
}

/// The plan's part of every code of its compounds.
#[must_use]
pub fn plan_part(plan_id: &str) -> String {
    digits(&[plan_id], PLAN_PART)
}

/// The code of compound `compound_id` of plan `plan_id`.
#[must_use]
pub fn code(plan_id: &str, compound_id: &str) -> String {
    let mut out = plan_part(plan_id);
    out.push_str(&digits(&[plan_id, compound_id], COMPOUND_PART));
    out
}

/// Whether `text` has the shape of a code (length and alphabet), before any look-up.
#[must_use]
pub fn is_well_formed(text: &str) -> bool {
    text.len() == LEN && text.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_short_and_differ_by_plan_and_compound() {
        let a = code("pl_1", "c1");
        assert_eq!(a, code("pl_1", "c1"));
        assert_eq!(a.len(), LEN);
        assert!(is_well_formed(&a));
        assert!(a.starts_with(&plan_part("pl_1")));
        assert_ne!(a, code("pl_1", "c2"));
        assert_ne!(a, code("pl_2", "c1"));
        assert!(!is_well_formed("ABCDEFGHJK"));
        assert!(!is_well_formed("abc"));
    }
}
