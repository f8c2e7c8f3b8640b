//! Per-company dig schedules derived from a stored schedule document.
//!
//! [`UtilitySchedule::build`] filters a schedule to one owner's activities and adds, for
//! each, the other companies it shares the trench with and a representative point. The
//! JSON answer is that value; [`csv`] and [`ical`] render the same entries.

pub mod cache;
pub mod csv;
pub mod gpkg;
pub mod ical;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::storage::WorkLocation;
use optimizer::city::document::{ActivityKind, ScheduleDocument};

/// One activity of the company, with its trench partners.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DigEntry {
    /// Activity id.
    pub activity: String,
    /// Step kind (`excavate`, `lay`...).
    #[schema(value_type = String, example = "excavate")]
    pub kind: ActivityKind,
    /// First day of work.
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    /// Last day of work (inclusive).
    #[schema(value_type = String, format = Date)]
    pub end: NaiveDate,
    /// The first work the activity serves (the company's own for its own steps; the
    /// trench's lead work for a shared trench step).
    pub work: String,
    /// Every work the activity serves.
    pub works: Vec<String>,
    /// Utility or trade doing the step (`discipline` in the schedule document; a shared
    /// trench's lead utility digs it).
    pub utility: String,
    /// Shared trench id, if any.
    pub trench: Option<String>,
    /// Other companies in the same activity or trench, sorted.
    pub shared_with: Vec<String>,
    /// District, if known.
    pub district: Option<String>,
    /// Compound, if any.
    pub compound: Option<String>,
    /// Crew, if assigned.
    pub crew: Option<String>,
    /// A representative WGS84 point of the work, when the plan has one.
    pub location: Option<WorkLocation>,
    /// In how many re-plans the activity moved (the schedule document's
    /// `replan.sequence`; 0 on a schedule never re-planned): the iCalendar `SEQUENCE`.
    pub sequence: u32,
}

impl DigEntry {
    /// Whether this entry is an excavation (one calendar event each).
    #[must_use]
    pub fn is_excavation(&self) -> bool {
        self.kind == ActivityKind::Excavate
    }
}

/// One company's part of a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UtilitySchedule {
    /// The schedule it comes from.
    pub schedule_id: String,
    /// The plan.
    pub plan_id: String,
    /// The plan's name.
    pub plan_name: String,
    /// The company.
    pub owner: String,
    /// When the schedule was stored (RFC 3339); stamps calendar events.
    pub schedule_created_at: String,
    /// The company's activities by start date.
    pub entries: Vec<DigEntry>,
}

/// Where a schedule comes from, for headers of exports.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleSource<'a> {
    /// Schedule id.
    pub schedule_id: &'a str,
    /// Plan id.
    pub plan_id: &'a str,
    /// When the schedule was stored (RFC 3339).
    pub created_at: &'a str,
}

impl UtilitySchedule {
    /// The activities of `owner` in `document`, or `None` when it has none.
    ///
    /// # Complexity
    /// O(a log a + t) for a activities and t trenches.
    #[must_use]
    pub fn build(
        source: ScheduleSource<'_>,
        document: &ScheduleDocument,
        owner: &str,
        locations: &BTreeMap<String, WorkLocation>,
    ) -> Option<Self> {
        let mut entries: Vec<DigEntry> = document
            .activities
            .iter()
            .filter(|a| a.owners.iter().any(|o| o == owner))
            .map(|a| {
                let mut partners: BTreeSet<&str> = a.owners.iter().map(String::as_str).collect();
                if let Some(trench) = a.trench.as_deref().and_then(|t| document.trench(t)) {
                    partners.extend(trench.owners.iter().map(String::as_str));
                }
                partners.remove(owner);
                let location = a.works.iter().find_map(|w| locations.get(w)).copied();
                // Only works have owners, so every activity here serves at least one work.
                let work = a.works.first().map_or(a.subject.id(), String::as_str);
                DigEntry {
                    activity: a.id.clone(),
                    kind: a.kind,
                    start: a.start,
                    end: a.end,
                    work: work.to_owned(),
                    works: a.works.clone(),
                    utility: a.discipline.as_str().to_owned(),
                    trench: a.trench.clone(),
                    shared_with: partners.into_iter().map(str::to_owned).collect(),
                    district: a.district.clone(),
                    compound: a.compound.clone(),
                    crew: a.crew.clone(),
                    location,
                    sequence: document
                        .replan
                        .as_ref()
                        .and_then(|r| r.sequence.get(&a.id).copied())
                        .unwrap_or(0),
                }
            })
            .collect();
        if entries.is_empty() {
            return None;
        }
        entries.sort_by(|a, b| (a.start, &a.activity).cmp(&(b.start, &b.activity)));
        Some(Self {
            schedule_id: source.schedule_id.to_owned(),
            plan_id: source.plan_id.to_owned(),
            plan_name: document.plan.name.clone(),
            owner: owner.to_owned(),
            schedule_created_at: source.created_at.to_owned(),
            entries,
        })
    }
}

/// The representations of a dig schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `application/json`.
    Json,
    /// `text/csv` (RFC 4180).
    Csv,
    /// `text/calendar` (RFC 5545).
    Calendar,
}

impl ExportFormat {
    /// The media types offered, for 406 answers.
    pub const AVAILABLE: &'static str = "application/json, text/csv, text/calendar";

    /// The response `Content-Type`.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8; header=present",
            ExportFormat::Calendar => "text/calendar; charset=utf-8",
        }
    }

    fn from_media_type(media: &str) -> Option<Self> {
        match media {
            "application/json" | "application/*" => Some(ExportFormat::Json),
            "text/csv" => Some(ExportFormat::Csv),
            "text/calendar" => Some(ExportFormat::Calendar),
            _ => None,
        }
    }

    /// Picks the format from a `?format=` value (`json`, `csv`, `ics`), which wins, or
    /// else from an `Accept` header by quality; `None` when nothing offered is acceptable.
    /// No header, or `*/*`, means JSON.
    #[must_use]
    pub fn negotiate(format: Option<&str>, accept: Option<&str>) -> Option<Self> {
        if let Some(format) = format {
            return match format {
                "json" => Some(ExportFormat::Json),
                "csv" => Some(ExportFormat::Csv),
                "ics" | "ical" | "calendar" => Some(ExportFormat::Calendar),
                _ => None,
            };
        }
        let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
            return Some(ExportFormat::Json);
        };
        let mut ranges: Vec<(f64, usize, String)> = accept
            .split(',')
            .enumerate()
            .filter_map(|(order, range)| {
                let mut parts = range.split(';');
                let media = parts.next()?.trim().to_ascii_lowercase();
                let quality = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f64>().ok())
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, order, media))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges.iter().find_map(|(_, _, media)| {
            if media == "*/*" {
                Some(ExportFormat::Json)
            } else if media == "text/*" {
                Some(ExportFormat::Csv)
            } else {
                ExportFormat::from_media_type(media)
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A hand-written schedule document in the format of `docs/schedule-document.md`,
    //! shared by tests.

    /// Two utilities sharing trench t3, a gas-only excavation and a paving step.
    pub const SCHEDULE_JSON: &str = include_str!("../../tests/fixtures/schedule_demo.json");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(owner: &str) -> Option<UtilitySchedule> {
        let document =
            ScheduleDocument::from_slice(fixture::SCHEDULE_JSON.as_bytes()).expect("fixture");
        let mut locations = BTreeMap::new();
        locations.insert(
            "w40".to_owned(),
            WorkLocation {
                lon: 116.4,
                lat: 39.9,
            },
        );
        UtilitySchedule::build(
            ScheduleSource {
                schedule_id: "sc_1",
                plan_id: "pl_1",
                created_at: "2026-11-26T10:00:00Z",
            },
            &document,
            owner,
            &locations,
        )
    }

    #[test]
    fn a_company_sees_only_its_activities_with_its_trench_partners() {
        let gas = build("Beijing Gas").expect("gas has activities");
        let ids: Vec<_> = gas.entries.iter().map(|e| e.activity.as_str()).collect();
        assert_eq!(ids, ["t3/excavate", "w41/excavate"]);
        assert_eq!(gas.entries[0].shared_with, ["Beijing Water"]);
        assert!(gas.entries[1].shared_with.is_empty());
        assert_eq!(gas.entries[0].location.map(|l| l.lat), Some(39.9));
    }

    #[test]
    fn an_unknown_company_has_no_schedule() {
        assert!(build("Nobody").is_none());
    }

    #[test]
    fn negotiation_follows_quality_and_the_format_parameter() {
        use ExportFormat::{Calendar, Csv, Json};
        assert_eq!(ExportFormat::negotiate(None, None), Some(Json));
        assert_eq!(ExportFormat::negotiate(None, Some("text/csv")), Some(Csv));
        assert_eq!(
            ExportFormat::negotiate(None, Some("text/csv;q=0.5, text/calendar")),
            Some(Calendar)
        );
        assert_eq!(ExportFormat::negotiate(None, Some("image/png")), None);
        assert_eq!(ExportFormat::negotiate(None, Some("*/*")), Some(Json));
        assert_eq!(
            ExportFormat::negotiate(Some("ics"), Some("text/csv")),
            Some(Calendar)
        );
        assert_eq!(ExportFormat::negotiate(Some("xml"), None), None);
        assert_eq!(ExportFormat::negotiate(None, Some("text/csv;q=0")), None);
    }
}
