//! `bench ingest`: the sustained rate and latency of `POST /api/v1/responses` on this machine,
//! measured end to end over loopback with keep-alive clients.

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
    mut settings: Settings,
    use_configured_database: bool,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
    let scratch = tempfile::tempdir().context("cannot create a scratch folder")?;
    if !use_configured_database {
        settings.database_url = format!("sqlite://{}", scratch.path().join("bench.db").display());
    }
    settings.bind = "127.0.0.1:0".parse()?;
    settings.database_max_connections = settings.database_max_connections.max(16);
    let key = prepare(&settings).await?;
    let application = Application::build(settings.clone()).await?;
    let address = format!("http://{}", application.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    println!(
        "Driving POST /api/v1/responses on {} with {connections} keep-alive connections for {seconds} s…",
        store::redact_url(&settings.database_url)
    );
    let report = drive(
        &address,
        &key,
        connections.max(1),
        Duration::from_secs(seconds.max(1)),
    )
    .await?;
    report.print();
    let _ = stop.send(());
    server.await.context("the server task failed")??;
    Ok(())
}

/// A fresh organization with one surveyed touchpoint, customers and an ingest key.
async fn prepare(settings: &Settings) -> anyhow::Result<String> {
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
    let generated = generate_api_key();
    let key = NewApiKey {
        name: Name::parse("name", "bench")?,
        prefix: generated.prefix,
        secret_hash: generated.hash,
        scopes: ApiScopes::parse("ingest")?,
    };
    store.create_api_key(&actor, key).await?;
    store.close().await;
    Ok(generated.full)
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

/// Pre-serialised requests, one per customer and answer mix, so that the client does as
/// little work as possible: the machine's two cores are shared with the server.
fn requests(host: &str, key: &str) -> Vec<Vec<u8>> {
    (0..CUSTOMERS)
        .map(|n| {
            let body = serde_json::json!({
                "customer": {"external_id": format!("C-{n}")},
                "touchpoint": "phone-support",
                "source": "kiosk",
                "answers": {"csat": 1 + n % 5, "nps": n % 11, "comment": COMMENTS[n % COMMENTS.len()]},
            })
            .to_string();
            format!(
                "POST /api/v1/responses HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        })
        .collect()
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

async fn drive(
    address: &str,
    key: &str,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Report> {
    let host = address.trim_start_matches("http://").to_owned();
    let requests = std::sync::Arc::new(requests(&host, key));
    let warm_up = Instant::now() + Duration::from_secs(1);
    let end = warm_up + duration;
    let mut tasks = Vec::with_capacity(connections);
    for worker in 0..connections {
        let (host, requests) = (host.clone(), requests.clone());
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
        elapsed: duration,
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
