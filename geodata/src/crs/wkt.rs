//! Coordinate systems written as WKT (OGC 01-009 "WKT1", ESRI `.prj` files, ISO 19162
//! "WKT2"): recognising the ones digonce reads, and writing their definitions.
//!
//! [`recognise`] is what a Shapefile's `.prj` or a GeoPackage's `gpkg_spatial_ref_sys`
//! row is read with. It never guesses: a definition is recognised only when it names a
//! supported EPSG code at its top level, or when its datum, projection and parameters
//! are exactly those of WGS84, CGCS2000, Web Mercator or a CGCS2000 Gauss-Krüger zone
//! with the zone number in the false easting. Anything else is [`Unrecognised`], with
//! the definition's own name, and the caller asks for `--crs`.
//!
//! [`definition`] writes the WKT1 of a supported system, for GeoPackages digonce writes.

use super::{GaussKrugerZone, InputCrs};

/// A WKT definition that names no coordinate system digonce supports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the coordinate system \"{name}\" is not one digonce reads{}", hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
pub struct Unrecognised {
    /// The definition's own name (its first quoted string), or the start of the text.
    pub name: String,
    /// Why, when a near miss can be named (a Gauss-Krüger zone without its zone number).
    pub hint: Option<String>,
}

/// One node of a WKT tree: `KEYWORD[item, item, ...]`.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Node(Node),
    Text(String),
    Number(f64),
    /// A bare word (`EAST`, `NORTH`).
    Word(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Node {
    keyword: String,
    items: Vec<Item>,
}

impl Node {
    fn children<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.items.iter().filter_map(move |item| match item {
            Item::Node(n) if n.keyword.eq_ignore_ascii_case(keyword) => Some(n),
            _ => None,
        })
    }

    fn child(&self, keywords: &[&str]) -> Option<&Node> {
        keywords.iter().find_map(|k| {
            self.items.iter().find_map(|item| match item {
                Item::Node(n) if n.keyword.eq_ignore_ascii_case(k) => Some(n),
                _ => None,
            })
        })
    }

    fn name(&self) -> Option<&str> {
        self.items.iter().find_map(|item| match item {
            Item::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }

    fn numbers(&self) -> impl Iterator<Item = f64> + '_ {
        self.items.iter().filter_map(|item| match item {
            Item::Number(n) => Some(*n),
            Item::Text(t) => t.trim().parse().ok(),
            _ => None,
        })
    }

    /// Every text in this node and below, joined (for name matching).
    fn all_text(&self, out: &mut String) {
        out.push_str(&self.keyword);
        out.push(' ');
        for item in &self.items {
            match item {
                Item::Node(n) => n.all_text(out),
                Item::Text(t) | Item::Word(t) => {
                    out.push_str(t);
                    out.push(' ');
                }
                Item::Number(_) => {}
            }
        }
    }

    /// The EPSG code given by this node's own `AUTHORITY` or `ID`, if any.
    fn epsg(&self) -> Option<u32> {
        self.items.iter().find_map(|item| match item {
            Item::Node(n)
                if n.keyword.eq_ignore_ascii_case("AUTHORITY")
                    || n.keyword.eq_ignore_ascii_case("ID") =>
            {
                let authority = n.name()?;
                if !authority.eq_ignore_ascii_case("EPSG") {
                    return None;
                }
                n.items.iter().skip(1).find_map(|i| match i {
                    Item::Number(v) if v.fract() == 0.0 && *v > 0.0 && *v < 1e9 => {
                        format!("{v:.0}").parse().ok()
                    }
                    Item::Text(t) => t.trim().parse().ok(),
                    _ => None,
                })
            }
            _ => None,
        })
    }
}

/// Parses WKT text into its tree; `None` when it is not WKT.
fn parse(text: &str) -> Option<Node> {
    let chars: Vec<char> = text.trim().trim_start_matches('\u{feff}').chars().collect();
    let mut at = 0;
    let node = parse_node(&chars, &mut at)?;
    Some(node)
}

fn skip_space(chars: &[char], at: &mut usize) {
    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
        *at += 1;
    }
}

fn parse_node(chars: &[char], at: &mut usize) -> Option<Node> {
    skip_space(chars, at);
    let start = *at;
    while chars
        .get(*at)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        *at += 1;
    }
    let keyword: String = chars[start..*at].iter().collect();
    if keyword.is_empty() {
        return None;
    }
    skip_space(chars, at);
    let close = match chars.get(*at) {
        Some('[') => ']',
        Some('(') => ')',
        _ => {
            return Some(Node {
                keyword,
                items: Vec::new(),
            });
        }
    };
    *at += 1;
    let mut items = Vec::new();
    loop {
        skip_space(chars, at);
        match chars.get(*at) {
            None => return None,
            Some(c) if *c == close => {
                *at += 1;
                return Some(Node { keyword, items });
            }
            Some(',') => *at += 1,
            Some('"') => {
                *at += 1;
                let mut text = String::new();
                loop {
                    match chars.get(*at) {
                        None => return None,
                        // WKT escapes a quote by doubling it.
                        Some('"') if chars.get(*at + 1) == Some(&'"') => {
                            text.push('"');
                            *at += 2;
                        }
                        Some('"') => {
                            *at += 1;
                            break;
                        }
                        Some(c) => {
                            text.push(*c);
                            *at += 1;
                        }
                    }
                }
                items.push(Item::Text(text));
            }
            Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => {
                let start = *at;
                while chars
                    .get(*at)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                {
                    *at += 1;
                }
                let number: String = chars[start..*at].iter().collect();
                items.push(Item::Number(number.parse().ok()?));
            }
            Some(_) => {
                let node = parse_node(chars, at)?;
                if node.items.is_empty() {
                    items.push(Item::Word(node.keyword));
                } else {
                    items.push(Item::Node(node));
                }
            }
        }
    }
}

/// Lower-case letters and digits only, for comparing names written with `_`, spaces or
/// hyphens (`GCS_China_Geodetic_Coordinate_System_2000`, `China Geodetic ...`).
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Which datum a geographic node is on, by its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Datum {
    Wgs84,
    Cgcs2000,
}

fn datum_of(node: &Node) -> Option<Datum> {
    let mut text = String::new();
    node.all_text(&mut text);
    let text = squash(&text);
    if text.contains("china2000") || text.contains("cgcs2000") || text.contains("chinageodetic") {
        Some(Datum::Cgcs2000)
    } else if text.contains("wgs1984")
        || text.contains("wgs84")
        || text.contains("worldgeodeticsystem1984")
    {
        Some(Datum::Wgs84)
    } else {
        None
    }
}

/// The value of a projection parameter, by any of its WKT1 or WKT2 names.
fn parameter(node: &Node, names: &[&str]) -> Option<f64> {
    node.children("PARAMETER")
        .chain(
            node.child(&["CONVERSION"])
                .into_iter()
                .flat_map(|c| c.children("PARAMETER")),
        )
        .find(|p| {
            p.name()
                .is_some_and(|n| names.iter().any(|want| squash(n) == squash(want)))
        })
        .and_then(|p| p.numbers().next())
}

/// Recognises the coordinate system of a WKT definition (a `.prj` file's content or a
/// GeoPackage `definition`).
///
/// # Errors
/// [`Unrecognised`] when the text is not WKT or names a system digonce does not support.
pub fn recognise(text: &str) -> Result<InputCrs, Unrecognised> {
    let fallback_name = || text.trim().chars().take(60).collect::<String>();
    let Some(root) = parse(text) else {
        return Err(Unrecognised {
            name: fallback_name(),
            hint: Some("not a WKT definition".into()),
        });
    };
    let name = root.name().map_or_else(fallback_name, str::to_owned);
    let unrecognised = |hint: Option<String>| Unrecognised {
        name: name.clone(),
        hint,
    };
    if let Some(code) = root.epsg()
        && let Ok(crs) = format!("epsg:{code}").parse::<InputCrs>()
    {
        return Ok(crs);
    }
    let keyword = root.keyword.to_ascii_uppercase();
    match keyword.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEODCRS" | "GEOGRAPHICCRS" | "GEODETICCRS" => match datum_of(&root)
        {
            Some(Datum::Wgs84) => Ok(InputCrs::Wgs84),
            Some(Datum::Cgcs2000) => Ok(InputCrs::Cgcs2000),
            None => Err(unrecognised(None)),
        },
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => projected(&root, &name).map_err(unrecognised),
        _ => Err(unrecognised(None)),
    }
}

/// A projected definition: Web Mercator, or a CGCS2000 Gauss-Krüger zone.
fn projected(root: &Node, name: &str) -> Result<InputCrs, Option<String>> {
    let method = root
        .child(&["PROJECTION"])
        .or_else(|| {
            root.child(&["CONVERSION"])
                .and_then(|c| c.child(&["METHOD"]))
        })
        .and_then(Node::name)
        .map(squash)
        .unwrap_or_default();
    let mut all = String::new();
    root.all_text(&mut all);
    let all = squash(&all);
    let squashed_name = squash(name);
    if method.contains("pseudomercator")
        || method.contains("mercatorauxiliarysphere")
        || squashed_name.contains("webmercator")
        || squashed_name.contains("pseudomercator")
        || all.contains("projmerca6378137b6378137")
    {
        return Ok(InputCrs::WebMercator);
    }
    let base = root.child(&["GEOGCS", "BASEGEOGCRS", "BASEGEODCRS"]);
    let is_transverse = method.contains("transversemercator") || method.contains("gausskruger");
    if !is_transverse {
        return Err(None);
    }
    if base.and_then(datum_of) != Some(Datum::Cgcs2000) {
        return Err(Some(
            "a transverse Mercator projection on another datum than CGCS2000".into(),
        ));
    }
    let central = parameter(
        root,
        &[
            "central_meridian",
            "Longitude of natural origin",
            "longitude_of_center",
        ],
    );
    let false_easting = parameter(root, &["false_easting", "False easting"]).unwrap_or(0.0);
    let false_northing = parameter(root, &["false_northing", "False northing"]).unwrap_or(0.0);
    let scale = parameter(root, &["scale_factor", "Scale factor at natural origin"]).unwrap_or(1.0);
    let origin =
        parameter(root, &["latitude_of_origin", "Latitude of natural origin"]).unwrap_or(0.0);
    let Some(central) = central else {
        return Err(Some("no central meridian".into()));
    };
    if (scale - 1.0).abs() > 1e-9 || origin.abs() > 1e-9 || false_northing.abs() > 1e-6 {
        return Err(Some(
            "a transverse Mercator zone whose scale, origin or false northing is not Gauss-Krüger's"
                .into(),
        ));
    }
    if (false_easting - 500_000.0).abs() < 1e-6 {
        return Err(Some(format!(
            "a Gauss-Krüger zone without the zone number in the false easting (central meridian \
             {central}°); digonce reads the zone-numbered systems EPSG:4491-4501 and 4513-4533: \
             add the zone number times 1,000,000 to the eastings, or reproject"
        )));
    }
    let zone_number = ((false_easting - 500_000.0) / 1_000_000.0).round();
    if (zone_number * 1_000_000.0 + 500_000.0 - false_easting).abs() > 1e-6 {
        return Err(Some(format!("false easting {false_easting} names no zone")));
    }
    // Both ranges: 3° zones 25-45 (central meridian 3 × zone), 6° zones 13-23 (6 × zone − 3).
    (4491..=4501)
        .chain(4513..=4533)
        .find(|&epsg| {
            GaussKrugerZone::from_epsg(epsg).is_some_and(|z| {
                (f64::from(z.zone) - zone_number).abs() < 0.5
                    && (z.central_meridian - central).abs() < 1e-9
            })
        })
        .map(|epsg| InputCrs::GaussKruger { epsg })
        .ok_or_else(|| {
            Some(format!(
                "zone {zone_number} with central meridian {central}° is not a CGCS2000 Gauss-Krüger zone"
            ))
        })
}

/// The EPSG code of a system that has one (every system but GCJ-02 and BD-09).
#[must_use]
pub fn epsg_code(crs: InputCrs) -> Option<u32> {
    match crs {
        InputCrs::Wgs84 => Some(4326),
        InputCrs::Cgcs2000 => Some(4490),
        InputCrs::WebMercator => Some(3857),
        InputCrs::GaussKruger { epsg } => Some(epsg),
        InputCrs::Gcj02 | InputCrs::Bd09 => None,
    }
}

const WGS84_GEOGCS: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;
const CGCS2000_GEOGCS: &str = r#"GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4490"]]"#;

/// The WKT1 definition of a system, with its EPSG authority (for `gpkg_spatial_ref_sys`
/// and `.prj` files); `None` for GCJ-02 and BD-09, which no GIS registers.
#[must_use]
pub fn definition(crs: InputCrs) -> Option<String> {
    match crs {
        InputCrs::Wgs84 => Some(WGS84_GEOGCS.to_owned()),
        InputCrs::Cgcs2000 => Some(CGCS2000_GEOGCS.to_owned()),
        InputCrs::WebMercator => Some(format!(
            r#"PROJCS["WGS 84 / Pseudo-Mercator",{WGS84_GEOGCS},PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#
        )),
        InputCrs::GaussKruger { epsg } => {
            let zone = GaussKrugerZone::from_epsg(epsg)?;
            let width = if zone.width_deg < 4.0 { 3 } else { 6 };
            Some(format!(
                r#"PROJCS["CGCS2000 / {width}-degree Gauss-Kruger zone {z}",{CGCS2000_GEOGCS},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{cm}],PARAMETER["scale_factor",1],PARAMETER["false_easting",{fe}],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","{epsg}"]]"#,
                z = zone.zone,
                cm = zone.central_meridian,
                fe = zone.false_easting(),
            ))
        }
        InputCrs::Gcj02 | InputCrs::Bd09 => None,
    }
}

/// A short human name of a system (`gpkg_spatial_ref_sys.srs_name`).
#[must_use]
pub fn display_name(crs: InputCrs) -> String {
    match crs {
        InputCrs::Wgs84 => "WGS 84".into(),
        InputCrs::Cgcs2000 => "China Geodetic Coordinate System 2000".into(),
        InputCrs::WebMercator => "WGS 84 / Pseudo-Mercator".into(),
        InputCrs::GaussKruger { epsg } => GaussKrugerZone::from_epsg(epsg).map_or_else(
            || format!("EPSG:{epsg}"),
            |z| {
                let width = if z.width_deg < 4.0 { 3 } else { 6 };
                format!("CGCS2000 / {width}-degree Gauss-Kruger zone {}", z.zone)
            },
        ),
        InputCrs::Gcj02 => "GCJ-02".into(),
        InputCrs::Bd09 => "BD-09".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESRI_WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const ESRI_CGCS2000: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const ESRI_GK_39: &str = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_GK_CM: &str = r#"PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_WEB_MERCATOR: &str = r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#;
    const BEIJING_1954: &str = r#"PROJCS["Beijing_1954_3_Degree_GK_Zone_39",GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

    #[test]
    fn esri_prj_files_of_the_supported_systems_are_recognised() {
        assert_eq!(recognise(ESRI_WGS84), Ok(InputCrs::Wgs84));
        assert_eq!(recognise(ESRI_CGCS2000), Ok(InputCrs::Cgcs2000));
        assert_eq!(
            recognise(ESRI_GK_39),
            Ok(InputCrs::GaussKruger { epsg: 4527 })
        );
        assert_eq!(recognise(ESRI_WEB_MERCATOR), Ok(InputCrs::WebMercator));
    }

    #[test]
    fn other_datums_and_zones_without_their_number_are_refused_with_a_reason() {
        let error = recognise(BEIJING_1954).expect_err("Beijing 1954 is not CGCS2000");
        assert_eq!(error.name, "Beijing_1954_3_Degree_GK_Zone_39");
        assert!(error.to_string().contains("another datum"), "{error}");
        let error = recognise(ESRI_GK_CM).expect_err("no zone number");
        assert!(
            error.to_string().contains("without the zone number"),
            "{error}"
        );
        assert!(recognise("not wkt at all").is_err());
    }

    #[test]
    fn a_top_level_epsg_authority_decides_and_a_nested_one_does_not() {
        for crs in [
            InputCrs::Wgs84,
            InputCrs::Cgcs2000,
            InputCrs::WebMercator,
            InputCrs::GaussKruger { epsg: 4527 },
            InputCrs::GaussKruger { epsg: 4496 },
        ] {
            let wkt = definition(crs).expect("has a definition");
            assert_eq!(recognise(&wkt), Ok(crs), "{wkt}");
        }
        // A projected system on WGS84 whose only authority is its base's: not EPSG:4326.
        let utm = r#"PROJCS["WGS 84 / UTM zone 50N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",117],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],UNIT["metre",1]]"#;
        assert!(recognise(utm).is_err());
    }

    #[test]
    fn wkt2_with_an_id_is_recognised() {
        let wkt2 = r#"PROJCRS["CGCS2000 / 3-degree Gauss-Kruger zone 39",BASEGEOGCRS["China Geodetic Coordinate System 2000",DATUM["China 2000",ELLIPSOID["CGCS2000",6378137,298.257222101]]],CONVERSION["3-degree Gauss-Kruger zone 39",METHOD["Transverse Mercator"],PARAMETER["Longitude of natural origin",117],PARAMETER["False easting",39500000]],ID["EPSG",4527]]"#;
        assert_eq!(recognise(wkt2), Ok(InputCrs::GaussKruger { epsg: 4527 }));
        let without_id = wkt2.replace(r#",ID["EPSG",4527]"#, "");
        assert_eq!(
            recognise(&without_id),
            Ok(InputCrs::GaussKruger { epsg: 4527 })
        );
    }

    #[test]
    fn only_chinese_web_map_systems_lack_a_code_and_a_definition() {
        assert_eq!(epsg_code(InputCrs::GaussKruger { epsg: 4527 }), Some(4527));
        assert!(definition(InputCrs::Gcj02).is_none());
        assert!(epsg_code(InputCrs::Bd09).is_none());
        assert!(display_name(InputCrs::GaussKruger { epsg: 4527 }).contains("zone 39"));
    }
}
