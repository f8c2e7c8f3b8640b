//! The check on the whole fixture: the hand-made schedule keeps every rule, and random
//! shifts of its steps never make the check panic.

use proptest::prelude::*;

use super::testkit::Fixture;
use crate::city::document::Rule;

#[test]
fn the_hand_made_schedule_keeps_every_rule_though_it_misses_a_deadline_and_the_horizon() {
    let f = Fixture::load();
    assert_eq!(f.violations(), []);
    assert_eq!(f.schedule.summary.hard_deadlines_missed, 1);
    assert_eq!(f.schedule.beyond_horizon.len(), 1);
}

#[test]
fn every_violation_names_a_rule_and_says_what_is_wrong() {
    let mut f = Fixture::load();
    f.shift("w-gas-far/", 210).shift("c-north/", -30);
    let found = f.violations();
    assert!(found.len() > 5, "{found:#?}");
    let rules: Vec<Rule> = found.iter().map(|v| v.rule).collect();
    let mut sorted = rules.clone();
    sorted.sort();
    assert_eq!(rules, sorted, "grouped by rule");
    for v in &found {
        assert!(v.message.ends_with('.'), "{v:?}");
        assert!(v.message.contains("20"), "a sentence with its dates: {v:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_shifts_of_a_valid_schedule_never_panic(
        shifts in proptest::collection::vec((0_usize..30, -4000_i64..4000, -400_i64..400), 1..12)
    ) {
        let mut f = Fixture::load();
        for (which, start, length) in shifts {
            let n = f.schedule.activities.len();
            let a = &mut f.schedule.activities[which % n];
            a.start += chrono::Duration::days(start);
            a.end = a.start + chrono::Duration::days(length);
        }
        let found = f.violations();
        prop_assert!(found.iter().all(|v| !v.message.is_empty()));
    }
}
