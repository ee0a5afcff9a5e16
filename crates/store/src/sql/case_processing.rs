//! Handling `response.received` events: each response is checked against the alert rules
//! (alerts, and a recovery case opened or joined), announced to webhooks, and fed to its team's
//! and touchpoint's control charts (trend alerts) — all in the transaction that marks the
//! event done, so the effects happen exactly once however many instances compete.

use super::cases::{open_key_for, read_case, webhook_data};
use super::effects::{self, Notice, SYSTEM};
use super::query::get;
use super::{Backend, SqlStore, map_err};
use crate::recovery::*;
use crate::traits::StoreResult;
use domain::early_warning::{ChartState, Metric, Signal};
use domain::recovery::rules::{Match, ResponseFacts, matching};
use domain::recovery::{CaseRoute, Priority, Severity};
use domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// A response with what the rules and routing need.
struct Loaded {
    id: i64,
    facts: ResponseFacts,
    customer: i64,
    customer_label: String,
    customer_team: Option<i64>,
    transaction: Option<i64>,
    touchpoint_name: String,
    touchpoint_team: Option<i64>,
    responded_at: Timestamp,
    band: Option<&'static str>,
    touchpoint_key: String,
    customer_external_id: String,
}

/// The responses of `ids` that still exist, by id.
async fn load_many(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<HashMap<i64, Loaded>> {
    let mut loaded = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(250) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{LOAD_SELECT} WHERE r.id IN ({})", placeholders.join(", "));
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await.map_err(map_err)? {
            let response = decode_loaded(&row)?;
            loaded.insert(response.id, response);
        }
    }
    Ok(loaded)
}

const LOAD_SELECT: &str = "SELECT r.id, r.answers, r.csat, r.nps, r.ces, r.sentiment, r.themes, r.comment, r.team_id, \
         r.touchpoint_id, r.transaction_id, r.responded_at, c.id AS customer_id, c.name AS customer_name, \
         c.external_id AS customer_external_id, c.segment, c.annual_value_minor, c.team_id AS customer_team_id, \
         p.key AS touchpoint_key, p.name AS touchpoint_name, p.team_id AS touchpoint_team_id \
         FROM responses r JOIN customers c ON c.id = r.customer_id \
         JOIN touchpoints p ON p.id = r.touchpoint_id";

fn decode_loaded(row: &sqlx::any::AnyRow) -> StoreResult<Loaded> {
    let answers: String = get(row, "answers")?;
    let themes: String = get(row, "themes")?;
    let facts = ResponseFacts {
        answers: serde_json::from_str(&answers).unwrap_or_default(),
        csat: get(row, "csat")?,
        nps: get(row, "nps")?,
        ces: get(row, "ces")?,
        sentiment: get(row, "sentiment")?,
        themes: serde_json::from_str(&themes).unwrap_or_default(),
        comment: get(row, "comment")?,
        team: get(row, "team_id")?,
        touchpoint: get(row, "touchpoint_id")?,
        segment: get(row, "segment")?,
        annual_value_minor: get(row, "annual_value_minor")?,
        guarantee: None,
    };
    let name: Option<String> = get(row, "customer_name")?;
    let external_id: String = get(row, "customer_external_id")?;
    let scores = domain::survey::Scores {
        csat: facts.csat,
        nps: facts.nps,
        ces: facts.ces,
    };
    Ok(Loaded {
        id: get(row, "id")?,
        customer: get(row, "customer_id")?,
        customer_label: name.unwrap_or_else(|| external_id.clone()),
        customer_external_id: external_id,
        customer_team: get(row, "customer_team_id")?,
        transaction: get(row, "transaction_id")?,
        touchpoint_name: get(row, "touchpoint_name")?,
        touchpoint_key: get(row, "touchpoint_key")?,
        touchpoint_team: get(row, "touchpoint_team_id")?,
        responded_at: from_micros(get(row, "responded_at")?),
        band: domain::survey::ScoreBand::of(&scores).map(|b| b.as_str()),
        facts,
    })
}

/// Marks the batch's events done, skipping those another instance already handled; returns
/// the outbox ids this transaction now owns.
async fn claim_events(
    conn: &mut AnyConnection,
    events: &[(i64, i64)],
    now: Timestamp,
) -> StoreResult<std::collections::HashSet<i64>> {
    let mut claimed = std::collections::HashSet::with_capacity(events.len());
    for chunk in events.chunks(250) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "UPDATE outbox SET done_at = $1, locked_until = NULL WHERE done_at IS NULL AND id IN ({}) RETURNING id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(to_micros(now));
        for (outbox, _) in chunk {
            query = query.bind(*outbox);
        }
        for row in query.fetch_all(&mut *conn).await.map_err(map_err)? {
            claimed.insert(get::<i64>(&row, "id")?);
        }
    }
    Ok(claimed)
}

/// A chart's state with the team or touchpoint it watches.
type WatchedChart = (ChartState, Option<i64>, Option<i64>);

/// Control charts touched by a batch, written back at its end.
#[derive(Default)]
struct Charts {
    states: HashMap<(String, Metric), WatchedChart>,
}

impl SqlStore {
    pub(crate) async fn process_events(
        &self,
        events: &[(i64, i64)],
        context: &ProcessingContext,
    ) -> StoreResult<ProcessingReport> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let mut report = ProcessingReport::default();
        let mut charts = Charts::default();
        let now = context.policy.now;
        let claimed = claim_events(&mut tx, events, now).await?;
        let ids: Vec<i64> = events
            .iter()
            .filter(|(outbox, _)| claimed.contains(outbox))
            .map(|(_, response)| *response)
            .collect();
        let loaded = load_many(&mut tx, &ids).await?;
        let subscribers = effects::Subscribers::load(&mut tx).await?;
        for id in &ids {
            let Some(response) = loaded.get(id) else {
                continue;
            };
            report.responses += 1;
            report.webhooks += announce(&mut tx, &subscribers, response, now).await?;
            if response.responded_at + context.max_alert_age >= now {
                alert_on(&mut tx, &subscribers, response, context, &mut report).await?;
            }
            self.observe(
                &mut tx,
                &subscribers,
                &mut charts,
                response,
                now,
                &mut report,
            )
            .await?;
        }
        save_charts(&mut tx, charts, now).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(report)
    }

    /// Feeds the response to its team's and touchpoint's charts; raises trend alerts.
    async fn observe(
        &self,
        conn: &mut AnyConnection,
        subscribers: &effects::Subscribers,
        charts: &mut Charts,
        response: &Loaded,
        now: Timestamp,
        report: &mut ProcessingReport,
    ) -> StoreResult<()> {
        let mut series = vec![(
            format!("touchpoint:{}", response.facts.touchpoint),
            None,
            Some(response.facts.touchpoint),
        )];
        if let Some(team) = response.facts.team {
            series.push((format!("team:{team}"), Some(team), None));
        }
        let observations = [
            (Metric::CsatMean, response.facts.csat.map(|c| c as f64)),
            (
                Metric::DetractorShare,
                response.facts.nps.map(|n| if n <= 6 { 1.0 } else { 0.0 }),
            ),
        ];
        for (name, team, touchpoint) in series {
            for (metric, value) in observations {
                let Some(value) = value else { continue };
                let key = (name.clone(), metric);
                if !charts.states.contains_key(&key) {
                    let state = self.read_chart(conn, &name, metric).await?;
                    charts.states.insert(key.clone(), (state, team, touchpoint));
                }
                let Some((state, _, _)) = charts.states.get_mut(&key) else {
                    continue;
                };
                if let Some(signal) = state.observe(value) {
                    raise_trend(conn, subscribers, &name, team, touchpoint, &signal, now).await?;
                    report.trend_alerts += 1;
                }
            }
        }
        Ok(())
    }

    async fn read_chart(
        &self,
        conn: &mut AnyConnection,
        series: &str,
        metric: Metric,
    ) -> StoreResult<ChartState> {
        let lock = if self.backend == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let row = sqlx::query(&format!(
            "SELECT state FROM control_charts WHERE series = $1 AND metric = $2{lock}"
        ))
        .bind(series.to_owned())
        .bind(metric.as_str().to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
        Ok(match row {
            Some(row) => serde_json::from_str(&get::<String>(&row, "state")?)
                .unwrap_or_else(|_| ChartState::new(metric)),
            None => ChartState::new(metric),
        })
    }
}

async fn save_charts(conn: &mut AnyConnection, charts: Charts, now: Timestamp) -> StoreResult<()> {
    // Always in the same order, so that two instances saving the same charts cannot deadlock.
    let mut states: Vec<_> = charts.states.into_iter().collect();
    states.sort_by(|((a, m), _), ((b, n), _)| (a, m.as_str()).cmp(&(b, n.as_str())));
    for ((series, metric), (state, team, touchpoint)) in states {
        let text = serde_json::to_string(&state).unwrap_or_default();
        sqlx::query(
            "INSERT INTO control_charts (series, metric, team_id, touchpoint_id, state, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (series, metric) \
             DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(series)
        .bind(metric.as_str().to_owned())
        .bind(team)
        .bind(touchpoint)
        .bind(text)
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// The `response.received` webhook.
async fn announce(
    conn: &mut AnyConnection,
    subscribers: &effects::Subscribers,
    response: &Loaded,
    now: Timestamp,
) -> StoreResult<usize> {
    let data = serde_json::json!({
        "response": {
            "id": response.id,
            "customer": {"external_id": response.customer_external_id},
            "touchpoint": response.touchpoint_key,
            "csat": response.facts.csat,
            "nps": response.facts.nps,
            "ces": response.facts.ces,
            "band": response.band,
            "sentiment": response.facts.sentiment,
            "themes": response.facts.themes,
            "responded_at": response.responded_at.to_string(),
        }
    });
    let event = format!("response.received:{}", response.id);
    subscribers
        .emit(conn, "response.received", &event, data, now)
        .await
}

/// Applies the alert rules to one response.
async fn alert_on(
    conn: &mut AnyConnection,
    subscribers: &effects::Subscribers,
    response: &Loaded,
    context: &ProcessingContext,
    report: &mut ProcessingReport,
) -> StoreResult<()> {
    let now = context.policy.now;
    let matches = matching(&context.rules, &response.facts);
    if matches.is_empty() {
        return Ok(());
    }
    let team = CaseRoute::choose(
        &context.routing,
        response.customer_team,
        response.facts.team,
        response.touchpoint_team,
    );
    let opening: Vec<&Match> = matches.iter().filter(|m| m.rule.opens_case).collect();
    let case = match opening
        .iter()
        .map(|m| m.rule.severity)
        .max_by_key(|s| s.rank())
    {
        Some(severity) => {
            Some(open_or_join(conn, response, &opening, severity, team, context).await?)
        }
        None => None,
    };
    let (case_id, opened) = match case {
        Some((id, opened)) => (Some(id), opened),
        None => (None, false),
    };
    if opened {
        report.cases_opened += 1;
    }
    let mut reasons = Vec::new();
    for found in &matches {
        let Some(alert) = insert_alert(conn, response, found, case_id, now).await? else {
            continue;
        };
        report.alerts += 1;
        reasons.extend(found.reasons.iter().cloned());
        let data = serde_json::json!({"alert": {
            "id": alert, "kind": alert_kind::RESPONSE, "rule": found.rule.name,
            "severity": found.rule.severity.as_str(), "reasons": found.reasons,
            "response_id": response.id, "case_id": case_id,
            "customer": {"external_id": response.customer_external_id},
            "touchpoint": response.touchpoint_key, "raised_at": now.to_string()}});
        report.webhooks += subscribers
            .emit(
                conn,
                "alert.raised",
                &format!("alert.raised:{alert}"),
                data,
                now,
            )
            .await?;
    }
    if reasons.is_empty() {
        return Ok(());
    }
    reasons.dedup();
    let recipients = match case_id {
        Some(id) => case_recipients(conn, id).await?,
        None => match team {
            Some(team) => effects::team_members(conn, team, None).await?,
            None => Vec::new(),
        },
    };
    let notice = Notice {
        kind: "alert.raised",
        title: format!(
            "Poor review from {} on {}",
            response.customer_label, response.touchpoint_name
        ),
        body: reasons.join("; "),
        link: case_id.map_or(format!("/responses/{}", response.id), |id| {
            format!("/cases/{id}")
        }),
        key: format!("response:{}", response.id),
    };
    report.notifications += effects::notify(conn, &recipients, &notice, now).await?;
    if opened && let Some(id) = case_id {
        let case = read_case(conn, id).await?;
        report.webhooks += subscribers
            .emit(
                conn,
                "case.opened",
                &format!("case.opened:{id}"),
                webhook_data(&case),
                now,
            )
            .await?;
    }
    Ok(())
}

/// The case's owner if it has one, else its team.
async fn case_recipients(conn: &mut AnyConnection, case_id: i64) -> StoreResult<Vec<i64>> {
    let row = sqlx::query("SELECT owner_user_id, owner_team_id FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
    if let Some(user) = get::<Option<i64>>(&row, "owner_user_id")? {
        return Ok(vec![user]);
    }
    match get::<Option<i64>>(&row, "owner_team_id")? {
        Some(team) => effects::team_members(conn, team, None).await,
        None => Ok(effects::president(conn).await?.into_iter().collect()),
    }
}

async fn insert_alert(
    conn: &mut AnyConnection,
    response: &Loaded,
    found: &Match<'_>,
    case_id: Option<i64>,
    now: Timestamp,
) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO alerts (kind, rule_id, rule_name, severity, response_id, customer_id, team_id, \
         touchpoint_id, case_id, title, detail, raised_at, dedupe_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(alert_kind::RESPONSE)
    .bind((found.rule.id > 0).then_some(found.rule.id))
    .bind(found.rule.name.clone())
    .bind(found.rule.severity.as_str())
    .bind(response.id)
    .bind(response.customer)
    .bind(response.facts.team)
    .bind(response.facts.touchpoint)
    .bind(case_id)
    .bind(format!("{}: {}", found.rule.name, response.customer_label))
    .bind(found.reasons.join("; "))
    .bind(to_micros(now))
    .bind(format!("rule:{}:response:{}", found.rule.id, response.id))
    .fetch_optional(conn)
    .await
    .map_err(map_err)?;
    row.map(|r| get(&r, "id")).transpose()
}

/// Opens a case for the response's customer and transaction, or joins the open one; returns
/// its id and whether it is new.
async fn open_or_join(
    conn: &mut AnyConnection,
    response: &Loaded,
    opening: &[&Match<'_>],
    severity: Severity,
    team: Option<i64>,
    context: &ProcessingContext,
) -> StoreResult<(i64, bool)> {
    let now = context.policy.now;
    let key = open_key_for(response.customer, response.transaction);
    let reasons: Vec<String> = opening.iter().flat_map(|m| m.reasons.clone()).collect();
    if let Some(id) = open_case_with_key(conn, &key).await? {
        let body = format!("Another poor review: {}", reasons.join("; "));
        effects::case_event(conn, id, "alert", &SYSTEM, Some(body), now).await?;
        return Ok((id, false));
    }
    let priority = Priority::for_case(
        severity,
        response.facts.annual_value_minor,
        context.high_value_minor,
    );
    let clocks = context
        .policy
        .sla
        .clocks(priority, now, &context.policy.zone);
    let title = format!(
        "{} on {}: {}",
        response.customer_label,
        response.touchpoint_name,
        reasons.first().cloned().unwrap_or_default()
    );
    let row = sqlx::query(
        "INSERT INTO cases (customer_id, transaction_id, response_id, touchpoint_id, title, status, \
         priority, owner_team_id, operations_team_id, opened_at, clock_started_at, first_contact_due_at, \
         resolution_due_at, open_key, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $8, $9, $9, $10, $11, $12, $9) \
         ON CONFLICT (open_key) DO NOTHING RETURNING id",
    )
    .bind(response.customer)
    .bind(response.transaction)
    .bind(response.id)
    .bind(response.facts.touchpoint)
    .bind(title)
    .bind(priority.as_str())
    .bind(team)
    .bind(response.touchpoint_team)
    .bind(to_micros(now))
    .bind(to_micros(clocks.first_contact_due))
    .bind(to_micros(clocks.resolution_due))
    .bind(key.clone())
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    match row {
        Some(row) => {
            let id: i64 = get(&row, "id")?;
            let body = format!(
                "Opened from response #{} ({}), priority {}",
                response.id,
                reasons.join("; "),
                priority.as_str()
            );
            effects::case_event(conn, id, "opened", &SYSTEM, Some(body), now).await?;
            Ok((id, true))
        }
        None => {
            // Another instance opened it a moment ago.
            let id = open_case_with_key(conn, &key)
                .await?
                .ok_or_else(|| crate::StoreError::Conflict("case being opened elsewhere".into()))?;
            Ok((id, false))
        }
    }
}

pub(super) async fn open_case_with_key(
    conn: &mut AnyConnection,
    key: &str,
) -> StoreResult<Option<i64>> {
    let row = sqlx::query("SELECT id FROM cases WHERE open_key = $1")
        .bind(key.to_owned())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    row.map(|r| get(&r, "id")).transpose()
}

/// Records a trend alert and tells the people who watch the series.
async fn raise_trend(
    conn: &mut AnyConnection,
    subscribers: &effects::Subscribers,
    series: &str,
    team: Option<i64>,
    touchpoint: Option<i64>,
    signal: &Signal,
    now: Timestamp,
) -> StoreResult<()> {
    let (subject, owner_team) = match (team, touchpoint) {
        (Some(team), _) => (name_of(conn, "teams", team).await?, Some(team)),
        (None, Some(tp)) => {
            let owner = sqlx::query("SELECT team_id FROM touchpoints WHERE id = $1")
                .bind(tp)
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?
                .map(|r| get::<Option<i64>>(&r, "team_id"))
                .transpose()?
                .flatten();
            (name_of(conn, "touchpoints", tp).await?, owner)
        }
        (None, None) => (series.to_owned(), None),
    };
    let title = format!("{} is sliding: {}", subject, signal.metric.label());
    let detail = match signal.metric {
        Metric::CsatMean => format!(
            "Recent mean CSAT {:.2} against a baseline of {:.2} (CUSUM {:.1} over its limit {:.1}, after {} responses)",
            signal.recent, signal.baseline, signal.statistic, signal.limit, signal.observations
        ),
        Metric::DetractorShare => format!(
            "Recent detractor share {:.0}% against a baseline of {:.0}% (CUSUM {:.1} over its limit {:.1}, after {} responses)",
            signal.recent * 100.0,
            signal.baseline * 100.0,
            signal.statistic,
            signal.limit,
            signal.observations
        ),
    };
    let dedupe = format!(
        "trend:{series}:{}:{}",
        signal.metric.as_str(),
        signal.observations
    );
    let row = sqlx::query(
        "INSERT INTO alerts (kind, rule_name, severity, team_id, touchpoint_id, series, metric, title, \
         detail, raised_at, dedupe_key) VALUES ($1, 'Early warning', 'high', $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(alert_kind::TREND)
    .bind(team)
    .bind(touchpoint)
    .bind(series.to_owned())
    .bind(signal.metric.as_str())
    .bind(title.clone())
    .bind(detail.clone())
    .bind(to_micros(now))
    .bind(dedupe)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    let Some(row) = row else { return Ok(()) };
    let id: i64 = get(&row, "id")?;
    let mut recipients = match owner_team {
        Some(team) => effects::team_leads(conn, team).await?,
        None => Vec::new(),
    };
    recipients.extend(effects::president(conn).await?);
    let notice = Notice {
        kind: "alert.raised",
        title: title.clone(),
        body: detail.clone(),
        link: format!(
            "/early-warning?series={series}&metric={}",
            signal.metric.as_str()
        ),
        key: format!("alert:{id}"),
    };
    effects::notify(conn, &recipients, &notice, now).await?;
    let data = serde_json::json!({"alert": {
        "id": id, "kind": alert_kind::TREND, "severity": "high", "series": series,
        "metric": signal.metric.as_str(), "title": title, "detail": detail,
        "baseline": signal.baseline, "recent": signal.recent, "raised_at": now.to_string()}});
    subscribers
        .emit(
            conn,
            "alert.raised",
            &format!("alert.raised:{id}"),
            data,
            now,
        )
        .await?;
    Ok(())
}

pub(super) async fn name_of(conn: &mut AnyConnection, table: &str, id: i64) -> StoreResult<String> {
    let row = sqlx::query(&format!("SELECT name FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    Ok(match row {
        Some(row) => get(&row, "name")?,
        None => format!("{table} #{id}"),
    })
}
