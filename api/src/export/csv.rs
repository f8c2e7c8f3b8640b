//! RFC 4180 CSV of a dig schedule: a header line, one record per activity, CRLF line
//! breaks, fields quoted when they hold a comma, a quote, CR or LF (quotes doubled).
//! List-valued fields are joined with `;` inside one field.

use super::UtilitySchedule;

/// The header record.
pub const HEADER: [&str; 15] = [
    "activity",
    "kind",
    "start",
    "end",
    "work",
    "works",
    "utility",
    "trench",
    "shared_with",
    "district",
    "compound",
    "crew",
    "owner",
    "lon",
    "lat",
];

/// Appends one field, quoted if RFC 4180 requires it.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn push_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push_str("\r\n");
}

/// Renders the schedule as CSV text.
///
/// # Complexity
/// Linear in the number of entries and their text.
#[must_use]
pub fn render(schedule: &UtilitySchedule) -> String {
    let mut out = String::with_capacity(128 * (schedule.entries.len() + 1));
    push_record(&mut out, HEADER);
    for e in &schedule.entries {
        let start = e.start.to_string();
        let end = e.end.to_string();
        let works = e.works.join(";");
        let shared = e.shared_with.join(";");
        let lon = e.location.map(|l| l.lon.to_string()).unwrap_or_default();
        let lat = e.location.map(|l| l.lat.to_string()).unwrap_or_default();
        let fields: [&str; 15] = [
            &e.activity,
            e.kind.as_str(),
            &start,
            &end,
            &e.work,
            &works,
            &e.utility,
            e.trench.as_deref().unwrap_or(""),
            &shared,
            e.district.as_deref().unwrap_or(""),
            e.compound.as_deref().unwrap_or(""),
            e.crew.as_deref().unwrap_or(""),
            &schedule.owner,
            &lon,
            &lat,
        ];
        push_record(&mut out, fields);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_or_quotes_are_quoted_and_doubled() {
        let mut out = String::new();
        push_record(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", ""]);
        assert_eq!(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
    }

    #[test]
    fn every_record_has_the_header_s_field_count() {
        let document = optimizer::city::document::ScheduleDocument::from_slice(
            super::super::fixture::SCHEDULE_JSON.as_bytes(),
        )
        .expect("fixture");
        let schedule = UtilitySchedule::build(
            super::super::ScheduleSource {
                schedule_id: "sc_1",
                plan_id: "pl_1",
                created_at: "2026-11-26T10:00:00Z",
            },
            &document,
            "Beijing Gas",
            &std::collections::BTreeMap::new(),
        )
        .expect("gas");
        let text = render(&schedule);
        assert!(text.ends_with("\r\n"));
        let lines: Vec<_> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].contains("\"Xicheng, \"\"old town\"\"\""));
        assert!(lines[1].starts_with("t3/excavate,excavate,2027-03-02,2027-03-05,"));
    }
}
