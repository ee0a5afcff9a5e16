//! The console's invitation e-mail templates page (`/settings/email`).

use crate::helpers::{Browser, TestApp, on_both_backends};
use domain::Role;
use serde_json::Value;

on_both_backends!(
    an_admin_saves_a_changed_subject_and_the_api_shows_it,
    an_unknown_placeholder_is_refused_and_nothing_changes,
    a_member_cannot_see_or_change_the_templates,
    hostile_text_is_shown_escaped,
);

async fn templates(app: &TestApp) -> Value {
    let response = app.get("/api/v1/email-templates", &app.admin_key).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["templates"].clone()
}

/// Every field of the stored templates, as the form would send them back.
fn fields_of(templates: &Value) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (language, template) in templates.as_object().unwrap() {
        for field in [
            "subject",
            "reminder_subject",
            "anonymous_name",
            "text",
            "html",
        ] {
            let value = template[field].as_str().unwrap_or_default().to_owned();
            fields.push((format!("{language}.{field}"), value));
        }
    }
    fields
}

async fn save(browser: &Browser, fields: &[(String, String)]) -> reqwest::Response {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser
        .submit("/settings/email", "/settings/email", &borrowed)
        .await
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            let v = if k == name { value } else { v.as_str() };
            (k.clone(), v.to_owned())
        })
        .collect()
}

async fn an_admin_saves_a_changed_subject_and_the_api_shows_it(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let (_, settings) = admin.get_html("/settings").await;
    assert!(settings.contains("href=\"/settings/email\""));
    let (status, html) = admin.get_html("/settings/email").await;
    assert_eq!(status, 200);
    assert!(html.contains("{{survey_url}}") && html.contains("{{staff_name}}"));
    assert!(html.contains("name=\"fr.reminder_subject\"") && html.contains("name=\"en.html\""));

    let before = templates(&app).await;
    let fields = with(
        &fields_of(&before),
        "en.subject",
        "We value your opinion, {{ customer_name }}",
    );
    let saved = save(&admin, &fields).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(saved.url().path(), "/settings/email");
    let html = saved.text().await.unwrap();
    assert!(html.contains("were saved"), "{html}");
    let after = templates(&app).await;
    assert_eq!(
        after["en"]["subject"],
        "We value your opinion, {{ customer_name }}"
    );
    assert_eq!(after["fr"], before["fr"]);
    assert_eq!(after["en"]["html"], before["en"]["html"]);

    // Browsers send textarea line breaks as CRLF; they are stored as LF.
    let crlf = before["en"]["text"].as_str().unwrap().replace('\n', "\r\n");
    let saved = save(&admin, &with(&fields, "en.text", &crlf)).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(templates(&app).await["en"]["text"], before["en"]["text"]);

    let reset = admin
        .submit("/settings/email", "/settings/email/reset", &[])
        .await;
    assert_eq!(reset.status(), 200);
    assert!(
        reset
            .text()
            .await
            .unwrap()
            .contains("default e-mail templates")
    );
    assert_eq!(templates(&app).await, before);
}

async fn an_unknown_placeholder_is_refused_and_nothing_changes(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let before = templates(&app).await;
    let typed = "{{survey_url}} {{unsubscribe_url}} Only {{price}} today";
    let fields = with(&fields_of(&before), "fr.text", typed);
    let fields = with(&fields, "en.subject", "A subject typed before the error");
    let refused = save(&admin, &fields).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Plain-text body (fr) uses the unknown placeholder {{price}}"),
        "{html}"
    );
    assert!(
        html.contains("Only {{price}} today"),
        "the typed text is kept"
    );
    assert!(html.contains("A subject typed before the error"));
    assert_eq!(templates(&app).await, before);

    let missing_link = with(&fields_of(&before), "en.html", "<p>{{survey_url}}</p>");
    let refused = save(&admin, &missing_link).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("HTML body (en) must contain")
    );
    assert_eq!(templates(&app).await, before);
}

async fn a_member_cannot_see_or_change_the_templates(app: TestApp) {
    let before = templates(&app).await;
    let member = app.logged_in(Role::Member).await;
    assert_eq!(member.get_html("/settings/email").await.0, 403);
    let fields = with(&fields_of(&before), "en.subject", "Changed by a member");
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // The member's own page supplies the CSRF token; the role check refuses the change.
    let refused = member.submit("/", "/settings/email", &borrowed).await;
    assert_eq!(refused.status(), 403);
    let refused = member.submit("/", "/settings/email/reset", &[]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(templates(&app).await, before);
}

async fn hostile_text_is_shown_escaped(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let before = templates(&app).await;
    let hostile = "\"><script>alert(1)</script>";
    let fields = with(&fields_of(&before), "fr.subject", hostile);
    assert_eq!(save(&admin, &fields).await.status(), 200);
    let (status, html) = admin.get_html("/settings/email").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
    // And in a re-rendered form after an error.
    let fields = with(&fields, "en.text", "</textarea><script>alert(2)</script>");
    let refused = save(&admin, &fields).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(!html.contains("<script>alert(") && !html.contains("</textarea><script>"));
}
