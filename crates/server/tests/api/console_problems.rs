//! Systemic problems in the console: a manager records a problem, plans it, links a case in
//! one click from the suggestions and from the case's page, and solves it; members see their
//! teams' problems, add notes and tick only their own action items.

use crate::helpers::{Browser, TestApp, eventually, on_both_backends, system};
use domain::{Email, Key, Name, Password, Role};
use serde_json::{Value, json};
use server::security::hash_password;
use store::{NewUser, TeamStore, UserStore};

on_both_backends!(
    a_manager_records_a_problem_links_a_suggested_case_in_one_click_and_solves_it,
    members_see_their_teams_problems_and_tick_only_their_own_action_items,
);

/// Teams `care` (client, owns customer C-1) and `fixers` (operations, owns the touchpoint),
/// and a survey.
async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_team("fixers", "operations").await;
    app.create_touchpoint("phone-support", "fixers").await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"}
    ]);
    let survey = json!({"key": "after-call", "name": "After a call", "questions": questions,
        "touchpoints": ["phone-support"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    let customer = json!({"external_id": "C-1", "name": "Ada Lovelace", "team": "care"});
    let response = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert!(response.status().is_success());
}

/// A member of `team` who can log in, logged in; with their user id.
async fn member_of(app: &TestApp, team: &str, email: &str) -> (Browser, i64) {
    let key = Key::parse("team", team).unwrap();
    let team_id = app.store.team_by_key(&key).await.unwrap().id;
    let password = "a long enough password";
    let user = NewUser {
        email: Email::parse("email", email).unwrap(),
        name: Name::parse("name", &format!("Member of {team}")).unwrap(),
        role: Role::Member,
        external_id: None,
        password_hash: Some(hash_password(&Password::parse(password).unwrap()).unwrap()),
        teams: vec![team_id],
    };
    let id = app.store.create_user(&system(), user).await.unwrap().id.0;
    let browser = app.browser();
    let response = browser.login(email, password).await;
    assert_ne!(response.url().path(), "/login", "login failed");
    (browser, id)
}

/// A poor review of C-1 whose case is resolved as late; the case's id.
async fn late_case(app: &TestApp) -> i64 {
    let body = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "source": "phone_interview", "answers": {"csat": 1, "comment": "The engineer never came"}});
    let response = app
        .post_json("/api/v1/responses", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let id = eventually("the case to be opened", || async {
        let body: Value = app
            .get("/api/v1/cases", &app.admin_key)
            .await
            .json()
            .await
            .unwrap();
        body["items"][0]["id"].as_i64()
    })
    .await;
    let resolve = json!({"note": "Sent another engineer", "root_cause": "timeliness"});
    let resolved = app
        .post_json(
            &format!("/api/v1/cases/{id}/resolve"),
            &app.admin_key,
            &resolve,
        )
        .await;
    assert_eq!(resolved.status(), 200);
    id
}

/// The id at the end of a `/problems/{id}` address.
fn problem_id(response: &reqwest::Response) -> i64 {
    let path = response.url().path().to_owned();
    path.trim_start_matches("/problems/").parse().unwrap()
}

/// The part of `html` from the element with `id` on.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("the page has #{id}"));
    &html[start..]
}

async fn a_manager_records_a_problem_links_a_suggested_case_in_one_click_and_solves_it(
    app: TestApp,
) {
    setup(&app).await;
    let case = late_case(&app).await;
    let manager = app.logged_in(Role::Manager).await;
    let (status, html) = manager.get_html("/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/problems\""),
        "Problems is in the navigation"
    );

    let refused = manager
        .submit(
            "/problems/new",
            "/problems",
            &[("title", "Engineers come late"), ("owner_team", "care")],
        )
        .await;
    assert_eq!(refused.status(), 422, "a client team cannot own a problem");
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Engineers come late")
    );
    let created = manager
        .submit(
            "/problems/new",
            "/problems",
            &[
                ("title", "Engineers come late <script>alert(1)</script>"),
                ("owner_team", "fixers"),
                ("root_cause_category", "timeliness"),
                ("touchpoint", "phone-support"),
                ("effort", "2500"),
            ],
        )
        .await;
    assert_eq!(created.status(), 200);
    let id = problem_id(&created);
    let page = format!("/problems/{id}");
    let html = created.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "user text is escaped");
    assert!(html.contains("2500.00"));

    let planned = manager
        .submit(
            &page,
            &format!("{page}/actions"),
            &[
                ("title", "Add a second shift"),
                ("owner", ""),
                ("due", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(planned.status(), 200);
    assert!(planned.text().await.unwrap().contains("Add a second shift"));
    let bad_due = manager
        .submit(
            &page,
            &format!("{page}/actions"),
            &[("title", "Later"), ("due", "soon")],
        )
        .await;
    assert_eq!(bad_due.status(), 422);

    let (_, html) = manager.get_html(&page).await;
    let suggestions = section(&html, "suggestions");
    let target = format!("name=\"target\" value=\"{case}\"");
    assert!(
        suggestions.contains(&target) && suggestions.contains("same root cause"),
        "the late case is suggested with its reason: {suggestions}"
    );
    let linked = manager
        .submit(
            &page,
            &format!("{page}/links"),
            &[("kind", "case"), ("target", &case.to_string())],
        )
        .await;
    assert_eq!(linked.status(), 200);
    let html = linked.text().await.unwrap();
    let links = section(&html, "links");
    assert!(
        links.contains(&format!("href=\"/cases/{case}\"")),
        "{links}"
    );
    assert!(
        !section(&html, "suggestions").contains(&target),
        "a linked case is no longer suggested"
    );

    // From the case's own page, in one click, to a second problem.
    let second = manager
        .submit(
            "/problems/new",
            "/problems",
            &[("title", "Spare parts run out"), ("owner_team", "fixers")],
        )
        .await;
    let second = problem_id(&second);
    let case_page = format!("/cases/{case}");
    let (_, html) = manager.get_html(&case_page).await;
    assert!(html.contains("Link to problem"));
    let from_case = manager
        .submit(
            &case_page,
            "/problems/link",
            &[
                ("problem", &second.to_string()),
                ("kind", "case"),
                ("target", &case.to_string()),
            ],
        )
        .await;
    assert_eq!(from_case.status(), 200);
    assert_eq!(from_case.url().path(), case_page, "back to the case");
    let html = from_case.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/problems/{second}\"")));
    let case_body: Value = app
        .get(&format!("/api/v1/cases/{case}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let response = case_body["response_id"].as_i64().unwrap();
    let response_page = format!("/responses/{response}");
    let from_response = manager
        .submit(
            &response_page,
            "/problems/link",
            &[
                ("problem", &second.to_string()),
                ("kind", "response"),
                ("target", &response.to_string()),
            ],
        )
        .await;
    assert_eq!(from_response.status(), 200);
    assert_eq!(
        from_response.url().path(),
        response_page,
        "back to the response"
    );
    assert!(from_response.text().await.unwrap().contains("Linked to"));

    for step in ["analysing", "fixing", "verifying", "solved"] {
        let moved = manager
            .submit(
                &page,
                &format!("{page}/status"),
                &[("status", step), ("note", "")],
            )
            .await;
        assert_eq!(moved.status(), 200, "{step}");
    }
    let (_, html) = manager.get_html(&page).await;
    assert!(html.contains("status-solved"));
    assert!(html.contains("Verifying → Solved"));
    let back = manager
        .submit(
            &page,
            &format!("{page}/status"),
            &[("status", "identified")],
        )
        .await;
    assert_eq!(
        back.status(),
        422,
        "a solved problem cannot be identified again"
    );

    let (_, list) = manager.get_html("/problems?status=solved&shown=1").await;
    assert!(list.contains(&format!("href=\"{page}\"")));
    assert!(!list.contains(&format!("href=\"/problems/{second}\"")));
}

async fn members_see_their_teams_problems_and_tick_only_their_own_action_items(app: TestApp) {
    setup(&app).await;
    let (member, member_id) = member_of(&app, "fixers", "fixer@example.com").await;
    let (outsider, _) = member_of(&app, "care", "carer@example.com").await;
    let manager = app.logged_in(Role::Manager).await;
    let created = manager
        .submit(
            "/problems/new",
            "/problems",
            &[("title", "Invoices are wrong"), ("owner_team", "fixers")],
        )
        .await;
    let id = problem_id(&created);
    let page = format!("/problems/{id}");
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let yesterday = today.yesterday().unwrap().to_string();
    for (title, owner) in [
        ("Fix the VAT rule", member_id.to_string()),
        ("Audit March", String::new()),
    ] {
        let added = manager
            .submit(
                &page,
                &format!("{page}/actions"),
                &[("title", title), ("owner", &owner), ("due", &yesterday)],
            )
            .await;
        assert_eq!(added.status(), 200);
    }
    let actions: Value = app
        .get(&format!("/api/v1/problems/{id}/actions"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let action_of = |title: &str| {
        actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == title)
            .unwrap()["id"]
            .clone()
    };
    let (mine, theirs) = (action_of("Fix the VAT rule"), action_of("Audit March"));
    assert_eq!(actions[0]["overdue"], true);

    let (status, list) = member.get_html("/problems").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("href=\"{page}\"")),
        "their team's problem"
    );
    assert!(
        list.contains("2 overdue"),
        "overdue actions are highlighted"
    );
    let (_, list) = outsider.get_html("/problems").await;
    assert!(!list.contains(&format!("href=\"{page}\"")));
    let (status, _) = outsider.get_html(&page).await;
    assert_eq!(status, 403);

    let (status, html) = member.get_html(&page).await;
    assert_eq!(status, 200);
    assert!(!html.contains("id=\"suggestions\""), "members do not link");
    let noted = member
        .submit(
            &page,
            &format!("{page}/notes"),
            &[("note", "Started on it")],
        )
        .await;
    assert_eq!(noted.status(), 200);
    assert!(noted.text().await.unwrap().contains("Started on it"));
    let ticked = member
        .submit(&page, &format!("{page}/actions/{mine}/done"), &[])
        .await;
    assert_eq!(ticked.status(), 200);
    let other = member
        .submit(&page, &format!("{page}/actions/{theirs}/done"), &[])
        .await;
    assert_eq!(other.status(), 403, "not their action item");
    let moved = member
        .submit(&page, &format!("{page}/status"), &[("status", "fixing")])
        .await;
    assert_eq!(moved.status(), 403);
    let (status, _) = member.get_html("/problems/new").await;
    assert_eq!(status, 403);
    let detail: Value = app
        .get(&format!("/api/v1/problems/{id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "identified");
    assert_eq!(detail["open_actions"], 1);
}
