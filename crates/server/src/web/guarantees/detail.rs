//! `/guarantees/{id}`: one invocation — what the customer pays and the credit, why, its case,
//! every ledger entry (the invocation and its corrections) and the customer's history: their
//! other invocations, recent reviews and cases. The president and administrators may record a
//! correction, which is a new entry: the ledger is never edited.

use super::{Row, visible_teams};
use crate::state::AppState;
use crate::web::{Chrome, PageError, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use domain::time::display_in;
use serde::Deserialize;
use store::{
    Case, CaseFilter, Claim, ClaimFilter, ListParams, Response, ResponseFilter, StoreError,
};

/// A review of the customer's as a row.
pub(super) struct ReviewRow {
    pub r: Response,
    pub when: String,
}

#[derive(Template)]
#[template(path = "guarantees/detail.html")]
struct DetailPage {
    chrome: Chrome,
    claim: Row,
    entries: Vec<Row>,
    others: Vec<Row>,
    cases: Vec<Case>,
    reviews: Vec<ReviewRow>,
    can_correct: bool,
    error: Option<String>,
    paid: String,
    reason: String,
}

fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)
}

/// The entry, if `staff` may see it.
async fn visible_claim(state: &AppState, staff: &Staff, id: i64) -> Result<Claim, PageError> {
    let visible = visible_teams(staff)?;
    let claim = state.store.guarantee_claim(id).await?;
    match (&visible, &claim.team) {
        (None, _) => Ok(claim),
        (Some(teams), Some(team)) if teams.contains(&team.id) => Ok(claim),
        _ => Err(PageError::Forbidden),
    }
}

struct Draft {
    error: Option<String>,
    paid: String,
    reason: String,
}

async fn show(state: &AppState, staff: &Staff, claim: Claim, draft: Draft) -> PageResult {
    let zone = staff.zone();
    let all = ListParams {
        limit: 500,
        newest_first: true,
        ..ListParams::default()
    };
    let of_customer = ClaimFilter {
        customer: Some(claim.customer.id),
        ..ClaimFilter::default()
    };
    let history = state
        .store
        .list_guarantee_claims(&all, &of_customer)
        .await?
        .items;
    let (entries, others): (Vec<Claim>, Vec<Claim>) = history
        .into_iter()
        .partition(|c| c.invocation_id == claim.invocation_id);
    let others = others
        .into_iter()
        .filter(|c| c.superseded_by.is_none())
        .map(|c| Row::new(c, &zone))
        .collect();
    let recent = ListParams {
        limit: 10,
        newest_first: true,
        ..ListParams::default()
    };
    let cases = state
        .store
        .list_cases(
            &recent,
            &CaseFilter {
                customer: Some(claim.customer.id),
                ..CaseFilter::default()
            },
        )
        .await?
        .items;
    let reviews = state
        .store
        .list_responses(
            &recent,
            &ResponseFilter {
                customer: Some(claim.customer.id),
                ..ResponseFilter::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|r| ReviewRow {
            when: display_in(r.responded_at, &zone),
            r,
        })
        .collect();
    let status = if draft.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DetailPage {
        chrome: Chrome::for_staff(staff, "/guarantees", &staff.time_zone),
        can_correct: staff.user.role.can_oversee() && claim.superseded_by.is_none(),
        entries: entries
            .into_iter()
            .rev()
            .map(|c| Row::new(c, &zone))
            .collect(),
        claim: Row::new(claim, &zone),
        others,
        cases,
        reviews,
        error: draft.error,
        paid: draft.paid,
        reason: draft.reason,
    };
    Ok(render(status, &page))
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let claim = visible_claim(&state, &staff, parse_id(&id)?).await?;
    // An older entry's page shows the invocation as it stands now.
    if let Some(newer) = claim.superseded_by {
        return Ok(see_other(&format!("/guarantees/{newer}")));
    }
    let draft = Draft {
        error: None,
        paid: claim
            .paid
            .display()
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_owned(),
        reason: String::new(),
    };
    show(&state, &staff, claim, draft).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CorrectionForm {
    #[serde(default)]
    paid: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn correct(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<CorrectionForm>,
) -> PageResult {
    staff.require(domain::Role::can_oversee)?;
    let claim = visible_claim(&state, &staff, parse_id(&id)?).await?;
    let refuse = |message: String| Draft {
        error: Some(message),
        paid: form.paid.clone(),
        reason: form.reason.clone(),
    };
    let settlement =
        match crate::api::guarantees::correction(&claim, &form.paid, None, &form.reason) {
            Ok(settlement) => settlement,
            Err(error) => {
                let what = if error.field == "reason" {
                    "Reason"
                } else {
                    "Amount paid"
                };
                let draft = refuse(format!("{what}: {}.", error.message));
                return show(&state, &staff, claim, draft).await;
            }
        };
    match state
        .store
        .correct_guarantee(&actor(&staff), claim.id, settlement, state.clock.now())
        .await
    {
        Ok(entry) => {
            state.wake.deliveries.notify_one();
            Ok(see_other(&format!("/guarantees/{}", entry.id)))
        }
        Err(StoreError::Conflict(message)) => {
            let draft = refuse(format!("{message}."));
            show(&state, &staff, claim, draft).await
        }
        Err(other) => Err(other.into()),
    }
}
