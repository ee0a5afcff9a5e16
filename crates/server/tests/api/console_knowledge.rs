//! The console's surveys, responses (with the CSV export) and comment analysis settings.

use crate::console_customers::body;
use crate::helpers::{TestApp, on_both_backends};
use domain::Role;
use serde_json::{Value, json};
use store::InvitationStore;

on_both_backends!(
    an_admin_creates_a_survey_in_the_console_and_a_member_cannot,
    bad_questions_are_refused_with_the_reason,
    an_exported_survey_imports_as_a_new_survey,
    the_responses_page_filters_by_band_and_theme_and_escapes_comments,
    the_csv_export_has_one_row_per_filtered_response_and_neutralises_formulas,
    a_saved_taxonomy_is_validated_and_changes_the_themes_of_the_next_response,
    invitation_rules_are_saved_and_shown,
);

const QUESTIONS: &str = r#"[
  {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
  {"key": "channel", "prompt": "How did you reach us?", "type": "single_choice", "options": ["Phone", "E-mail"]},
  {"key": "comment", "prompt": "What could we do better?", "type": "free_text"}
]"#;

async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let questions: Value = serde_json::from_str(QUESTIONS).unwrap();
    let survey = json!({"key": "after-call", "name": "After a call", "questions": questions, "touchpoints": ["phone-support"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    let customer = json!({"external_id": "C-1", "name": "Ada"});
    let created = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert_eq!(created.status(), 201);
}

fn answer(csat: i64, comment: &str) -> Value {
    json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support", "source": "phone_interview",
        "answers": {"csat": csat, "comment": comment}})
}

async fn api(app: &TestApp, path: &str) -> Value {
    app.get(path, &app.admin_key).await.json().await.unwrap()
}

/// Stores responses; returns their ids.
async fn respond(app: &TestApp, items: Vec<Value>) -> Vec<i64> {
    let response = app
        .post_json(
            "/api/v1/responses",
            &app.admin_key,
            &json!({ "responses": items }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect()
}

/// The hostile comment is shown as text (askama writes `<` as a numeric entity).
fn escaped(html: &str) -> bool {
    html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;")
}

async fn an_admin_creates_a_survey_in_the_console_and_a_member_cannot(app: TestApp) {
    app.create_team("care", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, form) = admin.get_html("/surveys/new").await;
    assert_eq!(status, 200);
    assert!(form.contains("Touchpoint phone-support") && form.contains("free_text"));
    let fields = [
        ("name", "After a call"),
        ("key", "after-call"),
        ("description", "Asked after every call"),
        ("touchpoints", "phone-support"),
        ("questions", QUESTIONS),
    ];
    let created = admin.submit("/surveys/new", "/surveys", &fields).await;
    assert_eq!(created.url().path(), "/surveys/after-call");
    let (_, html) = body(created).await;
    assert!(html.contains("How did you reach us?") && html.contains("E-mail"));
    assert!(html.contains("Touchpoint phone-support") && html.contains("Asked after every call"));
    let (_, list) = admin.get_html("/surveys").await;
    assert!(list.contains("After a call") && list.contains("after-call"));
    let (_, form) = admin.get_html("/surveys/new").await;
    assert!(
        form.contains("now asks “After a call”"),
        "the form says which survey a touchpoint has"
    );

    let member = app.logged_in(Role::Member).await;
    let (status, html) = member.get_html("/surveys/after-call").await;
    assert_eq!(status, 200);
    assert!(html.contains("How satisfied are you?") && !html.contains("/surveys/after-call/edit"));
    assert!(member.get_html("/").await.1.contains("href=\"/surveys\""));
    assert_eq!(member.get_html("/surveys/new").await.0, 403);
    assert_eq!(member.get_html("/surveys/after-call/edit").await.0, 403);
    let other = [("name", "Mine"), ("key", "mine"), ("questions", QUESTIONS)];
    let refused = member.submit("/surveys", "/surveys", &other).await;
    assert_eq!(refused.status(), 403);
    let refused = member
        .submit("/surveys", "/surveys/after-call/edit", &other)
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(admin.get_html("/surveys/mine").await.0, 404);
}

async fn bad_questions_are_refused_with_the_reason(app: TestApp) {
    setup(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let cases = [
        ("[{\"key\": \"csat\"", "not valid JSON"),
        (
            r#"[{"key": "x", "prompt": "?", "type": "stars"}]"#,
            "questions",
        ),
        (
            r#"[{"key": "a", "prompt": "A?", "type": "csat"}, {"key": "a", "prompt": "B?", "type": "nps"}]"#,
            "used twice",
        ),
    ];
    for (questions, reason) in cases {
        let fields = [("name", "Bad"), ("key", "bad"), ("questions", questions)];
        let (status, html) = body(admin.submit("/surveys/new", "/surveys", &fields).await).await;
        assert_eq!(status, 422, "{questions}");
        assert!(html.contains(reason), "{reason}: {html}");
        assert!(
            html.contains("name=\"name\" value=\"Bad\""),
            "the form keeps what was typed"
        );
    }
    // Editing a survey with responses makes a new version; bad questions are refused there too.
    respond(&app, vec![answer(4, "Fine")]).await;
    let edit = "/surveys/after-call/edit";
    let (_, form) = admin.get_html(edit).await;
    assert!(form.contains("creates version 2"), "{form}");
    let fields = [("name", "After a call"), ("questions", "[]")];
    let (status, html) = body(admin.submit(edit, edit, &fields).await).await;
    assert_eq!(status, 422);
    assert!(html.contains("1 to 50 questions"));
    let fewer = r#"[{"key": "csat", "prompt": "Happy?", "type": "csat", "required": true}]"#;
    let fields = [
        ("name", "After a call"),
        ("touchpoints", "phone-support"),
        ("questions", fewer),
    ];
    let saved = admin.submit(edit, edit, &fields).await;
    let (status, html) = body(saved).await;
    assert_eq!(status, 200);
    assert!(html.contains("version 2") && html.contains("Happy?"));
}

async fn an_exported_survey_imports_as_a_new_survey(app: TestApp) {
    setup(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let export = admin.get("/surveys/after-call/export").await;
    assert_eq!(export.status(), 200);
    let disposition = export.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment") && disposition.contains("after-call"));
    let mut document: Value = export.json().await.unwrap();
    assert_eq!(document["version"], 1);
    let text = document.to_string();
    let import = "/surveys/import";
    let (status, html) = body(admin.submit(import, import, &[("document", &text)]).await).await;
    assert_eq!(status, 422);
    assert!(html.contains("already exists"), "a key clash is explained");
    let (status, html) = body(
        admin
            .submit(import, import, &[("document", "{\"key\": 1}")])
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("not a survey exported as JSON"));

    document["key"] = json!("after-call-copy");
    let text = document.to_string();
    let imported = admin.submit(import, import, &[("document", &text)]).await;
    assert_eq!(imported.url().path(), "/surveys/after-call-copy");
    let copy: Value = api(&app, "/api/v1/surveys/after-call-copy").await;
    assert_eq!(copy["questions"], document["questions"]);
    assert_eq!(
        copy["touchpoints"],
        json!([]),
        "touchpoints stay unless asked"
    );
    let original: Value = api(&app, "/api/v1/surveys/after-call").await;
    assert_eq!(original["touchpoints"], json!(["phone-support"]));
}

async fn the_responses_page_filters_by_band_and_theme_and_escapes_comments(app: TestApp) {
    setup(&app).await;
    let ids = respond(
        &app,
        vec![
            answer(1, "The invoice was wrong <script>alert('x')</script>"),
            answer(5, "Wonderful, friendly and quick service"),
        ],
    )
    .await;
    let member = app.logged_in(Role::Member).await;
    let (status, all) = member.get_html("/responses").await;
    assert_eq!(status, 200);
    assert!(all.contains("invoice was wrong") && all.contains("Wonderful"));
    assert!(!all.contains("<script>alert") && escaped(&all), "{all}");
    assert!(
        all.find("Wonderful") < all.find("invoice was wrong"),
        "newest first"
    );
    assert!(all.contains("/customers/") && all.contains("band-poor") && all.contains("Billing"));
    let (_, poor) = member.get_html("/responses?band=poor&team=care").await;
    assert!(poor.contains("invoice was wrong") && !poor.contains("Wonderful"));
    let (_, attitude) = member
        .get_html("/responses?theme=staff_attitude&sentiment=")
        .await;
    assert!(attitude.contains("Wonderful") && !attitude.contains("invoice was wrong"));
    let (_, searched) = member
        .get_html("/responses?q=friendly&from=2000-01-01")
        .await;
    assert!(searched.contains("Wonderful") && !searched.contains("invoice was wrong"));
    let (_, future) = member.get_html("/responses?from=2999-01-01").await;
    assert!(future.contains("No responses match"));
    let (status, odd) = member.get_html("/responses?band=awful").await;
    assert_eq!(status, 200);
    assert!(odd.contains("was ignored") && odd.contains("Wonderful"));

    let (status, detail) = member.get_html(&format!("/responses/{}", ids[0])).await;
    assert_eq!(status, 200);
    assert!(
        detail.contains("How satisfied are you?") && detail.contains("What could we do better?")
    );
    assert!(escaped(&detail) && !detail.contains("<script>alert"));
    assert!(
        detail.contains("Billing") && detail.contains("Ada") && detail.contains("phone_interview")
    );
    assert_eq!(member.get_html("/responses/999999").await.0, 404);
}

async fn the_csv_export_has_one_row_per_filtered_response_and_neutralises_formulas(app: TestApp) {
    setup(&app).await;
    let mut items = vec![
        answer(1, "=HYPERLINK(\"http://evil\",\"click\")"),
        answer(2, "Slow, and \"rude\""),
    ];
    items.extend((0..510).map(|i| answer(5, &format!("Great call number {i}"))));
    respond(&app, items).await;
    let member = app.logged_in(Role::Member).await;
    let (_, page) = member.get_html("/responses?band=poor").await;
    assert!(page.contains("href=\"/responses.csv?band=poor\""));
    let export = member.get("/responses.csv?band=poor").await;
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csv = export.text().await.unwrap();
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert!(
        lines[0].starts_with("id,responded_at,source,"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        3,
        "a header and one row per poor response: {csv}"
    );
    assert!(
        csv.contains(r#""'=HYPERLINK(""http://evil"",""click"")""#),
        "{csv}"
    );
    assert!(csv.contains(r#""Slow, and ""rude""""#));
    let everything = member.get("/responses.csv").await.text().await.unwrap();
    assert_eq!(
        everything.split_terminator("\r\n").count(),
        513,
        "all pages, not just the first"
    );
}

async fn a_saved_taxonomy_is_validated_and_changes_the_themes_of_the_next_response(app: TestApp) {
    setup(&app).await;
    let admin = app.logged_in(Role::Admin).await;
    let page = "/settings/analysis";
    let (status, html) = admin.get_html(page).await;
    assert_eq!(status, 200);
    assert!(html.contains("waiting_time"));
    assert!(
        admin
            .get_html("/settings")
            .await
            .1
            .contains("href=\"/settings/analysis\"")
    );
    let save = "/settings/analysis/taxonomy";
    let (status, html) = body(
        admin
            .submit(page, save, &[("taxonomy", "{\"themes\": [")])
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("not valid JSON"));
    let bad = r#"{"themes": [{"key": "Parking Lot", "label": "Parking", "phrases": ["parking"]}]}"#;
    let (status, html) = body(admin.submit(page, save, &[("taxonomy", bad)]).await).await;
    assert_eq!(status, 422);
    assert!(html.contains("lowercase letters") && html.contains("Parking Lot"));

    let good = r#"{"themes": [{"key": "parking", "label": "Parking", "phrases": ["parking*", "car park"]}]}"#;
    let saved = admin.submit(page, save, &[("taxonomy", good)]).await;
    let (status, html) = body(saved).await;
    assert_eq!(status, 200);
    assert!(html.contains("The taxonomy was saved") && html.contains("car park"));
    let id = respond(&app, vec![answer(2, "No parking anywhere, I waited ages")]).await[0];
    let list: Value = api(&app, "/api/v1/responses?theme=parking").await;
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["themes"], json!(["parking"]));
    let (_, responses) = admin.get_html("/responses").await;
    assert!(responses.contains("<option value=\"parking\">Parking</option>"));

    let reset = admin
        .submit(page, "/settings/analysis/taxonomy/reset", &[])
        .await;
    assert!(body(reset).await.1.contains("waiting_time"));
    let member = app.logged_in(Role::Member).await;
    assert_eq!(member.get_html(page).await.0, 403);
    assert_eq!(
        member
            .submit("/responses", save, &[("taxonomy", good)])
            .await
            .status(),
        403
    );
}

/// The invitation rules form: days between, quiet hours start and end, validity, reminder.
fn rules(values: [&str; 5]) -> Vec<(&'static str, &str)> {
    let names = [
        "min_days_between",
        "quiet_start",
        "quiet_end",
        "ttl_days",
        "reminder_after_hours",
    ];
    names.into_iter().zip(values).collect()
}

async fn invitation_rules_are_saved_and_shown(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let page = "/settings/analysis";
    let action = "/settings/analysis/invitations";
    let fields = rules(["7", "21:00", "08:30", "14", "0"]);
    let (status, html) = body(admin.submit(page, action, &fields).await).await;
    assert_eq!(status, 200);
    assert!(html.contains("The invitation rules were saved"));
    assert!(html.contains("value=\"21:00\"") && html.contains("value=\"08:30\""));
    let saved = app.store.invitation_rules().await.unwrap();
    assert_eq!(saved.min_days_between, 7);
    assert_eq!(saved.quiet_hours, Some((21 * 60, 8 * 60 + 30)));
    assert_eq!((saved.ttl_days, saved.reminder_after_hours), (14, 0));

    let half = rules(["7", "21:00", "", "14", "0"]);
    let (status, html) = body(admin.submit(page, action, &half).await).await;
    assert_eq!(status, 422);
    assert!(html.contains("both the start and the end") && html.contains("value=\"21:00\""));
    let none = rules(["0", "", "", "30", "72"]);
    let (status, _) = body(admin.submit(page, action, &none).await).await;
    assert_eq!(status, 200);
    let saved = app.store.invitation_rules().await.unwrap();
    assert_eq!((saved.quiet_hours, saved.reminder_after_hours), (None, 72));
}
