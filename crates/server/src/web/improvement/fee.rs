//! `/fee-change`: what raising the fees of a segment (or of every customer) by a percentage
//! would gain from those who stay against what the extra churn would lose, per satisfaction
//! band and in total, with the break-even and the most profitable increase. A GET form; bad
//! input is explained with the form kept. Managers see their teams' customers.

use super::{money, money_scope, percent, readable, restrict};
use crate::improvement::backlog::currency_exponent;
use crate::improvement::fee::{self, FeeQuery, FeeReport};
use crate::improvement::settings;
use crate::improvement::value::{self, Book};
use crate::state::AppState;
use crate::web::list::Choice;
use crate::web::{Chrome, PageError, PageResult, Staff, render};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::improvement::fee_change::{BreakEven, FeeChangeLine};

pub fn router() -> Router<AppState> {
    Router::new().route("/fee-change", get(page))
}

/// One band (or the unknown-satisfaction customers, or the total) as the table shows it.
struct LineRow {
    name: String,
    customers: i64,
    revenue_now: String,
    gained: String,
    lost: String,
    net: String,
    churn_before: String,
    churn_after: String,
    sensitivity: String,
}

/// The impact, ready to show.
struct Outcome {
    heading: String,
    bands: Vec<LineRow>,
    total: LineRow,
    break_even: String,
    most_profitable: String,
}

#[derive(Template)]
#[template(path = "improvement/fee.html")]
struct FeePage {
    chrome: Chrome,
    segments: Vec<Choice>,
    increase: String,
    scope_note: &'static str,
    outcome: Option<Outcome>,
    error: Option<String>,
}

fn line_row(
    name: String,
    line: &FeeChangeLine,
    sensitivity: String,
    report: &FeeReport,
) -> LineRow {
    let exponent = currency_exponent(report.currency.as_deref());
    let amount = |minor: i64| money(minor, exponent, report.currency.as_deref());
    let churn = |p: Option<f64>| p.map_or("—".to_owned(), |p| percent(p, 1));
    LineRow {
        name,
        customers: line.customers,
        revenue_now: amount(line.revenue_now_minor),
        gained: amount(line.gained_minor),
        lost: amount(line.lost_minor),
        net: amount(line.net_minor),
        churn_before: churn(line.churn_before),
        churn_after: churn(line.churn_after),
        sensitivity,
    }
}

fn outcome(report: &FeeReport) -> Outcome {
    let impact = &report.impact;
    let exponent = currency_exponent(report.currency.as_deref());
    let amount = |minor: i64| money(minor, exponent, report.currency.as_deref());
    let mut bands: Vec<LineRow> = impact
        .bands
        .iter()
        .map(|line| {
            let band = line.band.unwrap_or_default();
            let sensitivity = usize::from(band)
                .checked_sub(1)
                .and_then(|i| impact.sensitivity_per_percent.get(i))
                .map_or("—".to_owned(), |s| format!("+{:.1} points", s * 100.0));
            line_row(format!("CSAT {band}"), line, sensitivity, report)
        })
        .collect();
    bands.push(line_row(
        "Satisfaction unknown".into(),
        &impact.unknown,
        "as CSAT 3".into(),
        report,
    ));
    let break_even = match impact.break_even {
        BreakEven::At { increase } => format!(
            "The increase stops paying at {}: from there the revenue lost to churn outweighs the gain.",
            percent(increase, 1)
        ),
        BreakEven::LossAtAnyIncrease => {
            "Any increase loses money: even 0.1% costs more in churn than it gains.".to_owned()
        }
        BreakEven::GainUpToSearchLimit => {
            "The increase still pays at 50%, the largest increase searched.".to_owned()
        }
        BreakEven::NoRevenue => {
            "No customers with a value here: nothing to gain or lose.".to_owned()
        }
    };
    let most_profitable = match impact.most_profitable {
        Some(point) => format!(
            "The most profitable increase is {}, netting {} a year.",
            percent(point.increase, 1),
            amount(point.net_minor)
        ),
        None => "No increase nets a gain.".to_owned(),
    };
    let who = report
        .segment
        .as_ref()
        .map_or("every customer".to_owned(), |s| format!("the {s} segment"));
    Outcome {
        heading: format!("A {}% increase for {who}", report.increase_percent),
        bands,
        total: line_row("Total".into(), &impact.total, String::new(), report),
        break_even,
        most_profitable,
    }
}

/// The segments of the customers in the book, for the select.
fn segments_of(book: &Book) -> Vec<String> {
    let mut segments: Vec<String> = book
        .customers
        .iter()
        .filter_map(|c| c.segment.clone())
        .collect();
    segments.sort();
    segments.dedup();
    segments
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<FeeQuery>, QueryRejection>,
) -> PageResult {
    let teams = money_scope(&staff)?;
    let Ok(Query(query)) = query else {
        return Err(PageError::BadForm(
            "the address of the fee change could not be read".into(),
        ));
    };
    let store = state.store.as_ref();
    let settings = settings::load(store).await?;
    let mut book = value::book(store, &settings, state.clock.now()).await?;
    restrict(&mut book, &teams);
    let chosen = query.segment.as_deref().unwrap_or_default().trim();
    let segments = segments_of(&book);
    let mut view = FeePage {
        chrome: Chrome::for_staff(&staff, "/revenue-at-risk", &staff.time_zone),
        segments: Choice::list(segments.iter().map(|s| (s.as_str(), s.as_str())), chosen),
        increase: query.increase.clone().unwrap_or_else(|| "5".to_owned()),
        scope_note: if teams.is_some() {
            "the customers of your teams"
        } else {
            "every active customer"
        },
        outcome: None,
        error: None,
    };
    match fee::report(&book, &settings, &query) {
        Ok(report) => {
            view.outcome = Some(outcome(&report));
            Ok(render(StatusCode::OK, &view))
        }
        Err(error) => {
            view.error = Some(readable(&error));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}
