//! Staff login, sessions, CSRF and role checks in the console.

use crate::helpers::{TestApp, csrf_of, on_both_backends};
use domain::Role;

on_both_backends!(
    staff_log_in_and_out,
    a_wrong_password_is_refused_without_saying_which_part_was_wrong,
    the_session_id_is_rotated_on_login,
    pages_redirect_to_login_without_a_session,
    a_member_is_forbidden_admin_pages,
    a_form_without_the_csrf_token_changes_nothing,
    repeated_failed_logins_are_rate_limited,
    an_admin_creates_a_team_in_the_console,
    hostile_text_is_shown_escaped,
);

async fn staff_log_in_and_out(app: TestApp) {
    let (email, password) = app
        .create_staff(Role::Admin, "admin@example.com", None)
        .await;
    let browser = app.browser();
    let response = browser.login(&email, &password).await;
    assert_eq!(response.url().path(), "/");
    let html = response.text().await.unwrap();
    assert!(html.contains("Log out"));
    let logout = browser.submit("/", "/logout", &[]).await;
    assert_eq!(logout.url().path(), "/login");
    assert_eq!(
        browser.get("/teams").await.url().path(),
        "/login",
        "the session has ended"
    );
}

async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: TestApp) {
    let (email, _) = app
        .create_staff(Role::Admin, "admin@example.com", None)
        .await;
    let browser = app.browser();
    for (who, password) in [
        (email.as_str(), "wrong password!!"),
        ("nobody@example.com", "whatever it is"),
    ] {
        let response = browser.login(who, password).await;
        assert_eq!(response.status(), 401);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Incorrect e-mail or password.")
        );
    }
}

async fn the_session_id_is_rotated_on_login(app: TestApp) {
    let (email, password) = app
        .create_staff(Role::Admin, "admin@example.com", None)
        .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(app.url("/login")).send().await.unwrap();
    let login_cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = csrf_of(&page.text().await.unwrap());
    let form = [
        ("csrf", csrf.as_str()),
        ("next", "/teams"),
        ("email", &email),
        ("password", &password),
    ];
    let fixated = "ps_session=attacker-chosen";
    let response = client
        .post(app.url("/login"))
        .header("cookie", format!("{login_cookie}; {fixated}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/teams");
    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("ps_session="))
        .unwrap();
    assert!(
        !session.starts_with(fixated),
        "a fresh session id is issued"
    );
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
}

async fn pages_redirect_to_login_without_a_session(app: TestApp) {
    let browser = app.browser();
    let response = browser.get("/teams?kind=client").await;
    assert_eq!(response.url().path(), "/login");
    assert_eq!(
        response.url().query(),
        Some("next=%2Fteams%3Fkind%3Dclient")
    );
}

async fn a_member_is_forbidden_admin_pages(app: TestApp) {
    let member = app.logged_in(Role::Member).await;
    assert_eq!(
        member.get_html("/teams").await.0,
        200,
        "members may look at teams"
    );
    let (status, html) = member.get_html("/teams/new").await;
    assert_eq!(status, 403);
    assert!(html.contains("Not allowed"));
    let response = member
        .submit(
            "/teams",
            "/teams",
            &[("key", "x"), ("name", "X"), ("kind", "client")],
        )
        .await;
    assert_eq!(response.status(), 403);
    let teams: serde_json::Value = app
        .get("/api/v1/teams", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(teams["items"], serde_json::json!([]));
}

async fn a_form_without_the_csrf_token_changes_nothing(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let form = [
        ("key", "care"),
        ("name", "Care"),
        ("kind", "client"),
        ("csrf", "forged"),
    ];
    let response = admin
        .client
        .post(admin.url("/teams"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("expired"));
    let teams: serde_json::Value = app
        .get("/api/v1/teams", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(teams["items"], serde_json::json!([]));
}

async fn repeated_failed_logins_are_rate_limited(app: TestApp) {
    let (email, password) = app
        .create_staff(Role::Admin, "admin@example.com", None)
        .await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser.login(&email, "not the password").await.status(),
            401
        );
    }
    let limited = browser.login(&email, &password).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}

async fn an_admin_creates_a_team_in_the_console(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let response = admin
        .submit(
            "/teams/new",
            "/teams",
            &[
                ("key", "care"),
                ("name", "Customer Care"),
                ("kind", "client"),
            ],
        )
        .await;
    assert_eq!(response.url().path(), "/teams/care");
    let (_, list) = admin.get_html("/teams").await;
    assert!(list.contains("Customer Care"));
    let invalid = admin
        .submit(
            "/teams/new",
            "/teams",
            &[("key", "Bad Key"), ("name", "X"), ("kind", "client")],
        )
        .await;
    assert_eq!(invalid.status(), 422);
    assert!(invalid.text().await.unwrap().contains("lowercase"));
    let duplicate = admin
        .submit(
            "/teams/new",
            "/teams",
            &[("key", "care"), ("name", "Again"), ("kind", "client")],
        )
        .await;
    assert_eq!(duplicate.status(), 422);
    assert!(duplicate.text().await.unwrap().contains("already exists"));
    let edited = admin
        .submit(
            "/teams/care/edit",
            "/teams/care/edit",
            &[
                ("name", "Care"),
                ("kind", "operations"),
                ("description", ""),
            ],
        )
        .await;
    assert!(edited.text().await.unwrap().contains("Operations team"));
    let deleted = admin.submit("/teams/care", "/teams/care/delete", &[]).await;
    assert_eq!(deleted.url().path(), "/teams");
}

async fn hostile_text_is_shown_escaped(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let hostile = "<script>alert(1)</script>";
    admin
        .submit(
            "/teams/new",
            "/teams",
            &[
                ("key", "evil"),
                ("name", hostile),
                ("kind", "client"),
                ("description", hostile),
            ],
        )
        .await;
    for path in ["/teams", "/teams/evil"] {
        let (_, html) = admin.get_html(path).await;
        assert!(!html.contains(hostile), "{path} shows raw markup");
        assert!(
            html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
            "{path}"
        );
    }
}
