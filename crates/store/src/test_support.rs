//! Fresh databases for tests: a SQLite file in a temporary folder, or a PostgreSQL database of
//! its own, created from `PERFECT_SERVICE_TEST_POSTGRES_URL` and dropped afterwards.
//! With `PERFECT_SERVICE_TEST_REQUIRE_ALL` set, a missing PostgreSQL fails the test instead of
//! skipping it.

use crate::{SqlStore, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};

pub const POSTGRES_URL_VAR: &str = "PERFECT_SERVICE_TEST_POSTGRES_URL";
pub const REQUIRE_ALL_VAR: &str = "PERFECT_SERVICE_TEST_REQUIRE_ALL";

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A database that exists for one test. Dropping it removes it.
pub struct TestDatabase {
    pub url: String,
    /// A scratch folder for the test's other files (the SQLite file lives here).
    pub dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite() -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Ok(Self {
            url,
            dir,
            postgres: None,
        })
    }

    /// `Ok(None)` when no PostgreSQL server is configured and skipping is allowed.
    ///
    /// # Panics
    /// When skipping is forbidden (`PERFECT_SERVICE_TEST_REQUIRE_ALL`): the test must fail.
    pub async fn postgres() -> Result<Option<Self>, StoreError> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            assert!(
                std::env::var(REQUIRE_ALL_VAR).is_err(),
                "{POSTGRES_URL_VAR} is not set, but {REQUIRE_ALL_VAR} forbids skipping PostgreSQL tests"
            );
            eprintln!("skipped on PostgreSQL: {POSTGRES_URL_VAR} is not set");
            return Ok(None);
        };
        let name = format!(
            "ps_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = SqlStore::connect(&admin_url, 1).await?;
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').ok_or_else(|| {
            StoreError::Internal(format!("{POSTGRES_URL_VAR} must end in /DATABASE"))
        })?;
        let dir = tempfile::tempdir()
            .map_err(|e| StoreError::Internal(format!("temporary folder: {e}")))?;
        Ok(Some(Self {
            url: format!("{base}/{name}"),
            dir,
            postgres: Some((admin_url, name)),
        }))
    }

    /// Connects and migrates.
    pub async fn store(&self) -> Result<SqlStore, StoreError> {
        let store = SqlStore::connect(&self.url, 4).await?;
        store.migrate().await?;
        Ok(store)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop may run inside a runtime, which cannot block on another: use a thread of its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = SqlStore::connect(&admin_url, 1).await {
                    let _ = admin
                        .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}
