//! Coordinate system names as written on the command line and in URLs (`--crs`, `?crs=`).
//!
//! Kept here until `geodata::crs` offers a `FromStr` for [`InputCrs`]; the names are the
//! ones listed in `docs/input-format.md`.

use geodata::crs::InputCrs;

/// A `--crs` value that names no known coordinate system.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown coordinate system \"{name}\"; use wgs84 (epsg:4326), cgcs2000 (epsg:4490), \
     epsg:3857, epsg:4491..epsg:4501, epsg:4513..epsg:4533, gcj02 or bd09"
)]
pub struct UnknownCrsName {
    /// The name as given.
    pub name: String,
}

/// Parses a coordinate system name, case-insensitively.
///
/// # Errors
/// [`UnknownCrsName`] for anything not in the list.
pub fn parse_crs(name: &str) -> Result<InputCrs, UnknownCrsName> {
    let lower = name.trim().to_ascii_lowercase();
    let crs = match lower.as_str() {
        "wgs84" | "epsg:4326" => Some(InputCrs::Wgs84),
        "cgcs2000" | "epsg:4490" => Some(InputCrs::Cgcs2000),
        "epsg:3857" => Some(InputCrs::WebMercator),
        "gcj02" => Some(InputCrs::Gcj02),
        "bd09" => Some(InputCrs::Bd09),
        other => other
            .strip_prefix("epsg:")
            .and_then(|code| code.parse::<u32>().ok())
            .filter(|epsg| (4491..=4501).contains(epsg) || (4513..=4533).contains(epsg))
            .map(|epsg| InputCrs::GaussKruger { epsg }),
    };
    crs.ok_or_else(|| UnknownCrsName {
        name: name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_aliases_agree() {
        assert_eq!(parse_crs("WGS84"), Ok(InputCrs::Wgs84));
        assert_eq!(parse_crs("EPSG:4326"), Ok(InputCrs::Wgs84));
        assert_eq!(parse_crs("epsg:4490"), Ok(InputCrs::Cgcs2000));
        assert_eq!(parse_crs("Gcj02"), Ok(InputCrs::Gcj02));
        assert_eq!(parse_crs("bd09"), Ok(InputCrs::Bd09));
        assert_eq!(parse_crs("epsg:3857"), Ok(InputCrs::WebMercator));
    }

    #[test]
    fn gauss_kruger_zones_are_accepted_only_within_their_ranges() {
        assert_eq!(
            parse_crs("epsg:4491"),
            Ok(InputCrs::GaussKruger { epsg: 4491 })
        );
        assert_eq!(
            parse_crs("epsg:4527"),
            Ok(InputCrs::GaussKruger { epsg: 4527 })
        );
        for bad in ["epsg:4502", "epsg:4512", "epsg:4534", "epsg:", "utm50", ""] {
            assert!(parse_crs(bad).is_err(), "{bad}");
        }
    }
}
