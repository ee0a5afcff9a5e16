//! Reads for key driver analysis and revenue at risk, and the one-off backfill of attribute
//! ratings for responses stored before ratings had a column of their own.

use super::query::{Bind, Conditions, get};
use super::surveys::parse_questions;
use super::{SqlStore, map_err};
use crate::drivers::*;
use crate::error::StoreError;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::improvement::moments::{Moments, PairMoments};
use domain::survey::{QuestionKind, Ratings};
use domain::time::to_micros;
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};

/// A comment below this sentiment counts as a complaint about its themes.
const NEGATIVE_SENTIMENT: f64 = -0.05;

/// Responses read per statement by the backfill.
const BACKFILL_BATCH: i64 = 5_000;

#[async_trait]
impl DriverStore for SqlStore {
    async fn driver_moments(&self, filter: &DriverFilter) -> StoreResult<Moments> {
        let mut conditions = Conditions::default();
        conditions.push(
            "month >= ? AND month <= ?",
            [Bind::Int(filter.from_month), Bind::Int(filter.to_month)],
        );
        if let Some(team) = filter.team {
            conditions.push("team_id = ?", [Bind::Int(team)]);
        }
        if let Some(touchpoint) = filter.touchpoint {
            conditions.push("touchpoint_id = ?", [Bind::Int(touchpoint)]);
        }
        let sums = [
            "n", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab", "top_two",
        ]
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
        let sql = format!(
            "SELECT variable_a, variable_b, {sums} FROM rollup_driver_monthly {} \
             GROUP BY variable_a, variable_b",
            conditions.where_sql()
        );
        let rows = conditions
            .bind_all(sqlx::query(&sql))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        let mut moments = Moments::default();
        for row in &rows {
            let a: String = get(row, "variable_a")?;
            let b: String = get(row, "variable_b")?;
            let pair = PairMoments {
                n: get(row, "n")?,
                sum_a: get(row, "sum_a")?,
                sum_b: get(row, "sum_b")?,
                sum_aa: get(row, "sum_aa")?,
                sum_bb: get(row, "sum_bb")?,
                sum_ab: get(row, "sum_ab")?,
            };
            if a == b {
                let top_two: i64 = get(row, "top_two")?;
                if top_two != 0 {
                    moments.top_two.insert(a.clone(), top_two);
                }
            }
            if !pair.is_empty() {
                moments.pairs.insert((a, b), pair);
            }
        }
        Ok(moments)
    }

    async fn rating_labels(&self) -> StoreResult<BTreeMap<String, String>> {
        let rows = sqlx::query("SELECT questions FROM survey_versions ORDER BY id")
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        let mut labels = BTreeMap::new();
        for row in &rows {
            let questions = parse_questions(&get::<String>(row, "questions")?)?;
            for question in questions.as_slice() {
                if let QuestionKind::Rating { attribute } = &question.kind {
                    labels
                        .entry(question.key.clone())
                        .or_insert_with(|| attribute.clone());
                }
            }
        }
        Ok(labels)
    }

    async fn customer_standings(&self, since: Timestamp) -> StoreResult<Vec<CustomerStandingRow>> {
        let rows = sqlx::query(
            "SELECT c.id, c.name, c.external_id, c.team_id, c.segment, c.status, c.annual_value_minor, \
             c.annual_value_currency, COUNT(r.csat) AS csat_n, CAST(COALESCE(SUM(r.csat), 0) AS BIGINT) AS csat_sum \
             FROM customers c LEFT JOIN responses r ON r.customer_id = c.id AND r.responded_at >= $1 \
             GROUP BY c.id, c.name, c.external_id, c.team_id, c.segment, c.status, c.annual_value_minor, \
             c.annual_value_currency ORDER BY c.id",
        )
        .bind(to_micros(since))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(CustomerStandingRow {
                    customer: get(row, "id")?,
                    name: get(row, "name")?,
                    external_id: get(row, "external_id")?,
                    team: get(row, "team_id")?,
                    segment: get(row, "segment")?,
                    status: get(row, "status")?,
                    annual_value_minor: get(row, "annual_value_minor")?,
                    currency: get(row, "annual_value_currency")?,
                    csat_n: get(row, "csat_n")?,
                    csat_sum: get(row, "csat_sum")?,
                })
            })
            .collect()
    }

    async fn customer_touchpoint_csat(
        &self,
        since: Timestamp,
    ) -> StoreResult<Vec<CustomerTouchpointCsat>> {
        let rows = sqlx::query(
            "SELECT customer_id, touchpoint_id, COUNT(csat) AS csat_n, CAST(SUM(csat) AS BIGINT) AS csat_sum \
             FROM responses WHERE responded_at >= $1 AND csat IS NOT NULL \
             GROUP BY customer_id, touchpoint_id ORDER BY customer_id, touchpoint_id",
        )
        .bind(to_micros(since))
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(CustomerTouchpointCsat {
                    customer: get(row, "customer_id")?,
                    touchpoint: get(row, "touchpoint_id")?,
                    csat_n: get(row, "csat_n")?,
                    csat_sum: get(row, "csat_sum")?,
                })
            })
            .collect()
    }

    async fn csat_by_transaction(
        &self,
        external_ids: &[String],
    ) -> StoreResult<BTreeMap<String, i64>> {
        let mut found = BTreeMap::new();
        for chunk in external_ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT x.external_id, r.csat FROM transactions x JOIN responses r ON r.transaction_id = x.id \
                 WHERE r.csat IS NOT NULL AND x.external_id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.clone());
            }
            for row in query.fetch_all(self.pool()).await.map_err(map_err)? {
                found.insert(
                    get::<String>(&row, "external_id")?,
                    get::<i64>(&row, "csat")?,
                );
            }
        }
        Ok(found)
    }

    async fn period_sample(&self, filter: &SampleFilter) -> StoreResult<PeriodSample> {
        let mut conditions = Conditions::default();
        conditions.push(
            "responded_at >= ? AND responded_at < ?",
            [
                Bind::Int(to_micros(filter.from)),
                Bind::Int(to_micros(filter.to)),
            ],
        );
        if let Some(touchpoint) = filter.touchpoint {
            conditions.push("touchpoint_id = ?", [Bind::Int(touchpoint)]);
        }
        let sql = format!(
            "SELECT csat, themes, ratings, CAST(sentiment AS TEXT) AS sentiment_text FROM responses {}",
            conditions.where_sql()
        );
        let rows = conditions
            .bind_all(sqlx::query(&sql))
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        let mut sample = PeriodSample {
            theme_hits: filter.themes.iter().map(|t| (t.clone(), 0)).collect(),
            ..PeriodSample::default()
        };
        for row in &rows {
            sample.responses += 1;
            if let Some(csat) = get::<Option<i64>>(row, "csat")? {
                sample.csat.add(csat as f64);
            }
            if let Some(driver) = &filter.driver {
                let ratings: Ratings =
                    serde_json::from_str(&get::<String>(row, "ratings")?).unwrap_or_default();
                if let Some(value) = ratings.get(driver) {
                    sample.driver.add(*value as f64);
                }
            }
            let sentiment: Option<String> = get(row, "sentiment_text")?;
            let negative = sentiment
                .and_then(|s| s.parse::<f64>().ok())
                .is_some_and(|s| s < NEGATIVE_SENTIMENT);
            if negative && !filter.themes.is_empty() {
                let themes: Vec<String> =
                    serde_json::from_str(&get::<String>(row, "themes")?).unwrap_or_default();
                for (theme, hits) in sample.theme_hits.iter_mut() {
                    if themes.contains(theme) {
                        *hits += 1;
                    }
                }
            }
        }
        Ok(sample)
    }
}

impl SqlStore {
    /// Whether no driver moments exist yet (a database from before they did).
    pub(crate) async fn driver_moments_missing(&self) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS moments FROM (SELECT month FROM rollup_driver_monthly LIMIT 1) AS d",
        )
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        Ok(get::<i64>(&row, "moments")? == 0)
    }

    /// Fills the ratings of responses stored before ratings had a column (their survey
    /// version says which answers are ratings); returns how many were filled.
    pub(crate) async fn fill_missing_ratings(&self) -> StoreResult<u64> {
        let keys = self.rating_keys_by_version().await?;
        let mut filled = 0;
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT id, survey_version_id, answers FROM responses WHERE id > $1 AND ratings = '{}' \
                 AND survey_version_id IS NOT NULL ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(BACKFILL_BATCH)
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
            let mut updates = Vec::new();
            for row in &rows {
                let id: i64 = get(row, "id")?;
                after = id;
                let version: i64 = get(row, "survey_version_id")?;
                let Some(rating_keys) = keys.get(&version) else {
                    continue;
                };
                let answers: serde_json::Value =
                    serde_json::from_str(&get::<String>(row, "answers")?).unwrap_or_default();
                let ratings: Ratings = rating_keys
                    .iter()
                    .filter_map(|k| {
                        answers
                            .get(k)
                            .and_then(|v| v.as_i64())
                            .map(|v| (k.clone(), v))
                    })
                    .collect();
                if !ratings.is_empty() {
                    let text = serde_json::to_string(&ratings)
                        .map_err(|e| StoreError::Internal(e.to_string()))?;
                    updates.push((id, text));
                }
            }
            let mut w = self.begin_write().await?;
            for (id, text) in &updates {
                sqlx::query("UPDATE responses SET ratings = $1 WHERE id = $2")
                    .bind(text.clone())
                    .bind(*id)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(map_err)?;
            }
            w.tx.commit().await.map_err(map_err)?;
            filled += updates.len() as u64;
            if (rows.len() as i64) < BACKFILL_BATCH {
                break;
            }
        }
        Ok(filled)
    }

    /// Per survey version: the keys of its rating questions.
    async fn rating_keys_by_version(&self) -> StoreResult<HashMap<i64, Vec<String>>> {
        let rows = sqlx::query("SELECT id, questions FROM survey_versions")
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        let mut keys = HashMap::new();
        for row in &rows {
            let questions = parse_questions(&get::<String>(row, "questions")?)?;
            let ratings: Vec<String> = questions
                .as_slice()
                .iter()
                .filter(|q| matches!(q.kind, QuestionKind::Rating { .. }))
                .map(|q| q.key.clone())
                .collect();
            keys.insert(get::<i64>(row, "id")?, ratings);
        }
        Ok(keys)
    }
}
