//! Typed reads of JSON members that record a problem instead of failing.
//!
//! Every reader returns `Some(value)` only for a usable value; otherwise it has already
//! pushed exactly one problem naming the member, so callers just carry on with `None`.

use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};
use serde::de::{DeserializeOwned, IntoDeserializer, value::StrDeserializer};
use serde_json::{Map, Value};

use super::pointer::{Sink, join};
use crate::plan::{FIRST_YEAR, LAST_YEAR};
use crate::validation::IssueCode;

/// The JSON type of a value, as a noun phrase for messages.
pub(super) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(sink: &mut Sink, pointer: &str, what: &str, value: &Value) {
    sink.push(
        IssueCode::WrongType,
        pointer,
        format!(
            "`{}` must be {what}, not {}.",
            last_token(pointer),
            json_type(value)
        ),
    );
}

/// The last reference token of a pointer, for messages (`/plan/start` -> `start`).
fn last_token(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~")
}

/// Reads a string.
pub(super) fn string(sink: &mut Sink, pointer: &str, value: &Value) -> Option<String> {
    if let Value::String(s) = value {
        Some(s.clone())
    } else {
        wrong_type(sink, pointer, "a string", value);
        None
    }
}

/// Reads a boolean.
pub(super) fn boolean(sink: &mut Sink, pointer: &str, value: &Value) -> Option<bool> {
    if let Value::Bool(b) = value {
        Some(*b)
    } else {
        wrong_type(sink, pointer, "true or false", value);
        None
    }
}

/// Reads a whole number within `range` (e.g. `1..=3650`).
pub(super) fn count(
    sink: &mut Sink,
    pointer: &str,
    value: &Value,
    range: RangeInclusive<u32>,
) -> Option<u32> {
    let Value::Number(n) = value else {
        wrong_type(sink, pointer, "a whole number", value);
        return None;
    };
    let (min, max) = (*range.start(), *range.end());
    let name = last_token(pointer);
    let whole = n.as_u64().or_else(|| {
        let f = n.as_f64().unwrap_or(f64::NAN);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the value was just checked to be a whole number within u32"
        )]
        (f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f)).then_some(f as u64)
    });
    if let Some(u) = whole {
        if let Ok(v) = u32::try_from(u)
            && range.contains(&v)
        {
            return Some(v);
        }
        let bound = if u < u64::from(min) {
            format!("at least {min}")
        } else {
            format!("at most {max}")
        };
        sink.push(
            IssueCode::OutOfRange,
            pointer,
            format!("`{name}` is {n} but must be {bound}."),
        );
        return None;
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.is_finite() && f.fract() != 0.0 {
        wrong_type(sink, pointer, "a whole number", value);
    } else {
        sink.push(
            IssueCode::OutOfRange,
            pointer,
            format!("`{name}` is {n} but must be a whole number from {min} to {max}."),
        );
    }
    None
}

/// How a decimal number is bounded below.
#[derive(Debug, Clone, Copy)]
pub(super) enum Lower {
    /// Strictly greater than zero.
    Positive,
    /// Zero or more.
    NonNegative,
}

/// Reads a finite number with the given lower bound and at most `max`.
pub(super) fn number(
    sink: &mut Sink,
    pointer: &str,
    value: &Value,
    lower: Lower,
    max: f64,
) -> Option<f64> {
    let Value::Number(n) = value else {
        wrong_type(sink, pointer, "a number", value);
        return None;
    };
    let f = n.as_f64().unwrap_or(f64::NAN);
    let above = match lower {
        Lower::Positive => f > 0.0,
        Lower::NonNegative => f >= 0.0,
    };
    if above && f <= max {
        return Some(f);
    }
    let bound = if above {
        format!("at most {max}")
    } else {
        match lower {
            Lower::Positive => "greater than 0".to_owned(),
            Lower::NonNegative => "0 or more".to_owned(),
        }
    };
    sink.push(
        IssueCode::OutOfRange,
        pointer,
        format!("`{}` is {n} but must be {bound}.", last_token(pointer)),
    );
    None
}

/// Reads a `YYYY-MM-DD` calendar date.
pub(super) fn date(sink: &mut Sink, pointer: &str, value: &Value) -> Option<NaiveDate> {
    let Value::String(s) = value else {
        wrong_type(sink, pointer, "a date string like \"2026-03-01\"", value);
        return None;
    };
    let parsed = parse_fixed(s, &[4, 2, 2]).and_then(|p| {
        let year = i32::try_from(p[0]).ok()?;
        NaiveDate::from_ymd_opt(year, p[1], p[2])
    });
    let Some(date) = parsed else {
        sink.push(
            IssueCode::InvalidDate,
            pointer,
            format!(
                "`{}` is \"{s}\", which is not a real calendar date in YYYY-MM-DD form.",
                last_token(pointer)
            ),
        );
        return None;
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        sink.push(
            IssueCode::OutOfRange,
            pointer,
            format!(
                "`{}` is {date}, but dates must fall in the years {FIRST_YEAR} to {LAST_YEAR}.",
                last_token(pointer)
            ),
        );
        return None;
    }
    Some(date)
}

/// Reads an `MM-DD` month-day (29 February allowed).
pub(super) fn month_day(sink: &mut Sink, pointer: &str, value: &Value) -> Option<(u32, u32)> {
    let Value::String(s) = value else {
        wrong_type(sink, pointer, "a month-day string like \"06-15\"", value);
        return None;
    };
    // 2000 is a leap year, so every real month-day exists in it.
    let parsed = parse_fixed(s, &[2, 2])
        .filter(|p| NaiveDate::from_ymd_opt(2000, p[0], p[1]).is_some())
        .map(|p| (p[0], p[1]));
    if parsed.is_none() {
        sink.push(
            IssueCode::InvalidDate,
            pointer,
            format!(
                "`{}` is \"{s}\", which is not a real month-day in MM-DD form.",
                last_token(pointer)
            ),
        );
    }
    parsed
}

/// Splits `s` on `-` into all-digit groups of exactly the given widths.
fn parse_fixed(s: &str, widths: &[usize]) -> Option<Vec<u32>> {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != widths.len() {
        return None;
    }
    parts
        .iter()
        .zip(widths)
        .map(|(part, &w)| {
            (part.len() == w && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        })
        .collect()
}

/// Reads one value of a closed set of names into the enum `T`.
pub(super) fn choice<T: DeserializeOwned>(
    sink: &mut Sink,
    pointer: &str,
    value: &Value,
    code: IssueCode,
    allowed: &[&str],
) -> Option<T> {
    let Value::String(s) = value else {
        wrong_type(sink, pointer, "a string", value);
        return None;
    };
    let de: StrDeserializer<'_, serde::de::value::Error> = s.as_str().into_deserializer();
    let parsed = T::deserialize(de).ok();
    if parsed.is_none() {
        sink.push(
            code,
            pointer,
            format!(
                "`{}` is \"{s}\" but must be one of: {}.",
                last_token(pointer),
                allowed.join(", ")
            ),
        );
    }
    parsed
}

/// A JSON object being read member by member, with its pointer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    map: &'a Map<String, Value>,
    base: &'a str,
}

impl<'a> Fields<'a> {
    /// Reads the object `map` found at pointer `base`.
    pub fn new(map: &'a Map<String, Value>, base: &'a str) -> Self {
        Self { map, base }
    }

    /// The pointer to member `key`.
    pub fn pointer(&self, key: &str) -> String {
        join(self.base, key)
    }

    /// The member `key`, treating `null` as absent.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Whether member `key` is present and not `null`.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The member `key`, recording `missing_property` when `required` and absent.
    pub fn member(&self, sink: &mut Sink, key: &str, required: bool) -> Option<&'a Value> {
        let value = self.get(key);
        if value.is_none() && required {
            sink.push(
                IssueCode::MissingProperty,
                self.pointer(key),
                format!("The required property `{key}` is missing."),
            );
        }
        value
    }

    /// Reads a string member.
    pub fn string(&self, sink: &mut Sink, key: &str, required: bool) -> Option<String> {
        self.member(sink, key, required)
            .and_then(|v| string(sink, &self.pointer(key), v))
    }

    /// Reads a boolean member.
    pub fn boolean(&self, sink: &mut Sink, key: &str, required: bool) -> Option<bool> {
        self.member(sink, key, required)
            .and_then(|v| boolean(sink, &self.pointer(key), v))
    }

    /// Reads a whole-number member within `range`.
    pub fn count(
        &self,
        sink: &mut Sink,
        key: &str,
        required: bool,
        range: RangeInclusive<u32>,
    ) -> Option<u32> {
        self.member(sink, key, required)
            .and_then(|v| count(sink, &self.pointer(key), v, range))
    }

    /// Reads a decimal member bounded below by `lower` and above by `max`.
    pub fn number(
        &self,
        sink: &mut Sink,
        key: &str,
        required: bool,
        lower: Lower,
        max: f64,
    ) -> Option<f64> {
        self.member(sink, key, required)
            .and_then(|v| number(sink, &self.pointer(key), v, lower, max))
    }

    /// Reads a date member.
    pub fn date(&self, sink: &mut Sink, key: &str, required: bool) -> Option<NaiveDate> {
        self.member(sink, key, required)
            .and_then(|v| date(sink, &self.pointer(key), v))
    }

    /// Reads an enumerated member.
    pub fn choice<T: DeserializeOwned>(
        &self,
        sink: &mut Sink,
        key: &str,
        required: bool,
        code: IssueCode,
        allowed: &[&str],
    ) -> Option<T> {
        self.member(sink, key, required)
            .and_then(|v| choice(sink, &self.pointer(key), v, code, allowed))
    }

    /// Reads an array member.
    pub fn array(&self, sink: &mut Sink, key: &str, required: bool) -> Option<&'a Vec<Value>> {
        let value = self.member(sink, key, required)?;
        if let Value::Array(a) = value {
            Some(a)
        } else {
            wrong_type(sink, &self.pointer(key), "an array", value);
            None
        }
    }

    /// Reads an object member.
    pub fn object(
        &self,
        sink: &mut Sink,
        key: &str,
        required: bool,
    ) -> Option<&'a Map<String, Value>> {
        let value = self.member(sink, key, required)?;
        if let Value::Object(m) = value {
            Some(m)
        } else {
            wrong_type(sink, &self.pointer(key), "an object", value);
            None
        }
    }

    /// Records `unknown_property` for every member not in `allowed` and not starting with `x_`.
    pub fn reject_unknown(&self, sink: &mut Sink, allowed: &[&str], context: &str) {
        for key in self.map.keys() {
            if !allowed.contains(&key.as_str()) && !key.starts_with("x_") {
                sink.push(
                    IssueCode::UnknownProperty,
                    self.pointer(key),
                    format!(
                        "`{key}` is not a property of {context}; check the spelling, or prefix free attributes with `x_`."
                    ),
                );
            }
        }
    }

    /// Records `unknown_property` for member `key` if present: it does not apply here.
    pub fn reject_present(&self, sink: &mut Sink, key: &str, why: &str) {
        if self.map.contains_key(key) {
            sink.push(
                IssueCode::UnknownProperty,
                self.pointer(key),
                format!("`{key}` {why}."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn impossible_dates_are_invalid_and_real_ones_parse() {
        let mut sink = Sink::document();
        assert!(date(&mut sink, "/d", &json!("2026-02-30")).is_none());
        assert!(date(&mut sink, "/d", &json!("2026-2-3")).is_none());
        assert_eq!(
            date(&mut sink, "/d", &json!("2028-02-29")),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(sink.problems.len(), 2);
        assert!(
            sink.problems
                .iter()
                .all(|p| p.code == IssueCode::InvalidDate)
        );
    }

    #[test]
    fn month_days_allow_the_leap_day_but_not_the_thirty_first_of_april() {
        let mut sink = Sink::document();
        assert_eq!(month_day(&mut sink, "/m", &json!("02-29")), Some((2, 29)));
        assert!(month_day(&mut sink, "/m", &json!("04-31")).is_none());
        assert_eq!(sink.problems.len(), 1);
    }

    #[test]
    fn counts_reject_fractions_negatives_and_accept_integral_floats() {
        let mut sink = Sink::document();
        assert_eq!(count(&mut sink, "/c", &json!(3.0), 1..=10), Some(3));
        assert!(count(&mut sink, "/c", &json!(2.5), 1..=10).is_none());
        assert!(count(&mut sink, "/c", &json!(-1), 0..=10).is_none());
        assert!(count(&mut sink, "/c", &json!(0), 1..=10).is_none());
        let codes: Vec<_> = sink.problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                IssueCode::WrongType,
                IssueCode::OutOfRange,
                IssueCode::OutOfRange
            ]
        );
    }

    #[test]
    fn counts_above_their_maximum_are_out_of_range_up_to_u64_and_beyond() {
        let mut sink = Sink::document();
        assert_eq!(count(&mut sink, "/d", &json!(3650), 1..=3650), Some(3650));
        for too_big in [
            json!(3651),
            json!(4_294_967_295_u32),
            json!(4_294_967_296_u64),
            json!(u64::MAX),
            json!(3651.0),
            json!(1e300),
        ] {
            assert!(count(&mut sink, "/d", &too_big, 1..=3650).is_none());
        }
        assert_eq!(sink.problems.len(), 6);
        assert!(
            sink.problems
                .iter()
                .all(|p| p.code == IssueCode::OutOfRange)
        );
        assert!(sink.problems[0].message.contains("at most 3650"));
    }

    #[test]
    fn numbers_are_bounded_on_both_sides() {
        let mut sink = Sink::document();
        assert_eq!(
            number(&mut sink, "/n", &json!(100.0), Lower::Positive, 100.0),
            Some(100.0)
        );
        assert!(number(&mut sink, "/n", &json!(100.5), Lower::Positive, 100.0).is_none());
        assert!(number(&mut sink, "/n", &json!(1e308), Lower::NonNegative, 100.0).is_none());
        assert!(number(&mut sink, "/n", &json!(-0.0), Lower::Positive, 100.0).is_none());
        assert_eq!(
            number(&mut sink, "/n", &json!(-0.0), Lower::NonNegative, 100.0),
            Some(0.0)
        );
        let messages: Vec<&str> = sink.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3);
        assert!(messages[0].contains("at most 100"), "{messages:?}");
        assert!(messages[2].contains("greater than 0"), "{messages:?}");
    }

    #[test]
    fn dates_outside_1900_to_2200_are_out_of_range_not_invalid() {
        let mut sink = Sink::document();
        assert!(date(&mut sink, "/d", &json!("1900-01-01")).is_some());
        assert!(date(&mut sink, "/d", &json!("2200-12-31")).is_some());
        for far in ["1899-12-31", "2201-01-01", "0000-01-01", "9999-12-31"] {
            assert!(date(&mut sink, "/d", &json!(far)).is_none(), "{far}");
        }
        assert_eq!(sink.problems.len(), 4);
        assert!(
            sink.problems
                .iter()
                .all(|p| p.code == IssueCode::OutOfRange)
        );
    }

    #[test]
    fn choices_name_the_allowed_values() {
        let mut sink = Sink::document();
        let a: Option<crate::plan::Action> = choice(
            &mut sink,
            "/a",
            &json!("renew"),
            IssueCode::UnknownValue,
            &["new", "replace", "repair"],
        );
        assert!(a.is_none());
        assert!(sink.problems[0].message.contains("new, replace, repair"));
        let b: Option<crate::plan::Action> = choice(
            &mut sink,
            "/a",
            &json!("replace"),
            IssueCode::UnknownValue,
            &[],
        );
        assert_eq!(b, Some(crate::plan::Action::Replace));
    }
}
