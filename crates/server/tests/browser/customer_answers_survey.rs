//! A customer answers a survey from the link on a phone-sized screen: answering and submitting,
//! resuming a half-filled survey, and the pages of a used or expired link.

use crate::harness::{self, Browser, Target, TestApp, Viewport};
use domain::{ApiScopes, Name};
use serde_json::{Value, json};
use server::security::generate_api_key;
use std::time::{Duration, Instant};
use store::{Actor, ApiKeyStore, NewApiKey};

/// A team, a touchpoint with a survey and one transaction; the path of its survey link.
async fn survey_link(app: &TestApp) -> String {
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
    ];
    for (path, body) in steps {
        let response = post(path, body).await.expect("request");
        assert_eq!(response.status(), 201, "{path}");
    }
    let transaction = json!({"external_id": "T-1", "customer": {"external_id": "C-1", "name": "Ada"},
        "touchpoint": "repair", "occurred_at": "2026-11-20T10:00:00Z"});
    let response = post("/api/v1/transactions", transaction)
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    let url = body["survey_url"].as_str().expect("a survey link");
    url[url.find("/s/").expect("a survey path")..].to_owned()
}

/// Waits until the page's main heading reads `text`, as after a form post that redirects to
/// the same address. Read by script: an element found on the page being left goes stale.
async fn wait_for_heading(browser: &Browser, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = browser
            .script("var h = document.querySelector('h1'); return h ? h.textContent.trim() : null;")
            .await;
        if shown == text {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected the heading {text:?}, still {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the auto-save status says the answers are saved.
async fn wait_until_saved(browser: &Browser) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.text(Target::Css("#save-status")).await != "Saved" {
        assert!(Instant::now() < deadline, "the answers were not auto-saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether the input `name` with `value` is checked.
async fn is_checked(browser: &Browser, name: &str, value: &str) -> bool {
    let script = format!(
        "return document.querySelector(\"input[name='{name}'][value='{value}']\").checked;"
    );
    browser.script(&script).await == json!(true)
}

async fn assert_fits_the_screen(browser: &Browser) {
    let sizes = browser
        .script("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    let screen = u64::from(Viewport::Phone.size().0);
    assert_eq!(sizes[1].as_u64(), Some(screen), "laid out at {sizes} wide");
    assert!(
        sizes[0].as_u64() <= sizes[1].as_u64(),
        "the survey scrolls sideways: {sizes}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_answers_on_a_phone_and_a_used_link_is_refused_politely() {
    let Some((app, browser)) = harness::start(Viewport::Phone).await else {
        return;
    };
    let link = survey_link(&app).await;

    browser.open(&link).await;
    assert_eq!(browser.text(Target::Css("h1")).await, "After your repair");
    assert!(
        browser
            .text(Target::Css(".about"))
            .await
            .contains("Boiler repair")
    );
    assert_fits_the_screen(&browser).await;
    browser.screenshot("survey-phone-open").await;
    browser
        .click(Target::Css("#q-csat label:nth-child(2)"))
        .await;
    browser
        .click(Target::Css("#q-nps label:nth-child(10)"))
        .await;
    browser
        .fill("comment", "The engineer was early and tidy.")
        .await;
    browser
        .click(Target::Css("#q-contact label:nth-child(1)"))
        .await;
    browser.screenshot("survey-phone-answered").await;
    let (left, _, width, _) = browser.rectangle(Target::Button("Send my answers")).await;
    assert!(left >= 0.0 && left + width <= f64::from(Viewport::Phone.size().0));
    browser.click(Target::Button("Send my answers")).await;
    wait_for_heading(&browser, "Thank you!").await;
    assert_eq!(browser.path().await, link);
    assert_fits_the_screen(&browser).await;
    browser.screenshot("survey-phone-thanks").await;

    browser.open(&link).await;
    wait_for_heading(&browser, "Thank you!").await;
    let message = browser.text(Target::Css("main p")).await;
    assert!(
        message.contains("We have received your answers"),
        "{message}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_filled_survey_is_resumed_from_the_same_link() {
    let Some((app, browser)) = harness::start(Viewport::Phone).await else {
        return;
    };
    let link = survey_link(&app).await;

    browser.open(&link).await;
    browser
        .click(Target::Css("#q-csat label:nth-child(4)"))
        .await;
    wait_until_saved(&browser).await;
    browser.open(&link).await;
    assert!(is_checked(&browser, "csat", "4").await, "auto-saved answer");

    browser.fill("comment", "Half-way there").await;
    browser.click(Target::Button("Save and finish later")).await;
    let notice = browser.text(Target::Css(".notice")).await;
    assert!(notice.contains("come back to this link"), "{notice}");
    browser.open(&link).await;
    assert!(is_checked(&browser, "csat", "4").await);
    let comment = browser
        .script("return document.querySelector(\"textarea[name='comment']\").value;")
        .await;
    assert_eq!(comment, json!("Half-way there"));

    browser
        .click(Target::Css("#q-nps label:nth-child(9)"))
        .await;
    browser.click(Target::Button("Send my answers")).await;
    wait_for_heading(&browser, "Thank you!").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_shows_a_clear_page() {
    let Some((app, browser)) = harness::start(Viewport::Phone).await else {
        return;
    };
    let link = survey_link(&app).await;
    app.store
        .execute_raw("UPDATE invitations SET expires_at = 0")
        .await
        .expect("expire");

    browser.open(&link).await;
    wait_for_heading(&browser, "This survey has closed").await;
    assert_fits_the_screen(&browser).await;
    let forms = browser
        .script("return document.querySelectorAll('form').length;")
        .await;
    assert_eq!(forms, json!(0), "nothing left to answer");
    browser.open("/s/forged-token").await;
    wait_for_heading(&browser, "This link does not work").await;
    browser.close().await;
}
