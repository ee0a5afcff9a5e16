//! `/early-warning` (everyone logged in): the control charts of every team and touchpoint, and
//! one chart's detail drawn as server-side SVG from a replay of its series; managers,
//! administrators and the president may re-baseline a chart.

mod svg;

use super::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Role;
use domain::early_warning::{
    ChartPoint, ChartState, Metric, OperatingCharacteristics, operating_characteristics, replay,
};
use serde::Deserialize;
use store::ChartRow;
use svg::Figure;

/// Points drawn per chart: enough to see its shape, few enough for a light page.
const MAX_POINTS: usize = 300;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/early-warning", get(show))
        .route("/early-warning/rebaseline", post(rebaseline))
}

/// A value of `metric` for people: a mean CSAT to two decimals, a share as a percentage.
fn level(metric: Metric, value: f64) -> String {
    match metric {
        Metric::CsatMean => format!("{value:.2}"),
        Metric::DetractorShare => format!("{:.1} %", value * 100.0),
    }
}

/// What the chart is about: "Team Care" or "Touchpoint Phone support".
fn subject(row: &ChartRow) -> String {
    match (&row.team, &row.touchpoint) {
        (Some(team), _) => format!("Team {}", team.name),
        (None, Some(touchpoint)) => format!("Touchpoint {}", touchpoint.name),
        (None, None) => row.series.clone(),
    }
}

fn detail_link(series: &str, metric: Metric) -> String {
    let query = serde_urlencoded::to_string([("series", series), ("metric", metric.as_str())])
        .unwrap_or_default();
    format!("/early-warning?{query}")
}

/// A chart's state in words.
struct StateView {
    /// `baseline`, `in_control` or `out_of_control`.
    kind: &'static str,
    label: String,
    baseline: Option<String>,
    recent: Option<String>,
    signals: u64,
    observations: u64,
}

impl StateView {
    fn of(state: &ChartState) -> Self {
        let metric = state.metric();
        let (kind, label) = if state.in_baseline() {
            let needed = state.params().baseline_responses;
            let n = state.baseline_observations();
            (
                "baseline",
                format!("In baseline: {n} of {needed} responses"),
            )
        } else if state.is_out_of_control() {
            ("out_of_control", "OUT OF CONTROL".to_owned())
        } else {
            ("in_control", "In control".to_owned())
        };
        Self {
            kind,
            label,
            baseline: state.baseline().map(|b| level(metric, b)),
            recent: (state.observations() > 0).then(|| level(metric, state.recent())),
            signals: state.signals(),
            observations: state.observations(),
        }
    }
}

struct Card {
    subject: String,
    metric: &'static str,
    state: StateView,
    link: String,
}

impl Card {
    fn of(row: &ChartRow) -> Self {
        Self {
            subject: subject(row),
            metric: row.metric.label(),
            state: StateView::of(&row.state),
            link: detail_link(&row.series, row.metric),
        }
    }
}

#[derive(Template)]
#[template(path = "early_warning/list.html")]
struct ListPage {
    chrome: Chrome,
    /// Team series, then touchpoint series; a group without charts is left out.
    groups: Vec<Group>,
}

struct Group {
    heading: &'static str,
    cards: Vec<Card>,
}

/// A point of the accessible table.
struct PointRow {
    index: u64,
    statistic: String,
    limit: String,
    recent: String,
    signal: bool,
}

impl PointRow {
    fn of(metric: Metric, point: &ChartPoint) -> Self {
        Self {
            index: point.index,
            statistic: format!("{:.2}", point.statistic),
            limit: format!("{}", point.limit),
            recent: level(metric, point.recent),
            signal: point.signal,
        }
    }
}

/// The method and its measured behaviour, in words.
struct Method {
    parameters: String,
    shift: String,
    arl0: String,
    false_alarms: String,
    detection: String,
}

/// `192000` as `192,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Method {
    fn of(state: &ChartState, oc: &OperatingCharacteristics) -> Self {
        let params = state.params();
        let (parameters, shift) = match oc.metric {
            Metric::CsatMean => (
                format!(
                    "a one-sided CUSUM of standardised CSAT answers (allowance k = {}, decision limit h = {} baseline standard deviations)",
                    params.k, params.h
                ),
                format!("a fall of {:.1} CSAT points", -oc.shift),
            ),
            Metric::DetractorShare => (
                format!(
                    "a Bernoulli CUSUM of detractors (tuned for a rise of {} in the share, decision limit h = {} nats)",
                    params.k, params.h
                ),
                format!(
                    "a rise of the detractor share by {:.0} points",
                    oc.shift * 100.0
                ),
            ),
        };
        Self {
            parameters,
            shift,
            arl0: grouped(oc.arl0_responses),
            false_alarms: format!(
                "{:.2} false alarms a year at 25,000 responses, {:.2} at 5,000",
                oc.false_alarms_per_25k_year, oc.false_alarms_per_5k_year
            ),
            detection: format!(
                "median {}, mean {}, 95th percentile {} responses",
                oc.detection_median, oc.detection_mean, oc.detection_p95
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "early_warning/detail.html")]
struct DetailPage {
    chrome: Chrome,
    subject: String,
    metric_label: &'static str,
    series: String,
    metric: &'static str,
    state: StateView,
    baseline_size: u32,
    cusum: Figure,
    recent: Figure,
    points: Vec<PointRow>,
    method: Method,
    can_rebaseline: bool,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
struct ChartQuery {
    series: Option<String>,
    metric: Option<String>,
    rebaselined: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ChartQuery>,
) -> PageResult {
    match (query.series.as_deref(), query.metric.as_deref()) {
        (Some(series), Some(metric)) => {
            let metric = Metric::parse(metric).ok_or(PageError::NotFound)?;
            let notice = query
                .rebaselined
                .is_some()
                .then_some("The chart was re-baselined: it is estimating its new baseline.");
            detail(&state, &staff, series, metric, StatusCode::OK, None, notice).await
        }
        _ => list(&state, &staff).await,
    }
}

async fn list(state: &AppState, staff: &Staff) -> PageResult {
    let charts = state.store.control_charts().await?;
    let (teams, touchpoints): (Vec<&ChartRow>, Vec<&ChartRow>) = charts
        .iter()
        .partition(|row| row.series.starts_with("team:"));
    let view = ListPage {
        chrome: Chrome::for_staff(staff, "/early-warning", &staff.time_zone),
        groups: [("Teams", teams), ("Touchpoints", touchpoints)]
            .into_iter()
            .filter(|(_, rows)| !rows.is_empty())
            .map(|(heading, rows)| Group {
                heading,
                cards: rows.into_iter().map(Card::of).collect(),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &view))
}

async fn detail(
    state: &AppState,
    staff: &Staff,
    series: &str,
    metric: Metric,
    status: StatusCode,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> PageResult {
    let charts = state.store.control_charts().await?;
    let row = charts
        .iter()
        .find(|row| row.series == series && row.metric == metric)
        .ok_or(PageError::NotFound)?;
    let values = state.store.series_observations(series, metric).await?;
    let (_, points) = replay(metric, values, MAX_POINTS);
    let view = DetailPage {
        chrome: Chrome::for_staff(staff, "/early-warning", &staff.time_zone),
        subject: subject(row),
        metric_label: metric.label(),
        series: series.to_owned(),
        metric: metric.as_str(),
        state: StateView::of(&row.state),
        baseline_size: row.state.params().baseline_responses,
        cusum: svg::cusum_chart(metric, &points),
        recent: svg::recent_chart(metric, &points, row.state.baseline()),
        points: points.iter().map(|p| PointRow::of(metric, p)).collect(),
        method: Method::of(&row.state, &operating_characteristics(metric)),
        can_rebaseline: staff.user.role.can_edit_customers(),
        error,
        notice,
    };
    Ok(render(status, &view))
}

#[derive(Deserialize)]
struct RebaselineForm {
    #[serde(default)]
    series: String,
    #[serde(default)]
    metric: String,
    confirm: Option<String>,
}

async fn rebaseline(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<RebaselineForm>,
) -> PageResult {
    staff.require(Role::can_edit_customers)?;
    let metric = Metric::parse(&form.metric).ok_or(PageError::NotFound)?;
    if form.confirm.is_none() {
        let message = "Tick the box to confirm that the current level is the new normal.";
        return detail(
            &state,
            &staff,
            &form.series,
            metric,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            None,
        )
        .await;
    }
    state
        .store
        .rebaseline_chart(&actor(&staff), &form.series, metric)
        .await?;
    let link = detail_link(&form.series, metric);
    Ok(see_other(&format!("{link}&rebaselined=1")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_counts_are_written_for_people() {
        assert_eq!(level(Metric::CsatMean, 4.04), "4.04");
        assert_eq!(level(Metric::DetractorShare, 0.2), "20.0 %");
        assert_eq!(grouped(192_000), "192,000");
        assert_eq!(grouped(402), "402");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn a_new_chart_is_in_baseline() {
        let view = StateView::of(&ChartState::new(Metric::CsatMean));
        assert_eq!(view.kind, "baseline");
        assert_eq!(view.label, "In baseline: 0 of 400 responses");
        assert!(view.recent.is_none());
    }

    #[test]
    fn detail_links_encode_the_series() {
        assert_eq!(
            detail_link("team:7", Metric::DetractorShare),
            "/early-warning?series=team%3A7&metric=detractor_share"
        );
    }
}
