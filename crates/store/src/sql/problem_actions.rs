//! A problem's action plan: items with an owner and a due time, added, edited, done, reopened
//! and deleted, each change on the problem's timeline and in the audit log. A new due time
//! starts the item's escalation over.

use super::problems::{Who, problem_event, require_problem, touch};
use super::query::{audit, get, get_opt_time, get_time, snapshot};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::improvement::{ActionInput, ProblemAction};
use crate::model::Actor;
use crate::traits::StoreResult;
use domain::UserId;
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT a.id, a.problem_id, a.title, a.due_at, a.done_at, \
    a.escalation_level, a.created_at, \
    u.id AS owner_id, u.name AS owner_name, u.external_id AS owner_external_id \
    FROM problem_actions a LEFT JOIN users u ON u.id = a.owner_user_id";

fn decode(row: &AnyRow) -> StoreResult<ProblemAction> {
    Ok(ProblemAction {
        id: get(row, "id")?,
        problem_id: get(row, "problem_id")?,
        title: get(row, "title")?,
        owner: super::customers::decode_user_ref(row, "owner")?,
        due_at: get_opt_time(row, "due_at")?,
        done_at: get_opt_time(row, "done_at")?,
        escalation_level: get(row, "escalation_level")?,
        created_at: get_time(row, "created_at")?,
    })
}

pub(crate) async fn read_action(
    conn: &mut AnyConnection,
    problem_id: i64,
    action_id: i64,
) -> StoreResult<ProblemAction> {
    let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1 AND a.problem_id = $2"))
        .bind(action_id)
        .bind(problem_id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode(&row)
}

/// An item's owner must be an active staff member.
async fn check_owner(conn: &mut AnyConnection, owner: Option<UserId>) -> StoreResult<()> {
    let Some(owner) = owner else {
        return Ok(());
    };
    sqlx::query("SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL")
        .bind(owner.0)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .map(|_| ())
        .ok_or_else(|| {
            StoreError::unknown("owner_user_id", "active staff member", owner.0.to_string())
        })
}

/// "“Title” (owner Ada, due 2026-12-01 17:00 UTC)", for the timeline.
fn describe(action: &ProblemAction) -> String {
    let mut details = Vec::new();
    if let Some(owner) = &action.owner {
        details.push(format!("owner {}", owner.name));
    }
    if let Some(due) = action.due_at {
        details.push(format!("due {}", due.strftime("%Y-%m-%d %H:%M UTC")));
    }
    if details.is_empty() {
        format!("“{}”", action.title)
    } else {
        format!("“{}” ({})", action.title, details.join(", "))
    }
}

impl SqlStore {
    pub(crate) async fn read_problem_actions(&self, id: i64) -> StoreResult<Vec<ProblemAction>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE a.problem_id = $1 ORDER BY \
             CASE WHEN a.done_at IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN a.due_at IS NULL THEN 1 ELSE 0 END, a.due_at, a.id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter().map(decode).collect()
    }

    pub(crate) async fn insert_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action: ActionInput,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        require_problem(&mut tx, problem_id).await?;
        check_owner(&mut tx, action.owner).await?;
        let row = sqlx::query(
            "INSERT INTO problem_actions (problem_id, title, owner_user_id, due_at, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(problem_id)
        .bind(action.fields.title)
        .bind(action.owner.map(|u| u.0))
        .bind(action.fields.due.map(to_micros))
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let id: i64 = get(&row, "id")?;
        let created = read_action(&mut tx, problem_id, id).await?;
        touch(&mut tx, problem_id, now).await?;
        let body = format!("Action added: {}", describe(&created));
        problem_event(
            &mut tx,
            problem_id,
            "action_added",
            &Who::of(actor),
            body,
            now,
        )
        .await?;
        audit(
            &mut tx,
            actor,
            "problem_action.create",
            "problem_action",
            Some(id.to_string()),
            None,
            snapshot(&created),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    pub(crate) async fn save_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        action: ActionInput,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_action(&mut tx, problem_id, action_id).await?;
        check_owner(&mut tx, action.owner).await?;
        let unchanged = before.title == action.fields.title
            && before.due_at == action.fields.due
            && before.owner.as_ref().map(|u| u.id) == action.owner;
        if unchanged {
            return Ok(before);
        }
        let escalation_level = if before.due_at == action.fields.due {
            before.escalation_level
        } else {
            0
        };
        sqlx::query(
            "UPDATE problem_actions SET title = $1, owner_user_id = $2, due_at = $3, \
             escalation_level = $4 WHERE id = $5",
        )
        .bind(action.fields.title)
        .bind(action.owner.map(|u| u.0))
        .bind(action.fields.due.map(to_micros))
        .bind(escalation_level)
        .bind(action_id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let after = read_action(&mut tx, problem_id, action_id).await?;
        touch(&mut tx, problem_id, now).await?;
        let body = format!("Action changed: {}", describe(&after));
        problem_event(
            &mut tx,
            problem_id,
            "action_updated",
            &Who::of(actor),
            body,
            now,
        )
        .await?;
        audit(
            &mut tx,
            actor,
            "problem_action.update",
            "problem_action",
            Some(action_id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    /// Marks the item done (`done`) or open again; unchanged when it already is.
    pub(crate) async fn mark_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        done: bool,
        now: Timestamp,
    ) -> StoreResult<ProblemAction> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_action(&mut tx, problem_id, action_id).await?;
        if before.is_done() == done {
            return Ok(before);
        }
        let query = if done {
            sqlx::query("UPDATE problem_actions SET done_at = $1 WHERE id = $2 AND done_at IS NULL")
                .bind(to_micros(now))
        } else {
            sqlx::query(
                "UPDATE problem_actions SET done_at = NULL WHERE id = $1 AND done_at IS NOT NULL",
            )
        };
        query
            .bind(action_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let after = read_action(&mut tx, problem_id, action_id).await?;
        touch(&mut tx, problem_id, now).await?;
        let (kind, verb, action) = if done {
            ("action_done", "Action done", "problem_action.complete")
        } else {
            (
                "action_reopened",
                "Action reopened",
                "problem_action.reopen",
            )
        };
        let body = format!("{verb}: {}", describe(&after));
        problem_event(&mut tx, problem_id, kind, &Who::of(actor), body, now).await?;
        audit(
            &mut tx,
            actor,
            action,
            "problem_action",
            Some(action_id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    pub(crate) async fn remove_action(
        &self,
        actor: &Actor,
        problem_id: i64,
        action_id: i64,
        now: Timestamp,
    ) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_action(&mut tx, problem_id, action_id).await?;
        sqlx::query("DELETE FROM problem_actions WHERE id = $1")
            .bind(action_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        touch(&mut tx, problem_id, now).await?;
        let body = format!("Action removed: {}", describe(&before));
        problem_event(
            &mut tx,
            problem_id,
            "action_deleted",
            &Who::of(actor),
            body,
            now,
        )
        .await?;
        audit(
            &mut tx,
            actor,
            "problem_action.delete",
            "problem_action",
            Some(action_id.to_string()),
            snapshot(&before),
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }
}
