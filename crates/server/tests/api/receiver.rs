//! A real HTTP receiver for webhook tests, on 127.0.0.1:0: it records every request and
//! answers 500 to the first `fail_first` of them (or to all while `failing` is set).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::sync::Mutex;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Received>>,
    fail_first: AtomicUsize,
    failing: AtomicBool,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let fail = shared.failing.load(Ordering::SeqCst)
        || shared
            .fail_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
    let status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    };
    shared.requests.lock().await.push(Received {
        headers,
        body,
        answered: status.as_u16(),
    });
    status
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Receiver {
        let shared = Arc::new(Shared::default());
        shared.fail_first.store(fail_first, Ordering::SeqCst);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("receiver listens");
        let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
        let app = Router::new()
            .route("/hooks", post(receive))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, shared }
    }

    pub fn set_failing(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    pub async fn requests(&self) -> Vec<Received> {
        self.shared.requests.lock().await.clone()
    }

    /// The requests that were answered with a success.
    pub async fn delivered(&self) -> Vec<Received> {
        self.requests()
            .await
            .into_iter()
            .filter(|r| r.answered < 300)
            .collect()
    }
}
