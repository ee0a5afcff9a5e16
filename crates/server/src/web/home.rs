//! The overview page staff land on after logging in.

use super::{Chrome, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use store::Counts;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(overview))
}

#[derive(Template)]
#[template(path = "home.html")]
struct OverviewPage {
    chrome: Chrome,
    organization: String,
    president: Option<String>,
    counts: Counts,
    is_admin: bool,
}

async fn overview(State(state): State<AppState>, staff: Staff) -> PageResult {
    let organization = state.store.organization().await?;
    let page = OverviewPage {
        chrome: Chrome::for_staff(&staff, "/", &staff.time_zone),
        organization: organization.name,
        president: organization.president.map(|p| p.name),
        counts: state.store.counts().await?,
        is_admin: staff.user.role.can_administer(),
    };
    Ok(render(StatusCode::OK, &page))
}
