//! The overview page staff land on after logging in.

use super::{Chrome, PageResult, Staff, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use domain::time::display_in;
use jiff::SignedDuration;
use store::{ClaimFilter, Counts, ListParams};

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
    /// For the president and administrators: the guarantee over the last 30 days.
    guarantee: Option<GuaranteeGlance>,
}

/// The guarantee at a glance.
struct GuaranteeGlance {
    invocations: i64,
    per_thousand: String,
    credits: String,
    latest: Vec<Invocation>,
}

struct Invocation {
    id: i64,
    when: String,
    customer: String,
    paid: String,
    credit: String,
}

async fn guarantee_glance(
    state: &AppState,
    staff: &Staff,
) -> Result<GuaranteeGlance, store::StoreError> {
    let zone = staff.zone();
    let now = state.clock.now();
    let from = now - SignedDuration::from_hours(24 * 30);
    let report = crate::guarantee::report::build(
        state.store.as_ref(),
        from,
        now,
        domain::guarantee::report::Dimension::Team,
        None,
        &zone,
    )
    .await?;
    let mut credits: Vec<String> = report
        .total
        .credits
        .iter()
        .map(|(currency, amount)| format!("{amount} {currency}"))
        .collect();
    credits.sort();
    let latest = state
        .store
        .list_guarantee_claims(
            &ListParams {
                limit: 5,
                newest_first: true,
                ..ListParams::default()
            },
            &ClaimFilter {
                current_only: true,
                ..ClaimFilter::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|c| Invocation {
            id: c.id,
            when: display_in(c.invoked_at, &zone),
            customer: c
                .customer
                .name
                .clone()
                .unwrap_or(c.customer.external_id.clone()),
            paid: c.paid.display(),
            credit: c.credit.display(),
        })
        .collect();
    Ok(GuaranteeGlance {
        invocations: report.total.invocations,
        per_thousand: report
            .total
            .rate_per_thousand
            .map_or("—".into(), |r| format!("{r:.1}")),
        credits: if credits.is_empty() {
            "nothing".into()
        } else {
            credits.join(", ")
        },
        latest,
    })
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
        guarantee: match staff.user.role.can_oversee() {
            true => Some(guarantee_glance(&state, &staff).await?),
            false => None,
        },
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
            guarantee: None,
        };
        assert_eq!(page.grouped(&0), "0");
        assert_eq!(page.grouped(&999), "999");
        assert_eq!(page.grouped(&75_000), "75,000");
        assert_eq!(page.grouped(&1_234_567), "1,234,567");
        assert_eq!(page.grouped(&-1000), "-1,000");
    }
}
