//! `/f/{token}`: the follow-up of a resolved recovery case, "did we make it right?". GET asks
//! (yes or no, and an optional comment); POST records the one answer and thanks the customer.
//! As on the survey page, the signed token in the address is the credential.

use super::Refusal;
use super::i18n::{self, EN, Text};
use crate::links::Links;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use domain::token::Purpose;
use serde::Deserialize;
use store::{FollowupEmail, StoreError};

pub fn router() -> Router<AppState> {
    Router::new().route("/f/{token}", get(show).post(answer))
}

/// The longest comment kept.
const MAX_COMMENT: usize = 2000;

/// Which page the template shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Ask,
    Thanks,
    AlreadyAnswered,
}

#[derive(Template)]
#[template(path = "public/followup.html")]
struct FollowupPage<'a> {
    t: &'static Text,
    organization: &'a str,
    name: Option<&'a str>,
    touchpoint: Option<&'a str>,
    action: String,
    step: Step,
    comment: &'a str,
    error: Option<&'static str>,
}

impl FollowupPage<'_> {
    fn asking(&self) -> bool {
        self.step == Step::Ask
    }

    fn thanking(&self) -> bool {
        self.step == Step::Thanks
    }
}

/// A genuine follow-up: its token, lookup id and what the page says.
struct Opened {
    token: String,
    lookup_id: String,
    followup: FollowupEmail,
}

async fn open(
    state: &AppState,
    links: &Links,
    token: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
) -> Result<Opened, Response> {
    let browser = i18n::choose(None, headers);
    let Ok(Path(token)) = token else {
        return Err(Refusal::InvalidLink.page(browser, None));
    };
    let Some(lookup_id) = links.verify(Purpose::Followup, &token) else {
        return Err(Refusal::InvalidLink.page(browser, None));
    };
    match state.store.followup(&lookup_id).await {
        Ok((_, followup)) => Ok(Opened {
            token,
            lookup_id,
            followup,
        }),
        Err(error) => Err(Refusal::from(error).page(browser, None)),
    }
}

impl Opened {
    fn page(
        &self,
        status: StatusCode,
        step: Step,
        comment: &str,
        error: Option<&'static str>,
    ) -> Response {
        let f = &self.followup;
        let page = FollowupPage {
            t: &EN,
            organization: &f.organization,
            name: f.customer_name.as_deref(),
            touchpoint: f.touchpoint.as_deref(),
            action: format!("/f/{}", self.token),
            step,
            comment,
            error,
        };
        crate::web::render(status, &page)
    }
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    match open(&state, &links, token, &headers).await {
        Ok(opened) if opened.followup.answered => {
            opened.page(StatusCode::OK, Step::AlreadyAnswered, "", None)
        }
        Ok(opened) => opened.page(StatusCode::OK, Step::Ask, "", None),
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
struct AnswerForm {
    #[serde(default)]
    recovered: String,
    #[serde(default)]
    comment: String,
}

async fn answer(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let opened = match open(&state, &links, token, &headers).await {
        Ok(opened) => opened,
        Err(refused) => return refused,
    };
    let organization = opened.followup.organization.clone();
    let refuse = |refusal: Refusal| refusal.page(&EN, Some(&organization));
    if opened.followup.answered {
        return opened.page(StatusCode::CONFLICT, Step::AlreadyAnswered, "", None);
    }
    let Some(form) = body
        .ok()
        .and_then(|b| serde_urlencoded::from_bytes::<AnswerForm>(&b).ok())
    else {
        return refuse(Refusal::BadForm);
    };
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let recovered = match form.recovered.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let message = "Please choose Yes or No.";
            return opened.page(invalid, Step::Ask, &form.comment, Some(message));
        }
    };
    let comment = form.comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        let message = "Please keep the comment under 2,000 characters.";
        return opened.page(invalid, Step::Ask, &form.comment, Some(message));
    }
    let comment = Some(comment.to_owned()).filter(|c| !c.is_empty());
    let now = state.clock.now();
    match state
        .store
        .record_followup(&opened.lookup_id, recovered, comment, now)
        .await
    {
        Ok(_) => {
            state.wake.deliveries.notify_one();
            state.wake.emails.notify_one();
            opened.page(StatusCode::OK, Step::Thanks, "", None)
        }
        Err(StoreError::Conflict(_)) => {
            opened.page(StatusCode::CONFLICT, Step::AlreadyAnswered, "", None)
        }
        Err(error) => refuse(error.into()),
    }
}
