//! The analysis as an RFC 7946 GeoJSON FeatureCollection, for maps and the HTTP service.
//!
//! Every feature carries `kind` (`corridor`, `trench`, `crossing`, `moratorium_conflict`),
//! `id`, `works`, `utilities`, `length_m`, `shared_trench_allowed` and `rule` (the
//! provenance of the clearance or moratorium rule, `null` for trenches, which combine
//! several). The collection carries the [`Summary`](super::Summary) as the foreign member
//! `summary`. Positions are WGS84 longitude/latitude rounded to 1e-8° (about 1 mm).

use serde_json::{Map, Value, json};

use super::{Analysis, Lines};

fn round(x: f64) -> f64 {
    (x * 1e8).round() / 1e8
}

fn line_geometry(lines: &Lines) -> Value {
    let rounded: Vec<Vec<[f64; 2]>> = lines
        .iter()
        .map(|l| l.iter().map(|p| [round(p[0]), round(p[1])]).collect())
        .collect();
    if rounded.len() == 1 {
        json!({ "type": "LineString", "coordinates": rounded[0] })
    } else {
        json!({ "type": "MultiLineString", "coordinates": rounded })
    }
}

fn feature(geometry: Value, properties: Value) -> Value {
    let mut f = Map::new();
    f.insert("type".into(), json!("Feature"));
    f.insert("geometry".into(), geometry);
    f.insert("properties".into(), properties);
    Value::Object(f)
}

/// Builds the FeatureCollection of an analysis.
#[must_use]
pub fn feature_collection(analysis: &Analysis) -> Value {
    let mut features = Vec::new();
    for c in &analysis.corridors {
        features.push(feature(
            line_geometry(&c.geometry),
            json!({
                "kind": "corridor",
                "id": c.id,
                "works": c.works,
                "utilities": c.utilities,
                "owners": c.owners,
                "length_m": c.length_m,
                "shared_trench_allowed": c.shared_trench_allowed,
                "min_separation_m": c.min_separation_m,
                "trench": c.trench,
                "rule": c.rule,
            }),
        ));
    }
    for t in &analysis.trenches {
        features.push(feature(
            line_geometry(&t.geometry),
            json!({
                "kind": "trench",
                "id": t.id,
                "works": t.works,
                "utilities": t.utilities,
                "corridors": t.corridors,
                "length_m": t.length_m,
                "shared_trench_allowed": true,
                "min_separation_m": t.min_separation_m,
                "rule": Value::Null,
            }),
        ));
    }
    for x in &analysis.crossings {
        features.push(feature(
            json!({ "type": "Point", "coordinates": [round(x.point[0]), round(x.point[1])] }),
            json!({
                "kind": "crossing",
                "id": x.id,
                "works": x.works,
                "utilities": x.utilities,
                "length_m": 0.0,
                "shared_trench_allowed": x.shared_trench_allowed,
                "rule": x.rule,
            }),
        ));
    }
    for m in &analysis.moratorium_conflicts {
        features.push(feature(
            line_geometry(&m.geometry),
            json!({
                "kind": "moratorium_conflict",
                "works": [m.work],
                "utilities": [m.utility],
                "street": m.street,
                "street_name": m.street_name,
                "length_m": m.cut_m,
                "shared_trench_allowed": Value::Null,
                "paved_on": m.paved_on,
                "paving": m.paving,
                "blocked_from": m.blocked_from,
                "moratorium_end": m.moratorium_end,
                "cut_exception": m.cut_exception,
                "repave_planned": m.repave_planned,
                "acceptable_before": m.acceptable_before,
                "status": m.status,
                "rule": m.rule,
            }),
        ));
    }
    let mut root = Map::new();
    root.insert("type".into(), json!("FeatureCollection"));
    root.insert("features".into(), Value::Array(features));
    root.insert(
        "summary".into(),
        serde_json::to_value(&analysis.summary).unwrap_or(Value::Null),
    );
    Value::Object(root)
}
