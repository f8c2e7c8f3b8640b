//! Property test: random geometry, in every coordinate system, never panics ingestion, and
//! a plan it accepts has usable geometry (see `geodata/examples/ingest_fuzz/usable.rs`).
//!
//! Rings and lines are drawn with 0 to 11 positions from a small pool, so repeated points
//! are common; positions sit near real places, at the edges of the coordinate ranges
//! (±180, ±90, -0.0), at tiny offsets (1e-15 to 1e-3 degrees) or far out (1e308). JSON
//! cannot hold NaN or infinity, so those never reach ingestion as numbers.
//!
//! The committed default is fast (proptest's 256 cases). A long local run:
//! `PROPTEST_CASES=100000 cargo test --workspace --locked --test ingest_geometry_props`.

#[path = "../examples/ingest_fuzz/usable.rs"]
mod usable;

use geo::Coord;
use geodata::crs::InputCrs;
use geodata::ingest::{IngestError, IngestOptions, ingest};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Places positions cluster around: a city, the origin, the corners of the world.
const ANCHORS: [(f64, f64); 9] = [
    (116.4, 39.9),
    (0.0, 0.0),
    (180.0, 90.0),
    (-180.0, -90.0),
    (179.999_9, 0.0),
    (-0.0, -0.0),
    (117.0, 85.0),
    (10.0, 89.999_999),
    (-179.0, -89.999_999_9),
];

/// Numbers at the edges of what positions may hold.
const EXTREMES: [f64; 16] = [
    0.0,
    -0.0,
    180.0,
    -180.0,
    90.0,
    -90.0,
    1e308,
    -1e308,
    1e20,
    5e-324,
    179.999_999_999,
    -89.999_999_999,
    20_037_508.342_8,
    39_500_000.0,
    4_400_000.0,
    10_002_000.0,
];

fn offset() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        (-2.0..2.0_f64).prop_map(|f| f * 1e-15),
        (-2.0..2.0_f64).prop_map(|f| f * 1e-12),
        (-2.0..2.0_f64).prop_map(|f| f * 1e-9),
        (-2.0..2.0_f64).prop_map(|f| f * 1e-6),
        (-2.0..2.0_f64).prop_map(|f| f * 1e-3),
        (-2.0..2.0_f64).prop_map(|f| f * 0.1),
    ]
}

/// One position in WGS84 degrees (possibly far out of range).
fn position() -> impl Strategy<Value = Coord<f64>> {
    prop_oneof![
        4 => (prop::sample::select(&ANCHORS[..]), offset(), offset())
            .prop_map(|((x, y), dx, dy)| Coord { x: x + dx, y: y + dy }),
        1 => (prop::sample::select(&EXTREMES[..]), prop::sample::select(&EXTREMES[..]))
            .prop_map(|(x, y)| Coord { x, y }),
        1 => (-1e9..1e9_f64, -1e9..1e9_f64).prop_map(|(x, y)| Coord { x, y }),
    ]
}

/// A list of 0 to 11 positions drawn from a pool of 1 to 4, so repeats are common.
fn positions() -> impl Strategy<Value = Vec<Coord<f64>>> {
    (
        prop::collection::vec(position(), 1..5),
        prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    )
        .prop_map(|(pool, picks)| picks.iter().map(|i| pool[i.index(pool.len())]).collect())
}

/// Corners around an anchor at one scale (1e-14 to 0.01 degrees), sometimes sound.
fn corners() -> impl Strategy<Value = Vec<Coord<f64>>> {
    (
        prop::sample::select(&ANCHORS[..]),
        prop::sample::select(&[1e-14, 1e-13, 1e-12, 1e-9, 1e-7, 1e-5, 1e-3, 1e-2][..]),
        prop::collection::vec((-1.0..1.0_f64, -1.0..1.0_f64), 3..9),
    )
        .prop_map(|((x, y), scale, offsets)| {
            offsets
                .into_iter()
                .map(|(dx, dy)| Coord {
                    x: x + dx * scale,
                    y: y + dy * scale,
                })
                .collect()
        })
}

/// A ring: positions from a small pool or corners around an anchor, closed most of the
/// time.
fn ring() -> impl Strategy<Value = Vec<Coord<f64>>> {
    (
        prop_oneof![positions(), corners()],
        prop::bool::weighted(0.85),
    )
        .prop_map(|(mut ps, close)| {
            if close && let Some(&first) = ps.first() {
                ps.push(first);
            }
            ps
        })
}

/// A square around `(x, y)` with sides `size`, as a ring, for polygons with holes.
fn square(x: f64, y: f64, size: f64) -> Vec<Coord<f64>> {
    vec![
        Coord { x, y },
        Coord { x: x + size, y },
        Coord {
            x: x + size,
            y: y + size,
        },
        Coord { x, y: y + size },
        Coord { x, y },
    ]
}

/// A polygon: random rings, or a sound square with random holes.
fn polygon() -> impl Strategy<Value = Vec<Vec<Coord<f64>>>> {
    prop_oneof![
        prop::collection::vec(ring(), 0..4),
        (
            prop::sample::select(&ANCHORS[..]),
            prop::collection::vec(ring(), 0..3)
        )
            .prop_map(|((x, y), holes)| {
                let mut rings = vec![square(x, y, 0.01)];
                rings.extend(holes);
                rings
            }),
    ]
}

/// A geometry as GeoJSON: every type, positions still in WGS84 degrees.
fn geometry() -> impl Strategy<Value = (String, Value)> {
    let coords = |ps: &[Coord<f64>]| ps.iter().map(|c| json!([c.x, c.y])).collect::<Vec<_>>();
    let rings = move |rs: &[Vec<Coord<f64>>]| rs.iter().map(|r| coords(r)).collect::<Vec<_>>();
    prop_oneof![
        position().prop_map(|c| ("Point".to_owned(), json!([c.x, c.y]))),
        positions().prop_map(move |ps| ("MultiPoint".to_owned(), json!(coords(&ps)))),
        prop_oneof![positions(), corners()]
            .prop_map(move |ps| ("LineString".to_owned(), json!(coords(&ps)))),
        prop::collection::vec(positions(), 0..3)
            .prop_map(move |ls| ("MultiLineString".to_owned(), json!(rings(&ls)))),
        polygon().prop_map(move |rs| ("Polygon".to_owned(), json!(rings(&rs)))),
        prop::collection::vec(polygon(), 0..3).prop_map(move |ps| {
            let polys: Vec<_> = ps.iter().map(|rs| rings(rs)).collect();
            ("MultiPolygon".to_owned(), json!(polys))
        }),
    ]
}

/// Every coordinate system the format accepts.
fn crs() -> impl Strategy<Value = InputCrs> {
    prop_oneof![
        Just(InputCrs::Wgs84),
        Just(InputCrs::Cgcs2000),
        Just(InputCrs::WebMercator),
        Just(InputCrs::Gcj02),
        Just(InputCrs::Bd09),
        (4491..=4501_u32).prop_map(|epsg| InputCrs::GaussKruger { epsg }),
        (4513..=4533_u32).prop_map(|epsg| InputCrs::GaussKruger { epsg }),
    ]
}

/// Rewrites every position of a geometry from WGS84 into `crs` where it has a value
/// there, leaving the others as they are (so they test the system's range checks).
fn convert(value: &mut Value, crs: InputCrs) {
    let Value::Array(items) = value else {
        return;
    };
    if let [Value::Number(x), Value::Number(y)] = items.as_slice() {
        let c = Coord {
            x: x.as_f64().unwrap_or_default(),
            y: y.as_f64().unwrap_or_default(),
        };
        if let Some(out) = crs.from_wgs84(c) {
            *value = json!([out.x, out.y]);
        }
        return;
    }
    for item in items.iter_mut() {
        convert(item, crs);
    }
}

/// A plan whose compound, street and works carry the geometries `shapes` (in `crs`).
fn plan_with(shapes: &[(String, Value)], crs: InputCrs) -> Vec<u8> {
    let features: Vec<Value> = shapes
        .iter()
        .enumerate()
        .map(|(i, (kind, coordinates))| {
            let mut coordinates = coordinates.clone();
            if crs != InputCrs::Wgs84 {
                convert(&mut coordinates, crs);
            }
            let geometry = json!({"type": kind, "coordinates": coordinates});
            let id = format!("f{i}");
            // A kind that takes this geometry type, varied by position.
            let compound = json!({"kind": "compound", "id": id, "name": "C", "district": "D",
                "class": "basic", "buildings": 2, "households": 10, "finish_by": "2027-06-30"});
            let street = json!({"kind": "street", "id": id, "name": "S"});
            let utility = json!({"kind": "work", "id": id, "utility": "water", "owner": "o",
                "action": "new", "productivity_m_per_day": 25});
            let trade = json!({"kind": "work", "id": id, "trade": "greening", "owner": "o",
                "action": "new", "duration_days": 5});
            let properties = match (kind.as_str(), i % 3) {
                ("Polygon" | "MultiPolygon", 0) => compound,
                ("Polygon" | "LineString" | "MultiLineString", 1) => street,
                ("LineString" | "MultiLineString", _) => utility,
                _ => trade,
            };
            json!({"type": "Feature", "properties": properties, "geometry": geometry})
        })
        .collect();
    let plan = json!({
        "type": "FeatureCollection",
        "plan": {"name": "props", "start": "2026-03-01"},
        "features": features
    });
    serde_json::to_vec(&plan).unwrap_or_default()
}

proptest! {
    // Cases come from PROPTEST_CASES (default 256); an integration test has no lib.rs
    // beside it for proptest to keep regressions in.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_geometry_never_panics_and_accepted_geometry_is_usable(
        shapes in prop::collection::vec(geometry(), 1..4),
        crs in crs(),
    ) {
        let bytes = plan_with(&shapes, crs);
        match ingest(bytes.as_slice(), &IngestOptions { crs }) {
            Ok(plan) => {
                let usable = usable::check(&plan);
                prop_assert!(usable.is_ok(), "{crs}: {usable:?} in {}", String::from_utf8_lossy(&bytes));
            }
            Err(IngestError::Invalid(report)) => {
                prop_assert!(!report.problems.is_empty());
                prop_assert!(report.problems.iter().all(|p| p.pointer.starts_with('/') && !p.message.is_empty()));
            }
            Err(other) => prop_assert!(false, "reading a slice failed: {other}"),
        }
    }
}

#[test]
fn the_plan_builder_makes_a_valid_plan_from_sound_shapes() {
    // Guards the property above against testing nothing: sound shapes do get accepted.
    let line = json!([[116.40, 39.90], [116.41, 39.90]]);
    let square = json!([[
        [116.40, 39.90],
        [116.41, 39.90],
        [116.41, 39.91],
        [116.40, 39.90]
    ]]);
    let shapes = [
        ("Polygon".to_owned(), square),
        ("LineString".to_owned(), line.clone()),
        ("LineString".to_owned(), line),
        ("Point".to_owned(), json!([116.405, 39.905])),
    ];
    for crs in [
        InputCrs::Wgs84,
        InputCrs::Gcj02,
        InputCrs::WebMercator,
        InputCrs::GaussKruger { epsg: 4527 },
    ] {
        let plan = ingest(plan_with(&shapes, crs).as_slice(), &IngestOptions { crs });
        let plan = plan.unwrap_or_else(|e| panic!("{crs}: {e:?}"));
        assert_eq!(
            (plan.compounds.len(), plan.streets.len(), plan.works.len()),
            (1, 1, 2)
        );
        assert_eq!(usable::check(&plan), Ok(()));
    }
}
