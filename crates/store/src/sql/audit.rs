//! Reading the audit log (entries are written by each change, in its own transaction).

use super::SqlStore;
use super::query::{Bind, Conditions, fetch_page, get, get_time};
use crate::error::StoreError;
use crate::model::*;
use crate::traits::{AuditStore, StoreResult};
use async_trait::async_trait;
use domain::AuditId;
use domain::time::to_micros;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT a.id, a.at, a.actor_kind, a.actor_id, a.actor_label, a.action, \
    a.entity, a.entity_id, a.before_state, a.after_state FROM audit_log a";

fn json(raw: Option<String>) -> Option<serde_json::Value> {
    raw.and_then(|text| serde_json::from_str(&text).ok())
}

fn decode(row: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: AuditId(get(row, "id")?),
        at: get_time(row, "at")?,
        actor_kind: get(row, "actor_kind")?,
        actor_id: get(row, "actor_id")?,
        actor_label: get(row, "actor_label")?,
        action: get(row, "action")?,
        entity: get(row, "entity")?,
        entity_id: get(row, "entity_id")?,
        before: json(get(row, "before_state")?),
        after: json(get(row, "after_state")?),
    })
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn list_audit(
        &self,
        params: &ListParams,
        filter: &AuditFilter,
    ) -> StoreResult<Page<AuditEntry>> {
        let mut conditions = Conditions::default();
        conditions.paging(
            params,
            "a.id",
            &["a.action", "a.entity_id", "a.actor_label"],
        );
        if let Some(entity) = &filter.entity {
            conditions.push("a.entity = ?", [Bind::Text(entity.clone())]);
        }
        if let Some(actor) = &filter.actor {
            conditions.push("a.actor_label = ?", [Bind::Text(actor.clone())]);
        }
        if let Some(from) = filter.from {
            conditions.push("a.at >= ?", [Bind::Int(to_micros(from))]);
        }
        if let Some(to) = filter.to {
            conditions.push("a.at < ?", [Bind::Int(to_micros(to))]);
        }
        fetch_page(
            self.pool(),
            SELECT,
            "a.id",
            &conditions,
            params,
            decode,
            |a| a.id.0,
        )
        .await
    }
}
