//! A standard's page: its compliance over a period chosen in the organization's calendar,
//! the distribution of durations, the trend, the breaches with the customer affected, and
//! the subjects breaching right now.

use super::{ComplianceText, can_edit, compliance_text, duration_label, readable, status_text};
use crate::standards::compliance;
use crate::state::AppState;
use crate::web::charts::{self, Bar, BarChart};
use crate::web::list::local_day_start;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::standards::SubjectSummary;
use domain::standards::compliance::TrendBucket;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::collections::HashMap;
use store::StoreError;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/standards/{key}", get(page))
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
}

struct BucketChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct Percentile {
    label: &'static str,
    value: String,
}

struct HistogramRow {
    label: String,
    count: u64,
    within: bool,
}

struct TrendRow {
    start: String,
    met: u64,
    breached: u64,
    open: u64,
    percent: String,
}

struct SubjectRow {
    subject: String,
    customer: Option<String>,
    customer_link: Option<String>,
    transaction: Option<String>,
    started: String,
    ended: String,
    deadline: String,
    duration: String,
    overrun: String,
    breaching_now: bool,
}

#[derive(Template)]
#[template(path = "standards/detail.html")]
struct DetailPage {
    chrome: Chrome,
    key: String,
    name: String,
    sentence: String,
    team: String,
    subject_label: String,
    start_event: String,
    end_event: String,
    touchpoints: String,
    clock_stops: Option<String>,
    from: String,
    to: String,
    buckets: Vec<BucketChoice>,
    error: Option<String>,
    compliance: Option<ComplianceText>,
    target: String,
    status: &'static str,
    status_class: &'static str,
    met: u64,
    breached: u64,
    open: u64,
    pending: u64,
    percentiles: Vec<Percentile>,
    ended_count: u64,
    chart: String,
    histogram: Vec<HistogramRow>,
    trend: Vec<TrendRow>,
    breaches: Vec<SubjectRow>,
    breaching_now: Vec<SubjectRow>,
    can_edit: bool,
}

fn local_time(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The period typed in the form: whole local days, `to` included; by default the last 30
/// days up to today. An unreadable or reversed period falls back to the default with a
/// message.
fn period(
    query: &PeriodQuery,
    zone: &TimeZone,
    now: Timestamp,
) -> (Timestamp, Timestamp, String, String, Option<String>) {
    let today = now.to_zoned(zone.clone()).date();
    let default_from = today
        .checked_sub(jiff::Span::new().days(29))
        .unwrap_or(today);
    let default = || {
        let from = local_day_start(&default_from.to_string(), zone, false)
            .ok()
            .flatten()
            .unwrap_or(now);
        let to = local_day_start(&today.to_string(), zone, true)
            .ok()
            .flatten()
            .unwrap_or(now);
        (from, to, default_from.to_string(), today.to_string())
    };
    let raw_from = query.from.clone().unwrap_or_default();
    let raw_to = query.to.clone().unwrap_or_default();
    let from = local_day_start(&raw_from, zone, false);
    let to = local_day_start(&raw_to, zone, true);
    match (from, to) {
        (Ok(from), Ok(to)) => {
            let (default_from_at, default_to_at, default_from_text, default_to_text) = default();
            let from_at = from.unwrap_or(default_from_at);
            let to_at = to.unwrap_or(default_to_at);
            let from_text = if raw_from.trim().is_empty() {
                default_from_text
            } else {
                raw_from.trim().to_owned()
            };
            let to_text = if raw_to.trim().is_empty() {
                default_to_text
            } else {
                raw_to.trim().to_owned()
            };
            if from_at < to_at {
                (from_at, to_at, from_text, to_text, None)
            } else {
                let (f, t, ft, tt) = default();
                let message = "The period must start before it ends; showing the last 30 days.";
                (f, t, ft, tt, Some(message.into()))
            }
        }
        _ => {
            let (f, t, ft, tt) = default();
            let message = "Dates must be written as YYYY-MM-DD; showing the last 30 days.";
            (f, t, ft, tt, Some(message.into()))
        }
    }
}

/// Customer page links by external id, looked up once each.
struct CustomerLinks<'a> {
    state: &'a AppState,
    known: HashMap<String, Option<String>>,
}

impl CustomerLinks<'_> {
    async fn link(&mut self, external_id: &str) -> Result<Option<String>, PageError> {
        if let Some(link) = self.known.get(external_id) {
            return Ok(link.clone());
        }
        let link = match self.state.store.customer_by_external_id(external_id).await {
            Ok(customer) => Some(format!("/customers/{}", customer.id)),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        };
        self.known.insert(external_id.to_owned(), link.clone());
        Ok(link)
    }
}

async fn subject_row(
    summary: &SubjectSummary,
    threshold: SignedDuration,
    zone: &TimeZone,
    now: Timestamp,
    links: &mut CustomerLinks<'_>,
) -> Result<SubjectRow, PageError> {
    let state = &summary.state;
    let customer = summary.customer.as_ref().map(|c| c.as_str().to_owned());
    let customer_link = match &customer {
        Some(id) => links.link(id).await?,
        None => None,
    };
    let time = |at: Option<Timestamp>| at.map(|t| local_time(t, zone)).unwrap_or_default();
    Ok(SubjectRow {
        subject: summary.subject.as_str().to_owned(),
        customer,
        customer_link,
        transaction: summary.transaction.as_ref().map(|t| t.as_str().to_owned()),
        started: time(state.started()),
        ended: time(state.ended()),
        deadline: time(state.deadline()),
        duration: state.duration().map(duration_label).unwrap_or_default(),
        overrun: state
            .overrun(threshold)
            .map(duration_label)
            .unwrap_or_default(),
        breaching_now: domain::standards::events::breaching_now(state, now),
    })
}

fn bin_label(above: SignedDuration, up_to: Option<SignedDuration>) -> String {
    match up_to {
        Some(up_to) if above.is_zero() => format!("≤ {}", duration_label(up_to)),
        Some(up_to) => format!("{}–{}", duration_label(above), duration_label(up_to)),
        None => format!("> {}", duration_label(above)),
    }
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    query: Result<Query<PeriodQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let stored = state.store.standard(&key).await?;
    let zone = staff.zone();
    let now = state.clock.now();
    let (from, to, from_text, to_text, mut error) = period(&query, &zone, now);
    let bucket = match query.bucket.as_deref().map(str::trim) {
        None | Some("") => TrendBucket::Week,
        Some(raw) => TrendBucket::parse(raw).unwrap_or_else(|_| {
            error = Some("The trend step must be day, week or month.".into());
            TrendBucket::Week
        }),
    };
    let view = match compliance(state.store.as_ref(), &stored, from, to, bucket, now).await {
        Ok(view) => view,
        Err(crate::standards::Refused::Invalid(invalid)) => {
            return Err(PageError::BadForm(readable(&invalid)));
        }
        Err(crate::standards::Refused::Store(e)) => return Err(e.into()),
    };
    let definition = &stored.definition;
    let threshold = SignedDuration::from_secs(definition.threshold_seconds);
    let report = &view.report;
    let (status, status_class) = status_text(report.target_status);
    let percentiles = report
        .percentiles
        .map(|p| {
            vec![
                Percentile {
                    label: "Median (p50)",
                    value: duration_label(p.p50),
                },
                Percentile {
                    label: "p90",
                    value: duration_label(p.p90),
                },
                Percentile {
                    label: "p95",
                    value: duration_label(p.p95),
                },
                Percentile {
                    label: "p99",
                    value: duration_label(p.p99),
                },
            ]
        })
        .unwrap_or_default();
    let histogram: Vec<HistogramRow> = report
        .histogram
        .iter()
        .map(|bin| HistogramRow {
            label: bin_label(bin.above, bin.up_to),
            count: bin.count,
            within: bin.within_threshold,
        })
        .collect();
    let bars: Vec<Bar> = histogram
        .iter()
        .map(|row| Bar {
            label: format!("{}{}", row.label, if row.within { "" } else { " (over)" }),
            value: row.count as f64,
            low: None,
            high: None,
            n: i64::try_from(row.count).unwrap_or(i64::MAX),
            small: false,
            link: None,
        })
        .collect();
    let most = histogram.iter().map(|r| r.count).max().unwrap_or(0).max(1);
    let chart = if histogram.iter().all(|r| r.count == 0) {
        charts::bar_chart(&BarChart {
            title: "Durations of ended subjects",
            x_label: "subjects",
            x_min: 0.0,
            x_max: 1.0,
            bars: &[],
        })
    } else {
        charts::bar_chart(&BarChart {
            title: "Durations of ended subjects",
            x_label: "subjects",
            x_min: 0.0,
            x_max: most as f64,
            bars: &bars,
        })
    };
    let trend = report
        .trend
        .iter()
        .map(|point| TrendRow {
            start: point.start.to_string(),
            met: point.counts.met,
            breached: point.counts.breached,
            open: point.counts.open,
            percent: point
                .compliance_percent
                .map(|p| format!("{p:.1} %"))
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let mut links = CustomerLinks {
        state: &state,
        known: HashMap::new(),
    };
    let mut breaches = Vec::with_capacity(view.breaches.len());
    for summary in &view.breaches {
        breaches.push(subject_row(summary, threshold, &zone, now, &mut links).await?);
    }
    let mut breaching_now = Vec::with_capacity(view.breaching_now.len());
    for summary in &view.breaching_now {
        breaching_now.push(subject_row(summary, threshold, &zone, now, &mut links).await?);
    }
    let page = DetailPage {
        chrome: Chrome::for_staff(&staff, "/standards", &staff.time_zone),
        key: definition.key.clone(),
        name: view.name.clone(),
        sentence: view.sentence.clone(),
        team: stored.team.name.clone(),
        subject_label: definition
            .subject_label
            .clone()
            .unwrap_or_else(|| "subject".into()),
        start_event: definition.start_event.clone(),
        end_event: definition.end_event.clone(),
        touchpoints: if definition.touchpoints.is_empty() {
            "every touchpoint".into()
        } else {
            definition.touchpoints.join(", ")
        },
        clock_stops: definition.clock_stops.clone(),
        from: from_text,
        to: to_text,
        buckets: [
            (TrendBucket::Day, "By day"),
            (TrendBucket::Week, "By week"),
            (TrendBucket::Month, "By month"),
        ]
        .into_iter()
        .map(|(b, label)| BucketChoice {
            value: b.as_str(),
            label,
            selected: b == bucket,
        })
        .collect(),
        compliance: compliance_text(report.compliance.as_ref()),
        target: format!("{} %", definition.target_percent),
        status,
        status_class,
        met: report.counts.met,
        breached: report.counts.breached,
        open: report.counts.open,
        pending: report.counts.pending,
        ended_count: report.percentiles.map(|p| p.n).unwrap_or(0),
        percentiles,
        chart,
        histogram,
        trend,
        breaches,
        breaching_now,
        can_edit: can_edit(staff.user.role),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(status, &page))
}
