//! `/settings/guarantee` (administrators): the guarantee in the organization's words, shown on
//! every survey page and in every survey e-mail, and the words of its link. Checked by
//! `GuaranteePolicy::parse`, as `PUT /api/v1/guarantee-policy` is.

use crate::guarantee::{load_policy, save_policy};
use crate::state::AppState;
use crate::web::{Chrome, PageResult, Staff, actor, render, see_other};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use domain::Role;
use domain::guarantee::GuaranteePolicy;
use domain::guarantee::policy::{DEFAULT_TEXT, MAX_LINK_LABEL_CHARS, MAX_TEXT_CHARS};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "guarantees/policy.html")]
struct PolicyPage {
    chrome: Chrome,
    text: String,
    link_label: String,
    notice: Option<&'static str>,
    error: Option<String>,
    default_text: &'static str,
    max_text: usize,
    max_label: usize,
}

fn view(staff: &Staff, text: String, link_label: String) -> PolicyPage {
    PolicyPage {
        chrome: Chrome::for_staff(staff, "/settings", &staff.time_zone),
        text,
        link_label,
        notice: None,
        error: None,
        default_text: DEFAULT_TEXT,
        max_text: MAX_TEXT_CHARS,
        max_label: MAX_LINK_LABEL_CHARS,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    let policy = load_policy(state.store.as_ref()).await?;
    let mut page = view(&staff, policy.text, policy.link_label);
    page.notice = query
        .saved
        .is_some()
        .then_some("The guarantee was saved; survey pages and e-mails show it from now on.");
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PolicyForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    link_label: String,
}

pub(super) async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<PolicyForm>,
) -> PageResult {
    staff.require(Role::can_administer)?;
    match GuaranteePolicy::parse(&form.text, &form.link_label) {
        Ok(policy) => {
            save_policy(state.store.as_ref(), &actor(&staff), &policy).await?;
            Ok(see_other("/settings/guarantee?saved=1"))
        }
        Err(error) => {
            let mut page = view(&staff, form.text, form.link_label);
            let what = if error.field == "text" {
                "The guarantee"
            } else {
                "The link"
            };
            page.error = Some(format!("{what} {}.", error.message));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}
