//! The one way tests start the application: the real server on 127.0.0.1:0 against a fresh
//! SQLite file, or a fresh PostgreSQL database when `PERFECT_SERVICE_TEST_POSTGRES_URL` is set.

use domain::{ApiScopes, Email, Name, Password, Role};
use server::Application;
use server::config::{self, Layer};
use server::security::{generate_api_key, hash_password};
use store::test_support::TestDatabase;
use store::{Actor, ApiKeyStore, NewApiKey, NewUser, SqlStore, UserStore};

/// Runs each listed `async fn(TestApp)` once on SQLite and once on PostgreSQL; with
/// `backend:` first, each `async fn(Backend)`, which starts its own app (`spawn_app_with`).
macro_rules! on_both_backends {
    (backend: $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::helpers::Backend::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::helpers::Backend::Postgres).await
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await.expect("sqlite app")).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                    super::$name(app).await
                }
            })*
        }
    };
}
pub(crate) use on_both_backends;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub store: SqlStore,
    /// A client without cookies, for the API.
    pub api: reqwest::Client,
    /// An API key with every scope.
    pub admin_key: String,
    #[allow(dead_code)]
    pub backend: Backend,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _database: TestDatabase,
}

/// The body limit of test servers: small, so that an oversized body is sent whole before the
/// server answers 413 (a huge one would be cut off mid-upload, as with any HTTP server).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Starts the application; `None` only for PostgreSQL when no server is configured and
/// skipping is allowed (it is not in CI: `PERFECT_SERVICE_TEST_REQUIRE_ALL` makes it a failure).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// `spawn_app` with extra settings applied on top of the test defaults.
pub async fn spawn_app_with(
    backend: Backend,
    settings: impl FnOnce(&mut Layer),
) -> Option<TestApp> {
    let clock = std::sync::Arc::new(server::state::SystemClock);
    spawn_configured(backend, clock, |layer| {
        layer.login_attempts_per_15_minutes = Some(5);
        settings(layer);
    })
    .await
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

pub fn system() -> Actor {
    Actor::System {
        label: "test".into(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A new API key with the given comma-separated scopes.
    pub async fn api_key(&self, scopes: &str) -> String {
        let generated = generate_api_key();
        let key = NewApiKey {
            name: Name::parse("name", &format!("test {scopes}")).expect("name"),
            prefix: generated.prefix,
            secret_hash: generated.hash,
            scopes: ApiScopes::parse(scopes).expect("scopes"),
        };
        self.store
            .create_api_key(&system(), key)
            .await
            .expect("api key");
        generated.full
    }

    pub async fn get(&self, path: &str, key: &str) -> reqwest::Response {
        self.api
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(
        &self,
        path: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.api
            .post(self.url(path))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_json(
        &self,
        path: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.api
            .patch(self.url(path))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_json(
        &self,
        path: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.api
            .put(self.url(path))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str, key: &str) -> reqwest::Response {
        self.api
            .delete(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .expect("request")
    }

    /// POSTs a team with the admin key and asserts it was created.
    pub async fn create_team(&self, key: &str, kind: &str) {
        let body = serde_json::json!({"key": key, "name": format!("Team {key}"), "kind": kind});
        let response = self
            .post_json("/api/v1/teams", &self.admin_key, &body)
            .await;
        assert_eq!(
            response.status(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }

    pub async fn create_touchpoint(&self, key: &str, team: &str) {
        let body =
            serde_json::json!({"key": key, "name": format!("Touchpoint {key}"), "team": team});
        let response = self
            .post_json("/api/v1/touchpoints", &self.admin_key, &body)
            .await;
        assert_eq!(
            response.status(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }

    /// A staff user who can log in; returns their e-mail and password.
    pub async fn create_staff(
        &self,
        role: Role,
        email: &str,
        external_id: Option<&str>,
    ) -> (String, String) {
        let password = "a long enough password".to_owned();
        let user = NewUser {
            email: Email::parse("email", email).expect("email"),
            name: Name::parse("name", &format!("{role} user")).expect("name"),
            role,
            external_id: external_id.map(|e| domain::ExternalId::parse("id", e).expect("id")),
            password_hash: Some(
                hash_password(&Password::parse(&password).expect("password")).expect("hash"),
            ),
            teams: Vec::new(),
        };
        self.store.create_user(&system(), user).await.expect("user");
        (email.to_owned(), password)
    }

    /// A browser-like client (with cookies) logged in as a new user with `role`.
    pub async fn logged_in(&self, role: Role) -> Browser {
        let email = format!("{}@example.com", role.as_str());
        let (email, password) = self.create_staff(role, &email, None).await;
        let browser = self.browser();
        let response = browser.login(&email, &password).await;
        assert_eq!(response.status(), 200, "login should land on a page");
        assert!(response.url().path() != "/login", "login failed");
        browser
    }

    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        Browser {
            client,
            address: self.address.clone(),
        }
    }
}

/// A cookie-keeping client that talks to the console like a browser.
pub struct Browser {
    pub client: reqwest::Client,
    address: String,
}

/// The value of the first hidden `csrf` input of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a csrf field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        let (_, page) = self.get_html("/login").await;
        let form = [
            ("csrf", csrf_of(&page)),
            ("next", "/".into()),
            ("email", email.into()),
            ("password", password.into()),
        ];
        self.client
            .post(self.url("/login"))
            .form(&form)
            .send()
            .await
            .expect("login")
    }

    /// Posts a form from `page_path` (its CSRF token is added).
    pub async fn submit(
        &self,
        page_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (_, page) = self.get_html(page_path).await;
        let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf_of(&page))];
        form.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self.client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .expect("post")
    }
}

/// A clock the test moves forward, for SLA, escalation and retry behaviour without sleeping:
/// real time plus the sum of the test's advances (records stamped with the real time by the
/// database layer stay in the past of the clock).
pub struct ManualClock {
    offset: std::sync::Mutex<jiff::SignedDuration>,
}

impl ManualClock {
    pub fn starting_now() -> std::sync::Arc<ManualClock> {
        std::sync::Arc::new(ManualClock {
            offset: std::sync::Mutex::new(jiff::SignedDuration::ZERO),
        })
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        let mut offset = self.offset.lock().expect("clock");
        *offset += by;
    }
}

impl server::state::Clock for ManualClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now() + *self.offset.lock().expect("clock")
    }
}

/// `spawn_app_with` on a clock of the test's, with workers polling every 20 ms.
pub async fn spawn_app_with_clock(
    backend: Backend,
    clock: std::sync::Arc<ManualClock>,
) -> Option<TestApp> {
    spawn_configured(backend, clock, |layer| layer.worker_poll_ms = Some(20)).await
}

async fn spawn_configured(
    backend: Backend,
    clock: std::sync::Arc<dyn server::state::Clock>,
    settings: impl FnOnce(&mut Layer),
) -> Option<TestApp> {
    let database = match backend {
        Backend::Sqlite => TestDatabase::sqlite().expect("temporary SQLite database"),
        Backend::Postgres => TestDatabase::postgres()
            .await
            .expect("test PostgreSQL database")?,
    };
    let mut flags = Layer {
        bind: Some("127.0.0.1:0".into()),
        database_url: Some(database.url.clone()),
        max_body_bytes: Some(MAX_BODY_BYTES),
        ..Layer::default()
    };
    settings(&mut flags);
    let settings = config::resolve(None, &|_| None, flags).expect("settings");
    if std::env::var("TEST_LOG").is_ok() {
        server::telemetry::init(settings.log_format, "debug");
    }
    let application = Application::build_with_clock(settings.clone(), clock)
        .await
        .expect("application builds");
    let address = format!("http://{}", application.local_addr().expect("address"));
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let store = SqlStore::connect(&settings.database_url, 2)
        .await
        .expect("test store");
    let generated = generate_api_key();
    let key = NewApiKey {
        name: Name::parse("name", "test admin").expect("name"),
        prefix: generated.prefix,
        secret_hash: generated.hash,
        scopes: ApiScopes::parse("admin").expect("scopes"),
    };
    store
        .create_api_key(&system(), key)
        .await
        .expect("admin key");
    Some(TestApp {
        address,
        store,
        api: reqwest::Client::new(),
        admin_key: generated.full,
        backend,
        shutdown: Some(shutdown),
        _database: database,
    })
}

/// A second application instance on the same database as `app` (for scale-out tests), with
/// its own address; it stops when dropped.
pub struct Instance {
    pub address: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl TestApp {
    pub async fn second_instance(
        &self,
        database_url: &str,
        settings: impl FnOnce(&mut Layer),
    ) -> Instance {
        let mut flags = Layer {
            bind: Some("127.0.0.1:0".into()),
            database_url: Some(database_url.to_owned()),
            max_body_bytes: Some(MAX_BODY_BYTES),
            worker_poll_ms: Some(20),
            ..Layer::default()
        };
        settings(&mut flags);
        let settings = config::resolve(None, &|_| None, flags).expect("settings");
        let application = Application::build(settings)
            .await
            .expect("second instance builds");
        let address = format!("http://{}", application.local_addr().expect("address"));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Instance {
            address,
            shutdown: Some(shutdown),
        }
    }

    pub fn database_url(&self) -> String {
        self._database.url.clone()
    }
}

/// Polls `check` every 20 ms until it returns `Some`, for at most 15 seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
