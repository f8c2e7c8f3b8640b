//! `digonce heating PLAN`: the clean-heating route of every village, what each household
//! pays before and after, the shadow prices of capacities and budgets, and scenarios;
//! with `--apply`, the plan with the works the choice implies.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use geodata::crs::InputCrs;
use geodata::export::{ExportOptions, to_bytes};
use optimizer::heating::works::apply;
use optimizer::heating::{HeatingOptions, HeatingReport, Scenario, optimise};

/// Output format of `heating`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HeatingFormat {
    /// A table per village and the totals, for reading.
    Text,
    /// The whole report (`docs/heating.md`).
    Json,
    /// One row per village and route.
    Csv,
}

/// Arguments of `digonce heating`.
#[derive(Debug, clap::Args)]
pub struct HeatingArgs {
    /// The plan (GeoJSON FeatureCollection with villages); `-` reads standard input.
    pub file: PathBuf,
    /// Coordinate system of the positions.
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = HeatingFormat::Text)]
    pub format: HeatingFormat,
    /// A scenario to compare (repeatable): `prices+20`, `electricity-10`, `gas+30`,
    /// `lpg+10`, `pellet+10`, `coal+10`, `subsidy-50`, `budget-50`.
    #[arg(long, value_name = "LEVER±PERCENT")]
    pub scenario: Vec<Scenario>,
    /// One route per village instead of a split of its households.
    #[arg(long)]
    pub whole_villages: bool,
    /// Add the works the chosen routes imply (gas main extensions, service connections,
    /// transformer upgrades, retrofits, with the villages' milestones as deadlines) to the
    /// plan and write it to `--out`; the report then goes to standard output.
    #[arg(long, requires = "out")]
    pub apply: bool,
    /// Output file (with `--apply`, the plan); standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Chooses the routes and prints them.
///
/// # Errors
/// When the file cannot be read, the solver fails or the output cannot be written. An
/// invalid plan is not an error: its problems are printed and the exit code is 1.
pub fn run(args: &HeatingArgs) -> anyhow::Result<ExitCode> {
    let Some(mut plan) = super::read_plan(&args.file, args.crs)? else {
        return Ok(ExitCode::from(1));
    };
    let options = HeatingOptions {
        whole_villages: args.whole_villages,
        scenarios: args.scenario.clone(),
    };
    let report = optimise(&plan, &options)?;
    let text = match args.format {
        HeatingFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        HeatingFormat::Text => text(&report),
        HeatingFormat::Csv => csv(&report),
    };
    match (&args.out, args.apply) {
        (Some(path), true) => {
            let implied = apply(&mut plan, &report)?;
            let bytes = to_bytes(&plan, &ExportOptions { crs: args.crs })?;
            std::fs::write(path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "{} works for {} villages added; the plan is in {}",
                implied.works.len(),
                implied.milestones.len(),
                path.display()
            );
            // Every village converts before the same heating season, so one line says it.
            if let Some(m) = implied.milestones.first() {
                eprintln!(
                    "milestones: households confirmed by {}, equipment tendered by {}, \
                     in-home retrofit done by {}, gas or power connected by {}, heating \
                     working by {}",
                    m.households_confirmed,
                    m.equipment_tendered,
                    m.retrofit_done,
                    m.connected,
                    m.working
                );
            }
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
        (Some(path), false) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        (None, _) => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as a table for reading.
#[must_use]
pub fn text(report: &HeatingReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} villages, total cost {:.0} yuan over {} years ({:.0} of it install subsidy), \
         {} households left unconverted",
        report.plan,
        report.villages.len(),
        report.total_cost_cny,
        report.appraisal_years,
        report.subsidy_cny,
        report.unserved_households
    );
    let _ = writeln!(
        s,
        "{:<16} {:>6}  {:<26} {:>8} {:>8} {:>9} {:>5}",
        "village", "homes", "route", "bill was", "bill now", "install", "ok?"
    );
    for v in &report.villages {
        let chosen = v
            .route
            .and_then(|r| v.options.iter().find(|o| o.route == r));
        let route = match v.split.len() {
            0 => "none".to_owned(),
            1 => v.split[0].route.as_str().to_owned(),
            n => format!("{} (+{} more)", v.split[0].route.as_str(), n - 1),
        };
        match chosen {
            Some(o) => {
                let _ = writeln!(
                    s,
                    "{:<16} {:>6}  {:<26} {:>8.0} {:>8.0} {:>9.0} {:>5}",
                    v.id,
                    v.households,
                    route,
                    o.bill_before_cny,
                    o.bill_after_cny,
                    o.install_cost_after_subsidy_cny,
                    if o.affordable { "yes" } else { "NO" }
                );
            }
            None => {
                let _ = writeln!(s, "{:<16} {:>6}  {route:<26}", v.id, v.households);
            }
        }
    }
    for p in &report.shadow_prices.substations {
        let _ = writeln!(
            s,
            "substation {}: load {:.0} of {:.0} kVA spare, upgrade {:.0} kVA, one more kVA saves {:.0} yuan",
            p.id, p.load_kva, p.spare_kva, p.upgrade_kva, p.saving_cny_per_kva
        );
    }
    for b in &report.shadow_prices.budgets {
        let _ = writeln!(
            s,
            "budget {} {}: {:.0} of {:.0} yuan used, one more million saves {:.0} yuan",
            b.source,
            b.district.as_deref().unwrap_or("(all districts)"),
            b.used_cny,
            b.budget_cny,
            b.saving_cny_per_million
        );
    }
    for e in &report.explanations {
        let _ = writeln!(s, "note: {e}");
    }
    for sc in &report.scenarios {
        let _ = writeln!(
            s,
            "scenario {}: total {:.0} yuan ({:+.0}), {} households unconverted, {} villages over their limit",
            sc.name, sc.total_cost_cny, sc.change_cny, sc.unserved_households, sc.relaxed_villages
        );
    }
    s
}

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// One row per village and route.
#[must_use]
pub fn csv(report: &HeatingReport) -> String {
    let mut s = String::from(
        "village,district,households,route,chosen_households,feasible,affordable,\
         install_cost_after_subsidy_cny,bill_before_cny,bill_after_cny,total_annual_cost_cny,\
         substation_load_kw\n",
    );
    for v in &report.villages {
        for o in &v.options {
            let chosen = v
                .split
                .iter()
                .find(|x| x.route == o.route)
                .map_or(0, |x| x.households);
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{:.2},{:.2},{:.2},{:.2},{:.2}",
                field(&v.id),
                field(&v.district),
                v.households,
                o.route.as_str(),
                chosen,
                o.feasible,
                o.affordable,
                o.install_cost_after_subsidy_cny,
                o.bill_before_cny,
                o.bill_after_cny,
                o.total_annual_cost_cny,
                o.substation_load_kw
            );
        }
    }
    s
}
