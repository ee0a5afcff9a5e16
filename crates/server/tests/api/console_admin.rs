//! The console's administration sections: who may see them, API keys, settings and the audit
//! log. Staff accounts are in `console_staff`.

use crate::console_staff::user_id;
use crate::helpers::{Browser, TestApp, on_both_backends};
use domain::Role;

on_both_backends!(
    a_member_is_forbidden_every_administration_page_and_form,
    an_api_key_created_in_the_console_works_until_it_is_revoked_there,
    the_settings_reject_an_unknown_time_zone_and_save_a_valid_one,
    the_audit_log_shows_the_changes_made_in_the_console,
);

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let to = html[from..].find(end)? + from;
    Some(&html[from..to])
}

async fn a_member_is_forbidden_every_administration_page_and_form(app: TestApp) {
    let member = app.logged_in(Role::Member).await;
    for path in [
        "/users",
        "/users/new",
        "/users/1",
        "/api-keys",
        "/api-keys/new",
        "/settings",
        "/audit-log",
    ] {
        let (status, html) = member.get_html(path).await;
        assert_eq!(status, 403, "GET {path}");
        assert!(html.contains("Not allowed"), "GET {path}");
    }
    let posts: [(&str, &[(&str, &str)]); 5] = [
        (
            "/users",
            &[("email", "x@example.com"), ("name", "X"), ("role", "admin")],
        ),
        (
            "/users/1/edit",
            &[("name", "X"), ("role", "admin"), ("active", "on")],
        ),
        ("/api-keys", &[("name", "mine"), ("scopes", "admin")]),
        ("/api-keys/1/revoke", &[]),
        (
            "/settings",
            &[
                ("name", "Taken over"),
                ("time_zone", "UTC"),
                ("president", ""),
            ],
        ),
    ];
    for (action, fields) in posts {
        assert_eq!(
            member.submit("/", action, fields).await.status(),
            403,
            "POST {action}"
        );
    }
    let keys: serde_json::Value = app
        .get("/api/v1/api-keys", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys["items"].as_array().unwrap().len(),
        1,
        "only the test's own key exists"
    );
    let organization: serde_json::Value = app
        .get("/api/v1/organization", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(organization["name"], "Taken over");

    let president = app.logged_in(Role::President).await;
    assert_eq!(
        president.get_html("/audit-log").await.0,
        200,
        "the president oversees"
    );
    assert_eq!(
        president.get_html("/users").await.0,
        403,
        "but does not administer"
    );
}

/// Creates a key in the console; returns the result page.
async fn create_key(admin: &Browser, name: &str, scopes: &[&str]) -> reqwest::Response {
    let mut fields = vec![("name", name)];
    fields.extend(scopes.iter().map(|s| ("scopes", *s)));
    admin.submit("/api-keys/new", "/api-keys", &fields).await
}

async fn an_api_key_created_in_the_console_works_until_it_is_revoked_there(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let refused = create_key(&admin, "Nothing", &[]).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Choose at least one scope.")
    );

    let created = create_key(&admin, "Billing <system>", &["read"]).await;
    assert_eq!(
        created.status(),
        201,
        "the key is shown on the response itself, not after a redirect"
    );
    assert!(
        !created.url().as_str().contains("ps_"),
        "the secret is never in a URL"
    );
    let html = created.text().await.unwrap();
    assert!(html.contains("will not be shown again"));
    let secret = between(
        &html,
        "class=\"secret\" aria-label=\"The new API key\">",
        "</p>",
    )
    .unwrap()
    .to_owned();
    assert!(secret.starts_with("ps_"), "{secret}");
    assert_eq!(app.get("/api/v1/teams", &secret).await.status(), 200);

    let (_, list) = admin.get_html("/api-keys").await;
    assert!(!list.contains(&secret), "the list never shows the secret");
    let prefix = &secret[3..15];
    assert!(list.contains(&format!("ps_{prefix}_…")));
    assert!(list.contains("Billing &#60;system&#62;") || list.contains("Billing &lt;system&gt;"));
    let row = &list[list.find(&format!("ps_{prefix}_")).unwrap()..];
    let action = between(row, "action=\"", "\"").unwrap().to_owned();
    assert!(action.ends_with("/revoke"), "{action}");
    let revoked = admin.submit("/api-keys", &action, &[]).await;
    assert_eq!(revoked.url().path(), "/api-keys");
    assert!(revoked.text().await.unwrap().contains("revoked"));
    assert_eq!(
        app.get("/api/v1/teams", &secret).await.status(),
        401,
        "a revoked key stops working"
    );
    assert_eq!(
        admin
            .submit("/api-keys", "/api-keys/999999/revoke", &[])
            .await
            .status(),
        404
    );
}

async fn the_settings_reject_an_unknown_time_zone_and_save_a_valid_one(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    app.create_staff(Role::President, "president@example.com", None)
        .await;
    let president = user_id(&app, "president@example.com").await.to_string();
    let (status, page) = admin.get_html("/settings").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("value=\"{president}\"")),
        "the president is offered"
    );

    let bad = [
        ("name", "Acme"),
        ("time_zone", "Mars/<Olympus>"),
        ("president", ""),
    ];
    let response = admin.submit("/settings", "/settings", &bad).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("is not a known time zone"), "{html}");
    assert!(!html.contains("<Olympus>"), "the typed value is escaped");
    let organization: serde_json::Value = app
        .get("/api/v1/organization", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(organization["name"], "Acme", "nothing was saved");

    let good = [
        ("name", "Acme"),
        ("time_zone", "Europe/Paris"),
        ("president", president.as_str()),
    ];
    let response = admin.submit("/settings", "/settings", &good).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("The settings were saved.") && html.contains("Times shown in Europe/Paris")
    );
    let organization: serde_json::Value = app
        .get("/api/v1/organization", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(organization["time_zone"], "Europe/Paris");
    assert_eq!(organization["president_user_id"].to_string(), president);

    let unknown = (user_id(&app, "admin@example.com").await + 1000).to_string();
    let forged = [
        ("name", "Acme"),
        ("time_zone", "UTC"),
        ("president", unknown.as_str()),
    ];
    assert_eq!(
        admin
            .submit("/settings", "/settings", &forged)
            .await
            .status(),
        422
    );
}

async fn the_audit_log_shows_the_changes_made_in_the_console(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let settings = [
        ("name", "Acme <Services>"),
        ("time_zone", "Europe/Paris"),
        ("president", ""),
    ];
    assert_eq!(
        admin
            .submit("/settings", "/settings", &settings)
            .await
            .status(),
        200
    );
    let user = [
        ("email", "grace@example.com"),
        ("name", "Grace"),
        ("role", "member"),
    ];
    assert_eq!(
        admin.submit("/users/new", "/users", &user).await.status(),
        200
    );

    let president = app.logged_in(Role::President).await;
    let (status, html) = president.get_html("/audit-log").await;
    assert_eq!(status, 200);
    assert!(html.contains("organization.update") && html.contains("user.create"));
    assert!(
        html.contains("admin user &#60;admin@example.com&#62;")
            || html.contains("admin user &lt;admin@example.com&gt;")
    );
    assert!(
        html.contains("<pre class=\"json\">"),
        "records are shown as JSON"
    );
    assert!(
        !html.contains("Acme <Services>"),
        "recorded text is escaped"
    );
    assert!(
        html.find("organization.update").unwrap() > html.find("grace@example.com").unwrap(),
        "newest first"
    );

    let (_, filtered) = president.get_html("/audit-log?entity=organization").await;
    assert!(filtered.contains("organization.update") && !filtered.contains("user.create"));
    let (_, searched) = president.get_html("/audit-log?q=user.create").await;
    assert!(searched.contains("user.create") && !searched.contains("organization.update"));
    let (_, past) = president.get_html("/audit-log?to=2000-01-01").await;
    assert!(past.contains("No changes match."));
    let (_, today) = president
        .get_html("/audit-log?from=2000-01-01&to=2999-12-31")
        .await;
    assert!(today.contains("user.create"));
    let (status, bad) = president.get_html("/audit-log?from=yesterday").await;
    assert_eq!(status, 422);
    assert!(bad.contains("From must be a date such as 2026-11-20."));
}
