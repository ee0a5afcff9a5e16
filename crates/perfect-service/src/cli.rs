//! The command line: one binary with subcommands. Every setting can also come from a TOML
//! file (`--config`) or a `PERFECT_SERVICE_*` environment variable; flags win over both.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "perfect-service",
    version,
    about = "Perfect Service: a self-hosted customer experience engine.",
    long_about = "Perfect Service asks every customer how they feel about every contact, alerts the right people \
    when something goes wrong, and tracks the fix.\n\nSettings come from built-in defaults, then the TOML file given by \
    --config (or PERFECT_SERVICE_CONFIG), then PERFECT_SERVICE_* environment variables, then flags."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, global = true, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Database URL: sqlite://FILE (default sqlite://perfect-service.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log format: human (default) or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and the API.
    Serve,
    /// Build a demo organization in a fresh database, print a login, then serve it.
    Demo(DemoArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Write a consistent copy of the SQLite database to PATH while it stays in use.
    Backup {
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// Re-run comment analysis (sentiment, language, themes, staff names) over every stored
    /// response, e.g. after the taxonomy changed.
    Reanalyze,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage staff administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API keys for other systems.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Measure the product on this machine.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Import transactions, responses or operational events from a CSV file: every row is
    /// checked first, and nothing is imported unless all of them are valid.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import transactions (upserted by external id) from a CSV file with a header row
    ///
    /// Columns (* required; unknown columns are refused):
    ///   external_id *           the transaction's id in your system
    ///   occurred_at *           RFC 3339 with an offset, e.g. 2026-11-20T10:00:00Z
    ///   touchpoint *            touchpoint key, e.g. phone-support
    ///   customer_external_id *  the customer's id in your system
    ///   customer_name, customer_email, customer_phone, customer_locale, customer_segment
    ///                           an empty cell keeps the customer's stored value
    ///   staff                   the staff member's external id
    ///   team                    team key (default: the staff member's first team, else the
    ///                           touchpoint's team)
    ///   amount                  a decimal in the currency's units, e.g. 120.00 or 120.5;
    ///                           no thousands separators
    ///   currency                ISO 4217 code, e.g. EUR (required with an amount)
    ///   attr.NAME               stored as the transaction's attribute NAME
    #[command(verbatim_doc_comment)]
    Transactions(ImportArgs),
    /// Import responses gathered elsewhere (phone interviews, kiosks…) from a CSV file
    ///
    /// Columns (a header row is required; unknown columns are refused):
    ///   transaction             external id of the transaction the response is about, or:
    ///   customer_external_id    the customer's external id, with
    ///   touchpoint              the touchpoint's key (its survey defines the questions)
    ///   source *                where it was gathered, e.g. phone_interview, kiosk
    ///   responded_at            RFC 3339 with an offset (default: now)
    ///   csat, nps, comment, …   one column per question key: numbers for scales, text,
    ///                           choices separated by | for multiple choice, yes or no for
    ///                           consent; an empty cell is no answer
    #[command(verbatim_doc_comment)]
    Responses(ImportArgs),
    /// Import operational events (what performance standards are measured on) from a CSV file
    ///
    /// Columns (a header row is required):
    ///   event_type *            e.g. order.received, call.answered
    ///   subject *               the order id, call id, complaint id… both events share
    ///   occurred_at *           RFC 3339 with an offset, e.g. 2026-11-20T10:00:00Z
    ///   customer                the customer's external id
    ///   transaction             the transaction's external id
    ///   idempotency_key         unique per event (default: derived from type, subject, time)
    ///   any other column        a numeric attribute, e.g. hold_seconds (an empty cell: none)
    /// Idempotent: importing the same file again stores nothing new.
    #[command(verbatim_doc_comment)]
    Events(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (UTF-8, comma-separated, header row first).
    pub file: PathBuf,
    /// Check every row and report, without importing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Start the server on a fresh SQLite database (or --database-url, which must be empty) and
    /// drive `POST /api/v1/responses` with keep-alive clients over loopback; print the
    /// sustained rate and latency percentiles.
    Ingest {
        /// Seconds to measure (after a one-second warm-up).
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Start the server on a fresh SQLite database (or --database-url, which must be empty),
    /// ingest good responses at full speed and meanwhile post poor ones (CSAT 1, each for a new
    /// customer of a client team) at a steady pace; print how long after each 2xx its case exists
    /// and its signed `case.opened` webhook arrives at a local receiver (p50, p95, p99, max).
    AlertLatency {
        /// Seconds to measure (after a one-second warm-up).
        #[arg(long, default_value_t = 20)]
        duration: u64,
        /// Concurrent keep-alive connections of the good background load.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Poor responses posted per second.
        #[arg(long, default_value_t = 50)]
        poor_per_second: u64,
    },
    /// Load N synthetic responses over the last twelve months through the bulk path (on a
    /// fresh SQLite file, or --database-url, which must be empty), then measure the server time
    /// of the whole-organization overview and of team, touchpoint and staff drill-downs.
    Dashboard {
        /// Responses to load.
        #[arg(long, default_value_t = 1_000_000)]
        responses: usize,
    },
    /// Load N synthetic responses with twelve attribute ratings over the last twelve months
    /// through the bulk path (on a fresh SQLite file, or --database-url, which must be empty),
    /// then time key driver analysis of the whole organization, in process and through
    /// `GET /api/v1/drivers`.
    Drivers {
        /// Responses to load.
        #[arg(long, default_value_t = 1_000_000)]
        responses: usize,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed builds the same organization.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Build the demo and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the settings, print the effective values and check the database.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a staff member's password, read from standard input; ends their sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; it is printed once, alone on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: ingest, read, admin.
        #[arg(long, value_name = "SCOPES")]
        scopes: String,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id; it stops working at once.
    Revoke {
        /// The key's id, as shown by `apikey list`.
        id: i64,
    },
}
