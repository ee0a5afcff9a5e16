//! Recovery cases in the console: the case page, working a case through its forms, who may
//! open it, the inbox with its unread badge, the alerts list, and the customer's public
//! "did we make it right?" page.

use crate::helpers::{Browser, TestApp, eventually, on_both_backends, system};
use domain::{Email, Key, Name, Password, Role};
use serde_json::{Value, json};
use server::security::hash_password;
use store::{NewUser, SettingsStore, TeamStore, UserStore};

on_both_backends!(
    the_case_page_shows_the_customer_and_the_review_that_opened_it,
    a_case_is_worked_through_the_forms_from_contact_to_reopening,
    a_member_of_another_team_may_not_open_the_case,
    the_inbox_shows_the_alert_with_an_unread_badge_until_read,
    the_follow_up_page_records_one_answer_and_refuses_forged_links,
);

const COMMENT: &str = "Nobody called me back about the broken boiler";

/// Teams `care` (client, owns the customer) and `billing` (client), touchpoint
/// `phone-support` of `care`, a survey, and customer C-1 of `care`.
async fn setup(app: &TestApp) {
    app.create_team("care", "client").await;
    app.create_team("billing", "client").await;
    app.create_touchpoint("phone-support", "care").await;
    let questions = json!([
        {"key": "csat", "prompt": "How satisfied are you?", "type": "csat", "required": true},
        {"key": "comment", "prompt": "Tell us more", "type": "free_text"},
        {"key": "contact", "prompt": "May we contact you?", "type": "consent"}
    ]);
    let survey = json!({"key": "after-call", "name": "After a call", "questions": questions, "touchpoints": ["phone-support"]});
    let created = app
        .post_json("/api/v1/surveys", &app.admin_key, &survey)
        .await;
    assert_eq!(created.status(), 201);
    let customer = json!({"external_id": "C-1", "name": "Ada Lovelace", "team": "care",
        "email": "ada@example.com", "phone": "+44 20 7946 0000", "segment": "gold"});
    let response = app
        .post_json("/api/v1/customers", &app.admin_key, &customer)
        .await;
    assert!(response.status().is_success(), "{}", response.status());
}

/// A member of `team` who can log in, logged in.
async fn member_of(app: &TestApp, team: &str, email: &str) -> Browser {
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
    app.store.create_user(&system(), user).await.unwrap();
    let browser = app.browser();
    let response = browser.login(email, password).await;
    assert_ne!(response.url().path(), "/login", "login failed");
    browser
}

/// Posts a poor review of C-1 and waits until the worker has opened its case; its id.
async fn poor_review(app: &TestApp) -> i64 {
    let body = json!({"customer": {"external_id": "C-1"}, "touchpoint": "phone-support",
        "source": "phone_interview", "answers": {"csat": 1, "comment": COMMENT, "contact": true}});
    let response = app
        .post_json("/api/v1/responses", &app.admin_key, &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    eventually("the case to be opened", || async {
        let body: Value = app
            .get("/api/v1/cases", &app.admin_key)
            .await
            .json()
            .await
            .unwrap();
        body["items"][0]["id"].as_i64()
    })
    .await
}

async fn status_of(app: &TestApp, id: i64) -> String {
    let body: Value = app
        .get(&format!("/api/v1/cases/{id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    body["status"].as_str().unwrap_or_default().to_owned()
}

async fn the_case_page_shows_the_customer_and_the_review_that_opened_it(app: TestApp) {
    setup(&app).await;
    let member = member_of(&app, "care", "carer@example.com").await;
    let id = poor_review(&app).await;
    let page = format!("/cases/{id}");
    let (status, html) = member.get_html(&page).await;
    assert_eq!(status, 200);
    for expected in [
        "Ada Lovelace",
        "C-1",
        "ada@example.com",
        "+44 20 7946 0000",
        "gold",
        COMMENT,
        "Team care",
        "left",
    ] {
        assert!(html.contains(expected), "the case page shows {expected:?}");
    }
    assert!(html.contains("/responses/"), "links to the response");
    let (status, list) = member.get_html("/cases").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("href=\"/cases/{id}\"")),
        "in the team's queue"
    );
    let (_, mine) = member.get_html("/cases?queue=mine").await;
    assert!(
        !mine.contains(&format!("href=\"/cases/{id}\"")),
        "not assigned to them yet"
    );
    let (status, _) = member.get_html("/cases?queue=all").await;
    assert_eq!(status, 403, "members have no company-wide queue");

    let taken = member.submit(&page, &format!("{page}/take"), &[]).await;
    assert_eq!(taken.status(), 200);
    let (_, mine) = member.get_html("/cases?queue=mine").await;
    assert!(
        mine.contains(&format!("href=\"/cases/{id}\"")),
        "assigned to me"
    );

    let csv = member.get("/cases/export.csv?queue=mine").await;
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("id,title,status"), "{csv}");
    assert!(
        csv.contains(&format!("\r\n{id},")),
        "the case is exported: {csv}"
    );

    let (status, alerts) = member.get_html("/alerts").await;
    assert_eq!(status, 200);
    assert!(
        alerts.contains(&format!("href=\"/cases/{id}\"")),
        "the alert links to its case"
    );
}

async fn a_case_is_worked_through_the_forms_from_contact_to_reopening(app: TestApp) {
    setup(&app).await;
    let member = member_of(&app, "care", "carer@example.com").await;
    let id = poor_review(&app).await;
    let page = format!("/cases/{id}");
    let act = |what: &str| format!("/cases/{id}/{what}");

    let noted = member
        .submit(
            &page,
            &act("notes"),
            &[("note", "<script>alert(1)</script>")],
        )
        .await;
    assert_eq!(noted.status(), 200);
    assert_eq!(noted.url().path(), page, "back to the case");
    let html = noted.text().await.unwrap();
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!html.contains("<script>alert(1)"), "user text is escaped");

    let empty = member.submit(&page, &act("notes"), &[("note", "  ")]).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Write the note"));

    let contacted = member
        .submit(&page, &act("contact"), &[("note", "Called, apologised")])
        .await;
    assert_eq!(contacted.status(), 200);
    assert_eq!(status_of(&app, id).await, "contacted");

    let no_cause = member
        .submit(
            &page,
            &act("resolve"),
            &[("note", "Sent an engineer"), ("root_cause", "")],
        )
        .await;
    assert_eq!(no_cause.status(), 422);
    let html = no_cause.text().await.unwrap();
    assert!(html.contains("Choose the root cause") && html.contains("Sent an engineer"));
    let resolved = member
        .submit(
            &page,
            &act("resolve"),
            &[("note", "Sent an engineer"), ("root_cause", "timeliness")],
        )
        .await;
    assert_eq!(resolved.status(), 200);
    assert_eq!(status_of(&app, id).await, "resolved");
    assert!(resolved.text().await.unwrap().contains("Late or slow"));

    let closed = member.submit(&page, &act("close"), &[]).await;
    assert_eq!(closed.status(), 200);
    assert_eq!(status_of(&app, id).await, "closed");
    let again = member.submit(&page, &act("close"), &[]).await;
    assert_eq!(again.status(), 422, "a closed case cannot be closed again");

    let no_reason = member
        .submit(&page, &act("reopen"), &[("reason", "")])
        .await;
    assert_eq!(no_reason.status(), 422);
    let reopened = member
        .submit(
            &page,
            &act("reopen"),
            &[("reason", "The boiler broke again")],
        )
        .await;
    assert_eq!(reopened.status(), 200);
    assert_eq!(status_of(&app, id).await, "contacted");
    let html = reopened.text().await.unwrap();
    for entry in [
        "Customer contacted: Called, apologised",
        "Resolved (timeliness): Sent an engineer",
        "Closed",
        "Reopened: The boiler broke again",
    ] {
        assert!(html.contains(entry), "the timeline shows {entry:?}");
    }

    let manager = app.logged_in(Role::Manager).await;
    let moved = manager
        .submit(&page, &act("assign"), &[("team", "billing"), ("user", "")])
        .await;
    assert_eq!(moved.status(), 200);
    assert!(
        moved
            .text()
            .await
            .unwrap()
            .contains("Assigned to Team billing / nobody")
    );
    let refused = member
        .submit(&page, &act("assign"), &[("team", "care"), ("user", "")])
        .await;
    assert_eq!(refused.status(), 403, "members cannot reassign");
}

async fn a_member_of_another_team_may_not_open_the_case(app: TestApp) {
    setup(&app).await;
    let outsider = member_of(&app, "billing", "biller@example.com").await;
    let id = poor_review(&app).await;
    let page = format!("/cases/{id}");
    let (status, html) = outsider.get_html(&page).await;
    assert_eq!(status, 403);
    assert!(!html.contains(COMMENT));
    let (_, home) = outsider.get_html("/").await;
    let noted = outsider
        .client
        .post(outsider.url(&format!("{page}/notes")))
        .form(&[
            ("csrf", crate::helpers::csrf_of(&home)),
            ("note", "x".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(noted.status(), 403);
    let (_, list) = outsider.get_html("/cases").await;
    assert!(!list.contains(&format!("href=\"/cases/{id}\"")));
    let (status, _) = outsider.get_html("/cases/999999").await;
    assert_eq!(status, 404);
}

async fn the_inbox_shows_the_alert_with_an_unread_badge_until_read(app: TestApp) {
    setup(&app).await;
    let member = member_of(&app, "care", "carer@example.com").await;
    let id = poor_review(&app).await;
    let (status, inbox) = member.get_html("/inbox").await;
    assert_eq!(status, 200);
    assert!(inbox.contains("Poor review from"), "{inbox}");
    assert!(inbox.contains(&format!("/open?to=%2Fcases%2F{id}\"")));
    assert!(
        inbox.contains("class=\"inbox\">Inbox <span class=\"badge\">1</span>"),
        "the unread badge is in the navigation"
    );
    let marker = "href=\"/inbox/";
    let start = inbox.find(marker).unwrap() + "href=\"".len();
    let href = &inbox[start..start + inbox[start..].find('"').unwrap()];
    let opened = member.get(&href.replace("&amp;", "&")).await;
    assert_eq!(
        opened.url().path(),
        format!("/cases/{id}"),
        "following it opens the case"
    );
    let (_, unread) = member.get_html("/inbox?unread=1").await;
    assert!(!unread.contains("Poor review from"), "and marks it read");
    let evil = member.get("/inbox/1/open?to=//evil.example").await;
    assert_eq!(
        evil.url().path(),
        "/inbox",
        "only console paths are followed"
    );

    let read = member.submit("/inbox", "/inbox/read", &[]).await;
    assert_eq!(read.status(), 200);
    let html = read.text().await.unwrap();
    assert!(
        html.contains("class=\"inbox\">Inbox</a>"),
        "no badge once read"
    );
    let (_, unread) = member.get_html("/inbox?unread=1").await;
    assert!(unread.contains("Nothing unread"));
}

/// The follow-up link of a resolved case, made as the follow-up e-mail makes it.
async fn followup_link(app: &TestApp, id: i64) -> String {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url()).await.unwrap();
    let lookup: String = sqlx::query_scalar(&format!(
        "SELECT followup_lookup_id FROM cases WHERE id = {id}"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    let secret = app.store.link_secret().await.unwrap();
    let links = server::links::Links::new(&app.address, std::sync::Arc::new(secret));
    links.followup(&lookup).expect("a follow-up link")
}

async fn the_follow_up_page_records_one_answer_and_refuses_forged_links(app: TestApp) {
    setup(&app).await;
    let id = poor_review(&app).await;
    let body = json!({"note": "Refunded the call-out", "root_cause": "timeliness"});
    let resolved = app
        .post_json(
            &format!("/api/v1/cases/{id}/resolve"),
            &app.admin_key,
            &body,
        )
        .await;
    assert_eq!(resolved.status(), 200);
    let link = followup_link(&app, id).await;
    let customer = reqwest::Client::new();

    let page = customer.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Did we make it right?") && html.contains("Touchpoint phone-support"));

    let bad = customer
        .post(&link)
        .form(&[("recovered", "maybe")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let answered = customer
        .post(&link)
        .form(&[
            ("recovered", "yes"),
            ("comment", "  Thanks, all fixed <b>now</b>  "),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    assert!(answered.text().await.unwrap().contains("Thank you"));
    let case: Value = app
        .get(&format!("/api/v1/cases/{id}"), &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["recovered"], true);
    assert_eq!(case["followup_comment"], "Thanks, all fixed <b>now</b>");

    let twice = customer
        .post(&link)
        .form(&[("recovered", "no")])
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 409);
    assert!(twice.text().await.unwrap().contains("You already told us"));

    let admin = app.logged_in(Role::Admin).await;
    let (_, staff_view) = admin.get_html(&format!("/cases/{id}")).await;
    assert!(staff_view.contains("yes, we made it right"));
    assert!(
        staff_view.contains("Thanks, all fixed &#60;b&#62;now&#60;/b&#62;")
            || staff_view.contains("Thanks, all fixed &lt;b&gt;now&lt;/b&gt;")
    );
    assert!(
        !staff_view.contains("<b>now"),
        "the customer's comment is escaped"
    );

    // A character in the middle of the token: every bit of it is significant.
    let at = link.len() - 10;
    let swapped = if &link[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &link[..at], &link[at + 1..]);
    assert_eq!(customer.get(&forged).send().await.unwrap().status(), 404);
    let nonsense = customer
        .get(app.url("/f/not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(nonsense.status(), 404);
    let posted = customer
        .post(app.url("/f/not-a-token"))
        .form(&[("recovered", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 404);
}
