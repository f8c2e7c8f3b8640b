//! What a plan that ingestion accepted must be: geometry the planner can use.
//!
//! Ingestion may reject anything, but what it accepts must hold up downstream: every
//! position finite in WGS84 and in the plan's local metres, every line with two distinct
//! positions, every ring closed with at least three distinct corners not on one line, so
//! it encloses some area, in both systems; and every number and date within the
//! maximums of `docs/input-format.md`, durations derived from productivity included.

use chrono::{Datelike, NaiveDate};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, CoordsIter, Euclidean, Geometry, Length, LineString};
use geodata::plan::{Compound, Duration, FIRST_YEAR, LAST_YEAR, Plan, Settings, Work};

/// Every shape of the plan with the id of its feature.
fn shapes(plan: &Plan) -> impl Iterator<Item = (&str, &geodata::plan::Shape)> {
    let compounds = plan.compounds.iter().map(|c| (c.id.as_str(), &c.shape));
    let works = plan.works.iter().map(|w| (w.id.as_str(), &w.shape));
    let streets = plan.streets.iter().map(|s| (s.id.as_str(), &s.shape));
    compounds.chain(works).chain(streets)
}

/// Checks every shape of an accepted plan; the first unusable one is described.
///
/// # Errors
/// A sentence naming the feature, the system and what is wrong.
pub fn check(plan: &Plan) -> Result<(), String> {
    for (id, shape) in shapes(plan) {
        for (system, geometry) in [("wgs84", &shape.wgs84), ("local", &shape.local)] {
            check_geometry(geometry).map_err(|e| format!("feature {id:?} ({system}): {e}"))?;
        }
    }
    check_limits(plan)
}

/// Every number and date within its documented range.
fn check_limits(plan: &Plan) -> Result<(), String> {
    check_counts(plan)?;
    check_numbers(plan)?;
    check_dates(plan)
}

/// The working days a work takes: given, or derived from its local length (saturating).
fn duration_days(work: &Work) -> u32 {
    match work.duration {
        Duration::Days(d) => d,
        Duration::MetresPerDay(rate) => {
            let length = match &work.shape.local {
                Geometry::LineString(line) => Euclidean.length(line),
                Geometry::MultiLineString(lines) => Euclidean.length(lines),
                _ => 0.0,
            };
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "saturating: anything beyond u32 is over the maximum anyway"
            )]
            let days = (length / rate).ceil() as u32;
            days
        }
    }
}

fn check_counts(plan: &Plan) -> Result<(), String> {
    let s = &plan.settings;
    let counts = [
        ("horizon_days", s.horizon_days, Settings::MAX_HORIZON_DAYS),
        ("default_crews", s.default_crews, Settings::MAX_CREWS),
    ]
    .into_iter()
    .chain(s.crews.values().map(|&n| ("crews", n, Settings::MAX_CREWS)))
    .chain(
        s.district_limits
            .values()
            .map(|&n| ("district_limits", n, Settings::MAX_DISTRICT_LIMIT)),
    )
    .chain(plan.compounds.iter().flat_map(|c| {
        [
            ("buildings", c.buildings, Compound::MAX_BUILDINGS),
            ("households", c.households, Compound::MAX_HOUSEHOLDS),
        ]
    }))
    .chain(plan.works.iter().flat_map(|w| {
        [
            ("duration", duration_days(w), Work::MAX_DURATION_DAYS),
            (
                "households",
                w.households.unwrap_or(0),
                Work::MAX_HOUSEHOLDS,
            ),
        ]
    }));
    for (name, value, max) in counts {
        if value > max {
            return Err(format!("`{name}` is {value}, over its maximum {max}"));
        }
    }
    Ok(())
}

fn check_numbers(plan: &Plan) -> Result<(), String> {
    let s = &plan.settings;
    let numbers = [
        (
            "share_distance_m",
            s.share_distance_m,
            Settings::MAX_SHARE_DISTANCE_M,
        ),
        (
            "min_shared_length_m",
            s.min_shared_length_m,
            Settings::MAX_MIN_SHARED_LENGTH_M,
        ),
        (
            "cluster_gap_m",
            s.cluster_gap_m,
            Settings::MAX_CLUSTER_GAP_M,
        ),
    ]
    .into_iter()
    .chain(plan.works.iter().flat_map(|w| {
        [
            (
                "diameter_mm",
                w.diameter_mm.unwrap_or(0.0),
                Work::MAX_DIAMETER_MM,
            ),
            (
                "voltage_kv",
                w.voltage_kv.unwrap_or(0.0),
                Work::MAX_VOLTAGE_KV,
            ),
        ]
    }));
    for (name, value, max) in numbers {
        if !(value.is_finite() && value <= max) {
            return Err(format!("`{name}` is {value}, over its maximum {max}"));
        }
    }
    Ok(())
}

fn check_dates(plan: &Plan) -> Result<(), String> {
    let s = &plan.settings;
    let mut dates = std::iter::once(s.start)
        .chain(s.calendars.holidays.iter().copied())
        .chain(
            plan.compounds
                .iter()
                .flat_map(|c| c.start_by.into_iter().chain([c.finish_by])),
        )
        .chain(
            plan.works
                .iter()
                .flat_map(|w| w.earliest.into_iter().chain(w.deadline)),
        )
        .chain(
            plan.streets
                .iter()
                .flat_map(|s| s.paved_on.into_iter().chain(s.repave_planned)),
        );
    let far = |d: &NaiveDate| !(FIRST_YEAR..=LAST_YEAR).contains(&d.year());
    match dates.find(far) {
        Some(date) => Err(format!(
            "the date {date} is outside {FIRST_YEAR} to {LAST_YEAR}"
        )),
        None => Ok(()),
    }
}

fn check_geometry(geometry: &Geometry<f64>) -> Result<(), String> {
    if let Some(c) = geometry
        .coords_iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(format!("a position is not finite: {c:?}"));
    }
    match geometry {
        Geometry::Point(_) => Ok(()),
        Geometry::MultiPoint(points) if !points.0.is_empty() => Ok(()),
        Geometry::LineString(line) => check_line(line),
        Geometry::MultiLineString(lines) if !lines.0.is_empty() => {
            lines.iter().try_for_each(check_line)
        }
        Geometry::Polygon(polygon) => std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .try_for_each(check_ring),
        Geometry::MultiPolygon(polygons) if !polygons.0.is_empty() => polygons
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .try_for_each(check_ring),
        other => Err(format!("an empty or unexpected geometry: {other:?}")),
    }
}

fn check_line(line: &LineString<f64>) -> Result<(), String> {
    match line.0.first() {
        Some(first) if line.0.iter().any(|c| c != first) => Ok(()),
        _ => Err(format!("a line without two distinct positions: {line:?}")),
    }
}

/// Twice the signed area, measured from the first corner to keep precision.
fn twice_area(corners: &[Coord<f64>]) -> f64 {
    let Some(&origin) = corners.first() else {
        return 0.0;
    };
    let mut sum = 0.0;
    for (a, b) in corners.iter().zip(corners.iter().cycle().skip(1)) {
        let (a, b) = (*a - origin, *b - origin);
        sum += a.x * b.y - b.x * a.y;
    }
    sum
}

fn check_ring(ring: &LineString<f64>) -> Result<(), String> {
    let coords = &ring.0;
    if coords.len() < 4 || coords.first() != coords.last() {
        return Err(format!(
            "a ring that is not closed around corners: {ring:?}"
        ));
    }
    let corners = &coords[..coords.len() - 1];
    let mut distinct: Vec<Coord<f64>> = Vec::new();
    for c in corners {
        if !distinct.contains(c) {
            distinct.push(*c);
        }
        if distinct.len() >= 3 {
            break;
        }
    }
    if distinct.len() < 3 {
        return Err(format!(
            "a ring with fewer than three distinct corners: {ring:?}"
        ));
    }
    let (a, b) = (distinct[0], distinct[1]);
    if corners
        .iter()
        .all(|&c| RobustKernel::orient2d(a, b, c) == Orientation::Collinear)
    {
        return Err(format!("a ring whose corners are on one line: {ring:?}"));
    }
    if twice_area(corners) == 0.0 {
        return Err(format!("a ring that encloses no area: {ring:?}"));
    }
    Ok(())
}
