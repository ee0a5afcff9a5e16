//! Sums of the rollups for the dashboards (see `rollups.rs` for how they are kept).

use super::query::get;
use super::{SqlStore, map_err};
use crate::dashboard::*;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::dashboard::Measures;
use domain::dashboard::measures::COLUMNS;

/// `WHERE` clauses and their text binds for a filter; ids are inlined as integers.
fn conditions(
    filter: &DashboardFilter,
    staff_table: bool,
    with: Dimensions,
) -> (String, Vec<String>) {
    let mut clauses = vec![format!(
        "day >= {} AND day < {}",
        filter.from_day, filter.to_day
    )];
    let mut texts = Vec::new();
    if let Some(teams) = &filter.teams {
        let ids: Vec<String> = teams.iter().map(|t| t.0.to_string()).collect();
        let list = if ids.is_empty() {
            "NULL".to_owned()
        } else {
            ids.join(", ")
        };
        clauses.push(format!("team_id IN ({list})"));
    }
    if let Some(touchpoint) = filter.touchpoint {
        clauses.push(format!("touchpoint_id = {}", touchpoint.0));
    }
    if let Some(staff) = filter.staff.filter(|_| staff_table) {
        clauses.push(format!("staff_user_id = {}", staff.0));
    }
    if with.source
        && let Some(source) = &filter.source
    {
        texts.push(source.clone());
        clauses.push(format!("source = ${}", texts.len()));
    }
    if with.segment
        && !staff_table
        && let Some(segment) = &filter.segment
    {
        texts.push(segment.clone());
        clauses.push(format!("segment = ${}", texts.len()));
    }
    (clauses.join(" AND "), texts)
}

/// Which text dimensions a table has.
#[derive(Clone, Copy)]
struct Dimensions {
    source: bool,
    segment: bool,
}

const ALL: Dimensions = Dimensions {
    source: true,
    segment: true,
};
const NO_TEXT: Dimensions = Dimensions {
    source: false,
    segment: false,
};

fn sums() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn decode_measures(row: &sqlx::any::AnyRow) -> StoreResult<Measures> {
    let mut fields = [0i64; 14];
    for (slot, column) in fields.iter_mut().zip(COLUMNS) {
        *slot = get(row, column)?;
    }
    Ok(Measures::from_fields(fields))
}

#[async_trait]
impl DashboardStore for SqlStore {
    async fn rollup(&self, filter: &DashboardFilter, by: Grouping) -> StoreResult<Vec<Bucket>> {
        let staff_table = by == Grouping::Staff || filter.staff.is_some();
        let table = if staff_table {
            "rollup_staff_daily"
        } else {
            "rollup_daily"
        };
        let key = match by {
            Grouping::Total => None,
            Grouping::Day => Some("day"),
            Grouping::Team => Some("team_id"),
            Grouping::Touchpoint => Some("touchpoint_id"),
            Grouping::Segment if !staff_table => Some("segment"),
            Grouping::Segment => None,
            Grouping::Source => Some("source"),
            Grouping::Staff => Some("staff_user_id"),
        };
        let (clauses, texts) = conditions(filter, staff_table, ALL);
        let sql = match key {
            Some(key) => format!(
                "SELECT CAST({key} AS TEXT) AS k, {} FROM {table} WHERE {clauses} GROUP BY {key}",
                sums()
            ),
            None => format!("SELECT '' AS k, {} FROM {table} WHERE {clauses}", sums()),
        };
        let mut query = sqlx::query(&sql);
        for text in texts {
            query = query.bind(text);
        }
        let rows = query.fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(Bucket {
                    key: get(row, "k")?,
                    measures: decode_measures(row)?,
                })
            })
            .filter(|b: &StoreResult<Bucket>| {
                b.as_ref()
                    .map_or(true, |b| by == Grouping::Total || b.measures.responses != 0)
            })
            .collect()
    }

    async fn theme_rollup(
        &self,
        filter: &DashboardFilter,
        limit: i64,
    ) -> StoreResult<Vec<ThemeBucket>> {
        let (clauses, _) = conditions(filter, false, NO_TEXT);
        let sql = format!(
            "SELECT theme, CAST(SUM(mentions) AS BIGINT) AS mentions, CAST(SUM(sentiment_n) AS BIGINT) AS n, \
             CAST(SUM(sentiment_milli_sum) AS BIGINT) AS s FROM rollup_theme_daily WHERE {clauses} \
             GROUP BY theme HAVING SUM(mentions) > 0 ORDER BY mentions DESC, theme LIMIT {}",
            limit.clamp(1, 100)
        );
        let rows = sqlx::query(&sql)
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(ThemeBucket {
                    theme: get(row, "theme")?,
                    mentions: get(row, "mentions")?,
                    sentiment_n: get(row, "n")?,
                    sentiment_milli_sum: get(row, "s")?,
                })
            })
            .collect()
    }

    async fn invitation_rollup(
        &self,
        filter: &DashboardFilter,
        by_day: bool,
    ) -> StoreResult<Vec<InvitationBucket>> {
        let (clauses, _) = conditions(filter, false, NO_TEXT);
        let (key, group) = if by_day {
            ("CAST(day AS TEXT)", " GROUP BY day")
        } else {
            ("''", "")
        };
        let sql = format!(
            "SELECT {key} AS k, CAST(COALESCE(SUM(issued), 0) AS BIGINT) AS issued, \
             CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered FROM rollup_invitations_daily \
             WHERE {clauses}{group}"
        );
        let rows = sqlx::query(&sql)
            .fetch_all(self.pool())
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                Ok(InvitationBucket {
                    key: get(row, "k")?,
                    issued: get(row, "issued")?,
                    answered: get(row, "answered")?,
                })
            })
            .collect()
    }

    async fn operations(
        &self,
        teams: Option<&[domain::TeamId]>,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> StoreResult<Operations> {
        use domain::time::to_micros;
        let within = |column: &str| match teams {
            None => String::new(),
            Some(teams) => {
                let ids: Vec<String> = teams.iter().map(|t| t.0.to_string()).collect();
                let list = if ids.is_empty() { "NULL".to_owned() } else { ids.join(", ") };
                format!(" AND {column} IN ({list})")
            }
        };
        let cases = sqlx::query(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS open, CAST(COALESCE(SUM(CASE WHEN resolution_due_at < $1 OR \
             (first_contacted_at IS NULL AND first_contact_due_at < $1) THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM cases WHERE status IN ('new', 'contacted'){}",
            within("owner_team_id")
        ))
        .bind(to_micros(now))
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        let guarantees = sqlx::query(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM guarantee_claims WHERE kind = 'invocation' \
             AND invoked_at >= $1 AND invoked_at < $2{}",
            within("team_id")
        ))
        .bind(to_micros(from))
        .bind(to_micros(to))
        .fetch_one(self.pool())
        .await
        .map_err(map_err)?;
        Ok(Operations {
            open_cases: get(&cases, "open")?,
            overdue_cases: get(&cases, "overdue")?,
            guarantees: get(&guarantees, "n")?,
        })
    }

    async fn rebuild_rollups(&self) -> StoreResult<()> {
        self.rebuild_rollup_tables().await
    }

    async fn rollup_snapshot(&self) -> StoreResult<RollupSnapshot> {
        let measures = COLUMNS.join(" || ',' || ");
        let queries = [
            format!(
                "SELECT 'daily,' || day || ',' || team_id || ',' || touchpoint_id || ',' || source || ',' || \
                 segment || ',' || {measures} AS line FROM rollup_daily WHERE responses <> 0"
            ),
            format!(
                "SELECT 'staff,' || day || ',' || staff_user_id || ',' || team_id || ',' || touchpoint_id || ',' || \
                 source || ',' || {measures} AS line FROM rollup_staff_daily WHERE responses <> 0"
            ),
            "SELECT 'theme,' || day || ',' || team_id || ',' || touchpoint_id || ',' || theme || ',' || mentions \
             || ',' || sentiment_n || ',' || sentiment_milli_sum AS line FROM rollup_theme_daily WHERE mentions <> 0"
                .to_owned(),
            "SELECT 'invitations,' || day || ',' || team_id || ',' || touchpoint_id || ',' || issued || ',' || \
             answered AS line FROM rollup_invitations_daily WHERE issued <> 0 OR answered <> 0"
                .to_owned(),
        ];
        let mut lines = Vec::new();
        for sql in queries {
            for row in sqlx::query(&sql)
                .fetch_all(self.pool())
                .await
                .map_err(map_err)?
            {
                lines.push(get::<String>(&row, "line")?);
            }
        }
        lines.sort();
        Ok(lines)
    }
}
