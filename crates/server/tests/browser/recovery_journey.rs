//! A poor review recovered end to end, in two real browsers on one application: the customer
//! answers the survey on a phone, a member of the owning team finds the case in the inbox on a
//! laptop, logs the contact and resolves it, the customer says on the phone that it was put
//! right, and the member sees that on the case.
//!
//! The harness starts one browser per application, so the phone browser comes with an
//! application of its own that is never used: it is sent to the journey's application by
//! absolute address (`visit`).

use crate::harness::{self, Browser, Target, TestApp, Viewport};
use domain::{ApiScopes, Name};
use serde_json::{Value, json};
use server::security::generate_api_key;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{Actor, ApiKeyStore, CaseStore, NewApiKey, SettingsStore};

const COMMENT: &str = "The technician never came";
const MEMBER: &str = "carer@example.com";
const PASSWORD: &str = "a long enough password";
const FOLLOWUP_COMMENT: &str = "A new technician came the next morning";

/// How long a step waits for the page or the background workers.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// Team `care`, touchpoint `repair` of `care` with a survey, a member of `care` who can log in,
/// and a transaction of customer C-1 (of `care`, with an e-mail); the path of its survey link.
async fn set_up(app: &TestApp) -> String {
    let generated = generate_api_key();
    let key = NewApiKey {
        name: Name::parse("name", "browser test").expect("name"),
        prefix: generated.prefix,
        secret_hash: generated.hash,
        scopes: ApiScopes::parse("admin").expect("scopes"),
    };
    let system = Actor::System {
        label: "test".into(),
    };
    app.store
        .create_api_key(&system, key)
        .await
        .expect("api key");
    let api = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        api.post(format!("{}{path}", app.address))
            .bearer_auth(&generated.full)
            .json(&body)
            .send()
    };
    let steps = [
        (
            "/api/v1/teams",
            json!({"key": "care", "name": "Customer care", "kind": "client"}),
        ),
        (
            "/api/v1/touchpoints",
            json!({"key": "repair", "name": "Boiler repair", "team": "care"}),
        ),
        (
            "/api/v1/surveys",
            json!({"key": "after-repair", "name": "After your repair", "touchpoints": ["repair"], "questions": [
                {"key": "csat", "prompt": "How satisfied are you with the repair?", "type": "csat", "required": true},
                {"key": "nps", "prompt": "How likely are you to recommend us?", "type": "nps"},
                {"key": "comment", "prompt": "What could we have done better?", "type": "free_text"},
                {"key": "contact", "prompt": "May we contact you about your answers?", "type": "consent"}
            ]}),
        ),
        (
            "/api/v1/users",
            json!({"email": MEMBER, "name": "Carey Carer", "role": "member", "teams": ["care"],
                "password": PASSWORD}),
        ),
    ];
    for (path, body) in steps {
        let response = post(path, body).await.expect("request");
        let status = response.status();
        assert_eq!(status, 201, "{path}: {}", response.text().await.unwrap());
    }
    let transaction = json!({"external_id": "T-1", "customer": {"external_id": "C-1",
        "name": "Ada Lovelace", "email": "ada@example.com", "team": "care"},
        "touchpoint": "repair", "occurred_at": "2026-11-20T10:00:00Z"});
    let response = post("/api/v1/transactions", transaction)
        .await
        .expect("request");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    let url = body["survey_url"].as_str().expect("a survey link");
    url[url.find("/s/").expect("a survey path")..].to_owned()
}

/// Sends `browser` to `url` on any application, and waits until it is there.
async fn visit(browser: &Browser, url: &str) {
    let target = reqwest::Url::parse(url).expect("an absolute address");
    let script = format!("window.location.assign({});", json!(url));
    browser.script(&script).await;
    browser.wait_for_path(target.path()).await;
}

/// Runs `script` until `done` accepts what it returns; that value.
async fn wait_for(
    browser: &Browser,
    what: &str,
    script: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = browser.script(script).await;
        if done(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: still {value}");
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until the main heading reads `text`, as after a form post that redirects to the same
/// address. Read by script: an element found on the page being left goes stale.
async fn wait_for_heading(browser: &Browser, text: &str) {
    let script =
        "var h = document.querySelector('main h1'); return h ? h.textContent.trim() : null;";
    wait_for(browser, &format!("the heading {text:?}"), script, |shown| {
        shown == text
    })
    .await;
}

/// Waits until the case's status badge reads `status`.
async fn wait_for_status(browser: &Browser, status: &str) {
    let script = "var b = document.querySelector(\".page-head .badge[class*='status-']\"); \
                  return b ? b.textContent.trim() : null;";
    wait_for(
        browser,
        &format!("the case to be {status}"),
        script,
        |shown| shown == status,
    )
    .await;
}

/// The text of the `<dd>` after the `<dt>` reading `term` on the case page.
async fn fact(browser: &Browser, term: &str) -> String {
    let script = format!(
        "var dt = Array.from(document.querySelectorAll('dl.facts dt')).find(d => d.textContent.trim() === {}); \
         return dt ? dt.nextElementSibling.innerText : null;",
        json!(term)
    );
    let value = browser.script(&script).await;
    value
        .as_str()
        .unwrap_or_else(|| panic!("no {term:?} on the case page"))
        .to_owned()
}

/// The visible text of the section whose heading reads `heading`.
async fn section(browser: &Browser, heading: &str) -> String {
    let script = format!(
        "var h = Array.from(document.querySelectorAll('section h2')).find(h => h.textContent.trim() === {}); \
         return h ? h.closest('section').innerText : null;",
        json!(heading)
    );
    let value = browser.script(&script).await;
    value
        .as_str()
        .unwrap_or_else(|| panic!("no section {heading:?} on the case page"))
        .to_owned()
}

/// Types `value` into the field `css` picks, for forms that share field names.
async fn type_into(browser: &Browser, css: &str, value: &str) {
    let field = browser.find(Target::Css(css)).await;
    field.clear().await.expect("clear field");
    field
        .send_keys(value)
        .await
        .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
}

/// Reloads the inbox until the worker's notification is there; the case it links to.
async fn wait_for_the_case_in_the_inbox(browser: &Browser) -> String {
    let script = "var a = document.querySelector(\".inbox-list li.unread a[href*='to=%2Fcases%2F']\"); \
                  return a ? decodeURIComponent(a.getAttribute('href').split('to=')[1]) : null;";
    let deadline = Instant::now() + WAIT;
    loop {
        browser.open("/inbox").await;
        if let Value::String(href) = browser.script(script).await {
            return href;
        }
        assert!(
            Instant::now() < deadline,
            "the background worker opened no case within {WAIT:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poor_review_is_recovered_end_to_end() {
    let Some((app, laptop)) = harness::start(Viewport::Desktop).await else {
        return;
    };
    let Some((_phone_app, phone)) = harness::start(Viewport::Phone).await else {
        return;
    };
    let survey = set_up(&app).await;

    // The customer answers the survey on a phone.
    visit(&phone, &format!("{}{survey}", app.address)).await;
    wait_for_heading(&phone, "After your repair").await;
    phone
        .click(Target::Css("#q-csat label:has(input[value='1'])"))
        .await;
    phone
        .click(Target::Css("#q-nps label:has(input[value='2'])"))
        .await;
    phone.fill("comment", COMMENT).await;
    phone
        .click(Target::Css("#q-contact label:has(input[value='yes'])"))
        .await;
    phone.click(Target::Button("Send my answers")).await;
    wait_for_heading(&phone, "Thank you!").await;
    assert_eq!(phone.path().await, survey);
    phone.screenshot("recovery-1-survey-answered").await;

    // A member of the owning team logs in on a laptop and finds the case in the inbox.
    laptop.open("/login").await;
    laptop.fill("email", MEMBER).await;
    laptop.fill("password", PASSWORD).await;
    laptop.click(Target::Button("Log in")).await;
    laptop.wait_for_path("/").await;
    let case_path = wait_for_the_case_in_the_inbox(&laptop).await;
    let badge = laptop.text(Target::Css("header a.inbox .badge")).await;
    assert_eq!(badge, "1", "the unread badge in the navigation");
    laptop
        .click(Target::Css(
            ".inbox-list li.unread a[href*='to=%2Fcases%2F']",
        ))
        .await;
    laptop.wait_for_path(&case_path).await;
    let id: i64 = case_path
        .strip_prefix("/cases/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a case page, not {case_path}"));

    let customer = section(&laptop, "The customer").await;
    for expected in ["Ada Lovelace", "C-1", "ada@example.com"] {
        assert!(customer.contains(expected), "{expected:?} in {customer}");
    }
    assert!(fact(&laptop, "May contact").await.contains("Yes"));
    let opening = section(&laptop, "The response that opened it").await;
    assert!(opening.contains(COMMENT), "{opening}");
    assert!(
        opening.contains("CSAT 1/5") && opening.contains("NPS 2/10"),
        "{opening}"
    );
    let first_contact = fact(&laptop, "First contact").await;
    assert!(
        first_contact.contains(" left"),
        "a countdown: {first_contact}"
    );
    assert_eq!(fact(&laptop, "Status").await, "New");

    // The member logs the call, then resolves the case.
    type_into(
        &laptop,
        "form[action$='/contact'] textarea[name='note']",
        "Called Ada: the visit was never booked; apologised",
    )
    .await;
    laptop.click(Target::Button("Log contact")).await;
    wait_for_status(&laptop, "Contacted").await;
    assert_eq!(laptop.path().await, case_path);
    let first_contact = fact(&laptop, "First contact").await;
    assert!(first_contact.contains("met"), "{first_contact}");

    type_into(
        &laptop,
        "form[action$='/resolve'] textarea[name='note']",
        "Booked a technician for the next morning at no charge",
    )
    .await;
    laptop.choose("root_cause", "timeliness").await;
    laptop.click(Target::Button("Resolve")).await;
    wait_for_status(&laptop, "Resolved").await;
    assert_eq!(fact(&laptop, "Status").await, "Resolved");
    assert_eq!(fact(&laptop, "Root cause").await, "Late or slow");
    laptop.screenshot("recovery-2-case-resolved").await;

    // The customer answers the follow-up on the phone, from the link the e-mail carries.
    let followup = app.store.followup_email(id).await.expect("the follow-up");
    assert!(
        !followup.lookup_id.is_empty(),
        "a resolved case has a follow-up"
    );
    let secret = app.store.link_secret().await.expect("link secret");
    let links = server::links::Links::new(&app.address, Arc::new(secret));
    let link = links
        .followup(&followup.lookup_id)
        .expect("a follow-up link");
    visit(&phone, &link).await;
    wait_for_heading(&phone, "Did we make it right?").await;
    phone.fill("comment", FOLLOWUP_COMMENT).await;
    phone.click(Target::Button("Yes, you made it right")).await;
    wait_for_heading(&phone, "Thank you!").await;

    // The member sees that the customer says it was put right.
    laptop.open(&case_path).await;
    let answer = section(&laptop, "Follow-up: did we make it right?").await;
    assert!(answer.contains("yes, we made it right"), "{answer}");
    assert!(answer.contains(FOLLOWUP_COMMENT), "{answer}");
    let timeline = section(&laptop, "Timeline").await;
    assert!(timeline.contains("Follow-up answered"), "{timeline}");
    assert!(
        timeline.contains(&format!(
            "The customer says we made it right: {FOLLOWUP_COMMENT}"
        )),
        "{timeline}"
    );
    laptop.screenshot("recovery-3-case-recovered").await;

    phone.close().await;
    laptop.close().await;
}
