//! The `digonce` command line and service.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Validate a plan file and print every problem.
    Validate {
        /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
        file: PathBuf,
    },
    /// Run the HTTP service.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = api::config::ServiceConfig::DEFAULT_BIND)]
        bind: SocketAddr,
        /// SQLite database file (created if missing).
        #[arg(long, default_value = api::config::ServiceConfig::DEFAULT_DB)]
        db: PathBuf,
        /// Largest accepted upload in MiB.
        #[arg(long, default_value_t = api::config::ServiceConfig::DEFAULT_MAX_UPLOAD_MB)]
        max_upload_mb: usize,
    },
    /// Manage access tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it once (only its hash is stored).
    Create {
        /// `planner`, `official` or `utility:<owner>`.
        #[arg(long)]
        role: api::auth::Role,
        /// SQLite database file (created if missing).
        #[arg(long, default_value = api::config::ServiceConfig::DEFAULT_DB)]
        db: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { file } => {
            let reader = std::fs::File::open(&file)?;
            geodata::ingest::ingest(reader, &geodata::ingest::IngestOptions::default())?;
            Ok(())
        }
        Command::Serve {
            bind,
            db,
            max_upload_mb,
        } => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .with_writer(std::io::stderr)
                .init();
            let config = api::config::ServiceConfig::new(bind, db, max_upload_mb);
            // The schedule engine plugs in here once merged (an `api::jobs::Planner`).
            let planner: Option<Arc<dyn api::jobs::Planner>> = None;
            actix_web::rt::System::new().block_on(api::server::run(
                config,
                Arc::new(api::intake::GeodataValidator),
                planner,
            ))?;
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { role, db },
        } => {
            let store = api::storage::sqlite::SqliteStore::open(&db)?;
            let token = api::auth::create_token(&store, &role)?;
            println!("{token}");
            eprintln!(
                "Token for role {role} stored (hashed) in {}. It is shown only once.",
                db.display()
            );
            Ok(())
        }
    }
}
