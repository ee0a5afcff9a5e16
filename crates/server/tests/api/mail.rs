//! Invitation e-mails, end to end through a real SMTP server that each test starts on
//! 127.0.0.1 (a minimal one, below): delivery with a working link and the unsubscribe headers,
//! retries through an outage, opt-outs, the reminder and quiet hours. Also the templates API.

use crate::helpers::{Backend, TestApp, on_both_backends, spawn_app, spawn_app_with, system};
use jiff::{SignedDuration, Timestamp};
use server::config::Layer;
use std::future::Future;
use std::time::Duration;
use store::{InvitationRules, InvitationStore, OutboxStore, topics};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One message as the SMTP server received it.
#[derive(Debug, Default)]
pub(crate) struct Received {
    pub rcpt_to: Vec<String>,
    pub data: String,
}

/// A minimal SMTP server (greeting, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that accepts
/// every message and hands it to the test.
pub(crate) struct SmtpServer {
    pub port: u16,
    messages: mpsc::UnboundedReceiver<Received>,
}

impl SmtpServer {
    pub async fn start(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("SMTP listener");
        let port = listener.local_addr().expect("address").port();
        let (sender, messages) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(smtp_session(stream, sender.clone()));
            }
        });
        SmtpServer { port, messages }
    }

    /// The next message, waiting at most 20 seconds.
    async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(20), self.messages.recv())
            .await
            .expect("an e-mail should arrive")
            .expect("the SMTP server is running")
    }

    /// Every message received so far, without waiting.
    pub fn received_so_far(&mut self) -> Vec<Received> {
        std::iter::from_fn(|| self.messages.try_recv().ok()).collect()
    }

    fn assert_nothing_received(&mut self) {
        if let Ok(message) = self.messages.try_recv() {
            panic!("no e-mail was expected, got one to {:?}", message.rcpt_to);
        }
    }
}

async fn smtp_session(stream: TcpStream, sender: mpsc::UnboundedSender<Received>) {
    let _ = converse(stream, sender).await;
}

async fn converse(
    stream: TcpStream,
    sender: mpsc::UnboundedSender<Received>,
) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    writer.write_all(b"220 localhost test SMTP\r\n").await?;
    let mut message = Received::default();
    loop {
        let Some(line) = read_line(&mut reader).await? else {
            return Ok(());
        };
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-localhost\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO") {
            b"250 localhost\r\n"
        } else if command.starts_with("MAIL FROM:") || command == "RSET" {
            message = Received::default();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO:") {
            let address = line.split(['<', '>']).nth(1).unwrap_or_default();
            message.rcpt_to.push(address.to_owned());
            b"250 OK\r\n"
        } else if command == "DATA" {
            writer.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            while let Some(line) = read_line(&mut reader).await? {
                if line == "." {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                message.data.push_str(unstuffed);
                message.data.push_str("\r\n");
            }
            let _ = sender.send(std::mem::take(&mut message));
            b"250 OK queued\r\n"
        } else if command == "NOOP" {
            b"250 OK\r\n"
        } else if command == "QUIT" {
            writer.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 command not implemented\r\n"
        };
        writer.write_all(reply).await?;
    }
}

/// One line without its CRLF; `None` at the end of the stream.
async fn read_line<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> std::io::Result<Option<String>> {
    let mut bytes = Vec::new();
    if reader.read_until(b'\n', &mut bytes).await? == 0 {
        return Ok(None);
    }
    let line = String::from_utf8_lossy(&bytes);
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

/// Headers (unfolded) and body of a MIME entity.
fn split_entity(entity: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = entity.split_once("\r\n\r\n").unwrap_or((entity, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn header_of(headers: &[(String, String)], name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.clone())
}

fn decode(body: &str, encoding: Option<&str>) -> String {
    match encoding.map(str::to_ascii_lowercase).as_deref() {
        Some("quoted-printable") => {
            let joined = body.replace("=\r\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex
                    .filter(|_| bytes[i] == b'=')
                    .map(|h| u8::from_str_radix(h, 16))
                {
                    Some(Ok(byte)) => {
                        out.push(byte);
                        i += 3;
                    }
                    _ => {
                        out.push(bytes[i]);
                        i += 1;
                    }
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        Some("base64") => {
            use base64::Engine;
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("base64 body");
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => body.to_owned(),
    }
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        header_of(&split_entity(&self.data).0, name)
    }

    /// The decoded body of the part whose type starts with `content_type` (`text/plain`, …).
    fn part(&self, content_type: &str) -> String {
        let (headers, body) = split_entity(&self.data);
        let top_type = header_of(&headers, "content-type").unwrap_or_default();
        let boundary = top_type
            .split("boundary=")
            .nth(1)
            .map(|b| b.trim_matches('"').to_owned())
            .expect("a multipart message");
        body.split(&format!("--{boundary}"))
            .map(|entity| entity.trim_start_matches("\r\n"))
            .find_map(|entity| {
                let (headers, body) = split_entity(entity);
                let kind = header_of(&headers, "content-type")?;
                kind.starts_with(content_type).then(|| {
                    let encoding = header_of(&headers, "content-transfer-encoding");
                    decode(body, encoding.as_deref())
                })
            })
            .unwrap_or_else(|| panic!("no {content_type} part in {}", self.data))
    }
}

/// The first link in `text` that starts with `prefix`.
fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || ['"', '<', '>'].contains(&c))
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Polls `check` every 25 ms until it gives a value, for at most `seconds`.
async fn eventually<T, F, Fut>(what: &str, seconds: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The app sending through the test SMTP server on `smtp_port`, polling often, retrying fast.
async fn mail_app(
    backend: Backend,
    smtp_port: u16,
    extra: impl FnOnce(&mut Layer),
) -> Option<TestApp> {
    spawn_app_with(backend, |layer| {
        layer.smtp_host = Some("127.0.0.1".into());
        layer.smtp_port = Some(smtp_port);
        layer.smtp_security = Some("none".into());
        layer.worker_poll_ms = Some(25);
        layer.mail_retry_base_seconds = Some(1);
        extra(layer);
    })
    .await
}

fn rules(reminder_after_hours: i64, quiet_hours: Option<(i64, i64)>) -> InvitationRules {
    InvitationRules {
        min_days_between: 0,
        quiet_hours,
        ttl_days: 30,
        reminder_after_hours,
    }
}

/// A touchpoint `phone-support` with a survey, and the given invitation rules.
async fn with_survey(app: &TestApp, rules: InvitationRules) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let survey = serde_json::json!({
        "key": "after-call", "name": "After a call",
        "questions": [{"key": "csat", "prompt": "How satisfied are you with our help?", "type": "csat", "required": true}],
        "touchpoints": ["phone-support"]
    });
    let response = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(
        response.status(),
        201,
        "{}",
        response.text().await.unwrap_or_default()
    );
    app.store
        .set_invitation_rules(&system(), rules)
        .await
        .expect("rules");
}

/// Records a transaction on `phone-support` for `customer` and returns the API's answer.
async fn record(
    app: &TestApp,
    external_id: &str,
    customer: serde_json::Value,
) -> serde_json::Value {
    let body = serde_json::json!({
        "external_id": external_id, "customer": customer, "touchpoint": "phone-support",
        "occurred_at": "2026-11-20T10:00:00Z"
    });
    let response = app
        .post_json("/api/v1/transactions", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("transaction body")
}

/// The invitation of a transaction, as the API shows it now.
async fn invitation(app: &TestApp, transaction: &str) -> serde_json::Value {
    let page: serde_json::Value = app
        .get("/api/v1/transactions?limit=100", &app.admin_key)
        .await
        .json()
        .await
        .expect("transactions");
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|t| t["external_id"] == transaction))
        .map(|t| t["invitation"].clone())
        .expect("the transaction is listed")
}

async fn wait_for_state(app: &TestApp, transaction: &str, state: &str) -> serde_json::Value {
    eventually(&format!("{transaction} to be {state}"), 20, || async move {
        let invitation = invitation(app, transaction).await;
        (invitation["state"] == state).then_some(invitation)
    })
    .await
}

/// Waits until no invitation e-mail job is left to do.
async fn wait_for_empty_queue(app: &TestApp) {
    wait_for_pending(app, 0).await;
}

/// Waits until `jobs` invitation e-mail jobs are left to do.
async fn wait_for_pending(app: &TestApp, jobs: i64) {
    eventually(&format!("{jobs} e-mail jobs left"), 20, || async move {
        let pending = app
            .store
            .pending_outbox(topics::INVITATION_EMAIL)
            .await
            .expect("pending");
        (pending == jobs).then_some(())
    })
    .await
}

/// Makes every queued e-mail job due now (reminders, jobs held by quiet hours).
async fn make_jobs_due(app: &TestApp) {
    app.store
        .execute_raw("UPDATE outbox SET available_at = 0 WHERE done_at IS NULL")
        .await
        .expect("jobs made due");
}

async fn an_invitation_email_arrives_with_a_working_link_and_the_unsubscribe_headers(
    backend: Backend,
) {
    let mut smtp = SmtpServer::start(0).await;
    let Some(app) = mail_app(backend, smtp.port, |layer| {
        layer.mail_reply_to = Some("Care team <care@example.com>".into());
    })
    .await
    else {
        return;
    };
    with_survey(&app, rules(0, None)).await;
    let customer = serde_json::json!({"external_id": "C-1", "name": "Ada Lovelace", "email": "ada@example.com"});
    let recorded = record(&app, "T-1", customer).await;
    assert_eq!(recorded["invitation"]["channel"], "email");

    let message = smtp.next().await;
    assert_eq!(message.rcpt_to, ["ada@example.com"]);
    assert_eq!(
        message.header("From").as_deref(),
        Some("\"Perfect Service\" <no-reply@localhost>")
    );
    assert_eq!(
        message.header("Reply-To").as_deref(),
        Some("\"Care team\" <care@example.com>")
    );
    assert!(
        message
            .header("To")
            .unwrap_or_default()
            .contains("ada@example.com")
    );
    assert_eq!(
        message.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = message
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    let unsubscribe_url = unsubscribe.trim_matches(['<', '>']);
    assert!(
        unsubscribe_url.starts_with(&app.url("/u/")),
        "{unsubscribe}"
    );

    let text = message.part("text/plain");
    let html = message.part("text/html");
    assert!(text.contains("Hello Ada Lovelace,"), "{text}");
    assert!(text.contains(unsubscribe_url) && html.contains(unsubscribe_url));
    let survey_url = link(&text, &app.url("/s/"));
    assert!(html.contains(&format!("href=\"{survey_url}\"")), "{html}");
    let page = app.api.get(&survey_url).send().await.expect("survey page");
    assert_eq!(
        page.status(),
        200,
        "the link in the e-mail opens the survey"
    );

    let sent = wait_for_state(&app, "T-1", "sent").await;
    assert_eq!(sent["failure_reason"], serde_json::Value::Null);
    wait_for_empty_queue(&app).await;
}

async fn templates_are_applied_in_the_customers_language(backend: Backend) {
    let mut smtp = SmtpServer::start(0).await;
    let Some(app) = mail_app(backend, smtp.port, |_| {}).await else {
        return;
    };
    with_survey(&app, rules(0, None)).await;
    let current: serde_json::Value = app
        .get("/api/v1/email-templates", &app.admin_key)
        .await
        .json()
        .await
        .expect("templates");
    let mut templates = current["templates"].clone();
    templates["en"]["subject"] = "Tell {{organization}} how {{staff_name}} did".into();
    let put = app
        .api
        .put(app.url("/api/v1/email-templates"))
        .bearer_auth(&app.admin_key)
        .json(&serde_json::json!({"templates": templates}))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);

    record(
        &app,
        "T-1",
        serde_json::json!({"external_id": "C-1", "email": "a@example.com"}),
    )
    .await;
    let english = smtp.next().await;
    assert_eq!(
        english.header("Subject").as_deref(),
        Some("Tell Our company how  did")
    );
    assert!(english.part("text/plain").starts_with("Hello there,"));
    let french_customer = serde_json::json!({"external_id": "C-2", "name": "Émile", "email": "e@example.fr", "locale": "fr-FR"});
    record(&app, "T-2", french_customer).await;
    let french = smtp.next().await;
    assert_eq!(
        french.header("Subject").as_deref(),
        Some("Votre avis compte pour Our company")
    );
    let text = french.part("text/plain");
    assert!(text.starts_with("Bonjour Émile,"), "{text}");
    assert!(text.contains("20 novembre 2026"), "{text}");
    assert!(french.part("text/html").contains("<html lang=\"fr\">"));
}

async fn with_the_smtp_server_down_the_email_is_retried_and_arrives_when_it_is_back(
    backend: Backend,
) {
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("listener");
        listener.local_addr().expect("address").port()
    };
    let Some(app) = mail_app(backend, closed_port, |_| {}).await else {
        return;
    };
    with_survey(&app, rules(0, None)).await;
    record(
        &app,
        "T-1",
        serde_json::json!({"external_id": "C-1", "email": "ada@example.com"}),
    )
    .await;

    let failed = wait_for_state(&app, "T-1", "failed").await;
    let reason = failed["failure_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&format!("127.0.0.1:{closed_port}")),
        "{reason}"
    );
    assert_eq!(
        app.store
            .pending_outbox(topics::INVITATION_EMAIL)
            .await
            .expect("pending"),
        1,
        "the e-mail is still queued"
    );

    // Staff see it in the console, on the transactions list and the customer's page.
    let staff = app.logged_in(domain::Role::Admin).await;
    let (status, list) = staff.get_html("/transactions").await;
    assert_eq!(status, 200);
    assert!(list.contains(">failed</span>") && list.contains(&format!("127.0.0.1:{closed_port}")));
    let customer_page = link(&list, "/customers/");
    let (status, customer) = staff.get_html(&customer_page).await;
    assert_eq!(status, 200);
    assert!(customer.contains(">failed</span>"), "{customer}");

    let mut smtp = SmtpServer::start(closed_port).await;
    let message = smtp.next().await;
    assert_eq!(message.rcpt_to, ["ada@example.com"]);
    let sent = wait_for_state(&app, "T-1", "sent").await;
    assert_eq!(sent["failure_reason"], serde_json::Value::Null);
    wait_for_empty_queue(&app).await;
}

async fn an_opted_out_customer_gets_no_more_email(backend: Backend) {
    let mut smtp = SmtpServer::start(0).await;
    let Some(app) = mail_app(backend, smtp.port, |_| {}).await else {
        return;
    };
    with_survey(&app, rules(48, None)).await;
    let ada = serde_json::json!({"external_id": "C-1", "email": "ada@example.com"});
    record(&app, "T-1", ada.clone()).await;
    let first = smtp.next().await;
    let unsubscribe = first.header("List-Unsubscribe").expect("List-Unsubscribe");
    let one_click = app
        .api
        .post(unsubscribe.trim_matches(['<', '>']))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one-click unsubscribe");
    assert!(one_click.status().is_success(), "{}", one_click.status());

    // The reminder comes due: it is not sent.
    make_jobs_due(&app).await;
    wait_for_empty_queue(&app).await;
    smtp.assert_nothing_received();
    // A new transaction asks nothing.
    let later = record(&app, "T-2", ada).await;
    assert_eq!(later["invitation"], serde_json::Value::Null);
    assert_eq!(
        app.store
            .pending_outbox(topics::INVITATION_EMAIL)
            .await
            .expect("pending"),
        0
    );

    // A customer who opts out while their e-mail waits (for quiet hours) is not sent it either.
    let quiet = quiet_now(&app).await;
    app.store
        .set_invitation_rules(&system(), rules(0, Some(quiet)))
        .await
        .expect("rules");
    record(
        &app,
        "T-3",
        serde_json::json!({"external_id": "C-2", "email": "bob@example.com"}),
    )
    .await;
    app.store
        .execute_raw("UPDATE customers SET opted_out_at = 1 WHERE external_id = 'C-2'")
        .await
        .expect("opt-out");
    make_jobs_due(&app).await;
    wait_for_empty_queue(&app).await;
    smtp.assert_nothing_received();
    let skipped = invitation(&app, "T-3").await;
    assert_eq!(skipped["state"], "failed");
    assert!(
        skipped["failure_reason"]
            .as_str()
            .unwrap_or_default()
            .contains("opted out"),
        "{skipped}"
    );
}

async fn the_reminder_is_sent_after_the_delay_only_if_unanswered(backend: Backend) {
    let mut smtp = SmtpServer::start(0).await;
    let Some(app) = mail_app(backend, smtp.port, |_| {}).await else {
        return;
    };
    with_survey(&app, rules(48, None)).await;
    record(
        &app,
        "T-1",
        serde_json::json!({"external_id": "C-1", "email": "ada@example.com"}),
    )
    .await;
    record(
        &app,
        "T-2",
        serde_json::json!({"external_id": "C-2", "email": "bob@example.com"}),
    )
    .await;
    let mut first = vec![smtp.next().await.rcpt_to, smtp.next().await.rcpt_to];
    first.sort();
    assert_eq!(first, [["ada@example.com"], ["bob@example.com"]]);
    wait_for_state(&app, "T-1", "sent").await;
    wait_for_state(&app, "T-2", "sent").await;
    // The first e-mails are done; the reminders wait for their delay.
    wait_for_pending(&app, 2).await;
    assert!(
        claim_due(&app).await.is_empty(),
        "no reminder is due before 48 hours"
    );

    // Bob answers; then the delay passes.
    app.store
        .execute_raw(
            "UPDATE invitations SET state = 'answered' \
             WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'C-2')",
        )
        .await
        .expect("answered");
    make_jobs_due(&app).await;
    let reminder = smtp.next().await;
    assert_eq!(reminder.rcpt_to, ["ada@example.com"]);
    assert_eq!(
        reminder.header("Subject").as_deref(),
        Some("Reminder: Our company would like your opinion")
    );
    wait_for_empty_queue(&app).await;
    smtp.assert_nothing_received();
    assert_eq!(invitation(&app, "T-1").await["state"], "sent");
}

async fn quiet_hours_delay_the_email(backend: Backend) {
    let mut smtp = SmtpServer::start(0).await;
    let Some(app) = mail_app(backend, smtp.port, |_| {}).await else {
        return;
    };
    with_survey(&app, rules(0, None)).await;
    let quiet = quiet_now(&app).await;
    app.store
        .set_invitation_rules(&system(), rules(0, Some(quiet)))
        .await
        .expect("rules");
    record(
        &app,
        "T-1",
        serde_json::json!({"external_id": "C-1", "email": "ada@example.com"}),
    )
    .await;
    assert!(
        claim_due(&app).await.is_empty(),
        "the e-mail waits for the quiet hours to end"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), smtp.messages.recv())
            .await
            .is_err(),
        "nothing is sent during quiet hours"
    );
    assert_eq!(invitation(&app, "T-1").await["state"], "queued");

    // The quiet hours end.
    make_jobs_due(&app).await;
    let message = smtp.next().await;
    assert_eq!(message.rcpt_to, ["ada@example.com"]);
    wait_for_state(&app, "T-1", "sent").await;
}

/// Quiet hours from an hour ago to an hour from now, in the organization's time zone.
async fn quiet_now(app: &TestApp) -> (i64, i64) {
    let organization: serde_json::Value = app
        .get("/api/v1/organization", &app.admin_key)
        .await
        .json()
        .await
        .expect("organization");
    let zone =
        jiff::tz::TimeZone::get(organization["time_zone"].as_str().unwrap_or("UTC")).expect("zone");
    let local = Timestamp::now().to_zoned(zone);
    let minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
    ((minute + 1380) % 1440, (minute + 60) % 1440)
}

/// Due e-mail jobs, claimed for a microsecond so that the worker is not held up.
async fn claim_due(app: &TestApp) -> Vec<store::OutboxItem> {
    app.store
        .claim_outbox(
            &[topics::INVITATION_EMAIL],
            10,
            Timestamp::now(),
            SignedDuration::from_micros(1),
        )
        .await
        .expect("claim")
}

on_both_backends!(backend:
    an_invitation_email_arrives_with_a_working_link_and_the_unsubscribe_headers,
    templates_are_applied_in_the_customers_language,
    with_the_smtp_server_down_the_email_is_retried_and_arrives_when_it_is_back,
    an_opted_out_customer_gets_no_more_email,
    the_reminder_is_sent_after_the_delay_only_if_unanswered,
    quiet_hours_delay_the_email,
    without_smtp_invitations_stay_queued,
    a_poor_review_is_emailed_to_the_team_and_the_follow_up_to_the_customer,
);

mod templates_api {
    use super::*;

    async fn email_templates_can_be_read_and_replaced_and_bad_ones_are_refused(app: TestApp) {
        let response = app.get("/api/v1/email-templates", &app.admin_key).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.expect("templates");
        assert!(
            body["templates"]["en"]["html"]
                .as_str()
                .unwrap_or_default()
                .contains("{{survey_url}}")
        );
        assert!(body["templates"]["fr"]["subject"].is_string());
        assert!(
            body["placeholders"]
                .as_array()
                .is_some_and(|p| p.contains(&"unsubscribe_url".into()))
        );

        let put = |templates: serde_json::Value, key: String| {
            let request = app
                .api
                .put(app.url("/api/v1/email-templates"))
                .bearer_auth(key)
                .json(&serde_json::json!({"templates": templates}));
            async move { request.send().await.expect("put") }
        };
        let mut edited = body["templates"].clone();
        edited["en"]["subject"] = "We value your opinion, {{ customer_name }}".into();
        let saved = put(edited.clone(), app.admin_key.clone()).await;
        assert_eq!(saved.status(), 200);
        let again: serde_json::Value = app
            .get("/api/v1/email-templates", &app.admin_key)
            .await
            .json()
            .await
            .expect("templates");
        assert_eq!(again["templates"], edited);

        let mut unknown = edited.clone();
        unknown["fr"]["text"] = "{{survey_url}} {{unsubscribe_url}} {{price}}".into();
        let refused = put(unknown, app.admin_key.clone()).await;
        assert_eq!(refused.status(), 422);
        let problem: serde_json::Value = refused.json().await.expect("problem");
        assert_eq!(problem["field"], "templates.fr.text");
        let mut no_link = edited.clone();
        no_link["en"]["html"] = "<p>{{survey_url}}</p>".into();
        assert_eq!(put(no_link, app.admin_key.clone()).await.status(), 422);
        let only_french = serde_json::json!({"fr": edited["fr"].clone()});
        assert_eq!(put(only_french, app.admin_key.clone()).await.status(), 422);
        let mut huge = edited.clone();
        huge["en"]["text"] = format!(
            "{{{{survey_url}}}} {{{{unsubscribe_url}}}} {}",
            "x".repeat(30_000)
        )
        .into();
        assert_eq!(put(huge, app.admin_key.clone()).await.status(), 422);

        let reader = app.api_key("read").await;
        assert_eq!(
            app.get("/api/v1/email-templates", &reader).await.status(),
            403
        );
        assert_eq!(put(edited, reader).await.status(), 403);
    }

    on_both_backends!(email_templates_can_be_read_and_replaced_and_bad_ones_are_refused);
}

/// Without an SMTP server configured, invitations wait in the queue: nothing is lost.
async fn without_smtp_invitations_stay_queued(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    with_survey(&app, rules(0, None)).await;
    record(
        &app,
        "T-1",
        serde_json::json!({"external_id": "C-1", "email": "ada@example.com"}),
    )
    .await;
    assert_eq!(invitation(&app, "T-1").await["state"], "queued");
    assert_eq!(
        app.store
            .pending_outbox(topics::INVITATION_EMAIL)
            .await
            .expect("pending"),
        1
    );
}

async fn a_poor_review_is_emailed_to_the_team_and_the_follow_up_to_the_customer(backend: Backend) {
    let mut smtp = SmtpServer::start(0).await;
    let Some(app) = mail_app(backend, smtp.port, |_| {}).await else {
        return;
    };
    with_survey(&app, rules(0, None)).await;
    let member = serde_json::json!({"email": "carer@example.com", "name": "Carla Care", "role": "member", "teams": ["care"]});
    assert_eq!(
        app.post_json("/api/v1/users", &app.admin_key, &member)
            .await
            .status(),
        201
    );
    let customer = serde_json::json!({"external_id": "C-1", "name": "Ada Lovelace", "email": "ada@example.com", "team": "care"});
    assert_eq!(
        app.post_json("/api/v1/customers", &app.admin_key, &customer)
            .await
            .status(),
        201
    );
    let poor = serde_json::json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "source": "phone_interview", "answers": {"csat": 1}});
    assert_eq!(
        app.post_json("/api/v1/responses", &app.admin_key, &poor)
            .await
            .status(),
        201
    );
    let alert = smtp.next().await;
    assert_eq!(alert.rcpt_to, ["carer@example.com"]);
    let subject = alert.header("Subject").unwrap_or_default();
    assert!(
        subject.contains("Poor review from Ada Lovelace"),
        "{subject}"
    );
    assert!(
        alert.header("List-Unsubscribe").is_none(),
        "staff mail has no unsubscribe"
    );
    let text = alert.part("text/plain");
    let case_link = link(&text, &app.url("/cases/"));
    let case_id = case_link.rsplit('/').next().unwrap().to_owned();

    let resolve = serde_json::json!({"note": "Called and refunded", "root_cause": "timeliness"});
    let resolved = app
        .post_json(
            &format!("/api/v1/cases/{case_id}/resolve"),
            &app.admin_key,
            &resolve,
        )
        .await;
    assert_eq!(resolved.status(), 200);
    let followup = smtp.next().await;
    assert_eq!(followup.rcpt_to, ["ada@example.com"]);
    assert!(
        followup
            .header("Subject")
            .unwrap_or_default()
            .contains("Did we make it right?")
    );
    let page_link = link(&followup.part("text/plain"), &app.url("/f/"));
    let page = reqwest::get(&page_link).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Did we make it right?"));
    let case: serde_json::Value = eventually("the follow-up to be marked sent", 10, || async {
        let case: serde_json::Value = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.admin_key)
            .await
            .json()
            .await
            .unwrap();
        case["followup_sent_at"].is_string().then_some(case)
    })
    .await;
    assert!(
        case["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "followup_sent")
    );
    for topic in [topics::NOTIFICATION_EMAIL, topics::FOLLOWUP_EMAIL] {
        eventually("the e-mail jobs to be done", 10, || async {
            (app.store.pending_outbox(topic).await.unwrap() == 0).then_some(())
        })
        .await;
    }
    smtp.assert_nothing_received();
}
