//! The overlay builder on a generated city, with a hand-made schedule whose dates are known.

use chrono::{Days, NaiveDate};
use geodata::analysis::{Analysis, AnalysisOptions, analyze};
use geodata::plan::Plan;
use geodata::synthetic::{CityConfig, generate};

use super::*;
use optimizer::city::document::{
    ActivityKind, PlanRef, ScheduledActivity, SharedTrench, Subject, Summary,
};

fn city() -> (Plan, Analysis) {
    let plan = generate(&CityConfig::new(8, 3));
    let analysis = analyze(&plan, &AnalysisOptions::default()).expect("analysis");
    (plan, analysis)
}

/// Work `i` is dug on days `start + 2i ..= start + 2i + 3`; every activity names its
/// compound and trench, as the engine's do.
fn schedule(plan: &Plan, analysis: &Analysis) -> ScheduleDocument {
    let start = plan.settings.start;
    let trench_of = |w: &str| {
        analysis
            .trenches
            .iter()
            .find(|t| t.works.iter().any(|x| x == w))
            .map(|t| t.id.clone())
    };
    let activities = plan
        .works
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let first = start + Days::new(2 * i as u64);
            ScheduledActivity {
                id: format!("{}/lay", w.id),
                kind: ActivityKind::Lay,
                subject: Subject::Work(w.id.clone()),
                works: vec![w.id.clone()],
                owners: vec![w.owner.clone()],
                discipline: w.discipline,
                trench: trench_of(&w.id),
                compound: w.compound.clone(),
                district: None,
                start: first,
                end: first + Days::new(3),
                crew: None,
            }
        })
        .collect();
    ScheduleDocument {
        plan: PlanRef {
            name: plan.settings.name.clone(),
            start,
        },
        activities,
        trenches: analysis
            .trenches
            .iter()
            .map(|t| SharedTrench {
                id: t.id.clone(),
                works: t.works.clone(),
                utilities: t.utilities.iter().map(|u| u.as_str().to_owned()).collect(),
                owners: Vec::new(),
                length_m: t.length_m,
                excavations_saved: t.works.len() - 1,
            })
            .collect(),
        deadlines: Vec::new(),
        beyond_horizon: Vec::new(),
        advice: optimizer::city::document::Advice::default(),
        summary: Summary::default(),
        replan: None,
    }
}

fn build(plan: &Plan, analysis: &Analysis, doc: Option<&ScheduleDocument>) -> Overlay {
    Overlay::build(&OverlaySource {
        plan_id: "p_test",
        plan_version: 1,
        plan,
        analysis,
        schedule: doc.map(|d| ("s_test", d)),
    })
    .expect("overlay")
}

fn count(overlay: &Overlay, kind: Kind) -> usize {
    overlay.features.iter().filter(|f| f.kind == kind).count()
}

#[test]
fn every_plan_and_analysis_item_becomes_one_feature_of_its_kind() {
    let (plan, analysis) = city();
    let overlay = build(&plan, &analysis, None);
    assert_eq!(count(&overlay, Kind::Compound), plan.compounds.len());
    assert_eq!(count(&overlay, Kind::Work), plan.works.len());
    assert_eq!(count(&overlay, Kind::Street), plan.streets.len());
    assert_eq!(count(&overlay, Kind::Trench), analysis.trenches.len());
    assert_eq!(count(&overlay, Kind::Crossing), analysis.crossings.len());
    assert_eq!(
        count(&overlay, Kind::MoratoriumConflict),
        analysis.moratorium_conflicts.len()
    );
    assert!(
        count(&overlay, Kind::Trench) > 0,
        "the city shares trenches"
    );
}

#[test]
fn works_carry_the_schedule_dates_and_a_status_on_the_asked_day() {
    let (plan, analysis) = city();
    let doc = schedule(&plan, &analysis);
    let overlay = build(&plan, &analysis, Some(&doc));
    let start = plan.settings.start;
    let first = &overlay.features[plan.compounds.len()];
    assert_eq!(first.kind, Kind::Work);
    assert_eq!(first.start, Some(start));
    assert_eq!(first.end, Some(start + Days::new(3)));
    assert_eq!(first.status(start - Days::new(1)), Some(Status::Planned));
    assert_eq!(first.status(start + Days::new(3)), Some(Status::InProgress));
    assert_eq!(first.status(start + Days::new(4)), Some(Status::Done));
    let json = first.to_geojson(start + Days::new(1), OutputCrs::Wgs84, false);
    assert_eq!(json["properties"]["kind"], "work");
    assert_eq!(json["properties"]["status"], "in_progress");
    assert_eq!(json["properties"]["start"], start.to_string());
    assert!(
        json["properties"]["color"]
            .as_str()
            .is_some_and(|c| c.starts_with('#'))
    );
    assert!(json.get("id").is_none());
    assert_eq!(overlay.meta.start, start);
    let last = start + Days::new(2 * (plan.works.len() as u64 - 1) + 3);
    assert_eq!(overlay.meta.end, last);
    assert_eq!(overlay.meta.schedule_id.as_deref(), Some("s_test"));
}

#[test]
fn a_compound_spans_its_works_and_a_trench_names_its_partners() {
    let (plan, analysis) = city();
    let doc = schedule(&plan, &analysis);
    let overlay = build(&plan, &analysis, Some(&doc));
    let compound = overlay
        .features
        .iter()
        .find(|f| f.kind == Kind::Compound && f.start.is_some())
        .expect("a compound with works");
    let works: Vec<&OverlayFeature> = overlay
        .features
        .iter()
        .filter(|f| f.kind == Kind::Work && f.properties["compound"] == compound.id.as_str())
        .collect();
    assert_eq!(compound.start, works.iter().filter_map(|w| w.start).min());
    assert_eq!(compound.end, works.iter().filter_map(|w| w.end).max());

    let trench = overlay
        .features
        .iter()
        .find(|f| f.kind == Kind::Trench)
        .expect("a trench");
    let members = trench.properties["works"].as_array().expect("works");
    let member = overlay
        .features
        .iter()
        .find(|f| f.kind == Kind::Work && members.iter().any(|m| m == f.id.as_str()))
        .expect("a member work");
    assert_eq!(member.properties["trench"], trench.id.as_str());
    let owners = trench.properties["owners"].as_array().expect("owners");
    let partners = member.properties["partners"].as_array().expect("partners");
    assert!(!partners.contains(&member.properties["owner"]));
    assert_eq!(partners.len() + 1, owners.len());
    assert_eq!(trench.properties["color"], colors::TRENCH);
}

#[test]
fn without_a_schedule_everything_is_unscheduled_or_late_within_the_plan_horizon() {
    let (plan, analysis) = city();
    let overlay = build(&plan, &analysis, None);
    let start = plan.settings.start;
    assert_eq!(overlay.meta.start, start);
    assert_eq!(
        overlay.meta.end,
        start + Days::new(u64::from(plan.settings.horizon_days))
    );
    assert_eq!(overlay.meta.schedule_id, None);
    for f in overlay.features.iter().filter(|f| f.kind.is_timed()) {
        assert_eq!(f.start, None);
        assert_eq!(f.status(start), Some(Status::Unscheduled), "{}", f.id);
    }
    let json = overlay.to_geojson(&filter::Filter::on(start), OutputCrs::Wgs84);
    assert_eq!(json["overlay"]["schedule_id"], Value::Null);
    assert_eq!(
        json["features"].as_array().map(Vec::len),
        Some(overlay.features.len())
    );
    let street = json["features"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["properties"]["kind"] == "street"))
        .expect("a street");
    assert!(street["properties"].get("moratorium_until").is_some());
    assert!(
        street["properties"].get("status").is_none(),
        "streets have no time status"
    );
}

#[test]
fn a_datetime_filter_keeps_only_the_features_worked_on_then() {
    let (plan, analysis) = city();
    let doc = schedule(&plan, &analysis);
    let overlay = build(&plan, &analysis, Some(&doc));
    let day: NaiveDate = plan.settings.start + Days::new(10);
    let filter = filter::Filter::parse(None, Some(&day.to_string()), day).expect("filter");
    let json = overlay.to_geojson(&filter, OutputCrs::Wgs84);
    let features = json["features"].as_array().expect("features");
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["properties"]["status"], "in_progress", "{f}");
    }
    let works = features
        .iter()
        .filter(|f| f["properties"]["kind"] == "work")
        .count();
    // Works 4 and 5 start on days 8 and 10 and run four days: both cover day 10.
    assert_eq!(works, 2);
}

#[test]
fn the_meta_lists_districts_utilities_and_owners_once_each() {
    let (plan, analysis) = city();
    let overlay = build(&plan, &analysis, None);
    let mut owners: Vec<&str> = plan.works.iter().map(|w| w.owner.as_str()).collect();
    owners.sort_unstable();
    owners.dedup();
    assert_eq!(overlay.meta.owners, owners);
    assert!(!overlay.meta.districts.is_empty());
    let mut sorted = overlay.meta.districts.clone();
    sorted.dedup();
    assert_eq!(sorted, overlay.meta.districts);
    assert!(overlay.meta.utilities.iter().any(|u| u == "water"));
    assert_eq!(overlay.extent(None).map(|b| b[0] < b[2]), Some(true));
}
