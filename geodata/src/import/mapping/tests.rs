//! Tests of mapping files: parsing, checking and applying rules.

use super::*;
use crate::import::layer::{DeclaredCrs, FieldValue, SourceFeature, SourceLayer};

#[test]
fn the_presets_parse() {
    for name in Mapping::preset_names() {
        let mapping = Mapping::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(mapping.name, name);
        assert!(!mapping.layers.is_empty());
        assert!(Mapping::preset_text(name).is_some());
    }
    assert!(matches!(
        Mapping::preset("nope"),
        Err(MappingError::UnknownPreset { .. })
    ));
}

fn rule_error(text: &str) -> String {
    match Mapping::parse(text) {
        Err(e @ MappingError::Rule { .. }) => e.to_string(),
        other => panic!("expected a rule error, got {other:?}"),
    }
}

#[test]
fn a_typo_an_unknown_table_or_a_misplaced_unit_is_refused_with_its_place() {
    let typo = rule_error("[[layers]]\nkind = \"work\"\n[work]\ndiamter_mm = \"管径\"\n");
    assert!(
        typo.contains("work.diamter_mm") && typo.contains("diameter_mm"),
        "{typo}"
    );
    let table = rule_error("[work]\nutility = { from = \"类型\", values = \"utilities\" }\n");
    assert!(table.contains("[values.utilities]"), "{table}");
    let unit = rule_error("[work]\nowner = { from = \"权属\", unit = \"mm\" }\n");
    assert!(unit.contains("unit"), "{unit}");
    let kind = rule_error("[[layers]]\nkind = \"pipe\"\n");
    assert!(
        kind.contains("layers[0]") && kind.contains("pipe"),
        "{kind}"
    );
    let empty = rule_error("[street]\nname = { unit = \"m\" }\n");
    assert!(empty.contains("street.name"), "{empty}");
    let later = rule_error(
        "[work]\nowner = { from = \"$utility\" }\nutility = \"x\"\naction = { from = \"$owner\" }\n",
    );
    assert!(
        later.contains("work.action") && later.contains("\"owner\""),
        "{later}"
    );
    assert!(matches!(
        Mapping::parse("[[layers]]\nkind = 3\n"),
        Err(MappingError::Shape { .. })
    ));
    assert!(matches!(
        Mapping::parse("layers = ["),
        Err(MappingError::Toml { .. })
    ));
    assert!(matches!(
        Mapping::parse("{\"layers\": }"),
        Err(MappingError::Json { .. })
    ));
}

#[test]
fn json_mappings_and_toml_dates_in_the_plan_table_are_read() {
    let toml = Mapping::parse("[plan]\nname = \"x\"\nstart = 2027-03-01\n").expect("toml");
    assert_eq!(toml.plan["start"], "2027-03-01");
    let json = Mapping::parse(r#"{"encoding": "gbk", "layers": [{"kind": "street", "properties": {"name": {"default": "{layer} {n}"}}}]}"#)
        .expect("json");
    assert_eq!(json.encoding, encoding_rs::GBK);
    assert_eq!(
        json.layers[0].kind,
        KindRule::Fixed(Some(target::FeatureKind::Street))
    );
}

fn layer(name: &str, fields: &[&str]) -> SourceLayer {
    SourceLayer::new(
        name,
        fields.iter().map(|f| (*f).to_owned()).collect(),
        DeclaredCrs::Undeclared,
    )
}

#[test]
fn rules_take_layers_by_code_field_format_and_pattern() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let label =
        |l: &SourceLayer, format: &str| mapping.rule_for(l, format).map(|r| r.label.clone());
    assert!(label(&layer("RQ_中压", &[]), "dxf").is_some_and(|l| l.contains("CJJ 61")));
    assert!(label(&layer("给水管线", &[]), "shapefile").is_some_and(|l| l.contains("CJJ 61")));
    assert_eq!(label(&layer("TK", &[]), "dxf"), None);
    assert_eq!(
        label(&layer("GY", &[]), "dxf"),
        None,
        "a code mapped to (skip) takes no layer"
    );
    assert!(
        label(&layer("pipes", &["管线类型"]), "geopackage").is_some_and(|l| l.contains("field"))
    );
    assert!(label(&layer("清单", &["小区名称"]), "csv").is_some_and(|l| l.contains("compound")));
    assert!(label(&layer("XX道路中心线", &[]), "dxf").is_some_and(|l| l.contains("street")));
    let only_dxf =
        Mapping::parse("[[layers]]\nformats = \"dxf\"\nlayers = \"J?\"\nkind = \"skip\"\n")
            .expect("valid");
    assert!(only_dxf.rule_for(&layer("JS", &[]), "dxf").is_some());
    assert!(only_dxf.rule_for(&layer("JS", &[]), "csv").is_none());
    assert!(only_dxf.rule_for(&layer("JSX", &[]), "dxf").is_none());
    assert!(glob_matches("*道路*", "新建道路红线"));
    assert!(!glob_matches("JS", "JS1"));
}

#[test]
fn a_record_gets_values_fallbacks_defaults_and_conditions() {
    let mapping = Mapping::preset("cn-survey").expect("preset");
    let mut pipes = layer("管线", &["管线类型", "管径", "压力", "工期"]);
    let record = |values: [Option<&str>; 4]| SourceFeature {
        number: 7,
        values: values
            .iter()
            .map(|v| v.map(|t| FieldValue::Text(t.to_owned())))
            .collect(),
        geometry: None,
        geometry_problem: None,
    };
    pipes
        .features
        .push(record([Some("燃气"), Some("DN200"), Some("中压 A"), None]));
    pipes
        .features
        .push(record([Some("给水"), None, Some("低压"), Some("12")]));
    pipes
        .features
        .push(record([Some("工业"), None, None, None]));
    pipes
        .features
        .push(record([Some("其他"), None, None, None]));
    let rule = mapping.rule_for(&pipes, "shapefile").expect("a rule");
    let apply = |i: usize| {
        rule.apply(&RecordContext {
            layer: &pipes,
            source_stem: "survey",
            feature: &pipes.features[i],
        })
    };
    let gas = apply(0);
    assert_eq!(gas.properties["utility"], "gas");
    assert_eq!(gas.properties["pressure"], "medium_a");
    assert_eq!(gas.properties["diameter_mm"], 200);
    assert_eq!(gas.properties["productivity_m_per_day"], 35);
    assert_eq!(gas.properties["id"], "管线-7");
    assert!(gas.defaulted.contains(&"owner".to_owned()));
    assert!(
        gas.fields
            .contains(&("diameter_mm".into(), "管径".into(), "DN200".into()))
    );
    let water = apply(1);
    assert!(
        !water.properties.contains_key("pressure"),
        "pressure only on gas works"
    );
    assert_eq!(water.properties["duration_days"], 12);
    assert!(
        !water.properties.contains_key("productivity_m_per_day"),
        "a duration turns the productivity off"
    );
    assert_eq!(apply(2).skipped_by, Some(("utility".into(), "工业".into())));
    let unknown = apply(3);
    assert_eq!(unknown.problems.len(), 1);
    assert_eq!(
        unknown.problems[0].code,
        crate::validation::IssueCode::UnmappedValue
    );
    assert_eq!(unknown.problems[0].field, "管线类型");
    assert_eq!(unknown.problems[0].value, "其他");
}
