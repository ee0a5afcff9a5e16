//! Performance standards in the console: an administrator defines one through the form,
//! events arrive through the API, and the list and detail pages show the counts, the
//! compliance, the breaches with the customer affected and the subjects breaching now.
//! Members may look but not define; hostile strings are escaped; bad input is refused.

use crate::helpers::{TestApp, on_both_backends};
use domain::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

on_both_backends!(
    a_standard_defined_in_the_console_is_measured_on_the_events_posted,
    a_member_sees_standards_but_cannot_define_them,
    hostile_names_are_escaped_and_bad_input_is_refused,
);

const NEW: &str = "/standards/new";

fn fields<'a>(key: &'a str, name: &'a str, target: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("key", key),
        ("name", name),
        ("subject_label", "order"),
        ("start_event", "order.received"),
        ("end_event", "order.processed"),
        ("hours", "3"),
        ("minutes", "0"),
        ("basis", "calendar"),
        ("target_percent", target),
        ("team", "ops"),
        ("touchpoints", "shop"),
    ]
}

fn event(kind: &str, subject: &str, customer: &str, at: Timestamp) -> Value {
    json!({"event_type": kind, "subject": subject, "customer": customer, "occurred_at": at.to_string()})
}

async fn standards(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/standards", &app.admin_key)
        .await
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

async fn a_standard_defined_in_the_console_is_measured_on_the_events_posted(app: TestApp) {
    app.create_team("ops", "operations").await;
    app.create_touchpoint("shop", "ops").await;
    app.create_touchpoint("phone", "ops").await;
    let ingest = app.api_key("ingest").await;
    let customer = app
        .post_json(
            "/api/v1/customers",
            &ingest,
            &json!({"external_id": "C-7", "name": "Ada Lovelace"}),
        )
        .await;
    assert_eq!(customer.status(), 201, "{}", customer.text().await.unwrap());

    let admin = app.logged_in(Role::Admin).await;
    let (status, form) = admin.get_html(NEW).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("Team ops") && form.contains("Touchpoint phone"),
        "{form}"
    );
    let response = admin
        .submit(
            NEW,
            "/standards",
            &fields("orders-3h", "Orders processed", "95"),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/standards/orders-3h");
    let listed = standards(&app).await;
    assert_eq!(listed.len(), 1);
    let definition = &listed[0]["definition"];
    assert_eq!(definition["threshold_seconds"], 3 * 3600);
    assert_eq!(definition["touchpoints"], json!(["shop"]));
    assert_eq!(definition["team"], "ops");

    // Nine orders processed in two hours, two in four hours, one open for five hours.
    let now = Timestamp::now();
    let ago = |minutes: i64| now - SignedDuration::from_mins(minutes);
    let mut events = Vec::new();
    for i in 0..11 {
        let received = ago(24 * 60 - i * 60);
        let taken = if i < 9 { 120 } else { 240 };
        let customer = if i == 10 { "C-7" } else { "C-unknown" };
        let subject = format!("O-{i}");
        events.push(event("order.received", &subject, customer, received));
        events.push(event(
            "order.processed",
            &subject,
            customer,
            received + SignedDuration::from_mins(taken),
        ));
    }
    events.push(event("order.received", "O-late", "C-7", ago(300)));
    let stored = app
        .post_json("/api/v1/events", &ingest, &json!({"events": events}))
        .await;
    assert_eq!(stored.status(), 201);

    let (status, list) = admin.get_html("/standards").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("Orders processed within 3 h, 95 % of the time"),
        "{list}"
    );
    assert!(list.contains("Team ops"));
    assert!(list.contains("75.0 %"), "9 met of 12 decided: {list}");
    assert!(list.contains("Clearly below target") || list.contains("Below target"));
    assert!(
        list.contains("<span class=\"overdue\">1</span>"),
        "one breaching now"
    );

    let (status, page) = admin.get_html("/standards/orders-3h").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"met\">9<"), "{page}");
    assert!(page.contains("id=\"breached\">3<"));
    assert!(page.contains("75.0 %"));
    assert!(page.contains("Breaching now (1)"));
    assert!(page.contains("O-late"));
    assert!(page.contains("Breaches (3)"));
    assert!(page.contains("Median (p50)") && page.contains("2 h"));
    assert!(page.contains("<svg"), "the histogram is drawn");
    let id = app
        .get("/api/v1/customers/C-7", &app.admin_key)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(
        page.contains(&format!("<a href=\"/customers/{id}\">C-7</a>")),
        "the customer affected is linked"
    );
    assert!(
        page.contains("C-unknown"),
        "an unknown customer is shown unlinked"
    );

    // A period before any event: nothing; a garbled date is refused with the default period.
    let (status, empty) = admin
        .get_html("/standards/orders-3h?from=2020-01-01&to=2020-01-31&bucket=day")
        .await;
    assert_eq!(status, 200);
    assert!(empty.contains("id=\"met\">0<") && empty.contains("No data yet"));
    let (status, garbled) = admin.get_html("/standards/orders-3h?from=yesterday").await;
    assert_eq!(status, 422);
    assert!(garbled.contains("YYYY-MM-DD") && garbled.contains("id=\"met\">9<"));

    // Edit: six hours makes every ended order met; the open one is within its deadline.
    let (status, edit) = admin.get_html("/standards/orders-3h/edit").await;
    assert_eq!(status, 200);
    assert!(edit.contains("value=\"3\"") && edit.contains("value=\"shop\" checked"));
    let mut changed = fields("ignored", "Orders processed", "95");
    changed.retain(|(k, _)| *k != "hours" && *k != "key");
    changed.push(("hours", "6"));
    let response = admin
        .submit(
            "/standards/orders-3h/edit",
            "/standards/orders-3h/edit",
            &changed,
        )
        .await;
    assert_eq!(response.url().path(), "/standards/orders-3h");
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"breached\">0<"), "{page}");
    assert!(page.contains("100.0 %"));

    // Delete, after a confirmation page.
    let (status, confirm) = admin.get_html("/standards/orders-3h/delete").await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Delete this standard?"));
    let response = admin
        .submit(
            "/standards/orders-3h/delete",
            "/standards/orders-3h/delete",
            &[],
        )
        .await;
    assert_eq!(response.url().path(), "/standards");
    assert!(standards(&app).await.is_empty());
    let (status, _) = admin.get_html("/standards/orders-3h").await;
    assert_eq!(status, 404);
}

async fn a_member_sees_standards_but_cannot_define_them(app: TestApp) {
    app.create_team("ops", "operations").await;
    let member = app.logged_in(Role::Member).await;
    let (status, list) = member.get_html("/standards").await;
    assert_eq!(status, 200);
    assert!(list.contains("href=\"/standards\""), "in the navigation");
    assert!(!list.contains("/standards/new"));
    assert_eq!(member.get_html(NEW).await.0, 403);
    let response = member
        .submit(
            "/standards",
            "/standards",
            &fields("orders-3h", "Orders", "95"),
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(standards(&app).await.is_empty());
}

async fn hostile_names_are_escaped_and_bad_input_is_refused(app: TestApp) {
    app.create_team("ops", "operations").await;
    let admin = app.logged_in(Role::Admin).await;
    let hostile = "<script>alert(1)</script>";
    let response = admin
        .submit(NEW, "/standards", &fields("hostile", hostile, "90"))
        .await;
    assert_eq!(response.url().path(), "/standards/hostile");
    let page = response.text().await.unwrap();
    let escaped = |html: &str| {
        !html.contains(hostile)
            && (html.contains("&lt;script&gt;alert(1)")
                || html.contains("&#60;script&#62;alert(1)"))
    };
    assert!(escaped(&page), "{page}");
    let (_, list) = admin.get_html("/standards").await;
    assert!(escaped(&list), "{list}");

    let cases: [(&str, &str, &str); 6] = [
        ("target_percent", "120", "Target percent"),
        ("hours", "three", "Threshold hours"),
        ("minutes", "75", "Threshold minutes"),
        ("end_event", "order.received", "End event"),
        ("team", "nobody", "nobody"),
        ("key", "hostile", "hostile"),
    ];
    for (field, value, message) in cases {
        let mut typed = fields("orders-3h", "Orders processed", "95");
        typed.retain(|(k, _)| *k != field);
        typed.push((field, value));
        let response = admin.submit(NEW, "/standards", &typed).await;
        assert_eq!(response.status(), 422, "{field}={value}");
        let page = response.text().await.unwrap();
        assert!(page.contains("class=\"alert\""), "{page}");
        assert!(page.contains(message), "{field}: {page}");
        assert!(
            page.contains("value=\"Orders processed\""),
            "the form is kept"
        );
    }
    assert_eq!(standards(&app).await.len(), 1, "nothing more was saved");
}
