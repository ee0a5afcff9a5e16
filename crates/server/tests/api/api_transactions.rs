//! Recording transactions: the documented shape, batches, idempotency and filters.

use crate::helpers::{TestApp, on_both_backends};
use domain::Role;
use serde_json::{Value, json};

on_both_backends!(
    a_transaction_in_the_documented_shape_is_created,
    the_same_idempotency_key_twice_gives_one_transaction,
    an_idempotency_key_reused_with_another_body_is_422,
    a_batch_is_stored_all_or_nothing,
    batches_are_limited_to_a_thousand,
    transactions_are_listed_by_time_range_and_customer,
);

async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    app.create_staff(Role::Member, "s7@example.com", Some("S-7"))
        .await;
}

fn documented(external_id: &str) -> Value {
    json!({"external_id": external_id, "customer": {"external_id": "C-42", "name": "Ada Lovelace", "email": "ada@example.com"},
        "touchpoint": "phone-support", "staff": "S-7", "occurred_at": "2026-11-20T10:00:00Z",
        "amount": {"minor": 12000, "currency": "EUR"}, "attributes": {"order_id": "O-9"}})
}

async fn a_transaction_in_the_documented_shape_is_created(app: TestApp) {
    setup(&app).await;
    let key = app.api_key("ingest").await;
    let response = app
        .post_json("/api/v1/transactions", &key, &documented("T-1001"))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["external_id"], "T-1001");
    assert_eq!(
        body["customer"],
        json!({"external_id": "C-42", "name": "Ada Lovelace"})
    );
    assert_eq!(
        (body["touchpoint"].as_str(), body["staff"].as_str()),
        (Some("phone-support"), Some("S-7"))
    );
    assert_eq!(
        body["team"], "care",
        "defaults to the touchpoint's team when the staff member has none"
    );
    assert_eq!(body["occurred_at"], "2026-11-20T10:00:00Z");
    assert_eq!(body["amount"], json!({"minor": 12000, "currency": "EUR"}));
    assert_eq!(body["attributes"], json!({"order_id": "O-9"}));
    let again = app
        .post_json("/api/v1/transactions", &key, &documented("T-1001"))
        .await;
    assert_eq!(
        again.status(),
        200,
        "an upsert of the same external id updates"
    );
    let customer: Value = app
        .get("/api/v1/customers/C-42", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customer["email"], "ada@example.com");
}

async fn the_same_idempotency_key_twice_gives_one_transaction(app: TestApp) {
    setup(&app).await;
    let send = || {
        app.api
            .post(app.url("/api/v1/transactions"))
            .bearer_auth(&app.admin_key)
            .header("Idempotency-Key", "abc-123")
            .json(&documented("T-1"))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first_body: Value = first.json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), 201, "the first response is replayed");
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.json::<Value>().await.unwrap(), first_body);
    let list: Value = app
        .get("/api/v1/transactions", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn an_idempotency_key_reused_with_another_body_is_422(app: TestApp) {
    setup(&app).await;
    let send = |body: Value| {
        app.api
            .post(app.url("/api/v1/transactions"))
            .bearer_auth(&app.admin_key)
            .header("Idempotency-Key", "key-1")
            .json(&body)
            .send()
    };
    assert_eq!(send(documented("T-1")).await.unwrap().status(), 201);
    let reused = send(documented("T-2")).await.unwrap();
    assert_eq!(reused.status(), 422);
    let problem: Value = reused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    let list: Value = app
        .get("/api/v1/transactions", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "the second body changed nothing"
    );
}

async fn a_batch_is_stored_all_or_nothing(app: TestApp) {
    setup(&app).await;
    let good = json!({"transactions": [documented("T-1"), documented("T-2")]});
    let response = app
        .post_json("/api/v1/transactions", &app.admin_key, &good)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["created"].as_u64(), body["updated"].as_u64()),
        (Some(2), Some(0))
    );
    let mut bad_third = documented("T-4");
    bad_third["touchpoint"] = json!("nowhere");
    let bad = json!({"transactions": [documented("T-3"), bad_third]});
    let response = app
        .post_json("/api/v1/transactions", &app.admin_key, &bad)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["field"], "transactions[1].touchpoint");
    let mut bad_money = documented("T-5");
    bad_money["amount"] = json!({"minor": -5, "currency": "EUR"});
    let response = app
        .post_json(
            "/api/v1/transactions",
            &app.admin_key,
            &json!({"transactions": [bad_money]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let list: Value = app
        .get("/api/v1/transactions", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "the failed batches wrote nothing"
    );
}

async fn batches_are_limited_to_a_thousand(app: TestApp) {
    setup(&app).await;
    let too_many: Vec<Value> = (0..1001).map(|i| documented(&format!("T-{i}"))).collect();
    let response = app
        .post_json(
            "/api/v1/transactions",
            &app.admin_key,
            &json!({"transactions": too_many}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let empty = app
        .post_json(
            "/api/v1/transactions",
            &app.admin_key,
            &json!({"transactions": []}),
        )
        .await;
    assert_eq!(empty.status(), 422);
    let full: Vec<Value> = (0..1000).map(|i| documented(&format!("T-{i}"))).collect();
    let response = app
        .post_json(
            "/api/v1/transactions",
            &app.admin_key,
            &json!({"transactions": full}),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn transactions_are_listed_by_time_range_and_customer(app: TestApp) {
    setup(&app).await;
    let mut early = documented("T-early");
    early["occurred_at"] = json!("2026-01-05T08:00:00+01:00");
    let mut other = documented("T-other");
    other["customer"] = json!({"external_id": "C-7"});
    let batch = json!({"transactions": [early, documented("T-late"), other]});
    assert_eq!(
        app.post_json("/api/v1/transactions", &app.admin_key, &batch)
            .await
            .status(),
        200
    );
    let ids = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["external_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let from: Value = app
        .get(
            "/api/v1/transactions?from=2026-06-01T00:00:00Z",
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(from), ["T-late", "T-other"]);
    let to: Value = app
        .get(
            "/api/v1/transactions?to=2026-06-01T00:00:00Z",
            &app.admin_key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(to), ["T-early"]);
    let by_customer: Value = app
        .get("/api/v1/transactions?customer=C-7", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(by_customer), ["T-other"]);
    let nobody: Value = app
        .get("/api/v1/transactions?customer=C-none", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(nobody), Vec::<String>::new());
}
