//! `digonce serve` and `digonce token`: the HTTP service and its access tokens.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use api::config::ServiceConfig;

/// Arguments of `digonce serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = ServiceConfig::DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// SQLite database file (created if missing), or a PostgreSQL URL
    /// (`postgres://user@host:5432/dbname`, see docs/postgres.md).
    #[arg(long, default_value = ServiceConfig::DEFAULT_DB)]
    pub db: String,
    /// Largest accepted upload in MiB.
    #[arg(long, default_value_t = ServiceConfig::DEFAULT_MAX_UPLOAD_MB)]
    pub max_upload_mb: usize,
    /// With PostgreSQL: run no planning worker in this process (jobs wait for
    /// `digonce worker` processes). Ignored with SQLite, which always plans in process.
    #[arg(long)]
    pub no_worker: bool,
}

/// Token subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once (only its hash is stored).
    Create {
        /// `planner`, `official` or `utility:<owner>`.
        #[arg(long)]
        role: api::auth::Role,
        /// SQLite database file (created if missing), or a PostgreSQL URL.
        #[arg(long, default_value = ServiceConfig::DEFAULT_DB)]
        db: String,
    },
}

/// Logs to standard error, `RUST_LOG` overriding the default `info`.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// Runs the service until it is stopped (Ctrl-C or SIGTERM).
///
/// # Errors
/// When the store cannot be opened, the address is refused or the server fails.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let mut config = ServiceConfig::new(args.bind, args.db, args.max_upload_mb);
    config.embedded_worker = !args.no_worker;
    actix_web::rt::System::new().block_on(api::server::run(
        config,
        Arc::new(api::intake::GeodataValidator),
        Some(Arc::new(api::planner::CityPlanner::default())),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Creates a token and prints it once.
///
/// # Errors
/// When the store cannot be opened or written.
pub fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    let TokenCommand::Create { role, db } = command;
    let store = api::storage::open_store(&db)?.store();
    let token = api::auth::create_token(store.as_ref(), &role)?;
    println!("{token}");
    eprintln!(
        "Token for role {role} stored (hashed) in {}. It is shown only once.",
        api::storage::postgres::redacted(&db)
    );
    Ok(ExitCode::SUCCESS)
}
