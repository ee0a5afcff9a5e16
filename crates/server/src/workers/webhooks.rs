//! The webhook worker: claims due deliveries, POSTs each signed payload to its endpoint and
//! records the attempt. A 2xx is delivered; anything else is retried with exponential back-off
//! (`domain::webhook::backoff`) until `MAX_ATTEMPTS`, then the delivery goes to the dead-letter
//! list, from which an administrator can re-send it. Delivery is at least once: a crash after
//! the receiver answered but before the bookkeeping sends that delivery again, with the same
//! `id` in the body and the `Perfect-Service-Delivery` header for the receiver to deduplicate.

use super::wakeups::pause_or_poke;
use crate::state::AppState;
use domain::webhook::{MAX_ATTEMPTS, SIGNATURE_HEADER, backoff, is_delivered, signature_header};
use jiff::SignedDuration;
use std::time::{Duration, Instant};
use store::{AttemptOutcome, DeliveryJob, StoreError};
use tokio::sync::watch;

const BATCH: i64 = 50;
/// Longer than the request timeout, so a lease never lapses mid-request.
const LEASE: SignedDuration = SignedDuration::from_secs(60);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "PerfectService-Webhooks/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhooks: cannot build the HTTP client; webhooks stay queued");
            let _ = stop.wait_for(|stopping| *stopping).await;
            return;
        }
    };
    let poll = Duration::from_millis(state.settings.worker_poll_ms);
    loop {
        let handled = match run_batch(&state, &client).await {
            Ok(handled) => handled,
            Err(error) => {
                tracing::error!(error = %error, "webhooks: cannot read due deliveries");
                0
            }
        };
        let more_due = handled == BATCH as usize;
        if *stop.borrow()
            || (!more_due && pause_or_poke(&mut stop, &state.wake.deliveries, poll).await)
        {
            return;
        }
    }
}

async fn run_batch(state: &AppState, client: &reqwest::Client) -> Result<usize, StoreError> {
    let jobs = state
        .store
        .claim_deliveries(BATCH, state.clock.now(), LEASE)
        .await?;
    let count = jobs.len();
    let mut sending = tokio::task::JoinSet::new();
    for job in jobs {
        let state = state.clone();
        let client = client.clone();
        sending.spawn(async move {
            let outcome = send(&state, &client, &job).await;
            record(&state, &job, &outcome).await
        });
    }
    while let Some(done) = sending.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "webhooks: cannot record an attempt"),
            Err(error) => tracing::error!(%error, "webhooks: a delivery task failed"),
        }
    }
    Ok(count)
}

async fn send(state: &AppState, client: &reqwest::Client, job: &DeliveryJob) -> AttemptOutcome {
    let started = Instant::now();
    let timestamp = state.clock.now().as_second();
    let signature = signature_header(job.secret.as_bytes(), timestamp, job.payload.as_bytes());
    let result = client
        .post(&job.url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header("perfect-service-event", &job.event_type)
        .header("perfect-service-delivery", &job.event_id)
        .body(job.payload.clone())
        .send()
        .await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            AttemptOutcome {
                status_code: Some(status),
                error: (!is_delivered(status)).then(|| format!("the endpoint answered {status}")),
                duration_ms,
            }
        }
        Err(error) => AttemptOutcome {
            status_code: None,
            error: Some(describe(error)),
            duration_ms,
        },
    }
}

/// A short reason without the URL (which may carry credentials in its query).
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        error.without_url().to_string()
    }
}

async fn record(
    state: &AppState,
    job: &DeliveryJob,
    outcome: &AttemptOutcome,
) -> Result<(), StoreError> {
    let now = state.clock.now();
    let delivered = outcome.status_code.is_some_and(is_delivered);
    let attempts = job.attempts + 1;
    let retry_at = (!delivered && attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts));
    if !delivered {
        tracing::warn!(
            delivery = job.id,
            event = %job.event_type,
            attempt = attempts,
            error = outcome.error.as_deref().unwrap_or(""),
            dead = retry_at.is_none(),
            "webhook not delivered"
        );
    }
    state
        .store
        .record_attempt(job.id, outcome, delivered, retry_at, now)
        .await
}
