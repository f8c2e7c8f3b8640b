//! Tests of geometry reading: every problem told apart, rewinding, bounds.

use super::*;
use geo::{Winding, coord};
use serde_json::json;

fn read(value: &Value, allowed: &[GeometryType]) -> (Option<Geometry<f64>>, Sink) {
    let mut sink = Sink::feature(0, 1_000);
    let mut bounds = Bounds::default();
    let g = GeometryReader {
        crs: InputCrs::Wgs84,
        sink: &mut sink,
        bounds: &mut bounds,
    }
    .read(
        Some(value),
        "/features/0/geometry",
        allowed,
        "a test feature",
    );
    (g, sink)
}

fn codes(sink: &Sink) -> Vec<IssueCode> {
    sink.problems.iter().map(|p| p.code).collect()
}

#[test]
fn clockwise_exteriors_are_rewound_not_rejected() {
    let cw = json!({"type": "Polygon", "coordinates": [
        [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]],
        [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8], [0.2, 0.2]]
    ]});
    let (g, sink) = read(&cw, &[GeometryType::Polygon]);
    assert!(sink.is_clean(), "{:?}", sink.problems);
    let Some(Geometry::Polygon(p)) = g else {
        panic!("expected a polygon")
    };
    assert!(p.exterior().is_ccw());
    assert!(p.interiors()[0].is_cw());
}

#[test]
fn every_bad_position_of_a_line_is_reported_with_its_pointer() {
    let line = json!({"type": "LineString", "coordinates": [[0, 0], [200, 10], ["a", 1], [1, 95]]});
    let (g, sink) = read(&line, &[GeometryType::LineString]);
    assert!(g.is_none());
    assert_eq!(
        codes(&sink),
        [
            IssueCode::CoordinateOutOfRange,
            IssueCode::WrongType,
            IssueCode::CoordinateOutOfRange
        ]
    );
    assert_eq!(
        sink.problems[0].pointer,
        "/features/0/geometry/coordinates/1"
    );
    assert_eq!(
        sink.problems[1].pointer,
        "/features/0/geometry/coordinates/2/0"
    );
}

#[test]
fn ring_problems_are_told_apart() {
    let cases = [
        (
            json!([[[0, 0], [1, 0], [1, 1], [0, 1]]]),
            IssueCode::UnclosedRing,
        ),
        (json!([[[0, 0], [1, 0], [0, 0]]]), IssueCode::DegenerateRing),
        (
            json!([[[0, 0], [1, 0], [2, 0], [0, 0]]]),
            IssueCode::DegenerateRing,
        ),
        (
            json!([[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]),
            IssueCode::SelfIntersection,
        ),
        (json!([]), IssueCode::EmptyGeometry),
        (
            json!([
                [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
                [[5, 5], [6, 5], [6, 6], [5, 5]]
            ]),
            IssueCode::HoleOutsideExterior,
        ),
    ];
    for (coords, code) in cases {
        let (g, sink) = read(
            &json!({"type": "Polygon", "coordinates": coords}),
            &[GeometryType::Polygon],
        );
        assert!(g.is_none());
        assert_eq!(codes(&sink), [code], "{coords}");
    }
}

#[test]
fn rings_with_fewer_than_three_distinct_corners_are_degenerate_not_a_panic() {
    let rings = [
        json!([[0, 0]]),
        json!([[0, 0], [0, 0]]),
        json!([[1, 1], [1, 1], [1, 1], [1, 1]]),
        json!([[0, 0], [1, 0], [0, 0]]),
        json!([[0, 0], [1, 0], [0, 0], [1, 0], [0, 0]]),
        json!([[0, 0], [0, 0], [1, 0], [1, 0], [0, 0], [0, 0]]),
    ];
    for ring in rings {
        for geometry in [
            json!({"type": "Polygon", "coordinates": [ring.clone()]}),
            json!({"type": "MultiPolygon", "coordinates": [[ring.clone()]]}),
        ] {
            let (g, sink) = read(
                &geometry,
                &[GeometryType::Polygon, GeometryType::MultiPolygon],
            );
            assert!(g.is_none(), "{geometry}");
            assert_eq!(codes(&sink), [IssueCode::DegenerateRing], "{geometry}");
        }
    }
}

#[test]
fn a_degenerate_hole_is_reported_with_its_own_pointer() {
    let polygon = json!({"type": "Polygon", "coordinates": [
        [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
        [[0.5, 0.5], [0.5, 0.5]]
    ]});
    let (g, sink) = read(&polygon, &[GeometryType::Polygon]);
    assert!(g.is_none());
    assert_eq!(codes(&sink), [IssueCode::DegenerateRing]);
    assert_eq!(
        sink.problems[0].pointer,
        "/features/0/geometry/coordinates/1"
    );
}

#[test]
fn a_line_on_one_point_has_zero_length_and_a_wrong_type_is_named() {
    let (_, sink) = read(
        &json!({"type": "LineString", "coordinates": [[1, 1], [1, 1]]}),
        &[GeometryType::LineString],
    );
    assert_eq!(codes(&sink), [IssueCode::ZeroLengthLine]);
    let (_, sink) = read(
        &json!({"type": "Point", "coordinates": [1, 1]}),
        &[GeometryType::LineString, GeometryType::MultiLineString],
    );
    assert_eq!(codes(&sink), [IssueCode::WrongGeometryType]);
    assert!(
        sink.problems[0]
            .message
            .contains("LineString or MultiLineString")
    );
}

#[test]
fn bounds_cover_every_valid_position() {
    let mut b = Bounds::default();
    assert_eq!(b.center(), None);
    b.add(coord! { x: 1.0, y: 2.0 });
    b.add(coord! { x: 3.0, y: 6.0 });
    assert_eq!(b.center(), Some(coord! { x: 2.0, y: 4.0 }));
}

#[test]
fn a_line_shorter_than_a_millimetre_has_zero_length_and_a_centimetre_is_fine() {
    // 1e-9 degrees is about 0.1 mm; 1e-7 degrees about 1 cm.
    let (g, sink) = read(
        &json!({"type": "LineString", "coordinates": [[116.4, 39.9], [116.400_000_001, 39.9]]}),
        &[GeometryType::LineString],
    );
    assert!(g.is_none());
    assert_eq!(codes(&sink), [IssueCode::ZeroLengthLine]);
    assert!(sink.problems[0].message.contains("1 mm"));
    let (g, sink) = read(
        &json!({"type": "LineString", "coordinates": [[116.4, 39.9], [116.400_000_1, 39.9]]}),
        &[GeometryType::LineString],
    );
    assert!(sink.is_clean(), "{:?}", sink.problems);
    assert!(g.is_some());
}

#[test]
fn tiny_slivers_and_polar_rings_enclose_too_little_to_be_usable() {
    let cases = [
        // A square of 1e-7 degrees: about 1 cm, 1e-4 m².
        json!([[
            [116.4, 39.9],
            [116.400_000_1, 39.9],
            [116.400_000_1, 39.900_000_1],
            [116.4, 39.9]
        ]]),
        // 100 m long and 1e-5 m wide: 1e-3 m².
        json!([[
            [116.4, 39.9],
            [116.401, 39.9],
            [116.401, 39.900_000_000_1],
            [116.4, 39.9]
        ]]),
        // Corners degrees apart in longitude next to the pole, where meridians meet.
        json!([[[0, 89.999_999], [1, 90], [2, 89.999_999], [0, 89.999_999]]]),
    ];
    for coordinates in cases {
        let (g, sink) = read(
            &json!({"type": "Polygon", "coordinates": coordinates}),
            &[GeometryType::Polygon],
        );
        assert!(g.is_none(), "{coordinates}");
        assert_eq!(codes(&sink), [IssueCode::DegenerateRing], "{coordinates}");
        assert!(sink.problems[0].message.contains("0.01 m²"));
    }
    // A 1 m square is well above the minimum.
    let (g, sink) = read(
        &json!({"type": "Polygon", "coordinates": [[[116.4, 39.9], [116.400_01, 39.9], [116.400_01, 39.900_01], [116.4, 39.900_01], [116.4, 39.9]]]}),
        &[GeometryType::Polygon],
    );
    assert!(sink.is_clean(), "{:?}", sink.problems);
    assert!(g.is_some());
}

#[test]
fn approximate_sizes_match_the_local_frame_within_a_percent() {
    let square = LineString::from(vec![
        (116.4, 39.9),
        (116.41, 39.9),
        (116.41, 39.91),
        (116.4, 39.91),
        (116.4, 39.9),
    ]);
    let frame = crate::crs::LocalFrame::centred_on(coord! { x: 116.405, y: 39.905 });
    let local = LineString::from(
        square
            .coords()
            .map(|&c| frame.project(c))
            .collect::<Vec<_>>(),
    );
    let exact = geo::Area::unsigned_area(&Polygon::new(local.clone(), vec![]));
    let area = approximate_area_m2(&square);
    assert!((area / exact - 1.0).abs() < 0.01, "{area} vs {exact}");
    let exact = geo::Length::length(&geo::Euclidean, &local);
    let length = approximate_length_m(&square.0);
    assert!((length / exact - 1.0).abs() < 0.01, "{length} vs {exact}");
}
