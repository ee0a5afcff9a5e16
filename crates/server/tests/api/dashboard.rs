//! The dashboard's figures against hand-computed values, its filters, role scopes, CSV export
//! and printable summary, through the API and the console.

use crate::helpers::{TestApp, on_both_backends};
use domain::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

on_both_backends!(
    the_overview_matches_hand_computed_scores_and_filters_change_them,
    members_see_their_teams_and_bad_filters_are_refused,
    the_console_dashboard_exports_its_tables_and_prints_a_summary,
);

/// Team `care` (touchpoint `repair`): CSAT 5, 4, 4, 2, 5 and NPS 10, 9, 9, 3, 10 — NPS 60,
/// mean CSAT 4.0. Team `sales` (touchpoint `shop`): CSAT 1, 2, 3 and NPS 0, 5, 8 — NPS −66.7.
/// Together: 4 promoters and 3 detractors of 8, NPS 12.5; mean CSAT 26 / 8 = 3.25.
async fn scores(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_team("sales", "client").await;
    app.create_touchpoint("repair", "care").await;
    app.create_touchpoint("shop", "sales").await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "nps", "prompt": "Would you recommend us?", "type": "nps"},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"}
    ]);
    let survey = json!({"key": "after", "name": "After", "questions": questions, "touchpoints": ["repair", "shop"]});
    assert_eq!(
        app.post_json("/api/v1/surveys", &app.admin_key, &survey)
            .await
            .status(),
        201
    );
    let answers = [
        ("repair", "care", 5, 10),
        ("repair", "care", 4, 9),
        ("repair", "care", 4, 9),
        ("repair", "care", 2, 3),
        ("repair", "care", 5, 10),
        ("shop", "sales", 1, 0),
        ("shop", "sales", 2, 5),
        ("shop", "sales", 3, 8),
    ];
    for (i, (touchpoint, team, csat, nps)) in answers.into_iter().enumerate() {
        let occurred = (Timestamp::now() - SignedDuration::from_hours(30)).to_string();
        let transaction = json!({"external_id": format!("T-{i}"), "customer": {"external_id": format!("C-{i}"),
            "segment": if i % 2 == 0 { "enterprise" } else { "retail" }},
            "touchpoint": touchpoint, "team": team, "occurred_at": occurred});
        let created = app
            .post_json("/api/v1/transactions", &app.admin_key, &transaction)
            .await;
        assert_eq!(created.status(), 201);
        let comment = if i == 3 {
            "Waited far too long on hold"
        } else {
            "Fine"
        };
        let response = json!({"transaction": format!("T-{i}"), "source": "phone_interview",
            "answers": {"csat": csat, "nps": nps, "comment": comment}});
        let stored = app
            .post_json("/api/v1/responses", &app.admin_key, &response)
            .await;
        assert_eq!(stored.status(), 201, "{}", stored.text().await.unwrap());
    }
}

async fn dashboard(app: &TestApp, query: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/dashboard{query}"), &app.admin_key)
        .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-6)
}

async fn the_overview_matches_hand_computed_scores_and_filters_change_them(app: TestApp) {
    scores(&app).await;
    let o = dashboard(&app, "").await;
    let h = &o["headline"];
    assert_eq!(h["responses"], 8);
    assert!(close(&h["nps"]["current"]["value"], 12.5), "{h}");
    assert!(close(&h["csat"]["current"]["value"], 3.25), "{h}");
    assert_eq!(h["csat"]["current"]["n"], 8);
    assert_eq!(h["csat"]["current"]["small_sample"], true);
    assert!(h["nps"]["current"]["interval"]["low"].as_f64().unwrap() < 12.5);
    assert_eq!(h["invitations_issued"], 8);
    assert_eq!(h["previous_responses"], 0);
    let care = o["by_team"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "care")
        .unwrap_or_else(|| panic!("{}", o["by_team"]))
        .clone();
    assert!(close(&care["nps"]["value"], 60.0), "{care}");
    assert!(close(&care["csat"]["value"], 4.0));
    assert_eq!(o["by_segment"].as_array().unwrap().len(), 2);
    assert_eq!(o["by_source"][0]["key"], "phone_interview");
    let trend_total: i64 = o["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["responses"].as_i64().unwrap())
        .sum();
    assert_eq!(trend_total, 8, "the trend adds up to the total");

    let sales = dashboard(&app, "?team=sales").await;
    assert_eq!(sales["headline"]["responses"], 3);
    assert!(close(
        &sales["headline"]["nps"]["current"]["value"],
        -200.0 / 3.0
    ));
    let repair = dashboard(&app, "?touchpoint=repair&segment=enterprise").await;
    // Responses 0, 2 and 4 of care are enterprise: CSAT 5, 4, 5.
    assert_eq!(repair["headline"]["responses"], 3);
    assert!(close(
        &repair["headline"]["csat"]["current"]["value"],
        14.0 / 3.0
    ));
    let long_ago = dashboard(&app, "?from=2020-01-01&to=2020-03-31").await;
    assert_eq!(long_ago["headline"]["responses"], 0);
    assert_eq!(long_ago["headline"]["nps"]["current"], Value::Null);
    let themes = o["themes"].as_array().unwrap();
    assert!(
        themes.iter().any(|t| t["theme"] == "waiting_time"),
        "{themes:?}"
    );
    assert!(!o["comments"].as_array().unwrap().is_empty());
}

async fn members_see_their_teams_and_bad_filters_are_refused(app: TestApp) {
    scores(&app).await;
    for bad in [
        "?from=yesterday",
        "?from=2026-12-01&to=2026-11-01",
        "?from=2000-01-01&to=2026-01-01",
        "?step=hourly",
        "?team=nowhere",
        "?staff=999999",
    ] {
        let response = app
            .get(&format!("/api/v1/dashboard{bad}"), &app.admin_key)
            .await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let body = json!({"email": "member@example.com", "name": "Mo Member", "role": "member",
        "teams": ["care"], "password": "a long enough password"});
    assert_eq!(
        app.post_json("/api/v1/users", &app.admin_key, &body)
            .await
            .status(),
        201
    );
    let member = app.browser();
    member
        .login("member@example.com", "a long enough password")
        .await;
    let (status, page) = member.get_html("/dashboard").await;
    assert_eq!(status, 200);
    assert!(page.contains("Your teams"));
    assert!(
        page.contains("<strong>5</strong> responses"),
        "only care's five responses"
    );
    let (status, _) = member.get_html("/dashboard?team=sales").await;
    assert_eq!(status, 403, "another team's figures are refused");
    let (status, page) = member.get_html("/dashboard?from=garbage").await;
    assert_eq!(status, 200);
    assert!(page.contains("role=\"alert\""), "a bad filter is explained");
    let president = app.logged_in(Role::President).await;
    let (_, page) = president.get_html("/dashboard").await;
    assert!(page.contains("The whole organization"));
    assert!(page.contains("<strong>8</strong> responses"));
}

async fn the_console_dashboard_exports_its_tables_and_prints_a_summary(app: TestApp) {
    scores(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, page) = admin.get_html("/dashboard?team=care").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg"), "charts are drawn on the server");
    assert!(page.contains("Export CSV"));
    let csv = admin
        .get("/dashboard/export.csv?table=touchpoint&team=care")
        .await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("touchpoint,key,responses,nps"));
    assert!(lines[1].contains(",repair,5,60.000,"), "{text}");
    let trend = admin
        .get("/dashboard/export.csv?table=trend")
        .await
        .text()
        .await
        .unwrap();
    assert!(trend.starts_with("step,from,to,responses"));
    let bad = admin.get("/dashboard/export.csv?table=secrets").await;
    assert_eq!(bad.status(), 400);
    let (status, summary) = admin.get_html("/dashboard/summary?team=care").await;
    assert_eq!(status, 200);
    assert!(summary.contains("@media print"));
    assert!(summary.contains("Team care"));
}
