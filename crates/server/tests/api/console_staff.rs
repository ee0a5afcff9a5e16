//! Staff accounts in the console: creating, editing, deactivating, setting passwords.

use crate::helpers::{TestApp, on_both_backends};
use domain::Role;

on_both_backends!(
    an_admin_creates_a_staff_member_who_can_then_log_in,
    the_staff_form_rejects_bad_input_with_a_readable_message,
    an_admin_cannot_deactivate_or_demote_themselves,
    deactivating_a_staff_member_ends_their_sessions,
);

/// The id of the staff member with this e-mail, via the API.
pub async fn user_id(app: &TestApp, email: &str) -> i64 {
    let users: serde_json::Value = app
        .get("/api/v1/users?limit=500", &app.admin_key)
        .await
        .json()
        .await
        .unwrap();
    let items = users["items"].as_array().unwrap();
    items.iter().find(|u| u["email"] == email).unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn an_admin_creates_a_staff_member_who_can_then_log_in(app: TestApp) {
    app.create_team("care", "client").await;
    app.create_team("ops", "operations").await;
    let admin = app.logged_in(Role::Admin).await;
    let (status, form) = admin.get_html("/users/new").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"care\"") && form.contains("value=\"ops\""),
        "teams are offered as checkboxes"
    );
    let fields = [
        ("email", "ada@example.com"),
        ("name", "Ada <Lovelace>"),
        ("role", "manager"),
        ("external_id", "S-7"),
        ("teams", "care"),
        ("teams", "ops"),
        ("password", "a very long password"),
    ];
    let response = admin.submit("/users/new", "/users", &fields).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.url().path().starts_with("/users/"),
        "lands on the new staff member's page"
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Ada &#60;Lovelace&#62;") || html.contains("Ada &lt;Lovelace&gt;"),
        "names are escaped"
    );
    assert!(html.contains("Team care") && html.contains("Team ops") && html.contains("S-7"));

    let (_, list) = admin.get_html("/users?role=manager&team=ops").await;
    assert!(list.contains("ada@example.com"));
    let (_, list) = admin.get_html("/users?role=member").await;
    assert!(!list.contains("ada@example.com"), "the role filter applies");

    let ada = app.browser();
    let login = ada.login("ada@example.com", "a very long password").await;
    assert_eq!(login.url().path(), "/", "the new staff member can log in");
}

async fn the_staff_form_rejects_bad_input_with_a_readable_message(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("email", "b@example.com"),
                ("name", "B"),
                ("role", "member"),
                ("password", "short"),
            ],
            "Password: must be at least 12 characters long",
        ),
        (
            &[
                ("email", "not an address"),
                ("name", "B"),
                ("role", "member"),
            ],
            "E-mail: is not a valid e-mail address",
        ),
        (
            &[
                ("email", "b@example.com"),
                ("name", "B"),
                ("role", "member"),
                ("teams", "nope"),
            ],
            "no team",
        ),
        (
            &[
                ("email", "admin@example.com"),
                ("name", "Again"),
                ("role", "member"),
            ],
            "already exists",
        ),
    ];
    for (fields, message) in cases {
        let response = admin.submit("/users/new", "/users", fields).await;
        assert_eq!(response.status(), 422, "{fields:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{fields:?}: {html}");
        assert!(
            !html.contains("value=\"short\""),
            "passwords are never sent back"
        );
    }
    let (status, _) = admin.get_html("/users/999999").await;
    assert_eq!(status, 404);
    assert_eq!(admin.get_html("/users/not-a-number/edit").await.0, 404);
}

async fn an_admin_cannot_deactivate_or_demote_themselves(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let me = user_id(&app, "admin@example.com").await;
    let edit = format!("/users/{me}/edit");
    let deactivate = [("name", "Admin"), ("role", "admin")];
    let response = admin.submit(&edit, &edit, &deactivate).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("you cannot deactivate your own account")
    );
    let demote = [("name", "Admin"), ("role", "member"), ("active", "on")];
    let response = admin.submit(&edit, &edit, &demote).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("you cannot remove your own administrator role")
    );
    let rename = [("name", "Chief Admin"), ("role", "admin"), ("active", "on")];
    let response = admin.submit(&edit, &edit, &rename).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.text().await.unwrap().contains("Chief Admin"),
        "other changes to oneself are fine"
    );
}

async fn deactivating_a_staff_member_ends_their_sessions(app: TestApp) {
    let admin = app.logged_in(Role::Admin).await;
    let member = app.logged_in(Role::Member).await;
    assert_eq!(member.get("/teams").await.url().path(), "/teams");
    let id = user_id(&app, "member@example.com").await;
    let edit = format!("/users/{id}/edit");
    let response = admin
        .submit(&edit, &edit, &[("name", "Member"), ("role", "member")])
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("inactive"));
    assert_eq!(
        member.get("/teams").await.url().path(),
        "/login",
        "their session has ended"
    );
    assert_ne!(
        app.browser()
            .login("member@example.com", "a long enough password")
            .await
            .url()
            .path(),
        "/"
    );

    let password = format!("/users/{id}/password");
    let mismatch = [
        ("password", "another long password"),
        ("confirm", "something else entirely"),
    ];
    assert_eq!(
        admin.submit(&password, &password, &mismatch).await.status(),
        422
    );
    let fields = [
        ("password", "another long password"),
        ("confirm", "another long password"),
    ];
    let response = admin.submit(&password, &password, &fields).await;
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The password was set")
    );
}
