//! `bench`: the product measured on this machine, end to end over loopback.
//!
//! - `bench ingest`: the sustained rate and latency of `POST /api/v1/responses` with keep-alive
//!   clients.
//! - `bench alert-latency` (in [`alert_latency`]): how soon a poor response has a case and a
//!   signed `case.opened` webhook while good responses pour in at full speed.
//! - `bench dashboard` (in [`dashboard`]): the overview and drill-downs' server time on N
//!   responses loaded through the bulk path.
//! - `bench drivers` (in [`drivers`]): key driver analysis over N responses with twelve
//!   ratings, in process and through the API.

mod alert_latency;
mod dashboard;
mod drivers;

pub use alert_latency::alert_latency;
pub use dashboard::dashboard;
pub use drivers::drivers;

use anyhow::Context;
use domain::survey::{Questions, default_questions};
use domain::{ApiScopes, ExternalId, Key, Name};
use server::Application;
use server::config::Settings;
use server::security::generate_api_key;
use std::time::{Duration, Instant};
use store::{
    Actor, ApiKeyStore, CustomerInput, CustomerStore, NewApiKey, NewSurvey, NewTeam, NewTouchpoint,
    OperationsStore, SurveyStore, TeamStore, TouchpointStore,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const CUSTOMERS: usize = 200;

pub async fn ingest(
    settings: Settings,
    use_configured_database: bool,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
    let preparation = Preparation {
        owned_customers: 0,
        scopes: "ingest",
    };
    let bench = Bench::start(settings, use_configured_database, &preparation).await?;
    println!(
        "Driving POST /api/v1/responses on {} with {connections} keep-alive connections for {seconds} s…",
        store::redact_url(&bench.settings.database_url)
    );
    let requests = std::sync::Arc::new(requests(&bench.host, &bench.key, Mix::Any));
    let warm_up = Instant::now() + Duration::from_secs(1);
    let end = warm_up + Duration::from_secs(seconds.max(1));
    let report = drive(&bench.host, requests, connections.max(1), warm_up, end).await?;
    report.print();
    bench.finish().await
}

/// The server under test, on its scratch database, and the key to call it with.
struct Bench {
    settings: Settings,
    /// `127.0.0.1:PORT`.
    host: String,
    key: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _scratch: tempfile::TempDir,
}

impl Bench {
    /// Prepares a fresh database (a scratch SQLite file unless one was configured) and starts
    /// the server on a free loopback port.
    async fn start(
        mut settings: Settings,
        use_configured_database: bool,
        preparation: &Preparation,
    ) -> anyhow::Result<Self> {
        let scratch = tempfile::tempdir().context("cannot create a scratch folder")?;
        if !use_configured_database {
            settings.database_url =
                format!("sqlite://{}", scratch.path().join("bench.db").display());
        }
        settings.bind = "127.0.0.1:0".parse()?;
        settings.database_max_connections = settings.database_max_connections.max(16);
        let key = prepare(&settings, preparation).await?;
        let application = Application::build(settings.clone()).await?;
        let host = application.local_addr()?.to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            settings,
            host,
            key,
            stop,
            server,
            _scratch: scratch,
        })
    }

    async fn finish(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await.context("the server task failed")??;
        Ok(())
    }
}

/// What the benchmark needs in the database besides the shared set-up.
struct Preparation {
    /// Customers `P-0`, `P-1`, … of the client team `care`, for one poor response each.
    owned_customers: usize,
    /// The API key's scopes, e.g. `ingest` or `ingest,admin`.
    scopes: &'static str,
}

/// A fresh organization with one surveyed touchpoint, customers and an ingest key.
async fn prepare(settings: &Settings, preparation: &Preparation) -> anyhow::Result<String> {
    let store = super::open_store(settings).await?;
    if store.counts().await?.customers > 0 {
        anyhow::bail!("the benchmark needs an empty database");
    }
    let actor = Actor::System {
        label: "bench".into(),
    };
    let team = NewTeam {
        key: Key::parse("key", "care")?,
        name: Name::parse("name", "Care")?,
        kind: domain::access::TeamKind::Client,
        description: None,
    };
    store.create_team(&actor, team).await?;
    let touchpoint = NewTouchpoint {
        key: Key::parse("key", "phone-support")?,
        name: Name::parse("name", "Phone support")?,
        description: None,
        team: Some(Key::parse("key", "care")?),
    };
    store.create_touchpoint(&actor, touchpoint).await?;
    let survey = NewSurvey {
        key: Key::parse("key", "after-call")?,
        name: "After a call".into(),
        description: None,
        questions: Questions::parse(default_questions("Timeliness"))?,
        touchpoints: vec![Key::parse("key", "phone-support")?],
    };
    store.create_survey(&actor, survey).await?;
    for i in 0..CUSTOMERS {
        let customer = CustomerInput::reference(ExternalId::parse("id", &format!("C-{i}"))?);
        store.upsert_customer(&actor, customer).await?;
    }
    for i in 0..preparation.owned_customers {
        let mut customer = CustomerInput::reference(ExternalId::parse("id", &owned_customer(i))?);
        customer.team = Some(Key::parse("team", "care")?);
        store.upsert_customer(&actor, customer).await?;
    }
    let generated = generate_api_key();
    let key = NewApiKey {
        name: Name::parse("name", "bench")?,
        prefix: generated.prefix,
        secret_hash: generated.hash,
        scopes: ApiScopes::parse(preparation.scopes)?,
    };
    store.create_api_key(&actor, key).await?;
    store.close().await;
    Ok(generated.full)
}

/// The external id of the `i`-th customer owned by the client team.
fn owned_customer(i: usize) -> String {
    format!("P-{i}")
}

const COMMENTS: [&str; 4] = [
    "Waited 40 minutes on hold, very frustrating",
    "Friendly and quick, thank you",
    "The invoice was wrong again",
    "",
];

struct Report {
    ok: u64,
    failed: u64,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Report {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[rank.min(self.latencies_us.len() - 1)] as f64 / 1000.0
    }

    fn print(&self) {
        let rate = self.ok as f64 / self.elapsed.as_secs_f64();
        println!(
            "responses stored: {} in {:.1} s ({} failed)",
            self.ok,
            self.elapsed.as_secs_f64(),
            self.failed
        );
        println!("sustained: {rate:.0} responses/s");
        println!(
            "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.percentile(0.5),
            self.percentile(0.99),
            self.percentile(1.0)
        );
    }
}

/// Which answers the load carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mix {
    /// Every CSAT from 1 to 5 and NPS from 0 to 10: poor ones open cases.
    Any,
    /// Only good answers (CSAT 4–5, NPS 9–10): no alert rule fires.
    Good,
}

/// Pre-serialised requests, one per customer and answer mix, so that the client does as
/// little work as possible: the machine's two cores are shared with the server.
fn requests(host: &str, key: &str, mix: Mix) -> Vec<Vec<u8>> {
    (0..CUSTOMERS)
        .map(|n| {
            let answers = match mix {
                Mix::Any => {
                    serde_json::json!({"csat": 1 + n % 5, "nps": n % 11, "comment": COMMENTS[n % COMMENTS.len()]})
                }
                Mix::Good => {
                    serde_json::json!({"csat": 4 + n % 2, "nps": 9 + n % 2, "comment": COMMENTS[1 + 2 * (n % 2)]})
                }
            };
            response_request(host, key, &format!("C-{n}"), answers)
        })
        .collect()
}

/// `POST /api/v1/responses` for `customer` at the touchpoint `phone-support`.
fn response_request(host: &str, key: &str, customer: &str, answers: serde_json::Value) -> Vec<u8> {
    let body = serde_json::json!({
        "customer": {"external_id": customer},
        "touchpoint": "phone-support",
        "source": "kiosk",
        "answers": answers,
    })
    .to_string();
    format!(
        "POST /api/v1/responses HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends one request on a keep-alive connection and reads the response; returns the status.
async fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> anyhow::Result<u16> {
    stream.get_mut().write_all(request).await?;
    let mut status = 0;
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            anyhow::bail!("the server closed the connection");
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(code) = header.strip_prefix("HTTP/1.1 ") {
            status = code.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        } else if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

/// Drives `connections` keep-alive connections, each sending the next of `requests` as soon as
/// the previous one is answered, until `end`; counts what was answered after `warm_up`.
async fn drive(
    host: &str,
    requests: std::sync::Arc<Vec<Vec<u8>>>,
    connections: usize,
    warm_up: Instant,
    end: Instant,
) -> anyhow::Result<Report> {
    let mut tasks = Vec::with_capacity(connections);
    for worker in 0..connections {
        let (host, requests) = (host.to_owned(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut failed, mut latencies) = (0u64, 0u64, Vec::new());
            let mut stream = BufReader::new(TcpStream::connect(&host).await?);
            let mut n = worker;
            loop {
                let started = Instant::now();
                if started >= end {
                    break;
                }
                n += connections;
                let status = exchange(&mut stream, &requests[n % requests.len()]).await?;
                if started >= warm_up {
                    if (200..300).contains(&status) {
                        ok += 1;
                        latencies.push(started.elapsed().as_micros() as u64);
                    } else {
                        failed += 1;
                    }
                }
            }
            anyhow::Ok((ok, failed, latencies))
        }));
    }
    let mut report = Report {
        ok: 0,
        failed: 0,
        elapsed: end.saturating_duration_since(warm_up),
        latencies_us: Vec::new(),
    };
    for task in tasks {
        let (ok, failed, latencies) = task.await??;
        report.ok += ok;
        report.failed += failed;
        report.latencies_us.extend(latencies);
    }
    report.latencies_us.sort_unstable();
    Ok(report)
}
