//! The top-level `"plan"` member: plan-wide settings with defaults filled in.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::pointer::{Sink, join};
use super::reader::{self, Fields, Lower};
use crate::plan::{Calendars, Fund, FundSource, MAX_CNY, SeasonWindow, Settings, Trade, Utility};
use crate::validation::IssueCode;

const PLAN_MEMBERS: &[&str] = &[
    "name",
    "start",
    "horizon_days",
    "calendars",
    "crews",
    "default_crews",
    "share_distance_m",
    "min_shared_length_m",
    "clearance_profile",
    "district_limits",
    "cluster_gap_m",
    "funds",
    "heating",
];

const FUND_MEMBERS: &[&str] = &["source", "district", "allocated_cny", "disbursed_cny"];
const FUND_SOURCES: &[&str] = &[
    "central",
    "provincial",
    "municipal",
    "county",
    "utility",
    "residents",
];

const CALENDAR_MEMBERS: &[&str] = &[
    "rainy_season",
    "heating_season",
    "frozen_ground",
    "holidays",
    "weekends_work",
];

/// Clearance profiles the planner knows.
pub(super) const CLEARANCE_PROFILES: &[&str] = &["cn-gb50289", "us-generic"];

/// A distance setting in metres: its member, bounds and default.
struct DistanceSetting {
    key: &'static str,
    lower: Lower,
    max: f64,
    default: f64,
}

const SHARE_DISTANCE: DistanceSetting = DistanceSetting {
    key: "share_distance_m",
    lower: Lower::Positive,
    max: Settings::MAX_SHARE_DISTANCE_M,
    default: Settings::DEFAULT_SHARE_DISTANCE_M,
};

const MIN_SHARED_LENGTH: DistanceSetting = DistanceSetting {
    key: "min_shared_length_m",
    lower: Lower::Positive,
    max: Settings::MAX_MIN_SHARED_LENGTH_M,
    default: Settings::DEFAULT_MIN_SHARED_LENGTH_M,
};

const CLUSTER_GAP: DistanceSetting = DistanceSetting {
    key: "cluster_gap_m",
    lower: Lower::NonNegative,
    max: Settings::MAX_CLUSTER_GAP_M,
    default: Settings::DEFAULT_CLUSTER_GAP_M,
};

/// Reads a distance setting, or its default when absent (or wrong: the problem is recorded).
fn distance(fields: &Fields<'_>, sink: &mut Sink, setting: &DistanceSetting) -> f64 {
    fields
        .number(sink, setting.key, false, setting.lower, setting.max)
        .unwrap_or(setting.default)
}

/// Reads the `"plan"` member (`None` when absent) into settings, or records its problems.
pub(super) fn read(value: Option<&Value>, sink: &mut Sink) -> Option<Settings> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        sink.push(
            IssueCode::MissingProperty,
            "/plan",
            "The top-level \"plan\" member with the plan's name and start date is missing.",
        );
        return None;
    };
    let Value::Object(map) = value else {
        sink.push(
            IssueCode::WrongType,
            "/plan",
            format!(
                "\"plan\" must be an object, not {}.",
                reader::json_type(value)
            ),
        );
        return None;
    };
    let fields = Fields::new(map, "/plan");
    let before = sink.found();
    fields.reject_unknown(sink, PLAN_MEMBERS, "the plan settings");
    let name = fields.string(sink, "name", true);
    let start = fields.date(sink, "start", true);
    let horizon_days = fields
        .count(sink, "horizon_days", false, 1..=Settings::MAX_HORIZON_DAYS)
        .unwrap_or(Settings::DEFAULT_HORIZON_DAYS);
    let calendars = fields
        .object(sink, "calendars", false)
        .map_or_else(Calendars::default, |m| calendars(m, sink));
    let crews = fields
        .object(sink, "crews", false)
        .map(|m| counts(m, &fields.pointer("crews"), sink, Counts::Crews))
        .unwrap_or_default();
    let default_crews = fields
        .count(sink, "default_crews", false, 1..=Settings::MAX_CREWS)
        .unwrap_or(Settings::DEFAULT_CREWS);
    let share_distance_m = distance(&fields, sink, &SHARE_DISTANCE);
    let min_shared_length_m = distance(&fields, sink, &MIN_SHARED_LENGTH);
    let clearance_profile = fields
        .string(sink, "clearance_profile", false)
        .unwrap_or_else(|| Settings::DEFAULT_CLEARANCE_PROFILE.to_owned());
    if !CLEARANCE_PROFILES.contains(&clearance_profile.as_str()) {
        sink.push(
            IssueCode::UnknownValue,
            fields.pointer("clearance_profile"),
            format!(
                "`clearance_profile` is \"{clearance_profile}\" but must be one of: {}.",
                CLEARANCE_PROFILES.join(", ")
            ),
        );
    }
    let district_limits = fields
        .object(sink, "district_limits", false)
        .map(|m| {
            counts(
                m,
                &fields.pointer("district_limits"),
                sink,
                Counts::DistrictLimits,
            )
        })
        .unwrap_or_default();
    let cluster_gap_m = distance(&fields, sink, &CLUSTER_GAP);
    let funds = fields
        .array(sink, "funds", false)
        .map(|items| read_funds(items, sink))
        .unwrap_or_default();
    if sink.found() > before {
        return None;
    }
    Some(Settings {
        name: name?,
        start: start?,
        horizon_days,
        calendars,
        crews,
        default_crews,
        share_distance_m,
        min_shared_length_m,
        clearance_profile,
        district_limits,
        cluster_gap_m,
        funds,
    })
}

/// Reads the `funds` list: each entry's source, district, allocated and disbursed yuan.
fn read_funds(items: &[Value], sink: &mut Sink) -> Vec<Fund> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let base = format!("/plan/funds/{i}");
        let Value::Object(map) = item else {
            sink.push(
                IssueCode::WrongType,
                &base,
                format!(
                    "Each fund must be an object, not {}.",
                    reader::json_type(item)
                ),
            );
            continue;
        };
        let fields = Fields::new(map, &base);
        fields.reject_unknown(sink, FUND_MEMBERS, "a fund");
        let source: Option<FundSource> =
            fields.choice(sink, "source", true, IssueCode::UnknownValue, FUND_SOURCES);
        let district = fields.string(sink, "district", true);
        let allocated = fields.number(sink, "allocated_cny", true, Lower::NonNegative, MAX_CNY);
        let disbursed = fields
            .number(sink, "disbursed_cny", false, Lower::NonNegative, MAX_CNY)
            .unwrap_or(0.0);
        if let Some(allocated) = allocated
            && disbursed > allocated
        {
            sink.push(
                IssueCode::DisbursedOverAllocated,
                fields.pointer("disbursed_cny"),
                format!("`disbursed_cny` is {disbursed} but only {allocated} was allocated."),
            );
            continue;
        }
        if let (Some(source), Some(district), Some(allocated_cny)) = (source, district, allocated) {
            out.push(Fund {
                source,
                district,
                allocated_cny,
                disbursed_cny: disbursed,
            });
        }
    }
    out
}

fn calendars(map: &Map<String, Value>, sink: &mut Sink) -> Calendars {
    let fields = Fields::new(map, "/plan/calendars");
    fields.reject_unknown(sink, CALENDAR_MEMBERS, "the plan calendars");
    let defaults = Calendars::default();
    let window = |sink: &mut Sink, key: &str, default: SeasonWindow| {
        let Some(m) = fields.object(sink, key, false) else {
            return default;
        };
        let pointer = fields.pointer(key);
        let w = Fields::new(m, &pointer);
        w.reject_unknown(sink, &["from", "to"], "a season window");
        let from = w
            .member(sink, "from", true)
            .and_then(|v| reader::month_day(sink, &w.pointer("from"), v));
        let to = w
            .member(sink, "to", true)
            .and_then(|v| reader::month_day(sink, &w.pointer("to"), v));
        match (from, to) {
            (Some(from), Some(to)) => SeasonWindow { from, to },
            _ => default,
        }
    };
    let rainy_season = window(sink, "rainy_season", defaults.rainy_season);
    let heating_season = window(sink, "heating_season", defaults.heating_season);
    let frozen_ground = window(sink, "frozen_ground", defaults.frozen_ground);
    let holidays = fields
        .array(sink, "holidays", false)
        .map(|items| {
            let base = fields.pointer("holidays");
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| reader::date(sink, &format!("{base}/{i}"), v))
                .collect()
        })
        .unwrap_or_default();
    let weekends_work = fields
        .boolean(sink, "weekends_work", false)
        .unwrap_or(defaults.weekends_work);
    Calendars {
        rainy_season,
        heating_season,
        frozen_ground,
        holidays,
        weekends_work,
    }
}

/// Which name -> count object is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counts {
    /// `crews`: every name a utility or trade, 1 to [`Settings::MAX_CREWS`].
    Crews,
    /// `district_limits`: any district, 1 to [`Settings::MAX_DISTRICT_LIMIT`].
    DistrictLimits,
}

/// Reads a name -> count object (crews or district limits).
fn counts(
    map: &Map<String, Value>,
    base: &str,
    sink: &mut Sink,
    which: Counts,
) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let pointer = join(base, key);
        if which == Counts::Crews
            && !Utility::ALL.iter().any(|u| u.as_str() == key)
            && !Trade::ALL.iter().any(|t| t.as_str() == key)
        {
            let names: Vec<&str> = Utility::ALL
                .iter()
                .map(|u| u.as_str())
                .chain(Trade::ALL.iter().map(|t| t.as_str()))
                .collect();
            sink.push(
                IssueCode::UnknownValue,
                pointer,
                format!(
                    "`{key}` is not a utility or trade; crews can be given for: {}.",
                    names.join(", ")
                ),
            );
            continue;
        }
        let max = match which {
            Counts::Crews => Settings::MAX_CREWS,
            Counts::DistrictLimits => Settings::MAX_DISTRICT_LIMIT,
        };
        if let Some(n) = reader::count(sink, &pointer, value, 1..=max) {
            out.insert(key.clone(), n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    #[test]
    fn missing_members_take_their_documented_defaults() {
        let mut sink = Sink::document();
        let s = read(
            Some(&json!({"name": "P", "start": "2026-03-01"})),
            &mut sink,
        )
        .expect("valid settings");
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        assert_eq!(s, Settings::with_defaults("P", start));
    }

    #[test]
    fn every_bad_setting_is_reported() {
        let mut sink = Sink::document();
        let plan = json!({
            "name": 3, "start": "2026-13-01", "horizon_days": 0, "crews": {"gas": 0, "plumbing": 2},
            "calendars": {"rainy_season": {"from": "06-31", "to": "09-15"}, "holidays": ["2026-02-30"]},
            "clearance_profile": "eu", "cluster_gap_m": -1, "colour": "red"
        });
        assert!(read(Some(&plan), &mut sink).is_none());
        let got: Vec<(IssueCode, &str)> = sink
            .problems
            .iter()
            .map(|p| (p.code, p.pointer.as_str()))
            .collect();
        for expected in [
            (IssueCode::UnknownProperty, "/plan/colour"),
            (IssueCode::WrongType, "/plan/name"),
            (IssueCode::InvalidDate, "/plan/start"),
            (IssueCode::OutOfRange, "/plan/horizon_days"),
            (IssueCode::InvalidDate, "/plan/calendars/rainy_season/from"),
            (IssueCode::InvalidDate, "/plan/calendars/holidays/0"),
            (IssueCode::OutOfRange, "/plan/crews/gas"),
            (IssueCode::UnknownValue, "/plan/crews/plumbing"),
            (IssueCode::UnknownValue, "/plan/clearance_profile"),
            (IssueCode::OutOfRange, "/plan/cluster_gap_m"),
        ] {
            assert!(got.contains(&expected), "missing {expected:?} in {got:?}");
        }
        assert_eq!(got.len(), 10);
    }

    #[test]
    fn an_absent_plan_member_is_a_missing_property() {
        let mut sink = Sink::document();
        assert!(read(None, &mut sink).is_none());
        assert_eq!(sink.problems[0].code, IssueCode::MissingProperty);
        assert_eq!(sink.problems[0].pointer, "/plan");
    }
}
