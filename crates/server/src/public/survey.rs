//! `/s/{token}`: the customer's survey. GET shows it (prefilled from the saved draft), POST
//! saves a draft (`action=save`, also sent by the auto-save script) or submits the answers.

use super::form::{self, Action, QuestionView, Values};
use super::i18n::{self, Text};
use super::{Refusal, message_page};
use crate::knowledge::ingest::prepare;
use crate::links::Links;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::token::Purpose;
use std::collections::HashMap;
use store::{InvitationView, ResponseContext, invitation_state};

pub fn router() -> Router<AppState> {
    Router::new().route("/s/{token}", get(show).post(answer))
}

/// The header the auto-save script sends; such saves are answered with a bare status.
const FETCH_HEADER: &str = "x-requested-with";

#[derive(Template)]
#[template(path = "public/survey.html")]
struct SurveyPage<'a> {
    t: &'static Text,
    organization: &'a str,
    title: &'a str,
    touchpoint: &'a str,
    date: String,
    staff: Option<&'a str>,
    action: String,
    questions: Vec<QuestionView>,
    saved: bool,
    has_errors: bool,
    unsubscribe: Option<String>,
    guarantee_text: String,
    guarantee_label: String,
    /// The transaction's guarantee page, when it has an invoiced amount.
    guarantee_url: Option<String>,
}

/// A genuine invitation and the language to speak to its customer in.
struct Opened {
    token: String,
    lookup_id: String,
    view: InvitationView,
    t: &'static Text,
}

/// Verifies the token and loads its invitation; anything else is the clear "invalid link" page.
async fn open(
    state: &AppState,
    links: &Links,
    token: Result<Path<String>, PathRejection>,
    headers: &HeaderMap,
) -> Result<Opened, Response> {
    let browser = || i18n::choose(None, headers);
    let Ok(Path(token)) = token else {
        return Err(Refusal::InvalidLink.page(browser(), None));
    };
    let Some(lookup_id) = links.verify(Purpose::Survey, &token) else {
        return Err(Refusal::InvalidLink.page(browser(), None));
    };
    match state.store.invitation_view(&lookup_id).await {
        Ok(view) => Ok(Opened {
            t: i18n::choose(view.customer_locale.as_deref(), headers),
            token,
            lookup_id,
            view,
        }),
        Err(error) => Err(Refusal::from(error).page(browser(), None)),
    }
}

impl Opened {
    fn refuse(&self, refusal: Refusal) -> Response {
        refusal.page(self.t, Some(&self.view.organization))
    }

    /// The page for an invitation that can no longer be answered, if it is one.
    fn closed(&self, on_post: bool) -> Option<Response> {
        match self.view.state.as_str() {
            invitation_state::ANSWERED if on_post => Some(self.refuse(Refusal::AlreadyAnswered)),
            invitation_state::ANSWERED => Some(message_page(
                StatusCode::OK,
                self.t,
                Some(&self.view.organization),
                self.t.thanks_title,
                self.t.thanks_message,
                None,
            )),
            invitation_state::EXPIRED => Some(self.refuse(Refusal::Expired)),
            _ => None,
        }
    }

    /// The survey form with `values` filled in and `errors` shown next to their questions.
    async fn form(
        &self,
        state: &AppState,
        links: &Links,
        status: StatusCode,
        values: &Values,
        errors: &HashMap<String, &'static str>,
        saved: bool,
    ) -> Response {
        let organization = match state.store.organization().await {
            Ok(organization) => organization,
            Err(error) => return self.refuse(error.into()),
        };
        let zone =
            jiff::tz::TimeZone::get(&organization.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let view = &self.view;
        let policy = match crate::guarantee::load_policy(state.store.as_ref()).await {
            Ok(policy) => policy,
            Err(error) => return self.refuse(error.into()),
        };
        let guarantee_url = match state.store.guarantee_lookup_id(view.transaction_id).await {
            Ok(lookup) => lookup
                .and_then(|id| links.guarantee(&id))
                .map(|url| format!("{url}?from=survey")),
            Err(error) => return self.refuse(error.into()),
        };
        let page = SurveyPage {
            guarantee_text: policy.text,
            guarantee_label: policy.link_label,
            guarantee_url,
            t: self.t,
            organization: &view.organization,
            title: &view.survey.survey_name,
            touchpoint: &view.touchpoint.name,
            date: i18n::long_date(self.t, view.occurred_at.to_zoned(zone).date()),
            staff: view.staff.as_ref().map(|s| s.name.as_str()),
            action: format!("/s/{}", self.token),
            questions: form::views(&view.survey.questions, values, errors, self.t),
            saved,
            has_errors: !errors.is_empty(),
            unsubscribe: links.unsubscribe(&self.lookup_id),
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
    let opened = match open(&state, &links, token, &headers).await {
        Ok(opened) => opened,
        Err(page) => return page,
    };
    if let Some(page) = opened.closed(false) {
        return page;
    }
    let values = Values::from_draft(&opened.view.draft);
    opened
        .form(
            &state,
            &links,
            StatusCode::OK,
            &values,
            &HashMap::new(),
            false,
        )
        .await
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
        Err(page) => return page,
    };
    if let Some(page) = opened.closed(true) {
        return page;
    }
    let questions = &opened.view.survey.questions;
    let Some((values, action)) = body
        .ok()
        .and_then(|body| Values::from_form(questions, &body))
    else {
        return opened.refuse(Refusal::BadForm);
    };
    let by_script = headers
        .get(FETCH_HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"fetch"));
    match action {
        Action::Save => save(&state, &links, &opened, &values, by_script).await,
        Action::Submit => submit(&state, &links, &opened, &values).await,
    }
}

/// Keeps whatever answers are valid so far; a script's save gets 204 (or 422) and no page.
async fn save(
    state: &AppState,
    links: &Links,
    opened: &Opened,
    values: &Values,
    by_script: bool,
) -> Response {
    let checked = form::check(&opened.view.survey.questions, values, false, opened.t);
    if let Err(error) = state
        .store
        .save_draft(opened.view.id, &checked.answers)
        .await
    {
        return opened.refuse(error.into());
    }
    let status = if checked.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if by_script {
        let status = if status == StatusCode::OK {
            StatusCode::NO_CONTENT
        } else {
            status
        };
        return status.into_response();
    }
    let saved = checked.errors.is_empty();
    opened
        .form(state, links, status, values, &checked.errors, saved)
        .await
}

/// Stores the response when every answer is valid; otherwise shows the form again with the
/// customer's answers and the messages, storing nothing.
async fn submit(state: &AppState, links: &Links, opened: &Opened, values: &Values) -> Response {
    let view = &opened.view;
    let checked = form::check(&view.survey.questions, values, true, opened.t);
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    if !checked.errors.is_empty() {
        return opened
            .form(state, links, invalid, values, &checked.errors, false)
            .await;
    }
    let context = ResponseContext {
        transaction: Some(view.transaction_id),
        customer: view.customer.id,
        touchpoint: view.touchpoint.id,
        team: view.team_id,
        staff: view.staff.as_ref().map(|s| s.id),
        survey: view.survey.clone(),
    };
    let prepared = prepare(
        context,
        &checked.answers,
        "survey".into(),
        state.clock.now(),
        Some(view.id),
        &state.analyzer,
    );
    let response = match prepared {
        Ok(response) => response,
        Err(error) => {
            let message = view
                .survey
                .questions
                .get(&error.key)
                .map_or(opened.t.error_required, |q| {
                    form::message(&q.kind, opened.t)
                });
            let errors = HashMap::from([(error.key, message)]);
            return opened
                .form(state, links, invalid, values, &errors, false)
                .await;
        }
    };
    let actor = store::Actor::System {
        label: "survey page".into(),
    };
    match state.store.insert_responses(&actor, vec![response]).await {
        Ok(_) => {
            state.wake.responses.notify_one();
            Redirect::to(&format!("/s/{}", opened.token)).into_response()
        }
        Err(error) => opened.refuse(error.into()),
    }
}
