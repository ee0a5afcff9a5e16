//! `bench drivers`: loads N synthetic responses with twelve attribute ratings over the last
//! twelve months through the bulk path (with their rollups), then measures key driver analysis
//! of the whole organization over those twelve months: in process (reading the moments and
//! the exact Shapley analysis with its bootstrap) and as the server answers
//! `GET /api/v1/drivers` over loopback. Target at 1,000,000 responses: under 2 s.

use super::dashboard::{Lcg, SEGMENTS, Serving, World, millis, set_up};
use anyhow::Context;
use domain::improvement::drivers::{DriverAnalysis, DriverSettings, analyse};
use domain::improvement::moments::CSAT;
use jiff::{SignedDuration, Timestamp};
use server::config::Settings;
use std::time::Instant;
use store::{BulkLoad, BulkResponse, DriverFilter, DriverStore};

/// The twelve drivers, with how much each weighs in overall satisfaction.
const DRIVERS: [(&str, f64); 12] = [
    ("timeliness", 0.30),
    ("courtesy", 0.12),
    ("accuracy", 0.18),
    ("communication", 0.25),
    ("quality_of_work", 0.15),
    ("price", 0.04),
    ("cleanliness", 0.05),
    ("availability", 0.10),
    ("expertise", 0.12),
    ("follow_through", 0.08),
    ("billing_clarity", 0.06),
    ("ease_of_booking", 0.07),
];
const BATCH: usize = 50_000;
const SAMPLES: usize = 10;
const TARGET_MS: f64 = 2_000.0;

pub async fn drivers(
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
    if store::OperationsStore::counts(&store).await?.customers > 0 {
        anyhow::bail!("the benchmark needs an empty database");
    }
    println!(
        "Loading {responses} responses with {} ratings each into {}…",
        DRIVERS.len(),
        store::redact_url(&settings.database_url)
    );
    let world = set_up(&store).await?;
    let loading = Instant::now();
    let now = Timestamp::now();
    let mut rng = Lcg(20_261_203);
    let mut loaded = 0;
    while loaded < responses {
        let size = BATCH.min(responses - loaded);
        let batch: Vec<BulkResponse> = (0..size)
            .map(|i| synthetic(&world, &mut rng, now, loaded + i, responses))
            .collect();
        store.bulk_insert_responses(&batch).await?;
        loaded += size;
    }
    println!("loaded in {:.1} s", loading.elapsed().as_secs_f64());
    if store.backend() == store::Backend::Postgres {
        store.execute_raw("ANALYZE").await?;
    }

    let zone = jiff::tz::TimeZone::UTC;
    let month = |at: Timestamp| {
        domain::dashboard::days::month_of_day(domain::dashboard::days::local_day(at, &zone))
    };
    let filter = DriverFilter {
        from_month: month(now - SignedDuration::from_hours(24 * 364)),
        to_month: month(now),
        ..DriverFilter::default()
    };
    let drivers: Vec<String> = DRIVERS.iter().map(|(k, _)| (*k).to_owned()).collect();
    let mut in_process = Vec::with_capacity(SAMPLES);
    let mut used = 0;
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let moments = store.driver_moments(&filter).await?;
        let analysis = analyse(&moments, CSAT, &drivers, &DriverSettings::default());
        in_process.push(started.elapsed());
        if let DriverAnalysis::Done(result) = analysis {
            used = result.responses;
        }
    }
    report(
        "in process: moments read + exact Shapley with bootstrap",
        &mut in_process,
    );
    println!("  responses used: {used}");

    let serving = Serving::start(&settings, store).await?;
    let address = serving.address;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()?;
    let from = now - SignedDuration::from_hours(24 * 364);
    let as_month = |at: Timestamp| at.to_zoned(zone.clone()).strftime("%Y-%m").to_string();
    let url = format!(
        "http://{address}/api/v1/drivers?outcome=csat&from={}&to={}",
        as_month(from),
        as_month(now)
    );
    let mut over_http = Vec::with_capacity(SAMPLES);
    for sample in 0..SAMPLES + 1 {
        let started = Instant::now();
        let response = client.get(&url).bearer_auth(&serving.key).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            anyhow::bail!("{url}: {status}: {}", String::from_utf8_lossy(&body));
        }
        if sample > 0 {
            over_http.push(started.elapsed());
        }
    }
    report(
        "GET /api/v1/drivers, 12 months, whole organization",
        &mut over_http,
    );
    serving.stop().await
}

fn report(name: &str, times: &mut [std::time::Duration]) {
    times.sort();
    let Some(worst) = times.last() else { return };
    let median = millis(times[times.len() / 2]);
    let worst = millis(*worst);
    let verdict = if worst < TARGET_MS { "meets" } else { "MISSES" };
    println!(
        "{name}: median {median:.0} ms, worst {worst:.0} ms ({verdict} the {TARGET_MS:.0} ms target)"
    );
}

/// A rough standard normal draw (the sum of four uniforms, rescaled).
fn normal(rng: &mut Lcg) -> f64 {
    let sum: f64 = (0..4)
        .map(|_| (rng.next() % 10_000) as f64 / 10_000.0)
        .sum();
    (sum - 2.0) * (3.0f64).sqrt()
}

fn rating(latent: f64) -> i64 {
    (3.6 + latent).round().clamp(1.0, 5.0) as i64
}

/// The `i`-th of `total` responses: a shared "how it went" factor and a latent experience per
/// driver; overall satisfaction is their weighted sum plus noise.
fn synthetic(world: &World, rng: &mut Lcg, now: Timestamp, i: usize, total: usize) -> BulkResponse {
    let team = rng.below(world.teams.len());
    let (customer, segment) = world.customers[rng.below(world.customers.len())];
    let age =
        SignedDuration::from_secs((365 * 86_400) as i64 * (total - i) as i64 / total.max(1) as i64);
    let shared = normal(rng);
    let mut overall = 0.0;
    let mut ratings = Vec::with_capacity(DRIVERS.len());
    for (key, weight) in DRIVERS {
        let latent = 0.5 * shared + 0.85 * normal(rng);
        overall += weight * latent;
        // One in ten ratings is skipped, as customers do.
        if rng.below(10) > 0 {
            ratings.push((key, rating(latent)));
        }
    }
    let csat = rating(overall + 0.5 * normal(rng));
    BulkResponse {
        customer,
        touchpoint: world.touchpoints[team][rng.below(world.touchpoints[team].len())],
        team: Some(world.teams[team]),
        staff: None,
        source: "survey_page",
        segment: Some(SEGMENTS[segment]),
        responded_at: now - age,
        csat: Some(csat),
        nps: None,
        ces: None,
        comment: None,
        sentiment: None,
        themes: &[],
        ratings,
    }
}
