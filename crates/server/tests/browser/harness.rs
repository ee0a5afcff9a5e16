//! The browser harness: the real server on 127.0.0.1:0 with a fresh SQLite file, and headless
//! Chromium driven by a chromedriver that each test starts on its own free loopback port with
//! its own profile, so tests run in parallel.

use domain::{Email, Name, Password, Role};
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use server::Application;
use server::config::{self, Layer};
use server::security::hash_password;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use store::{Actor, NewUser, SqlStore, UserStore};

/// How long a step may wait for the page to show what it looks for.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// Chromium's flags. Host resolution fails for everything but loopback, so nothing the page
/// (or the browser itself) asks for can leave the machine.
const CHROME_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/// The browser window, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    /// A 1280×900 window (new headless keeps some of it for emulated browser chrome: the page
    /// gets 1280×757).
    Desktop,
    /// 390×844 with phone emulation (touch, pixel ratio 3, `<meta name=viewport>` honoured).
    Phone,
}

impl Viewport {
    pub fn size(self) -> (u32, u32) {
        match self {
            Viewport::Desktop => (1280, 900),
            Viewport::Phone => (390, 844),
        }
    }
}

/// The application and a browser; `None` when the browser is not installed and skipping is
/// allowed.
pub async fn start(viewport: Viewport) -> Option<(TestApp, Browser)> {
    let tools = Tools::locate()?;
    let app = TestApp::spawn().await;
    let browser = Browser::launch(&tools, &app.address, viewport).await;
    Some((app, browser))
}

pub struct TestApp {
    pub address: String,
    pub store: SqlStore,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn spawn() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let flags = Layer {
            bind: Some("127.0.0.1:0".into()),
            database_url: Some(format!("sqlite://{}", dir.path().join("test.db").display())),
            ..Layer::default()
        };
        let settings = config::resolve(None, &|_| None, flags).expect("settings");
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init(settings.log_format, "debug");
        }
        let application = Application::build(settings.clone())
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
        Self {
            address,
            store,
            shutdown: Some(shutdown),
            _dir: dir,
        }
    }

    /// A staff user who can log in; returns their password.
    pub async fn create_staff(&self, role: Role, email: &str) -> String {
        let password = "a long enough password";
        let user = NewUser {
            email: Email::parse("email", email).expect("email"),
            name: Name::parse("name", &format!("Test {role}")).expect("name"),
            role,
            external_id: None,
            password_hash: Some(
                hash_password(&Password::parse(password).expect("password")).expect("hash"),
            ),
            teams: Vec::new(),
        };
        let system = Actor::System {
            label: "test".into(),
        };
        self.store.create_user(&system, user).await.expect("user");
        password.to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

struct Tools {
    chromedriver: PathBuf,
    chrome: PathBuf,
}

impl Tools {
    fn locate() -> Option<Self> {
        let chromedriver = installed("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chrome = installed("CHROME_BIN", "/usr/bin/chromium");
        match (chromedriver, chrome) {
            (Ok(chromedriver), Ok(chrome)) => Some(Self {
                chromedriver,
                chrome,
            }),
            (chromedriver, chrome) => {
                let missing: Vec<String> = [chromedriver.err(), chrome.err()]
                    .into_iter()
                    .flatten()
                    .collect();
                let reason = missing.join("; ");
                assert!(
                    std::env::var_os("PERFECT_SERVICE_TEST_REQUIRE_ALL").is_none(),
                    "browser test cannot run: {reason}, and PERFECT_SERVICE_TEST_REQUIRE_ALL forbids skipping"
                );
                eprintln!("skipped: browser test, {reason}");
                None
            }
        }
    }
}

fn installed(variable: &str, default: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is not installed (set {variable})",
            path.display()
        ))
    }
}

/// A chromedriver of our own. On drop it is asked to shut down, which also closes the browsers
/// it started; killing it outright would leave Chromium running.
struct Driver {
    process: Child,
    port: u16,
}

impl Driver {
    /// Starts chromedriver on a free loopback port; another port is tried if the one found free
    /// was taken before chromedriver could bind it.
    async fn start(binary: &Path, log: &Path) -> Self {
        for _ in 0..3 {
            let port = free_port();
            let process = Command::new(binary)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            let mut driver = Self { process, port };
            if driver.answers().await {
                return driver;
            }
        }
        let log = std::fs::read_to_string(log).unwrap_or_default();
        let mut start = log.len().saturating_sub(2000);
        while !log.is_char_boundary(start) {
            start += 1;
        }
        let tail = &log[start..];
        panic!("chromedriver did not become ready; the end of its log:\n{tail}");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Polls `/status` until chromedriver is ready, it exits, or about ten seconds pass.
    async fn answers(&mut self) -> bool {
        let client = reqwest::Client::new();
        let status = format!("{}/status", self.url());
        for _ in 0..200 {
            if !self.running() {
                return false;
            }
            if let Ok(response) = client.get(&status).timeout(POLL * 10).send().await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == true
            {
                // Still ours: had the port been taken, our process would have exited.
                return self.running();
            }
            tokio::time::sleep(POLL).await;
        }
        false
    }

    fn running(&mut self) -> bool {
        matches!(self.process.try_wait(), Ok(None))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if self.running() {
            let _ = request_shutdown(self.port);
            for _ in 0..100 {
                if !self.running() {
                    return;
                }
                std::thread::sleep(POLL / 2);
            }
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// chromedriver's `/shutdown`, sent by hand because `Drop` cannot await.
fn request_shutdown(port: u16) -> std::io::Result<()> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    stream.read_to_end(&mut Vec::new())?;
    Ok(())
}

fn capabilities(chrome: &Path, profile: &Path, viewport: Viewport) -> Capabilities {
    let (width, height) = viewport.size();
    let mut args: Vec<String> = CHROME_FLAGS.iter().map(|&flag| flag.to_owned()).collect();
    args.push(format!("--window-size={width},{height}"));
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut options = json!({ "binary": chrome, "args": args });
    if viewport == Viewport::Phone {
        options["mobileEmulation"] = json!({ "deviceMetrics": {
            "width": width, "height": height, "pixelRatio": 3.0, "mobile": true, "touch": true,
        }});
    }
    let mut capabilities = Capabilities::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), options);
    // A hung page fails the step instead of stalling the run for WebDriver's default 300 s.
    capabilities.insert(
        "timeouts".into(),
        json!({ "pageLoad": 30_000, "script": 10_000 }),
    );
    capabilities
}

/// What a step looks for on the page, the way a person would name it.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A button by its text.
    Button(&'a str),
    /// A link by its text.
    Link(&'a str),
    /// A link of the navigation bar by its text.
    NavLink(&'a str),
    /// A form field by its `name`.
    Field(&'a str),
    /// Anything else, by CSS selector.
    Css(&'a str),
}

enum Selector {
    XPath(String),
    Css(String),
}

impl Selector {
    fn locator(&self) -> Locator<'_> {
        match self {
            Selector::XPath(path) => Locator::XPath(path),
            Selector::Css(css) => Locator::Css(css),
        }
    }
}

impl Target<'_> {
    fn selector(&self) -> Selector {
        match self {
            Target::Button(text) => {
                Selector::XPath(format!("//button[normalize-space()='{text}']"))
            }
            Target::Link(text) => Selector::XPath(format!("//a[normalize-space()='{text}']")),
            Target::NavLink(text) => {
                Selector::XPath(format!("//nav//a[normalize-space()='{text}']"))
            }
            Target::Field(name) => Selector::Css(format!("[name='{name}']")),
            Target::Css(css) => Selector::Css((*css).to_owned()),
        }
    }
}

/// One headless Chromium with its own chromedriver and profile, pointed at one application.
pub struct Browser {
    client: Client,
    base: String,
    // Dropped in this order: the driver closes Chromium before its profile is deleted.
    _driver: Driver,
    _dir: tempfile::TempDir,
}

impl Browser {
    async fn launch(tools: &Tools, base: &str, viewport: Viewport) -> Self {
        let dir = tempfile::tempdir().expect("browser tempdir");
        let driver = Driver::start(&tools.chromedriver, &dir.path().join("chromedriver.log")).await;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(
                &tools.chrome,
                &dir.path().join("profile"),
                viewport,
            ))
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("Chromium did not start through chromedriver: {e}"));
        Self {
            client,
            base: base.to_owned(),
            _driver: driver,
            _dir: dir,
        }
    }

    /// Loads a page of the application and waits for it.
    pub async fn open(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// The path of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        url.path().to_owned()
    }

    /// Waits until the page at `path` is shown, as after a click that navigates.
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let shown = self.path().await;
            if shown == path {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "expected to be on {path}, still on {shown}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for `target` to be on the page.
    pub async fn find(&self, target: Target<'_>) -> Element {
        let selector = target.selector();
        let found = self
            .client
            .wait()
            .at_most(STEP_TIMEOUT)
            .every(POLL)
            .for_element(selector.locator())
            .await;
        match found {
            Ok(element) => element,
            Err(e) => panic!("{target:?} is not on {}: {e}", self.path().await),
        }
    }

    pub async fn click(&self, target: Target<'_>) {
        let element = self.find(target).await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {target:?}: {e}"));
    }

    /// Types `value` into the empty field called `name`.
    pub async fn fill(&self, name: &str, value: &str) {
        let field = self.find(Target::Field(name)).await;
        field.clear().await.expect("clear field");
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {name}: {e}"));
    }

    /// Picks the option with `value` in the select called `name`.
    pub async fn choose(&self, name: &str, value: &str) {
        let select = self.find(Target::Field(name)).await;
        select
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("cannot choose {value} in {name}: {e}"));
    }

    /// Whether `target` is on the page and rendered visibly.
    pub async fn is_visible(&self, target: Target<'_>) -> bool {
        let element = self.find(target).await;
        element.is_displayed().await.expect("visibility")
    }

    /// The visible text of `target`.
    pub async fn text(&self, target: Target<'_>) -> String {
        let element = self.find(target).await;
        element.text().await.expect("text")
    }

    /// The left, top, width and height of `target` in CSS pixels.
    pub async fn rectangle(&self, target: Target<'_>) -> (f64, f64, f64, f64) {
        let element = self.find(target).await;
        element.rectangle().await.expect("rectangle")
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Saves a PNG of the page as `name.png` in `PERFECT_SERVICE_TEST_SCREENSHOTS`, if set.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("PERFECT_SERVICE_TEST_SCREENSHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.expect("screenshot");
        let path = Path::new(&dir).join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn close(self) {
        self.client.close().await.expect("close the browser");
    }
}
