//! The overview: headline scores with intervals and the change against the previous period,
//! volume and response rate, the trend, breakdowns by team, touchpoint, segment, source and
//! staff member, top themes, the latest comments, alerts on the trend, and the open cases and
//! guarantee invocations — all summed from the rollups.

use super::query::{Step, View};
use domain::dashboard::Measures;
use domain::dashboard::days::{date_of, day_number};
use domain::dashboard::stats::{self, Change, Estimate};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::HashMap;
use store::{
    AlertFilter, Bucket, Grouping, ListParams, Operations, ResponseFilter, Store, StoreResult,
    TeamFilter, UserFilter,
};

/// A score now, in the previous period, and the change.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub current: Option<Estimate>,
    pub previous: Option<Estimate>,
    pub change: Option<Change>,
}

impl Figure {
    fn of(current: Option<Estimate>, previous: Option<Estimate>) -> Self {
        let change = match (&current, &previous) {
            (Some(c), Some(p)) => Some(stats::change(c, p)),
            _ => None,
        };
        Self {
            current,
            previous,
            change,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub responses: i64,
    pub previous_responses: i64,
    pub nps: Figure,
    pub csat: Figure,
    pub csat_top2: Figure,
    pub ces: Figure,
    pub response_rate: Figure,
    pub invitations_issued: i64,
    pub invitations_answered: i64,
    pub sentiment: Option<f64>,
    pub comments: i64,
}

/// One step of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub label: String,
    pub from: Date,
    pub to: Date,
    pub responses: i64,
    pub nps: Option<Estimate>,
    pub csat: Option<Estimate>,
    pub ces: Option<Estimate>,
}

/// An alert shown on the trend, at the step it was raised in.
#[derive(Debug, Clone, Serialize)]
pub struct Annotation {
    pub step: usize,
    pub kind: String,
    pub title: String,
    pub link: String,
}

/// A row of a breakdown; `link` opens the dashboard filtered on it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub link: Option<String>,
    pub responses: i64,
    pub nps: Option<Estimate>,
    pub csat: Option<Estimate>,
    pub ces: Option<Estimate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeRow {
    pub theme: String,
    pub mentions: i64,
    pub previous_mentions: i64,
    pub sentiment: Option<f64>,
    pub link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentRow {
    pub id: i64,
    pub responded_at: jiff::Timestamp,
    pub customer: String,
    pub touchpoint: String,
    pub csat: Option<i64>,
    pub nps: Option<i64>,
    pub comment: String,
    pub sentiment: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub from: Date,
    pub to: Date,
    pub previous_from: Date,
    pub previous_to: Date,
    pub step: Step,
    pub headline: Headline,
    pub trend: Vec<TrendPoint>,
    pub annotations: Vec<Annotation>,
    pub by_team: Vec<Row>,
    pub by_touchpoint: Vec<Row>,
    pub by_segment: Vec<Row>,
    pub by_source: Vec<Row>,
    pub by_staff: Vec<Row>,
    pub themes: Vec<ThemeRow>,
    pub comments: Vec<CommentRow>,
    pub operations: Operations,
}

fn total(buckets: &[Bucket]) -> Measures {
    let mut sum = Measures::default();
    for bucket in buckets {
        sum.add(&bucket.measures);
    }
    sum
}

/// The first day of the step that `day` falls in.
fn step_start(date: Date, step: Step) -> Date {
    match step {
        Step::Day => date,
        Step::Week => {
            let back = i64::from(date.weekday().to_monday_zero_offset());
            date_of(day_number(date) - back)
        }
        Step::Month => date.first_of_month(),
    }
}

fn step_label(start: Date, step: Step) -> String {
    match step {
        Step::Day | Step::Week => start.strftime("%d %b").to_string(),
        Step::Month => start.strftime("%b %Y").to_string(),
    }
}

/// The trend's steps from `from` to `to`, each with the measures of its days.
fn trend(view: &View, days: &[Bucket]) -> Vec<TrendPoint> {
    let mut by_start: Vec<(Date, Measures)> = Vec::new();
    let mut day = day_number(view.from);
    let last = day_number(view.to);
    while day <= last {
        let start = step_start(date_of(day), view.step);
        if by_start.last().is_none_or(|(s, _)| *s != start) {
            by_start.push((start, Measures::default()));
        }
        day += 1;
    }
    let index: HashMap<Date, usize> = by_start
        .iter()
        .enumerate()
        .map(|(i, (start, _))| (*start, i))
        .collect();
    for bucket in days {
        let Ok(number) = bucket.key.parse::<i64>() else {
            continue;
        };
        let day = match view.step {
            Step::Month => domain::dashboard::days::first_day_of_month(number),
            Step::Day | Step::Week => number,
        };
        let start = step_start(date_of(day), view.step);
        if let Some(&i) = index.get(&start) {
            by_start[i].1.add(&bucket.measures);
        }
    }
    by_start
        .iter()
        .enumerate()
        .map(|(i, (start, m))| {
            let end = match by_start.get(i + 1) {
                Some((next, _)) => date_of(day_number(*next) - 1),
                None => view.to,
            };
            TrendPoint {
                label: step_label(*start, view.step),
                from: (*start).max(view.from),
                to: end,
                responses: m.responses,
                nps: stats::nps(m),
                csat: stats::csat(m),
                ces: stats::ces(m),
            }
        })
        .collect()
}

fn row(key: String, label: String, link: Option<String>, m: &Measures) -> Row {
    Row {
        key,
        label,
        link,
        responses: m.responses,
        nps: stats::nps(m),
        csat: stats::csat(m),
        ces: stats::ces(m),
    }
}

fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| b.responses.cmp(&a.responses).then(a.label.cmp(&b.label)));
    rows
}

/// Names of teams, touchpoints and staff by id (an organization has hundreds at most).
struct Names {
    teams: HashMap<i64, (String, String)>,
    touchpoints: HashMap<i64, (String, String)>,
    staff: HashMap<i64, String>,
}

async fn names(store: &dyn Store) -> StoreResult<Names> {
    let all = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let teams = store.list_teams(&all, &TeamFilter::default()).await?.items;
    let touchpoints = store.list_touchpoints(&all).await?.items;
    let users = store.list_users(&all, &UserFilter::default()).await?.items;
    Ok(Names {
        teams: teams
            .into_iter()
            .map(|t| (t.id.0, (t.key.to_string(), t.name.to_string())))
            .collect(),
        touchpoints: touchpoints
            .into_iter()
            .map(|t| (t.id.0, (t.key.to_string(), t.name.to_string())))
            .collect(),
        staff: users.into_iter().map(|u| (u.id.0, u.name)).collect(),
    })
}

/// Builds the overview of `view`; `path` is where its links lead (the console page).
pub async fn build(
    store: &dyn Store,
    view: &View,
    zone: &TimeZone,
    now: jiff::Timestamp,
    path: &str,
    own_user: Option<i64>,
) -> StoreResult<Overview> {
    let current = view.filter(false);
    let previous = view.filter(true);
    let (now_total, before_total, days, teams, touchpoints, segments, sources) = tokio::try_join!(
        store.rollup(&current, Grouping::Total),
        store.rollup(&previous, Grouping::Total),
        store.rollup(
            &current,
            if view.step == Step::Month {
                Grouping::Month
            } else {
                Grouping::Day
            }
        ),
        store.rollup(&current, Grouping::Team),
        store.rollup(&current, Grouping::Touchpoint),
        store.rollup(&current, Grouping::Segment),
        store.rollup(&current, Grouping::Source),
    )?;
    // The staff breakdown of a whole organization (hundreds of people) is left to its teams'
    // drill-downs: it is both the slowest sum and the least readable table.
    let staff_wanted = view.team.is_some()
        || view.touchpoint.is_some()
        || view.staff.is_some()
        || own_user.is_some()
        || matches!(view.scope, super::query::Scope::Teams(_));
    let staff_rows = async {
        if staff_wanted {
            store.rollup(&current, Grouping::Staff).await
        } else {
            Ok(Vec::new())
        }
    };
    let start = |date: Date| {
        date.to_zoned(zone.clone())
            .map(|z| z.timestamp())
            .unwrap_or(now)
    };
    let (from_at, to_at) = (start(view.from), start(date_of(day_number(view.to) + 1)));
    let teams_seen = view.teams();
    let (
        staff,
        themes,
        previous_themes,
        invitations,
        previous_invitations,
        names,
        operations,
        comments,
    ) = tokio::try_join!(
        staff_rows,
        store.theme_rollup(&current, 10),
        store.theme_rollup(&previous, 50),
        store.invitation_rollup(&current, false),
        store.invitation_rollup(&previous, false),
        names(store),
        store.operations(teams_seen.as_deref(), from_at, to_at, now),
        latest_comments(store, view, from_at, to_at),
    )?;
    let m = total(&now_total);
    let p = total(&before_total);
    let sum_invitations = |buckets: &[store::InvitationBucket]| {
        buckets
            .iter()
            .fold((0, 0), |(i, a), b| (i + b.issued, a + b.answered))
    };
    let (issued, answered) = sum_invitations(&invitations);
    let (previous_issued, previous_answered) = sum_invitations(&previous_invitations);
    let headline = Headline {
        responses: m.responses,
        previous_responses: p.responses,
        nps: Figure::of(stats::nps(&m), stats::nps(&p)),
        csat: Figure::of(stats::csat(&m), stats::csat(&p)),
        csat_top2: Figure::of(stats::csat_top2(&m), stats::csat_top2(&p)),
        ces: Figure::of(stats::ces(&m), stats::ces(&p)),
        response_rate: Figure::of(
            stats::response_rate(answered, issued),
            stats::response_rate(previous_answered, previous_issued),
        ),
        invitations_issued: issued,
        invitations_answered: answered,
        sentiment: stats::sentiment(&m),
        comments: m.comments,
    };
    let trend = trend(view, &days);
    let annotations = annotations(store, view, &trend, from_at, to_at, zone).await?;
    let by_team = teams
        .iter()
        .map(|b| {
            let id = b.key.parse::<i64>().unwrap_or(0);
            match names.teams.get(&id) {
                Some((key, name)) => row(
                    key.clone(),
                    name.clone(),
                    Some(view.link(path, &[("team", key)])),
                    &b.measures,
                ),
                None => row(b.key.clone(), "No team".into(), None, &b.measures),
            }
        })
        .collect();
    let by_touchpoint = touchpoints
        .iter()
        .map(|b| {
            let id = b.key.parse::<i64>().unwrap_or(0);
            let (key, name) = names
                .touchpoints
                .get(&id)
                .cloned()
                .unwrap_or_else(|| (b.key.clone(), format!("#{}", b.key)));
            let link = Some(view.link(path, &[("touchpoint", &key)]));
            row(key, name, link, &b.measures)
        })
        .collect();
    let by_segment = segments
        .iter()
        .map(|b| {
            let label = if b.key.is_empty() {
                "No segment".to_owned()
            } else {
                b.key.clone()
            };
            let link = (!b.key.is_empty()).then(|| view.link(path, &[("segment", &b.key)]));
            row(b.key.clone(), label, link, &b.measures)
        })
        .collect();
    let by_source = sources
        .iter()
        .map(|b| {
            let link = Some(view.link(path, &[("source", &b.key)]));
            row(b.key.clone(), b.key.replace('_', " "), link, &b.measures)
        })
        .collect();
    let by_staff = staff
        .iter()
        .filter(|b| {
            let id = b.key.parse::<i64>().unwrap_or(0);
            id != 0 && (own_user.is_none() || own_user == Some(id))
        })
        .map(|b| {
            let name = b
                .key
                .parse::<i64>()
                .ok()
                .and_then(|id| names.staff.get(&id).cloned())
                .unwrap_or_else(|| format!("#{}", b.key));
            let link = Some(view.link(path, &[("staff", &b.key)]));
            row(b.key.clone(), name, link, &b.measures)
        })
        .collect();
    let before: HashMap<&str, i64> = previous_themes
        .iter()
        .map(|t| (t.theme.as_str(), t.mentions))
        .collect();
    let themes = themes
        .iter()
        .map(|t| ThemeRow {
            theme: t.theme.clone(),
            mentions: t.mentions,
            previous_mentions: before.get(t.theme.as_str()).copied().unwrap_or(0),
            sentiment: (t.sentiment_n > 0)
                .then(|| t.sentiment_milli_sum as f64 / 1000.0 / t.sentiment_n as f64),
            link: format!(
                "/responses?{}",
                serde_urlencoded::to_string([("theme", t.theme.as_str())]).unwrap_or_default()
            ),
        })
        .collect();
    Ok(Overview {
        from: view.from,
        to: view.to,
        previous_from: view.previous_from,
        previous_to: view.previous_to,
        step: view.step,
        headline,
        trend,
        annotations,
        by_team: sorted(by_team),
        by_touchpoint: sorted(by_touchpoint),
        by_segment: sorted(by_segment),
        by_source: sorted(by_source),
        by_staff: sorted(by_staff).into_iter().take(50).collect(),
        themes,
        comments,
        operations,
    })
}

/// The newest comments of the view (the responses list is read newest first by id).
async fn latest_comments(
    store: &dyn Store,
    view: &View,
    from: jiff::Timestamp,
    to: jiff::Timestamp,
) -> StoreResult<Vec<CommentRow>> {
    let filter = ResponseFilter {
        from: Some(from),
        to: Some(to),
        team: view.team.as_ref().map(|t| t.0),
        touchpoint: view.touchpoint.as_ref().map(|t| t.0),
        staff: view.staff.as_ref().map(|s| s.0),
        source: view.source.clone(),
        has_comment: true,
        ..ResponseFilter::default()
    };
    let params = ListParams {
        limit: 8,
        newest_first: true,
        ..ListParams::default()
    };
    let visible = view.teams();
    let page = store.list_responses(&params, &filter).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|r| match &visible {
            None => true,
            Some(teams) => r.team.as_ref().is_some_and(|t| teams.contains(&t.id)),
        })
        .filter_map(|r| {
            let comment = r.comment.clone()?;
            Some(CommentRow {
                id: r.id,
                responded_at: r.responded_at,
                customer: r
                    .customer
                    .name
                    .clone()
                    .unwrap_or(r.customer.external_id.clone()),
                touchpoint: r.touchpoint.name.clone(),
                csat: r.scores.csat,
                nps: r.scores.nps,
                comment,
                sentiment: r.analysis.sentiment,
            })
        })
        .collect())
}

/// Alerts raised in the period, placed on the trend step they fall in.
async fn annotations(
    store: &dyn Store,
    view: &View,
    trend: &[TrendPoint],
    from: jiff::Timestamp,
    to: jiff::Timestamp,
    zone: &TimeZone,
) -> StoreResult<Vec<Annotation>> {
    let filter = AlertFilter {
        team: view.team.as_ref().map(|t| t.0),
        touchpoint: view.touchpoint.as_ref().map(|t| t.0),
        from: Some(from),
        to: Some(to),
        ..AlertFilter::default()
    };
    let params = ListParams {
        limit: 100,
        newest_first: true,
        ..ListParams::default()
    };
    let alerts = store.list_alerts(&params, &filter).await?.items;
    let visible = view.teams();
    Ok(alerts
        .into_iter()
        .filter(|a| a.kind != store::alert_kind::RESPONSE)
        .filter(|a| match &visible {
            None => true,
            Some(teams) => a.team.as_ref().is_some_and(|t| teams.contains(&t.id)),
        })
        .filter_map(|a| {
            let day = a.raised_at.to_zoned(zone.clone()).date();
            let step = trend.iter().position(|p| p.from <= day && day <= p.to)?;
            Some(Annotation {
                step,
                kind: a.kind.clone(),
                title: a.title.clone(),
                link: "/alerts".into(),
            })
        })
        .collect())
}
