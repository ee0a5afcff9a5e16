//! Key driver analysis, revenue at risk, the improvement backlog, the what-if and the
//! fee-change impact through the API, on a small organization whose figures can be worked out
//! by hand: timeliness drives CSAT, courtesy a little, price not at all.

use crate::helpers::{TestApp, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    drivers_are_ranked_with_their_performance_and_intervals,
    revenue_at_risk_prices_active_customers_by_their_satisfaction,
    the_backlog_ranks_drivers_by_return_on_satisfaction_and_the_what_if_moves_both_ways,
    the_fee_change_weighs_gain_against_churn_and_bad_input_changes_nothing,
);

/// Per response i: ratings and the CSAT they make.
fn ratings(i: i64) -> (i64, i64, i64, i64) {
    let timeliness = 1 + i % 5;
    let courtesy = 1 + (i * 3 + i / 5) % 5;
    let price = 1 + (i * 7 + i / 3) % 5;
    let csat = ((0.8 * timeliness as f64 + 0.2 * courtesy as f64).round() as i64).clamp(1, 5);
    (timeliness, courtesy, price, csat)
}

const RESPONSES: i64 = 80;
const CUSTOMERS: i64 = 10;

async fn seed(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("repair", "care").await;
    app.create_touchpoint("quiet", "care").await;
    let rating = |key: &str, attribute: &str| json!({"key": key, "prompt": format!("How was the {key}?"), "type": "rating", "attribute": attribute});
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        rating("timeliness", "Timeliness"),
        rating("courtesy", "Courtesy"),
        rating("price", "Price"),
    ]);
    let survey = json!({"key": "after", "name": "After", "questions": questions, "touchpoints": ["repair", "quiet"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    for c in 0..CUSTOMERS {
        let status = if c == CUSTOMERS - 1 { "lost" } else { "active" };
        let segment = if c % 2 == 0 { "enterprise" } else { "retail" };
        let body = json!({"external_id": format!("C-{c}"), "name": format!("Customer {c}"), "segment": segment,
            "annual_value": {"minor": 100_000, "currency": "EUR"}, "team": "care", "status": status});
        let stored = app
            .post_json("/api/v1/customers", &app.admin_key, &body)
            .await;
        assert!(
            stored.status().is_success(),
            "{}",
            stored.text().await.unwrap()
        );
    }
    let batch: Vec<Value> = (0..RESPONSES)
        .map(|i| {
            let (timeliness, courtesy, price, csat) = ratings(i);
            json!({"customer": {"external_id": format!("C-{}", i % CUSTOMERS)}, "touchpoint": "repair",
                "source": "phone_interview",
                "answers": {"csat": csat, "timeliness": timeliness, "courtesy": courtesy, "price": price}})
        })
        .collect();
    let stored = app
        .post_json(
            "/api/v1/responses",
            &app.admin_key,
            &json!({"responses": batch}),
        )
        .await;
    assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());
    // Learn nothing from the single lost customer: the defaults price the book.
    let settings = json!({"learn_from_history": false});
    let saved = app
        .put_json("/api/v1/improvement-settings", &app.admin_key, &settings)
        .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, &app.admin_key).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn drivers_are_ranked_with_their_performance_and_intervals(app: TestApp) {
    seed(&app).await;
    let report = json_of(&app, "/api/v1/drivers").await;
    assert_eq!(report["outcome"], "csat");
    assert_eq!(report["labels"]["timeliness"], "Timeliness");
    let done = &report["analysis"];
    assert_eq!(done["status"], "done");
    assert_eq!(done["responses"], RESPONSES, "{report}");
    let drivers = done["drivers"].as_array().unwrap();
    let keys: Vec<&str> = drivers.iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(keys[0], "timeliness", "{keys:?}");
    assert_eq!(keys.len(), 3);
    let r_squared = done["r_squared"].as_f64().unwrap();
    assert!(r_squared > 0.8, "{r_squared}");
    let sum: f64 = drivers
        .iter()
        .map(|d| d["importance"].as_f64().unwrap())
        .sum();
    assert!((sum - r_squared).abs() < 1e-9, "{sum} vs {r_squared}");
    let shares: f64 = drivers.iter().map(|d| d["share"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    // Performance: the mean and top-2-box of the timeliness ratings posted.
    let timeliness: Vec<i64> = (0..RESPONSES).map(|i| ratings(i).0).collect();
    let mean = timeliness.iter().sum::<i64>() as f64 / RESPONSES as f64;
    let top_two = timeliness.iter().filter(|t| **t >= 4).count() as f64 / RESPONSES as f64;
    assert!((drivers[0]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert!((drivers[0]["top_two"].as_f64().unwrap() - top_two).abs() < 1e-9);
    let interval = drivers[0]["interval"].as_array().unwrap();
    let importance = drivers[0]["importance"].as_f64().unwrap();
    assert!(
        interval[0].as_f64().unwrap() <= importance && importance <= interval[1].as_f64().unwrap()
    );
    assert!(drivers[0]["slope"].as_f64().unwrap() > 0.0);

    // A touchpoint without answers says so instead of guessing.
    let quiet = json_of(&app, "/api/v1/drivers?touchpoint=quiet").await;
    assert_eq!(quiet["analysis"]["status"], "not_enough", "{quiet}");
    // The same through NPS: nobody answered it.
    let nps = json_of(&app, "/api/v1/drivers?outcome=nps").await;
    assert_eq!(nps["analysis"]["status"], "not_enough", "{nps}");

    for bad in [
        "/api/v1/drivers?outcome=ces",
        "/api/v1/drivers?from=2026-13",
        "/api/v1/drivers?from=2026-05&to=2026-01",
        "/api/v1/drivers?from=2020-01&to=2026-01",
        "/api/v1/drivers?team=nobody",
    ] {
        let response = app.get(bad, &app.admin_key).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{bad}"
        );
    }
}

/// The default churn model at a satisfaction (linear between the band values).
fn default_churn(score: f64) -> f64 {
    let bands = [0.40, 0.25, 0.12, 0.05, 0.02];
    let position = score.clamp(1.0, 5.0) - 1.0;
    let low = (position.floor() as usize).min(4);
    let high = (low + 1).min(4);
    bands[low] + (position - low as f64) * (bands[high] - bands[low])
}

async fn revenue_at_risk_prices_active_customers_by_their_satisfaction(app: TestApp) {
    seed(&app).await;
    let report = json_of(&app, "/api/v1/revenue-at-risk").await;
    assert_eq!(report["currency"], "EUR");
    assert_eq!(report["learnt"], false);
    let mut expected = 0i64;
    for c in 0..CUSTOMERS - 1 {
        let scores: Vec<i64> = (0..RESPONSES)
            .filter(|i| i % CUSTOMERS == c)
            .map(|i| ratings(i).3)
            .collect();
        let mean = scores.iter().sum::<i64>() as f64 / scores.len() as f64;
        expected += (100_000.0 * default_churn(mean)).round() as i64;
    }
    assert_eq!(
        report["total"]["customers"],
        CUSTOMERS - 1,
        "the lost one is gone"
    );
    assert_eq!(
        report["total"]["annual_value_minor"],
        100_000 * (CUSTOMERS - 1)
    );
    assert_eq!(report["total"]["at_risk_minor"], expected, "{report}");
    let teams = report["by_team"].as_array().unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0]["key"], "care");
    assert_eq!(teams[0]["totals"]["at_risk_minor"], expected);
    let segments: i64 = report["by_segment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["totals"]["at_risk_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(segments, expected);
    let touchpoints = report["by_touchpoint"].as_array().unwrap();
    assert_eq!(touchpoints.len(), 1);
    assert_eq!(touchpoints[0]["key"], "repair");
    assert_eq!(touchpoints[0]["totals"]["at_risk_minor"], expected);
    let top = report["top_customers"].as_array().unwrap();
    assert_eq!(top.len(), (CUSTOMERS - 1) as usize);
    assert!(top[0]["at_risk_minor"].as_i64() >= top[1]["at_risk_minor"].as_i64());
    // The churn model shows what history says, even when it is not used.
    let bands = report["churn"]["bands"].as_array().unwrap();
    let lost: i64 = bands.iter().map(|b| b["lost"].as_i64().unwrap()).sum();
    assert_eq!(lost, 1);
    // Each driver accounts for the total × its importance.
    let drivers = json_of(&app, "/api/v1/drivers").await;
    for driver in report["by_driver"].as_array().unwrap() {
        let key = driver["key"].as_str().unwrap();
        let found = drivers["analysis"]["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == key)
            .unwrap();
        let share = found["importance"].as_f64().unwrap();
        let amount = (expected as f64 * share).round() as i64;
        assert_eq!(driver["totals"]["at_risk_minor"], amount, "{key}");
    }
    assert_eq!(report["by_driver"].as_array().unwrap().len(), 3);
    assert!(report["by_problem"].as_array().unwrap().is_empty());

    // A problem linked to the responses of C-0 and C-1 puts their revenue at risk on it; once
    // solved it has a before and after (here nothing has been answered since).
    app.create_team("ops", "operations").await;
    let problem = app
        .post_json(
            "/api/v1/problems",
            &app.admin_key,
            &json!({"title": "Repairs run late", "owner_team": "ops", "touchpoint": "repair", "driver": "timeliness"}),
        )
        .await;
    assert_eq!(problem.status(), 201, "{}", problem.text().await.unwrap());
    let problem: Value = problem.json().await.unwrap();
    let base = format!("/api/v1/problems/{}", problem["id"]);
    let responses = json_of(&app, "/api/v1/responses?limit=100").await;
    let mut linked_customers = std::collections::BTreeSet::new();
    for response in responses["items"].as_array().unwrap() {
        let customer = response["customer"]["external_id"]
            .as_str()
            .unwrap()
            .to_owned();
        if customer != "C-0" && customer != "C-1" {
            continue;
        }
        linked_customers.insert(customer);
        let linked = app
            .post_json(
                &format!("{base}/links"),
                &app.admin_key,
                &json!({"kind": "response", "target": response["id"].to_string()}),
            )
            .await;
        assert_eq!(linked.status(), 200);
    }
    assert_eq!(linked_customers.len(), 2);
    let report = json_of(&app, "/api/v1/revenue-at-risk").await;
    let on_problem = &report["by_problem"][0];
    assert_eq!(on_problem["name"], "Repairs run late");
    assert_eq!(on_problem["totals"]["customers"], 2);
    let of = |c: i64| {
        let scores: Vec<i64> = (0..RESPONSES)
            .filter(|i| i % CUSTOMERS == c)
            .map(|i| ratings(i).3)
            .collect();
        let mean = scores.iter().sum::<i64>() as f64 / scores.len() as f64;
        (100_000.0 * default_churn(mean)).round() as i64
    };
    assert_eq!(on_problem["totals"]["at_risk_minor"], of(0) + of(1));
    assert_eq!(json_of(&app, &format!("{base}/impact")).await, Value::Null);
    let solved = app
        .patch_json(&base, &app.admin_key, &json!({"status": "solved"}))
        .await;
    assert_eq!(solved.status(), 200);
    let impact = json_of(&app, &format!("{base}/impact")).await;
    assert_eq!(impact["scope"], "Touchpoint repair", "{impact}");
    let csat = &impact["means"][0];
    assert_eq!(csat["verdict"], "not_enough_data", "{impact}");
    assert_eq!(csat["comparison"]["status"], "insufficient");
    assert_eq!(
        impact["means"].as_array().unwrap().len(),
        2,
        "CSAT and timeliness"
    );
    let missing = app
        .get("/api/v1/problems/999999/impact", &app.admin_key)
        .await;
    assert_eq!(missing.status(), 404);
}

async fn the_backlog_ranks_drivers_by_return_on_satisfaction_and_the_what_if_moves_both_ways(
    app: TestApp,
) {
    seed(&app).await;
    let settings = json!({"learn_from_history": false, "target_performance": 4.5,
        "driver_efforts": {"timeliness": 100_000, "courtesy": 100_000}});
    let saved = app
        .put_json("/api/v1/improvement-settings", &app.admin_key, &settings)
        .await;
    assert_eq!(saved.status(), 200);
    let report = json_of(&app, "/api/v1/improvements").await;
    let items = report["backlog"]["items"].as_array().unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(keys[0], "timeliness", "{keys:?}");
    assert_eq!(
        report["backlog"]["rated"], 2,
        "price has no effort estimate"
    );
    assert_eq!(*keys.last().unwrap(), "price");
    let first = &items[0];
    let retained = first["retained_minor"].as_i64().unwrap();
    assert!(retained > 0);
    let ros = first["ros"].as_f64().unwrap();
    assert!((ros - retained as f64 / 100_000.0).abs() < 1e-9);
    let lines = report["formulas"]["timeliness"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.as_str().unwrap().starts_with("ROS = ")),
        "{lines:?}"
    );
    assert_eq!(report["labels"]["timeliness"]["link"], "/drivers");

    let up = json_of(
        &app,
        "/api/v1/improvements/what-if?driver=timeliness&performance=5",
    )
    .await;
    assert!(up["result"]["retained_minor"].as_i64().unwrap() > 0, "{up}");
    assert!(up["result"]["outcome_after"].as_f64() > up["result"]["outcome_before"].as_f64());
    let down = json_of(
        &app,
        "/api/v1/improvements/what-if?driver=timeliness&performance=1",
    )
    .await;
    assert!(
        down["result"]["retained_minor"].as_i64().unwrap() < 0,
        "{down}"
    );
    let unknown = app
        .get(
            "/api/v1/improvements/what-if?driver=nothing&performance=4",
            &app.admin_key,
        )
        .await;
    assert_eq!(unknown.status(), 404);
    for bad in [
        "driver=timeliness&performance=9",
        "driver=timeliness&performance=x",
        "driver=timeliness",
    ] {
        let response = app
            .get(
                &format!("/api/v1/improvements/what-if?{bad}"),
                &app.admin_key,
            )
            .await;
        assert!(
            response.status().is_client_error(),
            "{bad}: {}",
            response.status()
        );
    }
}

async fn the_fee_change_weighs_gain_against_churn_and_bad_input_changes_nothing(app: TestApp) {
    seed(&app).await;
    let report = json_of(&app, "/api/v1/fee-change?increase=5").await;
    let total = &report["impact"]["total"];
    assert_eq!(total["customers"], CUSTOMERS - 1);
    assert_eq!(total["revenue_now_minor"], 100_000 * (CUSTOMERS - 1));
    let (gained, lost) = (
        total["gained_minor"].as_i64().unwrap(),
        total["lost_minor"].as_i64().unwrap(),
    );
    assert!(gained > 0 && lost > 0);
    assert_eq!(total["net_minor"].as_i64().unwrap(), gained - lost);
    let retail = json_of(&app, "/api/v1/fee-change?increase=5&segment=retail").await;
    assert_eq!(
        retail["impact"]["total"]["customers"], 4,
        "C-9 (retail) is lost"
    );
    for bad in ["increase=abc", "increase=500", "segment=nobody"] {
        let response = app
            .get(&format!("/api/v1/fee-change?{bad}"), &app.admin_key)
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }

    let before = json_of(&app, "/api/v1/improvement-settings").await;
    for bad in [
        json!({"churn": {"band_probabilities": [0.1, 0.2, 0.3, 0.4, 0.5]}}),
        json!({"target_performance": 7}),
        json!({"driver_efforts": {"timeliness": -1}}),
        json!({"prior_weight": "many"}),
    ] {
        let response = app
            .put_json("/api/v1/improvement-settings", &app.admin_key, &bad)
            .await;
        assert!(
            response.status().is_client_error(),
            "{bad}: {}",
            response.status()
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    assert_eq!(json_of(&app, "/api/v1/improvement-settings").await, before);
    let read_only = app.api_key("read").await;
    let refused = app
        .put_json("/api/v1/improvement-settings", &read_only, &json!({}))
        .await;
    assert_eq!(refused.status(), 403);
}
