//! Building and running the application: connect, migrate, bind, serve until shutdown.

use crate::config::Settings;
use crate::http::{headers, metrics, request_id};
use crate::state::{AppState, Clock, LoginLimiter, SystemClock};
use crate::{api, fallback, ops, web};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use store::{SettingsStore, SqlStore, Store};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

/// A built application: connected, migrated and listening, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    store: SqlStore,
    state: AppState,
}

impl Application {
    /// Connects to the database, runs migrations and binds the listener (port 0 picks one).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        let store = open_store(&settings).await?;
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        // The real port when bound to port 0, so that links made from `bind` work.
        let mut settings = settings;
        settings.bind = listener.local_addr().unwrap_or(settings.bind);
        let mailer = crate::mail::SmtpMailer::from_settings(&settings)?
            .map(|m| Arc::new(m) as Arc<dyn crate::mail::Mailer>);
        let link_secret = store
            .link_secret()
            .await
            .context("cannot read the link secret")?;
        let analyzer = crate::knowledge::analyzer::Analyzer::default();
        analyzer
            .refresh(&store)
            .await
            .context("cannot load the comment taxonomy")?;
        let state = AppState {
            analyzer,
            link_secret: Arc::new(link_secret),
            store: Arc::new(store.clone()) as Arc<dyn Store>,
            clock,
            login_limiter: Arc::new(LoginLimiter::new(settings.login_attempts_per_15_minutes)),
            settings: Arc::new(settings),
            metrics: metrics::Metrics::default(),
            mailer,
            wake: crate::workers::Wakeups::default(),
        };
        Ok(Self {
            listener,
            router: router(state.clone()),
            store,
            state,
        })
    }

    /// The application's store, e.g. to report on it before serving.
    pub fn store(&self) -> &SqlStore {
        &self.store
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves, with the background workers beside, until `shutdown` completes; then finishes
    /// in-flight requests and jobs and closes the pool. Workers that stop on their own are an
    /// error: the server shuts down too, so that a supervisor restarts the whole.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let stop = Arc::new(stop);
        let on_signal = Arc::clone(&stop);
        tokio::spawn(async move {
            shutdown.await;
            on_signal.send_replace(true);
        });
        let mut workers = crate::workers::spawn(self.state.clone(), stopping.clone());
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let mut server_stopping = stopping;
        let server = axum::serve(self.listener, service).with_graceful_shutdown(async move {
            let _ = server_stopping.wait_for(|s| *s).await;
        });
        let mut server = std::pin::pin!(server.into_future());
        let result = tokio::select! {
            served = &mut server => {
                stop.send_replace(true);
                if let Err(error) = workers.await {
                    tracing::error!(%error, "the background workers failed while stopping");
                }
                served.map_err(anyhow::Error::from)
            }
            exited = &mut workers => {
                if *stop.borrow() {
                    // Stopping as asked, ahead of the server's last requests.
                    server.await.map_err(anyhow::Error::from)
                } else {
                    let why = exited.err().map_or("returned".into(), |e| e.to_string());
                    tracing::error!(why, "the background workers stopped; shutting down");
                    stop.send_replace(true);
                    server.await?;
                    Err(anyhow::anyhow!("the background workers stopped ({why})"))
                }
            }
        };
        self.store.close().await;
        result
    }
}

/// Opens the configured database and applies pending migrations.
pub async fn open_store(settings: &Settings) -> anyhow::Result<SqlStore> {
    use anyhow::Context;
    let store = SqlStore::connect(&settings.database_url, settings.database_max_connections)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                store::redact_url(&settings.database_url)
            )
        })?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// The whole HTTP surface: API, console, operations, with the shared middleware.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router(state.clone());
    let openapi = Arc::new(openapi);
    let tls = state.settings.uses_tls();
    Router::new()
        .merge(api_router)
        .merge(api::docs::router(openapi))
        .merge(web::router(state.clone()))
        .merge(crate::public::router())
        .merge(ops::router())
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::middleware,
        ))
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .layer(CatchPanicLayer::custom(web::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            tls,
            headers::middleware,
        ))
        .layer(axum::middleware::from_fn(request_id::middleware))
        .with_state(state)
}

/// Completes on SIGTERM or Ctrl-C. The SIGTERM handler is installed when this is called, so
/// call it before announcing that the server is ready.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(not(unix))]
    let terminate: Option<()> = None;
    async move {
        let terminate = async move {
            #[cfg(unix)]
            if let Some(mut signal) = terminate {
                signal.recv().await;
                return;
            }
            let _ = terminate;
            std::future::pending::<()>().await
        };
        let ctrl_c = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = ctrl_c => {},
            () = terminate => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}
