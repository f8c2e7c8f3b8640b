//! Structure-aware mutations: edits of a parsed plan that keep it JSON.
//!
//! Each edit picks its target uniformly among the nodes it applies to (any value, the
//! numbers, the strings, the geometries...), so a big generated city is edited all over,
//! not only near its top.

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};

use crate::mutation::Mutation;

/// Which nodes an edit may pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Any,
    Number,
    String,
    Array,
    Object,
    /// An object with a `coordinates` member.
    Geometry,
}

fn matches(target: Target, value: &Value) -> bool {
    match target {
        Target::Any => true,
        Target::Number => value.is_number(),
        Target::String => value.is_string(),
        Target::Array => value.is_array(),
        Target::Object => value.is_object(),
        Target::Geometry => value.get("coordinates").is_some(),
    }
}

fn count(value: &Value, target: Target) -> usize {
    let own = usize::from(matches(target, value));
    own + match value {
        Value::Array(items) => items.iter().map(|v| count(v, target)).sum(),
        Value::Object(map) => map.values().map(|v| count(v, target)).sum(),
        _ => 0,
    }
}

fn nth_mut<'a>(value: &'a mut Value, target: Target, k: &mut usize) -> Option<&'a mut Value> {
    if matches(target, value) {
        if *k == 0 {
            return Some(value);
        }
        *k -= 1;
    }
    match value {
        Value::Array(items) => items.iter_mut().find_map(|v| nth_mut(v, target, k)),
        Value::Object(map) => map.values_mut().find_map(|v| nth_mut(v, target, k)),
        _ => None,
    }
}

/// A node matching `target`, chosen uniformly, or `None` when there is none.
fn pick<'a>(root: &'a mut Value, target: Target, rng: &mut impl Rng) -> Option<&'a mut Value> {
    let n = count(root, target);
    if n == 0 {
        return None;
    }
    let mut k = rng.random_range(0..n);
    nth_mut(root, target, &mut k)
}

fn features(root: &mut Value) -> Option<&mut Vec<Value>> {
    root.get_mut("features")?.as_array_mut()
}

/// Numbers at the edges: zero, signs, integer widths, float limits, this format's maximums.
const BOUNDARY_NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    -1.0,
    1.0,
    0.5,
    1e-9,
    5e-324,
    2_147_483_647.0,
    2_147_483_648.0,
    4_294_967_295.0,
    4_294_967_296.0,
    9_007_199_254_740_992.0,
    9_007_199_254_740_993.0,
    1.8e19,
    1e308,
    -1e308,
    f64::MAX,
    f64::MIN_POSITIVE,
    1e15,
    3650.0,
    3651.0,
    1000.0,
    1001.0,
    3600.0,
    3601.0,
    100_000.0,
    180.0,
    -180.0,
    90.0,
    -90.0,
    180.000_000_1,
    90.000_000_1,
    -179.999_999_999_999,
    89.999_999_999_999,
];

fn boundary_number(rng: &mut impl Rng) -> Value {
    match rng.random_range(0..4) {
        // Integers that only exist as integers in JSON (beyond f64's exact range).
        0 => json!(
            [u64::MAX, i64::MAX.unsigned_abs(), 1 << 53, 1 << 32, 1 << 31]
                .choose(rng)
                .copied()
                .unwrap_or(0)
        ),
        1 => json!(i64::MIN),
        _ => json!(BOUNDARY_NUMBERS.choose(rng).copied().unwrap_or(0.0)),
    }
}

const DATES: &[&str] = &[
    "0000-01-01",
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "1969-12-31",
    "2200-12-31",
    "2201-01-01",
    "9999-12-31",
    "2026-02-29",
    "2028-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-1-1",
    "26-01-01",
    "2026-01-01T00:00:00Z",
    "+2026-01-01",
    "-2026-01-01",
    "+12026-01-01",
    "\u{ff12}\u{ff10}\u{ff12}\u{ff16}-01-01",
    "2026/01/01",
    "2026-06-15 ",
    "",
    "06-15",
    "02-29",
    "02-30",
    "13-01",
    "00-00",
    "6-15",
];

const STRINGS: &[&str] = &[
    "\u{0}",
    "\u{feff}id",
    "\u{e9}",
    "\u{1f600}",
    "a\u{301}",
    "\u{202e}abc",
    "~0~1/",
    "a/b~c",
    "\\",
    "\"",
    "\n\t\r",
    "water\u{0}",
    "WATER",
    " water",
    "\u{ff57}\u{ff41}\u{ff54}\u{ff45}\u{ff52}",
    "\u{5c0f}\u{533a}",
    "x_",
    "NaN",
    "null",
    "0",
];

fn tricky_string(rng: &mut impl Rng) -> String {
    match rng.random_range(0..6) {
        0 => "a".repeat(rng.random_range(1_000..20_000)),
        1 => "\u{1f600}".repeat(rng.random_range(1..2_000)),
        _ => (*STRINGS.choose(rng).unwrap_or(&"")).to_owned(),
    }
}

const KEYS: &[&str] = &[
    "type",
    "features",
    "plan",
    "properties",
    "geometry",
    "coordinates",
    "kind",
    "id",
    "utility",
    "trade",
    "duration_days",
    "productivity_m_per_day",
    "horizon_days",
    "crews",
    "default_crews",
    "district_limits",
    "compound",
    "x_note",
];

fn value_of_another_type(current: &Value, rng: &mut impl Rng) -> Value {
    let candidates = [
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(""),
        json!("text"),
        json!("1"),
        json!([]),
        json!([1, 2]),
        json!({}),
        json!({"a": 1}),
    ];
    let kind = |v: &Value| std::mem::discriminant(v);
    let others: Vec<&Value> = candidates
        .iter()
        .filter(|c| kind(c) != kind(current))
        .collect();
    others.choose(rng).map_or(Value::Null, |v| (*v).clone())
}

/// A position near `anchor` (or far from it), for degenerate shapes.
fn nudge(anchor: [f64; 2], rng: &mut impl Rng) -> [f64; 2] {
    let eps = *[1e-15, 1e-12, 1e-9, 1e-7, 1e-4, 0.01]
        .choose(rng)
        .unwrap_or(&1e-9);
    [
        anchor[0] + eps * rng.random_range(-2.0..2.0),
        anchor[1] + eps * rng.random_range(-2.0..2.0),
    ]
}

fn extreme_position(rng: &mut impl Rng) -> Value {
    let pick = |rng: &mut dyn rand::RngCore| -> f64 {
        *[
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
            179.999_999_9,
            -89.999_999_9,
            20_037_508.342_8,
            40_500_000.0,
            10_002_000.0,
        ]
        .choose(rng)
        .unwrap_or(&0.0)
    };
    json!([pick(rng), pick(rng)])
}

/// A ring (or position list) with something wrong or extreme about it.
fn edge_ring(origin: [f64; 2], rng: &mut impl Rng) -> Value {
    let near = nudge(origin, rng);
    let other_near = nudge(origin, rng);
    let east = [origin[0] + 0.001, origin[1]];
    let far_east = [origin[0] + 0.002, origin[1]];
    let north_east = [origin[0] + 0.001, origin[1] + 0.001];
    let north = [origin[0], origin[1] + 0.001];
    match rng.random_range(0..14) {
        0 => json!([]),
        1 => json!([origin]),
        2 => json!([origin, origin]),
        3 => json!([origin, origin, origin, origin]),
        4 => json!([origin, east, origin]),
        5 => json!([origin, east, origin, east, origin]),
        6 => json!([origin, east, far_east, origin]),
        7 => json!([origin, near, other_near, origin]),
        8 => json!([origin, east, north_east, origin, east, north_east, origin]),
        // A bow tie.
        9 => json!([origin, north_east, east, north, origin]),
        10 => json!([origin, east, north_east]),
        11 => json!([
            extreme_position(rng),
            extreme_position(rng),
            extreme_position(rng)
        ]),
        12 => {
            let n = rng.random_range(0..12);
            let mut positions: Vec<Value> = (0..n).map(|_| json!(nudge(origin, rng))).collect();
            if rng.random_bool(0.7) {
                positions.push(positions.first().cloned().unwrap_or(json!(origin)));
            }
            Value::Array(positions)
        }
        _ => json!([origin, east, north_east, origin]),
    }
}

/// The first number pair inside `coordinates`, to keep new shapes near the plan.
fn anchor_of(value: &Value) -> Option<[f64; 2]> {
    match value {
        Value::Array(items) => {
            if let (Some(x), Some(y)) = (
                items.first().and_then(Value::as_f64),
                items.get(1).and_then(Value::as_f64),
            ) {
                return Some([x, y]);
            }
            items.iter().find_map(anchor_of)
        }
        _ => None,
    }
}

fn edge_coordinates(geometry: &mut Value, rng: &mut impl Rng) {
    let anchor = geometry
        .get("coordinates")
        .and_then(anchor_of)
        .unwrap_or([116.4, 39.9]);
    let shape = edge_ring(anchor, rng);
    let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
    let coordinates = match (kind, rng.random_range(0..4)) {
        (_, 0) => extreme_position(rng),
        ("Point", _) => shape.get(0).cloned().unwrap_or(json!([])),
        ("MultiPoint" | "LineString", _) => shape,
        ("MultiLineString", _) => json!([shape]),
        ("MultiPolygon", 1) => json!([[shape], [edge_ring(anchor, rng)]]),
        ("MultiPolygon", _) => json!([[shape]]),
        (_, 1) => {
            let outer = json!([
                anchor,
                [anchor[0] + 0.01, anchor[1]],
                [anchor[0] + 0.01, anchor[1] + 0.01],
                [anchor[0], anchor[1] + 0.01],
                anchor
            ]);
            json!([outer, shape])
        }
        _ => json!([shape]),
    };
    if let Some(map) = geometry.as_object_mut() {
        map.insert("coordinates".to_owned(), coordinates);
    }
}

/// Edits one position (an array of numbers) somewhere in a geometry's coordinates.
fn edit_position(geometry: &mut Value, rng: &mut impl Rng) -> bool {
    let Some(coordinates) = geometry.get_mut("coordinates") else {
        return false;
    };
    // Position lists: arrays whose first element is itself a position.
    let is_list = |v: &Value| {
        v.as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_array)
            .is_some_and(|p| p.first().is_some_and(Value::is_number))
    };
    let lists = count_where(coordinates, &is_list);
    if lists == 0 {
        return false;
    }
    let mut k = rng.random_range(0..lists);
    let Some(Value::Array(list)) = nth_where(coordinates, &is_list, &mut k) else {
        return false;
    };
    let i = rng.random_range(0..list.len());
    let anchor = anchor_of(&list[i]).unwrap_or([0.0, 0.0]);
    match rng.random_range(0..7) {
        0 => {
            let copy = list[i].clone();
            list.insert(i, copy);
        }
        1 => {
            list.remove(i);
        }
        2 => list[i] = json!(nudge(anchor, rng)),
        3 => list[i] = extreme_position(rng),
        4 => {
            let j = rng.random_range(0..list.len());
            list[i] = list[j].clone();
        }
        5 => list[i] = json!([anchor[0], anchor[1], 1e308, "z"]),
        _ => list.reverse(),
    }
    true
}

fn count_where(value: &Value, pred: &dyn Fn(&Value) -> bool) -> usize {
    usize::from(pred(value))
        + value
            .as_array()
            .map_or(0, |a| a.iter().map(|v| count_where(v, pred)).sum())
}

fn nth_where<'a>(
    value: &'a mut Value,
    pred: &dyn Fn(&Value) -> bool,
    k: &mut usize,
) -> Option<&'a mut Value> {
    if pred(value) {
        if *k == 0 {
            return Some(value);
        }
        *k -= 1;
    }
    match value {
        Value::Array(items) => items.iter_mut().find_map(|v| nth_where(v, pred, k)),
        _ => None,
    }
}

fn nested(depth: usize, inner: Value, objects: bool) -> Value {
    (0..depth).fold(inner, |v, _| {
        if objects {
            let mut map = Map::new();
            map.insert("a".to_owned(), v);
            Value::Object(map)
        } else {
            Value::Array(vec![v])
        }
    })
}

/// The most JSON one `huge_array` edit grows an array to, in bytes.
const HUGE_ARRAY_BYTES: usize = 8 << 20;

/// Repeats an array's elements, cycling through them, up to a length drawn from 100 to
/// 50,000, but never past about [`HUGE_ARRAY_BYTES`] of JSON in all. The size is measured
/// on the whole array: measured on its first element, one big element among small ones
/// was copied thousands of times, and a campaign grew past 10 GB in a single edit.
fn blow_up(items: &mut Vec<Value>, rng: &mut impl Rng) {
    if items.is_empty() {
        items.push(json!([0, 0]));
    }
    let len = items.len();
    let bytes = serde_json::to_vec(&*items).map_or(usize::MAX, |b| b.len().max(1));
    let affordable = len.saturating_mul(HUGE_ARRAY_BYTES) / bytes;
    let wanted = *[100, 1_000, 10_000, 50_000].choose(rng).unwrap_or(&100);
    let copies: Vec<Value> = (len..wanted.min(affordable))
        .map(|i| items[i % len].clone())
        .collect();
    items.extend(copies);
}

fn random_key<'a>(map: &'a Map<String, Value>, rng: &mut impl Rng) -> Option<&'a String> {
    let n = map.len();
    (n > 0).then(|| map.keys().nth(rng.random_range(0..n)))?
}

/// Applies `mutation` to `tree`; `false` when the tree has nothing it applies to.
pub fn apply(mutation: Mutation, tree: &mut Value, rng: &mut impl Rng) -> bool {
    match mutation {
        Mutation::DropFeature | Mutation::DuplicateFeature | Mutation::SwapFeatures => {
            edit_features(mutation, tree, rng)
        }
        Mutation::DropMember
        | Mutation::CopyMember
        | Mutation::SwapMembers
        | Mutation::RenameKey => edit_members(mutation, tree, rng),
        Mutation::Coordinates | Mutation::Position | Mutation::GeometryType => {
            edit_geometry(mutation, tree, rng)
        }
        _ => edit_value(mutation, tree, rng),
    }
}

fn edit_features(mutation: Mutation, tree: &mut Value, rng: &mut impl Rng) -> bool {
    match mutation {
        Mutation::DropFeature => features(tree).is_some_and(|fs| {
            !fs.is_empty() && {
                fs.remove(rng.random_range(0..fs.len()));
                true
            }
        }),
        Mutation::DuplicateFeature => features(tree).is_some_and(|fs| {
            let Some(mut copy) = fs.choose(rng).cloned() else {
                return false;
            };
            if rng.random_bool(0.5)
                && let Some(id) = copy.pointer_mut("/properties/id")
            {
                *id = json!(format!("{}-copy", id.as_str().unwrap_or("")));
            }
            let at = rng.random_range(0..=fs.len());
            fs.insert(at, copy);
            true
        }),
        Mutation::SwapFeatures => features(tree).is_some_and(|fs| {
            fs.len() >= 2 && {
                let (i, j) = (rng.random_range(0..fs.len()), rng.random_range(0..fs.len()));
                fs.swap(i, j);
                true
            }
        }),
        _ => false,
    }
}

fn edit_members(mutation: Mutation, tree: &mut Value, rng: &mut impl Rng) -> bool {
    match mutation {
        Mutation::DropMember => pick(tree, Target::Object, rng)
            .and_then(Value::as_object_mut)
            .is_some_and(|map| {
                let Some(key) = random_key(map, rng).cloned() else {
                    return false;
                };
                map.remove(&key);
                true
            }),
        Mutation::CopyMember => {
            let Some((key, value)) = pick(tree, Target::Object, rng)
                .and_then(|v| v.as_object())
                .and_then(|map| random_key(map, rng).map(|k| (k.clone(), map[k].clone())))
            else {
                return false;
            };
            pick(tree, Target::Object, rng)
                .and_then(Value::as_object_mut)
                .map(|map| map.insert(key, value))
                .is_some()
        }
        Mutation::SwapMembers => pick(tree, Target::Object, rng)
            .and_then(Value::as_object_mut)
            .is_some_and(|map| {
                let (Some(a), Some(b)) =
                    (random_key(map, rng).cloned(), random_key(map, rng).cloned())
                else {
                    return false;
                };
                let va = map[&a].clone();
                let vb = std::mem::replace(&mut map[&b], va);
                map[&a] = vb;
                true
            }),
        Mutation::RenameKey => pick(tree, Target::Object, rng)
            .and_then(Value::as_object_mut)
            .is_some_and(|map| {
                let Some(key) = random_key(map, rng).cloned() else {
                    return false;
                };
                let Some(value) = map.remove(&key) else {
                    return false;
                };
                let renamed = match rng.random_range(0..6) {
                    0 => format!("{key}_"),
                    1 => key.to_uppercase(),
                    2 => format!("x_{key}"),
                    3 => format!("{key}/~{}", tricky_string(rng)),
                    4 => tricky_string(rng),
                    _ => (*KEYS.choose(rng).unwrap_or(&"id")).to_owned(),
                };
                map.insert(renamed, value);
                true
            }),
        _ => false,
    }
}

fn edit_geometry(mutation: Mutation, tree: &mut Value, rng: &mut impl Rng) -> bool {
    match mutation {
        Mutation::Coordinates => pick(tree, Target::Geometry, rng).is_some_and(|g| {
            edge_coordinates(g, rng);
            true
        }),
        Mutation::Position => {
            pick(tree, Target::Geometry, rng).is_some_and(|g| edit_position(g, rng))
        }
        Mutation::GeometryType => pick(tree, Target::Geometry, rng)
            .and_then(Value::as_object_mut)
            .is_some_and(|map| {
                let name = *[
                    "Point",
                    "MultiPoint",
                    "LineString",
                    "MultiLineString",
                    "Polygon",
                    "MultiPolygon",
                    "GeometryCollection",
                    "Feature",
                    "polygon",
                    "",
                ]
                .choose(rng)
                .unwrap_or(&"Point");
                map.insert("type".to_owned(), json!(name));
                true
            }),
        _ => false,
    }
}

fn edit_value(mutation: Mutation, tree: &mut Value, rng: &mut impl Rng) -> bool {
    match mutation {
        Mutation::ChangeType => pick(tree, Target::Any, rng).is_some_and(|v| {
            *v = value_of_another_type(v, rng);
            true
        }),
        Mutation::BoundaryNumber => pick(tree, Target::Number, rng).is_some_and(|v| {
            *v = match (v.as_f64(), rng.random_range(0..4)) {
                (Some(x), 0) => json!(-x),
                (Some(x), 1) => json!(x * 1e6),
                _ => boundary_number(rng),
            };
            true
        }),
        Mutation::Date => pick(tree, Target::String, rng).is_some_and(|v| {
            *v = json!(DATES.choose(rng).copied().unwrap_or(""));
            true
        }),
        Mutation::HugeArray => pick(tree, Target::Array, rng)
            .and_then(Value::as_array_mut)
            .is_some_and(|items| {
                blow_up(items, rng);
                true
            }),
        Mutation::DeepNesting => pick(tree, Target::Any, rng).is_some_and(|v| {
            let depth = *[10, 64, 126, 127, 128, 129, 1_000]
                .choose(rng)
                .unwrap_or(&10);
            let objects = rng.random_bool(0.3);
            *v = nested(depth, v.clone(), objects);
            true
        }),
        Mutation::EmptyContainer => pick(tree, Target::Any, rng).is_some_and(|v| {
            *v = [json!([]), json!({}), json!(""), json!([[]]), json!([[[]]])]
                .choose(rng)
                .cloned()
                .unwrap_or(Value::Null);
            true
        }),
        Mutation::Unicode => pick(tree, Target::String, rng).is_some_and(|v| {
            *v = json!(tricky_string(rng));
            true
        }),
        _ => false,
    }
}
