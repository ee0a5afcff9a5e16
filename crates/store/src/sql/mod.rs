//! The SQL store: one implementation over sqlx's `Any` driver for SQLite and PostgreSQL.
//! What differs between the two (DDL, pragmas, backups, locking) is confined to this module
//! and the per-backend migration folders.

mod alert_rules;
mod api_keys;
mod audit;
mod bulk;
mod cache;
mod case_processing;
mod cases;
mod charts;
mod commitments;
mod customers;
mod dashboard;
mod drivers;
mod effects;
mod escalation;
mod group_commit;
mod guarantee_invocation;
mod guarantees;
mod idempotency;
mod invitations;
mod notifications;
mod operations;
mod organization;
mod outbox;
mod problem_actions;
mod problem_escalation;
mod problem_links;
mod problem_suggestions;
mod problem_traits;
mod problems;
mod query;
mod recovery_traits;
mod responses;
mod rollups;
mod sessions;
mod settings;
mod standard_breaches;
mod standards;
mod surveys;
mod teams;
mod touchpoints;
mod transactions;
mod users;
mod webhooks;

use crate::error::StoreError;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a URL points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Chooses the backend from the URL scheme; any other scheme is an error.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::Internal(format!(
                "unsupported database URL {:?}: use sqlite://FILE or postgres://…",
                redact_url(url)
            ))),
        }
    }
}

/// The URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The store. Cheap to clone; clones share the pool.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; queueing writers here avoids `SQLITE_BUSY` on
    /// lock upgrades, which `busy_timeout` does not cover.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// The group-commit writer of responses, started on first use.
    response_writer: Arc<std::sync::OnceLock<group_commit::WriterSender>>,
    lookups: Arc<IngestLookups>,
}

/// Lookups repeated by every ingested response, cached briefly.
pub(crate) struct IngestLookups {
    /// Touchpoint key → (id, owning team, current survey version).
    pub touchpoints:
        cache::TtlCache<String, (i64, Option<i64>, Option<crate::knowledge::SurveyVersion>)>,
    /// Customer external id → id.
    pub customers: cache::TtlCache<String, i64>,
    /// API key prefix → key (cleared when this instance revokes one; other instances see a
    /// revocation within the TTL).
    pub api_keys: cache::TtlCache<String, Option<crate::model::ApiKeyCredentials>>,
}

impl Default for IngestLookups {
    fn default() -> Self {
        Self {
            touchpoints: cache::TtlCache::new(Duration::from_secs(2), 10_000),
            customers: cache::TtlCache::new(Duration::from_secs(30), 100_000),
            api_keys: cache::TtlCache::new(Duration::from_secs(2), 10_000),
        }
    }
}

/// A write transaction, holding the SQLite writer slot for its lifetime.
pub(crate) struct WriteTx<'a> {
    pub tx: sqlx::Transaction<'static, Any>,
    _writer: Option<MutexGuard<'a, ()>>,
}

impl SqlStore {
    /// Connects (creating a SQLite file if missing) without running migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA cache_size = -65536;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(map_err)?;
        let sqlite_writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            pool,
            backend,
            sqlite_writer,
            response_writer: Arc::default(),
            lookups: Arc::default(),
        })
    }

    /// Applies pending forward-only migrations.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Internal(format!("migration failed: {e}")))?;
        self.fill_empty_rollups().await
    }

    /// Computes the rollups of a database that has responses but no rollups yet (one migrated
    /// from before rollups existed).
    async fn fill_empty_rollups(&self) -> Result<(), StoreError> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM rollup_daily) AS rolled, \
             (SELECT COUNT(*) FROM (SELECT id FROM responses LIMIT 1) AS any_response) AS raw",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let rolled: i64 = row.try_get("rolled").map_err(map_err)?;
        let raw: i64 = row.try_get("raw").map_err(map_err)?;
        let drivers_missing = raw > 0 && self.driver_moments_missing().await?;
        if drivers_missing {
            let filled = self.fill_missing_ratings().await?;
            tracing::info!(filled, "filled the attribute ratings of stored responses");
        }
        if (rolled == 0 && raw > 0) || drivers_missing {
            tracing::info!("computing the dashboard and driver rollups from the stored responses");
            self.rebuild_rollup_tables().await?;
        }
        Ok(())
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs one statement outside any transaction (test and maintenance use).
    pub async fn execute_raw(&self, sql: &str) -> Result<(), StoreError> {
        self.pool.execute(sql).await.map_err(map_err)?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let writer = match &self.sqlite_writer {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(WriteTx {
            tx,
            _writer: writer,
        })
    }

    pub(crate) fn response_writer(&self) -> &group_commit::WriterSender {
        self.response_writer.get_or_init(|| {
            // The writer's own handle has no writer cell, so that it does not keep itself alive.
            let handle = SqlStore {
                response_writer: Arc::default(),
                ..self.clone()
            };
            group_commit::spawn(handle)
        })
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Translates a database error into what callers can act on.
pub(crate) fn map_err(error: sqlx::Error) -> StoreError {
    use sqlx::error::ErrorKind;
    match &error {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict(db.message().to_owned()),
            ErrorKind::ForeignKeyViolation => StoreError::InUse(db.message().to_owned()),
            _ if is_sqlite_busy(db.message()) => StoreError::Unavailable(db.message().to_owned()),
            _ => StoreError::Internal(db.message().to_owned()),
        },
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
        _ => StoreError::Internal(error.to_string()),
    }
}

fn is_sqlite_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("disk I/O error")
}

/// Maps a unique violation to a message naming what is taken.
pub(crate) fn conflict_as(message: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| match map_err(error) {
        StoreError::Conflict(_) => StoreError::Conflict(message.to_owned()),
        other => other,
    }
}

/// Maps a foreign-key violation on delete to a message saying what still refers to it.
pub(crate) fn in_use_as(message: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| match map_err(error) {
        StoreError::InUse(_) => StoreError::InUse(message.to_owned()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_chosen_by_scheme_and_unknown_schemes_refused() {
        assert_eq!(
            Backend::from_url("sqlite://x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::from_url("mysql://h/db").is_err());
        assert!(Backend::from_url("perfect.db").is_err());
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://ps:secret@db/ps"),
            "postgres://ps:***@db/ps"
        );
        assert_eq!(redact_url("postgres://ps@db/ps"), "postgres://ps@db/ps");
        assert_eq!(redact_url("sqlite://ps.db"), "sqlite://ps.db");
    }
}
