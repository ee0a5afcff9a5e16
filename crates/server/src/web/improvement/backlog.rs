//! `/improvements`: the improvement backlog ranked by return on satisfaction, every row with
//! its formula and inputs written out, and `/improvements/what-if`: what moving one driver's
//! mean rating would do to mean CSAT and revenue at risk. Both are for the president and
//! administrators (see the module docs of `web::improvement`).

use super::{money, readable, refusal};
use crate::improvement::backlog::{self, BacklogReport, WhatIfReport};
use crate::improvement::settings;
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::improvement::drivers::DriverAnalysis;
use domain::improvement::ros::{BacklogItem, ItemKind};
use domain::{Role, ValidationError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/improvements", get(page))
        .route("/improvements/what-if", get(what_if))
}

/// Where the effort estimates of drivers are set.
const EFFORT_SETTINGS: &str = "/settings/improvement#efforts";

/// One backlog item as the table shows it.
struct ItemRow {
    rank: usize,
    name: String,
    link: String,
    kind: &'static str,
    retained: String,
    effort: Option<String>,
    ros: Option<String>,
    /// Where its effort estimate is set, for an item without one (`None`: not by this user).
    effort_link: Option<String>,
    formula: Vec<String>,
}

/// The what-if form: the drivers to choose from and the rating typed.
struct WhatIfForm {
    drivers: Vec<Choice>,
    performance: String,
}

#[derive(Template)]
#[template(path = "improvement/backlog.html")]
struct BacklogPage {
    chrome: Chrome,
    rows: Vec<ItemRow>,
    rated: usize,
    /// Why no driver is in the backlog, when the analysis had too few responses.
    drivers_missing: Option<String>,
    learnt_churn: bool,
    what_if: WhatIfForm,
}

fn row(rank: usize, item: &BacklogItem, report: &BacklogReport, staff: &Staff) -> ItemRow {
    let amount = |minor: i64| money(minor, report.exponent, report.currency.as_deref());
    let label = report.labels.get(&item.key);
    let link = label.map_or_else(String::new, |l| l.link.clone());
    let effort_link = match item.kind {
        ItemKind::Driver => staff
            .user
            .role
            .can_administer()
            .then(|| EFFORT_SETTINGS.to_owned()),
        // The problem's own form holds its effort estimate.
        ItemKind::Problem => Some(format!("{link}/edit")),
    };
    ItemRow {
        rank,
        name: label.map_or_else(|| item.key.clone(), |l| l.name.clone()),
        link,
        kind: match item.kind {
            ItemKind::Driver => "Driver",
            ItemKind::Problem => "Systemic problem",
        },
        retained: amount(item.retained_minor),
        effort: item.effort_minor.map(amount),
        ros: item.ros.map(|ros| format!("{ros:.2}")),
        effort_link,
        formula: report.formulas.get(&item.key).cloned().unwrap_or_default(),
    }
}

async fn page(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Role::can_oversee)?;
    let store = state.store.as_ref();
    let settings = settings::load(store).await?;
    let report = match backlog::build(store, &settings, &staff.zone(), state.clock.now()).await {
        Ok(report) => report,
        Err(refused) => return refusal(refused),
    };
    let rows = report
        .backlog
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| row(i + 1, item, &report, &staff))
        .collect();
    let (drivers, drivers_missing) = match &report.drivers.analysis {
        DriverAnalysis::Done(result) => (
            result
                .drivers
                .iter()
                .map(|d| {
                    let name = report.drivers.labels.get(&d.key).unwrap_or(&d.key);
                    (d.key.clone(), format!("{name} (now {:.2})", d.mean))
                })
                .collect(),
            None,
        ),
        DriverAnalysis::NotEnough {
            responses, needed, ..
        } => (
            Vec::new(),
            Some(format!(
                "The organization's key driver analysis has not enough responses yet \
                 ({responses} of {needed} needed), so no driver is ranked."
            )),
        ),
    };
    let view = BacklogPage {
        chrome: Chrome::for_staff(&staff, "/improvements", &staff.time_zone),
        rows,
        rated: report.backlog.rated,
        drivers_missing,
        learnt_churn: report.learnt_churn,
        what_if: WhatIfForm {
            drivers: choices(&drivers, ""),
            performance: String::new(),
        },
    };
    Ok(render(StatusCode::OK, &view))
}

fn choices(options: &[(String, String)], current: &str) -> Vec<Choice> {
    Choice::list(
        options.iter().map(|(k, l)| (k.as_str(), l.as_str())),
        current,
    )
}

#[derive(Debug, Default, Deserialize)]
struct WhatIfQuery {
    driver: Option<String>,
    performance: Option<String>,
}

/// A mean rating as typed (`4.2`, `4,2`), from 1 to 5.
fn parse_performance(raw: &str) -> Result<f64, ValidationError> {
    raw.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && (1.0..=5.0).contains(p))
        .ok_or_else(|| ValidationError::new("performance", "must be a mean rating from 1 to 5"))
}

/// The what-if's figures, ready to show.
struct Prediction {
    name: String,
    performance_before: String,
    performance_after: String,
    outcome_before: String,
    outcome_after: String,
    at_risk_before: String,
    at_risk_after: String,
    change: String,
    slope: String,
    customers_known: i64,
    customers_unknown: i64,
}

impl Prediction {
    fn of(report: &WhatIfReport) -> Self {
        let amount = |minor: i64| money(minor, report.exponent, report.currency.as_deref());
        let result = &report.result;
        let mean = |m: Option<f64>| m.map_or("unknown".to_owned(), |m| format!("{m:.2}"));
        let change = match result.retained_minor {
            0 => "no change".to_owned(),
            kept if kept > 0 => format!("{} less at risk a year (kept)", amount(kept)),
            lost => format!("{} more at risk a year (lost)", amount(-lost)),
        };
        Self {
            name: report.name.clone(),
            performance_before: format!("{:.2}", result.performance_before),
            performance_after: format!("{:.2}", result.performance_after),
            outcome_before: mean(result.outcome_before),
            outcome_after: mean(result.outcome_after),
            at_risk_before: amount(result.revenue_at_risk_before_minor),
            at_risk_after: amount(result.revenue_at_risk_after_minor),
            change,
            slope: format!("{:.3}", report.inputs.slope),
            customers_known: result.customers_known,
            customers_unknown: result.customers_unknown,
        }
    }
}

#[derive(Template)]
#[template(path = "improvement/what_if.html")]
struct WhatIfPage {
    chrome: Chrome,
    what_if: WhatIfForm,
    prediction: Option<Prediction>,
    error: Option<String>,
}

async fn what_if(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<WhatIfQuery>, QueryRejection>,
) -> PageResult {
    staff.require(Role::can_oversee)?;
    let Ok(Query(query)) = query else {
        return Err(PageError::BadForm(
            "the address of the what-if could not be read".into(),
        ));
    };
    let store = state.store.as_ref();
    let labels: Vec<(String, String)> = store.rating_labels().await?.into_iter().collect();
    let driver = query
        .driver
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let performance = query.performance.clone().unwrap_or_default();
    let mut view = WhatIfPage {
        chrome: Chrome::for_staff(&staff, "/improvements", &staff.time_zone),
        what_if: WhatIfForm {
            drivers: choices(&labels, &driver),
            performance: performance.clone(),
        },
        prediction: None,
        error: None,
    };
    let refuse = |mut view: WhatIfPage, message: String| {
        view.error = Some(message);
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
    };
    if driver.is_empty() {
        return refuse(view, "Driver: choose the driver to move.".into());
    }
    let new_mean = match parse_performance(&performance) {
        Ok(mean) => mean,
        Err(error) => return refuse(view, readable(&error)),
    };
    let settings = settings::load(store).await?;
    let now = state.clock.now();
    let zone = staff.zone();
    match backlog::what_if_driver(store, &settings, &zone, now, &driver, new_mean).await {
        Ok(Some(report)) => {
            view.prediction = Some(Prediction::of(&report));
            Ok(render(StatusCode::OK, &view))
        }
        Ok(None) => refuse(
            view,
            "Driver: it is not in the organization's current key driver analysis (or the \
             analysis has too few responses)."
                .into(),
        ),
        Err(refused) => refusal(refused),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performance_is_a_mean_rating_on_the_scale() {
        assert_eq!(parse_performance(" 4.5 "), Ok(4.5));
        assert_eq!(parse_performance("4,2"), Ok(4.2));
        for bad in ["", "x", "0.5", "5.1", "NaN", "inf"] {
            assert!(parse_performance(bad).is_err(), "{bad}");
        }
    }
}
