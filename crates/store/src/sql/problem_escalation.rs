//! The sweep of overdue action items: each open item of an unsolved problem climbs the ladder
//! owner → owning team's managers → president, one rung per step past its due time. Each item
//! is escalated in a transaction of its own, and the new level is written only if the stored
//! one is still what was read (compare and set), so two instances sweeping at once take each
//! step once; notifications carry a key per item, rung and due time besides.

use super::effects::{self, Notice};
use super::problems::{Who, problem_event};
use super::query::{audit, get, get_time};
use super::{SqlStore, map_err};
use crate::improvement::ActionEscalated;
use crate::model::Actor;
use crate::traits::StoreResult;
use domain::improvement::problem::ActionEscalation;
use domain::time::to_micros;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

/// At most this many overdue items are looked at per sweep; the next sweep takes the rest.
const SWEEP_LIMIT: i64 = 500;

/// What escalating one item needs to know.
const ITEM_SELECT: &str = "SELECT a.id, a.problem_id, a.title, a.due_at, a.escalation_level, \
    a.owner_user_id, p.title AS problem_title, p.owner_team_id, p.owner_user_id AS problem_owner \
    FROM problem_actions a JOIN problems p ON p.id = a.problem_id";

const OVERDUE: &str = "a.done_at IS NULL AND a.due_at IS NOT NULL AND a.due_at <= $1 \
    AND a.escalation_level < $2 AND p.status <> 'solved'";

struct Item {
    id: i64,
    problem_id: i64,
    title: String,
    problem_title: String,
    due: Timestamp,
    level: i64,
    owner: Option<i64>,
    problem_owner: Option<i64>,
    team: i64,
}

fn decode(row: &sqlx::any::AnyRow) -> StoreResult<Item> {
    Ok(Item {
        id: get(row, "id")?,
        problem_id: get(row, "problem_id")?,
        title: get(row, "title")?,
        problem_title: get(row, "problem_title")?,
        due: get_time(row, "due_at")?,
        level: get(row, "escalation_level")?,
        owner: get(row, "owner_user_id")?,
        problem_owner: get(row, "problem_owner")?,
        team: get(row, "owner_team_id")?,
    })
}

/// Who is told at `rung`: the item's owner (else the problem's, else the team's leads), the
/// owning team's managers (else its members), or the president.
async fn recipients(
    conn: &mut AnyConnection,
    item: &Item,
    rung: ActionEscalation,
) -> StoreResult<Vec<i64>> {
    Ok(match rung {
        ActionEscalation::Owner => match item.owner.or(item.problem_owner) {
            Some(owner) => vec![owner],
            None => effects::team_leads(conn, item.team).await?,
        },
        ActionEscalation::Manager => effects::team_leads(conn, item.team).await?,
        ActionEscalation::President => effects::president(conn).await?.into_iter().collect(),
    })
}

async fn names(conn: &mut AnyConnection, users: &[i64]) -> StoreResult<Vec<String>> {
    let mut names = Vec::with_capacity(users.len());
    for user in users {
        let row = sqlx::query("SELECT name FROM users WHERE id = $1")
            .bind(*user)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?;
        if let Some(row) = row {
            names.push(get(&row, "name")?);
        }
    }
    Ok(names)
}

/// Records one rung and tells whoever now has to look.
async fn climb(
    conn: &mut AnyConnection,
    item: &Item,
    rung: ActionEscalation,
    now: Timestamp,
) -> StoreResult<Vec<i64>> {
    let told = recipients(&mut *conn, item, rung).await?;
    let told_names = names(&mut *conn, &told).await?;
    let due = item.due.strftime("%Y-%m-%d %H:%M UTC");
    let body = format!(
        "“{}”, due {due}, is overdue: escalated to the {}{}",
        item.title,
        rung.label(),
        if told_names.is_empty() {
            " (nobody holds that role)".to_owned()
        } else {
            format!(" ({})", told_names.join(", "))
        }
    );
    let system = Who {
        label: "Perfect Service",
        user: None,
    };
    problem_event(&mut *conn, item.problem_id, "escalated", &system, body, now).await?;
    let title = match rung {
        ActionEscalation::Owner => format!("Your action item is overdue: {}", item.title),
        _ => format!("Overdue action item escalated to you: {}", item.title),
    };
    let notice = Notice {
        kind: "problem.action_overdue",
        title,
        body: format!(
            "Problem #{} “{}”: “{}” was due {due}.",
            item.problem_id, item.problem_title, item.title
        ),
        link: format!("/problems/{}", item.problem_id),
        key: format!(
            "problem_action:{}:escalated:{}:{}",
            item.id,
            rung.level(),
            to_micros(item.due)
        ),
    };
    effects::notify(conn, &told, &notice, now).await?;
    Ok(told)
}

impl SqlStore {
    pub(crate) async fn sweep_overdue_actions(
        &self,
        now: Timestamp,
        step: SignedDuration,
    ) -> StoreResult<Vec<ActionEscalated>> {
        let rows = sqlx::query(&format!(
            "SELECT a.id FROM problem_actions a JOIN problems p ON p.id = a.problem_id \
             WHERE {OVERDUE} ORDER BY a.id LIMIT {SWEEP_LIMIT}"
        ))
        .bind(to_micros(now))
        .bind(ActionEscalation::President.level())
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let mut escalated = Vec::new();
        for row in &rows {
            let id: i64 = get(row, "id")?;
            escalated.extend(self.escalate_action(id, now, step).await?);
        }
        Ok(escalated)
    }

    async fn escalate_action(
        &self,
        id: i64,
        now: Timestamp,
        step: SignedDuration,
    ) -> StoreResult<Vec<ActionEscalated>> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let row = sqlx::query(&format!("{ITEM_SELECT} WHERE a.id = $3 AND {OVERDUE}"))
            .bind(to_micros(now))
            .bind(ActionEscalation::President.level())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(row) = row else {
            return Ok(Vec::new());
        };
        let item = decode(&row)?;
        let Some(required) = ActionEscalation::due_at(item.due, now, step) else {
            return Ok(Vec::new());
        };
        if required.level() <= item.level {
            return Ok(Vec::new());
        }
        let changed = sqlx::query(
            "UPDATE problem_actions SET escalation_level = $1 \
             WHERE id = $2 AND escalation_level = $3 AND done_at IS NULL",
        )
        .bind(required.level())
        .bind(id)
        .bind(item.level)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if changed.rows_affected() == 0 {
            // Another instance got there first.
            return Ok(Vec::new());
        }
        let mut steps = Vec::new();
        for level in (item.level + 1)..=required.level() {
            let Some(rung) = ActionEscalation::from_level(level) else {
                continue;
            };
            let notified = climb(&mut tx, &item, rung, now).await?;
            steps.push(ActionEscalated {
                problem_id: item.problem_id,
                action_id: id,
                level: rung,
                notified,
            });
        }
        let system = Actor::System {
            label: "escalation of overdue action items".into(),
        };
        audit(
            &mut tx,
            &system,
            "problem_action.escalate",
            "problem_action",
            Some(id.to_string()),
            Some(serde_json::json!({ "escalation_level": item.level })),
            Some(serde_json::json!({ "escalation_level": required.level() })),
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(steps)
    }
}
