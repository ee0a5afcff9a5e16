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

impl OverviewPage {
    /// A count with thousands grouped, e.g. `75,000`.
    fn grouped(&self, n: &i64) -> String {
        let n = *n;
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(digit);
        }
        if n < 0 { format!("-{out}") } else { out }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let page = OverviewPage {
            chrome: Chrome::anonymous(),
            organization: String::new(),
            president: None,
            counts: Counts::default(),
            is_admin: false,
        };
        assert_eq!(page.grouped(&0), "0");
        assert_eq!(page.grouped(&999), "999");
        assert_eq!(page.grouped(&75_000), "75,000");
        assert_eq!(page.grouped(&1_234_567), "1,234,567");
        assert_eq!(page.grouped(&-1000), "-1,000");
    }
}
