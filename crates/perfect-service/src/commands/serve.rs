//! `serve`: run the application until SIGTERM or Ctrl-C.

use server::Application;
use server::config::Settings;
use store::OperationsStore;

pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    if application.store().counts().await?.users == 0 {
        println!("No staff accounts exist yet. Create the first administrator with:");
        println!(
            "  perfect-service admin create --email you@example.com --name \"Your Name\" --password-stdin"
        );
    }
    run(application).await
}

/// Serves a built application, printing where.
pub async fn run(application: Application) -> anyhow::Result<()> {
    let shutdown = server::startup::shutdown_signal();
    let address = application.local_addr()?;
    println!("Perfect Service is listening on http://{address}");
    tracing::info!(%address, "listening");
    application.run_until(shutdown).await
}
