//! The outbox: events and jobs written in the same transaction as the fact that caused them,
//! claimed by workers with a lease so that each is handled once even with several instances.

use super::query::{get, now_micros};
use super::{Backend, SqlStore, map_err};
use crate::knowledge::{OutboxItem, OutboxStore};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::time::to_micros;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

/// Adds an item to the outbox inside the caller's transaction.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    topic: &str,
    payload: &serde_json::Value,
    available_at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (topic, payload, created_at, available_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(topic.to_owned())
    .bind(payload.to_string())
    .bind(now_micros())
    .bind(available_at)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Adds many items of one topic with as few statements as possible.
pub(crate) async fn enqueue_many(
    conn: &mut AnyConnection,
    topic: &str,
    payloads: &[serde_json::Value],
    available_at: i64,
) -> StoreResult<()> {
    let created = now_micros();
    for chunk in payloads.chunks(250) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, $2, $3, ${})", i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO outbox (topic, created_at, available_at, payload) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(topic.to_owned())
            .bind(created)
            .bind(available_at);
        for payload in chunk {
            query = query.bind(payload.to_string());
        }
        query.execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn claim_outbox(
        &self,
        topics: &[&str],
        limit: i64,
        now: Timestamp,
        lease: SignedDuration,
    ) -> StoreResult<Vec<OutboxItem>> {
        if topics.is_empty() {
            return Ok(Vec::new());
        }
        let now_us = to_micros(now);
        let placeholders: Vec<String> = (0..topics.len()).map(|i| format!("${}", i + 3)).collect();
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let select = format!(
            "SELECT id, topic, payload, attempts FROM outbox WHERE done_at IS NULL AND available_at <= $1 \
             AND (locked_until IS NULL OR locked_until <= $1) AND topic IN ({}) ORDER BY id LIMIT $2{lock}",
            placeholders.join(", ")
        );
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        let mut query = sqlx::query(&select).bind(now_us).bind(limit);
        for topic in topics {
            query = query.bind((*topic).to_owned());
        }
        let rows = query.fetch_all(&mut *tx).await.map_err(map_err)?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = get(row, "id")?;
            sqlx::query(
                "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id = $2",
            )
            .bind(now_us + lease.as_micros() as i64)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            let payload: String = get(row, "payload")?;
            items.push(OutboxItem {
                id,
                topic: get(row, "topic")?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts: get::<i64>(row, "attempts")? + 1,
            });
        }
        tx.commit().await.map_err(map_err)?;
        Ok(items)
    }

    async fn complete_outbox(&self, id: i64, at: Timestamp) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query("UPDATE outbox SET done_at = $1, locked_until = NULL WHERE id = $2")
            .bind(to_micros(at))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn retry_outbox(&self, id: i64, error: &str, retry_at: Timestamp) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query("UPDATE outbox SET last_error = $1, available_at = $2, locked_until = NULL WHERE id = $3")
            .bind(error.chars().take(1000).collect::<String>())
            .bind(to_micros(retry_at))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn pending_outbox(&self, topic: &str) -> StoreResult<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE topic = $1 AND done_at IS NULL")
                .bind(topic.to_owned())
                .fetch_one(self.pool())
                .await
                .map_err(map_err)?;
        get(&row, "n")
    }
}
