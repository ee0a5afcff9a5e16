//! Promises made to customers through the API: kept in full and on time, or broken; changes
//! the rules refuse are 409s and bad input 422s, and neither changes anything.

use crate::helpers::{TestApp, on_both_backends};
use domain::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::CommitmentStore;

on_both_backends!(promises_are_kept_or_broken_and_bad_changes_are_refused);

async fn promises_are_kept_or_broken_and_bad_changes_are_refused(app: TestApp) {
    app.create_team("care", "client").await;
    let customer = json!({"external_id": "C-1", "name": "Ada"});
    let stored = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert!(stored.status().is_success());
    let customer_id = stored.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    app.create_staff(Role::Member, "owner@example.com", Some("S-1"))
        .await;
    let users: Value = app
        .get("/api/v1/users?limit=50", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let owner = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "owner@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let due = |hours: i64| (Timestamp::now() + SignedDuration::from_hours(hours)).to_string();
    let promise = |what: &str, hours: i64| json!({"what": what, "customer": "C-1", "owner_user_id": owner, "team": "care", "due": due(hours)});
    let call_back = app
        .post_json(
            "/api/v1/commitments",
            &app.admin_key,
            &promise("Call back about the refund", 2),
        )
        .await;
    assert_eq!(
        call_back.status(),
        201,
        "{}",
        call_back.text().await.unwrap()
    );
    let call_back: Value = call_back.json().await.unwrap();
    assert_eq!(call_back["status"], "open");
    let visit: Value = app
        .post_json(
            "/api/v1/commitments",
            &app.admin_key,
            &promise("Send a technician", 48),
        )
        .await
        .json()
        .await
        .unwrap();

    let changes = |id: &Value| format!("/api/v1/commitments/{id}/changes");
    let kept = app
        .post_json(
            &changes(&call_back["id"]),
            &app.admin_key,
            &json!({"action": "fulfil", "in_full": true}),
        )
        .await;
    assert_eq!(kept.status(), 200);
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["status"], "kept");
    assert_eq!(kept["kept_in_full_and_on_time"], true);
    let again = app
        .post_json(
            &changes(&call_back["id"]),
            &app.admin_key,
            &json!({"action": "give_up"}),
        )
        .await;
    assert_eq!(again.status(), 409, "a resolved promise stays resolved");
    let partly: Value = app
        .post_json(
            &changes(&visit["id"]),
            &app.admin_key,
            &json!({"action": "fulfil", "in_full": false, "note": "Only one of two rooms"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(partly["status"], "broken", "{partly}");
    assert_eq!(partly["kept_in_full_and_on_time"], false);

    let broken: Value = app
        .get(
            "/api/v1/commitments?customer=C-1&status=broken",
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(broken.as_array().unwrap().len(), 1);
    assert_eq!(broken[0]["what"], "Send a technician");
    // The broken promise alerted once, and its owner heard of it.
    let alerts: Value = app
        .get("/api/v1/alerts?kind=broken_promise", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts["items"].as_array().unwrap().len(), 1, "{alerts}");
    assert!(
        alerts["items"][0]["title"]
            .as_str()
            .unwrap()
            .contains("Send a technician")
    );

    // A sweep reminds the owner of a promise coming due, once, and alerts one left past due.
    let soon: Value = app
        .post_json(
            "/api/v1/commitments",
            &app.admin_key,
            &json!({"what": "Confirm the new date", "customer": "C-1", "owner_user_id": owner,
                "team": "care", "due": due(2), "remind_before_seconds": 3 * 3600}),
        )
        .await
        .json()
        .await
        .unwrap();
    let swept = app.store.sweep_commitments(Timestamp::now()).await.unwrap();
    assert_eq!((swept.reminded, swept.broken), (1, 0));
    let again = app.store.sweep_commitments(Timestamp::now()).await.unwrap();
    assert_eq!((again.reminded, again.broken), (0, 0));
    let later = Timestamp::now() + SignedDuration::from_hours(3);
    let swept = app.store.sweep_commitments(later).await.unwrap();
    assert_eq!(swept.broken, 1, "{soon}");
    let again = app.store.sweep_commitments(later).await.unwrap();
    assert_eq!(again.broken, 0);
    let alerts: Value = app
        .get("/api/v1/alerts?kind=broken_promise", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts["items"].as_array().unwrap().len(), 2);

    // The customer's page shows both promises, the broken one marked.
    let browser = app.logged_in(Role::Manager).await;
    let (status, html) = browser.get_html(&format!("/customers/{customer_id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("1 broken"), "{html}");
    assert!(html.contains("Send a technician") && html.contains("Call back about the refund"));
    assert!(html.contains("<strong>Broken</strong>"));

    let count = |app: &TestApp| {
        let url = app.url("/api/v1/commitments");
        let key = app.admin_key.clone();
        let client = app.api.clone();
        async move {
            let list: Value = client
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            list.as_array().unwrap().len()
        }
    };
    assert_eq!(count(&app).await, 3);
    for bad in [
        promise("", 2),
        promise("Past", -1),
        json!({"what": "x", "customer": "C-404", "owner_user_id": owner, "due": due(2)}),
        json!({"what": "x", "customer": "C-1", "owner_user_id": 999_999, "due": due(2)}),
        json!({"what": "x", "customer": "C-1", "owner_user_id": owner, "team": "nobody", "due": due(2)}),
        json!({"what": "x"}),
    ] {
        let response = app
            .post_json("/api/v1/commitments", &app.admin_key, &bad)
            .await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    assert_eq!(count(&app).await, 3, "nothing was stored");
    let unknown = app
        .post_json(
            "/api/v1/commitments/999999/changes",
            &app.admin_key,
            &json!({"action": "give_up"}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
    let nonsense = app
        .post_json(
            &changes(&visit["id"]),
            &app.admin_key,
            &json!({"action": "teleport"}),
        )
        .await;
    assert_eq!(nonsense.status(), 422);
    let read_only = app.api_key("read").await;
    let refused = app
        .post_json("/api/v1/commitments", &read_only, &promise("x", 2))
        .await;
    assert_eq!(refused.status(), 403);
}
