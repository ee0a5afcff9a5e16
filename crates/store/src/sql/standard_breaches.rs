//! The real-time breach alert of performance standards: a subject still open past its
//! deadline is flagged once per standard — a `standard_breaches` row and a `standard_breach`
//! alert, both unique per standard and subject — with a notification to the owning team's
//! managers and `standard.breached` (and `alert.raised`) webhook events, in one transaction.

use super::effects::{self, Notice, Subscribers};
use super::query::get;
use super::{SqlStore, map_err};
use crate::recovery::alert_kind;
use crate::standards::{BreachesRaised, OpenBreach, StandardBreachStore, StoredStandard};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::standards::{Threshold, TimeBasis};
use domain::time::{display_in, to_micros};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::AnyConnection;
use std::collections::HashSet;

/// The webhook event announcing a breach.
pub(crate) const EVENT_TYPE: &str = "standard.breached";

/// The alert's unique key: one alert per standard and subject, ever.
fn dedupe_key(standard_id: i64, subject: &str) -> String {
    format!("standard_breach:{standard_id}:{subject}")
}

/// "3 h 5 min", "2 business hours": a duration in the standard's basis, at least a second.
fn duration_label(seconds: i64, basis: TimeBasis) -> String {
    Threshold {
        seconds: seconds.max(1),
        basis,
    }
    .label()
}

/// "Order", from the standard's subject label ("Subject" without one).
fn subject_noun(standard: &StoredStandard) -> String {
    let label = standard
        .definition
        .subject_label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("subject");
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Subject".to_owned(),
    }
}

/// The organization's time zone, for the alert's text (UTC when unreadable).
async fn zone(conn: &mut AnyConnection) -> StoreResult<TimeZone> {
    let row = sqlx::query("SELECT time_zone FROM organization WHERE id = 1")
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    let name: Option<String> = match row {
        Some(row) => Some(get(&row, "time_zone")?),
        None => None,
    };
    Ok(name
        .and_then(|n| TimeZone::get(&n).ok())
        .unwrap_or(TimeZone::UTC))
}

async fn customer_id(conn: &mut AnyConnection, external_id: &str) -> StoreResult<Option<i64>> {
    let row = sqlx::query("SELECT id FROM customers WHERE external_id = $1")
        .bind(external_id.to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.map(|r| get(&r, "id")).transpose()
}

impl SqlStore {
    /// The subjects of `standard_id` flagged already, among those started at `since` or later.
    async fn flagged_since(
        &self,
        standard_id: i64,
        since: Timestamp,
    ) -> StoreResult<HashSet<String>> {
        let rows = sqlx::query(
            "SELECT subject FROM standard_breaches WHERE standard_id = $1 AND started_at >= $2",
        )
        .bind(standard_id)
        .bind(to_micros(since))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| get(r, "subject")).collect()
    }
}

#[async_trait]
impl StandardBreachStore for SqlStore {
    async fn raise_standard_breaches(
        &self,
        standard: &StoredStandard,
        breaches: &[OpenBreach],
        now: Timestamp,
    ) -> StoreResult<BreachesRaised> {
        let mut raised = BreachesRaised::default();
        let Some(since) = breaches.iter().map(|b| b.started).min() else {
            return Ok(raised);
        };
        // Most sweeps find only subjects flagged before: skip them without taking the writer.
        // The unique keys below still decide when two instances race.
        let flagged = self.flagged_since(standard.id, since).await?;
        let fresh: Vec<&OpenBreach> = breaches
            .iter()
            .filter(|b| !flagged.contains(b.subject.as_str()))
            .collect();
        if fresh.is_empty() {
            return Ok(raised);
        }
        let definition = &standard.definition;
        let basis = definition.basis;
        let threshold = duration_label(definition.threshold_seconds, basis);
        let noun = subject_noun(standard);
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let zone = zone(&mut tx).await?;
        let subscribers = Subscribers::load(&mut tx).await?;
        let recipients = effects::team_leads(&mut tx, standard.team.id.0).await?;
        for breach in fresh {
            let subject = breach.subject.as_str();
            let customer = breach.customer.as_ref().map(|c| c.as_str().to_owned());
            let transaction = breach.transaction.as_ref().map(|t| t.as_str().to_owned());
            let row = sqlx::query(
                "INSERT INTO standard_breaches (standard_id, subject, customer_external_id, \
                 transaction_external_id, started_at, deadline_at, raised_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (standard_id, subject) DO NOTHING RETURNING id",
            )
            .bind(standard.id)
            .bind(subject.to_owned())
            .bind(customer.clone())
            .bind(transaction.clone())
            .bind(to_micros(breach.started))
            .bind(to_micros(breach.deadline))
            .bind(to_micros(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            let Some(row) = row else { continue };
            let breach_id: i64 = get(&row, "id")?;
            let overrun_seconds = breach.overrun.as_secs().max(0);
            let title = format!(
                "{noun} {subject} is past its deadline: {} within {threshold}",
                definition.name
            );
            let mut detail = format!(
                "Started {}, due by {}, still open {} over.",
                display_in(breach.started, &zone),
                display_in(breach.deadline, &zone),
                duration_label(overrun_seconds, basis)
            );
            if let Some(customer) = &customer {
                detail.push_str(&format!(" Customer {customer}."));
            }
            let customer_row = match &customer {
                Some(external_id) => customer_id(&mut tx, external_id).await?,
                None => None,
            };
            let row = sqlx::query(
                "INSERT INTO alerts (kind, rule_name, severity, customer_id, team_id, series, title, \
                 detail, raised_at, dedupe_key) VALUES ($1, $2, 'high', $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            )
            .bind(alert_kind::STANDARD_BREACH)
            .bind(definition.name.clone())
            .bind(customer_row)
            .bind(standard.team.id.0)
            .bind(format!("standard:{}", definition.key))
            .bind(title.clone())
            .bind(detail.clone())
            .bind(to_micros(now))
            .bind(dedupe_key(standard.id, subject))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            let Some(row) = row else { continue };
            let alert: i64 = get(&row, "id")?;
            sqlx::query("UPDATE standard_breaches SET alert_id = $1 WHERE id = $2")
                .bind(alert)
                .bind(breach_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            raised.alerts += 1;
            let notice = Notice {
                kind: "alert.raised",
                title: title.clone(),
                body: detail.clone(),
                link: format!("/standards/{}", definition.key),
                key: format!("alert:{alert}"),
            };
            raised.notifications +=
                effects::notify(&mut tx, &recipients, &notice, now).await? as u64;
            let breach_data = serde_json::json!({
                "alert_id": alert,
                "standard": definition.key,
                "standard_name": definition.name,
                "team": standard.team.key,
                "subject": subject,
                "customer": customer,
                "transaction": transaction,
                "started": breach.started.to_string(),
                "deadline": breach.deadline.to_string(),
                "overrun_seconds": overrun_seconds,
                "threshold_seconds": definition.threshold_seconds,
                "basis": basis,
            });
            raised.webhooks += subscribers
                .emit(
                    &mut tx,
                    EVENT_TYPE,
                    &format!("{EVENT_TYPE}:{alert}"),
                    serde_json::json!({ "breach": breach_data }),
                    now,
                )
                .await? as u64;
            let alert_data = serde_json::json!({"alert": {
                "id": alert, "kind": alert_kind::STANDARD_BREACH, "severity": "high",
                "series": format!("standard:{}", definition.key), "title": title,
                "detail": detail, "team": standard.team.key, "customer": customer,
                "raised_at": now.to_string()}});
            raised.webhooks += subscribers
                .emit(
                    &mut tx,
                    "alert.raised",
                    &format!("alert.raised:{alert}"),
                    alert_data,
                    now,
                )
                .await? as u64;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(raised)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_standards_basis() {
        assert_eq!(duration_label(3 * 3600, TimeBasis::Calendar), "3 h");
        assert_eq!(duration_label(0, TimeBasis::Calendar), "1 s");
        assert_eq!(
            duration_label(7200, TimeBasis::Business),
            "2 business hours"
        );
        assert_eq!(dedupe_key(4, "O-9"), "standard_breach:4:O-9");
    }
}
