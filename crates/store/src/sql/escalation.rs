//! The SLA sweep (breached clocks marked, overdue cases escalated owner → team manager →
//! president, each step once) and the customer's follow-up ("did we make it right?").

use super::cases::{read_case, webhook_data};
use super::effects::{self, Notice, SYSTEM};
use super::query::{get, get_opt_time, get_time};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::recovery::*;
use crate::traits::StoreResult;
use domain::recovery::EscalationLevel;
use domain::recovery::sla::{Clocks, clock_state, required_level};
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;

/// At most this many overdue cases are looked at per sweep; the next sweep takes the rest.
const SWEEP_LIMIT: i64 = 500;

const CLOCKS_SELECT: &str = "SELECT id, first_contact_due_at, resolution_due_at, first_contacted_at, \
    resolved_at, escalation_level, first_contact_breached, resolution_breached FROM cases";

/// What a case's clocks require at `policy.now`, compared with what is recorded.
struct Decision {
    current: i64,
    level: i64,
    was_breached: (bool, bool),
    breached: (bool, bool),
}

/// The change a case needs, or `None` when its level and breach marks are already right.
fn decide(row: &sqlx::any::AnyRow, policy: &CasePolicy) -> StoreResult<Option<Decision>> {
    let clocks = Clocks {
        first_contact_due: get_time(row, "first_contact_due_at")?,
        resolution_due: get_time(row, "resolution_due_at")?,
    };
    let state = clock_state(
        clocks,
        get_opt_time(row, "first_contacted_at")?,
        get_opt_time(row, "resolved_at")?,
        policy.now,
    );
    let current: i64 = get(row, "escalation_level")?;
    let required = required_level(state.overdue_since, policy.now, &policy.sla).index();
    let was_breached = (
        get::<i64>(row, "first_contact_breached")? != 0,
        get::<i64>(row, "resolution_breached")? != 0,
    );
    let breached = (
        was_breached.0 || state.first_contact_breached,
        was_breached.1 || state.resolution_breached,
    );
    let level = required.max(current);
    Ok(
        (level != current || breached != was_breached).then_some(Decision {
            current,
            level,
            was_breached,
            breached,
        }),
    )
}

impl SqlStore {
    pub(crate) async fn sweep_overdue(&self, policy: &CasePolicy) -> StoreResult<Vec<Escalation>> {
        let now = to_micros(policy.now);
        let rows = sqlx::query(&format!(
            "{CLOCKS_SELECT} WHERE status IN ('new', 'contacted') AND \
             ((first_contacted_at IS NULL AND first_contact_due_at <= $1) OR resolution_due_at <= $1) \
             AND (escalation_level < 2 OR first_contact_breached = 0 OR resolution_breached = 0) \
             ORDER BY id LIMIT $2"
        ))
        .bind(now)
        .bind(SWEEP_LIMIT)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let mut escalations = Vec::new();
        for row in &rows {
            // Only cases whose level or breach marks must change are written.
            if decide(row, policy)?.is_some() {
                escalations.extend(self.escalate_one(get(row, "id")?, policy).await?);
            }
        }
        Ok(escalations)
    }

    async fn escalate_one(&self, id: i64, policy: &CasePolicy) -> StoreResult<Vec<Escalation>> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let row = sqlx::query(&format!("{CLOCKS_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let Some(Decision {
            current,
            level,
            was_breached,
            breached,
        }) = decide(&row, policy)?
        else {
            return Ok(Vec::new());
        };
        let changed = sqlx::query(
            "UPDATE cases SET escalation_level = $1, first_contact_breached = $2, resolution_breached = $3, \
             updated_at = $4 WHERE id = $5 AND escalation_level = $6 AND first_contact_breached = $7 \
             AND resolution_breached = $8",
        )
        .bind(level)
        .bind(i64::from(breached.0))
        .bind(i64::from(breached.1))
        .bind(to_micros(policy.now))
        .bind(id)
        .bind(current)
        .bind(i64::from(was_breached.0))
        .bind(i64::from(was_breached.1))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if changed.rows_affected() == 0 {
            // Another instance got there first.
            return Ok(Vec::new());
        }
        let now = policy.now;
        if breached.0 && !was_breached.0 {
            let body = "First-contact clock ran out".to_owned();
            effects::case_event(&mut tx, id, "breached", &SYSTEM, Some(body), now).await?;
        }
        if breached.1 && !was_breached.1 {
            let body = "Resolution clock ran out".to_owned();
            effects::case_event(&mut tx, id, "breached", &SYSTEM, Some(body), now).await?;
        }
        let mut escalations = Vec::new();
        for step in (current + 1)..=level {
            escalate_to(&mut tx, id, EscalationLevel::from_index(step), now).await?;
            escalations.push(Escalation {
                case_id: id,
                level: step,
            });
        }
        tx.commit().await.map_err(map_err)?;
        Ok(escalations)
    }

    pub(crate) async fn read_followup(
        &self,
        lookup_id: &str,
    ) -> StoreResult<(Case, FollowupEmail)> {
        let row = sqlx::query("SELECT id FROM cases WHERE followup_lookup_id = $1")
            .bind(lookup_id.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let id: i64 = get(&row, "id")?;
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let case = read_case(&mut conn, id).await?;
        let email = followup_email(&mut conn, id).await?;
        Ok((case, email))
    }

    pub(crate) async fn read_followup_email(&self, case_id: i64) -> StoreResult<FollowupEmail> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        followup_email(&mut conn, case_id).await
    }

    pub(crate) async fn set_followup_sent(&self, case_id: i64, at: Timestamp) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        sqlx::query("UPDATE cases SET followup_sent_at = $1 WHERE id = $2")
            .bind(to_micros(at))
            .bind(case_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let body = "Follow-up survey e-mailed to the customer".to_owned();
        effects::case_event(&mut tx, case_id, "followup_sent", &SYSTEM, Some(body), at).await?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn save_followup(
        &self,
        lookup_id: &str,
        recovered: bool,
        comment: Option<String>,
        at: Timestamp,
    ) -> StoreResult<Case> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let row =
            sqlx::query("SELECT id, followup_answered_at FROM cases WHERE followup_lookup_id = $1")
                .bind(lookup_id.to_owned())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?
                .ok_or(StoreError::NotFound)?;
        let id: i64 = get(&row, "id")?;
        let updated = sqlx::query(
            "UPDATE cases SET recovered = $1, followup_comment = $2, followup_answered_at = $3, \
             updated_at = $3 WHERE id = $4 AND followup_answered_at IS NULL",
        )
        .bind(i64::from(recovered))
        .bind(comment.clone())
        .bind(to_micros(at))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this follow-up was already answered".into(),
            ));
        }
        let verdict = if recovered {
            "The customer says we made it right"
        } else {
            "The customer says the problem is not fixed"
        };
        let body = match &comment {
            Some(c) => format!("{verdict}: {c}"),
            None => verdict.to_owned(),
        };
        effects::case_event(
            &mut tx,
            id,
            "followup_answered",
            &SYSTEM,
            Some(body.clone()),
            at,
        )
        .await?;
        let case = read_case(&mut tx, id).await?;
        let mut recipients: Vec<i64> = case.owner_user.iter().map(|u| u.id.0).collect();
        if recipients.is_empty()
            && let Some(team) = &case.owner_team
        {
            recipients = effects::team_members(&mut tx, team.id.0, None).await?;
        }
        let notice = Notice {
            kind: "case.followup",
            title: format!("Follow-up answered on case #{id}"),
            body,
            link: format!("/cases/{id}"),
            key: format!("case:{id}:followup:{lookup_id}"),
        };
        effects::notify(&mut tx, &recipients, &notice, at).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(case)
    }
}

/// Records one escalation step and tells whoever now has to look.
async fn escalate_to(
    conn: &mut AnyConnection,
    id: i64,
    level: EscalationLevel,
    now: Timestamp,
) -> StoreResult<()> {
    let case = read_case(&mut *conn, id).await?;
    let recipients = match level {
        EscalationLevel::Owner => Vec::new(),
        EscalationLevel::TeamManager => match &case.owner_team {
            Some(team) => effects::team_leads(&mut *conn, team.id.0).await?,
            None => effects::president(&mut *conn).await?.into_iter().collect(),
        },
        EscalationLevel::President => effects::president(&mut *conn).await?.into_iter().collect(),
    };
    let names = recipient_names(&mut *conn, &recipients).await?;
    let body = format!(
        "Escalated to the {}{}",
        level.label(),
        if names.is_empty() {
            " (nobody holds that role)".to_owned()
        } else {
            format!(": {}", names.join(", "))
        }
    );
    effects::case_event(&mut *conn, id, "escalated", &SYSTEM, Some(body), now).await?;
    let notice = Notice {
        kind: "case.escalated",
        title: format!("Overdue case #{id} escalated to you: {}", case.title),
        body: format!(
            "Opened {}; first contact was due {}, resolution {}.",
            case.opened_at, case.first_contact_due_at, case.resolution_due_at
        ),
        link: format!("/cases/{id}"),
        key: format!(
            "case:{id}:escalated:{}:{}",
            level.index(),
            to_micros(case.clock_started_at)
        ),
    };
    effects::notify(&mut *conn, &recipients, &notice, now).await?;
    let mut data = webhook_data(&case);
    if let Some(object) = data.as_object_mut() {
        object.insert("level".into(), serde_json::json!(level.label()));
    }
    let event = format!(
        "case.escalated:{id}:{}:{}",
        level.index(),
        to_micros(case.clock_started_at)
    );
    effects::emit(conn, "case.escalated", &event, data, now).await?;
    Ok(())
}

async fn recipient_names(conn: &mut AnyConnection, users: &[i64]) -> StoreResult<Vec<String>> {
    let mut names = Vec::new();
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

async fn followup_email(conn: &mut AnyConnection, case_id: i64) -> StoreResult<FollowupEmail> {
    let row = sqlx::query(
        "SELECT k.id, k.followup_lookup_id, k.followup_answered_at, c.name, c.email, c.locale, \
         c.opted_out_at, p.name AS touchpoint, o.name AS organization FROM cases k \
         JOIN customers c ON c.id = k.customer_id LEFT JOIN touchpoints p ON p.id = k.touchpoint_id \
         JOIN organization o ON o.id = 1 WHERE k.id = $1",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await
    .map_err(map_err)?
    .ok_or(StoreError::NotFound)?;
    let opted_out = get::<Option<i64>>(&row, "opted_out_at")?.is_some();
    Ok(FollowupEmail {
        case_id,
        lookup_id: get::<Option<String>>(&row, "followup_lookup_id")?.unwrap_or_default(),
        customer_name: get(&row, "name")?,
        customer_email: if opted_out { None } else { get(&row, "email")? },
        customer_locale: get(&row, "locale")?,
        touchpoint: get(&row, "touchpoint")?,
        organization: get(&row, "organization")?,
        answered: get::<Option<i64>>(&row, "followup_answered_at")?.is_some(),
    })
}
