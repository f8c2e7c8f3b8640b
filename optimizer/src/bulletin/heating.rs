//! The bulletin's clean-heating table: per village the chosen route, its households and
//! what a household pays before and after (`docs/progress.md`, `docs/heating.md`), when
//! the plan has villages.

use serde::{Deserialize, Serialize};

use geodata::plan::Plan;

use crate::heating::{HeatingOptions, optimise};

/// One village of the heating table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatingLine {
    /// Village id.
    pub village: String,
    /// District.
    pub district: String,
    /// The route of most of its households (none: none converted).
    pub route: Option<String>,
    /// Households in the village.
    pub households: u32,
    /// Households given a route.
    pub converted_households: u32,
    /// A household's yearly heating bill today, yuan.
    pub bill_before_cny: Option<f64>,
    /// A household's yearly bill on the route, yuan.
    pub bill_after_cny: Option<f64>,
    /// What a household pays to install after subsidy, yuan.
    pub install_cost_after_subsidy_cny: Option<f64>,
    /// Whether a household can bear the route's yearly cost.
    pub affordable: Option<bool>,
}

/// The heating table of `plan` (empty without villages), and the sentence saying why it
/// could not be made when the route choice failed.
#[must_use]
pub fn heating_lines(plan: &Plan) -> (Vec<HeatingLine>, Option<String>) {
    if plan.heating.is_empty() {
        return (Vec::new(), None);
    }
    let report = match optimise(plan, &HeatingOptions::default()) {
        Ok(report) => report,
        Err(error) => return (Vec::new(), Some(error.to_string())),
    };
    let lines = report
        .villages
        .iter()
        .map(|v| {
            let chosen = v
                .route
                .and_then(|r| v.options.iter().find(|o| o.route == r));
            HeatingLine {
                village: v.id.clone(),
                district: v.district.clone(),
                route: v.route.map(|r| r.as_str().to_owned()),
                households: v.households,
                converted_households: v.split.iter().map(|s| s.households).sum(),
                bill_before_cny: chosen.map(|o| o.bill_before_cny),
                bill_after_cny: chosen.map(|o| o.bill_after_cny),
                install_cost_after_subsidy_cny: chosen.map(|o| o.install_cost_after_subsidy_cny),
                affordable: chosen.map(|o| o.affordable),
            }
        })
        .collect();
    (lines, None)
}

#[cfg(test)]
mod tests {
    use geodata::ingest::{IngestOptions, ingest};

    use super::*;

    #[test]
    fn a_plan_with_villages_gets_one_line_per_village_with_its_bills() {
        let plan = ingest(
            include_bytes!("../../../tests/fixtures/plans/heating-apply.geojson").as_slice(),
            &IngestOptions::default(),
        )
        .expect("valid");
        let (lines, why) = heating_lines(&plan);
        assert_eq!(why, None);
        assert_eq!(lines.len(), 2);
        let near = &lines[0];
        assert_eq!(near.village, "v-near");
        assert_eq!(near.route.as_deref(), Some("gas_wall_boiler"));
        assert_eq!(near.converted_households, 100);
        // 2.5 t of coal at 900 yuan a tonne.
        assert_eq!(near.bill_before_cny, Some(2_250.0));
        assert!(near.bill_after_cny.is_some_and(|b| b < 2_250.0));
        assert_eq!(lines[1].affordable, Some(false));
    }

    #[test]
    fn a_plan_without_villages_has_no_heating_table() {
        let plan = geodata::testkit::PlanBuilder::new(
            chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"),
        )
        .build();
        assert_eq!(heating_lines(&plan), (Vec::new(), None));
    }
}
