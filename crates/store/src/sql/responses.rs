//! Responses: resolved against transactions, customers and touchpoints, stored with their
//! derived scores and comment analysis, and announced through the outbox.

use super::customers::{decode_team_ref, decode_user_ref};
use super::outbox::enqueue_many;
use super::query::{Bind, Conditions, audit, fetch_page, get, get_time, now_micros};
use super::rollups;
use super::surveys::touchpoint_survey;
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::knowledge::*;
use crate::model::{Actor, CustomerRef, ListParams, Page, TouchpointRef};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::survey::{ScoreBand, Scores};
use domain::time::to_micros;
use domain::{CustomerId, TeamId, TouchpointId, TransactionId, UserId};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

const SELECT: &str = "SELECT r.id, r.source, r.responded_at, r.received_at, r.answers, r.csat, r.nps, r.ces, \
    r.comment, r.sentiment, r.language, r.themes, r.staff_mentions, r.contact_consent, \
    s.key AS survey_key, v.version AS survey_version, r.survey_version_id, x.external_id AS transaction_external_id, \
    c.id AS customer_id, c.external_id AS customer_external_id, c.name AS customer_name, \
    p.id AS touchpoint_id, p.key AS touchpoint_key, p.name AS touchpoint_name, \
    t.id AS team_id, t.key AS team_key, t.name AS team_name, \
    u.id AS staff_id, u.name AS staff_name, u.external_id AS staff_external_id \
    FROM responses r JOIN customers c ON c.id = r.customer_id JOIN touchpoints p ON p.id = r.touchpoint_id \
    LEFT JOIN teams t ON t.id = r.team_id LEFT JOIN users u ON u.id = r.staff_user_id \
    LEFT JOIN transactions x ON x.id = r.transaction_id \
    LEFT JOIN survey_versions v ON v.id = r.survey_version_id LEFT JOIN surveys s ON s.id = v.survey_id";

fn json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

fn decode(row: &AnyRow) -> Result<Response, StoreError> {
    let staff = decode_user_ref(row, "staff")?;
    let answers: String = get(row, "answers")?;
    Ok(Response {
        id: get(row, "id")?,
        survey_key: get(row, "survey_key")?,
        survey_version: get(row, "survey_version")?,
        survey_version_id: get(row, "survey_version_id")?,
        transaction_external_id: get(row, "transaction_external_id")?,
        customer: CustomerRef {
            id: CustomerId(get(row, "customer_id")?),
            external_id: get(row, "customer_external_id")?,
            name: get(row, "customer_name")?,
        },
        touchpoint: TouchpointRef {
            id: TouchpointId(get(row, "touchpoint_id")?),
            key: get(row, "touchpoint_key")?,
            name: get(row, "touchpoint_name")?,
        },
        team: decode_team_ref(row, "team")?,
        staff,
        source: get(row, "source")?,
        responded_at: get_time(row, "responded_at")?,
        received_at: get_time(row, "received_at")?,
        answers: serde_json::from_str(&answers).unwrap_or(serde_json::Value::Null),
        scores: Scores {
            csat: get(row, "csat")?,
            nps: get(row, "nps")?,
            ces: get(row, "ces")?,
        },
        comment: get(row, "comment")?,
        analysis: StoredAnalysis {
            sentiment: get(row, "sentiment")?,
            language: get(row, "language")?,
            themes: json_list(&get::<String>(row, "themes")?),
            staff_mentions: json_list(&get::<String>(row, "staff_mentions")?),
        },
        contact_consent: get::<i64>(row, "contact_consent")? != 0,
    })
}

impl SqlStore {
    /// A touchpoint's id, team and survey, from the short-lived cache or the database.
    async fn touchpoint_lookup(
        &self,
        field: &str,
        key: &str,
    ) -> StoreResult<(i64, Option<i64>, Option<SurveyVersion>)> {
        if let Some(found) = self.lookups.touchpoints.get(&key.to_owned()) {
            return Ok(found);
        }
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let row = sqlx::query("SELECT id, team_id FROM touchpoints WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::unknown(field, "touchpoint", key))?;
        let id: i64 = get(&row, "id")?;
        let found = (
            id,
            get(&row, "team_id")?,
            touchpoint_survey(&mut conn, id).await?,
        );
        self.lookups
            .touchpoints
            .insert(key.to_owned(), found.clone());
        Ok(found)
    }

    async fn customer_lookup(&self, field: &str, external_id: &str) -> StoreResult<i64> {
        if let Some(id) = self.lookups.customers.get(&external_id.to_owned()) {
            return Ok(id);
        }
        let row = sqlx::query("SELECT id FROM customers WHERE external_id = $1")
            .bind(external_id.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::unknown(field, "customer", external_id))?;
        let id: i64 = get(&row, "id")?;
        self.lookups.customers.insert(external_id.to_owned(), id);
        Ok(id)
    }

    async fn resolve(
        &self,
        refs: &ResponseReferences,
        prefix: &str,
    ) -> StoreResult<ResponseContext> {
        let field = |name: &str| format!("{prefix}{name}");
        let no_survey = |touchpoint: i64| {
            StoreError::unknown(
                field("touchpoint"),
                "survey attached to the touchpoint",
                touchpoint.to_string(),
            )
        };
        if let Some(external_id) = &refs.transaction {
            let mut conn = self.pool().acquire().await.map_err(map_err)?;
            let row = sqlx::query(
                "SELECT id, customer_id, touchpoint_id, team_id, staff_user_id FROM transactions WHERE external_id = $1",
            )
            .bind(external_id.as_str().to_owned())
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::unknown(field("transaction"), "transaction", external_id.as_str()))?;
            let touchpoint: i64 = get(&row, "touchpoint_id")?;
            let survey = touchpoint_survey(&mut conn, touchpoint)
                .await?
                .ok_or_else(|| no_survey(touchpoint))?;
            return Ok(ResponseContext {
                transaction: Some(TransactionId(get(&row, "id")?)),
                customer: CustomerId(get(&row, "customer_id")?),
                touchpoint: TouchpointId(touchpoint),
                team: get::<Option<i64>>(&row, "team_id")?.map(TeamId),
                staff: get::<Option<i64>>(&row, "staff_user_id")?.map(UserId),
                survey,
            });
        }
        let customer = refs.customer.as_ref().ok_or_else(|| {
            StoreError::unknown(
                field("customer"),
                "customer",
                "(missing: give a transaction or a customer)",
            )
        })?;
        let touchpoint = refs.touchpoint.as_ref().ok_or_else(|| {
            StoreError::unknown(
                field("touchpoint"),
                "touchpoint",
                "(missing: give a transaction or a touchpoint)",
            )
        })?;
        let customer = self
            .customer_lookup(&field("customer.external_id"), customer.as_str())
            .await?;
        let (touchpoint, team, survey) = self
            .touchpoint_lookup(&field("touchpoint"), touchpoint.as_str())
            .await?;
        Ok(ResponseContext {
            transaction: None,
            customer: CustomerId(customer),
            touchpoint: TouchpointId(touchpoint),
            team: team.map(TeamId),
            staff: None,
            survey: survey.ok_or_else(|| no_survey(touchpoint))?,
        })
    }
}

/// Rows per INSERT statement. sqlx resolves every numbered SQLite parameter by name, which
/// costs time in the square of their number, so statements stay at a few hundred parameters.
const ROWS_PER_STATEMENT: usize = 25;
const COLUMNS: usize = 22;
const SENTIMENT_COLUMN: usize = 16;

/// Marks the invitations of survey-page responses answered; a second answer is a Conflict.
async fn answer_invitations(
    conn: &mut AnyConnection,
    responses: &[&NewResponse],
    now: i64,
    zone: &jiff::tz::TimeZone,
) -> StoreResult<()> {
    for invitation in responses.iter().filter_map(|r| r.invitation) {
        let answered = sqlx::query(
            "UPDATE invitations SET state = 'answered', answered_at = $1, draft_answers = NULL \
             WHERE id = $2 AND state <> 'answered' AND expires_at > $1 RETURNING created_at, transaction_id",
        )
        .bind(now)
        .bind(invitation)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_err)?;
        let Some(answered) = answered else {
            return Err(StoreError::Conflict(
                "this survey has already been answered".into(),
            ));
        };
        let issued_at = domain::time::from_micros(get(&answered, "created_at")?);
        let of = sqlx::query("SELECT team_id, touchpoint_id FROM transactions WHERE id = $1")
            .bind(get::<i64>(&answered, "transaction_id")?)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        let day = rollups::local_day(issued_at, zone);
        let (team, touchpoint) = (get(&of, "team_id")?, get(&of, "touchpoint_id")?);
        rollups::count_invitation(conn, day, team, touchpoint, 0, 1).await?;
    }
    Ok(())
}

/// The segments of the customers of `responses`, by customer id.
async fn segments(
    conn: &mut AnyConnection,
    responses: &[&NewResponse],
) -> StoreResult<std::collections::HashMap<i64, Option<String>>> {
    let mut ids: Vec<i64> = responses.iter().map(|r| r.context.customer.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT id, segment FROM customers WHERE id IN ({})",
            list.join(", ")
        );
        for row in sqlx::query(&sql)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
        {
            found.insert(
                get::<i64>(&row, "id")?,
                get::<Option<String>>(&row, "segment")?,
            );
        }
    }
    Ok(found)
}

/// A new response as the rollups count it.
fn counted(response: &NewResponse, segment: Option<String>) -> rollups::Counted {
    let scores = &response.scores;
    rollups::Counted {
        responded_at: response.responded_at,
        team: response.context.team.map(|t| t.0),
        touchpoint: response.context.touchpoint.0,
        staff: response.context.staff.map(|s| s.0),
        source: response.source.clone(),
        segment,
        measures: domain::dashboard::Measures::of(
            scores.csat,
            scores.nps,
            scores.ces,
            response.analysis.sentiment,
            response.comment.is_some(),
        ),
        themes: response.analysis.themes.clone(),
        sentiment: response.analysis.sentiment,
        drivers: rollups::driver_values(scores.csat, scores.nps, &response.ratings),
    }
}

/// Inserts responses a hundred rows per statement, with their `response.received` events;
/// returns their ids in input order (ids are assigned in row order within a statement).
async fn insert_many(
    conn: &mut AnyConnection,
    responses: &[&NewResponse],
    now: i64,
) -> StoreResult<Vec<i64>> {
    rollups::claim_write(conn).await?;
    let zone = rollups::organization_zone(conn).await?;
    answer_invitations(conn, responses, now, &zone).await?;
    let segments = segments(conn, responses).await?;
    let mut ids = Vec::with_capacity(responses.len());
    for chunk in responses.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| {
                let cells: Vec<String> = (1..=COLUMNS)
                    .map(|c| {
                        let n = row * COLUMNS + c;
                        // The sentiment goes as text: sqlx's Any driver declares a NULL float as
                        // float4, which PostgreSQL then refuses for the next non-NULL value.
                        if c == SENTIMENT_COLUMN {
                            format!("CAST(${n} AS DOUBLE PRECISION)")
                        } else {
                            format!("${n}")
                        }
                    })
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO responses (survey_version_id, invitation_id, transaction_id, customer_id, touchpoint_id, \
             team_id, staff_user_id, source, responded_at, received_at, answers, csat, nps, ces, comment, sentiment, \
             language, themes, staff_mentions, contact_consent, segment, ratings) VALUES {} RETURNING id",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for response in chunk {
            let context = &response.context;
            query = query
                .bind(context.survey.id)
                .bind(response.invitation)
                .bind(context.transaction.map(|t| t.0))
                .bind(context.customer.0)
                .bind(context.touchpoint.0)
                .bind(context.team.map(|t| t.0))
                .bind(context.staff.map(|s| s.0))
                .bind(response.source.clone())
                .bind(to_micros(response.responded_at))
                .bind(now)
                .bind(response.answers.to_string())
                .bind(response.scores.csat)
                .bind(response.scores.nps)
                .bind(response.scores.ces)
                .bind(response.comment.clone())
                .bind(response.analysis.sentiment.map(|v| v.to_string()))
                .bind(response.analysis.language.clone())
                .bind(
                    serde_json::to_string(&response.analysis.themes)
                        .unwrap_or_else(|_| "[]".into()),
                )
                .bind(
                    serde_json::to_string(&response.analysis.staff_mentions)
                        .unwrap_or_else(|_| "[]".into()),
                )
                .bind(i64::from(response.contact_consent))
                .bind(segments.get(&context.customer.0).cloned().flatten())
                .bind(serde_json::to_string(&response.ratings).unwrap_or_else(|_| "{}".into()));
        }
        let rows = query.fetch_all(&mut *conn).await.map_err(map_err)?;
        let mut chunk_ids = rows
            .iter()
            .map(|r| get::<i64>(r, "id"))
            .collect::<StoreResult<Vec<_>>>()?;
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    let mut tally = rollups::Tally::default();
    for response in responses {
        let counted = counted(
            response,
            segments
                .get(&response.context.customer.0)
                .cloned()
                .flatten(),
        );
        tally.count(&counted, &zone, 1);
    }
    tally.write(conn).await?;
    let events: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"response_id": id}))
        .collect();
    enqueue_many(conn, topics::RESPONSE_RECEIVED, &events, now).await?;
    Ok(ids)
}

impl SqlStore {
    /// Stores several requests' responses in one transaction; returns each request's ids.
    /// One audit entry is written per distinct caller.
    pub(crate) async fn write_response_groups(
        &self,
        groups: &[(&Actor, &[NewResponse])],
    ) -> StoreResult<Vec<Vec<i64>>> {
        let mut w = self.begin_write().await?;
        let now = now_micros();
        let all: Vec<&NewResponse> = groups
            .iter()
            .flat_map(|(_, responses)| responses.iter())
            .collect();
        let ids = insert_many(&mut w.tx, &all, now).await?;
        let mut per_group = Vec::with_capacity(groups.len());
        let mut rest = ids.as_slice();
        for (_, responses) in groups {
            let (mine, others) = rest.split_at(responses.len().min(rest.len()));
            per_group.push(mine.to_vec());
            rest = others;
        }
        let mut callers: Vec<(&Actor, Vec<i64>)> = Vec::new();
        for ((actor, _), ids) in groups.iter().zip(&per_group) {
            if matches!(actor, Actor::System { label } if label == "survey page") {
                continue;
            }
            match callers.iter_mut().find(|(known, _)| known == actor) {
                Some((_, list)) => list.extend(ids),
                None => callers.push((actor, ids.clone())),
            }
        }
        for (actor, ids) in callers {
            let summary = serde_json::json!({"response_ids": ids});
            audit(
                &mut w.tx,
                actor,
                "response.ingest",
                "response",
                None,
                None,
                Some(summary),
            )
            .await?;
        }
        w.tx.commit().await.map_err(map_err)?;
        Ok(per_group)
    }
}

#[async_trait]
impl ResponseStore for SqlStore {
    async fn response_context(
        &self,
        refs: &ResponseReferences,
        field_prefix: &str,
    ) -> StoreResult<ResponseContext> {
        self.resolve(refs, field_prefix).await
    }

    async fn insert_responses(
        &self,
        actor: &Actor,
        responses: Vec<NewResponse>,
    ) -> StoreResult<Vec<i64>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let request = super::group_commit::WriteRequest {
            actor: actor.clone(),
            responses,
            reply,
        };
        self.response_writer()
            .send(request)
            .await
            .map_err(|_| StoreError::Unavailable("the response writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the response writer has stopped".into()))?
    }

    async fn response(&self, id: i64) -> StoreResult<Response> {
        let sql = format!("{SELECT} WHERE r.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        decode(&row)
    }

    async fn list_responses(
        &self,
        params: &ListParams,
        filter: &ResponseFilter,
    ) -> StoreResult<Page<Response>> {
        let mut conditions = Conditions::default();
        conditions.paging(params, "r.id", &["r.comment", "c.name", "c.external_id"]);
        // Newest comments: walk the ids down rather than every response of the period (`+`
        // keeps SQLite from choosing the time index for such a query).
        let (after, before) = if filter.has_comment && params.newest_first {
            ("+r.responded_at >= ?", "+r.responded_at < ?")
        } else {
            ("r.responded_at >= ?", "r.responded_at < ?")
        };
        let ints = [
            (after, filter.from.map(to_micros)),
            (before, filter.to.map(to_micros)),
            ("r.team_id = ?", filter.team.map(|t| t.0)),
            ("r.touchpoint_id = ?", filter.touchpoint.map(|t| t.0)),
            ("r.staff_user_id = ?", filter.staff.map(|s| s.0)),
            ("r.customer_id = ?", filter.customer.map(|c| c.0)),
        ];
        for (clause, value) in ints {
            if let Some(value) = value {
                conditions.push(clause, [Bind::Int(value)]);
            }
        }
        if let Some(band) = filter.band {
            let clause = match band {
                ScoreBand::Poor => "(r.csat <= 2 OR (r.csat IS NULL AND r.nps <= 6))",
                ScoreBand::Neutral => "(r.csat = 3 OR (r.csat IS NULL AND r.nps BETWEEN 7 AND 8))",
                ScoreBand::Good => "(r.csat >= 4 OR (r.csat IS NULL AND r.nps >= 9))",
            };
            conditions.push(clause, []);
        }
        if let Some(theme) = &filter.theme {
            conditions.push(
                "r.themes LIKE ? ESCAPE '\\'",
                [Bind::Text(format!(
                    "%\"{}\"%",
                    theme.replace(['\\', '%', '"'], "").replace('_', "\\_")
                ))],
            );
        }
        if let Some(min) = filter.sentiment_min.filter(|v| v.is_finite()) {
            conditions.push(&format!("r.sentiment >= {min}"), []);
        }
        if let Some(max) = filter.sentiment_max.filter(|v| v.is_finite()) {
            conditions.push(&format!("r.sentiment < {max}"), []);
        }
        if let Some(source) = &filter.source {
            conditions.push("r.source = ?", [Bind::Text(source.clone())]);
        }
        if filter.has_comment {
            conditions.push("r.comment IS NOT NULL", []);
        }
        fetch_page(
            self.pool(),
            SELECT,
            "r.id",
            &conditions,
            params,
            decode,
            |r| r.id,
        )
        .await
    }

    async fn update_analysis(&self, updates: Vec<(i64, StoredAnalysis)>) -> StoreResult<()> {
        for chunk in updates.chunks(500) {
            let mut w = self.begin_write().await?;
            rollups::claim_write(&mut w.tx).await?;
            let zone = rollups::organization_zone(&mut w.tx).await?;
            let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
            let before = rollups::read_counted(&mut w.tx, &ids).await?;
            let mut tally = rollups::Tally::default();
            for (id, analysis) in chunk {
                let Some(old) = before.get(id) else { continue };
                tally.count(old, &zone, -1);
                let mut new = old.clone();
                new.sentiment = analysis.sentiment;
                new.themes = analysis.themes.clone();
                let m = &old.measures;
                new.measures = domain::dashboard::Measures {
                    sentiment_n: i64::from(analysis.sentiment.is_some_and(f64::is_finite)),
                    sentiment_milli_sum: analysis
                        .sentiment
                        .filter(|s| s.is_finite())
                        .map_or(0, |s| (s * 1000.0).round() as i64),
                    ..*m
                };
                tally.count(&new, &zone, 1);
            }
            tally.write(&mut w.tx).await?;
            for (id, analysis) in chunk {
                sqlx::query(
                    "UPDATE responses SET sentiment = CAST($1 AS DOUBLE PRECISION), language = $2, themes = $3, \
                     staff_mentions = $4 WHERE id = $5",
                )
                .bind(analysis.sentiment.map(|v| v.to_string()))
                .bind(analysis.language.clone())
                .bind(serde_json::to_string(&analysis.themes).unwrap_or_else(|_| "[]".into()))
                .bind(
                    serde_json::to_string(&analysis.staff_mentions)
                        .unwrap_or_else(|_| "[]".into()),
                )
                .bind(*id)
                .execute(&mut *w.tx)
                .await
                .map_err(map_err)?;
            }
            w.tx.commit().await.map_err(map_err)?;
        }
        Ok(())
    }
}
