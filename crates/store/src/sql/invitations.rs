//! Invitations: created with the transaction they ask about (respecting fatigue rules and
//! opt-outs), looked up by the survey page, and moved through their states.

use super::outbox::enqueue;
use super::query::{get, get_time, now_micros};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::knowledge::*;
use crate::model::{Actor, CustomerRef, TouchpointRef, UserRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::fatigue::next_send_time;
use domain::time::{from_micros, to_micros};
use domain::{CustomerId, TeamId, TouchpointId, TransactionId, UserId};
use jiff::Timestamp;
use rand::RngCore;
use sqlx::AnyConnection;

const MICROS_PER_DAY: i64 = 86_400_000_000;
const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// The rules and time zone that decide invitations, read once per batch.
#[derive(Clone)]
pub(crate) struct InvitationPolicy {
    pub rules: InvitationRules,
    pub zone: jiff::tz::TimeZone,
}

pub(crate) async fn read_rules(conn: &mut AnyConnection) -> StoreResult<InvitationPolicy> {
    let row = sqlx::query(
        "SELECT time_zone, invitation_min_days, quiet_hours_start, quiet_hours_end, invitation_ttl_days, \
         reminder_after_hours FROM organization WHERE id = 1",
    )
    .fetch_one(conn)
    .await
    .map_err(map_err)?;
    let quiet = match (
        get::<Option<i64>>(&row, "quiet_hours_start")?,
        get::<Option<i64>>(&row, "quiet_hours_end")?,
    ) {
        (Some(s), Some(e)) => Some((s, e)),
        _ => None,
    };
    let zone_name: String = get(&row, "time_zone")?;
    Ok(InvitationPolicy {
        rules: InvitationRules {
            min_days_between: get(&row, "invitation_min_days")?,
            quiet_hours: quiet,
            ttl_days: get(&row, "invitation_ttl_days")?,
            reminder_after_hours: get(&row, "reminder_after_hours")?,
        },
        zone: jiff::tz::TimeZone::get(&zone_name).unwrap_or(jiff::tz::TimeZone::UTC),
    })
}

/// Creates the invitation for a newly recorded transaction, if its touchpoint has a survey,
/// the customer has not opted out and fatigue rules allow. Runs inside the caller's transaction.
pub(crate) async fn invite(
    conn: &mut AnyConnection,
    policy: &InvitationPolicy,
    transaction: i64,
    customer: i64,
    touchpoint: i64,
    team: Option<i64>,
    survey: Option<&SurveyVersion>,
) -> StoreResult<()> {
    let Some(survey) = survey else {
        return Ok(());
    };
    let row = sqlx::query(
        "SELECT c.email, c.opted_out_at, p.invitation_min_days FROM customers c, touchpoints p WHERE c.id = $1 AND p.id = $2",
    )
    .bind(customer)
    .bind(touchpoint)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    if get::<Option<i64>>(&row, "opted_out_at")?.is_some() {
        return Ok(());
    }
    let now = now_micros();
    let min_days =
        get::<Option<i64>>(&row, "invitation_min_days")?.unwrap_or(policy.rules.min_days_between);
    if min_days > 0 {
        let recent = sqlx::query(
            "SELECT id FROM invitations WHERE customer_id = $1 AND created_at > $2 LIMIT 1",
        )
        .bind(customer)
        .bind(now - min_days * MICROS_PER_DAY)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
        if recent.is_some() {
            return Ok(());
        }
    }
    let email: Option<String> = get(&row, "email")?;
    let channel = if email.is_some() { "email" } else { "link" };
    let state = if email.is_some() {
        invitation_state::QUEUED
    } else {
        invitation_state::SENT
    };
    let send_after = to_micros(next_send_time(
        from_micros(now),
        &policy.zone,
        policy.rules.quiet_hours,
    ));
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let lookup_id: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let row = sqlx::query(
        "INSERT INTO invitations (lookup_id, transaction_id, customer_id, survey_version_id, channel, state, \
         created_at, send_after, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(lookup_id)
    .bind(transaction)
    .bind(customer)
    .bind(survey.id)
    .bind(channel)
    .bind(state)
    .bind(now)
    .bind(send_after)
    .bind(if email.is_some() { None } else { Some(now) })
    .bind(now + policy.rules.ttl_days.max(1) * MICROS_PER_DAY)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    let id: i64 = get(&row, "id")?;
    let day = super::rollups::local_day(from_micros(now), &policy.zone);
    super::rollups::count_invitation(conn, day, team, touchpoint, 1, 0).await?;
    if email.is_some() {
        let first = serde_json::json!({"invitation_id": id, "reminder": false});
        enqueue(conn, topics::INVITATION_EMAIL, &first, send_after).await?;
        if policy.rules.reminder_after_hours > 0 {
            let reminder = serde_json::json!({"invitation_id": id, "reminder": true});
            let due = send_after + policy.rules.reminder_after_hours * MICROS_PER_HOUR;
            enqueue(conn, topics::INVITATION_EMAIL, &reminder, due).await?;
        }
    }
    Ok(())
}

/// The invitation's state as seen now: an unanswered invitation past its expiry is expired.
fn effective_state(state: String, expires_at: Timestamp, now: Timestamp) -> String {
    if state != invitation_state::ANSWERED && expires_at <= now {
        invitation_state::EXPIRED.to_owned()
    } else {
        state
    }
}

#[async_trait]
impl InvitationStore for SqlStore {
    async fn invitation_rules(&self) -> StoreResult<InvitationRules> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        Ok(read_rules(&mut conn).await?.rules)
    }

    async fn set_invitation_rules(&self, actor: &Actor, rules: InvitationRules) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let before = read_rules(&mut w.tx).await?.rules;
        sqlx::query(
            "UPDATE organization SET invitation_min_days = $1, quiet_hours_start = $2, quiet_hours_end = $3, \
             invitation_ttl_days = $4, reminder_after_hours = $5 WHERE id = 1",
        )
        .bind(rules.min_days_between)
        .bind(rules.quiet_hours.map(|q| q.0))
        .bind(rules.quiet_hours.map(|q| q.1))
        .bind(rules.ttl_days)
        .bind(rules.reminder_after_hours)
        .execute(&mut *w.tx)
        .await
        .map_err(map_err)?;
        let snapshot = |r: &InvitationRules| serde_json::to_value(r).ok();
        super::query::audit(
            &mut w.tx,
            actor,
            "invitation_rules.update",
            "organization",
            None,
            snapshot(&before),
            snapshot(&rules),
        )
        .await?;
        w.tx.commit().await.map_err(map_err)
    }

    async fn invitation_view(&self, lookup_id: &str) -> StoreResult<InvitationView> {
        let row = sqlx::query(
            "SELECT i.id, i.state, i.expires_at, i.draft_answers, i.survey_version_id, i.transaction_id, \
             c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
             c.email AS customer_email, c.locale AS customer_locale, c.opted_out_at AS customer_opted_out_at, \
             p.id AS touchpoint_id, p.key AS touchpoint_key, p.name AS touchpoint_name, \
             x.occurred_at, x.team_id, u.id AS staff_id, u.name AS staff_name, u.external_id AS staff_external_id, \
             o.name AS organization \
             FROM invitations i JOIN transactions x ON x.id = i.transaction_id \
             JOIN customers c ON c.id = i.customer_id JOIN touchpoints p ON p.id = x.touchpoint_id \
             LEFT JOIN users u ON u.id = x.staff_user_id CROSS JOIN organization o WHERE i.lookup_id = $1",
        )
        .bind(lookup_id.to_owned())
        .fetch_optional(self.pool())
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        let survey = self.survey_version(get(&row, "survey_version_id")?).await?;
        let draft: Option<String> = get(&row, "draft_answers")?;
        let expires_at = get_time(&row, "expires_at")?;
        let staff = match get::<Option<i64>>(&row, "staff_id")? {
            Some(id) => Some(UserRef {
                id: UserId(id),
                name: get(&row, "staff_name")?,
                external_id: get(&row, "staff_external_id")?,
            }),
            None => None,
        };
        Ok(InvitationView {
            id: get(&row, "id")?,
            state: effective_state(get(&row, "state")?, expires_at, Timestamp::now()),
            expires_at,
            draft: draft
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default(),
            survey,
            customer: CustomerRef {
                id: CustomerId(get(&row, "customer_id")?),
                external_id: get(&row, "customer_external_id")?,
                name: get(&row, "customer_name")?,
            },
            customer_email: get(&row, "customer_email")?,
            customer_locale: get(&row, "customer_locale")?,
            customer_opted_out: get::<Option<i64>>(&row, "customer_opted_out_at")?.is_some(),
            touchpoint: TouchpointRef {
                id: TouchpointId(get(&row, "touchpoint_id")?),
                key: get(&row, "touchpoint_key")?,
                name: get(&row, "touchpoint_name")?,
            },
            transaction_id: TransactionId(get(&row, "transaction_id")?),
            occurred_at: get_time(&row, "occurred_at")?,
            staff,
            team_id: get::<Option<i64>>(&row, "team_id")?.map(TeamId),
            organization: get(&row, "organization")?,
        })
    }

    async fn invitation_lookup_id(&self, invitation: i64) -> StoreResult<String> {
        let row = sqlx::query("SELECT lookup_id FROM invitations WHERE id = $1")
            .bind(invitation)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        get(&row, "lookup_id")
    }

    async fn save_draft(
        &self,
        invitation: i64,
        draft: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        let updated = sqlx::query(
            "UPDATE invitations SET draft_answers = $1, opened_at = COALESCE(opened_at, $2) \
             WHERE id = $3 AND state <> 'answered' AND expires_at > $2",
        )
        .bind(serde_json::Value::Object(draft.clone()).to_string())
        .bind(now_micros())
        .bind(invitation)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this survey has already been answered or has expired".into(),
            ));
        }
        tx.commit().await.map_err(map_err)
    }

    async fn mark_invitation_sent(
        &self,
        invitation: i64,
        reminder: bool,
        at: Timestamp,
    ) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        let sql = if reminder {
            "UPDATE invitations SET reminded_at = $1 WHERE id = $2"
        } else {
            "UPDATE invitations SET state = CASE WHEN state = 'answered' THEN state ELSE 'sent' END, \
             sent_at = $1, failure_reason = NULL WHERE id = $2"
        };
        sqlx::query(sql)
            .bind(to_micros(at))
            .bind(invitation)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn mark_invitation_failed(&self, invitation: i64, reason: &str) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        sqlx::query("UPDATE invitations SET state = 'failed', failure_reason = $1 WHERE id = $2 AND state IN ('queued', 'failed')")
            .bind(reason.chars().take(500).collect::<String>())
            .bind(invitation)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn opt_out(&self, lookup_id: &str, at: Timestamp) -> StoreResult<()> {
        let w = self.begin_write().await?;
        let mut tx = w.tx;
        let updated = sqlx::query(
            "UPDATE customers SET opted_out_at = COALESCE(opted_out_at, $1) \
             WHERE id = (SELECT customer_id FROM invitations WHERE lookup_id = $2)",
        )
        .bind(to_micros(at))
        .bind(lookup_id.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(map_err)
    }
}
