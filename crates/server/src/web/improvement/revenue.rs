//! `/revenue-at-risk`: each active customer's annual value × the churn probability of their
//! satisfaction, in total and by team, segment and touchpoint (tables with bar charts), the
//! customers with the most at risk, and the churn model per satisfaction band with what it
//! was learnt from. Managers see their teams' customers; the president and administrators
//! everyone's.

use super::{money, money_scope, percent, restrict};
use crate::improvement::backlog::currency_exponent;
use crate::improvement::settings;
use crate::improvement::value::{self, AtRiskReport, NamedGroup};
use crate::state::AppState;
use crate::web::charts::{Bar, BarChart, bar_chart};
use crate::web::{Chrome, PageResult, Staff, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use domain::improvement::churn::BandEstimate;
use domain::improvement::revenue::AtRiskTotals;

pub fn router() -> Router<AppState> {
    Router::new().route("/revenue-at-risk", get(page))
}

/// Amounts in the report's currency.
struct Amounts {
    exponent: u32,
    currency: Option<String>,
}

impl Amounts {
    fn of(&self, minor: i64) -> String {
        money(minor, self.exponent, self.currency.as_deref())
    }
}

/// A total or a group's totals as the tables show them.
struct TotalsRow {
    name: String,
    customers: i64,
    unknown: i64,
    value: String,
    at_risk: String,
    share_of_value: String,
    share_of_total: String,
}

impl TotalsRow {
    fn new(name: String, t: &AtRiskTotals, share_of_total: f64, amounts: &Amounts) -> Self {
        Self {
            name,
            customers: t.customers,
            unknown: t.customers_unknown_satisfaction,
            value: amounts.of(t.annual_value_minor),
            at_risk: amounts.of(t.at_risk_minor),
            share_of_value: percent(t.share_of_value_at_risk, 1),
            share_of_total: percent(share_of_total, 0),
        }
    }
}

/// One breakdown: its chart and table.
struct Breakdown {
    id: &'static str,
    title: &'static str,
    chart: String,
    rows: Vec<TotalsRow>,
}

fn breakdown(
    id: &'static str,
    title: &'static str,
    groups: &[NamedGroup],
    amounts: &Amounts,
) -> Breakdown {
    let scale = 10_f64.powi(i32::try_from(amounts.exponent).unwrap_or(2));
    let bars: Vec<Bar> = groups
        .iter()
        .take(30)
        .map(|g| Bar {
            label: g.name.clone(),
            value: g.totals.at_risk_minor as f64 / scale,
            low: None,
            high: None,
            n: g.totals.customers,
            small: false,
            link: None,
        })
        .collect();
    let x_label = format!(
        "Revenue at risk a year ({})",
        amounts
            .currency
            .as_deref()
            .unwrap_or("in the customers' currency")
    );
    let chart = bar_chart(&BarChart {
        title: &format!("Revenue at risk {title}"),
        x_label: &x_label,
        x_min: 0.0,
        x_max: 0.0,
        bars: &bars,
    });
    let rows = groups
        .iter()
        .map(|g| TotalsRow::new(g.name.clone(), &g.totals, g.share_of_total_at_risk, amounts))
        .collect();
    Breakdown {
        id,
        title,
        chart,
        rows,
    }
}

struct CustomerRow {
    id: i64,
    name: String,
    value: String,
    satisfaction: String,
    churn: String,
    at_risk: String,
}

/// One satisfaction band of the churn model.
struct BandRow {
    band: u8,
    default: String,
    customers: i64,
    lost: i64,
    observed: String,
    used: String,
    source: String,
}

fn band_row(b: &BandEstimate, learnt: bool) -> BandRow {
    let observed = match (b.observed_rate, b.observed_interval) {
        (Some(rate), Some(i)) => format!(
            "{} (95% CI {} to {})",
            percent(rate, 1),
            percent(i.low, 1),
            percent(i.high, 1)
        ),
        (Some(rate), None) => percent(rate, 1),
        _ => "no customers".to_owned(),
    };
    let source = if !learnt {
        "default (learning from history is off)".to_owned()
    } else if b.is_default {
        "default (no customers in this band yet)".to_owned()
    } else {
        let whom = match b.customers {
            1 => "1 customer".to_owned(),
            n => format!("{n} customers"),
        };
        let pooled = if b.pooled {
            ", pooled with a neighbouring band"
        } else {
            ""
        };
        format!("learnt from {whom}{pooled}")
    };
    BandRow {
        band: b.band,
        default: percent(b.default_probability, 1),
        customers: b.customers,
        lost: b.lost,
        observed,
        used: percent(
            if learnt {
                b.probability
            } else {
                b.default_probability
            },
            1,
        ),
        source,
    }
}

#[derive(Template)]
#[template(path = "improvement/revenue.html")]
struct RevenuePage {
    chrome: Chrome,
    scope_note: &'static str,
    total: TotalsRow,
    breakdowns: Vec<Breakdown>,
    customers: Vec<CustomerRow>,
    bands: Vec<BandRow>,
    learnt: bool,
    prior_weight: String,
    satisfaction_days: i64,
    /// Customers left out or counted as worth nothing, for the whole organization only.
    notes: Vec<String>,
}

fn customer_rows(report: &AtRiskReport, amounts: &Amounts) -> Vec<CustomerRow> {
    report
        .top_customers
        .iter()
        .map(|c| CustomerRow {
            id: c.customer,
            name: c.name.clone(),
            value: amounts.of(c.annual_value_minor),
            satisfaction: c
                .satisfaction
                .map_or("unknown".to_owned(), |s| format!("{s:.2}")),
            churn: percent(c.churn_probability, 1),
            at_risk: amounts.of(c.at_risk_minor),
        })
        .collect()
}

fn notes(report: &AtRiskReport) -> Vec<String> {
    let mut notes = Vec::new();
    if report.other_currency > 0 {
        notes.push(format!(
            "{} active customers valued in another currency are left out, never converted.",
            report.other_currency
        ));
    }
    if report.without_value > 0 {
        notes.push(format!(
            "{} active customers have no annual value recorded and count as worth nothing.",
            report.without_value
        ));
    }
    notes
}

async fn page(State(state): State<AppState>, staff: Staff) -> PageResult {
    let teams = money_scope(&staff)?;
    let store = state.store.as_ref();
    let now = state.clock.now();
    let settings = settings::load(store).await?;
    let since = now
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * value::SATISFACTION_DAYS,
        ))
        .unwrap_or(now);
    let (mut book, names, answers) = tokio::try_join!(
        value::book(store, &settings, now),
        value::names(store),
        store.customer_touchpoint_csat(since)
    )?;
    restrict(&mut book, &teams);
    let mut report = value::report(&book, &names, &answers);
    value::attribute(&mut report, store, &book, &staff.zone(), now).await?;
    let amounts = Amounts {
        exponent: currency_exponent(report.currency.as_deref()),
        currency: report.currency.clone(),
    };
    let view = RevenuePage {
        chrome: Chrome::for_staff(&staff, "/revenue-at-risk", &staff.time_zone),
        scope_note: if teams.is_some() {
            "The customers of your teams"
        } else {
            "Every active customer"
        },
        total: TotalsRow::new("Total".into(), &report.total, 1.0, &amounts),
        breakdowns: vec![
            breakdown("team", "by client team", &report.by_team, &amounts),
            breakdown("segment", "by segment", &report.by_segment, &amounts),
            breakdown(
                "touchpoint",
                "by touchpoint",
                &report.by_touchpoint,
                &amounts,
            ),
            breakdown("driver", "by driver", &report.by_driver, &amounts),
            breakdown("problem", "by open problem", &report.by_problem, &amounts),
        ],
        customers: customer_rows(&report, &amounts),
        bands: report
            .churn
            .bands
            .iter()
            .map(|b| band_row(b, report.learnt))
            .collect(),
        learnt: report.learnt,
        prior_weight: format!("{}", report.churn.prior_weight),
        satisfaction_days: report.satisfaction_days,
        notes: if teams.is_some() {
            Vec::new()
        } else {
            notes(&report)
        },
    };
    Ok(render(StatusCode::OK, &view))
}
