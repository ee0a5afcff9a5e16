//! The dashboard rollups: per local day and dimensions, the additive measures of responses
//! (`rollup_daily`, `rollup_staff_daily`), the mentions of each theme (`rollup_theme_daily`)
//! and invitations issued and answered (`rollup_invitations_daily`). They are updated in the
//! transaction that writes what they count, so they are always exactly the raw data summed;
//! `rebuild` recomputes them from the raw rows (after a change of time zone, say).

use super::query::get;
use super::{SqlStore, map_err};
use crate::traits::StoreResult;
use domain::dashboard::Measures;
use domain::dashboard::measures::COLUMNS;
use domain::improvement::moments::{self, Moments};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Rows per multi-row upsert.
const ROWS_PER_STATEMENT: usize = 40;

pub use domain::dashboard::days::local_day;

/// Takes the database's write lock before the transaction reads anything: on SQLite, a
/// transaction that reads first and writes later fails with "database is locked" when another
/// connection wrote in between, instead of waiting its turn.
pub(super) async fn claim_write(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("DELETE FROM rollup_invitations_daily WHERE 1 = 0")
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

/// The organization's time zone, UTC if unknown.
pub(super) async fn organization_zone(conn: &mut AnyConnection) -> StoreResult<TimeZone> {
    let row = sqlx::query("SELECT time_zone FROM organization WHERE id = 1")
        .fetch_optional(conn)
        .await
        .map_err(map_err)?;
    let name: Option<String> = row.map(|r| get(&r, "time_zone")).transpose()?;
    Ok(name
        .and_then(|n| TimeZone::get(&n).ok())
        .unwrap_or(TimeZone::UTC))
}

/// One response as the rollups see it.
#[derive(Debug, Clone)]
pub(crate) struct Counted {
    pub responded_at: Timestamp,
    pub team: Option<i64>,
    pub touchpoint: i64,
    pub staff: Option<i64>,
    pub source: String,
    pub segment: Option<String>,
    pub measures: Measures,
    pub themes: Vec<String>,
    pub sentiment: Option<f64>,
    /// The outcomes and attribute ratings answered, named as key driver analysis names them.
    pub drivers: Vec<(String, i64)>,
}

/// The variables of key driver analysis a response answered: CSAT and NPS as outcomes, then
/// its attribute ratings.
pub(crate) fn driver_values(
    csat: Option<i64>,
    nps: Option<i64>,
    ratings: &domain::survey::Ratings,
) -> Vec<(String, i64)> {
    let outcomes = [(moments::CSAT, csat), (moments::NPS, nps)];
    outcomes
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_owned(), v)))
        .chain(ratings.iter().map(|(k, v)| (k.clone(), *v)))
        .collect()
}

type DailyKey = (i64, i64, i64, String, String);
type StaffKey = (i64, i64, i64, i64, String);
type ThemeKey = (i64, i64, i64, String);
/// Month, team (0 when none) and touchpoint.
type DriverKey = (i64, i64, i64);

/// Rollup rows being summed before they are written.
#[derive(Default)]
pub(crate) struct Tally {
    daily: HashMap<DailyKey, Measures>,
    staff: HashMap<StaffKey, Measures>,
    themes: HashMap<ThemeKey, [i64; 3]>,
    drivers: HashMap<DriverKey, Moments>,
}

impl Tally {
    /// Adds (`sign` 1) or removes (`sign` −1) one response.
    pub fn count(&mut self, response: &Counted, zone: &TimeZone, sign: i64) {
        let day = local_day(response.responded_at, zone);
        let team = response.team.unwrap_or(0);
        let mut measures = response.measures;
        if sign < 0 {
            let mut negative = Measures::default();
            negative.subtract(&measures);
            measures = negative;
        }
        let key = (
            day,
            team,
            response.touchpoint,
            response.source.clone(),
            response.segment.clone().unwrap_or_default(),
        );
        self.daily.entry(key).or_default().add(&measures);
        if let Some(staff) = response.staff {
            let key = (
                day,
                staff,
                team,
                response.touchpoint,
                response.source.clone(),
            );
            self.staff.entry(key).or_default().add(&measures);
        }
        if !response.drivers.is_empty() {
            let mut answered = Moments::of_response(&response.drivers);
            if sign < 0 {
                answered = negated(&answered);
            }
            let month = domain::dashboard::days::month_of_day(day);
            self.drivers
                .entry((month, team, response.touchpoint))
                .or_default()
                .add(&answered);
        }
        let sentiment = response.sentiment.filter(|s| s.is_finite());
        let mut seen = std::collections::HashSet::new();
        for theme in response.themes.iter().filter(|t| seen.insert(*t)) {
            let entry = self
                .themes
                .entry((day, team, response.touchpoint, theme.clone()))
                .or_default();
            entry[0] += sign;
            if let Some(s) = sentiment {
                entry[1] += sign;
                entry[2] += sign * (s * 1000.0).round() as i64;
            }
        }
    }

    /// Adds the tally to the stored rollups, by day and by month.
    pub async fn write(mut self, conn: &mut AnyConnection) -> StoreResult<()> {
        use domain::dashboard::days::month_of_day;
        let mut monthly = Tally::default();
        for ((day, team, tp, source, segment), m) in &self.daily {
            let key = (
                month_of_day(*day),
                *team,
                *tp,
                source.clone(),
                segment.clone(),
            );
            monthly.daily.entry(key).or_default().add(m);
        }
        for ((day, staff, team, tp, source), m) in &self.staff {
            let key = (month_of_day(*day), *staff, *team, *tp, source.clone());
            monthly.staff.entry(key).or_default().add(m);
        }
        for ((day, team, tp, theme), t) in &self.themes {
            let entry = monthly
                .themes
                .entry((month_of_day(*day), *team, *tp, theme.clone()))
                .or_default();
            for (sum, add) in entry.iter_mut().zip(t) {
                *sum += add;
            }
        }
        let drivers = std::mem::take(&mut self.drivers);
        self.write_to(conn, "daily", "day").await?;
        monthly.write_to(conn, "monthly", "month").await?;
        write_driver_moments(conn, drivers).await
    }

    async fn write_to(self, conn: &mut AnyConnection, period: &str, time: &str) -> StoreResult<()> {
        let sums = |table: &str| {
            COLUMNS
                .iter()
                .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let general = format!("rollup_{period}");
        let mut daily: Vec<_> = self.daily.into_iter().collect();
        daily.sort_by(|a, b| a.0.cmp(&b.0));
        for chunk in daily.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<(Vec<Value>, [i64; 14])> = chunk
                .iter()
                .map(|((at, team, tp, source, segment), m)| {
                    let key = vec![
                        Value::Int(*at),
                        Value::Int(*team),
                        Value::Int(*tp),
                        Value::Text(source.clone()),
                        Value::Text(segment.clone()),
                    ];
                    (key, m.fields())
                })
                .collect();
            let keys = [time, "team_id", "touchpoint_id", "source", "segment"];
            upsert(conn, &general, &keys, &rows, &sums(&general)).await?;
        }
        let staff_table = format!("rollup_staff_{period}");
        let mut staff: Vec<_> = self.staff.into_iter().collect();
        staff.sort_by(|a, b| a.0.cmp(&b.0));
        for chunk in staff.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<(Vec<Value>, [i64; 14])> = chunk
                .iter()
                .map(|((at, staff, team, tp, source), m)| {
                    let key = vec![
                        Value::Int(*at),
                        Value::Int(*staff),
                        Value::Int(*team),
                        Value::Int(*tp),
                        Value::Text(source.clone()),
                    ];
                    (key, m.fields())
                })
                .collect();
            let keys = [time, "staff_user_id", "team_id", "touchpoint_id", "source"];
            upsert(conn, &staff_table, &keys, &rows, &sums(&staff_table)).await?;
        }
        let theme_table = format!("rollup_theme_{period}");
        let mut themes: Vec<_> = self.themes.into_iter().collect();
        themes.sort_by(|a, b| a.0.cmp(&b.0));
        for chunk in themes.chunks(ROWS_PER_STATEMENT) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let cells: Vec<String> = (1..=7).map(|c| format!("${}", i * 7 + c)).collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO {theme_table} ({time}, team_id, touchpoint_id, theme, mentions, sentiment_n, \
                 sentiment_milli_sum) VALUES {} ON CONFLICT ({time}, team_id, touchpoint_id, theme) DO UPDATE SET \
                 mentions = {theme_table}.mentions + excluded.mentions, \
                 sentiment_n = {theme_table}.sentiment_n + excluded.sentiment_n, \
                 sentiment_milli_sum = {theme_table}.sentiment_milli_sum + excluded.sentiment_milli_sum",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for ((at, team, tp, theme), [mentions, n, sum]) in chunk {
                query = query
                    .bind(*at)
                    .bind(*team)
                    .bind(*tp)
                    .bind(theme.clone())
                    .bind(*mentions)
                    .bind(*n)
                    .bind(*sum);
            }
            query.execute(&mut *conn).await.map_err(map_err)?;
        }
        Ok(())
    }
}

fn negated(m: &Moments) -> Moments {
    Moments {
        pairs: m
            .pairs
            .iter()
            .map(|(k, p)| (k.clone(), p.negated()))
            .collect(),
        top_two: m.top_two.iter().map(|(k, n)| (k.clone(), -n)).collect(),
    }
}

/// Month, team and touchpoint; the pair of variables; n, the five sums and the top-two count.
type MomentRow = ([i64; 3], (String, String), [i64; 7]);

/// Adds the tallied moments to `rollup_driver_monthly`, skipping pairs whose changes cancel
/// out (an analysis update removes and re-adds the same ratings).
async fn write_driver_moments(
    conn: &mut AnyConnection,
    drivers: HashMap<DriverKey, Moments>,
) -> StoreResult<()> {
    let mut rows: Vec<MomentRow> = Vec::new();
    for (key, m) in drivers {
        for ((a, b), pair) in &m.pairs {
            let top_two = if a == b {
                m.top_two.get(a).copied().unwrap_or(0)
            } else {
                0
            };
            if pair.is_empty() && top_two == 0 {
                continue;
            }
            let sums = [
                pair.n,
                pair.sum_a,
                pair.sum_b,
                pair.sum_aa,
                pair.sum_bb,
                pair.sum_ab,
                top_two,
            ];
            rows.push(([key.0, key.1, key.2], (a.clone(), b.clone()), sums));
        }
    }
    rows.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
    const SUMS: [&str; 7] = [
        "n", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab", "top_two",
    ];
    let updates: Vec<String> = SUMS
        .iter()
        .map(|c| format!("{c} = rollup_driver_monthly.{c} + excluded.{c}"))
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let placeholders: Vec<String> = (0..chunk.len())
            .map(|i| {
                let cells: Vec<String> = (1..=12).map(|c| format!("${}", i * 12 + c)).collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO rollup_driver_monthly (month, team_id, touchpoint_id, variable_a, variable_b, {}) \
             VALUES {} ON CONFLICT (month, team_id, touchpoint_id, variable_a, variable_b) DO UPDATE SET {}",
            SUMS.join(", "),
            placeholders.join(", "),
            updates.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for ([month, team, touchpoint], (a, b), sums) in chunk {
            query = query
                .bind(*month)
                .bind(*team)
                .bind(*touchpoint)
                .bind(a.clone())
                .bind(b.clone());
            for sum in sums {
                query = query.bind(*sum);
            }
        }
        query.execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Value {
    Int(i64),
    Text(String),
}

async fn upsert(
    conn: &mut AnyConnection,
    table: &str,
    keys: &[&str],
    rows: &[(Vec<Value>, [i64; 14])],
    sums: &str,
) -> StoreResult<()> {
    let width = keys.len() + COLUMNS.len();
    let placeholders: Vec<String> = (0..rows.len())
        .map(|row| {
            let cells: Vec<String> = (1..=width)
                .map(|c| format!("${}", row * width + c))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}, {}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {sums}",
        keys.join(", "),
        COLUMNS.join(", "),
        placeholders.join(", "),
        keys.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (key, fields) in rows {
        for value in key {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
            };
        }
        for field in fields {
            query = query.bind(*field);
        }
    }
    query.execute(&mut *conn).await.map_err(map_err)?;
    Ok(())
}

/// Counts an issued invitation (and, with `answered`, its answer) on the day it was issued.
pub(super) async fn count_invitation(
    conn: &mut AnyConnection,
    day: i64,
    team: Option<i64>,
    touchpoint: i64,
    issued: i64,
    answered: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO rollup_invitations_daily (day, team_id, touchpoint_id, issued, answered) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day, team_id, touchpoint_id) DO UPDATE SET \
         issued = rollup_invitations_daily.issued + excluded.issued, \
         answered = rollup_invitations_daily.answered + excluded.answered",
    )
    .bind(day)
    .bind(team.unwrap_or(0))
    .bind(touchpoint)
    .bind(issued)
    .bind(answered)
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Reads stored responses in id order, `BATCH` at a time, as the rollups see them.
const BATCH: i64 = 20_000;

fn decode_counted(row: &sqlx::any::AnyRow) -> StoreResult<Counted> {
    let csat: Option<i64> = get(row, "csat")?;
    let nps: Option<i64> = get(row, "nps")?;
    let ces: Option<i64> = get(row, "ces")?;
    let sentiment: Option<f64> = get(row, "sentiment")?;
    let comment: Option<String> = get(row, "comment")?;
    let themes: String = get(row, "themes")?;
    let ratings: String = get(row, "ratings")?;
    let ratings: domain::survey::Ratings = serde_json::from_str(&ratings).unwrap_or_default();
    Ok(Counted {
        responded_at: domain::time::from_micros(get(row, "responded_at")?),
        team: get(row, "team_id")?,
        touchpoint: get(row, "touchpoint_id")?,
        staff: get(row, "staff_user_id")?,
        source: get(row, "source")?,
        segment: get(row, "segment")?,
        measures: Measures::of(csat, nps, ces, sentiment, comment.is_some()),
        themes: serde_json::from_str(&themes).unwrap_or_default(),
        sentiment,
        drivers: driver_values(csat, nps, &ratings),
    })
}

pub(super) const COUNTED_COLUMNS: &str = "r.id, r.responded_at, r.team_id, r.touchpoint_id, r.staff_user_id, \
     r.source, r.segment, r.csat, r.nps, r.ces, r.sentiment, r.comment, r.themes, r.ratings";

pub(super) async fn read_counted(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Counted>> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT {COUNTED_COLUMNS} FROM responses r WHERE r.id IN ({})",
            list.join(", ")
        );
        for row in sqlx::query(&sql)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?
        {
            found.insert(get::<i64>(&row, "id")?, decode_counted(&row)?);
        }
    }
    Ok(found)
}

impl SqlStore {
    /// Recomputes every rollup from the raw responses and invitations, in one transaction.
    pub(crate) async fn rebuild_rollup_tables(&self) -> StoreResult<()> {
        let mut w = self.begin_write().await?;
        let conn = &mut *w.tx;
        claim_write(conn).await?;
        let zone = organization_zone(conn).await?;
        for table in [
            "rollup_daily",
            "rollup_staff_daily",
            "rollup_theme_daily",
            "rollup_weekly",
            "rollup_staff_weekly",
            "rollup_theme_weekly",
            "rollup_monthly",
            "rollup_staff_monthly",
            "rollup_theme_monthly",
            "rollup_invitations_daily",
            "rollup_driver_monthly",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *conn)
                .await
                .map_err(map_err)?;
        }
        let mut tally = Tally::default();
        let mut after = 0i64;
        loop {
            let sql = format!(
                "SELECT {COUNTED_COLUMNS} FROM responses r WHERE r.id > $1 ORDER BY r.id LIMIT {BATCH}"
            );
            let rows = sqlx::query(&sql)
                .bind(after)
                .fetch_all(&mut *conn)
                .await
                .map_err(map_err)?;
            for row in &rows {
                tally.count(&decode_counted(row)?, &zone, 1);
                after = get(row, "id")?;
            }
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        tally.write(conn).await?;
        let invitations = sqlx::query(
            "SELECT i.created_at, i.state, x.team_id, x.touchpoint_id FROM invitations i \
             JOIN transactions x ON x.id = i.transaction_id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let mut counts: HashMap<(i64, i64, i64), (i64, i64)> = HashMap::new();
        for row in &invitations {
            let day = local_day(domain::time::from_micros(get(row, "created_at")?), &zone);
            let team: Option<i64> = get(row, "team_id")?;
            let state: String = get(row, "state")?;
            let entry = counts
                .entry((day, team.unwrap_or(0), get(row, "touchpoint_id")?))
                .or_default();
            entry.0 += 1;
            entry.1 += i64::from(state == crate::knowledge::invitation_state::ANSWERED);
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort();
        for ((day, team, touchpoint), (issued, answered)) in counts {
            count_invitation(conn, day, Some(team), touchpoint, issued, answered).await?;
        }
        w.tx.commit().await.map_err(map_err)?;
        Ok(())
    }
}
