//! Control-chart state for the early warning, and the raw observations to redraw a chart.

use super::customers::decode_team_ref;
use super::query::{audit, get, get_time};
use super::{SqlStore, map_err};
use crate::error::StoreError;
use crate::model::{Actor, TouchpointRef};
use crate::recovery::ChartRow;
use crate::traits::StoreResult;
use domain::TouchpointId;
use domain::early_warning::{ChartState, Metric};
use domain::time::to_micros;

impl SqlStore {
    pub(crate) async fn read_charts(&self) -> StoreResult<Vec<ChartRow>> {
        let rows = sqlx::query(
            "SELECT g.series, g.metric, g.state, g.updated_at, t.id AS team_id, t.key AS team_key, \
             t.name AS team_name, p.id AS tp_id, p.key AS tp_key, p.name AS tp_name \
             FROM control_charts g LEFT JOIN teams t ON t.id = g.team_id \
             LEFT JOIN touchpoints p ON p.id = g.touchpoint_id ORDER BY g.series, g.metric",
        )
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        let mut charts = Vec::with_capacity(rows.len());
        for row in &rows {
            let Some(metric) = Metric::parse(&get::<String>(row, "metric")?) else {
                continue;
            };
            let touchpoint = match get::<Option<i64>>(row, "tp_id")? {
                Some(id) => Some(TouchpointRef {
                    id: TouchpointId(id),
                    key: get(row, "tp_key")?,
                    name: get(row, "tp_name")?,
                }),
                None => None,
            };
            charts.push(ChartRow {
                series: get(row, "series")?,
                metric,
                team: decode_team_ref(row, "team")?,
                touchpoint,
                state: serde_json::from_str(&get::<String>(row, "state")?)
                    .unwrap_or_else(|_| ChartState::new(metric)),
                updated_at: get_time(row, "updated_at")?,
            });
        }
        Ok(charts)
    }

    pub(crate) async fn read_observations(
        &self,
        series: &str,
        metric: Metric,
    ) -> StoreResult<Vec<f64>> {
        let (column, id) = parse_series(series)?;
        let value = match metric {
            Metric::CsatMean => "csat",
            Metric::DetractorShare => "nps",
        };
        let rows = sqlx::query(&format!(
            "SELECT {value} AS v FROM responses WHERE {column} = $1 AND {value} IS NOT NULL ORDER BY id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                let v: i64 = get(row, "v")?;
                Ok(match metric {
                    Metric::CsatMean => v as f64,
                    Metric::DetractorShare => f64::from(u8::from(v <= 6)),
                })
            })
            .collect()
    }

    pub(crate) async fn reset_chart(
        &self,
        actor: &Actor,
        series: &str,
        metric: Metric,
    ) -> StoreResult<()> {
        let write = self.begin_write().await?;
        let mut tx = write.tx;
        let row = sqlx::query("SELECT state FROM control_charts WHERE series = $1 AND metric = $2")
            .bind(series.to_owned())
            .bind(metric.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let mut state: ChartState = serde_json::from_str(&get::<String>(&row, "state")?)
            .unwrap_or_else(|_| ChartState::new(metric));
        state.rebaseline();
        sqlx::query("UPDATE control_charts SET state = $1, updated_at = $2 WHERE series = $3 AND metric = $4")
            .bind(serde_json::to_string(&state).unwrap_or_default())
            .bind(to_micros(jiff::Timestamp::now()))
            .bind(series.to_owned())
            .bind(metric.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        audit(
            &mut tx,
            actor,
            "rebaseline",
            "control_chart",
            Some(format!("{series}/{}", metric.as_str())),
            None,
            None,
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }
}

/// `team:7` → (`team_id`, 7); `touchpoint:3` → (`touchpoint_id`, 3).
fn parse_series(series: &str) -> StoreResult<(&'static str, i64)> {
    let (kind, id) = series.split_once(':').ok_or(StoreError::NotFound)?;
    let id: i64 = id.parse().map_err(|_| StoreError::NotFound)?;
    match kind {
        "team" => Ok(("team_id", id)),
        "touchpoint" => Ok(("touchpoint_id", id)),
        _ => Err(StoreError::NotFound),
    }
}
