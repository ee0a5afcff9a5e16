//! Recording a transaction by hand in the console: the invitation and its survey link, roles,
//! validation, upsert by external id and escaping.

use crate::helpers::{Browser, TestApp, on_both_backends, system};
use domain::{Name, Role};
use serde_json::{Value, json};
use store::{OrganizationStore, OrganizationUpdate};

on_both_backends!(
    a_manager_records_a_transaction_and_gets_a_working_survey_link,
    a_member_cannot_record_a_transaction,
    invalid_input_is_refused_with_a_message_and_nothing_stored,
    recording_the_same_external_id_again_updates_it,
    hostile_text_is_shown_escaped,
);

/// A client team, a surveyed and an unsurveyed touchpoint, a staff member, Paris time.
async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    app.create_touchpoint("billing", "care").await;
    app.create_staff(Role::Member, "s7@example.com", Some("S-7"))
        .await;
    let survey = json!({"key": "after-call", "name": "After a call", "touchpoints": ["phone-support"],
        "questions": [{"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true}]});
    let response = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
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

fn fields<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("external_id", "T-1"),
        ("customer", "C-1"),
        ("customer_name", "Ada Lovelace"),
        ("customer_email", ""),
        ("touchpoint", "phone-support"),
        ("staff", "S-7"),
        ("occurred_at", "2026-11-20T10:00"),
        ("amount", "120.50"),
        ("currency", "EUR"),
        ("note", "Paid in cash"),
    ];
    for (key, value) in overrides {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => fields.push((key, value)),
        }
    }
    fields
}

async fn record(browser: &Browser, overrides: &[(&str, &str)]) -> (u16, String) {
    let response = browser
        .submit("/transactions/new", "/transactions", &fields(overrides))
        .await;
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn stored(app: &TestApp) -> Vec<Value> {
    let body: Value = app
        .get("/api/v1/transactions", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().unwrap().clone()
}

/// The survey link shown on the result page, if any.
fn survey_link(app: &TestApp, html: &str) -> Option<String> {
    let start = html.find(&format!("{}/s/", app.address))?;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

async fn a_manager_records_a_transaction_and_gets_a_working_survey_link(app: TestApp) {
    setup(&app).await;
    let manager = app.logged_in(Role::Manager).await;
    let (status, list) = manager.get_html("/transactions").await;
    assert_eq!(status, 200);
    assert!(list.contains("href=\"/transactions/new\""), "{list}");
    let (status, form) = manager.get_html("/transactions/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("value=\"phone-support\""), "{form}");
    assert!(form.contains("value=\"S-7\""), "active staff are offered");
    assert!(form.contains("type=\"datetime-local\""));

    let (status, page) = record(&manager, &[]).await;
    assert_eq!(status, 201, "{page}");
    let link = survey_link(&app, &page).expect("a survey link is shown");
    assert!(!link.contains("T-1") && !link.contains("C-1"));
    let survey = app.api.get(&link).send().await.unwrap();
    assert_eq!(survey.status(), 200, "the link opens the survey");
    assert!(
        survey
            .text()
            .await
            .unwrap()
            .contains("How satisfied are you?")
    );

    let items = stored(&app).await;
    assert_eq!(items.len(), 1);
    let tx = &items[0];
    assert_eq!(
        tx["occurred_at"], "2026-11-20T09:00:00Z",
        "read in Paris time"
    );
    assert_eq!(tx["amount"], json!({"minor": 12050, "currency": "EUR"}));
    assert_eq!(tx["staff"], "S-7");
    assert_eq!(tx["team"], "care");
    assert_eq!(tx["attributes"], json!({"note": "Paid in cash"}));
    assert_eq!(tx["customer"]["name"], "Ada Lovelace");
    assert_eq!(tx["invitation"]["state"], "sent");
    assert_eq!(tx["survey_url"].as_str(), Some(link.as_str()));
    let customer: Value = app
        .get("/api/v1/customers/C-1", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert!(page.contains(&format!("href=\"/customers/{}\"", customer["id"])));
    assert!(page.contains("2026-11-20 10:00 CET"), "{page}");

    let (status, page) = record(
        &manager,
        &[
            ("external_id", "T-2"),
            ("touchpoint", "billing"),
            ("occurred_at", ""),
        ],
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert_eq!(survey_link(&app, &page), None, "no survey on billing");
    assert!(page.contains("the touchpoint has no survey"));
}

async fn a_member_cannot_record_a_transaction(app: TestApp) {
    setup(&app).await;
    let member = app.logged_in(Role::Member).await;
    let (status, list) = member.get_html("/transactions").await;
    assert_eq!(status, 200);
    assert!(!list.contains("/transactions/new"));
    assert_eq!(member.get_html("/transactions/new").await.0, 403);
    let response = member
        .submit("/transactions", "/transactions", &fields(&[]))
        .await;
    assert_eq!(response.status(), 403);
    assert!(stored(&app).await.is_empty());
    let president = app.logged_in(Role::President).await;
    assert_eq!(president.get_html("/transactions/new").await.0, 200);
}

async fn invalid_input_is_refused_with_a_message_and_nothing_stored(app: TestApp) {
    setup(&app).await;
    let manager = app.logged_in(Role::Manager).await;
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("amount", "12,50")], "Amount: must be an amount"),
        (&[("amount", "-3")], "Amount: must be an amount"),
        (&[("currency", "euro")], "Currency: must be a three-letter"),
        (&[("occurred_at", "yesterday")], "Occurred at: "),
        (&[("occurred_at", "2026-02-30T10:00")], "Occurred at: "),
        (&[("external_id", "  ")], "External id: "),
        (&[("touchpoint", "nowhere")], "There is no touchpoint"),
        (&[("staff", "S-404")], "Staff member: "),
    ];
    for (overrides, message) in cases {
        let (status, page) = record(&manager, overrides).await;
        assert_eq!(status, 422, "{overrides:?}");
        assert!(page.contains(message), "{overrides:?}: {page}");
        assert!(
            page.contains("value=\"Ada Lovelace\""),
            "the values are kept"
        );
        assert!(page.contains("Paid in cash"));
    }
    let (status, page) = record(&manager, &[("customer", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Customer external id: "), "{page}");
    assert!(stored(&app).await.is_empty(), "nothing was stored");
    let customers: Value = app
        .get("/api/v1/customers", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customers["items"], json!([]), "no customer either");
}

async fn recording_the_same_external_id_again_updates_it(app: TestApp) {
    setup(&app).await;
    let manager = app.logged_in(Role::Manager).await;
    let (status, first) = record(&manager, &[]).await;
    assert_eq!(status, 201);
    let (status, again) = record(
        &manager,
        &[("amount", "99"), ("customer_name", ""), ("note", "")],
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert!(again.contains("updated"));
    assert_eq!(
        survey_link(&app, &again),
        survey_link(&app, &first),
        "no second invitation"
    );
    let items = stored(&app).await;
    assert_eq!(items.len(), 1, "one transaction");
    assert_eq!(items[0]["amount"]["minor"], 9900);
    assert_eq!(
        items[0]["customer"]["name"], "Ada Lovelace",
        "a blank name keeps the customer's"
    );
    assert_eq!(items[0]["attributes"], json!({}));
}

async fn hostile_text_is_shown_escaped(app: TestApp) {
    setup(&app).await;
    let manager = app.logged_in(Role::Manager).await;
    let hostile = "\"><script>alert(1)</script>";
    let overrides = [
        ("external_id", hostile),
        ("customer", hostile),
        ("customer_name", hostile),
        ("note", hostile),
    ];
    let (status, page) = record(&manager, &overrides).await;
    assert_eq!(status, 201, "{page}");
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"));
    let mut invalid = overrides.to_vec();
    invalid.push(("amount", hostile));
    invalid.push(("occurred_at", hostile));
    let (status, page) = record(&manager, &invalid).await;
    assert_eq!(status, 422);
    assert!(!page.contains("<script>alert(1)"), "{page}");
    let (status, list) = manager.get_html("/transactions").await;
    assert_eq!(status, 200);
    assert!(!list.contains("<script>alert(1)"));
}
