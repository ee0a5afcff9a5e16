//! E-mail for recovery work: each in-app notification is also e-mailed to its recipient, a
//! resolved case's customer gets the "did we make it right?" follow-up link, and a customer who
//! invoked the guarantee gets its confirmation. Jobs come from the
//! outbox; as with invitations, a job is done only once the SMTP server accepted the message,
//! and without an SMTP server the jobs wait.

use super::wakeups::pause_or_poke;
use crate::links::Links;
use crate::mail::{MailError, Mailer, OutgoingEmail};
use crate::state::AppState;
use jiff::SignedDuration;
use std::time::Duration;
use store::{FollowupEmail, GuaranteeEmail, NotificationEmail, OutboxItem, StoreError, topics};
use tokio::sync::watch;

const BATCH: i64 = 20;
const LEASE: SignedDuration = SignedDuration::from_secs(60);

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let Some(mailer) = state.mailer.clone() else {
        let _ = stop.wait_for(|stopping| *stopping).await;
        return;
    };
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    loop {
        let handled = match run_batch(&state, mailer.as_ref()).await {
            Ok(handled) => handled,
            Err(error) => {
                tracing::error!(error = %error, "staff e-mail: cannot read due jobs");
                0
            }
        };
        let more_due = handled == BATCH as usize;
        if *stop.borrow() || (!more_due && pause_or_poke(&mut stop, &state.wake.emails, poll).await)
        {
            return;
        }
    }
}

async fn run_batch(state: &AppState, mailer: &dyn Mailer) -> Result<usize, StoreError> {
    let items = state
        .store
        .claim_outbox(
            &[
                topics::NOTIFICATION_EMAIL,
                topics::FOLLOWUP_EMAIL,
                topics::GUARANTEE_EMAIL,
            ],
            BATCH,
            state.clock.now(),
            LEASE,
        )
        .await?;
    let links = Links::for_state(state);
    for item in &items {
        let message = match compose(state, &links, item).await {
            Ok(message) => message,
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other),
        };
        let Some((message, followup_case)) = message else {
            state
                .store
                .complete_outbox(item.id, state.clock.now())
                .await?;
            continue;
        };
        match mailer.send(message).await {
            Ok(()) => {
                let now = state.clock.now();
                if let Some(case_id) = followup_case {
                    state.store.mark_followup_sent(case_id, now).await?;
                }
                state.store.complete_outbox(item.id, now).await?;
            }
            Err(error) => retry(state, item, &error).await?,
        }
    }
    Ok(items.len())
}

async fn retry(state: &AppState, item: &OutboxItem, error: &MailError) -> Result<(), StoreError> {
    let now = state.clock.now();
    if error.is_permanent() {
        tracing::warn!(job = item.id, %error, "e-mail cannot be sent");
        return state.store.complete_outbox(item.id, now).await;
    }
    let wait = domain::webhook::backoff(item.attempts).max(SignedDuration::from_secs(
        i64::try_from(state.settings.mail_retry_base_seconds).unwrap_or(30),
    ));
    tracing::warn!(job = item.id, %error, retry_in_seconds = wait.as_secs(), "e-mail not sent; will retry");
    state
        .store
        .retry_outbox(item.id, &error.to_string(), now + wait)
        .await
}

/// The message of a job (and, for a follow-up, its case), or `None` when nothing is to be sent.
async fn compose(
    state: &AppState,
    links: &Links,
    item: &OutboxItem,
) -> Result<Option<(OutgoingEmail, Option<i64>)>, StoreError> {
    let id = |field: &str| item.payload.get(field).and_then(|v| v.as_i64());
    if item.topic == topics::NOTIFICATION_EMAIL {
        let Some(id) = id("notification_id") else {
            return Ok(None);
        };
        let email = state.store.notification_email(id).await?;
        return Ok(Some((notification_message(links, &email), None)));
    }
    if item.topic == topics::GUARANTEE_EMAIL {
        let Some(id) = id("claim_id") else {
            return Ok(None);
        };
        let email = state.store.guarantee_email(id).await?;
        return Ok(guarantee_message(&email).map(|m| (m, None)));
    }
    let Some(case_id) = id("case_id") else {
        return Ok(None);
    };
    let followup = state.store.followup_email(case_id).await?;
    Ok(followup_message(links, &followup).map(|m| (m, Some(case_id))))
}

fn notification_message(links: &Links, email: &NotificationEmail) -> OutgoingEmail {
    let note = &email.notification;
    let url = format!("{}{}", links.base(), note.link);
    let text = format!(
        "{}\n\n{}\n\nOpen it: {url}\n\n— Perfect Service\n",
        note.title, note.body
    );
    let html = format!(
        "<p><strong>{}</strong></p><p>{}</p><p><a href=\"{}\">Open it in Perfect Service</a></p>",
        escape(&note.title),
        escape(&note.body),
        escape(&url)
    );
    OutgoingEmail {
        to: email.to_email.clone(),
        to_name: Some(email.to_name.clone()),
        subject: note.title.clone(),
        text,
        html,
        unsubscribe_url: None,
    }
}

/// The follow-up e-mail, unless it was answered already or the customer cannot be e-mailed.
fn followup_message(links: &Links, followup: &FollowupEmail) -> Option<OutgoingEmail> {
    if followup.answered || followup.lookup_id.is_empty() {
        return None;
    }
    let to = followup.customer_email.clone()?;
    let url = links.followup(&followup.lookup_id)?;
    let greeting = followup
        .customer_name
        .as_deref()
        .map_or("Hello,".to_owned(), |n| format!("Dear {n},"));
    let about = followup
        .touchpoint
        .as_deref()
        .map_or(String::new(), |t| format!(" about {t}"));
    let text = format!(
        "{greeting}\n\nYou told us recently that something went wrong{about}. We have worked on it \
         and would like to know: did we make it right?\n\nAnswer with one click: {url}\n\n{}\n",
        followup.organization
    );
    let html = format!(
        "<p>{}</p><p>You told us recently that something went wrong{}. We have worked on it and \
         would like to know: did we make it right?</p><p><a href=\"{}\">Tell us in one click</a></p><p>{}</p>",
        escape(&greeting),
        escape(&about),
        escape(&url),
        escape(&followup.organization)
    );
    Some(OutgoingEmail {
        to,
        to_name: followup.customer_name.clone(),
        subject: format!("Did we make it right? — {}", followup.organization),
        text,
        html,
        unsubscribe_url: None,
    })
}

/// The customer's confirmation of an invocation: what they pay and the credit.
fn guarantee_message(email: &GuaranteeEmail) -> Option<OutgoingEmail> {
    let claim = &email.claim;
    let to = claim.customer_email.clone()?;
    let greeting = claim
        .customer
        .name
        .as_deref()
        .map_or("Hello,".to_owned(), |n| format!("Dear {n},"));
    let summary = format!(
        "You invoked our guarantee for {} (reference {}). It is honoured: you pay {} of the {}          invoiced, and {} is credited to you.",
        claim.touchpoint.name,
        claim.transaction_external_id,
        claim.paid.display(),
        claim.invoiced.display(),
        claim.credit.display()
    );
    let closing = "The president has been told personally and will make sure we put it right.                    Thank you for telling us.";
    let text = format!(
        "{greeting}\n\n{summary}\n\n{closing}\n\n{}\n",
        email.organization
    );
    let html = format!(
        "<p>{}</p><p>{}</p><p>{}</p><p>{}</p>",
        escape(&greeting),
        escape(&summary),
        escape(closing),
        escape(&email.organization)
    );
    Some(OutgoingEmail {
        to,
        to_name: claim.customer.name.clone(),
        subject: format!(
            "Your guarantee is honoured: you pay {} — {}",
            claim.paid.display(),
            email.organization
        ),
        text,
        html,
        unsubscribe_url: None,
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
