//! What dissatisfaction costs: each active customer's revenue at risk (annual value × the
//! churn probability of their satisfaction), with the churn model learnt from the
//! organization's own lost and retained customers, summed per team, segment, touchpoint,
//! driver and problem. Amounts are in the currency most customers' values are in; values in
//! other currencies are left out and counted, never converted.

use super::settings::ImprovementSettings;
use domain::improvement::churn::{ChurnModel, EstimatedChurn};
use domain::improvement::revenue::{
    AtRiskTotals, CustomerStanding, RevenueAtRisk, at_risk, sum_minor,
};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use store::{CustomerStandingRow, CustomerTouchpointCsat, Store, StoreError};

/// Satisfaction is each customer's mean CSAT over this many days.
pub const SATISFACTION_DAYS: i64 = 365;

/// The customers as revenue at risk sees them, with the churn model that prices them.
#[derive(Debug, Clone)]
pub struct Book {
    pub currency: Option<String>,
    /// Active customers valued in `currency`.
    pub customers: Vec<CustomerStanding>,
    /// Active customers left out because their value is in another currency.
    pub other_currency: i64,
    /// Active customers with no annual value recorded (counted as worth nothing).
    pub without_value: i64,
    pub churn: EstimatedChurn,
    /// The model in force: learnt from history, or the configured defaults.
    pub model: ChurnModel,
    pub learnt: bool,
    pub names: HashMap<i64, String>,
}

/// Reads every customer and prices them under the organization's settings.
pub async fn book(
    store: &dyn Store,
    settings: &ImprovementSettings,
    now: Timestamp,
) -> Result<Book, StoreError> {
    let since = now
        .checked_sub(SignedDuration::from_hours(24 * SATISFACTION_DAYS))
        .unwrap_or(now);
    let rows = store.customer_standings(since).await?;
    Ok(price(&rows, settings))
}

/// The pure part of [`book`].
pub fn price(rows: &[CustomerStandingRow], settings: &ImprovementSettings) -> Book {
    let defaults = settings.churn_model();
    let history: Vec<(u8, bool)> = rows
        .iter()
        .filter_map(|row| {
            let band = row.mean_csat()?.round().clamp(1.0, 5.0) as u8;
            Some((band, row.status == "lost"))
        })
        .collect();
    let churn = ChurnModel::estimate(&defaults, &history, settings.prior_weight);
    let (model, learnt) = if settings.learn_from_history {
        (churn.model, true)
    } else {
        (defaults, false)
    };
    let mut currencies: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.status != "lost") {
        if let (Some(_), Some(currency)) = (row.annual_value_minor, row.currency.as_deref()) {
            *currencies.entry(currency).or_default() += 1;
        }
    }
    let currency = currencies
        .iter()
        .max_by_key(|(code, count)| (**count, std::cmp::Reverse(**code)))
        .map(|(code, _)| (*code).to_owned());
    let mut book = Book {
        currency: currency.clone(),
        customers: Vec::new(),
        other_currency: 0,
        without_value: 0,
        churn,
        model,
        learnt,
        names: HashMap::new(),
    };
    for row in rows.iter().filter(|r| r.status != "lost") {
        let value = match (row.annual_value_minor, &row.currency) {
            (Some(value), Some(code)) if Some(code) == currency.as_ref() => value,
            (Some(_), Some(_)) => {
                book.other_currency += 1;
                continue;
            }
            _ => {
                book.without_value += 1;
                0
            }
        };
        book.names.insert(
            row.customer,
            row.name.clone().unwrap_or_else(|| row.external_id.clone()),
        );
        book.customers.push(CustomerStanding {
            customer: row.customer,
            annual_value_minor: value,
            satisfaction: row.mean_csat(),
            team: row.team,
            segment: row.segment.clone(),
        });
    }
    book
}

/// One group's figures with its name.
#[derive(Debug, Clone, Serialize)]
pub struct NamedGroup {
    pub key: Option<String>,
    pub name: String,
    pub totals: AtRiskTotals,
    pub share_of_total_at_risk: f64,
}

/// Revenue at risk in total and per team, segment and touchpoint; the most valuable customers
/// at risk.
#[derive(Debug, Clone, Serialize)]
pub struct AtRiskReport {
    pub currency: Option<String>,
    pub total: AtRiskTotals,
    pub by_team: Vec<NamedGroup>,
    pub by_segment: Vec<NamedGroup>,
    /// A customer's revenue at risk is shared among the touchpoints they rated in proportion
    /// to their CSAT answers there, weighting poor answers (1–3) three times.
    pub by_touchpoint: Vec<NamedGroup>,
    /// The part of the revenue at risk each driver of overall satisfaction accounts for: the
    /// total × its importance (its share of the variance in CSAT). What the ratings do not
    /// explain (1 − R²) belongs to no driver. Empty without a key driver analysis.
    pub by_driver: Vec<NamedGroup>,
    /// The revenue at risk of the customers each open problem affects (a customer can be
    /// affected by several).
    pub by_problem: Vec<NamedGroup>,
    pub top_customers: Vec<CustomerAtRisk>,
    pub churn: EstimatedChurn,
    pub learnt: bool,
    pub other_currency: i64,
    pub without_value: i64,
    pub satisfaction_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerAtRisk {
    pub customer: i64,
    pub name: String,
    pub annual_value_minor: i64,
    pub satisfaction: Option<f64>,
    pub churn_probability: f64,
    pub at_risk_minor: i64,
}

/// Names of teams and touchpoints by id, and their keys.
pub struct Names {
    pub teams: HashMap<i64, (String, String)>,
    pub touchpoints: HashMap<i64, (String, String)>,
}

fn named<K: Ord + Clone>(
    summary: RevenueAtRisk<K>,
    name: impl Fn(&K) -> (String, String),
    none: &str,
) -> Vec<NamedGroup> {
    summary
        .groups
        .into_iter()
        .map(|group| {
            let (key, name) = match &group.group {
                Some(k) => {
                    let (key, name) = name(k);
                    (Some(key), name)
                }
                None => (None, none.to_owned()),
            };
            NamedGroup {
                key,
                name,
                totals: group.totals,
                share_of_total_at_risk: group.share_of_total_at_risk,
            }
        })
        .collect()
}

pub fn report(
    book: &Book,
    names: &Names,
    touchpoint_answers: &[CustomerTouchpointCsat],
) -> AtRiskReport {
    let model = &book.model;
    let all = RevenueAtRisk::summarize(&book.customers, model, |_| None::<()>);
    let lookup = |map: &HashMap<i64, (String, String)>, id: &i64| {
        map.get(id)
            .cloned()
            .unwrap_or_else(|| (id.to_string(), format!("#{id}")))
    };
    let by_team = named(
        RevenueAtRisk::summarize(&book.customers, model, |c| c.team),
        |id| lookup(&names.teams, id),
        "No client team",
    );
    let by_segment = named(
        RevenueAtRisk::summarize(&book.customers, model, |c| c.segment.clone()),
        |s| (s.clone(), s.clone()),
        "No segment",
    );
    let by_touchpoint = touchpoints(book, names, touchpoint_answers);
    let mut top: Vec<CustomerAtRisk> = book
        .customers
        .iter()
        .map(|c| CustomerAtRisk {
            customer: c.customer,
            name: book.names.get(&c.customer).cloned().unwrap_or_default(),
            annual_value_minor: c.annual_value_minor,
            satisfaction: c.satisfaction,
            churn_probability: domain::improvement::revenue::churn_probability(c, model),
            at_risk_minor: at_risk(c, model),
        })
        .collect();
    top.sort_by(|a, b| {
        b.at_risk_minor
            .cmp(&a.at_risk_minor)
            .then(a.customer.cmp(&b.customer))
    });
    top.truncate(20);
    AtRiskReport {
        currency: book.currency.clone(),
        total: all.total,
        by_team,
        by_segment,
        by_touchpoint,
        by_driver: Vec::new(),
        by_problem: Vec::new(),
        top_customers: top,
        churn: book.churn.clone(),
        learnt: book.learnt,
        other_currency: book.other_currency,
        without_value: book.without_value,
        satisfaction_days: SATISFACTION_DAYS,
    }
}

/// Shares each customer's revenue at risk among the touchpoints they rated (see
/// [`AtRiskReport::by_touchpoint`]); the shares of one customer add up to their amount exactly.
fn touchpoints(book: &Book, names: &Names, answers: &[CustomerTouchpointCsat]) -> Vec<NamedGroup> {
    let mut per_customer: HashMap<i64, Vec<&CustomerTouchpointCsat>> = HashMap::new();
    for answer in answers {
        per_customer
            .entry(answer.customer)
            .or_default()
            .push(answer);
    }
    let mut groups: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    let mut total_at_risk = 0i64;
    for customer in &book.customers {
        let Some(rated) = per_customer.get(&customer.customer) else {
            continue;
        };
        let amount = at_risk(customer, &book.model);
        total_at_risk += amount;
        let weights: Vec<f64> = rated
            .iter()
            .map(|a| {
                let mean = a.csat_sum as f64 / a.csat_n.max(1) as f64;
                a.csat_n as f64 * if mean <= 3.0 { 3.0 } else { 1.0 }
            })
            .collect();
        let sum: f64 = weights.iter().sum();
        let mut given = 0i64;
        for (i, (answer, weight)) in rated.iter().zip(&weights).enumerate() {
            let share = if i + 1 == rated.len() {
                amount - given
            } else if sum > 0.0 {
                (amount as f64 * weight / sum).round() as i64
            } else {
                0
            };
            given += share;
            let entry = groups.entry(answer.touchpoint).or_default();
            entry.0 += 1;
            entry.1 += customer.value_minor();
            entry.2 += share;
        }
    }
    let mut named: Vec<NamedGroup> = groups
        .into_iter()
        .map(|(touchpoint, (customers, value, amount))| {
            let (key, name) = names
                .touchpoints
                .get(&touchpoint)
                .cloned()
                .unwrap_or_else(|| (touchpoint.to_string(), format!("#{touchpoint}")));
            NamedGroup {
                key: Some(key),
                name,
                totals: AtRiskTotals {
                    customers,
                    customers_unknown_satisfaction: 0,
                    annual_value_minor: value,
                    at_risk_minor: amount,
                    share_of_value_at_risk: if value > 0 {
                        amount as f64 / value as f64
                    } else {
                        0.0
                    },
                },
                share_of_total_at_risk: if total_at_risk > 0 {
                    amount as f64 / total_at_risk as f64
                } else {
                    0.0
                },
            }
        })
        .collect();
    named.sort_by_key(|group| std::cmp::Reverse(group.totals.at_risk_minor));
    named
}

/// The revenue at risk of some customers (a problem's affected ones), by id.
pub fn at_risk_of(book: &Book, customers: &[i64]) -> i64 {
    let wanted: std::collections::HashSet<i64> = customers.iter().copied().collect();
    sum_minor(
        book.customers
            .iter()
            .filter(|c| wanted.contains(&c.customer))
            .map(|c| at_risk(c, &book.model)),
    )
}

/// Team and touchpoint names and keys, by id.
pub async fn names(store: &dyn Store) -> Result<Names, StoreError> {
    let everything = store::ListParams {
        limit: 1_000,
        ..store::ListParams::default()
    };
    let teams = store
        .list_teams(&everything, &store::TeamFilter::default())
        .await?;
    let touchpoints = store.list_touchpoints(&everything).await?;
    Ok(Names {
        teams: teams
            .items
            .iter()
            .map(|t| (t.id.0, (t.key.to_string(), t.name.to_string())))
            .collect(),
        touchpoints: touchpoints
            .items
            .iter()
            .map(|t| (t.id.0, (t.key.to_string(), t.name.to_string())))
            .collect(),
    })
}

/// Fills [`AtRiskReport::by_driver`] (from the organization's key driver analysis of CSAT over
/// the last twelve months) and [`AtRiskReport::by_problem`] (every open problem).
pub async fn attribute(
    report: &mut AtRiskReport,
    store: &dyn Store,
    book: &Book,
    zone: &jiff::tz::TimeZone,
    now: Timestamp,
) -> Result<(), StoreError> {
    use super::drivers::{DriverQuery, DriverView};
    use crate::dashboard::query::{Refused, Scope};
    use domain::improvement::drivers::DriverAnalysis;
    let view = DriverView::resolve(
        store,
        &DriverQuery::default(),
        &Scope::Everything,
        zone,
        now,
    )
    .await
    .map_err(|refused| match refused {
        Refused::Store(error) => error,
        // The default query of the whole organization is always valid and allowed.
        Refused::Invalid(e) => StoreError::Internal(e.to_string()),
        Refused::Forbidden(message) => StoreError::Internal(message),
    })?;
    let drivers = super::drivers::report(store, &view).await?;
    let total = report.total;
    if let DriverAnalysis::Done(result) = &drivers.analysis {
        report.by_driver = result
            .drivers
            .iter()
            .map(|d| {
                let importance = d.importance.clamp(0.0, 1.0);
                let amount =
                    domain::improvement::revenue::scale_minor(total.at_risk_minor, importance);
                NamedGroup {
                    key: Some(d.key.clone()),
                    name: drivers
                        .labels
                        .get(&d.key)
                        .cloned()
                        .unwrap_or_else(|| d.key.clone()),
                    totals: AtRiskTotals {
                        at_risk_minor: amount,
                        share_of_value_at_risk: if total.annual_value_minor > 0 {
                            amount as f64 / total.annual_value_minor as f64
                        } else {
                            0.0
                        },
                        ..total
                    },
                    share_of_total_at_risk: importance,
                }
            })
            .collect();
    }
    let params = store::ListParams {
        limit: 200,
        ..store::ListParams::default()
    };
    let filter = store::ProblemFilter {
        open_only: true,
        ..store::ProblemFilter::default()
    };
    let problems = store.list_problems(&params, &filter, now).await?;
    for problem in problems.items {
        let affected: std::collections::HashSet<i64> = store
            .problem_affected_customers(problem.id, now)
            .await?
            .into_iter()
            .map(|c| c.0)
            .collect();
        let customers: Vec<&CustomerStanding> = book
            .customers
            .iter()
            .filter(|c| affected.contains(&c.customer))
            .collect();
        let summary = RevenueAtRisk::summarize(customers, &book.model, |_| None::<()>);
        report.by_problem.push(NamedGroup {
            key: Some(problem.id.to_string()),
            name: problem.title,
            share_of_total_at_risk: if total.at_risk_minor > 0 {
                summary.total.at_risk_minor as f64 / total.at_risk_minor as f64
            } else {
                0.0
            },
            totals: summary.total,
        });
    }
    report
        .by_problem
        .sort_by_key(|group| std::cmp::Reverse(group.totals.at_risk_minor));
    Ok(())
}
