//! The customer's survey page at `/s/{token}` and the unsubscribe page at `/u/{token}`: what
//! they show, in which language, drafts, submission once only, and every bad link or input.

use crate::helpers::{TestApp, on_both_backends};
use domain::Role;
use serde_json::{Value, json};

on_both_backends!(
    public_the_survey_page_says_what_it_is_about_and_weighs_under_50_kb,
    public_the_page_speaks_french_to_a_french_customer_or_browser,
    public_a_saved_draft_is_shown_when_the_link_is_reopened,
    public_a_missing_required_answer_is_shown_next_to_its_question_and_nothing_is_stored,
    public_a_survey_is_answered_once_and_thanks_the_customer,
    public_forged_or_altered_links_get_a_clear_404_page,
    public_an_expired_link_gets_a_clear_410_page_and_stores_nothing,
    public_hostile_and_garbage_answers_are_escaped_and_get_messages,
    public_a_customer_unsubscribes_for_good_by_form_or_one_click,
);

const PAGE_BUDGET_BYTES: usize = 50 * 1024;

fn survey() -> Value {
    json!({"key": "after-call", "name": "After your call", "touchpoints": ["phone-support"], "questions": [
        {"key": "csat", "prompt": "How satisfied are you with the call?", "type": "csat", "required": true},
        {"key": "nps", "prompt": "How likely are you to recommend us?", "type": "nps"},
        {"key": "courtesy", "prompt": "How courteous was our agent?", "type": "rating", "attribute": "Courtesy"},
        {"key": "effort", "prompt": "How easy was it to get help?", "type": "ces"},
        {"key": "channels", "prompt": "How did you reach us?", "type": "multiple_choice",
            "options": ["Phone", "E-mail", "Shop"]},
        {"key": "comment", "prompt": "What could we have done better?", "type": "free_text"},
        {"key": "contact", "prompt": "May we contact you about your answers?", "type": "consent"}
    ]})
}

/// An organization in Auckland with a team, a touchpoint, a staff member and its survey.
async fn setup(app: &TestApp) {
    let organization = json!({"name": "Acme Plumbing", "time_zone": "Pacific/Auckland", "president_user_id": null});
    let response = app
        .api
        .put(app.url("/api/v1/organization"))
        .bearer_auth(&app.admin_key)
        .json(&organization)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    app.create_staff(Role::Member, "s7@example.com", Some("S-7"))
        .await;
    let response = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey())
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

/// Records a transaction for a customer without e-mail; the path of its survey link, if any.
async fn invite(app: &TestApp, transaction: &str, customer: Value) -> Option<String> {
    let body = json!({"external_id": transaction, "customer": customer, "touchpoint": "phone-support",
        "staff": "S-7", "occurred_at": "2026-11-20T20:00:00Z"});
    let response = app
        .post_json("/api/v1/transactions", &app.admin_key, &body)
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let body: Value = response.json().await.unwrap();
    let url = body["survey_url"].as_str()?;
    let start = url.find("/s/").expect("a survey path");
    Some(url[start..].to_owned())
}

async fn survey_link(app: &TestApp) -> String {
    setup(app).await;
    invite(app, "T-1", json!({"external_id": "C-1", "name": "Ada"}))
        .await
        .expect("a survey link")
}

/// A client that shows redirects instead of following them, like a test of the form would.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, path: &str, accept_language: Option<&str>) -> (u16, String) {
    let mut request = client().get(app.url(path));
    if let Some(language) = accept_language {
        request = request.header("accept-language", language);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn stored_responses(app: &TestApp) -> Vec<Value> {
    let body: Value = app
        .get("/api/v1/responses", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn invitation_state(app: &TestApp, transaction: &str) -> Value {
    let body: Value = app
        .get("/api/v1/transactions?customer=C-1", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let items = body["items"].as_array().cloned().unwrap_or_default();
    let found = items.iter().find(|t| t["external_id"] == transaction);
    found.expect("the transaction")["invitation"]["state"].clone()
}

/// The checked inputs of a page, as `name=value`.
fn checked(html: &str) -> Vec<String> {
    html.split("<input ")
        .skip(1)
        .map(|tag| &tag[..tag.find('>').unwrap_or(tag.len())])
        .filter(|tag| tag.contains(" checked"))
        .map(|tag| {
            let attribute = |name: &str| {
                let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                tag[start..start + tag[start..].find('"').unwrap()].to_owned()
            };
            format!("{}={}", attribute("name"), attribute("value"))
        })
        .collect()
}

/// The path of the "don't ask me again" link of a survey page.
fn unsubscribe_path(html: &str) -> String {
    let start = html.find("/u/").expect("an unsubscribe link");
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn public_the_survey_page_says_what_it_is_about_and_weighs_under_50_kb(app: TestApp) {
    let link = survey_link(&app).await;
    let (status, html) = page(&app, &link, None).await;
    assert_eq!(status, 200);
    for expected in [
        "<html lang=\"en\">",
        "Acme Plumbing",
        "After your call",
        "Touchpoint phone-support",
        "21 November 2026",
        "member user",
        "How satisfied are you with the call?",
        "Very dissatisfied",
        "Very satisfied",
        "<textarea",
        "<legend",
        "type=\"checkbox\"",
        "href=\"/static/survey.css\"",
        "src=\"/static/survey.js\"",
    ] {
        assert!(html.contains(expected), "the page lacks {expected:?}");
    }
    assert!(!html.contains("<style") && !html.contains("style="));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the external script"
    );
    let css = client()
        .get(app.url("/static/survey.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    let css = css.bytes().await.unwrap();
    let js = client()
        .get(app.url("/static/survey.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    let js = js.bytes().await.unwrap();
    let total = html.len() + css.len() + js.len();
    assert!(
        total < PAGE_BUDGET_BYTES,
        "the survey page weighs {total} bytes (HTML {}, CSS {}, JS {})",
        html.len(),
        css.len(),
        js.len()
    );
}

async fn public_the_page_speaks_french_to_a_french_customer_or_browser(app: TestApp) {
    setup(&app).await;
    let customer = json!({"external_id": "C-1", "name": "Amélie", "locale": "fr-FR"});
    let french_customer = invite(&app, "T-1", customer).await.unwrap();
    let (status, html) = page(&app, &french_customer, Some("en-GB,en;q=0.9")).await;
    assert_eq!(status, 200);
    for expected in [
        "<html lang=\"fr\">",
        "Très insatisfait",
        "Envoyer mes réponses",
        "21 novembre 2026",
        "How satisfied are you with the call?",
    ] {
        assert!(html.contains(expected), "the page lacks {expected:?}");
    }
    let anyone = invite(&app, "T-2", json!({"external_id": "C-2"}))
        .await
        .unwrap();
    let (_, html) = page(&app, &anyone, Some("fr-CA,fr;q=0.9,en;q=0.5")).await;
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Très satisfait"));
    let (_, html) = page(&app, &anyone, Some("de-DE")).await;
    assert!(html.contains("<html lang=\"de\">") && html.contains("Sehr zufrieden"));
    let (_, html) = page(&app, &anyone, None).await;
    assert!(html.contains("<html lang=\"en\">"));
    let (status, html) = page(&app, "/s/not-a-real-token", Some("fr")).await;
    assert_eq!(status, 404);
    assert!(html.contains("Ce lien ne fonctionne pas"));
}

async fn public_a_saved_draft_is_shown_when_the_link_is_reopened(app: TestApp) {
    let link = survey_link(&app).await;
    let fields = [
        ("nps", "9"),
        ("channels", "Phone"),
        ("channels", "Shop"),
        ("comment", "Quick, but the line was bad"),
        ("action", "save"),
    ];
    let saved = post_form(&app, &link, &fields).await;
    assert_eq!(saved.status(), 200);
    let html = saved.text().await.unwrap();
    assert!(html.contains("Saved. You can come back to this link to finish."));
    let (status, html) = page(&app, &link, None).await;
    assert_eq!(status, 200);
    assert_eq!(checked(&html), ["nps=9", "channels=Phone", "channels=Shop"]);
    assert!(html.contains(">Quick, but the line was bad</textarea>"));
    let by_script = client()
        .post(app.url(&link))
        .header("x-requested-with", "fetch")
        .form(&[("csat", "4"), ("nps", "9"), ("action", "save")])
        .send()
        .await
        .unwrap();
    assert_eq!(by_script.status(), 204, "the auto-save gets no page");
    let (_, html) = page(&app, &link, None).await;
    assert_eq!(checked(&html), ["csat=4", "nps=9"]);
    assert!(
        stored_responses(&app).await.is_empty(),
        "a draft is not a response"
    );
}

async fn public_a_missing_required_answer_is_shown_next_to_its_question_and_nothing_is_stored(
    app: TestApp,
) {
    let link = survey_link(&app).await;
    let fields = [("nps", "3"), ("comment", "Too slow"), ("action", "submit")];
    let response = post_form(&app, &link, &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Please check the answers marked below."));
    assert!(html.contains("id=\"q-csat-error\">Please answer this question.</p>"));
    assert_eq!(checked(&html), ["nps=3"], "the customer's answers are kept");
    assert!(html.contains(">Too slow</textarea>"));
    assert!(stored_responses(&app).await.is_empty());
    assert_eq!(invitation_state(&app, "T-1").await, "sent");
}

async fn public_a_survey_is_answered_once_and_thanks_the_customer(app: TestApp) {
    let link = survey_link(&app).await;
    let fields = [
        ("csat", "2"),
        ("nps", "4"),
        ("courtesy", "5"),
        ("effort", "6"),
        ("channels", "E-mail"),
        ("comment", "Waited 40 minutes on hold"),
        ("contact", "yes"),
        ("action", "submit"),
    ];
    let response = post_form(&app, &link, &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], link.as_str());
    let (status, html) = page(&app, &link, None).await;
    assert_eq!(status, 200);
    assert!(html.contains("Thank you!") && !html.contains("<form"));
    let responses = stored_responses(&app).await;
    assert_eq!(responses.len(), 1);
    let stored = &responses[0];
    assert_eq!(stored["source"], "survey");
    assert_eq!(stored["transaction"], "T-1");
    assert_eq!(
        (&stored["csat"], &stored["nps"], &stored["ces"]),
        (&json!(2), &json!(4), &json!(6))
    );
    assert_eq!(stored["answers"]["channels"], json!(["E-mail"]));
    assert_eq!(stored["comment"], "Waited 40 minutes on hold");
    assert_eq!(stored["contact_consent"], true);
    assert_eq!(invitation_state(&app, "T-1").await, "answered");

    let again = post_form(&app, &link, &fields).await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("Already answered"));
    let save = post_form(&app, &link, &[("csat", "5"), ("action", "save")]).await;
    assert_eq!(save.status(), 409);
    assert_eq!(stored_responses(&app).await.len(), 1);
}

async fn public_forged_or_altered_links_get_a_clear_404_page(app: TestApp) {
    let link = survey_link(&app).await;
    let token = link.trim_start_matches("/s/");
    let mut altered: Vec<char> = token.chars().collect();
    altered[3] = if altered[3] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    let forged = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    for path in [
        format!("/s/{altered}"),
        format!("/s/{forged}"),
        format!("/s/{token}x"),
        "/s/%FF%FE".to_owned(),
        format!("/u/{token}"),
    ] {
        let (status, html) = page(&app, &path, None).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("This link does not work"), "{path}");
        let posted = post_form(&app, &path, &[("csat", "5"), ("action", "submit")]).await;
        assert_eq!(posted.status(), 404, "{path}");
    }
    assert!(stored_responses(&app).await.is_empty());
    assert_eq!(invitation_state(&app, "T-1").await, "sent");
}

async fn public_an_expired_link_gets_a_clear_410_page_and_stores_nothing(app: TestApp) {
    let link = survey_link(&app).await;
    app.store
        .execute_raw("UPDATE invitations SET expires_at = 0")
        .await
        .unwrap();
    let (status, html) = page(&app, &link, None).await;
    assert_eq!(status, 410);
    assert!(html.contains("This survey has closed") && !html.contains("<form"));
    for action in ["submit", "save"] {
        let posted = post_form(&app, &link, &[("csat", "5"), ("action", action)]).await;
        assert_eq!(posted.status(), 410, "{action}");
    }
    assert!(stored_responses(&app).await.is_empty());
    assert_eq!(invitation_state(&app, "T-1").await, "expired");
}

async fn public_hostile_and_garbage_answers_are_escaped_and_get_messages(app: TestApp) {
    let link = survey_link(&app).await;
    let hostile = "</textarea><script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let saved = post_form(&app, &link, &[("comment", hostile), ("action", "save")]).await;
    assert_eq!(saved.status(), 200);
    let (_, html) = page(&app, &link, None).await;
    assert!(!html.contains("<script>alert") && !html.contains("<img"));
    assert!(html.contains("&#60;/textarea&#62;&#60;script&#62;alert(1)&#60;/script&#62;"));

    let long = "a".repeat(5001);
    let garbage = [
        ("csat", "banana"),
        ("nps", "99"),
        ("courtesy", "-1"),
        ("channels", "Fax"),
        ("contact", "maybe"),
        ("comment", long.as_str()),
        ("unknown", "ignored"),
        ("action", "submit"),
    ];
    let response = post_form(&app, &link, &garbage).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for message in [
        "q-csat-error\">Please choose one of the values shown.",
        "q-nps-error\">Please choose one of the values shown.",
        "q-courtesy-error\">Please choose one of the values shown.",
        "q-channels-error\">Please choose among the options shown.",
        "q-contact-error\">Please answer yes or no.",
        "q-comment-error\">Please shorten your answer",
    ] {
        assert!(html.contains(message), "no message {message:?}");
    }
    for body in [
        &b"%FF%FE=%00&csat=%E2%28&action=submit"[..],
        b"{\"csat\": 5}",
        b"action=save&action=submit&csat=5&csat=1&&&==",
        b"",
    ] {
        let response = client()
            .post(app.url(&link))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert!(
            !response.status().is_server_error(),
            "{} for {:?}",
            response.status(),
            String::from_utf8_lossy(body)
        );
    }
    let responses = stored_responses(&app).await;
    assert!(responses.len() <= 1, "at most the one valid submission");
}

async fn public_a_customer_unsubscribes_for_good_by_form_or_one_click(app: TestApp) {
    let link = survey_link(&app).await;
    let (_, html) = page(&app, &link, None).await;
    let unsubscribe = unsubscribe_path(&html);
    let unsubscribe = unsubscribe.as_str();

    let (status, html) = page(&app, unsubscribe, None).await;
    assert_eq!(status, 200);
    assert!(html.contains("Stop receiving surveys?") && html.contains("<form method=\"post\""));
    let response = post_form(&app, unsubscribe, &[]).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("You are unsubscribed")
    );
    let one_click = client()
        .post(app.url(unsubscribe))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200, "RFC 8058 one-click");
    let next = invite(&app, "T-2", json!({"external_id": "C-1"})).await;
    assert_eq!(next, None, "an opted-out customer is not asked again");

    let other = invite(&app, "T-3", json!({"external_id": "C-3"}))
        .await
        .unwrap();
    let (_, html) = page(&app, &other, None).await;
    let one_click = client()
        .post(app.url(&unsubscribe_path(&html)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    assert_eq!(
        invite(&app, "T-4", json!({"external_id": "C-3"})).await,
        None
    );
}
