//! Recovery cases: reading and listing them, their timeline, and the changes staff make
//! (notes, contact, resolution, closing, reopening, reassignment), each recorded on the
//! timeline and in the audit log in the same transaction.

use super::customers::{decode_team_ref, decode_user_ref};
use super::effects::{self, EventActor, Notice};
use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_opt_time, get_time, parse_stored,
};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::model::{Actor, CustomerRef, ListParams, Page, TouchpointRef};
use crate::recovery::*;
use crate::traits::StoreResult;
use domain::recovery::{CaseStatus, Priority};
use domain::time::to_micros;
use domain::{CustomerId, TouchpointId};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

pub(crate) const SELECT: &str = "SELECT k.id, k.title, k.status, k.priority, k.transaction_id, k.response_id, \
    k.opened_at, k.clock_started_at, k.first_contact_due_at, k.resolution_due_at, k.first_contacted_at, \
    k.resolved_at, k.closed_at, k.escalation_level, k.first_contact_breached, k.resolution_breached, \
    k.resolution_note, k.root_cause, k.followup_sent_at, k.followup_answered_at, k.recovered, \
    k.followup_comment, k.updated_at, \
    c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
    x.external_id AS transaction_external_id, \
    p.id AS touchpoint_id, p.key AS touchpoint_key, p.name AS touchpoint_name, \
    ot.id AS owner_team_id, ot.key AS owner_team_key, ot.name AS owner_team_name, \
    pt.id AS ops_team_id, pt.key AS ops_team_key, pt.name AS ops_team_name, \
    u.id AS owner_id, u.name AS owner_name, u.external_id AS owner_external_id \
    FROM cases k JOIN customers c ON c.id = k.customer_id \
    LEFT JOIN transactions x ON x.id = k.transaction_id \
    LEFT JOIN touchpoints p ON p.id = k.touchpoint_id \
    LEFT JOIN teams ot ON ot.id = k.owner_team_id \
    LEFT JOIN teams pt ON pt.id = k.operations_team_id \
    LEFT JOIN users u ON u.id = k.owner_user_id";

pub(crate) fn decode(row: &AnyRow) -> StoreResult<Case> {
    let touchpoint = match get::<Option<i64>>(row, "touchpoint_id")? {
        Some(id) => Some(TouchpointRef {
            id: TouchpointId(id),
            key: get(row, "touchpoint_key")?,
            name: get(row, "touchpoint_name")?,
        }),
        None => None,
    };
    Ok(Case {
        id: get(row, "id")?,
        title: get(row, "title")?,
        customer: CustomerRef {
            id: CustomerId(get(row, "customer_id")?),
            external_id: get(row, "customer_external_id")?,
            name: get(row, "customer_name")?,
        },
        transaction_id: get(row, "transaction_id")?,
        transaction_external_id: get(row, "transaction_external_id")?,
        response_id: get(row, "response_id")?,
        touchpoint,
        status: parse_stored(&get::<String>(row, "status")?, CaseStatus::parse)?,
        priority: parse_stored(&get::<String>(row, "priority")?, Priority::parse)?,
        owner_team: decode_team_ref(row, "owner_team")?,
        operations_team: decode_team_ref(row, "ops_team")?,
        owner_user: decode_user_ref(row, "owner")?,
        opened_at: get_time(row, "opened_at")?,
        clock_started_at: get_time(row, "clock_started_at")?,
        first_contact_due_at: get_time(row, "first_contact_due_at")?,
        resolution_due_at: get_time(row, "resolution_due_at")?,
        first_contacted_at: get_opt_time(row, "first_contacted_at")?,
        resolved_at: get_opt_time(row, "resolved_at")?,
        closed_at: get_opt_time(row, "closed_at")?,
        escalation_level: get(row, "escalation_level")?,
        first_contact_breached: get::<i64>(row, "first_contact_breached")? != 0,
        resolution_breached: get::<i64>(row, "resolution_breached")? != 0,
        resolution_note: get(row, "resolution_note")?,
        root_cause: get(row, "root_cause")?,
        followup_sent_at: get_opt_time(row, "followup_sent_at")?,
        followup_answered_at: get_opt_time(row, "followup_answered_at")?,
        recovered: get::<Option<i64>>(row, "recovered")?.map(|v| v != 0),
        followup_comment: get(row, "followup_comment")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

pub(crate) async fn read_case(conn: &mut AnyConnection, id: i64) -> StoreResult<Case> {
    let row = sqlx::query(&format!("{SELECT} WHERE k.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode(&row)
}

/// The case as a webhook's `data`.
pub(crate) fn webhook_data(case: &Case) -> serde_json::Value {
    serde_json::json!({
        "case": {
            "id": case.id,
            "title": case.title,
            "status": case.status.as_str(),
            "priority": case.priority.as_str(),
            "customer": {"external_id": case.customer.external_id, "name": case.customer.name},
            "transaction": case.transaction_external_id,
            "response_id": case.response_id,
            "touchpoint": case.touchpoint.as_ref().map(|t| t.key.clone()),
            "owner_team": case.owner_team.as_ref().map(|t| t.key.clone()),
            "owner": case.owner_user.as_ref().map(|u| u.name.clone()),
            "opened_at": case.opened_at.to_string(),
            "first_contact_due_at": case.first_contact_due_at.to_string(),
            "resolution_due_at": case.resolution_due_at.to_string(),
            "escalation_level": case.escalation_level,
            "resolution_note": case.resolution_note,
            "root_cause": case.root_cause,
            "path": format!("/cases/{}", case.id),
        }
    })
}

fn filter_conditions(filter: &CaseFilter) -> Conditions {
    let mut c = Conditions::default();
    if let Some(status) = filter.status {
        c.push("k.status = ?", [Bind::Text(status.as_str().into())]);
    }
    if filter.open_only || filter.overdue_at.is_some() {
        c.push("k.status IN ('new', 'contacted')", []);
    }
    if let Some(team) = filter.owner_team {
        c.push("k.owner_team_id = ?", [Bind::Int(team.0)]);
    }
    if let Some(team) = filter.operations_team {
        c.push("k.operations_team_id = ?", [Bind::Int(team.0)]);
    }
    if let Some(user) = filter.owner_user {
        c.push("k.owner_user_id = ?", [Bind::Int(user.0)]);
    }
    if let Some(customer) = filter.customer {
        c.push("k.customer_id = ?", [Bind::Int(customer.0)]);
    }
    if let Some(priority) = filter.priority {
        c.push("k.priority = ?", [Bind::Text(priority.as_str().into())]);
    }
    if let Some(now) = filter.overdue_at {
        let now = to_micros(now);
        c.push(
            "((k.first_contacted_at IS NULL AND k.first_contact_due_at <= ?) OR k.resolution_due_at <= ?)",
            [Bind::Int(now), Bind::Int(now)],
        );
    }
    c
}

impl SqlStore {
    pub(crate) async fn list_cases_page(
        &self,
        params: &ListParams,
        filter: &CaseFilter,
    ) -> StoreResult<Page<Case>> {
        let mut conditions = filter_conditions(filter);
        conditions.paging(params, "k.id", &["k.title", "c.name", "c.external_id"]);
        fetch_page(
            self.pool(),
            SELECT,
            "k.id",
            &conditions,
            params,
            decode,
            |c| c.id,
        )
        .await
    }

    pub(crate) async fn read_case_events(&self, id: i64) -> StoreResult<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, kind, actor_label, body FROM case_events WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(CaseEvent {
                    id: get(row, "id")?,
                    at: get_time(row, "at")?,
                    kind: get(row, "kind")?,
                    actor: get(row, "actor_label")?,
                    body: get(row, "body")?,
                })
            })
            .collect()
    }

    pub(crate) async fn cases_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Case>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE k.opened_at >= $1 AND k.opened_at < $2 ORDER BY k.id"
        ))
        .bind(to_micros(from))
        .bind(to_micros(to))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    pub(crate) async fn apply_case_change(
        &self,
        actor: &Actor,
        id: i64,
        change: CaseChange,
        policy: &CasePolicy,
    ) -> StoreResult<Case> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_case(&mut tx, id).await?;
        let who = EventActor {
            label: actor.label(),
            user: match actor {
                Actor::User { id, .. } => Some(id.0),
                _ => None,
            },
        };
        let now = policy.now;
        apply(&mut tx, &before, change, &who, policy).await?;
        let after = read_case(&mut tx, id).await?;
        audit(
            &mut tx,
            actor,
            "update",
            "case",
            Some(id.to_string()),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&after).ok(),
        )
        .await?;
        if before.status != after.status && after.status == CaseStatus::Resolved {
            let data = webhook_data(&after);
            let event = format!("case.resolved:{id}:{}", to_micros(now));
            effects::emit(&mut tx, "case.resolved", &event, data, now).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }
}

async fn set_status(
    conn: &mut AnyConnection,
    case: &Case,
    to: CaseStatus,
    now: Timestamp,
) -> StoreResult<()> {
    case.status
        .check_move(to)
        .map_err(|e| StoreError::Conflict(e.message))?;
    let open_key = to.ne(&CaseStatus::Closed).then(|| open_key(case));
    sqlx::query("UPDATE cases SET status = $1, open_key = $2, updated_at = $3 WHERE id = $4")
        .bind(to.as_str().to_owned())
        .bind(open_key)
        .bind(to_micros(now))
        .bind(case.id)
        .execute(conn)
        .await
        .map_err(|e| match map_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(
                "this customer already has another open case for the same transaction".into(),
            ),
            other => other,
        })?;
    Ok(())
}

/// The key that keeps one case per customer and transaction while it is not closed.
pub(crate) fn open_key_for(customer: i64, transaction: Option<i64>) -> String {
    match transaction {
        Some(t) => format!("{customer}:{t}"),
        None => format!("{customer}:-"),
    }
}

fn open_key(case: &Case) -> String {
    open_key_for(case.customer.id.0, case.transaction_id)
}

async fn apply(
    conn: &mut AnyConnection,
    case: &Case,
    change: CaseChange,
    who: &EventActor<'_>,
    policy: &CasePolicy,
) -> StoreResult<()> {
    let now = policy.now;
    let at = to_micros(now);
    let summary = match &change {
        CaseChange::Note(_) => "note added",
        CaseChange::Contacted(_) => "customer contacted",
        CaseChange::Resolve { .. } => "resolved",
        CaseChange::Close => "closed",
        CaseChange::Reopen(_) => "reopened",
        CaseChange::Assign { .. } => "reassigned",
    };
    match change {
        CaseChange::Note(body) => {
            effects::case_event(conn, case.id, "note", who, Some(body), now).await?;
        }
        CaseChange::Contacted(note) => {
            set_status(&mut *conn, case, CaseStatus::Contacted, now).await?;
            sqlx::query(
                "UPDATE cases SET first_contacted_at = COALESCE(first_contacted_at, $1) WHERE id = $2",
            )
            .bind(at)
            .bind(case.id)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
            let body = note.map_or("Customer contacted".into(), |n| {
                format!("Customer contacted: {n}")
            });
            effects::case_event(conn, case.id, "status", who, Some(body), now).await?;
        }
        CaseChange::Resolve {
            note,
            root_cause,
            followup_lookup_id,
        } => {
            set_status(&mut *conn, case, CaseStatus::Resolved, now).await?;
            sqlx::query(
                "UPDATE cases SET resolved_at = $1, resolution_note = $2, root_cause = $3, \
                 first_contacted_at = COALESCE(first_contacted_at, $1), followup_lookup_id = $4, \
                 followup_sent_at = NULL, followup_answered_at = NULL, recovered = NULL, \
                 followup_comment = NULL WHERE id = $5",
            )
            .bind(at)
            .bind(note.clone())
            .bind(root_cause.clone())
            .bind(followup_lookup_id)
            .bind(case.id)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
            let body = format!("Resolved ({root_cause}): {note}");
            effects::case_event(&mut *conn, case.id, "status", who, Some(body), now).await?;
            let payload = serde_json::json!({ "case_id": case.id });
            super::outbox::enqueue(conn, effects::topics::FOLLOWUP_EMAIL, &payload, at).await?;
        }
        CaseChange::Close => {
            set_status(&mut *conn, case, CaseStatus::Closed, now).await?;
            sqlx::query("UPDATE cases SET closed_at = $1 WHERE id = $2")
                .bind(at)
                .bind(case.id)
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
            effects::case_event(conn, case.id, "status", who, Some("Closed".into()), now).await?;
        }
        CaseChange::Reopen(reason) => {
            set_status(&mut *conn, case, CaseStatus::Contacted, now).await?;
            let clocks = policy.sla.clocks(case.priority, now, &policy.zone);
            sqlx::query(
                "UPDATE cases SET resolved_at = NULL, closed_at = NULL, clock_started_at = $1, \
                 first_contact_due_at = $2, resolution_due_at = $3, escalation_level = 0, \
                 first_contacted_at = COALESCE(first_contacted_at, $1) WHERE id = $4",
            )
            .bind(at)
            .bind(to_micros(clocks.first_contact_due))
            .bind(to_micros(clocks.resolution_due))
            .bind(case.id)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
            let body = format!("Reopened: {reason}");
            effects::case_event(conn, case.id, "status", who, Some(body), now).await?;
        }
        CaseChange::Assign { team, user } => {
            sqlx::query(
                "UPDATE cases SET owner_team_id = $1, owner_user_id = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(team.map(|t| t.0))
            .bind(user.map(|u| u.0))
            .bind(at)
            .bind(case.id)
            .execute(&mut *conn)
            .await
            .map_err(|e| match map_err(e) {
                StoreError::InUse(_) => StoreError::unknown("owner", "team or user", "given"),
                other => other,
            })?;
            let after = read_case(&mut *conn, case.id).await?;
            let body = format!(
                "Assigned to {} / {}",
                after
                    .owner_team
                    .as_ref()
                    .map_or("no team", |t| t.name.as_str()),
                after
                    .owner_user
                    .as_ref()
                    .map_or("nobody", |u| u.name.as_str())
            );
            effects::case_event(&mut *conn, case.id, "assigned", who, Some(body), now).await?;
            if let Some(user) = user.filter(|u| Some(u.0) != who.user) {
                let notice = Notice {
                    kind: "case.assigned",
                    title: format!("Case #{} is yours: {}", case.id, case.title),
                    body: format!("{} assigned it to you.", who.label),
                    link: format!("/cases/{}", case.id),
                    key: format!("case:{}:assigned:{at}", case.id),
                };
                effects::notify(conn, &[user.0], &notice, now).await?;
            }
        }
    }
    super::guarantee_invocation::inform_president(conn, case.id, &case.title, summary, who, now)
        .await?;
    Ok(())
}
