//! `serve`: run the application until SIGTERM or Ctrl-C.

use server::Application;
use server::config::Settings;
use store::OperationsStore;

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let store = super::open_store(&settings).await?;
    let no_users = store.counts().await?.users == 0;
    store.close().await;
    if no_users {
        println!("No staff accounts exist yet. Create the first administrator with:");
        println!(
            "  perfect-service admin create --email you@example.com --name \"Your Name\" --password-stdin"
        );
    }
    run(settings).await
}

/// Builds the application and serves it, printing where.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    let shutdown = server::startup::shutdown_signal();
    let address = application.local_addr()?;
    println!("Perfect Service is listening on http://{address}");
    tracing::info!(%address, "listening");
    application.run_until(shutdown).await
}
