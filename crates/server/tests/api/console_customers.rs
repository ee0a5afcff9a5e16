//! The console's customers and transactions pages.

use crate::helpers::{Browser, TestApp, on_both_backends, system};
use domain::{Name, Role};
use serde_json::{Value, json};
use store::{OrganizationStore, OrganizationUpdate};

on_both_backends!(
    the_customer_list_and_page_show_a_customer_and_their_transaction,
    a_member_cannot_edit_a_customer_but_a_manager_can,
    a_manager_creates_a_customer_with_a_new_external_id,
    hostile_customer_and_touchpoint_names_are_shown_escaped,
    the_transactions_list_filters_by_touchpoint_and_day,
);

/// A client team, two touchpoints, a staff member and the organization in Paris time.
pub async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    app.create_touchpoint("web-chat", "care").await;
    app.create_staff(Role::Member, "s7@example.com", Some("S-7"))
        .await;
    let update = OrganizationUpdate {
        name: Name::parse("name", "Acme").unwrap(),
        time_zone: "Europe/Paris".into(),
        president: None,
    };
    app.store
        .update_organization(&system(), update)
        .await
        .unwrap();
}

pub fn transaction(external_id: &str, touchpoint: &str, occurred_at: &str) -> Value {
    json!({"external_id": external_id, "touchpoint": touchpoint, "staff": "S-7", "occurred_at": occurred_at,
        "customer": {"external_id": "C-42", "name": "Ada Lovelace", "email": "ada@example.com", "segment": "enterprise",
            "annual_value": {"minor": 1_200_000, "currency": "EUR"}, "team": "care"},
        "amount": {"minor": 12000, "currency": "EUR"}})
}

pub async fn record(app: &TestApp, transactions: &[Value]) {
    let batch = json!({"transactions": transactions});
    let response = app
        .post_json("/api/v1/transactions", &app.admin_key, &batch)
        .await;
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
}

async fn customer_id(app: &TestApp, external_id: &str) -> i64 {
    let body: Value = app
        .get(&format!("/api/v1/customers/{external_id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["id"].as_i64().expect("customer id")
}

pub async fn body(response: reqwest::Response) -> (u16, String) {
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn the_customer_list_and_page_show_a_customer_and_their_transaction(app: TestApp) {
    setup(&app).await;
    record(
        &app,
        &[transaction(
            "T-1001",
            "phone-support",
            "2026-11-20T10:00:00Z",
        )],
    )
    .await;
    let member = app.logged_in(Role::Member).await;
    let (status, list) = member.get_html("/customers").await;
    assert_eq!(status, 200);
    for shown in [
        "Ada Lovelace",
        "C-42",
        "ada@example.com",
        "enterprise",
        "12000.00 EUR",
        "Team care",
        "Active",
    ] {
        assert!(list.contains(shown), "the list shows {shown}");
    }
    assert!(
        !list.contains("New customer"),
        "members cannot create customers"
    );
    for (query, found) in [
        ("q=lovelace", true),
        ("team=care", true),
        ("status=lost", false),
        ("segment=smb", false),
    ] {
        let (_, html) = member.get_html(&format!("/customers?{query}")).await;
        assert_eq!(html.contains("Ada Lovelace"), found, "/customers?{query}");
    }
    let (status, _) = member
        .get_html("/customers?status=bogus&team=nope&cursor=garbage&limit=-3")
        .await;
    assert_eq!(status, 200, "bad query values fall back instead of failing");
    let id = customer_id(&app, "C-42").await;
    let (status, page) = member.get_html(&format!("/customers/{id}")).await;
    assert_eq!(status, 200);
    for shown in [
        "Ada Lovelace",
        "T-1001",
        "Touchpoint phone-support",
        "2026-11-20 11:00 CET",
        "120.00 EUR",
        "member user",
    ] {
        assert!(page.contains(shown), "the customer page shows {shown}");
    }
    assert!(!page.contains("/edit\""), "members get no edit link");
    for missing in ["/customers/999999", "/customers/abc", "/customers/-1"] {
        assert_eq!(member.get_html(missing).await.0, 404, "{missing}");
    }
}

async fn a_member_cannot_edit_a_customer_but_a_manager_can(app: TestApp) {
    setup(&app).await;
    record(
        &app,
        &[transaction(
            "T-1001",
            "phone-support",
            "2026-11-20T10:00:00Z",
        )],
    )
    .await;
    let id = customer_id(&app, "C-42").await;
    let page = format!("/customers/{id}");
    let edit = format!("/customers/{id}/edit");
    let fields = [
        ("name", "Ada King"),
        ("email", "ada@king.example"),
        ("phone", "+33 1 23 45 67 89"),
        ("locale", "fr-FR"),
        ("segment", "strategic"),
        ("annual_value", "12000.50"),
        ("currency", "EUR"),
        ("team", "care"),
        ("status", "lost"),
    ];
    let member = app.logged_in(Role::Member).await;
    assert_eq!(member.get_html(&edit).await.0, 403);
    assert_eq!(member.submit(&page, &edit, &fields).await.status(), 403);
    assert_eq!(
        member
            .submit(&page, "/customers", &[("external_id", "C-1")])
            .await
            .status(),
        403
    );
    let manager = app.logged_in(Role::Manager).await;
    let (status, form) = manager.get_html(&edit).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"12000.00\""),
        "the stored value is shown as a decimal"
    );
    let saved = manager.submit(&edit, &edit, &fields).await;
    assert_eq!(saved.url().path(), page);
    let (_, html) = body(saved).await;
    for shown in [
        "Ada King",
        "ada@king.example",
        "fr-FR",
        "strategic",
        "12000.50 EUR",
        "Lost",
    ] {
        assert!(html.contains(shown), "the saved customer shows {shown}");
    }
    let stored: Value = app
        .get("/api/v1/customers/C-42", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["annual_value"],
        json!({"minor": 1_200_050, "currency": "EUR"})
    );
    for (field, bad, message) in [
        ("annual_value", "12,000.50", "must be an amount"),
        ("currency", "euro", "must be a three-letter"),
        ("email", "", "not removed"),
        ("team", "no-such-team", "no team"),
        ("status", "gone", "must be one of"),
    ] {
        let mut invalid = fields.to_vec();
        invalid.retain(|(name, _)| *name != field);
        invalid.push((field, bad));
        let (status, html) = body(manager.submit(&edit, &edit, &invalid).await).await;
        assert_eq!(status, 422, "{field}={bad:?}");
        assert!(
            html.contains(message),
            "{field}={bad:?} explains itself with {message:?}"
        );
        assert!(html.contains("Ada King"), "the form keeps what was typed");
    }
}

async fn a_manager_creates_a_customer_with_a_new_external_id(app: TestApp) {
    setup(&app).await;
    let manager = app.logged_in(Role::Manager).await;
    let fields = [
        ("external_id", "C-99"),
        ("name", "Grace Hopper"),
        ("annual_value", "500"),
        ("currency", "EUR"),
        ("team", ""),
        ("status", "active"),
    ];
    let created = manager
        .submit("/customers/new", "/customers", &fields)
        .await;
    assert!(
        created.url().path().starts_with("/customers/"),
        "{}",
        created.url()
    );
    let (_, html) = body(created).await;
    assert!(html.contains("Grace Hopper") && html.contains("500.00 EUR"));
    let (status, html) = body(
        manager
            .submit("/customers/new", "/customers", &fields)
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("already exists"),
        "an existing external id is not silently updated"
    );
    let (status, html) = body(
        manager
            .submit(
                "/customers/new",
                "/customers",
                &[("name", "No Id"), ("status", "active")],
            )
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("must be 1 to 128"));
}

async fn hostile_customer_and_touchpoint_names_are_shown_escaped(app: TestApp) {
    let hostile = "<script>alert(1)</script>";
    app.create_team("care", "client").await;
    let admin = app.logged_in(Role::Admin).await;
    let fields = [
        ("key", "evil"),
        ("name", hostile),
        ("team", "care"),
        ("description", hostile),
    ];
    assert_eq!(
        admin
            .submit("/touchpoints/new", "/touchpoints", &fields)
            .await
            .status(),
        200
    );
    let mut evil = transaction("T-evil", "evil", "2026-11-20T10:00:00Z");
    evil["customer"] = json!({"external_id": hostile, "name": hostile, "segment": hostile});
    evil.as_object_mut().unwrap().remove("staff");
    record(&app, &[evil]).await;
    let body: Value = app
        .get("/api/v1/customers?q=script", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let id = body["items"][0]["id"].as_i64().expect("customer id");
    let search = format!("/transactions?q={}", urlencode(hostile));
    for path in [
        "/customers".to_owned(),
        format!("/customers/{id}"),
        "/transactions".into(),
        search,
        "/touchpoints".into(),
        "/touchpoints/evil".into(),
    ] {
        let (status, html) = admin.get_html(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains(hostile), "{path} shows raw markup");
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{path}"
        );
    }
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The external ids of the transactions a page lists.
async fn listed(browser: &Browser, path: &str) -> Vec<&'static str> {
    let (status, html) = browser.get_html(path).await;
    assert_eq!(status, 200, "{path}");
    ["T-phone", "T-web", "T-late"]
        .into_iter()
        .filter(|id| html.contains(&format!(">{id}<")))
        .collect()
}

async fn the_transactions_list_filters_by_touchpoint_and_day(app: TestApp) {
    setup(&app).await;
    record(
        &app,
        &[
            transaction("T-phone", "phone-support", "2026-11-20T10:00:00Z"),
            transaction("T-web", "web-chat", "2026-11-20T12:00:00Z"),
            // 00:30 on the 21st in Paris, though still the 20th in UTC.
            transaction("T-late", "web-chat", "2026-11-20T23:30:00Z"),
        ],
    )
    .await;
    let member = app.logged_in(Role::Member).await;
    assert_eq!(
        listed(&member, "/transactions").await,
        ["T-phone", "T-web", "T-late"]
    );
    assert_eq!(
        listed(&member, "/transactions?touchpoint=phone-support").await,
        ["T-phone"]
    );
    assert_eq!(
        listed(&member, "/transactions?touchpoint=web-chat").await,
        ["T-web", "T-late"]
    );
    assert_eq!(
        listed(&member, "/transactions?team=care&touchpoint=web-chat").await,
        ["T-web", "T-late"]
    );
    assert_eq!(
        listed(&member, "/transactions?to=2026-11-20").await,
        ["T-phone", "T-web"]
    );
    assert_eq!(
        listed(&member, "/transactions?from=2026-11-21&to=2026-11-21").await,
        ["T-late"]
    );
    assert_eq!(
        listed(&member, "/transactions?touchpoint=no-such-thing")
            .await
            .len(),
        3,
        "an unknown key means no filter"
    );
    let (status, html) = member
        .get_html("/transactions?from=yesterday&to=2026-02-30")
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("not a date"),
        "a malformed day is explained, not a failure"
    );
    let (_, html) = member.get_html("/transactions").await;
    let id = customer_id(&app, "C-42").await;
    assert!(
        html.contains(&format!("href=\"/customers/{id}\"")),
        "customers link to their page"
    );
    assert!(
        html.contains("2026-11-21 00:30 CET"),
        "times are shown in the organization's zone"
    );
}
