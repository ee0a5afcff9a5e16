//! The guarantee in the console: the president's view of every invocation (and the overview's
//! glance), a manager's view of their teams' only, none for members; corrections through the
//! form; the CSV export; the report; the policy form.

use crate::helpers::{Browser, TestApp, on_both_backends};
use domain::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

on_both_backends!(
    the_president_sees_every_invocation_and_a_member_none,
    a_manager_sees_only_the_invocations_of_their_teams,
    a_correction_through_the_form_is_a_new_entry,
    the_policy_form_validates_and_saves,
);

/// Teams `care` and `sales`, a touchpoint of each, and one invocation on each (C-1 on care
/// paying 30.00, C-2 on sales paying 0).
async fn two_invocations(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_team("sales", "client").await;
    app.create_touchpoint("repair", "care").await;
    app.create_touchpoint("shop", "sales").await;
    for (id, customer, touchpoint, worth) in
        [("T-1", "C-1", "repair", "30"), ("T-2", "C-2", "shop", "0")]
    {
        let occurred = (Timestamp::now() - SignedDuration::from_hours(3)).to_string();
        let body = json!({"external_id": id, "customer": {"external_id": customer, "name": format!("Customer {customer}")},
            "touchpoint": touchpoint, "occurred_at": occurred, "amount": {"minor": 12000, "currency": "EUR"}});
        let created: Value = app
            .post_json("/api/v1/transactions", &app.admin_key, &body)
            .await
            .json()
            .await
            .unwrap();
        let url = created["guarantee_url"].as_str().unwrap();
        let response = app
            .api
            .post(url)
            .form(&[("worth", worth), ("reason", "<script>alert(1)</script>")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

async fn the_president_sees_every_invocation_and_a_member_none(app: TestApp) {
    two_invocations(&app).await;
    let president = app.logged_in(Role::President).await;
    let (status, home) = president.get_html("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("The guarantee, last 30 days"), "{home}");
    assert!(home.contains("<strong>2</strong> invocations"), "{home}");
    assert!(home.contains("210.00 EUR credited"), "{home}");
    let (status, list) = president.get_html("/guarantees").await;
    assert_eq!(status, 200);
    assert!(list.contains("Customer C-1") && list.contains("Customer C-2"));
    assert!(
        list.find("Customer C-2") < list.find("Customer C-1"),
        "newest first"
    );
    assert!(list.contains("&#60;script&#62;"), "reasons are escaped");
    assert!(!list.contains("<script>alert(1)"));
    let entry: Value = app
        .get("/api/v1/guarantees?limit=1&order=desc", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let id = entry["items"][0]["id"].as_i64().unwrap();
    let (status, detail) = president.get_html(&format!("/guarantees/{id}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("120.00 EUR") && detail.contains("Record a correction"));
    assert!(
        detail.contains("The customer&#39;s history") || detail.contains("The customer's history")
    );
    let (status, report) = president.get_html("/guarantees/report?by=touchpoint").await;
    assert_eq!(status, 200);
    assert!(report.contains("Guarantee report") && report.contains("per 1,000"));
    let csv = president.get("/guarantees/export.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(csv.text().await.unwrap().lines().count(), 3);
    for path in ["/guarantees/abc", "/guarantees/999999", "/guarantees/-1"] {
        let (status, page) = president.get_html(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(page.contains("<html"), "a readable page");
    }
    let (status, _) = president.get_html("/guarantees/report?from=someday").await;
    assert_eq!(status, 200, "a bad date is ignored with a notice");

    let member = app.logged_in(Role::Member).await;
    for path in [
        "/guarantees",
        &format!("/guarantees/{id}"),
        "/guarantees/report",
        "/guarantees/export.csv",
    ] {
        let (status, _) = member.get_html(path).await;
        assert_eq!(status, 403, "{path}");
    }
    let (_, home) = member.get_html("/").await;
    assert!(!home.contains("The guarantee, last 30 days"));
}

async fn a_manager_sees_only_the_invocations_of_their_teams(app: TestApp) {
    two_invocations(&app).await;
    let body = json!({"email": "manager@example.com", "name": "Mia Manager", "role": "manager",
        "teams": ["care"], "password": "a long enough password"});
    let created = app.post_json("/api/v1/users", &app.admin_key, &body).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let manager = app.browser();
    manager
        .login("manager@example.com", "a long enough password")
        .await;
    let (status, list) = manager.get_html("/guarantees").await;
    assert_eq!(status, 200);
    assert!(list.contains("Customer C-1"));
    assert!(
        !list.contains("Customer C-2"),
        "another team's invocation is not shown"
    );
    assert!(!list.contains("Record a correction"));
    let entries: Value = app
        .get("/api/v1/guarantees", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let other = entries["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["team"] == "sales")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = manager.get_html(&format!("/guarantees/{other}")).await;
    assert_eq!(status, 403);
    let csv = manager
        .get("/guarantees/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "the header and their team's entry:\n{csv}"
    );
}

async fn correct(browser: &Browser, id: i64, paid: &str, reason: &str) -> reqwest::Response {
    let page = format!("/guarantees/{id}");
    browser
        .submit(
            &page,
            &format!("{page}/corrections"),
            &[("paid", paid), ("reason", reason)],
        )
        .await
}

async fn a_correction_through_the_form_is_a_new_entry(app: TestApp) {
    two_invocations(&app).await;
    let entries: Value = app
        .get("/api/v1/guarantees", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let id = entries["items"][0]["id"].as_i64().unwrap();
    let admin = app.logged_in(Role::Admin).await;
    for (paid, reason, says) in [
        ("500", "typo", "more than the invoiced 120.00 EUR"),
        ("50", "", "say why the amounts change"),
        ("abc", "typo", "not an amount"),
    ] {
        let response = correct(&admin, id, paid, reason).await;
        assert_eq!(response.status(), 422, "{paid:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains(says), "{says:?}");
    }
    let after_refusals: Value = app
        .get("/api/v1/guarantees", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        after_refusals["items"].as_array().unwrap().len(),
        2,
        "nothing stored"
    );
    let response = correct(&admin, id, "45.50", "Agreed on the phone").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("45.50 EUR") && page.contains("74.50 EUR"),
        "{page}"
    );
    assert!(page.contains("correction by"));
    // The old entry's page leads to the current one.
    let (_, old) = admin.get_html(&format!("/guarantees/{id}")).await;
    assert!(old.contains("45.50 EUR"));
    let entries: Value = app
        .get("/api/v1/guarantees", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let items = entries["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0]["paid"]["decimal"], "30.00",
        "the invocation is unchanged"
    );
    let audit: Value = app
        .get("/api/v1/audit-log?limit=100", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "guarantee.correct"),
        "the correction is audited"
    );
}

async fn the_policy_form_validates_and_saves(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let (status, page) = admin.get_html("/settings/guarantee").await;
    assert_eq!(status, 200);
    assert!(page.contains("tell the president"));
    let refused = admin
        .submit(
            "/settings/guarantee",
            "/settings/guarantee",
            &[("text", "  "), ("link_label", "Go")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("must state the guarantee")
    );
    let saved = admin
        .submit(
            "/settings/guarantee",
            "/settings/guarantee",
            &[
                ("text", "Not happy? Pay what it was worth."),
                ("link_label", "Claim it"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    assert!(saved.url().query().unwrap_or_default().contains("saved"));
    let policy: Value = app
        .get("/api/v1/guarantee-policy", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(policy["text"], "Not happy? Pay what it was worth.");
    assert_eq!(policy["link_label"], "Claim it");
    let member = app.logged_in(Role::Member).await;
    let (status, _) = member.get_html("/settings/guarantee").await;
    assert_eq!(status, 403);
}
