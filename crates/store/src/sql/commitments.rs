//! Commitments stored as their domain document, changed under the domain's rules in one
//! transaction with the audit entry.

use super::effects::{self, Notice};
use super::query::{Bind, Conditions, audit, get, snapshot};
use super::{SqlStore, map_err};
use crate::commitments::*;
use crate::error::StoreError;
use crate::model::Actor;
use crate::recovery::alert_kind;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::standards::Commitment;
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;

fn document(commitment: &Commitment) -> StoreResult<String> {
    serde_json::to_string(commitment).map_err(|e| StoreError::Internal(e.to_string()))
}

fn decode(row: &sqlx::any::AnyRow) -> StoreResult<StoredCommitment> {
    let text: String = get(row, "document")?;
    Ok(StoredCommitment {
        id: get(row, "id")?,
        commitment: serde_json::from_str(&text)
            .map_err(|e| StoreError::Internal(format!("stored commitment: {e}")))?,
    })
}

async fn read(conn: &mut AnyConnection, id: i64) -> StoreResult<StoredCommitment> {
    let row = sqlx::query("SELECT id, document FROM commitments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.as_ref()
        .map(decode)
        .unwrap_or(Err(StoreError::NotFound))
}

async fn exists(conn: &mut AnyConnection, table: &str, id: i64) -> StoreResult<bool> {
    let row = sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    Ok(row.is_some())
}

#[async_trait]
impl CommitmentStore for SqlStore {
    async fn create_commitment(
        &self,
        actor: &Actor,
        commitment: &Commitment,
        now: Timestamp,
    ) -> StoreResult<StoredCommitment> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        if !exists(&mut tx, "customers", commitment.customer.0).await? {
            return Err(StoreError::unknown(
                "customer",
                "customer",
                commitment.customer.0.to_string(),
            ));
        }
        if !exists(&mut tx, "users", commitment.owner.0).await? {
            return Err(StoreError::unknown(
                "owner_user_id",
                "staff member",
                commitment.owner.0.to_string(),
            ));
        }
        if let Some(case) = commitment.case_id
            && !exists(&mut tx, "cases", case).await?
        {
            return Err(StoreError::unknown("case_id", "case", case.to_string()));
        }
        let row = sqlx::query(
            "INSERT INTO commitments (customer_id, owner_user_id, team_id, case_id, due_at, resolved, document, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $7) RETURNING id",
        )
        .bind(commitment.customer.0)
        .bind(commitment.owner.0)
        .bind(commitment.team.map(|t| t.0))
        .bind(commitment.case_id)
        .bind(to_micros(commitment.due))
        .bind(document(commitment)?)
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let id: i64 = get(&row, "id")?;
        let stored = read(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "commitment",
            Some(id.to_string()),
            None,
            snapshot(&stored),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn commitment(&self, id: i64) -> StoreResult<StoredCommitment> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read(&mut conn, id).await
    }

    async fn change_commitment(
        &self,
        actor: &Actor,
        id: i64,
        change: CommitmentChange,
        now: Timestamp,
    ) -> StoreResult<StoredCommitment> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read(&mut tx, id).await?;
        let mut after = before.commitment.clone();
        let applied = match &change {
            CommitmentChange::Fulfil { in_full, note } => {
                after.fulfil(now, *in_full, note.as_deref())
            }
            CommitmentChange::GiveUp { note } => after.give_up(now, note.as_deref()),
            CommitmentChange::Withdraw { reason } => after.withdraw(now, reason),
            CommitmentChange::Reschedule { due } => after.reschedule(now, *due),
            CommitmentChange::Reminded => after.mark_reminded(now),
        };
        applied.map_err(|e| StoreError::Conflict(e.to_string()))?;
        if after.status(now).is_broken() {
            raise_broken(&mut tx, id, &after, now).await?;
        }
        sqlx::query(
            "UPDATE commitments SET due_at = $1, resolved = $2, document = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(to_micros(after.due))
        .bind(i64::from(after.resolution.is_some()))
        .bind(document(&after)?)
        .bind(to_micros(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let stored = read(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "update",
            "commitment",
            Some(id.to_string()),
            snapshot(&before),
            snapshot(&stored),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn sweep_commitments(&self, now: Timestamp) -> StoreResult<CommitmentSweep> {
        let rows = sqlx::query(
            "SELECT id, document FROM commitments WHERE resolved = 0 ORDER BY id LIMIT 5000",
        )
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let mut sweep = CommitmentSweep::default();
        for row in &rows {
            let stored = decode(row)?;
            let promise = &stored.commitment;
            let broken = promise.status(now).is_broken();
            if !broken && !promise.reminder_due(now) {
                continue;
            }
            let write = self.begin_write().await?;
            let mut tx = write.tx;
            let mut current = read(&mut tx, stored.id).await?.commitment;
            if current.status(now).is_broken() {
                sweep.broken += raise_broken(&mut tx, stored.id, &current, now).await?;
            } else if current.reminder_due(now) && current.mark_reminded(now).is_ok() {
                sqlx::query("UPDATE commitments SET document = $1, updated_at = $2 WHERE id = $3")
                    .bind(document(&current)?)
                    .bind(to_micros(now))
                    .bind(stored.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                let notice = Notice {
                    kind: "commitment.reminder",
                    title: format!("A promise is due soon: {}", current.what),
                    body: format!("Due {}.", current.due),
                    link: format!("/customers/{}", current.customer.0),
                    key: format!(
                        "commitment:{}:reminder:{}",
                        stored.id,
                        to_micros(current.due)
                    ),
                };
                sweep.reminded +=
                    effects::notify(&mut tx, &[current.owner.0], &notice, now).await? as u64;
            }
            tx.commit().await.map_err(map_err)?;
        }
        Ok(sweep)
    }

    async fn list_commitments(
        &self,
        filter: &CommitmentFilter,
    ) -> StoreResult<Vec<StoredCommitment>> {
        let mut conditions = Conditions::default();
        if let Some(customer) = filter.customer {
            conditions.push("customer_id = ?", [Bind::Int(customer.0)]);
        }
        if let Some(owner) = filter.owner {
            conditions.push("owner_user_id = ?", [Bind::Int(owner.0)]);
        }
        if filter.unresolved {
            conditions.push("resolved = 0", []);
        }
        let sql = format!(
            "SELECT id, document FROM commitments {} ORDER BY due_at DESC, id DESC LIMIT 500",
            conditions.where_sql()
        );
        let rows = conditions
            .bind_all(sqlx::query(&sql))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }
}

/// Raises the `broken_promise` alert of a promise once (its dedupe key), notifying the owner
/// and the owning team's managers; returns 1 when it was new.
async fn raise_broken(
    conn: &mut AnyConnection,
    id: i64,
    promise: &Commitment,
    now: Timestamp,
) -> StoreResult<u64> {
    let title = format!("Promise broken: {}", promise.what);
    let detail = format!(
        "Due {}; {}.",
        promise.due,
        promise.status(now).label().to_lowercase()
    );
    let row = sqlx::query(
        "INSERT INTO alerts (kind, rule_name, severity, customer_id, team_id, series, title, \
         detail, raised_at, dedupe_key) VALUES ($1, 'Promises kept', 'high', $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(alert_kind::BROKEN_PROMISE)
    .bind(promise.customer.0)
    .bind(promise.team.map(|t| t.0))
    .bind(format!("commitment:{id}"))
    .bind(title.clone())
    .bind(detail.clone())
    .bind(to_micros(now))
    .bind(format!("commitment:{id}:broken"))
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    let Some(row) = row else { return Ok(0) };
    let alert: i64 = get(&row, "id")?;
    let mut recipients = vec![promise.owner.0];
    if let Some(team) = promise.team {
        recipients.extend(effects::team_leads(&mut *conn, team.0).await?);
    }
    let notice = Notice {
        kind: "alert.raised",
        title,
        body: detail,
        link: format!("/customers/{}", promise.customer.0),
        key: format!("alert:{alert}"),
    };
    effects::notify(&mut *conn, &recipients, &notice, now).await?;
    Ok(1)
}
