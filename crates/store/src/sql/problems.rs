//! Systemic problems: reading and listing them with the counts of their links and action
//! items, creating and editing them, moving their status, notes, and their timeline. Each
//! change writes a timeline entry and the audit log in its own transaction.

use super::customers::{decode_team_ref, decode_user_ref};
use super::query::{
    Bind, Conditions, audit, fetch_page, get, get_opt_time, get_time, parse_stored, snapshot,
};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::improvement::*;
use crate::model::{Actor, ListParams, Page, TouchpointRef};
use crate::traits::StoreResult;
use domain::access::TeamKind;
use domain::improvement::problem::ProblemStatus;
use domain::time::to_micros;
use domain::{TeamId, TouchpointId, UserId};
use jiff::Timestamp;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// The problem query; `now` (UTC microseconds, an integer this module computes, never input
/// text) decides which open action items count as overdue.
fn select(now: i64) -> String {
    format!(
        "SELECT p.id, p.title, p.description, p.root_cause, p.root_cause_category, p.driver, \
         p.status, p.effort_minor, p.created_at, p.updated_at, p.solved_at, \
         tp.id AS touchpoint_id, tp.key AS touchpoint_key, tp.name AS touchpoint_name, \
         ot.id AS owner_team_id, ot.key AS owner_team_key, ot.name AS owner_team_name, \
         u.id AS owner_id, u.name AS owner_name, u.external_id AS owner_external_id, \
         cb.id AS creator_id, cb.name AS creator_name, cb.external_id AS creator_external_id, \
         (SELECT COUNT(*) FROM problem_links l WHERE l.problem_id = p.id) AS link_count, \
         (SELECT COUNT(*) FROM problem_actions a WHERE a.problem_id = p.id AND a.done_at IS NULL) \
         AS open_actions, \
         (SELECT COUNT(*) FROM problem_actions a WHERE a.problem_id = p.id AND a.done_at IS NULL \
         AND a.due_at <= {now}) AS overdue_actions \
         FROM problems p JOIN teams ot ON ot.id = p.owner_team_id \
         LEFT JOIN touchpoints tp ON tp.id = p.touchpoint_id \
         LEFT JOIN users u ON u.id = p.owner_user_id \
         LEFT JOIN users cb ON cb.id = p.created_by_user_id"
    )
}

fn decode(row: &AnyRow) -> StoreResult<Problem> {
    let touchpoint = match get::<Option<i64>>(row, "touchpoint_id")? {
        Some(id) => Some(TouchpointRef {
            id: TouchpointId(id),
            key: get(row, "touchpoint_key")?,
            name: get(row, "touchpoint_name")?,
        }),
        None => None,
    };
    Ok(Problem {
        id: get(row, "id")?,
        title: get(row, "title")?,
        description: get(row, "description")?,
        root_cause: get(row, "root_cause")?,
        root_cause_category: get(row, "root_cause_category")?,
        driver: get(row, "driver")?,
        touchpoint,
        owner_team: decode_team_ref(row, "owner_team")?
            .ok_or_else(|| StoreError::Internal("a problem without its owning team".into()))?,
        owner_user: decode_user_ref(row, "owner")?,
        status: parse_stored(&get::<String>(row, "status")?, ProblemStatus::parse)?,
        effort_minor: get(row, "effort_minor")?,
        created_by: decode_user_ref(row, "creator")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        solved_at: get_opt_time(row, "solved_at")?,
        link_count: get(row, "link_count")?,
        open_actions: get(row, "open_actions")?,
        overdue_actions: get(row, "overdue_actions")?,
    })
}

pub(crate) async fn read_problem(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
) -> StoreResult<Problem> {
    let row = sqlx::query(&format!("{} WHERE p.id = $1", select(to_micros(now))))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    decode(&row)
}

/// `NotFound` unless the problem exists.
pub(crate) async fn require_problem(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    sqlx::query("SELECT id FROM problems WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// Marks the problem as changed at `now`.
pub(crate) async fn touch(conn: &mut AnyConnection, id: i64, now: Timestamp) -> StoreResult<()> {
    sqlx::query("UPDATE problems SET updated_at = $1 WHERE id = $2")
        .bind(to_micros(now))
        .bind(id)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// Who did something on a problem's timeline.
pub(crate) struct Who<'a> {
    pub label: &'a str,
    pub user: Option<i64>,
}

impl<'a> Who<'a> {
    pub fn of(actor: &'a Actor) -> Self {
        Self {
            label: actor.label(),
            user: match actor {
                Actor::User { id, .. } => Some(id.0),
                _ => None,
            },
        }
    }
}

/// Adds an entry to a problem's timeline.
pub(crate) async fn problem_event(
    conn: &mut AnyConnection,
    problem_id: i64,
    kind: &str,
    who: &Who<'_>,
    body: String,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO problem_events (problem_id, at, actor_user_id, actor_label, kind, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(problem_id)
    .bind(to_micros(now))
    .bind(who.user)
    .bind(who.label.to_owned())
    .bind(kind.to_owned())
    .bind(body)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// The owning team must exist and be an operations or key success team; the owner must be an
/// active member of it.
async fn check_owners(
    conn: &mut AnyConnection,
    team: TeamId,
    user: Option<UserId>,
) -> StoreResult<()> {
    let row = sqlx::query("SELECT kind FROM teams WHERE id = $1")
        .bind(team.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::unknown("owner_team", "team", team.0.to_string()))?;
    let kind = parse_stored(&get::<String>(&row, "kind")?, TeamKind::parse)?;
    if !matches!(kind, TeamKind::Operations | TeamKind::KeySuccess) {
        return Err(StoreError::unknown(
            "owner_team",
            "operations or key success team",
            team.0.to_string(),
        ));
    }
    if let Some(user) = user {
        sqlx::query(
            "SELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = $1 AND m.user_id = $2 AND u.disabled_at IS NULL",
        )
        .bind(team.0)
        .bind(user.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| {
            StoreError::unknown(
                "owner_user_id",
                "active member of the owning team",
                user.0.to_string(),
            )
        })?;
    }
    Ok(())
}

async fn check_touchpoint(conn: &mut AnyConnection, touchpoint: Option<i64>) -> StoreResult<()> {
    let Some(id) = touchpoint else {
        return Ok(());
    };
    sqlx::query("SELECT id FROM touchpoints WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .map(|_| ())
        .ok_or_else(|| StoreError::unknown("touchpoint", "touchpoint", id.to_string()))
}

fn filter_conditions(filter: &ProblemFilter) -> Conditions {
    let mut c = Conditions::default();
    if let Some(status) = filter.status {
        c.push("p.status = ?", [Bind::Text(status.as_str().into())]);
    }
    if filter.open_only {
        c.push("p.status <> 'solved'", []);
    }
    if let Some(team) = filter.owner_team {
        c.push("p.owner_team_id = ?", [Bind::Int(team.0)]);
    }
    if let Some(user) = filter.visible_to {
        c.push(
            "(p.owner_team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = ?) \
             OR p.owner_user_id = ? OR EXISTS (SELECT 1 FROM problem_actions a \
             WHERE a.problem_id = p.id AND a.owner_user_id = ?))",
            [Bind::Int(user.0), Bind::Int(user.0), Bind::Int(user.0)],
        );
    }
    c
}

/// What changed between two versions of a problem, for the timeline.
fn changes(before: &Problem, after: &Problem) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let pairs: [(&'static str, bool); 9] = [
        ("title", before.title != after.title),
        ("description", before.description != after.description),
        ("root cause", before.root_cause != after.root_cause),
        (
            "root-cause category",
            before.root_cause_category != after.root_cause_category,
        ),
        ("driver", before.driver != after.driver),
        ("touchpoint", before.touchpoint != after.touchpoint),
        ("effort", before.effort_minor != after.effort_minor),
        ("owning team", before.owner_team != after.owner_team),
        ("owner", before.owner_user != after.owner_user),
    ];
    for (name, differs) in pairs {
        if differs {
            changed.push(name);
        }
    }
    changed
}

impl SqlStore {
    pub(crate) async fn insert_problem(
        &self,
        actor: &Actor,
        problem: NewProblem,
        now: Timestamp,
    ) -> StoreResult<Problem> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        check_owners(&mut tx, problem.owner_team, problem.owner_user).await?;
        check_touchpoint(&mut tx, problem.fields.touchpoint).await?;
        let who = Who::of(actor);
        let fields = problem.fields;
        let row = sqlx::query(
            "INSERT INTO problems (title, description, root_cause, root_cause_category, driver, \
             touchpoint_id, owner_team_id, owner_user_id, status, effort_minor, created_by_user_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
             RETURNING id",
        )
        .bind(fields.title.clone())
        .bind(fields.description)
        .bind(fields.root_cause)
        .bind(fields.root_cause_category)
        .bind(fields.driver)
        .bind(fields.touchpoint)
        .bind(problem.owner_team.0)
        .bind(problem.owner_user.map(|u| u.0))
        .bind(ProblemStatus::Identified.as_str())
        .bind(fields.effort_minor)
        .bind(who.user)
        .bind(to_micros(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let id: i64 = get(&row, "id")?;
        let body = format!("Problem identified: {}", fields.title);
        problem_event(&mut tx, id, "created", &who, body, now).await?;
        let created = read_problem(&mut tx, id, now).await?;
        audit(
            &mut tx,
            actor,
            "problem.create",
            "problem",
            Some(id.to_string()),
            None,
            snapshot(&created),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    pub(crate) async fn save_problem(
        &self,
        actor: &Actor,
        id: i64,
        update: ProblemUpdate,
        now: Timestamp,
    ) -> StoreResult<Problem> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_problem(&mut tx, id, now).await?;
        check_owners(&mut tx, update.owner_team, update.owner_user).await?;
        check_touchpoint(&mut tx, update.fields.touchpoint).await?;
        let unchanged = before.fields() == update.fields
            && before.owner_team.id == update.owner_team
            && before.owner_user.as_ref().map(|u| u.id) == update.owner_user;
        if unchanged {
            return Ok(before);
        }
        let fields = update.fields;
        sqlx::query(
            "UPDATE problems SET title = $1, description = $2, root_cause = $3, \
             root_cause_category = $4, driver = $5, touchpoint_id = $6, owner_team_id = $7, \
             owner_user_id = $8, effort_minor = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(fields.title)
        .bind(fields.description)
        .bind(fields.root_cause)
        .bind(fields.root_cause_category)
        .bind(fields.driver)
        .bind(fields.touchpoint)
        .bind(update.owner_team.0)
        .bind(update.owner_user.map(|u| u.0))
        .bind(fields.effort_minor)
        .bind(to_micros(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let after = read_problem(&mut tx, id, now).await?;
        let mut body = format!("Changed the {}", changes(&before, &after).join(", "));
        if before.owner_team != after.owner_team || before.owner_user != after.owner_user {
            body.push_str(&format!(
                "; owned by {} / {}",
                after.owner_team.name,
                after
                    .owner_user
                    .as_ref()
                    .map_or("nobody in particular", |u| u.name.as_str())
            ));
        }
        problem_event(&mut tx, id, "updated", &Who::of(actor), body, now).await?;
        audit(
            &mut tx,
            actor,
            "problem.update",
            "problem",
            Some(id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    pub(crate) async fn move_problem(
        &self,
        actor: &Actor,
        id: i64,
        to: ProblemStatus,
        note: Option<String>,
        now: Timestamp,
    ) -> StoreResult<Problem> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let before = read_problem(&mut tx, id, now).await?;
        before
            .status
            .check_move(to)
            .map_err(|e| StoreError::Conflict(e.message))?;
        let solved_at = (to == ProblemStatus::Solved).then(|| to_micros(now));
        let moved = sqlx::query(
            "UPDATE problems SET status = $1, solved_at = $2, updated_at = $3 \
             WHERE id = $4 AND status = $5",
        )
        .bind(to.as_str())
        .bind(solved_at)
        .bind(to_micros(now))
        .bind(id)
        .bind(before.status.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the problem's status changed meanwhile; look again".into(),
            ));
        }
        let mut body = format!("{} → {}", before.status.label(), to.label());
        if let Some(note) = note {
            body.push_str(&format!(": {note}"));
        }
        problem_event(&mut tx, id, "status", &Who::of(actor), body, now).await?;
        let after = read_problem(&mut tx, id, now).await?;
        audit(
            &mut tx,
            actor,
            "problem.status",
            "problem",
            Some(id.to_string()),
            snapshot(&before),
            snapshot(&after),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(after)
    }

    pub(crate) async fn insert_problem_note(
        &self,
        actor: &Actor,
        id: i64,
        body: String,
        now: Timestamp,
    ) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        require_problem(&mut tx, id).await?;
        touch(&mut tx, id, now).await?;
        problem_event(&mut tx, id, "note", &Who::of(actor), body.clone(), now).await?;
        audit(
            &mut tx,
            actor,
            "problem.note",
            "problem",
            Some(id.to_string()),
            None,
            Some(serde_json::json!({ "note": body })),
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn read_problem_by_id(&self, id: i64, now: Timestamp) -> StoreResult<Problem> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        read_problem(&mut conn, id, now).await
    }

    pub(crate) async fn problems_page(
        &self,
        params: &ListParams,
        filter: &ProblemFilter,
        now: Timestamp,
    ) -> StoreResult<Page<Problem>> {
        let mut conditions = filter_conditions(filter);
        conditions.paging(
            params,
            "p.id",
            &["p.title", "p.description", "p.root_cause"],
        );
        fetch_page(
            self.pool(),
            &select(to_micros(now)),
            "p.id",
            &conditions,
            params,
            decode,
            |p| p.id,
        )
        .await
    }

    pub(crate) async fn read_problem_events(&self, id: i64) -> StoreResult<Vec<ProblemEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, kind, actor_label, detail FROM problem_events \
             WHERE problem_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(ProblemEvent {
                    id: get(row, "id")?,
                    at: get_time(row, "at")?,
                    kind: get(row, "kind")?,
                    actor: get(row, "actor_label")?,
                    body: get(row, "detail")?,
                })
            })
            .collect()
    }
}
