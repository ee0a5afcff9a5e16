//! The guarantee in the console: `/guarantees`, every invocation newest first (the president's
//! view), each with the customer's history and the ledger of its corrections; the report; the
//! CSV export for billing; and the guarantee's wording in the settings. The president and
//! administrators see every invocation, managers those of their teams; members see none.

mod detail;
mod policy;
mod report;

use super::customers::{all_teams, team_choices};
use super::list::{Choice, ListQuery, Pager};
use super::transactions::day_start;
use super::{Chrome, PageError, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use domain::time::display_in;
use domain::{Role, TeamId};
use serde::Deserialize;
use store::{Claim, ClaimFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/guarantees", get(list))
        .route("/guarantees/export.csv", get(export))
        .route("/guarantees/report", get(report::page))
        .route("/guarantees/{id}", get(detail::page))
        .route(
            "/guarantees/{id}/corrections",
            axum::routing::post(detail::correct),
        )
        .route("/settings/guarantee", get(policy::page).post(policy::save))
}

/// Who may see guarantees: everything (`None`), their teams' (`Some`), or nothing.
pub(super) fn visible_teams(staff: &Staff) -> Result<Option<Vec<TeamId>>, PageError> {
    match staff.user.role {
        role if role.can_oversee() => Ok(None),
        Role::Manager => Ok(Some(staff.user.teams.iter().map(|t| t.id).collect())),
        _ => Err(PageError::Forbidden),
    }
}

/// A ledger entry as a row.
pub(super) struct Row {
    pub c: Claim,
    pub when: String,
}

impl Row {
    pub fn new(c: Claim, zone: &jiff::tz::TimeZone) -> Self {
        Self {
            when: display_in(c.invoked_at, zone),
            c,
        }
    }

    pub fn customer(&self) -> &str {
        self.c
            .customer
            .name
            .as_deref()
            .unwrap_or(&self.c.customer.external_id)
    }
}

#[derive(Template)]
#[template(path = "guarantees/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    search: String,
    teams: Vec<Choice>,
    from: String,
    to: String,
    notices: Vec<String>,
    pager: Pager,
    export: String,
    sees_everyone: bool,
}

#[derive(Debug, Default, Deserialize)]
struct GuaranteesQuery {
    #[serde(flatten)]
    list: ListQuery,
    team: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn value(raw: &Option<String>) -> String {
    raw.as_deref().unwrap_or_default().trim().to_owned()
}

/// The filter of a query, with a notice for each part that was ignored.
async fn filter_of(
    state: &AppState,
    staff: &Staff,
    query: &GuaranteesQuery,
    current_only: bool,
) -> Result<(ClaimFilter, Vec<String>, Vec<store::Team>), PageError> {
    let visible = visible_teams(staff)?;
    let zone = staff.zone();
    let teams = all_teams(state).await?;
    let mut notices = Vec::new();
    let mut day = |field: &str, raw: &str, next: bool| {
        day_start(field, raw, &zone, next).unwrap_or_else(|message| {
            notices.push(message);
            None
        })
    };
    let filter = ClaimFilter {
        from: day("From", &value(&query.from), false),
        to: day("To", &value(&query.to), true),
        team: teams
            .iter()
            .find(|t| t.key.as_str() == value(&query.team))
            .map(|t| t.id),
        customer: None,
        visible_teams: visible,
        current_only,
    };
    Ok((filter, notices, teams))
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<GuaranteesQuery>,
) -> PageResult {
    let (filter, notices, teams) = filter_of(&state, &staff, &query, true).await?;
    let page = state
        .store
        .list_guarantee_claims(&query.list.newest_first(), &filter)
        .await?;
    let (team, from, to) = (value(&query.team), value(&query.from), value(&query.to));
    let filters = [
        ("q", query.list.search()),
        ("team", team.clone()),
        ("from", from.clone()),
        ("to", to.clone()),
    ];
    let export = serde_urlencoded::to_string(&filters[1..]).unwrap_or_default();
    let zone = staff.zone();
    let view = ListPage {
        chrome: Chrome::for_staff(&staff, "/guarantees", &staff.time_zone),
        pager: Pager::new("/guarantees", &filters, &query.list, &page),
        rows: page.items.into_iter().map(|c| Row::new(c, &zone)).collect(),
        search: query.list.search(),
        teams: team_choices(&teams, &team),
        from,
        to,
        notices,
        export: format!("/guarantees/export.csv?{export}"),
        sees_everyone: filter.visible_teams.is_none(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// Every entry (corrections included) of the filter, oldest first, as CSV.
async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<GuaranteesQuery>,
) -> PageResult {
    let (filter, _, _) = filter_of(&state, &staff, &query, false).await?;
    let csv = crate::api::guarantees::ledger_csv(&state, &filter, &staff.zone()).await?;
    Ok(crate::guarantee::csv::attachment(csv))
}
