//! The commands. Each resolves the settings, opens the store and does one job.

mod accounts;
mod bench;
mod demo;
mod import;
mod maintenance;
mod reanalyze;
mod serve;

use crate::cli::{BenchCommand, Cli, Command, GlobalArgs};
use anyhow::Context;
use server::config::{self, Layer, Settings};
use store::SqlStore;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => serve::serve(settings(&cli.global)?).await,
        Command::Demo(args) => demo::demo(settings(&cli.global)?, &args).await,
        Command::Migrate => maintenance::migrate(settings(&cli.global)?).await,
        Command::Backup { path } => maintenance::backup(settings(&cli.global)?, &path).await,
        Command::Reanalyze => reanalyze::reanalyze(settings(&cli.global)?).await,
        Command::Config(_) => maintenance::config_check(settings(&cli.global)?).await,
        Command::Admin(command) => accounts::admin(settings(&cli.global)?, command).await,
        Command::Apikey(command) => accounts::apikey(settings(&cli.global)?, command).await,
        Command::Bench(BenchCommand::Ingest {
            duration,
            connections,
        }) => {
            let configured = cli.global.database_url.is_some();
            bench::ingest(settings(&cli.global)?, configured, duration, connections).await
        }
        Command::Bench(BenchCommand::AlertLatency {
            duration,
            connections,
            poor_per_second,
        }) => {
            let configured = cli.global.database_url.is_some();
            let settings = settings(&cli.global)?;
            bench::alert_latency(settings, configured, duration, connections, poor_per_second).await
        }
        Command::Bench(BenchCommand::Dashboard { responses }) => {
            let configured = cli.global.database_url.is_some();
            bench::dashboard(settings(&cli.global)?, configured, responses).await
        }
        Command::Bench(BenchCommand::Drivers { responses }) => {
            let configured = cli.global.database_url.is_some();
            bench::drivers(settings(&cli.global)?, configured, responses).await
        }
        Command::Import(command) => import::run(settings(&cli.global)?, command).await,
    }
}

/// Resolves defaults < file < environment < flags.
fn settings(global: &GlobalArgs) -> anyhow::Result<Settings> {
    let lookup = |name: &str| std::env::var(name).ok();
    let file = config::config_path(global.config.as_deref(), &lookup);
    let flags = Layer {
        bind: global.bind.clone(),
        database_url: global.database_url.clone(),
        log_format: global.log_format.clone(),
        ..Layer::default()
    };
    let settings =
        config::resolve(file.as_deref(), &lookup, flags).context("invalid configuration")?;
    server::telemetry::init(settings.log_format, &settings.log_filter);
    Ok(settings)
}

/// Opens the database and applies pending migrations.
async fn open_store(settings: &Settings) -> anyhow::Result<SqlStore> {
    server::startup::open_store(settings).await
}

/// The actor for changes made from the command line.
fn cli_actor() -> store::Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    store::Actor::System {
        label: format!("command line ({user})"),
    }
}
