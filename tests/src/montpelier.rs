//! Real data: the Montpelier (Vermont) sewer network as a digonce plan.
//!
//! Every line of the city's wastewater network becomes a `kind: work` sewer replacement
//! owned by the city, laid at a fixed productivity, so scenario tests can run ingestion
//! and planning on a real, irregular network instead of synthetic grids.

use serde_json::{Map, Value, json};

use crate::reference_data;

/// Metres of sewer main replaced per crew-day in the converted plan.
pub const SEWER_PRODUCTIVITY_M_PER_DAY: f64 = 30.0;

/// Why the source could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The source is not JSON.
    #[error("the Montpelier source is not JSON")]
    Json {
        /// The parse failure.
        #[source]
        source: serde_json::Error,
    },
    /// The source has no `features` array.
    #[error("the Montpelier source has no `features` array")]
    NoFeatures,
}

/// Where `MontpelierLinearFeatures.geojson` lies inside the repository's `data/` folder.
pub const LINEAR_FEATURES: &str = "gis/montpelier/MontpelierLinearFeatures.geojson";

/// The text of the Montpelier linear features committed in `data/gis/montpelier/`.
///
/// # Panics
/// When the file is missing: see [`reference_data::path`].
#[must_use]
pub fn linear_features() -> String {
    reference_data::read_to_string(LINEAR_FEATURES)
}

/// Converts the Montpelier linear features (GeoJSON text) into a plan document.
///
/// Feature `i` becomes work `mpl-sewer-{i}`: `utility: sewer`, `action: replace`, owned by
/// the city's wastewater division, at [`SEWER_PRODUCTIVITY_M_PER_DAY`]. The source's
/// type, status and system type are kept as `x_` attributes; its other fields are dropped.
///
/// # Errors
/// [`ConvertError`] if the text is not JSON or has no `features` array.
pub fn sewer_plan(source: &str) -> Result<Value, ConvertError> {
    let doc: Value =
        serde_json::from_str(source).map_err(|source| ConvertError::Json { source })?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or(ConvertError::NoFeatures)?;
    let works: Vec<Value> = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let source_props = f.get("properties").and_then(Value::as_object);
            let mut props = Map::new();
            props.insert("kind".into(), json!("work"));
            props.insert("id".into(), json!(format!("mpl-sewer-{i}")));
            props.insert("utility".into(), json!("sewer"));
            props.insert(
                "owner".into(),
                json!("City of Montpelier Wastewater Division"),
            );
            props.insert("action".into(), json!("replace"));
            props.insert(
                "productivity_m_per_day".into(),
                json!(SEWER_PRODUCTIVITY_M_PER_DAY),
            );
            for (from, to) in [
                ("Type", "x_type"),
                ("Status", "x_status"),
                ("System_Type", "x_system_type"),
            ] {
                if let Some(v) = source_props.and_then(|p| p.get(from)) {
                    props.insert(to.into(), v.clone());
                }
            }
            json!({
                "type": "Feature",
                "properties": props,
                "geometry": f.get("geometry").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(json!({
        "type": "FeatureCollection",
        "plan": {
            "name": "Montpelier sewer renewal",
            "start": "2026-04-01",
            "clearance_profile": "us-generic",
            "crews": { "sewer": 3 },
        },
        "features": works,
    }))
}
