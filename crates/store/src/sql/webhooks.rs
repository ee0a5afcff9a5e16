//! Webhook endpoints, their queue of deliveries (claimed under a lease, so that several
//! instances share it and each delivery is sent by one), the log of attempts and the
//! dead-letter list.

use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_opt_time, get_time, now_micros, snapshot,
};
use super::{Backend, SqlStore, map_err};
use crate::error::StoreError;
use crate::model::{Actor, ListParams, Page};
use crate::recovery::*;
use crate::traits::StoreResult;
use domain::time::to_micros;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const ENDPOINT_SELECT: &str = "SELECT id, url, description, secret, event_types, enabled, created_at, \
    updated_at FROM webhook_endpoints";

fn decode_endpoint(row: &AnyRow) -> StoreResult<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: get(row, "id")?,
        url: get(row, "url")?,
        description: get(row, "description")?,
        secret: get(row, "secret")?,
        event_types: serde_json::from_str(&get::<String>(row, "event_types")?).unwrap_or_default(),
        enabled: get::<i64>(row, "enabled")? != 0,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn read_endpoint(conn: &mut AnyConnection, id: i64) -> StoreResult<WebhookEndpoint> {
    let row = sqlx::query(&format!("{ENDPOINT_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode_endpoint(&row)
}

const DELIVERY_SELECT: &str = "SELECT d.id, d.endpoint_id, d.event_id, d.event_type, d.payload, d.state, \
    d.attempts, d.available_at, d.last_status, d.last_error, d.created_at, d.delivered_at \
    FROM webhook_deliveries d";

fn decode_delivery(row: &AnyRow) -> StoreResult<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: get(row, "id")?,
        endpoint_id: get(row, "endpoint_id")?,
        event_id: get(row, "event_id")?,
        event_type: get(row, "event_type")?,
        payload: get(row, "payload")?,
        state: get(row, "state")?,
        attempts: get(row, "attempts")?,
        available_at: get_time(row, "available_at")?,
        last_status: get(row, "last_status")?,
        last_error: get(row, "last_error")?,
        created_at: get_time(row, "created_at")?,
        delivered_at: get_opt_time(row, "delivered_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_webhook(
        &self,
        actor: &Actor,
        input: WebhookEndpointInput,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let row = sqlx::query(
            "INSERT INTO webhook_endpoints (url, description, secret, event_types, enabled, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(input.url)
        .bind(input.description)
        .bind(secret.to_owned())
        .bind(serde_json::to_string(&input.event_types).unwrap_or_default())
        .bind(i64::from(input.enabled))
        .bind(now_micros())
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let id: i64 = get(&row, "id")?;
        let created = read_endpoint(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "webhook",
            Some(id.to_string()),
            None,
            snapshot(&created),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    pub(crate) async fn change_webhook(
        &self,
        actor: &Actor,
        id: i64,
        input: WebhookEndpointInput,
    ) -> StoreResult<WebhookEndpoint> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_endpoint(&mut tx, id).await?;
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3, enabled = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(input.url)
        .bind(input.description)
        .bind(serde_json::to_string(&input.event_types).unwrap_or_default())
        .bind(i64::from(input.enabled))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let after = read_endpoint(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "update",
            "webhook",
            Some(id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    pub(crate) async fn remove_webhook(&self, actor: &Actor, id: i64) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_endpoint(&mut tx, id).await?;
        sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        audit(
            &mut tx,
            actor,
            "delete",
            "webhook",
            Some(id.to_string()),
            snapshot(&before),
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn read_webhook(&self, id: i64) -> StoreResult<WebhookEndpoint> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_endpoint(&mut conn, id).await
    }

    pub(crate) async fn read_webhooks(&self) -> StoreResult<Vec<WebhookEndpoint>> {
        let rows = sqlx::query(&format!("{ENDPOINT_SELECT} ORDER BY id"))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        rows.iter().map(decode_endpoint).collect()
    }

    pub(crate) async fn deliveries_page(
        &self,
        params: &ListParams,
        filter: &DeliveryFilter,
    ) -> StoreResult<Page<WebhookDelivery>> {
        let mut c = Conditions::default();
        if let Some(endpoint) = filter.endpoint {
            c.push("d.endpoint_id = ?", [Bind::Int(endpoint)]);
        }
        if let Some(state) = &filter.state {
            c.push("d.state = ?", [Bind::Text(state.clone())]);
        }
        c.paging(params, "d.id", &["d.event_id", "d.event_type"]);
        fetch_page(
            self.pool(),
            DELIVERY_SELECT,
            "d.id",
            &c,
            params,
            decode_delivery,
            |d| d.id,
        )
        .await
    }

    pub(crate) async fn read_delivery(
        &self,
        id: i64,
    ) -> StoreResult<(WebhookDelivery, Vec<WebhookAttempt>)> {
        let row = sqlx::query(&format!("{DELIVERY_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let attempts = sqlx::query(
            "SELECT id, at, status_code, error, duration_ms FROM webhook_attempts \
             WHERE delivery_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let attempts = attempts
            .iter()
            .map(|a| {
                Ok(WebhookAttempt {
                    id: get(a, "id")?,
                    at: get_time(a, "at")?,
                    status_code: get(a, "status_code")?,
                    error: get(a, "error")?,
                    duration_ms: get(a, "duration_ms")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((decode_delivery(&row)?, attempts))
    }

    pub(crate) async fn claim_due_deliveries(
        &self,
        limit: i64,
        now: Timestamp,
        lease: SignedDuration,
    ) -> StoreResult<Vec<DeliveryJob>> {
        let now_us = to_micros(now);
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE OF d SKIP LOCKED"
        } else {
            ""
        };
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let rows = sqlx::query(&format!(
            "SELECT d.id, d.event_id, d.event_type, d.payload, d.attempts, e.url, e.secret \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.state = 'pending' AND d.available_at <= $1 \
             AND (d.locked_until IS NULL OR d.locked_until <= $1) ORDER BY d.id LIMIT $2{lock}"
        ))
        .bind(now_us)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let mut jobs = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = get(row, "id")?;
            sqlx::query("UPDATE webhook_deliveries SET locked_until = $1 WHERE id = $2")
                .bind(now_us + lease.as_micros() as i64)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            jobs.push(DeliveryJob {
                id,
                url: get(row, "url")?,
                secret: get(row, "secret")?,
                event_id: get(row, "event_id")?,
                event_type: get(row, "event_type")?,
                payload: get(row, "payload")?,
                attempts: get(row, "attempts")?,
            });
        }
        tx.commit().await.map_err(map_err)?;
        Ok(jobs)
    }

    pub(crate) async fn save_attempt(
        &self,
        id: i64,
        outcome: &AttemptOutcome,
        delivered: bool,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let error = outcome
            .error
            .as_ref()
            .map(|e| e.chars().take(1000).collect::<String>());
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(to_micros(now))
        .bind(outcome.status_code.map(i64::from))
        .bind(error.clone())
        .bind(outcome.duration_ms)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let (state, available) = match (delivered, retry_at) {
            (true, _) => (delivery_state::DELIVERED, now),
            (false, Some(at)) => (delivery_state::PENDING, at),
            (false, None) => (delivery_state::DEAD, now),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, available_at = $2, \
             locked_until = NULL, last_status = $3, last_error = $4, delivered_at = $5 WHERE id = $6",
        )
        .bind(state)
        .bind(to_micros(available))
        .bind(outcome.status_code.map(i64::from))
        .bind(error)
        .bind(delivered.then(|| to_micros(now)))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn requeue_delivery(
        &self,
        actor: &Actor,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let updated = sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, available_at = $1, \
             locked_until = NULL WHERE id = $2",
        )
        .bind(to_micros(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        audit(
            &mut tx,
            actor,
            "resend",
            "webhook_delivery",
            Some(id.to_string()),
            None,
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }
}
