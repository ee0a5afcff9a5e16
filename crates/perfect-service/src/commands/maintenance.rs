//! `migrate`, `backup` and `config check`.

use anyhow::Context;
use server::config::Settings;
use store::{Backend, OperationsStore};

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = super::open_store(&settings).await?;
    store.close().await;
    println!(
        "The database {} is up to date.",
        store::redact_url(&settings.database_url)
    );
    Ok(())
}

pub async fn backup(settings: Settings, path: &std::path::Path) -> anyhow::Result<()> {
    if Backend::from_url(&settings.database_url)? == Backend::Postgres {
        anyhow::bail!(
            "`backup` copies SQLite databases only. For PostgreSQL use pg_dump, e.g.\n  \
             pg_dump --format=custom --file=perfect-service.dump \"$PERFECT_SERVICE_DATABASE_URL\""
        );
    }
    let store = super::open_store(&settings).await?;
    store.backup(path).await.context("backup failed")?;
    store.close().await;
    println!("Backed up to {}", path.display());
    Ok(())
}

pub async fn config_check(settings: Settings) -> anyhow::Result<()> {
    println!("Configuration is valid. Effective settings:");
    for (name, value) in settings.describe() {
        println!("  {name:<30} {value}");
    }
    let store = super::open_store(&settings).await?;
    store.ping().await.context("the database does not answer")?;
    store.close().await;
    println!("The database is reachable.");
    Ok(())
}
