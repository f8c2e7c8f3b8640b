//! Tests of whole imports: sources through a mapping into a validated plan.

use super::*;

fn options(crs: Option<InputCrs>) -> ImportOptions {
    ImportOptions {
        crs,
        settings: Map::new(),
        default_name: "default name".into(),
        default_start: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
    }
}

fn csv(name: &str, text: &str) -> Source {
    Source::new(name, SourceFormat::Csv, text.as_bytes().to_vec())
}

const PIPES: &str = "管线类型,管径,wkt\n给水,DN300,\"LINESTRING (116.36 39.912, 116.37 39.912)\"\n燃气,160,\"LINESTRING (116.36 39.9121, 116.37 39.9121)\"\n";

#[test]
fn no_source_is_an_empty_valid_plan_named_by_the_defaults() {
    let mapping = Mapping::preset("digonce").expect("preset");
    let imported = import(&[], &mapping, &options(None)).expect("an empty plan is valid");
    assert!(imported.plan.works.is_empty());
    assert_eq!(imported.plan.settings.name, "default name");
}

#[test]
fn settings_come_from_the_mapping_then_the_caller_then_the_defaults() {
    let mut mapping = Mapping::preset("cn-survey").expect("preset");
    mapping
        .plan
        .insert("name".into(), "from the mapping".into());
    mapping.plan.insert("horizon_days".into(), 400.into());
    let mut opts = options(None);
    opts.settings.insert("horizon_days".into(), 500.into());
    let imported = import(&[csv("pipes.csv", PIPES)], &mapping, &opts).expect("valid");
    let settings = &imported.plan.settings;
    assert_eq!(settings.name, "from the mapping");
    assert_eq!(settings.horizon_days, 500);
    assert_eq!(
        settings.start,
        NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
    );
}

#[test]
fn generated_ids_stay_unique_across_sources() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let imported = import(
        &[csv("pipes.csv", PIPES), csv("pipes.csv", PIPES)],
        &mapping,
        &options(None),
    )
    .expect("valid");
    let ids: Vec<&str> = imported.plan.works.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, ["pipes-1", "pipes-2", "pipes-1.2", "pipes-2.2"]);
}

#[test]
fn validation_problems_name_the_source_record_field_and_value() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let text = "管线类型,管径,wkt\n给水,-5,\"LINESTRING (116.36 39.912, 116.37 39.912)\"\n";
    let Err(ImportError::Invalid { failure }) =
        import(&[csv("p.csv", text)], &mapping, &options(None))
    else {
        panic!("a negative diameter is out of range");
    };
    let problem = &failure.report.problems[0];
    assert_eq!(problem.code, IssueCode::OutOfRange);
    assert_eq!(problem.pointer, "/features/0/properties/diameter_mm");
    let origin = problem.origin.as_ref().expect("origin");
    assert_eq!((origin.source.as_str(), origin.record), ("p.csv", Some(1)));
    assert_eq!(
        (origin.field.as_deref(), origin.value.as_deref()),
        (Some("管径"), Some("-5"))
    );
    assert!(
        problem
            .to_string()
            .contains("p.csv layer \"p\" record 1 field \"管径\""),
        "{problem}"
    );
    assert!(
        !failure.geojson.is_empty(),
        "the converted plan is kept to inspect"
    );
}

#[test]
fn a_declared_system_wins_an_unreadable_one_needs_crs_and_bad_positions_are_named() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let declared = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},
      "features":[{"type":"Feature","properties":{"管线类型":"JS"},"geometry":{"type":"LineString","coordinates":[[12953000,4852000],[12953100,4852000]]}}]}"#;
    let source = || {
        Source::new(
            "web.geojson",
            SourceFormat::GeoJson,
            declared.as_bytes().to_vec(),
        )
    };
    // --crs names the system of layers without one; this one declares Web Mercator.
    let imported = import(&[source()], &mapping, &options(Some(InputCrs::Gcj02))).expect("valid");
    let x = imported.plan.works[0].shape.wgs84.clone();
    let first = collection::first_position(&x).expect("a position");
    assert!((first.x - 116.36).abs() < 0.01, "{first:?}");
    let unreadable = declared.replace("EPSG:3857", "EPSG:2385");
    let source = Source::new(
        "old.geojson",
        SourceFormat::GeoJson,
        unreadable.into_bytes(),
    );
    let Err(ImportError::Invalid { failure }) = import(&[source], &mapping, &options(None)) else {
        panic!("Xian 1980 is not read");
    };
    assert_eq!(failure.report.problems[0].code, IssueCode::UnknownCrs);
    let far = csv(
        "far.csv",
        "管线类型,wkt\n给水,\"LINESTRING (500000 4400000, 500100 4400000)\"\n",
    );
    let Err(ImportError::Invalid { failure }) = import(
        &[far],
        &mapping,
        &options(Some(InputCrs::GaussKruger { epsg: 4527 })),
    ) else {
        panic!("an easting without its zone number is outside zone 39");
    };
    assert_eq!(
        failure.report.problems[0].code,
        IssueCode::CoordinateOutOfRange
    );
}

#[test]
fn layers_no_rule_takes_are_listed_and_unreadable_geometry_is_reported() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let notes = csv("notes.csv", "说明,wkt\n图框,\"POINT (116.36 39.91)\"\n");
    let bad = csv(
        "bad.csv",
        "管线类型,wkt\n给水,\"CIRCULARSTRING (0 0, 1 1, 2 0)\"\n",
    );
    let Err(ImportError::Invalid { failure }) = import(&[notes, bad], &mapping, &options(None))
    else {
        panic!("an arc cannot be read");
    };
    assert_eq!(
        failure.report.problems[0].code,
        IssueCode::UnsupportedGeometry
    );
    let notes = &failure.summary.layers[0];
    assert_eq!((notes.rule.as_deref(), notes.skipped), (None, 1));
}
