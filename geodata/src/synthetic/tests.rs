//! The generator's promises: determinism, counts, valid geometry, references that
//! resolve, every kind of work present, reachable deadlines and protected streets.

use std::collections::BTreeSet;

use geo::{Distance, Euclidean, Geometry, Intersects, Length, LineString, Validation};

use super::{CityConfig, generate};
use crate::export::{ExportOptions, to_bytes};
use crate::plan::{Discipline, Duration, Paving, Plan, RenovationClass, Trade, Utility};

fn city(compounds: usize, seed: u64) -> Plan {
    generate(&CityConfig::new(compounds, seed))
}

fn bytes(plan: &Plan) -> Vec<u8> {
    to_bytes(plan, &ExportOptions::default()).expect("a generated city exports")
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    assert_eq!(bytes(&city(120, 7)), bytes(&city(120, 7)));
}

#[test]
fn different_seeds_give_different_cities() {
    assert_ne!(bytes(&city(120, 7)), bytes(&city(120, 8)));
}

#[test]
fn exactly_the_requested_number_of_compounds_with_about_ten_works_each() {
    for n in [1, 7, 150, 400] {
        let plan = city(n, 3);
        assert_eq!(plan.compounds.len(), n);
        if n >= 150 {
            #[expect(clippy::cast_precision_loss, reason = "small test counts")]
            let per = plan.works.len() as f64 / n as f64;
            assert!((8.0..=12.0).contains(&per), "{per} works per compound");
        }
    }
}

#[test]
fn ids_are_unique_and_references_resolve() {
    let plan = city(300, 11);
    let mut ids = BTreeSet::new();
    for id in plan
        .compounds
        .iter()
        .map(|c| &c.id)
        .chain(plan.works.iter().map(|w| &w.id))
        .chain(plan.streets.iter().map(|s| &s.id))
    {
        assert!(ids.insert(id.clone()), "duplicate id {id}");
    }
    let compounds: BTreeSet<&str> = plan.compounds.iter().map(|c| c.id.as_str()).collect();
    for w in &plan.works {
        if let Some(c) = &w.compound {
            assert!(compounds.contains(c.as_str()), "{} -> {c}", w.id);
        }
    }
}

#[test]
fn every_class_utility_trade_and_district_is_present() {
    let plan = city(300, 5);
    let classes: BTreeSet<RenovationClass> = plan.compounds.iter().map(|c| c.class).collect();
    assert_eq!(classes.len(), 4, "{classes:?}");
    let disciplines: BTreeSet<Discipline> = plan.works.iter().map(|w| w.discipline).collect();
    for u in Utility::ALL {
        assert!(disciplines.contains(&Discipline::Utility(u)), "{u:?}");
    }
    for t in [
        Trade::Roofing,
        Trade::FacadeInsulation,
        Trade::Greening,
        Trade::Paving,
        Trade::CleanHeating,
    ] {
        assert!(disciplines.contains(&Discipline::Trade(t)), "{t:?}");
    }
    let districts: BTreeSet<&str> = plan.compounds.iter().map(|c| c.district.as_str()).collect();
    assert_eq!(
        districts.len(),
        CityConfig::DEFAULT_DISTRICTS,
        "{districts:?}"
    );
    let conversions: BTreeSet<_> = plan
        .works
        .iter()
        .filter_map(|w| w.conversion.map(|c| format!("{c:?}")))
        .collect();
    assert_eq!(conversions.len(), 2);
    assert!(
        plan.works
            .iter()
            .all(|w| (w.discipline == Discipline::Trade(Trade::CleanHeating))
                == (w.conversion.is_some() && w.households.is_some() && w.compound.is_some()))
    );
}

#[test]
fn compounds_are_simple_polygons_that_never_overlap() {
    let plan = city(200, 9);
    for c in &plan.compounds {
        assert!(c.shape.local.is_valid(), "{} local", c.id);
        assert!(c.shape.wgs84.is_valid(), "{} wgs84", c.id);
    }
    for (k, a) in plan.compounds.iter().enumerate() {
        for b in &plan.compounds[k + 1..] {
            assert!(
                !a.shape.local.intersects(&b.shape.local),
                "{} overlaps {}",
                a.id,
                b.id
            );
        }
    }
}

#[test]
fn lines_have_length_and_site_works_lie_in_their_compound() {
    let plan = city(200, 13);
    for w in &plan.works {
        assert!(w.shape.local.is_valid(), "{}", w.id);
        if let Geometry::LineString(ls) = &w.shape.local {
            assert!(Euclidean.length(ls) > 1.0, "{} is degenerate", w.id);
        }
        if let (Discipline::Trade(_), Some(c)) = (w.discipline, &w.compound) {
            let compound = plan
                .compounds
                .iter()
                .find(|x| &x.id == c)
                .expect("reference resolves");
            assert!(
                compound.shape.local.intersects(&w.shape.local),
                "{} outside {c}",
                w.id
            );
        }
    }
}

#[test]
fn some_works_of_different_utilities_run_within_the_sharing_distance() {
    let plan = city(60, 21);
    let lines: Vec<(Utility, &LineString<f64>)> = plan
        .works
        .iter()
        .filter_map(|w| match (w.discipline, &w.shape.local) {
            (Discipline::Utility(u), Geometry::LineString(ls)) if w.compound.is_none() => {
                Some((u, ls))
            }
            _ => None,
        })
        .collect();
    let mut sharing = 0;
    let mut apart = 0;
    for (k, (ua, a)) in lines.iter().enumerate() {
        for (ub, b) in &lines[k + 1..] {
            if ua == ub {
                continue;
            }
            // Brute force: metres of `a` (sampled every 2 m) within 3 m of `b`.
            let dense = geo::Densify::densify(&Euclidean, *a, 2.0);
            let close = dense
                .points()
                .filter(|p| Euclidean.distance(p, *b) <= 3.0)
                .count();
            if close * 2 >= 20 {
                sharing += 1;
            } else if Euclidean.distance(*a, *b) > 5.0 && Euclidean.distance(*a, *b) < 20.0 {
                apart += 1;
            }
        }
    }
    assert!(sharing >= 10, "only {sharing} sharing pairs");
    assert!(apart >= 10, "only {apart} pairs just out of reach");
}

#[test]
fn deadlines_never_precede_earliest_dates_and_some_are_tight_but_reachable() {
    let plan = city(400, 4);
    let mut tight = 0;
    for w in &plan.works {
        if let (Some(e), Some(d)) = (w.earliest, w.deadline) {
            assert!(d >= e, "{}: {d} before {e}", w.id);
        }
        if let (Duration::MetresPerDay(rate), Some(d), Geometry::LineString(ls)) =
            (w.duration, w.deadline, &w.shape.local)
        {
            let days = Euclidean.length(ls) / rate;
            let from = w.earliest.unwrap_or(plan.settings.start);
            #[expect(clippy::cast_precision_loss, reason = "day counts")]
            let window = (d - from).num_days() as f64;
            // Tight: at most three weeks beyond the whole excavation (laying on
            // working days plus three weeks of digging, testing and restoring).
            let chain = days * 1.4 + 21.0;
            assert!(
                window >= chain,
                "{}: {window} days for a {chain}-day chain",
                w.id
            );
            if window < chain + 21.0 {
                tight += 1;
            }
        }
    }
    assert!(tight > 0, "no tight deadline");
    for c in &plan.compounds {
        if let Some(s) = c.start_by {
            assert!(c.finish_by > s, "{}", c.id);
        }
    }
}

#[test]
fn some_streets_are_under_a_moratorium_and_some_have_an_exception() {
    let plan = city(400, 6);
    let recent = plan
        .streets
        .iter()
        .filter(|s| {
            s.paved_on
                .is_some_and(|d| (plan.settings.start - d).num_days() < 5 * 365)
                && matches!(
                    s.paving,
                    Some(Paving::New | Paving::Rebuilt | Paving::MajorRepair)
                )
        })
        .count();
    assert!(recent > 0);
    assert!(plan.streets.iter().any(|s| s.cut_exception));
    assert!(
        plan.streets
            .iter()
            .all(|s| s.paved_on.is_some() == s.paving.is_some())
    );
}

#[test]
fn settings_name_crews_for_every_discipline_and_limits_for_every_district() {
    let plan = city(300, 2);
    let s = &plan.settings;
    for w in &plan.works {
        assert!(
            s.crews.contains_key(w.discipline.as_str()),
            "{:?}",
            w.discipline
        );
    }
    for c in &plan.compounds {
        assert!(
            s.district_limits.contains_key(&c.district),
            "{}",
            c.district
        );
    }
    assert!(s.crews.values().all(|&n| n >= 1));
    assert!(!s.calendars.holidays.is_empty());
}

#[test]
fn the_city_sits_around_the_requested_centre() {
    let plan = city(200, 1);
    let c = plan.compounds[0].shape.wgs84.clone();
    let Geometry::Polygon(p) = c else {
        panic!("compounds are polygons");
    };
    let first = p.exterior().0[0];
    assert!(
        (first.x - 116.4).abs() < 0.1 && (first.y - 39.91).abs() < 0.1,
        "{first:?}"
    );
}

#[test]
fn every_work_and_compound_has_a_cost_and_every_district_funds_partly_disbursed() {
    let plan = city(40, 5);
    assert!(
        plan.works
            .iter()
            .all(|w| w.investment_cny.is_some_and(|v| v >= 1_000.0))
    );
    assert!(plan.compounds.iter().all(|c| c.investment_cny.is_some()));
    let districts: std::collections::BTreeSet<&str> =
        plan.compounds.iter().map(|c| c.district.as_str()).collect();
    for d in &districts {
        let funds: Vec<_> = plan
            .settings
            .funds
            .iter()
            .filter(|f| f.district == *d)
            .collect();
        assert_eq!(funds.len(), 6, "{d}: one fund per source");
        let allocated: f64 = funds.iter().map(|f| f.allocated_cny).sum();
        let disbursed: f64 = funds.iter().map(|f| f.disbursed_cny).sum();
        assert!(disbursed < allocated && disbursed > 0.3 * allocated, "{d}");
    }
    // The money survives writing and reading the plan.
    let again = crate::ingest::ingest(
        bytes(&plan).as_slice(),
        &crate::ingest::IngestOptions::default(),
    )
    .expect("a generated city is valid");
    assert_eq!(again.settings.funds, plan.settings.funds);
    assert_eq!(again.works[3].investment_cny, plan.works[3].investment_cny);
}

fn with_villages(compounds: usize, villages: usize, seed: u64) -> Plan {
    generate(&CityConfig {
        villages,
        ..CityConfig::new(compounds, seed)
    })
}

#[test]
fn villages_leave_the_city_alone_and_come_with_substations_and_gas_mains() {
    let city = city(150, 5);
    let plan = with_villages(150, 120, 5);
    assert_eq!(bytes(&with_villages(150, 120, 5)), bytes(&plan));
    assert_eq!(plan.works.len(), city.works.len());
    assert_eq!(plan.compounds.len(), city.compounds.len());
    let h = &plan.heating;
    assert_eq!(h.villages.len(), 120);
    assert_eq!(
        h.substations.len(),
        10,
        "about twelve villages per substation"
    );
    assert!((3..=16).contains(&h.gas_mains.len()));
    let districts: BTreeSet<&str> = plan.compounds.iter().map(|c| c.district.as_str()).collect();
    assert!(
        h.villages
            .iter()
            .all(|v| districts.contains(v.district.as_str()))
    );
    let households: Vec<u32> = h.villages.iter().map(|v| v.households).collect();
    assert!(households.iter().all(|n| (40..=1_500).contains(n)));
    assert!(households.iter().any(|&n| n < 200) && households.iter().any(|&n| n > 350));
    assert!(
        h.villages
            .iter()
            .any(|v| matches!(v.shape.local, Geometry::Polygon(_)))
    );
    assert!(
        h.villages
            .iter()
            .any(|v| matches!(v.shape.local, Geometry::Point(_)))
    );
    // Some villages lie near a main, some far beyond a gas route's reach.
    let economics = crate::heating::evaluate_inputs(h, 200);
    let distances: Vec<f64> = economics
        .iter()
        .filter_map(|e| e.access.gas_main.map(|a| a.distance_m))
        .collect();
    assert_eq!(distances.len(), 120);
    assert!(distances.iter().any(|&d| d < 1_000.0), "{distances:?}");
    assert!(distances.iter().any(|&d| d > 2_000.0), "{distances:?}");
    assert!(h.substations.iter().any(|s| s.spare_kva < 300.0));
    assert!(h.substations.iter().any(|s| s.spare_kva > 1_000.0));
    // The villages survive writing and reading the plan.
    let again = crate::ingest::ingest(
        bytes(&plan).as_slice(),
        &crate::ingest::IngestOptions::default(),
    )
    .expect("a generated city with villages is valid");
    assert_eq!(again.heating.villages.len(), 120);
    assert_eq!(again.heating.substations.len(), 10);
    assert_eq!(again.heating.gas_mains.len(), h.gas_mains.len());
    assert_eq!(
        again.heating.villages[7].households,
        h.villages[7].households
    );
    assert_eq!(
        again.heating.villages[7].affordability,
        h.villages[7].affordability
    );
}

#[test]
fn a_catalogue_that_is_not_the_default_is_written_and_read_back() {
    let mut plan = with_villages(20, 5, 1);
    plan.heating
        .catalogue
        .spec_mut(crate::heating::Route::LpgBoiler)
        .install_cny = 4_321.0;
    plan.heating.catalogue.prices.gas_cny_per_m3 = 3.1;
    let again = crate::ingest::ingest(
        bytes(&plan).as_slice(),
        &crate::ingest::IngestOptions::default(),
    )
    .expect("valid");
    assert_eq!(again.heating.catalogue, plan.heating.catalogue);
}
