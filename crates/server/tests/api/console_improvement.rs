//! The console's Perfect Improvement pages — key drivers, the improvement backlog and its
//! what-if, revenue at risk, the fee change and the improvement settings — on a small
//! organization seeded through the API: timeliness drives CSAT, courtesy a little, price (whose
//! attribute name is hostile markup) not at all.

use crate::helpers::{Browser, TestApp, on_both_backends};
use domain::Role;
use serde_json::{Value, json};

on_both_backends!(
    the_drivers_page_draws_the_chart_and_the_table_with_the_method,
    the_drivers_page_says_not_enough_responses_on_a_tiny_touchpoint,
    a_member_gets_their_first_team_and_cannot_open_another_teams_figures,
    the_backlog_shows_each_formula_and_the_what_if_predicts_or_explains_bad_input,
    revenue_at_risk_shows_totals_breakdowns_customers_and_the_churn_model,
    a_manager_sees_the_revenue_at_risk_of_their_teams_only,
    the_fee_change_weighs_gain_against_churn_and_explains_bad_input,
    the_settings_form_saves_valid_input_and_refuses_invalid_input_without_saving,
);

const HOSTILE_LABEL: &str = "<script>alert('price')</script>";
const HOSTILE_SEGMENT: &str = "<script>alert('segment')</script>";
/// How the pages write the start of either, escaped.
const ESCAPED: &str = "&#60;script&#62;alert(";
const CUSTOMERS: i64 = 10;
const VALUE_MINOR: i64 = 100_000;

/// Timeliness, courtesy, price and the CSAT they make.
fn ratings(i: i64) -> [i64; 4] {
    let timeliness = 1 + i % 5;
    let courtesy = 1 + (i * 3 + i / 5) % 5;
    let price = 1 + (i * 7 + i / 3) % 5;
    let csat = ((0.8 * timeliness as f64 + 0.2 * courtesy as f64).round() as i64).clamp(1, 5);
    [timeliness, courtesy, price, csat]
}

/// Every response seeded: (customer, touchpoint, ratings). 80 on `repair`, 4 on `quiet`.
fn responses() -> Vec<(i64, &'static str, [i64; 4])> {
    let repair = (0..80).map(|i| (i % CUSTOMERS, "repair", ratings(i)));
    let quiet = (0..4).map(|i| (i, "quiet", ratings(i + 7)));
    repair.chain(quiet).collect()
}

fn segment_of(c: i64) -> &'static str {
    match c {
        3 => HOSTILE_SEGMENT,
        c if c % 2 == 0 => "enterprise",
        _ => "retail",
    }
}

/// Teams `care` (customers 0–7) and `sales` (8 and 9, of which 9 is lost), the survey, the
/// responses, and a churn model of the defaults.
async fn seed(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_team("sales", "client").await;
    app.create_touchpoint("repair", "care").await;
    app.create_touchpoint("quiet", "care").await;
    let rating = |key: &str, attribute: &str| json!({"key": key, "prompt": format!("How was the {key}?"), "type": "rating", "attribute": attribute});
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        rating("timeliness", "Timeliness"),
        rating("courtesy", "Courtesy"),
        rating("price", HOSTILE_LABEL),
    ]);
    let survey = json!({"key": "after", "name": "After", "questions": questions,
        "touchpoints": ["repair", "quiet"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    for c in 0..CUSTOMERS {
        let status = if c == CUSTOMERS - 1 { "lost" } else { "active" };
        let team = if c >= 8 { "sales" } else { "care" };
        let body = json!({"external_id": format!("C-{c}"), "name": format!("Customer {c}"),
            "segment": segment_of(c), "annual_value": {"minor": VALUE_MINOR, "currency": "EUR"},
            "team": team, "status": status});
        let stored = app
            .post_json("/api/v1/customers", &app.admin_key, &body)
            .await;
        assert!(
            stored.status().is_success(),
            "{}",
            stored.text().await.unwrap()
        );
    }
    let batch: Vec<Value> = responses()
        .into_iter()
        .map(|(c, touchpoint, [timeliness, courtesy, price, csat])| {
            json!({"customer": {"external_id": format!("C-{c}")}, "touchpoint": touchpoint,
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
    put_settings(app, json!({"learn_from_history": false})).await;
}

async fn put_settings(app: &TestApp, settings: Value) {
    let saved = app
        .put_json("/api/v1/improvement-settings", &app.admin_key, &settings)
        .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
}

async fn api(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, &app.admin_key).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// A staff member with `role` in `teams`, logged in.
async fn staff_in(app: &TestApp, role: &str, teams: &[&str]) -> Browser {
    let email = format!("{role}.{}@example.com", teams.join("."));
    let body = json!({"email": email, "name": format!("A {role}"), "role": role,
        "teams": teams, "password": "a long enough password"});
    let created = app.post_json("/api/v1/users", &app.admin_key, &body).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let browser = app.browser();
    browser.login(&email, "a long enough password").await;
    browser
}

/// Minor units of EUR as the pages write them: `1,234.56 EUR`.
fn eur(minor: i64) -> String {
    let whole = (minor.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if minor < 0 { "−" } else { "" };
    format!("{sign}{grouped}.{:02} EUR", minor.abs() % 100)
}

/// Markup from a user's string never reaches a page unescaped.
fn assert_escaped(page: &str) {
    assert!(
        !page.contains("<script>alert("),
        "hostile markup was not escaped"
    );
}

async fn the_drivers_page_draws_the_chart_and_the_table_with_the_method(app: TestApp) {
    seed(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, page) = admin.get_html("/drivers").await;
    assert_eq!(status, 200, "{page}");
    let report = api(&app, "/api/v1/drivers").await;
    let done = &report["analysis"];
    assert_eq!(done["status"], "done", "{report}");
    let r_squared = done["r_squared"].as_f64().unwrap();
    assert!(
        page.contains(&format!("R² {r_squared:.2} (95% CI")),
        "{page}"
    );
    assert!(page.contains(&format!("<strong>{}</strong> responses", done["responses"])));
    assert!(page.contains("<svg") && page.contains("Fix first: important, weak"));
    let timeliness = &done["drivers"][0];
    assert_eq!(timeliness["key"], "timeliness");
    let share = timeliness["share"].as_f64().unwrap() * 100.0;
    let mean = timeliness["mean"].as_f64().unwrap();
    let top_two = timeliness["top_two"].as_f64().unwrap() * 100.0;
    let row = format!("<th scope=\"row\">Timeliness</th><td>{share:.0}% (95% CI");
    assert!(page.contains(&row), "{row} in {page}");
    assert!(page.contains(&format!("<td>{mean:.2}</td><td>{top_two:.0}%</td>")));
    assert!(page.contains("Courtesy"));
    assert!(
        page.contains(ESCAPED),
        "the hostile label is shown, escaped"
    );
    assert_escaped(&page);
    assert!(
        page.contains("exact Shapley value regression"),
        "the method is stated"
    );
    assert!(page.contains("Overall satisfaction (CSAT, 1–5) · The whole organization"));

    let csv = admin.get("/drivers/export.csv").await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("key,driver,importance"), "{text}");
    assert!(text.contains("\r\ntimeliness,Timeliness,"), "{text}");

    let (status, page) = admin.get_html("/drivers?from=2026-13").await;
    assert_eq!(status, 422);
    assert!(
        page.contains("from: must be a month such as 2026-11."),
        "{page}"
    );
    assert!(page.contains("value=\"2026-13\""), "the filter is kept");
}

async fn the_drivers_page_says_not_enough_responses_on_a_tiny_touchpoint(app: TestApp) {
    seed(&app).await;
    let admin = app.logged_in(Role::President).await;
    let (status, page) = admin.get_html("/drivers?touchpoint=quiet").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Not enough responses: 4 of 50 needed."),
        "{page}"
    );
    assert!(!page.contains("<svg"), "nothing is guessed");
    assert!(page.contains("<option value=\"quiet\" selected>"));
    let (_, page) = admin.get_html("/drivers?outcome=nps").await;
    assert!(
        page.contains("Not enough responses: 0 of 50 needed."),
        "{page}"
    );
}

async fn a_member_gets_their_first_team_and_cannot_open_another_teams_figures(app: TestApp) {
    seed(&app).await;
    let member = staff_in(&app, "member", &["care"]).await;
    let (status, page) = member.get_html("/drivers").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<option value=\"care\" selected>Team care</option>"));
    assert!(
        !page.contains("All teams"),
        "the whole organization is not offered"
    );
    assert!(!page.contains("value=\"sales\""), "nor another team");
    assert!(page.contains("· Team care ·"), "{page}");
    let (status, page) = member.get_html("/drivers?team=sales").await;
    assert_eq!(status, 403);
    assert!(page.contains("figures are not yours to see."), "{page}");
    let (status, _) = member.get_html("/drivers/export.csv?team=sales").await;
    assert_eq!(status, 403);
    for money in [
        "/revenue-at-risk",
        "/fee-change",
        "/improvements",
        "/improvements/what-if?driver=timeliness&performance=5",
        "/settings/improvement",
    ] {
        let (status, _) = member.get_html(money).await;
        assert_eq!(status, 403, "{money}");
    }
    let (_, page) = member.get_html("/").await;
    assert!(page.contains("href=\"/drivers\""));
    assert!(
        !page.contains("href=\"/revenue-at-risk\"") && !page.contains("href=\"/improvements\"")
    );
}

async fn the_backlog_shows_each_formula_and_the_what_if_predicts_or_explains_bad_input(
    app: TestApp,
) {
    seed(&app).await;
    put_settings(
        &app,
        json!({"learn_from_history": false, "target_performance": 4.5,
        "driver_efforts": {"timeliness": 100_000, "courtesy": 100_000}}),
    )
    .await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, page) = admin.get_html("/improvements").await;
    assert_eq!(status, 200, "{page}");
    let report = api(&app, "/api/v1/improvements").await;
    let first = &report["backlog"]["items"][0];
    assert_eq!(first["key"], "timeliness");
    let ros = first["ros"].as_f64().unwrap();
    let retained = first["retained_minor"].as_i64().unwrap();
    let row = format!(
        "<td>1</td><th scope=\"row\"><a href=\"/drivers\">Raise Timeliness to 4.5</a></th><td>Driver</td><td>{}</td><td>{}</td><td>{ros:.2}</td>",
        eur(retained),
        eur(100_000)
    );
    assert!(page.contains(&row), "{row} in {page}");
    assert!(
        page.contains("<code>ROS = retained"),
        "the formula is shown"
    );
    assert!(page.contains("<code>performance gap = max(0, target 4.50"));
    assert!(
        page.contains("href=\"/settings/improvement#efforts\">set an effort estimate</a>"),
        "price has none"
    );
    assert!(page.contains("2 of 3 items have an effort estimate"));
    assert_escaped(&page);

    let (status, page) = admin
        .get_html("/improvements/what-if?driver=timeliness&performance=5")
        .await;
    assert_eq!(status, 200, "{page}");
    let up = api(
        &app,
        "/api/v1/improvements/what-if?driver=timeliness&performance=5",
    )
    .await;
    let result = &up["result"];
    let outcome_row = format!(
        "<th scope=\"row\">Predicted mean CSAT (1–5)</th><td>{:.2}</td><td>{:.2}</td>",
        result["outcome_before"].as_f64().unwrap(),
        result["outcome_after"].as_f64().unwrap()
    );
    assert!(page.contains(&outcome_row), "{outcome_row} in {page}");
    let at_risk_row = format!(
        "<th scope=\"row\">Revenue at risk a year</th><td>{}</td><td>{}</td>",
        eur(result["revenue_at_risk_before_minor"].as_i64().unwrap()),
        eur(result["revenue_at_risk_after_minor"].as_i64().unwrap())
    );
    assert!(page.contains(&at_risk_row), "{at_risk_row}");
    let kept = result["retained_minor"].as_i64().unwrap();
    assert!(page.contains(&format!("Change: {} less at risk a year (kept)", eur(kept))));
    let (_, down) = admin
        .get_html("/improvements/what-if?driver=timeliness&performance=1")
        .await;
    assert!(down.contains("more at risk a year (lost)"), "{down}");

    for (bad, message) in [
        (
            "driver=timeliness&performance=9",
            "performance: must be a mean rating from 1 to 5.",
        ),
        (
            "driver=timeliness&performance=x",
            "performance: must be a mean rating from 1 to 5.",
        ),
        (
            "driver=timeliness",
            "performance: must be a mean rating from 1 to 5.",
        ),
        ("performance=4", "Driver: choose the driver to move."),
        (
            "driver=nothing&performance=4",
            "current key driver analysis",
        ),
    ] {
        let (status, page) = admin
            .get_html(&format!("/improvements/what-if?{bad}"))
            .await;
        assert_eq!(status, 422, "{bad}");
        assert!(page.contains(message), "{bad}: {page}");
        assert!(page.contains("role=\"alert\""));
    }
}

/// The default churn probability at a satisfaction (linear between the band values).
fn default_churn(score: f64) -> f64 {
    let bands = [0.40, 0.25, 0.12, 0.05, 0.02];
    let position = score.clamp(1.0, 5.0) - 1.0;
    let low = (position.floor() as usize).min(4);
    let high = (low + 1).min(4);
    bands[low] + (position - low as f64) * (bands[high] - bands[low])
}

/// Customer `c`'s revenue at risk under the defaults, worked out from the answers posted.
fn at_risk_of(c: i64) -> i64 {
    let scores: Vec<i64> = responses()
        .into_iter()
        .filter(|(customer, ..)| *customer == c)
        .map(|(.., r)| r[3])
        .collect();
    let mean = scores.iter().sum::<i64>() as f64 / scores.len() as f64;
    (VALUE_MINOR as f64 * default_churn(mean)).round() as i64
}

async fn revenue_at_risk_shows_totals_breakdowns_customers_and_the_churn_model(app: TestApp) {
    seed(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, page) = admin.get_html("/revenue-at-risk").await;
    assert_eq!(status, 200, "{page}");
    let expected: i64 = (0..CUSTOMERS - 1).map(at_risk_of).sum();
    assert!(
        page.contains(&format!(
            "<strong>{}</strong> revenue at risk a year",
            eur(expected)
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<strong>{}</strong> annual value of 9 active customers",
        eur(9 * VALUE_MINOR)
    )));
    let care: i64 = (0..8).map(at_risk_of).sum();
    assert!(
        page.contains(&format!(
            "<th scope=\"row\">Team care</th><td>8</td><td>0</td><td>{}</td><td>{}</td>",
            eur(8 * VALUE_MINOR),
            eur(care)
        )),
        "{page}"
    );
    assert!(page.contains("<th scope=\"row\">Touchpoint repair</th>"));
    assert!(page.contains("<th scope=\"row\">enterprise</th>"));
    assert!(
        page.contains(ESCAPED),
        "the hostile segment is shown, escaped"
    );
    assert_escaped(&page);
    assert!(page.matches("<svg").count() >= 3, "a chart per breakdown");
    let top = api(&app, "/api/v1/revenue-at-risk").await["top_customers"][0].clone();
    let link = format!(
        "<a href=\"/customers/{}\">{}</a>",
        top["customer"],
        top["name"].as_str().unwrap()
    );
    assert!(page.contains(&link), "{link}");
    // The churn model: band 1's default, used because learning is off, and the history of
    // the lost customer's band.
    assert!(
        page.contains("<th scope=\"row\">CSAT 1</th><td>40.0%</td>"),
        "{page}"
    );
    assert!(page.contains("default (learning from history is off)"));
    let (band, customers) = lost_band();
    let defaults = ["40.0%", "25.0%", "12.0%", "5.0%", "2.0%"];
    let history = format!(
        "<th scope=\"row\">CSAT {band}</th><td>{}</td><td>{customers}</td><td>1</td>",
        defaults[band as usize - 1]
    );
    assert!(page.contains(&history), "{history} in {page}");

    put_settings(&app, json!({"learn_from_history": true})).await;
    let (_, page) = admin.get_html("/revenue-at-risk").await;
    assert!(
        page.contains(&match customers {
            1 => "learnt from 1 customer".to_owned(),
            n => format!("learnt from {n} customers"),
        }),
        "{page}"
    );
}

/// The satisfaction band of the lost customer, and how many customers share it.
fn lost_band() -> (i64, i64) {
    let band = |c: i64| {
        let scores: Vec<i64> = responses()
            .into_iter()
            .filter(|(customer, ..)| *customer == c)
            .map(|(.., r)| r[3])
            .collect();
        (scores.iter().sum::<i64>() as f64 / scores.len() as f64).round() as i64
    };
    let lost = band(CUSTOMERS - 1);
    let customers = (0..CUSTOMERS).filter(|c| band(*c) == lost).count() as i64;
    (lost, customers)
}

async fn a_manager_sees_the_revenue_at_risk_of_their_teams_only(app: TestApp) {
    seed(&app).await;
    let manager = staff_in(&app, "manager", &["sales"]).await;
    let (status, page) = manager.get_html("/revenue-at-risk").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("The customers of your teams"));
    assert!(
        page.contains(&format!(
            "<strong>{}</strong> revenue at risk a year",
            eur(at_risk_of(8))
        )),
        "{page}"
    );
    assert!(page.contains("annual value of 1 active customers"));
    assert!(
        !page.contains("Customer 0<"),
        "another team's customer is not listed"
    );
    let (status, page) = manager.get_html("/fee-change?increase=5").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("<td>1</td><td>{}</td>", eur(VALUE_MINOR))),
        "{page}"
    );
    let (status, _) = manager.get_html("/improvements").await;
    assert_eq!(status, 403, "the backlog is company-wide");
    let (_, page) = manager.get_html("/").await;
    assert!(page.contains("href=\"/revenue-at-risk\""));
}

async fn the_fee_change_weighs_gain_against_churn_and_explains_bad_input(app: TestApp) {
    seed(&app).await;
    let president = app.logged_in(Role::President).await;
    let (status, page) = president.get_html("/fee-change?increase=5").await;
    assert_eq!(status, 200, "{page}");
    let impact = api(&app, "/api/v1/fee-change?increase=5").await["impact"].clone();
    let total = &impact["total"];
    let row = format!(
        "<th scope=\"row\">Total</th><td>9</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        eur(9 * VALUE_MINOR),
        eur(total["gained_minor"].as_i64().unwrap()),
        eur(total["lost_minor"].as_i64().unwrap()),
        eur(total["net_minor"].as_i64().unwrap())
    );
    assert!(page.contains(&row), "{row} in {page}");
    assert!(page.contains("A 5% increase for every customer"));
    assert!(
        page.contains("<th scope=\"row\">CSAT 1</th>") && page.contains("Satisfaction unknown")
    );
    assert!(page.contains("id=\"break-even\"") && page.contains("id=\"most-profitable\""));
    if let Some(best) = impact["most_profitable"].as_object() {
        let percent = best["increase"].as_f64().unwrap() * 100.0;
        assert!(
            page.contains(&format!("The most profitable increase is {percent:.1}%")),
            "{page}"
        );
    }
    assert!(
        page.contains(ESCAPED),
        "the hostile segment is offered, escaped"
    );
    assert_escaped(&page);
    let (_, retail) = president
        .get_html("/fee-change?increase=2.5&segment=retail")
        .await;
    assert!(
        retail.contains("A 2.5% increase for the retail segment"),
        "{retail}"
    );
    assert!(retail.contains("<option value=\"retail\" selected>"));

    for (bad, message) in [
        (
            "increase=abc",
            "increase: must be a percentage such as 5 or 2.5.",
        ),
        (
            "increase=500",
            "increase: must be above −50 and at most 100 percent.",
        ),
        ("segment=nobody", "segment: no customer is in this segment."),
    ] {
        let (status, page) = president.get_html(&format!("/fee-change?{bad}")).await;
        assert_eq!(status, 422, "{bad}");
        assert!(page.contains(message), "{bad}: {page}");
        assert!(
            !page.contains("id=\"impact\""),
            "{bad}: no figures from bad input"
        );
    }
}

/// Every field of the settings form, with `changes` applied.
fn settings_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("band_1", "45"),
        ("band_2", "25"),
        ("band_3", "12"),
        ("band_4", "5"),
        ("band_5", "1.5"),
        ("unknown", ""),
        ("prior_weight", "30"),
        ("target_performance", "4.4"),
        ("target.timeliness", "4.8"),
        ("effort.timeliness", "1500.50"),
        ("target.courtesy", ""),
        ("effort.courtesy", ""),
        ("target.price", ""),
        ("effort.price", "200"),
        ("sensitivity_1", "2"),
        ("sensitivity_2", "1.5"),
        ("sensitivity_3", "0.8"),
        ("sensitivity_4", "0.3"),
        ("sensitivity_5", "0.1"),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn the_settings_form_saves_valid_input_and_refuses_invalid_input_without_saving(
    app: TestApp,
) {
    seed(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let (_, index) = admin.get_html("/settings").await;
    assert!(index.contains("href=\"/settings/improvement\""));
    const FORM: &str = "/settings/improvement";
    let (status, page) = admin.get_html(FORM).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"band_1\" value=\"40\""), "{page}");
    assert!(page.contains("name=\"effort.timeliness\""));
    assert!(page.contains(ESCAPED), "the hostile driver name, escaped");
    assert_escaped(&page);
    assert!(page.contains("Effort estimate (EUR)"));

    let response = admin.submit(FORM, FORM, &settings_fields(&[])).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().query(), Some("saved=1"));
    let page = response.text().await.unwrap();
    assert!(page.contains("The improvement settings were saved"));
    assert!(
        page.contains("name=\"effort.timeliness\" value=\"1500.50\""),
        "{page}"
    );
    let saved = api(&app, "/api/v1/improvement-settings").await;
    assert_eq!(
        saved["churn"]["band_probabilities"],
        json!([0.45, 0.25, 0.12, 0.05, 0.015])
    );
    assert_eq!(saved["learn_from_history"], false, "the box was not ticked");
    assert_eq!(saved["prior_weight"], 30.0);
    assert_eq!(saved["target_performance"], 4.4);
    assert_eq!(saved["driver_targets"], json!({"timeliness": 4.8}));
    assert_eq!(
        saved["driver_efforts"],
        json!({"timeliness": 150_050, "price": 20_000})
    );
    assert_eq!(
        saved["price_sensitivity"]["extra_churn_per_percent"],
        json!([0.02, 0.015, 0.008, 0.003, 0.001])
    );

    for (changes, message) in [
        (
            vec![("band_3", "30")],
            "Churn probability: band 3 must not be more likely to churn than band 2.",
        ),
        (
            vec![("band_1", "many")],
            "Churn probability: CSAT 1: \"many\" is not a percentage.",
        ),
        (
            vec![("target.timeliness", "9")],
            "Driver target: timeliness: must be a mean rating between 1 and 5.",
        ),
        (
            vec![("effort.courtesy", "-5")],
            "Effort estimate: Courtesy: must be an amount such as 1200.00",
        ),
        (
            vec![("target_performance", "0")],
            "Default target: must be a mean rating between 1 and 5.",
        ),
        (
            vec![("sensitivity_2", "150")],
            "Price sensitivity: band 2 must be an extra churn probability between 0 and 1.",
        ),
    ] {
        let fields = settings_fields(&changes);
        let response = admin.submit(FORM, FORM, &fields).await;
        assert_eq!(response.status(), 422, "{changes:?}");
        let page = response.text().await.unwrap();
        let shown = page.contains(message)
            || page.contains(&message.replace('"', "&quot;"))
            || page.contains(&message.replace('"', "&#34;"));
        assert!(shown, "{message} in {page}");
        let (name, value) = changes[0];
        assert!(
            page.contains(&format!("name=\"{name}\" value=\"{value}\"")),
            "the form is kept"
        );
        assert_eq!(
            api(&app, "/api/v1/improvement-settings").await,
            saved,
            "nothing is saved"
        );
    }

    let forged = admin
        .client
        .post(admin.url(FORM))
        .form(&settings_fields(&[("band_1", "50")]))
        .send()
        .await
        .unwrap();
    assert!(
        forged.status().is_client_error(),
        "no CSRF token, no change"
    );
    assert_eq!(api(&app, "/api/v1/improvement-settings").await, saved);
    let president = app.logged_in(Role::President).await;
    let (status, _) = president.get_html(FORM).await;
    assert_eq!(status, 403, "administrators only");
}
