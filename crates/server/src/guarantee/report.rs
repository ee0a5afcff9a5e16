//! The guarantee report as the API and the console show it: the domain's figures with names
//! in place of ids, and money written per currency.

use domain::CustomerId;
use domain::guarantee::claim::format_amount;
use domain::guarantee::report::{Dimension, Figures, PresidentResponse, summarize};
use domain::{Currency, TeamId, UserId};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::HashMap;
use store::{ListParams, Store, StoreResult, TeamFilter};

/// One row (or the total).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowView {
    /// The team or touchpoint key, the staff member's external id or the month (`2026-11`);
    /// `null` for transactions without a team or staff member.
    pub key: Option<String>,
    pub label: String,
    pub transactions: i64,
    pub invocations: i64,
    /// Invocations per 1,000 transactions; `null` without transactions.
    pub rate_per_thousand: Option<f64>,
    /// Per currency, e.g. `{"EUR": "120.00"}`.
    pub credits: HashMap<String, String>,
    pub invoiced: HashMap<String, String>,
    /// The average share of the price invoking customers chose to pay, 0 to 1.
    pub average_share_paid: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RepeatInvokerView {
    pub customer: String,
    pub name: Option<String>,
    pub invocations: i64,
    pub last_invoked_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PresidentView {
    /// Invocations the president has acted on (any entry of theirs on the case).
    pub acted: usize,
    /// Invocations the president has not acted on yet.
    pub waiting: usize,
    pub median_minutes: Option<f64>,
    pub slowest_minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    /// `team`, `touchpoint`, `staff` or `month`.
    pub by: String,
    pub from: Timestamp,
    pub to: Timestamp,
    pub total: RowView,
    pub rows: Vec<RowView>,
    pub repeat_invokers: Vec<RepeatInvokerView>,
    pub president: PresidentView,
}

fn money(
    totals: &Figures,
    pick: impl Fn(&domain::guarantee::report::Totals) -> i64,
) -> HashMap<String, String> {
    totals
        .money
        .iter()
        .map(|(code, t)| {
            let exponent_currency = Currency::parse(code).ok();
            let text = exponent_currency.map_or(pick(t).to_string(), |c| format_amount(pick(t), c));
            (code.clone(), text)
        })
        .collect()
}

fn row(key: Option<String>, label: String, figures: &Figures) -> RowView {
    RowView {
        key,
        label,
        transactions: figures.transactions,
        invocations: figures.invocations,
        rate_per_thousand: figures.rate_per_thousand(),
        credits: money(figures, |t| t.credit_minor),
        invoiced: money(figures, |t| t.invoiced_minor),
        average_share_paid: figures.average_share_paid(),
    }
}

fn minutes(seconds: Option<i64>) -> Option<f64> {
    seconds.map(|s| (s as f64 / 60.0 * 10.0).round() / 10.0)
}

/// Names (and public keys) of what the rows are about.
async fn labels(
    store: &dyn Store,
    by: Dimension,
    ids: impl Iterator<Item = i64>,
) -> StoreResult<HashMap<i64, (String, String)>> {
    let all = ListParams {
        limit: 500,
        ..ListParams::default()
    };
    let mut names = HashMap::new();
    match by {
        Dimension::Team => {
            for team in store.list_teams(&all, &TeamFilter::default()).await?.items {
                names.insert(team.id.0, (team.key.to_string(), team.name.to_string()));
            }
        }
        Dimension::Touchpoint => {
            for touchpoint in store.list_touchpoints(&all).await?.items {
                let key = touchpoint.key.to_string();
                names.insert(touchpoint.id.0, (key, touchpoint.name.to_string()));
            }
        }
        Dimension::Staff => {
            for id in ids {
                if let Ok(user) = store.user(UserId(id)).await {
                    let key = user.external_id.clone().unwrap_or_else(|| id.to_string());
                    names.insert(id, (key, user.name.to_string()));
                }
            }
        }
        Dimension::Month => {}
    }
    Ok(names)
}

pub async fn build(
    store: &dyn Store,
    from: Timestamp,
    to: Timestamp,
    by: Dimension,
    visible_teams: Option<&[TeamId]>,
    zone: &TimeZone,
) -> StoreResult<ReportView> {
    let data = store
        .guarantee_report_data(from, to, by, visible_teams, zone)
        .await?;
    let report = summarize(&data.entries, &data.transactions, by, zone);
    let ids: Vec<i64> = report
        .rows
        .keys()
        .flatten()
        .filter_map(|k| k.parse().ok())
        .collect();
    let names = labels(store, by, ids.into_iter()).await?;
    let none_label = match by {
        Dimension::Team => "No team",
        Dimension::Staff => "No staff member",
        _ => "Unknown",
    };
    let mut rows: Vec<RowView> = report
        .rows
        .iter()
        .map(|(key, figures)| {
            let (public_key, label) = match key {
                None => (None, none_label.to_owned()),
                Some(k) if by == Dimension::Month => (Some(k.clone()), k.clone()),
                Some(k) => match k.parse::<i64>().ok().and_then(|id| names.get(&id)) {
                    Some((public, name)) => (Some(public.clone()), name.clone()),
                    None => (Some(k.clone()), format!("#{k}")),
                },
            };
            row(public_key, label, figures)
        })
        .collect();
    if by != Dimension::Month {
        rows.sort_by(|a, b| {
            b.rate_per_thousand
                .unwrap_or(0.0)
                .total_cmp(&a.rate_per_thousand.unwrap_or(0.0))
                .then(b.invocations.cmp(&a.invocations))
        });
    }
    let mut repeat_invokers = Vec::new();
    for invoker in report.repeat_invokers.iter().take(50) {
        let customer = store.customer(CustomerId(invoker.customer)).await?;
        repeat_invokers.push(RepeatInvokerView {
            customer: customer.external_id.to_string(),
            name: customer.name.map(|n| n.to_string()),
            invocations: invoker.invocations,
            last_invoked_at: invoker.last_invoked_at,
        });
    }
    let PresidentResponse {
        acted,
        waiting,
        median_seconds,
        slowest_seconds,
    } = report.president;
    Ok(ReportView {
        by: by.as_str().to_owned(),
        from,
        to,
        total: row(None, "All".to_owned(), &report.total),
        rows,
        repeat_invokers,
        president: PresidentView {
            acted,
            waiting,
            median_minutes: minutes(median_seconds),
            slowest_minutes: minutes(slowest_seconds),
        },
    })
}
