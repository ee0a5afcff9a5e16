//! `/g/{token}`: a transaction's guarantee. GET shows what was bought, when and from whom, the
//! invoiced amount and the guarantee in the organization's words, and asks what it was worth;
//! POST honours the answer at once (there is no approval step) and confirms what the customer
//! pays and the credit. As on the survey page, the signed token is the credential.

use super::Refusal;
use super::guarantee_text::{self, GuaranteeText};
use super::i18n::{self, Text};
use crate::guarantee::{self, Refused};
use crate::links::Links;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use domain::guarantee::ClaimRequest;
use domain::guarantee::claim::format_amount;
use domain::token::Purpose;
use serde::Deserialize;
use store::{Claim, GuaranteeTarget, claim_source};

pub fn router() -> Router<AppState> {
    Router::new().route("/g/{token}", get(show).post(invoke))
}

/// The settled amounts as the page shows them.
struct Settled {
    paid: String,
    credit: String,
    invoked_on: String,
}

#[derive(Template)]
#[template(path = "public/guarantee.html")]
struct GuaranteePage<'a> {
    t: &'static Text,
    g: &'static GuaranteeText,
    organization: &'a str,
    policy_text: String,
    touchpoint: &'a str,
    reference: &'a str,
    date: String,
    served_by: Option<String>,
    invoiced: String,
    currency: &'a str,
    action: String,
    source: &'a str,
    worth: &'a str,
    reason: &'a str,
    error: Option<String>,
    claim: Option<Settled>,
    just_invoked: bool,
    has_email: bool,
}

/// A genuine guarantee link and its transaction.
struct Opened {
    token: String,
    lookup_id: String,
    target: GuaranteeTarget,
    zone: jiff::tz::TimeZone,
    t: &'static Text,
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
    let Some(lookup_id) = links.verify(Purpose::Guarantee, &token) else {
        return Err(Refusal::InvalidLink.page(browser, None));
    };
    let target = match state.store.guarantee_target(&lookup_id).await {
        Ok(target) if target.amount.is_some() => target,
        Ok(_) => return Err(Refusal::InvalidLink.page(browser, None)),
        Err(error) => return Err(Refusal::from(error).page(browser, None)),
    };
    let zone = match state.store.organization().await {
        Ok(organization) => {
            jiff::tz::TimeZone::get(&organization.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
        }
        Err(error) => return Err(Refusal::from(error).page(browser, None)),
    };
    Ok(Opened {
        t: i18n::choose(target.customer_locale.as_deref(), headers),
        token,
        lookup_id,
        target,
        zone,
    })
}

/// What the form held, to show it again with its error.
#[derive(Debug, Default, Deserialize)]
struct InvokeForm {
    #[serde(default)]
    worth: String,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    source: String,
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    from: Option<String>,
}

fn source_of(raw: Option<&str>) -> &'static str {
    match raw {
        Some(claim_source::SURVEY) => claim_source::SURVEY,
        _ => claim_source::LINK,
    }
}

impl Opened {
    fn settled(&self, claim: &Claim) -> Settled {
        let date = claim.invoked_at.to_zoned(self.zone.clone()).date();
        Settled {
            paid: claim.paid.display(),
            credit: claim.credit.display(),
            invoked_on: i18n::long_date(self.t, date),
        }
    }

    async fn page(
        &self,
        state: &AppState,
        status: StatusCode,
        form: &InvokeForm,
        error: Option<String>,
        invoked: Option<&Claim>,
    ) -> Response {
        let policy = match guarantee::load_policy(state.store.as_ref()).await {
            Ok(policy) => policy,
            Err(error) => {
                return Refusal::from(error).page(self.t, Some(&self.target.organization));
            }
        };
        let t = &self.target;
        let Some(amount) = t.amount else {
            return Refusal::InvalidLink.page(self.t, Some(&t.organization));
        };
        let shown = invoked.or(t.invocation.as_ref());
        let served_by = match (&t.staff, &t.team) {
            (Some(staff), _) => Some(staff.name.clone()),
            (None, Some(team)) => Some(team.name.clone()),
            (None, None) => None,
        };
        let page = GuaranteePage {
            t: self.t,
            g: guarantee_text::for_language(self.t),
            organization: &t.organization,
            policy_text: policy.text,
            touchpoint: &t.touchpoint.name,
            reference: &t.transaction_external_id,
            date: i18n::long_date(self.t, t.occurred_at.to_zoned(self.zone.clone()).date()),
            served_by,
            invoiced: amount.display(),
            currency: amount.currency.as_str(),
            action: format!("/g/{}", self.token),
            source: source_of(Some(form.source.as_str())),
            worth: &form.worth,
            reason: &form.reason,
            error,
            claim: shown.map(|c| self.settled(c)),
            just_invoked: invoked.is_some(),
            has_email: t.customer_email.is_some(),
        };
        crate::web::render(status, &page)
    }
}

async fn show(
    State(state): State<AppState>,
    links: Links,
    headers: HeaderMap,
    query: Result<Query<ShowQuery>, QueryRejection>,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let opened = match open(&state, &links, token, &headers).await {
        Ok(opened) => opened,
        Err(refused) => return refused,
    };
    let source = query.ok().and_then(|Query(q)| q.from);
    let form = InvokeForm {
        source: source_of(source.as_deref()).to_owned(),
        ..InvokeForm::default()
    };
    opened.page(&state, StatusCode::OK, &form, None, None).await
}

async fn invoke(
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
    if opened.target.invocation.is_some() {
        let form = InvokeForm::default();
        return opened
            .page(&state, StatusCode::CONFLICT, &form, None, None)
            .await;
    }
    let Some(form) = body
        .ok()
        .and_then(|b| serde_urlencoded::from_bytes::<InvokeForm>(&b).ok())
    else {
        return Refusal::BadForm.page(opened.t, Some(&opened.target.organization));
    };
    let request = ClaimRequest {
        worth: form.worth.clone(),
        currency: form.currency.clone().filter(|c| !c.trim().is_empty()),
        reason: form.reason.clone(),
    };
    let source = source_of(Some(form.source.as_str()));
    match guarantee::invoke(&state, &opened.lookup_id, &opened.target, &request, source).await {
        Ok(invoked) => {
            opened
                .page(&state, StatusCode::OK, &form, None, Some(&invoked.claim))
                .await
        }
        Err(Refused::Invalid(error)) => {
            let message = sentence(&error, &opened);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            opened
                .page(&state, status, &form, Some(message), None)
                .await
        }
        Err(Refused::Conflict(_)) => {
            // Invoked a moment ago (another tab, a double click): show what stands.
            match state.store.guarantee_target(&opened.lookup_id).await {
                Ok(target) => {
                    let reopened = Opened { target, ..opened };
                    let empty = InvokeForm::default();
                    reopened
                        .page(&state, StatusCode::CONFLICT, &empty, None, None)
                        .await
                }
                Err(error) => Refusal::from(error).page(opened.t, None),
            }
        }
        Err(Refused::NoAmount) => {
            Refusal::InvalidLink.page(opened.t, Some(&opened.target.organization))
        }
        Err(Refused::Store(error)) => {
            Refusal::from(error).page(opened.t, Some(&opened.target.organization))
        }
    }
}

/// The validation message as a sentence for the customer, in their language.
fn sentence(error: &domain::ValidationError, opened: &Opened) -> String {
    let Some(amount) = opened.target.amount else {
        return error.message.clone();
    };
    let g = guarantee_text::for_language(opened.t);
    if opened.t.lang != "en" {
        let range = format!("0 – {}", amount.display());
        return match error.field {
            "reason" => g.error_reason.to_owned(),
            "currency" => g
                .error_currency
                .replace("{currency}", amount.currency.as_str()),
            _ => g.error_amount.replace("{range}", &range),
        };
    }
    let what = match error.field {
        "reason" => "What went wrong",
        "currency" => "The currency",
        _ => "The amount",
    };
    let mut text = format!("{what} {}.", error.message);
    if error.field == "currency" {
        text.push_str(&format!(
            " Please enter the amount in {} (up to {}).",
            amount.currency.as_str(),
            format_amount(amount.minor, amount.currency)
        ));
    }
    text
}
