//! Honouring a guarantee invocation, all in the transaction that records it, so that the
//! president hears of it exactly once however many instances run: the ledger entry, a
//! top-priority case owned by the president, the notifications and webhooks, the alerts of the
//! rules it matches, the rising-rate early warning and the customer's confirmation e-mail.

use super::case_processing::{name_of, open_case_with_key};
use super::cases::{open_key_for, read_case};
use super::effects::{self, EventActor, Notice, SYSTEM};
use super::guarantees::{current_claim_of_transaction, read_claim};
use super::outbox::enqueue;
use super::query::{audit, get};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::guarantee::*;
use crate::model::Actor;
use crate::recovery::{ProcessingContext, alert_kind};
use crate::traits::StoreResult;
use domain::Money;
use domain::guarantee::Settlement;
use domain::guarantee::trend::{self, RisingRate, Window};
use domain::recovery::rules::{GuaranteeFacts, Match, ResponseFacts, matching};
use domain::recovery::{CaseRoute, Priority};
use domain::time::to_micros;
use jiff::Timestamp;
use sqlx::AnyConnection;

/// The transaction behind a link, with what routing and the rules need.
struct Invoking {
    transaction: i64,
    customer: i64,
    customer_label: String,
    customer_team: Option<i64>,
    customer_email: Option<String>,
    segment: Option<String>,
    annual_value_minor: Option<i64>,
    touchpoint: i64,
    touchpoint_name: String,
    touchpoint_team: Option<i64>,
    team: Option<i64>,
    staff: Option<i64>,
    amount: Option<Money>,
}

async fn load(conn: &mut AnyConnection, lookup_id: &str) -> StoreResult<Invoking> {
    let row = sqlx::query(
        "SELECT x.id, x.customer_id, x.touchpoint_id, x.team_id, x.staff_user_id, x.amount_minor, \
         x.currency, c.name AS customer_name, c.external_id AS customer_external_id, \
         c.team_id AS customer_team_id, c.email, c.segment, c.annual_value_minor, \
         p.name AS touchpoint_name, p.team_id AS touchpoint_team_id \
         FROM guarantee_links l JOIN transactions x ON x.id = l.transaction_id \
         JOIN customers c ON c.id = x.customer_id JOIN touchpoints p ON p.id = x.touchpoint_id \
         WHERE l.lookup_id = $1",
    )
    .bind(lookup_id.to_owned())
    .fetch_optional(conn)
    .await
    .map_err(map_err)?
    .ok_or(StoreError::NotFound)?;
    let name: Option<String> = get(&row, "customer_name")?;
    let external_id: String = get(&row, "customer_external_id")?;
    Ok(Invoking {
        transaction: get(&row, "id")?,
        customer: get(&row, "customer_id")?,
        customer_label: name.unwrap_or(external_id),
        customer_team: get(&row, "customer_team_id")?,
        customer_email: get(&row, "email")?,
        segment: get(&row, "segment")?,
        annual_value_minor: get(&row, "annual_value_minor")?,
        touchpoint: get(&row, "touchpoint_id")?,
        touchpoint_name: get(&row, "touchpoint_name")?,
        touchpoint_team: get(&row, "touchpoint_team_id")?,
        team: get(&row, "team_id")?,
        staff: get(&row, "staff_user_id")?,
        amount: super::customers::decode_money(get(&row, "amount_minor")?, get(&row, "currency")?)?,
    })
}

/// Who hears of every invocation: the president, or the administrators while none is named.
async fn presidents(conn: &mut AnyConnection) -> StoreResult<Vec<i64>> {
    if let Some(president) = effects::president(&mut *conn).await? {
        return Ok(vec![president]);
    }
    let rows = sqlx::query(
        "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id",
    )
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// The guarantee as a webhook's `data`: what a billing system needs to apply the credit.
pub(super) fn webhook_data(claim: &Claim) -> serde_json::Value {
    let amount = |m: &Money| domain::guarantee::claim::format_amount(m.minor, m.currency);
    serde_json::json!({"guarantee": {
        "id": claim.id,
        "kind": claim.kind,
        "invocation_id": claim.invocation_id,
        "corrects": claim.corrects,
        "transaction": {"external_id": claim.transaction_external_id, "occurred_at": claim.occurred_at.to_string()},
        "customer": {"external_id": claim.customer.external_id, "name": claim.customer.name},
        "touchpoint": claim.touchpoint.key,
        "team": claim.team.as_ref().map(|t| t.key.clone()),
        "staff": claim.staff.as_ref().and_then(|s| s.external_id.clone()),
        "currency": claim.invoiced.currency.as_str(),
        "invoiced": amount(&claim.invoiced),
        "paid": amount(&claim.paid),
        "credit": amount(&claim.credit),
        "invoiced_minor": claim.invoiced.minor,
        "paid_minor": claim.paid.minor,
        "credit_minor": claim.credit.minor,
        "reason": claim.reason,
        "source": claim.source,
        "case_id": claim.case_id,
        "invoked_at": claim.invoked_at.to_string(),
        "recorded_at": claim.recorded_at.to_string(),
    }})
}

#[allow(clippy::too_many_arguments)]
async fn insert_claim(
    conn: &mut AnyConnection,
    kind: &str,
    corrects: Option<i64>,
    on: &ClaimSubject,
    settlement: &Settlement,
    source: &str,
    case_id: Option<i64>,
    recorded_by: Option<i64>,
    invoked_at: Timestamp,
    now: Timestamp,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO guarantee_claims (kind, corrects_claim_id, transaction_id, customer_id, team_id, \
         staff_user_id, touchpoint_id, currency, invoiced_minor, paid_minor, credit_minor, reason, \
         source, case_id, recorded_by_user_id, invoked_at, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(kind.to_owned())
    .bind(corrects)
    .bind(on.transaction)
    .bind(on.customer)
    .bind(on.team)
    .bind(on.staff)
    .bind(on.touchpoint)
    .bind(settlement.invoiced.currency.as_str().to_owned())
    .bind(settlement.invoiced.minor)
    .bind(settlement.paid.minor)
    .bind(settlement.credit.minor)
    .bind(settlement.reason.clone())
    .bind(source.to_owned())
    .bind(case_id)
    .bind(recorded_by)
    .bind(to_micros(invoked_at))
    .bind(to_micros(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|error| match map_err(error) {
        StoreError::Conflict(_) => {
            StoreError::Conflict("the guarantee of this transaction has already been invoked".into())
        }
        other => other,
    })?;
    get(&row, "id")
}

/// What a ledger entry is about.
struct ClaimSubject {
    transaction: i64,
    customer: i64,
    team: Option<i64>,
    staff: Option<i64>,
    touchpoint: i64,
}

impl SqlStore {
    pub(super) async fn invoke(
        &self,
        invocation: NewInvocation,
        context: &ProcessingContext,
    ) -> StoreResult<Invoked> {
        let now = context.policy.now;
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let conn = &mut *tx;
        let target = load(conn, &invocation.lookup_id).await?;
        if target.amount != Some(invocation.settlement.invoiced) {
            return Err(StoreError::Conflict(
                "the invoiced amount of this transaction has changed; please reload the page"
                    .into(),
            ));
        }
        if current_claim_of_transaction(conn, target.transaction)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(
                "the guarantee of this transaction has already been invoked".into(),
            ));
        }
        let presidents = presidents(conn).await?;
        let settlement = &invocation.settlement;
        let pays = format!(
            "pays {} of {}",
            settlement.paid.display(),
            settlement.invoiced.display()
        );
        let (case_id, case_joined) = self
            .president_case(conn, &target, presidents.first().copied(), &pays, context)
            .await?;
        let subject = ClaimSubject {
            transaction: target.transaction,
            customer: target.customer,
            team: target.team,
            staff: target.staff,
            touchpoint: target.touchpoint,
        };
        let claim_id = insert_claim(
            conn,
            claim_kind::INVOCATION,
            None,
            &subject,
            settlement,
            invocation.source,
            Some(case_id),
            None,
            now,
            now,
        )
        .await?;
        let claim = read_claim(conn, claim_id).await?;
        let why = claim
            .reason
            .as_deref()
            .map_or(String::new(), |r| format!(" \u{201c}{r}\u{201d}"));
        effects::case_event(
            conn,
            case_id,
            "guarantee",
            &SYSTEM,
            Some(format!(
                "Guarantee invoked: the customer {pays}, credit {}.{why}",
                settlement.credit.display()
            )),
            now,
        )
        .await?;
        let notice = Notice {
            kind: "guarantee.invoked",
            title: format!(
                "Guarantee invoked by {} on {}",
                target.customer_label, target.touchpoint_name
            ),
            body: format!(
                "The customer {pays} (credit {}). Honoured as invoked; case #{case_id} is yours.{why}",
                settlement.credit.display()
            ),
            link: format!("/guarantees/{claim_id}"),
            key: format!("guarantee:{claim_id}"),
        };
        let mut notifications = effects::notify(conn, &presidents, &notice, now).await?;
        let subscribers = effects::Subscribers::load(conn).await?;
        let mut webhooks = subscribers
            .emit(
                conn,
                "guarantee.invoked",
                &format!("guarantee.invoked:{claim_id}"),
                webhook_data(&claim),
                now,
            )
            .await?;
        if !case_joined {
            let case = read_case(conn, case_id).await?;
            webhooks += subscribers
                .emit(
                    conn,
                    "case.opened",
                    &format!("case.opened:{case_id}"),
                    super::cases::webhook_data(&case),
                    now,
                )
                .await?;
        }
        let facts = ResponseFacts {
            team: target.team,
            touchpoint: target.touchpoint,
            segment: target.segment.clone(),
            annual_value_minor: target.annual_value_minor,
            guarantee: Some(GuaranteeFacts {
                paid: settlement.paid.display(),
                invoiced: settlement.invoiced.display(),
            }),
            ..ResponseFacts::default()
        };
        let mut alerts = 0;
        for found in matching(&context.rules, &facts) {
            let Some(alert) = rule_alert(conn, &target, &found, claim_id, case_id, now).await?
            else {
                continue;
            };
            alerts += 1;
            let mut recipients = presidents.clone();
            if let Some(team) = target.team {
                recipients.extend(effects::team_leads(conn, team).await?);
            }
            let notice = Notice {
                kind: "alert.raised",
                title: format!("{}: {}", found.rule.name, target.customer_label),
                body: found.reasons.join("; "),
                link: format!("/guarantees/{claim_id}"),
                key: format!("alert:{alert}"),
            };
            notifications += effects::notify(conn, &recipients, &notice, now).await?;
            let data = serde_json::json!({"alert": {
                "id": alert, "kind": alert_kind::GUARANTEE, "rule": found.rule.name,
                "severity": found.rule.severity.as_str(), "reasons": found.reasons,
                "guarantee_id": claim_id, "case_id": case_id,
                "customer": {"external_id": claim.customer.external_id},
                "touchpoint": claim.touchpoint.key, "raised_at": now.to_string()}});
            webhooks += subscribers
                .emit(
                    conn,
                    "alert.raised",
                    &format!("alert.raised:{alert}"),
                    data,
                    now,
                )
                .await?;
        }
        let mut scopes = vec![None];
        scopes.extend(target.team.map(Some));
        for team in scopes {
            if let Some(rise) = rising_rate(conn, team, now).await? {
                let raised = trend_alert(conn, &subscribers, team, &rise, &presidents, now).await?;
                alerts += usize::from(raised);
            }
        }
        if target.customer_email.is_some() {
            let payload = serde_json::json!({ "claim_id": claim_id });
            enqueue(
                conn,
                effects::topics::GUARANTEE_EMAIL,
                &payload,
                to_micros(now),
            )
            .await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(Invoked {
            claim,
            case_id,
            case_joined,
            alerts,
            notifications,
            webhooks,
        })
    }

    /// Opens the invocation's case (urgent, owned by the president) or takes over the open
    /// case of the same customer and transaction; returns its id and whether it existed.
    async fn president_case(
        &self,
        conn: &mut AnyConnection,
        target: &Invoking,
        president: Option<i64>,
        pays: &str,
        context: &ProcessingContext,
    ) -> StoreResult<(i64, bool)> {
        let now = context.policy.now;
        let key = open_key_for(target.customer, Some(target.transaction));
        let clocks = context
            .policy
            .sla
            .clocks(Priority::Urgent, now, &context.policy.zone);
        if let Some(id) = open_case_with_key(conn, &key).await? {
            // A resolved case the customer is still unhappy about is reopened.
            sqlx::query(
                "UPDATE cases SET status = CASE WHEN status = 'resolved' THEN 'contacted' ELSE status END, \
                 resolved_at = NULL, priority = 'urgent', owner_user_id = COALESCE($1, owner_user_id), \
                 first_contact_due_at = CASE WHEN first_contacted_at IS NULL AND first_contact_due_at > $2 \
                 THEN $2 ELSE first_contact_due_at END, \
                 resolution_due_at = CASE WHEN resolution_due_at > $3 THEN $3 ELSE resolution_due_at END, \
                 updated_at = $4 WHERE id = $5",
            )
            .bind(president)
            .bind(to_micros(clocks.first_contact_due))
            .bind(to_micros(clocks.resolution_due))
            .bind(to_micros(now))
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
            let body =
                "The customer invoked the guarantee: the case is now urgent and the president's"
                    .to_owned();
            effects::case_event(conn, id, "assigned", &SYSTEM, Some(body), now).await?;
            return Ok((id, true));
        }
        let team = CaseRoute::choose(
            &context.routing,
            target.customer_team,
            target.team,
            target.touchpoint_team,
        );
        let title = format!(
            "Guarantee invoked: {} on {} ({pays})",
            target.customer_label, target.touchpoint_name
        );
        let row = sqlx::query(
            "INSERT INTO cases (customer_id, transaction_id, touchpoint_id, title, status, priority, \
             owner_team_id, operations_team_id, owner_user_id, opened_at, clock_started_at, \
             first_contact_due_at, resolution_due_at, open_key, updated_at) \
             VALUES ($1, $2, $3, $4, 'new', 'urgent', $5, $6, $7, $8, $8, $9, $10, $11, $8) RETURNING id",
        )
        .bind(target.customer)
        .bind(target.transaction)
        .bind(target.touchpoint)
        .bind(title)
        .bind(team)
        .bind(target.touchpoint_team)
        .bind(president)
        .bind(to_micros(now))
        .bind(to_micros(clocks.first_contact_due))
        .bind(to_micros(clocks.resolution_due))
        .bind(key)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
        let id: i64 = get(&row, "id")?;
        let body = "Opened by a guarantee invocation; urgent, owned by the president".to_owned();
        effects::case_event(conn, id, "opened", &SYSTEM, Some(body), now).await?;
        Ok((id, false))
    }

    pub(super) async fn correct(
        &self,
        actor: &Actor,
        claim: i64,
        settlement: Settlement,
        now: Timestamp,
    ) -> StoreResult<Claim> {
        let mut w = self.begin_write().await?;
        let conn = &mut *w.tx;
        let corrected = read_claim(conn, claim).await?;
        if let Some(newer) = corrected.superseded_by {
            return Err(StoreError::Conflict(format!(
                "entry #{claim} has been corrected already by entry #{newer}; correct that one"
            )));
        }
        if corrected.invoiced != settlement.invoiced {
            return Err(StoreError::Conflict(
                "the correction must keep the invoiced amount".into(),
            ));
        }
        let subject = ClaimSubject {
            transaction: corrected.transaction_id.0,
            customer: corrected.customer.id.0,
            team: corrected.team.as_ref().map(|t| t.id.0),
            staff: corrected.staff.as_ref().map(|s| s.id.0),
            touchpoint: corrected.touchpoint.id.0,
        };
        let user = match actor {
            Actor::User { id, .. } => Some(id.0),
            _ => None,
        };
        let id = insert_claim(
            conn,
            claim_kind::CORRECTION,
            Some(corrected.invocation_id),
            &subject,
            &settlement,
            claim_source::CONSOLE,
            None,
            user,
            corrected.invoked_at,
            now,
        )
        .await?;
        let entry = read_claim(conn, id).await?;
        let before = serde_json::json!({"paid_minor": corrected.paid.minor, "credit_minor": corrected.credit.minor});
        let after = serde_json::json!({"paid_minor": entry.paid.minor, "credit_minor": entry.credit.minor, "reason": entry.reason});
        audit(
            conn,
            actor,
            "guarantee.correct",
            "guarantee",
            Some(corrected.invocation_id.to_string()),
            Some(before),
            Some(after),
        )
        .await?;
        let subscribers = effects::Subscribers::load(conn).await?;
        subscribers
            .emit(
                conn,
                "guarantee.corrected",
                &format!("guarantee.corrected:{id}"),
                webhook_data(&entry),
                now,
            )
            .await?;
        // A correction's case is its invocation's (the claim query carries it over).
        if let Some(case_id) = corrected.case_id {
            let body = format!(
                "Guarantee corrected by {}: the customer pays {}, credit {}",
                actor.label(),
                entry.paid.display(),
                entry.credit.display()
            );
            let who = EventActor {
                label: actor.label(),
                user,
            };
            effects::case_event(conn, case_id, "guarantee", &who, Some(body), now).await?;
        }
        w.tx.commit().await.map_err(map_err)?;
        Ok(entry)
    }
}

async fn rule_alert(
    conn: &mut AnyConnection,
    target: &Invoking,
    found: &Match<'_>,
    claim_id: i64,
    case_id: i64,
    now: Timestamp,
) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO alerts (kind, rule_id, rule_name, severity, customer_id, team_id, touchpoint_id, \
         case_id, guarantee_claim_id, title, detail, raised_at, dedupe_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(alert_kind::GUARANTEE)
    .bind((found.rule.id > 0).then_some(found.rule.id))
    .bind(found.rule.name.clone())
    .bind(found.rule.severity.as_str())
    .bind(target.customer)
    .bind(target.team)
    .bind(target.touchpoint)
    .bind(case_id)
    .bind(claim_id)
    .bind(format!("{}: {}", found.rule.name, target.customer_label))
    .bind(found.reasons.join("; "))
    .bind(to_micros(now))
    .bind(format!("rule:{}:guarantee:{claim_id}", found.rule.id))
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    row.map(|r| get(&r, "id")).transpose()
}

/// Invocations and transactions of `team` (or of everyone) between two instants.
async fn window(
    conn: &mut AnyConnection,
    team: Option<i64>,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Window> {
    let team_clause = if team.is_some() {
        " AND team_id = $3"
    } else {
        ""
    };
    let count = |table: &str, column: &str, extra: &str| {
        format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {column} >= $1 AND {column} < $2{extra}{team_clause}"
        )
    };
    let mut numbers = [0i64; 2];
    let queries = [
        count("guarantee_claims", "invoked_at", " AND kind = 'invocation'"),
        count("transactions", "occurred_at", ""),
    ];
    for (slot, sql) in numbers.iter_mut().zip(queries) {
        let mut query = sqlx::query(&sql).bind(to_micros(from)).bind(to_micros(to));
        if let Some(team) = team {
            query = query.bind(team);
        }
        let row = query.fetch_one(&mut *conn).await.map_err(map_err)?;
        *slot = get(&row, "n")?;
    }
    Ok(Window {
        invocations: numbers[0],
        transactions: numbers[1],
    })
}

async fn rising_rate(
    conn: &mut AnyConnection,
    team: Option<i64>,
    now: Timestamp,
) -> StoreResult<Option<RisingRate>> {
    let recent_start = now - trend::RECENT_WINDOW;
    let recent = window(
        conn,
        team,
        recent_start,
        now + jiff::SignedDuration::from_micros(1),
    )
    .await?;
    let baseline = window(
        conn,
        team,
        recent_start - trend::BASELINE_WINDOW,
        recent_start,
    )
    .await?;
    Ok(trend::rising(recent, baseline))
}

/// Raises the rising-rate alert of a scope, at most once per 30-day window; true if raised.
async fn trend_alert(
    conn: &mut AnyConnection,
    subscribers: &effects::Subscribers,
    team: Option<i64>,
    rise: &RisingRate,
    presidents: &[i64],
    now: Timestamp,
) -> StoreResult<bool> {
    let subject = match team {
        Some(team) => name_of(conn, "teams", team).await?,
        None => "The whole organization".to_owned(),
    };
    let title = format!("{subject}: guarantee invocations are rising");
    let detail = format!(
        "{:.1} invocations per 1,000 transactions over the last 30 days against {:.1} over the 180 days before \
         ({:.1} expected; chance {:.4} at the usual rate)",
        rise.recent_per_thousand, rise.baseline_per_thousand, rise.expected, rise.p_value
    );
    let bucket = now.as_second() / trend::RECENT_WINDOW.as_secs();
    let scope = team.map_or("all".to_owned(), |t| format!("team:{t}"));
    let row = sqlx::query(
        "INSERT INTO alerts (kind, rule_name, severity, team_id, series, metric, title, detail, raised_at, dedupe_key) \
         VALUES ($1, 'Guarantee early warning', 'high', $2, $3, 'guarantee_rate', $4, $5, $6, $7) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(alert_kind::GUARANTEE_TREND)
    .bind(team)
    .bind(scope.clone())
    .bind(title.clone())
    .bind(detail.clone())
    .bind(to_micros(now))
    .bind(format!("guarantee-trend:{scope}:{bucket}"))
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    let Some(row) = row else { return Ok(false) };
    let id: i64 = get(&row, "id")?;
    let mut recipients = presidents.to_vec();
    if let Some(team) = team {
        recipients.extend(effects::team_leads(conn, team).await?);
    }
    let notice = Notice {
        kind: "alert.raised",
        title: title.clone(),
        body: detail.clone(),
        link: "/guarantees/report".to_owned(),
        key: format!("alert:{id}"),
    };
    effects::notify(conn, &recipients, &notice, now).await?;
    let data = serde_json::json!({"alert": {
        "id": id, "kind": alert_kind::GUARANTEE_TREND, "severity": "high", "series": scope,
        "metric": "guarantee_rate", "title": title, "detail": detail,
        "baseline": rise.baseline_per_thousand, "recent": rise.recent_per_thousand,
        "raised_at": now.to_string()}});
    subscribers
        .emit(
            conn,
            "alert.raised",
            &format!("alert.raised:{id}"),
            data,
            now,
        )
        .await?;
    Ok(true)
}

/// Keeps the president on a guarantee case they handed on: each change by someone else is
/// in their inbox too.
pub(super) async fn inform_president(
    conn: &mut AnyConnection,
    case_id: i64,
    case_title: &str,
    change: &str,
    who: &EventActor<'_>,
    now: Timestamp,
) -> StoreResult<()> {
    let is_guarantee_case = sqlx::query("SELECT id FROM guarantee_claims WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?
        .is_some();
    if !is_guarantee_case {
        return Ok(());
    }
    let Some(president) = effects::president(&mut *conn).await? else {
        return Ok(());
    };
    if who.user == Some(president) {
        return Ok(());
    }
    let notice = Notice {
        kind: "guarantee.case",
        title: format!("Guarantee case #{case_id}: {change}"),
        body: format!("{} on \u{201c}{case_title}\u{201d}", who.label),
        link: format!("/cases/{case_id}"),
        key: format!("guarantee-case:{case_id}:{change}:{}", to_micros(now)),
    };
    effects::notify(conn, &[president], &notice, now).await?;
    Ok(())
}
