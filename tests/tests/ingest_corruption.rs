//! Property: corrupting a valid plan never panics ingestion, and corruptions that must
//! break it (truncation, a property of the wrong type) are reported as problems.

use geodata::ingest::{IngestError, IngestOptions, ingest};
use proptest::prelude::*;
use serde_json::Value;

const VALID: &str = include_str!("../../examples/two-utilities-one-street.geojson");

/// Ingests bytes and checks the shape of any report: never empty, every problem located.
fn check(bytes: &[u8]) -> Result<(), Vec<geodata::validation::Issue>> {
    match ingest(bytes, &IngestOptions::default()) {
        Ok(_) => Ok(()),
        Err(IngestError::Invalid(report)) => {
            assert!(
                !report.problems.is_empty(),
                "an invalid report must list problems"
            );
            for p in &report.problems {
                assert!(p.pointer.is_empty() || p.pointer.starts_with('/'), "{p}");
                assert!(!p.message.is_empty(), "{p}");
            }
            Err(report.problems)
        }
        Err(IngestError::Read { source }) => panic!("reading a byte slice failed: {source}"),
    }
}

/// Every (feature index, property name) of the valid plan, except free `x_` attributes.
fn property_slots() -> Vec<(usize, String)> {
    let doc: Value = serde_json::from_str(VALID).expect("example is JSON");
    let features = doc["features"].as_array().expect("features");
    features
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            f["properties"]
                .as_object()
                .expect("properties")
                .keys()
                .filter(|k| !k.starts_with("x_"))
                .map(move |k| (i, k.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_uncorrupted_plan_is_valid() {
    assert!(check(VALID.as_bytes()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flipping_bytes_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = check(&bytes);
    }

    #[test]
    fn truncating_the_file_is_always_a_problem(cut in any::<prop::sample::Index>()) {
        // Cut strictly inside the document (before the closing brace).
        let end = VALID.trim_end().len() - 1;
        let at = cut.index(end);
        prop_assert!(check(&VALID.as_bytes()[..at]).is_err());
    }

    #[test]
    fn giving_a_property_the_wrong_type_is_reported_at_that_property(
        slot in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            Just(Value::Bool(true)),
            Just(serde_json::json!([1, 2])),
            Just(serde_json::json!({"a": 1})),
            Just(serde_json::json!(-7.5)),
        ],
    ) {
        let slots = property_slots();
        let (feature, key) = &slots[slot.index(slots.len())];
        let mut doc: Value = serde_json::from_str(VALID).expect("example is JSON");
        let original = &doc["features"][*feature]["properties"][key];
        prop_assume!(std::mem::discriminant(original) != std::mem::discriminant(&replacement));
        doc["features"][*feature]["properties"][key] = replacement;
        let problems = check(doc.to_string().as_bytes()).expect_err("a wrong type must be reported");
        let pointer = format!("/features/{feature}/properties/{key}");
        prop_assert!(
            problems.iter().any(|p| p.pointer.starts_with(&pointer)),
            "no problem at {pointer}: {problems:?}"
        );
    }
}
