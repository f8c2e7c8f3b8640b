//! The `digonce` command line and service.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// digonce: dig-once planning of urban renewal works.
#[derive(Debug, Parser)]
#[command(name = "digonce", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a plan file and print every problem (exit 0 valid, 1 invalid, 2 error).
    Validate(cli::validate::ValidateArgs),
    /// Write a synthetic city plan (a valid GeoJSON FeatureCollection, about ten works
    /// per compound) for benchmarks, tests and demos. Same seed, same bytes.
    Generate(cli::generate::GenerateArgs),
    /// Import Shapefiles, GeoPackages, DXF drawings, CSV/XLSX tables and GeoJSON through
    /// a mapping into one validated plan (exit 0 valid, 1 problems, 2 error).
    Import(cli::import::ImportArgs),
    /// Write a schedule and its plan as one GeoPackage (a layer per kind, start/end
    /// dates for QGIS) or as the overlay GeoJSON.
    Export(cli::export::ExportArgs),
    /// Find shared-trench corridors, crossings, street cuts, moratorium conflicts and
    /// compound clusters in a plan; print them as GeoJSON or JSON.
    Analyze(cli::analyze::AnalyzeArgs),
    /// Plan a city: shared trenches, a verified schedule and what it saves
    /// (exit 0 all hard deadlines met, 1 invalid plan, 3 some hard deadline missed).
    Plan(cli::plan::PlanArgs),
    /// Check a schedule document against every rule of its plan (exit 0 every rule holds,
    /// 1 violations listed, 2 invalid plan or not a schedule document).
    Check(cli::check::CheckArgs),
    /// The progress bulletin of districts and owners as of a data date, from a plan, its
    /// schedule and progress reports (exit 1 when a report is invalid).
    Report(cli::report::ReportArgs),
    /// Choose a clean-heating route per village: what each household pays before and
    /// after, shadow prices of substations and budgets, scenarios (exit 1 invalid plan).
    Heating(cli::heating::HeatingArgs),
    /// Re-plan from what actually happened: finished work fixed at its actual dates, the
    /// rest re-optimised from the previous schedule; prints what moved per owner (exit 1
    /// when the plan or a report is invalid).
    Replan(cli::replan::ReplanArgs),
    /// Solve a PSPLIB single-mode RCPSP instance with the schedule engine.
    Rcpsp(cli::rcpsp::RcpspArgs),
    /// Run the HTTP service.
    Serve(cli::serve::ServeArgs),
    /// Run a planning worker on a PostgreSQL job queue (any host, any number of them).
    Worker(cli::worker::WorkerArgs),
    /// Generate a city, store it, plan it and serve it; prints the URLs to open.
    Demo(cli::demo::DemoArgs),
    /// Manage access tokens.
    Token {
        #[command(subcommand)]
        command: cli::serve::TokenCommand,
    },
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate(args) => Ok(cli::validate::run(&args, &mut std::io::stdout().lock())?),
        Command::Generate(args) => cli::generate::run(&args),
        Command::Import(args) => cli::import::run(&args),
        Command::Export(args) => cli::export::run(&args),
        Command::Analyze(args) => cli::analyze::run(&args),
        Command::Plan(args) => cli::plan::run(&args),
        Command::Check(args) => Ok(cli::check::run(
            &args,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )?),
        Command::Report(args) => cli::report::run(&args),
        Command::Heating(args) => cli::heating::run(&args),
        Command::Replan(args) => cli::replan::run(&args),
        Command::Rcpsp(args) => cli::rcpsp::run(&args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Worker(args) => cli::worker::run(&args),
        Command::Demo(args) => cli::demo::run(&args),
        Command::Token { command } => cli::serve::token(command),
    }
}

/// Exit codes: 0 success, 1 the input is invalid, 2 usage or I/O error (clap also uses 2),
/// 3 a plan whose hard deadlines cannot all hold.
fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
