//! RFC 5545 iCalendar of a dig schedule: one all-day `VEVENT` per excavation.
//!
//! Lines end in CRLF and are folded so no line exceeds 75 octets (continuations start
//! with one space, never splitting a UTF-8 character). `DTEND` is the day after the last
//! day of work (exclusive, as RFC 5545 wants for `VALUE=DATE`). UIDs are built from the
//! plan id and the activity id, so a re-planned schedule updates the same events in a
//! subscribed calendar instead of duplicating them; `SEQUENCE` is the number of re-plans
//! in which the event moved (`replan.sequence` of the schedule document), so calendar
//! clients replace the moved events in place.

use chrono::{DateTime, NaiveDate, Utc};

use super::{DigEntry, UtilitySchedule};

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets, with CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut octets = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if octets + width > 75 {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += width;
    }
    out.push_str("\r\n");
}

fn date(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// `DTSTAMP` from the schedule's creation time (falls back to the Unix epoch if the
/// stored time is unreadable, which keeps the output stable).
fn stamp(created_at: &str) -> String {
    DateTime::parse_from_rfc3339(created_at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn event(out: &mut String, schedule: &UtilitySchedule, entry: &DigEntry, dtstamp: &str) {
    push_line(out, "BEGIN:VEVENT");
    push_line(
        out,
        &format!(
            "UID:{}@digonce",
            escape(&format!("{}/{}", schedule.plan_id, entry.activity))
        ),
    );
    push_line(out, &format!("SEQUENCE:{}", entry.sequence));
    push_line(out, &format!("DTSTAMP:{dtstamp}"));
    push_line(out, &format!("DTSTART;VALUE=DATE:{}", date(entry.start)));
    let after = entry.end.succ_opt().unwrap_or(entry.end);
    push_line(out, &format!("DTEND;VALUE=DATE:{}", date(after)));
    let summary = match &entry.trench {
        Some(trench) => format!(
            "Excavation {} ({}), shared trench {trench}",
            entry.work, entry.utility
        ),
        None => format!("Excavation {} ({})", entry.work, entry.utility),
    };
    push_line(out, &format!("SUMMARY:{}", escape(&summary)));
    let mut place = Vec::new();
    if let Some(district) = &entry.district {
        place.push(district.clone());
    }
    if let Some(compound) = &entry.compound {
        place.push(format!("compound {compound}"));
    }
    if let Some(trench) = &entry.trench {
        place.push(format!("trench {trench}"));
    }
    if let Some(l) = entry.location {
        place.push(format!("{:.6} {:.6}", l.lat, l.lon));
    }
    if !place.is_empty() {
        push_line(out, &format!("LOCATION:{}", escape(&place.join(", "))));
    }
    if let Some(l) = entry.location {
        push_line(out, &format!("GEO:{:.6};{:.6}", l.lat, l.lon));
    }
    let partners = if entry.shared_with.is_empty() {
        "none (own trench)".to_owned()
    } else {
        entry.shared_with.join(", ")
    };
    let mut description = vec![
        format!("Works: {}", entry.works.join(", ")),
        format!("Shared-trench partners: {partners}"),
    ];
    if let Some(crew) = &entry.crew {
        description.push(format!("Crew: {crew}"));
    }
    description.push(format!(
        "Plan: {} ({}), schedule {}",
        schedule.plan_name, schedule.plan_id, schedule.schedule_id
    ));
    push_line(
        out,
        &format!("DESCRIPTION:{}", escape(&description.join("\n"))),
    );
    push_line(out, "TRANSP:TRANSPARENT");
    push_line(out, "END:VEVENT");
}

/// Renders the excavations of the schedule as an iCalendar object.
///
/// # Complexity
/// Linear in the number of entries and their text.
#[must_use]
pub fn render(schedule: &UtilitySchedule) -> String {
    let mut out = String::with_capacity(512 * (schedule.entries.len() + 1));
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//digonce//dig schedule//EN");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            escape(&format!(
                "{}: digs of {}",
                schedule.plan_name, schedule.owner
            ))
        ),
    );
    let dtstamp = stamp(&schedule.schedule_created_at);
    for entry in schedule.entries.iter().filter(|e| e.is_excavation()) {
        event(&mut out, schedule, entry, &dtstamp);
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::ScheduleSource;
    use crate::export::fixture::SCHEDULE_JSON;
    use crate::storage::WorkLocation;
    use optimizer::city::document::ScheduleDocument;

    fn calendar(owner: &str) -> String {
        let document = ScheduleDocument::from_slice(SCHEDULE_JSON.as_bytes()).expect("fixture");
        let mut locations = std::collections::BTreeMap::new();
        locations.insert(
            "w12".to_owned(),
            WorkLocation {
                lon: 116.397_128,
                lat: 39.916_527,
            },
        );
        let schedule = UtilitySchedule::build(
            ScheduleSource {
                schedule_id: "sc_1",
                plan_id: "pl_1",
                created_at: "2026-11-26T10:00:00Z",
            },
            &document,
            owner,
            &locations,
        )
        .expect("owner has activities");
        render(&schedule)
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("DESCRIPTION:{}", "管道".repeat(40));
        push_line(&mut out, &line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn one_all_day_event_per_excavation_with_exclusive_end() {
        let text = calendar("Beijing Water");
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
        assert!(text.contains("DTSTART;VALUE=DATE:20270302\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20270306\r\n"));
        assert!(text.contains("UID:pl_1/t3/excavate@digonce\r\n"));
        assert!(text.contains("GEO:39.916527;116.397128\r\n"));
        assert!(text.contains("Shared-trench partners: Beijing Gas"));
        assert!(text.contains("DTSTAMP:20261126T100000Z\r\n"));
    }

    #[test]
    fn a_moved_event_keeps_its_uid_and_carries_its_sequence() {
        assert!(calendar("Beijing Water").contains("SEQUENCE:0\r\n"));
        let mut document = ScheduleDocument::from_slice(SCHEDULE_JSON.as_bytes()).expect("fixture");
        let excavate = document
            .activities
            .iter_mut()
            .find(|a| a.id == "t3/excavate")
            .expect("fixture excavation");
        excavate.start += chrono::Duration::days(7);
        excavate.end += chrono::Duration::days(7);
        document.replan = Some(optimizer::city::replan::Replanned {
            as_of: excavate.start,
            warm_start: optimizer::city::replan::WarmStart::Previous,
            kept_in_place: 0,
            not_started: 1,
            owners: Vec::new(),
            sequence: [("t3/excavate".to_owned(), 2)].into_iter().collect(),
        });
        let schedule = UtilitySchedule::build(
            ScheduleSource {
                schedule_id: "sc_2",
                plan_id: "pl_1",
                created_at: "2026-12-01T10:00:00Z",
            },
            &document,
            "Beijing Water",
            &std::collections::BTreeMap::new(),
        )
        .expect("owner has activities");
        let text = render(&schedule);
        assert!(text.contains("UID:pl_1/t3/excavate@digonce\r\n"));
        assert!(text.contains("SEQUENCE:2\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20270309\r\n"));
    }

    #[test]
    fn every_line_ends_in_crlf_and_text_is_escaped() {
        let text = calendar("Beijing Gas");
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'));
        assert!(text.contains("LOCATION:Xicheng\\, \"old town\"\\, compound c1"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    }
}
