//! `demo`: build a demo organization in a fresh database, print a login, then serve.

use crate::cli::DemoArgs;
use anyhow::Context;
use domain::Password;
use server::config::Settings;
use server::security::{hash_password, random_token};
use store::{OperationsStore, Store};

pub async fn demo(settings: Settings, args: &DemoArgs) -> anyhow::Result<()> {
    let store = super::open_store(&settings).await?;
    let counts = store.counts().await?;
    if counts != store::Counts::default() {
        anyhow::bail!(
            "the database {} is not empty; demo only builds into a fresh database (use --database-url sqlite://demo.db)",
            store::redact_url(&settings.database_url)
        );
    }
    let password_text = random_token(12);
    let password = Password::parse(&password_text).context("generated password too short")?;
    let options = demo::DemoOptions {
        seed: args.seed,
        now: jiff::Timestamp::now(),
        staff_password_hash: hash_password(&password)?,
    };
    println!("Building the demo organization (seed {})…", args.seed);
    let started = std::time::Instant::now();
    let summary = demo::build(&store as &dyn Store, &options).await?;
    let actor = store::Actor::System {
        label: "demo".into(),
    };
    let loaded_in = started.elapsed();
    let history =
        demo::recovery::replay(&store as &dyn Store, &actor, args.seed, options.now).await?;
    let replayed_in = started.elapsed() - loaded_in;
    let problems = demo::problems::create(&store as &dyn Store, &actor, options.now).await?;
    let world = demo::plan(args.seed, options.now)?;
    let events = demo::standards::create(&store as &dyn Store, &actor, &world, options.now).await?;
    let mut improvement = server::improvement::settings::ImprovementSettings::default();
    for (driver, effort) in demo::problems::DRIVER_EFFORTS {
        improvement
            .driver_efforts
            .insert((*driver).to_owned(), *effort);
    }
    server::improvement::settings::save(&store as &dyn Store, &actor, &improvement).await?;
    store.close().await;
    println!(
        "Built in {:.1} s: {} teams, {} staff, {} customers, {} touchpoints, {} transactions.",
        loaded_in.as_secs_f64(),
        summary.teams,
        summary.staff,
        summary.customers,
        summary.touchpoints,
        summary.transactions
    );
    println!("{}", summary.knowledge());
    println!(
        "Recovery history replayed in {:.1} s: {} alerts, {} trend alerts from the early \
         warning, {} cases ({} resolved, {} recovered by the customer's own account), {} escalations.",
        replayed_in.as_secs_f64(),
        history.alerts,
        history.trend_alerts,
        history.cases,
        history.resolved,
        history.recovered,
        history.escalations
    );
    println!("{problems} systemic problems, one of them solved; driver effort estimates set.");
    println!("3 performance standards measured on {events} operational events.");
    let host = settings.bind;
    println!();
    println!("Open http://{host}/ and log in:");
    println!("  e-mail:   {}", summary.login_email);
    println!("  password: {password_text}");
    println!("(Every demo staff account has this password; it was generated for this database.)");
    if args.no_serve {
        return Ok(());
    }
    super::serve::run(server::Application::build(settings).await?).await
}
