//! Progress on the map as of a data date (`docs/progress.md`, "On the map"): the status
//! of every work and compound, and one area per district coloured by its completion rate
//! with its rank.
//!
//! The figures are the bulletin's ([`optimizer::bulletin::bulletin`]): a unit is `late`
//! when the bulletin lists it late, and the district rates and ranks are the bulletin's
//! lines. Districts have no geometry in a plan, so a district's area is the convex hull
//! of its compounds (WGS84).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use geo::CoordsIter;
use geo::{ConvexHull, Geometry, MultiPoint, Point};
use geodata::plan::Plan;
use geodata::progress::{ProgressRow, Status as Reported, latest};
use optimizer::bulletin::{Bulletin, BulletinOptions, bulletin};
use optimizer::city::document::ScheduleDocument;
use serde::Serialize;
use serde_json::{Value, json};

use super::geometry::{OutputCrs, geometry_json};
use super::short_code;

/// Where a work or compound stands on the data date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    /// Reported done.
    Done,
    /// Reported begun, and not behind its schedule.
    InProgress,
    /// Should have started or finished by the data date and has not (the bulletin's list).
    Late,
    /// Not begun, and not due yet.
    NotStarted,
}

/// One work or compound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitLine {
    /// Work or compound id.
    pub id: String,
    /// `work` or `compound`.
    pub kind: &'static str,
    /// Its status on the data date.
    pub status: UnitStatus,
    /// A compound's public page code (`/p/{short}`); absent for works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
}

/// The progress layer of a plan as of a data date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressMap {
    /// The data date.
    pub as_of: NaiveDate,
    /// Units per status.
    pub counts: BTreeMap<&'static str, usize>,
    /// Every work and compound of the plan, works first, in plan order.
    pub units: Vec<UnitLine>,
    /// The districts as GeoJSON features (convex hull of their compounds) with the
    /// bulletin's rank, rank change, completion rate and SPI, in rank order; a district
    /// without compounds has no feature.
    pub districts: Value,
    /// Every district of the bulletin in rank order, with or without an area.
    pub ranking: Vec<RankLine>,
}

/// One district's place in the ranking (the bulletin's figures).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankLine {
    /// The district.
    pub district: String,
    /// Rank by completion rate, 1 the best.
    pub rank: usize,
    /// Places gained since a week before; null without a previous rank.
    pub rank_change: Option<i64>,
    /// Works finished over works due; null when none was due.
    pub completion_rate: Option<f64>,
}

impl UnitStatus {
    /// The JSON name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            UnitStatus::Done => "done",
            UnitStatus::InProgress => "in_progress",
            UnitStatus::Late => "late",
            UnitStatus::NotStarted => "not_started",
        }
    }

    /// The status of unit `id` from its latest row and the bulletin's late list.
    fn of(
        id: &str,
        state: &std::collections::HashMap<&str, &ProgressRow>,
        late: &HashSet<&str>,
    ) -> Self {
        let reported = state.get(id).map(|r| r.status);
        if reported == Some(Reported::Done) {
            UnitStatus::Done
        } else if late.contains(id) {
            UnitStatus::Late
        } else if reported == Some(Reported::InProgress) {
            UnitStatus::InProgress
        } else {
            UnitStatus::NotStarted
        }
    }
}

/// The bulletin as of `as_of`, ranked against the one a week before (as the bulletin
/// route does by default).
#[must_use]
pub fn weekly_bulletin(
    plan: &Plan,
    schedule: &ScheduleDocument,
    rows: &[ProgressRow],
    as_of: NaiveDate,
) -> Bulletin {
    let previous = bulletin(
        plan,
        schedule,
        rows,
        &BulletinOptions::new(as_of - chrono::Days::new(7)),
        None,
    );
    bulletin(
        plan,
        schedule,
        rows,
        &BulletinOptions::new(as_of),
        Some(&previous),
    )
}

/// The status of every unit from the progress `rows` reported on or before `as_of` and
/// the bulletin `b` of the same date.
#[must_use]
pub fn statuses<'a>(
    plan: &'a Plan,
    rows: &[ProgressRow],
    b: &Bulletin,
) -> Vec<(&'a str, &'static str, UnitStatus)> {
    let known = rows.iter().filter(|r| r.reported_on <= b.as_of);
    let state = latest(known);
    let late: HashSet<&str> = b.late.iter().map(|l| l.id.as_str()).collect();
    plan.works
        .iter()
        .map(|w| (w.id.as_str(), "work"))
        .chain(plan.compounds.iter().map(|c| (c.id.as_str(), "compound")))
        .map(|(id, kind)| (id, kind, UnitStatus::of(id, &state, &late)))
        .collect()
}

/// Builds the progress layer of plan `plan_id` as of `as_of`, geometry in `crs`.
#[must_use]
pub fn progress_map(
    plan_id: &str,
    plan: &Plan,
    schedule: &ScheduleDocument,
    rows: &[ProgressRow],
    as_of: NaiveDate,
    crs: OutputCrs,
) -> ProgressMap {
    let b = weekly_bulletin(plan, schedule, rows, as_of);
    let mut counts: BTreeMap<&'static str, usize> = [
        UnitStatus::Done,
        UnitStatus::InProgress,
        UnitStatus::Late,
        UnitStatus::NotStarted,
    ]
    .into_iter()
    .map(|s| (s.as_str(), 0))
    .collect();
    let units: Vec<UnitLine> = statuses(plan, rows, &b)
        .into_iter()
        .map(|(id, kind, status)| {
            *counts.entry(status.as_str()).or_default() += 1;
            UnitLine {
                id: id.to_owned(),
                kind,
                status,
                short: (kind == "compound").then(|| short_code::code(plan_id, id)),
            }
        })
        .collect();
    let features: Vec<Value> = b
        .districts
        .iter()
        .filter_map(|line| {
            let hull = hull(plan, &line.district)?;
            Some(json!({
                "type": "Feature",
                "geometry": geometry_json(&hull, crs),
                "properties": {
                    "district": line.district,
                    "rank": line.rank,
                    "rank_change": line.rank_change,
                    "completion_rate": line.figures.completion_rate,
                    "works_planned_to_finish": line.figures.works_planned_to_finish,
                    "works_finished": line.figures.works_finished,
                    "late": line.figures.late,
                    "spi": line.figures.spi,
                },
            }))
        })
        .collect();
    let ranking = b
        .districts
        .iter()
        .map(|line| RankLine {
            district: line.district.clone(),
            rank: line.rank,
            rank_change: line.rank_change,
            completion_rate: line.figures.completion_rate,
        })
        .collect();
    ProgressMap {
        as_of,
        counts,
        units,
        districts: json!({ "type": "FeatureCollection", "features": features }),
        ranking,
    }
}

/// The convex hull of a district's compounds (WGS84), `None` without compounds.
fn hull(plan: &Plan, district: &str) -> Option<Geometry<f64>> {
    let points: Vec<Point<f64>> = plan
        .compounds
        .iter()
        .filter(|c| c.district == district)
        .flat_map(|c| c.shape.wgs84.coords_iter().map(Point::from))
        .collect();
    if points.is_empty() {
        return None;
    }
    Some(Geometry::Polygon(MultiPoint::from(points).convex_hull()))
}

#[cfg(test)]
mod tests;
