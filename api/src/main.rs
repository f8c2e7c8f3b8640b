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
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Validate(args) => Ok(cli::validate::run(&args, &mut std::io::stdout().lock())?),
    }
}

/// Exit codes: 0 success, 1 the input is invalid, 2 usage or I/O error (clap also uses 2).
fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
