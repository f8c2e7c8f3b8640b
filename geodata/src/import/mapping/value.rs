//! Reading one source value into the type of a plan property: numbers with units
//! (`DN300`, `Φ110`, `0.3 m`, `10kV`), dates as Chinese spreadsheets write them
//! (`2026/5/1`, `2026年5月1日`, `20260501`), yes/no (`是`/`否`), lists (`屋面防水、外墙保温`,
//! GDAL's `(2:a,b)`, a JSON array), and value tables (`给水` → `water`, layer `RQ_中压` →
//! `gas`).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::import::layer::FieldValue;

/// Looks `raw` up in a value table: the exact key, then the key equal to it ignoring case
/// and surrounding blanks, then the longest key it starts with when the next character
/// is not a Latin letter (so layer `RQ_中压` and file `给水管线` find `RQ` and `给水`, but
/// `DLZX` does not find `DL`).
#[must_use]
pub fn lookup<'a>(table: &'a BTreeMap<String, String>, raw: &str) -> Option<&'a str> {
    if let Some(v) = table.get(raw) {
        return Some(v);
    }
    let wanted = raw.trim().to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(&str, usize)> = None;
    for (key, value) in table {
        let key = key.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        if key == wanted {
            return Some(value);
        }
        if let Some(rest) = wanted.strip_prefix(&key)
            && !rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && best.is_none_or(|(_, len)| key.len() > len)
        {
            best = Some((value, key.len()));
        }
    }
    best.map(|(v, _)| v)
}

/// Every number in `text`, in order (`300×200` gives 300 and 200; `1,234` gives 1234).
fn numbers_in(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let digit_follows = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        let in_number = !current.is_empty();
        if c.is_ascii_digit()
            || (c == '.' && digit_follows)
            || (c == '-' && !in_number && digit_follows && i == 0)
        {
            current.push(c);
        } else if (c == ',' || c == '，') && in_number && digit_follows {
            // A thousands separator inside a number.
        } else if in_number {
            if let Ok(n) = current.parse() {
                out.push(n);
            }
            current.clear();
        }
    }
    if let Ok(n) = current.parse() {
        out.push(n);
    }
    out
}

/// A whole number: integers, integral reals, and text holding exactly one whole number
/// (`412户`, `6 栋`, `1,234`).
#[must_use]
pub fn integer(value: &FieldValue) -> Option<i64> {
    match value {
        FieldValue::Integer(i) => Some(*i),
        #[expect(
            clippy::cast_possible_truncation,
            reason = "only integral values well inside i64 get here"
        )]
        FieldValue::Real(r) if r.fract() == 0.0 && r.abs() < 9e15 => Some(*r as i64),
        FieldValue::Text(t) => match numbers_in(t).as_slice() {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "only integral values well inside i64 get here"
            )]
            [n] if n.fract() == 0.0 && n.abs() < 9e15 => Some(*n as i64),
            _ => None,
        },
        FieldValue::Bool(_) | FieldValue::Date(_) | FieldValue::Real(_) => None,
    }
}

/// A number: integers, reals, and text holding exactly one number (`25 m/天`).
#[must_use]
pub fn number(value: &FieldValue) -> Option<f64> {
    match value {
        #[expect(
            clippy::cast_precision_loss,
            reason = "source integers of plan properties are far below 2^52"
        )]
        FieldValue::Integer(i) => Some(*i as f64),
        FieldValue::Real(r) if r.is_finite() => Some(*r),
        FieldValue::Text(t) => match numbers_in(t).as_slice() {
            [n] => Some(*n),
            _ => None,
        },
        _ => None,
    }
}

/// Millimetres per unit of length, by the unit's name.
fn millimetres_per(unit: &str) -> Option<f64> {
    match unit.trim().to_lowercase().as_str() {
        "mm" | "毫米" => Some(1.0),
        "cm" | "厘米" => Some(10.0),
        "m" | "米" => Some(1000.0),
        "in" | "inch" | "\"" | "英寸" => Some(25.4),
        _ => None,
    }
}

/// Whether `unit` names a length unit a mapping may give (`mm`, `cm`, `m`, `in`).
#[must_use]
pub fn is_length_unit(unit: &str) -> bool {
    millimetres_per(unit).is_some()
}

/// A diameter in millimetres. Text may carry its own unit (`0.3m`, `30cm`, `300mm`,
/// `12in`), a nominal-size prefix (`DN300`, `De110`, `Φ300`), or a box section
/// (`1000×800`: the larger side). A bare number is in `unit` (millimetres by default).
/// Zero and negative sizes are passed on for validation to report as out of range.
#[must_use]
pub fn length_mm(value: &FieldValue, unit: Option<&str>) -> Option<f64> {
    let default_factor = unit.and_then(millimetres_per).unwrap_or(1.0);
    match value {
        FieldValue::Integer(_) | FieldValue::Real(_) => number(value).map(|n| n * default_factor),
        FieldValue::Text(text) => {
            let numbers = numbers_in(text);
            let largest = numbers
                .iter()
                .copied()
                .fold(None, |m: Option<f64>, n| Some(m.map_or(n, |m| m.max(n))))?;
            let lower = text.to_lowercase();
            let trailing: String = lower
                .trim_end()
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic() || *c == '"')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let factor = millimetres_per(&trailing).unwrap_or(default_factor);
            Some(largest * factor)
        }
        _ => None,
    }
}

/// A voltage in kilovolts: `10kV`, `380V`, `0.4 kV`, or a bare number in `unit` (`kV`
/// by default, or `V`).
#[must_use]
pub fn voltage_kv(value: &FieldValue, unit: Option<&str>) -> Option<f64> {
    let bare_in_volts = unit.is_some_and(|u| u.trim().eq_ignore_ascii_case("v"));
    let n = number(value)?;
    let volts = match value {
        FieldValue::Text(t) => {
            let lower = t.trim().to_lowercase();
            if lower.ends_with("kv") || lower.ends_with("千伏") {
                false
            } else if lower.ends_with('v') || lower.ends_with('伏') {
                true
            } else {
                bare_in_volts
            }
        }
        _ => bare_in_volts,
    };
    Some(if volts { n / 1000.0 } else { n })
}

/// A date: date values, and text or numbers written `2026-05-01`, `2026/5/1`,
/// `2026.5.1`, `20260501`, `2026年5月1日`, optionally followed by a time of day.
#[must_use]
pub fn date(value: &FieldValue) -> Option<NaiveDate> {
    match value {
        FieldValue::Date(d) => Some(*d),
        FieldValue::Integer(i) => date_from_digits(&i.to_string()),
        FieldValue::Real(r) if r.fract() == 0.0 => date_from_digits(&format!("{r:.0}")),
        FieldValue::Text(text) => {
            let text = text.trim();
            let date_part = text
                .split(|c: char| c == 'T' || c.is_whitespace())
                .next()
                .unwrap_or(text);
            if date_part.chars().all(|c| c.is_ascii_digit()) {
                return date_from_digits(date_part);
            }
            let parts: Vec<u32> = date_part
                .split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect();
            match parts.as_slice() {
                [y, m, d] if *y >= 1000 => NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d),
                _ => None,
            }
        }
        _ => None,
    }
}

fn date_from_digits(digits: &str) -> Option<NaiveDate> {
    if digits.len() != 8 {
        return None;
    }
    let y = digits[0..4].parse().ok()?;
    let m = digits[4..6].parse().ok()?;
    let d = digits[6..8].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Yes or no: logical values, 1/0, and `true`/`false`, `yes`/`no`, `y`/`n`, `t`/`f`,
/// `是`/`否`, `有`/`无`.
#[must_use]
pub fn boolean(value: &FieldValue) -> Option<bool> {
    match value {
        FieldValue::Bool(b) => Some(*b),
        FieldValue::Integer(1) => Some(true),
        FieldValue::Integer(0) => Some(false),
        FieldValue::Real(r) if (*r - 1.0).abs() < f64::EPSILON => Some(true),
        FieldValue::Real(r) if r.abs() < f64::EPSILON => Some(false),
        FieldValue::Text(t) => match t.trim().to_lowercase().as_str() {
            "true" | "yes" | "y" | "t" | "1" | "是" | "有" | "√" => Some(true),
            "false" | "no" | "n" | "f" | "0" | "否" | "无" | "×" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The items of a list value: a JSON array of strings, GDAL's `(2:a,b)`, or text
/// separated by `,` `，` `、` `;` `；` `|` `/` or line breaks. Blank items are dropped.
#[must_use]
pub fn list(value: &FieldValue) -> Vec<String> {
    let text = value.display();
    let trimmed = text.trim();
    if trimmed.starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(trimmed)
    {
        return items
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
    }
    let body = trimmed
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|inner| inner.split_once(':'))
        .filter(|(count, _)| count.chars().all(|c| c.is_ascii_digit()))
        .map_or(trimmed, |(_, items)| items);
    body.split([',', '，', '、', ';', '；', '|', '/', '\n'])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> FieldValue {
        FieldValue::Text(s.to_owned())
    }

    #[test]
    fn value_tables_match_exactly_then_ignoring_case_then_by_a_code_prefix() {
        let table: BTreeMap<String, String> = [("给水", "water"), ("RQ", "gas"), ("DL", "power")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(lookup(&table, "给水"), Some("water"));
        assert_eq!(lookup(&table, " rq "), Some("gas"));
        assert_eq!(lookup(&table, "RQ_中压"), Some("gas"));
        assert_eq!(lookup(&table, "给水管线"), Some("water"));
        assert_eq!(lookup(&table, "DL2"), Some("power"));
        assert_eq!(lookup(&table, "DLZX"), None);
        assert_eq!(lookup(&table, "燃气"), None);
    }

    #[test]
    fn diameters_read_nominal_sizes_units_and_box_sections() {
        assert_eq!(length_mm(&text("DN300"), None), Some(300.0));
        assert_eq!(length_mm(&text("Φ110"), None), Some(110.0));
        assert_eq!(length_mm(&text("0.3m"), None), Some(300.0));
        assert_eq!(length_mm(&text("30 cm"), None), Some(300.0));
        assert_eq!(length_mm(&text("1000×800"), None), Some(1000.0));
        assert_eq!(length_mm(&FieldValue::Real(0.6), Some("m")), Some(600.0));
        let inches = length_mm(&FieldValue::Integer(12), Some("in")).expect("a length");
        assert!((inches - 304.8).abs() < 1e-9, "{inches}");
        assert_eq!(length_mm(&text("不详"), None), None);
    }

    #[test]
    fn voltages_read_kilovolts_and_volts() {
        assert_eq!(voltage_kv(&text("10kV"), None), Some(10.0));
        assert_eq!(voltage_kv(&text("380V"), None), Some(0.38));
        assert_eq!(voltage_kv(&FieldValue::Integer(220), Some("V")), Some(0.22));
        assert_eq!(voltage_kv(&FieldValue::Real(35.0), None), Some(35.0));
    }

    #[test]
    fn dates_read_the_ways_chinese_spreadsheets_write_them() {
        let may_first = NaiveDate::from_ymd_opt(2026, 5, 1);
        for written in [
            "2026-05-01",
            "2026/5/1",
            "2026.5.1",
            "20260501",
            "2026年5月1日",
            "2026-05-01 08:00:00",
        ] {
            assert_eq!(date(&text(written)), may_first, "{written}");
        }
        assert_eq!(date(&FieldValue::Integer(20_260_501)), may_first);
        assert_eq!(date(&text("2026-02-30")), None);
        assert_eq!(date(&text("明年")), None);
    }

    #[test]
    fn numbers_and_integers_tolerate_units_and_separators_but_not_ambiguity() {
        assert_eq!(integer(&text("412户")), Some(412));
        assert_eq!(integer(&text("1,234")), Some(1234));
        assert_eq!(integer(&FieldValue::Real(6.0)), Some(6));
        assert_eq!(integer(&FieldValue::Real(6.5)), None);
        assert_eq!(integer(&text("3-5")), None);
        assert_eq!(number(&text("25 m/天")), Some(25.0));
        assert_eq!(number(&text("-3.5")), Some(-3.5));
    }

    #[test]
    fn booleans_and_lists_read_common_spellings() {
        assert_eq!(boolean(&text("是")), Some(true));
        assert_eq!(boolean(&FieldValue::Integer(0)), Some(false));
        assert_eq!(boolean(&text("maybe")), None);
        assert_eq!(list(&text("屋面防水、外墙保温")), ["屋面防水", "外墙保温"]);
        assert_eq!(list(&text("(2:elevator,parking)")), ["elevator", "parking"]);
        assert_eq!(list(&text(r#"["elevator"]"#)), ["elevator"]);
        assert!(list(&text(" ")).is_empty());
    }
}
