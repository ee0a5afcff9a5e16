//! `/drivers`: key driver analysis for the outcome, months, team and touchpoint in the URL —
//! the importance × performance chart with its table, R², warnings and the method — or "not
//! enough responses" when there are too few. Members and managers see their own teams (the
//! first one chosen when none is asked for); `/drivers/export.csv` is the table as CSV.

use super::{percent, readable, refusal};
use crate::dashboard::query::{Refused, Scope};
use crate::improvement::drivers::{DriverQuery, DriverReport, DriverView, report};
use crate::state::AppState;
use crate::web::charts::{QuadrantChart, QuadrantPoint, quadrant_chart};
use crate::web::customers::all_teams;
use crate::web::list::Choice;
use crate::web::responses::export::{line, text_cell};
use crate::web::transactions::all_touchpoints;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use domain::improvement::drivers::{DriverAnalysis, DriverImportance, DriverResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/drivers", get(page))
        .route("/drivers/export.csv", get(export))
}

/// A driver is drawn hollow when the 95% interval of its share of R² is wider than this.
const WIDE_SHARE_INTERVAL: f64 = 0.25;

/// One driver as the table shows it.
struct DriverRow {
    label: String,
    share: String,
    importance: String,
    mean: String,
    top_two: String,
    responses: i64,
    correlation: String,
}

/// What the analysis found, ready to show.
struct Findings {
    chart: String,
    rows: Vec<DriverRow>,
    r_squared: String,
    responses: i64,
    warnings: Vec<String>,
}

/// Why there is no analysis: the counts, then the reason in words.
struct NotEnough {
    headline: String,
    reason: String,
}

/// The filter form as typed.
struct Filters {
    outcomes: Vec<Choice>,
    from: String,
    to: String,
    teams: Vec<Choice>,
    /// Whether "all teams" may be chosen (the whole organization).
    whole_organization: bool,
    touchpoints: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "improvement/drivers.html")]
struct DriversPage {
    chrome: Chrome,
    filters: Filters,
    /// What the figures cover, e.g. "Overall satisfaction (CSAT, 1–5) · Team care · 2026-01 to …".
    heading: String,
    not_enough: Option<NotEnough>,
    findings: Option<Findings>,
    method: &'static str,
    export: String,
    error: Option<String>,
}

/// The query with the first of a member's or manager's teams when they asked for none: the
/// whole organization is not theirs to see.
fn with_own_team(mut query: DriverQuery, staff: &Staff) -> DriverQuery {
    let asked = query.team.as_deref().is_some_and(|t| !t.trim().is_empty());
    if !asked && matches!(Scope::of(&staff.user), Scope::Teams(_)) {
        query.team = staff.user.teams.first().map(|t| t.key.clone());
    }
    query
}

async fn filters(
    state: &AppState,
    staff: &Staff,
    query: &DriverQuery,
) -> Result<Filters, PageError> {
    let selected = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let whole_organization = matches!(Scope::of(&staff.user), Scope::Everything);
    let teams: Vec<(String, String)> = if whole_organization {
        all_teams(state)
            .await?
            .into_iter()
            .map(|t| (t.key.to_string(), t.name.to_string()))
            .collect()
    } else {
        staff
            .user
            .teams
            .iter()
            .map(|t| (t.key.clone(), t.name.clone()))
            .collect()
    };
    let touchpoints = all_touchpoints(state).await?;
    let outcome = selected(&query.outcome);
    Ok(Filters {
        outcomes: Choice::list(
            [
                ("csat", "Overall satisfaction (CSAT)"),
                ("nps", "Likelihood to recommend (NPS)"),
            ],
            if outcome.is_empty() { "csat" } else { &outcome },
        ),
        from: selected(&query.from),
        to: selected(&query.to),
        teams: Choice::list(
            teams.iter().map(|(k, n)| (k.as_str(), n.as_str())),
            &selected(&query.team),
        ),
        whole_organization,
        touchpoints: Choice::list(
            touchpoints
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &selected(&query.touchpoint),
        ),
    })
}

fn row(driver: &DriverImportance, report: &DriverReport) -> DriverRow {
    let (low, high) = driver.share_interval;
    DriverRow {
        label: label_of(&driver.key, report),
        share: format!(
            "{} (95% CI {} to {})",
            percent(driver.share, 0),
            percent(low, 0),
            percent(high, 0)
        ),
        importance: format!("{:.3}", driver.importance),
        mean: format!("{:.2}", driver.mean),
        top_two: driver.top_two.map_or("—".to_owned(), |t| percent(t, 0)),
        responses: driver.responses,
        correlation: format!("{:+.2}", driver.correlation),
    }
}

fn label_of(key: &str, report: &DriverReport) -> String {
    report
        .labels
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

fn findings(result: &DriverResult, report: &DriverReport) -> Findings {
    let points: Vec<QuadrantPoint> = result
        .drivers
        .iter()
        .map(|d| QuadrantPoint {
            label: label_of(&d.key, report),
            importance: d.share,
            performance: d.mean,
            uncertain: d.share_interval.1 - d.share_interval.0 > WIDE_SHARE_INTERVAL,
        })
        .collect();
    let title = format!("What drives {}", report.outcome_label);
    let (low, high) = result.r_squared_interval;
    Findings {
        chart: quadrant_chart(&QuadrantChart {
            title: &title,
            y_min: 1.0,
            y_max: 5.0,
            points: &points,
        }),
        rows: result.drivers.iter().map(|d| row(d, report)).collect(),
        r_squared: format!("{:.2} (95% CI {low:.2} to {high:.2})", result.r_squared),
        responses: result.responses,
        warnings: result.warnings.clone(),
    }
}

fn heading(report: &DriverReport) -> String {
    let place = match (&report.team, &report.touchpoint) {
        (Some(team), Some(touchpoint)) => format!("{team}, at {touchpoint}"),
        (Some(team), None) => team.clone(),
        (None, Some(touchpoint)) => format!("The whole organization, at {touchpoint}"),
        (None, None) => "The whole organization".to_owned(),
    };
    format!(
        "{} · {place} · {} to {}",
        report.outcome_label, report.from, report.to
    )
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<DriverQuery>, QueryRejection>,
) -> PageResult {
    let Ok(Query(query)) = query else {
        return Err(PageError::BadForm(
            "the address of the driver analysis could not be read".into(),
        ));
    };
    let query = with_own_team(query, &staff);
    let store = state.store.as_ref();
    let resolved = DriverView::resolve(
        store,
        &query,
        &Scope::of(&staff.user),
        &staff.zone(),
        state.clock.now(),
    )
    .await;
    let mut view = DriversPage {
        chrome: Chrome::for_staff(&staff, "/drivers", &staff.time_zone),
        filters: filters(&state, &staff, &query).await?,
        heading: String::new(),
        not_enough: None,
        findings: None,
        method: crate::improvement::drivers::METHOD,
        export: String::new(),
        error: None,
    };
    let resolved = match resolved {
        Ok(resolved) => resolved,
        Err(Refused::Invalid(error)) => {
            view.error = Some(readable(&error));
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
        Err(other) => return refusal(other),
    };
    let report = report(store, &resolved).await?;
    view.heading = heading(&report);
    view.filters.from = report.from.clone();
    view.filters.to = report.to.clone();
    view.export = match serde_urlencoded::to_string(&query).unwrap_or_default() {
        filters if filters.is_empty() => "/drivers/export.csv".to_owned(),
        filters => format!("/drivers/export.csv?{filters}"),
    };
    match &report.analysis {
        DriverAnalysis::NotEnough {
            responses,
            needed,
            reason,
        } => {
            view.not_enough = Some(NotEnough {
                headline: format!("Not enough responses: {responses} of {needed} needed."),
                reason: super::capitalized(reason.trim_end_matches('.')),
            });
        }
        DriverAnalysis::Done(result) => view.findings = Some(findings(result, &report)),
    }
    Ok(render(StatusCode::OK, &view))
}

/// The drivers table of the same view as CSV (a header only when there are not enough
/// responses).
async fn export(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<DriverQuery>, QueryRejection>,
) -> PageResult {
    let Ok(Query(query)) = query else {
        return Err(PageError::BadForm(
            "the address of the export could not be read".into(),
        ));
    };
    let query = with_own_team(query, &staff);
    let store = state.store.as_ref();
    let now = state.clock.now();
    let scope = Scope::of(&staff.user);
    let resolved = match DriverView::resolve(store, &query, &scope, &staff.zone(), now).await {
        Ok(resolved) => resolved,
        Err(refused) => return refusal(refused),
    };
    let report = report(store, &resolved).await?;
    let header = [
        "key",
        "driver",
        "importance",
        "importance_low",
        "importance_high",
        "share",
        "share_low",
        "share_high",
        "mean",
        "top_two",
        "responses",
        "correlation",
        "slope",
    ];
    let mut out = line(&header.map(str::to_owned));
    if let DriverAnalysis::Done(result) = &report.analysis {
        for d in &result.drivers {
            let number = |v: f64| format!("{v:.4}");
            out.push_str(&line(&[
                text_cell(&d.key),
                text_cell(&label_of(&d.key, &report)),
                number(d.importance),
                number(d.interval.0),
                number(d.interval.1),
                number(d.share),
                number(d.share_interval.0),
                number(d.share_interval.1),
                number(d.mean),
                d.top_two.map_or(String::new(), number),
                d.responses.to_string(),
                number(d.correlation),
                number(d.slope),
            ]));
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"drivers.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
