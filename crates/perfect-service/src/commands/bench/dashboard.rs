//! `bench dashboard`: loads N synthetic responses over the last twelve months through the bulk
//! path (with their rollups), starts the server on that database and measures the server time
//! of the whole-organization overview for twelve months and of a team's drill-down, over
//! loopback with a keep-alive client. Targets at 10,000,000 responses: overview p95 < 100 ms,
//! team drill-down p95 < 50 ms.

use anyhow::Context;
use domain::access::TeamKind;
use domain::{ApiScopes, Email, ExternalId, Key, Name, Role};
use jiff::{SignedDuration, Timestamp};
use server::Application;
use server::config::Settings;
use server::security::generate_api_key;
use std::time::{Duration, Instant};
use store::{
    Actor, ApiKeyStore, BulkLoad, BulkResponse, CustomerInput, CustomerStore, NewApiKey, NewTeam,
    NewTouchpoint, NewUser, OperationsStore, TeamStore, TouchpointStore, UserStore,
};

const TEAMS: usize = 20;
pub(super) const TOUCHPOINTS_PER_TEAM: usize = 2;
pub(super) const STAFF_PER_TEAM: usize = 20;
const CUSTOMERS: usize = 5_000;
/// Responses per bulk transaction.
const BATCH: usize = 50_000;
const SAMPLES: usize = 40;
pub(super) const SEGMENTS: [&str; 4] = ["enterprise", "mid-market", "small-business", "consumer"];
const SOURCES: [&str; 3] = ["survey_page", "phone_interview", "kiosk"];
const COMMENTS: [(&str, f64, &[&str]); 4] = [
    (
        "Waited 40 minutes on hold, very frustrating",
        -0.6,
        &["waiting_time"],
    ),
    ("Friendly and quick, thank you", 0.7, &["staff_attitude"]),
    ("The invoice was wrong again", -0.4, &["billing"]),
    ("Fine", 0.2, &[]),
];

/// A small deterministic generator, so every run loads the same data.
pub(super) struct Lcg(pub(super) u64);

impl Lcg {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Ids created by the set-up.
pub(super) struct World {
    pub(super) teams: Vec<i64>,
    /// Per team, its touchpoints and staff.
    pub(super) touchpoints: Vec<Vec<i64>>,
    pub(super) staff: Vec<Vec<i64>>,
    pub(super) customers: Vec<(i64, usize)>,
}

pub async fn dashboard(
    mut settings: Settings,
    use_configured_database: bool,
    responses: usize,
) -> anyhow::Result<()> {
    let scratch = tempfile::tempdir().context("cannot create a scratch folder")?;
    if !use_configured_database {
        settings.database_url = format!("sqlite://{}", scratch.path().join("bench.db").display());
    }
    settings.bind = "127.0.0.1:0".parse()?;
    let store = super::super::open_store(&settings).await?;
    if store.counts().await?.customers > 0 {
        anyhow::bail!("the benchmark needs an empty database");
    }
    println!(
        "Loading {responses} responses into {}…",
        store::redact_url(&settings.database_url)
    );
    let world = set_up(&store).await?;
    let loading = Instant::now();
    let now = Timestamp::now();
    let mut rng = Lcg(20_261_202);
    let mut loaded = 0;
    while loaded < responses {
        let size = BATCH.min(responses - loaded);
        let batch: Vec<BulkResponse> = (0..size)
            .map(|i| synthetic(&world, &mut rng, now, loaded + i, responses))
            .collect();
        store.bulk_insert_responses(&batch).await?;
        loaded += size;
        if loaded % 1_000_000 < BATCH {
            println!(
                "  {loaded} loaded ({:.0} s)",
                loading.elapsed().as_secs_f64()
            );
        }
    }
    let load_seconds = loading.elapsed().as_secs_f64();
    println!(
        "loaded {responses} responses with their rollups in {load_seconds:.1} s ({:.0} responses/s)",
        responses as f64 / load_seconds.max(0.001)
    );
    if store.backend() == store::Backend::Postgres {
        // What autovacuum does soon after a bulk load: the planner's statistics of the new rows.
        store.execute_raw("ANALYZE").await?;
    }
    let serving = Serving::start(&settings, store).await?;
    let (address, generated) = (serving.address, &serving.key);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let year_ago = (now - SignedDuration::from_hours(24 * 364))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let period = format!("from={year_ago}&to={today}");
    let measurements = [
        (
            "whole-organization overview, 12 months",
            format!("/api/v1/dashboard?{period}"),
            100.0,
        ),
        (
            "team drill-down, 12 months",
            format!("/api/v1/dashboard?{period}&team=team-3"),
            50.0,
        ),
        (
            "touchpoint drill-down, 12 months",
            format!("/api/v1/dashboard?{period}&touchpoint=team-3-desk"),
            50.0,
        ),
        (
            "staff drill-down, 90 days",
            format!("/api/v1/dashboard?staff={}", world.staff[3][0]),
            50.0,
        ),
    ];
    for (name, path, target) in measurements {
        let url = format!("http://{address}{path}");
        let mut times = Vec::with_capacity(SAMPLES);
        for sample in 0..SAMPLES + 3 {
            let started = Instant::now();
            let response = client.get(&url).bearer_auth(generated).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            let elapsed = started.elapsed();
            if !status.is_success() {
                anyhow::bail!("{path}: {status}: {}", String::from_utf8_lossy(&body));
            }
            if sample >= 3 {
                times.push(elapsed);
            }
        }
        times.sort();
        let p50 = millis(times[times.len() / 2]);
        let p95 = millis(times[(times.len() * 95 / 100).min(times.len() - 1)]);
        let verdict = if p95 < target { "meets" } else { "MISSES" };
        println!("{name}: p50 {p50:.1} ms, p95 {p95:.1} ms ({verdict} the {target:.0} ms target)");
    }
    serving.stop().await
}

/// The server under measurement, started on the loaded database with a read-only API key.
pub(super) struct Serving {
    pub(super) address: std::net::SocketAddr,
    /// The key's full secret, to send as a bearer token.
    pub(super) key: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Serving {
    /// Creates the key, closes `store` and starts the server on its database.
    pub(super) async fn start(settings: &Settings, store: store::SqlStore) -> anyhow::Result<Self> {
        let generated = generate_api_key();
        let key = NewApiKey {
            name: Name::parse("name", "bench")?,
            prefix: generated.prefix,
            secret_hash: generated.hash,
            scopes: ApiScopes::parse("read")?,
        };
        store.create_api_key(&actor(), key).await?;
        store.close().await;
        let application = Application::build(settings.clone()).await?;
        let address = application.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            address,
            key: generated.full,
            stop,
            server,
        })
    }

    pub(super) async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await.context("the server task failed")??;
        Ok(())
    }
}

pub(super) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

pub(super) fn actor() -> Actor {
    Actor::System {
        label: "bench".into(),
    }
}

pub(super) async fn set_up(store: &store::SqlStore) -> anyhow::Result<World> {
    let mut world = World {
        teams: Vec::new(),
        touchpoints: Vec::new(),
        staff: Vec::new(),
        customers: Vec::new(),
    };
    for t in 0..TEAMS {
        let key = format!("team-{t}");
        let team = NewTeam {
            key: Key::parse("key", &key)?,
            name: Name::parse("name", &format!("Team {t}"))?,
            kind: TeamKind::Client,
            description: None,
        };
        let team = store.create_team(&actor(), team).await?;
        world.teams.push(team.id.0);
        let mut touchpoints = Vec::new();
        for (i, kind) in ["desk", "phone"]
            .iter()
            .enumerate()
            .take(TOUCHPOINTS_PER_TEAM)
        {
            let touchpoint = NewTouchpoint {
                key: Key::parse("key", &format!("{key}-{kind}"))?,
                name: Name::parse("name", &format!("Team {t} {kind} {i}"))?,
                description: None,
                team: Some(Key::parse("key", &key)?),
            };
            touchpoints.push(store.create_touchpoint(&actor(), touchpoint).await?.id.0);
        }
        world.touchpoints.push(touchpoints);
        let mut staff = Vec::new();
        for s in 0..STAFF_PER_TEAM {
            let user = NewUser {
                email: Email::parse("email", &format!("staff-{t}-{s}@bench.example"))?,
                name: Name::parse("name", &format!("Staff {t}-{s}"))?,
                role: Role::Member,
                external_id: Some(ExternalId::parse("id", &format!("S-{t}-{s}"))?),
                password_hash: None,
                teams: vec![team.id],
            };
            staff.push(store.create_user(&actor(), user).await?.id.0);
        }
        world.staff.push(staff);
    }
    for c in 0..CUSTOMERS {
        let mut customer = CustomerInput::reference(ExternalId::parse("id", &format!("C-{c}"))?);
        let segment = c % SEGMENTS.len();
        customer.segment = Some(SEGMENTS[segment].into());
        let stored = store.upsert_customer(&actor(), customer).await?;
        world.customers.push((stored.record.id.0, segment));
    }
    Ok(world)
}

/// The `i`-th of `total` responses, spread evenly over the last 365 days.
fn synthetic(world: &World, rng: &mut Lcg, now: Timestamp, i: usize, total: usize) -> BulkResponse {
    let team = rng.below(world.teams.len());
    let (customer, segment) = world.customers[rng.below(world.customers.len())];
    let age =
        SignedDuration::from_secs((365 * 86_400) as i64 * (total - i) as i64 / total.max(1) as i64);
    let csat = 1 + (rng.below(5) + rng.below(5) + 2).min(8) as i64 / 2;
    let comment = (rng.below(4) == 0).then(|| COMMENTS[rng.below(COMMENTS.len())]);
    BulkResponse {
        customer,
        touchpoint: world.touchpoints[team][rng.below(TOUCHPOINTS_PER_TEAM)],
        team: Some(world.teams[team]),
        staff: Some(world.staff[team][rng.below(STAFF_PER_TEAM)]),
        source: SOURCES[rng.below(SOURCES.len())],
        segment: Some(SEGMENTS[segment]),
        responded_at: now - age,
        csat: Some(csat.clamp(1, 5)),
        nps: (rng.below(3) > 0).then(|| rng.below(11) as i64),
        ces: (rng.below(4) == 0).then(|| 1 + rng.below(7) as i64),
        comment: comment.map(|c| c.0),
        sentiment: comment.map(|c| c.1),
        themes: comment.map_or(&[], |c| c.2),
        ratings: Vec::new(),
    }
}
