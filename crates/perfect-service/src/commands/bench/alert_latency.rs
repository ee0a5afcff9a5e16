//! `bench alert-latency`: how soon a poor response has a recovery case and a signed
//! `case.opened` webhook, while good responses are ingested at full speed.
//!
//! The server runs on a fresh database as for `bench ingest`. Background connections post good
//! responses (no rule fires) as fast as they are answered; meanwhile a paced sender posts
//! `poor_per_second` responses with CSAT 1, each for a customer of its own who belongs to a
//! client team, and notes when each is answered 2xx. Two observers note when each customer's
//! case first shows:
//!
//! - (a) a watcher on its own read connection to the database, polling the cases list every
//!   2 ms (only cases newer than the last one seen);
//! - (b) a local webhook receiver subscribed to `case.opened`, which verifies every delivery's
//!   signature as a real receiver would.
//!
//! Latency is the observation minus the 2xx. After the load stops the observers get up to 5 s
//! more for stragglers.

use super::{Bench, Mix, Preparation, drive, exchange, owned_customer, requests, response_request};
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use server::config::Settings;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{CaseFilter, CaseStore, ListParams, SqlStore};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The goal for both latencies' 99th percentile.
const TARGET_P99_MS: f64 = 200.0;
/// How often the watcher looks for new cases.
const WATCH_EVERY: Duration = Duration::from_millis(2);
/// How long the observers may still take after the load stopped.
const STRAGGLERS: Duration = Duration::from_secs(5);
/// Connections the paced sender spreads its poor responses over.
const POOR_CONNECTIONS: usize = 4;

pub async fn alert_latency(
    settings: Settings,
    use_configured_database: bool,
    seconds: u64,
    connections: usize,
    poor_per_second: u64,
) -> anyhow::Result<()> {
    let seconds = seconds.max(1);
    let rate = poor_per_second.max(1);
    let poor = usize::try_from(rate * seconds)?;
    let preparation = Preparation {
        owned_customers: poor,
        scopes: "ingest,admin",
    };
    println!("Preparing a fresh database with {poor} customers of a client team…");
    let bench = Bench::start(settings, use_configured_database, &preparation).await?;

    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot start the webhook receiver")?;
    let hook_url = format!("http://{}/hooks/perfect-service", listener.local_addr()?);
    let secret = register_webhook(&bench.host, &bench.key, &hook_url).await?;
    let hooks = Arc::new(Hooks::default());
    let receiver = tokio::spawn(receive(listener, Arc::new(secret), hooks.clone()));

    let reader = SqlStore::connect(&bench.settings.database_url, 1)
        .await
        .context("cannot open the watcher's read connection")?;
    let seen = Arc::new(FirstSeen::default());
    let (stop_watching, watching) = tokio::sync::watch::channel(false);
    let watcher = tokio::spawn(watch_cases(reader, seen.clone(), watching));

    println!(
        "Driving good responses on {connections} keep-alive connections and {rate} poor ones a \
         second (CSAT 1, each for a new customer) for {seconds} s on {}…",
        store::redact_url(&bench.settings.database_url)
    );
    let warm_up = Instant::now() + Duration::from_secs(1);
    let end = warm_up + Duration::from_secs(seconds);
    let good = Arc::new(requests(&bench.host, &bench.key, Mix::Good));
    let background = {
        let host = bench.host.clone();
        tokio::spawn(async move { drive(&host, good, connections.max(1), warm_up, end).await })
    };
    let sent = send_poor(&bench.host, &bench.key, rate, poor, warm_up).await?;
    let ingest = background.await.context("the background load failed")??;
    let load_stopped = Instant::now();

    let answered: Vec<(usize, Instant)> = sent
        .answered
        .iter()
        .enumerate()
        .filter_map(|(i, at)| at.map(|at| (i, at)))
        .collect();
    let deadline = load_stopped + STRAGGLERS;
    while Instant::now() < deadline
        && answered.iter().any(|(i, _)| {
            let id = owned_customer(*i);
            !seen.contains(&id) || !hooks.arrived.contains(&id)
        })
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let _ = stop_watching.send(true);
    let polls = watcher.await.context("the watcher failed")?;
    receiver.abort();

    let case_ms = latencies(&answered, &seen);
    let hook_ms = latencies(&answered, &hooks.arrived);
    let bad_signatures = hooks.bad_signatures.load(Ordering::Relaxed);
    println!();
    println!(
        "poor responses answered 2xx: {} of {poor} ({} failed); POST {}",
        answered.len(),
        sent.failed,
        Summary::of(sent.post_ms).describe()
    );
    let case = Summary::of(case_ms);
    let hook = Summary::of(hook_ms);
    println!(
        "(a) case exists (read connection, {} polls every {} ms): {}",
        polls.polls,
        WATCH_EVERY.as_millis(),
        case.describe()
    );
    println!(
        "(b) signed case.opened webhook arrived: {}",
        hook.describe()
    );
    println!(
        "never got a case: {}; never got a webhook: {} (waited up to {} s after the load stopped)",
        answered.len() - case.count,
        answered.len() - hook.count,
        STRAGGLERS.as_secs()
    );
    println!(
        "webhook deliveries: {} case.opened verified, {bad_signatures} signature failures, {} \
         duplicates, {} other events; watcher errors: {}",
        hooks.verified.load(Ordering::Relaxed),
        hooks.duplicates.load(Ordering::Relaxed),
        hooks.other_events.load(Ordering::Relaxed),
        polls.errors
    );
    println!(
        "background ingest during the run: {} good responses in {:.1} s = {:.0} responses/s ({} \
         failed); p50 {:.1} ms, p99 {:.1} ms",
        ingest.ok,
        ingest.elapsed.as_secs_f64(),
        ingest.ok as f64 / ingest.elapsed.as_secs_f64(),
        ingest.failed,
        ingest.percentile(0.5),
        ingest.percentile(0.99)
    );
    let met = |s: &Summary| {
        if s.count == answered.len() && s.count > 0 && s.p99 < TARGET_P99_MS {
            "met"
        } else {
            "NOT met"
        }
    };
    println!(
        "target p99 < {TARGET_P99_MS:.0} ms: case {}, webhook {}",
        met(&case),
        met(&hook)
    );
    bench.finish().await?;
    if bad_signatures > 0 {
        anyhow::bail!("{bad_signatures} webhook deliveries did not verify");
    }
    Ok(())
}

/// Subscribes `url` to `case.opened` through the API; returns the signing secret.
async fn register_webhook(host: &str, key: &str, url: &str) -> anyhow::Result<String> {
    let answer = reqwest::Client::new()
        .post(format!("http://{host}/api/v1/webhooks"))
        .bearer_auth(key)
        .json(&serde_json::json!({"url": url, "events": ["case.opened"]}))
        .send()
        .await
        .context("cannot register the webhook")?;
    let status = answer.status();
    let body: serde_json::Value = answer.json().await.context("unreadable webhook answer")?;
    anyhow::ensure!(
        status.is_success(),
        "registering the webhook answered {status}: {body}"
    );
    body.get("secret")
        .and_then(|s| s.as_str())
        .map(str::to_owned)
        .context("the webhook answer carries no secret")
}

/// The first instant each customer (by external id) was observed.
#[derive(Default)]
struct FirstSeen {
    at: Mutex<HashMap<String, Instant>>,
}

impl FirstSeen {
    /// Records `id` at `at` unless it was seen before; returns whether it is new.
    fn record(&self, id: String, at: Instant) -> bool {
        let mut map = self.at.lock().unwrap_or_else(|e| e.into_inner());
        match map.entry(id) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(at);
                true
            }
        }
    }

    fn get(&self, id: &str) -> Option<Instant> {
        let map = self.at.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id).copied()
    }

    fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}

/// What the webhook receiver got.
#[derive(Default)]
struct Hooks {
    arrived: FirstSeen,
    verified: AtomicU64,
    bad_signatures: AtomicU64,
    duplicates: AtomicU64,
    other_events: AtomicU64,
}

/// Accepts the webhook worker's connections (it keeps several alive) until aborted.
async fn receive(listener: TcpListener, secret: Arc<String>, hooks: Arc<Hooks>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_deliveries(stream, secret.clone(), hooks.clone()));
    }
}

/// A minimal HTTP/1.1 receiver: reads each request's headers and `Content-Length` body, checks
/// the signature, notes the arrival and answers 204 (401 when the signature is wrong).
async fn serve_deliveries(
    stream: TcpStream,
    secret: Arc<String>,
    hooks: Arc<Hooks>,
) -> anyhow::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    loop {
        let (mut length, mut signature, mut event) = (0usize, String::new(), String::new());
        let mut first = true;
        loop {
            line.clear();
            if stream.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                if first {
                    continue;
                }
                break;
            }
            first = false;
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case(domain::webhook::SIGNATURE_HEADER) {
                    value.clone_into(&mut signature);
                } else if name.eq_ignore_ascii_case("perfect-service-event") {
                    value.clone_into(&mut event);
                }
            }
        }
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).await?;
        let arrived = Instant::now();
        let verified = domain::webhook::verify(
            secret.as_bytes(),
            &signature,
            &body,
            Timestamp::now(),
            SignedDuration::from_mins(5),
        )
        .is_ok();
        let answer: &[u8] = if verified {
            b"HTTP/1.1 204 No Content\r\n\r\n"
        } else {
            b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"
        };
        stream.get_mut().write_all(answer).await?;
        if !verified {
            hooks.bad_signatures.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if event != "case.opened" {
            hooks.other_events.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        hooks.verified.fetch_add(1, Ordering::Relaxed);
        let customer = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|payload| {
                payload
                    .pointer("/data/case/customer/external_id")
                    .and_then(|id| id.as_str())
                    .map(str::to_owned)
            });
        match customer {
            Some(id) => {
                if !hooks.arrived.record(id, arrived) {
                    hooks.duplicates.fetch_add(1, Ordering::Relaxed);
                }
            }
            None => {
                hooks.other_events.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// How the watcher fared.
struct Polls {
    polls: u64,
    errors: u64,
}

/// Polls the cases newer than the last one seen, on a connection of its own, until told to stop.
async fn watch_cases(
    reader: SqlStore,
    seen: Arc<FirstSeen>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Polls {
    let mut polls = Polls {
        polls: 0,
        errors: 0,
    };
    let mut after = None;
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        let params = ListParams {
            after_id: after,
            limit: 500,
            search: None,
            newest_first: false,
        };
        polls.polls += 1;
        match reader.list_cases(&params, &CaseFilter::default()).await {
            Ok(page) => {
                let now = Instant::now();
                for case in page.items {
                    after = Some(case.id);
                    seen.record(case.customer.external_id, now);
                }
            }
            Err(error) => {
                polls.errors += 1;
                tracing::warn!(%error, "bench: the watcher cannot list cases");
            }
        }
    }
    reader.close().await;
    polls
}

/// The paced sender's results, by poor customer index.
struct Sent {
    /// When each poor response was answered 2xx.
    answered: Vec<Option<Instant>>,
    failed: u64,
    post_ms: Vec<f64>,
}

/// Posts `count` poor responses, `rate` a second from `start`, over a few connections.
async fn send_poor(
    host: &str,
    key: &str,
    rate: u64,
    count: usize,
    start: Instant,
) -> anyhow::Result<Sent> {
    let requests: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..count)
            .map(|i| {
                let answers =
                    serde_json::json!({"csat": 1, "nps": 2, "comment": "Nobody called back"});
                response_request(host, key, &owned_customer(i), answers)
            })
            .collect(),
    );
    let (queue, queued) = tokio::sync::mpsc::unbounded_channel::<usize>();
    let queued = Arc::new(tokio::sync::Mutex::new(queued));
    let mut senders = Vec::with_capacity(POOR_CONNECTIONS);
    for _ in 0..POOR_CONNECTIONS.min(count.max(1)) {
        let (queued, requests) = (queued.clone(), requests.clone());
        let mut stream = BufReader::new(TcpStream::connect(host).await?);
        stream.get_ref().set_nodelay(true)?;
        senders.push(tokio::spawn(async move {
            let mut results = Vec::new();
            loop {
                let next = queued.lock().await.recv().await;
                let Some(i) = next else { break };
                let started = Instant::now();
                let status = exchange(&mut stream, &requests[i]).await?;
                results.push((i, status, started, Instant::now()));
            }
            anyhow::Ok(results)
        }));
    }
    for i in 0..count {
        let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
        tokio::time::sleep_until(due.into()).await;
        queue.send(i)?;
    }
    drop(queue);
    let mut sent = Sent {
        answered: vec![None; count],
        failed: 0,
        post_ms: Vec::with_capacity(count),
    };
    for sender in senders {
        for (i, status, started, done) in sender.await.context("a poor sender failed")?? {
            if (200..300).contains(&status) {
                sent.answered[i] = Some(done);
                sent.post_ms
                    .push(done.duration_since(started).as_secs_f64() * 1000.0);
            } else {
                sent.failed += 1;
            }
        }
    }
    Ok(sent)
}

/// Observation minus 2xx, in milliseconds (negative if observed before the answer arrived),
/// for each answered response that was observed.
fn latencies(answered: &[(usize, Instant)], observed: &FirstSeen) -> Vec<f64> {
    answered
        .iter()
        .filter_map(|(i, ok)| {
            let at = observed.get(&owned_customer(*i))?;
            Some(if at >= *ok {
                at.duration_since(*ok).as_secs_f64() * 1000.0
            } else {
                -(ok.duration_since(at).as_secs_f64() * 1000.0)
            })
        })
        .collect()
}

/// Count and percentiles of a set of millisecond figures.
struct Summary {
    count: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Summary {
    fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        let at = |p: f64| {
            if values.is_empty() {
                return 0.0;
            }
            let rank = ((values.len() as f64 - 1.0) * p).round() as usize;
            values[rank.min(values.len() - 1)]
        };
        Self {
            count: values.len(),
            p50: at(0.5),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
        }
    }

    fn describe(&self) -> String {
        format!(
            "count {}, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.count, self.p50, self.p95, self.p99, self.max
        )
    }
}
