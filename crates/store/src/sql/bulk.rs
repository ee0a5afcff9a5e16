//! The bulk path for loading millions of responses (the dashboard benchmark): values written
//! into large multi-row statements, the rollups tallied alongside, one transaction per call.

use super::rollups::{Counted, Tally, organization_zone};
use super::{SqlStore, map_err};
use crate::dashboard::{BulkLoad, BulkResponse};
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::dashboard::Measures;
use domain::time::to_micros;

const ROWS_PER_STATEMENT: usize = 500;

fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn number(value: Option<i64>) -> String {
    value.map_or("NULL".to_owned(), |v| v.to_string())
}

#[async_trait]
impl BulkLoad for SqlStore {
    async fn bulk_insert_responses(&self, rows: &[BulkResponse]) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        super::rollups::claim_write(&mut w.tx).await?;
        let zone = organization_zone(&mut w.tx).await?;
        let mut tally = Tally::default();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = chunk
                .iter()
                .map(|r| {
                    let at = to_micros(r.responded_at);
                    let themes = serde_json::to_string(r.themes).unwrap_or_else(|_| "[]".into());
                    let ratings: domain::survey::Ratings =
                        r.ratings.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
                    let ratings = serde_json::to_string(&ratings).unwrap_or_else(|_| "{}".into());
                    format!(
                        "({}, {}, {}, {}, {}, {at}, {at}, '{{}}', {}, {}, {}, {}, {}, {}, '[]', 0, {}, {})",
                        r.customer,
                        r.touchpoint,
                        number(r.team),
                        number(r.staff),
                        text(r.source),
                        number(r.csat),
                        number(r.nps),
                        number(r.ces),
                        r.comment.map_or("NULL".to_owned(), text),
                        r.sentiment
                            .filter(|s| s.is_finite())
                            .map_or("NULL".to_owned(), |s| format!("{s:.4}")),
                        text(&themes),
                        r.segment.map_or("NULL".to_owned(), text),
                        text(&ratings),
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO responses (customer_id, touchpoint_id, team_id, staff_user_id, source, responded_at, \
                 received_at, answers, csat, nps, ces, comment, sentiment, themes, staff_mentions, contact_consent, \
                 segment, ratings) VALUES {}",
                values.join(", ")
            );
            sqlx::query(&sql)
                .execute(&mut *w.tx)
                .await
                .map_err(map_err)?;
            for r in chunk {
                let sentiment = r
                    .sentiment
                    .filter(|s| s.is_finite())
                    .map(|s| (s * 10_000.0).round() / 10_000.0);
                let counted = Counted {
                    responded_at: r.responded_at,
                    team: r.team,
                    touchpoint: r.touchpoint,
                    staff: r.staff,
                    source: r.source.to_owned(),
                    segment: r.segment.map(str::to_owned),
                    measures: Measures::of(r.csat, r.nps, r.ces, sentiment, r.comment.is_some()),
                    themes: r.themes.iter().map(|t| (*t).to_owned()).collect(),
                    sentiment,
                    drivers: super::rollups::driver_values(
                        r.csat,
                        r.nps,
                        &r.ratings
                            .iter()
                            .map(|(k, v)| ((*k).to_owned(), *v))
                            .collect(),
                    ),
                };
                tally.count(&counted, &zone, 1);
            }
        }
        tally.write(&mut w.tx).await?;
        w.tx.commit().await.map_err(map_err)?;
        Ok(())
    }
}
