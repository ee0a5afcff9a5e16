//! The invitation e-mail worker: claims due `invitation.email` jobs, renders the e-mail from the
//! templates and sends it, then records the outcome on the invitation and the job.
//!
//! Delivery is at least once: a job is completed only after the SMTP server accepted the
//! message, so an outage or a crash delays mail but never loses it, and a crash between the
//! server's acceptance and the bookkeeping sends that one e-mail twice. Failures are retried
//! with exponential back-off from `mail_retry_base_seconds`, at most an hour apart, until the
//! invitation expires. No database transaction is open while talking to the SMTP server.

use crate::links::Links;
use crate::mail::templates::{EmailTemplates, Values};
use crate::mail::{MailError, Mailer, OutgoingEmail};
use crate::state::AppState;
use jiff::SignedDuration;
use std::time::Duration;
use store::{InvitationView, OutboxItem, StoreError, invitation_state, topics};
use tokio::sync::watch;
use tracing::Instrument;

/// Jobs claimed at once.
const BATCH: i64 = 20;
/// How long a claimed job is ours before another instance may take it.
const LEASE: SignedDuration = SignedDuration::from_secs(60);
/// No new send starts this late into the lease, so that a slow server (each send is bounded by
/// the SMTP timeouts) cannot let the lease lapse mid-send; the rest of the batch is reclaimed.
const SEND_WINDOW: SignedDuration = SignedDuration::from_secs(30);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECONDS: u64 = 3600;

/// One `invitation.email` job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
struct Job {
    invitation_id: i64,
    #[serde(default)]
    reminder: bool,
}

/// Runs until `stop` turns true. Without a configured SMTP server, jobs stay queued.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let Some(mailer) = state.mailer.clone() else {
        tracing::warn!(
            "e-mail is disabled because smtp_host is not set: invitation e-mails stay queued \
             and are sent once it is"
        );
        let _ = stop.wait_for(|stopping| *stopping).await;
        return;
    };
    if state.settings.public_url.is_none() {
        tracing::warn!(
            "public_url is not set: links in e-mails use the listening address {}, which \
             customers may not reach",
            state.settings.bind
        );
    }
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    loop {
        let handled = match run_batch(&state, mailer.as_ref(), &stop).await {
            Ok(handled) => handled,
            Err(error) => {
                tracing::error!(error = %error, "invitation e-mails: cannot read due jobs");
                0
            }
        };
        let more_due = handled == BATCH as usize;
        if *stop.borrow() || (!more_due && super::pause(&mut stop, poll).await) {
            return;
        }
    }
}

/// Claims and handles one batch of due jobs; returns how many were claimed.
async fn run_batch(
    state: &AppState,
    mailer: &dyn Mailer,
    stop: &watch::Receiver<bool>,
) -> Result<usize, StoreError> {
    let claimed_at = state.clock.now();
    let items = state
        .store
        .claim_outbox(&[topics::INVITATION_EMAIL], BATCH, claimed_at, LEASE)
        .await?;
    if items.is_empty() {
        return Ok(0);
    }
    let context = Context::load(state).await?;
    for item in &items {
        if *stop.borrow() || state.clock.now() > claimed_at + SEND_WINDOW {
            break;
        }
        let span = tracing::info_span!("invitation_email", job = item.id);
        if let Err(error) = handle(state, mailer, &context, item).instrument(span).await {
            // The lease runs out and the job is claimed again.
            tracing::error!(job = item.id, error = %error, "invitation e-mail job failed");
        }
    }
    Ok(items.len())
}

/// What every e-mail of a batch shares.
struct Context {
    templates: EmailTemplates,
    zone: jiff::tz::TimeZone,
    links: Links,
    guarantee: domain::guarantee::GuaranteePolicy,
}

impl Context {
    async fn load(state: &AppState) -> Result<Self, StoreError> {
        let templates = EmailTemplates::load(state.store.as_ref()).await?;
        let organization = state.store.organization().await?;
        let zone =
            jiff::tz::TimeZone::get(&organization.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        Ok(Self {
            templates,
            zone,
            links: Links::for_state(state),
            guarantee: crate::guarantee::load_policy(state.store.as_ref()).await?,
        })
    }

    fn compose(
        &self,
        view: &InvitationView,
        lookup_id: &str,
        guarantee_lookup_id: Option<&str>,
        to: String,
        reminder: bool,
    ) -> Option<OutgoingEmail> {
        let values = Values {
            customer_name: view.customer.name.clone(),
            organization: view.organization.clone(),
            touchpoint: view.touchpoint.name.clone(),
            occurred_on: Some(view.occurred_at.to_zoned(self.zone.clone()).date()),
            staff_name: view.staff.as_ref().map(|s| s.name.clone()),
            survey_url: self.links.survey(lookup_id)?,
            unsubscribe_url: self.links.unsubscribe(lookup_id)?,
        };
        let rendered = self
            .templates
            .render(view.customer_locale.as_deref(), reminder, &values);
        let guarantee_url = guarantee_lookup_id.and_then(|id| self.links.guarantee(id));
        let (text, html) = with_guarantee(
            rendered.text,
            rendered.html,
            &self.guarantee,
            guarantee_url.as_deref(),
        );
        Some(OutgoingEmail {
            to,
            to_name: view.customer.name.clone(),
            subject: rendered.subject,
            text,
            html,
            unsubscribe_url: Some(values.unsubscribe_url),
        })
    }
}

/// Adds the guarantee, in the organization's words and with its link, to both bodies: it is in
/// every survey e-mail whatever the templates say.
fn with_guarantee(
    mut text: String,
    html: String,
    policy: &domain::guarantee::GuaranteePolicy,
    url: Option<&str>,
) -> (String, String) {
    text.push_str(&format!("\n\n{}\n", policy.text));
    if let Some(url) = url {
        text.push_str(&format!("{}: {url}\n", policy.link_label));
    }
    let escape = crate::mail::templates::escape_html;
    let link = url.map_or(String::new(), |url| {
        format!(
            " <a href=\"{}\">{}</a>",
            escape(url),
            escape(&policy.link_label)
        )
    });
    let block = format!(
        "<p style=\"border-left:4px solid #1f5fd6;padding:8px 12px;color:#10243e;\">{}{link}</p>",
        escape(&policy.text).replace('\n', "<br>")
    );
    let html = match html.rfind("</body>") {
        Some(at) => format!("{}{block}{}", &html[..at], &html[at..]),
        None => format!("{html}{block}"),
    };
    (text, html)
}

/// Why a job sends nothing, if it does not.
fn skip_reason(view: &InvitationView, reminder: bool) -> Option<&'static str> {
    match view.state.as_str() {
        invitation_state::ANSWERED => Some("the survey has been answered"),
        invitation_state::EXPIRED => Some("the invitation has expired"),
        _ if view.customer_opted_out => Some("not sent: the customer has opted out of surveys"),
        _ if view.customer_email.is_none() => Some("not sent: the customer has no e-mail address"),
        state if reminder && state != invitation_state::SENT => {
            Some("no reminder: the invitation was never sent")
        }
        invitation_state::SENT if !reminder => Some("the invitation has already been sent"),
        _ => None,
    }
}

async fn handle(
    state: &AppState,
    mailer: &dyn Mailer,
    context: &Context,
    item: &OutboxItem,
) -> Result<(), StoreError> {
    let store = &state.store;
    let Ok(job) = serde_json::from_value::<Job>(item.payload.clone()) else {
        tracing::warn!(payload = %item.payload, "dropping an unreadable invitation e-mail job");
        return store.complete_outbox(item.id, state.clock.now()).await;
    };
    let lookup_id = match store.invitation_lookup_id(job.invitation_id).await {
        Ok(lookup_id) => lookup_id,
        Err(StoreError::NotFound) => {
            return store.complete_outbox(item.id, state.clock.now()).await;
        }
        Err(other) => return Err(other),
    };
    let view = store.invitation_view(&lookup_id).await?;
    let email = match (
        skip_reason(&view, job.reminder),
        view.customer_email.clone(),
    ) {
        (None, Some(email)) => email,
        (reason, _) => {
            let reason = reason.unwrap_or_default();
            tracing::info!(
                invitation = view.id,
                reminder = job.reminder,
                reason,
                "nothing to send"
            );
            if !job.reminder && reason.starts_with("not sent") {
                store.mark_invitation_failed(view.id, reason).await?;
            }
            return store.complete_outbox(item.id, state.clock.now()).await;
        }
    };
    let guarantee = store.guarantee_lookup_id(view.transaction_id).await?;
    let Some(message) =
        context.compose(&view, &lookup_id, guarantee.as_deref(), email, job.reminder)
    else {
        let error = MailError::Invalid("the invitation's links cannot be made".into());
        return record_failure(state, item, job, &error).await;
    };
    match mailer.send(message).await {
        Ok(()) => {
            let now = state.clock.now();
            store
                .mark_invitation_sent(job.invitation_id, job.reminder, now)
                .await?;
            tracing::info!(
                invitation = view.id,
                reminder = job.reminder,
                "invitation e-mail sent"
            );
            store.complete_outbox(item.id, now).await
        }
        Err(error) => record_failure(state, item, job, &error).await,
    }
}

/// Shows the failure on the invitation and retries later, unless retrying cannot help.
async fn record_failure(
    state: &AppState,
    item: &OutboxItem,
    job: Job,
    error: &MailError,
) -> Result<(), StoreError> {
    let reason = error.to_string();
    let now = state.clock.now();
    if !job.reminder {
        state
            .store
            .mark_invitation_failed(job.invitation_id, &reason)
            .await?;
    }
    if error.is_permanent() {
        tracing::warn!(invitation = job.invitation_id, %reason, "invitation e-mail cannot be sent");
        return state.store.complete_outbox(item.id, now).await;
    }
    let wait = backoff(state.settings.mail_retry_base_seconds, item.attempts);
    tracing::warn!(
        invitation = job.invitation_id,
        attempt = item.attempts,
        retry_in_seconds = wait.as_secs(),
        %reason,
        "invitation e-mail not sent; will retry"
    );
    let retry_at = now
        .checked_add(wait)
        .unwrap_or(now + SignedDuration::from_secs(MAX_BACKOFF_SECONDS as i64));
    state.store.retry_outbox(item.id, &reason, retry_at).await
}

/// `base`, then twice as long after each further attempt, at most an hour.
fn backoff(base_seconds: u64, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let seconds = base_seconds
        .saturating_mul(1u64 << doublings)
        .min(MAX_BACKOFF_SECONDS);
    Duration::from_secs(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let waits: Vec<u64> = (1..=9).map(|n| backoff(30, n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(1, 0).as_secs(), 1);
        assert_eq!(backoff(u64::MAX, 1000).as_secs(), 3600);
    }

    #[test]
    fn jobs_are_read_from_the_outbox_payload() {
        let job: Result<Job, _> =
            serde_json::from_value(serde_json::json!({"invitation_id": 7, "reminder": true}));
        assert_eq!(
            job.ok(),
            Some(Job {
                invitation_id: 7,
                reminder: true
            })
        );
    }
}
