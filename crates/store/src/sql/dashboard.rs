//! Sums of the rollups for the dashboards (see `rollups.rs` for how they are kept).

use super::query::get;
use super::{SqlStore, map_err};
use crate::dashboard::*;
use crate::traits::StoreResult;
use async_trait::async_trait;
use domain::dashboard::Measures;
use domain::dashboard::measures::COLUMNS;

/// `WHERE` clauses (but the period's) and their text binds for a filter; ids are inlined.
fn conditions(
    filter: &DashboardFilter,
    staff_table: bool,
    with: Dimensions,
) -> (String, Vec<String>) {
    let mut clauses = vec!["1 = 1".to_owned()];
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

/// A period split into whole months (read from the monthly tables), whole weeks of what is
/// left (the weekly tables) and the days at either end (the daily tables).
struct Split {
    days: String,
    weeks: Option<String>,
    months: Option<(i64, i64)>,
}

fn ranges(column: &str, ranges: &[(i64, i64)]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .filter(|(a, b)| a < b)
        .map(|(a, b)| format!("({column} >= {a} AND {column} < {b})"))
        .collect();
    if parts.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// A half-open range of day, week or month numbers.
type Span = (i64, i64);

/// The whole weeks of days `a` to `b`, and the days left at either end.
fn weeks_within(a: i64, b: i64) -> (Option<Span>, Vec<Span>) {
    use domain::dashboard::days::{first_day_of_week, week_of_day};
    let mut first = week_of_day(a);
    if first_day_of_week(first) < a {
        first += 1;
    }
    let mut last = week_of_day(b);
    if first_day_of_week(last + 1) > b {
        last -= 1;
    }
    if first > last {
        return (None, vec![(a, b)]);
    }
    let (start, end) = (first_day_of_week(first), first_day_of_week(last + 1));
    (Some((first, last + 1)), vec![(a, start), (end, b)])
}

/// `use_weeks`: false when weeks would straddle the months the sums are grouped by.
fn split(from_day: i64, to_day: i64, use_weeks: bool) -> Split {
    use domain::dashboard::days::{first_day_of_month, month_of_day};
    let mut first = month_of_day(from_day);
    if first_day_of_month(first) < from_day {
        first += 1;
    }
    let mut last = month_of_day(to_day);
    if first_day_of_month(last + 1) > to_day {
        last -= 1;
    }
    let (months, edges) = if first > last {
        (None, vec![(from_day, to_day)])
    } else {
        let (start, end) = (first_day_of_month(first), first_day_of_month(last + 1));
        (
            Some((first, last + 1)),
            vec![(from_day, start), (end, to_day)],
        )
    };
    if !use_weeks {
        return Split {
            days: ranges("day", &edges),
            weeks: None,
            months,
        };
    }
    let mut days = Vec::new();
    let mut weeks = Vec::new();
    for (a, b) in edges.into_iter().filter(|(a, b)| a < b) {
        let (whole, rest) = weeks_within(a, b);
        weeks.extend(whole);
        days.extend(rest);
    }
    Split {
        days: ranges("day", &days),
        weeks: (!weeks.is_empty()).then(|| ranges("week", &weeks)),
        months,
    }
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
            "rollup_staff"
        } else {
            "rollup"
        };
        let key = match by {
            Grouping::Total => None,
            Grouping::Day | Grouping::Month => Some("{time}"),
            Grouping::Team => Some("team_id"),
            Grouping::Touchpoint => Some("touchpoint_id"),
            Grouping::Segment if !staff_table => Some("segment"),
            Grouping::Segment => None,
            Grouping::Source => Some("source"),
            Grouping::Staff => Some("staff_user_id"),
        };
        let (clauses, texts) = conditions(filter, staff_table, ALL);
        let period = if by == Grouping::Day {
            Split {
                days: format!("(day >= {} AND day < {})", filter.from_day, filter.to_day),
                weeks: None,
                months: None,
            }
        } else {
            split(filter.from_day, filter.to_day, by != Grouping::Month)
        };
        let columns = COLUMNS.join(", ");
        let part = |time: &str, suffix: &str, range: &str| {
            let k = key.map_or("''".to_owned(), |k| {
                format!(
                    "'{}' || CAST({} AS TEXT)",
                    &suffix[..1],
                    k.replace("{time}", time)
                )
            });
            format!("SELECT {k} AS k, {columns} FROM {table}_{suffix} WHERE {range} AND {clauses}")
        };
        let mut parts = vec![part("day", "daily", &period.days)];
        if let Some(weeks) = &period.weeks {
            parts.push(part("week", "weekly", weeks));
        }
        if let Some((first, end)) = period.months {
            parts.push(part(
                "month",
                "monthly",
                &format!("month >= {first} AND month < {end}"),
            ));
        }
        let (selected, grouping) = if key.is_some() {
            ("k", " GROUP BY k")
        } else {
            ("'' AS k", "")
        };
        let sql = format!(
            "SELECT {selected}, {} FROM ({}) AS parts{grouping}",
            sums(),
            parts.join(" UNION ALL ")
        );
        let mut query = sqlx::query(&sql);
        for text in texts {
            query = query.bind(text);
        }
        let rows = query.fetch_all(self.pool()).await.map_err(map_err)?;
        let mut merged: Vec<Bucket> = Vec::with_capacity(rows.len());
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for row in &rows {
            let raw: Option<String> = get(row, "k")?;
            let raw = raw.unwrap_or_default();
            let measures = decode_measures(row)?;
            if by != Grouping::Total && measures.responses == 0 {
                continue;
            }
            // Keys come tagged by table ("d…" daily, "m…" monthly); months merge both.
            let key = match by {
                Grouping::Total => String::new(),
                Grouping::Month => match raw.split_at_checked(1) {
                    Some(("d", day)) => day
                        .parse::<i64>()
                        .map(domain::dashboard::days::month_of_day)
                        .map_or(String::new(), |m| m.to_string()),
                    Some((_, month)) => month.to_owned(),
                    None => String::new(),
                },
                _ => raw.get(1..).unwrap_or_default().to_owned(),
            };
            match index.get(&key) {
                Some(&i) => merged[i].measures.add(&measures),
                None => {
                    index.insert(key.clone(), merged.len());
                    merged.push(Bucket { key, measures });
                }
            }
        }
        if by == Grouping::Total && merged.is_empty() {
            merged.push(Bucket {
                key: String::new(),
                measures: Measures::default(),
            });
        }
        Ok(merged)
    }

    async fn theme_rollup(
        &self,
        filter: &DashboardFilter,
        limit: i64,
    ) -> StoreResult<Vec<ThemeBucket>> {
        let (clauses, _) = conditions(filter, false, NO_TEXT);
        let period = split(filter.from_day, filter.to_day, true);
        let mut parts = vec![format!(
            "SELECT theme, mentions, sentiment_n, sentiment_milli_sum FROM rollup_theme_daily \
             WHERE {} AND {clauses}",
            period.days
        )];
        if let Some(weeks) = &period.weeks {
            parts.push(format!(
                "SELECT theme, mentions, sentiment_n, sentiment_milli_sum FROM rollup_theme_weekly \
                 WHERE {weeks} AND {clauses}"
            ));
        }
        if let Some((first, end)) = period.months {
            parts.push(format!(
                "SELECT theme, mentions, sentiment_n, sentiment_milli_sum FROM rollup_theme_monthly \
                 WHERE month >= {first} AND month < {end} AND {clauses}"
            ));
        }
        let sql = format!(
            "SELECT theme, CAST(SUM(mentions) AS BIGINT) AS mentions, CAST(SUM(sentiment_n) AS BIGINT) AS n, \
             CAST(SUM(sentiment_milli_sum) AS BIGINT) AS s FROM ({}) AS parts \
             GROUP BY theme HAVING SUM(mentions) > 0 ORDER BY mentions DESC, theme LIMIT {}",
            parts.join(" UNION ALL "),
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
        let clauses = format!(
            "day >= {} AND day < {} AND {clauses}",
            filter.from_day, filter.to_day
        );
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
                let list = if ids.is_empty() {
                    "NULL".to_owned()
                } else {
                    ids.join(", ")
                };
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
            format!(
                "SELECT 'weekly,' || week || ',' || team_id || ',' || touchpoint_id || ',' || source || ',' || \
                 segment || ',' || {measures} AS line FROM rollup_weekly WHERE responses <> 0"
            ),
            format!(
                "SELECT 'staff-weekly,' || week || ',' || staff_user_id || ',' || team_id || ',' || touchpoint_id \
                 || ',' || source || ',' || {measures} AS line FROM rollup_staff_weekly WHERE responses <> 0"
            ),
            "SELECT 'theme-weekly,' || week || ',' || team_id || ',' || touchpoint_id || ',' || theme || ',' || \
             mentions || ',' || sentiment_n || ',' || sentiment_milli_sum AS line FROM rollup_theme_weekly \
             WHERE mentions <> 0"
                .to_owned(),
            format!(
                "SELECT 'monthly,' || month || ',' || team_id || ',' || touchpoint_id || ',' || source || ',' || \
                 segment || ',' || {measures} AS line FROM rollup_monthly WHERE responses <> 0"
            ),
            format!(
                "SELECT 'staff-monthly,' || month || ',' || staff_user_id || ',' || team_id || ',' || touchpoint_id \
                 || ',' || source || ',' || {measures} AS line FROM rollup_staff_monthly WHERE responses <> 0"
            ),
            "SELECT 'theme-monthly,' || month || ',' || team_id || ',' || touchpoint_id || ',' || theme || ',' || \
             mentions || ',' || sentiment_n || ',' || sentiment_milli_sum AS line FROM rollup_theme_monthly \
             WHERE mentions <> 0"
                .to_owned(),
            "SELECT 'invitations,' || day || ',' || team_id || ',' || touchpoint_id || ',' || issued || ',' || \
             answered AS line FROM rollup_invitations_daily WHERE issued <> 0 OR answered <> 0"
                .to_owned(),
            "SELECT 'drivers,' || month || ',' || team_id || ',' || touchpoint_id || ',' || variable_a || ',' || \
             variable_b || ',' || n || ',' || sum_a || ',' || sum_b || ',' || sum_aa || ',' || sum_bb || ',' || \
             sum_ab || ',' || top_two AS line FROM rollup_driver_monthly WHERE n <> 0 OR top_two <> 0"
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::dashboard::days::{first_day_of_month, first_day_of_week};

    /// The days a range clause such as `((day >= 3 AND day < 5) OR …)` covers.
    fn covered(clause: &str, unit: &str, to_days: impl Fn(i64) -> (i64, i64)) -> Vec<i64> {
        let mut days = Vec::new();
        for part in clause.split(" OR ") {
            let numbers: Vec<i64> = part
                .split(|c: char| !c.is_ascii_digit() && c != '-')
                .filter_map(|n| n.parse().ok())
                .collect();
            if let [a, b] = numbers[..]
                && part.contains(unit)
            {
                for period in a..b {
                    let (start, end) = to_days(period);
                    days.extend(start..end);
                }
            }
        }
        days
    }

    #[test]
    fn a_period_is_covered_exactly_once_by_its_days_weeks_and_months() {
        for from in (20_000..20_100).step_by(7) {
            for length in [1, 5, 13, 40, 89, 365, 700] {
                let to = from + length;
                for use_weeks in [true, false] {
                    let split = split(from, to, use_weeks);
                    let mut days = covered(&split.days, "day", |d| (d, d + 1));
                    if let Some(weeks) = &split.weeks {
                        days.extend(covered(weeks, "week", |w| {
                            (first_day_of_week(w), first_day_of_week(w + 1))
                        }));
                    }
                    if let Some((first, end)) = split.months {
                        for m in first..end {
                            days.extend(first_day_of_month(m)..first_day_of_month(m + 1));
                        }
                    }
                    days.sort_unstable();
                    assert_eq!(
                        days,
                        (from..to).collect::<Vec<_>>(),
                        "{from}+{length} {use_weeks}"
                    );
                }
            }
        }
    }
}
