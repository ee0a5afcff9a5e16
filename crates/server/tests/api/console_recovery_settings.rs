//! The console's recovery settings (alert rules, SLA and routing, webhooks) and the early
//! warning charts.

use crate::helpers::{Browser, TestApp, csrf_of, on_both_backends};
use domain::Role;
use serde_json::{Value, json};
use store::ChartStore;

on_both_backends!(
    an_admin_creates_edits_and_deletes_an_alert_rule_and_the_api_shows_it,
    an_invalid_rule_is_refused_with_the_reason_and_nothing_is_stored,
    a_member_cannot_open_or_change_the_recovery_settings,
    recovery_settings_round_trip_through_the_form_and_the_api,
    an_invalid_sla_target_is_refused_and_nothing_is_saved,
    a_webhook_created_in_the_console_shows_its_secret_once,
    the_early_warning_page_explains_an_empty_state_then_draws_a_chart,
);

async fn api(app: &TestApp, path: &str) -> Value {
    app.get(path, &app.admin_key).await.json().await.unwrap()
}

async fn rules(app: &TestApp) -> Vec<Value> {
    api(app, "/api/v1/alert-rules")
        .await
        .as_array()
        .unwrap()
        .clone()
}

const NEW_RULE: &str = "/settings/alert-rules/new";

async fn an_admin_creates_edits_and_deletes_an_alert_rule_and_the_api_shows_it(app: TestApp) {
    app.create_team("care", "client").await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, form) = admin.get_html(NEW_RULE).await;
    assert_eq!(status, 200);
    assert!(form.contains("Team care") && form.contains("csat_at_most"));
    let fields = [
        ("name", "Unhappy enterprise customer"),
        ("severity", "critical"),
        ("match", "any"),
        ("team", "care"),
        ("segment", "enterprise"),
        ("min_annual_value_minor", "1000000"),
        ("c0_type", "csat_at_most"),
        ("c0_value", "3"),
        ("c2_type", "keyword"),
        ("c2_text", "refund"),
        ("opens_case", "on"),
        ("enabled", "on"),
    ];
    let response = admin
        .submit(NEW_RULE, "/settings/alert-rules", &fields)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/settings/alert-rules");
    let page = response.text().await.unwrap();
    assert!(page.contains("Unhappy enterprise customer"));
    assert!(page.contains("CSAT ≤ 3 or mentions “refund”"), "{page}");
    let created = rules(&app)
        .await
        .into_iter()
        .find(|r| r["name"] == "Unhappy enterprise customer")
        .expect("the rule is in the API");
    assert_eq!(
        created["conditions"],
        json!([{"type": "csat_at_most", "value": 3}, {"type": "keyword", "word": "refund"}])
    );
    assert_eq!(created["team"], "care");
    assert_eq!(created["segment"], "enterprise");
    assert_eq!(created["min_annual_value_minor"], 1_000_000);
    assert_eq!(created["severity"], "critical");
    assert_eq!(created["match_all"], false);
    assert_eq!(created["opens_case"], true);
    let id = created["id"].as_i64().unwrap();
    let edit = format!("/settings/alert-rules/{id}/edit");
    let (_, form) = admin.get_html(&edit).await;
    assert!(form.contains("value=\"refund\"") && form.contains("value=\"1000000\""));
    let changed = [
        ("name", "Unhappy enterprise customer"),
        ("severity", "medium"),
        ("match", "all"),
        ("c0_type", "nps_at_most"),
        ("c0_value", "4"),
    ];
    let response = admin.submit(&edit, &edit, &changed).await;
    assert_eq!(response.status(), 200);
    let updated = api(&app, &format!("/api/v1/alert-rules/{id}")).await;
    assert_eq!(
        updated["conditions"],
        json!([{"type": "nps_at_most", "value": 4}])
    );
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["opens_case"], false);
    assert_eq!(updated["match_all"], true);
    assert_eq!(updated["team"], Value::Null);
    let delete = format!("/settings/alert-rules/{id}/delete");
    let response = admin.submit("/settings/alert-rules", &delete, &[]).await;
    assert_eq!(response.status(), 200);
    assert!(rules(&app).await.iter().all(|r| r["id"] != id));
}

async fn an_invalid_rule_is_refused_with_the_reason_and_nothing_is_stored(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let before = rules(&app).await.len();
    let fields = [
        ("name", "Impossible"),
        ("severity", "high"),
        ("c0_type", "csat_at_most"),
        ("c0_value", "9"),
    ];
    let response = admin
        .submit(NEW_RULE, "/settings/alert-rules", &fields)
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Condition 1: csat_at_most takes a value from 1 to 5."),
        "{page}"
    );
    assert!(page.contains("value=\"Impossible\"") && page.contains("value=\"9\""));
    let unknown_team = [
        ("name", "Nowhere"),
        ("severity", "high"),
        ("team", "no-such-team"),
        ("c0_type", "csat_at_most"),
        ("c0_value", "2"),
    ];
    let response = admin
        .submit(NEW_RULE, "/settings/alert-rules", &unknown_team)
        .await;
    assert_eq!(response.status(), 422);
    let no_conditions = [("name", "Empty"), ("severity", "high")];
    let response = admin
        .submit(NEW_RULE, "/settings/alert-rules", &no_conditions)
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("a rule needs at least one condition")
    );
    assert_eq!(rules(&app).await.len(), before);
}

async fn a_member_cannot_open_or_change_the_recovery_settings(app: TestApp) {
    let member = app.logged_in(Role::Member).await;
    for path in [
        "/settings/alert-rules",
        NEW_RULE,
        "/settings/recovery",
        "/settings/webhooks",
        "/settings/webhooks/new",
    ] {
        assert_eq!(member.get(path).await.status(), 403, "{path}");
    }
    let fields = [
        ("name", "Sneaky"),
        ("severity", "low"),
        ("c0_type", "csat_at_most"),
        ("c0_value", "1"),
    ];
    let response = member.submit("/", "/settings/alert-rules", &fields).await;
    assert_eq!(response.status(), 403);
    assert!(rules(&app).await.iter().all(|r| r["name"] != "Sneaky"));
    let response = member
        .submit("/", "/settings/recovery", &[("max_alert_age_days", "5")])
        .await;
    assert_eq!(response.status(), 403);
}

const RECOVERY: &str = "/settings/recovery";

fn recovery_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("urgent_first", "0.5"),
        ("urgent_resolution", "8"),
        ("high_first", "12"),
        ("high_resolution", "36"),
        ("normal_first", "24"),
        ("normal_resolution", "48"),
        ("low_first", "48"),
        ("low_resolution", "120.25"),
        ("business_hours", "on"),
        ("start", "08:30"),
        ("end", "18:00"),
        ("day", "0"),
        ("day", "1"),
        ("day", "2"),
        ("day", "3"),
        ("day", "4"),
        ("president_after", "12"),
        ("route_first", "response_team"),
        ("route_fallback", "touchpoint_team"),
        ("high_value_minor", "5000000"),
        ("max_alert_age_days", "30"),
    ]
}

async fn recovery_settings_round_trip_through_the_form_and_the_api(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let (status, page) = admin.get_html(RECOVERY).await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"urgent_first\" value=\"4\""), "{page}");
    let response = admin.submit(RECOVERY, RECOVERY, &recovery_fields()).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("The recovery settings were saved"));
    assert!(page.contains("name=\"urgent_first\" value=\"0.5\""));
    assert!(page.contains("name=\"low_resolution\" value=\"120.25\""));
    let settings = &api(&app, "/api/v1/recovery-settings").await["settings"];
    assert_eq!(
        settings["sla"]["urgent"],
        json!({"first_contact_minutes": 30, "resolution_minutes": 480})
    );
    assert_eq!(settings["sla"]["low"]["resolution_minutes"], 7215);
    assert_eq!(
        settings["sla"]["business_hours"],
        json!({"start_minute": 510, "end_minute": 1080, "days": [true, true, true, true, true, false, false]})
    );
    assert_eq!(settings["sla"]["president_after_minutes"], 720);
    assert_eq!(
        settings["routing"],
        json!(["response_team", "touchpoint_team"])
    );
    assert_eq!(settings["high_value_minor"], 5_000_000);
    assert_eq!(settings["max_alert_age_days"], 30);
    // Turning business hours off and clearing the threshold saves them as absent.
    let mut fields: Vec<_> = recovery_fields()
        .into_iter()
        .filter(|(k, _)| *k != "business_hours")
        .collect();
    fields.retain(|(k, _)| *k != "high_value_minor" && *k != "route_fallback");
    let response = admin.submit(RECOVERY, RECOVERY, &fields).await;
    assert_eq!(response.status(), 200);
    let settings = &api(&app, "/api/v1/recovery-settings").await["settings"];
    assert_eq!(settings["sla"]["business_hours"], Value::Null);
    assert_eq!(settings["high_value_minor"], Value::Null);
    assert_eq!(settings["routing"], json!(["response_team"]));
}

async fn an_invalid_sla_target_is_refused_and_nothing_is_saved(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let before = api(&app, "/api/v1/recovery-settings").await;
    let with = |key: &'static str, value: &'static str| {
        let mut fields = recovery_fields();
        fields.retain(|(k, _)| *k != key);
        fields.push((key, value));
        fields
    };
    for (fields, message) in [
        (
            with("urgent_resolution", "0.25"),
            "urgent: resolution cannot be due before first contact",
        ),
        (with("high_first", "soon"), "is not a number of hours"),
        (with("end", "07:00"), "need a start before the end"),
        (
            with("max_alert_age_days", "0"),
            "must be between 1 and 3650",
        ),
    ] {
        let response = admin.submit(RECOVERY, RECOVERY, &fields).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains(message), "{message}: {page}");
    }
    assert_eq!(api(&app, "/api/v1/recovery-settings").await, before);
}

async fn a_webhook_created_in_the_console_shows_its_secret_once(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let (status, form) = admin.get_html("/settings/webhooks/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("case.escalated"));
    let fields = [
        ("url", "https://crm.example.com/hooks/cx"),
        ("description", "CRM"),
        ("events", "case.opened"),
        ("events", "alert.raised"),
        ("enabled", "on"),
    ];
    let response = admin
        .submit("/settings/webhooks/new", "/settings/webhooks", &fields)
        .await;
    assert_eq!(response.status(), 201);
    let page = response.text().await.unwrap();
    let start = page.find("whsec_").expect("the secret is shown");
    let secret: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert!(secret.len() > 20);
    assert!(page.contains("Perfect-Service-Signature") && page.contains("compare_digest"));
    let listed = api(&app, "/api/v1/webhooks").await;
    let endpoint = &listed.as_array().unwrap()[0];
    assert_eq!(endpoint["url"], "https://crm.example.com/hooks/cx");
    assert_eq!(endpoint["events"], json!(["case.opened", "alert.raised"]));
    assert!(endpoint.get("secret").is_none());
    let id = endpoint["id"].as_i64().unwrap();
    let (_, list) = admin.get_html("/settings/webhooks").await;
    assert!(list.contains("https://crm.example.com/hooks/cx") && !list.contains(&secret));
    let edit = format!("/settings/webhooks/{id}/edit");
    let (_, form) = admin.get_html(&edit).await;
    assert!(!form.contains(&secret));
    let response = admin
        .submit(&edit, &edit, &[("url", "https://crm.example.com/hooks/cx")])
        .await;
    assert_eq!(response.status(), 422, "no events is refused");
    let (status, dead) = admin
        .get_html(&format!("/settings/webhooks/{id}/deliveries?state=dead"))
        .await;
    assert_eq!(status, 200);
    assert!(dead.contains("No dead letters."));
}

async fn setup_survey(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let survey = json!({"key": "after-call", "name": "After a call", "touchpoints": ["phone-support"],
        "questions": [{"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
                      {"key": "nps", "prompt": "Would you recommend us?", "type": "nps"}]});
    let response = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(response.status(), 201);
    let customer = json!({"external_id": "C-1", "name": "Ada"});
    let response = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert_eq!(response.status(), 201);
}

async fn wait_for_charts(app: &TestApp) -> Vec<store::ChartRow> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let charts = app.store.control_charts().await.unwrap();
        if !charts.is_empty() {
            return charts;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no control chart after 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn detail_of(browser: &Browser, series: &str, metric: &str) -> (u16, String) {
    let query = serde_urlencoded::to_string([("series", series), ("metric", metric)]).unwrap();
    browser.get_html(&format!("/early-warning?{query}")).await
}

async fn the_early_warning_page_explains_an_empty_state_then_draws_a_chart(app: TestApp) {
    let member = app.logged_in(Role::Member).await;
    let (status, page) = member.get_html("/early-warning").await;
    assert_eq!(status, 200);
    assert!(page.contains("No charts yet") && page.contains("Early warning"));
    setup_survey(&app).await;
    for (csat, nps) in [(5, 9), (4, 8), (2, 3), (5, 10)] {
        let body = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
            "source": "phone_interview", "answers": {"csat": csat, "nps": nps}});
        let response = app
            .post_json("/api/v1/responses", &app.admin_key, &body)
            .await;
        assert_eq!(response.status(), 201);
    }
    let charts = wait_for_charts(&app).await;
    let (_, page) = member.get_html("/early-warning").await;
    assert!(page.contains("Touchpoint phone-support") && page.contains("In baseline"));
    let chart = charts
        .iter()
        .find(|c| c.series.starts_with("touchpoint:") && c.metric.as_str() == "csat_mean")
        .expect("a CSAT chart of the touchpoint");
    let (status, page) = detail_of(&member, &chart.series, "csat_mean").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg") && page.contains("Decision limit h = 32"));
    assert!(page.contains("<table") && page.contains("Recent level against the baseline"));
    assert!(
        page.contains("192,000"),
        "the operating characteristics are explained"
    );
    assert!(
        !page.contains("Re-baseline this chart"),
        "members cannot re-baseline"
    );
    let (status, _) = detail_of(&member, "touchpoint:999999", "csat_mean").await;
    assert_eq!(status, 404);
    let manager = app.logged_in(Role::Manager).await;
    let (_, page) = detail_of(&manager, &chart.series, "csat_mean").await;
    assert!(page.contains("Re-baseline this chart"));
    let fields = [
        ("csrf", csrf_of(&page)),
        ("series", chart.series.clone()),
        ("metric", "csat_mean".to_owned()),
        ("confirm", "yes".to_owned()),
    ];
    let response = manager
        .client
        .post(manager.url("/early-warning/rebaseline"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("re-baselined"));
}
