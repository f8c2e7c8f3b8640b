//! Importing the files planners hold (`docs/import.md`): the Xicheng survey fixtures
//! (`tests/fixtures/import/`: a GBK zipped Shapefile, a CJJ 61 DXF, Gauss-Krüger tables,
//! an XLSX), the Bubeneč GeoPackage, and round trips of the example plans through GDAL's
//! Shapefile, GeoPackage and CSV drivers. The GDAL checks run where `ogr2ogr`/`ogrinfo`
//! are installed and fail, instead of skipping, when `DIGONCE_REQUIRE_GDAL` is set (as
//! `scripts/test` does).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use geo::{BoundingRect, Centroid, Geometry};
use geodata::export::{ExportOptions, to_bytes};
use geodata::import::mapping::Mapping;
use geodata::import::{ImportError, ImportOptions, Source, import};
use geodata::ingest::{IngestOptions, ingest};
use geodata::plan::{Discipline, GasPressure, Plan, Utility};
use geodata::validation::IssueCode;
use serde_json::Map;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    let path = root().join("tests/fixtures/import").join(name);
    assert!(path.exists(), "fixture {} is missing", path.display());
    path
}

fn options(crs: Option<&str>) -> ImportOptions {
    let mut settings = Map::new();
    settings.insert("name".into(), "西城试点".into());
    settings.insert("start".into(), "2027-03-01".into());
    ImportOptions {
        crs: crs.map(|c| c.parse().expect("a supported system")),
        settings,
        default_name: "unused".into(),
        default_start: NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"),
    }
}

fn sources(names: &[&str]) -> Vec<Source> {
    names
        .iter()
        .map(|n| Source::from_path(&fixture(n)).expect("readable fixture"))
        .collect()
}

fn work<'a>(plan: &'a Plan, id: &str) -> &'a geodata::plan::Work {
    plan.work(id)
        .unwrap_or_else(|| panic!("work {id} was imported"))
}

/// Whether a GDAL tool can run; without it the caller skips, unless CI requires GDAL.
fn gdal(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("DIGONCE_REQUIRE_GDAL").is_none(),
            "DIGONCE_REQUIRE_GDAL is set but {tool} is not installed"
        );
        eprintln!("{tool} is not installed: skipping this GDAL check");
    }
    found
}

fn run(command: &mut Command) -> String {
    let out = command.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("digonce-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn a_survey_shapefile_and_a_cjj61_drawing_become_one_valid_plan() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let imported = import(
        &sources(&["管线普查.zip", "街道设计.dxf", "小区清单.csv", "道路.csv"]),
        &mapping,
        &options(Some("epsg:4527")),
    )
    .unwrap_or_else(|e| match e {
        ImportError::Invalid { failure } => panic!("{:#?}", failure.report.problems),
        other => panic!("{other}"),
    });
    let plan = &imported.plan;
    assert_eq!(plan.settings.name, "西城试点");
    assert_eq!(
        (plan.compounds.len(), plan.works.len(), plan.streets.len()),
        (2, 10, 3)
    );
    // Survey attributes with Chinese names, read from a GBK .dbf without .cpg.
    let gas = work(plan, "RQ001");
    assert_eq!(gas.discipline, Discipline::Utility(Utility::Gas));
    assert_eq!(gas.pressure, Some(GasPressure::MediumB));
    assert_eq!(gas.diameter_mm, Some(160.0));
    assert_eq!(gas.owner, "北京燃气集团");
    assert_eq!(
        work(plan, "WS001").discipline,
        Discipline::Utility(Utility::Sewer)
    );
    assert_eq!(work(plan, "WS001").diameter_mm, Some(1000.0));
    let power = work(plan, "DL001");
    assert_eq!(power.voltage_kv, Some(10.0));
    assert_eq!(
        power.owner, "权属单位未注明（电力）",
        "no owner in the record: the preset's"
    );
    assert!(
        plan.work("BM001").is_none(),
        "an unidentified pipe is left out"
    );
    // DXF layers named by CJJ 61 codes give the utilities.
    for (id, utility) in [
        ("JS-1", Utility::Water),
        ("RQ-1", Utility::Gas),
        ("WS-1", Utility::Sewer),
        ("DL-1", Utility::Power),
        ("TX-1", Utility::Telecom),
    ] {
        assert_eq!(
            work(plan, id).discipline,
            Discipline::Utility(utility),
            "{id}"
        );
    }
    let layers: Vec<(&str, Option<&str>)> = imported
        .summary
        .layers
        .iter()
        .map(|l| (l.layer.as_str(), l.rule.as_deref()))
        .collect();
    assert!(
        layers.contains(&("TK", None)),
        "the drawing frame is passed over: {layers:?}"
    );
    let js = imported
        .summary
        .layers
        .iter()
        .find(|l| l.layer == "JS")
        .expect("JS layer");
    assert_eq!(js.passed_over, [("TEXT".to_owned(), 1)]);
    assert_eq!(js.defaulted.get("owner"), Some(&1));
}

#[test]
fn gauss_kruger_positions_land_where_they_should() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let imported = import(
        &sources(&["街道设计.dxf", "小区清单.csv"]),
        &mapping,
        &options(Some("epsg:4527")),
    )
    .expect("valid");
    let plan = &imported.plan;
    // The DXF's water main was drawn from (116.3650, 39.9100) to (116.3650, 39.9121).
    let Geometry::LineString(line) = &work(plan, "JS-1").shape.wgs84 else {
        panic!("a line");
    };
    let ends = [line.0[0], line.0[line.0.len() - 1]];
    for (got, (lon, lat)) in ends.iter().zip([(116.3650, 39.9100), (116.3650, 39.9121)]) {
        assert!(
            (got.x - lon).abs() < 1e-6 && (got.y - lat).abs() < 1e-6,
            "{got:?}"
        );
    }
    // The compound list's X坐标 is the northing, Y坐标 the easting; its point becomes a
    // 100 m square centred on (116.3625, 39.9135).
    let compound = plan
        .compounds
        .iter()
        .find(|c| c.id == "C001")
        .expect("C001");
    let centre = compound.shape.wgs84.centroid().expect("a polygon");
    assert!(
        (centre.x() - 116.3625).abs() < 1e-6 && (centre.y() - 39.9135).abs() < 1e-6,
        "{centre:?}"
    );
    let rect = compound.shape.local.bounding_rect().expect("a polygon");
    assert!(
        (rect.width() - 100.0).abs() < 0.01 && (rect.height() - 100.0).abs() < 0.01,
        "{rect:?}"
    );
}

#[test]
fn without_crs_the_drawing_in_metres_asks_for_one_and_names_the_zone() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let Err(ImportError::Invalid { failure }) =
        import(&sources(&["街道设计.dxf"]), &mapping, &options(None))
    else {
        panic!("a drawing in Gauss-Krüger metres cannot be read as degrees");
    };
    let problems = &failure.report.problems;
    assert!(
        problems.iter().all(|p| p.code == IssueCode::CrsRequired),
        "{problems:#?}"
    );
    assert_eq!(
        problems.len(),
        6,
        "one per imported layer, not one per record: {problems:#?}"
    );
    let first = &problems[0];
    assert!(first.message.contains("epsg:4527"), "{}", first.message);
    let origin = first.origin.as_ref().expect("an origin");
    assert_eq!(origin.source, "街道设计.dxf");
}

#[test]
fn an_xlsx_compound_list_with_typed_cells_imports() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let imported = import(&sources(&["小区清单.xlsx"]), &mapping, &options(None)).expect("valid");
    let plan = &imported.plan;
    assert_eq!(plan.compounds.len(), 2);
    let c = plan
        .compounds
        .iter()
        .find(|c| c.id == "C002")
        .expect("C002");
    assert_eq!(c.households, 180);
    assert_eq!(
        c.finish_by,
        NaiveDate::from_ymd_opt(2027, 10, 31).expect("date")
    );
    assert_eq!(c.class, geodata::plan::RenovationClass::Basic);
}

#[test]
fn every_value_that_does_not_map_is_reported_with_its_record() {
    let dir = temp_dir("problems");
    let csv = dir.join("小区.csv");
    std::fs::write(
        &csv,
        "小区编号,小区名称,所属区,改造类型,楼栋数,户数,计划完工日期,经度,纬度\n\
         C1,甲,西城区,豪华类,3,很多,2027-10-31,116.36,39.91\n\
         C2,乙,西城区,基础类,3,120,明年,116.37,39.91\n",
    )
    .expect("write");
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let source = Source::from_path(&csv).expect("csv");
    let Err(ImportError::Invalid { failure }) = import(&[source], &mapping, &options(None)) else {
        panic!("three values do not map");
    };
    let found: Vec<(IssueCode, usize, String, String)> = failure
        .report
        .problems
        .iter()
        .map(|p| {
            let o = p.origin.as_ref().expect("origin");
            (
                p.code,
                o.record.expect("record"),
                o.field.clone().expect("field"),
                o.value.clone().expect("value"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                IssueCode::UnmappedValue,
                1,
                "改造类型".into(),
                "豪华类".into()
            ),
            (IssueCode::WrongType, 1, "户数".into(), "很多".into()),
            (
                IssueCode::InvalidDate,
                2,
                "计划完工日期".into(),
                "明年".into()
            ),
        ],
        "every problem at once, not repeated by validation as missing properties"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_bubenec_geopackage_in_web_mercator_imports_as_compounds_and_streets() {
    let path = root().join("data/gis/bubenec/bubenec.gpkg");
    assert!(path.exists(), "{} is missing", path.display());
    let mapping_text = std::fs::read_to_string(fixture("bubenec.toml")).expect("mapping");
    let mapping = Mapping::parse(&mapping_text).expect("valid mapping");
    let source = Source::from_path(&path).expect("gpkg");
    let imported = import(&[source], &mapping, &options(None)).expect("valid");
    let plan = &imported.plan;
    assert_eq!((plan.compounds.len(), plan.streets.len()), (144, 35));
    for c in &plan.compounds {
        let r = c.shape.wgs84.bounding_rect().expect("a polygon");
        assert!(
            r.min().x > 14.38 && r.max().x < 14.43 && r.min().y > 50.09 && r.max().y < 50.12,
            "{r:?}"
        );
    }
    let skipped: usize = imported.summary.layers.iter().map(|l| l.skipped).sum();
    assert_eq!(
        skipped,
        407 + 144,
        "plots and tessellation are skipped on purpose"
    );
}

/// A plan with its features sorted by id, written out: equal bytes mean equal plans.
fn canonical(mut plan: Plan) -> String {
    plan.works.sort_by(|a, b| a.id.cmp(&b.id));
    plan.compounds.sort_by(|a, b| a.id.cmp(&b.id));
    plan.streets.sort_by(|a, b| a.id.cmp(&b.id));
    String::from_utf8(to_bytes(&plan, &ExportOptions::default()).expect("export")).expect("utf-8")
}

fn example(name: &str) -> (PathBuf, String) {
    let path = root().join("examples").join(name);
    let plan = ingest(
        std::fs::File::open(&path).expect("example"),
        &IngestOptions::default(),
    )
    .expect("valid example");
    (path, canonical(plan))
}

fn round_trip(example_path: &Path, files: &[PathBuf]) -> String {
    let mapping = Mapping::preset("digonce").expect("preset");
    let settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(example_path).expect("example")).expect("json");
    let mut opts = options(None);
    opts.settings = settings["plan"].as_object().cloned().expect("plan member");
    let sources: Vec<Source> = files
        .iter()
        .map(|f| Source::from_path(f).expect("converted file"))
        .collect();
    let imported = import(&sources, &mapping, &opts).unwrap_or_else(|e| match e {
        ImportError::Invalid { failure } => panic!("{:#?}", failure.report.problems),
        other => panic!("{other}"),
    });
    canonical(imported.plan)
}

#[test]
fn example_plans_come_back_the_same_from_shapefile_geopackage_and_csv() {
    if !gdal("ogr2ogr") {
        return;
    }
    for name in ["minimal.geojson", "two-utilities-one-street.geojson"] {
        let (path, expected) = example(name);
        let dir = temp_dir(&format!("round-{}", name.replace('.', "-")));
        // Shapefiles hold one geometry type each: one file per type, merged on import.
        let mut shapefiles = Vec::new();
        for (file, types) in [
            (
                "lines.shp",
                "OGR_GEOMETRY='LINESTRING' OR OGR_GEOMETRY='MULTILINESTRING'",
            ),
            (
                "polygons.shp",
                "OGR_GEOMETRY='POLYGON' OR OGR_GEOMETRY='MULTIPOLYGON'",
            ),
            ("points.shp", "OGR_GEOMETRY='POINT'"),
            ("multipoints.shp", "OGR_GEOMETRY='MULTIPOINT'"),
        ] {
            let out = dir.join(file);
            run(Command::new("ogr2ogr")
                .args([
                    "-f",
                    "ESRI Shapefile",
                    "-mapFieldType",
                    "StringList=String",
                    "-where",
                    types,
                ])
                .arg(&out)
                .arg(&path));
            shapefiles.push(out);
        }
        assert_eq!(
            round_trip(&path, &shapefiles),
            expected,
            "{name} through Shapefiles"
        );
        let gpkg = dir.join("plan.gpkg");
        run(Command::new("ogr2ogr")
            .args(["-f", "GPKG", "-nlt", "GEOMETRY"])
            .arg(&gpkg)
            .arg(&path));
        assert_eq!(
            round_trip(&path, &[gpkg]),
            expected,
            "{name} through a GeoPackage"
        );
        let csv = dir.join("plan.csv");
        run(Command::new("ogr2ogr")
            .args(["-f", "CSV", "-lco", "GEOMETRY=AS_WKT"])
            .arg(&csv)
            .arg(&path));
        assert_eq!(round_trip(&path, &[csv]), expected, "{name} through a CSV");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn one_command_imports_and_the_schedule_opens_in_gdal_from_one_geopackage() {
    if !gdal("ogrinfo") {
        return;
    }
    let bin = digonce_tests::http::digonce_binary();
    let dir = temp_dir("to-gpkg");
    let settings = dir.join("settings.json");
    std::fs::write(&settings, r#"{"name": "西城试点", "start": "2027-03-01"}"#).expect("write");
    let plan = dir.join("plan.geojson");
    run(Command::new(&bin)
        .arg("import")
        .arg(fixture("管线普查.zip"))
        .arg(fixture("街道设计.dxf"))
        .arg(fixture("小区清单.csv"))
        .args(["--mapping", "cn-survey", "--crs", "epsg:4527", "--plan"])
        .arg(&settings)
        .arg("--out")
        .arg(&plan));
    let schedule = dir.join("schedule.json");
    let out = Command::new(&bin)
        .arg("plan")
        .arg(&plan)
        .args(["--time-limit", "1", "--out"])
        .arg(&schedule)
        .output()
        .expect("digonce plan runs");
    assert!(
        schedule.exists(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gpkg = dir.join("schedule.gpkg");
    run(Command::new(&bin)
        .arg("export")
        .arg(&plan)
        .arg(&schedule)
        .args(["--format", "gpkg", "--crs", "epsg:4527", "--out"])
        .arg(&gpkg));
    let listing = run(Command::new("ogrinfo").args(["-ro", "-so"]).arg(&gpkg));
    for layer in [
        "compounds",
        "works",
        "streets",
        "trenches",
        "crossings",
        "moratorium_conflicts",
    ] {
        assert!(
            listing.contains(&format!(": {layer} ")) || listing.contains(&format!(": {layer}\n")),
            "{layer}: {listing}"
        );
    }
    let works = run(Command::new("ogrinfo")
        .args(["-ro", "-so"])
        .arg(&gpkg)
        .arg("works"));
    assert!(works.contains("Feature Count: 10"), "{works}");
    assert!(
        works.contains("start: Date") && works.contains("end: Date"),
        "{works}"
    );
    assert!(works.contains("3-degree Gauss-Kruger zone 39"), "{works}");
    let _ = std::fs::remove_dir_all(&dir);
}
