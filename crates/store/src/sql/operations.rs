//! Health, counts and backups.

use super::query::get;
use super::{Backend, SqlStore, map_err};
use crate::error::StoreError;
use crate::model::Counts;
use crate::traits::{OperationsStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl OperationsStore for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(self.pool())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn counts(&self) -> StoreResult<Counts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM teams) AS teams, \
             (SELECT COUNT(*) FROM customers) AS customers, \
             (SELECT COUNT(*) FROM touchpoints) AS touchpoints, \
             (SELECT COUNT(*) FROM transactions) AS transactions",
        )
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        Ok(Counts {
            users: get(&row, "users")?,
            teams: get(&row, "teams")?,
            customers: get(&row, "customers")?,
            touchpoints: get(&row, "touchpoints")?,
            transactions: get(&row, "transactions")?,
        })
    }

    async fn backup(&self, path: &std::path::Path) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Internal(
                "online backup is built in for SQLite only; back up PostgreSQL with pg_dump \
                 (e.g. `pg_dump --format=custom --file=perfect-service.dump \"$DATABASE_URL\"`)"
                    .into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Internal(format!(
                "{} already exists; choose a new file",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Internal("backup path is not valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_owned())
            .execute(self.pool())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    fn pool_state(&self) -> (u32, u32) {
        (self.pool().size(), self.pool().num_idle() as u32)
    }
}
