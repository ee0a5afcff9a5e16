//! Idempotency keys: the first request with a key is processed, later ones replay it.

use super::query::{get, now_micros};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::model::IdempotencyClaim;
use crate::traits::{IdempotencyStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl IdempotencyStore for SqlStore {
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyClaim> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(scope.to_owned())
        .bind(key.to_owned())
        .bind(request_hash.to_owned())
        .bind(now_micros())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let claim = if inserted.rows_affected() == 1 {
            IdempotencyClaim::Claimed
        } else {
            let row = sqlx::query(
                "SELECT request_hash, status_code, response_body FROM idempotency_keys \
                 WHERE scope = $1 AND key = $2",
            )
            .bind(scope.to_owned())
            .bind(key.to_owned())
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            let request_hash: String = get(&row, "request_hash")?;
            match (
                get::<Option<i64>>(&row, "status_code")?,
                get::<Option<String>>(&row, "response_body")?,
            ) {
                (Some(status), Some(body)) => IdempotencyClaim::Completed {
                    request_hash,
                    status: u16::try_from(status)
                        .map_err(|e| StoreError::Internal(e.to_string()))?,
                    body,
                },
                _ => IdempotencyClaim::InProgress { request_hash },
            }
        };
        tx.commit().await.map_err(map_err)?;
        Ok(claim)
    }

    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query(
            "UPDATE idempotency_keys SET status_code = $1, response_body = $2 WHERE scope = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(body.to_owned())
        .bind(scope.to_owned())
        .bind(key.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status_code IS NULL",
        )
        .bind(scope.to_owned())
        .bind(key.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }
}
