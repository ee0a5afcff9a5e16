//! The improvement backlog: every driver of the organization's overall satisfaction and every
//! open systemic problem, with the revenue raising it (or fixing it) would keep a year and its
//! return on satisfaction, ranked. Every input and step of each formula goes with it.

use super::drivers::{DriverQuery, DriverReport, DriverView, report};
use super::settings::ImprovementSettings;
use super::value::{Book, book};
use crate::dashboard::query::{Refused, Scope};
use domain::improvement::drivers::{DriverAnalysis, DriverImportance};
use domain::improvement::revenue::CustomerStanding;
use domain::improvement::ros::{
    Backlog, DriverInputs, ProblemInputs, WhatIf, driver_item, problem_item, what_if,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use store::{ListParams, ProblemFilter, Store, StoreError};

/// What a backlog row links to and is called.
#[derive(Debug, Clone, Serialize)]
pub struct ItemLabel {
    pub name: String,
    pub link: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacklogReport {
    pub currency: Option<String>,
    /// Digits after the decimal point of the currency.
    pub exponent: u32,
    pub backlog: Backlog,
    /// Per item key: its name and page.
    pub labels: BTreeMap<String, ItemLabel>,
    /// Per item key: the formula written out, one step a line.
    pub formulas: BTreeMap<String, Vec<String>>,
    /// The key driver analysis the driver items come from.
    pub drivers: DriverReport,
    pub learnt_churn: bool,
}

/// The problem items' keys: `problem-{id}`.
pub fn problem_key(id: i64) -> String {
    format!("problem-{id}")
}

pub async fn build(
    store: &dyn Store,
    settings: &ImprovementSettings,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<BacklogReport, Refused> {
    let view = DriverView::resolve(
        store,
        &DriverQuery::default(),
        &Scope::Everything,
        zone,
        now,
    )
    .await?;
    let (drivers, book) = tokio::try_join!(report(store, &view), book(store, settings, now))?;
    let exponent = currency_exponent(book.currency.as_deref());
    let mut items = Vec::new();
    let mut labels = BTreeMap::new();
    if let DriverAnalysis::Done(result) = &drivers.analysis {
        for driver in &result.drivers {
            let inputs = driver_inputs(driver, settings);
            items.push(driver_item(&inputs, &book.customers, &book.model));
            let name = drivers
                .labels
                .get(&driver.key)
                .cloned()
                .unwrap_or_else(|| driver.key.clone());
            labels.insert(
                driver.key.clone(),
                ItemLabel {
                    name: format!("Raise {name} to {:.1}", inputs.target_performance),
                    link: "/drivers".to_owned(),
                },
            );
        }
    }
    for (item, label) in problem_items(store, &book, now).await? {
        labels.insert(item.key.clone(), label);
        items.push(problem_item(&item, &book.model));
    }
    let backlog = Backlog::rank(items);
    let formulas = backlog
        .items
        .iter()
        .map(|item| (item.key.clone(), item.formula.lines(exponent)))
        .collect();
    Ok(BacklogReport {
        currency: book.currency.clone(),
        exponent,
        backlog,
        labels,
        formulas,
        drivers,
        learnt_churn: book.learnt,
    })
}

pub fn driver_inputs(driver: &DriverImportance, settings: &ImprovementSettings) -> DriverInputs {
    DriverInputs {
        key: driver.key.clone(),
        importance: driver.share,
        slope: driver.slope,
        mean_performance: driver.mean,
        target_performance: settings.target_of(&driver.key),
        effort_minor: settings.driver_efforts.get(&driver.key).copied(),
        outcome_scale_max: domain::improvement::ros::DEFAULT_OUTCOME_SCALE_MAX,
    }
}

/// Every open problem as a backlog input: its affected customers, brought up to the mean
/// satisfaction of the customers it did not affect.
async fn problem_items(
    store: &dyn Store,
    book: &Book,
    now: Timestamp,
) -> Result<Vec<(ProblemInputs, ItemLabel)>, StoreError> {
    let params = ListParams {
        limit: 200,
        ..ListParams::default()
    };
    let filter = ProblemFilter {
        open_only: true,
        ..ProblemFilter::default()
    };
    let problems = store.list_problems(&params, &filter, now).await?;
    let mut items = Vec::new();
    for problem in problems.items {
        let affected: HashSet<i64> = store
            .problem_affected_customers(problem.id, now)
            .await?
            .into_iter()
            .map(|c| c.0)
            .collect();
        let (mine, others): (Vec<&CustomerStanding>, Vec<&CustomerStanding>) = book
            .customers
            .iter()
            .partition(|c| affected.contains(&c.customer));
        let known: Vec<f64> = others
            .iter()
            .filter_map(|c| c.known_satisfaction())
            .collect();
        let reference = if known.is_empty() {
            f64::NAN
        } else {
            known.iter().sum::<f64>() / known.len() as f64
        };
        let inputs = ProblemInputs {
            key: problem_key(problem.id),
            affected: mine.into_iter().cloned().collect(),
            reference_satisfaction: reference,
            effort_minor: problem.effort_minor,
        };
        let label = ItemLabel {
            name: problem.title.clone(),
            link: format!("/problems/{}", problem.id),
        };
        items.push((inputs, label));
    }
    Ok(items)
}

/// What moving one driver's mean rating to `new_mean` would do, under the same model.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIfReport {
    pub driver: String,
    pub name: String,
    pub currency: Option<String>,
    pub exponent: u32,
    pub inputs: DriverInputs,
    pub result: WhatIf,
}

pub async fn what_if_driver(
    store: &dyn Store,
    settings: &ImprovementSettings,
    zone: &TimeZone,
    now: Timestamp,
    driver: &str,
    new_mean: f64,
) -> Result<Option<WhatIfReport>, Refused> {
    let view = DriverView::resolve(
        store,
        &DriverQuery::default(),
        &Scope::Everything,
        zone,
        now,
    )
    .await?;
    let (drivers, book) = tokio::try_join!(report(store, &view), book(store, settings, now))?;
    let DriverAnalysis::Done(result) = &drivers.analysis else {
        return Ok(None);
    };
    let Some(found) = result.drivers.iter().find(|d| d.key == driver) else {
        return Ok(None);
    };
    let inputs = driver_inputs(found, settings);
    let outcome = what_if(&inputs, new_mean, &book.customers, &book.model);
    Ok(Some(WhatIfReport {
        driver: driver.to_owned(),
        name: drivers
            .labels
            .get(driver)
            .cloned()
            .unwrap_or_else(|| driver.to_owned()),
        currency: book.currency.clone(),
        exponent: currency_exponent(book.currency.as_deref()),
        inputs,
        result: outcome,
    }))
}

/// Digits after the decimal point of an ISO 4217 code (2 when unknown).
pub fn currency_exponent(code: Option<&str>) -> u32 {
    code.and_then(|c| domain::Currency::parse(c).ok())
        .map_or(2, |c| c.exponent())
}
