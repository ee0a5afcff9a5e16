//! `/dashboard`: the overview for every role — a member sees their teams' figures (and their
//! own with "My figures"), a manager their teams', the president and administrators the whole
//! company. Every filter is in the URL; every table has a CSV export; `/dashboard/summary` is a
//! one-page executive summary styled for printing.

mod export;
mod format;

use super::customers::all_teams;
use super::list::Choice;
use super::transactions::all_touchpoints;
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::dashboard::overview::{Overview, Row};
use crate::dashboard::query::{Refused, Scope};
use crate::dashboard::{DashboardQuery, View};
use crate::state::AppState;
use crate::web::charts::{
    self, Annotation, AnnotationKind, Bar, BarChart, LineChart, Point, Series,
};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::dashboard::stats::Estimate;
use format::{change_text, estimate_text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/dashboard/summary", get(summary))
        .route("/dashboard/export.csv", get(export::csv))
}

/// A breakdown as the page shows it: a chart and its table.
pub(super) struct Breakdown {
    pub id: &'static str,
    pub title: &'static str,
    pub chart: String,
    pub rows: Vec<Row>,
    pub export: String,
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
struct DashboardPage {
    chrome: Chrome,
    o: Overview,
    scope_note: String,
    nps_chart: String,
    csat_chart: String,
    breakdowns: Vec<Breakdown>,
    teams: Vec<Choice>,
    touchpoints: Vec<Choice>,
    sources: Vec<Choice>,
    steps: Vec<Choice>,
    segment: String,
    from: String,
    to: String,
    staff_name: Option<String>,
    staff_id: String,
    /// Whether the view breaks its figures down by staff member.
    staff_split: bool,
    mine: String,
    everything: String,
    summary: String,
    trend_export: String,
    themes_export: String,
    error: Option<String>,
    zone: jiff::tz::TimeZone,
}

impl DashboardPage {
    fn estimate(&self, e: &Option<Estimate>, decimals: usize) -> String {
        estimate_text(e, decimals)
    }

    fn change(&self, f: &crate::dashboard::overview::Figure, decimals: usize) -> String {
        change_text(f, decimals)
    }

    fn when(&self, at: &jiff::Timestamp) -> String {
        domain::time::display_in(*at, &self.zone)
    }

    fn rate(&self) -> String {
        if self.o.headline.response_rate.current.is_none() {
            return "—".to_owned();
        }
        estimate_text(
            &self.o.headline.response_rate.current.map(|mut e| {
                e.value *= 100.0;
                if let Some(i) = e.interval.as_mut() {
                    i.low *= 100.0;
                    i.high *= 100.0;
                }
                e
            }),
            0,
        )
    }
}

/// The view of the request, or the page saying why it cannot be shown.
pub(super) async fn resolve(
    state: &AppState,
    staff: &Staff,
    query: &DashboardQuery,
) -> Result<(View, jiff::tz::TimeZone), PageError> {
    let zone = staff.zone();
    let scope = Scope::of(&staff.user);
    match View::resolve(
        state.store.as_ref(),
        query,
        scope,
        Some(staff.user.id),
        &zone,
        state.clock.now(),
    )
    .await
    {
        Ok(view) => Ok((view, zone)),
        Err(Refused::Forbidden(_)) => Err(PageError::Forbidden),
        Err(Refused::Invalid(error)) => Err(PageError::BadForm(format!(
            "{}: {}",
            error.field, error.message
        ))),
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

/// Members see staff rows for themselves only.
fn own_user(staff: &Staff) -> Option<i64> {
    (staff.user.role == domain::Role::Member).then_some(staff.user.id.0)
}

pub(super) async fn overview(
    state: &AppState,
    staff: &Staff,
    query: &DashboardQuery,
) -> Result<(View, Overview, jiff::tz::TimeZone), PageError> {
    let (view, zone) = resolve(state, staff, query).await?;
    let overview = crate::dashboard::build(
        state.store.as_ref(),
        &view,
        &zone,
        state.clock.now(),
        "/dashboard",
        own_user(staff),
    )
    .await?;
    Ok((view, overview, zone))
}

fn point(label: &str, e: &Option<Estimate>, link: Option<String>) -> Point {
    Point {
        label: label.to_owned(),
        value: e.map(|e| e.value),
        low: e.and_then(|e| e.interval.map(|i| i.low)),
        high: e.and_then(|e| e.interval.map(|i| i.high)),
        n: e.map_or(0, |e| e.n),
        small: e.is_some_and(|e| e.small_sample),
        link,
    }
}

fn trend_chart(o: &Overview, title: &str, y: (&str, f64, f64), nps: bool) -> String {
    let points = o
        .trend
        .iter()
        .map(|p| point(&p.label, if nps { &p.nps } else { &p.csat }, None))
        .collect();
    let series = [Series {
        name: if nps {
            "NPS".into()
        } else {
            "Mean CSAT".into()
        },
        points,
    }];
    let annotations: Vec<Annotation> = o
        .annotations
        .iter()
        .map(|a| Annotation {
            at: a.step,
            label: a.title.clone(),
            kind: AnnotationKind::Alert,
        })
        .collect();
    charts::line_chart(&LineChart {
        title,
        y_label: y.0,
        y_min: y.1,
        y_max: y.2,
        series: &series,
        annotations: &annotations,
    })
}

fn breakdown(view: &View, id: &'static str, title: &'static str, rows: Vec<Row>) -> Breakdown {
    let bars: Vec<Bar> = rows
        .iter()
        .filter_map(|r| {
            let e = r.nps?;
            Some(Bar {
                label: r.label.clone(),
                value: e.value,
                low: e.interval.map(|i| i.low),
                high: e.interval.map(|i| i.high),
                n: e.n,
                small: e.small_sample,
                link: r.link.clone(),
            })
        })
        .take(30)
        .collect();
    let chart = charts::bar_chart(&BarChart {
        title: &format!("NPS {title}"),
        x_label: "NPS (−100 to 100), with 95% interval",
        x_min: -100.0,
        x_max: 100.0,
        bars: &bars,
    });
    Breakdown {
        id,
        title,
        chart,
        rows,
        export: view.link("/dashboard/export.csv", &[("table", id)]),
    }
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<DashboardQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Ok(Query(query)) = query else {
        return Err(PageError::BadForm(
            "the dashboard's address could not be read".into(),
        ));
    };
    let (view, o, zone) = match overview(&state, &staff, &query).await {
        Err(PageError::BadForm(message)) => {
            // A bad filter: show the default view with the message.
            let (view, o, zone) = overview(&state, &staff, &DashboardQuery::default()).await?;
            return show(&state, &staff, view, o, zone, Some(message)).await;
        }
        other => other?,
    };
    show(&state, &staff, view, o, zone, None).await
}

async fn show(
    state: &AppState,
    staff: &Staff,
    view: View,
    o: Overview,
    zone: jiff::tz::TimeZone,
    error: Option<String>,
) -> PageResult {
    let teams = all_teams(state).await?;
    let visible_teams: Vec<_> = teams
        .iter()
        .filter(|t| match &view.scope {
            Scope::Everything => true,
            Scope::Teams(mine) => mine.contains(&t.id),
        })
        .map(|t| (t.key.as_str(), t.name.as_str()))
        .collect();
    let touchpoints = all_touchpoints(state).await?;
    let selected = |v: &Option<String>| v.clone().unwrap_or_default();
    let q = &view.query;
    let scope_note = match (&view.scope, &view.staff) {
        (_, Some((_, name))) => format!("{name}'s figures"),
        (Scope::Everything, _) => "The whole organization".to_owned(),
        (Scope::Teams(_), _) => "Your teams".to_owned(),
    };
    let nps_chart = trend_chart(&o, "NPS over time", ("NPS", -100.0, 100.0), true);
    let csat_chart = trend_chart(&o, "Mean CSAT over time", ("CSAT (1–5)", 1.0, 5.0), false);
    let breakdowns = vec![
        breakdown(&view, "team", "by team", o.by_team.clone()),
        breakdown(
            &view,
            "touchpoint",
            "by touchpoint",
            o.by_touchpoint.clone(),
        ),
        breakdown(
            &view,
            "segment",
            "by customer segment",
            o.by_segment.clone(),
        ),
        breakdown(&view, "source", "by source", o.by_source.clone()),
        breakdown(&view, "staff", "by staff member", o.by_staff.clone()),
    ];
    let page = DashboardPage {
        chrome: Chrome::for_staff(staff, "/dashboard", &staff.time_zone),
        scope_note,
        nps_chart,
        csat_chart,
        breakdowns,
        teams: Choice::list(visible_teams, &selected(&q.team)),
        touchpoints: Choice::list(
            touchpoints
                .iter()
                .map(|t| (t.key.as_str(), t.name.as_str())),
            &selected(&q.touchpoint),
        ),
        sources: Choice::list(
            [
                ("survey_page", "Survey page"),
                ("phone_interview", "Phone interview"),
                ("kiosk", "Kiosk"),
                ("focus_group", "Focus group"),
                ("briefing", "Customer briefing"),
                ("review_360", "360 review"),
                ("import", "Import"),
                ("api", "API"),
            ],
            &selected(&q.source),
        ),
        steps: Choice::list(
            [("day", "Day"), ("week", "Week"), ("month", "Month")],
            &selected(&q.step),
        ),
        segment: selected(&q.segment),
        from: view.from.to_string(),
        to: view.to.to_string(),
        staff_name: view.staff.as_ref().map(|s| s.1.clone()),
        staff_id: view
            .staff
            .as_ref()
            .map_or(String::new(), |s| s.0.0.to_string()),
        staff_split: view.team.is_some()
            || view.touchpoint.is_some()
            || view.staff.is_some()
            || !matches!(view.scope, Scope::Everything),
        mine: view.link(
            "/dashboard",
            &[("staff", &staff.user.id.0.to_string()), ("team", "")],
        ),
        everything: view.link(
            "/dashboard",
            &[
                ("staff", ""),
                ("team", ""),
                ("touchpoint", ""),
                ("segment", ""),
                ("source", ""),
            ],
        ),
        summary: view.link("/dashboard/summary", &[]),
        trend_export: view.link("/dashboard/export.csv", &[("table", "trend")]),
        themes_export: view.link("/dashboard/export.csv", &[("table", "themes")]),
        error,
        zone,
        o,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "dashboard/summary.html")]
struct SummaryPage {
    organization: String,
    scope_note: String,
    o: Overview,
    nps_chart: String,
    generated: String,
}

impl SummaryPage {
    fn estimate(&self, e: &Option<Estimate>, decimals: usize) -> String {
        estimate_text(e, decimals)
    }

    fn change(&self, f: &crate::dashboard::overview::Figure, decimals: usize) -> String {
        change_text(f, decimals)
    }
}

/// The one-page executive summary, for printing or a PDF from the browser.
async fn summary(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<DashboardQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Ok(Query(query)) = query else {
        return Err(PageError::BadForm(
            "the summary's address could not be read".into(),
        ));
    };
    let (view, o, zone) = overview(&state, &staff, &query).await?;
    let organization = state.store.organization().await?;
    let scope_note = match (&view.team, &view.touchpoint) {
        (Some((_, _, team)), _) => team.clone(),
        (None, Some((_, _, touchpoint))) => touchpoint.clone(),
        (None, None) => match view.scope {
            Scope::Everything => "The whole organization".to_owned(),
            Scope::Teams(_) => "Your teams".to_owned(),
        },
    };
    let page = SummaryPage {
        organization: organization.name,
        scope_note,
        nps_chart: trend_chart(&o, "NPS over time", ("NPS", -100.0, 100.0), true),
        generated: domain::time::display_in(state.clock.now(), &zone),
        o,
    };
    Ok(render(StatusCode::OK, &page))
}
