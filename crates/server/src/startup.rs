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
use store::{SqlStore, Store};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

/// A built application: connected, migrated and listening, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    store: SqlStore,
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
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let state = AppState {
            store: Arc::new(store.clone()) as Arc<dyn Store>,
            clock,
            login_limiter: Arc::new(LoginLimiter::new(settings.login_attempts_per_15_minutes)),
            settings: Arc::new(settings),
            metrics: metrics::Metrics::default(),
        };
        Ok(Self {
            listener,
            router: router(state),
            store,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        self.store.close().await;
        Ok(())
    }
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
