//! Performance standards (definitions as validated JSON, owned by a team) and operational
//! events (append-only, stored once per idempotency key).

use super::query::{audit, get, get_time, snapshot};
use super::{SqlStore, conflict_as, map_err};
use crate::error::StoreError;
use crate::model::{Actor, TeamRef};
use crate::standards::*;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::TeamId;
use domain::standards::OperationalEvent;
use domain::standards::standard::StandardInput;
use domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT s.id, s.definition, s.created_at, s.updated_at, t.id AS team_id, \
    t.key AS team_key, t.name AS team_name FROM standards s JOIN teams t ON t.id = s.team_id";

/// Rows per multi-row insert of events.
const EVENTS_PER_STATEMENT: usize = 100;

fn decode(row: &AnyRow) -> StoreResult<StoredStandard> {
    let definition: String = get(row, "definition")?;
    Ok(StoredStandard {
        id: get(row, "id")?,
        definition: serde_json::from_str(&definition)
            .map_err(|e| StoreError::Internal(format!("stored standard: {e}")))?,
        team: TeamRef {
            id: TeamId(get(row, "team_id")?),
            key: get(row, "team_key")?,
            name: get(row, "team_name")?,
        },
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

async fn team_id(conn: &mut AnyConnection, key: &str) -> StoreResult<i64> {
    let row = sqlx::query("SELECT id FROM teams WHERE key = $1")
        .bind(key.to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    match row {
        Some(row) => get(&row, "id"),
        None => Err(StoreError::unknown("team", "team", key)),
    }
}

async fn read(conn: &mut AnyConnection, key: &str) -> StoreResult<StoredStandard> {
    let row = sqlx::query(&format!("{SELECT} WHERE s.key = $1"))
        .bind(key.to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref()
        .map(decode)
        .unwrap_or(Err(StoreError::NotFound))
}

fn definition_text(definition: &StandardInput) -> StoreResult<String> {
    serde_json::to_string(definition).map_err(|e| StoreError::Internal(e.to_string()))
}

fn decode_event(row: &AnyRow) -> StoreResult<OperationalEvent> {
    let parse = |field: &str, value: String| {
        domain::ExternalId::parse("stored event", &value)
            .map_err(|e| StoreError::Internal(format!("stored event {field}: {e}")))
    };
    let optional = |field: &str, value: Option<String>| value.map(|v| parse(field, v)).transpose();
    let event_type: String = get(row, "event_type")?;
    let key: String = get(row, "idempotency_key")?;
    let attributes: String = get(row, "attributes")?;
    Ok(OperationalEvent {
        event_type: domain::standards::EventType::parse("stored event", &event_type)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        subject: parse("subject", get(row, "subject")?)?,
        customer: optional("customer", get(row, "customer_external_id")?)?,
        transaction: optional("transaction", get(row, "transaction_external_id")?)?,
        occurred_at: from_micros(get(row, "occurred_at")?),
        idempotency_key: domain::standards::IdempotencyKey::parse(&key)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
    })
}

#[async_trait]
impl StandardStore for SqlStore {
    async fn create_standard(
        &self,
        actor: &Actor,
        definition: &StandardInput,
        now: Timestamp,
    ) -> StoreResult<StoredStandard> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let team = team_id(&mut tx, &definition.team).await?;
        sqlx::query(
            "INSERT INTO standards (key, definition, team_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(definition.key.clone())
        .bind(definition_text(definition)?)
        .bind(team)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await
        .map_err(conflict_as("a standard with this key exists"))?;
        let stored = read(&mut tx, &definition.key).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "standard",
            Some(definition.key.clone()),
            None,
            snapshot(&stored),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn update_standard(
        &self,
        actor: &Actor,
        key: &str,
        definition: &StandardInput,
        now: Timestamp,
    ) -> StoreResult<StoredStandard> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read(&mut tx, key).await?;
        let team = team_id(&mut tx, &definition.team).await?;
        let mut kept = definition.clone();
        kept.key = key.to_owned();
        sqlx::query(
            "UPDATE standards SET definition = $1, team_id = $2, updated_at = $3 WHERE key = $4",
        )
        .bind(definition_text(&kept)?)
        .bind(team)
        .bind(to_micros(now))
        .bind(key.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let after = read(&mut tx, key).await?;
        audit(
            &mut tx,
            actor,
            "update",
            "standard",
            Some(key.to_owned()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    async fn delete_standard(&self, actor: &Actor, key: &str) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read(&mut tx, key).await?;
        sqlx::query("DELETE FROM standards WHERE key = $1")
            .bind(key.to_owned())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        audit(
            &mut tx,
            actor,
            "delete",
            "standard",
            Some(key.to_owned()),
            snapshot(&before),
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn standard(&self, key: &str) -> StoreResult<StoredStandard> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read(&mut conn, key).await
    }

    async fn list_standards(&self) -> StoreResult<Vec<StoredStandard>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY s.key"))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    async fn record_events(
        &self,
        actor: &Actor,
        events: &[OperationalEvent],
        now: Timestamp,
    ) -> StoreResult<EventsRecorded> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let mut recorded = EventsRecorded::default();
        for chunk in events.chunks(EVENTS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let cells: Vec<String> = (1..=8).map(|c| format!("${}", i * 8 + c)).collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO operational_events (idempotency_key, event_type, subject, customer_external_id, \
                 transaction_external_id, occurred_at, received_at, attributes) VALUES {} \
                 ON CONFLICT (idempotency_key) DO NOTHING",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for event in chunk {
                query = query
                    .bind(event.idempotency_key.as_str().to_owned())
                    .bind(event.event_type.as_str().to_owned())
                    .bind(event.subject.as_str().to_owned())
                    .bind(event.customer.as_ref().map(|c| c.as_str().to_owned()))
                    .bind(event.transaction.as_ref().map(|t| t.as_str().to_owned()))
                    .bind(to_micros(event.occurred_at))
                    .bind(to_micros(now))
                    .bind(serde_json::to_string(&event.attributes).unwrap_or_else(|_| "{}".into()));
            }
            let done = query.execute(&mut *tx).await.map_err(map_err)?;
            recorded.stored += done.rows_affected();
        }
        recorded.duplicates = events.len() as u64 - recorded.stored;
        if recorded.stored > 0 {
            let summary =
                serde_json::json!({"stored": recorded.stored, "duplicates": recorded.duplicates});
            audit(
                &mut tx,
                actor,
                "events.record",
                "operational_event",
                None,
                None,
                Some(summary),
            )
            .await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(recorded)
    }

    async fn events_of_types(
        &self,
        types: &[String],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OperationalEvent>> {
        if types.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT idempotency_key, event_type, subject, customer_external_id, transaction_external_id, \
             occurred_at, attributes FROM operational_events WHERE occurred_at >= $1 AND occurred_at < $2 \
             AND event_type IN ({}) ORDER BY occurred_at, id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(to_micros(from)).bind(to_micros(to));
        for event_type in types {
            query = query.bind(event_type.clone());
        }
        let rows = query.fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(decode_event).collect()
    }
}
