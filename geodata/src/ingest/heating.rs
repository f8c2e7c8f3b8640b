//! Clean-heating features (`village`, `substation`, `gas_main`) and the route catalogue
//! in `"plan": {"heating": {...}}`, read into [`crate::heating`].

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::feature::{Item, unprojected};
use super::geometry::{GeometryReader, GeometryType};
use super::pointer::Sink;
use super::reader::{Fields, Lower};
use crate::heating::catalogue::{Catalogue, Route, RouteSpec, SubsidyBudget, SubsidyRule};
use crate::heating::model::{Affordability, CurrentFuel, GasMain, Substation, Village};
use crate::validation::{Issue, IssueCode};

const VILLAGE_PROPERTIES: &[&str] = &[
    "kind",
    "id",
    "name",
    "district",
    "households",
    "heated_area_m2",
    "current_fuel",
    "current_use_t",
    "affordable_cny_per_year",
    "income_cny_per_year",
    "affordable_income_share",
    "roof_area_m2",
    "substation",
];
const SUBSTATION_PROPERTIES: &[&str] = &["kind", "id", "name", "spare_kva", "upgradable_kva"];
const GAS_MAIN_PROPERTIES: &[&str] = &["kind", "id", "name", "owner", "pressure", "diameter_mm"];

const VILLAGE_GEOMETRY: &[GeometryType] = &[GeometryType::Point, GeometryType::Polygon];
const POINT: &[GeometryType] = &[GeometryType::Point];
const LINES: &[GeometryType] = &[GeometryType::LineString, GeometryType::MultiLineString];

/// The largest money amount in the catalogue, yuan.
const MAX_CNY: f64 = 1.0e12;

/// Reads a village; its `substation` reference is returned for the check at the end.
pub(super) fn village(
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> (Option<Item>, Option<String>) {
    let sink = &mut *geometry.sink;
    fields.reject_unknown(sink, VILLAGE_PROPERTIES, "a village");
    let name = fields.string(sink, "name", false);
    let district = fields.string(sink, "district", true);
    let households = fields.count(sink, "households", true, 0..=Village::MAX_HOUSEHOLDS);
    let area = fields.number(
        sink,
        "heated_area_m2",
        true,
        Lower::Positive,
        Village::MAX_AREA_M2,
    );
    let fuel: Option<CurrentFuel> = fields.choice(
        sink,
        "current_fuel",
        true,
        IssueCode::UnknownValue,
        &CurrentFuel::NAMES,
    );
    let use_t = fields.number(
        sink,
        "current_use_t",
        true,
        Lower::NonNegative,
        Village::MAX_USE_T,
    );
    let affordability = affordability(fields, sink);
    let roof = fields.number(
        sink,
        "roof_area_m2",
        false,
        Lower::NonNegative,
        Village::MAX_AREA_M2,
    );
    let substation = fields.string(sink, "substation", false);
    let shape = geometry.read(
        geometry_value,
        geometry_pointer,
        VILLAGE_GEOMETRY,
        "a village",
    );
    let item = (|| {
        let id = fields.get("id")?.as_str()?.to_owned();
        Some(Item::Village(Village {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            district: district?,
            households: households?,
            heated_area_m2: area?,
            current_fuel: fuel?,
            current_use_t: use_t?,
            affordability: affordability?,
            roof_area_m2: roof,
            substation: substation.clone(),
            shape: unprojected(shape?),
        }))
    })();
    (item, substation)
}

/// Exactly one of `affordable_cny_per_year` or the pair income and share.
fn affordability(fields: &Fields<'_>, sink: &mut Sink) -> Option<Affordability> {
    let by_income = fields.has("income_cny_per_year") || fields.has("affordable_income_share");
    match (fields.has("affordable_cny_per_year"), by_income) {
        (true, true) => {
            sink.push(
                IssueCode::ConflictingProperties,
                fields.pointer("affordable_cny_per_year"),
                "Give either `affordable_cny_per_year` or `income_cny_per_year` with \
                 `affordable_income_share`, not both.",
            );
            None
        }
        (false, false) => {
            sink.push(
                IssueCode::MissingProperty,
                fields.pointer("affordable_cny_per_year"),
                "A village needs `affordable_cny_per_year` (the yearly heating spend a household \
                 can bear) or `income_cny_per_year` with `affordable_income_share`.",
            );
            None
        }
        (true, false) => fields
            .number(
                sink,
                "affordable_cny_per_year",
                true,
                Lower::NonNegative,
                Village::MAX_CNY,
            )
            .map(Affordability::CnyPerYear),
        (false, true) => {
            let income = fields.number(
                sink,
                "income_cny_per_year",
                true,
                Lower::NonNegative,
                Village::MAX_CNY,
            );
            let share = fields.number(
                sink,
                "affordable_income_share",
                true,
                Lower::NonNegative,
                1.0,
            );
            Some(Affordability::IncomeShare {
                income_cny: income?,
                share: share?,
            })
        }
    }
}

/// Reads a substation.
pub(super) fn substation(
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> Option<Item> {
    let sink = &mut *geometry.sink;
    fields.reject_unknown(sink, SUBSTATION_PROPERTIES, "a substation");
    fields.string(sink, "name", false);
    let spare = fields.number(
        sink,
        "spare_kva",
        true,
        Lower::NonNegative,
        Substation::MAX_KVA,
    );
    let upgradable = fields
        .number(
            sink,
            "upgradable_kva",
            false,
            Lower::NonNegative,
            Substation::MAX_KVA,
        )
        .unwrap_or(0.0);
    let shape = geometry.read(geometry_value, geometry_pointer, POINT, "a substation");
    Some(Item::Substation(Substation {
        id: fields.get("id")?.as_str()?.to_owned(),
        spare_kva: spare?,
        upgradable_kva: upgradable,
        shape: unprojected(shape?),
    }))
}

/// Reads an existing gas main.
pub(super) fn gas_main(
    fields: &Fields<'_>,
    geometry_value: Option<&Value>,
    geometry_pointer: &str,
    geometry: &mut GeometryReader<'_>,
) -> Option<Item> {
    let sink = &mut *geometry.sink;
    fields.reject_unknown(sink, GAS_MAIN_PROPERTIES, "a gas main");
    fields.string(sink, "name", false);
    fields.string(sink, "owner", false);
    fields.string(sink, "pressure", false);
    fields.number(sink, "diameter_mm", false, Lower::Positive, 5_000.0);
    let shape = geometry.read(geometry_value, geometry_pointer, LINES, "a gas main");
    Some(Item::GasMain(GasMain {
        id: fields.get("id")?.as_str()?.to_owned(),
        shape: unprojected(shape?),
    }))
}

const HEATING_MEMBERS: &[&str] = &[
    "discount_rate",
    "appraisal_years",
    "gas_supply_m3",
    "transformer_upgrade_cny_per_kva",
    "power_factor",
    "prices",
    "routes",
    "subsidy_budgets",
];

const PRICE_MEMBERS: &[&str] = &[
    "electricity_cny_per_kwh",
    "electricity_off_peak_cny_per_kwh",
    "gas_cny_per_m3",
    "lpg_cny_per_kg",
    "pellet_cny_per_kg",
    "coal_cny_per_t",
    "briquette_cny_per_t",
    "firewood_cny_per_t",
    "pv_feed_in_cny_per_kwh",
    "pv_yield_kwh_per_kwp",
];

const ROUTE_MEMBERS: &[&str] = &[
    "available",
    "install_cny",
    "subsidies",
    "operating_subsidy_cny_per_unit",
    "operating_subsidy_cap_units",
    "heat_kwh_per_m2",
    "efficiency",
    "solar_fraction",
    "off_peak_share",
    "lifetime_years",
    "maintenance_cny",
    "gas_main_within_m",
    "connection_cny_per_m",
    "kw_per_household",
    "roof_m2_per_household",
    "pv_kwp",
    "build_days",
];

/// Overwrites `target` with member `key` when it is present and valid.
fn set(fields: &Fields<'_>, sink: &mut Sink, key: &str, lower: Lower, max: f64, target: &mut f64) {
    if let Some(v) = fields.number(sink, key, false, lower, max) {
        *target = v;
    }
}

/// Reads `"plan": {"heating": ...}` over the built-in defaults.
pub(super) fn catalogue(plan: Option<&Value>, sink: &mut Sink) -> Catalogue {
    let mut catalogue = Catalogue::default();
    let Some(Value::Object(plan)) = plan else {
        return catalogue;
    };
    let plan_fields = Fields::new(plan, "/plan");
    let Some(map) = plan_fields.object(sink, "heating", false) else {
        return catalogue;
    };
    let fields = Fields::new(map, "/plan/heating");
    fields.reject_unknown(sink, HEATING_MEMBERS, "the heating settings");
    set(
        &fields,
        sink,
        "discount_rate",
        Lower::NonNegative,
        1.0,
        &mut catalogue.discount_rate,
    );
    if let Some(years) = fields.count(sink, "appraisal_years", false, 1..=100) {
        catalogue.appraisal_years = years;
    }
    catalogue.gas_supply_m3 =
        fields.number(sink, "gas_supply_m3", false, Lower::NonNegative, MAX_CNY);
    set(
        &fields,
        sink,
        "transformer_upgrade_cny_per_kva",
        Lower::NonNegative,
        MAX_CNY,
        &mut catalogue.transformer_upgrade_cny_per_kva,
    );
    set(
        &fields,
        sink,
        "power_factor",
        Lower::Positive,
        1.0,
        &mut catalogue.power_factor,
    );
    if let Some(m) = fields.object(sink, "prices", false) {
        let pointer = fields.pointer("prices");
        let f = Fields::new(m, &pointer);
        f.reject_unknown(sink, PRICE_MEMBERS, "the heating prices");
        let p = &mut catalogue.prices;
        let targets: [(&str, &mut f64); 10] = [
            ("electricity_cny_per_kwh", &mut p.electricity_cny_per_kwh),
            (
                "electricity_off_peak_cny_per_kwh",
                &mut p.electricity_off_peak_cny_per_kwh,
            ),
            ("gas_cny_per_m3", &mut p.gas_cny_per_m3),
            ("lpg_cny_per_kg", &mut p.lpg_cny_per_kg),
            ("pellet_cny_per_kg", &mut p.pellet_cny_per_kg),
            ("coal_cny_per_t", &mut p.coal_cny_per_t),
            ("briquette_cny_per_t", &mut p.briquette_cny_per_t),
            ("firewood_cny_per_t", &mut p.firewood_cny_per_t),
            ("pv_feed_in_cny_per_kwh", &mut p.pv_feed_in_cny_per_kwh),
            ("pv_yield_kwh_per_kwp", &mut p.pv_yield_kwh_per_kwp),
        ];
        for (key, target) in targets {
            set(&f, sink, key, Lower::NonNegative, MAX_CNY, target);
        }
    }
    if let Some(m) = fields.object(sink, "routes", false) {
        for (name, value) in m {
            let pointer = super::pointer::join("/plan/heating/routes", name);
            let Some(route) = Route::from_name(name) else {
                let names: Vec<&str> = Route::ALL.iter().map(|r| r.as_str()).collect();
                sink.push(
                    IssueCode::UnknownValue,
                    &pointer,
                    format!(
                        "\"{name}\" is not a route; routes are: {}.",
                        names.join(", ")
                    ),
                );
                continue;
            };
            let Value::Object(route_map) = value else {
                sink.push(
                    IssueCode::WrongType,
                    &pointer,
                    format!("The route \"{name}\" must be an object of overrides."),
                );
                continue;
            };
            route_overrides(route_map, &pointer, catalogue.spec_mut(route), sink);
        }
    }
    if let Some(items) = fields.array(sink, "subsidy_budgets", false) {
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("/plan/heating/subsidy_budgets/{i}");
            if let Some(budget) = budget(item, &pointer, sink) {
                catalogue.budgets.push(budget);
            }
        }
    }
    catalogue
}

fn route_overrides(map: &Map<String, Value>, pointer: &str, spec: &mut RouteSpec, sink: &mut Sink) {
    let f = Fields::new(map, pointer);
    f.reject_unknown(sink, ROUTE_MEMBERS, "a route");
    if let Some(available) = f.boolean(sink, "available", false) {
        spec.available = available;
    }
    let targets: [(&str, Lower, f64, &mut f64); 12] = [
        (
            "install_cny",
            Lower::NonNegative,
            MAX_CNY,
            &mut spec.install_cny,
        ),
        (
            "operating_subsidy_cny_per_unit",
            Lower::NonNegative,
            MAX_CNY,
            &mut spec.operating_subsidy_cny_per_unit,
        ),
        (
            "operating_subsidy_cap_units",
            Lower::NonNegative,
            MAX_CNY,
            &mut spec.operating_subsidy_cap_units,
        ),
        (
            "heat_kwh_per_m2",
            Lower::NonNegative,
            10_000.0,
            &mut spec.heat_kwh_per_m2,
        ),
        ("efficiency", Lower::Positive, 10.0, &mut spec.efficiency),
        (
            "solar_fraction",
            Lower::NonNegative,
            1.0,
            &mut spec.solar_fraction,
        ),
        (
            "off_peak_share",
            Lower::NonNegative,
            1.0,
            &mut spec.off_peak_share,
        ),
        (
            "maintenance_cny",
            Lower::NonNegative,
            MAX_CNY,
            &mut spec.maintenance_cny,
        ),
        (
            "connection_cny_per_m",
            Lower::NonNegative,
            MAX_CNY,
            &mut spec.connection_cny_per_m,
        ),
        (
            "kw_per_household",
            Lower::NonNegative,
            1_000.0,
            &mut spec.kw_per_household,
        ),
        (
            "roof_m2_per_household",
            Lower::NonNegative,
            10_000.0,
            &mut spec.roof_m2_per_household,
        ),
        ("pv_kwp", Lower::NonNegative, 1_000.0, &mut spec.pv_kwp),
    ];
    for (key, lower, max, target) in targets {
        set(&f, sink, key, lower, max, target);
    }
    if let Some(years) = f.count(sink, "lifetime_years", false, 1..=100) {
        spec.lifetime_years = years;
    }
    if let Some(days) = f.count(sink, "build_days", false, 0..=3_650) {
        spec.build_days = days;
    }
    if spec.gas_main_within_m.is_none() {
        f.reject_present(
            sink,
            "gas_main_within_m",
            "only applies to the piped-gas route",
        );
    } else if let Some(within) =
        f.number(sink, "gas_main_within_m", false, Lower::NonNegative, 1.0e6)
    {
        spec.gas_main_within_m = Some(within);
    }
    if let Some(items) = f.array(sink, "subsidies", false) {
        spec.subsidies = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| subsidy(item, &format!("{pointer}/subsidies/{i}"), sink))
            .collect();
    }
}

fn object<'a>(value: &'a Value, pointer: &str, sink: &mut Sink) -> Option<&'a Map<String, Value>> {
    if let Value::Object(m) = value {
        Some(m)
    } else {
        sink.push(
            IssueCode::WrongType,
            pointer,
            "Each entry must be an object.",
        );
        None
    }
}

fn subsidy(value: &Value, pointer: &str, sink: &mut Sink) -> Option<SubsidyRule> {
    let f = Fields::new(object(value, pointer, sink)?, pointer);
    f.reject_unknown(sink, &["source", "share", "cap_cny"], "a subsidy rule");
    let source = f.string(sink, "source", true);
    let share = f.number(sink, "share", true, Lower::NonNegative, 1.0);
    let cap = f
        .number(sink, "cap_cny", false, Lower::NonNegative, MAX_CNY)
        .unwrap_or(MAX_CNY);
    Some(SubsidyRule {
        source: source?,
        share: share?,
        cap_cny: cap,
    })
}

fn budget(value: &Value, pointer: &str, sink: &mut Sink) -> Option<SubsidyBudget> {
    let f = Fields::new(object(value, pointer, sink)?, pointer);
    f.reject_unknown(
        sink,
        &["source", "district", "budget_cny"],
        "a subsidy budget",
    );
    let source = f.string(sink, "source", true);
    let district = f.string(sink, "district", false);
    let budget = f.number(sink, "budget_cny", true, Lower::NonNegative, MAX_CNY);
    Some(SubsidyBudget {
        source: source?,
        district,
        budget_cny: budget?,
    })
}

/// Records `unknown_reference` for every village naming a substation not in the plan, or
/// every work naming a village not in it; `references` are (feature index, id of the
/// referring feature, id named in its property `kind`), `known` the ids of that kind.
pub(super) fn check_references(
    references: &[(usize, String, String)],
    known: &HashSet<String>,
    kind: &str,
    sink: &mut Sink,
) {
    for (index, id, reference) in references {
        if !known.contains(reference) {
            sink.push_issue(Issue {
                code: IssueCode::UnknownReference,
                feature_id: Some(id.clone()),
                feature_index: Some(*index),
                pointer: format!("/features/{index}/properties/{kind}"),
                message: format!("`{kind}` refers to \"{reference}\", but no {kind} has that id."),
                origin: None,
            });
        }
    }
}
