//! The side effects of recovery work, always written inside the transaction of the fact that
//! caused them: in-app notifications (each with its e-mail job), webhook deliveries for every
//! subscribed endpoint, and entries of a case's timeline. Each carries a deterministic key, so
//! doing the same work twice cannot duplicate them.

use super::map_err;
use super::outbox::enqueue;
use super::query::get;
use crate::traits::StoreResult;
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;

pub(crate) use crate::knowledge::topics;

/// A notification for one or more staff members.
pub(crate) struct Notice<'a> {
    pub kind: &'a str,
    pub title: String,
    pub body: String,
    pub link: String,
    /// Unique per cause, e.g. `alert:12`; the recipient's id is appended.
    pub key: String,
}

/// Notifies each of `users` once per notice key; returns how many notifications were new.
pub(crate) async fn notify(
    conn: &mut AnyConnection,
    users: &[i64],
    notice: &Notice<'_>,
    now: Timestamp,
) -> StoreResult<usize> {
    let mut created = 0;
    let mut seen = std::collections::HashSet::new();
    for user in users.iter().filter(|u| seen.insert(**u)) {
        let row = sqlx::query(
            "INSERT INTO notifications (user_id, kind, title, body, link, created_at, dedupe_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        )
        .bind(*user)
        .bind(notice.kind.to_owned())
        .bind(notice.title.clone())
        .bind(notice.body.clone())
        .bind(notice.link.clone())
        .bind(to_micros(now))
        .bind(format!("{}:user:{user}", notice.key))
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
        if let Some(row) = row {
            let id: i64 = get(&row, "id")?;
            let payload = serde_json::json!({ "notification_id": id });
            enqueue(
                &mut *conn,
                topics::NOTIFICATION_EMAIL,
                &payload,
                to_micros(now),
            )
            .await?;
            created += 1;
        }
    }
    Ok(created)
}

/// Active members of `team`, optionally only those of `role`.
pub(crate) async fn team_members(
    conn: &mut AnyConnection,
    team: i64,
    role: Option<&str>,
) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id \
         WHERE m.team_id = $1 AND u.disabled_at IS NULL AND ($2 = '' OR u.role = $2) ORDER BY u.id",
    )
    .bind(team)
    .bind(role.unwrap_or("").to_owned())
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// The team's managers, or everyone in it when it has none.
pub(crate) async fn team_leads(conn: &mut AnyConnection, team: i64) -> StoreResult<Vec<i64>> {
    let managers = team_members(&mut *conn, team, Some("manager")).await?;
    if managers.is_empty() {
        team_members(conn, team, None).await
    } else {
        Ok(managers)
    }
}

/// The organization's president, if one is named.
pub(crate) async fn president(conn: &mut AnyConnection) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "SELECT o.president_user_id AS id FROM organization o \
         JOIN users u ON u.id = o.president_user_id WHERE o.id = 1 AND u.disabled_at IS NULL",
    )
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    Ok(match row {
        Some(row) => get::<Option<i64>>(&row, "id")?,
        None => None,
    })
}

/// The enabled webhook endpoints and what each subscribes to, read once per transaction.
pub(crate) struct Subscribers {
    endpoints: Vec<(i64, Vec<String>)>,
}

impl Subscribers {
    pub async fn load(conn: &mut AnyConnection) -> StoreResult<Self> {
        let rows = sqlx::query("SELECT id, event_types FROM webhook_endpoints WHERE enabled = 1")
            .fetch_all(conn)
            .await
            .map_err(map_err)?;
        let mut endpoints = Vec::with_capacity(rows.len());
        for row in &rows {
            let types: Vec<String> =
                serde_json::from_str(&get::<String>(row, "event_types")?).unwrap_or_default();
            endpoints.push((get(row, "id")?, types));
        }
        Ok(Self { endpoints })
    }

    /// Queues event `event_type` for every endpoint subscribed to it; returns how many
    /// deliveries were queued. `event_id` is stable for the fact, so a repeat queues nothing.
    pub async fn emit(
        &self,
        conn: &mut AnyConnection,
        event_type: &str,
        event_id: &str,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<usize> {
        let subscribed: Vec<i64> = self
            .endpoints
            .iter()
            .filter(|(_, types)| types.iter().any(|t| t == event_type))
            .map(|(id, _)| *id)
            .collect();
        if subscribed.is_empty() {
            return Ok(0);
        }
        let envelope = serde_json::json!({
            "id": event_id,
            "type": event_type,
            "schema_version": domain::webhook::SCHEMA_VERSION,
            "created_at": now.to_string(),
            "data": data,
        })
        .to_string();
        let mut queued = 0;
        for endpoint in subscribed {
            let inserted = sqlx::query(
                "INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, state, \
                 attempts, available_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) \
                 ON CONFLICT (endpoint_id, event_id) DO NOTHING",
            )
            .bind(endpoint)
            .bind(event_id.to_owned())
            .bind(event_type.to_owned())
            .bind(envelope.clone())
            .bind(to_micros(now))
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
            queued += inserted.rows_affected() as usize;
        }
        Ok(queued)
    }
}

/// Queues one event for its subscribers (reading them first).
pub(crate) async fn emit(
    conn: &mut AnyConnection,
    event_type: &str,
    event_id: &str,
    data: serde_json::Value,
    now: Timestamp,
) -> StoreResult<usize> {
    let subscribers = Subscribers::load(&mut *conn).await?;
    subscribers
        .emit(conn, event_type, event_id, data, now)
        .await
}

/// Who did something on a case's timeline.
pub(crate) struct EventActor<'a> {
    pub label: &'a str,
    pub user: Option<i64>,
}

pub(crate) const SYSTEM: EventActor<'static> = EventActor {
    label: "Perfect Service",
    user: None,
};

/// Adds an entry to a case's timeline.
pub(crate) async fn case_event(
    conn: &mut AnyConnection,
    case_id: i64,
    kind: &str,
    actor: &EventActor<'_>,
    body: Option<String>,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO case_events (case_id, at, kind, actor_label, actor_user_id, body) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(to_micros(now))
    .bind(kind.to_owned())
    .bind(actor.label.to_owned())
    .bind(actor.user)
    .bind(body)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
